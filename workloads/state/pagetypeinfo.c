#include "workloads/state/pagetypeinfo.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "workloads/infile.h"

/* Whitespace-separated tokens of s into tok[] (pointers into s, which is modified). */
static unsigned pti_split(char *s, char **tok, unsigned max)
{
	unsigned n = 0;
	for (char *t = strtok(s, " \t,"); t && n < max; t = strtok(NULL, " \t,"))
		tok[n++] = t;
	return n;
}

static int pti_num(const char *t, u64 *v)
{
	char *e;
	if (*t < '0' || *t > '9')
		return -1;
	errno = 0;
	*v = strtoull(t, &e, 10);
	return errno || *e ? -1 : 0;
}

static struct pti_zone *pti_zone_get(struct pagetypeinfo *p, int node, const char *name)
{
	for (unsigned i = 0; i < p->nr_zones; i++)
		if (p->zone[i].node == node && !strcmp(p->zone[i].name, name))
			return &p->zone[i];
	if (p->nr_zones == PTI_MAX_ZONES || strlen(name) >= sizeof(p->zone[0].name))
		return NULL;
	struct pti_zone *z = &p->zone[p->nr_zones++];
	memset(z, 0, sizeof(*z));
	z->node = node;
	strcpy(z->name, name);
	return z;
}

static int pti_type_add(struct pagetypeinfo *p, const char *name)
{
	int t = pagetypeinfo_type(p, name);
	if (t >= 0)
		return t;
	if (p->nr_types == PTI_MAX_TYPES || strlen(name) >= sizeof(p->type[0]))
		return -1;
	strcpy(p->type[p->nr_types], name);
	return (int)p->nr_types++;
}

/* "Node N zone NAME type TYPE c0 c1 ..." (commas gone) */
static const char *pti_free_line(struct pagetypeinfo *p, char **tok, unsigned n)
{
	u64 node;
	if (n < 7 || pti_num(tok[1], &node) || strcmp(tok[2], "zone") || strcmp(tok[4], "type"))
		return "expected 'Node N, zone NAME, type TYPE counts...'";
	if (n - 6 != p->nr_orders)
		return "the number of counts differs from the orders in the header";
	struct pti_zone *z = pti_zone_get(p, (int)node, tok[3]);
	int t = pti_type_add(p, tok[5]);
	if (!z || t < 0)
		return "too many zones or types, or an overlong name";
	for (unsigned o = 0; o < p->nr_orders; o++)
		if (pti_num(tok[6 + o], &z->free[t][o]))
			return "free block counts must be non-negative integers";
	return NULL;
}

static const char *pti_block_line(struct pagetypeinfo *p, char **tok, unsigned n, int *cols, unsigned ncols)
{
	u64 node;
	if (n != 4 + ncols || pti_num(tok[1], &node) || strcmp(tok[2], "zone"))
		return "expected 'Node N, zone NAME' and one count per type of the header";
	struct pti_zone *z = pti_zone_get(p, (int)node, tok[3]);
	if (!z)
		return "too many zones";
	for (unsigned c = 0; c < ncols; c++)
		if (pti_num(tok[4 + c], &z->blocks[cols[c]]))
			return "block counts must be non-negative integers";
	z->have_blocks = true;
	return NULL;
}

int pagetypeinfo_parse(FILE *f, const char *name, struct pagetypeinfo *p, struct mm_diag *d)
{
	struct lineread lr;
	int r, cols[PTI_MAX_TYPES];
	unsigned ncols = 0;
	enum { NONE, FREE, BLOCKS } sect = NONE;
	memset(p, 0, sizeof(*p));
	lineread_init(&lr, f, name);
	while ((r = lineread_next(&lr, d)) > 0) {
		char *tok[PTI_MAX_ORDERS + 8];
		const char *why = NULL;
		unsigned n = pti_split(lr.buf, tok, sizeof(tok) / sizeof(tok[0]));
		if (!n || tok[0][0] == '#')
			continue;
		if (!strcmp(tok[0], "Free")) {
			sect = FREE;
			p->nr_orders = n > 8 ? MM_MIN(n - 8, (unsigned)PTI_MAX_ORDERS) : 0;
		} else if (!strcmp(tok[0], "Number")) {
			sect = BLOCKS;
			ncols = 0;
			for (unsigned i = 4; i < n && ncols < PTI_MAX_TYPES; i++)
				if ((cols[ncols++] = pti_type_add(p, tok[i])) < 0)
					why = "too many migratetypes";
		} else if (!strcmp(tok[0], "Node")) {
			if (sect == FREE)
				why = pti_free_line(p, tok, n);
			else if (sect == BLOCKS)
				why = pti_block_line(p, tok, n, cols, ncols);
			else
				why = "zone line before a 'Free pages count' or 'Number of blocks' header";
		} else if (strcmp(tok[0], "Page") && strcmp(tok[0], "Pages")) {
			why = "not a /proc/pagetypeinfo line";
		}
		if (why)
			return diag_set(d, name, lr.line, "%s", why);
	}
	if (r < 0)
		return r;
	if (!p->nr_zones || !p->nr_types)
		return diag_set(d, name, 0, "no zones: not a /proc/pagetypeinfo snapshot");
	return 0;
}

int pagetypeinfo_load(const char *path, struct pagetypeinfo *p, struct mm_diag *d)
{
	FILE *f = infile_fopen(path, INFILE_REGULAR, d);
	if (!f)
		return -EINVAL; /* d says why */
	int err = pagetypeinfo_parse(f, path, p, d);
	fclose(f);
	return err;
}

int pagetypeinfo_type(const struct pagetypeinfo *p, const char *name)
{
	for (unsigned t = 0; t < p->nr_types; t++)
		if (!strcmp(p->type[t], name))
			return (int)t;
	return -1;
}

const struct pti_zone *pagetypeinfo_zone(const struct pagetypeinfo *p, const char *zone_name)
{
	for (unsigned i = 0; i < p->nr_zones; i++)
		if (p->zone[i].node == 0 && !strcmp(p->zone[i].name, zone_name))
			return &p->zone[i];
	return NULL;
}
