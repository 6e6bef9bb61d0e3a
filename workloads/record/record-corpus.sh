#!/usr/bin/env bash
# Record a corpus of varied workloads with record-machine.sh: the kinds a fidelity figure must
# hold on (fork waves, seccomp filter storms, fork/exec, page-cache I/O, a THP memory hog, and
# memory nearly full of page cache), one recording directory each under DIR.
#
#   usage: workloads/record/record-corpus.sh -o DIR [-n] [-b] [--only NAME[,NAME...]]
#
# -n (--dry-run)  print the plan (name, what runs before, the recorder's command) and record
#                 nothing (no root needed)
# -b (--busy)     two busy shell loops run beside each recording (load as a parallel build
#                 gives it), stopped after it
# --only          record these names only (the plan's first column)
# Memory-pressure recordings first fill the page cache (wl_pressure.py fill, under FILL_DIR,
# default /var/tmp/mmreplay-fill) until MemFree is about 700 MiB, or until 8 GiB of disk are
# left or reclaim holds MemFree above that (log.txt says which); the files are deleted after the
# last of them, also when the fill failed. Needs root (perf, /proc/kpageflags, drop_caches),
# like record-machine.sh.
# Writes DIR/log.txt: each recording's start, load average, end and status. Exit status: 0 when
# every recording succeeded, 1 when one failed (the others are still recorded), 2 on usage.
set -u
here=$(cd "$(dirname "$0")" && pwd)
out="" dry=0 busy=0 only=""
while [ $# -gt 0 ]; do
	case $1 in
	-o) out=${2-}; shift 2 || { echo "record-corpus.sh: -o needs DIR" >&2; exit 2; } ;;
	-n | --dry-run) dry=1; shift ;;
	-b | --busy) busy=1; shift ;;
	--only) only=${2-}; shift 2 || { echo "record-corpus.sh: --only needs NAMES" >&2; exit 2; } ;;
	-h | --help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "record-corpus.sh: unknown argument '$1' (--help)" >&2; exit 2 ;;
	esac
done
[ -n "$out" ] || { echo "record-corpus.sh: -o DIR is required (--help)" >&2; exit 2; }
fill_dir=${FILL_DIR:-/var/tmp/mmreplay-fill}
io_dir=${IO_DIR:-/var/tmp/mmreplay-io}

# The plan: NAME|BEFORE|RECORDER OPTIONS -- COMMAND (BEFORE: "fill" or "-"); @HERE@, @FILL@
# and @IO@ stand for this folder and the two scratch folders, each one word whatever it holds.
plan() {
	cat <<'EOF'
forkwaves-p|-|-p -- bash @HERE@/wl_forkwaves.sh 25 300
forkwaves|-|-- bash @HERE@/wl_forkwaves.sh 25 300
seccomp|-|-- python3 @HERE@/wl_seccomp_storm.py --seed 7
seccomp-p|-|-p -- python3 @HERE@/wl_seccomp_storm.py --seed 11
forkexec|-|-- bash @HERE@/wl_forkexec.sh 4000 300
pagecache-io|-|-- python3 @HERE@/wl_pagecache.py io --dir @IO@ --gib 3 --shm-gib 1
thp-hog|-|-- python3 @HERE@/wl_thp_hog.py --seed 2
pagecache-full|fill|-- python3 @HERE@/wl_pressure.py pagecache --dir @FILL@ --mib 6144
mixed-lowfree|fill|-- python3 @HERE@/wl_pressure.py mixed --dir @FILL@ --seed 3
thp-hog-full|fill|-- python3 @HERE@/wl_pressure.py thp --frac 0.5
EOF
}

# The words of a plan command into the array argv, placeholders replaced.
words() {
	argv=()
	local w
	for w in $1; do
		w=${w//@HERE@/$here} w=${w//@FILL@/$fill_dir} w=${w//@IO@/$io_dir}
		argv+=("$w")
	done
}

wanted() { [ -z "$only" ] || case ",$only," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }
if [ -n "$only" ]; then
	for n in ${only//,/ }; do
		plan | cut -d'|' -f1 | grep -qx -- "$n" || { echo "record-corpus.sh: no recording '$n' in the plan (-n lists them)" >&2; exit 2; }
	done
fi
if [ $dry = 1 ]; then
	plan | while IFS='|' read -r name before cmd; do
		wanted "$name" || continue
		words "$cmd"
		printf '%-16s %-5s record-machine.sh -o %q' "$name" "$before" "$out/$name"
		printf ' %q' "${argv[@]}"
		echo
	done
	exit 0
fi
mkdir -p -- "$out" || exit 2
log=$out/log.txt
# never write through a planted link: the log is appended to only as a regular file of our own,
# each recording's log is created new (noclobber: an existing one is refused)
if [ -L "$log" ] || { [ -e "$log" ] && [ ! -f "$log" ]; }; then
	echo "record-corpus.sh: $log is not a regular file; refusing to write it" >&2
	exit 2
fi
set -o noclobber
status=0 filled=0
busy_pids=()
start_busy() {
	[ $busy = 1 ] || return 0
	for _ in 1 2; do
		(while :; do :; done) &
		busy_pids+=($!)
	done
}
stop_busy() {
	[ ${#busy_pids[@]} = 0 ] && return 0
	kill "${busy_pids[@]}" 2>/dev/null
	wait "${busy_pids[@]}" 2>/dev/null
	busy_pids=()
}
trap 'stop_busy; [ $filled = 0 ] || python3 "$here"/wl_pressure.py clean --dir "$fill_dir"; exit 130' INT TERM
while IFS='|' read -r name before cmd; do
	wanted "$name" || continue
	if [ "$before" = fill ] && [ $filled = 0 ]; then
		# filled is set first: a fill that fails half way still has files to delete
		filled=1
		python3 "$here"/wl_pressure.py fill --dir "$fill_dir" --free-mib 700 >>"$log" 2>&1 || status=1
	fi
	if [ -e "$out/$name" ] || [ -e "$out/$name.log" ] || [ -L "$out/$name.log" ]; then
		echo "=== $name: $out/$name or its log exists, not recorded again" | tee -a "$log" >&2
		status=1
		continue
	fi
	echo "=== $name $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)" >>"$log"
	start_busy
	words "$cmd"
	"$here"/record-machine.sh -o "$out/$name" "${argv[@]}" >"$out/$name.log" 2>&1
	rc=$?
	stop_busy
	echo "rc=$rc end $(date -u +%FT%TZ)" >>"$log"
	[ $rc = 0 ] || status=1
	[ "$name" != pagecache-io ] || rm -rf -- "$io_dir"
done < <(plan)
[ $filled = 0 ] || python3 "$here"/wl_pressure.py clean --dir "$fill_dir" >>"$log" 2>&1
exit $status
