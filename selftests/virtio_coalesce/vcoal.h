/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the virtio_coalesce selftests share: the device's files and the
 * traffic to the lane's host peer (tests/qemu/netpeer.py), whose address
 * the lane passes as pv.net=GUEST/PREFIX,PEER (PV_NET in the guest).
 */
#ifndef _VCOAL_H
#define _VCOAL_H

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "pv_sysfs.h"

#define VCOAL_ROOT "/sys/kernel/virtio_coalesce"

/* The first device the module attached to: its name, or NULL. */
static inline const char *vcoal_first_dev(char *name, size_t len)
{
	struct dirent *e;
	DIR *d = opendir(VCOAL_ROOT);
	const char *ret = NULL;

	if (!d)
		return NULL;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		size_t n = strnlen(e->d_name, len - 1);

		memcpy(name, e->d_name, n);
		name[n] = '\0';
		ret = name;
		break;
	}
	closedir(d);
	return ret;
}

static inline int vcoal_path(char *p, size_t len, const char *dev, const char *file)
{
	return snprintf(p, len, VCOAL_ROOT "/%s/%s", dev, file);
}

static inline int vcoal_write(const char *dev, const char *file, const char *val)
{
	char p[512];

	vcoal_path(p, sizeof(p), dev, file);
	return pv_write_str(p, val);
}

static inline int vcoal_read(const char *dev, const char *file, char *buf, size_t len)
{
	char p[512];

	vcoal_path(p, sizeof(p), dev, file);
	return pv_read_line(p, buf, len);
}

static inline long long vcoal_read_ll(const char *dev, const char *file)
{
	char buf[64];

	if (vcoal_read(dev, file, buf, sizeof(buf)))
		return -1;
	return atoll(buf);
}

static inline long long vcoal_net_ll(const char *ifname, const char *file)
{
	char p[512], buf[64];

	snprintf(p, sizeof(p), "/sys/class/net/%s/%s", ifname, file);
	if (pv_read_line(p, buf, sizeof(buf)))
		return -1;
	return atoll(buf);
}

static inline int vcoal_net_write(const char *ifname, const char *file, long long v)
{
	char p[512], buf[32];

	snprintf(p, sizeof(p), "/sys/class/net/%s/%s", ifname, file);
	snprintf(buf, sizeof(buf), "%lld", v);
	return pv_write_str(p, buf);
}

static inline double vcoal_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Bring @ifname up at the lane's address; the peer's address in @peer.
 * Returns 0, or -1 when the lane gave no network (no PV_NET).
 */
static inline int vcoal_net_up(const char *ifname, struct sockaddr_in *peer)
{
	const char *net = getenv("PV_NET");
	char addr[64], cmd[256], *comma, *slash;
	int prefix;

	if (!net || strlen(net) >= sizeof(addr))
		return -1;
	snprintf(addr, sizeof(addr), "%s", net);
	comma = strchr(addr, ',');
	slash = strchr(addr, '/');
	if (!comma || !slash || slash > comma)
		return -1;
	*comma = '\0';
	*slash = '\0';
	prefix = atoi(slash + 1);
	memset(peer, 0, sizeof(*peer));
	peer->sin_family = AF_INET;
	if (inet_pton(AF_INET, comma + 1, &peer->sin_addr) != 1)
		return -1;
	snprintf(cmd, sizeof(cmd), "ip link set %s up && ip addr replace %s/%d dev %s",
		 ifname, addr, prefix, ifname);
	return system(cmd) == 0 ? 0 : -1;
}

static inline void vcoal_timeout(int fd, double s)
{
	struct timeval tv = { .tv_sec = (time_t)s, .tv_usec = (s - (time_t)s) * 1e6 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* UDP request/response with the peer's echo: how many of @n came back. */
static inline int vcoal_rr(const struct sockaddr_in *peer, int n, double *rtt_us)
{
	struct sockaddr_in a = *peer;
	char buf[64] = "vcoal", in[64];
	int fd, i, ok = 0;

	a.sin_port = htons(7);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		goto out;
	vcoal_timeout(fd, 1);
	for (i = 0; i < n; i++) {
		double t0 = vcoal_now();

		snprintf(buf, sizeof(buf), "vcoal %d", i);
		if (send(fd, buf, sizeof(buf), 0) != sizeof(buf))
			continue;
		if (recv(fd, in, sizeof(in), 0) == sizeof(buf) && !memcmp(in, buf, sizeof(buf))) {
			if (rtt_us)
				rtt_us[ok] = (vcoal_now() - t0) * 1e6;
			ok++;
		}
	}
out:
	if (fd >= 0)
		close(fd);
	return ok;
}

/* Host-to-guest bulk over TCP for @secs: the bytes received, or -1. */
static inline long long vcoal_bulk_rx(const struct sockaddr_in *peer, double secs)
{
	struct sockaddr_in a = *peer;
	static char buf[1 << 16];
	long long total = 0;
	double end;
	ssize_t n;
	int fd;

	a.sin_port = htons(19);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	vcoal_timeout(fd, 5);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		return -1;
	}
	end = vcoal_now() + secs;
	while (vcoal_now() < end) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0)
			break;
		total += n;
	}
	close(fd);
	return total;
}

#endif /* _VCOAL_H */
