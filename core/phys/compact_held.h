/* How good buddy mode's guesses of compaction's fast free search are. The trace gives such an
 * isolation's range and size, not its block: the model takes a guess (compact_take). The run's
 * end gives its unused isolated pages back (release_free_list frees them with __free_pages:
 * mm_page_free by the compacting task before mm_compaction_end), and a piece given back names
 * the kernel's block. A piece inside a guessed block of the run confirms the guess; a piece the
 * model has free, whose aligned block of a guessed block's order is all free in the model,
 * contradicts one guess of that order (the kernel's block was there); the guesses no piece names
 * by the run's end (used whole as migration targets, or given back beside a wrong guess) stay
 * unknown. Counted; and when `doubt` is set, the pages of every guess its run's end leaves
 * unconfirmed go there (pagereplay.c gives them back as the kernel's untraced takes show up). */
#ifndef COMPACT_HELD_H
#define COMPACT_HELD_H

#include "core/phys/buddy.h"
#include "core/phys/migpend.h"

#define COMPACT_HELD_RUNS 8    /* runs in flight at once (one per compacting task) */
#define COMPACT_HELD_BLOCKS 64 /* fast isolations followed per run; later ones stay guesses */

struct compact_held_block {
	u64 pfn;    /* the model's block: its pages allocated as order-0 blocks */
	u8 order;   /* the isolation's order (nr_taken = 2^order) */
	bool named; /* a piece given back confirmed or contradicted it */
	bool right; /* a piece given back confirmed it */
};

struct compact_held_run {
	u64 pid1; /* compacting task + 1; 0: slot free */
	unsigned n;
	struct compact_held_block blk[COMPACT_HELD_BLOCKS];
};

struct compact_held {
	struct compact_held_run run[COMPACT_HELD_RUNS];
	unsigned next;
	u64 confirmed_pages;	/* guessed pages a piece given back confirmed */
	u64 contradicted_pages; /* guessed pages a piece given back showed were another block */
	u64 unnamed_pages;	/* guessed pages no piece named by their run's end */
	struct migpend *doubt;	/* NULL, or where the pages of guesses left unconfirmed go (order 0) */
	u64 doubt_max;		/* pages doubt holds at most: the oldest go first (the zones' pages) */
};

/* A run of task pid begins (mm_compaction_begin): a run of pid still open is ended first. */
void compact_held_begin(struct compact_held *h, u32 pid);
/* The model isolated the order-`order` block at pfn for pid's fast free search. */
void compact_held_add(struct compact_held *h, u32 pid, u64 pfn, unsigned order);
/* pid's run ends (mm_compaction_end): its unnamed blocks are counted and forgotten. */
void compact_held_end(struct compact_held *h, u32 pid);
/* mm_page_free of [pfn, pfn + 2^order) by pid in b, before the free is applied: a piece in a
 * guessed block confirms it; a piece the model has free, whose aligned block of an unnamed
 * guess's order is all free in the model, contradicts that guess. */
void compact_held_free(struct compact_held *h, struct buddy *b, u32 pid, u64 pfn, unsigned order);
/* Is the page at pfn inside a free block of b? Its end (one past), else 0. */
u64 compact_held_free_end(const struct buddy *b, u64 pfn);

#endif
