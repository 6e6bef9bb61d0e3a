/* mmreplay maps: replay a trace's process calls (strace, or native) through the address-space
 * model and print each process's final address space in the /proc/PID/maps layout: at its
 * exit_group, or at the end of the trace for processes still alive. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "sim.h"
#include "trace.h"
#include "vma_csv.h"

static void maps_usage(FILE *f)
{
	fprintf(f, "usage: mmreplay maps [--pid PID] [--vma list|rbtree|maple] [--populate none|all]\n"
		   "                     [--stats] TRACE\n\n"
		   "Replays the mmap/munmap/mprotect/brk/mremap/madvise, fork/clone/vfork, execve and\n"
		   "exit_group calls of TRACE (strace -f text, or the native format) and prints each\n"
		   "process's final address space as /proc/PID/maps prints it (start, end and perms exact).\n"
		   "A process is printed when it calls exit_group, the others at the end of the trace,\n"
		   "each after a '# pid N ...' line; with --pid only that process, without the header.\n"
		   "Mappings made before the trace saw the process (the executable, ld.so, the stack,\n"
		   "vdso, set up by execve) are not in the trace and so not in the output. File-backed\n"
		   "VMAs show the mmap fd ('[fd N]'), as strace prints no paths; the heap is '[heap]'.\n"
		   "--populate all makes every mapped page present (page tables built; default none).\n"
		   "--stats prints replay counts and model errors on stderr.\n");
}

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
	static const struct option opts[] = {
		{"pid", required_argument, NULL, 'p'},	    {"vma", required_argument, NULL, 'v'},
		{"populate", required_argument, NULL, 'P'}, {"stats", no_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},	    {NULL, 0, NULL, 0},
	};
	struct sim_cfg cfg;
	sim_cfg_default(&cfg);
	struct maps_run m = {.pid = -1};
	bool stats = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "p:v:P:sh", opts, NULL)) != -1) {
		switch (c) {
		case 'p': {
			char *end;
			errno = 0;
			m.pid = strtol(optarg, &end, 10);
			if (errno || *end || m.pid < 0) {
				fprintf(stderr, "mmreplay maps: bad pid '%s'\n", optarg);
				return MM_EXIT_USAGE;
			}
			break;
		}
		case 'v':
			cfg.vma = vma_index_find(optarg);
			if (!cfg.vma) {
				fprintf(stderr, "mmreplay maps: unknown --vma '%s' (list, rbtree, maple)\n",
					optarg);
				return MM_EXIT_USAGE;
			}
			break;
		case 'P':
			if (vma_populate_parse(optarg, &cfg.populate)) {
				fprintf(stderr, "mmreplay maps: --populate takes none or all, not '%s'\n",
					optarg);
				return MM_EXIT_USAGE;
			}
			break;
		case 's':
			stats = true;
			break;
		case 'h':
			maps_usage(stdout);
			return MM_EXIT_OK;
		default:
			maps_usage(stderr);
			return MM_EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		maps_usage(stderr);
		return MM_EXIT_USAGE;
	}
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
	int err = trace_open(argv[optind], NULL, &r, &d);
	if (err) {
		fprintf(stderr, "mmreplay maps: %s\n", d.msg);
		sim_fini(s);
		free(s);
		return MM_EXIT_FAIL;
	}
	struct mm_event ev;
	int rc = MM_EXIT_OK;
	while ((err = trace_next(r, &ev)) > 0) {
		if (sim_event(s, &ev)) {
			fprintf(stderr, "mmreplay maps: out of memory\n");
			rc = MM_EXIT_FAIL;
			break;
		}
	}
	if (err < 0) {
		fprintf(stderr, "mmreplay maps: %s\n", trace_diag(r)->msg);
		rc = MM_EXIT_FAIL;
	}
	trace_close(r);
	if (rc == MM_EXIT_OK) {
		s->procs.on_release = NULL;
		procs_for_each(&s->procs, maps_on_live, &m);
		if (m.pid >= 0 && !m.printed) {
			fprintf(stderr, "mmreplay maps: pid %ld is not in the trace\n", m.pid);
			rc = MM_EXIT_FAIL;
		}
		if (stats)
			vma_print_stats(stderr, s);
	}
	sim_fini(s);
	free(s);
	return rc;
}
