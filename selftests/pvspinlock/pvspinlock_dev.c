// SPDX-License-Identifier: GPL-2.0
/*
 * pvspinlock selftest: /dev/pvspinlock and the pvlock.h library.
 *
 * The page maps read-only and nothing makes it writable (PROT_WRITE,
 * mprotect(), a write open, a store); it shows this guest's CPUs, is
 * refreshed while mapped, and, where pvhostd serves the facts, shows vCPUs
 * the host really preempted while the host is overcommitted (a CPU hog on
 * the host through the lane's relay). The library's mutex keeps threads
 * out of each other's section, with honest flags, with a host that
 * reports garbage, and with every vCPU of this guest busy. A CPU going
 * offline is a new generation. The module refuses to unload while the
 * page is mapped, and unloads and loads again once it is not.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "pv_host.h"
#include "pv_sysfs.h"
#include "pvlock.h"

/* The harness's fork child in its wrapper: not clobbered (see pvhost_hostile.c). */
#pragma GCC diagnostic ignored "-Wclobbered"

#define SRC	"/sys/kernel/pvspinlock/preempted_source"

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static const struct pvspinlock_page *map_page(int *fd)
{
	void *p;

	*fd = open(PVSPINLOCK_DEV_PATH, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return NULL;
	p = mmap(NULL, PVSPINLOCK_PAGE_SIZE, PROT_READ, MAP_SHARED, *fd, 0);
	return p == MAP_FAILED ? NULL : p;
}

static int online_cpus(void)
{
	return (int)sysconf(_SC_NPROCESSORS_ONLN);
}

/* ---- the library's mutex: N threads, a plain shared counter ---- */

struct mx_run {
	struct pvlock_mutex m;
	int inside;
	unsigned long counter;		/* read, then written: no atomics */
	unsigned long violations;
	unsigned int iterations;
	unsigned int cs;
	int nr_cpus;
};

struct mx_thread {
	struct mx_run *run;
	int id;
};

static void *mx_fn(void *arg)
{
	struct mx_thread *t = arg;
	struct mx_run *r = t->run;
	cpu_set_t set;
	unsigned int i, j;

	CPU_ZERO(&set);
	CPU_SET(t->id % r->nr_cpus, &set);
	sched_setaffinity(0, sizeof(set), &set);
	for (i = 0; i < r->iterations; i++) {
		unsigned long v;

		pvlock_mutex_lock(&r->m);
		if (__atomic_add_fetch(&r->inside, 1, __ATOMIC_RELAXED) != 1)
			r->violations++;
		v = r->counter;
		for (j = 0; j < r->cs; j++)
			pvlock_cpu_relax();
		r->counter = v + 1;
		__atomic_sub_fetch(&r->inside, 1, __ATOMIC_RELAXED);
		pvlock_mutex_unlock(&r->m);
	}
	return NULL;
}

/* @threads threads, @iters each: the counter must be exact. */
static void mx_torture(struct __test_metadata *_metadata, int threads,
		       unsigned int iters, unsigned int cs)
{
	struct mx_run r = { .m = PVLOCK_MUTEX_INITIALIZER };
	pthread_t tid[64];
	struct mx_thread th[64];
	int i;

	ASSERT_LE(threads, 64);
	r.iterations = iters;
	r.cs = cs;
	r.nr_cpus = online_cpus();
	for (i = 0; i < threads; i++) {
		th[i].run = &r;
		th[i].id = i;
		ASSERT_EQ(0, pthread_create(&tid[i], NULL, mx_fn, &th[i]));
	}
	for (i = 0; i < threads; i++)
		pthread_join(tid[i], NULL);
	EXPECT_EQ((unsigned long)threads * iters, r.counter);
	EXPECT_EQ(0UL, r.violations);
	EXPECT_EQ(0U, r.m.word);
}

/* ---- busy threads: keep every vCPU of this guest running ---- */

static int busy_stop;

static void *busy_fn(void *arg)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET((int)(long)arg, &set);
	sched_setaffinity(0, sizeof(set), &set);
	while (!__atomic_load_n(&busy_stop, __ATOMIC_RELAXED))
		pvlock_cpu_relax();
	return NULL;
}

FIXTURE(dev) {
	const struct pvspinlock_page *p;
	int fd;
};

FIXTURE_SETUP(dev)
{
	self->p = map_page(&self->fd);
	ASSERT_NE(NULL, self->p)
		TH_LOG("mapping %s: %s", PVSPINLOCK_DEV_PATH, strerror(errno));
}

FIXTURE_TEARDOWN(dev)
{
	if (self->p)
		munmap((void *)self->p, PVSPINLOCK_PAGE_SIZE);
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(dev, header)
{
	const struct pvspinlock_page *p = self->p;
	char possible[32];
	unsigned int lo = 0, hi = 0, cpu;

	EXPECT_EQ(PVSPINLOCK_MAGIC, p->magic);
	EXPECT_EQ(PVSPINLOCK_ABI_VERSION, p->version);
	EXPECT_EQ(PVSPINLOCK_STATE_OFFSET, p->state_offset);
	EXPECT_EQ(0U, p->generation % 2);
	/* This guest's CPU ids, no more. */
	ASSERT_EQ(0, pv_read_line("/sys/devices/system/cpu/possible",
				  possible, sizeof(possible)));
	if (sscanf(possible, "%u-%u", &lo, &hi) != 2)
		ASSERT_EQ(1, sscanf(possible, "%u", &hi));
	EXPECT_EQ(hi + 1, p->nr_vcpus);
	for (cpu = 0; cpu < p->nr_vcpus; cpu++) {
		char path[64], on[4] = "1";

		snprintf(path, sizeof(path),
			 "/sys/devices/system/cpu/cpu%u/online", cpu);
		pv_read_line(path, on, sizeof(on));	/* cpu0 may have none */
		EXPECT_EQ(!!strcmp(on, "1"),
			  p->state[cpu] == PVSPINLOCK_OFFLINE);
	}
}

/* Refreshed while mapped, though this process closed its descriptor. */
TEST_F(dev, refreshed)
{
	unsigned long long r0 = self->p->refreshes;
	long long end = mono_ms() + 5000;

	close(self->fd);
	self->fd = -1;
	while (self->p->refreshes == r0 && mono_ms() < end)
		usleep(1000);
	EXPECT_NE(r0, self->p->refreshes);
}

TEST_F(dev, read_only)
{
	void *p;
	int fd, st;
	pid_t pid;

	/* No writable mapping, shared or private, nor an executable one. */
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, self->fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EPERM, errno);
	p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_SHARED, self->fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	/* Nothing but the first page, and nothing bigger. */
	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->fd, 4096);
	EXPECT_EQ(MAP_FAILED, p);
	p = mmap(NULL, 8192, PROT_READ, MAP_SHARED, self->fd, 0);
	EXPECT_EQ(MAP_FAILED, p);

	/* Nor later. */
	EXPECT_EQ(-1, mprotect((void *)self->p, 4096, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, mprotect((void *)self->p, 4096, PROT_READ | PROT_EXEC));

	/* A write open is refused, even to root. */
	fd = open(PVSPINLOCK_DEV_PATH, O_RDWR);
	EXPECT_EQ(-1, fd);
	if (fd >= 0)
		close(fd);

	/* A store faults. */
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		__atomic_store_n((__u32 *)&self->p->magic, 0, __ATOMIC_RELAXED);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
	EXPECT_EQ(PVSPINLOCK_MAGIC, self->p->magic);
}

TEST_F(dev, mutex_exclusion)
{
	mx_torture(_metadata, 16, 20000, 20);
	mx_torture(_metadata, 3, 50000, 0);
}

/*
 * The host overcommitted: every vCPU busy, a CPU hog on the host. Where
 * pvhostd serves the facts, some vCPU shows preempted at some point; the
 * mutex stays exact either way.
 */
TEST_F_TIMEOUT(dev, host_preempts, 180)
{
	char src[32] = "", out[256];
	int i, n = online_cpus(), seen = 0, rc;
	pthread_t busy[64];
	long long end;

	pv_read_line(SRC, src, sizeof(src));
	rc = pv_host_ctl(out, sizeof(out), "hog 4 90");
	if (rc == 4)
		SKIP(return, "no host relay in this lane (preempted facts from %s)",
		     src);
	ASSERT_EQ(0, rc) TH_LOG("hog: %s", out);
	__atomic_store_n(&busy_stop, 0, __ATOMIC_RELAXED);
	for (i = 0; i < n && i < 64; i++)
		ASSERT_EQ(0, pthread_create(&busy[i], NULL, busy_fn,
					    (void *)(long)i));
	end = mono_ms() + 20000;
	while (!seen && mono_ms() < end) {
		unsigned int cpu;

		for (cpu = 0; cpu < self->p->nr_vcpus; cpu++)
			if (self->p->state[cpu] == PVSPINLOCK_PREEMPTED)
				seen++;
		usleep(200);
	}
	__atomic_store_n(&busy_stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < n && i < 64; i++)
		pthread_join(busy[i], NULL);
	mx_torture(_metadata, 8, 2000, 50);
	pv_host_ctl(NULL, 0, "hog stop");
	if (strcmp(src, "pvhost")) {
		TH_LOG("preempted facts from %s: no flag expected", src);
		return;
	}
	EXPECT_TRUE(!!(self->p->flags & PVSPINLOCK_F_LIVE));
	EXPECT_GT(seen, 0) TH_LOG("no vCPU ever shown preempted in 20 s of overcommit");
}

/* A host that reports garbage: unknown states, and the mutex still exact. */
TEST_F_TIMEOUT(dev, host_garbage, 120)
{
	char src[32] = "", out[256], dbg[512] = "";
	unsigned int cpu;
	long long end;
	int rc, bad = 0, unknown = 0;

	pv_read_line(SRC, src, sizeof(src));
	if (strcmp(src, "pvhost"))
		SKIP(return, "preempted facts from %s, not pvhost", src);
	rc = pv_host_ctl(out, sizeof(out), "hostile preempt-garbage");
	ASSERT_EQ(0, rc) TH_LOG("hostile: %s", out);
	end = mono_ms() + 10000;
	while (!unknown && mono_ms() < end) {
		for (cpu = 0; cpu < self->p->nr_vcpus; cpu++) {
			if (self->p->state[cpu] > PVSPINLOCK_OFFLINE)
				bad++;
			if (self->p->state[cpu] == PVSPINLOCK_UNKNOWN)
				unknown++;
		}
		usleep(1000);
	}
	mx_torture(_metadata, 8, 2000, 20);
	EXPECT_EQ(0, pv_host_ctl(out, sizeof(out), "hostile off"));
	EXPECT_EQ(0, bad);
	EXPECT_GT(unknown, 0);
	ASSERT_EQ(0, pv_read_all("/sys/kernel/debug/pvspinlock/dev", dbg,
				 sizeof(dbg)));
	TH_LOG("%s", dbg);
	EXPECT_NE(NULL, strstr(dbg, "host_invalid="));
	EXPECT_EQ(NULL, strstr(dbg, "host_invalid=0\n"));
}

/* A CPU going offline and back: two new generations, its state follows. */
TEST_F(dev, hotplug)
{
	const char *path = "/sys/devices/system/cpu/cpu1/online";
	unsigned int g0 = self->p->generation;

	if (online_cpus() < 2 || access(path, W_OK))
		SKIP(return, "cpu1 cannot go offline here");
	if (pv_write_str(path, "0"))
		SKIP(return, "cpu1 refused to go offline: %s", strerror(errno));
	EXPECT_EQ(PVSPINLOCK_OFFLINE, self->p->state[1]);
	EXPECT_EQ(0U, self->p->generation % 2);
	EXPECT_GE(self->p->generation, g0 + 2);
	EXPECT_EQ(PVSPINLOCK_OFFLINE, pvlock_vcpu_state(1));
	ASSERT_EQ(0, pv_write_str(path, "1"));
	EXPECT_NE(PVSPINLOCK_OFFLINE, self->p->state[1]);
	EXPECT_GE(self->p->generation, g0 + 4);
}

/* A mapping pins the module; unmapped, it unloads and loads again. */
TEST(unload_while_mapped)
{
	const char *ko = getenv("PV_MODULE_PATH");
	const struct pvspinlock_page *p;
	int fd;

	if (!ko)
		SKIP(return, "PV_MODULE_PATH not set: cannot reload the module");
	p = map_page(&fd);
	ASSERT_NE(NULL, p);
	close(fd);
	ASSERT_EQ(-1, syscall(SYS_delete_module, "pvspinlock", O_NONBLOCK))
		TH_LOG("rmmod pvspinlock succeeded with its page mapped");
	EXPECT_EQ(EWOULDBLOCK, errno);
	EXPECT_EQ(PVSPINLOCK_MAGIC, p->magic);
	munmap((void *)p, PVSPINLOCK_PAGE_SIZE);
	ASSERT_EQ(0, syscall(SYS_delete_module, "pvspinlock", O_NONBLOCK))
		TH_LOG("rmmod pvspinlock once unmapped: %s", strerror(errno));
	fd = open(ko, O_RDONLY | O_CLOEXEC);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, syscall(SYS_finit_module, fd, "", 0))
		TH_LOG("reloading %s: %s", ko, strerror(errno));
	close(fd);
	p = map_page(&fd);
	ASSERT_NE(NULL, p);
	EXPECT_EQ(PVSPINLOCK_MAGIC, p->magic);
	munmap((void *)p, PVSPINLOCK_PAGE_SIZE);
	close(fd);
}

TEST_HARNESS_MAIN
