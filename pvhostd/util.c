// SPDX-License-Identifier: GPL-2.0
/* pvhostd: logging, clocks, epoll and socket helpers. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"

/**
 * pvhostd_log - one line on stderr, prefixed "pvhostd: "
 * @fmt: printf format, without the newline
 */
void pvhostd_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("pvhostd: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/**
 * pvhostd_now_ns - read a clock
 * @clock: CLOCK_MONOTONIC, CLOCK_MONOTONIC_RAW, ...
 * Return: nanoseconds
 */
u64 pvhostd_now_ns(int clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/**
 * pvhostd_epoll_add - watch an fd for input
 * @d: the daemon
 * @fd: the fd
 * @tag: what it is, for dispatch
 * @idx: which one of its kind
 * Return: 0 or -1 with errno set
 */
int pvhostd_epoll_add(struct pvhostd *d, int fd, enum pvhostd_tag tag,
		      u32 idx)
{
	struct epoll_event ev = {
		.events = EPOLLIN,
		.data.u64 = ((u64)tag << 32) | idx,
	};

	return epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev);
}

static int fill_addr(struct sockaddr_un *sun, const char *path)
{
	size_t len = strlen(path);

	if (len >= sizeof(sun->sun_path))
		return -ENAMETOOLONG;
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, path, len + 1);
	return 0;
}

/*
 * The caller holds the instance lock, so a socket file left at the path
 * is a stale one from a pvhostd that died: replace it. Anything that is
 * not a socket is left alone.
 */
static void clear_stale(const char *path)
{
	struct stat st;

	if (!lstat(path, &st) && S_ISSOCK(st.st_mode))
		unlink(path);
}

/**
 * pvhostd_lock - take the per-socket instance lock
 * @path: the lock file, created if needed
 * Return: the fd holding the lock, -EBUSY if another pvhostd holds it,
 * or another negative errno
 */
int pvhostd_lock(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	int ret;

	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		ret = errno == EWOULDBLOCK ? -EBUSY : -errno;
		close(fd);
		return ret;
	}
	return fd;
}

/**
 * pvhostd_listen_unix - listen on a UNIX stream socket
 * @path: its path; a stale socket file there is replaced (the caller
 *	holds the instance lock)
 * Return: the listening fd, or a negative errno
 */
int pvhostd_listen_unix(const char *path)
{
	struct sockaddr_un sun;
	int fd, ret;

	ret = fill_addr(&sun, path);
	if (ret)
		return ret;
	clear_stale(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) ||
	    listen(fd, 4)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}
