// SPDX-License-Identifier: GPL-2.0
/*
 * Control socket, server side: each connection sends one command line and
 * gets one reply ("ok ..." or "error: ..."), then is closed. Clients are
 * non-blocking and few; a full table or an overlong line is refused
 * rather than waited on.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"

#define REPLY_MAX	65536	/* vcpu status of 256 vCPUs */

/* 1 in pvhostd-test: fault injection (see pvhostd_ctl_is_fault()). */
#ifndef PVHOSTD_FAULTS
#define PVHOSTD_FAULTS	0
#endif

struct reply {
	char buf[REPLY_MAX];
	size_t len;
};

static void __printf(2, 3)
say(struct reply *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->len >= sizeof(r->buf))
		return;
	va_start(ap, fmt);
	n = vsnprintf(r->buf + r->len, sizeof(r->buf) - r->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		r->len += (size_t)n;
	if (r->len > sizeof(r->buf) - 1)
		r->len = sizeof(r->buf) - 1;
}

static void say_vectors(struct reply *r, const char *name, const u64 *v)
{
	say(r, "%s=%llu,%llu,%llu,%llu,%llu\n", name,
	    (unsigned long long)v[0], (unsigned long long)v[1],
	    (unsigned long long)v[2], (unsigned long long)v[3],
	    (unsigned long long)v[4]);
}

/* The daemon's descriptors now, this reply's connection included. */
static int open_fds(void)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!dir)
		return -1;
	while ((e = readdir(dir)))
		n += e->d_name[0] != '.';
	closedir(dir);
	return n - 1;	/* the directory's own */
}

static void say_session(struct pvhostd *d, struct reply *r)
{
	struct pvhostd_session *s = &d->s;

	if (s->sock < 0) {
		say(r, "peer=none\n");
		return;
	}
	say(r, "peer=%d\nhost_peer=%d\nregion_size=%u\nnr_vcpus=%u\n",
	    PVHOSTD_GUEST_PEER, PVHOSTD_HOST_PEER, s->lay.region_size,
	    s->lay.nr_vcpus);
	say(r, "entropy_bytes=%llu\nentropy_fills=%llu\nentropy_broken=%llu\nentropy_errors=%llu\n",
	    (unsigned long long)s->ent.bytes,
	    (unsigned long long)s->ent.fills,
	    (unsigned long long)s->ent.broken,
	    (unsigned long long)s->ent.errors);
	say(r, "mailbox_answered=%llu\nmailbox_errors=%llu\nmailbox_quiet=%llu\n",
	    (unsigned long long)s->mbox.answered,
	    (unsigned long long)s->mbox.errors,
	    (unsigned long long)s->mbox.quiet);
	say_vectors(r, "doorbells", s->doorbells);
	say_vectors(r, "services", s->services);
	say_vectors(r, "throttled", s->throttled);
	say_vectors(r, "irqs", s->irqs);
}

static void say_status(struct pvhostd *d, struct reply *r)
{
	u64 f = pvhostd_vcpu_features(d) | pvhostd_numa_features(d);

	say(r, "ok\nfeatures=0x%llx pressure,entropy,mailbox,clock,clock_pairing%s%s\n",
	    (unsigned long long)f,
	    f & PVHOST_F_PREEMPTED ? ",preempted,boost,lock_hint" : "",
	    f & PVHOST_F_NUMA_HINT ? ",numa_hint,numa_topo" : "");
	say(r, "generation=%u\nstate=%s\n", d->generation,
	    d->s.sock >= 0 ? "ready" : "waiting");
	say_session(d, r);
	say(r, "pressure_level=%u\npressure_source=%s\n", d->level,
	    d->pressure_forced ? "command" : "auto");
	say(r, "psi_some_avg10=%u\npsi_full_avg10=%u\nmem_available_permille=%u\n",
	    d->sample.psi_some, d->sample.psi_full, d->sample.avail_permille);
	say(r, "pressure_inputs=%s\n", !d->sample_ok ? "none" :
	    d->sample.psi ? "psi,meminfo" : "meminfo");
	say(r, "pressure_changes=%llu\nentropy_fault=%s\n",
	    (unsigned long long)d->pressure_changes,
	    pvhostd_entropy_fault_name(d->fault));
	say(r, "hostile=%s\nhostile_changes=%llu\n",
	    pvhostd_hostile_name(d->hostile),
	    (unsigned long long)d->hostile_changes);
	say(r, "hostile_ticks=%llu\nhostile_answers=%llu\nhostile_floods=%llu\n",
	    (unsigned long long)d->hostile_ticks,
	    (unsigned long long)d->hostile_answers,
	    (unsigned long long)d->hostile_floods);
	say(r, "sessions=%llu\nrefused=%llu\nguest_bytes_ignored=%llu\nctl_errors=%llu\n",
	    (unsigned long long)d->sessions, (unsigned long long)d->refused,
	    (unsigned long long)d->guest_bytes_ignored,
	    (unsigned long long)d->ctl_errors);
	say(r, "peers_refused=%llu\nfault_injection=%s\n",
	    (unsigned long long)d->peers_refused,
	    PVHOSTD_FAULTS ? "built-in" : "absent");
	say(r, "fd_store=%s\nadopted=%llu\nadopt_refused=%llu\n",
	    d->fdstore ? "yes" : "no", (unsigned long long)d->adopted,
	    (unsigned long long)d->adopt_refused);
	say(r, "open_fds=%d\n", open_fds());
	say(r, "state_writes=%llu\nstate_errors=%llu\nthreads_restored=%llu\n",
	    (unsigned long long)d->state_writes,
	    (unsigned long long)d->state_errors,
	    (unsigned long long)d->restored);
}

static void say_clock(struct pvhostd *d, struct reply *r)
{
	const struct pvhostd_clock *c = &d->s.clock;

	say(r, "ok\n");
	if (d->s.sock < 0) {
		say(r, "peer=none\n");
		return;
	}
	say(r, "clock_epoch=%u\nclock_version=%u\nclock_published=%d\n",
	    c->epoch, c->version, c->published);
	say(r, "tsc_timestamp=%llu\nsystem_time=%llu\n",
	    (unsigned long long)c->rec.tsc_timestamp,
	    (unsigned long long)c->rec.system_time);
	say(r, "tsc_to_system_mul=%u\ntsc_shift=%d\nflags=%u\n",
	    c->rec.tsc_to_system_mul, c->rec.tsc_shift, c->rec.flags);
	say(r, "fitted=%d\ntsc_khz=%.3f\nfit_err_ns=%.0f\noffset_ns=%lld\n",
	    c->fitted, c->fitted ? 1e6 / c->fit_rate : 0.0, c->fit_err_ns,
	    (long long)c->offset_ns);
	say(r, "samples_in_fit=%u\nrequests=%llu\nsamples=%llu\nrejected=%llu\nresets=%llu\n",
	    c->nr, (unsigned long long)c->requests,
	    (unsigned long long)c->samples, (unsigned long long)c->rejected,
	    (unsigned long long)c->resets);
	say(r, "fits=%llu\nfit_failures=%llu\nsimulated=%llu\nsim_pending=%d\nsim_ppm=%d\n",
	    (unsigned long long)c->fits, (unsigned long long)c->fit_failures,
	    (unsigned long long)c->simulated, c->sim_pending, c->sim_ppm);
	say(r, "pairing_version=%u\npairings=%llu\n", c->pairing_version,
	    (unsigned long long)c->pairings);
	say(r, "implausible=%llu\nlies=%llu\n",
	    (unsigned long long)c->implausible, (unsigned long long)c->lies);
}

static void say_line(void *r, const char *line)
{
	say(r, "%s", line);
}

/* pvhostd's own CPU time, user and system, for its cost at idle. */
static unsigned long long cpu_us(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return 0;
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000ULL +
	       ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

static void say_vcpus(struct pvhostd *d, struct reply *r)
{
	const struct pvhostd_qmp_client *q = &d->qmp;
	const struct pvhostd_session *s = &d->s;
	u32 i, n;

	say(r, "ok\nqmp=%s\nqmp_error=%s\n", pvhostd_qmp_state_name(q->state),
	    q->error[0] ? q->error : "none");
	say(r, "qmp_connects=%llu\nqmp_failures=%llu\nqmp_queries=%llu\nqmp_events=%llu\n",
	    (unsigned long long)q->connects, (unsigned long long)q->failures,
	    (unsigned long long)q->queries, (unsigned long long)q->events);
	say(r, "timer_ms=%u\ntimer_wakeups=%llu\n", d->vcpu_timer_ms,
	    (unsigned long long)d->vcpu_wakeups);
	say(r, "threads_gone=%llu\n", (unsigned long long)d->threads_gone);
	say(r, "threads=%s\nnames_scans=%llu\nnames_changes=%llu\n",
	    d->opt.vcpu_names ? (d->names_known ? "names" : "names-pending") :
	    d->opt.qmp_path ? "qmp" : "none",
	    (unsigned long long)d->names_scans,
	    (unsigned long long)d->names_changes);
	if (s->sock < 0) {
		say(r, "peer=none\n");
		return;
	}
	n = s->lay.nr_vcpus > s->qmp_vcpus ? s->lay.nr_vcpus : s->qmp_vcpus;
	say(r, "qemu_pid=%d\nvcpus=%u\nrecords=%u\n", (int)s->qemu_pid,
	    s->qmp_vcpus, s->lay.nr_vcpus);
	say(r, "cpu_us=%llu\n", cpu_us());
	say(r, "vcpu_ticks=%llu\npoll_ms=%u\nboost_max_ms=%u\nboost_error=%s\n",
	    (unsigned long long)d->vcpu_ticks, d->opt.vcpu_poll_ms,
	    d->opt.boost.max_ms, d->boost_errno ? strerror(d->boost_errno) : "none");
	say(r, "lock_hint_max_ms=%u\n", d->opt.hint.max_ms);
	for (i = 0; i < n; i++) {
		const struct pvhostd_vcpu_host *h = &s->vh[i];
		int nice = 0;

		/* the thread's nice now; its own before our boost */
		if (pvhostd_vcpu_nice(d, i, &nice))
			nice = 0;

		say(r, "vcpu=%u tid=%d state=%c preempted=%u preempt_seq=%u",
		    i, (int)pvhostd_vcpu_tid(d, i), pvhostd_vcpu_thread_state(d, i),
		    h->preempted, h->preempt_seq);
		say(r, " preempted_ticks=%llu samples=%llu boosted=%d nice=%d",
		    (unsigned long long)h->preempted_ticks,
		    (unsigned long long)h->samples, h->b.boosted, nice);
		say(r, " nice_orig=%d boost_ack=%u applied=%llu reverted=%llu",
		    h->b.boosted || h->boosts_applied ? h->nice_orig : nice,
		    h->boost_ack,
		    (unsigned long long)h->boosts_applied,
		    (unsigned long long)h->boosts_reverted);
		say(r, " refused=%llu errors=%llu invalid=%llu",
		    (unsigned long long)h->boosts_refused,
		    (unsigned long long)h->boost_errors,
		    (unsigned long long)h->boost_invalid);
		say(r, " hint_raised=%d lock_hint_seen=%u hint_samples=%llu hint_preempted=%llu",
		    h->hint.raised, h->hint_seen,
		    (unsigned long long)h->hint_samples,
		    (unsigned long long)h->hint_preempted);
		say(r, " hint_raises=%llu hint_restores=%llu hint_refused=%llu",
		    (unsigned long long)h->hint_raises,
		    (unsigned long long)h->hint_restores,
		    (unsigned long long)h->hint_refused);
		say(r, " hint_errors=%llu hint_invalid=%llu\n",
		    (unsigned long long)h->hint_errors,
		    (unsigned long long)h->hint_invalid);
	}
}

static void execute(struct pvhostd *d, const struct pvhostd_ctl_cmd *cmd,
		    struct reply *r)
{
	if (!PVHOSTD_FAULTS && pvhostd_ctl_is_fault(cmd->op)) {
		d->ctl_errors++;
		say(r, "error: fault injection is in the test build (pvhostd-test) only\n");
		return;
	}
	switch (cmd->op) {
	case PVHOSTD_CTL_STATUS:
		say_status(d, r);
		return;
	case PVHOSTD_CTL_PRESSURE_SET:
		d->pressure_forced = true;
		d->forced_level = cmd->level;
		pvhostd_pressure_update(d, false);
		say(r, "ok pressure level %u source command\n", cmd->level);
		return;
	case PVHOSTD_CTL_PRESSURE_AUTO:
		d->pressure_forced = false;
		pvhostd_pressure_update(d, true);
		say(r, "ok pressure level %u source auto\n", d->level);
		return;
	case PVHOSTD_CTL_ENTROPY_FAULT:
		d->fault = cmd->fault;
		if (d->s.sock >= 0)
			pvhostd_entropy_set_fault(&d->s.ent, cmd->fault);
		say(r, "ok entropy fault %s\n",
		    pvhostd_entropy_fault_name(cmd->fault));
		return;
	case PVHOSTD_CTL_CLOCK_STATUS:
		say_clock(d, r);
		return;
	case PVHOSTD_CTL_CLOCK_RATE:
		if (d->s.sock < 0) {
			d->ctl_errors++;
			say(r, "error: no guest connected\n");
			return;
		}
		pvhostd_clock_simulate(&d->s.clock, cmd->ppm);
		/* The guest calibrates within its base period, not its longest. */
		pvhostd_session_raise(d, PVHOST_VEC_CLOCK);
		say(r, "ok clock rate %+d ppm at the next calibration, epoch %u\n",
		    cmd->ppm, d->s.clock.epoch);
		return;
	case PVHOSTD_CTL_VCPU_STATUS:
		say_vcpus(d, r);
		return;
	case PVHOSTD_CTL_HOSTILE:
		pvhostd_hostile_set(d, cmd->hostile);
		say(r, "ok hostile %s generation %u\n",
		    pvhostd_hostile_name(cmd->hostile), d->generation);
		return;
	case PVHOSTD_CTL_NUMA_STATUS:
		say(r, "ok\n");
		pvhostd_numa_say_status(d, say_line, r);
		return;
	case PVHOSTD_CTL_NUMA_HINTS:
		say(r, "ok\n");
		pvhostd_numa_say_hints(d, say_line, r);
		return;
	case PVHOSTD_CTL_NUMA_POLICY:
		d->numa_deny = cmd->deny;
		d->s.numa.deny = cmd->deny;
		say(r, "ok numa policy %s\n", cmd->deny ? "deny" : "allow");
		return;
	case PVHOSTD_CTL_VCPU_HINT_MAX:
		/* a raise now past the new limit is restored at the next sample */
		d->opt.hint.max_ms = cmd->hint_max_ms;
		pvhostd_log("lock hint limit set to %u ms by command",
			    cmd->hint_max_ms);
		say(r, "ok vcpu lock-hint-max %u\n", cmd->hint_max_ms);
		return;
	}
}

static void client_close(struct pvhostd *d, struct pvhostd_ctl_client *c)
{
	epoll_ctl(d->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
	c->len = 0;
}

static void client_answer(struct pvhostd *d, struct pvhostd_ctl_client *c)
{
	struct pvhostd_ctl_cmd cmd;
	struct reply r = { .len = 0 };
	const char *err = "malformed command";

	if (pvhostd_ctl_parse(c->buf, c->len, &cmd, &err)) {
		d->ctl_errors++;
		say(&r, "error: %s\n", err);
	} else {
		execute(d, &cmd, &r);
	}
	/* the reply fits an empty socket buffer; a client that cannot take it loses it */
	if (send(c->fd, r.buf, r.len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		d->ctl_errors++;
	client_close(d, c);
}

/**
 * pvhostd_ctl_accept - a control client connected
 * @d: the daemon
 */
void pvhostd_ctl_accept(struct pvhostd *d)
{
	int fd = accept4(d->ctl_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	struct ucred cred;
	u32 i;

	if (fd < 0)
		return;
	if (pvhostd_peer_check(fd, &d->opt.ctl_perm, &cred)) {
		pvhostd_peer_refused(d, "control", &cred);
		close(fd);
		return;
	}
	for (i = 0; i < PVHOSTD_CTL_CLIENTS; i++) {
		if (d->ctl[i].fd < 0) {
			d->ctl[i].fd = fd;
			d->ctl[i].len = 0;
			d->ctl[i].since = pvhostd_now_ns(CLOCK_MONOTONIC);
			if (pvhostd_epoll_add(d, fd, TAG_CTL_CLIENT, i))
				client_close(d, &d->ctl[i]);
			return;
		}
	}
	send(fd, "error: busy\n", 12, MSG_DONTWAIT | MSG_NOSIGNAL);
	d->ctl_errors++;
	close(fd);
}

/**
 * pvhostd_ctl_input - bytes (or end of file) from a control client
 * @d: the daemon
 * @idx: its slot
 *
 * The command is complete at a newline, at end of file, or when the line
 * is longer than any command (then the parser rejects it).
 */
void pvhostd_ctl_input(struct pvhostd *d, u32 idx)
{
	struct pvhostd_ctl_client *c;
	ssize_t n;

	if (idx >= PVHOSTD_CTL_CLIENTS || d->ctl[idx].fd < 0)
		return;
	c = &d->ctl[idx];
	n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0 || (n == 0 && c->len == 0)) {
		client_close(d, c);
		return;
	}
	c->len += (size_t)n;
	if (n == 0 || memchr(c->buf, '\n', c->len) ||
	    c->len == sizeof(c->buf)) {
		char *nl = memchr(c->buf, '\n', c->len);

		if (nl)
			c->len = (size_t)(nl - c->buf) + 1;
		client_answer(d, c);
	}
}

/**
 * pvhostd_ctl_close_all - drop every control client
 * @d: the daemon
 */
void pvhostd_ctl_close_all(struct pvhostd *d)
{
	u32 i;

	for (i = 0; i < PVHOSTD_CTL_CLIENTS; i++)
		if (d->ctl[i].fd >= 0)
			client_close(d, &d->ctl[i]);
}

/**
 * pvhostd_ctl_expire - drop control clients that never finished a line
 * @d: the daemon
 *
 * Called from the periodic tick, so that silent clients cannot hold every
 * slot.
 */
void pvhostd_ctl_expire(struct pvhostd *d)
{
	u64 now = pvhostd_now_ns(CLOCK_MONOTONIC);
	u32 i;

	for (i = 0; i < PVHOSTD_CTL_CLIENTS; i++) {
		if (d->ctl[i].fd >= 0 &&
		    now - d->ctl[i].since > PVHOSTD_CTL_TIMEOUT_NS) {
			d->ctl_errors++;
			client_close(d, &d->ctl[i]);
		}
	}
}
