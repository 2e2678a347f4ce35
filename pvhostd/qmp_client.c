// SPDX-License-Identifier: GPL-2.0
/*
 * QMP client: QEMU's vCPU thread ids, for preemption and boost (and NUMA
 * affinity). pvhostd starts before QEMU, so the monitor is asked when a
 * guest session starts, i.e. when QEMU connects to the ivshmem socket,
 * and again with a growing backoff until it answers. The socket is
 * non-blocking and in the epoll set; one exchange (greeting,
 * qmp_capabilities, query-cpus-fast) must finish within
 * PVHOSTD_QMP_DEADLINE_MS or it is dropped and retried. The connection is
 * closed after the table is read, leaving the monitor to others.
 *
 * The monitor must be the guest's QEMU: its SO_PEERCRED pid must be the
 * pid of the ivshmem client, and every thread id must be a thread of that
 * pid (/proc/PID/task/TID).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"

#define QMP_CAPS	"{\"execute\":\"qmp_capabilities\"}\r\n"
#define QMP_CPUS	"{\"execute\":\"query-cpus-fast\"}\r\n"

static u64 now_ms(void)
{
	return pvhostd_now_ns(CLOCK_MONOTONIC) / 1000000ULL;
}

/**
 * pvhostd_qmp_state_name - for status and logs
 * @st: the client's state
 * Return: a static string
 */
const char *pvhostd_qmp_state_name(enum pvhostd_qmp_state st)
{
	static const char *const names[] = {
		[PVHOSTD_QMPC_OFF] = "off",
		[PVHOSTD_QMPC_IDLE] = "idle",
		[PVHOSTD_QMPC_WAIT] = "waiting",
		[PVHOSTD_QMPC_GREETING] = "greeting",
		[PVHOSTD_QMPC_CAPS] = "capabilities",
		[PVHOSTD_QMPC_CPUS] = "query-cpus-fast",
		[PVHOSTD_QMPC_DONE] = "ready",
	};

	return (unsigned int)st < ARRAY_SIZE(names) ? names[st] : "?";
}

static void qmp_close(struct pvhostd *d)
{
	struct pvhostd_qmp_client *q = &d->qmp;

	if (q->fd >= 0) {
		epoll_ctl(d->epfd, EPOLL_CTL_DEL, q->fd, NULL);
		close(q->fd);
	}
	q->fd = -1;
	q->len = 0;
}

/* Drop this attempt and schedule the next one, later each time. */
static void qmp_fail(struct pvhostd *d, const char *why)
{
	struct pvhostd_qmp_client *q = &d->qmp;

	q->failures++;
	if (strcmp(q->error, why))
		pvhostd_log("qmp %s: %s (retrying in %u ms)", d->opt.qmp_path,
			    why, q->backoff_ms);
	snprintf(q->error, sizeof(q->error), "%s", why);
	qmp_close(d);
	q->state = PVHOSTD_QMPC_WAIT;
	q->next_try_ms = now_ms() + q->backoff_ms;
	q->backoff_ms *= 2;
	if (q->backoff_ms > PVHOSTD_QMP_BACKOFF_MAX_MS)
		q->backoff_ms = PVHOSTD_QMP_BACKOFF_MAX_MS;
}

static int qmp_send(struct pvhostd *d, const char *cmd)
{
	size_t len = strlen(cmd);

	/* a few dozen bytes on a fresh socket: all of it goes, or we retry */
	return send(d->qmp.fd, cmd, len, MSG_DONTWAIT | MSG_NOSIGNAL) ==
		(ssize_t)len ? 0 : -1;
}

static void qmp_connect(struct pvhostd *d)
{
	struct pvhostd_qmp_client *q = &d->qmp;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t plen = strlen(d->opt.qmp_path);
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	char why[96];

	q->connects++;
	if (plen >= sizeof(sa.sun_path))
		return qmp_fail(d, "socket path too long");
	memcpy(sa.sun_path, d->opt.qmp_path, plen + 1);
	q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (q->fd < 0)
		return qmp_fail(d, strerror(errno));
	/* a UNIX connect completes at once or fails (EAGAIN: backlog full) */
	if (connect(q->fd, (struct sockaddr *)&sa, sizeof(sa)))
		return qmp_fail(d, strerror(errno));
	if (getsockopt(q->fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) ||
	    cred.pid <= 0)
		return qmp_fail(d, "no peer credentials");
	if (d->s.qemu_pid && cred.pid != d->s.qemu_pid) {
		snprintf(why, sizeof(why), "monitor is pid %d, the guest's QEMU is pid %d",
			 (int)cred.pid, (int)d->s.qemu_pid);
		return qmp_fail(d, why);
	}
	q->peer_pid = cred.pid;
	if (pvhostd_epoll_add(d, q->fd, TAG_QMP, 0))
		return qmp_fail(d, strerror(errno));
	q->state = PVHOSTD_QMPC_GREETING;
	q->deadline_ms = now_ms() + PVHOSTD_QMP_DEADLINE_MS;
}

static int check_threads(pid_t pid, const struct pvhostd_qmp_msg *m)
{
	char path[64];
	u32 i;

	for (i = 0; i < m->nr_vcpus; i++) {
		if (!m->tid[i])
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%d", (int)pid,
			 (int)m->tid[i]);
		if (access(path, F_OK))
			return -ESRCH;
	}
	return 0;
}

static void qmp_table(struct pvhostd *d, const struct pvhostd_qmp_msg *m)
{
	struct pvhostd_qmp_client *q = &d->qmp;
	struct pvhostd_session *s = &d->s;
	u32 i, n = 0;

	if (check_threads(q->peer_pid, m))
		return qmp_fail(d, "a thread-id is not a thread of the monitor's process");
	s->qemu_pid = q->peer_pid;
	memcpy(s->vcpu_tid, m->tid, sizeof(s->vcpu_tid));
	s->qmp_vcpus = m->nr_vcpus;
	for (i = 0; i < m->nr_vcpus; i++)
		n += !!m->tid[i];
	q->queries++;
	q->state = PVHOSTD_QMPC_DONE;
	q->error[0] = '\0';
	qmp_close(d);
	pvhostd_log("qmp: %u vCPU threads of QEMU pid %d (guest has %u records)",
		    n, (int)s->qemu_pid, s->lay.nr_vcpus);
	pvhostd_vcpu_table_ready(d);
}

static void qmp_message(struct pvhostd *d, const char *line, size_t len)
{
	struct pvhostd_qmp_client *q = &d->qmp;
	static struct pvhostd_qmp_msg m;
	char why[64];

	if (pvhostd_qmp_parse(line, len, &m))
		return qmp_fail(d, "malformed reply");
	if (m.kind == PVHOSTD_QMP_EVENT) {
		q->events++;
		return;
	}
	if (q->state == PVHOSTD_QMPC_GREETING && m.kind == PVHOSTD_QMP_GREETING) {
		q->state = PVHOSTD_QMPC_CAPS;
		if (qmp_send(d, QMP_CAPS))
			qmp_fail(d, "cannot send qmp_capabilities");
		return;
	}
	if (q->state == PVHOSTD_QMPC_CAPS && m.kind == PVHOSTD_QMP_RETURN) {
		q->state = PVHOSTD_QMPC_CPUS;
		if (qmp_send(d, QMP_CPUS))
			qmp_fail(d, "cannot send query-cpus-fast");
		return;
	}
	if (q->state == PVHOSTD_QMPC_CPUS && m.kind == PVHOSTD_QMP_CPUS)
		return qmp_table(d, &m);
	snprintf(why, sizeof(why), "unexpected %s in state %s",
		 pvhostd_qmp_kind_name(m.kind), pvhostd_qmp_state_name(q->state));
	qmp_fail(d, why);
}

/**
 * pvhostd_qmp_input - the monitor sent something, or closed
 * @d: the daemon
 *
 * Messages are lines; a line longer than PVHOSTD_QMP_LINE_MAX fails the
 * exchange.
 */
void pvhostd_qmp_input(struct pvhostd *d)
{
	struct pvhostd_qmp_client *q = &d->qmp;
	char *nl;
	size_t take;
	ssize_t n;

	if (q->fd < 0)
		return;
	n = recv(q->fd, q->buf + q->len, sizeof(q->buf) - q->len, 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0)
		return qmp_fail(d, n ? strerror(errno) : "monitor closed the connection");
	q->len += (size_t)n;
	while (q->fd >= 0 && (nl = memchr(q->buf, '\n', q->len))) {
		take = (size_t)(nl - q->buf);
		if (take && q->buf[take - 1] == '\r')
			take--;
		if (take)
			qmp_message(d, q->buf, take);
		if (q->fd < 0)
			return;
		q->len -= (size_t)(nl - q->buf) + 1;
		memmove(q->buf, nl + 1, q->len);
	}
	if (q->fd >= 0 && q->len == sizeof(q->buf))
		qmp_fail(d, "reply too long");
}

/**
 * pvhostd_qmp_tick - retry and time out, from the vCPU timer
 * @d: the daemon
 */
void pvhostd_qmp_tick(struct pvhostd *d)
{
	struct pvhostd_qmp_client *q = &d->qmp;
	u64 now = now_ms();

	if (q->state == PVHOSTD_QMPC_WAIT && now >= q->next_try_ms)
		qmp_connect(d);
	else if (q->fd >= 0 && now >= q->deadline_ms)
		qmp_fail(d, "no answer in time");
}

/**
 * pvhostd_qmp_start - a guest session started: ask its QEMU for the table
 * @d: the daemon
 */
void pvhostd_qmp_start(struct pvhostd *d)
{
	struct pvhostd_qmp_client *q = &d->qmp;

	if (!d->opt.qmp_path)
		return;
	qmp_close(d);
	q->error[0] = '\0';
	q->backoff_ms = PVHOSTD_QMP_BACKOFF_MIN_MS;
	q->state = PVHOSTD_QMPC_WAIT;
	q->next_try_ms = 0;
	qmp_connect(d);
}

/**
 * pvhostd_qmp_stop - the session ended: forget the monitor
 * @d: the daemon
 */
void pvhostd_qmp_stop(struct pvhostd *d)
{
	qmp_close(d);
	d->qmp.state = d->opt.qmp_path ? PVHOSTD_QMPC_IDLE : PVHOSTD_QMPC_OFF;
}

/**
 * pvhostd_vcpu_tid - the host thread that runs a guest vCPU
 * @d: the daemon
 * @vcpu: the guest's vCPU (QMP cpu-index)
 * Return: its thread id, or 0 when unknown (no session, no QMP answer
 *	yet, no such vCPU)
 */
pid_t pvhostd_vcpu_tid(const struct pvhostd *d, u32 vcpu)
{
	if (d->s.sock < 0 || vcpu >= PVHOST_MAX_VCPUS)
		return 0;
	return d->s.vcpu_tid[vcpu];
}
