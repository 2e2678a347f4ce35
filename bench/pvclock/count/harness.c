// SPDX-License-Identifier: GPL-2.0
/*
 * pvclock's read path and the kernel's in-tree reader, built for
 * userspace from the module's own sources (pvclock/pvclock_internal.h,
 * pvclock/read.c, pvclock/pvclock_intree.h over the kernel's
 * <asm/pvclock.h>) with the small stand-ins in shim/.
 *
 *   harness count READER STABLE THREADS READS
 *	READER pvclock or in-tree; STABLE 1 or 0 (the record's
 *	PVCLOCK_TSC_STABLE_BIT); THREADS vCPUs, each a thread with a
 *	record and a reader state of its own, records 1.5 us apart. The TSC
 *	is a counter stepped 30 ticks (30 ns) per read, so that a run under
 *	valgrind --tool=callgrind --toggle-collect='read_*' counts the same
 *	instructions whatever the machine's load.
 *   harness time ROUNDS READS
 *	ns per read on the real TSC, every reader and record kind in turn
 *	within each round, 1 thread and then one per CPU, pinned.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../../pvclock/pvclock_internal.h"
#include "../../../pvclock/pvclock_intree.h"

#define noinline	__attribute__((__noinline__))
#define __aligned(n)	__attribute__((__aligned__(n)))

#define QUANTUM_NS	1000	/* the module's default guard_quantum_ns */
#define MAX_THREADS	64

u64 harness_fake_tsc;
u64 harness_fake_step = 30;

void pvclock_stopped_touch(void)
{
}

struct vcpu {
	struct pvclock_cpu c;
	struct pvclock_vcpu_time_info rec;
	int cpu;
	long reads;
	int intree;
	double ns;
} __aligned(64);

static struct vcpu vcpus[MAX_THREADS];
static struct pvclock_guard guard;
static atomic64_t intree_last;
static u64 sink;
static pthread_barrier_t start;

/*
 * This thread's vCPU, as the kernel finds the CPU's: a thread-local
 * pointer, one load, as this_cpu_read(hv_clock_per_cpu) in
 * kvm_clock_read() (this_cpu_ptr() in pvclock_now() is one more add).
 */
static __thread struct pvclock_cpu *this_c;
static __thread struct pvclock_vcpu_time_info *this_pvti;

/* The two readers, out of line: callgrind counts inside these only. */
noinline u64 read_pvclock(void)
{
	return __pvclock_read(this_c, NULL, &guard);
}

noinline u64 read_intree(void)
{
	return pvclock_intree_read(this_pvti, &intree_last);
}

static void setup(int n, int stable)
{
	u64 tsc = rdtsc_ordered();
	int i;

	memset(vcpus, 0, sizeof(vcpus));
	memset(&guard, 0, sizeof(guard));
	guard.quantum = QUANTUM_NS;
	guard.window = 10000000;
	atomic64_set(&intree_last, 0);
	for (i = 0; i < n; i++) {
		struct vcpu *v = &vcpus[i];

		v->rec.version = 2;
		v->rec.tsc_timestamp = tsc;
		v->rec.system_time = 1000000000ULL + i * 1500;
		v->rec.tsc_to_system_mul = 0x80000000;	/* 1 ns a tick */
		v->rec.tsc_shift = 1;
		v->rec.flags = stable ? PVCLOCK_TSC_STABLE_BIT : 0;
		pvclock_cpu_init(&v->c);
		v->c.rec = &v->rec;
		/* The first read takes the record: out of what is counted. */
		sink += __pvclock_read(&v->c, NULL, &guard);
	}
}

static void *run(void *arg)
{
	struct vcpu *v = arg;
	struct timespec t0, t1;
	u64 s = 0;
	long i;

	if (v->cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(v->cpu, &set);
		pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	}
	this_c = &v->c;
	this_pvti = &v->rec;
	pthread_barrier_wait(&start);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (v->intree)
		for (i = 0; i < v->reads; i++)
			s += read_intree();
	else
		for (i = 0; i < v->reads; i++)
			s += read_pvclock();
	clock_gettime(CLOCK_MONOTONIC, &t1);
	v->ns = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) /
		v->reads;
	__atomic_fetch_add(&sink, s, __ATOMIC_RELAXED);
	return NULL;
}

/* @n threads of @reads reads each; the mean of their ns per read. */
static double go(int n, int intree, long reads, int pin)
{
	pthread_t t[MAX_THREADS];
	double sum = 0;
	int i;

	pthread_barrier_init(&start, NULL, n);
	for (i = 0; i < n; i++) {
		vcpus[i].intree = intree;
		vcpus[i].reads = reads;
		vcpus[i].cpu = pin ? i : -1;
		pthread_create(&t[i], NULL, run, &vcpus[i]);
	}
	for (i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		sum += vcpus[i].ns;
	}
	pthread_barrier_destroy(&start);
	return sum / n;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int timing(int rounds, long reads)
{
	static const char * const names[] = { "pvclock", "in-tree" };
	int ncpu = sysconf(_SC_NPROCESSORS_ONLN), nth[2] = { 1, ncpu };
	double *ns = calloc((size_t)rounds * 8, sizeof(*ns));
	int r, k, stable, intree, c;

	if (!ns || ncpu > MAX_THREADS)
		return 1;
	for (r = 0; r < rounds; r++)
		for (k = 0; k < 8; k++) {
			/* Interleaved: every kind once per round. */
			stable = k & 1;
			intree = (k >> 1) & 1;
			c = k >> 2;
			setup(nth[c], stable);
			ns[k * rounds + r] = go(nth[c], intree, reads, 1);
		}
	printf("%-8s %-8s %7s %10s %10s %10s\n", "reader", "record", "threads",
	       "median_ns", "min_ns", "max_ns");
	for (k = 0; k < 8; k++) {
		double *a = ns + k * rounds;

		qsort(a, rounds, sizeof(*a), cmp);
		printf("%-8s %-8s %7d %10.2f %10.2f %10.2f\n",
		       names[(k >> 1) & 1], k & 1 ? "stable" : "unstable",
		       nth[k >> 2], a[rounds / 2], a[0], a[rounds - 1]);
	}
	free(ns);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 6 && !strcmp(argv[1], "count")) {
		int stable = atoi(argv[3]), n = atoi(argv[4]);
		int intree = !strcmp(argv[2], "in-tree");

		if (n < 1 || n > MAX_THREADS ||
		    (!intree && strcmp(argv[2], "pvclock")))
			return 2;
		harness_fake_tsc = 1;
		setup(n, stable);
		go(n, intree, atol(argv[5]), 0);
		/* The guard did its work: the mark moved with the reads. */
		printf("reads %ld last %lld intree_last %lld clamps %ld\n",
		       atol(argv[5]) * n, (long long)atomic64_read(&guard.last),
		       (long long)atomic64_read(&intree_last),
		       local_read(&vcpus[n - 1].c.clamps));
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "time"))
		return timing(atoi(argv[2]), atol(argv[3]));
	fprintf(stderr,
		"usage: harness count pvclock|in-tree 0|1 THREADS READS\n"
		"       harness time ROUNDS READS\n");
	return 2;
}
