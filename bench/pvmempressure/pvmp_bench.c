// SPDX-License-Identifier: GPL-2.0
/*
 * pvmempressure bench: MiB of page cache given up per second, and the guest
 * CPU it cost, for a host gauge step to 0.9 (pvmempressure) against
 * "echo 1 > /proc/sys/vm/drop_caches" (baseline), in the same guest run.
 * Each run fills the page cache by reading a 128 MiB file on ext2 on brd. Wall-clock
 * times under TCG are meaningful only as ratios within this run. Each phase
 * prints its start and end in host-comparable CLOCK_REALTIME so the host's
 * view (allocated blocks of the guest RAM files) can be lined up with it.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pv_host.h"
#include "pv_sysfs.h"
#include "pv_pagecache.h"

#define RUNS	5

static double now(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long long mem_kib(const char *key)
{
	char line[128], k[64];
	long long v, r = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63[^:]: %lld", k, &v) == 2 && !strcmp(k, key))
			r = v;
	fclose(f);
	return r;
}

/* Busy (non-idle) jiffies of all CPUs. */
static long long busy_jiffies(void)
{
	long long u, n, s, i, w, q, sq, st, busy = -1;
	FILE *f = fopen("/proc/stat", "r");

	if (!f)
		return -1;
	if (fscanf(f, "cpu %lld %lld %lld %lld %lld %lld %lld %lld",
		   &u, &n, &s, &i, &w, &q, &sq, &st) == 8)
		busy = u + n + s + q + sq;
	fclose(f);
	return busy;
}

static long long sysfs_ll(const char *name)
{
	char path[128], buf[64];

	snprintf(path, sizeof(path), "/sys/kernel/pvmempressure/%s", name);
	return pv_read_line(path, buf, sizeof(buf)) ? -1 : atoll(buf);
}

struct result {
	double mib, secs, cpu_s, freed_mib;
};

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *name, struct result *r)
{
	double rate[RUNS], cpu[RUNS];
	int i;

	for (i = 0; i < RUNS; i++) {
		rate[i] = r[i].secs > 0 ? r[i].mib / r[i].secs : 0;
		cpu[i] = r[i].mib > 0 ? r[i].cpu_s / r[i].mib * 1000 : 0;
	}
	qsort(rate, RUNS, sizeof(double), cmp);
	qsort(cpu, RUNS, sizeof(double), cmp);
	printf("# %-14s MiB/s median %8.1f (min %8.1f max %8.1f)  ", name,
	       rate[RUNS / 2], rate[0], rate[RUNS - 1]);
	printf("guest CPU ms/MiB median %7.2f (min %7.2f max %7.2f)\n",
	       cpu[RUNS / 2], cpu[0], cpu[RUNS - 1]);
}

int main(void)
{
	struct result pm[RUNS], dc[RUNS];
	double hz = sysconf(_SC_CLK_TCK);
	char path[64];
	int i, st;

	printf("TAP version 13\n1..1\n");

	if (pv_pc_setup() || access("/sys/kernel/pvmempressure/grade", R_OK)) {
		printf("ok 1 - pvmp_bench # SKIP needs brd, ext4 and pvmempressure\n");
		return 0;
	}
	st = pv_host_ctl(NULL, 0, "pressure set 0");
	if (st) {
		printf("ok 1 - pvmp_bench # SKIP no pvhost-ctl relay (%d)\n", st);
		return 0;
	}
	pv_write_str("/sys/kernel/pvmempressure/min_avail_mib", "0");
	pv_write_str("/sys/kernel/pvmempressure/refault_limit", "1000000");
	pv_write_str("/sys/kernel/pvmempressure/interval_ms", "50");
	printf("# QEMU TCG guest: times are only meaningful as ratios within this run.\n");
	if (!pv_read_line("/sys/kernel/pvmempressure/return_path", path, sizeof(path)))
		printf("# return_path: %s\n", path);
	pv_pc_fill();		/* warm-up */
	for (i = 0; i < RUNS; i++) {
		long long c0, c1, j0, f0, t0;
		double w0;

		/* pvmempressure: gauge 0 -> 0.9, until the cache stops shrinking. */
		pv_pc_fill();
		sleep(3);	/* let free page reporting settle */
		c0 = pv_pc_cache_kib();
		f0 = mem_kib("MemFree");
		t0 = sysfs_ll("pages_trimmed");
		j0 = busy_jiffies();
		w0 = now(CLOCK_MONOTONIC);
		printf("# phase pvmempressure run %d start %.3f\n", i, now(CLOCK_REALTIME));
		pv_host_ctl(NULL, 0, "pressure set 0.9");
		/* Done when five steps in a row trimmed nothing more. */
		for (;;) {
			long long s0 = sysfs_ll("steps"), tr = sysfs_ll("pages_trimmed");

			while (sysfs_ll("steps") < s0 + 5)
				usleep(10000);
			if (sysfs_ll("pages_trimmed") == tr && tr > t0)
				break;
		}
		c1 = pv_pc_cache_kib();
		pm[i].secs = now(CLOCK_MONOTONIC) - w0;
		pm[i].cpu_s = (busy_jiffies() - j0) / hz;
		pm[i].mib = (c0 - c1) / 1024.0;
		pm[i].freed_mib = (mem_kib("MemFree") - f0) / 1024.0;
		pv_host_ctl(NULL, 0, "pressure set 0");
		printf("# phase pvmempressure run %d end %.3f cache %lld->%lld KiB",
		       i, now(CLOCK_REALTIME), c0, c1);
		printf(" trimmed %lld pages MemFree +%.1f MiB\n",
		       sysfs_ll("pages_trimmed") - t0, pm[i].freed_mib);
		sleep(6);	/* free page reporting runs 2 s after a free */

		/* Baseline: drop_caches. */
		pv_pc_fill();
		sleep(3);
		c0 = pv_pc_cache_kib();
		f0 = mem_kib("MemFree");
		j0 = busy_jiffies();
		w0 = now(CLOCK_MONOTONIC);
		printf("# phase drop_caches run %d start %.3f\n", i, now(CLOCK_REALTIME));
		pv_write_str("/proc/sys/vm/drop_caches", "1");
		c1 = pv_pc_cache_kib();
		dc[i].secs = now(CLOCK_MONOTONIC) - w0;
		dc[i].cpu_s = (busy_jiffies() - j0) / hz;
		dc[i].mib = (c0 - c1) / 1024.0;
		dc[i].freed_mib = (mem_kib("MemFree") - f0) / 1024.0;
		printf("# phase drop_caches run %d end %.3f cache %lld->%lld KiB",
		       i, now(CLOCK_REALTIME), c0, c1);
		printf(" MemFree +%.1f MiB\n", dc[i].freed_mib);
		sleep(6);
	}
	report("pvmempressure", pm);
	report("drop_caches", dc);
	pv_write_str("/sys/kernel/pvmempressure/min_avail_mib", "32");
	pv_write_str("/sys/kernel/pvmempressure/refault_limit", "1024");
	pv_write_str("/sys/kernel/pvmempressure/interval_ms", "250");
	printf("ok 1 - pvmp_bench\n");
	return 0;
}
