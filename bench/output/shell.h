/* Shell words: commands mmreplay prints for a POSIX shell (suite --list-jobs) quote every
 * argument so the shell reads it back as one word, byte for byte, and runs nothing else. */
#ifndef SHELL_H
#define SHELL_H

#include <stdbool.h>
#include <stdio.h>

/* Print s as one shell word: as is when it is made of [A-Za-z0-9_@%+=:,./-] only and starts
 * with neither '-' nor '~'; else in single quotes, each ' written as '\''. */
void shell_quote(FILE *f, const char *s);
/* true when s can be printed on one line (no newline or carriage return). */
bool shell_one_line(const char *s);
/* The running program's absolute path (/proc/self/exe), or "mmreplay" when unknown. */
const char *shell_self(void);

#endif
