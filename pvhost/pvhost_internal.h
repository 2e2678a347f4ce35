/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvhost internals shared by the objects of pvhost.ko and its KUnit test.
 *
 * shm.c holds the logic that reads the shared region (header validation on
 * a private copy, the pressure gauge, the entropy ring); it knows nothing of
 * PCI, so the tests run it on a fake region in kmalloc'd memory. pci.c is
 * the glue: the ivshmem device, interrupts, polling, pvhc, sysfs.
 */
#ifndef _PVHOST_INTERNAL_H
#define _PVHOST_INTERNAL_H

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <uapi/linux/pvhost.h>

/* Tries of the gauge's seq protocol before giving up with -EAGAIN. */
#define PVHOST_SEQ_TRIES	64

/* Counters of what the host did; each is an atomic_long_t. */
struct pvhost_stats {
	atomic_long_t errors;		/* invalid host values, all kinds */
	atomic_long_t pressure_reads;
	atomic_long_t pressure_busy;	/* seq odd or moving: -EAGAIN */
	atomic_long_t pressure_invalid;	/* level above PVHOST_PRESSURE_ONE */
	atomic_long_t entropy_reads;
	atomic_long_t entropy_bytes;
	atomic_long_t ring_broken;	/* prod - cons above the ring size */
	atomic_long_t clock_reads;
	atomic_long_t clock_busy;	/* not published, odd, or in the future */
	atomic_long_t clock_invalid;	/* garbage: the clock is disabled */
	atomic_long_t pairing_reads;
	atomic_long_t pairing_busy;
	atomic_long_t pairing_invalid;	/* garbage: the pairing is disabled */
	atomic_long_t calib_sent;
	atomic_long_t calib_answered;
	atomic_long_t calib_timeouts;
	atomic_long_t calib_errors;	/* malformed answers, disagreeing records */
	atomic_long_t clock_kicks;	/* host asked for calibration */
};

/*
 * The consumer side of the entropy ring. @cons is the guest's own index:
 * the copy in shared memory is only published, never read back.
 */
struct pvhost_ring {
	struct pvhost_entropy *hdr;	/* shared: prod is read, cons written */
	const u8 *data;			/* shared: @size bytes */
	u32 size;			/* validated power of 2 */
	u32 cons;			/* private */
	bool broken;			/* sticky: reads return -EIO */
};

/* What the header validation found usable (from the private copy). */
struct pvhost_layout {
	bool pressure;			/* F_PRESSURE with a valid area */
	bool entropy;			/* F_ENTROPY with a valid area */
	bool clock;			/* F_CLOCK, vCPU records and a mailbox */
	bool pairing;			/* F_CLOCK_PAIRING with a valid area */
	bool mailbox;			/* F_MAILBOX with a valid area */
	bool numa;			/* F_NUMA_HINT or _TOPO, valid area */
};

/* The guest side of the mailbox (mbox.c). */
struct pvhost_mbox {
	struct pvhost_mailbox *mb;	/* shared; NULL: detached */
	void (*ring)(struct pvhost_mbox *m);	/* the host's doorbell */
	unsigned int timeout_ms;
	bool irq;			/* answers raise an interrupt */
	struct mutex lock;		/* one request at a time; mb */
	struct completion done;		/* the mailbox interrupt came */
	u32 seq;			/* private: the last request's number */
	atomic_long_t calls;
	atomic_long_t timeouts;
	atomic_long_t malformed;
};

void pvhost_mbox_init(struct pvhost_mbox *m, void (*ring)(struct pvhost_mbox *),
		      unsigned int timeout_ms);
void pvhost_mbox_attach(struct pvhost_mbox *m, struct pvhost_mailbox *mb);
int pvhost_mbox_check(s32 status, u32 len, u32 resp_max);
void pvhost_mbox_answered(struct pvhost_mbox *m);
int pvhost_mbox_call(struct pvhost_mbox *m, u32 op, const void *req, u32 len,
		     void *resp, u32 resp_max, u32 *resp_len);

/*
 * Getting back to a host that went away (generation changed, STOPPING,
 * header destroyed): the header is tried again after a delay that starts
 * at PVHOST_RECOVER_MIN_MS and doubles up to PVHOST_RECOVER_MAX_MS while
 * the tries fail, and keeps doubling when the host goes away again within
 * PVHOST_RECOVER_STABLE_MS of coming back, so that a host flipping its
 * generation cannot make the guest re-register more often than that.
 */
#define PVHOST_RECOVER_MIN_MS		250U
#define PVHOST_RECOVER_MAX_MS		4000U
#define PVHOST_RECOVER_STABLE_MS	10000U

unsigned int pvhost_recover_delay(unsigned int prev_ms, bool failed_again);

const char *pvhost_header_check(const struct pvhost_header *h, u64 bar_size,
				struct pvhost_layout *lay);
int pvhost_pressure_get(const struct pvhost_pressure *g, u32 *level, u32 *seq,
			struct pvhost_stats *st);
void pvhost_ring_init(struct pvhost_ring *r, void *region,
		      const struct pvhost_header *h);
ssize_t pvhost_ring_read(struct pvhost_ring *r, void *buf, size_t len,
			 struct pvhost_stats *st);

/* clock.c: calibration exchanges, the records and the pairing. */
#define PVHOST_CLOCK_BURST	8	/* exchanges at probe */
#define PVHOST_CLOCK_BURST_MS	20	/* apart */
#define PVHOST_CLOCK_PERIOD_MS	1000	/* then one a second, growing */
#define PVHOST_CLOCK_MAX_MS_DEFAULT	16000	/* while the records hold */
#define PVHOST_CLOCK_MAX_MS_LIMIT	600000
/* How far a record may put an answer outside its exchange (1 s). */
#define PVHOST_CLOCK_AGREE_NS	1000000000ULL

struct device;
struct pvclock_vcpu_time_info;
struct pvhc_clock_pairing;

struct pvhost_clock {
	struct device *dev;
	const struct pvhost_header *hdr;	/* shared */
	u32 generation;			/* of the validated copy */
	struct pvhost_vcpu *vcpus;	/* shared: nr_vcpus records */
	u32 nr_vcpus;
	struct pvhost_clock_pairing *pairing;	/* shared; NULL: absent */
	struct pvhost_mbox *mbox;	/* the driver's mailbox */
	struct pvhost_stats *st;
	struct mutex lock;		/* one exchange at a time */
	u64 prev_after;			/* TSC when the last answer was seen */
	u64 last_rtt;			/* TSC ticks */
	bool ready;
	bool disabled;			/* records were garbage: sticky */
	bool pairing_disabled;		/* the pairing was: sticky */
	struct delayed_work work;
	/* the calibration's pace; kick_lock also orders kicks against stop */
	spinlock_t kick_lock;
	bool running;			/* work queued, kicks allowed */
	u32 period_ms;			/* until the next exchange */
	unsigned long last_exchange;	/* jiffies */
	u32 seen_version;		/* vCPU 0's record version then */
};

u64 pvhost_clock_scale(u64 delta, u32 mul, s8 shift);
int pvhost_clock_copy(const struct pvhost_time_info *t,
		      struct pvhost_time_info *out);
int pvhost_clock_validate(const struct pvhost_time_info *r, u64 tsc,
			  const char **why);
int pvhost_clock_get(struct pvhost_clock *c, unsigned int cpu, u64 tsc,
		     struct pvhost_time_info *out);
int pvhost_pairing_get(struct pvhost_clock *c, struct pvhc_clock_pairing *out);
int pvhost_calib_window(const struct pvhost_time_info *r, u64 before,
			u64 after, u64 host_ns);
int pvhost_calib_answer(const struct pvhost_calibrate *ans, u32 len,
			u64 before);
u32 pvhost_clock_next_period(u32 period_ms, bool steady, u32 max_ms);
void pvhost_clock_kick(struct pvhost_clock *c);
int pvhost_clock_setup(struct pvhost_clock *c, struct device *dev,
		       void *region, const struct pvhost_header *h,
		       struct pvhost_mbox *mbox, struct pvhost_stats *st);
void pvhost_clock_start(struct pvhost_clock *c);
void pvhost_clock_stop(struct pvhost_clock *c);
int pvhost_clock_record(struct pvhost_clock *c, unsigned int cpu,
			const struct pvclock_vcpu_time_info **rec);
int pvhost_clock_now(struct pvhost_clock *c, u64 *ns, u32 *version);

/* numa.c: the hint queue and the topology. */
struct pvhc_numa_hint;
struct pvhc_numa_info;

struct pvhost_numa_q {
	struct pvhost_numa *area;	/* shared; NULL: detached */
	u32 nr_vcpus;			/* the validated header's */
	void (*ring)(struct pvhost_numa_q *q);	/* the host's doorbell */
	struct mutex lock;		/* slots, ids */
	u32 seq;			/* private: the last id's sequence */
	int id[PVHOST_NUMA_HINT_SLOTS];	/* private: id queued per slot */
	bool done[PVHOST_NUMA_HINT_SLOTS];	/* its answer was collected */
	wait_queue_head_t wq;		/* woken by the NUMA interrupt */
	atomic_long_t hints;
	atomic_long_t busy;		/* every slot waiting: -EBUSY */
	atomic_long_t invalid;		/* malformed answers */
	atomic_long_t topo_reads;
	atomic_long_t topo_busy;	/* seq odd or moving: -EAGAIN */
	atomic_long_t topo_invalid;	/* malformed topology: -EIO */
	atomic_long_t irqs;
};

/* A host's answer to a hint, as read (validated when the status is final). */
struct pvhost_numa_answer {
	u32 status;			/* PVHOST_HINT_* */
	u32 reason;			/* PVHOST_REASON_* */
	u32 host_node;
};

void pvhost_numa_init(struct pvhost_numa_q *q,
		      void (*ring)(struct pvhost_numa_q *q));
void pvhost_numa_attach(struct pvhost_numa_q *q, struct pvhost_numa *area,
			u32 nr_vcpus);
int pvhost_numa_submit(struct pvhost_numa_q *q,
		       const struct pvhc_numa_hint *hint);
int pvhost_numa_result(struct pvhost_numa_q *q, int id,
		       struct pvhost_numa_answer *res);
int pvhost_numa_topology(struct pvhost_numa_q *q, struct pvhc_numa_info *out,
			 struct pvhost_stats *st);

/* vcpu.c: the preempted flags and boost requests. */
struct pvhost_vcpus {
	struct pvhost_vcpu *recs;	/* shared: nr records */
	u32 nr;				/* validated nr_vcpus */
	struct mutex lock;		/* boost writers; recs, nr, seq */
	u32 seq[PVHOST_MAX_VCPUS];	/* private: boost_seq last written */
	atomic_long_t preempted_invalid;	/* flags neither 0 nor 1 */
	atomic_long_t boosts;
	atomic_long_t boost_unacked;	/* the previous one never acknowledged */
};

/* One record as debugfs shows it. */
struct pvhost_vcpu_view {
	u32 preempted, preempt_seq, boost, boost_seq, boost_ack;
	u32 lock_hint, lock_hint_seen;
};

int pvhost_vcpus_setup(struct pvhost_vcpus *v, void *region,
		       const struct pvhost_header *h);
int pvhost_vcpu_preempted(struct pvhost_vcpus *v, unsigned int cpu);
int pvhost_vcpu_boost(struct pvhost_vcpus *v, unsigned int cpu, bool on);
u32 *pvhost_vcpu_hint_slot(struct pvhost_vcpus *v, unsigned int cpu);
int pvhost_vcpu_hint_seen(struct pvhost_vcpus *v, unsigned int cpu, u32 *seen);
int pvhost_vcpu_snapshot(struct pvhost_vcpus *v, unsigned int cpu,
			 struct pvhost_vcpu_view *out);
int pvhost_boost_parse(const char *buf, unsigned int *cpu, bool *on);

#endif /* _PVHOST_INTERNAL_H */
