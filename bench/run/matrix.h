/* A matrix of configurations: settings (settings.h) each with one or more values, the cartesian
 * product of their values. `replay` builds one from its options, `suite` from a suite file's
 * [axes], test_vmalloc and `bench replay` from theirs. Configuration c applies its values on top of
 * sim_cfg_default() in settings-registry order (so a zone layout is loaded before zone-pages
 * resizes it); iteration varies the last axis fastest. A value (no pointers into itself): it
 * may be copied and shared read-only between threads. */
#ifndef MATRIX_H
#define MATRIX_H

#include "core/machine/settings.h"

#define MATRIX_MAX_AXES 32
#define MATRIX_MAX_VALUES 16
#define MATRIX_POOL 16384

struct matrix_axis {
	const struct setting *set;
	size_t n;		    /* values, 1..MATRIX_MAX_VALUES */
	u16 val[MATRIX_MAX_VALUES]; /* offsets of the values' text in the matrix's pool */
};

struct matrix {
	size_t naxes;
	struct matrix_axis axis[MATRIX_MAX_AXES]; /* in the order given; the last varies fastest */
	size_t used;
	char pool[MATRIX_POOL];
};

void matrix_init(struct matrix *m);
/* Set the axis of setting s (replacing an earlier one, keeping its position; else appended) from
 * text: a comma list when list is true ('all' names every value of a VARIANT setting), else one
 * value taken whole. Every value is checked by applying it to a default configuration. 0, or
 * -EINVAL with a one-line reason in err ("takes 2..5, not '9'", "lists 'x' twice"). */
int matrix_set(struct matrix *m, const struct setting *s, const char *text, bool list, char *err, size_t len);
/* Append axis a of src to dst (dst must not have that setting yet). 0, or -EINVAL with err. */
int matrix_copy_axis(struct matrix *dst, const struct matrix *src, size_t a, char *err, size_t len);
/* Order the axes by the settings registry: with first_fastest the registry's first setting
 * varies fastest (replay's rows: vmlist, then tlb, buddy, vma ...), else slowest. */
void matrix_order(struct matrix *m, bool first_fastest);
/* An alias: value from of the axis of s becomes to (dropped when to is listed already). 0, or
 * -EINVAL when the pool is full. */
int matrix_rename(struct matrix *m, const struct setting *s, const char *from, const char *to);
/* The axis of s, or NULL. */
const struct matrix_axis *matrix_axis_of(const struct matrix *m, const struct setting *s);
size_t matrix_size(const struct matrix *m);
/* Value of axis a in configuration c (0 <= c < matrix_size). */
const char *matrix_value(const struct matrix *m, size_t c, size_t a);
/* Value of the axis of the setting named name in configuration c, or NULL. */
const char *matrix_lookup(const struct matrix *m, size_t c, const char *name);
/* sim_cfg_default() plus configuration c. 0, or -EINVAL with the reason in err (a value, or a
 * model whose fixed memory is over its model-mem-max: sim_mem_check). */
int matrix_cfg(const struct matrix *m, size_t c, struct sim_cfg *cfg, char *err, size_t len);
/* Values a trace gives for settings a matrix leaves unset (a recording's files and times). */
#define SETTING_VALS_MAX 16
struct setting_vals {
	size_t n;
	struct {
		const struct setting *set;
		const char *value;
	} v[SETTING_VALS_MAX];
};
/* matrix_cfg applying through env (NULL: matrix_env), with extra's values (may be NULL) for the
 * settings m has no axis of, all in registry order. */
int matrix_cfg_env(const struct matrix *m, size_t c, const struct setting_vals *extra,
		   const struct setting_env *env, struct sim_cfg *cfg, char *err, size_t len);
/* "augmented/lazy/lifo/zone_pages=24576": the value of every axis, in settings-registry order
 * whatever the axes' order, joined by '/'; a variant's value bare, any other setting's as
 * AXIS=VALUE. The same configuration has the same label in replay and suite. "default" with
 * no axes. */
void matrix_label(const struct matrix *m, size_t c, char *buf, size_t len);

/* The environment settings get from bench/: zone layouts read with workloads/state/zonelayout. */
extern const struct setting_env matrix_env;

#endif
