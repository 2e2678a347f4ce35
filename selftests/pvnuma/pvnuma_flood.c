// SPDX-License-Identifier: GPL-2.0
/*
 * A hint flood from the guest against the lane's pvhostd: while a process
 * adds and removes hints through /sys/kernel/pvnuma as fast as it can,
 * pvhostd's control socket answers (pvctl status, through the relay,
 * within RELAY_BOUND_S seconds each time), pvhostd's CPU time over the
 * flood stays below CPU_BOUND_PCT percent of the wall time, and after it
 * a new hint still gets the host's answer. Where hints do not go to
 * pvhost, or the lane has no relay, it is skipped with the reason.
 *
 * The bounds are liveness bounds, far above what a served daemon needs:
 * the relay itself allows a command 60 s, and pvhostd is one thread.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "pv_host.h"
#include "pv_sysfs.h"
#include "pvnuma.h"

#define OUT_LEN		8192
#define RELAY_BOUND_S	10
#define CPU_BOUND_PCT	50
#define PROBES		5
#define TRIES		400	/* x 25 ms for the host's answer */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* pvhostd's CPU time (pvctl vcpu status: cpu_us), or -1. */
static long long host_cpu_us(void)
{
	char out[OUT_LEN], *p;

	if (pv_host_ctl(out, sizeof(out), "vcpu status"))
		return -1;
	p = strstr(out, "\ncpu_us=");
	return p ? strtoll(p + 8, NULL, 10) : -1;
}

/*
 * Add and remove hints until the parent closes @go (its other end), then
 * write the number of adds to @out.
 */
static void flood(int go, int out)
{
	struct pollfd pfd = { .fd = go, .events = POLLIN };
	static const char * const h[][2] = {
		{ "0", "0" }, { "1", "2" }, { "1", "0-1" }, { "0", "2-3" },
	};
	unsigned long n = 0;
	unsigned int id;
	char s[32];

	while (poll(&pfd, 1, 0) == 0) {
		snprintf(s, sizeof(s), "%s %s", h[n % 4][0], h[n % 4][1]);
		if (!pv_write_str(DIR "/hint_add", s)) {
			id = pvnuma_user_hint(atoi(h[n % 4][0]), h[n % 4][1]);
			snprintf(s, sizeof(s), "%u", id);
			if (id)
				pv_write_str(DIR "/hint_remove", s);
		}
		n++;
	}
	if (write(out, &n, sizeof(n)) != sizeof(n))
		_exit(1);
	_exit(0);
}

TEST(hint_flood)
{
	char source[32], out[OUT_LEN], hints[HINTS_LEN];
	double t0, t1, p0, cpu, worst = 0;
	long long c0, c1;
	unsigned long adds = 0;
	unsigned int id;
	int fds[2], go[2], i, st, rc;
	pid_t pid;

	ASSERT_EQ(0, pv_read_line(DIR "/source", source, sizeof(source)));
	if (strcmp(source, "pvhost"))
		SKIP(return, "hints go to %s, not pvhost", source);
	rc = pv_host_ctl(out, sizeof(out), "status");
	if (rc == 4)
		SKIP(return, "no relay to the host (pvhost-ctl exit 4)");
	ASSERT_EQ(0, rc) TH_LOG("pvhost-ctl status: %s", out);
	c0 = host_cpu_us();
	ASSERT_GE(c0, 0) TH_LOG("no cpu_us in pvctl vcpu status");
	t0 = now();

	ASSERT_EQ(0, pipe(fds));
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		close(fds[0]);
		close(go[1]);
		flood(go[0], fds[1]);
	}
	close(fds[1]);
	close(go[0]);
	for (i = 0; i < PROBES; i++) {
		p0 = now();
		rc = pv_host_ctl(out, sizeof(out), "status");
		p0 = now() - p0;
		if (p0 > worst)
			worst = p0;
		EXPECT_EQ(0, rc) TH_LOG("pvctl status under the flood: %s", out);
		EXPECT_LT(p0, RELAY_BOUND_S)
			TH_LOG("pvctl status took %.1f s under the flood", p0);
	}
	close(go[1]);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st) && !WEXITSTATUS(st));
	EXPECT_EQ((ssize_t)sizeof(adds), read(fds[0], &adds, sizeof(adds)));
	close(fds[0]);
	t1 = now();
	c1 = host_cpu_us();
	ASSERT_GE(c1, c0);

	cpu = 100.0 * (c1 - c0) / ((t1 - t0) * 1e6);
	TH_LOG("flood: %lu hints added and removed in %.1f s (%.0f/s)",
	       adds, t1 - t0, adds / (t1 - t0));
	TH_LOG("pvctl status through the relay: worst %.2f s of %d", worst,
	       PROBES);
	TH_LOG("pvhostd CPU: %.1f%% of the wall time (%lld us)", cpu, c1 - c0);
	EXPECT_GT(adds, 0UL);
	EXPECT_LT(cpu, CPU_BOUND_PCT);

	/* The host still answers a hint after the flood. */
	ASSERT_EQ(0, pv_write_str(DIR "/hint_add", "1 2-3"));
	id = pvnuma_user_hint(1, "2-3");
	ASSERT_NE(0U, id);
	for (i = 0; i < TRIES; i++) {
		ASSERT_EQ(0, pv_read_all(DIR "/hints", hints, sizeof(hints)));
		if (strstr(hints, " user node=1 cpus=2-3 status=applied") ||
		    strstr(hints, " user node=1 cpus=2-3 status=partial") ||
		    strstr(hints, " user node=1 cpus=2-3 status=rejected"))
			break;
		usleep(25000);
	}
	snprintf(out, sizeof(out), "%u", id);
	pv_write_str(DIR "/hint_remove", out);
	EXPECT_LT(i, TRIES) TH_LOG("no answer after the flood:\n%s", hints);
}

TEST_HARNESS_MAIN
