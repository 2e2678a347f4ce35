// SPDX-License-Identifier: GPL-2.0
/*
 * pvnuma selftests for /sys/kernel/pvnuma/: a hint added with hint_add is
 * listed in hints with its id and removed with hint_remove; malformed
 * lines, offline nodes, unknown CPUs and bad ids are refused with EINVAL;
 * no more than max_user_hints hints are held (ENOSPC past it, EEXIST for
 * a duplicate); where pvhost takes the hints, the host answers a hint
 * within a bound; a CPU taken offline and online again changes its
 * node's automatic hint; the module unloads while it holds hints and
 * loads again without them. The last test unloads the module: it runs last.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "pv_sysfs.h"
#include "pvnuma.h"

#define PARAMS		"/sys/module/pvnuma/parameters"
#define ANSWER_TRIES	400	/* x 25 ms: pvhostd ticks every 200 ms */
#define HINT_CPUS	256	/* CPUs a hint can name */

/* Write @s (with its length as given) to a file of pvnuma: 0 or -errno. */
static int pvnuma_write(const char *name, const char *s)
{
	char path[128];

	snprintf(path, sizeof(path), DIR "/%s", name);
	return pv_write_str(path, s);
}

/* The line of hint @id in @hints, copied to @line; 0 if found. */
static int hint_line(const char *hints, unsigned int id, char *line,
		     size_t len)
{
	const char *p = hints, *end;
	char *stop;

	while (*p) {
		end = strchrnul(p, '\n');
		if (strtoul(p, &stop, 10) == id && stop != p && *stop == ' ') {
			snprintf(line, len, "%.*s", (int)(end - p), p);
			return 0;
		}
		p = *end ? end + 1 : end;
	}
	return -ENOENT;
}

/* Every user hint's id into @ids (at most @max): their number. */
static int user_hints(unsigned int *ids, int max)
{
	char hints[HINTS_LEN], *p, *end;
	int n = 0;

	if (pv_read_all(DIR "/hints", hints, sizeof(hints)))
		return -1;
	for (p = hints; *p; p = *end ? end + 1 : end) {
		end = strchrnul(p, '\n');
		if (!memmem(p, end - p, " user ", 6))
			continue;
		if (n < max)
			ids[n] = strtoul(p, NULL, 10);
		n++;
	}
	return n;
}

/* An automatic hint's id, or 0. */
static unsigned int auto_hint(void)
{
	char hints[HINTS_LEN], *p, *end;

	if (pv_read_all(DIR "/hints", hints, sizeof(hints)))
		return 0;
	for (p = hints; *p; p = *end ? end + 1 : end) {
		end = strchrnul(p, '\n');
		if (memmem(p, end - p, " auto ", 6))
			return strtoul(p, NULL, 10);
	}
	return 0;
}

static void remove_user_hints(void)
{
	unsigned int ids[64];
	char s[16];
	int i, n;

	n = user_hints(ids, 64);
	for (i = 0; i < n && i < 64; i++) {
		snprintf(s, sizeof(s), "%u\n", ids[i]);
		pvnuma_write("hint_remove", s);
	}
}

/* The last CPU of a list such as "0-3" or "0,2-5": -1 on error. */
static int last_cpu(const char *path)
{
	char buf[256], *p;

	if (pv_read_line(path, buf, sizeof(buf)))
		return -1;
	p = buf + strlen(buf);
	while (p > buf && (p[-1] >= '0' && p[-1] <= '9'))
		p--;
	return atoi(p);
}

FIXTURE(pvnuma) {
	char hints[HINTS_LEN];
	int last_cpu;		/* highest possible CPU */
	int nodes;		/* online nodes are 0..nodes-1 at least */
	unsigned int max;	/* max_user_hints */
	char source[32];
};

FIXTURE_SETUP(pvnuma)
{
	char buf[64];

	ASSERT_EQ(0, access(DIR "/hints", R_OK))
		TH_LOG("pvnuma is loaded but has no %s/hints", DIR);
	ASSERT_EQ(0, pv_read_line(DIR "/source", self->source,
				  sizeof(self->source)));
	ASSERT_EQ(0, pv_read_line(PARAMS "/max_user_hints", buf, sizeof(buf)));
	self->max = strtoul(buf, NULL, 10);
	ASSERT_GE(self->max, 1U);
	self->last_cpu = last_cpu("/sys/devices/system/cpu/possible");
	ASSERT_GE(self->last_cpu, 0);
	self->nodes = last_cpu("/sys/devices/system/node/online") + 1;
	ASSERT_GE(self->nodes, 1);
	remove_user_hints();
}

FIXTURE_TEARDOWN(pvnuma)
{
	remove_user_hints();
}

TEST_F(pvnuma, add_remove)
{
	char line[256], id[16];
	unsigned int n;

	ASSERT_EQ(0, pvnuma_write("hint_add", "0 0\n"));
	n = pvnuma_user_hint(0, "0");
	ASSERT_NE(0U, n) TH_LOG("hint 0 0 is not listed in hints");
	ASSERT_EQ(0, pv_read_all(DIR "/hints", self->hints, HINTS_LEN));
	ASSERT_EQ(0, hint_line(self->hints, n, line, sizeof(line)));
	EXPECT_TRUE(!!strstr(line, " status="));
	EXPECT_TRUE(!!strstr(line, " age_ms="));
	TH_LOG("%s", line);

	/* The same hint twice is refused, not held twice. */
	EXPECT_EQ(-EEXIST, pvnuma_write("hint_add", "0 0"));
	EXPECT_EQ(1, user_hints(&n, 1));

	snprintf(id, sizeof(id), "%u\n", n);
	ASSERT_EQ(0, pvnuma_write("hint_remove", id));
	EXPECT_EQ(0U, pvnuma_user_hint(0, "0"));
	EXPECT_EQ(0, user_hints(&n, 1));
	EXPECT_EQ(-ENOENT, pvnuma_write("hint_remove", id));
}

TEST_F(pvnuma, bad_input)
{
	/* (An empty write never reaches the file: "\n" is the empty line.) */
	static const char * const bad_add[] = {
		"\n", "0", "0 ", "x 0", "-1 0", "+0 0", "0 a", "0 1-",
		"0 1 2", "0  0", "0 0\n\n", "0 ,", "0 300", "99999999999 0",
		"0 0,999999999999", NULL
	};
	static const char * const bad_remove[] = {
		"\n", "0", "-1", "abc", "1 2", "0x1", "4294967296", NULL
	};
	const char * const *in;
	char s[64];
	unsigned int id;
	int node;

	/* (*in ? *in : "" keeps gcc from warning of a NULL %s.) */
	for (in = bad_add; *in; in++)
		EXPECT_EQ(-EINVAL, pvnuma_write("hint_add", *in))
			TH_LOG("hint_add \"%.64s\" was not refused with EINVAL",
			       *in ? *in : "");
	for (in = bad_remove; *in; in++)
		EXPECT_EQ(-EINVAL, pvnuma_write("hint_remove", *in))
			TH_LOG("hint_remove \"%.64s\" was not refused with EINVAL",
			       *in ? *in : "");

	/* A node that is not online. */
	for (node = self->nodes; node < 4096; node++) {
		snprintf(s, sizeof(s), "/sys/devices/system/node/node%d", node);
		if (access(s, F_OK))
			break;
	}
	snprintf(s, sizeof(s), "%d 0", node);
	EXPECT_EQ(-EINVAL, pvnuma_write("hint_add", s)) TH_LOG("node %d", node);

	/* A CPU the guest cannot have. */
	if (self->last_cpu + 1 < HINT_CPUS) {
		snprintf(s, sizeof(s), "0 %d", self->last_cpu + 1);
		EXPECT_EQ(-EINVAL, pvnuma_write("hint_add", s)) TH_LOG("%s", s);
	}

	/* An automatic hint is the module's, not the user's to remove. */
	id = auto_hint();
	if (id) {
		snprintf(s, sizeof(s), "%u", id);
		EXPECT_EQ(-EINVAL, pvnuma_write("hint_remove", s));
		EXPECT_NE(0U, auto_hint());
	}

	/* Nothing of the above was kept. */
	EXPECT_EQ(0, user_hints(&id, 1));
}

/*
 * The @i-th of the distinct hints the bounded test adds: node i % nodes,
 * the CPUs of the bitmask i / nodes + 1 (of the first @cpus CPUs).
 */
static void nth_hint(char *s, size_t len, unsigned int i, int nodes, int cpus)
{
	unsigned int mask = i / nodes + 1;
	int cpu;

	snprintf(s, len, "%u ", i % nodes);
	for (cpu = 0; cpu < cpus; cpu++)
		if (mask & (1U << cpu))
			snprintf(s + strlen(s), len - strlen(s), "%d,", cpu);
	s[strlen(s) - 1] = '\0';
}

TEST_F(pvnuma, bounded)
{
	unsigned int i, id, combos;
	char s[64];
	int cpus;

	cpus = self->last_cpu + 1 < 8 ? self->last_cpu + 1 : 8;
	combos = self->nodes * ((1U << cpus) - 1);
	if (combos <= self->max)
		SKIP(return, "%u distinct hints possible here, max_user_hints is %u",
		     combos, self->max);
	for (i = 0; i < self->max; i++) {
		nth_hint(s, sizeof(s), i, self->nodes, cpus);
		ASSERT_EQ(0, pvnuma_write("hint_add", s)) TH_LOG("hint %s", s);
	}
	EXPECT_EQ((int)self->max, user_hints(&id, 1));
	/* One more, distinct from those held, is refused. */
	nth_hint(s, sizeof(s), self->max, self->nodes, cpus);
	EXPECT_EQ(-ENOSPC, pvnuma_write("hint_add", s)) TH_LOG("hint %s", s);
	EXPECT_EQ((int)self->max, user_hints(&id, 1));
	TH_LOG("%u hints held, the next refused with ENOSPC", self->max);
}

TEST_F(pvnuma, host_answers)
{
	char line[256], s[300], cpus[256];
	unsigned int id;
	int i;

	if (strcmp(self->source, "pvhost"))
		SKIP(return, "NUMA hints go to %s, not pvhost: no host answers",
		     self->source);
	/* Node 0's own CPUs with node 0: a hint the host can apply. */
	ASSERT_EQ(0, pv_read_line("/sys/devices/system/node/node0/cpulist",
				  cpus, sizeof(cpus)));
	snprintf(s, sizeof(s), "0 %s", cpus);
	ASSERT_EQ(0, pvnuma_write("hint_add", s));
	id = pvnuma_user_hint(0, cpus);
	ASSERT_NE(0U, id);
	for (i = 0; i < ANSWER_TRIES; i++) {
		ASSERT_EQ(0, pv_read_all(DIR "/hints", self->hints, HINTS_LEN));
		ASSERT_EQ(0, hint_line(self->hints, id, line, sizeof(line)));
		if (!strstr(line, "status=pending") &&
		    !strstr(line, "status=unsent"))
			break;
		usleep(25000);
	}
	TH_LOG("%s", line);
	ASSERT_LT(i, ANSWER_TRIES) TH_LOG("no answer in %d ms", ANSWER_TRIES * 25);
	EXPECT_TRUE(strstr(line, "status=applied") ||
		    strstr(line, "status=partial") ||
		    strstr(line, "status=rejected"));
}

/* The automatic hint of @node has exactly the node's online CPUs (or none). */
static int auto_matches(int node)
{
	char hints[HINTS_LEN], cpus[256], path[80], want[300];

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/cpulist",
		 node);
	if (pv_read_line(path, cpus, sizeof(cpus)) ||
	    pv_read_all(DIR "/hints", hints, sizeof(hints)))
		return 0;
	snprintf(want, sizeof(want), " auto node=%d cpus=%s ", node, cpus);
	if (!*cpus) {
		snprintf(want, sizeof(want), " auto node=%d ", node);
		return !strstr(hints, want);
	}
	return !!strstr(hints, want);
}

static int wait_auto(int node)
{
	int i;

	for (i = 0; i < ANSWER_TRIES; i++) {
		if (auto_matches(node))
			return 1;
		usleep(25000);
	}
	return 0;
}

/* A CPU offline and online again: the automatic hint of its node follows. */
TEST_F(pvnuma, cpu_hotplug)
{
	char path[80], hints[HINTS_LEN];
	int cpu = self->last_cpu, node, ret;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", cpu);
	if (cpu == 0 || access(path, W_OK))
		SKIP(return, "CPU %d cannot go offline here", cpu);
	for (node = 0; node < 64; node++) {
		snprintf(hints, sizeof(hints),
			 "/sys/devices/system/node/node%d/cpu%d", node, cpu);
		if (!access(hints, F_OK))
			break;
	}
	ASSERT_LT(node, 64) TH_LOG("CPU %d is on no node", cpu);
	if (!auto_hint())
		SKIP(return, "no automatic hints (auto_hints=0)");
	ASSERT_TRUE(wait_auto(node));

	ret = pv_write_str(path, "0");
	if (ret)
		SKIP(return, "CPU %d does not go offline here: %s", cpu,
		     strerror(-ret));
	EXPECT_TRUE(wait_auto(node)) {
		pv_read_all(DIR "/hints", hints, sizeof(hints));
		TH_LOG("CPU %d offline, node %d's hint did not follow:\n%s",
		       cpu, node, hints);
	}
	ASSERT_EQ(0, pv_write_str(path, "1")) TH_LOG("online CPU %d", cpu);
	EXPECT_TRUE(wait_auto(node)) {
		pv_read_all(DIR "/hints", hints, sizeof(hints));
		TH_LOG("CPU %d online again, node %d's hint did not follow:\n%s",
		       cpu, node, hints);
	}
	pv_read_all(DIR "/hints", hints, sizeof(hints));
	TH_LOG("after the CPU came back:\n%s", hints);
}

/* Last: unloads pvnuma holding a hint, and loads it again. */
TEST_F(pvnuma, unload_with_hints)
{
	const char *ko = getenv("PV_MODULE_PATH");
	unsigned int id;
	int fd;

	if (!ko)
		SKIP(return, "PV_MODULE_PATH not set: cannot reload the module");
	ASSERT_EQ(0, pvnuma_write("hint_add", "0 0"));
	ASSERT_EQ(1, user_hints(&id, 1));
	ASSERT_EQ(0, syscall(SYS_delete_module, "pvnuma", O_NONBLOCK))
		TH_LOG("rmmod pvnuma with a hint held: %s", strerror(errno));
	EXPECT_NE(0, access(DIR, F_OK));

	fd = open(ko, O_RDONLY | O_CLOEXEC);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, syscall(SYS_finit_module, fd, "", 0))
		TH_LOG("reloading %s: %s", ko, strerror(errno));
	close(fd);
	/* A new load starts with no hint of the user's. */
	EXPECT_EQ(0, user_hints(&id, 1));
}

TEST_HARNESS_MAIN
