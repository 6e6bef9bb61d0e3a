/* The settings of a simulated machine, one registry entry each (settings.c): name, help, unit,
 * default, allowed values or range, and how a value applies to struct sim_cfg. Everything that
 * configures a machine goes through here: the command-line options of replay, suite, bench and
 * test_vmalloc, the axes of suite files, --help, validation messages and configuration labels are
 * generated from this table, so limits agree everywhere. Pure data and apply functions: no I/O
 * (a value naming a file, such as zones=zoneinfo:PATH, is read through the caller's hook in
 * struct setting_env).
 *
 * Names: the entry's name is the option (--page-mode); with '-' as '_' it is the suite axis
 * (page_mode). settings_find() takes either spelling. */
#ifndef SETTINGS_H
#define SETTINGS_H

#include "core/machine/sim.h"

enum setting_kind {
	SETTING_VARIANT, /* one of a variant registry's names (values listed by value()) */
	SETTING_CHOICE,	 /* one of a fixed list of words (value()) */
	SETTING_UINT,	 /* an integer in [min, max], decimal or 0x-hex */
	SETTING_TEXT,	 /* free text the apply function checks (a zone layout, seconds) */
	SETTING_FILE,	 /* "none" or a file, read through setting_env.load_file */
	SETTING_SIZE,	 /* bytes in [min, max]: a number with an optional K, M, G, T or P (x1024) */
};

/* What the caller lends to settings whose values name outside data. */
struct setting_env {
	/* zones: "default", a spec, "zoneinfo:PATH" or "buddyinfo:PATH" -> zc (and zc->max_order
	 * for a buddyinfo snapshot). 0, or -EINVAL with a one-line reason in err. NULL: only
	 * "default" is accepted. */
	int (*load_zones)(const char *value, struct zones_cfg *zc, char *err, size_t len);
	/* A file a setting names (the SETTING_FILE ones, and zones=zoneinfo:PATH: the layout, as
	 * load_zones reads it, and the recorded per-CPU pagesets): read it, or find it read already
	 * (a per-trace loader reads each file once), and set in cfg what it gives. Settings apply in registry
	 * order, so a file may use what an earlier one gave (page-state reads the zoneinfo that zones named).
	 * 0, or -EINVAL with "FILE:LINE: reason" in err. NULL: file values are refused. */
	int (*load_file)(void *ctx, const char *setting, const char *path, struct sim_cfg *cfg, char *err,
			 size_t len);
	void *ctx; /* load_file's */
};

/* What a trace must exercise for a setting to change its replay (struct setting's affects): a
 * setting whose facets a trace lacks gives the same model results for every value, so a suite
 * runs it at one value only (bench/run/suite_axes.c). settings_facets() derives a trace's facets
 * from its event counts and the configuration. */
enum setting_facet {
	SETTING_ON_VMAP = 1u << 0, /* vmap events: vmalloc, vfree, purge, vmalloc_32, ioremap, vunmap */
	SETTING_ON_PAGE_EVENTS = 1u << 1, /* traced page events */
	SETTING_ON_BUDDY = 1u << 2,	  /* pages from the buddy: page events, vmalloc pages, page tables */
	SETTING_ON_PROC = 1u << 3,	  /* process calls: mmap, munmap, fork, ... */
	SETTING_ON_PGTABLE = 1u << 4,	  /* page tables: kernel (vmap events), processes (populate all) */
	SETTING_ON_KMAP = 1u << 5,	  /* kmap / kunmap events */
};

struct setting {
	const char *name; /* "page-mode" */
	const char *help; /* one line, lower case, no final period */
	const char *unit; /* "pages", "CPUs", ... or "" */
	const char *def;  /* the default as --help shows it; for VARIANT/CHOICE/UINT a value that
			   * sim_cfg_default() already holds (a test checks it), or "from the trace"
			   * for a 0 that sim_cfg_for_trace() fills */
	enum setting_kind kind;
	/* On the command line, a comma list (and 'all' for a VARIANT) gives one configuration per
	 * value. A scalar takes exactly one value there (its values contain commas). In a suite
	 * file every setting may be an axis. */
	bool axis;
	u64 min, max; /* SETTING_UINT, SETTING_SIZE */
	/* SETTING_UINT or _SIZE without apply: the field of struct sim_cfg it sets (4 or 8 bytes) */
	size_t off, size;
	/* VARIANT/CHOICE: the name of value i, NULL past the last */
	const char *(*value)(size_t i);
	/* Apply v to cfg (NULL for a plain SETTING_UINT field). v has been checked against the
	 * kind (a listed name, a number in range). 0, or -EINVAL with a reason in err. */
	int (*apply)(struct sim_cfg *cfg, const char *v, const struct setting_env *env, char *err,
		     size_t len);
	/* SETTING_ON_* facets: the setting changes a replay only of a trace with one of them;
	 * 0: of every trace (the safe default for a new setting) */
	u32 affects;
};

/* The registry: settings_table (settings.c), NULL-name-terminated; apply order is table order.
 * Everything reads the table through this pointer (settings_registry.c), so a test can hand the
 * whole program a table with an entry more (tests/test_registry_extra.c). */
extern const struct setting *const settings;
extern const struct setting settings_table[];

/* By name, '-' and '_' alike; NULL when unknown. */
const struct setting *settings_find(const char *name);
/* Check v against s and apply it: 0, or -EINVAL with a one-line reason in err naming the setting,
 * the value and what is allowed ("--levels takes 2..5, not '9'"). */
int setting_apply(const struct setting *s, struct sim_cfg *cfg, const char *v, const struct setting_env *env,
		  char *err, size_t len);
/* The allowed values as text: "list, rbtree, augmented" or "2..5 (levels)". */
void setting_allowed(const struct setting *s, char *buf, size_t len);
/* The suite-axis spelling of a name: '-' -> '_' (buf >= strlen(name) + 1). */
void setting_axis_name(const struct setting *s, char *buf, size_t len);

/* The facets a trace with kind[k] events of each kind exercises under cfg (populate decides
 * whether process calls build page tables). */
u32 settings_facets(const u64 kind[MME_NR_KINDS], const struct sim_cfg *cfg);
/* Events of the kinds that give facet (SETTING_ON_VMAP, _PAGE_EVENTS, _PROC or _KMAP) directly. */
u64 settings_facet_events(const u64 kind[MME_NR_KINDS], u32 facet);
/* Whether s can change a replay of a trace with these facets. */
bool setting_applies(const struct setting *s, u32 facets);
/* "vmap events or traced page events": the facets of mask in words (buf always terminated). */
void setting_facet_words(u32 mask, char *buf, size_t len);

/* The one number parser: decimal or 0x-hex, no sign, no trailing text, no overflow, in
 * [min, max]. 0 or -EINVAL (-ERANGE when a number but outside). */
int settings_parse_u64(const char *text, u64 min, u64 max, u64 *out);
/* Seconds ("2519.352699"; decimals past the 9th dropped) to ns: 0, -EINVAL, or -ERANGE
 * (2^64 ns or more). */
int settings_parse_secs(const char *text, u64 *ns);
/* Whether 'all' in a list of s's values names every one of them: a setting of named values
 * (variant or choice) that takes a list, and has no value called "all" itself (populate). */
bool setting_all_expands(const struct setting *s);
/* Whether s names a file read per trace (a SETTING_FILE). */
static inline bool setting_is_file(const struct setting *s)
{
	return s->kind == SETTING_FILE;
}

/* A size: settings_parse_u64's number, or a decimal one followed by K, M, G, T or P (powers of
 * 1024, optionally "KiB" ... "PiB"), in [min, max]. 0, -EINVAL or -ERANGE. */
int settings_parse_size(const char *text, u64 min, u64 max, u64 *out);
/* The shortest exact spelling of a size: "2G", "1536M", "4097". */
void settings_format_size(u64 bytes, char *buf, size_t len);

/* The one comma-list parser: calls each(ctx, item) for every comma-separated item, blanks
 * around items trimmed, empty items skipped. 0, the first non-zero return of each, -EINVAL
 * for a list with no item, or -E2BIG for an item longer than 511 bytes. */
int settings_split(const char *list, int (*each)(void *ctx, const char *item), void *ctx);

#endif
