/* Process table: pid -> address space, and the routing of the process events. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/proc/procs.h"

void procs_cfg_default(struct mm_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->index = &vma_index_maple;
	cfg->max_map_count = MM_MAX_MAP_COUNT;
	cfg->populate = false;
	cfg->loader_faults = true;
}

int procs_init(struct procs *p, const struct mm_cfg *cfg)
{
	memset(p, 0, sizeof(*p));
	p->cfg = *cfg;
	if (!p->cfg.index)
		p->cfg.index = &vma_index_maple;
	if (!p->cfg.max_map_count)
		p->cfg.max_map_count = MM_MAX_MAP_COUNT;
	objpool_init(&p->vmas, sizeof(struct vma));
	return hmap_init(&p->pids, 64);
}

static struct mm *procs_new_mm(struct procs *p)
{
	struct mm *mm = malloc(sizeof(*mm));
	if (!mm)
		return NULL;
	if (mm_init(mm, &p->cfg, &p->st)) {
		free(mm);
		return NULL;
	}
	mm->users = 0;
	mm->vma_pool = &p->vmas;
	p->ps.mm_created++;
	if (++p->live > p->ps.mm_live_peak)
		p->ps.mm_live_peak = p->live;
	return mm;
}

static void procs_put_mm(struct procs *p, struct mm *mm)
{
	if (--mm->users)
		return;
	mm_fini(mm);
	free(mm);
	p->live--;
	p->ps.mm_destroyed++;
}

static int procs_attach(struct procs *p, u32 pid, struct mm *mm)
{
	int err = hmap_put(&p->pids, pid, (u64)(uintptr_t)mm);
	if (err < 0)
		return err;
	mm->users++;
	return 0;
}

/* Drop pid's task; its mm goes when no task uses it. */
static void procs_detach(struct procs *p, u32 pid, bool exiting)
{
	u64 v;
	if (!hmap_get(&p->pids, pid, &v))
		return;
	struct mm *mm = (struct mm *)(uintptr_t)v;
	if (p->on_release)
		p->on_release(p->on_release_arg, pid, mm, exiting);
	hmap_del(&p->pids, pid, NULL);
	procs_put_mm(p, mm);
}

struct mm *procs_mm(const struct procs *p, u32 pid)
{
	u64 v;
	return hmap_get(&p->pids, pid, &v) ? (struct mm *)(uintptr_t)v : NULL;
}

/* A fresh, empty mm for pid (which must have none). */
static struct mm *procs_fresh(struct procs *p, u32 pid)
{
	struct mm *mm = procs_new_mm(p);
	if (!mm)
		return NULL;
	if (procs_attach(p, pid, mm)) {
		mm->users = 1;
		procs_put_mm(p, mm);
		return NULL;
	}
	return mm;
}

static struct mm *procs_get(struct procs *p, u32 pid)
{
	struct mm *mm = procs_mm(p, pid);
	if (mm)
		return mm;
	p->ps.unknown_pids++;
	return procs_fresh(p, pid);
}

static int procs_fork(struct procs *p, struct mm *parent, const struct mm_event *ev)
{
	u32 child = (u32)ev->addr2;
	if (child == ev->pid || ev->addr2 > UINT32_MAX) {
		p->ps.bad_events++; /* a task cannot be its own child: not from a real trace */
		return 0;
	}
	if (procs_mm(p, child)) {
		p->ps.pid_reused++;
		procs_detach(p, child, true);
	}
	if (ev->flags & MME_F_CLONE_VM) {
		p->ps.clone_vm++;
		return procs_attach(p, child, parent);
	}
	p->ps.forks++;
	struct mm *mm = procs_new_mm(p);
	if (!mm)
		return -ENOMEM;
	int err = mm_dup(mm, parent);
	if (!err)
		err = procs_attach(p, child, mm);
	if (err) {
		mm->users = 1;
		procs_put_mm(p, mm);
	}
	return err;
}

int procs_event(struct procs *p, const struct mm_event *ev)
{
	unsigned k = ev->kind;
	if (k < MME_MMAP || k > MME_EXIT)
		return 0;
	if (ev->flags & MME_F_FAILED) {
		p->ps.failed_skipped[k]++;
		return 0;
	}
	struct mm *mm = procs_get(p, ev->pid);
	if (!mm)
		return -ENOMEM;
	p->ps.applied[k]++;
	int err = 0;
	switch (k) {
	case MME_MMAP:
		err = mm_mmap(mm, ev->addr, ev->len, ev->prot, ev->flags, ev->len2, ev->aux);
		break;
	case MME_MUNMAP:
		err = mm_munmap(mm, ev->addr, ev->len);
		break;
	case MME_MPROTECT:
		err = mm_mprotect(mm, ev->addr, ev->len, ev->prot,
				  ev->flags & (MME_F_PROT_GROWSDOWN | MME_F_PROT_GROWSUP));
		break;
	case MME_BRK:
		err = mm_brk(mm, ev->addr2, ev->addr);
		break;
	case MME_MREMAP:
		err = mm_mremap(mm, ev->addr, ev->len, ev->len2, (unsigned)ev->aux, ev->addr2);
		break;
	case MME_MADVISE:
		err = mm_madvise(mm, ev->addr, ev->len, (unsigned)ev->aux);
		break;
	case MME_FORK:
		return procs_fork(p, mm, ev);
	case MME_EXEC: {
		p->ps.execs++;
		procs_detach(p, ev->pid, false);
		struct mm *nm = procs_fresh(p, ev->pid);
		if (!nm)
			return -ENOMEM;
		nm->in_loader = true; /* ld.so runs next */
		return 0;
	}
	case MME_EXIT:
		p->ps.exits++;
		procs_detach(p, ev->pid, true);
		return 0;
	}
	if (err) {
		p->ps.model_errors[k]++;
		if (k == MME_MPROTECT || k == MME_MADVISE || k == MME_MREMAP || k == MME_MUNMAP) {
			struct vma *v = mm_find(mm, ev->addr);
			if (!v || v->start >= ev->addr + MM_PAGE_ALIGN(ev->len))
				p->ps.untraced_range[k]++;
		}
	}
	return 0;
}

static int procs_pid_cmp(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;
	return x < y ? -1 : x > y;
}

int procs_for_each(struct procs *p, void (*fn)(void *arg, u32 pid, struct mm *mm), void *arg)
{
	u64 n = 0, cap = p->pids.count;
	u32 *pids = malloc((cap ? cap : 1) * sizeof(u32));
	if (!pids)
		return -ENOMEM;
	u64 key;
	for (u64 pos = 0; hmap_next(&p->pids, &pos, &key, NULL);)
		pids[n++] = (u32)key;
	qsort(pids, n, sizeof(u32), procs_pid_cmp);
	for (u64 i = 0; i < n; i++)
		fn(arg, pids[i], procs_mm(p, pids[i]));
	free(pids);
	return 0;
}

void procs_fini(struct procs *p)
{
	if (!p->pids.slot)
		return;
	u64 val;
	for (u64 pos = 0; hmap_next(&p->pids, &pos, NULL, &val);)
		procs_put_mm(p, (struct mm *)(uintptr_t)val);
	hmap_fini(&p->pids);
	objpool_fini(&p->vmas);
}
