// SPDX-License-Identifier: GPL-2.0
/*
 * pvnuma benchmark, in a stock-lane guest against the lane's pvhostd
 * (PV_BENCH=pvnuma bash tests/run.sh stock-6.12):
 *
 *  1. hint-to-applied latency: a user hint added through hint_add, and
 *     hints read back at once (each read asks the host about pending
 *     hints) until the host's answer shows; median, p99 and spread over
 *     ROUNDS hints, after WARMUP;
 *  2. pages pvhostd moved per second over those rounds (pvctl numa
 *     status, moved=, through the test relay);
 *  3. pvhostd's CPU (pvctl vcpu status, cpu_us) over FLOOD_S seconds of
 *     idle and over FLOOD_S seconds of a guest flooding hints, as a
 *     share of the wall time and as a ratio.
 *
 * "pvnuma_bench stream [MiB] [reps]" is the STREAM-like triad that
 * bench/pvnuma/two-socket.sh runs in its guest: a[i] = b[i] + s * c[i]
 * over three arrays of MiB each, the best of reps passes in MB/s.
 *
 * Under TCG the times are only meaningful as ratios within one run.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pv_host.h"
#include "pv_sysfs.h"

#define DIR		"/sys/kernel/pvnuma"
#define HINTS_LEN	8192
#define OUT_LEN		16384
#define WARMUP		3
#define ROUNDS		500
#define FLOOD_S		5
#define ANSWER_S	20	/* give up on one hint after this */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static unsigned int user_hint(const char *hints, int node, const char *cpus,
			      const char **line)
{
	char want[96];
	const char *p, *end;

	snprintf(want, sizeof(want), " user node=%d cpus=%s ", node, cpus);
	for (p = hints; *p; p = *end ? end + 1 : end) {
		end = strchrnul(p, '\n');
		if (memmem(p, end - p, want, strlen(want))) {
			*line = p;
			return strtoul(p, NULL, 10);
		}
	}
	return 0;
}

/* Sum of a numeric key over pvctl's output lines, or -1. */
static long long host_sum(const char *args, const char *key)
{
	char out[OUT_LEN], pat[32], *p;
	long long sum = 0;
	bool any = false;

	if (pv_host_ctl(out, sizeof(out), args))
		return -1;
	snprintf(pat, sizeof(pat), "%s=", key);
	for (p = strstr(out, pat); p; p = strstr(p + 1, pat)) {
		if (p != out && p[-1] != ' ' && p[-1] != '\n')
			continue;
		sum += strtoll(p + strlen(pat), NULL, 10);
		any = true;
	}
	return any ? sum : -1;
}

/* One hint, added and followed to the host's answer: seconds, or -1. */
static double one_hint(int node, const char *cpus, char *state, size_t len)
{
	char hints[HINTS_LEN], s[64];
	const char *line, *st;
	unsigned int id = 0;
	double t0, t;

	snprintf(s, sizeof(s), "%d %s", node, cpus);
	t0 = now();
	if (pv_write_str(DIR "/hint_add", s))
		return -1;
	for (t = 0; t < ANSWER_S; t = now() - t0) {
		if (pv_read_all(DIR "/hints", hints, sizeof(hints)))
			return -1;
		id = user_hint(hints, node, cpus, &line);
		if (!id)
			return -1;
		st = strstr(line, "status=");
		if (st && strncmp(st, "status=pending", 14) &&
		    strncmp(st, "status=unsent", 13)) {
			snprintf(state, len, "%.*s", (int)strcspn(st + 7, "\n "),
				 st + 7);
			break;
		}
		usleep(500);
	}
	snprintf(s, sizeof(s), "%u", id);
	pv_write_str(DIR "/hint_remove", s);
	return t < ANSWER_S ? t : -1;
}

static void bench_latency(void)
{
	/* Hints the host can apply, alternating so that each one changes something. */
	static const char * const cpus[] = { "0-1", "2-3" };
	double lat[ROUNDS], t0, t1;
	long long m0, m1;
	char state[32] = "";
	int i, p99, n = 0, applied = 0;

	m0 = host_sum("numa status", "moved");
	for (i = 0; i < WARMUP; i++)
		one_hint(i % 2, cpus[i % 2], state, sizeof(state));
	t0 = now();
	for (i = 0; i < ROUNDS; i++) {
		double t = one_hint(i % 2, cpus[i % 2], state, sizeof(state));

		if (t < 0)
			continue;
		lat[n++] = t;
		applied += !strcmp(state, "applied");
	}
	t1 = now();
	m1 = host_sum("numa status", "moved");
	if (!n) {
		printf("# latency: no hint was answered in %d s\n", ANSWER_S);
		return;
	}
	qsort(lat, n, sizeof(lat[0]), cmp);
	printf("# hint-to-answer latency over %d hints (%d applied), after %d warm-up:\n",
	       n, applied, WARMUP);
	p99 = (n * 99) / 100;
	printf("#   median %.0f us, p99 %.0f us (the %d-th of %d), min %.0f us, max %.0f us\n",
	       lat[n / 2] * 1e6, lat[p99] * 1e6, p99 + 1, n, lat[0] * 1e6,
	       lat[n - 1] * 1e6);
	if (m0 >= 0 && m1 >= 0)
		printf("# pages pvhostd moved: %lld in %.3f s (%.0f pages/s)\n",
		       m1 - m0, t1 - t0, (m1 - m0) / (t1 - t0));
	else
		printf("# pages pvhostd moved: unknown (no relay to pvctl numa status)\n");
}

/* pvhostd's CPU share over FLOOD_S s, flooding hints or idle; -1 if unknown. */
static double host_cpu(bool flood, unsigned long *hints)
{
	char hbuf[HINTS_LEN], s[32];
	long long c0, c1;
	const char *line;
	unsigned int id;
	double t0, t1;

	*hints = 0;
	c0 = host_sum("vcpu status", "cpu_us");
	t0 = now();
	while (now() - t0 < FLOOD_S) {
		if (!flood) {
			usleep(100000);
			continue;
		}
		if (pv_write_str(DIR "/hint_add", *hints % 2 ? "1 0" : "0 2"))
			continue;
		(*hints)++;
		if (pv_read_all(DIR "/hints", hbuf, sizeof(hbuf)))
			continue;
		id = user_hint(hbuf, *hints % 2 ? 0 : 1, *hints % 2 ? "2" : "0",
			       &line);
		snprintf(s, sizeof(s), "%u", id);
		if (id)
			pv_write_str(DIR "/hint_remove", s);
	}
	t1 = now();
	c1 = host_sum("vcpu status", "cpu_us");
	if (c0 < 0 || c1 < c0)
		return -1;
	return 100.0 * (c1 - c0) / ((t1 - t0) * 1e6);
}

static void bench_flood(void)
{
	unsigned long n, m;
	double idle, busy;

	idle = host_cpu(false, &n);
	busy = host_cpu(true, &m);
	if (idle < 0 || busy < 0) {
		printf("# pvhostd CPU: unknown (no relay to pvctl vcpu status)\n");
		return;
	}
	printf("# pvhostd CPU over %d s: idle %.1f%%, guest flooding hints %.1f%%\n",
	       FLOOD_S, idle, busy);
	printf("#   (%lu hints, %.0f/s); flooding/idle ratio %.2f\n", m,
	       m / (double)FLOOD_S, idle > 0 ? busy / idle : 0);
}

/* The STREAM-like triad: MB/s of the best of @reps passes. */
static int bench_stream(size_t mib, int reps)
{
	size_t n = mib * 1024 * 1024 / sizeof(double), i;
	double *a, *b, *c, best = 0, t;
	int r;

	a = malloc(n * sizeof(*a));
	b = malloc(n * sizeof(*b));
	c = malloc(n * sizeof(*c));
	if (!a || !b || !c) {
		fprintf(stderr, "triad: %zu MiB x 3: out of memory\n", mib);
		return 1;
	}
	for (i = 0; i < n; i++) {
		a[i] = 0;
		b[i] = 1;
		c[i] = 2;
	}
	for (r = 0; r < reps; r++) {
		t = now();
		for (i = 0; i < n; i++)
			a[i] = b[i] + 3.0 * c[i];
		t = now() - t;
		/* Three arrays move: two read, one written. */
		if (3.0 * n * sizeof(double) / t / 1e6 > best)
			best = 3.0 * n * sizeof(double) / t / 1e6;
	}
	printf("triad %.0f MB/s (best of %d, %zu MiB arrays, check %.0f)\n",
	       best, reps, mib, a[n / 2]);
	free(a);
	free(b);
	free(c);
	return 0;
}

int main(int argc, char **argv)
{
	char source[32];

	if (argc > 1 && !strcmp(argv[1], "stream"))
		return bench_stream(argc > 2 ? strtoul(argv[2], NULL, 10) : 256,
			      argc > 3 ? atoi(argv[3]) : 10);
	printf("TAP version 13\n1..1\n");
	if (pv_read_line(DIR "/source", source, sizeof(source))) {
		printf("ok 1 # SKIP pvnuma is not loaded\n");
		return 0;
	}
	printf("# pvnuma: hints go to %s; times under TCG: ratios within this run only\n",
	       source);
	if (strcmp(source, "pvhost")) {
		printf("ok 1 # SKIP no host takes hints\n");
		return 0;
	}
	bench_latency();
	bench_flood();
	printf("ok 1 pvnuma bench\n");
	return 0;
}
