#!/bin/sh
# Regenerate the golden model columns that pin today's behaviour (see README.md here).
#   usage: tests/golden/make.sh MMREPLAY [OUTDIR]
# Run with the binary of the commit whose behaviour is to be pinned; never to make a test pass.
set -eu
mm=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${2:-$root/tests/golden}
work=$(mktemp -d "${TMPDIR:-/tmp}/golden.XXXXXX")
trap 'rm -rf "$work"' EXIT
# Keep the columns whose names do not start with host_ (the deterministic model columns).
model_cols() {
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) keep[i] = ($i !~ /^host_/) }
		 { s = ""; for (i = 1; i <= NF; i++) if (keep[i]) s = s (s == "" ? "" : ",") $i; print s }'
}
for t in "$root"/data/traces/*.txt.zst; do
	name=$(basename "$t" .txt.zst)
	for mode in placement faithful; do
		"$mm" replay --vmlist all --tlb all --buddy all --vma all --page-mode $mode \
			--out "$work/r.csv" --quiet "$t"
		model_cols <"$work/r.csv" >"$out/replay-$name-$mode.csv"
	done
	"$mm" replay --vmlist rbtree --cached-hole --tlb all --populate all --out "$work/r.csv" --quiet "$t"
	model_cols <"$work/r.csv" >"$out/replay-$name-cachedhole-populate.csv"
done
"$mm" suite --no-plots --out "$work/demo" "$root/bench/suites/demo.ini" >/dev/null
model_cols <"$work/demo/summary.csv" >"$out/demo-summary.csv"
first=$(ls "$work/demo/timeseries"/*.csv | head -1)
head -1 "$first" | tr ',' '\n' | grep -v '^host_' | paste -sd, >"$out/demo-timeseries.columns"
(cd "$work/demo/timeseries" && for f in *.csv; do
	printf '%s %s\n' "$(model_cols <"$f" | sha256sum | cut -d' ' -f1)" "$f"
done) >"$out/demo-timeseries.sha256"
