// SPDX-License-Identifier: GPL-2.0
/*
 * pvlock-watch SECONDS [THREADS]: what /dev/pvspinlock shows while THREADS
 * threads (default: one per online CPU) fight over one pvlock.h mutex. A
 * line every 200 ms: each vCPU's state (R running, P preempted, ? unknown,
 * - offline), then the share of looks that found each vCPU preempted and
 * the mutex's count, which must equal what the threads did.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "pvlock.h"

static struct pvlock_mutex m = PVLOCK_MUTEX_INITIALIZER;
static unsigned long counter, done_ops[64];
static int stop;

static void *fn(void *arg)
{
	long id = (long)arg;
	int j, n = (int)sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(id % n, &set);
	sched_setaffinity(0, sizeof(set), &set);
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		pvlock_mutex_lock(&m);
		for (j = 0; j < 50; j++)
			pvlock_cpu_relax();
		counter++;
		pvlock_mutex_unlock(&m);
		done_ops[id]++;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int secs = argc > 1 ? atoi(argv[1]) : 3;
	int threads = argc > 2 ? atoi(argv[2]) :
		      (int)sysconf(_SC_NPROCESSORS_ONLN);
	static const char sym[] = "RP?-";
	const struct pvspinlock_page *p = pvlock_open();
	unsigned long looks = 0, pre[64] = { 0 }, total = 0;
	pthread_t tid[64];
	unsigned int cpu, nr;
	int i, t;

	if (!p) {
		printf("no /dev/pvspinlock\n");
		return 1;
	}
	if (secs < 1 || secs > 60 || threads < 1 || threads > 64)
		return 2;
	nr = p->nr_vcpus < 64 ? p->nr_vcpus : 64;
	printf("page: %u vCPUs, generation %u, facts %s\n", p->nr_vcpus,
	       p->generation, p->flags & PVSPINLOCK_F_LIVE ? "live" : "none");
	for (i = 0; i < threads; i++)
		pthread_create(&tid[i], NULL, fn, (void *)(long)i);
	for (t = 0; t < secs * 50; t++) {
		char line[72];

		for (cpu = 0; cpu < nr; cpu++) {
			int s = pvlock_vcpu_state(cpu);

			line[cpu] = sym[s & 3];
			pre[cpu] += s == PVSPINLOCK_PREEMPTED;
		}
		line[nr] = '\0';
		looks++;
		if (!(t % 10))
			printf("  %5.1f s  %s\n", t / 50.0, line);
		usleep(20000);
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < threads; i++) {
		pthread_join(tid[i], NULL);
		total += done_ops[i];
	}
	printf("preempted in");
	for (cpu = 0; cpu < nr; cpu++)
		printf(" cpu%u %lu%%", cpu, pre[cpu] * 100 / looks);
	printf(" of %lu looks\n", looks);
	printf("mutex: %lu acquisitions by %d threads, counter %lu: %s\n",
	       total, threads, counter, total == counter ? "exact" : "WRONG");
	return total != counter;
}
