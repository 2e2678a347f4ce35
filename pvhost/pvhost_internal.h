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
#include <linux/types.h>
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
	bool mailbox;			/* F_MAILBOX with a valid area */
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

#endif /* _PVHOST_INTERNAL_H */
