// SPDX-License-Identifier: GPL-2.0
/*
 * pvrng_bench: /dev/hwrng throughput and guest CPU cost per MB with the
 * pvrng hwrng against virtio-rng, in the same guest and the same run.
 *
 * Each hwrng is selected in turn (rng_current) for RUNS alternating runs
 * of MB MiB each, after a warm-up; a run reads in 4 KiB reads. Reported
 * per hwrng: the median and spread of the runs' MB/s, the guest CPU time
 * per MiB (all CPUs' busy time from /proc/stat over the run: the reader's
 * system time, the kthreads, interrupts), and the median and p99 of the
 * read latency; then the ratios pvrng / virtio-rng. Under TCG only the
 * ratios mean anything.
 *
 *   pvrng_bench [RUNS [MB]]     defaults: 5 runs of 2 MiB
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define HWRNG	"/sys/class/misc/hw_random"
#define PVRNG_KO "/pv/modules/pvrng.ko"
#define READ_SZ	4096
#define MAX_RUNS 31

struct result {
	double mbps[MAX_RUNS];
	double cpu_ms_per_mb[MAX_RUNS];
	double *lat_us;		/* every read of every run */
	size_t nlat;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Busy time of all CPUs, in seconds, from /proc/stat's first line. */
static double busy_s(void)
{
	unsigned long long v[10] = { 0 };
	FILE *f = fopen("/proc/stat", "r");
	long hz = sysconf(_SC_CLK_TCK);
	int n;

	if (!f)
		return 0;
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu",
		   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
	fclose(f);
	if (n < 8)
		return 0;
	/* user nice system [idle iowait] irq softirq steal */
	return (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / hz;
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -EIO;
}

static int read_str(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* One run: @bytes from /dev/hwrng; read latencies appended to @r. */
static int run(struct result *r, int i, size_t bytes)
{
	static char buf[READ_SZ];
	double t0, t1, c0, c1, a, b;
	size_t done = 0;
	ssize_t n;
	int fd;

	fd = open("/dev/hwrng", O_RDONLY);
	if (fd < 0)
		return -errno;
	c0 = busy_s();
	t0 = now_s();
	while (done < bytes) {
		a = now_s();
		n = read(fd, buf, sizeof(buf));
		b = now_s();
		if (n <= 0) {
			close(fd);
			return -EIO;
		}
		if (r)
			r->lat_us[r->nlat++] = (b - a) * 1e6;
		done += n;
	}
	t1 = now_s();
	c1 = busy_s();
	close(fd);
	if (r) {
		r->mbps[i] = done / (1024.0 * 1024.0) / (t1 - t0);
		r->cpu_ms_per_mb[i] = (c1 - c0) * 1e3 / (done / (1024.0 * 1024.0));
	}
	return 0;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pct(double *v, size_t n, double p)
{
	size_t i;

	qsort(v, n, sizeof(*v), cmp_d);
	i = (size_t)(p * (n - 1) + 0.5);
	return v[i];
}

/*
 * pvrng registers its hwrng only when its quality parameter asks for
 * credit: load it again with the least, quality=1. 0 on success.
 */
static int pvrng_hwrng_load(void)
{
	int fd, ret;

	if (syscall(SYS_delete_module, "pvrng", O_NONBLOCK))
		return -1;
	fd = open(PVRNG_KO, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = syscall(SYS_finit_module, fd, "quality=1", 0);
	close(fd);
	return ret;
}

int main(int argc, char **argv)
{
	const char *names[2] = { "pvrng", NULL };
	int runs = argc > 1 ? atoi(argv[1]) : 5;
	int mb = argc > 2 ? atoi(argv[2]) : 2;
	char avail[256], prev[64], *tok, *save;
	struct result res[2];
	double med[2], cpu[2];
	size_t bytes, k;
	int i, s;

	if (runs < 1 || runs > MAX_RUNS || mb < 1 || mb > 256) {
		fprintf(stderr, "usage: pvrng_bench [RUNS 1..%d [MB 1..256]]\n", MAX_RUNS);
		return 2;
	}
	bytes = (size_t)mb << 20;
	/* Framed as a TAP document by the lane: one result, "it ran". */
	printf("TAP version 13\n1..1\n");
	if (read_str(HWRNG "/rng_available", avail, sizeof(avail)) ||
	    read_str(HWRNG "/rng_current", prev, sizeof(prev))) {
		printf("ok 1 - pvrng_bench # SKIP no hwrng core\n");
		return 0;
	}
	if (!strstr(avail, "pvrng") && !pvrng_hwrng_load() &&
	    read_str(HWRNG "/rng_available", avail, sizeof(avail))) {
		printf("not ok 1 - pvrng_bench # no hwrng core after loading pvrng\n");
		return 1;
	}
	for (tok = strtok_r(avail, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		if (!strncmp(tok, "virtio_rng", 10))
			names[1] = strdup(tok);
	if (!strstr(avail, "pvrng") && !names[1]) {
		printf("ok 1 - pvrng_bench # SKIP no pvrng and no virtio-rng hwrng\n");
		return 0;
	}
	if (!names[1]) {
		printf("ok 1 - pvrng_bench # SKIP no virtio-rng hwrng to compare with\n");
		return 0;
	}
	for (s = 0; s < 2; s++) {
		memset(&res[s], 0, sizeof(res[s]));
		res[s].lat_us = calloc((size_t)runs * (bytes / READ_SZ + 1), sizeof(double));
		if (!res[s].lat_us) {
			printf("not ok 1 - pvrng_bench # out of memory\n");
			return 1;
		}
		/* Warm-up. */
		if (write_str(HWRNG "/rng_current", names[s]) || run(NULL, 0, 256 << 10)) {
			printf("not ok 1 - pvrng_bench # cannot read %s\n", names[s]);
			return 1;
		}
	}
	/* Alternate, so drift in the host's load hits both alike. */
	for (i = 0; i < runs; i++) {
		for (s = 0; s < 2; s++) {
			if (write_str(HWRNG "/rng_current", names[s]) ||
			    run(&res[s], i, bytes)) {
				printf("not ok 1 - pvrng_bench # run %d of %s failed\n",
				       i, names[s]);
				return 1;
			}
		}
	}
	write_str(HWRNG "/rng_current", prev);

	printf("# pvrng_bench: /dev/hwrng, %d runs of %d MiB per hwrng, 4 KiB reads, %s\n",
	       runs, mb, "under TCG: compare ratios only");
	printf("# pvrng_bench: %-14s %9s %9s %9s %12s %10s %10s\n", "hwrng", "MB/s med",
	       "MB/s min", "MB/s max", "CPU ms/MB", "read p50", "read p99");
	for (s = 0; s < 2; s++) {
		double mn, mx;

		qsort(res[s].mbps, runs, sizeof(double), cmp_d);
		mn = res[s].mbps[0];
		mx = res[s].mbps[runs - 1];
		med[s] = pct(res[s].mbps, runs, 0.5);
		cpu[s] = pct(res[s].cpu_ms_per_mb, runs, 0.5);
		printf("# pvrng_bench: %-14s %9.2f %9.2f %9.2f %12.1f %8.0fus %8.0fus\n",
		       names[s], med[s], mn, mx, cpu[s],
		       pct(res[s].lat_us, res[s].nlat, 0.5),
		       pct(res[s].lat_us, res[s].nlat, 0.99));
	}
	printf("# pvrng_bench: ratio pvrng/%s: throughput %.2f, CPU per MB %.2f\n",
	       names[1], med[0] / med[1], cpu[1] > 0 ? cpu[0] / cpu[1] : 0.0);
	for (k = 0; k < 2; k++)
		free(res[k].lat_us);
	printf("ok 1 - pvrng_bench\n");
	return 0;
}
