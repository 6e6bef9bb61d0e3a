#!/bin/sh
# Derive the buddy_aging generator's tables (workloads/gen/gen_aging.c) from a `perf script` trace of
# kmem:mm_page_alloc / kmem:mm_page_free. Prints C initialisers to paste between the
# "derived tables" markers of gen_aging.c.
#
#   usage: workloads/record/derive_aging_mix.sh [TRACE]   (default: data/traces/k_threads2.perf.txt.zst)
#
# Definitions (the same ones tests/test_gen.c re-derives independently in C):
# - mix: one count per (order, migratetype) over every mm_page_alloc line that carries a pfn.
# - time is counted in page events: every mm_page_alloc or mm_page_free line advances it by one.
# - lifetime of a block: events from its mm_page_alloc to the next mm_page_free of the same pfn;
#   bucket b holds lifetimes L with 2^b <= L < 2^(b+1). Frees of pfns allocated before the
#   recording are ignored; a pfn allocated again while live (its free was not traced) loses its
#   first allocation; blocks still live at the end are "censored" (last column).
set -eu
trace=${1:-$(dirname "$0")/../data/traces/k_threads2.perf.txt.zst}
zstdcat -- "$trace" | awk -v nb=20 '
function field(name,   i) {
	for (i = 1; i <= NF; i++)
		if (index($i, name "=") == 1)
			return substr($i, length(name) + 2)
	return ""
}
/ kmem:mm_page_alloc: / {
	n++
	pfn = field("pfn"); o = field("order"); mt = field("migratetype")
	if (pfn == "")
		next
	mix[o "," mt]++
	if (o + 0 > maxo) maxo = o + 0
	at[pfn] = n; amt[pfn] = mt
	next
}
/ kmem:mm_page_free: / {
	n++
	pfn = field("pfn")
	if (!(pfn in at))
		next
	l = n - at[pfn]; b = 0
	while (b < nb - 1 && 2 ^ (b + 1) <= l) b++
	life[amt[pfn] "," b]++
	delete at[pfn]
	next
}
END {
	printf "/* derived tables: workloads/record/derive_aging_mix.sh %s (%d page events) */\n", trace, n
	printf "static const struct aging_mix aging_mix[] = {\n"
	for (o = 0; o <= maxo; o++)
		for (mt = 0; mt < 3; mt++)
			if ((o "," mt) in mix)
				printf "\t{%d, %d, %d},\n", o, mt, mix[o "," mt]
	printf "};\n"
	for (p in at) life[amt[p] "," nb]++
	printf "static const u32 aging_life[AGING_NR_MT][AGING_NR_BUCKETS] = {\n"
	for (mt = 0; mt < 3; mt++) {
		printf "\t{"
		for (b = 0; b <= nb; b++)
			printf "%s%d", b ? ", " : "", life[mt "," b] + 0
		printf "},\n"
	}
	printf "};\n/* end of derived tables */\n"
}' trace="$(basename "$trace")"
