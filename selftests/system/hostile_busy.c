// SPDX-License-Identifier: GPL-2.0
/*
 * A hostile host against a busy guest. With every module loaded, pvclock
 * the system clock and pvrng the current hwrng, the guest keeps busy: one
 * reader of CLOCK_MONOTONIC pinned to each online CPU, one reader of
 * /dev/hwrng, one reader of every module's sysfs files. Meanwhile pvhostd
 * goes through every hostile mode it has, one after the other, each for
 * HOLD_S seconds, then behaves until the guest is back in service.
 *
 * The verdict: time never went back, on one CPU or across them; no read
 * of the clock led its CPU's TSC by more than pvclock's stated limit (2 s,
 * Documentation/pvclock.rst) plus slack for TCG; every reader ended when
 * told (no hang); pvhost counted the host's errors and pvclock its lies;
 * the guest came back into service after each mode. The lane adds the
 * kernel log: any WARN, BUG, lockup or stall fails it.
 *
 * It runs once every module is loaded (tests/qemu/init.sh, "system"), in
 * the stock-6.12 lane (pv.hostile_busy=1): the modes take about a minute.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

/* TEST_F keeps locals across setjmp(): see selftests/pvhost/pvhost_hostile.c. */
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"
#include "pv_host.h"
#include "pv_module.h"
#include "pv_sysfs.h"

#define PVC		"/sys/kernel/pvclock"
#define PVRNG		"/sys/kernel/pvrng"
#define CS		"/sys/devices/system/clocksource/clocksource0"
#define HWRNG		"/sys/class/misc/hw_random"
#define ROUTE		"/sys/kernel/pvhc/feature/pressure"
#define DBG		"/sys/kernel/debug/pvhost"
#define SEC		1000000000LL
#define HOLD_S		2		/* each mode, seconds */
#define BACK_TRIES	150		/* of 100 ms: back in service */
#define STOP_TRIES	300		/* of 100 ms: a reader ends when told */
#define STEP_LIMIT_NS	(2 * SEC)	/* pvclock's stated limit */
#define SLACK_NS	(3 * SEC)	/* a vCPU stalled or preempted (TCG) */
#define MAX_READERS	64

/* pvhostd's hostile modes (pvctl hostile), every one. */
static const char *const modes[] = {
	"header", "garbage", "relayout", "gauge-range", "gauge-stuck",
	"ring-back", "ring-past", "mailbox-silent", "mailbox-malformed",
	"flood", "vcpu-stuck", "numa-garbage", "preempt-garbage",
	"clock-leap", "clock-ahead",
};

/* What the readers share with the test, in a MAP_SHARED page. */
struct busy {
	int stop;			/* set by the test: readers end */
	long long latest;		/* the latest MONOTONIC read anywhere */
	long long khz;			/* TSC ticks per ms */
	struct {
		long long reads, back, back_cross, worst_lead;
	} cpu[MAX_READERS];
	long long rng_bytes, rng_errors, sysfs_reads;
};

static long long clk_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * SEC + ts.tv_nsec;
}

static long long num(const char *path)
{
	char buf[64];

	if (pv_read_line(path, buf, sizeof(buf)))
		return -1;
	return strtoll(buf, NULL, 10);
}

static long long tsc_ns(long long khz, unsigned long long ticks)
{
	return (long long)(ticks / khz * 1000000ULL +
			   ticks % khz * 1000000ULL / khz);
}

/*
 * One CPU's reader: the time read must not be before the latest any
 * reader published before this read began (across CPUs), nor before its
 * own last; its lead over its own TSC is kept (under TCG the vCPUs' TSCs
 * disagree, so each reader compares with its own CPU's only).
 */
static void clock_reader(struct busy *b, int slot, int cpu)
{
	unsigned long long t, pt;
	long long m, pm, seen, lead;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		_exit(2);
	pm = clk_ns();
	pt = __rdtsc();
	while (!__atomic_load_n(&b->stop, __ATOMIC_RELAXED)) {
		seen = __atomic_load_n(&b->latest, __ATOMIC_ACQUIRE);
		m = clk_ns();
		t = __rdtsc();
		b->cpu[slot].reads++;
		if (m < seen)
			b->cpu[slot].back_cross++;
		if (m < pm)
			b->cpu[slot].back++;
		lead = (m - pm) - tsc_ns(b->khz, t - pt);
		if (lead > b->cpu[slot].worst_lead)
			b->cpu[slot].worst_lead = lead;
		while (seen < m &&
		       !__atomic_compare_exchange_n(&b->latest, &seen, m, false,
						    __ATOMIC_RELEASE,
						    __ATOMIC_ACQUIRE))
			;
		pm = m;
		pt = t;
	}
	_exit(0);
}

static void rng_reader(struct busy *b)
{
	char buf[64];
	ssize_t n;
	int fd = open("/dev/hwrng", O_RDONLY);

	if (fd < 0)
		_exit(2);
	while (!__atomic_load_n(&b->stop, __ATOMIC_RELAXED)) {
		n = read(fd, buf, sizeof(buf));
		if (n > 0)
			b->rng_bytes += n;
		else
			b->rng_errors++;
	}
	close(fd);
	_exit(0);
}

/* Read every file of every module's /sys/kernel/<module> (one level). */
static void sysfs_reader(struct busy *b)
{
	static const char *const dirs[] = {
		"/sys/kernel/pvhc", "/sys/kernel/pvclock", "/sys/kernel/pvrng",
		"/sys/kernel/pvmempressure", "/sys/kernel/pvnuma",
		"/sys/kernel/pvspinlock", "/sys/kernel/virtio_coalesce",
	};
	char path[512], buf[4096];
	struct dirent *e;
	unsigned int i;
	DIR *d;

	while (!__atomic_load_n(&b->stop, __ATOMIC_RELAXED)) {
		for (i = 0; i < ARRAY_SIZE(dirs); i++) {
			d = opendir(dirs[i]);
			if (!d)
				continue;
			while ((e = readdir(d))) {
				if (e->d_type != DT_REG)
					continue;
				snprintf(path, sizeof(path), "%s/%s", dirs[i], e->d_name);
				pv_read_file(path, buf, sizeof(buf));
				b->sysfs_reads++;
			}
			closedir(d);
		}
		usleep(20000);
	}
	_exit(0);
}

static int routed(void)
{
	char buf[32];

	return !pv_read_line(ROUTE, buf, sizeof(buf)) && !strcmp(buf, "pvhost");
}

/* Unload pvrng and load it again from PV_MODULE_DIR with @params. */
static int reload_pvrng(const char *params)
{
	const char *dir = getenv("PV_MODULE_DIR");
	char ko[256];

	if (!dir)
		return -ENOENT;
	snprintf(ko, sizeof(ko), "%s/pvrng.ko", dir);
	return pv_module_reload("pvrng", ko, params);
}

FIXTURE(busy) {
	struct busy *b;
	pid_t pids[MAX_READERS + 2];
	int npids;
	char prev_cs[64];
	long long rating;
	int pvrng_reloaded;
};

FIXTURE_SETUP(busy)
{
	char buf[64] = "";

	self->b = MAP_FAILED;
	if (!getenv("PV_HOSTILE_BUSY"))
		SKIP(return,
		     "runs in the stock-6.12 lane only (pv.hostile_busy=1): about a minute");
	if (!pv_host_require(_metadata, NULL, 0, "status"))
		return;
	ASSERT_EQ(0, pv_read_line(PVC "/source", buf, sizeof(buf)));
	ASSERT_STREQ("pvhost", buf);
	self->b = mmap(NULL, sizeof(*self->b), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->b);
	memset(self->b, 0, sizeof(*self->b));
	self->b->khz = num(PVC "/rate_khz");
	ASSERT_LT(0, self->b->khz);

	/* pvrng as the hwrng: reloaded with the least credit. */
	ASSERT_EQ(0, reload_pvrng("quality=1"));
	self->pvrng_reloaded = 1;
	ASSERT_EQ(0, pv_write_str(HWRNG "/rng_current", "pvrng"));
	ASSERT_EQ(0, pv_read_line(HWRNG "/rng_current", buf, sizeof(buf)));
	ASSERT_STREQ("pvrng", buf);

	/* pvclock as the system clock. */
	self->rating = num(PVC "/rating");
	ASSERT_EQ(0, pv_read_line(CS "/current_clocksource", self->prev_cs,
				  sizeof(self->prev_cs)));
	ASSERT_EQ(0, pv_write_str(CS "/current_clocksource", "pvclock"));
}

static void stop_readers(struct __test_metadata *_metadata,
			 struct _test_data_busy *self)
{
	int i, n, status;

	if (self->b == MAP_FAILED)
		return;
	__atomic_store_n(&self->b->stop, 1, __ATOMIC_RELAXED);
	for (n = 0; n < STOP_TRIES && self->npids; n++) {
		for (i = 0; i < self->npids; i++) {
			if (waitpid(self->pids[i], &status, WNOHANG) != self->pids[i])
				continue;
			EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status))
				TH_LOG("reader %d failed (status %#x)", i, status);
			self->pids[i] = self->pids[--self->npids];
			i--;
		}
		if (self->npids)
			usleep(100000);
	}
	EXPECT_EQ(0, self->npids) TH_LOG("%d readers did not end: hung", self->npids);
}

FIXTURE_TEARDOWN(busy)
{
	char buf[24];

	if (self->b == MAP_FAILED)
		return;
	pv_host_ctl(NULL, 0, "hostile off");
	stop_readers(_metadata, self);
	if (self->prev_cs[0])
		pv_write_str(CS "/current_clocksource", self->prev_cs);
	if (self->rating > 0) {
		snprintf(buf, sizeof(buf), "%lld", self->rating);
		pv_write_str(PVC "/rating", buf);
	}
	/* Readers still holding /dev/hwrng would keep pvrng loaded. */
	if (self->pvrng_reloaded && !self->npids)
		reload_pvrng("");
}

static void start(struct __test_metadata *_metadata,
		  struct _test_data_busy *self, int kind, int arg)
{
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (!pid) {
		if (kind == 0)
			clock_reader(self->b, self->npids, arg);
		else if (kind == 1)
			rng_reader(self->b);
		else
			sysfs_reader(self->b);
	}
	self->pids[self->npids++] = pid;
}

TEST_F_TIMEOUT(busy, every_mode, 600)
{
	long long errors0, leaps0, invalid0, back = 0, cross = 0, lead = 0;
	long long reads = 0, m0, m1;
	char dev[64], path[256];
	unsigned int i;
	int cpu, n, ncpu = 0;

	ASSERT_EQ(0, pv_pvhost_device(dev, sizeof(dev)));
	snprintf(path, sizeof(path), DBG "/%s/errors", dev);
	errors0 = num(path);
	leaps0 = num(PVC "/leaps");
	invalid0 = num(PVC "/invalid");
	ASSERT_LE(0, errors0);

	for (cpu = 0; cpu < CPU_SETSIZE && ncpu < MAX_READERS; cpu++) {
		snprintf(path, sizeof(path),
			 "/sys/devices/system/cpu/cpu%d/online", cpu);
		if (cpu && num(path) == 0)
			continue;
		if (cpu && access(path, F_OK))
			break;
		start(_metadata, self, 0, cpu);
		ncpu++;
	}
	start(_metadata, self, 1, 0);
	start(_metadata, self, 2, 0);

	m0 = clk_ns();
	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		char args[64];

		snprintf(args, sizeof(args), "hostile %s", modes[i]);
		EXPECT_EQ(0, pv_host_ctl(NULL, 0, args)) TH_LOG("%s", args);
		sleep(HOLD_S);
		EXPECT_EQ(0, pv_host_ctl(NULL, 0, "hostile off"));
		for (n = 0; n < BACK_TRIES && !routed(); n++)
			usleep(100000);
		EXPECT_TRUE(routed()) TH_LOG("not back in service after %s", modes[i]);
	}
	m1 = clk_ns();
	stop_readers(_metadata, self);

	for (i = 0; i < (unsigned int)ncpu; i++) {
		reads += self->b->cpu[i].reads;
		back += self->b->cpu[i].back;
		cross += self->b->cpu[i].back_cross;
		if (self->b->cpu[i].worst_lead > lead)
			lead = self->b->cpu[i].worst_lead;
	}
	snprintf(path, sizeof(path), DBG "/%s/errors", dev);
	TH_LOG("%zu modes in %lld ms: %lld clock reads on %d CPUs, largest lead %lld ns",
	       ARRAY_SIZE(modes), (m1 - m0) / 1000000, reads,
	       ncpu, lead);
	TH_LOG("hwrng: %lld bytes, %lld failed reads; %lld sysfs reads",
	       self->b->rng_bytes, self->b->rng_errors, self->b->sysfs_reads);
	TH_LOG("pvhost errors +%lld; pvclock leaps +%lld, invalid +%lld, rating %lld",
	       num(path) - errors0, num(PVC "/leaps") - leaps0,
	       num(PVC "/invalid") - invalid0, num(PVC "/rating"));
	TH_LOG("pvrng host source: errors %lld quarantines %lld",
	       num(PVRNG "/sources/host/errors"),
	       num(PVRNG "/sources/host/quarantines"));
	EXPECT_EQ(0, back);
	EXPECT_EQ(0, cross);
	EXPECT_LT(lead, STEP_LIMIT_NS + SLACK_NS);
	EXPECT_LT(0, reads);
	EXPECT_LT(0, self->b->sysfs_reads);
	/* The modes took seconds, not years. */
	EXPECT_LT(m1 - m0, 600 * SEC);
	EXPECT_LT(errors0, num(path));
	EXPECT_LT(leaps0, num(PVC "/leaps"));
	EXPECT_LT(invalid0, num(PVC "/invalid"));
}

TEST_HARNESS_MAIN
