// SPDX-License-Identifier: GPL-2.0
/*
 * What the host scheduler says about a thread: /proc/PID/task/TID/stat
 * (its state letter) and .../schedstat (run and wait nanoseconds). Pure
 * parsers, no daemon state, for the unit tests and the fuzzer.
 */
#include <errno.h>
#include <string.h>

#include "pvhostd.h"

/**
 * pvhostd_stat_state - the state letter of a /proc/.../stat line
 * @text: the file's bytes, not NUL-terminated
 * @len: their number
 * @state: the letter (R, S, D, T, t, X, Z, P, I)
 *
 * The second field, (comm), may hold spaces and parentheses: the state is
 * the first field after the last ')'.
 * Return: 0 or -EINVAL
 */
int pvhostd_stat_state(const char *text, size_t len, char *state)
{
	const char *p = NULL;
	size_t i, rest;

	for (i = 0; i < len; i++)
		if (text[i] == ')')
			p = text + i;
	if (!p)
		return -EINVAL;
	rest = len - (size_t)(p - text);	/* ") X ..." */
	if (rest < 3 || p[1] != ' ' || !p[2] || !strchr("RSDTtXZPI", p[2]))
		return -EINVAL;
	if (rest > 3 && p[3] != ' ' && p[3] != '\n')
		return -EINVAL;
	*state = p[2];
	return 0;
}

static int parse_u64(const char **pp, const char *end, u64 *out)
{
	const char *p = *pp;
	u64 v = 0;

	if (p >= end || *p < '0' || *p > '9')
		return -EINVAL;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - (u64)(*p - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (u64)(*p - '0');
	}
	*pp = p;
	*out = v;
	return 0;
}

/**
 * pvhostd_schedstat_parse - parse /proc/.../schedstat
 * @text: the file's bytes, not NUL-terminated
 * @len: their number
 * @s: run_ns (se.sum_exec_runtime), wait_ns (sched_info.run_delay) and
 *	slices (sched_info.pcount)
 *
 * The format is "%llu %llu %lu\n" (fs/proc/base.c); anything else is
 * rejected.
 * Return: 0 or -EINVAL, -ERANGE
 */
int pvhostd_schedstat_parse(const char *text, size_t len,
			    struct pvhostd_sched_sample *s)
{
	const char *p = text, *end = text + len;
	u64 v[3];
	int i, ret;

	for (i = 0; i < 3; i++) {
		if (i) {
			if (p >= end || *p != ' ')
				return -EINVAL;
			p++;
		}
		ret = parse_u64(&p, end, &v[i]);
		if (ret)
			return ret;
	}
	if (p < end && *p == '\n')
		p++;
	if (p != end)
		return -EINVAL;
	s->run_ns = v[0];
	s->wait_ns = v[1];
	s->slices = v[2];
	return 0;
}

/**
 * pvhostd_preempted - was a vCPU thread kept off the CPU over a period
 * @state: its state letter now
 * @prev: its schedstat at the start of the period
 * @now: its schedstat now
 *
 * Preempted: runnable (R) now, and no run time, wait time or slice was
 * credited over the period. kernel/sched/stats.h credits run_delay and
 * pcount only when a waiting task gets a CPU (sched_info_arrive()), and
 * sum_exec_runtime grows at every scheduler tick while the task runs and
 * when it leaves the CPU (update_curr()). So a task that ran at all in a
 * period longer than one host tick shows growth, and one that shows none
 * while runnable spent the whole period waiting on a runqueue. A sleeping
 * (halted) vCPU is S, never preempted. Counters that go backwards (a new
 * thread under the same id) are not a preemption.
 * Return: true if preempted
 */
bool pvhostd_preempted(char state, const struct pvhostd_sched_sample *prev,
		       const struct pvhostd_sched_sample *now)
{
	if (state != 'R')
		return false;
	return now->run_ns == prev->run_ns && now->wait_ns == prev->wait_ns &&
	       now->slices == prev->slices;
}

/**
 * pvhostd_boost_decide - what to do with a vCPU's boost request this tick
 * @p: the policy
 * @b: the vCPU's boost state, updated
 * @boost: the guest's boost field, as read once
 * @seq: the guest's boost_seq, as read once
 * @now_ms: CLOCK_MONOTONIC
 *
 * A boost lasts until the guest clears it or for p->max_ms, whichever
 * comes first. After a boost held for t ms, requests are refused for
 * p->cooldown_x * t ms, so that a guest asking all the time gets its
 * thread boosted at most 1 / (1 + cooldown_x) of the time. A request is
 * a new boost_seq with boost == 1; one refused is not retried. A boost
 * value other than 0 or 1 counts as 0 (and the caller counts it).
 * Return: PVHOSTD_BOOST_*
 */
enum pvhostd_boost_action
pvhostd_boost_decide(const struct pvhostd_boost_policy *p,
		     struct pvhostd_boost_state *b, u32 boost, u32 seq,
		     u64 now_ms)
{
	bool fresh = seq != b->seq_seen;

	b->seq_seen = seq;
	if (b->boosted) {
		if (boost == 1 && now_ms < b->since_ms + p->max_ms)
			return PVHOSTD_BOOST_NONE;
		b->boosted = false;
		b->cooldown_until_ms = now_ms +
				       (now_ms - b->since_ms) * p->cooldown_x;
		return PVHOSTD_BOOST_REVERT;
	}
	if (boost != 1 || !fresh)
		return PVHOSTD_BOOST_NONE;
	if (now_ms < b->cooldown_until_ms)
		return PVHOSTD_BOOST_REFUSE;
	b->boosted = true;
	b->since_ms = now_ms;
	return PVHOSTD_BOOST_APPLY;
}

/**
 * pvhostd_hint_valid - is a lock_hint read from the guest one it may write
 * @raw: the value, read once
 *
 * 0 is "no lock", 1..PVHOSTD_HINT_MAX a nesting depth (a guest writes 1);
 * anything above is garbage, taken as 0 and counted by the caller.
 * Return: true if valid
 */
bool pvhostd_hint_valid(u32 raw)
{
	return raw <= PVHOSTD_HINT_MAX;
}

/**
 * pvhostd_hint_decide - what to do with a vCPU's lock hint this tick
 * @p: the policy
 * @h: the vCPU's hint state, updated
 * @hint: the guest's lock_hint as read once, 0 if it was above
 *	PVHOSTD_HINT_MAX (the caller counts that)
 * @now_ms: CLOCK_MONOTONIC
 *
 * While the hint is set the thread's priority is raised (or kept raised),
 * for at most p->max_ms; it is restored when the hint clears or the limit
 * is reached. After a raise held for t ms the hint is refused for
 * p->cooldown_x * t ms, so a guest that holds it all the time has its
 * thread raised at most 1 / (1 + cooldown_x) of the time. With p->max_ms
 * 0 the hint is only observed.
 * Return: PVHOSTD_HINT_*
 */
enum pvhostd_hint_action
pvhostd_hint_decide(const struct pvhostd_hint_policy *p,
		    struct pvhostd_hint_state *h, u32 hint, u64 now_ms)
{
	if (h->raised) {
		if (hint && now_ms < h->since_ms + p->max_ms)
			return PVHOSTD_HINT_KEEP;
		h->raised = false;
		h->cooldown_until_ms = now_ms +
				       (now_ms - h->since_ms) * p->cooldown_x;
		return PVHOSTD_HINT_RESTORE;
	}
	if (!hint)
		return PVHOSTD_HINT_NONE;
	if (!p->max_ms)
		return PVHOSTD_HINT_OBSERVE;
	if (now_ms < h->cooldown_until_ms)
		return PVHOSTD_HINT_REFUSE;
	h->raised = true;
	h->since_ms = now_ms;
	return PVHOSTD_HINT_RAISE;
}

/**
 * pvhostd_boost_nice - the nice value a boosted thread gets
 * @orig: its nice value before
 * Return: PVHOSTD_BOOST_STEP lower, at least -20
 */
int pvhostd_boost_nice(int orig)
{
	return orig - PVHOSTD_BOOST_STEP < -20 ? -20 : orig - PVHOSTD_BOOST_STEP;
}

/**
 * pvhostd_vcpu_comm_parse - the vCPU index in a QEMU thread's name
 * @comm: /proc/PID/task/TID/comm: "CPU 3/KVM", "CPU 3/TCG" (QEMU names its
 *	vCPU threads so with -name ...,debug-threads=on, as libvirt starts it)
 * @len: its length; one trailing newline is allowed
 * @idx: out, below PVHOST_MAX_VCPUS
 * Return: 0, or -EINVAL for any other thread
 */
int pvhostd_vcpu_comm_parse(const char *comm, size_t len, u32 *idx)
{
	size_t i = 4;
	u32 v = 0;

	if (len && comm[len - 1] == '\n')
		len--;
	if (len < 7 || memcmp(comm, "CPU ", 4))
		return -EINVAL;
	/* Decimal without leading zeros, then "/" and an accelerator name. */
	if (comm[i] < '0' || comm[i] > '9' || (comm[i] == '0' && comm[i + 1] != '/'))
		return -EINVAL;
	for (; i < len && comm[i] >= '0' && comm[i] <= '9'; i++) {
		v = v * 10 + (u32)(comm[i] - '0');
		if (v >= PVHOST_MAX_VCPUS)
			return -EINVAL;
	}
	if (i + 1 >= len || comm[i] != '/')
		return -EINVAL;
	for (i++; i < len; i++)
		if (!((comm[i] >= 'A' && comm[i] <= 'Z') ||
		      (comm[i] >= 'a' && comm[i] <= 'z') ||
		      (comm[i] >= '0' && comm[i] <= '9')))
			return -EINVAL;
	*idx = v;
	return 0;
}

/**
 * pvhostd_stat_starttime - when a thread started, from its stat line
 * @text: /proc/PID/task/TID/stat
 * @len: its length
 * @start: out, field 22 (clock ticks after boot)
 *
 * A thread id can be reused once its thread is gone; the start time tells
 * the new thread from the old one.
 * Return: 0, or -EINVAL
 */
int pvhostd_stat_starttime(const char *text, size_t len, u64 *start)
{
	const char *p = NULL, *end = text + len;
	int field = 2;
	size_t i;
	u64 v;

	for (i = 0; i < len; i++)
		if (text[i] == ')')
			p = text + i + 1;
	if (!p)
		return -EINVAL;
	/* Fields 3.. follow ") ", one space apart. */
	while (p < end && field < 22) {
		if (*p != ' ')
			return -EINVAL;
		p++;
		field++;
		if (field == 22)
			break;
		while (p < end && *p != ' ' && *p != '\n')
			p++;
	}
	if (field != 22 || parse_u64(&p, end, &v) ||
	    (p < end && *p != ' ' && *p != '\n'))
		return -EINVAL;
	*start = v;
	return 0;
}
