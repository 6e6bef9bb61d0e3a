/* The nodes vmlist's follow rules, one scenario each: how the model reads each decision the
 * kernel made (a decayed entry it still held, a pool that missed, a guessed owner, hidden slots,
 * a hunting pool, an unseen batch) and what it predicts next. The random comparison with the
 * slow reference is test_vmlist_nodes.c. */
#include <criterion/criterion.h>

#include "core/kva/vmlist.h"
#include "core/kva/vmlist_nodes.h"

#define PG MM_PAGE_SIZE
#define BASE 0xffffc90000000000ULL

/* Rule 5 step by step: 40 stacks of node 0 purged into its pool (head = highest address), a
 * second purge decays the 10 highest; the kernel then takes the 8th of those: it had decayed
 * only 7, so the 8th, 9th and 10th are still in its pool ahead of the model's head. */
Test(vmlist_nodes, follow_undecays_what_the_kernel_kept)
{
	struct vmlist v;
	u64 a[40], sz, pool[64];
	struct vmlist_cfg cfg = {.vstart = BASE, .vend = BASE + 4096 * PG, .nr_nodes = 2};
	cr_assert_eq(vmlist_init(&v, vmlist_find("nodes"), &cfg), 0);
	for (int i = 0; i < 40; i++)
		cr_assert_eq(vmlist_alloc_cpu(&v, 5 * PG, 4 * PG, cfg.vstart, cfg.vend, 0, &a[i]), 0);
	vmlist_purge_begin(&v, false);
	for (int i = 0; i < 40; i++)
		cr_assert_eq(vmlist_free(&v, a[i], &sz), 0);
	vmlist_purge_end(&v);
	cr_assert_eq(vmlist_nodes_pool(&v, 0, 4, pool, 64), 40);
	cr_assert_eq(pool[0], a[39]);  /* highest first */
	vmlist_purge_begin(&v, false); /* decays a[39] .. a[30] */
	vmlist_purge_end(&v);
	cr_assert_eq(vmlist_nodes_pool(&v, 0, 4, pool, 64), 30);
	cr_assert_eq(pool[0], a[29]);
	struct vmlist_pick how;
	cr_assert_eq(vmlist_place(&v, 5 * PG, 4 * PG, cfg.vstart, cfg.vend, 0, a[32], &how), 0);
	cr_assert_eq(how.src, VMLIST_SRC_DECAYED);
	cr_assert_eq(vmlist_nodes_pool(&v, 0, 4, pool, 64), 32); /* a[31], a[30], then a[29] ... */
	cr_assert_eq(pool[0], a[31]);
	cr_assert_eq(pool[1], a[30]);
	cr_assert_eq(pool[2], a[29]);
	cr_assert_eq(vmlist_nodes_stats(&v)->undecayed, 3);
	cr_assert_eq(vmlist_predict(&v, 5 * PG, 4 * PG, cfg.vstart, cfg.vend, 0, &how), 0);
	cr_assert_eq(how.addr, a[31]);
	/* an entry the model decayed from node 0 is no pool entry to node 1: the usual rules */
	cr_assert_eq(vmlist_place(&v, 5 * PG, 4 * PG, cfg.vstart, cfg.vend, 1, a[36], &how), 0);
	cr_assert_neq(how.src, VMLIST_SRC_DECAYED);
	cr_assert_eq(vmlist_check(&v), 0);
	vmlist_fini(&v);
}

/* node_pool_del_va moves an unaligned head to the tail and misses with the pool not empty: the
 * kernel's tree pick then says nothing of the pool (rules 1-2 do not apply), its entries stay. */
Test(vmlist_nodes, follow_keeps_a_pool_that_missed_at_an_unaligned_head)
{
	struct vmlist v;
	u64 a[3], sz, pool[8];
	struct vmlist_cfg cfg = {.vstart = BASE, .vend = BASE + 4096 * PG, .nr_nodes = 2};
	cr_assert_eq(vmlist_init(&v, vmlist_find("nodes"), &cfg), 0);
	for (int i = 0; i < 3; i++) /* page-aligned: BASE, +5, +10 pages */
		cr_assert_eq(vmlist_alloc_cpu(&v, 5 * PG, PG, cfg.vstart, cfg.vend, 0, &a[i]), 0);
	cr_assert_eq(a[2], BASE + 10 * PG);
	vmlist_purge_begin(&v, false);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(vmlist_free(&v, a[i], &sz), 0);
	vmlist_purge_end(&v);
	cr_assert_eq(vmlist_nodes_pool(&v, 0, 4, pool, 8), 3);
	cr_assert_eq(pool[0], a[2]); /* not 4-page aligned */
	struct vmlist_pick how;
	cr_assert_eq(vmlist_predict(&v, 5 * PG, 4 * PG, cfg.vstart, cfg.vend, 0, &how), 0);
	cr_assert_eq(how.src, VMLIST_SRC_TREE);
	cr_assert_eq(vmlist_place(&v, 5 * PG, 4 * PG, cfg.vstart, cfg.vend, 0, how.addr, &how), 0);
	cr_assert_eq(how.src, VMLIST_SRC_TREE);
	cr_assert_eq(vmlist_nodes_pool(&v, 0, 4, pool, 8), 3, "the pool missed, it was not empty");
	cr_assert_eq(pool[0], a[1]);
	cr_assert_eq(pool[2], a[2]);
	cr_assert_eq(vmlist_check(&v), 0);
	vmlist_fini(&v);
}

/* A seeded area's owner is a guess: when the kernel's pool of the guessed node skips it, it was
 * the other node's (two nodes): it moves there, in its batch's descending order, instead of
 * back to the tree. */
Test(vmlist_nodes, follow_moves_a_guessed_owner_to_the_other_pool)
{
	struct vmlist v;
	u64 a[3], sz, pool[8];
	struct vmlist_cfg cfg = {.vstart = BASE, .vend = BASE + 4096 * PG, .nr_nodes = 2};
	cr_assert_eq(vmlist_init(&v, vmlist_find("nodes"), &cfg), 0);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(vmlist_alloc_cpu(&v, 5 * PG, 4 * PG, cfg.vstart, cfg.vend, 0, &a[i]), 0);
	vmlist_set_owner(&v, a[2], 0, true, true); /* node 0, a guess */
	vmlist_purge_begin(&v, false);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(vmlist_free(&v, a[i], &sz), 0);
	vmlist_purge_end(&v);
	cr_assert_eq(vmlist_nodes_pool(&v, 0, 4, pool, 8), 3);
	cr_assert_eq(pool[0], a[2]);
	struct vmlist_pick how;
	cr_assert_eq(vmlist_place(&v, 5 * PG, 4 * PG, cfg.vstart, cfg.vend, 0, a[1], &how), 0);
	cr_assert_eq(how.src, VMLIST_SRC_POOL_DEEP);
	cr_assert_eq(vmlist_nodes_stats(&v)->owners_learned, 1);
	cr_assert_eq(vmlist_nodes_pool(&v, 0, 4, pool, 8), 1);
	cr_assert_eq(pool[0], a[0]);
	cr_assert_eq(vmlist_nodes_pool(&v, 1, 4, pool, 8), 1, "the guessed entry is node 1's now");
	cr_assert_eq(pool[0], a[2]);
	cr_assert_eq(vmlist_predict(&v, 5 * PG, 4 * PG, cfg.vstart, cfg.vend, 1, &how), 0);
	cr_assert_eq(how.addr, a[2]);
	cr_assert_eq(vmlist_check(&v), 0);
	vmlist_fini(&v);
}

/* Hidden slots are predicted: after the kernel took a hidden slot for a pool the model sees
 * empty, the next is the highest hidden slot of that size below it; slots the kernel passes
 * over are the other node's (two nodes) and not predicted for this one again. */
Test(vmlist_nodes, follow_predicts_hidden_slots_below_the_cursor)
{
	struct vmlist v;
	struct vmlist_cfg cfg = {.vstart = BASE, .vend = BASE + 4096 * PG, .nr_nodes = 2};
	cr_assert_eq(vmlist_init(&v, vmlist_find("nodes"), &cfg), 0);
	struct vmlist_pick how;
	/* the kernel's first stack at slot 4 (every 8 pages): slots 0-3 are hidden */
	cr_assert_eq(vmlist_place(&v, 5 * PG, 4 * PG, cfg.vstart, cfg.vend, 0, BASE + 32 * PG, &how), 0);
	cr_assert_eq(how.src, VMLIST_SRC_TREE);
	cr_assert_eq(vmlist_nodes_stats(&v)->hidden, 4);
	cr_assert_eq(vmlist_predict(&v, 5 * PG, 4 * PG, cfg.vstart, cfg.vend, 0, &how), 0);
	cr_assert_eq(how.src, VMLIST_SRC_TREE, "no cursor yet: the tree");
	cr_assert_eq(vmlist_place(&v, 5 * PG, 4 * PG, cfg.vstart, cfg.vend, 0, BASE + 24 * PG, &how), 0);
	cr_assert_eq(how.src, VMLIST_SRC_HIDDEN);
	cr_assert_eq(vmlist_predict(&v, 5 * PG, 4 * PG, cfg.vstart, cfg.vend, 0, &how), 0);
	cr_assert_eq(how.src, VMLIST_SRC_HIDDEN);
	cr_assert_eq(how.addr, BASE + 16 * PG);
	/* the kernel skips slot 2: node 1's */
	cr_assert_eq(vmlist_place(&v, 5 * PG, 4 * PG, cfg.vstart, cfg.vend, 0, BASE + 8 * PG, &how), 0);
	cr_assert_eq(how.src, VMLIST_SRC_HIDDEN);
	cr_assert_eq(vmlist_predict(&v, 5 * PG, 4 * PG, cfg.vstart, cfg.vend, 0, &how), 0);
	cr_assert_eq(how.addr, BASE, "slot 2 is node 1's: slot 0 next");
	cr_assert_eq(vmlist_check(&v), 0);
	vmlist_fini(&v);
}

/* The kernel took its pool's size from the tree: its pool was empty, so the model's entries
 * were not in it; those below the kernel's pick are not in its tree either (it took its lowest
 * fit): they are hidden, not given back to the tree and predicted next. */
Test(vmlist_nodes, follow_hides_a_flushed_pool_below_the_kernels_pick)
{
	struct vmlist v;
	u64 a[4], sz, pool[8];
	struct vmlist_cfg cfg = {.vstart = BASE, .vend = BASE + 4096 * PG, .nr_nodes = 2};
	cr_assert_eq(vmlist_init(&v, vmlist_find("nodes"), &cfg), 0);
	for (int i = 0; i < 4; i++) /* [0,2) [2,4) [4,6) node 1's, [6,8) node 0's */
		cr_assert_eq(vmlist_alloc_cpu(&v, 2 * PG, PG, cfg.vstart, cfg.vend, i < 3 ? 1 : 0, &a[i]), 0);
	cr_assert_eq(a[3], BASE + 6 * PG);
	vmlist_purge_begin(&v, false);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(vmlist_free(&v, a[i], &sz), 0);
	vmlist_purge_end(&v);
	cr_assert_eq(vmlist_nodes_pool(&v, 1, 1, pool, 8), 3);
	struct vmlist_pick how;
	cr_assert_eq(vmlist_place(&v, 2 * PG, PG, cfg.vstart, cfg.vend, 1, BASE + 8 * PG, &how), 0);
	cr_assert_eq(how.src, VMLIST_SRC_TREE);
	cr_assert_eq(vmlist_nodes_pool(&v, 1, 1, pool, 8), 0, "the kernel's pool was empty");
	cr_assert_eq(vmlist_nodes_stats(&v)->hidden, 3);
	cr_assert_eq(vmlist_predict(&v, 2 * PG, PG, cfg.vstart, cfg.vend, 1, &how), 0);
	cr_assert_eq(how.addr, BASE + 10 * PG, "not the flushed entries: the kernel passed over them");
	cr_assert_eq(vmlist_check(&v), 0);
	vmlist_fini(&v);
}

/* A tree pick over a hidden slot: that slot was a pool entry the kernel's purge had decayed, and
 * the kernel's lowest fits go on ascending through the hidden slots decayed with it: the pool
 * hunts, predicting the lowest place above its last pick in free or hidden space, for as long
 * as the kernel's picks eat hidden space or fall where the hunt said. */
Test(vmlist_nodes, follow_hunts_the_hidden_slots_of_a_decayed_pool)
{
	struct vmlist v;
	struct vmlist_cfg cfg = {.vstart = BASE, .vend = BASE + 4096 * PG, .nr_nodes = 2};
	cr_assert_eq(vmlist_init(&v, vmlist_find("nodes"), &cfg), 0);
	struct vmlist_pick how;
	/* a stack at page 32: 5-page slots at 0, 8, 16 and 24 are hidden, 3 free pages after each */
	cr_assert_eq(vmlist_place(&v, 5 * PG, 4 * PG, cfg.vstart, cfg.vend, 0, BASE + 32 * PG, &how), 0);
	cr_assert_eq(vmlist_nodes_stats(&v)->hidden, 4);
	/* 4-page areas of node 1: the kernel's first eats the slot at 8 */
	cr_assert_eq(vmlist_place(&v, 4 * PG, PG, cfg.vstart, cfg.vend, 1, BASE + 7 * PG, &how), 0);
	cr_assert_eq(how.src, VMLIST_SRC_TREE);
	cr_assert_eq(vmlist_nodes_stats(&v)->hunts, 1);
	cr_assert_eq(vmlist_predict(&v, 4 * PG, PG, cfg.vstart, cfg.vend, 1, &how), 0);
	cr_assert_eq(how.addr, BASE + 11 * PG);
	cr_assert_eq(vmlist_place(&v, 4 * PG, PG, cfg.vstart, cfg.vend, 1, BASE + 11 * PG, &how), 0);
	/* [15,16) is free, the slot at 16 hidden: the tree's lowest fit is above the stack */
	cr_assert_eq(vmlist_predict(&v, 4 * PG, PG, cfg.vstart, cfg.vend, 1, &how), 0);
	cr_assert_eq(how.src, VMLIST_SRC_HIDDEN);
	cr_assert_eq(how.addr, BASE + 15 * PG, "the hunt goes on through the next hidden slot");
	/* the other node does not hunt */
	cr_assert_eq(vmlist_predict(&v, 4 * PG, PG, cfg.vstart, cfg.vend, 0, &how), 0);
	cr_assert_eq(how.src, VMLIST_SRC_TREE);
	cr_assert_gt(how.addr, BASE + 32 * PG);
	cr_assert_eq(vmlist_place(&v, 4 * PG, PG, cfg.vstart, cfg.vend, 1, BASE + 15 * PG, &how), 0);
	cr_assert_eq(vmlist_nodes_stats(&v)->hunts, 2);
	cr_assert_eq(vmlist_check(&v), 0);
	vmlist_fini(&v);
}

/* A hunting pool's kernel pick that is exactly a hidden slot, where the hunt said: the kernel's
 * lowest fit, tree space the model had hidden (a pool's take would have come from its head, not
 * the hunt's place): a tree pick, and the hunt goes on above it. Read as a pool take, the next
 * prediction looked below it for the pool's next hidden entry, and every third or fourth pick
 * of an ascending run through such slots missed. */
Test(vmlist_nodes, follow_a_hidden_slot_where_the_hunt_said_is_a_tree_pick)
{
	struct vmlist v;
	struct vmlist_cfg cfg = {.vstart = BASE, .vend = BASE + 4096 * PG, .nr_nodes = 2};
	cr_assert_eq(vmlist_init(&v, vmlist_find("nodes"), &cfg), 0);
	struct vmlist_pick how;
	/* node 0's 2-page area at page 10: slots at 0, 2, 4, 6 and 8 are hidden */
	cr_assert_eq(vmlist_place(&v, 2 * PG, PG, cfg.vstart, cfg.vend, 0, BASE + 10 * PG, &how), 0);
	cr_assert_eq(vmlist_nodes_stats(&v)->hidden, 5);
	/* node 1's 3-page area eats the slots at 2 and 4: [3, 6) busy, [2, 3) free */
	cr_assert_eq(vmlist_place(&v, 3 * PG, PG, cfg.vstart, cfg.vend, 1, BASE + 3 * PG, &how), 0);
	/* node 0 takes [1, 3) from its tree, over the slot at 0: a hunt starts there */
	cr_assert_eq(vmlist_place(&v, 2 * PG, PG, cfg.vstart, cfg.vend, 0, BASE + 1 * PG, &how), 0);
	cr_assert_eq(how.src, VMLIST_SRC_TREE);
	cr_assert_eq(vmlist_predict(&v, 2 * PG, PG, cfg.vstart, cfg.vend, 0, &how), 0);
	cr_assert_eq(how.addr, BASE + 6 * PG);
	/* the kernel takes the hidden slot at 6, where the hunt said */
	cr_assert_eq(vmlist_place(&v, 2 * PG, PG, cfg.vstart, cfg.vend, 0, BASE + 6 * PG, &how), 0);
	cr_assert_eq(how.src, VMLIST_SRC_HIDDEN);
	cr_assert_eq(vmlist_predict(&v, 2 * PG, PG, cfg.vstart, cfg.vend, 0, &how), 0);
	cr_assert_eq(how.addr, BASE + 8 * PG,
		     "the hunt goes on: the next hidden slot up, not the tree above");
	cr_assert_eq(vmlist_check(&v), 0);
	vmlist_fini(&v);
}

/* The kernel took a hidden slot while the model's pool had entries: its pool gave hidden
 * entries (pooled before the recording) in front of the model's, and gives the next of them
 * before the model's head, highest first below the last. */
Test(vmlist_nodes, follow_gives_hidden_entries_in_front_of_the_pool_first)
{
	struct vmlist v;
	u64 a[2], sz, pool[8];
	struct vmlist_cfg cfg = {.vstart = BASE, .vend = BASE + 4096 * PG, .nr_nodes = 2};
	cr_assert_eq(vmlist_init(&v, vmlist_find("nodes"), &cfg), 0);
	for (int i = 0; i < 2; i++) /* [0, 2) and [2, 4), node 0's, purged into its pool */
		cr_assert_eq(vmlist_alloc_cpu(&v, 2 * PG, PG, cfg.vstart, cfg.vend, 0, &a[i]), 0);
	vmlist_purge_begin(&v, false);
	for (int i = 0; i < 2; i++)
		cr_assert_eq(vmlist_free(&v, a[i], &sz), 0);
	vmlist_purge_end(&v);
	cr_assert_eq(vmlist_nodes_pool(&v, 0, 1, pool, 8), 2);
	struct vmlist_pick how;
	/* node 1 takes page 12 from its tree: the slots at 4, 6, 8 and 10 are hidden */
	cr_assert_eq(vmlist_place(&v, 2 * PG, PG, cfg.vstart, cfg.vend, 1, BASE + 12 * PG, &how), 0);
	cr_assert_eq(vmlist_nodes_stats(&v)->hidden, 4);
	/* node 0's kernel pool gives the hidden slot at 8, not the model's head */
	cr_assert_eq(vmlist_place(&v, 2 * PG, PG, cfg.vstart, cfg.vend, 0, BASE + 8 * PG, &how), 0);
	cr_assert_eq(how.src, VMLIST_SRC_HIDDEN);
	cr_assert_eq(vmlist_nodes_pool(&v, 0, 1, pool, 8), 2, "the model's entries may still follow");
	cr_assert_eq(vmlist_predict(&v, 2 * PG, PG, cfg.vstart, cfg.vend, 0, &how), 0);
	cr_assert_eq(how.src, VMLIST_SRC_HIDDEN);
	cr_assert_eq(how.addr, BASE + 6 * PG, "the next hidden entry in front of the model's");
	/* the kernel takes the model's head: the hidden front is done */
	cr_assert_eq(vmlist_place(&v, 2 * PG, PG, cfg.vstart, cfg.vend, 0, pool[0], &how), 0);
	cr_assert_eq(how.src, VMLIST_SRC_POOL);
	cr_assert_eq(vmlist_predict(&v, 2 * PG, PG, cfg.vstart, cfg.vend, 0, &how), 0);
	cr_assert_eq(how.src, VMLIST_SRC_POOL);
	cr_assert_eq(vmlist_check(&v), 0);
	vmlist_fini(&v);
}

/* Descending picks the model's pool did not give are a pool handing out a purge's batch the
 * model never saw (highest first; the tree's lowest fits never descend): the next entry is one
 * stride below (the run's smallest step), over free space or hidden slots, a hidden slot at
 * that place continues the run, and an ascending pick ends it. */
/* The batch's slots that areas hold exactly (the other node took them, or they were never
 * freed) are in no pool: the run goes on a stride below them; a slot an area only overlaps
 * breaks the lattice and ends the prediction. */
Test(vmlist_nodes, follow_steps_an_unseen_batch_over_the_slots_areas_hold)
{
	struct vmlist v;
	struct vmlist_cfg cfg = {.vstart = BASE, .vend = BASE + 4096 * PG, .nr_nodes = 2};
	cr_assert_eq(vmlist_init(&v, vmlist_find("nodes"), &cfg), 0);
	struct vmlist_pick how;
	cr_assert_eq(vmlist_place(&v, 5 * PG, PG, cfg.vstart, cfg.vend, 0, BASE + 400 * PG, &how), 0);
	cr_assert_eq(vmlist_place(&v, 5 * PG, PG, cfg.vstart, cfg.vend, 0, BASE + 392 * PG, &how), 0);
	/* node 1 takes the next two slots of node 0's lattice */
	cr_assert_eq(vmlist_place(&v, 5 * PG, PG, cfg.vstart, cfg.vend, 1, BASE + 384 * PG, &how), 0);
	cr_assert_eq(vmlist_place(&v, 5 * PG, PG, cfg.vstart, cfg.vend, 1, BASE + 376 * PG, &how), 0);
	cr_assert_eq(vmlist_predict(&v, 5 * PG, PG, cfg.vstart, cfg.vend, 0, &how), 0);
	cr_assert_eq(how.addr, BASE + 368 * PG, "below the two slots areas hold");
	cr_assert_eq(vmlist_place(&v, 5 * PG, PG, cfg.vstart, cfg.vend, 0, BASE + 368 * PG, &how), 0);
	cr_assert_eq(vmlist_predict(&v, 5 * PG, PG, cfg.vstart, cfg.vend, 0, &how), 0);
	cr_assert_eq(how.addr, BASE + 360 * PG, "the run goes on from the kernel's pick");
	cr_assert_eq(vmlist_place(&v, 5 * PG, PG, cfg.vstart, cfg.vend, 0, BASE + 360 * PG, &how), 0);
	/* a 2-page area over part of slot 352: not a slot of the batch, no prediction below it */
	cr_assert_eq(vmlist_place(&v, 2 * PG, PG, cfg.vstart, cfg.vend, 1, BASE + 354 * PG, &how), 0);
	cr_assert_eq(vmlist_predict(&v, 5 * PG, PG, cfg.vstart, cfg.vend, 0, &how), 0);
	cr_assert_neq(how.addr, BASE + 352 * PG);
	cr_assert_neq(how.addr, BASE + 344 * PG);
	cr_assert_eq(vmlist_check(&v), 0);
	vmlist_fini(&v);
}

Test(vmlist_nodes, follow_continues_an_unseen_batch_one_stride_down)
{
	struct vmlist v;
	struct vmlist_cfg cfg = {.vstart = BASE, .vend = BASE + 4096 * PG, .nr_nodes = 2};
	cr_assert_eq(vmlist_init(&v, vmlist_find("nodes"), &cfg), 0);
	struct vmlist_pick how;
	/* 5-page areas of node 0: the first at page 400 hides the 5-page slots below it */
	cr_assert_eq(vmlist_place(&v, 5 * PG, PG, cfg.vstart, cfg.vend, 0, BASE + 400 * PG, &how), 0);
	cr_assert_eq(how.src, VMLIST_SRC_TREE);
	cr_assert_eq(vmlist_place(&v, 5 * PG, PG, cfg.vstart, cfg.vend, 0, BASE + 392 * PG, &how), 0);
	for (u64 a = 384; a > 360; a -= 8) {
		cr_assert_eq(vmlist_predict(&v, 5 * PG, PG, cfg.vstart, cfg.vend, 0, &how), 0);
		cr_assert_eq(how.addr, BASE + a * PG, "one stride below the last pick");
		cr_assert_eq(vmlist_place(&v, 5 * PG, PG, cfg.vstart, cfg.vend, 0, BASE + a * PG, &how), 0);
	}
	/* 360 is exactly a hidden slot: taken where the stride said, the run goes on */
	cr_assert_eq(vmlist_predict(&v, 5 * PG, PG, cfg.vstart, cfg.vend, 0, &how), 0);
	cr_assert_eq(how.addr, BASE + 360 * PG);
	cr_assert_eq(vmlist_place(&v, 5 * PG, PG, cfg.vstart, cfg.vend, 0, BASE + 360 * PG, &how), 0);
	cr_assert_eq(how.src, VMLIST_SRC_HIDDEN);
	cr_assert_eq(vmlist_predict(&v, 5 * PG, PG, cfg.vstart, cfg.vend, 0, &how), 0);
	cr_assert_eq(how.addr, BASE + 352 * PG);
	/* the other node has no run */
	cr_assert_eq(vmlist_predict(&v, 5 * PG, PG, cfg.vstart, cfg.vend, 1, &how), 0);
	cr_assert_neq(how.addr, BASE + 352 * PG);
	/* an ascending pick ends the run */
	cr_assert_eq(vmlist_place(&v, 5 * PG, PG, cfg.vstart, cfg.vend, 0, BASE + 1000 * PG, &how), 0);
	cr_assert_eq(vmlist_predict(&v, 5 * PG, PG, cfg.vstart, cfg.vend, 0, &how), 0);
	cr_assert_neq(how.addr, BASE + 992 * PG);
	cr_assert_neq(how.addr, BASE + 352 * PG);
	cr_assert_eq(vmlist_check(&v), 0);
	vmlist_fini(&v);
}
