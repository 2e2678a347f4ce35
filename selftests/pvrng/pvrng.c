// SPDX-License-Identifier: GPL-2.0
/*
 * pvrng selftests: the sysfs files and parameters, no hwrng at the default
 * policy, the hwrng "pvrng" (the module reloaded with quality=1) with the
 * quality the hwrng core really uses for it, and its stream, the host's
 * entropy ring and its doorbell, host faults injected through pvhost-ctl
 * (zeros, repeat, replay) being detected, quarantined and never credited,
 * credit once the host is healthy again, and the mixed stream under
 * rngtest (FIPS 140-2, against /dev/urandom in the same guest) and a
 * dieharder subset.
 *
 * PV_PVHOST=1 says the lane runs a pvhostd; without it, and without the
 * pvhost-ctl relay, the host tests are skipped. The statistical tests run
 * in the stock-6.12 lane (PV_LANE), where rngtest and dieharder must be in
 * the guest; elsewhere they are skipped.
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
 * The harness's wrappers keep a pid across setjmp(); depending on what gcc
 * inlines into them it warns that it "might be clobbered". The variable is
 * only read on the paths that did not longjmp().
 */
#pragma GCC diagnostic ignored "-Wclobbered"

#include "kselftest_harness.h"
#include "pv_host.h"
#include "pv_module.h"
#include "pv_sysfs.h"

#define PVRNG		"/sys/kernel/pvrng"
#define PARAMS		"/sys/module/pvrng/parameters"
#define HWRNG		"/sys/class/misc/hw_random"
#define RNG_CORE	"/sys/module/rng_core/parameters"
/* The quality the hwrng tests reload pvrng with: the least credit. */
#define HW_QUALITY	1
#define HW_QUALITY_PARAM "quality=1"
#define STAT_LANE	"stock-6.12"
#define PVHOST_DEBUG	"/sys/kernel/debug/pvhost"
#define CHUNK		4096

static const char *const sources[] = { "host", "rdseed", "rdrand" };

static const char *const src_files[] = {
	"state", "fetches", "bytes", "short_reads", "empty_fetches", "errors",
	"stalls", "rct_failures", "apt_failures", "replay_failures",
	"quarantines", "good_windows", "bits_credited",
};

static const char *const top_files[] = {
	"blocks_mixed", "bytes_mixed", "bits_credited", "pool_blocks",
	"hwrng_bytes", "hwrng_refused", "hwrng", "cc_guest", "mixer",
};

static long long read_ll(const char *path)
{
	char buf[64], *end;
	long long v;

	if (pv_read_line(path, buf, sizeof(buf)))
		return -1;
	v = strtoll(buf, &end, 10);
	return *end ? -1 : v;
}

static long long src_ll(const char *src, const char *file)
{
	char path[256];

	snprintf(path, sizeof(path), PVRNG "/sources/%s/%s", src, file);
	return read_ll(path);
}

static void src_state(const char *src, char *buf, size_t len)
{
	char path[256];

	snprintf(path, sizeof(path), PVRNG "/sources/%s/state", src);
	if (pv_read_line(path, buf, len))
		snprintf(buf, len, "?");
}

/* Read @bytes of /dev/hwrng; returns what was read. */
static long long pull(long long bytes)
{
	static char buf[CHUNK];
	long long done = 0;
	ssize_t n;
	int fd;

	fd = open("/dev/hwrng", O_RDONLY);
	if (fd < 0)
		return -1;
	while (done < bytes) {
		n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		done += n;
	}
	close(fd);
	return done;
}

static int set_credit(unsigned int bits)
{
	char v[16];

	snprintf(v, sizeof(v), "%u", bits);
	return pv_write_str(PARAMS "/credit", v);
}

/* Whether @name is one of the words of rng_available. */
static int hwrng_available(const char *name)
{
	char avail[256], *w, *save;

	if (pv_read_line(HWRNG "/rng_available", avail, sizeof(avail)))
		return 0;
	for (w = strtok_r(avail, " ", &save); w; w = strtok_r(NULL, " ", &save))
		if (!strcmp(w, name))
			return 1;
	return 0;
}

/*
 * Unload pvrng and load it again from PV_MODULE_PATH with @params.
 * Returns 0, or -errno; -ENOENT when PV_MODULE_PATH is not set.
 */
static int reload_pvrng(const char *params)
{
	const char *ko = getenv("PV_MODULE_PATH");

	if (!ko)
		return -ENOENT;
	return pv_module_reload("pvrng", ko, params);
}

/*
 * Wait until the kthread fed a block to the pool that was computed after
 * now: polls, bounded (a liveness bound, not a timing assertion). Writing
 * the credit wakes the kthread; a wake that lands just before it goes to
 * sleep in the input pool's reseed-interval wait (up to 60 s after a
 * credited block) is lost, so the credit is written again every 2 s.
 */
static int wait_pool_block(unsigned int credit)
{
	long long p = read_ll(PVRNG "/pool_blocks");
	int i;

	for (i = 0; i < 600; i++) {
		if (read_ll(PVRNG "/pool_blocks") > p)
			return 0;
		if (i % 20 == 19 && set_credit(credit))
			return -EIO;
		usleep(100 * 1000);
	}
	return -ETIMEDOUT;
}

/* Pull until the host source is in @state, at most @max bytes of output. */
static int pull_until_state(const char *state, long long max)
{
	char st[32];
	long long done;

	for (done = 0; done < max; done += 64 * 1024) {
		src_state("host", st, sizeof(st));
		if (!strcmp(st, state))
			return 0;
		if (pull(64 * 1024) != 64 * 1024)
			return -EIO;
	}
	src_state("host", st, sizeof(st));
	return strcmp(st, state) ? -ETIMEDOUT : 0;
}

TEST(sysfs_files)
{
	char path[256], buf[64];
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(top_files); i++) {
		snprintf(path, sizeof(path), PVRNG "/%s", top_files[i]);
		EXPECT_EQ(0, pv_read_line(path, buf, sizeof(buf)))
			TH_LOG("%s", path);
	}
	ASSERT_EQ(0, pv_read_line(PVRNG "/mixer", buf, sizeof(buf)));
	EXPECT_STREQ("blake2s", buf);
	for (i = 0; i < ARRAY_SIZE(sources); i++) {
		for (j = 0; j < ARRAY_SIZE(src_files); j++) {
			snprintf(path, sizeof(path), PVRNG "/sources/%s/%s",
				 sources[i], src_files[j]);
			EXPECT_EQ(0, pv_read_line(path, buf, sizeof(buf)))
				TH_LOG("%s", path);
		}
		src_state(sources[i], buf, sizeof(buf));
		EXPECT_TRUE(!strcmp(buf, "absent") || !strcmp(buf, "startup") ||
			    !strcmp(buf, "healthy") || !strcmp(buf, "quarantined") ||
			    !strcmp(buf, "stalled"))
			TH_LOG("%s: state %s", sources[i], buf);
		TH_LOG("source %s: %s", sources[i], buf);
	}
	/* The default policy credits nothing. */
	EXPECT_EQ(0, read_ll(PARAMS "/credit"));
	EXPECT_EQ(0, read_ll(PARAMS "/quality"));
	if (pv_want_host()) {
		src_state("host", buf, sizeof(buf));
		EXPECT_STRNE("absent", buf);
	}
}

TEST(params_rejected)
{
	static const char *const bad[] = { "257", "-1", "abc", "12x", "99999999999" };
	unsigned int i;
	int fd;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, pv_write_str(PARAMS "/credit", bad[i]))
			TH_LOG("credit '%s' accepted", bad[i]);
		EXPECT_EQ(0, read_ll(PARAMS "/credit"));
	}
	EXPECT_EQ(0, set_credit(256));
	EXPECT_EQ(256, read_ll(PARAMS "/credit"));
	EXPECT_EQ(0, set_credit(0));
	EXPECT_EQ(0, read_ll(PARAMS "/credit"));
	/* Read-only parameters and sysfs files. */
	fd = open(PARAMS "/quality", O_WRONLY);
	EXPECT_LT(fd, 0);
	if (fd >= 0)
		close(fd);
	fd = open(PVRNG "/sources/host/bits_credited", O_WRONLY);
	EXPECT_LT(fd, 0);
	if (fd >= 0)
		close(fd);
}

/*
 * The default policy gives no hwrng credit, and the hwrng core cannot be
 * asked for a quality of 0 on every kernel in range (v6.2 to v6.10 turn
 * it into 1024 each time the hwrng becomes current): no hwrng at all.
 * Should one be there, the quality the core really uses for it, with it
 * made current, must not be above the parameter.
 */
TEST(no_hwrng_by_default)
{
	char st[32], prev[64] = "", cur[64] = "";
	long long q = read_ll(PARAMS "/quality");
	long long eff;

	ASSERT_EQ(0, q) TH_LOG("pvrng was not loaded with the default quality");
	ASSERT_EQ(0, pv_read_line(PVRNG "/hwrng", st, sizeof(st)));
	EXPECT_STREQ("none", st);
	EXPECT_FALSE(hwrng_available("pvrng"));
	if (!hwrng_available("pvrng"))
		return;
	ASSERT_EQ(0, pv_read_line(HWRNG "/rng_current", prev, sizeof(prev)));
	ASSERT_EQ(0, pv_write_str(HWRNG "/rng_current", "pvrng"));
	ASSERT_EQ(0, pv_read_line(HWRNG "/rng_current", cur, sizeof(cur)));
	eff = read_ll(HWRNG "/rng_quality");
	TH_LOG("pvrng current (%s): effective rng_quality %lld, parameter %lld",
	       cur, eff, q);
	EXPECT_STREQ("pvrng", cur);
	EXPECT_LE(eff, q);
	if (prev[0] && strcmp(prev, "none") && strcmp(prev, "pvrng"))
		pv_write_str(HWRNG "/rng_current", prev);
}

/*
 * /dev/hwrng switched to pvrng for the test, switched back after. pvrng
 * is reloaded with quality=HW_QUALITY (once: the tests after the first
 * find it loaded so), and the hwrng core must use at most that.
 */
FIXTURE(hw) {
	char prev[64];
};

FIXTURE_SETUP(hw)
{
	char st[32], cur[64];
	long long q, eff, dq;
	int ret;

	if (!pv_read_line(PVRNG "/cc_guest", st, sizeof(st)) && !strcmp(st, "1"))
		SKIP(return, "confidential-computing guest: pvrng registers no hwrng");
	if (read_ll(PARAMS "/quality") == 0) {
		ret = reload_pvrng(HW_QUALITY_PARAM);
		if (ret == -ENOENT)
			SKIP(return, "PV_MODULE_PATH not set: cannot load pvrng with quality=%d",
			     HW_QUALITY);
		ASSERT_EQ(0, ret) TH_LOG("reloading pvrng: %s", strerror(-ret));
	}
	q = read_ll(PARAMS "/quality");
	ASSERT_EQ(HW_QUALITY, q);
	ASSERT_EQ(0, pv_read_line(PVRNG "/hwrng", st, sizeof(st)));
	ASSERT_STREQ("registered", st);
	ASSERT_TRUE(hwrng_available("pvrng"));
	ASSERT_EQ(0, pv_read_line(HWRNG "/rng_current", self->prev, sizeof(self->prev)));
	ASSERT_EQ(0, pv_write_str(HWRNG "/rng_current", "pvrng"));
	/* What the core credits with: the effective quality, not the parameter. */
	ASSERT_EQ(0, pv_read_line(HWRNG "/rng_current", cur, sizeof(cur)));
	ASSERT_STREQ("pvrng", cur);
	eff = read_ll(HWRNG "/rng_quality");
	dq = read_ll(RNG_CORE "/default_quality");
	TH_LOG("pvrng current: rng_quality %lld, parameter %lld, rng_core.default_quality %lld",
	       eff, q, dq);
	ASSERT_LE(0, eff);
	ASSERT_LE(eff, q) TH_LOG("the hwrng core credits pvrng at %lld per 1024 bits, policy %lld",
				 eff, q);
	/* Every core in range keeps a nonzero quality under default_quality. */
	if (dq < 0 || dq >= q)
		EXPECT_EQ(q, eff);
}

FIXTURE_TEARDOWN(hw)
{
	/* Whatever failed, leave the host's stream good and no credit. */
	if (pv_want_host())
		pv_host_ctl(NULL, 0, "entropy fault none");
	set_credit(0);
	if (self->prev[0] && strcmp(self->prev, "none"))
		pv_write_str(HWRNG "/rng_current", self->prev);
}

TEST_F(hw, stream)
{
	long long b0 = read_ll(PVRNG "/hwrng_bytes");
	long long m0 = read_ll(PVRNG "/blocks_mixed");
	static char a[CHUNK], b[CHUNK], zero[CHUNK];
	int fd;

	ASSERT_EQ(256 * 1024, pull(256 * 1024));
	EXPECT_GE(read_ll(PVRNG "/hwrng_bytes") - b0, 256 * 1024);
	EXPECT_GE(read_ll(PVRNG "/blocks_mixed") - m0, 256 * 1024 / 32);
	fd = open("/dev/hwrng", O_RDONLY);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(CHUNK, read(fd, a, CHUNK));
	EXPECT_EQ(CHUNK, read(fd, b, CHUNK));
	close(fd);
	EXPECT_NE(0, memcmp(a, b, CHUNK));
	EXPECT_NE(0, memcmp(a, zero, CHUNK));
}

/* The ring is refilled on the guest's doorbell: more than a ring's worth. */
static void check_ring_doorbell(struct __test_metadata *_metadata)
{
	char dev[256] = "", path[512];
	long long bytes0, db0, irq0;

	ASSERT_EQ(0, pv_pvhost_device(dev, sizeof(dev)))
		TH_LOG("no pvhost device in debugfs");
	snprintf(path, sizeof(path), PVHOST_DEBUG "/%s/doorbells", dev);
	db0 = read_ll(path);
	snprintf(path, sizeof(path), PVHOST_DEBUG "/%s/irqs_entropy", dev);
	irq0 = read_ll(path);
	bytes0 = src_ll("host", "bytes");
	ASSERT_EQ(1024 * 1024, pull(1024 * 1024));
	EXPECT_GT(src_ll("host", "bytes") - bytes0, 4 * 4096);
	EXPECT_GT(read_ll(path), irq0);
	TH_LOG("host bytes %lld over 1 MiB of output, entropy irqs %lld",
	       src_ll("host", "bytes") - bytes0, read_ll(path) - irq0);
	snprintf(path, sizeof(path), PVHOST_DEBUG "/%s/doorbells", dev);
	EXPECT_GT(read_ll(path), db0);
	EXPECT_EQ(0, src_ll("host", "errors"));
}

TEST_F(hw, host_ring_doorbell)
{
	if (!pv_want_host())
		SKIP(return, "no pvhostd in this lane");
	check_ring_doorbell(_metadata);
}

/* The host source's counters, for the log of a failing test. */
#define LOG_HOST(what) do {						\
	char _st[32];							\
	src_state("host", _st, sizeof(_st));				\
	TH_LOG("%s: host %s bytes %lld rct %lld apt %lld replay %lld "	\
	       "quarantines %lld good_windows %lld credited %lld",	\
	       what, _st, src_ll("host", "bytes"),			\
	       src_ll("host", "rct_failures"),				\
	       src_ll("host", "apt_failures"),				\
	       src_ll("host", "replay_failures"),			\
	       src_ll("host", "quarantines"),				\
	       src_ll("host", "good_windows"),				\
	       src_ll("host", "bits_credited"));			\
} while (0)

struct fault {
	const char *name;
	const char *counter;	/* the test expected to fire */
};

static const struct fault faults[] = {
	{ "zeros", "rct_failures" },
	{ "repeat", "replay_failures" },
	{ "replay", "replay_failures" },
};

/* Pulls tens of MiB through the hwrng under TCG: more than 30 s. */
TEST_F_TIMEOUT(hw, host_faults, 300)
{
	long long q0, f0, bits0;
	char st[32], args[64];
	unsigned int i, k;

	if (!pv_host_require(_metadata, NULL, 0, "entropy fault none"))
		return;

	for (i = 0; i < ARRAY_SIZE(faults); i++) {
		LOG_HOST(faults[i].name);
		ASSERT_EQ(0, pull_until_state("healthy", 64LL << 20))
			LOG_HOST("never healthy before the fault");
		q0 = src_ll("host", "quarantines");
		f0 = src_ll("host", faults[i].counter);
		snprintf(args, sizeof(args), "entropy fault %s", faults[i].name);
		ASSERT_EQ(0, pv_host_ctl(NULL, 0, args));
		EXPECT_EQ(0, pull_until_state("quarantined", 16LL << 20))
			LOG_HOST("not quarantined");
		EXPECT_GT(src_ll("host", "quarantines"), q0);
		EXPECT_GT(src_ll("host", faults[i].counter), f0)
			TH_LOG("%s: %s did not rise", faults[i].name, faults[i].counter);

		/* Full credit asked while the faulty stream flows: none given. */
		/*
		 * Each write of the credit wakes the kthread, also from the
		 * pool's reseed-interval sleep after crediting rdrand.
		 */
		bits0 = src_ll("host", "bits_credited");
		for (k = 0; k < 2; k++) {
			ASSERT_EQ(0, set_credit(256));
			ASSERT_EQ(64 * 1024, pull(64 * 1024));
			EXPECT_EQ(0, wait_pool_block(256));
		}
		EXPECT_EQ(bits0, src_ll("host", "bits_credited"));
		src_state("host", st, sizeof(st));
		EXPECT_STREQ("quarantined", st);
		ASSERT_EQ(0, set_credit(0));
		LOG_HOST(faults[i].name);
		ASSERT_EQ(0, pv_host_ctl(NULL, 0, "entropy fault none"));
	}
	/* Let back after the documented run of good windows, then credited. */
	ASSERT_EQ(0, pull_until_state("healthy", 64LL << 20))
		LOG_HOST("not let back");
	bits0 = src_ll("host", "bits_credited");
	for (i = 0; i < 10 && src_ll("host", "bits_credited") == bits0; i++) {
		ASSERT_EQ(0, set_credit(256));
		EXPECT_EQ(0, wait_pool_block(256));
	}
	EXPECT_GT(src_ll("host", "bits_credited"), bits0);
	LOG_HOST("let back");
	EXPECT_EQ(0, set_credit(0));
	EXPECT_GT(read_ll(PVRNG "/bits_credited"), 0);
}

/*
 * The statistical tests take minutes of guest time: they run in one lane.
 * Returns NULL when @tool is there, else why the test is skipped; in the
 * stock-6.12 lane a missing tool is a failure, never a skip.
 */
static const char *stat_tool_missing(struct __test_metadata *_metadata,
				     const char *tool)
{
	const char *lane = getenv("PV_LANE");
	char cmd[96];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
	if (!system(cmd))
		return NULL;
	if (lane && !strcmp(lane, STAT_LANE)) {
		TH_LOG("%s is not in the guest of the %s lane", tool, STAT_LANE);
		_metadata->exit_code = KSFT_FAIL;
		return "";
	}
	return "statistical tests run in the " STAT_LANE " lane";
}

/* "rngtest: FIPS 140-2 failures: N" from rngtest -c BLOCKS < SRC. */
static int rngtest_failures(const char *src, int blocks)
{
	char cmd[128], line[256];
	int fails = -1;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "rngtest -c %d <%s 2>&1", blocks, src);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		sscanf(line, "rngtest: FIPS 140-2 failures: %d", &fails);
	pclose(f);
	return fails;
}

/*
 * 1000 blocks of 20000 bits from each: a good source fails about 0.8 of
 * them (FIPS 140-2 tests at ~0.08% per block); more than 5 has a
 * probability under 2e-4 for a good source.
 */
TEST_F_TIMEOUT(hw, rngtest_fips, 300)
{
	const char *why = stat_tool_missing(_metadata, "rngtest");
	int hw, ur;

	if (why && !*why)
		return;
	if (why)
		SKIP(return, "%s", why);
	hw = rngtest_failures("/dev/hwrng", 1000);
	ur = rngtest_failures("/dev/urandom", 1000);
	TH_LOG("FIPS 140-2 failures in 1000 blocks: pvrng %d, /dev/urandom %d", hw, ur);
	ASSERT_GE(hw, 0);
	ASSERT_GE(ur, 0);
	EXPECT_LE(hw, 5);
	EXPECT_LE(ur, 5);
}

/* dieharder on the raw stream: FAILED is p < 1e-6; WEAK is allowed. */
TEST_F_TIMEOUT(hw, dieharder_subset, 300)
{
	/*
	 * Under TCG dieharder reads about 0.4 MB/s from /dev/hwrng: the sts
	 * tests at their default sizes take minutes. diehard_birthdays only.
	 */
	static const char *const tests[] = {
		"-d 0 -p 10",	/* diehard_birthdays */
	};
	const char *why = stat_tool_missing(_metadata, "dieharder");
	char cmd[128], line[256];
	int failed = 0, passed = 0;
	unsigned int i;
	FILE *f;

	if (why && !*why)
		return;
	if (why)
		SKIP(return, "%s", why);
	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		snprintf(cmd, sizeof(cmd), "dieharder -g 200 %s </dev/hwrng 2>&1",
			 tests[i]);
		f = popen(cmd, "r");
		ASSERT_NE(NULL, f);
		while (fgets(line, sizeof(line), f)) {
			if (line[0] == '#')
				continue;
			if (strstr(line, "FAILED"))
				failed++;
			else if (strstr(line, "PASSED") || strstr(line, "WEAK"))
				passed++;
			TH_LOG("%s", line);
		}
		pclose(f);
	}
	EXPECT_EQ(0, failed);
	EXPECT_GE(passed, (int)ARRAY_SIZE(tests));
}

/*
 * Last: pvrng as the lane loaded it, with no hwrng. The harness runs the
 * fixtures in the order they are defined, after the tests of no fixture.
 */
FIXTURE(last) {
	int unused;
};

FIXTURE_SETUP(last)
{
}

FIXTURE_TEARDOWN(last)
{
}

TEST_F(last, default_load_again)
{
	char st[32];
	int ret;

	if (read_ll(PARAMS "/quality") == 0)
		return;
	ret = reload_pvrng("");
	ASSERT_EQ(0, ret) TH_LOG("reloading pvrng: %s", strerror(-ret));
	EXPECT_EQ(0, read_ll(PARAMS "/quality"));
	ASSERT_EQ(0, pv_read_line(PVRNG "/hwrng", st, sizeof(st)));
	EXPECT_STREQ("none", st);
	EXPECT_FALSE(hwrng_available("pvrng"));
}

TEST_HARNESS_MAIN
