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
int pvhostd_listen_unix(const char *path, const struct pvhostd_sockperm *perm)
{
	struct sockaddr_un sun;
	mode_t old;
	int fd, ret;

	ret = fill_addr(&sun, path);
	if (ret)
		return ret;
	clear_stale(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/* Nobody but us until the mode and group are the operator's. */
	old = umask(0177);
	ret = bind(fd, (struct sockaddr *)&sun, sizeof(sun)) ? -errno : 0;
	umask(old);
	if (!ret && perm->set_group && perm->group != getegid() &&
	    chown(path, (uid_t)-1, perm->group))
		ret = -errno;
	if (!ret && chmod(path, perm->mode))
		ret = -errno;
	if (!ret && listen(fd, 4))
		ret = -errno;
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

/**
 * pvhostd_peer_check - may the peer on a connected socket use it
 * @fd: the accepted socket
 * @perm: the listening socket's group
 * @cred: out, the peer's credentials (pid 0 if unknown)
 *
 * SO_PEERCRED gives the peer's uid, gid and pid; its supplementary groups
 * come from /proc/PID/status. See pvhostd_peer_allowed().
 * Return: 0 if allowed, -EPERM if not, another negative errno when the
 * credentials cannot be read (refused too)
 */
int pvhostd_peer_check(int fd, const struct pvhostd_sockperm *perm,
		       struct ucred *cred)
{
	socklen_t len = sizeof(*cred);
	gid_t groups[64];
	char path[64], buf[4096];
	int n = -1;
	ssize_t r;
	int pfd;

	memset(cred, 0, sizeof(*cred));
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, cred, &len))
		return -errno;
	if (cred->gid != perm->group && cred->pid > 0) {
		snprintf(path, sizeof(path), "/proc/%d/status", (int)cred->pid);
		pfd = open(path, O_RDONLY | O_CLOEXEC);
		if (pfd >= 0) {
			r = read(pfd, buf, sizeof(buf) - 1);
			close(pfd);
			if (r > 0) {
				buf[r] = 0;
				n = pvhostd_status_groups(buf, groups,
							  ARRAY_SIZE(groups));
			}
		}
	}
	return pvhostd_peer_allowed(perm, geteuid(), cred->uid, cred->gid,
				    groups, n) ? 0 : -EPERM;
}

/**
 * pvhostd_peer_refused - count a peer refused by its credentials, and say
 *	so at most once a second
 * @d: the daemon
 * @sock: which socket, for the log
 * @cred: the peer's credentials
 */
void pvhostd_peer_refused(struct pvhostd *d, const char *sock,
			  const struct ucred *cred)
{
	u64 now = pvhostd_now_ns(CLOCK_MONOTONIC);

	d->peers_refused++;
	if (d->peer_log_ns && now - d->peer_log_ns < 1000000000ULL)
		return;
	d->peer_log_ns = now;
	pvhostd_log("%s socket: refused pid %d uid %u gid %u, %s (%llu so far)",
		    sock, (int)cred->pid, (unsigned int)cred->uid,
		    (unsigned int)cred->gid,
		    "not root, this user or in the socket's group",
		    (unsigned long long)d->peers_refused);
}
