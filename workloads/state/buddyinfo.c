#include "workloads/state/buddyinfo.h"

#include "workloads/state/lineread.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *skip_ws(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

int buddyinfo_parse_line(const char *s, struct buddyinfo_zone *z, const char **why)
{
	char *end;
	memset(z, 0, sizeof(*z));
	s = skip_ws(s);
	if (strncmp(s, "Node", 4)) {
		*why = "expected 'Node N, zone NAME counts...'";
		return -EINVAL;
	}
	s = skip_ws(s + 4);
	if (!isdigit((unsigned char)*s)) {
		*why = "expected a node number after 'Node'";
		return -EINVAL;
	}
	errno = 0;
	long node = strtol(s, &end, 10);
	if (errno || node < 0 || node > 1 << 20 || *end != ',') {
		*why = "bad node number";
		return -EINVAL;
	}
	z->node = (int)node;
	s = skip_ws(end + 1);
	if (strncmp(s, "zone", 4) || (s[4] != ' ' && s[4] != '\t')) {
		*why = "expected 'zone' after the node";
		return -EINVAL;
	}
	s = skip_ws(s + 4);
	size_t n = 0;
	while (s[n] && !isspace((unsigned char)s[n]))
		n++;
	if (!n || n >= sizeof(z->name)) {
		*why = "missing or overlong zone name";
		return -EINVAL;
	}
	memcpy(z->name, s, n);
	s += n;
	for (;;) {
		s = skip_ws(s);
		if (!*s || *s == '\n' || *s == '\r')
			break;
		if (!isdigit((unsigned char)*s)) {
			*why = "free block counts must be non-negative integers";
			return -EINVAL;
		}
		if (z->nr_orders == BUDDYINFO_MAX_ORDERS) {
			*why = "more than 16 orders";
			return -EINVAL;
		}
		errno = 0;
		unsigned long long v = strtoull(s, &end, 10);
		if (errno == ERANGE || v > (1ULL << 40)) {
			*why = "free block count out of range";
			return -EINVAL;
		}
		if (*end && !isspace((unsigned char)*end)) {
			*why = "free block counts must be non-negative integers";
			return -EINVAL;
		}
		z->nr_free[z->nr_orders++] = v;
		s = end;
	}
	if (!z->nr_orders) {
		*why = "no free block counts";
		return -EINVAL;
	}
	return 0;
}

int buddyinfo_parse(FILE *f, const char *name, struct buddyinfo *bi, struct mm_diag *d)
{
	struct lineread lr;
	int err = 0, r;
	memset(bi, 0, sizeof(*bi));
	lineread_init(&lr, f, name);
	while ((r = lineread_next(&lr, d)) > 0) {
		const char *why;
		struct buddyinfo_zone *z = &bi->zones[bi->nr_zones];
		const char *s = skip_ws(lr.buf);
		if (!*s || *s == '#')
			continue;
		if (bi->nr_zones == BUDDYINFO_MAX_ZONES) {
			err = diag_set(d, name, lr.line, "more than %d zones", BUDDYINFO_MAX_ZONES);
		} else if (buddyinfo_parse_line(s, z, &why)) {
			err = diag_set(d, name, lr.line, "%s", why);
		} else if (bi->nr_zones && z->nr_orders != bi->zones[0].nr_orders) {
			err = diag_set(d, name, lr.line, "%u orders, but the first zone has %u", z->nr_orders,
				       bi->zones[0].nr_orders);
		} else {
			bi->nr_zones++;
			continue;
		}
		break;
	}
	if (r < 0)
		return r;
	if (!err && !bi->nr_zones)
		err = diag_set(d, name, 0, "no 'Node N, zone NAME ...' lines");
	return err;
}
