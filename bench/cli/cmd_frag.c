/* mmreplay frag: the kernel's extfrag/unusable index for /proc/buddyinfo lines, printed in
 * exactly the layout of debugfs extfrag/extfrag_index and extfrag/unusable_index. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "workloads/state/buddyinfo.h"
#include "workloads/infile.h"
#include "bench/cli/cli.h"
#include "bench/cli/commands.h"
#include "core/phys/fragindex.h"

struct frag_opts {
	const char *index;
	bool live;
};

static const char *const frag_indexes[] = {"extfrag", "unusable", NULL};

static const struct cli_opt frag_opts[] = {
	CLI_OPT_CHOICE("index", "NAME", struct frag_opts, index, frag_indexes,
		       "extfrag (debugfs extfrag/extfrag_index, the default) or unusable"),
	CLI_OPT_FLAG("live", struct frag_opts, live, "read this machine's /proc/buddyinfo"),
	CLI_OPT_END,
};

static const struct cli_cmd frag_cmd = {
	.name = "frag",
	.synopsis = "[FILE|-]",
	.about = "Reads /proc/buddyinfo lines (from FILE, '-' or no FILE for stdin, or --live for this\n"
		 "machine's /proc/buddyinfo) and prints the kernel's fragmentation index per zone and\n"
		 "order, as debugfs extfrag/extfrag_index (default) or extfrag/unusable_index prints it.\n"
		 "Blank lines and lines starting with '#' are ignored.",
	.opts = frag_opts,
	.min_args = 0,
	.max_args = 1,
};

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
	struct frag_opts o = {.index = "extfrag"};
	int first = 0, rc = cli_parse(&frag_cmd, argc, argv, &o, NULL, &first);
	if (rc != CLI_RUN)
		return rc;
	if (o.live && first < argc)
		return cli_error(&frag_cmd, "--live reads /proc/buddyinfo: no FILE with it");
	bool unusable = !strcmp(o.index, "unusable"), live = o.live;
	const char *path = live ? "/proc/buddyinfo" : (first < argc ? argv[first] : "-");
	struct buddyinfo bi;
	struct mm_diag d;
	FILE *f = strcmp(path, "-") ? infile_fopen(path, INFILE_STREAM, &d) : stdin;
	if (!f) {
		fprintf(stderr, "mmreplay frag: %s\n", d.msg);
		return MM_EXIT_FAIL;
	}
	if (f == stdin)
		infile_note(0);
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
