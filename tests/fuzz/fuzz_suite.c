/* libFuzzer target for suite files (bench/run/suite.c through bench/run/iniread.c): every
 * failure explains itself in one printable line; a loaded suite has traces, a name without '/',
 * every one of its configurations either builds or says why, and the plan mmreplay writes from
 * it (suite_resolved) reads back as the same suite (traces, their axes, name, repeats, axes). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/run/matrix.h"
#include "bench/run/suite.h"
#include "bench/run/suite_dir.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static void check_text(const char *s)
{
	if (!s[0] || strchr(s, '\n'))
		abort();
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			abort();
}

static void round_trip(const struct suite *s)
{
	static struct suite b;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		abort();
	suite_resolved(s, f);
	fclose(f);
	struct mm_diag d = {{0}};
	if (suite_load_string(text, "plan.ini", "/nonexistent-data", &b, &d)) {
		fprintf(stderr, "the plan does not read back: %s\n%s", d.msg, text);
		abort(); /* what mmreplay writes, it reads */
	}
	if (strcmp(s->name, b.name) || s->repeats != b.repeats || s->ntraces != b.ntraces ||
	    s->axes.naxes != b.axes.naxes || suite_nconfigs(s) != suite_nconfigs(&b))
		abort();
	for (size_t t = 0; t < s->ntraces; t++)
		if (strcmp(s->traces[t], b.traces[t]) || strcmp(s->trace_axes[t], b.trace_axes[t]))
			abort();
	free(text);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static struct suite s;
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	struct mm_diag d = {{0}};
	if (suite_load_string(text, "fuzz.ini", "/nonexistent-data", &s, &d)) {
		check_text(d.msg);
	} else {
		if (!s.ntraces || strchr(s.name, '/'))
			abort();
		size_t n = suite_nconfigs(&s);
		for (size_t c = 0; c < n && c < 64; c++) {
			struct sim_cfg cfg;
			char why[256] = "";
			char label[512];
			if (matrix_cfg(&s.axes, c, &cfg, why, sizeof(why)) && !why[0])
				abort();
			matrix_label(&s.axes, c, label, sizeof(label));
		}
		round_trip(&s);
	}
	free(text);
	return 0;
}
