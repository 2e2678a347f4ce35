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
#include <linux/mutex.h>
#include <linux/types.h>
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
	atomic_long_t calib_errors;	/* malformed answers */
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
};

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
#define PVHOST_CLOCK_PERIOD_MS	1000	/* then one every second */
#define PVHOST_CALIB_WAIT_US	250000	/* for the host's answer */

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
	struct pvhost_mailbox *mb;	/* shared */
	void __iomem *doorbell;
	u32 host_peer;
	struct pvhost_stats *st;
	struct mutex lock;		/* one exchange at a time */
	u32 seq;			/* private request sequence */
	u64 prev_after;			/* TSC when the last answer was seen */
	u64 last_rtt;			/* TSC ticks */
	bool ready;
	bool disabled;			/* records were garbage: sticky */
	bool pairing_disabled;		/* the pairing was: sticky */
	struct delayed_work work;
};

u64 pvhost_clock_scale(u64 delta, u32 mul, s8 shift);
int pvhost_clock_copy(const struct pvhost_time_info *t,
		      struct pvhost_time_info *out);
int pvhost_clock_validate(const struct pvhost_time_info *r, u64 tsc,
			  const char **why);
int pvhost_clock_get(struct pvhost_clock *c, unsigned int cpu, u64 tsc,
		     struct pvhost_time_info *out);
int pvhost_pairing_get(struct pvhost_clock *c, struct pvhc_clock_pairing *out);
void pvhost_calib_post(struct pvhost_mailbox *mb, u32 seq, u64 before,
		       u64 after);
int pvhost_calib_poll(const struct pvhost_mailbox *mb, u32 seq, u64 before);
int pvhost_clock_setup(struct pvhost_clock *c, struct device *dev,
		       void *region, const struct pvhost_header *h,
		       void __iomem *doorbell, struct pvhost_stats *st);
void pvhost_clock_start(struct pvhost_clock *c);
void pvhost_clock_stop(struct pvhost_clock *c);
int pvhost_clock_record(struct pvhost_clock *c, unsigned int cpu,
			const struct pvclock_vcpu_time_info **rec);
int pvhost_clock_now(struct pvhost_clock *c, u64 *ns, u32 *version);

#endif /* _PVHOST_INTERNAL_H */
