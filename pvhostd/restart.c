// SPDX-License-Identifier: GPL-2.0
/*
 * pvhostd restarted (an upgrade, a crash) while its guest runs takes the
 * guest back. QEMU takes the region and the eventfds once, at connect,
 * and never connects again: the new daemon needs the very descriptors of
 * the session, and what the old one changed on the host to give it back.
 *
 * The descriptors go to systemd's file descriptor store (sd_notify
 * FDSTORE=1, FileDescriptorStoreMax= in the unit) when the session
 * starts and leave it when the session ends; the new daemon gets them as
 * LISTEN_FDS with their names. The rest is the state file (state.c),
 * rewritten whenever it changes. It is not synced: it is meaningful only
 * with the descriptors, and those do not outlive the host either.
 *
 * Everything handed back is checked before use (the names, each
 * descriptor's kind, the region's inode, the peer's pid against the state
 * file); anything amiss and the session is dropped, the store emptied,
 * and the daemon starts fresh.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "daemon.h"

static struct pvhostd_state snap;	/* what the state file says */
static char text[PVHOSTD_STATE_MAX + 1], last[PVHOSTD_STATE_MAX + 1];
static int last_len;			/* of the file as written; 0 none */

static void store_remove(void)
{
	char msg[64], name[24];
	u32 slot;

	for (slot = 0; slot < PVHOSTD_NR_FDS; slot++) {
		pvhostd_fd_name(slot, name, sizeof(name));
		snprintf(msg, sizeof(msg), "FDSTOREREMOVE=1\nFDNAME=%s", name);
		sd_pid_notify(0, 0, msg);
	}
}

static void cpuset_words(const cpu_set_t *set, u64 *mask)
{
	size_t size = CPU_ALLOC_SIZE(PVHOSTD_MAX_CPUS);
	u32 cpu;

	memset(mask, 0, PVHOSTD_CPU_WORDS * sizeof(u64));
	for (cpu = 0; cpu < PVHOSTD_MAX_CPUS; cpu++)
		if (CPU_ISSET_S(cpu, size, set))
			mask[cpu / 64] |= 1ULL << (cpu % 64);
}

static cpu_set_t *words_cpuset(const u64 *mask)
{
	size_t size = CPU_ALLOC_SIZE(PVHOSTD_MAX_CPUS);
	cpu_set_t *set = CPU_ALLOC(PVHOSTD_MAX_CPUS);
	u32 cpu;

	if (!set)
		return NULL;
	CPU_ZERO_S(size, set);
	for (cpu = 0; cpu < PVHOSTD_MAX_CPUS; cpu++)
		if (mask[cpu / 64] >> (cpu % 64) & 1)
			CPU_SET_S(cpu, size, set);
	return set;
}

/* The session as a restarted daemon would need it, now. */
static void snapshot(struct pvhostd *d, struct pvhostd_state *st)
{
	const struct pvhostd_session *s = &d->s;
	struct stat sb;
	u32 i;

	memset(st, 0, sizeof(*st));
	st->generation = s->generation;
	st->region_size = s->lay.region_size;
	st->nr_vcpus = s->lay.nr_vcpus;
	if (!fstat(s->shm_fd, &sb)) {
		st->shm_dev = sb.st_dev;
		st->shm_ino = sb.st_ino;
	}
	st->qemu_pid = s->qemu_pid;
	for (i = 0; i < PVHOST_MAX_VCPUS; i++) {
		const struct pvhostd_vcpu_host *h = &s->vh[i];
		struct pvhostd_state_vcpu *v = &st->v[i];

		if (d->pending && (d->pending->v[i].boosted ||
				   d->pending->v[i].aff))
			*v = d->pending->v[i];	/* not taken back yet */
		if (!h->b.boosted && !h->aff_orig)
			continue;
		v->tid = s->vcpu_tid[i];
		v->start = h->start_time;
		v->boosted = h->b.boosted;
		v->nice_orig = h->nice_orig;
		v->aff = h->aff_orig;
		if (h->aff_orig)
			cpuset_words(h->aff_orig, v->aff_orig);
	}
}

static int write_file(const char *path, const char *buf, size_t len)
{
	char tmp[PATH_MAX];
	ssize_t n;
	int fd, ret = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		  0600);
	if (fd < 0)
		return -errno;
	n = write(fd, buf, len);
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != len)
		ret = -EIO;
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret)
		unlink(tmp);
	return ret;
}

/**
 * pvhostd_restart_save - write the state file if the session's state changed
 * @d: the daemon
 *
 * After every batch of events: a boost, a NUMA hint's pinning, the
 * session's start. Without a session the file is removed.
 */
void pvhostd_restart_save(struct pvhostd *d)
{
	int n, ret;

	if (d->s.sock < 0) {
		if (last_len) {
			unlink(d->opt.state_path);
			last_len = 0;
		}
		return;
	}
	snapshot(d, &snap);
	n = pvhostd_state_format(&snap, text, sizeof(text));
	if (n < 0 || (n == last_len && !memcmp(text, last, (size_t)n)))
		return;
	ret = write_file(d->opt.state_path, text, (size_t)n);
	if (ret) {
		if (!d->state_errors++)
			pvhostd_log("%s: %s: a restart would lose the guest",
				    d->opt.state_path, strerror(-ret));
		return;
	}
	memcpy(last, text, (size_t)n);
	last_len = n;
	d->state_writes++;
}

/**
 * pvhostd_restart_stored - a session started: keep its descriptors
 * @d: the daemon
 *
 * The state file first: descriptors without it are refused.
 */
void pvhostd_restart_stored(struct pvhostd *d)
{
	struct pvhostd_session *s = &d->s;
	char msg[64], name[24];
	int fd, ret = 0;
	u32 slot;

	pvhostd_restart_save(d);
	if (!d->fdstore)
		return;
	for (slot = 0; slot < PVHOSTD_NR_FDS && ret >= 0; slot++) {
		fd = slot == PVHOSTD_FD_SOCK ? s->sock :
		     slot == PVHOSTD_FD_SHM ? s->shm_fd :
		     slot < PVHOSTD_FD_GUEST0 ?
		     s->host_efd[slot - PVHOSTD_FD_HOST0] :
		     s->guest_efd[slot - PVHOSTD_FD_GUEST0];
		pvhostd_fd_name(slot, name, sizeof(name));
		snprintf(msg, sizeof(msg), "FDSTORE=1\nFDNAME=%s", name);
		ret = sd_pid_notify_with_fds(0, 0, msg, &fd, 1);
	}
	if (ret < 0)
		pvhostd_log("fd store: %s: a restart would lose the guest",
			    strerror(-ret));
}

/**
 * pvhostd_restart_forget - the session ended: nothing to take back
 * @d: the daemon
 */
void pvhostd_restart_forget(struct pvhostd *d)
{
	if (d->fdstore)
		store_remove();
	unlink(d->opt.state_path);
	last_len = 0;
}

static int read_state(const char *path, struct pvhostd_state *st)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return -errno;
	n = read(fd, text, sizeof(text));
	close(fd);
	if (n < 0)
		return -errno;
	if (n > PVHOSTD_STATE_MAX)
		return -EFBIG;
	return pvhostd_state_parse(text, (size_t)n, st);
}

static bool is_eventfd(int fd)
{
	char path[64], link[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return false;
	link[n] = '\0';
	return !strcmp(link, "anon_inode:[eventfd]");
}

static int sockopt(int fd, int opt)
{
	socklen_t len = sizeof(int);
	int v;

	if (getsockopt(fd, SOL_SOCKET, opt, &v, &len))
		return -1;
	return v;
}

/* Each descriptor is what its name says, and the session the state's. */
static int check_fds(struct pvhostd *d, const int *fd,
		     const struct pvhostd_state *st)
{
	int want = F_SEAL_SHRINK | F_SEAL_GROW;
	struct ucred cred;
	struct stat sb;
	u32 vec;

	if (fstat(fd[PVHOSTD_FD_SHM], &sb) || !S_ISREG(sb.st_mode) ||
	    (u64)sb.st_size != st->region_size ||
	    (u64)sb.st_dev != st->shm_dev || (u64)sb.st_ino != st->shm_ino ||
	    (fcntl(fd[PVHOSTD_FD_SHM], F_GET_SEALS) & want) != want)
		return -ESTALE;
	if (sockopt(fd[PVHOSTD_FD_SOCK], SO_DOMAIN) != AF_UNIX ||
	    sockopt(fd[PVHOSTD_FD_SOCK], SO_TYPE) != SOCK_STREAM ||
	    sockopt(fd[PVHOSTD_FD_SOCK], SO_ACCEPTCONN) != 0)
		return -ENOTSOCK;
	if (pvhostd_peer_check(fd[PVHOSTD_FD_SOCK], &d->opt.sock_perm, &cred))
		return -EACCES;
	if (cred.pid != st->qemu_pid)
		return -ESTALE;
	for (vec = 0; vec < PVHOST_NR_VECTORS; vec++)
		if (!is_eventfd(fd[PVHOSTD_FD_HOST0 + vec]) ||
		    !is_eventfd(fd[PVHOSTD_FD_GUEST0 + vec]))
			return -EBADF;
	return 0;
}

/*
 * A region handed back but refused: its guest is told the host stopped
 * (QEMU will not connect again), if the descriptor is one of our memfds.
 */
static void give_up_region(int fd)
{
	char path[64], link[64];
	struct stat sb;
	ssize_t n;
	void *p;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0 || fstat(fd, &sb) || !S_ISREG(sb.st_mode) ||
	    sb.st_size < PVHOST_REGION_MIN)
		return;
	link[n] = '\0';
	if (strncmp(link, "/memfd:pvhost ", 14))
		return;
	p = mmap(NULL, sizeof(struct pvhost_header), PROT_READ | PROT_WRITE,
		 MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return;
	pvhostd_region_set_state(p, PVHOST_STATE_STOPPING);
	munmap(p, sizeof(struct pvhost_header));
}

/**
 * pvhostd_restart_adopt - take back the session a previous daemon stored
 * @d: the daemon, its sockets open
 *
 * Descriptors that are not exactly a session's, or that the state file
 * does not describe, are closed and dropped from the store: a fresh start.
 */
void pvhostd_restart_adopt(struct pvhostd *d)
{
	static struct pvhostd_state st;
	int slot_fd[PVHOSTD_NR_FDS], fds[64];
	char **names = NULL;
	int n, i, ret;

	d->fdstore = getenv("NOTIFY_SOCKET");
	if (!d->fdstore)
		pvhostd_log("no fd store (NOTIFY_SOCKET unset): %s",
			    "a restart will lose the guest");
	n = sd_listen_fds_with_names(1, &names);
	if (n <= 0) {
		if (n < 0)
			pvhostd_log("descriptors handed back: %s", strerror(-n));
		unlink(d->opt.state_path);	/* a stale one: no session */
		return;
	}
	for (i = 0; i < PVHOSTD_NR_FDS; i++)
		slot_fd[i] = -1;
	for (i = 0; i < n && i < 64; i++)
		fds[i] = SD_LISTEN_FDS_START + i;
	ret = n > 64 ? -E2BIG :
	      pvhostd_fd_names((const char *const *)names, fds, n, slot_fd);
	if (!ret)
		ret = read_state(d->opt.state_path, &st);
	if (!ret)
		ret = check_fds(d, slot_fd, &st);
	if (!ret)
		ret = pvhostd_session_adopt(d, slot_fd, &st);
	if (ret) {
		pvhostd_log("%d descriptors handed back refused (%s): a fresh start",
			    n, strerror(-ret));
		d->adopt_refused++;
		if (slot_fd[PVHOSTD_FD_SHM] >= 0)
			give_up_region(slot_fd[PVHOSTD_FD_SHM]);
		for (i = 0; i < n; i++)
			close(SD_LISTEN_FDS_START + i);
		if (d->fdstore)
			store_remove();
		unlink(d->opt.state_path);
	} else {
		d->adopted++;
		pvhostd_restart_save(d);	/* the store has them */
	}
	for (i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
}

static int thread_start(pid_t pid, pid_t tid, u64 *start)
{
	char path[64], buf[512];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid,
		 (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -ESRCH;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n <= 0)
		return -ESRCH;
	return pvhostd_stat_starttime(buf, (size_t)n, start);
}

/* Give one vCPU thread back what the previous daemon had changed. */
static void give_back(struct pvhostd *d, u32 i, struct pvhostd_state_vcpu *v)
{
	size_t size = CPU_ALLOC_SIZE(PVHOSTD_MAX_CPUS);
	cpu_set_t *set;
	u64 start;

	if (thread_start(d->pending->qemu_pid, v->tid, &start) ||
	    start != v->start) {
		d->threads_gone++;
		goto done;
	}
	if (v->boosted && setpriority(PRIO_PROCESS, (id_t)v->tid, v->nice_orig))
		pvhostd_log("vCPU %u: nice not restored: %s", i, strerror(errno));
	set = v->aff ? words_cpuset(v->aff_orig) : NULL;
	if (set && sched_setaffinity(v->tid, size, set))
		pvhostd_log("vCPU %u: affinity not restored: %s", i,
			    strerror(errno));
	CPU_FREE(set);
	d->restored++;
done:
	memset(v, 0, sizeof(*v));
}

/**
 * pvhostd_restart_vcpus - the thread table is known: take over what the
 *	previous daemon changed on the vCPU threads
 * @d: the daemon
 *
 * A boost it left applied ends now (the guest asks again); an affinity a
 * NUMA hint narrowed stays, its original kept to be restored as this
 * daemon's own.
 */
void pvhostd_restart_vcpus(struct pvhostd *d)
{
	struct pvhostd_session *s = &d->s;
	struct pvhostd_state_vcpu *v;
	u32 i;

	if (!d->pending)
		return;
	for (i = 0; i < PVHOST_MAX_VCPUS; i++) {
		struct pvhostd_vcpu_host *h = &s->vh[i];

		v = &d->pending->v[i];
		if (!v->boosted && !v->aff)
			continue;
		if (!h->open || s->vcpu_tid[i] != v->tid ||
		    h->start_time != v->start || h->aff_orig || !v->aff) {
			give_back(d, i, v);
			continue;
		}
		if (v->boosted &&
		    setpriority(PRIO_PROCESS, (id_t)v->tid, v->nice_orig))
			pvhostd_log("vCPU %u: nice not restored: %s", i,
				    strerror(errno));
		h->aff_orig = words_cpuset(v->aff_orig);
		d->restored++;
		memset(v, 0, sizeof(*v));
	}
	free(d->pending);
	d->pending = NULL;
}

/**
 * pvhostd_restart_give_back - the session ends: what the previous daemon
 *	changed and this one did not take over goes back now
 * @d: the daemon
 */
void pvhostd_restart_give_back(struct pvhostd *d)
{
	u32 i;

	if (!d->pending)
		return;
	for (i = 0; i < PVHOST_MAX_VCPUS; i++)
		if (d->pending->v[i].boosted || d->pending->v[i].aff)
			give_back(d, i, &d->pending->v[i]);
	free(d->pending);
	d->pending = NULL;
}
