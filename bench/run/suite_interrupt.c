#include "bench/run/suite_interrupt.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "workloads/outfile.h"

/* Read by the handler: written before it is installed, or a word at a time after. */
static volatile size_t sig_done, sig_total;
static char sig_dir[4096];
static struct sigaction sig_old[2];

static void sig_put(const char *s)
{
	ssize_t r = write(2, s, strlen(s));
	(void)r;
}

/* Async-signal-safe: write, sigaction and raise only. */
static void suite_on_signal(int sig)
{
	int saved = errno;
	char num[2][24];
	size_t v[2] = {sig_done, sig_total};
	for (int i = 0; i < 2; i++) {
		char *p = num[i] + sizeof(num[i]) - 1;
		*p = 0;
		do
			*--p = (char)('0' + v[i] % 10);
		while (v[i] /= 10);
		memmove(num[i], p, strlen(p) + 1);
	}
	sig_put("\nmmreplay suite: interrupted: ");
	sig_put(num[0]);
	sig_put(" of ");
	sig_put(num[1]);
	sig_put(" cells done, each in ");
	sig_put(sig_dir);
	sig_put("/cells/; `mmreplay suite --resume ");
	sig_put(sig_dir);
	sig_put("` runs the others (`mmreplay suite --status ");
	sig_put(sig_dir);
	sig_put("` lists them)\n");
	sigaction(sig, &sig_old[sig == SIGTERM], NULL); /* the temporaries' cleanup (outfile.h) */
	raise(sig);
	errno = saved;
}

/* On SIGINT and SIGTERM: say what finished and where, then go on as before. A signal ignored
 * when the run began (a background job of a script: SIGINT) stays ignored: it interrupts
 * nothing, so nothing is said. */
static void suite_signals(const char *dir, size_t done, size_t total)
{
	static const int sigs[2] = {SIGINT, SIGTERM};
	struct sigaction sa, cur[2];
	sig_done = done;
	sig_total = total;
	snprintf(sig_dir, sizeof(sig_dir), "%s", dir);
	for (int i = 0; i < 2; i++)
		sigaction(sigs[i], NULL, &cur[i]);
	outfile_signals_install();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = suite_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGINT);
	sigaddset(&sa.sa_mask, SIGTERM);
	for (int i = 0; i < 2; i++) {
		sigaction(sigs[i], cur[i].sa_handler == SIG_IGN ? &cur[i] : &sa, &sig_old[i]);
		if (cur[i].sa_handler == SIG_IGN)
			sig_old[i] = cur[i]; /* ignored after the run too */
	}
}

static void suite_signals_off(void)
{
	sigaction(SIGINT, &sig_old[0], NULL);
	sigaction(SIGTERM, &sig_old[1], NULL);
}

void suite_interrupt_arm(const char *dir, size_t done, size_t total)
{
	suite_signals(dir, done, total);
}

void suite_interrupt_count(void)
{
	sig_done = sig_done + 1;
}

size_t suite_interrupt_done(void)
{
	return sig_done;
}

void suite_interrupt_disarm(void)
{
	suite_signals_off();
}
