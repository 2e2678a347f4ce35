// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's vCPU threads on the host: the thread table from QMP
 * (qmp_client.c), a timer at --vcpu-poll-ms that drives the QMP client
 * and samples each thread's scheduler state from /proc.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "daemon.h"

static void timer_set(struct pvhostd *d, u32 ms)
{
	struct itimerspec its = {
		.it_interval = { ms / 1000, (ms % 1000) * 1000000L },
		.it_value = { ms / 1000, (ms % 1000) * 1000000L },
	};

	if (d->vcpu_timer_fd >= 0)
		timerfd_settime(d->vcpu_timer_fd, 0, &its, NULL);
}

static int read_proc(pid_t pid, pid_t tid, const char *file, char *buf,
		     size_t size)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/%s", (int)pid,
		 (int)tid, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size);
	close(fd);
	return n < 0 ? -errno : (int)n;
}

/**
 * pvhostd_vcpu_thread_state - a vCPU thread's state letter, now
 * @d: the daemon
 * @vcpu: the guest's vCPU
 * Return: R, S, ... or '-' when the thread is unknown or gone
 */
char pvhostd_vcpu_thread_state(const struct pvhostd *d, u32 vcpu)
{
	pid_t tid = pvhostd_vcpu_tid(d, vcpu);
	char buf[512], st;
	int n;

	if (!tid || !d->s.qemu_pid)
		return '-';
	n = read_proc(d->s.qemu_pid, tid, "stat", buf, sizeof(buf));
	if (n <= 0 || pvhostd_stat_state(buf, (size_t)n, &st))
		return '-';
	return st;
}

/**
 * pvhostd_vcpu_start - a guest session started
 * @d: the daemon
 *
 * With --qmp, the timer runs while a guest is connected.
 */
void pvhostd_vcpu_start(struct pvhostd *d)
{
	if (!d->opt.qmp_path)
		return;
	timer_set(d, d->opt.vcpu_poll_ms);
	pvhostd_qmp_start(d);
}

/**
 * pvhostd_vcpu_stop - the guest session ends
 * @d: the daemon
 */
void pvhostd_vcpu_stop(struct pvhostd *d)
{
	pvhostd_qmp_stop(d);
	timer_set(d, 0);
}

/**
 * pvhostd_vcpu_timer - the vCPU timer fired
 * @d: the daemon
 */
void pvhostd_vcpu_timer(struct pvhostd *d)
{
	u64 ticks;

	if (read(d->vcpu_timer_fd, &ticks, sizeof(ticks)) != sizeof(ticks))
		return;
	if (d->s.sock < 0)
		return;
	pvhostd_qmp_tick(d);
}
