// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's vCPU threads on the host: the thread table from QMP
 * (qmp_client.c), and a timer at --vcpu-poll-ms that drives the QMP
 * client, samples each thread's scheduler state from /proc to publish
 * the per-vCPU preempted flags (the rule: pvhostd_preempted()), and
 * serves boost requests as nice changes of the thread
 * (pvhostd_boost_decide()). Boosts are reverted when the guest clears
 * them, after --boost-max-ms, at session end and at daemon exit.
 *
 * The lock hint (pvhostd_hint_decide()) raises the thread's priority the
 * same way while the guest's lock_hint is set, for at most
 * --lock-hint-max-ms. A boost and a hint share the one raised nice: the
 * thread's own is saved when the first comes and given back when neither
 * is left.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/timerfd.h>
#include <time.h>
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

/*
 * The vCPUs are sampled every --vcpu-poll-ms once QMP gave their table;
 * until then the timer only has to wake for the monitor's next retry or
 * deadline (it backs off up to PVHOSTD_QMP_BACKOFF_MAX_MS), not at the
 * sampling rate for as long as QMP is absent.
 */
#define PVHOSTD_NAMES_RESCAN_MS	1000

/* The thread table is known: from QMP, or from the threads' names. */
static bool table_known(const struct pvhostd *d)
{
	return d->opt.vcpu_names ? d->names_known :
	       d->qmp.state == PVHOSTD_QMPC_DONE;
}

static void timer_pace(struct pvhostd *d)
{
	const struct pvhostd_qmp_client *q = &d->qmp;
	u32 ms = d->opt.vcpu_poll_ms;
	u64 now, at;

	if (d->opt.vcpu_names) {
		/* Nothing to sample until a rescan finds the threads. */
		if (!d->names_known)
			ms = PVHOSTD_NAMES_RESCAN_MS;
	} else if (q->state != PVHOSTD_QMPC_DONE) {
		now = pvhostd_now_ns(CLOCK_MONOTONIC) / 1000000ULL;
		at = q->state == PVHOSTD_QMPC_WAIT ? q->next_try_ms :
		     q->deadline_ms;
		if (at > now + ms)
			ms = at - now > PVHOSTD_QMP_BACKOFF_MAX_MS ?
			     PVHOSTD_QMP_BACKOFF_MAX_MS : (u32)(at - now);
	}
	if (ms != d->vcpu_timer_ms) {
		timer_set(d, ms);
		d->vcpu_timer_ms = ms;
	}
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

static int open_proc(pid_t pid, pid_t tid, const char *file)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/task/%d/%s", (int)pid,
		 (int)tid, file);
	return open(path, O_RDONLY | O_CLOEXEC);
}

static void vcpu_close(struct pvhostd_vcpu_host *h)
{
	if (!h->open)
		return;
	close(h->stat_fd);
	close(h->sched_fd);
	h->open = false;
}

/* The thread's start time through the descriptor held since the table. */
static int held_start(const struct pvhostd_vcpu_host *h, u64 *start)
{
	char buf[512];
	ssize_t n;

	if (!h->open)
		return -ESRCH;
	n = pread(h->stat_fd, buf, sizeof(buf), 0);
	if (n <= 0)
		return -ESRCH;	/* the thread is gone */
	return pvhostd_stat_starttime(buf, (size_t)n, start);
}

/**
 * pvhostd_vcpu_thread_ok - is the vCPU's thread still the one in the table
 * @d: the daemon
 * @vcpu: the guest's vCPU
 *
 * Asked before every priority or affinity change: a thread id names
 * another thread once its own is gone. The descriptor on its stat file,
 * held since the table was read, still reads only while that thread
 * lives (and no other can have its id meanwhile); its start time must be
 * the one read then.
 * Return: true if it is
 */
bool pvhostd_vcpu_thread_ok(struct pvhostd *d, u32 vcpu)
{
	const struct pvhostd_vcpu_host *h;
	u64 start;

	if (vcpu >= PVHOST_MAX_VCPUS || !d->s.vcpu_tid[vcpu])
		return false;
	h = &d->s.vh[vcpu];
	if (!held_start(h, &start) && start == h->start_time)
		return true;
	if (!d->threads_gone++)
		pvhostd_log("vCPU %u: thread %d is no longer QEMU's: %s",
			    vcpu, (int)d->s.vcpu_tid[vcpu],
			    "no change made to it (counted in threads_gone)");
	return false;
}

static struct pvhost_vcpu *record(struct pvhostd *d, u32 vcpu)
{
	return (struct pvhost_vcpu *)pvhostd_at(d->s.base, d->s.lay.vcpu_offset) +
	       vcpu;
}

/* Records with a known thread: the first min(QMP's, the region's). */
static u32 nr_served(const struct pvhostd *d)
{
	return d->s.qmp_vcpus < d->s.lay.nr_vcpus ? d->s.qmp_vcpus :
	       d->s.lay.nr_vcpus;
}

static void publish_preempted(struct pvhostd *d, u32 vcpu, u32 preempted)
{
	struct pvhostd_vcpu_host *h = &d->s.vh[vcpu];
	struct pvhost_vcpu *v = record(d, vcpu);

	if (h->preempted == preempted)
		return;
	h->preempted = preempted;
	h->preempt_seq++;
	h->preempt_changes++;
	if (pvhostd_hostile_serve(d, PVHOSTD_PART_VCPU))
		return;
	PVHOSTD_STORE(v->preempted, preempted);
	PVHOSTD_STORE(v->preempt_seq, h->preempt_seq);
}

/* pread() at 0 makes /proc regenerate the text: one syscall a file. */
static int sample(struct pvhostd_vcpu_host *h, char *state,
		  struct pvhostd_sched_sample *ss)
{
	char buf[512];
	ssize_t n;

	n = pread(h->sched_fd, buf, sizeof(buf), 0);
	if (n <= 0 || pvhostd_schedstat_parse(buf, (size_t)n, ss))
		return -EIO;
	n = pread(h->stat_fd, buf, sizeof(buf), 0);
	if (n <= 0 || pvhostd_stat_state(buf, (size_t)n, state))
		return -EIO;
	return 0;
}

static void preempt_tick(struct pvhostd *d, u32 vcpu)
{
	struct pvhostd_vcpu_host *h = &d->s.vh[vcpu];
	struct pvhostd_sched_sample now;
	char state;

	if (!h->open)
		return;
	if (sample(h, &state, &now)) {
		/* the thread is gone (QEMU exiting): stop reading it */
		h->read_errors++;
		h->state = '-';
		vcpu_close(h);
		publish_preempted(d, vcpu, 0);
		return;
	}
	h->samples++;
	h->state = state;
	if (h->sampled) {
		bool p = pvhostd_preempted(state, &h->prev, &now);

		h->preempted_ticks += p;
		publish_preempted(d, vcpu, p);
	}
	h->prev = now;
	h->sampled = true;
}

static void boost_apply(struct pvhostd *d, u32 vcpu, u32 seq)
{
	struct pvhostd_vcpu_host *h = &d->s.vh[vcpu];
	pid_t tid = d->s.vcpu_tid[vcpu];
	int nice;

	if (h->hint.raised)
		goto ack;	/* the hint has it raised already */
	if (!pvhostd_vcpu_thread_ok(d, vcpu)) {
		h->boost_errors++;
		h->b.boosted = false;	/* not applied: nothing to revert */
		return;
	}
	errno = 0;
	nice = getpriority(PRIO_PROCESS, (id_t)tid);
	if (errno ||
	    setpriority(PRIO_PROCESS, (id_t)tid, pvhostd_boost_nice(nice))) {
		if (d->boost_errno != errno)
			pvhostd_log("boost of vCPU %u (thread %d): %s", vcpu,
				    (int)tid, strerror(errno));
		d->boost_errno = errno;
		h->boost_errors++;
		h->b.boosted = false;	/* not applied: nothing to revert */
		return;
	}
	h->nice_orig = nice;
	h->nice_now = pvhostd_boost_nice(nice);
ack:
	h->boosts_applied++;
	h->boost_ack = seq;
	PVHOSTD_STORE(record(d, vcpu)->boost_ack, seq);
}

/* The thread's own nice back, unless the other reason still holds it. */
static void prio_restore(struct pvhostd *d, u32 vcpu)
{
	struct pvhostd_vcpu_host *h = &d->s.vh[vcpu];

	if (h->b.boosted || h->hint.raised)
		return;
	/* Gone (or its id another's): its nice went with it. */
	if (pvhostd_vcpu_thread_ok(d, vcpu) &&
	    setpriority(PRIO_PROCESS, (id_t)d->s.vcpu_tid[vcpu], h->nice_orig) &&
	    errno != ESRCH) {
		h->boost_errors++;
		d->boost_errno = errno;
	}
	h->nice_now = h->nice_orig;
}

static void boost_revert(struct pvhostd *d, u32 vcpu)
{
	prio_restore(d, vcpu);
	d->s.vh[vcpu].boosts_reverted++;
}

/* The hint is set: raise the thread, unless a boost has it raised. */
static void hint_raise(struct pvhostd *d, u32 vcpu)
{
	struct pvhostd_vcpu_host *h = &d->s.vh[vcpu];
	pid_t tid = d->s.vcpu_tid[vcpu];
	int nice;

	if (!h->b.boosted) {
		if (!pvhostd_vcpu_thread_ok(d, vcpu))
			goto fail;
		errno = 0;
		nice = getpriority(PRIO_PROCESS, (id_t)tid);
		if (errno || setpriority(PRIO_PROCESS, (id_t)tid,
					 pvhostd_boost_nice(nice))) {
			if (d->boost_errno != errno)
				pvhostd_log("lock hint of vCPU %u (thread %d): %s",
					    vcpu, (int)tid, strerror(errno));
			d->boost_errno = errno;
			goto fail;
		}
		h->nice_orig = nice;
		h->nice_now = pvhostd_boost_nice(nice);
	}
	h->hint_raises++;
	h->hint_seen++;
	return;
fail:
	h->hint_errors++;
	h->hint.raised = false;	/* not raised: nothing to restore */
}

/*
 * One sample of the hint: read once, validated, counted, acted on. A
 * sample that reads it set while the thread was found preempted over the
 * period just ended is a preemption of a lock holder: the guest cannot
 * clear the hint while its vCPU does not run.
 */
static void hint_tick(struct pvhostd *d, u32 vcpu, u64 now_ms)
{
	struct pvhostd_vcpu_host *h = &d->s.vh[vcpu];
	struct pvhost_vcpu *v = record(d, vcpu);
	u32 hint = PVHOSTD_LOAD(v->lock_hint);	/* guest input: once */
	u32 seen = h->hint_seen;

	if (!pvhostd_hint_valid(hint)) {
		h->hint_invalid++;
		hint = 0;
	}
	if (hint && h->open) {
		h->hint_samples++;
		h->hint_preempted += h->preempted;
	}
	switch (pvhostd_hint_decide(&d->opt.hint, &h->hint, hint, now_ms)) {
	case PVHOSTD_HINT_RAISE:
		hint_raise(d, vcpu);
		break;
	case PVHOSTD_HINT_KEEP:
		h->hint_seen++;
		break;
	case PVHOSTD_HINT_RESTORE:
		prio_restore(d, vcpu);
		h->hint_restores++;
		break;
	case PVHOSTD_HINT_REFUSE:
		h->hint_refused++;
		break;
	case PVHOSTD_HINT_NONE:
	case PVHOSTD_HINT_OBSERVE:
		break;
	}
	if (h->hint_seen != seen && !pvhostd_hostile_serve(d, PVHOSTD_PART_VCPU))
		PVHOSTD_STORE(v->lock_hint_seen, h->hint_seen);
}

static void boost_tick(struct pvhostd *d, u32 vcpu, u64 now_ms)
{
	struct pvhostd_vcpu_host *h = &d->s.vh[vcpu];
	struct pvhost_vcpu *v = record(d, vcpu);
	u32 boost = PVHOSTD_LOAD(v->boost);	/* guest input: once */
	u32 seq = PVHOSTD_LOAD(v->boost_seq);

	if (boost > 1) {
		h->boost_invalid++;
		boost = 0;
	}
	switch (pvhostd_boost_decide(&d->opt.boost, &h->b, boost, seq, now_ms)) {
	case PVHOSTD_BOOST_APPLY:
		boost_apply(d, vcpu, seq);
		break;
	case PVHOSTD_BOOST_REVERT:
		boost_revert(d, vcpu);
		break;
	case PVHOSTD_BOOST_REFUSE:
		h->boosts_refused++;
		break;
	case PVHOSTD_BOOST_NONE:
		break;
	}
}

/* Every boost or hint still applied goes back to its thread's own nice. */
static void boost_revert_all(struct pvhostd *d)
{
	u32 i;

	for (i = 0; i < PVHOST_MAX_VCPUS; i++) {
		struct pvhostd_vcpu_host *h = &d->s.vh[i];
		bool boosted = h->b.boosted, hinted = h->hint.raised;

		h->b.boosted = false;
		h->hint.raised = false;
		if (boosted)
			h->boosts_reverted++;
		if (hinted)
			h->hint_restores++;
		if (boosted || hinted)
			prio_restore(d, i);
	}
}

/**
 * pvhostd_vcpu_republish - write the flags again into zeroed or damaged records
 * @d: the daemon
 */
void pvhostd_vcpu_republish(struct pvhostd *d)
{
	u32 i;

	if (d->s.sock < 0 || pvhostd_hostile_serve(d, PVHOSTD_PART_VCPU))
		return;
	for (i = 0; i < nr_served(d); i++) {
		struct pvhostd_vcpu_host *h = &d->s.vh[i];

		h->preempt_seq++;
		PVHOSTD_STORE(record(d, i)->preempted, h->preempted);
		PVHOSTD_STORE(record(d, i)->preempt_seq, h->preempt_seq);
	}
}

/*
 * --vcpu-names: QEMU's threads named "CPU n/ACCEL", from the QEMU process
 * the ivshmem socket's peer credentials name. Return: how many vCPU
 * threads, -EEXIST when two claim one vCPU (the table is not trusted),
 * or another negative errno.
 */
static int names_scan(const struct pvhostd *d, pid_t *tid, u32 *nr)
{
	char path[64], comm[32];
	struct dirent *e;
	int n = 0, fd;
	ssize_t len;
	DIR *dir;
	char *end;
	long t;
	u32 idx;

	memset(tid, 0, sizeof(*tid) * PVHOST_MAX_VCPUS);
	*nr = 0;
	if (d->s.qemu_pid <= 0)
		return -ESRCH;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)d->s.qemu_pid);
	dir = opendir(path);
	if (!dir)
		return -errno;
	while ((e = readdir(dir))) {
		errno = 0;
		t = strtol(e->d_name, &end, 10);
		if (errno || *end || t <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%ld/comm",
			 (int)d->s.qemu_pid, t);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		len = read(fd, comm, sizeof(comm));
		close(fd);
		if (len <= 0 || pvhostd_vcpu_comm_parse(comm, (size_t)len, &idx))
			continue;
		if (tid[idx]) {
			closedir(dir);
			return -EEXIST;
		}
		tid[idx] = (pid_t)t;
		n++;
		if (idx + 1 > *nr)
			*nr = idx + 1;
	}
	closedir(dir);
	return n;
}

/* Rescan; a new or changed table (CPU hotplug) is taken. */
static void names_refresh(struct pvhostd *d)
{
	static pid_t tid[PVHOST_MAX_VCPUS];
	struct pvhostd_session *s = &d->s;
	u32 nr;
	int n = names_scan(d, tid, &nr);

	d->names_scans++;
	if (n <= 0) {
		n = n ?: -ENOENT;
		if (n != d->names_error)
			pvhostd_log("vCPU threads by name: %s in QEMU pid %d (%s)",
				    n == -ENOENT ? "none" :
				    n == -EEXIST ? "two threads claim one vCPU" :
				    strerror(-n), (int)s->qemu_pid,
				    "QEMU names them with -name ...,debug-threads=on");
		d->names_error = n;
		return;	/* the table known before, if any, stays */
	}
	d->names_error = 0;
	if (d->names_known && nr == s->qmp_vcpus &&
	    !memcmp(tid, s->vcpu_tid, sizeof(tid)))
		return;
	memcpy(s->vcpu_tid, tid, sizeof(s->vcpu_tid));
	s->qmp_vcpus = nr;
	d->names_changes++;
	d->names_known = true;
	pvhostd_log("vCPU threads by name: %d of QEMU pid %d (guest has %u records)",
		    n, (int)s->qemu_pid, s->lay.nr_vcpus);
	pvhostd_vcpu_table_ready(d);
}

/**
 * pvhostd_vcpu_features - what the host advertises
 * @d: the daemon
 * Return: PVHOST_F_* bits
 */
u64 pvhostd_vcpu_features(const struct pvhostd *d)
{
	return PVHOSTD_FEATURES |
	       (d->opt.qmp_path || d->opt.vcpu_names ? PVHOSTD_FEATURES_VCPU : 0);
}

/**
 * pvhostd_vcpu_table_ready - QMP gave the thread table: start sampling
 * @d: the daemon
 */
void pvhostd_vcpu_table_ready(struct pvhostd *d)
{
	struct pvhostd_session *s = &d->s;
	u32 i, n = nr_served(d);

	boost_revert_all(d);
	pvhostd_numa_restore_affinity(d);
	timer_pace(d);
	for (i = 0; i < PVHOST_MAX_VCPUS; i++)
		vcpu_close(&s->vh[i]);
	for (i = 0; i < n; i++) {
		struct pvhostd_vcpu_host *h = &s->vh[i];

		if (!s->vcpu_tid[i])
			continue;
		h->stat_fd = open_proc(s->qemu_pid, s->vcpu_tid[i], "stat");
		h->sched_fd = open_proc(s->qemu_pid, s->vcpu_tid[i], "schedstat");
		if (h->stat_fd < 0 || h->sched_fd < 0) {
			if (h->stat_fd >= 0)
				close(h->stat_fd);
			if (h->sched_fd >= 0)
				close(h->sched_fd);
			h->read_errors++;
			continue;
		}
		h->open = true;
		h->sampled = false;
		if (held_start(h, &h->start_time)) {
			vcpu_close(h);
			h->read_errors++;
			continue;
		}
		/* requests made before we could serve them are not replayed */
		h->b.seq_seen = PVHOSTD_LOAD(record(d, i)->boost_seq);
	}
	pvhostd_restart_vcpus(d);	/* a previous daemon's changes */
}

/**
 * pvhostd_vcpu_nice - a vCPU thread's nice value, now
 * @d: the daemon
 * @vcpu: the guest's vCPU
 * @nice: the value
 * Return: 0, or -1 when the thread is unknown or gone
 */
int pvhostd_vcpu_nice(const struct pvhostd *d, u32 vcpu, int *nice)
{
	pid_t tid = pvhostd_vcpu_tid(d, vcpu);

	if (!tid)
		return -1;
	errno = 0;
	*nice = getpriority(PRIO_PROCESS, (id_t)tid);
	return errno ? -1 : 0;
}

/**
 * pvhostd_vcpu_start - a guest session started
 * @d: the daemon
 *
 * With --qmp, the timer runs while a guest is connected. Until QMP has
 * answered, every preempted flag stays 0 and boost requests wait.
 */
void pvhostd_vcpu_start(struct pvhostd *d)
{
	if (!d->opt.qmp_path && !d->opt.vcpu_names)
		return;
	d->vcpu_timer_ms = 0;
	if (d->opt.vcpu_names) {
		d->names_known = false;
		d->names_error = 0;
		d->names_next_ms = pvhostd_now_ns(CLOCK_MONOTONIC) / 1000000ULL +
				   PVHOSTD_NAMES_RESCAN_MS;
		names_refresh(d);
	}
	pvhostd_qmp_start(d);
	timer_pace(d);
}

/**
 * pvhostd_vcpu_stop - the guest session ends
 * @d: the daemon
 */
void pvhostd_vcpu_stop(struct pvhostd *d)
{
	u32 i;

	boost_revert_all(d);
	pvhostd_numa_restore_affinity(d);
	for (i = 0; i < PVHOST_MAX_VCPUS; i++)
		vcpu_close(&d->s.vh[i]);
	pvhostd_qmp_stop(d);
	d->names_known = false;
	timer_set(d, 0);
	d->vcpu_timer_ms = 0;
}

/**
 * pvhostd_vcpu_timer - the vCPU timer fired
 * @d: the daemon
 */
void pvhostd_vcpu_timer(struct pvhostd *d)
{
	u64 ticks, now_ms;
	u32 i;

	if (read(d->vcpu_timer_fd, &ticks, sizeof(ticks)) != sizeof(ticks))
		return;
	if (d->s.sock < 0)
		return;
	d->vcpu_wakeups++;
	pvhostd_qmp_tick(d);
	now_ms = pvhostd_now_ns(CLOCK_MONOTONIC) / 1000000ULL;
	if (d->opt.vcpu_names && now_ms >= d->names_next_ms) {
		d->names_next_ms = now_ms + PVHOSTD_NAMES_RESCAN_MS;
		names_refresh(d);
	}
	timer_pace(d);
	if (!table_known(d))
		return;
	d->vcpu_ticks++;
	for (i = 0; i < nr_served(d); i++) {
		preempt_tick(d, i);
		if (d->s.vh[i].open || d->s.vh[i].b.boosted)
			boost_tick(d, i, now_ms);
		if (d->s.vh[i].open || d->s.vh[i].hint.raised)
			hint_tick(d, i, now_ms);
	}
}
