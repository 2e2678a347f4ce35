/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvhostd: host daemon serving the pvhost shared-memory ABI over QEMU's
 * ivshmem-doorbell device. Internal interfaces shared by the daemon, its
 * unit tests and its fuzz harnesses.
 */
#ifndef PVHOSTD_H
#define PVHOSTD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/types.h>
#include <uapi/linux/pvhost.h>

/* Kernel-style names, so that the daemon reads like the guest side. */
typedef __u8 u8;
typedef __s8 s8;
typedef __u32 u32;
typedef __s32 s32;
typedef __u64 u64;
typedef __s64 s64;

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define __printf(a, b)		__attribute__((__format__(printf, a, b)))

#define PVHOSTD_FEATURES	(PVHOST_F_PRESSURE | PVHOST_F_ENTROPY | \
				 PVHOST_F_MAILBOX | PVHOST_F_CLOCK | \
				 PVHOST_F_CLOCK_PAIRING)
/* Served only with --qmp: they need QEMU's vCPU thread table. */
#define PVHOSTD_FEATURES_VCPU	(PVHOST_F_PREEMPTED | PVHOST_F_BOOST | \
				 PVHOST_F_LOCK_HINT)
#define PVHOSTD_HOST_PEER	0	/* our ivshmem peer id */
#define PVHOSTD_GUEST_PEER	1	/* the (single) guest's peer id */

/* Shared-memory accessors: every guest field is loaded exactly once. */
#define PVHOSTD_LOAD(p)		__atomic_load_n(&(p), __ATOMIC_ACQUIRE)
#define PVHOSTD_STORE(p, v)	__atomic_store_n(&(p), (v), __ATOMIC_RELEASE)
#define PVHOSTD_FENCE()		__atomic_thread_fence(__ATOMIC_SEQ_CST)

/* region.c: where each area lives in a region of a given size. */
struct pvhostd_layout {
	u32 region_size;
	u32 nr_vcpus;
	u32 vcpu_offset;
	u32 pairing_offset;
	u32 pressure_offset;
	u32 entropy_offset;
	u32 entropy_size;
	u32 numa_offset;
	u32 mailbox_offset;
	u64 features;		/* PVHOST_F_* advertised */
};

int pvhostd_layout_plan(u32 region_size, u32 nr_vcpus,
			struct pvhostd_layout *lay);
void pvhostd_layout_write(void *base, const struct pvhostd_layout *lay,
			  u32 generation);
void pvhostd_region_set_state(void *base, u32 state);

static inline void *pvhostd_at(void *base, u32 off)
{
	return (char *)base + off;
}

/* entropy.c: the host side of the entropy ring. */
enum pvhostd_entropy_fault {
	PVHOSTD_ENTROPY_GOOD,
	PVHOSTD_ENTROPY_ZEROS,
	PVHOSTD_ENTROPY_REPEAT,
	PVHOSTD_ENTROPY_REPLAY,
};

#define PVHOSTD_REPLAY_SIZE	4096U
#define PVHOSTD_REPEAT_BLOCK	64U

struct pvhostd_entropy {
	struct pvhost_entropy *ring;
	u8 *data;
	u32 size;			/* power of 2 */
	u32 prod;			/* private copy of what we published */
	enum pvhostd_entropy_fault fault;
	u8 history[PVHOSTD_REPLAY_SIZE];	/* earlier good output */
	u32 history_len;
	u32 replay_pos;
	u8 block[PVHOSTD_REPEAT_BLOCK];
	u64 bytes;			/* counters */
	u64 broken;
	u64 fills;
	u64 errors;			/* fills cut short: no random bytes */
};

extern ssize_t (*pvhostd_getrandom)(void *buf, size_t len, unsigned int flags);

void pvhostd_entropy_init(struct pvhostd_entropy *e, void *area, u32 size);
u32 pvhostd_entropy_fill(struct pvhostd_entropy *e);
void pvhostd_entropy_set_fault(struct pvhostd_entropy *e,
			       enum pvhostd_entropy_fault fault);
const char *pvhostd_entropy_fault_name(enum pvhostd_entropy_fault fault);

/* mailbox.c: one guest request at a time. */
struct pvhostd_mbox_req {
	u32 seq;
	u32 op;
	u32 len;
};

struct pvhostd_clock;

struct pvhostd_mailbox {
	struct pvhost_mailbox *mb;
	struct pvhostd_clock *clock;	/* fed answered CALIBRATEs; may be NULL */
	u32 last_seq;		/* private: last request answered */
	u64 answered;
	u64 errors;
	u64 quiet;		/* answered without an interrupt */
};

void pvhostd_mailbox_init(struct pvhostd_mailbox *m, void *area);
s32 pvhostd_mailbox_answer(u32 op, u32 len, u8 *payload,
			   u32 *resp_len, u64 now_raw_ns);
bool pvhostd_mailbox_serve(struct pvhostd_mailbox *m, u64 now_raw_ns);

/* clock.c: calibration, per-vCPU pvclock records, the REALTIME pairing. */
#define PVHOSTD_CLOCK_SAMPLES		16	/* the fit's window */
#define PVHOSTD_CLOCK_MIN_SAMPLES	4	/* before the first record */
#define PVHOSTD_CLOCK_REPUBLISH_PPM	20.0	/* rate change that republishes */
#define PVHOSTD_CLOCK_MAX_RTT_NS	50000000.0	/* longer exchanges dropped */
#define PVHOSTD_CLOCK_SIM_PPM_MAX	100000
/* a sample further than this (plus its round trip) off the fit is odd */
#define PVHOSTD_CLOCK_PLAUSIBLE_NS	100000000.0

struct pvhostd_clock_sample {
	u64 tsc_before;		/* guest TSC as it posted the request */
	u64 tsc_after;		/* guest TSC as it saw the answer */
	u64 host_ns;		/* host CLOCK_MONOTONIC_RAW at the answer */
};

struct pvhostd_clock {
	struct pvhost_header *hdr;
	struct pvhost_vcpu *vcpus;
	u32 nr_vcpus;
	struct pvhost_clock_pairing *pairing;
	/* the exchange answered last, waiting for its tsc_after */
	bool pending;
	u64 pend_tsc, pend_ns;
	struct pvhostd_clock_sample s[PVHOSTD_CLOCK_SAMPLES];
	u32 nr, head;
	/* the fit: ns = fit_ns0 + (tsc - fit_tsc0) * fit_rate */
	bool fitted;
	double fit_rate;	/* ns per tick */
	u64 fit_tsc0, fit_ns0;
	double fit_err_ns;	/* worst residual plus half round trip */
	/* what was published: private copies, never read back */
	bool published;
	struct pvhost_time_info rec;
	u32 version, epoch, pairing_version;
	s64 offset_ns;		/* published minus fitted time, last seen */
	bool changed;
	bool sim_pending;
	s32 sim_ppm;
	/*
	 * A sample that went back or disagreed with the fit, held until the
	 * next one confirms it (a rebooted or paused guest) or not (a lie).
	 */
	bool odd, odd_back;
	struct pvhostd_clock_sample odd_s;
	/* hostile mode: the region holds a lie, c->rec the truth */
	bool lie;
	/* counters */
	u64 requests, samples, rejected, resets, fits, fit_failures;
	u64 implausible, lies;
	u64 simulated, pairings;
};

u64 pvhostd_clock_scale(u64 delta, u32 mul, s8 shift);
int pvhostd_clock_mul_shift(double ns_per_tick, u32 *mul, s8 *shift);
void pvhostd_clock_init(struct pvhostd_clock *c, void *base,
			const struct pvhostd_layout *lay);
int pvhostd_clock_fit(struct pvhostd_clock *c);
int pvhostd_clock_publish(struct pvhostd_clock *c, u64 tsc, double rate);
void pvhostd_clock_calibrate(struct pvhostd_clock *c,
			     const struct pvhost_calibrate *cal,
			     u64 now_raw_ns);
void pvhostd_clock_simulate(struct pvhostd_clock *c, s32 ppm);
bool pvhostd_clock_pairing_update(struct pvhostd_clock *c, u64 raw_ns,
				  s64 rt_sec, s64 rt_nsec);
bool pvhostd_clock_take_changed(struct pvhostd_clock *c);
/* hostile clock modes: 277 years and 30 s, in nanoseconds */
#define PVHOSTD_CLOCK_LEAP_NS	(277ULL * 31557600ULL * 1000000000ULL)
#define PVHOSTD_CLOCK_AHEAD_NS	30000000000ULL
void pvhostd_clock_lie(struct pvhostd_clock *c, u64 ahead_ns);
void pvhostd_clock_truth(struct pvhostd_clock *c);

/* pressure.c: the gauge. */
struct pvhostd_pressure_cfg {
	u32 psi_lo, psi_hi;	/* PSI some avg10, hundredths of % */
	u32 used_lo, used_hi;	/* 1000 - MemAvailable permille */
};

struct pvhostd_pressure_sample {
	u32 psi_some;		/* hundredths of a percent */
	u32 psi_full;
	u32 avail_permille;
	bool psi;		/* the PSI file was there and parsed */
};

int pvhostd_psi_parse(const char *text, u32 *some, u32 *full);
int pvhostd_meminfo_parse(const char *text, u32 *avail_permille);
int pvhostd_pressure_sample_from(struct pvhostd_pressure_sample *s,
				 const char *psi_path,
				 const char *meminfo_path);
u32 pvhostd_pressure_scale(u32 x, u32 lo, u32 hi);
u32 pvhostd_pressure_level(const struct pvhostd_pressure_cfg *cfg,
			   const struct pvhostd_pressure_sample *s);
int pvhostd_pressure_parse_range(const char *arg, u32 scale,
				 u32 *lo, u32 *hi);
void pvhostd_pressure_publish(struct pvhost_pressure *p, u32 level,
			      const struct pvhostd_pressure_sample *s,
			      u32 source, u64 now_ns);
int pvhostd_pressure_sample_host(struct pvhostd_pressure_sample *s);
int pvhostd_read_text(const char *path, char *buf, size_t size);

/* hostile.c: hostile-host mode, what a malicious host does. */
enum pvhostd_hostile {
	PVHOSTD_HOSTILE_OFF,
	PVHOSTD_HOSTILE_HEADER,		/* garbage over the header */
	PVHOSTD_HOSTILE_GARBAGE,	/* garbage over the feature areas */
	PVHOSTD_HOSTILE_RELAYOUT,	/* generation flips, areas move */
	PVHOSTD_HOSTILE_GAUGE_RANGE,	/* level above PVHOST_PRESSURE_ONE */
	PVHOSTD_HOSTILE_GAUGE_STUCK,	/* seq stuck odd */
	PVHOSTD_HOSTILE_RING_BACK,	/* entropy prod behind cons */
	PVHOSTD_HOSTILE_RING_PAST,	/* entropy prod past cons + size */
	PVHOSTD_HOSTILE_MBOX_SILENT,	/* requests never answered */
	PVHOSTD_HOSTILE_MBOX_MALFORMED,	/* answers out of range */
	PVHOSTD_HOSTILE_FLOOD,		/* every vector, every millisecond */
	PVHOSTD_HOSTILE_VCPU_STUCK,	/* per-vCPU versions stuck odd */
	PVHOSTD_HOSTILE_NUMA_GARBAGE,	/* NUMA topology and answers garbage */
	PVHOSTD_HOSTILE_PREEMPT_GARBAGE, /* preempted neither 0 nor 1 */
	PVHOSTD_HOSTILE_CLOCK_LEAP,	/* clock records 277 years ahead */
	PVHOSTD_HOSTILE_CLOCK_AHEAD,	/* clock records 30 s ahead */
	PVHOSTD_HOSTILE_NR,
};

const char *pvhostd_hostile_name(enum pvhostd_hostile mode);
int pvhostd_hostile_parse(const char *s, enum pvhostd_hostile *mode);
bool pvhostd_hostile_repair(enum pvhostd_hostile mode);
void pvhostd_hostile_layout(const struct pvhostd_layout *lay, u32 flip,
			    struct pvhostd_layout *out);
void pvhostd_hostile_apply(void *base, const struct pvhostd_layout *lay,
			   enum pvhostd_hostile mode, u32 *rng);
void pvhostd_hostile_vcpu_repair(void *base, const struct pvhostd_layout *lay);
void pvhostd_hostile_mbox_answer(struct pvhost_mailbox *mb, u32 seq);

/* numa.c: host topology, hint queue, guest RAM backing files. */
#define PVHOSTD_MAX_CPUS	1024	/* host CPUs the topology can hold */
#define PVHOSTD_CPU_WORDS	(PVHOSTD_MAX_CPUS / 64)
#define PVHOSTD_NUMA_LOG	32	/* hints kept for "numa hints" */
#define PVHOSTD_NUMA_BUDGET	4	/* hints answered per wake-up */
#define PVHOSTD_MEMDEV_MAX	0x10000000000ULL	/* 1 TiB: backing file bound */
#define PVHOSTD_MEMDEV_BATCH	512	/* pages per move_pages() query */
#define PVHOSTD_MEMDEV_SAMPLES	64	/* pages sampled for "where" */

struct pvhostd_topo {
	u32 nr_nodes;		/* host nodes 0..nr_nodes-1 */
	u32 nr_cpus[PVHOST_MAX_NODES];
	u64 cpus[PVHOST_MAX_NODES][PVHOSTD_CPU_WORDS];
	u8 distance[PVHOST_MAX_NODES][PVHOST_MAX_NODES];
};

/* A private copy of a hint slot's guest fields. */
struct pvhostd_hint {
	u32 id;
	u32 node;
	u32 flags;
	u64 cpus[4];
};

struct pvhostd_hint_rec {
	struct pvhostd_hint hint;
	u32 slot, status, reason, host_node;
};

struct pvhostd_numa_ops {
	int (*affinity)(void *ctx, u32 vcpu, u32 host_node);
	int (*memory)(void *ctx, u32 guest_node, u32 host_node);
};

struct pvhostd_numa {
	struct pvhost_numa *area;	/* shared; NULL: not served */
	const struct pvhostd_topo *topo;
	const struct pvhostd_numa_ops *ops;
	void *ctx;
	bool deny;			/* host policy: refuse every hint */
	u32 nr_vcpus, nr_guest_nodes;
	u32 seq;			/* private copy of the published seq */
	u32 next_slot;
	u32 vcpu_node[PVHOST_MAX_VCPUS];	/* private, published */
	u32 mem_node[PVHOST_MAX_NODES];		/* private, published */
	struct pvhostd_hint_rec log[PVHOSTD_NUMA_LOG];
	u32 log_head;
	u64 hints, applied, partial, rejected, answered, lost, published;
};

struct pvhostd_memdev {
	const char *path;
	int fd;
	void *map;		/* PROT_READ, MAP_SHARED; NULL: not open */
	u64 size;
	u32 bound;		/* node of the last bind, or UNKNOWN */
	u64 moved, stuck, resident;	/* pages, from the last bind */
	u64 binds, rebinds;	/* full passes, and binds found in place */
	u64 truncated;		/* reads that found the file cut short */
	int refused;		/* why it was last not kept, for the log */
	bool policy_set;	/* a bind set the file's policy: reset at close */
};

int pvhostd_memdev_touch(struct pvhostd_memdev *m, u64 off);
bool pvhostd_maps_has(const char *text, dev_t dev, ino_t ino);
int pvhostd_cpulist_parse(const char *s, u64 *mask, u32 nbits);
int pvhostd_topo_parse(const char *root, struct pvhostd_topo *t);
u32 pvhostd_topo_cpu_node(const struct pvhostd_topo *t, u32 cpu);
void pvhostd_hint_load(const struct pvhost_numa_hint *slot,
		       struct pvhostd_hint *h);
u32 pvhostd_hint_check(const struct pvhostd_hint *h, u32 nr_vcpus,
		       u32 nr_guest_nodes, bool deny);
u32 pvhostd_numa_choose(const struct pvhostd_topo *t,
			const struct pvhostd_hint *h, const u32 *vcpu_node,
			u32 nr_vcpus, u32 mem_node);
void pvhostd_numa_init(struct pvhostd_numa *n, void *area, u32 nr_vcpus,
		       u32 nr_guest_nodes, const struct pvhostd_topo *t);
void pvhostd_numa_publish(struct pvhostd_numa *n);
u32 pvhostd_numa_serve(struct pvhostd_numa *n, u32 budget);
const char *pvhostd_numa_status_name(u32 status);
const char *pvhostd_numa_reason_name(u32 reason);
int pvhostd_memdev_parse(const char *arg, u32 *node, const char **path);
int pvhostd_memdev_open(struct pvhostd_memdev *m);
void pvhostd_memdev_close(struct pvhostd_memdev *m);
int pvhostd_memdev_bind(struct pvhostd_memdev *m, u32 node);
int pvhostd_memdev_policy(struct pvhostd_memdev *m, u32 *node);
u32 pvhostd_memdev_where(struct pvhostd_memdev *m);
int pvhostd_thread_cpu(const char *stat);

/* qmp.c: QEMU's monitor replies, for the vCPU thread table. */
#define PVHOSTD_QMP_LINE_MAX	65536	/* 256 cpus of query-cpus-fast fit */
#define PVHOSTD_TID_MAX		4194304	/* PID_MAX_LIMIT on 64-bit */

enum pvhostd_qmp_kind {
	PVHOSTD_QMP_GREETING,		/* {"QMP": {...}} */
	PVHOSTD_QMP_RETURN,		/* {"return": {...}} */
	PVHOSTD_QMP_CPUS,		/* {"return": [cpu, ...]} */
	PVHOSTD_QMP_ERROR,		/* {"error": ...} */
	PVHOSTD_QMP_EVENT,		/* {"event": "...", ...}: skipped */
};

struct pvhostd_qmp_msg {
	enum pvhostd_qmp_kind kind;
	u32 nr_vcpus;			/* CPUS: highest cpu-index + 1 */
	pid_t tid[PVHOST_MAX_VCPUS];	/* CPUS: 0 where absent */
};

int pvhostd_qmp_parse(const char *buf, size_t len, struct pvhostd_qmp_msg *m);
const char *pvhostd_qmp_kind_name(enum pvhostd_qmp_kind kind);

/* sched.c: a host thread's scheduler state from /proc. */
struct pvhostd_sched_sample {
	u64 run_ns;		/* time on a CPU */
	u64 wait_ns;		/* time runnable on a runqueue, not running */
	u64 slices;		/* times it got a CPU */
};

int pvhostd_stat_state(const char *text, size_t len, char *state);
int pvhostd_vcpu_comm_parse(const char *comm, size_t len, u32 *idx);
int pvhostd_stat_starttime(const char *text, size_t len, u64 *start);
int pvhostd_schedstat_parse(const char *text, size_t len,
			    struct pvhostd_sched_sample *s);
bool pvhostd_preempted(char state, const struct pvhostd_sched_sample *prev,
		       const struct pvhostd_sched_sample *now);

/* sched.c: the boost policy. */
#define PVHOSTD_BOOST_STEP	5	/* nice levels a boost takes off */

struct pvhostd_boost_policy {
	u32 max_ms;		/* --boost-max-ms */
	u32 cooldown_x;		/* refusal time, in multiples of the boost */
};

struct pvhostd_boost_state {
	bool boosted;
	u32 seq_seen;		/* the guest's boost_seq last looked at */
	u64 since_ms;		/* boosted since */
	u64 cooldown_until_ms;
};

enum pvhostd_boost_action {
	PVHOSTD_BOOST_NONE,
	PVHOSTD_BOOST_APPLY,
	PVHOSTD_BOOST_REVERT,
	PVHOSTD_BOOST_REFUSE,
};

enum pvhostd_boost_action
pvhostd_boost_decide(const struct pvhostd_boost_policy *p,
		     struct pvhostd_boost_state *b, u32 boost, u32 seq,
		     u64 now_ms);
int pvhostd_boost_nice(int orig);

/* sched.c: the lock-hint policy. */
#define PVHOSTD_HINT_MAX	255	/* a lock_hint above is garbage */
#define PVHOSTD_HINT_MAX_MS	10000	/* --lock-hint-max-ms at most */

struct pvhostd_hint_policy {
	u32 max_ms;		/* --lock-hint-max-ms; 0: observe only */
	u32 cooldown_x;		/* refusal time, in multiples of the raise */
};

struct pvhostd_hint_state {
	bool raised;		/* the thread's priority is raised for it */
	u64 since_ms;		/* raised since */
	u64 cooldown_until_ms;
};

enum pvhostd_hint_action {
	PVHOSTD_HINT_NONE,	/* hint clear, nothing raised */
	PVHOSTD_HINT_RAISE,	/* set now: raise the thread */
	PVHOSTD_HINT_KEEP,	/* set, raised, within the limit */
	PVHOSTD_HINT_RESTORE,	/* cleared or over the limit: restore */
	PVHOSTD_HINT_REFUSE,	/* set, in the refusal window */
	PVHOSTD_HINT_OBSERVE,	/* set, the policy is off (max_ms 0) */
};

bool pvhostd_hint_valid(u32 raw);
enum pvhostd_hint_action
pvhostd_hint_decide(const struct pvhostd_hint_policy *p,
		    struct pvhostd_hint_state *h, u32 hint, u64 now_ms);

/* ctl.c: the control protocol, one command line per connection. */
enum pvhostd_ctl_op {
	PVHOSTD_CTL_STATUS,
	PVHOSTD_CTL_PRESSURE_SET,
	PVHOSTD_CTL_PRESSURE_AUTO,
	PVHOSTD_CTL_ENTROPY_FAULT,
	PVHOSTD_CTL_CLOCK_STATUS,
	PVHOSTD_CTL_CLOCK_RATE,
	PVHOSTD_CTL_HOSTILE,
	PVHOSTD_CTL_NUMA_STATUS,
	PVHOSTD_CTL_NUMA_HINTS,
	PVHOSTD_CTL_NUMA_POLICY,
	PVHOSTD_CTL_VCPU_STATUS,
	PVHOSTD_CTL_VCPU_HINT_MAX,
};

struct pvhostd_ctl_cmd {
	enum pvhostd_ctl_op op;
	u32 level;			/* PRESSURE_SET: 0..PVHOST_PRESSURE_ONE */
	enum pvhostd_entropy_fault fault;
	s32 ppm;			/* CLOCK_RATE: simulated change */
	enum pvhostd_hostile hostile;	/* HOSTILE */
	bool deny;			/* NUMA_POLICY */
	u32 hint_max_ms;		/* VCPU_HINT_MAX: 0..PVHOSTD_HINT_MAX_MS */
};

#define PVHOSTD_CTL_MAX		256	/* bytes in a command line */

int pvhostd_ctl_parse(const char *buf, size_t len, struct pvhostd_ctl_cmd *cmd,
		      const char **err);
bool pvhostd_ctl_is_fault(enum pvhostd_ctl_op op);

/* A guest's work budget, one token bucket per doorbell vector (budget.c). */
struct pvhostd_bucket {
	u32 rate;		/* tokens a second */
	u32 burst;		/* the most it holds */
	u64 tokens_ns;		/* tokens x 10^9 */
	u64 last_ns;
};

void pvhostd_bucket_init(struct pvhostd_bucket *b, u32 rate, u32 burst,
			 u64 now_ns);
bool pvhostd_bucket_take(struct pvhostd_bucket *b, u64 now_ns);
u64 pvhostd_bucket_wait_ns(struct pvhostd_bucket *b, u64 now_ns);

/* Who may connect to a socket (peer.c). */
struct pvhostd_sockperm {
	u32 mode;		/* of the socket file, 0..0777 */
	bool set_group;		/* given by option: chown the file to it */
	gid_t group;		/* the file's (default the daemon's), allowed */
};

int pvhostd_parse_mode(const char *arg, u32 *mode);
int pvhostd_parse_group(const char *arg, gid_t *gid);
int pvhostd_status_groups(const char *text, gid_t *gids, int max);
bool pvhostd_peer_allowed(const struct pvhostd_sockperm *perm, uid_t self,
			  uid_t uid, gid_t gid, const gid_t *groups,
			  int ngroups);

/*
 * What a restarted pvhostd needs besides the session's descriptors
 * (state.c): the text of the state file, written at every change.
 */
#define PVHOSTD_STATE_MAX	131072	/* bytes of a state file, at most */

struct pvhostd_state_vcpu {
	pid_t tid;
	u64 start;		/* the thread's start time, /proc stat field 22 */
	bool boosted;		/* nice_orig is to be given back */
	int nice_orig;
	bool aff;		/* aff_orig is to be given back */
	u64 aff_orig[PVHOSTD_CPU_WORDS];
};

struct pvhostd_state {
	u32 generation;
	u32 region_size, nr_vcpus;
	u64 shm_dev, shm_ino;	/* the region's memfd */
	pid_t qemu_pid;
	struct pvhostd_state_vcpu v[PVHOST_MAX_VCPUS];
};

/* The session's descriptors, by their names in the fd store. */
enum {
	PVHOSTD_FD_SOCK,
	PVHOSTD_FD_SHM,
	PVHOSTD_FD_HOST0,
	PVHOSTD_FD_GUEST0 = PVHOSTD_FD_HOST0 + PVHOST_NR_VECTORS,
	PVHOSTD_NR_FDS = PVHOSTD_FD_GUEST0 + PVHOST_NR_VECTORS,
};

int pvhostd_state_format(const struct pvhostd_state *st, char *buf,
			 size_t len);
int pvhostd_state_parse(const char *buf, size_t len, struct pvhostd_state *st);
void pvhostd_fd_name(u32 slot, char *buf, size_t len);
int pvhostd_fd_names(const char *const *names, const int *fds, int n,
		     int *slot_fd);

#endif /* PVHOSTD_H */
