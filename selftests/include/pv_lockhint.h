/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The lock hint seen from a stock-lane guest: pvspinlock's torture makes
 * lock holders, pvhostd's "vcpu status" (through the relay) says what the
 * host saw. Shared by selftests/pvhost/pvhost_lockhint and
 * bench/pvhost/pvhost_lockhint.
 */
#ifndef _PV_LOCKHINT_H
#define _PV_LOCKHINT_H

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pv_host.h"
#include "pv_sysfs.h"

#define PV_LH_NR	4		/* the stock lanes' vCPUs */
#define PV_LH_THREADS	3		/* torture kthreads: vCPUs 0-2 */
#define PV_LH_ITERS	500		/* per kthread and run */
#define PV_LH_SYSFS	"/sys/kernel/pvspinlock"
#define PV_LH_TORTURE	"/sys/kernel/debug/pvspinlock/torture"
#define PV_LH_DEBUGFS	"/sys/kernel/debug/pvspinlock/lock_hint"

/* pvhostd's view of one vCPU (pvctl vcpu status). */
struct pv_lh_host {
	long long samples, preempted_ticks;	/* every sample */
	long long hint_samples, hint_preempted;	/* samples with the hint set */
	long long seen, raises, restores, refused, errors, invalid;
	int raised, nice;
};

static inline const char *pv_lh_field(const char *line, const char *key)
{
	const char *p = strstr(line, key);

	return p ? p + strlen(key) : "";
}

/* Parse pvctl vcpu status. Return: vCPUs read, or -1. */
static inline int pv_lh_host_read(struct pv_lh_host *h)
{
	static char out[16384];
	unsigned int cpu;
	char *line, *save;
	int n = 0;

	if (pv_host_ctl(out, sizeof(out), "vcpu status"))
		return -1;
	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		struct pv_lh_host r;

		if (sscanf(line, "vcpu=%u ", &cpu) != 1 || cpu >= PV_LH_NR ||
		    !strstr(line, " hint_samples="))
			continue;
		r.samples = atoll(pv_lh_field(line, " samples="));
		r.preempted_ticks = atoll(pv_lh_field(line, " preempted_ticks="));
		r.hint_samples = atoll(pv_lh_field(line, " hint_samples="));
		r.hint_preempted = atoll(pv_lh_field(line, " hint_preempted="));
		r.seen = atoll(pv_lh_field(line, " lock_hint_seen="));
		r.raises = atoll(pv_lh_field(line, " hint_raises="));
		r.restores = atoll(pv_lh_field(line, " hint_restores="));
		r.refused = atoll(pv_lh_field(line, " hint_refused="));
		r.errors = atoll(pv_lh_field(line, " hint_errors="));
		r.invalid = atoll(pv_lh_field(line, " hint_invalid="));
		r.raised = atoi(pv_lh_field(line, " hint_raised="));
		r.nice = atoi(pv_lh_field(line, " nice="));
		h[cpu] = r;
		n++;
	}
	return n;
}

/* The guest's per-CPU "hinted" column of debugfs lock_hint, summed. */
static inline long long pv_lh_guest_hinted(void)
{
	char buf[8192], *line, *save;
	unsigned int cpu, nest;
	long long sum = 0, hinted;

	if (pv_read_all(PV_LH_DEBUGFS, buf, sizeof(buf)))
		return -1;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, "%u %u %lld", &cpu, &nest, &hinted) == 3)
			sum += hinted;
	return sum;
}

/*
 * pvspinlock is loaded after pvhost in the lanes: load it for the test
 * (from the directory of PV_MODULE_PATH, else /pv/modules) unless it is
 * there. Return: 1 if loaded here, 0 if it was there, -1 on failure.
 */
static inline int pv_lh_load(void)
{
	const char *mp = getenv("PV_MODULE_PATH");
	char dir[256], cmd[320];

	if (!access(PV_LH_SYSFS, F_OK))
		return 0;
	snprintf(dir, sizeof(dir), "%s", mp ? mp : "/pv/modules/x.ko");
	snprintf(cmd, sizeof(cmd), "insmod %s/pvspinlock.ko", dirname(dir));
	if (system(cmd) || access(PV_LH_SYSFS, F_OK))
		return -1;
	return 1;
}

static inline void pv_lh_unload(int loaded)
{
	if (loaded > 0 && system("rmmod pvspinlock"))
		fprintf(stderr, "# rmmod pvspinlock failed\n");
}

/*
 * Make lock holders for @secs seconds: short torture runs of
 * pvspinlock_lock() by PV_LH_THREADS kthreads (one a CPU, vCPUs 0-2) on
 * one lock, each section @cs cpu_relax() turns long, back to back. vCPU
 * 3 is left to the rest of the guest: waiters spin with preemption off,
 * and on an overloaded host a torture on every vCPU starves RCU's
 * kthread. Return: runs done, or -1.
 */
static inline int pv_lh_torture(int secs, unsigned int cs)
{
	char req[64];
	time_t end = time(NULL) + secs;
	int runs = 0;

	snprintf(req, sizeof(req), "spin %d %d %u", PV_LH_THREADS,
		 PV_LH_ITERS, cs);
	while (time(NULL) < end) {
		if (pv_write_str(PV_LH_TORTURE, req))
			return -1;
		runs++;
	}
	return runs;
}

#endif /* _PV_LOCKHINT_H */
