// SPDX-License-Identifier: GPL-2.0
/*
 * pvhostd: who may connect. The sockets' mode and group as the operator
 * gives them, and the check of each peer's credentials (SO_PEERCRED, and
 * the supplementary groups /proc says it has). Pure: the daemon feeds it
 * what the kernel reported.
 */
#include <errno.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>

#include "pvhostd.h"

/**
 * pvhostd_parse_mode - a socket mode, octal
 * @arg: for example "0660"
 * @mode: out, 0..0777 (no set-id or sticky bits)
 * Return: 0, or -EINVAL
 */
int pvhostd_parse_mode(const char *arg, u32 *mode)
{
	unsigned long v;
	char *end;

	if (!arg || !*arg || *arg == '-' || *arg == '+')
		return -EINVAL;
	errno = 0;
	v = strtoul(arg, &end, 8);
	if (errno || *end || v > 0777)
		return -EINVAL;
	*mode = (u32)v;
	return 0;
}

/**
 * pvhostd_parse_group - a group, by name or number
 * @arg: a group name known to the system, or a decimal gid
 * @gid: out
 * Return: 0, or -EINVAL
 */
int pvhostd_parse_group(const char *arg, gid_t *gid)
{
	unsigned long v;
	struct group *g;
	char *end;

	if (!arg || !*arg)
		return -EINVAL;
	if (*arg >= '0' && *arg <= '9') {
		errno = 0;
		v = strtoul(arg, &end, 10);
		if (errno || *end || v >= (gid_t)-1)
			return -EINVAL;
		*gid = (gid_t)v;
		return 0;
	}
	g = getgrnam(arg);
	if (!g)
		return -EINVAL;
	*gid = g->gr_gid;
	return 0;
}

/**
 * pvhostd_status_groups - the supplementary groups in /proc/PID/status
 * @text: the file's contents, NUL-terminated
 * @gids: out
 * @max: room in @gids
 * Return: how many were found (at most @max), or -EINVAL when the file
 * has no well-formed "Groups:" line
 */
int pvhostd_status_groups(const char *text, gid_t *gids, int max)
{
	const char *p = text;
	unsigned long v;
	char *end;
	int n = 0;

	while (p && strncmp(p, "Groups:", 7)) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	if (!p)
		return -EINVAL;
	p += 7;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\n' || !*p)
			return n;
		if (*p < '0' || *p > '9')
			return -EINVAL;
		errno = 0;
		v = strtoul(p, &end, 10);
		if (errno || v >= (gid_t)-1)
			return -EINVAL;
		if (n < max)
			gids[n++] = (gid_t)v;
		p = end;
	}
}

/**
 * pvhostd_peer_allowed - may this peer use a socket
 * @perm: the socket's group
 * @self: the daemon's effective uid
 * @uid: the peer's uid (SO_PEERCRED)
 * @gid: the peer's gid (SO_PEERCRED)
 * @groups: the peer's supplementary groups
 * @ngroups: how many; negative when they could not be read
 *
 * Root, the daemon's own user, and members of the socket's group; nobody
 * else, whatever the socket file's mode let through (a mode set wider by
 * hand, a descriptor handed on).
 * Return: true if allowed
 */
bool pvhostd_peer_allowed(const struct pvhostd_sockperm *perm, uid_t self,
			  uid_t uid, gid_t gid, const gid_t *groups,
			  int ngroups)
{
	int i;

	if (uid == 0 || uid == self)
		return true;
	if (gid == perm->group)
		return true;
	for (i = 0; i < ngroups; i++)
		if (groups[i] == perm->group)
			return true;
	return false;
}
