#include "core/phys/migpend.h"

#include <errno.h>
#include <stdlib.h>

static int migpend_grow(struct migpend_fifo *f)
{
	size_t cap = f->cap ? f->cap * 2 : 64;
	u64 *rec = malloc(cap * sizeof(*rec));
	if (!rec)
		return -ENOMEM;
	for (size_t i = 0; i < f->n; i++) /* unrolled to the new ring's start */
		rec[i] = f->rec[(f->head + i) & (f->cap - 1)];
	free(f->rec);
	*f = (struct migpend_fifo){.rec = rec, .head = 0, .n = f->n, .cap = cap};
	return 0;
}

int migpend_push(struct migpend *m, unsigned order, u64 rec)
{
	if (order >= MIGPEND_ORDERS)
		return -ERANGE;
	struct migpend_fifo *f = &m->q[order];
	if (f->n == f->cap && migpend_grow(f))
		return -ENOMEM;
	f->rec[(f->head + f->n++) & (f->cap - 1)] = rec;
	m->n++;
	return 0;
}

bool migpend_pop(struct migpend *m, unsigned order, u64 *rec)
{
	if (order >= MIGPEND_ORDERS || !m->q[order].n)
		return false;
	struct migpend_fifo *f = &m->q[order];
	*rec = f->rec[f->head];
	f->head = (f->head + 1) & (f->cap - 1);
	f->n--;
	m->n--;
	return true;
}

size_t migpend_bytes(const struct migpend *m)
{
	size_t b = 0;
	for (unsigned o = 0; o < MIGPEND_ORDERS; o++)
		b += m->q[o].cap * sizeof(*m->q[o].rec);
	return b;
}

void migpend_fini(struct migpend *m)
{
	for (unsigned o = 0; o < MIGPEND_ORDERS; o++)
		free(m->q[o].rec);
	*m = (struct migpend){0};
}
