/* libFuzzer target for suite files (bench/run/suite.c through bench/run/iniread.c): every failure explains
 * itself in one printable line; a loaded suite has traces, a name without '/', and every one
 * of its configurations either builds or says why. */
#include <stdlib.h>
#include <string.h>

#include "bench/run/matrix.h"
#include "bench/run/suite.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static void check_text(const char *s)
{
	if (!s[0] || strchr(s, '\n'))
		abort();
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			abort();
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
	}
	free(text);
	return 0;
}
