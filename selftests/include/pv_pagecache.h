/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A filesystem with reclaimable page cache for the pvmempressure tests and
 * bench: an ext2 on a brd ram disk (the stock lanes load brd and ext4),
 * holding one file that is read to fill the page cache.
 */
#ifndef _PV_PAGECACHE_H
#define _PV_PAGECACHE_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PV_PC_MNT	"/tmp/pvmp"
#define PV_PC_FILE	PV_PC_MNT "/fill"
#define PV_PC_MIB	128

/* Mount the filesystem and write its file once; 0 or -1. */
static inline int pv_pc_setup(void)
{
	if (!access(PV_PC_FILE, R_OK))
		return 0;
	if (access("/lib/kmods/brd.ko", R_OK) ||
	    access("/proc/fs/ext4", F_OK))
		return -1;
	/* One ram disk large enough for the file (Debian's default is 16 MiB). */
	if (system("rmmod brd 2>/dev/null; insmod /lib/kmods/brd.ko rd_nr=1 rd_size=163840") ||
	    system("mke2fs -q /dev/ram0 >/dev/null 2>&1") ||
	    system("mkdir -p " PV_PC_MNT) ||
	    system("mount -t ext2 /dev/ram0 " PV_PC_MNT))
		return -1;
	if (system("dd if=/dev/zero of=" PV_PC_FILE " bs=1M count=128 2>/dev/null && sync"))
		return -1;
	return 0;
}

/* Read the file through the page cache; KiB read, or -1. */
static inline long long pv_pc_fill(void)
{
	static char buf[1 << 16];
	long long total = 0;
	ssize_t n;
	int fd;

	fd = open(PV_PC_FILE, O_RDONLY);
	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		total += n;
	close(fd);
	return total >> 10;
}

/* Buffers + Cached from /proc/meminfo, in KiB. */
static inline long long pv_pc_cache_kib(void)
{
	char line[128];
	long long v, sum = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Buffers: %lld", &v) == 1 ||
		    sscanf(line, "Cached: %lld", &v) == 1)
			sum += v;
	fclose(f);
	return sum;
}

#endif /* _PV_PAGECACHE_H */
