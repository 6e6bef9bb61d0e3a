#include "replay.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "clock.h"

static u64 replay_cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
}

/* Fault in the zone's frame array before the clock starts, so the event loop measures the
 * model rather than the host kernel zero-filling pages on first touch. Writes every word it
 * touches back unchanged: the model state is not modified. */
static void replay_prefault(struct sim *s)
{
	for (unsigned z = 0; z < s->zones.nr_zones; z++) {
		const struct buddy *b = &s->zones.zone[z].buddy;
		volatile u64 *f = b->frames;
		for (u64 i = 0; i < b->nr_pages; i += 4096 / sizeof(u64))
			f[i] = f[i];
	}
}

int replay_run(const char *trace, const struct mm_event *ev, size_t n, const struct sim_cfg *cfg,
	       struct replay_row *row)
{
	memset(row, 0, sizeof(*row));
	struct sim *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	int err = sim_init(s, cfg);
	if (err) {
		free(s);
		return err;
	}
	replay_prefault(s);
	u64 c0 = replay_cpu_ns(), t0 = clock_ns();
	for (size_t i = 0; i < n; i++) {
		err = sim_event(s, &ev[i]);
		if (MM_UNLIKELY(err))
			break;
	}
	u64 t1 = clock_ns(), c1 = replay_cpu_ns();
	if (!err)
		err = sim_finish(s); /* issue 11: the end-snapshot comparison */
	if (err) {
		sim_fini(s);
		free(s);
		return err;
	}
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	row->trace = trace;
	row->sim = s;
	row->events = n;
	row->host_ns = t1 - t0;
	row->host_cpu_ns = c1 - c0;
	row->host_rss = (u64)ru.ru_maxrss * 1024;
	return 0;
}

void replay_row_fini(struct replay_row *row)
{
	if (row->sim) {
		sim_fini(row->sim);
		free(row->sim);
	}
	row->sim = NULL;
}

void replay_matrix_default(struct replay_matrix *m)
{
	memset(m, 0, sizeof(*m));
	sim_cfg_default(&m->base);
	for (int i = 0; vmlist_variants[i] && i < REPLAY_MAX_VARIANTS; i++)
		m->vmlist[m->nvmlist++] = vmlist_variants[i];
	for (int i = 0; tlb_policies[i] && i < REPLAY_MAX_VARIANTS; i++)
		m->tlb[m->ntlb++] = tlb_policies[i];
	for (int i = 0; buddy_policies[i] && i < REPLAY_MAX_VARIANTS; i++)
		m->buddy[m->nbuddy++] = buddy_policies[i];
	m->vma[m->nvma++] = &vma_index_maple; /* vma: --vma widens the axis */
}

static const void *replay_find(const char *key, const char *name)
{
	if (!strcmp(key, "vmlist"))
		return vmlist_find(name);
	if (!strcmp(key, "tlb"))
		return tlb_policy_find(name);
	if (!strcmp(key, "vma"))
		return vma_index_find(name);
	return buddy_policy_find(name);
}

static const char *replay_variant_name(const char *key, int i)
{
	if (!strcmp(key, "vmlist"))
		return vmlist_variants[i] ? vmlist_variants[i]->name : NULL;
	if (!strcmp(key, "tlb"))
		return tlb_policies[i] ? tlb_policies[i]->name : NULL;
	if (!strcmp(key, "vma"))
		return vma_indexes[i] ? vma_indexes[i]->name : NULL;
	return buddy_policies[i] ? buddy_policies[i]->name : NULL;
}

int replay_matrix_set(struct replay_matrix *m, const char *key, const char *csv, char *err, size_t errlen)
{
	const void **out;
	int *count;
	if (!strcmp(key, "vmlist")) {
		out = (const void **)m->vmlist;
		count = &m->nvmlist;
	} else if (!strcmp(key, "tlb")) {
		out = (const void **)m->tlb;
		count = &m->ntlb;
	} else if (!strcmp(key, "buddy")) {
		out = (const void **)m->buddy;
		count = &m->nbuddy;
	} else if (!strcmp(key, "vma")) {
		out = (const void **)m->vma;
		count = &m->nvma;
	} else {
		snprintf(err, errlen, "unknown axis '%s'", key);
		return -EINVAL;
	}
	int n = 0;
	char buf[256];
	if (strlen(csv) >= sizeof(buf)) {
		snprintf(err, errlen, "--%s list too long", key);
		return -EINVAL;
	}
	strcpy(buf, csv);
	for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "all")) {
			for (int i = 0; replay_variant_name(key, i) && n < REPLAY_MAX_VARIANTS; i++)
				out[n++] = replay_find(key, replay_variant_name(key, i));
			continue;
		}
		const void *v = replay_find(key, tok);
		if (!v) {
			int len = snprintf(err, errlen, "unknown %s '%s' (known:", key, tok);
			for (int i = 0; replay_variant_name(key, i) && len > 0 && (size_t)len < errlen; i++)
				len += snprintf(err + len, errlen - (size_t)len, " %s",
						replay_variant_name(key, i));
			if (len > 0 && (size_t)len < errlen)
				snprintf(err + len, errlen - (size_t)len, ")");
			return -EINVAL;
		}
		if (n == REPLAY_MAX_VARIANTS) {
			snprintf(err, errlen, "too many --%s values (at most %d)", key, REPLAY_MAX_VARIANTS);
			return -EINVAL;
		}
		out[n++] = v;
	}
	if (!n) {
		snprintf(err, errlen, "--%s needs at least one name", key);
		return -EINVAL;
	}
	*count = n;
	return 0;
}

size_t replay_matrix_size(const struct replay_matrix *m)
{
	return (size_t)m->nvmlist * (size_t)m->ntlb * (size_t)m->nbuddy * (size_t)(m->nvma ? m->nvma : 1);
}

void replay_matrix_cfg(const struct replay_matrix *m, size_t i, const struct mm_event *ev, size_t n,
		       struct sim_cfg *cfg)
{
	*cfg = m->base;
	cfg->vmlist = m->vmlist[i % (size_t)m->nvmlist];
	i /= (size_t)m->nvmlist;
	cfg->tlb = m->tlb[i % (size_t)m->ntlb];
	i /= (size_t)m->ntlb;
	cfg->buddy = m->buddy[i % (size_t)m->nbuddy];
	i /= (size_t)m->nbuddy;
	if (m->nvma) /* vma (issue 5) */
		cfg->vma = m->vma[i % (size_t)m->nvma];
	if (!cfg->ncpus)
		cfg->ncpus = sim_trace_ncpus(ev, n);
	if (cfg->purge == VMALLOC_PURGE_AUTO) /* issue 11 */
		cfg->purge = sim_trace_purge_mode(ev, n);
	if (!cfg->vmap_nodes)
		cfg->vmap_nodes = sim_trace_vmap_nodes(ev, n, cfg->ncpus);
}

/* Quote a CSV field when it needs it. */
static void csv_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

void replay_csv_header(FILE *f)
{
	for (const struct replay_column *c = replay_columns; c->name; c++) {
		if (c != replay_columns)
			fputc(',', f);
		fputs(c->name, f);
	}
	fputc('\n', f);
}

void replay_csv_row(FILE *f, const struct replay_row *r)
{
	char buf[256];
	for (const struct replay_column *c = replay_columns; c->name; c++) {
		if (c != replay_columns)
			fputc(',', f);
		c->fmt(r, buf, sizeof(buf));
		csv_field(f, buf);
	}
	fputc('\n', f);
}
