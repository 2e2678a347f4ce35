/* SPDX-License-Identifier: GPL-2.0 */
/* pvhostd: the daemon's state, shared by its event-loop files. */
#ifndef PVHOSTD_DAEMON_H
#define PVHOSTD_DAEMON_H

#include <sched.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "pvhostd.h"

#define PVHOSTD_CTL_CLIENTS	8
#define PVHOSTD_EXIT_HANDOVER	75	/* EX_TEMPFAIL: restart me */

/* epoll tags: kind in the high half, index in the low half. */
enum pvhostd_tag {
	TAG_LISTEN = 1,
	TAG_CTL_LISTEN,
	TAG_SIGNAL,
	TAG_TIMER,
	TAG_GUEST,
	TAG_DOORBELL,
	TAG_CTL_CLIENT,
	TAG_QMP,
	TAG_VCPU_TIMER,
	TAG_THROTTLE,
};

struct pvhostd_opts {
	const char *socket_path;
	const char *ctl_path;
	struct pvhostd_sockperm sock_perm;	/* the guest socket */
	struct pvhostd_sockperm ctl_perm;	/* the control socket */
	const char *gen_path;
	const char *state_path;		/* what a restart takes back */
	const char *lock_path;
	const char *node_root;		/* host topology, sysfs node dir */
	u32 region_size;
	u32 nr_vcpus;
	u32 interval_ms;
	const char *qmp_path;		/* the vCPU thread table from QMP */
	bool vcpu_names;		/* ... or from the threads' names */
	u32 vcpu_poll_ms;
	u32 doorbell_rate;		/* services a second per vector */
	struct pvhostd_boost_policy boost;
	struct pvhostd_hint_policy hint;
	struct pvhostd_pressure_cfg pcfg;
	bool verbose;
};

/* What pvhostd keeps of one vCPU thread (vcpu.c). */
struct pvhostd_vcpu_host {
	bool open;			/* fds valid */
	int stat_fd, sched_fd;		/* /proc/PID/task/TID/{stat,schedstat} */
	bool sampled;
	struct pvhostd_sched_sample prev;
	char state;			/* last state letter read */
	u32 preempted, preempt_seq;	/* private copies of what we publish */
	u64 preempt_changes, preempted_ticks, samples, read_errors;
	struct pvhostd_boost_state b;
	int nice_orig, nice_now;
	u32 boost_ack;
	u64 start_time;			/* the thread's, when the table came */
	cpu_set_t *aff_orig;		/* before a hint's first change, or NULL */
	u64 boosts_applied, boosts_reverted, boosts_refused, boost_errors;
	u64 boost_invalid;
	/* the lock hint: the thread's nice is raised while b.boosted || hint.raised */
	struct pvhostd_hint_state hint;
	u32 hint_seen;			/* published as lock_hint_seen */
	u64 hint_samples;		/* samples that read the hint set */
	u64 hint_preempted;		/* ... and the thread preempted */
	u64 hint_raises, hint_restores, hint_refused, hint_errors;
	u64 hint_invalid;
};

/* One connected guest (QEMU process) and its region. */
struct pvhostd_session {
	int sock;			/* -1: no guest connected */
	int shm_fd;
	void *base;
	struct pvhostd_layout lay;
	u32 generation;
	int host_efd[PVHOST_NR_VECTORS];	/* guest rings us */
	int guest_efd[PVHOST_NR_VECTORS];	/* we interrupt the guest */
	struct pvhostd_entropy ent;
	struct pvhostd_mailbox mbox;
	struct pvhostd_clock clock;
	struct pvhostd_numa numa;
	u64 doorbells[PVHOST_NR_VECTORS];
	/* the guest's budget: a service a token (see --doorbell-rate) */
	struct pvhostd_bucket budget[PVHOST_NR_VECTORS];
	u64 throttled[PVHOST_NR_VECTORS];	/* services postponed */
	u64 services[PVHOST_NR_VECTORS];	/* ... and given */
	u32 pending;			/* vectors whose service waits a token */
	u64 irqs[PVHOST_NR_VECTORS];
	/* QEMU, from SO_PEERCRED on the ivshmem socket then QMP; 0 unknown */
	pid_t qemu_pid;
	pid_t vcpu_tid[PVHOST_MAX_VCPUS];	/* QMP thread-id; 0 unknown */
	u32 qmp_vcpus;			/* cpu-index + 1 of the last one */
	struct pvhostd_vcpu_host vh[PVHOST_MAX_VCPUS];
};

/* qmp_client.c */
#define PVHOSTD_QMP_DEADLINE_MS		5000	/* one whole exchange */
#define PVHOSTD_QMP_BACKOFF_MIN_MS	50
#define PVHOSTD_QMP_BACKOFF_MAX_MS	2000

enum pvhostd_qmp_state {
	PVHOSTD_QMPC_OFF,		/* no --qmp */
	PVHOSTD_QMPC_IDLE,		/* no guest session */
	PVHOSTD_QMPC_WAIT,		/* to (re)connect at next_try_ms */
	PVHOSTD_QMPC_GREETING,
	PVHOSTD_QMPC_CAPS,
	PVHOSTD_QMPC_CPUS,
	PVHOSTD_QMPC_DONE,		/* table read, connection closed */
};

struct pvhostd_qmp_client {
	int fd;
	enum pvhostd_qmp_state state;
	u64 next_try_ms, deadline_ms;	/* CLOCK_MONOTONIC */
	u32 backoff_ms;
	pid_t peer_pid;
	char error[96];			/* the last failure, "" after success */
	size_t len;
	char buf[PVHOSTD_QMP_LINE_MAX + 2];
	u64 connects, failures, queries, events;
};

#define PVHOSTD_CTL_TIMEOUT_NS	(5ULL * 1000000000ULL)

struct pvhostd_ctl_client {
	int fd;				/* -1: slot free */
	u64 since;			/* CLOCK_MONOTONIC at accept */
	size_t len;
	char buf[PVHOSTD_CTL_MAX + 2];
};

struct pvhostd {
	struct pvhostd_opts opt;
	int epfd, listen_fd, ctl_fd, sig_fd, timer_fd, lock_fd;
	bool stopping;
	u32 generation;		/* last one used, persisted */
	struct pvhostd_session s;
	struct pvhostd_qmp_client qmp;
	int vcpu_timer_fd;
	int throttle_fd;	/* fires when a pending vector has a token */
	u64 throttle_log_ns;
	u32 vcpu_timer_ms;	/* its period now, 0 stopped */
	struct pvhostd_ctl_client ctl[PVHOSTD_CTL_CLIENTS];
	/* pressure */
	bool pressure_forced;
	u32 forced_level;
	u32 level;
	u32 published_source;
	struct pvhostd_pressure_sample sample;
	bool sample_ok;
	int pressure_inputs;	/* logged: 1 PSI, 2 meminfo; -1 none yet */
	enum pvhostd_entropy_fault fault;
	/* numa: guest node i is backed by memdev[i] */
	struct pvhostd_topo topo;
	bool topo_ok;
	bool numa_deny;
	u32 nr_memdev;
	struct pvhostd_memdev memdev[PVHOST_MAX_NODES];
	/* counters */
	u64 sessions, refused, guest_bytes_ignored, ctl_errors;
	u64 peers_refused;	/* by credentials, on either socket */
	u64 peer_log_ns;	/* when one was last logged */
	u64 pressure_changes;
	/* hostile-host mode (misbehave.c) */
	enum pvhostd_hostile hostile;
	u32 hostile_rng;
	u32 hostile_flips;
	u64 hostile_changes, hostile_ticks, hostile_answers, hostile_floods;
	/* vcpu.c */
	u64 vcpu_ticks;
	u64 vcpu_wakeups;	/* of the timer, sampling or not */
	u64 threads_gone;	/* a change refused: not the thread in the table */
	/* --vcpu-names: the table found by name, rescanned every second */
	bool names_known;
	u64 names_next_ms, names_scans, names_changes;
	int names_error;	/* the last scan's, negative errno; for the log */
	int boost_errno;		/* last setpriority() failure */
	/* restart.c */
	bool fdstore;		/* NOTIFY_SOCKET: the session's fds kept */
	bool handover;		/* SIGUSR2: exit, leaving it all stored */
	struct pvhostd_state *pending;	/* a previous daemon's changes */
	u64 state_writes, state_errors;
	u64 adopted, adopt_refused;	/* sessions handed back */
	u64 restored;		/* vCPU threads given back their own */
};

/* util.c */
void pvhostd_log(const char *fmt, ...) __printf(1, 2);
u64 pvhostd_now_ns(int clock);
int pvhostd_epoll_add(struct pvhostd *d, int fd, enum pvhostd_tag tag,
		      u32 idx);
int pvhostd_listen_unix(const char *path, const struct pvhostd_sockperm *perm);
void pvhostd_peer_refused(struct pvhostd *d, const char *sock,
			  const struct ucred *cred);
int pvhostd_peer_check(int fd, const struct pvhostd_sockperm *perm,
		       struct ucred *cred);
int pvhostd_lock(const char *path);

/* ivshmem.c */
int pvhostd_ivshmem_greet(int sock, int shm_fd, const int *host_efd,
			  const int *guest_efd);

void pvhostd_ivshmem_refuse(int sock);

/* session.c */
void pvhostd_session_accept(struct pvhostd *d);
void pvhostd_session_end(struct pvhostd *d, const char *why);
void pvhostd_session_guest_input(struct pvhostd *d);
void pvhostd_session_doorbell(struct pvhostd *d, u32 vec);
void pvhostd_session_throttle(struct pvhostd *d);
void pvhostd_session_tick(struct pvhostd *d);
void pvhostd_session_raise(struct pvhostd *d, u32 vec);
void pvhostd_pressure_update(struct pvhostd *d, bool resample);
void pvhostd_clock_refresh(struct pvhostd *d);
void pvhostd_session_relayout(struct pvhostd *d,
			      const struct pvhostd_layout *lay);

/* numa_host.c */
int pvhostd_numa_setup(struct pvhostd *d);
u64 pvhostd_numa_features(const struct pvhostd *d);
void pvhostd_numa_start(struct pvhostd *d);
void pvhostd_numa_serve_queue(struct pvhostd *d);
void pvhostd_numa_tick(struct pvhostd *d);
void pvhostd_numa_close(struct pvhostd *d);
void pvhostd_numa_say_status(struct pvhostd *d,
			     void (*say)(void *r, const char *line), void *r);
void pvhostd_numa_say_hints(struct pvhostd *d,
			    void (*say)(void *r, const char *line), void *r);

/* misbehave.c */
enum pvhostd_part {
	PVHOSTD_PART_PRESSURE,
	PVHOSTD_PART_ENTROPY,
	PVHOSTD_PART_MAILBOX,
	PVHOSTD_PART_NUMA,
	PVHOSTD_PART_VCPU,
};

void pvhostd_hostile_set(struct pvhostd *d, enum pvhostd_hostile mode);
void pvhostd_hostile_tick(struct pvhostd *d);
bool pvhostd_hostile_serve(struct pvhostd *d, enum pvhostd_part part);
int pvhostd_hostile_timeout(const struct pvhostd *d);
void pvhostd_hostile_flood(struct pvhostd *d);

/* qmp_client.c */
const char *pvhostd_qmp_state_name(enum pvhostd_qmp_state st);
void pvhostd_qmp_start(struct pvhostd *d);
void pvhostd_qmp_stop(struct pvhostd *d);
void pvhostd_qmp_input(struct pvhostd *d);
void pvhostd_qmp_tick(struct pvhostd *d);
pid_t pvhostd_vcpu_tid(const struct pvhostd *d, u32 vcpu);
bool pvhostd_vcpu_thread_ok(struct pvhostd *d, u32 vcpu);
void pvhostd_numa_restore_affinity(struct pvhostd *d);

/* vcpu.c */
void pvhostd_vcpu_start(struct pvhostd *d);
void pvhostd_vcpu_stop(struct pvhostd *d);
void pvhostd_vcpu_timer(struct pvhostd *d);
void pvhostd_vcpu_table_ready(struct pvhostd *d);
void pvhostd_vcpu_republish(struct pvhostd *d);
u64 pvhostd_vcpu_features(const struct pvhostd *d);
int pvhostd_vcpu_nice(const struct pvhostd *d, u32 vcpu, int *nice);
char pvhostd_vcpu_thread_state(const struct pvhostd *d, u32 vcpu);

/* session.c, for restart.c */
int pvhostd_session_adopt(struct pvhostd *d, const int *fd,
			  const struct pvhostd_state *st);

/* restart.c */
void pvhostd_restart_adopt(struct pvhostd *d);
void pvhostd_restart_stored(struct pvhostd *d);
void pvhostd_restart_forget(struct pvhostd *d);
void pvhostd_restart_save(struct pvhostd *d);
void pvhostd_restart_vcpus(struct pvhostd *d);
void pvhostd_restart_give_back(struct pvhostd *d);

/* control.c */
void pvhostd_ctl_accept(struct pvhostd *d);
void pvhostd_ctl_input(struct pvhostd *d, u32 idx);
void pvhostd_ctl_close_all(struct pvhostd *d);
void pvhostd_ctl_expire(struct pvhostd *d);

#endif /* PVHOSTD_DAEMON_H */
