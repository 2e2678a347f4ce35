// SPDX-License-Identifier: GPL-2.0
/*
 * virtio_coalesce benchmark, run in a stock-lane guest against the lane's
 * host peer over tap (bench/run.sh virtio_coalesce): host-to-guest bulk
 * throughput, UDP request/response round trip p50/p99 and guest receive
 * interrupts/s, for fixed levels 0, 25, 50, 75, 100, adaptive and target,
 * each paired with a measurement of mode off right before or after it (the
 * order alternates by round), in several rounds: the ratios to off are
 * per pair, then their median. Under TCG: only the ratios mean anything.
 * Prints a table ("# " lines) and "# data" lines bench/virtio_coalesce/plot.sh
 * turns into a PNG.
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "../../selftests/virtio_coalesce/vcoal.h"

#define ROUNDS		3
#define BULK_S		2.0
#define RR_N		400
#define DATA_FMT	"%.2f %.1f %.1f %.1f %.4f"

struct setting {
	const char *label;
	const char *mode;
	const char *level;
};

static const struct setting settings[] = {
	{ "off", "off", NULL },
	{ "0", "fixed", "0" },
	{ "25", "fixed", "25" },
	{ "50", "fixed", "50" },
	{ "75", "fixed", "75" },
	{ "100", "fixed", "100" },
	{ "adaptive", "adaptive", NULL },
	{ "target30", "target", NULL },
};

#define NSET (sizeof(settings) / sizeof(*settings))

struct sample {
	double mbps, irq_s, p50, p99, ipp;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pct(double *v, int n, double p)
{
	int i = (int)ceil(p / 100.0 * n) - 1;

	qsort(v, n, sizeof(*v), cmp_double);
	return v[i < 0 ? 0 : (i >= n ? n - 1 : i)];
}

static int apply(const char *dev, const struct setting *s)
{
	if (vcoal_write(dev, "mode", "off"))
		return -1;
	if (s->level && vcoal_write(dev, "level", s->level))
		return -1;
	return vcoal_write(dev, "mode", s->mode);
}

static int measure(const char *dev, const struct sockaddr_in *peer, struct sample *out)
{
	static double rtt[RR_N];
	long long i0, p0, i1, p1, bytes;
	double t0, t1;
	int ok;

	/* Warm-up: let the adaptive and target controllers see traffic. */
	vcoal_bulk_rx(peer, 0.5);
	usleep(300000);
	ok = vcoal_rr(peer, RR_N, rtt);
	if (ok < RR_N / 2)
		return -1;
	out->p50 = pct(rtt, ok, 50);
	out->p99 = pct(rtt, ok, 99);
	i0 = vcoal_read_ll(dev, "interrupts");
	p0 = vcoal_read_ll(dev, "packets");
	t0 = vcoal_now();
	bytes = vcoal_bulk_rx(peer, BULK_S);
	usleep(250000);	/* the counters are sampled every 100 ms */
	t1 = vcoal_now() - 0.25;
	i1 = vcoal_read_ll(dev, "interrupts");
	p1 = vcoal_read_ll(dev, "packets");
	if (bytes <= 0)
		return -1;
	out->mbps = bytes * 8 / 1e6 / BULK_S;
	out->irq_s = (i1 - i0) / (t1 - t0);
	out->ipp = p1 > p0 ? (double)(i1 - i0) / (p1 - p0) : 0;
	return 0;
}

static double med(double *v, int n)
{
	return pct(v, n, 50);
}

static int run(const char *dev, const struct sockaddr_in *peer, unsigned int i,
	       struct sample *out)
{
	if (apply(dev, &settings[i]))
		return -1;
	usleep(300000);
	return measure(dev, peer, out);
}

int main(void)
{
	/* [setting][round]: the setting, and mode off paired with it */
	static struct sample s[NSET][ROUNDS], off[NSET][ROUNDS];
	struct sockaddr_in peer;
	unsigned int i, r, k;
	char dev[64];

	printf("TAP version 13\n1..1\n");
	if (!vcoal_first_dev(dev, sizeof(dev))) {
		printf("ok 1 - vcoal_bench # SKIP no virtio-net device attached\n");
		return 0;
	}
	if (vcoal_net_up(dev, &peer) || vcoal_rr(&peer, 3, NULL) == 0) {
		printf("ok 1 - vcoal_bench # SKIP no host peer (pv.net unset or no answer)\n");
		return 0;
	}
	vcoal_write(dev, "target_us", "30");
	for (r = 0; r < ROUNDS; r++)
		for (i = 1; i < NSET; i++)
			for (k = 0; k < 2; k++) {
				/* off first in even rounds, second in odd ones */
				bool is_off = (k == 0) == (r % 2 == 0);

				unsigned int j = is_off ? 0 : i;

				if (run(dev, &peer, j, is_off ? &off[i][r] : &s[i][r])) {
					printf("not ok 1 - vcoal_bench # %s: measurement failed\n",
					       settings[j].label);
					return 1;
				}
			}
	vcoal_write(dev, "mode", "off");

	printf("# virtio_coalesce under QEMU TCG (software emulation):\n");
	printf("# ratios within this run only\n");
	printf("# host-to-guest TCP %.0f s, UDP echo x%d, %d rounds, each paired with off\n",
	       BULK_S, RR_N, ROUNDS);
	printf("# x off: median over rounds of setting / off of the same pair\n");
	printf("# %-9s %9s %8s %9s %8s %9s %8s %9s %8s %7s\n", "setting", "Mbit/s", "x off",
	       "irq/s", "x off", "p50 us", "x off", "p99 us", "x off", "irq/pkt");
	for (i = 0; i < NSET; i++) {
		double m[5][ROUNDS * NSET], q[4][ROUNDS];
		unsigned int n = 0;

		for (r = 0; r < ROUNDS; r++) {
			if (i == 0) {
				/* off: every off measurement of the run */
				for (k = 1; k < NSET; k++, n++) {
					m[0][n] = off[k][r].mbps;
					m[1][n] = off[k][r].irq_s;
					m[2][n] = off[k][r].p50;
					m[3][n] = off[k][r].p99;
					m[4][n] = off[k][r].ipp;
				}
				for (k = 0; k < 4; k++)
					q[k][r] = 1;
				continue;
			}
			m[0][n] = s[i][r].mbps;
			m[1][n] = s[i][r].irq_s;
			m[2][n] = s[i][r].p50;
			m[3][n] = s[i][r].p99;
			m[4][n] = s[i][r].ipp;
			n++;
			q[0][r] = s[i][r].mbps / off[i][r].mbps;
			q[1][r] = s[i][r].irq_s / off[i][r].irq_s;
			q[2][r] = s[i][r].p50 / off[i][r].p50;
			q[3][r] = s[i][r].p99 / off[i][r].p99;
		}
		printf("# %-9s %9.1f %8.2f %9.0f %8.2f %9.1f %8.2f %9.1f %8.2f %7.3f\n",
		       settings[i].label, med(m[0], n), med(q[0], ROUNDS),
		       med(m[1], n), med(q[1], ROUNDS), med(m[2], n), med(q[2], ROUNDS),
		       med(m[3], n), med(q[3], ROUNDS), med(m[4], n));
	}
	for (i = 1; i < NSET; i++)
		for (r = 0; r < ROUNDS; r++)
			printf("# data %s %d " DATA_FMT " off " DATA_FMT "\n",
			       settings[i].label, r, s[i][r].mbps, s[i][r].irq_s,
			       s[i][r].p50, s[i][r].p99, s[i][r].ipp,
			       off[i][r].mbps, off[i][r].irq_s, off[i][r].p50,
			       off[i][r].p99, off[i][r].ipp);
	printf("ok 1 - vcoal_bench\n");
	return 0;
}
