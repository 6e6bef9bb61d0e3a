/* mmreplay maps: replay a trace's process calls (strace, or native) through the address-space
 * model and print each process's final address space in the /proc/PID/maps layout: at its
 * exit_group, or at the end of the trace for processes still alive. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/cli/cli.h"
#include "bench/cli/commands.h"
#include "bench/run/run.h"
#include "bench/cli/trace_cli.h"
#include "bench/output/vma_report.h"

struct maps_opts {
	struct trace_cli tc; /* first: trace_cli_opts' offsets */
	u64 pid;	     /* UINT64_MAX: every process */
	bool stats;
};

static const struct cli_opt maps_opts[] = {
	CLI_OPT_U64("pid", "PID", struct maps_opts, pid, 0, UINT32_MAX,
		    "only this process, without the header line"),
	CLI_OPT_FLAG("stats", struct maps_opts, stats, "print replay counts and model errors on stderr"),
	CLI_OPT_END,
};

static const char *const maps_defaults[] = {NULL};

static const struct cli_cmd maps_cmd = {
	.name = "maps",
	.synopsis = "TRACE",
	.about = "Replays the mmap/munmap/mprotect/brk/mremap/madvise, fork/clone/vfork, execve and\n"
		 "exit_group calls of TRACE (strace -f text, or the native format) and prints each\n"
		 "process's final address space as /proc/PID/maps prints it (start, end and perms exact).\n"
		 "A process is printed when it calls exit_group, the others at the end of the trace,\n"
		 "each after a '# pid N ...' line. Mappings made before the trace saw the process (the\n"
		 "executable, ld.so, the stack, vdso) are not in the trace and so not in the output.\n"
		 "File-backed VMAs show the mmap fd ('[fd N]'), as strace prints no paths; the heap is\n"
		 "'[heap]'. The machine takes one value of each setting.",
	.opts = maps_opts,
	.more = trace_cli_opts,
	.min_args = 1,
	.max_args = 1,
	.settings = maps_defaults,
	.facets = SETTING_ON_PROC | SETTING_ON_PGTABLE,
};

struct maps_run {
	long pid; /* -1: every process */
	u64 printed;
};

static void maps_print(struct maps_run *m, u32 pid, struct mm *mm, const char *when)
{
	if (m->pid >= 0 && (u32)m->pid != pid)
		return;
	if (m->pid < 0)
		printf("# pid %u %s\n", pid, when);
	mm_print_maps(mm, stdout);
	m->printed++;
}

static void maps_on_release(void *arg, u32 pid, struct mm *mm, bool exiting)
{
	if (exiting)
		maps_print(arg, pid, mm, "at exit_group");
}

static void maps_on_live(void *arg, u32 pid, struct mm *mm)
{
	maps_print(arg, pid, mm, "alive at the end of the trace");
}

int cmd_maps(int argc, char **argv)
{
	struct maps_opts o = {.pid = UINT64_MAX};
	struct matrix *mx = malloc(sizeof(*mx));
	struct trace_opts to;
	struct sim_cfg cfg;
	char why[512];
	int first = 0, rc = mx ? cli_parse(&maps_cmd, argc, argv, &o, mx, &first) : MM_EXIT_FAIL;
	if (rc == CLI_RUN && matrix_size(mx) != 1)
		rc = cli_error(&maps_cmd, "takes one value of each setting");
	else if (rc == CLI_RUN && matrix_cfg(mx, 0, &cfg, why, sizeof(why)))
		rc = cli_error(&maps_cmd, "%s", why);
	free(mx);
	if (rc == CLI_RUN && trace_cli_get(&maps_cmd, &o.tc, &to))
		rc = MM_EXIT_USAGE;
	if (rc != CLI_RUN)
		return rc;
	struct maps_run m = {.pid = o.pid == UINT64_MAX ? -1 : (long)o.pid};
	struct sim *s = malloc(sizeof(*s));
	if (!s || sim_init(s, &cfg)) {
		fprintf(stderr, "mmreplay maps: out of memory\n");
		free(s);
		return MM_EXIT_FAIL;
	}
	s->procs.on_release = maps_on_release;
	s->procs.on_release_arg = &m;
	struct trace_reader *r;
	struct mm_diag d;
	int err = trace_open(argv[first], &to, &r, &d);
	if (err) {
		fprintf(stderr, "mmreplay maps: %s\n", d.msg);
		sim_fini(s);
		free(s);
		return MM_EXIT_FAIL;
	}
	struct run_stream *st = malloc(sizeof(*st));
	struct run_result res = {0, 0, 0};
	struct run_source src;
	rc = MM_EXIT_OK;
	if (!st || (src = run_source_reader(st, r), err = run_events(s, &src, NULL, &res))) {
		fprintf(stderr, "mmreplay maps: %s\n", err == -EINVAL ? trace_diag(r)->msg : "out of memory");
		rc = MM_EXIT_FAIL;
	}
	free(st);
	trace_close(r);
	if (rc == MM_EXIT_OK) {
		s->procs.on_release = NULL;
		procs_for_each(&s->procs, maps_on_live, &m);
		if (m.pid >= 0 && !m.printed) {
			fprintf(stderr, "mmreplay maps: pid %ld is not in the trace\n", m.pid);
			rc = MM_EXIT_FAIL;
		}
		if (o.stats) {
			struct sim_stats *view = malloc(sizeof(*view));
			if (view) {
				sim_stats_read(s, SIM_STATS_SAMPLE, view);
				vma_print_stats(stderr, view);
			}
			free(view);
		}
	}
	sim_fini(s);
	free(s);
	return rc;
}
