// SPDX-License-Identifier: GPL-2.0
/*
 * How often the host preempts a vCPU that holds a lock, with and without
 * the host acting on the lock hint, in one guest run. It reports; it
 * does not judge.
 *
 * pvspinlock's torture keeps a lock holder on vCPUs 0-2 (3 kthreads, one
 * ticket lock, sections of CS cpu_relax() turns); the guest writes the
 * hint all along. pvhostd samples every vCPU thread each --vcpu-poll-ms:
 * of the samples that read the hint set (hint_samples), those that found
 * the thread preempted over the period just ended (hint_preempted) are
 * preemptions of a lock holder: a vCPU that does not run cannot clear its
 * hint. The policy is switched through the relay between rounds,
 * alternating: "off" is pvctl vcpu lock-hint-max 0 (the hint is read and
 * counted, never acted on), "on" is lock-hint-max MS (the thread's nice
 * lowered by 5 while the hint is set, bounded, with the refusal window).
 * Per round: the share preempted of the hinted samples and of all
 * samples, the raises and refusals, and the torture runs done (the
 * guest's throughput). Then per policy the median share and the spread
 * over rounds, and on/off of the medians.
 *
 * The uncontended cost: one torture thread taking one lock ITERS times
 * (no contention: the torture's loop around each lock and unlock
 * included), alternating in each round spinlock_t, pvspinlock with the
 * guest's hint off and with it on (the word written at every lock and
 * unlock); ns per iteration, median over rounds, and the ratios.
 *
 *   pvhost_lockhint [-r ROUNDS] [-s SECONDS] [-c CS] [-m MS] [-n ITERS]
 *
 * Timings under TCG are only meaningful as ratios within one run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pv_lockhint.h"

struct round {
	double held_share;	/* hint_preempted / hint_samples */
	double all_share;	/* preempted_ticks / samples */
	long long hint_samples, hint_preempted, raises, refused, errors;
	int runs;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static long long delta(const struct pv_lh_host *a, const struct pv_lh_host *b,
		       size_t off)
{
	long long s = 0;
	int i;

	for (i = 0; i < PV_LH_NR; i++)
		s += *(const long long *)((const char *)&b[i] + off) -
		     *(const long long *)((const char *)&a[i] + off);
	return s;
}

#define D(a, b, f)	delta(a, b, __builtin_offsetof(struct pv_lh_host, f))

static int one_round(int secs, unsigned int cs, struct round *r)
{
	struct pv_lh_host a[PV_LH_NR], b[PV_LH_NR];
	long long all, all_p;

	if (pv_lh_host_read(a) != PV_LH_NR)
		return -1;
	r->runs = pv_lh_torture(secs, cs);
	if (r->runs < 0 || pv_lh_host_read(b) != PV_LH_NR)
		return -1;
	r->hint_samples = D(a, b, hint_samples);
	r->hint_preempted = D(a, b, hint_preempted);
	r->raises = D(a, b, raises);
	r->refused = D(a, b, refused);
	r->errors = D(a, b, errors);
	all = D(a, b, samples);
	all_p = D(a, b, preempted_ticks);
	r->held_share = r->hint_samples ?
			(double)r->hint_preempted / r->hint_samples : 0;
	r->all_share = all ? (double)all_p / all : 0;
	return 0;
}

/* elapsed_ns of the last torture run, or -1 */
static long long torture_ns(void)
{
	char buf[400];

	if (pv_read_all(PV_LH_TORTURE, buf, sizeof(buf)))
		return -1;
	return atoll(pv_lh_field(buf, " elapsed_ns="));
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(v[0]), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* spinlock_t, pvspinlock hint off, hint on: ns per uncontended iteration */
static int measure_uncontended(int rounds, int iters)
{
	static const char *const name[3] = { "spinlock_t", "pvspinlock, hint off",
					     "pvspinlock, hint on" };
	double v[3][32], med[3];
	char req[64];
	long long ns;
	int i, k;

	printf("# uncontended cost: %d rounds of %d iterations, one thread\n",
	       rounds, iters);
	for (i = 0; i < rounds; i++) {
		for (k = 0; k < 3; k++) {
			if (k && pv_write_str(PV_LH_SYSFS "/lock_hint",
					      k == 2 ? "1" : "0"))
				return -1;
			snprintf(req, sizeof(req), "%s 1 %d 0",
				 k ? "spin" : "spinlock", iters);
			if (pv_write_str(PV_LH_TORTURE, req))
				return -1;
			ns = torture_ns();
			if (ns <= 0)
				return -1;
			v[k][i] = (double)ns / iters;
		}
	}
	for (k = 0; k < 3; k++) {
		med[k] = median(v[k], rounds);
		printf("# %-22s %8.1f ns/iteration (rounds %.1f..%.1f)\n",
		       name[k], med[k], v[k][0], v[k][rounds - 1]);
	}
	printf("# hint on / hint off %.3f, hint on / spinlock_t %.3f, hint off / spinlock_t %.3f\n",
	       med[2] / med[1], med[2] / med[0], med[1] / med[0]);
	return pv_write_str(PV_LH_SYSFS "/lock_hint", "1");
}

static void summary(const char *name, struct round *r, int n, double *med)
{
	double v[64];
	int i;

	for (i = 0; i < n; i++)
		v[i] = r[i].held_share;
	*med = median(v, n);
	printf("# %-4s lock holders preempted: median %.1f%% of hinted samples",
	       name, 100 * *med);
	printf(" (rounds %.1f%%..%.1f%%)\n", 100 * v[0], 100 * v[n - 1]);
}

int main(int argc, char **argv)
{
	int rounds = 3, secs = 8, ms = 20, iters = 200000, loaded, c, i, p;
	unsigned int cs = 50;
	struct round r[2][32];
	double med[2];
	char cmd[64];

	while ((c = getopt(argc, argv, "r:s:c:m:n:")) != -1) {
		switch (c) {
		case 'r':
			rounds = atoi(optarg);
			break;
		case 's':
			secs = atoi(optarg);
			break;
		case 'c':
			cs = strtoul(optarg, NULL, 10);
			break;
		case 'm':
			ms = atoi(optarg);
			break;
		case 'n':
			iters = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: %s %s\n", argv[0],
				"[-r ROUNDS] [-s SECONDS] [-c CS] [-m MS] [-n ITERS]");
			return 2;
		}
	}
	if (rounds < 1 || rounds > 32 || secs < 1 || ms < 1 || ms > 10000 ||
	    cs > 10000 || iters < 1000 || iters > 10000000) {
		fprintf(stderr, "%s: rounds 1..32, seconds >= 1, %s\n",
			argv[0], "ms 1..10000, cs 0..10000, iters 1000..10000000");
		return 2;
	}
	printf("TAP version 13\n1..1\n");
	if (pv_host_ctl(NULL, 0, "status")) {
		printf("ok 1 # SKIP no relay to a pvhostd\n");
		return 0;
	}
	loaded = pv_lh_load();
	if (loaded < 0 || pv_write_str(PV_LH_SYSFS "/lock_hint", "1")) {
		printf("ok 1 # SKIP pvspinlock not loadable or no lock hint\n");
		return 0;
	}
	printf("# lock hint: %d rounds x (off, on) of %d s, sections of %u turns,",
	       rounds, secs, cs);
	printf(" on = lock-hint-max %d ms\n", ms);
	printf("# policy round hint_samples hint_preempted held%% all%%");
	printf(" raises refused errors torture_runs\n");
	/* a warm-up round, not counted */
	pv_host_ctl(NULL, 0, "vcpu lock-hint-max 0");
	if (one_round(2, cs, &r[0][0]))
		goto fail;
	for (i = 0; i < rounds; i++) {
		for (p = 0; p < 2; p++) {
			snprintf(cmd, sizeof(cmd), "vcpu lock-hint-max %d",
				 p ? ms : 0);
			if (pv_host_ctl(NULL, 0, cmd) || one_round(secs, cs, &r[p][i]))
				goto fail;
			printf("# %-6s %5d %12lld %14lld %5.1f %5.1f %6lld %7lld %6lld %12d\n",
			       p ? "on" : "off", i, r[p][i].hint_samples,
			       r[p][i].hint_preempted, 100 * r[p][i].held_share,
			       100 * r[p][i].all_share, r[p][i].raises,
			       r[p][i].refused, r[p][i].errors, r[p][i].runs);
		}
	}
	summary("off", r[0], rounds, &med[0]);
	summary("on", r[1], rounds, &med[1]);
	if (med[0] > 0)
		printf("# on/off: %.2f (share of lock holders preempted, %s)\n",
		       med[1] / med[0], "hint honoured / hint ignored");
	snprintf(cmd, sizeof(cmd), "vcpu lock-hint-max %d", ms);
	pv_host_ctl(NULL, 0, cmd);
	if (measure_uncontended(rounds, iters))
		goto fail;
	pv_lh_unload(loaded);
	printf("ok 1 lock hint figures reported\n");
	return 0;
fail:
	pv_lh_unload(loaded);
	printf("not ok 1 the relay or the torture failed\n");
	return 1;
}
