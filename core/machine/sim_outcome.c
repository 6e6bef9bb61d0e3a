/* Event accounting (sim_outcome.h): which model counter moved says what became of an event. The
 * rules per kind are below, in one place; a model that gains a new way to drop an event must
 * give it a counter and a line here (tests/test_acct.c checks that the outcomes add up, per kind,
 * on every bundled trace and recording in every page mode, and gives hostile events their
 * reasons). */
#include "core/machine/sim_outcome.h"

#include <string.h>

#include "core/machine/sim.h"

const char *const sim_outcome_names[SIM_OUTCOMES] = {
	[SIM_REPLAYED] = "replayed",
	[SIM_FAILED] = "failed",
	[SIM_NOTED] = "noted",
	[SIM_SKIP_TRACED_FAILED] = "traced_failed",
	[SIM_SKIP_UNMATCHED] = "unmatched",
	[SIM_SKIP_DUPLICATE] = "duplicate",
	[SIM_SKIP_BAD_FLAGS] = "bad_flags",
	[SIM_SKIP_OUT_OF_RANGE] = "out_of_range",
	[SIM_SKIP_NO_ZONE] = "no_zone",
	[SIM_SKIP_OTHER_MODE] = "other_mode",
	[SIM_SKIP_TRACE_FACT] = "trace_fact",
	[SIM_SKIP_BAD_EVENT] = "bad_event",
	[SIM_SKIP_MEM_LIMIT] = "mem_limit",
	[SIM_SKIP_IN_STATE] = "in_state",
};

static inline u64 acct_mix(u64 h, u64 w)
{
	h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 29);
}

void sim_outcome_hash(struct sim_outcomes *a, const struct mm_event *ev)
{
	u64 w[8];
	memcpy(w, ev, sizeof(w)); /* 64 bytes, no padding (mm_event.h) */
	a->lane[0] = acct_mix(a->lane[0], w[0] ^ w[4]);
	a->lane[1] = acct_mix(a->lane[1], w[1] ^ (w[5] << 1));
	a->lane[2] = acct_mix(a->lane[2], w[2] ^ (w[6] << 2));
	a->lane[3] = acct_mix(a->lane[3], w[3] ^ (w[7] << 3));
	a->given++;
}

u64 sim_outcome_trace_id(const struct sim_outcomes *a)
{
	if (!a->given)
		return 0;
	u64 h = a->given;
	for (int i = 0; i < 4; i++)
		h = acct_mix(h, a->lane[i] + (u64)i);
	h ^= h >> 33; /* murmur3's finaliser */
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h ? h : 1;
}

static inline void probe(struct sim_outcome_probe *p, const u64 *c, enum sim_outcome o)
{
	p->c[p->n] = c;
	p->v[p->n] = *c;
	p->out[p->n++] = (u8)o;
}

static void acct_page(const struct sim *s, const struct mm_event *ev, struct sim_outcome_probe *p)
{
	const struct pagereplay_stats *st = &s->pages.st;
	bool buddy = s->pages.mode == PAGEREPLAY_BUDDY;
	probe(p, &s->page_events_skipped, SIM_SKIP_IN_STATE); /* before page-state-at */
	if (ev->kind == MME_PAGE_ALLOC && !buddy) {
		probe(p, &st->traced_failures, SIM_SKIP_TRACED_FAILED);
		probe(p, &st->bad_flags, SIM_SKIP_BAD_FLAGS);
		probe(p, &st->out_of_range, SIM_SKIP_OUT_OF_RANGE);
		probe(p, &st->no_zone, SIM_SKIP_NO_ZONE);
		probe(p, &st->conflicts, SIM_FAILED);
		probe(p, &st->alloc_failures, SIM_FAILED);
		p->dflt = SIM_REPLAYED;
	} else if (ev->kind == MME_PAGE_FREE && !buddy) {
		probe(p, &st->unmatched_frees, SIM_SKIP_UNMATCHED);
		p->dflt = SIM_REPLAYED; /* paired, or a seeded page freed */
	} else if (buddy && ev->kind != MME_PAGE_ALLOC) {
		/* the buddy-level events, and frees the per-CPU lists never hold */
		probe(p, &st->buddy_takes, SIM_REPLAYED);
		probe(p, &st->buddy_returns, SIM_REPLAYED);
		probe(p, &st->alloc_takes, SIM_REPLAYED); /* a listed free the model had free */
		probe(p, &st->no_zone, SIM_SKIP_NO_ZONE);
		p->dflt = ev->order > 15 ? SIM_SKIP_OUT_OF_RANGE : SIM_SKIP_OTHER_MODE;
	} else {
		if (buddy) /* an allocation whose block the model had free: taken */
			probe(p, &st->alloc_takes, SIM_REPLAYED);
		/* a drain revealing a page on a per-CPU list at the start is applied (pcp model) */
		if (ev->kind == MME_PAGE_PCPU_DRAIN && s->pcp_on)
			probe(p, &s->pcp.st.start_revealed, SIM_REPLAYED);
		p->dflt = SIM_SKIP_OTHER_MODE; /* buddy-level events outside buddy mode; page_alloc in it */
	}
}

static void acct_vmap(const struct sim *s, const struct mm_event *ev, struct sim_outcome_probe *p)
{
	p->dflt = SIM_REPLAYED;
	switch (ev->kind) {
	case MME_VMAP_ALLOC:
	case MME_VMALLOC32:
	case MME_IOREMAP:
		probe(p, &s->vmap.traced_failures, SIM_SKIP_TRACED_FAILED);
		probe(p, &s->vmap.dup_allocs, SIM_SKIP_DUPLICATE);
		probe(p, &s->vmap.alloc_failures, SIM_FAILED);
		break;
	case MME_VMAP_FREE:
	case MME_VUNMAP:
		probe(p, &s->vmap.unmatched_frees, SIM_SKIP_UNMATCHED);
		break;
	case MME_KMAP:
		probe(p, &s->pkmap.st.waits, SIM_FAILED);
		probe(p, &s->kmap_errors, SIM_FAILED);
		break;
	case MME_KUNMAP:
		probe(p, &s->pkmap.st.bad_kunmaps, SIM_SKIP_UNMATCHED);
		probe(p, &s->pkmap.st.kunmap_waited, SIM_SKIP_UNMATCHED); /* its kmap failed */
		break;
	case MME_VMAP_PURGE: /* a command only in purge timing trace */
		p->dflt = s->vm.cfg.purge == VMALLOC_PURGE_TRACE ? SIM_REPLAYED : SIM_SKIP_TRACE_FACT;
		break;
	default:
		p->dflt = SIM_SKIP_TRACE_FACT; /* tlb_flush, extfrag */
	}
}

void sim_outcome_begin(const struct sim *s, const struct mm_event *ev, struct sim_outcome_probe *p)
{
	unsigned k = ev->kind;
	p->n = 0;
	probe(p, &s->mem.refused, SIM_SKIP_MEM_LIMIT); /* first: it may cut any event short */
	if (k == MME_NONE || k >= MME_NR_KINDS) {
		p->dflt = SIM_SKIP_BAD_EVENT;
	} else if (k == MME_TASK || k == MME_LOST) {
		p->dflt = SIM_NOTED;
	} else if (k >= MME_MMAP && k <= MME_EXIT) {
		probe(p, &s->procs.ps.failed_skipped[k], SIM_SKIP_TRACED_FAILED);
		probe(p, &s->procs.ps.bad_events, SIM_SKIP_BAD_EVENT);
		probe(p, &s->procs.ps.model_errors[k], SIM_FAILED);
		p->dflt = SIM_REPLAYED;
	} else if (k <= MME_PAGE_FREE || k == MME_PAGE_ZONE_LOCKED || k == MME_PAGE_PCPU_DRAIN) {
		acct_page(s, ev, p);
	} else if (k == MME_PAGE_EXTFRAG) { /* buddy mode takes a fallback no zone_locked showed */
		probe(p, &s->page_events_skipped, SIM_SKIP_IN_STATE);
		probe(p, &s->pages.st.extfrag_takes, SIM_REPLAYED);
		p->dflt = SIM_SKIP_TRACE_FACT;
	} else {
		acct_vmap(s, ev, p);
	}
}

void sim_outcome_count(struct sim_outcomes *a, const struct mm_event *ev, enum sim_outcome o)
{
	a->n[ev->kind < MME_NR_KINDS ? ev->kind : MME_NR_KINDS][o]++;
}

void sim_outcome_end(struct sim *s, const struct mm_event *ev, const struct sim_outcome_probe *p)
{
	enum sim_outcome o = (enum sim_outcome)p->dflt;
	for (unsigned i = 0; i < p->n; i++)
		if (*p->c[i] != p->v[i]) {
			o = (enum sim_outcome)p->out[i];
			break;
		}
	sim_outcome_count(&s->outcomes, ev, o);
}

void sim_outcome_totals(const struct sim_outcomes *a, u64 out[SIM_OUTCOMES])
{
	memset(out, 0, SIM_OUTCOMES * sizeof(u64));
	for (unsigned k = 0; k < SIM_OUTCOME_KINDS; k++)
		for (unsigned o = 0; o < SIM_OUTCOMES; o++)
			out[o] += a->n[k][o];
}
