// SPDX-License-Identifier: GPL-2.0
/*
 * pvhost preempted flags and boosts, served by pvhostd from QEMU's vCPU
 * threads. Under TCG each guest vCPU is a host thread; the stock lanes
 * give the guest 4 of them on a 2-core host, so with every vCPU spinning
 * the host really keeps some of them waiting.
 *
 * Guest side: /sys/kernel/debug/pvhost/<device>/vcpus (per vCPU the
 * record and what pvhc_vcpu_preempted() answers) and boost ("CPU 0|1").
 * Host side, through the relay: pvhost-ctl vcpu status.
 *
 * Without pvhostd, a relay or the feature (pvhostd without --qmp), the
 * tests skip.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#pragma GCC diagnostic ignored "-Wclobbered"	/* see pvhost_hostile.c */
#include "kselftest_harness.h"
#include "pv_host.h"
#include "pv_sysfs.h"

#define DBG		"/sys/kernel/debug/pvhost"
#define NR		4		/* the stock lanes' vCPUs */
#define SPIN_S		6		/* seconds all vCPUs spin */
#define TRIES		100		/* bounded waits: of 50 ms */
#define SEQ_TRIES	60		/* boosts retried while refused */

struct grow {				/* the guest's view of one vCPU */
	unsigned int preempted, preempt_seq, boost, boost_seq, boost_ack;
	int pvhc;
};

struct hrow {				/* pvhostd's view */
	int tid, boosted, nice, nice_orig;
	unsigned int preempted, preempt_seq, boost_ack;
	unsigned long long applied, reverted, refused;
	char state;
};

/* Parse the vcpus file. Return: records read, or -errno. */
static int guest_vcpus(const char *dev, struct grow *g)
{
	char path[256], buf[4096], *line;
	unsigned int cpu;
	ssize_t len = 0, r;
	int fd, n = 0;

	snprintf(path, sizeof(path), DBG "/%s/vcpus", dev);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	while ((r = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += r;
	if (r < 0)
		n = -errno;
	close(fd);
	if (n)
		return n;
	buf[len] = '\0';
	for (line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		struct grow x;

		if (sscanf(line,
			   "cpu=%u preempted=%u preempt_seq=%u boost=%u boost_seq=%u boost_ack=%u pvhc=%d",
			   &cpu, &x.preempted, &x.preempt_seq, &x.boost,
			   &x.boost_seq, &x.boost_ack, &x.pvhc) == 7 && cpu < NR) {
			g[cpu] = x;
			n++;
		}
	}
	return n;
}

static const char *field(const char *line, const char *key)
{
	const char *p = strstr(line, key);

	return p ? p + strlen(key) : "";
}

/* Parse pvhost-ctl vcpu status. Return: vCPUs read, or -1. */
static int host_vcpus(struct hrow *h)
{
	static char out[16384];
	unsigned int cpu;
	char *line;
	int n = 0;

	if (pv_host_ctl(out, sizeof(out), "vcpu status"))
		return -1;
	for (line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
		struct hrow r;

		if (sscanf(line, "vcpu=%u tid=%d state=%c preempted=%u preempt_seq=%u",
			   &cpu, &r.tid, &r.state, &r.preempted,
			   &r.preempt_seq) != 5 || cpu >= NR)
			continue;
		r.boosted = atoi(field(line, " boosted="));
		r.nice = atoi(field(line, " nice="));
		r.nice_orig = atoi(field(line, " nice_orig="));
		r.boost_ack = strtoul(field(line, " boost_ack="), NULL, 10);
		r.applied = strtoull(field(line, " applied="), NULL, 10);
		r.reverted = strtoull(field(line, " reverted="), NULL, 10);
		r.refused = strtoull(field(line, " refused="), NULL, 10);
		h[cpu] = r;
		n++;
	}
	return n;
}

static int dbg_boost(const char *dev, const char *req)
{
	char path[256];

	snprintf(path, sizeof(path), DBG "/%s/boost", dev);
	return pv_write_str(path, req);
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

FIXTURE(vcpu) {
	char dev[64];
};

FIXTURE_SETUP(vcpu)
{
	struct grow g[NR];
	int n;

	self->dev[0] = '\0';
	if (!pv_host_require(_metadata, NULL, 0, "status"))
		return;
	ASSERT_EQ(0, pv_pvhost_device(self->dev, sizeof(self->dev)))
		TH_LOG("no device bound to pvhost");
	n = guest_vcpus(self->dev, g);
	if (n == -EOPNOTSUPP)
		SKIP(return, "host offers neither preempted flags nor boost");
	ASSERT_EQ(NR, n) TH_LOG("vcpus file: %d", n);
}

FIXTURE_TEARDOWN(vcpu)
{
	int i;

	if (self->dev[0])
		for (i = 0; i < NR; i++) {
			char req[16];

			snprintf(req, sizeof(req), "%d 0", i);
			dbg_boost(self->dev, req);
		}
}

/*
 * All vCPUs spin: the host keeps some waiting, the flags change, pvhc
 * answers 1 for some vCPU at least once, and never anything but 0 or 1.
 */
TEST_F(vcpu, spinning_vcpus_are_preempted)
{
	struct grow g0[NR], g[NR], g1[NR];
	struct hrow h[NR];
	pid_t kids[NR];
	long long seen = 0, samples = 0, bad = 0, moved = 0;
	time_t end;
	int i;

	ASSERT_EQ(NR, guest_vcpus(self->dev, g0));
	for (i = 0; i < NR; i++) {
		kids[i] = fork();
		ASSERT_LE(0, kids[i]);
		if (!kids[i]) {
			unsigned long x = 0;

			pin(i);
			end = time(NULL) + SPIN_S;
			while (time(NULL) < end)
				__asm__ __volatile__("" : "+r" (x));
			_exit(0);
		}
	}
	end = time(NULL) + SPIN_S;
	while (time(NULL) < end) {
		if (guest_vcpus(self->dev, g) != NR)
			continue;
		for (i = 0; i < NR; i++) {
			samples++;
			seen += g[i].pvhc == 1;
			bad += g[i].pvhc != 0 && g[i].pvhc != 1;
		}
		/* no pause: a flag is up for one host period at a time */
	}
	for (i = 0; i < NR; i++)
		waitpid(kids[i], NULL, 0);
	ASSERT_EQ(NR, guest_vcpus(self->dev, g));
	for (i = 0; i < NR; i++)
		moved += g[i].preempt_seq - g0[i].preempt_seq;
	TH_LOG("pvhc saw a vCPU preempted in %lld of %lld samples; preempt_seq moved %lld",
	       seen, samples, moved);
	EXPECT_LT(0, moved);
	EXPECT_LT(0, seen);
	EXPECT_EQ(0, bad);
	/* the guest and pvhostd agree: host between two guest reads */
	ASSERT_EQ(NR, host_vcpus(h));
	ASSERT_EQ(NR, guest_vcpus(self->dev, g1));
	for (i = 0; i < NR; i++) {
		EXPECT_LT(0, h[i].tid);
		EXPECT_LE(g[i].preempt_seq, h[i].preempt_seq) TH_LOG("vCPU %d", i);
		EXPECT_GE(g1[i].preempt_seq, h[i].preempt_seq) TH_LOG("vCPU %d", i);
	}
}

/*
 * Idle vCPUs sleep in the host (halted): hardly ever preempted. A vCPU
 * woken for a moment may wait on a busy host like any other, hence a
 * bound on the share rather than zero; the same share with all spinning
 * is far higher (spinning_vcpus_are_preempted logs it).
 */
TEST_F(vcpu, idle_vcpus_not_preempted)
{
	struct hrow h[NR];
	struct grow g[NR];
	long long preempted = 0, samples = 0;
	int i, j, sleeping = 0;

	pin(0);
	sleep(1);
	for (j = 0; j < 100; j++) {
		ASSERT_EQ(NR, guest_vcpus(self->dev, g));
		for (i = 1; i < NR; i++) {
			samples++;
			preempted += g[i].preempted;
		}
		usleep(20000);
	}
	ASSERT_EQ(NR, host_vcpus(h));
	for (i = 1; i < NR; i++)
		sleeping += h[i].state == 'S';
	TH_LOG("idle vCPUs 1-3: preempted in %lld of %lld samples; %d asleep on the host",
	       preempted, samples, sleeping);
	EXPECT_LE(preempted * 10, samples);
	EXPECT_LT(0, sleeping);
}

static int acked(const char *dev, int cpu)
{
	struct grow g[NR];

	return guest_vcpus(dev, g) == NR && g[cpu].boost_seq &&
	       g[cpu].boost_ack == g[cpu].boost_seq;
}

/* Boost until the host applies it, retrying while its policy refuses. */
static int boost_applied(const char *dev, int cpu)
{
	char req[16];
	int i, j;

	snprintf(req, sizeof(req), "%d 1", cpu);
	for (i = 0; i < SEQ_TRIES; i++) {
		if (dbg_boost(dev, req))
			return 0;
		for (j = 0; j < 10; j++) {
			if (acked(dev, cpu))
				return 1;
			usleep(50000);
		}
	}
	return 0;
}

/*
 * A boost is a lower nice of the vCPU's thread on the host; clearing it
 * restores the nice, and so does the host's bound (pvhostd
 * --boost-max-ms, 3000 in the lanes: longer than a relay round trip)
 * when the guest never clears it.
 */
TEST_F(vcpu, boost_changes_host_nice)
{
	struct hrow h[NR];
	int cpu = 1, i;

	ASSERT_TRUE(boost_applied(self->dev, cpu));
	ASSERT_EQ(NR, host_vcpus(h));
	EXPECT_EQ(1, h[cpu].boosted);
	EXPECT_GT(h[cpu].nice_orig, h[cpu].nice) TH_LOG("boosted: nice lower");
	EXPECT_LT(0ULL, h[cpu].applied);
	EXPECT_EQ(0, dbg_boost(self->dev, "1 0"));
	for (i = 0; i < TRIES; i++) {
		ASSERT_EQ(NR, host_vcpus(h));
		if (!h[cpu].boosted)
			break;
		usleep(50000);
	}
	EXPECT_EQ(0, h[cpu].boosted);
	EXPECT_EQ(h[cpu].nice_orig, h[cpu].nice) TH_LOG("cleared: nice back");
	EXPECT_LT(0ULL, h[cpu].reverted);

	/* never cleared: the host's bound reverts it */
	ASSERT_TRUE(boost_applied(self->dev, cpu));
	sleep(4);
	ASSERT_EQ(NR, host_vcpus(h));
	EXPECT_EQ(0, h[cpu].boosted);
	EXPECT_EQ(h[cpu].nice_orig, h[cpu].nice) TH_LOG("bound: nice back");
	EXPECT_LE(2ULL, h[cpu].reverted);
	EXPECT_EQ(h[cpu].applied, h[cpu].reverted);
}

TEST_F(vcpu, boost_rejects_bad_input)
{
	static const char *const bad[] = {
		"1", "1 2", "-1 1", "x y", "1 1 1", "4294967296 1", "1 0x1",
	};
	char req[32];
	int i;

	for (i = 0; i < (int)ARRAY_SIZE(bad); i++)
		EXPECT_EQ(-EINVAL, dbg_boost(self->dev, bad[i])) TH_LOG("input %d", i);
	/* a CPU the guest does not have: pvhc refuses it */
	snprintf(req, sizeof(req), "%d 1", 4096);
	EXPECT_EQ(-EINVAL, dbg_boost(self->dev, req));
}

TEST_HARNESS_MAIN
