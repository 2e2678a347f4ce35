// SPDX-License-Identifier: GPL-2.0
/*
 * pvhost selftests against a hostile host: each test switches pvhostd to
 * one hostile mode through the test relay (pvhost-ctl, which runs pvctl on
 * the host), checks what the guest makes of it (an error returned and
 * counted, the backend kept or dropped), switches the mode off and checks
 * that the guest is back in service, registered again under a new
 * generation where the host laid the region out again. The lane fails on
 * any WARN, BUG or KASAN report the modes cause.
 *
 * The guest side is reached through the driver's debugfs files
 * (/sys/kernel/debug/pvhost/<device>/): counters, and read_pressure,
 * read_entropy and mbox_ping, which do one operation when read.
 *
 * Without a relay (pvhost-ctl exits 4) or a pvhostd, the tests skip.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * The harness's TEST_F wrapper keeps "child" across setjmp(); with these
 * tests inlined into it gcc warns that it might be clobbered. It is not
 * (it is only written before the longjmp() can happen).
 */
#pragma GCC diagnostic ignored "-Wclobbered"
#include "kselftest_harness.h"
#include "pv_host.h"
#include "pv_sysfs.h"

#define DBG		"/sys/kernel/debug/pvhost"
#define DRIVER		"/sys/bus/pci/drivers/pvhost"
#define ROUTE		"/sys/kernel/pvhc/feature/pressure"

/* Longer than the driver's longest delay between header tries (4 s). */
#define BACK_TRIES	100	/* of 100 ms */

static int routed(void)
{
	char buf[32];

	return !pv_read_line(ROUTE, buf, sizeof(buf)) && !strcmp(buf, "pvhost");
}

/* Wait (bounded) until pvhc routes the gauge to pvhost again. */
static int back_in_service(void)
{
	int i;

	for (i = 0; i < BACK_TRIES; i++) {
		if (routed())
			return 1;
		usleep(100000);
	}
	return 0;
}

static int serves_generation(const char *dev, long long gen)
{
	return routed() && pv_pvhost_generation(dev) == gen;
}

static int stopped_since(const char *dev, long long stops)
{
	return pv_pvhost_dbg(dev, "host_stops") > stops && !routed();
}

/*
 * The driver counts a recovery once it has registered the backend again:
 * just after the generation and the route show it back.
 */
static int recovered_since(const char *dev, long long recoveries)
{
	return pv_pvhost_dbg(dev, "recoveries") > recoveries;
}

/*
 * Wait (bounded) until @cond(@dev, @arg) holds; each look starts with a
 * call, which notices a change of the host at once.
 */
static int wait_for(const char *dev, int (*cond)(const char *, long long),
		    long long arg)
{
	int i;

	for (i = 0; i < BACK_TRIES; i++) {
		pv_pvhost_dbg(dev, "read_pressure");
		if (cond(dev, arg))
			return 1;
		usleep(100000);
	}
	return 0;
}

FIXTURE(host) {
	char dev[64];
	long long gen;
	long long errors;
	long long stops;
};

FIXTURE_SETUP(host)
{
	if (!pv_host_require(_metadata, NULL, 0, "status"))
		return;
	ASSERT_EQ(0, pv_pvhost_device(self->dev, sizeof(self->dev)))
		TH_LOG("no bound pvhost device");
	ASSERT_TRUE(back_in_service());
	self->gen = pv_pvhost_generation(self->dev);
	self->errors = pv_pvhost_dbg(self->dev, "errors");
	self->stops = pv_pvhost_dbg(self->dev, "host_stops");
	ASSERT_LE(0, self->errors);
}

FIXTURE_TEARDOWN(host)
{
	/* Whatever happened, the host behaves for the next test. */
	if (self->dev[0])
		pv_host_ctl(NULL, 0, "hostile off");
}

/* Switch the mode on; the tick (every 200 ms in the lane) keeps it on. */
static int set_mode(const char *mode)
{
	char args[64];

	snprintf(args, sizeof(args), "hostile %s", mode);
	return pv_host_ctl(NULL, 0, args);
}

/* Modes the host repairs in place: the same generation, the same backend. */
static void in_place(struct __test_metadata *_metadata,
		     struct _test_data_host *self)
{
	EXPECT_EQ(0, set_mode("off"));
	EXPECT_TRUE(routed());
	EXPECT_EQ(self->gen, pv_pvhost_generation(self->dev));
	EXPECT_LE(0, pv_pvhost_dbg(self->dev, "read_pressure"));
	EXPECT_EQ(self->stops, pv_pvhost_dbg(self->dev, "host_stops"));
}

/* Modes after which the host lays the region out again. */
static void come_back(struct __test_metadata *_metadata,
		      struct _test_data_host *self, long long recoveries)
{
	long long hgen;

	EXPECT_EQ(0, set_mode("off"));
	hgen = pv_host_value("status", "generation");
	EXPECT_LT(self->gen, hgen);
	ASSERT_TRUE(wait_for(self->dev, serves_generation, hgen))
		TH_LOG("not back at generation %lld: guest at %lld, backend %s",
		       hgen, pv_pvhost_generation(self->dev), routed() ? "in" : "out");
	EXPECT_TRUE(wait_for(self->dev, recovered_since, recoveries))
		TH_LOG("recoveries still %lld", pv_pvhost_dbg(self->dev, "recoveries"));
	EXPECT_LE(0, pv_pvhost_dbg(self->dev, "read_pressure"));
	EXPECT_LE(0, pv_pvhost_dbg(self->dev, "read_entropy"));
	EXPECT_LE(0, pv_pvhost_dbg(self->dev, "mbox_ping"));
}

TEST_F(host, gauge_out_of_range)
{
	long long inval = pv_pvhost_dbg(self->dev, "pressure_invalid");

	ASSERT_EQ(0, set_mode("gauge-range"));
	EXPECT_EQ(-EIO, pv_pvhost_dbg(self->dev, "read_pressure"));
	EXPECT_LT(inval, pv_pvhost_dbg(self->dev, "pressure_invalid"));
	EXPECT_LT(self->errors, pv_pvhost_dbg(self->dev, "errors"));
	/* The rest of the service goes on. */
	EXPECT_TRUE(routed());
	EXPECT_LE(0, pv_pvhost_dbg(self->dev, "mbox_ping"));
	in_place(_metadata, self);
}

TEST_F(host, gauge_seq_stuck_odd)
{
	long long busy = pv_pvhost_dbg(self->dev, "pressure_busy");

	ASSERT_EQ(0, set_mode("gauge-stuck"));
	EXPECT_EQ(-EAGAIN, pv_pvhost_dbg(self->dev, "read_pressure"));
	EXPECT_EQ(-EAGAIN, pv_pvhost_dbg(self->dev, "read_pressure"));
	EXPECT_LE(busy + 2, pv_pvhost_dbg(self->dev, "pressure_busy"));
	EXPECT_LT(self->errors, pv_pvhost_dbg(self->dev, "errors"));
	in_place(_metadata, self);
}

static void ring_broken(struct __test_metadata *_metadata,
			struct _test_data_host *self, const char *mode)
{
	long long broken = pv_pvhost_dbg(self->dev, "ring_broken");
	long long rec = pv_pvhost_dbg(self->dev, "recoveries");

	ASSERT_EQ(0, set_mode(mode));
	EXPECT_EQ(-EIO, pv_pvhost_dbg(self->dev, "read_entropy"));
	/* Sticky: the ring is not looked at again. */
	EXPECT_EQ(-EIO, pv_pvhost_dbg(self->dev, "read_entropy"));
	EXPECT_EQ(broken + 1, pv_pvhost_dbg(self->dev, "ring_broken"));
	EXPECT_LE(0, pv_pvhost_dbg(self->dev, "read_pressure"));
	come_back(_metadata, self, rec);
	EXPECT_EQ(broken + 1, pv_pvhost_dbg(self->dev, "ring_broken"));
}

TEST_F(host, ring_indices_backwards)
{
	ring_broken(_metadata, self, "ring-back");
}

TEST_F(host, ring_indices_past_the_size)
{
	ring_broken(_metadata, self, "ring-past");
}

TEST_F(host, header_garbage)
{
	long long stops = pv_pvhost_dbg(self->dev, "host_stops");
	long long rec = pv_pvhost_dbg(self->dev, "recoveries");

	ASSERT_EQ(0, set_mode("header"));
	ASSERT_TRUE(wait_for(self->dev, stopped_since, stops));
	EXPECT_EQ(-ENODEV, pv_pvhost_dbg(self->dev, "read_pressure"));
	EXPECT_EQ(-ENODEV, pv_pvhost_dbg(self->dev, "read_entropy"));
	EXPECT_EQ(-ENODEV, pv_pvhost_dbg(self->dev, "mbox_ping"));
	come_back(_metadata, self, rec);
}

TEST_F(host, area_garbage)
{
	long long rec = pv_pvhost_dbg(self->dev, "recoveries");

	ASSERT_EQ(0, set_mode("garbage"));
	/* Random gauge, ring and mailbox: each fails its own way. */
	EXPECT_GT(0, pv_pvhost_dbg(self->dev, "read_pressure"));
	EXPECT_EQ(-EIO, pv_pvhost_dbg(self->dev, "read_entropy"));
	EXPECT_GT(0, pv_pvhost_dbg(self->dev, "mbox_ping"));
	EXPECT_LT(self->errors, pv_pvhost_dbg(self->dev, "errors"));
	come_back(_metadata, self, rec);
}

TEST_F(host, relayout_flips)
{
	long long stops = pv_pvhost_dbg(self->dev, "host_stops");
	long long rec = pv_pvhost_dbg(self->dev, "recoveries");

	ASSERT_EQ(0, set_mode("relayout"));
	ASSERT_TRUE(wait_for(self->dev, stopped_since, stops));
	/* Calls fail while the generation keeps changing under them. */
	sleep(2);
	come_back(_metadata, self, rec);
}

TEST_F(host, mailbox_silent)
{
	long long to = pv_pvhost_dbg(self->dev, "mbox_timeouts");

	ASSERT_EQ(0, set_mode("mailbox-silent"));
	EXPECT_EQ(-ETIMEDOUT, pv_pvhost_dbg(self->dev, "mbox_ping"));
	/*
	 * Other mailbox users (page reports, calibration) may time out too
	 * while the host is silent: at least this ping's is counted.
	 */
	EXPECT_LE(to + 1, pv_pvhost_dbg(self->dev, "mbox_timeouts"));
	EXPECT_TRUE(routed());
	in_place(_metadata, self);
	/* The late answer to the lost request is not taken for this one. */
	EXPECT_LE(0, pv_pvhost_dbg(self->dev, "mbox_ping"));
}

TEST_F(host, mailbox_malformed)
{
	long long bad = pv_pvhost_dbg(self->dev, "mbox_malformed");

	ASSERT_EQ(0, set_mode("mailbox-malformed"));
	EXPECT_EQ(-EPROTO, pv_pvhost_dbg(self->dev, "mbox_ping"));
	/* Other mailbox users (page reports, calibration) may count too. */
	EXPECT_LE(bad + 1, pv_pvhost_dbg(self->dev, "mbox_malformed"));
	in_place(_metadata, self);
	EXPECT_LE(0, pv_pvhost_dbg(self->dev, "mbox_ping"));
}

TEST_F(host, interrupt_flood)
{
	long long irqs = pv_pvhost_dbg(self->dev, "irqs_mailbox");
	int i;

	ASSERT_EQ(0, set_mode("flood"));
	/* Service goes on under the flood, and the flood reaches the guest. */
	for (i = 0; i < 20; i++) {
		EXPECT_LE(0, pv_pvhost_dbg(self->dev, "read_pressure"));
		EXPECT_LE(0, pv_pvhost_dbg(self->dev, "mbox_ping"));
	}
	EXPECT_LT(0, pv_host_value("status", "hostile_floods"));
	EXPECT_LT(irqs + 20, pv_pvhost_dbg(self->dev, "irqs_mailbox"));
	in_place(_metadata, self);
}

TEST_F(host, vcpu_versions_stuck_odd)
{
	/* These probes do not read the vCPU records: nothing may change. */
	ASSERT_EQ(0, set_mode("vcpu-stuck"));
	EXPECT_LE(0, pv_pvhost_dbg(self->dev, "read_pressure"));
	EXPECT_LE(0, pv_pvhost_dbg(self->dev, "read_entropy"));
	EXPECT_LE(0, pv_pvhost_dbg(self->dev, "mbox_ping"));
	in_place(_metadata, self);
}

/* Flags neither 0 nor 1: pvhc_vcpu_preempted() fails with -EIO, counted. */
TEST_F(host, preempted_flags_garbage)
{
	char path[256], buf[4096], *p;
	long long inv = pv_pvhost_dbg(self->dev, "preempted_invalid");
	ssize_t n;
	int fd, eio = 0, rows = 0;

	snprintf(path, sizeof(path), DBG "/%s/vcpus", self->dev);
	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0 && errno == EOPNOTSUPP)
		SKIP(return, "host serves no preempted flags (pvhostd without --qmp)");
	ASSERT_EQ(0, set_mode("preempt-garbage"));
	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	ASSERT_LT(0, n);
	buf[n] = '\0';
	for (p = strtok(buf, "\n"); p; p = strtok(NULL, "\n")) {
		rows++;
		eio += !!strstr(p, " pvhc=-5");
	}
	EXPECT_LT(0, rows);
	EXPECT_EQ(rows, eio) TH_LOG("every vCPU's flag refused");
	EXPECT_LE(inv + rows, pv_pvhost_dbg(self->dev, "preempted_invalid"));
	in_place(_metadata, self);
}

/* Last: a rebind starts from clean counters, for the tests that follow. */
/* Submit a NUMA hint through debugfs: 0 or the write's -errno. */
static int submit_hint(const char *dev, const char *text)
{
	char path[256];

	snprintf(path, sizeof(path), DBG "/%s/numa_hint", dev);
	return pv_write_str(path, text);
}

TEST_F(host, numa_garbage)
{
	long long rec = pv_pvhost_dbg(self->dev, "recoveries");
	long long topo_bad, ans_bad;
	char path[256], buf[128];
	int i, ret;

	if (pv_pvhost_dbg(self->dev, "numa_info_ns") < 0)
		SKIP(return, "the host serves no NUMA topology");
	topo_bad = pv_pvhost_dbg(self->dev, "numa_topo_invalid") +
		   pv_pvhost_dbg(self->dev, "numa_topo_busy");
	ans_bad = pv_pvhost_dbg(self->dev, "numa_invalid");
	ASSERT_EQ(0, set_mode("numa-garbage"));
	/* a random table: seq odd (-EAGAIN) or values out of range (-EIO) */
	for (i = 0; i < 4; i++) {
		ret = pv_pvhost_dbg(self->dev, "numa_info_ns");
		EXPECT_TRUE(ret == -EIO || ret == -EAGAIN) TH_LOG("%d", ret);
	}
	EXPECT_LE(topo_bad + 4, pv_pvhost_dbg(self->dev, "numa_topo_invalid") +
		  pv_pvhost_dbg(self->dev, "numa_topo_busy"));
	/* answers: garbage is refused, never taken for a verdict */
	snprintf(path, sizeof(path), DBG "/%s/numa_hint", self->dev);
	for (i = 0; i < 8; i++) {
		ret = submit_hint(self->dev, "0 0");
		EXPECT_TRUE(!ret || ret == -EBUSY) TH_LOG("%d", ret);
		usleep(250000);	/* a tick writes garbage over the answer */
		ret = pv_read_line(path, buf, sizeof(buf));
		EXPECT_TRUE(ret == -EIO || (!ret && strstr(buf, "pending")))
			TH_LOG("%d %s", ret, ret ? "" : buf);
	}
	EXPECT_LT(ans_bad, pv_pvhost_dbg(self->dev, "numa_invalid"));
	EXPECT_LE(0, pv_pvhost_dbg(self->dev, "read_pressure"));
	come_back(_metadata, self, rec);
	EXPECT_LE(0, pv_pvhost_dbg(self->dev, "numa_info_ns"));
	EXPECT_LE(0, submit_hint(self->dev, "0 0"));
}

TEST_F(host, rebind_after_hostile_host)
{
	EXPECT_EQ(0, set_mode("off"));
	ASSERT_EQ(0, pv_write_str(DRIVER "/unbind", self->dev));
	EXPECT_FALSE(routed());
	ASSERT_EQ(0, pv_write_str(DRIVER "/bind", self->dev));
	ASSERT_TRUE(back_in_service());
	EXPECT_EQ(0, pv_pvhost_dbg(self->dev, "errors"));
	EXPECT_EQ(0, pv_pvhost_dbg(self->dev, "host_stops"));
	EXPECT_LE(0, pv_pvhost_dbg(self->dev, "mbox_ping"));
}

TEST_HARNESS_MAIN
