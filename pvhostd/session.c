// SPDX-License-Identifier: GPL-2.0
/*
 * One guest session: a QEMU process connected on the guest socket, with a
 * fresh region and fresh eventfds of its own. Only one at a time per
 * socket; a second client is refused. When the client goes away the region
 * is marked STOPPING and dropped, so nothing of one guest leaks into the
 * next.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"

/*
 * The generation, on disk before the region shows it: written to a
 * temporary file, synced, renamed over the old one, and the directory
 * synced, so that a crash leaves the old number or the new one, never an
 * empty file (a daemon restarted on it would reuse a generation).
 */
static void generation_save(struct pvhostd *d)
{
	char tmp[4096], dir[4096];
	int fd, ok;
	FILE *f;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", d->opt.gen_path) >=
	    (int)sizeof(tmp))
		return;
	f = fopen(tmp, "we");
	if (!f) {
		pvhostd_log("cannot save generation to %s: %s", tmp,
			    strerror(errno));
		return;
	}
	ok = fprintf(f, "%u\n", d->generation) > 0 && !fflush(f) &&
	     !fsync(fileno(f));
	if (fclose(f) || !ok) {
		pvhostd_log("cannot save generation to %s: %s", tmp,
			    strerror(errno));
		unlink(tmp);
		return;
	}
	if (rename(tmp, d->opt.gen_path)) {
		pvhostd_log("cannot save generation: %s", strerror(errno));
		unlink(tmp);
		return;
	}
	snprintf(dir, sizeof(dir), "%s", d->opt.gen_path);
	fd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

static void close_fd(struct pvhostd *d, int *fd)
{
	if (*fd < 0)
		return;
	/* QEMU shares these files: closing ours would not unregister them */
	epoll_ctl(d->epfd, EPOLL_CTL_DEL, *fd, NULL);
	close(*fd);
	*fd = -1;
}

static void session_reset(struct pvhostd_session *s)
{
	int vec;

	memset(s, 0, sizeof(*s));
	s->sock = -1;
	s->shm_fd = -1;
	for (vec = 0; vec < PVHOST_NR_VECTORS; vec++) {
		s->host_efd[vec] = -1;
		s->guest_efd[vec] = -1;
	}
}

/* Fire when the first pending vector has a token (0: disarm). */
static void throttle_arm(struct pvhostd *d, u64 ns)
{
	struct itimerspec its = {
		.it_value = { (time_t)(ns / 1000000000ULL),
			      (long)(ns % 1000000000ULL) },
	};

	if (d->throttle_fd >= 0)
		timerfd_settime(d->throttle_fd, 0, &its, NULL);
}

static void session_free(struct pvhostd *d)
{
	struct pvhostd_session *s = &d->s;
	int vec;

	pvhostd_vcpu_stop(d);
	pvhostd_restart_give_back(d);
	pvhostd_restart_forget(d);
	pvhostd_numa_close(d);
	throttle_arm(d, 0);
	if (s->base) {
		pvhostd_region_set_state(s->base, PVHOST_STATE_STOPPING);
		munmap(s->base, s->lay.region_size);
	}
	close_fd(d, &s->sock);
	close_fd(d, &s->shm_fd);
	for (vec = 0; vec < PVHOST_NR_VECTORS; vec++) {
		close_fd(d, &s->host_efd[vec]);
		close_fd(d, &s->guest_efd[vec]);
	}
	session_reset(s);
}

static int region_create(struct pvhostd *d)
{
	struct pvhostd_session *s = &d->s;
	int seals = F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL;

	if (pvhostd_layout_plan(d->opt.region_size, d->opt.nr_vcpus, &s->lay))
		return -EINVAL;
	s->shm_fd = memfd_create("pvhost", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (s->shm_fd < 0)
		return -errno;
	if (ftruncate(s->shm_fd, s->lay.region_size) ||
	    fcntl(s->shm_fd, F_ADD_SEALS, seals))
		return -errno;
	s->base = mmap(NULL, s->lay.region_size, PROT_READ | PROT_WRITE,
		       MAP_SHARED, s->shm_fd, 0);
	if (s->base == MAP_FAILED) {
		s->base = NULL;
		return -errno;
	}
	return 0;
}

/**
 * pvhostd_session_relayout - lay the region out (again) under a new generation
 * @d: the daemon
 * @lay: the layout; the session takes a copy
 *
 * The ring, the mailbox and the gauge start over at their (new) places.
 */
void pvhostd_session_relayout(struct pvhostd *d,
			      const struct pvhostd_layout *lay)
{
	struct pvhostd_session *s = &d->s;

	s->lay = *lay;
	/*
	 * every layout, the hostile mode's too, serves what --qmp and
	 * --memdev enable
	 */
	s->lay.features = pvhostd_vcpu_features(d) | pvhostd_numa_features(d);
	d->generation++;
	generation_save(d);
	s->generation = d->generation;
	pvhostd_layout_write(s->base, &s->lay, s->generation);
	pvhostd_entropy_init(&s->ent, pvhostd_at(s->base, s->lay.entropy_offset),
			     s->lay.entropy_size);
	pvhostd_entropy_set_fault(&s->ent, d->fault);
	pvhostd_entropy_fill(&s->ent);
	pvhostd_mailbox_init(&s->mbox,
			     pvhostd_at(s->base, s->lay.mailbox_offset));
	pvhostd_clock_init(&s->clock, s->base, &s->lay);
	s->mbox.clock = &s->clock;
	pvhostd_numa_start(d);
	pvhostd_pressure_update(d, true);
	/* the records were zeroed: the flags as they are, not as 0 */
	pvhostd_vcpu_republish(d);
}

static void region_populate(struct pvhostd *d)
{
	pvhostd_session_relayout(d, &d->s.lay);
}

static int eventfds_create(struct pvhostd *d)
{
	struct pvhostd_session *s = &d->s;
	int vec;

	for (vec = 0; vec < PVHOST_NR_VECTORS; vec++) {
		s->host_efd[vec] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		s->guest_efd[vec] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (s->host_efd[vec] < 0 || s->guest_efd[vec] < 0)
			return -errno;
		if (pvhostd_epoll_add(d, s->host_efd[vec], TAG_DOORBELL, vec))
			return -errno;
	}
	return 0;
}

/* What every session is served with, new or taken back. */
static void session_serve(struct pvhostd *d)
{
	struct pvhostd_session *s = &d->s;
	u32 vec;

	for (vec = 0; vec < PVHOST_NR_VECTORS; vec++)
		pvhostd_bucket_init(&s->budget[vec], d->opt.doorbell_rate,
				    d->opt.doorbell_rate / 10 > 16 ?
				    d->opt.doorbell_rate / 10 : 16,
				    pvhostd_now_ns(CLOCK_MONOTONIC));
	pvhostd_vcpu_start(d);
}

/* @cred: the peer's credentials, as pvhostd_peer_check() read them */
static int session_start(struct pvhostd *d, int sock,
			 const struct ucred *cred)
{
	struct pvhostd_session *s = &d->s;
	struct timeval tv = { .tv_sec = 2 };
	int ret;

	s->sock = sock;
	if (cred->pid > 0)
		s->qemu_pid = cred->pid;
	setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	ret = region_create(d);
	if (!ret)
		ret = eventfds_create(d);
	if (ret)
		return ret;
	region_populate(d);
	ret = pvhostd_ivshmem_greet(sock, s->shm_fd, s->host_efd, s->guest_efd);
	if (ret)
		return ret;
	if (fcntl(sock, F_SETFL, O_NONBLOCK) ||
	    pvhostd_epoll_add(d, sock, TAG_GUEST, 0))
		return -errno;
	session_serve(d);
	return 0;
}

/**
 * pvhostd_session_adopt - serve a session a previous daemon started
 * @d: the daemon, with no session
 * @fd: the session's descriptors by PVHOSTD_FD_* slot, checked against @st
 * @st: the previous daemon's state
 *
 * The region is laid out again under a new generation, as the guest
 * expects of a host that restarted. On failure the descriptors are the
 * caller's to close.
 * Return: 0 or a negative errno
 */
int pvhostd_session_adopt(struct pvhostd *d, const int *fd,
			  const struct pvhostd_state *st)
{
	struct pvhostd_session *s = &d->s;
	struct timeval tv = { .tv_sec = 2 };
	int ret = 0;
	u32 vec;

	if (pvhostd_layout_plan(st->region_size, st->nr_vcpus, &s->lay))
		return -EINVAL;
	s->base = mmap(NULL, s->lay.region_size, PROT_READ | PROT_WRITE,
		       MAP_SHARED, fd[PVHOSTD_FD_SHM], 0);
	if (s->base == MAP_FAILED) {
		ret = -errno;
		goto reset;
	}
	setsockopt(fd[PVHOSTD_FD_SOCK], SOL_SOCKET, SO_SNDTIMEO, &tv,
		   sizeof(tv));
	for (vec = 0; vec < PVHOST_NR_VECTORS && !ret; vec++)
		if (pvhostd_epoll_add(d, fd[PVHOSTD_FD_HOST0 + vec],
				      TAG_DOORBELL, vec))
			ret = -errno;
	if (!ret && (fcntl(fd[PVHOSTD_FD_SOCK], F_SETFL, O_NONBLOCK) ||
		     pvhostd_epoll_add(d, fd[PVHOSTD_FD_SOCK], TAG_GUEST, 0)))
		ret = -errno;
	if (ret) {
		munmap(s->base, s->lay.region_size);
		goto reset;	/* closing them unregisters them */
	}
	s->sock = fd[PVHOSTD_FD_SOCK];
	s->shm_fd = fd[PVHOSTD_FD_SHM];
	for (vec = 0; vec < PVHOST_NR_VECTORS; vec++) {
		s->host_efd[vec] = fd[PVHOSTD_FD_HOST0 + vec];
		s->guest_efd[vec] = fd[PVHOSTD_FD_GUEST0 + vec];
	}
	s->qemu_pid = st->qemu_pid;
	/* never a generation the guest has seen */
	if (st->generation > d->generation)
		d->generation = st->generation;
	d->pending = malloc(sizeof(*d->pending));
	if (d->pending)
		*d->pending = *st;
	else
		pvhostd_log("vCPU threads' own nice and affinity forgotten: %s",
			    strerror(ENOMEM));
	region_populate(d);
	session_serve(d);
	d->sessions++;
	pvhostd_log("guest taken back: peer %d, QEMU pid %d, generation %u, region %u bytes",
		    PVHOSTD_GUEST_PEER, (int)s->qemu_pid, s->generation,
		    s->lay.region_size);
	return 0;
reset:
	session_reset(s);
	return ret;
}

/**
 * pvhostd_session_accept - a client connected on the guest socket
 * @d: the daemon
 *
 * Refuses (closes) it while another guest is connected.
 */
void pvhostd_session_accept(struct pvhostd *d)
{
	int sock = accept4(d->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	struct ucred cred;
	int ret;

	if (sock < 0)
		return;
	if (pvhostd_peer_check(sock, &d->opt.sock_perm, &cred)) {
		pvhostd_peer_refused(d, "guest", &cred);
		close(sock);
		return;
	}
	if (d->s.sock >= 0 || d->stopping) {
		d->refused++;
		pvhostd_log("refused a second client: guest peer %d is connected",
			    PVHOSTD_GUEST_PEER);
		pvhostd_ivshmem_refuse(sock);
		close(sock);
		return;
	}
	ret = session_start(d, sock, &cred);
	if (ret) {
		pvhostd_log("guest session failed to start: %s", strerror(-ret));
		session_free(d);
		return;
	}
	d->sessions++;
	pvhostd_log("guest connected: peer %d, generation %u, region %u bytes",
		    PVHOSTD_GUEST_PEER, d->s.generation, d->s.lay.region_size);
	pvhostd_restart_stored(d);
}

/**
 * pvhostd_session_end - drop the guest and its region
 * @d: the daemon
 * @why: for the log
 */
void pvhostd_session_end(struct pvhostd *d, const char *why)
{
	if (d->s.sock < 0)
		return;
	pvhostd_log("guest peer %d gone (%s), generation %u released",
		    PVHOSTD_GUEST_PEER, why, d->s.generation);
	session_free(d);
}

/**
 * pvhostd_session_guest_input - QEMU wrote to its socket, or closed it
 * @d: the daemon
 *
 * The protocol has nothing for a client to say: bytes are discarded and
 * counted; end of file or an error ends the session.
 */
void pvhostd_session_guest_input(struct pvhostd *d)
{
	char buf[256];
	ssize_t n = recv(d->s.sock, buf, sizeof(buf), MSG_DONTWAIT);

	if (n > 0) {
		d->guest_bytes_ignored += n;
		return;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	pvhostd_session_end(d, n ? strerror(errno) : "disconnected");
}

/**
 * pvhostd_session_raise - interrupt the guest on a vector
 * @d: the daemon
 * @vec: PVHOST_VEC_*
 */
void pvhostd_session_raise(struct pvhostd *d, u32 vec)
{
	u64 one = 1;

	if (d->s.sock < 0 || vec >= PVHOST_NR_VECTORS)
		return;
	/* EAGAIN means the counter is saturated: the guest is told already */
	if (write(d->s.guest_efd[vec], &one, sizeof(one)) == sizeof(one))
		d->s.irqs[vec]++;
}

static void serve_mailbox(struct pvhostd *d)
{
	u64 now = pvhostd_now_ns(CLOCK_MONOTONIC_RAW);

	if (pvhostd_hostile_serve(d, PVHOSTD_PART_MAILBOX))
		return;
	if (pvhostd_mailbox_serve(&d->s.mbox, now))
		pvhostd_session_raise(d, PVHOST_VEC_MAILBOX);
	if (pvhostd_clock_take_changed(&d->s.clock)) {
		pvhostd_clock_refresh(d);
		pvhostd_session_raise(d, PVHOST_VEC_CLOCK);
	}
}

/**
 * pvhostd_clock_refresh - publish host CLOCK_REALTIME with the guest TSC
 * @d: the daemon
 *
 * CLOCK_REALTIME is read between two CLOCK_MONOTONIC_RAW reads and paired
 * with their midpoint.
 */
void pvhostd_clock_refresh(struct pvhostd *d)
{
	struct timespec rt;
	u64 r1, r2;

	if (d->s.sock < 0)
		return;
	r1 = pvhostd_now_ns(CLOCK_MONOTONIC_RAW);
	clock_gettime(CLOCK_REALTIME, &rt);
	r2 = pvhostd_now_ns(CLOCK_MONOTONIC_RAW);
	pvhostd_clock_pairing_update(&d->s.clock, r1 + (r2 - r1) / 2,
				     rt.tv_sec, rt.tv_nsec);
}

static void serve_entropy(struct pvhostd *d)
{
	u64 errors = d->s.ent.errors;
	u32 done;
	int err;

	if (pvhostd_hostile_serve(d, PVHOSTD_PART_ENTROPY))
		return;
	done = pvhostd_entropy_fill(&d->s.ent);
	err = errno;
	if (done)
		pvhostd_session_raise(d, PVHOST_VEC_ENTROPY);
	/* the first failure, then at each power of two: a bounded log */
	if (d->s.ent.errors != errors && !(d->s.ent.errors & (d->s.ent.errors - 1)))
		pvhostd_log("getrandom() failed (%s): entropy ring not refilled, %llu times",
			    strerror(err), (unsigned long long)d->s.ent.errors);
}

/**
 * pvhostd_session_doorbell - the guest rang one of our vectors
 * @d: the daemon
 * @vec: which
 *
 * Vectors of features not advertised are counted and otherwise ignored.
 */
static void serve(struct pvhostd *d, u32 vec)
{
	d->s.services[vec]++;
	if (vec == PVHOST_VEC_MAILBOX)
		serve_mailbox(d);
	else if (vec == PVHOST_VEC_ENTROPY)
		serve_entropy(d);
	else if (vec == PVHOST_VEC_NUMA)
		pvhostd_numa_serve_queue(d);
}

static void throttle_rearm(struct pvhostd *d, u64 now)
{
	u64 wait, first = 0;
	u32 vec;

	for (vec = 0; vec < PVHOST_NR_VECTORS; vec++) {
		if (!(d->s.pending & 1U << vec))
			continue;
		wait = pvhostd_bucket_wait_ns(&d->s.budget[vec], now) ?: 1;
		if (!first || wait < first)
			first = wait;
	}
	throttle_arm(d, first);
}

/**
 * pvhostd_session_doorbell - the guest rang a vector
 * @d: the daemon
 * @vec: the vector
 *
 * Rings coalesce: one service answers every ring read at once. A service
 * costs a token of the vector's budget; without one it waits for the
 * throttle timer (pvhostd_session_throttle()), the rings meanwhile adding
 * nothing to it.
 */
void pvhostd_session_doorbell(struct pvhostd *d, u32 vec)
{
	struct pvhostd_session *s = &d->s;
	u64 count, now;

	if (s->sock < 0 || vec >= PVHOST_NR_VECTORS)
		return;
	if (read(s->host_efd[vec], &count, sizeof(count)) != sizeof(count))
		return;
	s->doorbells[vec] += count;
	if (s->pending & 1U << vec)
		return;		/* its service is coming */
	now = pvhostd_now_ns(CLOCK_MONOTONIC);
	if (pvhostd_bucket_take(&s->budget[vec], now)) {
		serve(d, vec);
		return;
	}
	s->throttled[vec]++;
	s->pending |= 1U << vec;
	throttle_rearm(d, now);
	if (!d->throttle_log_ns || now - d->throttle_log_ns >= 10000000000ULL) {
		d->throttle_log_ns = now;
		pvhostd_log("guest rings vector %u over %u services a second: %s (%llu so far)",
			    vec, s->budget[vec].rate, "throttled",
			    (unsigned long long)s->throttled[vec]);
	}
}

/**
 * pvhostd_session_throttle - the throttle timer fired: serve what waited
 * @d: the daemon
 */
void pvhostd_session_throttle(struct pvhostd *d)
{
	struct pvhostd_session *s = &d->s;
	u64 ticks, now;
	u32 vec;

	if (read(d->throttle_fd, &ticks, sizeof(ticks)) != sizeof(ticks))
		return;
	if (s->sock < 0)
		return;
	now = pvhostd_now_ns(CLOCK_MONOTONIC);
	for (vec = 0; vec < PVHOST_NR_VECTORS; vec++) {
		if (!(s->pending & 1U << vec) ||
		    !pvhostd_bucket_take(&s->budget[vec], now))
			continue;
		s->pending &= ~(1U << vec);
		serve(d, vec);
		if (s->sock < 0)
			return;
	}
	throttle_rearm(d, now);
}

/*
 * Say once, and again at each change, when an input of the gauge is
 * missing: without PSI it follows MemAvailable alone; without meminfo it
 * holds its last level.
 */
static void pressure_log_inputs(struct pvhostd *d)
{
	int inputs = (d->sample.psi ? 1 : 0) | (d->sample_ok ? 2 : 0);

	if (inputs == d->pressure_inputs)
		return;
	if (!d->sample.psi)
		pvhostd_log("pressure: no memory PSI: the gauge follows MemAvailable only");
	if (!d->sample_ok)
		pvhostd_log("pressure: /proc/meminfo unreadable: the gauge holds its last level");
	if (inputs == 3 && d->pressure_inputs >= 0)
		pvhostd_log("pressure: PSI and MemAvailable read again");
	d->pressure_inputs = inputs;
}

/**
 * pvhostd_pressure_update - recompute and publish the gauge
 * @d: the daemon
 * @resample: read the host's PSI and meminfo again first
 *
 * The PRESSURE vector is raised when the level or its source changed.
 */
void pvhostd_pressure_update(struct pvhostd *d, bool resample)
{
	u32 source = d->pressure_forced ? 1 : 0;
	u32 level = d->level;
	bool changed;

	if (resample) {
		d->sample_ok = !pvhostd_pressure_sample_host(&d->sample);
		pressure_log_inputs(d);
	}
	if (d->pressure_forced)
		level = d->forced_level;
	else if (d->sample_ok)
		level = pvhostd_pressure_level(&d->opt.pcfg, &d->sample);
	changed = level != d->level || source != d->published_source;
	d->level = level;
	d->published_source = source;
	if (changed)
		d->pressure_changes++;
	if (d->s.sock < 0 || pvhostd_hostile_serve(d, PVHOSTD_PART_PRESSURE))
		return;
	pvhostd_pressure_publish(pvhostd_at(d->s.base, d->s.lay.pressure_offset),
				 level, &d->sample, source,
				 pvhostd_now_ns(CLOCK_MONOTONIC));
	if (changed)
		pvhostd_session_raise(d, PVHOST_VEC_PRESSURE);
}

/**
 * pvhostd_session_tick - periodic work: gauge, ring top-up, mailbox poll
 * @d: the daemon
 *
 * The mailbox is polled too so that a lost doorbell only delays an answer.
 */
void pvhostd_session_tick(struct pvhostd *d)
{
	pvhostd_pressure_update(d, true);
	if (d->s.sock < 0)
		return;
	serve_entropy(d);
	serve_mailbox(d);
	pvhostd_clock_refresh(d);
	pvhostd_numa_tick(d);
	pvhostd_hostile_tick(d);
}
