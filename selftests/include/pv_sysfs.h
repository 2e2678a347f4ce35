/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers the selftests share: sysfs files hold one value per line. */
#ifndef _PV_SYSFS_H
#define _PV_SYSFS_H

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* Read up to @len - 1 bytes of a file, NUL-terminated: the count or -errno. */
static inline ssize_t pv_read_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

/*
 * Read a whole file (reads until end of file, up to @len - 1 bytes),
 * NUL-terminated: 0 or -errno.
 */
static inline int pv_read_all(const char *path, char *buf, size_t len)
{
	ssize_t n, total = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf + total, len - 1 - total)) > 0)
		total += n;
	close(fd);
	buf[total] = '\0';
	return n < 0 ? -errno : 0;
}

/* Read a sysfs file that must hold exactly one newline-terminated line. */
static inline int pv_read_line(const char *path, char *buf, size_t len)
{
	ssize_t n = pv_read_file(path, buf, len);

	if (n < 0)
		return n;
	if (n == 0 || buf[n - 1] != '\n' || strchr(buf, '\n') != buf + n - 1)
		return -EBADMSG;
	buf[n - 1] = '\0';
	return 0;
}

/* Write @s to a sysfs file in one write. */
static inline int pv_write_str(const char *path, const char *s)
{
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -errno;
}

#endif /* _PV_SYSFS_H */
