// SPDX-License-Identifier: GPL-2.0
/*
 * pvspinlock benchmark: each lock against its stock counterpart, in one
 * guest, in the same run.
 *
 *   kernel   spinlock_t vs struct pvspinlock, struct mutex vs struct pvmutex
 *            (kthreads of pvspinlock's torture, debugfs)
 *   user     glibc's adaptive pthread_mutex vs pvlock.h's pvlock_mutex
 *            (threads of this process)
 *
 * Three settings: uncontended (one thread), 1:1 (as many busy threads as
 * the host has cores for this guest, no hog) and overcommit (a thread on
 * every vCPU and a CPU hog on the host through the lane's relay, so the
 * host preempts vCPU threads). Each thread takes the lock, bumps a shared
 * counter over a short section (CS turns of cpu_relax), lets go.
 *
 * Figures: throughput (acquisitions per second of guest time), p50/p99
 * acquire latency, and the host CPU time QEMU burnt per acquisition,
 * spinning included (the relay's cputime; the guest's busy time from
 * /proc/stat where there is no relay). Each
 * pair runs ROUNDS times, stock and pv alternating; the ratio pv/stock is
 * taken per round and the median and range of the ratios are reported.
 * Under TCG only ratios within this run mean anything.
 *
 *   pvlock_bench [ROUNDS [ITERATIONS]]
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pv_sysfs.h"
#include "pvlock.h"

#define TORTURE		"/sys/kernel/debug/pvspinlock/torture"
#define MAX_THREADS	16
#define MAX_ROUNDS	9
#define SAMPLES		4096	/* latencies kept per thread */
#define CS		50	/* cpu_relax() turns inside the section */

/* What the torture file reads back, from its counter on. */
#define K_FMT	"counter=%llu expected=%llu violations=%llu " \
		"elapsed_ns=%llu wait_p50_ns=%llu wait_p99_ns=%llu"
#define ROW_FMT	"# %-11s %-8s %2d thr %12.0f ops/s  p50 %9.0f ns  " \
		"p99 %11.0f ns  cpu %9.0f ns/op\n"
#define RATIO_FMT "# %-11s %s/%s: throughput x%.2f (%.2f..%.2f), " \
		"p50 x%.2f, p99 x%.2f, cpu/op x%.2f\n"

struct result {
	double ops_s;		/* acquisitions per second */
	double p50_ns, p99_ns;	/* acquire latency */
	double cpu_ns;		/* guest CPU time per acquisition */
	int ok;			/* counter exact, no violation */
};

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Busy time of all CPUs in ns, from /proc/stat's first line. */
static double busy_ns(void)
{
	unsigned long long v[8] = { 0 };
	char buf[256];
	long hz = sysconf(_SC_CLK_TCK);

	if (pv_read_line("/proc/stat", buf, sizeof(buf)) ||
	    sscanf(buf, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
		   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) < 7)
		return 0;
	/* user nice system (idle iowait) irq softirq steal */
	return (double)(v[0] + v[1] + v[2] + v[5] + v[6]) * 1e9 / hz;
}

/*
 * QEMU's CPU time on the host, in ns, through the lane's relay: under TCG
 * the guest counts a preempted vCPU's time as its own, so the host's
 * count is the one that shows what spinning burns. 0 without a relay.
 */
static double host_ns(void)
{
	unsigned long long ms;
	char line[64];
	int ok = 0;
	FILE *f;

	f = popen("pvhost-ctl cputime 2>/dev/null", "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		ok |= sscanf(line, "qemu_cpu_ms=%llu", &ms) == 1;
	if (pclose(f) || !ok)
		return 0;
	return (double)ms * 1e6;
}

static int use_host;	/* CPU time from the host, else the guest's busy time */

static double cpu_now(void)
{
	return use_host ? host_ns() : busy_ns();
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* ---- user space: pthread adaptive vs pvlock ---- */

enum ukind { U_PTHREAD, U_PVLOCK };

struct urun {
	enum ukind kind;
	pthread_mutex_t pm;
	struct pvlock_mutex vm;
	pthread_barrier_t go;
	unsigned long counter;
	int inside;
	unsigned long violations;
	unsigned int iters;
	int nr_cpus;
};

struct uthread {
	struct urun *r;
	int id;
	long long *lat;
	unsigned int nr;
};

static void *u_fn(void *arg)
{
	struct uthread *t = arg;
	struct urun *r = t->r;
	unsigned int i, j, stride = r->iters / SAMPLES ? r->iters / SAMPLES : 1;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(t->id % r->nr_cpus, &set);
	sched_setaffinity(0, sizeof(set), &set);
	pthread_barrier_wait(&r->go);
	for (i = 0; i < r->iters; i++) {
		long long t0 = 0;
		unsigned long v;

		if (!(i % stride))
			t0 = now_ns();
		if (r->kind == U_PTHREAD)
			pthread_mutex_lock(&r->pm);
		else
			pvlock_mutex_lock(&r->vm);
		if (t0 && t->nr < SAMPLES)
			t->lat[t->nr++] = now_ns() - t0;
		if (__atomic_add_fetch(&r->inside, 1, __ATOMIC_RELAXED) != 1)
			r->violations++;
		v = r->counter;
		for (j = 0; j < CS; j++)
			pvlock_cpu_relax();
		r->counter = v + 1;
		__atomic_sub_fetch(&r->inside, 1, __ATOMIC_RELAXED);
		if (r->kind == U_PTHREAD)
			pthread_mutex_unlock(&r->pm);
		else
			pvlock_mutex_unlock(&r->vm);
	}
	return NULL;
}

static int u_run(enum ukind kind, int threads, unsigned int iters,
		 struct result *res)
{
	static long long lat[MAX_THREADS * SAMPLES];
	struct uthread th[MAX_THREADS];
	pthread_t tid[MAX_THREADS];
	pthread_mutexattr_t a;
	struct urun r;
	long long t0, t1;
	double c0, c1;
	size_t n = 0;
	int i;

	memset(&r, 0, sizeof(r));
	r.kind = kind;
	r.iters = iters;
	r.nr_cpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ADAPTIVE_NP);
	pthread_mutex_init(&r.pm, &a);
	pvlock_mutex_init(&r.vm);
	pthread_barrier_init(&r.go, NULL, threads + 1);
	for (i = 0; i < threads; i++) {
		th[i].r = &r;
		th[i].id = i;
		th[i].lat = lat + (size_t)i * SAMPLES;
		th[i].nr = 0;
		if (pthread_create(&tid[i], NULL, u_fn, &th[i]))
			return -1;
	}
	c0 = cpu_now();
	t0 = now_ns();
	pthread_barrier_wait(&r.go);
	for (i = 0; i < threads; i++)
		pthread_join(tid[i], NULL);
	t1 = now_ns();
	c1 = cpu_now();
	for (i = 0; i < threads; i++) {
		memmove(lat + n, th[i].lat, th[i].nr * sizeof(*lat));
		n += th[i].nr;
	}
	qsort(lat, n, sizeof(*lat), cmp_ll);
	res->ops_s = (double)threads * iters * 1e9 / (double)(t1 - t0);
	res->p50_ns = n ? (double)lat[n / 2] : 0;
	res->p99_ns = n ? (double)lat[n * 99 / 100] : 0;
	res->cpu_ns = (c1 - c0) / ((double)threads * iters);
	res->ok = r.counter == (unsigned long)threads * iters && !r.violations;
	pthread_barrier_destroy(&r.go);
	pthread_mutex_destroy(&r.pm);
	return 0;
}

/* ---- the kernel: pvspinlock's torture through debugfs ---- */

static int k_run(const char *kind, int threads, unsigned int iters,
		 struct result *res)
{
	unsigned long long counter, expected, viol, el, p50, p99;
	char cmd[64], out[512], *s;
	double c0, c1;

	snprintf(cmd, sizeof(cmd), "%s %d %u %d", kind, threads, iters, CS);
	c0 = cpu_now();
	if (pv_write_str(TORTURE, cmd))
		return -1;
	c1 = cpu_now();
	if (pv_read_line(TORTURE, out, sizeof(out)))
		return -1;
	s = strstr(out, "counter=");
	if (!s || sscanf(s, K_FMT, &counter, &expected, &viol, &el, &p50,
			 &p99) != 6 || !el)
		return -1;
	res->ops_s = (double)expected * 1e9 / (double)el;
	res->p50_ns = (double)p50;
	res->p99_ns = (double)p99;
	res->cpu_ns = (c1 - c0) / (double)expected;
	res->ok = counter == expected && !viol;
	return 0;
}

/* ---- pairs ---- */

struct pair {
	const char *stock, *pv;		/* names; kernel torture kinds */
	int user;
};

static const struct pair pairs[] = {
	{ "spinlock", "spin", 0 },
	{ "mutex", "pvmutex", 0 },
	{ "pthread", "pvlock", 1 },
	{ NULL, NULL, 0 }
};

static int run_one(const struct pair *p, int pv, int threads,
		   unsigned int iters, struct result *r)
{
	if (p->user)
		return u_run(pv ? U_PVLOCK : U_PTHREAD, threads, iters, r);
	return k_run(pv ? p->pv : p->stock, threads, iters, r);
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_d);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int failures;

/* ROUNDS alternating runs of a pair; print both and the ratios. */
static void bench_pair(const char *setting, const struct pair *p, int threads,
		       unsigned int iters, int rounds)
{
	struct result r[2][MAX_ROUNDS];
	double tp[MAX_ROUNDS], l50[MAX_ROUNDS], l99[MAX_ROUNDS],
	       cpu[MAX_ROUNDS], m[2][4], v[MAX_ROUNDS];
	int i, k, q;

	for (i = 0; i < rounds; i++) {
		for (k = 0; k < 2; k++) {
			/* alternate which goes first */
			int pv = (i + k) % 2;

			if (run_one(p, pv, threads, iters, &r[pv][i])) {
				printf("# %s %s: run failed: %s\n", setting,
				       pv ? p->pv : p->stock, strerror(errno));
				failures++;
				return;
			}
			if (!r[pv][i].ok) {
				printf("# %s %s: counter wrong or two inside\n",
				       setting, pv ? p->pv : p->stock);
				failures++;
			}
		}
		tp[i] = r[1][i].ops_s / r[0][i].ops_s;
		l50[i] = r[1][i].p50_ns / (r[0][i].p50_ns ? r[0][i].p50_ns : 1);
		l99[i] = r[1][i].p99_ns / (r[0][i].p99_ns ? r[0][i].p99_ns : 1);
		cpu[i] = r[1][i].cpu_ns / (r[0][i].cpu_ns ? r[0][i].cpu_ns : 1);
	}
	for (k = 0; k < 2; k++) {
		for (q = 0; q < 4; q++) {
			for (i = 0; i < rounds; i++)
				v[i] = q == 0 ? r[k][i].ops_s :
				       q == 1 ? r[k][i].p50_ns :
				       q == 2 ? r[k][i].p99_ns : r[k][i].cpu_ns;
			m[k][q] = median(v, rounds);
		}
		printf(ROW_FMT, setting, k ? p->pv : p->stock, threads, m[k][0],
		       m[k][1], m[k][2], m[k][3]);
	}
	{
		double lo = 1e300, hi = 0;

		for (i = 0; i < rounds; i++) {
			lo = tp[i] < lo ? tp[i] : lo;
			hi = tp[i] > hi ? tp[i] : hi;
		}
		printf(RATIO_FMT, setting, p->pv, p->stock, median(tp, rounds), lo, hi,
		       median(l50, rounds), median(l99, rounds),
		       median(cpu, rounds));
	}
}

static int host_ctl(const char *args)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "pvhost-ctl %s >/dev/null 2>&1", args);
	return system(cmd);
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 3;
	unsigned int iters = argc > 2 ? (unsigned int)atoi(argv[2]) : 2000;
	int ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN), host_cores = 2;
	char src[32] = "?";
	unsigned int i;

	printf("TAP version 13\n1..1\n");
	if (rounds < 1 || rounds > MAX_ROUNDS || iters < 100 ||
	    iters > 1000000) {
		printf("not ok 1 - pvlock_bench # usage: %s\n",
		       "pvlock_bench [ROUNDS 1..9 [ITERATIONS 100..1000000]]");
		return 1;
	}
	if (access(TORTURE, W_OK)) {
		printf("not ok 1 - pvlock_bench # no %s\n", TORTURE);
		return 1;
	}
	pv_read_line("/sys/kernel/pvspinlock/preempted_source", src,
		     sizeof(src));
	printf("# pvlock_bench: TCG guest, %d vCPUs on %d host cores, ",
	       ncpu, host_cores);
	printf("preempted facts from %s, /dev/pvspinlock %s\n", src,
	       pvlock_open() ? "mapped" : "absent");
	printf("# pvlock_bench: %d rounds, stock and pv alternating; ",
	       rounds);
	printf("section %d cpu_relax; ratios pv/stock, median (range)\n", CS);
	use_host = host_ns() > 0;
	printf("# pvlock_bench: cpu = %s per acquisition\n",
	       use_host ? "QEMU's host CPU time (pvhost-ctl cputime)" :
	       "the guest's busy time (/proc/stat; no relay)");
	/* warm-up */
	for (i = 0; pairs[i].stock; i++) {
		struct result r;

		run_one(&pairs[i], 0, 1, 1000, &r);
		run_one(&pairs[i], 1, 1, 1000, &r);
	}

	for (i = 0; pairs[i].stock; i++)
		bench_pair("uncontended", &pairs[i], 1, iters * 10, rounds);
	for (i = 0; pairs[i].stock; i++)
		bench_pair("1:1", &pairs[i], host_cores, iters, rounds);
	if (host_ctl("hog 2 300"))
		printf("# overcommit: no host hog (no relay): vCPUs only\n");
	for (i = 0; pairs[i].stock; i++)
		bench_pair("overcommit", &pairs[i], ncpu, iters, rounds);
	host_ctl("hog stop");
	if (failures)
		printf("not ok 1 - pvlock_bench # %d failures\n", failures);
	else
		printf("ok 1 - pvlock_bench\n");
	return failures != 0;
}
