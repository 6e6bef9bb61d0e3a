#!/bin/sh
# Record the kernel's memory-management tracepoints, machine-wide, while a command runs, in the
# `perf script` text form `mmreplay` reads (the shared k_*.perf.txt.zst traces were made this way).
#
#   usage: workloads/record/record-kernel.sh [-o OUT] [-m MMAP_SIZE] [--allow-lost] [--] CMD [ARGS...]
#
# Runs  perf record -a -m 64M -e vmalloc:alloc_vmap_area -e vmalloc:free_vmap_area_noflush
#         -e vmalloc:purge_vmap_area_lazy -e kmem:mm_page_alloc -e kmem:mm_page_free
#         -e tlb:tlb_flush -e sched:sched_process_fork -e sched:sched_process_exec
#         -e sched:sched_process_exit -- CMD...
# then  perf script --show-lost-events  compressed with zstd into OUT (default:
# ./k_<basename CMD>.perf.txt.zst), written under a temporary name and renamed. The trace opens
# with the command's pid and every task alive when recording began (pid, parent, cgroup, command:
# rec_lib.sh), so `mmreplay info --by tree` and `--workload` can tell the command's events from
# other jobs'. -m is perf record's per-CPU --mmap-pages (default 64M, which held a `tar czf` of
# /usr/share/doc beside a `make -j2` on a 2-CPU VM without loss). Tracepoints this kernel lacks
# are left out with a warning.
#
# Needs root, CAP_PERFMON, or kernel.perf_event_paranoid <= -1 (system-wide tracepoints), and a
# readable tracefs. Exit status: CMD's own status when the trace was written; 2 for a bad
# command line; 3 when perf or zstd is missing or perf could not record; 4 when perf lost more
# than 0.1 % of the events (no trace is written; --allow-lost writes it, the losses kept in it).
set -u
me=record-kernel.sh
here=$(cd "$(dirname -- "$0")" && pwd)
. "$here/rec_lib.sh"
events="vmalloc:alloc_vmap_area vmalloc:free_vmap_area_noflush vmalloc:purge_vmap_area_lazy
kmem:mm_page_alloc kmem:mm_page_free tlb:tlb_flush $REC_TASK_EVENTS"

usage() {
	sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'
}

out=
mmap=64M
allow_lost=
while [ $# -gt 0 ]; do
	case $1 in
	-o | -m)
		[ $# -ge 2 ] || { echo "$me: $1 needs an argument" >&2; exit 2; }
		if [ "$1" = -o ]; then out=$2; else mmap=$2; fi
		shift 2
		;;
	--allow-lost) allow_lost=1; shift ;;
	-h | --help) usage; exit 0 ;;
	--) shift; break ;;
	-*) echo "$me: unknown option '$1' (see --help)" >&2; exit 2 ;;
	*) break ;;
	esac
done
if [ $# -eq 0 ]; then
	echo "$me: no command to record (see --help)" >&2
	exit 2
fi
[ -n "$out" ] || out="k_$(basename -- "$1").perf.txt.zst"

if ! command -v perf >/dev/null 2>&1; then
	echo "$me: 'perf' not found in PATH: install it (Debian: linux-perf; Ubuntu:" \
		"linux-tools-$(uname -r); Fedora: perf)" >&2
	exit 3
fi
if ! command -v zstd >/dev/null 2>&1; then
	echo "$me: 'zstd' not found in PATH: install it (apt-get install zstd)" >&2
	exit 3
fi

paranoid=$(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null || echo unknown)
why_not() {
	echo "$me: perf could not record system-wide tracepoints here." >&2
	if [ "$(id -u)" -ne 0 ]; then
		echo "$me: you are not root and kernel.perf_event_paranoid is $paranoid: run as root, grant" \
			"CAP_PERFMON, or 'sysctl kernel.perf_event_paranoid=-1'; tracefs must be readable too" \
			"(/sys/kernel/tracing)." >&2
	else
		echo "$me: running as root (perf_event_paranoid $paranoid); a container or VM may forbid" \
			"perf_event_open, or tracefs is not mounted (mount -t tracefs nodev /sys/kernel/tracing)." >&2
	fi
}

# Keep the tracepoints this kernel has, when tracefs lets us look.
tracefs=
for d in /sys/kernel/tracing /sys/kernel/debug/tracing; do
	if [ -r "$d/events/kmem" ]; then
		tracefs=$d
		break
	fi
done
args=
kept=0
for ev in $events; do
	if [ -n "$tracefs" ] && [ ! -d "$tracefs/events/${ev%%:*}/${ev#*:}" ]; then
		echo "$me: warning: this kernel has no $ev tracepoint; recording without it" >&2
		continue
	fi
	args="$args -e $ev"
	kept=$((kept + 1))
done
if [ "$kept" -eq 0 ]; then
	echo "$me: none of the tracepoints exist on this kernel ($tracefs)" >&2
	exit 3
fi

outdir=$(dirname -- "$out")
work=$(mktemp -d "${TMPDIR:-/tmp}/record-kernel.XXXXXX") || { echo "$me: cannot create a temporary directory" >&2; exit 3; }
tmp="$out.tmp.$$"
trap 'rm -rf "$work"; rm -f "$tmp"' EXIT
trap 'exit 130' INT TERM
[ -d "$outdir" ] || mkdir -p -- "$outdir" || exit 3
data=$work/perf.data

rec_tasks >"$work/tasks"
# shellcheck disable=SC2086 # $args is a list of "-e EVENT" words
perf record -q -a --mmap-pages "$mmap" $args -o "$data" -- \
	sh -c 'echo $$ >"$0" && exec "$@"' "$work/pid" "$@"
status=$?
# perf record exits with the command's status; a missing or empty perf.data means perf itself
# failed before the command ran (permission, unknown event, no perf_event_open).
if [ ! -s "$data" ]; then
	echo "$me: perf record wrote nothing (exit status $status)." >&2
	why_not
	exit 3
fi

rec_trace "$data" "$tmp" "$work/tasks" "$work/pid" "$allow_lost" "$@"
case $? in
0) ;;
4)
	echo "$me: perf lost $(rec_lost_text); no trace written: retry with a larger -m" \
		"(now $mmap), or keep it with --allow-lost" >&2
	exit 4
	;;
*)
	echo "$me: perf script or zstd failed" >&2
	exit 3
	;;
esac
if ! mv -f -- "$tmp" "$out"; then
	echo "$me: cannot rename $tmp to $out" >&2
	exit 3
fi
if [ "$rec_lost" -gt 0 ]; then
	echo "$me: wrote $out ($rec_events events; perf lost $(rec_lost_text), recorded in the trace)" >&2
else
	echo "$me: wrote $out ($rec_events events, none lost)" >&2
fi
if [ "$status" -ne 0 ]; then
	echo "$me: note: '$1' exited with status $status (the trace is complete)" >&2
fi
exit "$status"
