#!/usr/bin/env bash
# mmreplay set-up and entry point. On a fresh Debian 12 / Ubuntu machine it installs whatever
# is missing (apt-get, as root or through sudo), configures and builds, then:
#   ./run.sh demo [ARGS]  runs `mmreplay demo` on the bundled traces: CSV and PNG in results/
#   ./run.sh test         checks the style, runs the whole test suite (release build, then
#                         ASan+UBSan), the parallel engine under TSan, then fuzzes the trace
#                         readers for $FUZZ_SECONDS (10) each
#   ./run.sh quick        the inner loop: the release build's unit tests and fast end-to-end
#                         checks (meson suites 'unit' and 'e2e'), under a minute on a built clone
# After building it prints which optional features the build has (`mmreplay --version` too).
set -euo pipefail
cd "$(dirname "$0")"

PKGS=(build-essential meson ninja-build pkg-config libjemalloc-dev libpfm4-dev libcriterion-dev
      libzstd-dev libbsd-dev gnuplot-nox zstd libtracecmd-dev libtraceevent-dev
      libtracefs-dev)
# (libtracefs-dev: libtracecmd.pc requires libtracefs, which Debian's libtracecmd-dev does not
# pull in; without it meson finds no libtracecmd and the build cannot read trace.dat)
# for the test run only: fuzzing (clang, its compiler-rt), the style check (clang-format) and
# the report page rendered in a headless browser (chromium), suites as jobs on a single-node
# Slurm cluster the test starts (slurm-wlm, munge) and under GNU parallel (parallel);
# installed where the distribution has them, skipped with a message where it does not
EXTRA=(clang libclang-rt-dev clang-format trace-cmd chromium slurm-wlm munge parallel)

missing() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
	done
}
SUDO=
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
export DEBIAN_FRONTEND=noninteractive
need=($(missing "${PKGS[@]}"))
extra=()
if [ "${1:-}" = test ]; then extra=($(missing "${EXTRA[@]}")); fi
if ((${#need[@]} + ${#extra[@]})); then
	echo "run.sh: installing ${need[*]} ${extra[*]}" >&2
	$SUDO apt-get update -qq
	if ((${#need[@]})); then
		$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
	fi
	for p in "${extra[@]}"; do
		$SUDO apt-get install -y -qq --no-install-recommends "$p" >/dev/null 2>&1 ||
			echo "run.sh: $p is not available here; the step that needs it is skipped" >&2
	done
fi

# Sum Criterion's per-executable syntheses from a meson test log into "N passed, N failed".
tally() {
	local log=$1/meson-logs/testlog.json
	grep -o 'Synthesis: Tested: [0-9]* | Passing: [0-9]* | Failing: [0-9]* | Crashing: [0-9]*' "$log" |
		awk -v name="$2" '{p += $6; f += $9 + $12} END {printf "%s: %d passed, %d failed\n", name, p, f}'
}

build() { # build DIR [meson options...]
	local dir=$1
	shift
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" "$@" >/dev/null
	fi
	ninja -C "$dir" >/dev/null
}

# The optional features a build has, in one line ("features: trace.dat yes ...").
features() {
	echo "run.sh: $("$1/bench/mmreplay" --version | grep '^features:')" >&2
}

# mmreplay on PATH: a symlink in /usr/local/bin to this clone's build (the binary finds its
# bundled data and plots/ by absolute path), or where it is when that cannot be made
on_path() {
	local bin=/usr/local/bin/mmreplay target=$PWD/build/bench/mmreplay old
	old=$(readlink "$bin" 2>/dev/null) || old=
	if [ "$old" = "$target" ] || $SUDO ln -sfn "$target" "$bin" 2>/dev/null; then
		[ -z "$old" ] || [ "$old" = "$target" ] || echo "run.sh: $bin pointed to $old (another clone); now to this one" >&2
		echo "run.sh: mmreplay is on your PATH ($bin -> $target)" >&2
	else
		echo "run.sh: mmreplay is $target (add $(dirname "$target") to PATH)" >&2
	fi
}

cmd=${1:-}
shift || true
case "$cmd" in
demo)
	build build
	features build
	on_path
	exec ./build/bench/mmreplay demo "$@"
	;;
test)
	# house style: every C file clang-format clean (.clang-format)
	if ! command -v clang-format >/dev/null; then
		echo "run.sh: style check skipped: no clang-format" >&2
	elif ! find core bench workloads tests -name '*.[ch]' -print0 | xargs -0 -r clang-format --dry-run --Werror 2>/tmp/mmreplay-format.$$; then
		head -20 /tmp/mmreplay-format.$$ >&2
		echo "run.sh: clang-format differences (run clang-format -i on the files above)" >&2
		rm -f /tmp/mmreplay-format.$$
		exit 1
	fi
	rm -f /tmp/mmreplay-format.$$
	build build
	features build
	meson test -C build --print-errorlogs
	tally build release
	# the same tests under AddressSanitizer + UndefinedBehaviorSanitizer (optimised: -O0 made
	# this step alone take over 15 minutes on 2 cores; the sanitizers check the same at -O2),
	# all but suite 'release': the golden numbers (test_acct replays those traces here too), the
	# page in a browser, the README's blocks, the suite-axes script and the parallel check (run
	# above and, for data races, under TSan below), which a sanitizer build checks nothing new in
	build build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		meson test -C build-asan --print-errorlogs --timeout-multiplier 4 --no-suite release
	tally build-asan sanitizers
	# the run engine's worker threads under ThreadSanitizer: replay and suite give the same rows
	# with -j1 and -j4 (tests/parallel/check.py; Criterion itself cannot run under TSan)
	build build-tsan -Db_sanitize=thread -Dbuildtype=debugoptimized -Djemalloc=disabled -Dtests=false
	TSAN_OPTIONS=halt_on_error=1 python3 tests/parallel/check.py build-tsan/bench/mmreplay 4 light
	# bounded fuzzing of every trace reader (libFuzzer, clang's compiler-rt)
	if command -v clang >/dev/null &&
		echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }' |
		clang -fsanitize=fuzzer -x c - -o /dev/null 2>/dev/null; then
		tests/fuzz/run.sh "${FUZZ_SECONDS:-10}"
	else
		echo "run.sh: fuzzing skipped: clang cannot link libFuzzer here (install libclang-rt-dev)" >&2
	fi
	;;
quick)
	build build
	features build
	meson test -C build --print-errorlogs --suite unit --suite e2e
	tally build quick
	;;
*)
	echo "usage: ./run.sh demo [--out DIR] | ./run.sh test | ./run.sh quick" >&2
	exit 2
	;;
esac
