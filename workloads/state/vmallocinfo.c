#include "workloads/state/vmallocinfo.h"
#include "workloads/infile.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define KERNEL_HALF 0xffff800000000000ULL

void vmallocinfo_ranges_default(struct vmallocinfo_ranges *r)
{
	r->vstart = 0xffffc90000000000ULL;
	r->vend = 0xffffe8ffffffffffULL;
	r->mstart = 0xffffffffa0000000ULL;
	r->mend = 0xffffffffff000000ULL;
}

static bool in_ranges(const struct vmallocinfo_ranges *r, u64 s, u64 e)
{
	return (s >= r->vstart && e - 1 <= r->vend) || (s >= r->mstart && e <= r->mend);
}

/* "0xA-0xB SIZE": *rest after SIZE. 0, or -EINVAL with *why. */
static int parse_range(const char *p, u64 *s, u64 *e, u64 *size, const char **rest, const char **why)
{
	char *end;
	/* strtoull alone would take a sign ("0x-1" as 2^64 - 1) or blanks after the 0x */
	if (strncmp(p, "0x", 2) || !isxdigit((unsigned char)p[2])) {
		*why = "expected 0xSTART-0xEND";
		return -EINVAL;
	}
	errno = 0;
	*s = strtoull(p + 2, &end, 16);
	if (errno == ERANGE) {
		*why = "an address past 2^64-1";
		return -EINVAL;
	}
	if (*end != '-' || strncmp(end + 1, "0x", 2) || !isxdigit((unsigned char)end[3])) {
		*why = "expected 0xSTART-0xEND";
		return -EINVAL;
	}
	*e = strtoull(end + 3, &end, 16);
	if (errno == ERANGE) {
		*why = "an address past 2^64-1";
		return -EINVAL;
	}
	if (*end != ' ' && *end != '\t') {
		*why = *end ? "expected 0xSTART-0xEND" : "truncated line: no size after the range";
		return -EINVAL;
	}
	while (*end == ' ' || *end == '\t')
		end++;
	if (*end < '0' || *end > '9') {
		*why = "truncated line: no size after the range";
		return -EINVAL;
	}
	*size = strtoull(end, &end, 10);
	if (errno == ERANGE) {
		*why = "a size past 2^64-1";
		return -EINVAL;
	}
	if (*end != ' ' && *end != '\t') {
		*why = "truncated line: nothing after the size";
		return -EINVAL;
	}
	while (*end == ' ' || *end == '\t')
		end++;
	*rest = end;
	if (!*end) {
		*why = "truncated line: nothing after the size";
		return -EINVAL;
	}
	return 0;
}

static int classify(const char *rest, u32 *pages)
{
	const char *pg = strstr(rest, " pages=");
	*pages = pg ? (u32)strtoul(pg + 7, NULL, 10) : 0;
	if (!strncmp(rest, "unpurged vm_area", 16))
		return VMAP_SNAP_LAZY;
	if (!strncmp(rest, "vm_map_ram", 10))
		return VMAP_SNAP_VM_MAP_RAM;
	if (strstr(rest, " ioremap"))
		return VMAP_SNAP_IOREMAP;
	if (strstr(rest, " vmalloc"))
		return VMAP_SNAP_VMALLOC;
	if (strstr(rest, " vmap"))
		return VMAP_SNAP_VMAP;
	return VMAP_SNAP_OTHER;
}

static int parse_line(const char *line, const struct vmallocinfo_ranges *r, struct vmap_snap_area *a,
		      const char **why)
{
	u64 s, e, size;
	const char *rest;
	if (parse_range(line, &s, &e, &size, &rest, why))
		return -EINVAL;
	if (s < KERNEL_HALF || e < KERNEL_HALF) {
		*why = "not a kernel address: hashed pointers (kptr_restrict=0) or zeroes (kptr_restrict=2); "
		       "read /proc/vmallocinfo as root with kptr_restrict=1";
		return -EINVAL;
	}
	if (e <= s || ((s | e) & ~MM_PAGE_MASK)) {
		*why = "the range is empty or not page-aligned";
		return -EINVAL;
	}
	if (e - s != size) {
		*why = "the size field disagrees with the range (hashed pointers?)";
		return -EINVAL;
	}
	if (!in_ranges(r, s, e)) {
		*why = "outside the vmalloc and module address ranges";
		return -EINVAL;
	}
	a->start = s;
	a->end = e;
	a->kind = (u8)classify(rest, &a->pages);
	return 0;
}

static int by_start(const void *x, const void *y)
{
	const struct vmap_snap_area *a = *(const struct vmap_snap_area *const *)x;
	const struct vmap_snap_area *b = *(const struct vmap_snap_area *const *)y;
	return a->start < b->start ? -1 : a->start > b->start;
}

static int by_line(const void *x, const void *y)
{
	const struct vmap_snap_area *a = x, *b = y;
	return a->line < b->line ? -1 : a->line > b->line;
}

/* Drop the busy line of an area also listed, later, as unpurged: it was freed while the file
 * was read (vmallocinfo prints the busy areas before the lazy ones); the later line is its
 * state when the read ended. */
static void drop_freed_while_read(struct vmap_snapshot *s, const struct vmap_snap_area **o)
{
	size_t k = 0;
	for (size_t i = 0; i < s->n; i++) {
		const struct vmap_snap_area *x = o[i], *y = i + 1 < s->n ? o[i + 1] : NULL;
		if (y && x->start == y->start && x->end == y->end && x->kind != y->kind &&
		    (x->line < y->line ? y : x)->kind == VMAP_SNAP_LAZY) {
			o[k++] = x->line < y->line ? y : x;
			i++;
			s->freed_while_read++;
			continue;
		}
		o[k++] = x;
	}
	if (k == s->n)
		return;
	struct vmap_snap_area *a = malloc(k * sizeof(*a) + 1);
	if (!a)
		return; /* the overlap check below reports it */
	for (size_t i = 0; i < k; i++)
		a[i] = *o[i];
	qsort(a, k, sizeof(*a), by_line);
	free(s->a);
	s->a = a;
	s->n = k;
	for (size_t i = 0; i < k; i++)
		o[i] = &s->a[i];
	qsort(o, k, sizeof(*o), by_start);
}

/* No two areas may overlap (the later line is the one reported). */
static int check_overlaps(struct vmap_snapshot *s, const char *name, struct mm_diag *d)
{
	const struct vmap_snap_area **o = malloc(s->n * sizeof(*o) + 1);
	if (!o)
		return -ENOMEM;
	for (size_t i = 0; i < s->n; i++)
		o[i] = &s->a[i];
	qsort(o, s->n, sizeof(*o), by_start);
	drop_freed_while_read(s, o);
	for (size_t i = 1; i < s->n; i++) {
		if (o[i]->start < o[i - 1]->end) {
			const struct vmap_snap_area *x = o[i - 1], *y = o[i];
			if (x->line > y->line) {
				x = o[i];
				y = o[i - 1];
			}
			diag_set(d, name, y->line, "area 0x%llx-0x%llx overlaps 0x%llx-0x%llx (line %u)",
				 (unsigned long long)y->start, (unsigned long long)y->end,
				 (unsigned long long)x->start, (unsigned long long)x->end, x->line);
			free(o);
			return -EINVAL;
		}
	}
	free(o);
	return 0;
}

static int add_area(struct vmap_snapshot *s, size_t *cap, const struct vmap_snap_area *a)
{
	if (s->n == *cap) {
		size_t c = *cap ? *cap * 2 : 512;
		struct vmap_snap_area *p = realloc(s->a, c * sizeof(*p));
		if (!p)
			return -ENOMEM;
		s->a = p;
		*cap = c;
	}
	s->a[s->n++] = *a;
	return 0;
}

/* Drop what was read and report name:line: why. */
static int parse_fail(struct vmap_snapshot *s, struct mm_diag *d, const char *name, u64 line, const char *why)
{
	vmallocinfo_free(s);
	return diag_set(d, name, line, "%s", why);
}

int vmallocinfo_parse(FILE *f, const char *name, const struct vmallocinfo_ranges *r, struct vmap_snapshot *s,
		      struct mm_diag *d)
{
	char line[4096];
	size_t cap = 0;
	u64 lineno = 0, prev_lazy = 0;
	memset(s, 0, sizeof(*s));
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		size_t len = strlen(line);
		bool newline = len && line[len - 1] == '\n';
		if (!newline && !feof(f))
			return parse_fail(s, d, name, lineno, "line too long");
		line[strcspn(line, "\r\n")] = 0;
		if (!line[0])
			continue;
		if (!newline)
			return parse_fail(s, d, name, lineno, "truncated line: no newline at end of file");
		struct vmap_snap_area a = {.line = (u32)lineno};
		const char *why = NULL;
		if (parse_line(line, r, &a, &why))
			return parse_fail(s, d, name, lineno, why);
		if (a.kind == VMAP_SNAP_LAZY) {
			if (s->lazy_runs == 0 || a.start < prev_lazy)
				s->lazy_runs++;
			a.run = (u16)(s->lazy_runs - 1);
			prev_lazy = a.start;
			s->lazy_pages += (a.end - a.start) >> MM_PAGE_SHIFT;
		}
		if (add_area(s, &cap, &a)) {
			vmallocinfo_free(s);
			return -ENOMEM;
		}
	}
	if (ferror(f))
		return parse_fail(s, d, name, 0, "read error");
	int err = check_overlaps(s, name, d);
	if (err)
		vmallocinfo_free(s);
	return err;
}

int vmallocinfo_load(const char *path, struct vmap_snapshot *s, struct mm_diag *d)
{
	struct vmallocinfo_ranges r;
	vmallocinfo_ranges_default(&r);
	FILE *f = infile_fopen(path, INFILE_REGULAR, d);
	if (!f)
		return -errno;
	int err = vmallocinfo_parse(f, path, &r, s, d);
	fclose(f);
	return err;
}

void vmallocinfo_free(struct vmap_snapshot *s)
{
	free(s->a);
	memset(s, 0, sizeof(*s));
}
