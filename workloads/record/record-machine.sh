#!/bin/sh
# Record a command together with the machine it runs on, in the layout of data/recordings/
# (see its README): the perf trace of the vmalloc, page-allocator and tlb tracepoints on
# CLOCK_MONOTONIC, and as the command starts and ends /proc/kpageflags, kpagecount,
# vmallocinfo (real addresses: kernel.kptr_restrict is raised to 1 for the snapshot and
# restored afterwards, also on failure or interruption), buddyinfo, pagetypeinfo and zoneinfo,
# with the time of each read in times.txt; buddyinfo + pagetypeinfo every 0.25 s in between
# (buddyinfo-series.txt). Snapshots are read by mmreplay-snap into buffers allocated before.
# vmscan:mm_shrink_slab_start/end are traced too: a vmap_node_shrink_scan start is the kernel
# emptying every vmap pool (reclaim or drop_caches), its "cache items" their entry count.
#
#   usage: workloads/record/record-machine.sh -o DIR [-p] [-s SNAP] [-m MMAP] [--allow-lost] [--] CMD [ARGS...]
#
# -p (--empty-vmap-pools): just before the start snapshot, write 2 to /proc/sys/vm/drop_caches
# (logged in times.txt as "drain:"). Every shrinker runs: on 6.9+ the vmap-node shrinker gives
# every vmap pool entry back to the free tree, so the snapshot's free space is the kernel's free
# tree and a replay seeded from it knows the pools (empty). What else it disturbs: the dentry
# and inode caches and every other shrinker's objects are freed machine-wide (page frees in the
# trace, slower file lookups until they refill; the page cache is kept), and the recorded
# machine starts with empty vmap pools instead of the ones its history left.
# SNAP is the mmreplay-snap binary (default: next to this script's build, build/workloads/).
# The trace names the command's pid and every task alive at the start (rec_lib.sh) and carries
# sched:sched_process_fork/exec/exit and perf's lost-event records. Prints what it captured and
# the events perf lost. Needs root. Exit status: CMD's status when the recording was written; 2
# for a bad command line; 3 when a tool is missing or a step fails; 4 when perf lost more than
# 0.1 % of the events (no trace.perf.txt.zst is written unless --allow-lost).
set -u
me=record-machine.sh
here=$(cd "$(dirname "$0")" && pwd)
. "$here/rec_lib.sh"
snapbin=$here/../../build/workloads/mmreplay-snap
out=
mmap=64M
drain=
allow_lost=
while [ $# -gt 0 ]; do
	case $1 in
	-o | -s | -m)
		[ $# -ge 2 ] || { echo "$me: $1 needs an argument" >&2; exit 2; }
		case $1 in -o) out=$2 ;; -s) snapbin=$2 ;; -m) mmap=$2 ;; esac
		shift 2
		;;
	-p | --empty-vmap-pools) drain=1; shift ;;
	--allow-lost) allow_lost=1; shift ;;
	-h | --help) sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	--) shift; break ;;
	-*) echo "$me: unknown option '$1' (see --help)" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || { echo "$me: no command to record (see --help)" >&2; exit 2; }
[ -n "$out" ] || { echo "$me: -o DIR is required" >&2; exit 2; }
for t in perf zstd; do
	command -v $t >/dev/null 2>&1 || { echo "$me: '$t' not found" >&2; exit 3; }
done
[ -x "$snapbin" ] || { echo "$me: $snapbin not built (ninja -C build)" >&2; exit 3; }
[ "$(id -u)" = 0 ] || { echo "$me: needs root (page maps, kptr_restrict, system-wide perf)" >&2; exit 3; }
mkdir -p "$out" || exit 3
rm -f "$out/times.txt" "$out/buddyinfo-series.txt"

kptr=/proc/sys/kernel/kptr_restrict
old_kptr=$(cat $kptr)
perf_pid=
series_pid=
cleanup() {
	echo "$old_kptr" >$kptr
	[ -z "$series_pid" ] || kill "$series_pid" 2>/dev/null
	[ -z "$perf_pid" ] || kill -INT "$perf_pid" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM

snapshot() { # start|end: real vmallocinfo addresses only while reading
	echo 1 >$kptr && "$snapbin" "$1" "$out"
	rc=$?
	echo "$old_kptr" >$kptr
	return $rc
}

events="-e vmalloc:alloc_vmap_area -e vmalloc:free_vmap_area_noflush -e vmalloc:purge_vmap_area_lazy
 -e kmem:mm_page_alloc -e kmem:mm_page_free -e kmem:mm_page_alloc_zone_locked -e kmem:mm_page_pcpu_drain
 -e kmem:mm_page_alloc_extfrag -e tlb:tlb_flush -e vmscan:mm_shrink_slab_start -e vmscan:mm_shrink_slab_end"
for ev in $REC_TASK_EVENTS; do events="$events -e $ev"; done
rec_tasks >"$out/tasks.tmp"
# shellcheck disable=SC2086
perf record -q -a -m "$mmap" -k CLOCK_MONOTONIC $events -o "$out/perf.data" 2>"$out/perf.log" &
perf_pid=$!
"$snapbin" series "$out/buddyinfo-series.txt" 0.25 &
series_pid=$!
sleep 1
kill -0 "$perf_pid" 2>/dev/null || { echo "$me: perf record failed:" >&2; cat "$out/perf.log" >&2; exit 3; }
if [ -n "$drain" ]; then
	"$snapbin" drain "$out" || { echo "$me: could not empty the vmap pools" >&2; exit 3; }
fi
snapshot start || { echo "$me: start snapshot failed" >&2; exit 3; }
sh -c 'echo $$ >"$0" && exec "$@"' "$out/workload.pid" "$@"
status=$?
snapshot end || { echo "$me: end snapshot failed" >&2; exit 3; }
sleep 0.5
kill "$series_pid"; wait "$series_pid"; series_pid=
kill -INT "$perf_pid"; wait "$perf_pid"; perf_pid=
rec_trace "$out/perf.data" "$out/trace.perf.txt.zst.tmp" "$out/tasks.tmp" "$out/workload.pid" "$allow_lost" "$@"
trc=$?
rm -f "$out/tasks.tmp" "$out/workload.pid" "$out/perf.data.script.rc"
mv -f "$out/perf.data.script.err" "$out/perf-script.log" 2>/dev/null
case $trc in
0) mv "$out/trace.perf.txt.zst.tmp" "$out/trace.perf.txt.zst" || exit 3 ;;
4) echo "$me: perf lost $(rec_lost_text); no trace written: retry with a larger -m (now $mmap)," \
	"or keep it with --allow-lost" >&2 ;;
*) echo "$me: perf script failed" >&2; exit 3 ;;
esac
for f in kpageflags.start kpageflags.end kpagecount.start kpagecount.end; do
	zstd -q --rm -f "$out/$f" -o "$out/$f.zst" || exit 3
done
rm -f "$out/perf.data" "$out/perf.data.old"
echo "$me: $out: trace $(du -h "$out/trace.perf.txt.zst" 2>/dev/null | cut -f1), $(grep -c '^# snapshot' "$out/buddyinfo-series.txt") series snapshots, start and end snapshots:"
cat "$out/times.txt"
echo "$me: events lost by perf: $(rec_lost_text)"
[ "$trc" = 0 ] || exit 4
exit $status
