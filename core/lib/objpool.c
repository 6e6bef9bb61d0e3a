#include "core/lib/objpool.h"

#include <stdlib.h>

#define OBJPOOL_ALIGN 16
#define OBJPOOL_FIRST_CHUNK 64
#define OBJPOOL_MAX_CHUNK 65536

void objpool_init(struct objpool *p, size_t objsize)
{
	if (objsize < sizeof(void *))
		objsize = sizeof(void *);
	p->objsize = (objsize + OBJPOOL_ALIGN - 1) & ~(size_t)(OBJPOOL_ALIGN - 1);
	p->per_chunk = OBJPOOL_FIRST_CHUNK;
	p->free = NULL;
	p->chunks = NULL;
	p->nr_chunks = 0;
	p->nr_out = 0;
}

void objpool_fini(struct objpool *p)
{
	void *c = p->chunks;
	while (c) {
		void *next = *(void **)c;
		free(c);
		c = next;
	}
	p->chunks = NULL;
	p->free = NULL;
	p->nr_chunks = 0;
	p->nr_out = 0;
}

/* Add one chunk and thread its objects onto the free list, lowest address first. */
static int objpool_grow(struct objpool *p)
{
	size_t n = p->per_chunk;
	char *c = malloc(OBJPOOL_ALIGN + n * p->objsize);
	if (!c)
		return -1;
	*(void **)c = p->chunks;
	p->chunks = c;
	p->nr_chunks++;
	char *obj = c + OBJPOOL_ALIGN;
	for (size_t i = n; i-- > 0;) {
		void *o = obj + i * p->objsize;
		*(void **)o = p->free;
		p->free = o;
	}
	if (p->per_chunk < OBJPOOL_MAX_CHUNK)
		p->per_chunk *= 2;
	return 0;
}

void *objpool_get(struct objpool *p)
{
	if (MM_UNLIKELY(!p->free) && objpool_grow(p))
		return NULL;
	void *o = p->free;
	p->free = *(void **)o;
	p->nr_out++;
	return o;
}

void objpool_put(struct objpool *p, void *obj)
{
	*(void **)obj = p->free;
	p->free = obj;
	p->nr_out--;
}
