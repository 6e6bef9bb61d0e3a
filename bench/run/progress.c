#include "bench/run/progress.h"

#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "bench/host/clock.h"

void progress_init(struct progress *p, const char *cmd)
{
	*p = (struct progress){.on = isatty(STDERR_FILENO), .cmd = cmd, .t0 = clock_ns()};
}

void progress_hms(double s, char *buf, size_t len)
{
	unsigned long t = s > 0 ? (unsigned long)(s + 0.5) : 0;
	if (t >= 3600)
		snprintf(buf, len, "%lu:%02lu:%02lu", t / 3600, t / 60 % 60, t % 60);
	else
		snprintf(buf, len, "%lu:%02lu", t / 60, t % 60);
}

/* 1234567 -> "1.2M" */
static void progress_count(u64 n, char *buf, size_t len)
{
	if (n >= 10000000000ULL)
		snprintf(buf, len, "%.1fG", (double)n / 1e9);
	else if (n >= 10000000)
		snprintf(buf, len, "%.0fM", (double)n / 1e6);
	else if (n >= 10000)
		snprintf(buf, len, "%.1fM", (double)n / 1e6);
	else
		snprintf(buf, len, "%llu", (unsigned long long)n);
}

void progress_draw(struct progress *p, const struct progress_figures *fig, bool force)
{
	u64 now = clock_ns();
	if (!p->on || (!force && now - p->last < PROGRESS_MS * 1000000ULL))
		return;
	p->last = now;
	double el = (double)(now - p->t0) / 1e9;
	char ev[32], exp[32], elapsed[32], eta[32] = "?";
	progress_count(fig->events, ev, sizeof(ev));
	progress_count(fig->expected, exp, sizeof(exp));
	progress_hms(el, elapsed, sizeof(elapsed));
	double f = fig->expected ? (double)fig->events / (double)fig->expected : 0;
	if (fig->done == fig->total)
		f = 1;
	if (f > 0.001 && f <= 1)
		progress_hms(el * (1 - f) / f, eta, sizeof(eta));
	char line[256];
	int n = snprintf(line, sizeof(line), "%s: %zu/%zu cells, %s/%s events, %s, ETA %s%s%s", p->cmd,
			 fig->done, fig->total, ev, fig->expected ? exp : "?", elapsed, eta,
			 fig->what ? ", " : "", fig->what ? fig->what : "");
	struct winsize ws;
	int cols = !ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) && ws.ws_col ? ws.ws_col : 80;
	/* one row, or the carriage return would not get back to its start */
	fprintf(stderr, "\r%.*s\033[K", MM_MAX(0, MM_MIN(n, cols - 1)), line);
	fflush(stderr);
	p->shown = true;
}

void progress_clear(struct progress *p)
{
	if (!p->shown)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	p->shown = false;
}

void progress_end(struct progress *p)
{
	progress_clear(p);
}
