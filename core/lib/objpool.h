/* A pool of fixed-size objects carved from malloc'ed chunks and recycled through a free list,
 * so the vmlist variants allocate no memory per operation once warm. Objects are never
 * returned to the host until objpool_fini releases every chunk at once. */
#ifndef OBJPOOL_H
#define OBJPOOL_H

#include "core/mm_types.h"

struct objpool {
	size_t objsize;	  /* >= sizeof(void *), rounded up to 16 bytes */
	size_t per_chunk; /* objects per chunk; doubles as chunks are added, up to a cap */
	void *free;	  /* singly linked free objects (first word = next) */
	void *chunks;	  /* singly linked chunks (first word = next), objects follow */
	u64 nr_chunks;	  /* chunks allocated */
	u64 nr_out;	  /* objects handed out and not yet put back */
};

void objpool_init(struct objpool *p, size_t objsize);
/* Release every chunk; objects still out become invalid. */
void objpool_fini(struct objpool *p);
/* An uninitialised object, or NULL when the host is out of memory. */
void *objpool_get(struct objpool *p);
void objpool_put(struct objpool *p, void *obj);

#endif
