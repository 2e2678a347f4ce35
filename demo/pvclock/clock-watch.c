// SPDX-License-Identifier: GPL-2.0
/*
 * clock-watch PTPDEV SECONDS [AT CMD]: every second, how far the guest's
 * CLOCK_MONOTONIC has moved from the host's real time (the PTP clock
 * pvclock registers, paired by the host) since the start; at second AT,
 * run CMD (a shell command) and say so.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define FD_TO_CLOCKID(fd)	((~(clockid_t)(fd) << 3) | 3)

static long long ns_of(clockid_t id)
{
	struct timespec ts;

	if (clock_gettime(id, &ts))
		return -1;
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long long g0, h0, g, h, worst = 0, off;
	int fd, secs, at = -1, i;

	if (argc != 3 && argc != 5) {
		fprintf(stderr, "usage: clock-watch PTPDEV SECONDS [AT CMD]\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	secs = atoi(argv[2]);
	if (argc == 5)
		at = atoi(argv[3]);
	g0 = ns_of(CLOCK_MONOTONIC);
	h0 = ns_of(FD_TO_CLOCKID(fd));
	if (h0 < 0) {
		perror("reading the PTP clock");
		return 1;
	}
	for (i = 1; i <= secs; i++) {
		sleep(1);
		g = ns_of(CLOCK_MONOTONIC);
		h = ns_of(FD_TO_CLOCKID(fd));
		off = (g - g0) - (h - h0);
		if (llabs(off) > llabs(worst))
			worst = off;
		printf("%3d s  guest - host %+8.3f ms\n", i, off / 1e6);
		fflush(stdout);
		if (i == at) {
			printf("       host: %s\n", argv[4]);
			fflush(stdout);
			if (system(argv[4]))
				fprintf(stderr, "clock-watch: '%s' failed\n", argv[4]);
		}
	}
	printf("largest difference over %d s: %.3f ms\n", secs, llabs(worst) / 1e6);
	close(fd);
	return 0;
}
