#!/bin/sh
# Fuzz every reader for a bounded time: builds the libFuzzer targets with clang and
# ASan+UBSan (in build-fuzz/, or $FUZZ_BUILD), cuts a seed corpus from the first lines of
# each trace in data/traces (converted to native for the native target, zstd-compressed
# for the detection target), the machine snapshots in data/zones and data/recordings (and
# the first pfns of two recordings' kpageflags, one plain, one zstd), the
# suite files of bench/suites and the CSVs of tests/hostile (for the CSV reader and compare),
# and runs each target for
# SECONDS (default 60). The corpus grows in $FUZZ_WORK/corpus across runs.
# Per commit, ./run.sh test runs 10 s each; the scheduled long run is
#   tests/fuzz/run.sh 600
# ($FUZZ_TARGETS="csv suite" runs only those). Each target's executions and coverage
# (libFuzzer's cov: edges, ft: features) are printed and kept in $FUZZ_WORK/summary.txt.
# Findings land in $FUZZ_WORK/artifacts (default build-fuzz/fuzz-work); exit status 1 if
# any target found a crash. FUZZ_TARGETS picks the targets (default: the fifteen own targets;
# add "tracedat" where libtracecmd is built in: that one fuzzes third-party code, seeded with
# the bundled trace.dat, and is left out of the per-commit run).
#   usage: tests/fuzz/run.sh [SECONDS]
set -eu
secs=${1:-60}
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${FUZZ_BUILD:-$root/build-fuzz}
work=${FUZZ_WORK:-$build/fuzz-work}
lines=${FUZZ_SEED_LINES:-300}

if [ ! -f "$build/build.ninja" ]; then
	CC=clang meson setup "$build" "$root" -Dfuzz=true -Dtests=false \
		-Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized
fi
ninja -C "$build"

own="auto native perf ftrace strace buddyinfo zoneinfo vmallocinfo pagetypeinfo bseries times kpageflags suite csv compare"
targets=${FUZZ_TARGETS:-$own}
rm -rf "$work/seed"
for t in $own; do
	mkdir -p "$work/seed/$t" "$work/corpus/$t" "$work/artifacts"
done
for f in "$root"/data/traces/*.txt.zst; do
	base=$(basename "$f" .txt.zst)
	case "$base" in
	*.perf) fmt=perf ;;
	*.ftrace) fmt=ftrace ;;
	*.strace) fmt=strace ;;
	*) continue ;;
	esac
	zstdcat "$f" | head -n "$lines" >"$work/seed/$fmt/$base.txt"
	cp "$work/seed/$fmt/$base.txt" "$work/seed/auto/$base.txt"
	zstd -q -f "$work/seed/$fmt/$base.txt" -o "$work/seed/auto/$base.txt.zst"
	"$build/bench/mmreplay" convert "$work/seed/$fmt/$base.txt" \
		"$work/seed/native/$base.mmr" 2>/dev/null
done

for f in "$root"/data/zones/buddyinfo*.txt "$root"/data/recordings/*/buddyinfo*.txt \
	"$root"/tests/hostile/buddyinfo*.txt; do
	if [ -f "$f" ]; then cp "$f" "$work/seed/buddyinfo/$(echo "$f" | tr / _)"; fi
done
for f in "$root"/data/zones/zoneinfo*.txt "$root"/data/recordings/*/zoneinfo*.txt \
	"$root"/tests/hostile/zoneinfo*.txt; do
	if [ -f "$f" ]; then cp "$f" "$work/seed/zoneinfo/$(echo "$f" | tr / _)"; fi
done
for f in "$root"/data/recordings/*/vmallocinfo*.txt; do
	head -c 60000 "$f" >"$work/seed/vmallocinfo/$(echo "$f" | tr / _)"
done
for f in "$root"/data/recordings/*/pagetypeinfo*.txt; do
	cp "$f" "$work/seed/pagetypeinfo/$(echo "$f" | tr / _)"
done
for f in "$root"/data/recordings/*/buddyinfo-series.txt; do
	head -n 200 "$f" >"$work/seed/bseries/$(echo "$f" | tr / _)"
done
for f in "$root"/data/recordings/*/times.txt; do
	cp "$f" "$work/seed/times/$(echo "$f" | tr / _)"
done
printf '# pfn_start pfn_end t0 t1\n0 4096 2560.967125 2560.97\n4096 8192 2560.97 2561.0\n' \
	>"$work/seed/times/chunks.txt"
# kpageflags: the fuzz target's fixed machine spans pfns 0..2347 (2348 entries of 8 bytes)
kpf=$((2348 * 8))
zstdcat "$root/data/recordings/d_bpf2/kpageflags.start.zst" | head -c $kpf \
	>"$work/seed/kpageflags/d_bpf2.kpf"
zstdcat "$root/data/recordings/d_mixed5/kpageflags.start.zst" | head -c $kpf |
	zstd -q -f -o "$work/seed/kpageflags/d_mixed5.kpf.zst"
for f in "$root"/bench/suites/*.ini "$root"/tests/hostile/*.ini; do
	if [ -f "$f" ]; then cp "$f" "$work/seed/suite/$(basename "$f")"; fi
done
for f in "$root"/tests/hostile/*.csv; do
	cp "$f" "$work/seed/csv/$(basename "$f")"
done
printf 'trace,config,events\n"a,b",lifo/list,10\n"q""x","multi\nline",2\r\n' >"$work/seed/csv/rfc.csv"
for f in "$root"/tests/hostile/*.csv; do
	cp "$f" "$work/seed/compare/$(basename "$f")"
done
printf 'trace,config,vmlist_visits,host_ns_per_event_all\nt,c0,10,5;6;7\nt,c1,12,5;6;9\nu,c0,3,1\nu,c1,3,2\nt,c2,10,4;4;4\n' \
	>"$work/seed/compare/repeats.csv"
printf 'trace,vmlist,tlb,trace_id,walk_entries\nt,list,lazy,aa,5\nt,augmented,lazy,aa,7\nt,list,lazy,bb,9\n' \
	>"$work/seed/compare/old_mixed.csv"
long=$(printf 'p%.0s' $(seq 1 1000))
printf '[suite]\nname = long\n[traces]\ntrace = /%s/t.perf.txt ; a comment\naxes = vmlist=list\n[axes]\nvmlist = list,augmented\n' \
	"$long" >"$work/seed/suite/long_line.ini"
if [ -x "$build/tests/fuzz/fuzz_tracedat" ]; then
	mkdir -p "$work/seed/tracedat" "$work/corpus/tracedat"
	zstdcat "$root/data/traces/k_tcmd.trace.dat.zst" >"$work/seed/tracedat/k_tcmd.dat"
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
status=0
: >"$work/summary.txt"
for t in $targets; do
	echo "== fuzz_$t for ${secs}s"
	if ! "$build/tests/fuzz/fuzz_$t" "$work/corpus/$t" "$work/seed/$t" \
		-max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$work/artifacts/$t-" -print_final_stats=1 2>"$work/$t.log"; then
		echo "fuzz_$t FAILED; see $work/$t.log and $work/artifacts/"
		tail -40 "$work/$t.log"
		status=1
	else
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t.log" | tail -1)
		cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$work/$t.log" | tail -1)
		echo "fuzz_$t: ${secs}s, $execs executions, $cov" | tee -a "$work/summary.txt"
	fi
done
exit $status
