// SPDX-License-Identifier: GPL-2.0
/*
 * pvnumactl selftests, in a guest with two NUMA nodes: an explicit hint
 * through sysfs and through "pvnumactl hint", each answered by the host
 * where pvhost takes hints (and counted by pvhostd, through the relay); a
 * hint for a node the guest lacks refused with its reason, by pvnumactl
 * (exit 2, the reason on stderr) and by pvnuma (EINVAL, the reason in the
 * kernel log); "pvnumactl run" sets the policy, holds its hint while the
 * command runs, shares it with another run and with a hint made by hand,
 * and withdraws only what runs made, when the last run exits; and
 * "pvnumactl follow-cpusets" turns a cpuset made here into a hint, follows
 * its changes and its removal, sends it again after pvnuma is reloaded
 * and withdraws it on SIGTERM. pvnumactl is the static binary on the PATH.
 * Waits are bounded; no time is asserted.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "pv_host.h"
#include "pv_sysfs.h"
#include "pvnuma.h"

#define OUT_LEN		8192
#define TRIES		400	/* x 25 ms for a state to show */
#define CGROOT		"/sys/fs/cgroup"
#define CG		CGROOT "/pvnumactl-selftest"
#define RUNDIR		"/tmp/pvnumactl-selftest"

/* Run a shell command line, stdout and stderr into @out: its exit status. */
static int run(char *out, size_t len, const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	size_t n = 0;
	FILE *p;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	strncat(cmd, " 2>&1", sizeof(cmd) - strlen(cmd) - 1);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	if (out && len) {
		n = fread(out, 1, len - 1, p);
		out[n] = '\0';
	}
	while (fgetc(p) != EOF)
		;
	st = pclose(p);
	if (st == -1)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int nr_user_hints(void)
{
	char hints[HINTS_LEN], *p;
	int n = 0;

	if (pv_read_all(DIR "/hints", hints, sizeof(hints)))
		return -1;
	for (p = hints; (p = strstr(p, " user ")); p++)
		n++;
	return n;
}

static void remove_user_hints(void)
{
	char hints[HINTS_LEN], s[16], *p, *end;

	if (pv_read_all(DIR "/hints", hints, sizeof(hints)))
		return;
	for (p = hints; *p; p = *end ? end + 1 : end) {
		end = strchrnul(p, '\n');
		if (!memmem(p, end - p, " user ", 6))
			continue;
		snprintf(s, sizeof(s), "%lu", strtoul(p, NULL, 10));
		pv_write_str(DIR "/hint_remove", s);
	}
}

/* Wait (bounded) until user hint @node @cpus is there (@want) or not. */
static unsigned int wait_hint(int node, const char *cpus, bool want)
{
	unsigned int id = 0;
	int i;

	for (i = 0; i < TRIES; i++) {
		id = pvnuma_user_hint(node, cpus);
		if (!!id == want)
			return want ? id : 1;
		usleep(25000);
	}
	return 0;
}

/* Wait (bounded) until hint @id has the host's answer: its line. */
static int wait_answer(unsigned int id, char *line, size_t len)
{
	char hints[HINTS_LEN], *p, *end;
	int i;

	for (i = 0; i < TRIES; i++) {
		if (pv_read_all(DIR "/hints", hints, sizeof(hints)))
			return -1;
		for (p = hints; *p; p = *end ? end + 1 : end) {
			end = strchrnul(p, '\n');
			if (strtoul(p, NULL, 10) == id)
				break;
		}
		if (!*p)
			return -1;
		snprintf(line, len, "%.*s", (int)(end - p), p);
		if (strstr(line, "status=applied") ||
		    strstr(line, "status=partial") ||
		    strstr(line, "status=rejected"))
			return 0;
		usleep(25000);
	}
	return -1;
}

/* pvhostd's count of hints received (pvctl numa status), or -1. */
static long host_hints(void)
{
	char out[OUT_LEN], *p;

	if (pv_host_ctl(out, sizeof(out), "numa status"))
		return -1;
	p = strstr(out, "\nhints=");
	return p ? strtol(p + 7, NULL, 10) : -1;
}

FIXTURE(ctl) {
	char source[32];
	char out[OUT_LEN];
};

FIXTURE_SETUP(ctl)
{
	ASSERT_EQ(0, access(DIR "/hints", R_OK)) TH_LOG("pvnuma is not loaded");
	if (access("/sys/devices/system/node/node1", F_OK))
		SKIP(return, "one NUMA node: these tests need two");
	ASSERT_EQ(0, pv_read_line(DIR "/source", self->source,
				  sizeof(self->source)));
	ASSERT_EQ(0, run(NULL, 0, "pvnumactl --help"))
		TH_LOG("no pvnumactl on the PATH");
	setenv("PVNUMACTL_RUNDIR", RUNDIR, 1);
	remove_user_hints();
}

FIXTURE_TEARDOWN(ctl)
{
	remove_user_hints();
}

/* One hint through sysfs, one through pvnumactl: both listed and answered. */
TEST_F(ctl, explicit_hint)
{
	bool host = !strcmp(self->source, "pvhost");
	unsigned int a, b;
	long before = -1, after;
	char line[256];

	if (host && pv_want_host())
		before = host_hints();
	ASSERT_EQ(0, pv_write_str(DIR "/hint_add", "1 0\n"));
	a = pvnuma_user_hint(1, "0");
	ASSERT_NE(0U, a);

	ASSERT_EQ(0, run(self->out, OUT_LEN, "pvnumactl hint add 0 2-3"))
		TH_LOG("%s", self->out);
	b = pvnuma_user_hint(0, "2-3");
	ASSERT_NE(0U, b);
	/* It prints the id of its hint. */
	EXPECT_EQ(b, strtoul(self->out, NULL, 10));
	ASSERT_EQ(0, run(self->out, OUT_LEN, "pvnumactl hint list"));
	EXPECT_TRUE(!!strstr(self->out, " user node=0 cpus=2-3 "));
	ASSERT_EQ(0, run(self->out, OUT_LEN, "pvnumactl status"));
	EXPECT_TRUE(!!strstr(self->out, "guest_node"));
	EXPECT_TRUE(!!strstr(self->out, " user node=1 cpus=0 "));
	TH_LOG("pvnumactl status:\n%s", self->out);

	if (!host) {
		TH_LOG("hints go to %s, not pvhost: no host answer awaited",
		       self->source);
	} else {
		ASSERT_EQ(0, wait_answer(a, line, sizeof(line)));
		TH_LOG("%s", line);
		ASSERT_EQ(0, wait_answer(b, line, sizeof(line)));
		TH_LOG("%s", line);
		if (before >= 0) {
			after = host_hints();
			EXPECT_GE(after, before + 2)
				TH_LOG("pvhostd counted %ld hints, then %ld",
				       before, after);
		}
	}

	/* Removed by id through pvnumactl; a second removal finds nothing. */
	snprintf(line, sizeof(line), "pvnumactl hint remove %u", b);
	EXPECT_EQ(0, run(self->out, OUT_LEN, "%s", line)) TH_LOG("%s", self->out);
	EXPECT_EQ(0U, pvnuma_user_hint(0, "2-3"));
	EXPECT_EQ(1, run(self->out, OUT_LEN, "%s", line));
	EXPECT_TRUE(!!strstr(self->out, "no such hint")) TH_LOG("%s", self->out);
}

/* The last kernel log records after @fd's position, into @buf. */
static void kmsg_since(int fd, char *buf, size_t len)
{
	size_t off = 0;
	ssize_t n;

	buf[0] = '\0';
	while (off < len - 1) {
		n = read(fd, buf + off, len - 1 - off);
		if (n <= 0)
			break;
		off += n;
		buf[off] = '\0';
	}
}

TEST_F(ctl, missing_node)
{
	char log[OUT_LEN];
	int fd;

	/* pvnumactl says why, and exits 2. */
	EXPECT_EQ(2, run(self->out, OUT_LEN, "pvnumactl hint add 7 0"));
	EXPECT_TRUE(!!strstr(self->out, "no such node")) TH_LOG("%s", self->out);
	TH_LOG("%s", self->out);
	EXPECT_EQ(2, run(self->out, OUT_LEN,
			 "pvnumactl run --membind 7 -- echo ran"));
	EXPECT_FALSE(!!strstr(self->out, "ran\n")) TH_LOG("%s", self->out);
	EXPECT_TRUE(!!strstr(self->out, "not nodes of this guest"))
		TH_LOG("%s", self->out);
	EXPECT_EQ(2, run(self->out, OUT_LEN, "pvnumactl hint add 0 0-4095"));
	EXPECT_EQ(2, run(self->out, OUT_LEN, "pvnumactl hint add x 0"));
	EXPECT_EQ(2, run(self->out, OUT_LEN, "pvnumactl hint remove 0"));
	EXPECT_EQ(2, run(self->out, OUT_LEN, "pvnumactl follow-cpusets --interval 0"));
	EXPECT_EQ(2, run(self->out, OUT_LEN, "pvnumactl frobnicate"));

	/* pvnuma refuses it with EINVAL and says why in the kernel log. */
	fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	EXPECT_EQ(-EINVAL, pv_write_str(DIR "/hint_add", "7 0"));
	if (fd >= 0) {
		kmsg_since(fd, log, sizeof(log));
		close(fd);
		EXPECT_TRUE(!!strstr(log, "hint_add: no such online node"))
			TH_LOG("kernel log: %s", log);
	}
	EXPECT_EQ(0, nr_user_hints());
}

TEST_F(ctl, run)
{
	int in[2], st;
	pid_t pid;
	/* The memory policy shows in numa_maps (Mems_allowed is the cpuset's). */
	static const char *cmd =
		"grep Cpus_allowed_list /proc/self/status; grep -m1 -o \" bind:[0-9,-]* \" /proc/self/numa_maps; cat "
		DIR "/hints; exit 7";

	/* The policy is set, the hint held while the command runs, its status kept. */
	EXPECT_EQ(7, run(self->out, OUT_LEN,
			 "pvnumactl run --cpunodebind 0 --membind 1 -- sh -c '%s'",
			 cmd));
	TH_LOG("%s", self->out);
	EXPECT_TRUE(!!strstr(self->out, "Cpus_allowed_list:\t0-1\n"));
	EXPECT_TRUE(!!strstr(self->out, " bind:1 "));
	EXPECT_TRUE(!!strstr(self->out, " user node=1 cpus=0-1 "));
	/* Withdrawn when the command exited. */
	EXPECT_EQ(0U, pvnuma_user_hint(1, "0-1"));
	/* --no-hint: the policy alone. */
	EXPECT_EQ(0, run(self->out, OUT_LEN,
			 "pvnumactl run --no-hint -N 1 -m 1 -- cat " DIR "/hints"));
	EXPECT_FALSE(!!strstr(self->out, " user ")) TH_LOG("%s", self->out);

	/* A hint made by hand is used by a run and stays after it. */
	ASSERT_EQ(0, pv_write_str(DIR "/hint_add", "1 0-1"));
	EXPECT_EQ(0, run(self->out, OUT_LEN,
			 "pvnumactl run --cpunodebind 0 --membind 1 -- true"));
	EXPECT_NE(0U, pvnuma_user_hint(1, "0-1")) TH_LOG("a run withdrew a hint it did not make");
	remove_user_hints();

	/* Two runs share one hint: it goes when the last of them exits. */
	ASSERT_EQ(0, pipe(in));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		dup2(in[0], 0);
		close(in[1]);
		execlp("pvnumactl", "pvnumactl", "run", "--cpunodebind", "1",
		       "--membind", "0", "--", "sh", "-c", "read x; exit 0", NULL);
		_exit(99);
	}
	close(in[0]);
	EXPECT_NE(0U, wait_hint(0, "2-3", true)) TH_LOG("the first run's hint");
	EXPECT_EQ(0, run(self->out, OUT_LEN,
			 "pvnumactl run --cpunodebind 1 --membind 0 -- cat " DIR "/hints"));
	EXPECT_TRUE(!!strstr(self->out, " user node=0 cpus=2-3 "));
	/* The second left, the first still runs: the hint stays, once. */
	EXPECT_NE(0U, pvnuma_user_hint(0, "2-3")) TH_LOG("withdrawn under a running command");
	EXPECT_EQ(1, nr_user_hints());
	close(in[1]);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	EXPECT_EQ(0U, pvnuma_user_hint(0, "2-3")) TH_LOG("the last run left its hint");
}

/* Write @s to a cgroup file of the test cgroup. */
static int cg_write(const char *name, const char *s)
{
	char path[128];

	snprintf(path, sizeof(path), CG "/%s", name);
	return pv_write_str(path, s);
}

static pid_t follower(const char *log)
{
	pid_t pid = fork();
	int fd;

	if (pid)
		return pid;
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
	}
	execlp("pvnumactl", "pvnumactl", "follow-cpusets", "--interval", "1",
	       NULL);
	_exit(99);
}

static void show_log(struct __test_metadata *_metadata, const char *log)
{
	char buf[OUT_LEN];

	if (!pv_read_all(log, buf, sizeof(buf)))
		TH_LOG("pvnumactl follow-cpusets said:\n%s", buf);
}

TEST_F(ctl, follow_cpusets)
{
	const char *ko = getenv("PV_MODULE_PATH");
	const char *log = "/tmp/pvnumactl-follow.log";
	bool mounted = false;
	pid_t pid;
	int st, fd;

	if (access(CGROOT "/cgroup.controllers", F_OK)) {
		if (mount("cgroup2", CGROOT, "cgroup2", 0, NULL) && errno == ENODEV)
			SKIP(return, "this kernel has no cgroup2");
		ASSERT_EQ(0, access(CGROOT "/cgroup.controllers", F_OK))
			TH_LOG("mount cgroup2: %s", strerror(errno));
		mounted = true;
	}
	rmdir(CG);
	if (pv_write_str(CGROOT "/cgroup.subtree_control", "+cpuset")) {
		if (mounted)
			umount(CGROOT);
		SKIP(return, "this kernel has no cpuset controller");
	}
	ASSERT_EQ(0, mkdir(CG, 0755));
	/* Node 0's vCPUs work with node 1's memory: a bad placement on purpose. */
	ASSERT_EQ(0, cg_write("cpuset.cpus", "0-1"));
	ASSERT_EQ(0, cg_write("cpuset.mems", "1"));

	pid = follower(log);
	ASSERT_GE(pid, 0);
	EXPECT_NE(0U, wait_hint(1, "0-1", true)) show_log(_metadata, log);

	/* A change of the cpuset changes the hint. */
	ASSERT_EQ(0, cg_write("cpuset.cpus", "0"));
	EXPECT_NE(0U, wait_hint(1, "0", true)) show_log(_metadata, log);
	EXPECT_NE(0U, wait_hint(1, "0-1", false));
	EXPECT_EQ(1, nr_user_hints());

	/* The cpuset removed: its hint withdrawn; made again: sent again. */
	ASSERT_EQ(0, rmdir(CG));
	EXPECT_NE(0U, wait_hint(1, "0", false)) show_log(_metadata, log);
	ASSERT_EQ(0, mkdir(CG, 0755));
	ASSERT_EQ(0, cg_write("cpuset.cpus", "2-3"));
	ASSERT_EQ(0, cg_write("cpuset.mems", "0"));
	EXPECT_NE(0U, wait_hint(0, "2-3", true)) show_log(_metadata, log);

	/* pvnuma reloaded (its hints gone): the follower sends the hint again. */
	if (ko) {
		ASSERT_EQ(0, syscall(SYS_delete_module, "pvnuma", O_NONBLOCK));
		fd = open(ko, O_RDONLY | O_CLOEXEC);
		ASSERT_GE(fd, 0);
		ASSERT_EQ(0, syscall(SYS_finit_module, fd, "", 0));
		close(fd);
		EXPECT_NE(0U, wait_hint(0, "2-3", true)) show_log(_metadata, log);
	}

	/* SIGTERM: it withdraws its hints and exits 0. */
	ASSERT_EQ(0, kill(pid, SIGTERM));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) TH_LOG("status %#x", st);
	EXPECT_EQ(0, nr_user_hints());
	show_log(_metadata, log);

	rmdir(CG);
	if (mounted)
		umount(CGROOT);
}

TEST_HARNESS_MAIN
