/* Field parsing of the nine kernel tracepoints we replay, shared by the perf script and the
 * tracefs/trace-cmd readers (the field text is the tracepoint's TP_printk either way).
 * Formats (Linux 6.x, kernel-facts.md):
 *   alloc_vmap_area          va_start: %lu size=%lu align=%lu vstart=0x%lx vend=0x%lx failed=%d
 *   free_vmap_area_noflush   va_start=0x%lx nr_lazy=%lu nr_lazy_max=%lu
 *   purge_vmap_area_lazy     start=0x%lx end=0x%lx num_purged=%u
 *   mm_page_alloc            page=%p pfn=0x%lx order=%d migratetype=%d gfp_flags=%s
 *                            (older kernels: pfn=%lu; a failed allocation: no pfn, or a NULL page)
 *   mm_page_free             page=%p pfn=0x%lx order=%d
 *   tlb_flush                pages:%ld reason:%s (%d)
 *                            (trace-cmd report, through libtraceevent's tlb plugin:
 *                             pages=%ld reason=%s (%d))
 *   mm_page_alloc_zone_locked page=%p pfn=0x%lx order=%u migratetype=%d percpu_refill=%d
 *   mm_page_pcpu_drain       page=%p pfn=0x%lx order=%d migratetype=%d
 *   mm_page_alloc_extfrag    page=%p pfn=0x%lx alloc_order=%d fallback_order=%d
 *                            pageblock_order=%d alloc_migratetype=%d fallback_migratetype=%d
 *                            fragmenting=%d change_ownership=%d */
#include <string.h>

#include "workloads/trace/trace_priv.h"

/* Expect `key` (after optional blanks), then a number; the error names the field. */
static int kv_num(struct trace_reader *r, const char **p, const char *key, size_t klen, u64 *v)
{
	const char *s = tp_lit(tp_skip_sp(*p), key, klen);
	if (!s)
		return trace_bad(r, "expected '%s'", key);
	int e = tp_num(&s, v);
	if (e)
		return trace_bad(r, "%s in '%s'", tp_errstr(e), key);
	if (*s && *s != ' ' && *s != '\t')
		return trace_bad(r, "junk after the number in '%s'", key);
	*p = s;
	return 0;
}

#define KV(r, p, key, v) kv_num((r), (p), (key), sizeof(key) - 1, (v))

/* The fields must end here, at the true end of the line (a NUL before it is binary junk). */
static int kv_end(struct trace_reader *r, const char *p)
{
	p = tp_skip_sp(p);
	if (*p)
		return trace_bad(r, "unexpected text at the end: '%.40s'", p);
	if (p != r->line_end)
		return trace_bad(r, "NUL byte in a text line (binary data?)");
	return 0;
}

static int ke_vmap_alloc(struct trace_reader *r, const char *p, struct mm_event *ev)
{
	u64 va, size, align, vstart, vend, failed;
	int e;
	if ((e = KV(r, &p, "va_start: ", &va)) || (e = KV(r, &p, "size=", &size)) ||
	    (e = KV(r, &p, "align=", &align)) || (e = KV(r, &p, "vstart=", &vstart)) ||
	    (e = KV(r, &p, "vend=", &vend)) || (e = KV(r, &p, "failed=", &failed)) || (e = kv_end(r, p)))
		return e;
	ev->kind = MME_VMAP_ALLOC;
	ev->addr = va;
	ev->len = size;
	ev->addr2 = vstart;
	ev->len2 = vend;
	ev->aux = align;
	if (failed)
		ev->flags |= MME_F_FAILED;
	return 1;
}

static int ke_vmap_free(struct trace_reader *r, const char *p, struct mm_event *ev)
{
	u64 va, lazy, lazy_max;
	int e;
	if ((e = KV(r, &p, "va_start=", &va)) || (e = KV(r, &p, "nr_lazy=", &lazy)) ||
	    (e = KV(r, &p, "nr_lazy_max=", &lazy_max)) || (e = kv_end(r, p)))
		return e;
	ev->kind = MME_VMAP_FREE;
	ev->addr = va;
	ev->len2 = lazy;
	ev->aux = lazy_max;
	return 1;
}

static int ke_vmap_purge(struct trace_reader *r, const char *p, struct mm_event *ev)
{
	u64 start, end, n;
	int e;
	if ((e = KV(r, &p, "start=", &start)) || (e = KV(r, &p, "end=", &end)) ||
	    (e = KV(r, &p, "num_purged=", &n)) || (e = kv_end(r, p)))
		return e;
	ev->kind = MME_VMAP_PURGE;
	ev->addr = start;
	ev->addr2 = end;
	ev->aux = n;
	return 1;
}

/* page=%p: perf prints 0x..., tracefs a hashed 16-digit value; NULL is a failed allocation. */
static int ke_page(struct trace_reader *r, const char **p, bool *null)
{
	const char *s = tp_skip_sp(*p);
	const char *v = TP_LIT(s, "page=");
	if (!v)
		return trace_bad(r, "expected 'page='");
	const char *t = v;
	while (*t && *t != ' ' && *t != '\t')
		t++;
	size_t n = (size_t)(t - v);
	*null = false;
	if ((n == 6 && !memcmp(v, "(null)", 6)) || (n == 5 && !memcmp(v, "(nil)", 5))) {
		*null = true;
	} else {
		const char *h = v;
		if (n > 2 && h[0] == '0' && (h[1] == 'x' || h[1] == 'X'))
			h += 2;
		unsigned nz = 0;
		if (h == t)
			return trace_bad(r, "empty 'page=' value");
		for (; h < t; h++) {
			if (tp_hexval[(unsigned char)*h] < 0)
				return trace_bad(r, "bad 'page=' value '%.*s'", (int)MM_MIN(n, 40), v);
			nz |= (unsigned)(*h - '0');
		}
		*null = nz == 0;
	}
	*p = t;
	return 0;
}

static int ke_order(struct trace_reader *r, const char **p, struct mm_event *ev)
{
	u64 order;
	int e = KV(r, p, "order=", &order);
	if (e)
		return e;
	if (order > 63)
		return trace_bad(r, "order=%llu out of range (0..63)", (unsigned long long)order);
	ev->order = (u8)order;
	return 0;
}

/* One token of gfp_flags: zone modifiers become MME_F_ZONE_*. */
static void ke_gfp_token(const char *t, size_t n, struct mm_event *ev)
{
	if ((n == 7 && !memcmp(t, "GFP_DMA", 7)) || (n == 9 && !memcmp(t, "__GFP_DMA", 9)))
		ev->flags |= MME_F_ZONE_DMA;
	else if ((n == 9 && !memcmp(t, "GFP_DMA32", 9)) || (n == 11 && !memcmp(t, "__GFP_DMA32", 11)))
		ev->flags |= MME_F_ZONE_DMA32;
	else if (n > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
		/* raw bits the kernel had no name for: ___GFP_DMA is bit 0, ___GFP_DMA32 bit 2 */
		const char *h = t + 2;
		u64 v;
		if (!tp_hex(&h, &v)) {
			if (v & 1)
				ev->flags |= MME_F_ZONE_DMA;
			if (v & 4)
				ev->flags |= MME_F_ZONE_DMA32;
		}
	}
}

/* gfp_flags=NAME|NAME|...|0xBITS up to the next blank (or NUL): sets the zone modifiers, returns
 * the end. Only a text with a 'D' (GFP_DMA...) or an 'x' (raw bits) can name a zone: the others,
 * most lines, are not tokenized. */
static const char *ke_gfp(const char *s, struct mm_event *ev)
{
	enum { GFP_END = 1, GFP_MAYBE = 2 };
	static const unsigned char cls[256] = {
		['\0'] = GFP_END,  [' '] = GFP_END,   ['\t'] = GFP_END,
		['D'] = GFP_MAYBE, ['x'] = GFP_MAYBE, ['X'] = GFP_MAYBE,
	};
	const unsigned char *end = (const unsigned char *)s;
	unsigned c, any = 0;
	while (!((c = cls[*end]) & GFP_END)) {
		any |= c;
		end++;
	}
	if (!any)
		return (const char *)end;
	while (s < (const char *)end) {
		const char *t = s;
		while (s < (const char *)end && *s != '|')
			s++;
		ke_gfp_token(t, (size_t)(s - t), ev);
		if (s < (const char *)end)
			s++;
	}
	return (const char *)end;
}

static int ke_page_alloc(struct trace_reader *r, const char *p, struct mm_event *ev)
{
	bool null;
	u64 pfn = 0;
	int e = ke_page(r, &p, &null);
	if (e)
		return e;
	const char *s = tp_skip_sp(p);
	bool has_pfn = TP_LIT(s, "pfn=") != NULL;
	if (has_pfn && (e = KV(r, &p, "pfn=", &pfn)))
		return e;
	if ((e = ke_order(r, &p, ev)))
		return e;
	s = tp_skip_sp(p);
	if (!(s = TP_LIT(s, "migratetype=")))
		return trace_bad(r, "expected 'migratetype='");
	i64 mt;
	if ((e = tp_sdec(&s, &mt)))
		return trace_bad(r, "%s in 'migratetype='", tp_errstr(e));
	if (mt < -1 || mt > 127)
		return trace_bad(r, "migratetype=%lld out of range", (long long)mt);
	s = tp_skip_sp(s);
	if (!(s = TP_LIT(s, "gfp_flags=")))
		return trace_bad(r, "expected 'gfp_flags='");
	s = ke_gfp(s, ev);
	if ((e = kv_end(r, s)))
		return e;
	ev->kind = MME_PAGE_ALLOC;
	ev->mt = (i8)mt;
	if (!has_pfn || null) {
		ev->flags |= MME_F_FAILED;
		ev->addr = 0;
	} else {
		ev->addr = pfn;
	}
	return 1;
}

static int ke_page_free(struct trace_reader *r, const char *p, struct mm_event *ev)
{
	bool null;
	u64 pfn;
	int e;
	if ((e = ke_page(r, &p, &null)) || (e = KV(r, &p, "pfn=", &pfn)) || (e = ke_order(r, &p, ev)) ||
	    (e = kv_end(r, p)))
		return e;
	ev->kind = MME_PAGE_FREE;
	ev->addr = pfn;
	return 1;
}

/* "key=" then a signed decimal in [lo, hi]. */
static int kv_sdec(struct trace_reader *r, const char **p, const char *key, size_t klen, i64 lo, i64 hi,
		   i64 *v)
{
	const char *s = tp_lit(tp_skip_sp(*p), key, klen);
	if (!s)
		return trace_bad(r, "expected '%s'", key);
	int e = tp_sdec(&s, v);
	if (e)
		return trace_bad(r, "%s in '%s'", tp_errstr(e), key);
	if (*v < lo || *v > hi)
		return trace_bad(r, "%s%lld out of range", key, (long long)*v);
	if (*s && *s != ' ' && *s != '\t')
		return trace_bad(r, "junk after the number in '%s'", key);
	*p = s;
	return 0;
}

#define KVS(r, p, key, lo, hi, v) kv_sdec((r), (p), (key), sizeof(key) - 1, (lo), (hi), (v))

/* page=%p pfn=0x%lx: the common head of the buddy-level page events (never a NULL page). */
static int ke_page_pfn(struct trace_reader *r, const char **p, u64 *pfn)
{
	bool null;
	int e = ke_page(r, p, &null);
	if (e)
		return e;
	if (null)
		return trace_bad(r, "NULL 'page=' in a buddy-level page event");
	return KV(r, p, "pfn=", pfn);
}

/* mm_page_alloc_zone_locked and mm_page_pcpu_drain */
static int ke_page_buddy(struct trace_reader *r, const char *p, struct mm_event *ev, bool locked)
{
	u64 pfn;
	i64 mt, refill = 0;
	int e;
	if ((e = ke_page_pfn(r, &p, &pfn)) || (e = ke_order(r, &p, ev)) ||
	    (e = KVS(r, &p, "migratetype=", -1, 127, &mt)) ||
	    (locked && (e = KVS(r, &p, "percpu_refill=", 0, 1, &refill))) || (e = kv_end(r, p)))
		return e;
	ev->kind = locked ? MME_PAGE_ZONE_LOCKED : MME_PAGE_PCPU_DRAIN;
	ev->addr = pfn;
	ev->mt = (i8)mt;
	if (refill)
		ev->flags |= MME_F_PCP_REFILL;
	return 1;
}

static int ke_page_extfrag(struct trace_reader *r, const char *p, struct mm_event *ev)
{
	u64 pfn;
	i64 ao, fo, po, amt, fmt, frag, own;
	int e;
	if ((e = ke_page_pfn(r, &p, &pfn)) || (e = KVS(r, &p, "alloc_order=", 0, 63, &ao)) ||
	    (e = KVS(r, &p, "fallback_order=", 0, 63, &fo)) ||
	    (e = KVS(r, &p, "pageblock_order=", 0, 63, &po)) ||
	    (e = KVS(r, &p, "alloc_migratetype=", -1, 127, &amt)) ||
	    (e = KVS(r, &p, "fallback_migratetype=", -1, 127, &fmt)) ||
	    (e = KVS(r, &p, "fragmenting=", 0, INT32_MAX, &frag)) ||
	    (e = KVS(r, &p, "change_ownership=", 0, INT32_MAX, &own)) || (e = kv_end(r, p)))
		return e;
	ev->kind = MME_PAGE_EXTFRAG;
	ev->addr = pfn;
	ev->order = (u8)ao;
	ev->mt = (i8)amt;
	ev->len = (u64)fo;
	ev->len2 = (u64)po;
	ev->addr2 = (u64)(fmt < 0 ? -1 : fmt);
	ev->aux = (u64)frag;
	if (own)
		ev->flags |= MME_F_CHANGE_OWNER;
	return 1;
}

static int ke_tlb_flush(struct trace_reader *r, const char *p, struct mm_event *ev)
{
	/* the kernel prints "pages:N reason:TEXT (CODE)"; libtraceevent's tlb plugin (trace-cmd
	 * report) "pages=N reason=TEXT (CODE)" */
	const char *s = tp_skip_sp(p);
	if (!(s = TP_LIT(s, "pages")) || (*s != ':' && *s != '='))
		return trace_bad(r, "expected 'pages:'");
	s++;
	i64 pages;
	int e = tp_sdec(&s, &pages);
	if (e)
		return trace_bad(r, "%s in 'pages:'", tp_errstr(e));
	if (pages < -1)
		return trace_bad(r, "pages:%lld out of range", (long long)pages);
	s = tp_skip_sp(s);
	if (!(s = TP_LIT(s, "reason")) || (*s != ':' && *s != '='))
		return trace_bad(r, "expected 'reason:'");
	s++;
	/* The reason text has spaces; the code is the last "(N)". */
	const char *end = r->line_end;
	if (memchr(s, '\0', (size_t)(end - s)))
		return trace_bad(r, "NUL byte in a text line (binary data?)");
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (end == s || end[-1] != ')')
		return trace_bad(r, "expected 'reason:TEXT (CODE)'");
	const char *open = end - 1;
	while (open > s && *open != '(')
		open--;
	if (*open != '(')
		return trace_bad(r, "expected 'reason:TEXT (CODE)'");
	const char *c = open + 1;
	u64 code;
	if ((e = decnum_u64(&c, &code)) || c != end - 1)
		return trace_bad(r, "bad tlb_flush reason code");
	ev->kind = MME_TLB_FLUSH;
	ev->len = pages < 0 ? (u64)-1 : (u64)pages;
	ev->aux = code;
	return 1;
}

int trace_kevent(struct trace_reader *r, const char *name, size_t nlen, const char *fields,
		 struct mm_event *ev)
{
	/* Accept "system:name" (perf) and "name" (tracefs); the system must match. */
	const char *colon = memchr(name, ':', nlen);
	const char *sys = NULL;
	size_t slen = 0;
	const char *ev_name = name;
	size_t elen = nlen;
	if (colon) {
		sys = name;
		slen = (size_t)(colon - name);
		ev_name = colon + 1;
		elen = nlen - slen - 1;
	}
#define IS(s) (elen == sizeof(s) - 1 && !memcmp(ev_name, s, sizeof(s) - 1))
#define SYS(s) (!sys || (slen == sizeof(s) - 1 && !memcmp(sys, s, sizeof(s) - 1)))
	if (IS("mm_page_alloc") && SYS("kmem"))
		return ke_page_alloc(r, fields, ev);
	if (IS("mm_page_free") && SYS("kmem"))
		return ke_page_free(r, fields, ev);
	if (IS("mm_page_alloc_zone_locked") && SYS("kmem"))
		return ke_page_buddy(r, fields, ev, true);
	if (IS("mm_page_pcpu_drain") && SYS("kmem"))
		return ke_page_buddy(r, fields, ev, false);
	if (IS("mm_page_alloc_extfrag") && SYS("kmem"))
		return ke_page_extfrag(r, fields, ev);
	if (IS("tlb_flush") && SYS("tlb"))
		return ke_tlb_flush(r, fields, ev);
	if (IS("alloc_vmap_area") && SYS("vmalloc"))
		return ke_vmap_alloc(r, fields, ev);
	if (IS("free_vmap_area_noflush") && SYS("vmalloc"))
		return ke_vmap_free(r, fields, ev);
	if (IS("purge_vmap_area_lazy") && SYS("vmalloc"))
		return ke_vmap_purge(r, fields, ev);
	if (SYS("sched") && elen > 14 && !memcmp(ev_name, "sched_process_", 14)) {
		int e = trace_task_sched(r, ev_name, elen, fields, ev);
		if (e)
			return e;
	}
#undef IS
#undef SYS
	int k = trace_kmove(r, sys, slen, ev_name, elen, fields, ev);
	return k ? k : trace_unknown(r, name, nlen);
}

const char *trace_find_cpu(const char *line, u64 *cpu, const char **after)
{
	const char *p = line;
	while ((p = strchr(p, '['))) {
		const char *d = p + 1;
		u64 c;
		if (p > line && (p[-1] == ' ' || p[-1] == '\t') && !decnum_u64(&d, &c) && *d == ']' &&
		    c <= 0xfffe) {
			*cpu = c;
			*after = d + 1;
			return p;
		}
		p++;
	}
	return NULL;
}

/* Timestamp "SECONDS.FRACTION:" then the event token "NAME:" (NAME may hold a ':'). */
int trace_ts_event(struct trace_reader *r, const char *p, struct mm_event *ev, const char **name,
		   size_t *nlen, const char **fields)
{
	p = tp_skip_sp(p);
	int e = decnum_secs(&p, &ev->ts_ns);
	if (e)
		return trace_bad(r, "%s in the timestamp", tp_errstr(e));
	if (*p != ':')
		return trace_bad(r, "expected ':' after the timestamp");
	r->st.has_ts = true;
	p = tp_skip_sp(p + 1);
	const char *t = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	if (p - t < 2 || p[-1] != ':')
		return trace_bad(r, "expected 'EVENT:' after the timestamp");
	*name = t;
	*nlen = (size_t)(p - t) - 1;
	*fields = tp_skip_sp(p);
	return 0;
}
