#include "core/kva/vmap_lazyq.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void vmap_lazyq_fini(struct vmap_lazyq *q)
{
	free(q->seq);
	free(q->call);
	*q = (struct vmap_lazyq){0};
}

int vmap_lazyq_push(struct vmap_lazyq *q, u64 model_seq, u64 call)
{
	if (q->head == q->n)
		q->head = q->n = 0;
	if (q->n == q->cap) {
		if (q->head >= q->n / 2 && q->head) { /* reuse the taken front */
			memmove(q->seq, q->seq + q->head, (q->n - q->head) * sizeof(*q->seq));
			memmove(q->call, q->call + q->head, (q->n - q->head) * sizeof(*q->call));
			q->n -= q->head;
			q->head = 0;
		} else {
			u64 cap = q->cap ? q->cap * 2 : 1024;
			u64 *p = realloc(q->seq, cap * sizeof(*p));
			if (p)
				q->seq = p;
			u64 *c = p ? realloc(q->call, cap * sizeof(*c)) : NULL;
			if (!c)
				return -ENOMEM;
			q->call = c;
			q->cap = cap;
		}
	}
	q->call[q->n] = call;
	q->seq[q->n++] = model_seq;
	return 0;
}

u64 vmap_lazyq_take(struct vmap_lazyq *q, u64 num)
{
	u64 len = q->n - q->head;
	if (num > len) { /* areas the queue never saw (freed before it began): take everything */
		if (len)
			q->taken = q->seq[q->n - 1];
		q->head = q->n = 0;
		return ~0ULL;
	}
	if (num) {
		q->head += num;
		q->taken = q->seq[q->head - 1];
	}
	return q->taken;
}

bool vmap_lazyq_oldest_call(const struct vmap_lazyq *q, u64 *call)
{
	if (q->head == q->n)
		return false;
	*call = q->call[q->head];
	return true;
}
