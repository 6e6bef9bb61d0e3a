#include "core/kva/pkmap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline void bit_set(u64 *w, u32 s)
{
	w[s >> 6] |= 1ULL << (s & 63);
}
static inline void bit_clear(u64 *w, u32 s)
{
	w[s >> 6] &= ~(1ULL << (s & 63));
}
static inline bool bit_test(const u64 *w, u32 s)
{
	return w[s >> 6] >> (s & 63) & 1;
}

/* Lowest set bit at or above `from` among n bits, or n. */
static u32 bit_next(const u64 *w, u32 n, u32 from)
{
	if (from >= n)
		return n;
	u32 i = from >> 6, words = (n + 63) >> 6;
	u64 x = w[i] & (~0ULL << (from & 63));
	for (;;) {
		if (x) {
			u32 s = (i << 6) + (u32)__builtin_ctzll(x);
			return s < n ? s : n;
		}
		if (++i == words)
			return n;
		x = w[i];
	}
}

void pkmap_cfg_default(struct pkmap_cfg *cfg)
{
	cfg->nr_slots = PKMAP_DEFAULT_SLOTS;
	cfg->highmem_start_pfn = PKMAP_DEFAULT_HIGHMEM_PFN;
}

int pkmap_init(struct pkmap *pk, const struct pkmap_cfg *cfg)
{
	memset(pk, 0, sizeof(*pk));
	if (cfg->nr_slots < 1 || cfg->nr_slots > PKMAP_MAX_SLOTS)
		return -EINVAL;
	u32 n = cfg->nr_slots, words = (n + 63) >> 6;
	pk->nr_slots = n;
	pk->highmem_start_pfn = cfg->highmem_start_pfn;
	pk->count = calloc(n, sizeof(*pk->count));
	pk->page = calloc(n, sizeof(*pk->page));
	pk->zero_bits = calloc(words, sizeof(u64));
	pk->one_bits = calloc(words, sizeof(u64));
	if (!pk->count || !pk->page || !pk->zero_bits || !pk->one_bits || hmap_init(&pk->map, n) ||
	    hmap_init(&pk->waited, 16)) {
		pkmap_fini(pk);
		return -ENOMEM;
	}
	for (u32 s = 0; s < n; s++)
		bit_set(pk->zero_bits, s);
	pk->nr_zero = n;
	return 0;
}

void pkmap_fini(struct pkmap *pk)
{
	free(pk->count);
	free(pk->page);
	free(pk->zero_bits);
	free(pk->one_bits);
	if (pk->map.slot)
		hmap_fini(&pk->map);
	if (pk->waited.slot)
		hmap_fini(&pk->waited);
	memset(pk, 0, sizeof(*pk));
}

/* flush_all_zero_pkmaps(): free every slot at count 1; one TLB flush if any was freed. */
static void pkmap_flush_all_zero(struct pkmap *pk)
{
	pk->st.wraps++;
	if (!pk->nr_one)
		return;
	for (u32 s = bit_next(pk->one_bits, pk->nr_slots, 0); s < pk->nr_slots;
	     s = bit_next(pk->one_bits, pk->nr_slots, s + 1)) {
		pk->count[s] = 0;
		hmap_del(&pk->map, pk->page[s], NULL);
		bit_clear(pk->one_bits, s);
		bit_set(pk->zero_bits, s);
	}
	pk->st.slots_flushed += pk->nr_one;
	pk->nr_zero += pk->nr_one;
	pk->nr_one = 0;
	pk->st.tlb_flushes++;
}

/* map_new_virtual()'s scan: step from last+1 circularly to the first slot at count 0, calling
 * the flush when the step lands on slot 0. The bitmaps jump to the answer; scan_steps counts
 * the iterations the kernel's loop would make. 0 with *slot, or -EAGAIN (all busy). */
static int pkmap_scan(struct pkmap *pk, u32 *slot)
{
	u32 n = pk->nr_slots, from = pk->last;
	if (!pk->nr_zero && !pk->nr_one) {
		/* The kernel's loop runs to slot 0 (a flush that frees nothing), resets its
		 * budget, and gives up n - 1 steps later at slot n - 1. */
		pk->st.scan_steps += (u64)(n - from) + (n - 1);
		pkmap_flush_all_zero(pk);
		pk->last = n - 1;
		return -EAGAIN;
	}
	u32 s = from + 1 < n ? bit_next(pk->zero_bits, n, from + 1) : n;
	if (s < n) {
		pk->st.scan_steps += s - from;
		pk->last = *slot = s;
		return 0;
	}
	pk->st.scan_steps += (u64)(n - from) + 0; /* the steps up to and including slot 0 */
	pkmap_flush_all_zero(pk);
	s = bit_next(pk->zero_bits, n, 0); /* exists: nr_zero + nr_one was > 0 */
	pk->st.scan_steps += s;
	pk->last = *slot = s;
	return 0;
}

static void pkmap_set_count(struct pkmap *pk, u32 s, u32 c)
{
	u32 old = pk->count[s];
	if (old == 0) {
		bit_clear(pk->zero_bits, s);
		pk->nr_zero--;
	} else if (old == 1) {
		bit_clear(pk->one_bits, s);
		pk->nr_one--;
	}
	if (c == 0) {
		bit_set(pk->zero_bits, s);
		pk->nr_zero++;
	} else if (c == 1) {
		bit_set(pk->one_bits, s);
		pk->nr_one++;
	}
	pk->count[s] = c;
}

int pkmap_kmap(struct pkmap *pk, u64 pfn, u32 *slot)
{
	pk->st.kmaps++;
	*slot = PKMAP_NO_SLOT;
	if (pfn < pk->highmem_start_pfn) {
		pk->st.kmap_lowmem++;
		return 0;
	}
	u64 v;
	if (hmap_get(&pk->map, pfn, &v)) {
		u32 s = (u32)v;
		if (pk->count[s] == UINT32_MAX) {
			pk->st.kmaps--;
			return -EOVERFLOW;
		}
		pkmap_set_count(pk, s, pk->count[s] + 1);
		pk->st.kmap_hits++;
		*slot = s;
		return 0;
	}
	u32 s;
	if (pkmap_scan(pk, &s)) {
		u64 w = 0;
		hmap_get(&pk->waited, pfn, &w);
		if (hmap_put(&pk->waited, pfn, w + 1) < 0)
			return -ENOMEM;
		pk->st.waits++;
		return -EAGAIN;
	}
	if (hmap_put(&pk->map, pfn, s) < 0)
		return -ENOMEM;
	pk->page[s] = pfn;
	pkmap_set_count(pk, s, 2); /* map_new_virtual sets 1, kmap_high's increment makes 2 */
	pk->st.new_maps++;
	*slot = s;
	return 0;
}

int pkmap_kunmap(struct pkmap *pk, u64 pfn)
{
	pk->st.kunmaps++;
	if (pfn < pk->highmem_start_pfn) {
		pk->st.kunmap_lowmem++;
		return 0;
	}
	u64 v;
	if (hmap_get(&pk->map, pfn, &v) && pk->count[v] >= 2) {
		pkmap_set_count(pk, (u32)v, pk->count[v] - 1);
		return 0;
	}
	if (hmap_get(&pk->waited, pfn, &v)) {
		if (v > 1)
			hmap_put(&pk->waited, pfn, v - 1); /* replaces: cannot fail */
		else
			hmap_del(&pk->waited, pfn, NULL);
		pk->st.kunmap_waited++;
		return 0;
	}
	pk->st.bad_kunmaps++;
	return -EINVAL;
}

u32 pkmap_slot_of(const struct pkmap *pk, u64 pfn)
{
	u64 v;
	return hmap_get(&pk->map, pfn, &v) ? (u32)v : PKMAP_NO_SLOT;
}

int pkmap_check(const struct pkmap *pk, char *msg, size_t len)
{
	u32 zero = 0, one = 0;
	u64 mapped = 0;
	for (u32 s = 0; s < pk->nr_slots; s++) {
		u32 c = pk->count[s];
		zero += c == 0;
		one += c == 1;
		if (bit_test(pk->zero_bits, s) != (c == 0) || bit_test(pk->one_bits, s) != (c == 1)) {
			snprintf(msg, len, "slot %u: count %u disagrees with the bitmaps", s, c);
			return -EUCLEAN;
		}
		if (c && pkmap_slot_of(pk, pk->page[s]) != s) {
			snprintf(msg, len, "slot %u: page %#llx is not mapped to it", s,
				 (unsigned long long)pk->page[s]);
			return -EUCLEAN;
		}
		mapped += c != 0;
	}
	if (zero != pk->nr_zero || one != pk->nr_one || mapped != pk->map.count) {
		snprintf(msg, len, "populations: zero %u/%u one %u/%u mapped %llu/%llu", zero, pk->nr_zero,
			 one, pk->nr_one, (unsigned long long)mapped, (unsigned long long)pk->map.count);
		return -EUCLEAN;
	}
	if (pk->last >= pk->nr_slots) {
		snprintf(msg, len, "last %u out of range", pk->last);
		return -EUCLEAN;
	}
	return 0;
}
