/* mmreplay frag: the kernel's extfrag/unusable index for /proc/buddyinfo lines, printed in
 * exactly the layout of debugfs extfrag/extfrag_index and extfrag/unusable_index. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "buddyinfo.h"
#include "commands.h"
#include "fragindex.h"

static void frag_usage(FILE *f)
{
	fprintf(f, "usage: mmreplay frag [--index extfrag|unusable] [FILE|-]\n"
		   "       mmreplay frag [--index extfrag|unusable] --live\n\n"
		   "Reads /proc/buddyinfo lines (from FILE, '-' or no FILE for stdin, or --live for this\n"
		   "machine's /proc/buddyinfo) and prints the kernel's fragmentation index per zone and\n"
		   "order, as debugfs extfrag/extfrag_index (default) or extfrag/unusable_index prints it.\n"
		   "Blank lines and lines starting with '#' are ignored.\n");
}

static void frag_print(FILE *out, const struct buddyinfo *bi, bool unusable)
{
	for (unsigned z = 0; z < bi->nr_zones; z++) {
		const struct buddyinfo_zone *zn = &bi->zones[z];
		fprintf(out, "Node %d, zone %8s ", zn->node, zn->name);
		for (unsigned o = 0; o < zn->nr_orders; o++) {
			char v[32];
			int idx = unusable ? fragindex_unusable(zn->nr_free, zn->nr_orders, o)
					   : fragindex_extfrag(zn->nr_free, zn->nr_orders, o);
			fragindex_format(idx, v, sizeof(v));
			fprintf(out, "%s ", v);
		}
		fputc('\n', out);
	}
}

int cmd_frag(int argc, char **argv)
{
	static const struct option opts[] = {
		{"index", required_argument, NULL, 'i'},
		{"live", no_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool unusable = false, live = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "i:lh", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (!strcmp(optarg, "extfrag"))
				unusable = false;
			else if (!strcmp(optarg, "unusable"))
				unusable = true;
			else {
				fprintf(stderr,
					"mmreplay frag: --index takes extfrag or unusable, not '%s'\n",
					optarg);
				return MM_EXIT_USAGE;
			}
			break;
		case 'l':
			live = true;
			break;
		case 'h':
			frag_usage(stdout);
			return MM_EXIT_OK;
		default:
			frag_usage(stderr);
			return MM_EXIT_USAGE;
		}
	}
	if (argc - optind > 1 || (live && argc - optind > 0)) {
		frag_usage(stderr);
		return MM_EXIT_USAGE;
	}
	const char *path = live ? "/proc/buddyinfo" : (optind < argc ? argv[optind] : "-");
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	if (!f) {
		fprintf(stderr, "mmreplay frag: %s: %s\n", path, strerror(errno));
		return MM_EXIT_FAIL;
	}
	struct buddyinfo bi;
	struct mm_diag d;
	int err = buddyinfo_parse(f, strcmp(path, "-") ? path : "<stdin>", &bi, &d);
	if (f != stdin)
		fclose(f);
	if (err) {
		fprintf(stderr, "mmreplay frag: %s\n", d.msg);
		return MM_EXIT_FAIL;
	}
	frag_print(stdout, &bi, unusable);
	return MM_EXIT_OK;
}
