// SPDX-License-Identifier: GPL-2.0
/*
 * The server side of QEMU's ivshmem protocol (docs/specs/ivshmem-spec.rst):
 * little-endian int64 messages on a UNIX stream socket, some carrying one
 * file descriptor (SCM_RIGHTS). On connect the server sends the protocol
 * version (0), the client's peer id, -1 with the shared-memory fd, then for
 * every other peer its id once per vector with that peer's eventfd, then
 * the client's own id once per vector with the client's own eventfds.
 * pvhostd is the only other peer.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "daemon.h"

#define IVSHMEM_PROTOCOL_VERSION	0

static int send_msg(int sock, s64 msg, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctrl;
	struct iovec iov = { .iov_base = &msg, .iov_len = sizeof(msg) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;
	ssize_t n;

	msg = (s64)htole64((u64)msg);
	if (fd >= 0) {
		memset(&ctrl, 0, sizeof(ctrl));
		mh.msg_control = ctrl.buf;
		mh.msg_controllen = sizeof(ctrl.buf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	do {
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == sizeof(msg) ? 0 : -EIO;
}

static int send_peer(int sock, s64 id, const int *efd)
{
	int vec, ret;

	for (vec = 0; vec < PVHOST_NR_VECTORS; vec++) {
		ret = send_msg(sock, id, efd[vec]);
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * pvhostd_ivshmem_refuse - turn a client away so that QEMU fails cleanly
 * @sock: the client's socket
 *
 * Just closing it is not enough: QEMU 7.2 retries a read that hits end of
 * file forever while it realizes the device. A version other than 0 makes
 * it stop with "server sent version -16, expecting 0" (-16 is -EBUSY).
 */
void pvhostd_ivshmem_refuse(int sock)
{
	struct timeval tv = { .tv_sec = 1 };

	setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	send_msg(sock, -EBUSY, -1);
}

/**
 * pvhostd_ivshmem_greet - the whole connect sequence for a new client
 * @sock: the client's socket (blocking)
 * @shm_fd: the region
 * @host_efd: pvhostd's eventfds, one per vector (the guest rings these)
 * @guest_efd: the guest's eventfds, one per vector (we write these)
 * Return: 0 or a negative errno
 */
int pvhostd_ivshmem_greet(int sock, int shm_fd, const int *host_efd,
			  const int *guest_efd)
{
	int ret;

	ret = send_msg(sock, IVSHMEM_PROTOCOL_VERSION, -1);
	if (!ret)
		ret = send_msg(sock, PVHOSTD_GUEST_PEER, -1);
	if (!ret)
		ret = send_msg(sock, -1, shm_fd);
	if (!ret)
		ret = send_peer(sock, PVHOSTD_HOST_PEER, host_efd);
	if (!ret)
		ret = send_peer(sock, PVHOSTD_GUEST_PEER, guest_efd);
	return ret;
}
