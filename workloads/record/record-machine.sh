#!/bin/sh
# Record a command together with the machine it runs on, in the layout of data/recordings/
# (see its README): the perf trace of the vmalloc, page-allocator and tlb tracepoints on
# CLOCK_MONOTONIC, and as the command starts and ends /proc/kpageflags (read in stamped chunks:
# kpageflags.{start,end}.chunks.txt), kpagecount, vmallocinfo (real addresses: kernel.kptr_restrict
# is raised to 1 for the snapshot and restored afterwards, also on failure or interruption),
# buddyinfo, pagetypeinfo and zoneinfo, with the time of each read in times.txt; every 0.25 s in
# between buddyinfo + pagetypeinfo + free page reporting's counters + every zone's managed pages
# (buddyinfo-series.txt). Snapshots are read by mmreplay-snap into buffers allocated before.
# vmscan:mm_shrink_slab_start/end are traced too: a vmap_node_shrink_scan start is the kernel
# emptying every vmap pool (reclaim or drop_caches), its "cache items" their entry count.
# Page movements no kmem tracepoint shows leave evidence in the trace: the compaction group,
# migrate:mm_migrate_pages(_start), page_isolation:test_pages_isolated, and kswapd and direct
# reclaim (vmscan:mm_vmscan_{kswapd_wake,kswapd_sleep,wakeup_kswapd,direct_reclaim_begin,
# direct_reclaim_end}); when perf loses events, their times are written to lost.txt.
#
#   usage: workloads/record/record-machine.sh -o DIR [-p] [-H WHAT] [-s SNAP] [-m MMAP] [--allow-lost]
#                                             [--] CMD [ARGS...]
#
# -p (--empty-vmap-pools): just before the start snapshot, write 2 to /proc/sys/vm/drop_caches
# (logged in times.txt as "drain:"). Every shrinker runs: on 6.9+ the vmap-node shrinker gives
# every vmap pool entry back to the free tree, so the snapshot's free space is the kernel's free
# tree and a replay seeded from it knows the pools (empty). What else it disturbs: the dentry
# and inode caches and every other shrinker's objects are freed machine-wide (page frees in the
# trace, slower file lookups until they refill; the page cache is kept), and the recorded
# machine starts with empty vmap pools instead of the ones its history left.
# -H WHAT (--hold): kernel activity that moves pages without a tracepoint, held still from before
# the start snapshot until after the end one and restored on exit, failure or interruption
# (logged in times.txt as "hold:"); WHAT is a comma list, default "reporting":
#   reporting  /sys/module/page_reporting/parameters/page_reporting_order := 11 (above the
#              largest buddy order: no free block is isolated and reported to the host). Disturbs:
#              the host gets no freed guest memory back while recording; nothing in the guest.
#   proactive  vm.compaction_proactiveness := 0 (kcompactd compacts no more in the background;
#              compaction a THP fault or a boosted watermark asks for still runs, traced).
#              Disturbs: the fragmentation the workload leaves is not cleaned up meanwhile.
#   none       hold nothing.
# Concurrent recorders share a hold: the first saves the value (/run/mmreplay-hold/), the last
# to leave restores it.
# SNAP is the mmreplay-snap binary (default: next to this script's build, build/workloads/).
# Prints what it captured, the events perf lost and how the zones' managed pages changed
# (deferred memory init hands memory to the buddy without a tracepoint). The trace names the
# command's pid and every task alive at the start (rec_lib.sh) and carries
# sched:sched_process_fork/exec/exit and perf's lost-event records. Needs root. Exit status:
# CMD's status when the recording was written; 2 for a bad command line; 3 when a tool is missing
# or a step fails; 4 when perf lost more than 0.1 % of the events (no trace.perf.txt.zst is
# written unless --allow-lost).
set -u
me=record-machine.sh
here=$(cd "$(dirname "$0")" && pwd)
. "$here/rec_lib.sh"
snapbin=$here/../../build/workloads/mmreplay-snap
out=
mmap=64M
drain=
hold=reporting
allow_lost=
while [ $# -gt 0 ]; do
	case $1 in
	-o | -s | -m | -H | --hold)
		[ $# -ge 2 ] || { echo "$me: $1 needs an argument" >&2; exit 2; }
		case $1 in -o) out=$2 ;; -s) snapbin=$2 ;; -m) mmap=$2 ;; *) hold=$2 ;; esac
		shift 2
		;;
	-p | --empty-vmap-pools) drain=1; shift ;;
	--allow-lost) allow_lost=1; shift ;;
	-h | --help) sed -n '2,46p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	--) shift; break ;;
	-*) echo "$me: unknown option '$1' (see --help)" >&2; exit 2 ;;
	*) break ;;
	esac
done
for h in $(echo "$hold" | tr ',' ' '); do
	case $h in reporting | proactive | none) ;; *) echo "$me: -H: unknown '$h' (reporting, proactive, none)" >&2; exit 2 ;; esac
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
held=
holddir=/run/mmreplay-hold
# hold_knob NAME FILE VALUE: under the lock, the first holder saves FILE's value; every holder
# leaves a file named by its pid. unhold_knob NAME FILE: the last live holder restores it.
hold_knob() {
	mkdir -p "$holddir" || return 1
	(
		flock 9
		live=0
		for f in "$holddir/$1".pid.*; do
			[ -e "$f" ] || continue
			if kill -0 "${f##*.}" 2>/dev/null; then live=1; else rm -f "$f"; fi
		done
		[ "$live" = 1 ] && [ -e "$holddir/$1.saved" ] || cat "$2" >"$holddir/$1.saved" || exit 1
		: >"$holddir/$1.pid.$$"
		echo "$3" >"$2"
	) 9>"$holddir/lock"
}
unhold_knob() {
	(
		flock 9
		rm -f "$holddir/$1.pid.$$"
		for f in "$holddir/$1".pid.*; do
			[ -e "$f" ] || continue
			kill -0 "${f##*.}" 2>/dev/null && exit 0
			rm -f "$f"
		done
		[ -e "$holddir/$1.saved" ] && cat "$holddir/$1.saved" >"$2" && rm -f "$holddir/$1.saved"
	) 9>"$holddir/lock"
}
rep_order=/sys/module/page_reporting/parameters/page_reporting_order
proactive=/proc/sys/vm/compaction_proactiveness
unhold() {
	for h in $held; do
		case $h in
		reporting) unhold_knob page_reporting_order $rep_order ;;
		proactive) unhold_knob compaction_proactiveness $proactive ;;
		esac
	done
	held=
}
cleanup() {
	echo "$old_kptr" >$kptr
	[ -z "$series_pid" ] || kill "$series_pid" 2>/dev/null
	[ -z "$perf_pid" ] || kill -INT "$perf_pid" 2>/dev/null
	unhold
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
# evidence of page movements without a kmem tracepoint (each group only where the kernel has it)
for ev in compaction:mm_compaction_begin compaction:mm_compaction_end \
	compaction:mm_compaction_isolate_freepages compaction:mm_compaction_fast_isolate_freepages \
	compaction:mm_compaction_isolate_migratepages compaction:mm_compaction_migratepages \
	compaction:mm_compaction_finished compaction:mm_compaction_suitable compaction:mm_compaction_deferred \
	compaction:mm_compaction_defer_compaction compaction:mm_compaction_defer_reset \
	compaction:mm_compaction_try_to_compact_pages compaction:mm_compaction_kcompactd_wake \
	compaction:mm_compaction_kcompactd_sleep compaction:mm_compaction_wakeup_kcompactd \
	migrate:mm_migrate_pages migrate:mm_migrate_pages_start page_isolation:test_pages_isolated \
	vmscan:mm_vmscan_kswapd_wake vmscan:mm_vmscan_kswapd_sleep vmscan:mm_vmscan_wakeup_kswapd \
	vmscan:mm_vmscan_direct_reclaim_begin vmscan:mm_vmscan_direct_reclaim_end; do
	[ -d "/sys/kernel/tracing/events/${ev%%:*}/${ev#*:}" ] && events="$events -e $ev"
done
for ev in $REC_TASK_EVENTS; do events="$events -e $ev"; done
rec_tasks >"$out/tasks.tmp"
# shellcheck disable=SC2086
perf record -q -a -m "$mmap" -k CLOCK_MONOTONIC $events -o "$out/perf.data" 2>"$out/perf.log" &
perf_pid=$!
"$snapbin" series "$out/buddyinfo-series.txt" 0.25 &
series_pid=$!
sleep 1
kill -0 "$perf_pid" 2>/dev/null || { echo "$me: perf record failed:" >&2; cat "$out/perf.log" >&2; exit 3; }
for h in $(echo "$hold" | tr ',' ' '); do
	case $h in
	reporting) knob=$rep_order name=page_reporting_order val=11 ;;
	proactive) knob=$proactive name=compaction_proactiveness val=0 ;;
	*) continue ;;
	esac
	if [ ! -w "$knob" ]; then
		echo "$me: -H $h: $knob not there: not held" >&2
		echo "hold: $name not held ($knob absent)" >>"$out/times.txt"
		continue
	fi
	was=$(cat "$knob")
	hold_knob $name "$knob" $val || { echo "$me: could not hold $name" >&2; exit 3; }
	held="$held $h"
	echo "hold: $name $was -> $val from before the start snapshot to after the end one" >>"$out/times.txt"
done
if [ -n "$drain" ]; then
	"$snapbin" drain "$out" || { echo "$me: could not empty the vmap pools" >&2; exit 3; }
fi
snapshot start || { echo "$me: start snapshot failed" >&2; exit 3; }
sh -c 'echo $$ >"$0" && exec "$@"' "$out/workload.pid" "$@"
status=$?
snapshot end || { echo "$me: end snapshot failed" >&2; exit 3; }
sleep 0.5
kill "$series_pid"; wait "$series_pid"; series_pid=
unhold
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
lost=$(perf report -i "$out/perf.data" --stats 2>/dev/null | awk '/LOST/ {n += $NF} END {print n + 0}')
rm -f "$out/lost.txt"
if [ "$lost" != 0 ]; then # when events were lost, on the trace's clock: evidence for the replay
	perf script -i "$out/perf.data" --show-lost-events -F cpu,time 2>/dev/null | grep LOST >"$out/lost.txt"
fi
rm -f "$out/perf.data" "$out/perf.data.old"
echo "$me: $out: trace $(du -h "$out/trace.perf.txt.zst" 2>/dev/null | cut -f1), $(grep -c '^# snapshot' "$out/buddyinfo-series.txt") series snapshots, start and end snapshots:"
cat "$out/times.txt"
echo "$me: events lost by perf: $(rec_lost_text)"
# deferred memory init hands pages to the buddy with no tracepoint: managed pages per zone
awk -v me="$me" '/^Node/ {z = $4} $1 == "managed" {if (FNR == NR) m[z] = $2; else {d = $2 - m[z]
	printf "%s: zone %s managed pages %d -> %d (%+d%s)\n", me, z, m[z], $2, d, d ? ": grown without a tracepoint" : ""}}' \
	"$out/zoneinfo.start.txt" "$out/zoneinfo.end.txt"
[ "$trc" = 0 ] || exit 4
exit $status
