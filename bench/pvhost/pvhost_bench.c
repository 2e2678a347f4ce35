// SPDX-License-Identifier: GPL-2.0
/*
 * pvhost benchmark, run in a stock-lane guest with pvhostd on the host.
 * It reports, it does not judge: no figure here passes or fails anything.
 *
 *   call   guest -> host -> guest: a mailbox PING through the doorbell,
 *          answered with an MSI-X interrupt. Timed by the driver around
 *          the call (debugfs mbox_ping), and from userspace against the
 *          baseline of a debugfs read that does not reach the host.
 *   event  host -> guest: "pvctl pressure set" run on the host through the
 *          test relay, until the guest has taken the pressure interrupt;
 *          baseline: the relay's own round trip (pvctl status).
 *   idle   over an idle interval: pvhost interrupts, watchdog runs and
 *          calibration exchanges, and the guest's interrupts of every kind
 *          (timer and IPIs included); baseline: the same with the driver
 *          unbound.
 *   numa   a NUMA hint (guest node 0, vCPU 0) from submission until its
 *          APPLIED or PARTIAL answer is seen (debugfs numa_rtt, timed in
 *          the driver; the host pins the vCPU thread and binds the node's
 *          backing file), against the PING round trip of the same run;
 *          and one pvhc_numa_info() call (numa_info_ns, in the driver, and
 *          its read from userspace against the counter read).
 *   vcpu   with pvhostd --qmp: ns per pvhc_vcpu_preempted() call and per
 *          call of the driver's op alone, against a plain per-CPU read in
 *          the same loop (debugfs preempted_loop, 65536 calls each,
 *          preemption off); a boost request's round trip, guest write ->
 *          boost_ack seen (the host picks requests up on its vCPU timer),
 *          against one read of the vcpus file that it polls; pvhostd's own
 *          CPU time (getrusage, through the relay) over an idle interval.
 *
 * Several runs; per figure the median and the 99th percentile over all
 * samples, and the run-to-run spread of the medians.
 *
 *   pvhost_bench [-r RUNS] [-n CALLS] [-e EVENTS] [-i IDLE_S] [-h HINTS]
 *                [-b BOOSTS]
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pv_host.h"
#include "pv_sysfs.h"

#define DBG	"/sys/kernel/debug/pvhost"

static char dev[64];

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* Read a debugfs file of the device: its number, or -errno. */
static long long dbg(const char *name)
{
	char path[192], buf[64];
	int ret;

	snprintf(path, sizeof(path), DBG "/%s/%s", dev, name);
	ret = pv_read_line(path, buf, sizeof(buf));
	return ret ? ret : strtoll(buf, NULL, 10);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Sorts @v. */
static double pct(double *v, int n, double p)
{
	int i;

	if (n <= 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	i = (int)(p * (n - 1) + 0.5);
	return v[i];
}

struct series {
	const char *name;
	double *all;		/* every sample, microseconds */
	int n;
	double med[64];		/* per run */
	int runs;
	int failed;
};

static void series_init(struct series *s, const char *name, int cap)
{
	memset(s, 0, sizeof(*s));
	s->name = name;
	s->all = calloc(cap, sizeof(double));
	if (!s->all)
		exit(1);
}

static void series_run(struct series *s, double *v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		s->all[s->n++] = v[i];
	if (n && s->runs < 64)
		s->med[s->runs++] = pct(v, n, 0.5);
}

static void series_row(struct series *s, const struct series *base)
{
	double med = pct(s->all, s->n, 0.5), p99 = pct(s->all, s->n, 0.99);
	double lo = pct(s->med, s->runs, 0), hi = pct(s->med, s->runs, 1);

	printf("# %-34s %6d %10.1f %10.1f %10.1f..%-10.1f", s->name, s->n,
	       med, p99, lo, hi);
	if (base && base->n)
		printf(" x%.1f", med / pct(base->all, base->n, 0.5));
	if (s->failed)
		printf(" (%d failed)", s->failed);
	printf("\n");
}

/* Run pvhost-ctl ARGS in the background; returns its pid. */
static pid_t relay_start(const char *a1, const char *a2, const char *a3)
{
	pid_t pid = fork();
	int null;

	if (pid == 0) {
		null = open("/dev/null", O_WRONLY);
		if (null >= 0) {
			dup2(null, 1);
			dup2(null, 2);
		}
		execlp("pvhost-ctl", "pvhost-ctl", a1, a2, a3, (char *)NULL);
		_exit(127);
	}
	return pid;
}

static int relay_wait(pid_t pid)
{
	int st;

	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void bench_calls(int runs, int calls, struct series *ping_k,
			struct series *ping_u, struct series *base_u)
{
	double *k = calloc(calls, sizeof(double));
	double *u = calloc(calls, sizeof(double));
	double *b = calloc(calls, sizeof(double));
	int r, i, nk, nb;
	long long ns;
	double t0;

	if (!k || !u || !b)
		exit(1);
	for (r = 0; r < runs; r++) {
		nk = 0;
		nb = 0;
		for (i = 0; i < calls; i++) {
			t0 = now_us();
			dbg("polls");
			b[nb++] = now_us() - t0;
			t0 = now_us();
			ns = dbg("mbox_ping");
			if (ns < 0) {
				ping_k->failed++;
				continue;
			}
			u[nk] = now_us() - t0;
			k[nk++] = ns / 1e3;
		}
		series_run(ping_k, k, nk);
		series_run(ping_u, u, nk);
		series_run(base_u, b, nb);
	}
	free(k);
	free(u);
	free(b);
}

/* Command issued on the host -> the guest took the pressure interrupt. */
static void bench_events(int runs, int events, struct series *ev,
			 struct series *relay)
{
	double *e = calloc(events, sizeof(double));
	double *b = calloc(events, sizeof(double));
	int r, i, ne, nb, spin;
	long long irqs;
	double t0;
	pid_t pid;

	if (!e || !b)
		exit(1);
	for (r = 0; r < runs; r++) {
		ne = 0;
		nb = 0;
		for (i = 0; i < events; i++) {
			t0 = now_us();
			if (relay_wait(relay_start("status", NULL, NULL)) == 0)
				b[nb++] = now_us() - t0;
			else
				relay->failed++;

			irqs = dbg("irqs_pressure");
			t0 = now_us();
			pid = relay_start("pressure", "set",
					  (i & 1) ? "0.75" : "0.25");
			/* bounded: 10 s at most */
			for (spin = 0; spin < 100000; spin++) {
				if (dbg("irqs_pressure") > irqs)
					break;
				usleep(100);
			}
			if (spin < 100000)
				e[ne++] = now_us() - t0;
			else
				ev->failed++;
			relay_wait(pid);
		}
		series_run(ev, e, ne);
		series_run(relay, b, nb);
	}
	free(e);
	free(b);
	relay_wait(relay_start("pressure", "auto", NULL));
}

/* One NUMA hint's round trip, and pvhc_numa_info()'s cost, per sample. */
static void bench_numa(int runs, int hints, struct series *rtt,
		       struct series *info_k, struct series *info_u)
{
	double *h = calloc(hints, sizeof(double));
	double *k = calloc(hints, sizeof(double));
	double *u = calloc(hints, sizeof(double));
	int r, i, nh, nk;
	long long ns;
	double t0;

	if (!h || !k || !u)
		exit(1);
	/* warm-up: the first bind maps the file's resident pages */
	dbg("numa_rtt");
	for (r = 0; r < runs; r++) {
		nh = 0;
		nk = 0;
		for (i = 0; i < hints; i++) {
			ns = dbg("numa_rtt");
			if (ns < 0)
				rtt->failed++;
			else
				h[nh++] = ns / 1e3;
			t0 = now_us();
			ns = dbg("numa_info_ns");
			if (ns < 0) {
				info_k->failed++;
				continue;
			}
			u[nk] = now_us() - t0;
			k[nk++] = ns / 1e3;
		}
		series_run(rtt, h, nh);
		series_run(info_k, k, nk);
		series_run(info_u, u, nk);
	}
	free(h);
	free(k);
	free(u);
}

/*
 * Sum of the counts of the /proc/interrupts lines containing @match, or of
 * every line (timer, IPIs and devices alike: each count is a CPU taken out
 * of what it was doing, or out of idle) when @match is NULL.
 */
static long long irq_count(const char *match)
{
	char line[4096], *p, *end;
	long long sum = 0, v;
	FILE *f = fopen("/proc/interrupts", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (match && !strstr(line, match))
			continue;
		p = strchr(line, ':');
		if (!p)
			continue;
		for (p++;; p = end) {
			v = strtoll(p, &end, 10);
			if (end == p)
				break;
			sum += v;
		}
	}
	fclose(f);
	return sum;
}

static int driver_bind(const char *how)
{
	char path[96];

	snprintf(path, sizeof(path), "/sys/bus/pci/drivers/pvhost/%s", how);
	return pv_write_str(path, dev);
}

struct idle_rates {
	double pvhost_irq, polls, calib, all_irq;
};

static void idle_run(int secs, struct idle_rates *r)
{
	long long i0 = irq_count("pvhost"), p0 = dbg("polls");
	long long c0 = dbg("calib_sent"), a0 = irq_count(NULL);

	sleep(secs);
	r->pvhost_irq = (double)(irq_count("pvhost") - i0) / secs;
	r->polls = (double)(dbg("polls") - p0) / secs;
	r->calib = (double)(dbg("calib_sent") - c0) / secs;
	r->all_irq = (double)(irq_count(NULL) - a0) / secs;
}

/*
 * Nothing running: what pvhost itself costs. The guest's interrupts of
 * every kind are counted with the driver bound, then unbound (the
 * baseline), then it is bound again.
 */
static void bench_idle(int runs, int secs)
{
	double irq_s[64], poll_s[64], cal_s[64], all_s[64], base_s[64];
	struct idle_rates r;
	long long period;
	int i, nbase = 0;

	if (runs > 64)
		runs = 64;
	for (i = 0; i < runs; i++) {
		idle_run(secs, &r);
		irq_s[i] = r.pvhost_irq;
		poll_s[i] = r.polls;
		cal_s[i] = r.calib;
		all_s[i] = r.all_irq;
	}
	period = dbg("calib_period_ms");
	if (!driver_bind("unbind")) {
		for (i = 0; i < runs; i++) {
			idle_run(secs, &r);
			base_s[nbase++] = r.all_irq;
		}
		if (driver_bind("bind"))
			printf("# idle: binding %s again failed\n", dev);
	}
	printf("# idle, %d runs of %d s each way (median; max):\n", runs, secs);
	printf("#   pvhost MSI-X interrupts     %8.2f /s (%.2f)\n",
	       pct(irq_s, runs, 0.5), pct(irq_s, runs, 1));
	printf("#   watchdog runs (deferrable)  %8.2f /s (%.2f)\n",
	       pct(poll_s, runs, 0.5), pct(poll_s, runs, 1));
	printf("#   calibration exchanges       %8.2f /s (%.2f); period now %lld ms\n",
	       pct(cal_s, runs, 0.5), pct(cal_s, runs, 1), period);
	printf("#   guest interrupts, all kinds %8.2f /s (%.2f) with pvhost bound\n",
	       pct(all_s, runs, 0.5), pct(all_s, runs, 1));
	if (nbase)
		printf("#   baseline, pvhost unbound    %8.2f /s (%.2f); bound / unbound %.2f\n",
		       pct(base_s, nbase, 0.5), pct(base_s, nbase, 1),
		       pct(base_s, nbase, 0.5) > 0 ?
		       pct(all_s, runs, 0.5) / pct(base_s, nbase, 0.5) : 0);
	else
		printf("#   baseline: unbinding %s failed\n", dev);
}

static int read_file(const char *name, char *buf, size_t len)
{
	char path[192];
	ssize_t n;

	snprintf(path, sizeof(path), DBG "/%s/%s", dev, name);
	n = pv_read_file(path, buf, len);
	return n < 0 ? n : 0;
}

/* boost_seq and boost_ack of one vCPU from the vcpus file. */
static int boost_state(int cpu, unsigned int *seq, unsigned int *ack)
{
	char buf[4096], key[16], *p;

	if (read_file("vcpus", buf, sizeof(buf)))
		return -1;
	snprintf(key, sizeof(key), "cpu=%d ", cpu);
	p = strstr(buf, key);
	if (!p)
		return -1;
	p = strstr(p, "boost_seq=");
	if (!p || sscanf(p, "boost_seq=%u boost_ack=%u", seq, ack) != 2)
		return -1;
	return 0;
}

static void bench_preempted(int runs, struct series *pvhc, struct series *op,
			    struct series *base)
{
	double a[16], b[16], c[16];
	unsigned long long calls, t_pvhc, t_op, t_pc;
	char buf[256];
	int r, i;

	for (r = 0; r < runs; r++) {
		read_file("preempted_loop", buf, sizeof(buf));	/* warm-up */
		for (i = 0; i < 16; i++) {
			if (read_file("preempted_loop", buf, sizeof(buf)) ||
			    sscanf(buf, "calls=%llu pvhc_ns=%llu op_ns=%llu percpu_ns=%llu",
				   &calls, &t_pvhc, &t_op, &t_pc) != 4 || !calls) {
				pvhc->failed++;
				return;
			}
			a[i] = (double)t_pvhc / calls;
			b[i] = (double)t_op / calls;
			c[i] = (double)t_pc / calls;
		}
		series_run(pvhc, a, 16);
		series_run(op, b, 16);
		series_run(base, c, 16);
	}
}

static void bench_boost(int runs, int boosts, struct series *rt,
			struct series *base)
{
	double *v = calloc(boosts, sizeof(double));
	double *w = calloc(boosts, sizeof(double));
	unsigned int seq, ack;
	char path[192];
	int r, i, n, cpu = 1;
	double t0, t1;

	snprintf(path, sizeof(path), DBG "/%s/boost", dev);
	for (r = 0; r < runs; r++) {
		if (!v || !w)
			break;
		for (i = 0, n = 0; i < boosts; i++) {
			t0 = now_us();
			boost_state(cpu, &seq, &ack);
			w[n] = now_us() - t0;
			t0 = now_us();
			if (pv_write_str(path, "1 1")) {
				rt->failed++;
				continue;
			}
			do {
				t1 = now_us();
				if (boost_state(cpu, &seq, &ack))
					break;
			} while (ack != seq && t1 - t0 < 1e6);
			if (ack != seq)
				rt->failed++;	/* refused (host policy) or lost */
			else
				v[n++] = t1 - t0;
			pv_write_str(path, "1 0");
			/* past the host's cooldown (3 x the time held) */
			usleep((useconds_t)(4 * (now_us() - t0)) + 20000);
		}
		series_run(rt, v, n);
		series_run(base, w, n);
	}
	free(v);
	free(w);
}

/* pvhostd's CPU time and vCPU ticks, from pvhost-ctl vcpu status. */
static int host_cpu(unsigned long long *cpu_us, unsigned long long *ticks,
		    unsigned int *poll_ms)
{
	static char out[16384];
	char *p;

	if (pv_host_ctl(out, sizeof(out), "vcpu status"))
		return -1;
	p = strstr(out, "cpu_us=");
	if (!p || sscanf(p, "cpu_us=%llu\nvcpu_ticks=%llu\npoll_ms=%u", cpu_us,
			 ticks, poll_ms) != 3)
		return -1;
	return 0;
}

static void bench_host_idle(int runs, int secs)
{
	unsigned long long c0, c1, k0, k1;
	unsigned int poll_ms = 0;
	int r;

	printf("# idle: pvhostd CPU over %d s with the guest idle (relay calls included)\n",
	       secs);
	for (r = 0; r < runs; r++) {
		if (host_cpu(&c0, &k0, &poll_ms)) {
			printf("# idle: no relay or no vCPU service\n");
			return;
		}
		sleep(secs);
		if (host_cpu(&c1, &k1, &poll_ms) || k1 == k0)
			return;
		printf("# idle run %d: %.2f ms CPU per s (%.2f%% of a core), %.1f us per tick,",
		       r + 1, (c1 - c0) / 1e3 / secs, (c1 - c0) / 1e4 / secs,
		       (double)(c1 - c0) / (k1 - k0));
		printf(" %llu ticks of %u ms\n", k1 - k0, poll_ms);
	}
}

/* The vCPU service: skipped when the host does not serve it. */
static void bench_vcpu(int runs, int boosts, int idle)
{
	struct series pv, op, pc, bt, br;
	char buf[64];

	if (read_file("vcpus", buf, sizeof(buf))) {
		printf("# vcpu: no preempted flags or boost from this host\n");
		return;
	}
	series_init(&pv, "preempted: pvhc_vcpu_preempted()", runs * 16);
	series_init(&op, "preempted: pvhost op alone", runs * 16);
	series_init(&pc, "baseline: per-CPU read", runs * 16);
	series_init(&bt, "boost: write -> boost_ack seen", runs * boosts + 1);
	series_init(&br, "baseline: one vcpus file read", runs * boosts + 1);
	bench_preempted(runs, &pv, &op, &pc);
	if (boosts)
		bench_boost(runs, boosts, &bt, &br);
	printf("# vcpu: ns per call (16 loops of 65536 a run); boost in us\n");
	printf("# %-34s %6s %10s %10s %22s\n", "figure", "n", "median", "p99",
	       "run medians");
	series_row(&pc, NULL);
	series_row(&op, &pc);
	series_row(&pv, &pc);
	if (boosts) {
		series_row(&br, NULL);
		series_row(&bt, &br);
	}
	bench_host_idle(runs < 3 ? runs : 3, idle);
}

int main(int argc, char **argv)
{
	int runs = 5, calls = 200, events = 20, idle = 10, hints = 20;
	int boosts = 20, c;
	struct series pk, pu, bu, ev, rl, nr, nik, niu;
	char mode[32] = "?";
	FILE *f;
	char path[192];

	while ((c = getopt(argc, argv, "r:n:e:i:h:b:")) != -1) {
		switch (c) {
		case 'r':
			runs = atoi(optarg);
			break;
		case 'n':
			calls = atoi(optarg);
			break;
		case 'e':
			events = atoi(optarg);
			break;
		case 'i':
			idle = atoi(optarg);
			break;
		case 'h':
			hints = atoi(optarg);
			break;
		case 'b':
			boosts = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: %s [-r RUNS] [-n CALLS] [-e EVENTS] %s\n",
				argv[0], "[-i IDLE_S] [-h HINTS] [-b BOOSTS]");
			return 2;
		}
	}
	if (runs < 1 || runs > 64 || calls < 1 || events < 0 || idle < 1 ||
	    hints < 0 || boosts < 0) {
		fprintf(stderr, "pvhost_bench: %s\n",
			"runs 1..64, calls >= 1, events >= 0, idle >= 1, hints >= 0, boosts >= 0");
		return 2;
	}
	/* Framed as a TAP document by the lane: one result, "it ran". */
	printf("TAP version 13\n1..1\n");
	if (pv_pvhost_device(dev, sizeof(dev))) {
		printf("ok 1 - pvhost_bench # SKIP no pvhost device bound\n");
		return 0;
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/mode", dev);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%31s", mode) != 1)
			mode[0] = '\0';
		fclose(f);
	}

	series_init(&pk, "call: PING round trip, in driver", runs * calls);
	series_init(&pu, "call: PING read, from userspace", runs * calls);
	series_init(&bu, "baseline: debugfs counter read", runs * calls);
	series_init(&ev, "event: pressure set -> guest irq", runs * events + 1);
	series_init(&rl, "baseline: relay round trip", runs * events + 1);
	series_init(&nr, "numa: hint -> answer, in driver", runs * hints + 1);
	series_init(&nik, "numa: pvhc_numa_info, in driver", runs * hints + 1);
	series_init(&niu, "numa: numa_info_ns read, userspace", runs * hints + 1);

	bench_calls(runs, calls, &pk, &pu, &bu);
	if (events)
		bench_events(runs, events, &ev, &rl);
	if (hints && dbg("numa_info_ns") >= 0)
		bench_numa(runs, hints, &nr, &nik, &niu);

	printf("# pvhost benchmark under QEMU TCG (no KVM): device %s, mode %s\n",
	       dev, mode);
	printf("# %d runs; %d calls, %d events and %d hints per run; microseconds\n",
	       runs, calls, events, hints);
	printf("# %-34s %6s %10s %10s %22s\n", "figure", "n", "median", "p99",
	       "run medians");
	series_row(&bu, NULL);
	series_row(&pu, &bu);
	series_row(&pk, &bu);
	if (events) {
		series_row(&rl, NULL);
		series_row(&ev, &rl);
	}
	if (nr.n || nik.n) {
		series_row(&nr, &pk);
		series_row(&nik, &pk);
		series_row(&niu, &bu);
	}
	bench_idle(runs < 3 ? runs : 3, idle);
	bench_vcpu(runs, boosts, idle);
	printf("ok 1 - pvhost_bench\n");
	return 0;
}
