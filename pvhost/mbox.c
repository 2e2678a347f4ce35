// SPDX-License-Identifier: GPL-2.0
/*
 * pvhost: the guest side of the mailbox, one request at a time.
 *
 * The guest writes op, len and payload, publishes req_seq and rings the
 * host; the host answers in status, len and payload and sets resp_seq to
 * req_seq. Nothing of the answer is trusted: the wait is bounded, an
 * answer for another request is not the answer, and an answer whose
 * status or length is out of range is rejected and counted. The guest's
 * sequence number is private and never read back from shared memory.
 *
 * Like shm.c this knows nothing of PCI: the doorbell is a callback, so
 * that KUnit can play the host.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/compiler.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/errno.h>
#include <linux/jiffies.h>
#include <linux/kasan-checks.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <asm/barrier.h>
#include <kunit/visibility.h>

#include "pvhost_internal.h"

#define PVHOST_MBOX_SPINS	20	/* 5 us each before sleeping */

/**
 * pvhost_mbox_init - set up the guest side of a mailbox, detached
 * @m: the mailbox state
 * @ring: rings the host's mailbox doorbell
 * @timeout_ms: how long a call waits for its answer
 */
void pvhost_mbox_init(struct pvhost_mbox *m, void (*ring)(struct pvhost_mbox *),
		      unsigned int timeout_ms)
{
	memset(m, 0, sizeof(*m));
	mutex_init(&m->lock);
	init_completion(&m->done);
	m->ring = ring;
	m->timeout_ms = timeout_ms;
}
EXPORT_SYMBOL_IF_KUNIT(pvhost_mbox_init);

/**
 * pvhost_mbox_attach - point the mailbox at a (new) area, or detach it
 * @m: the mailbox state
 * @mb: the area in the validated layout; NULL: no mailbox
 *
 * Waits for a call in flight to end. The sequence number carries on past
 * the area's last request (a rebound driver finds the region as its
 * predecessor left it), so that an answer the host gave to an earlier
 * request is never taken for the answer to a new one. The number read is
 * only a starting point: any value is safe.
 */
void pvhost_mbox_attach(struct pvhost_mbox *m, struct pvhost_mailbox *mb)
{
	mutex_lock(&m->lock);
	m->mb = mb;
	if (mb)
		m->seq = max(m->seq, READ_ONCE(mb->req_seq));
	mutex_unlock(&m->lock);
}
EXPORT_SYMBOL_IF_KUNIT(pvhost_mbox_attach);

/**
 * pvhost_mbox_check - validate an answer's status and length
 * @status: as read once from the mailbox
 * @len: as read once from the mailbox
 * @resp_max: the room the caller has for the response
 *
 * Return: 0 if the answer is well formed; -EPROTO for a status that is
 * neither 0 nor a -errno, or a length beyond the payload or @resp_max.
 */
int pvhost_mbox_check(s32 status, u32 len, u32 resp_max)
{
	if (status > 0 || status < -MAX_ERRNO)
		return -EPROTO;
	if (len > PVHOST_MAILBOX_PAYLOAD || len > resp_max)
		return -EPROTO;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(pvhost_mbox_check);

/**
 * pvhost_mbox_answered - the host raised the mailbox interrupt
 * @m: the mailbox state
 *
 * Context: any, including hard interrupts. A flood only wakes the waiter,
 * which checks resp_seq itself.
 */
void pvhost_mbox_answered(struct pvhost_mbox *m)
{
	complete(&m->done);
}
EXPORT_SYMBOL_IF_KUNIT(pvhost_mbox_answered);

/*
 * The host usually answers within tens of microseconds: a short spin
 * first, then the interrupt, or without one a look every 20 to 50 us,
 * which keeps the round trip short enough for clock calibration.
 *
 * While spinning, PVHOST_MBOX_SPINNING tells the host that no interrupt
 * is needed: an answer seen while spinning then costs no interrupt, which
 * on an idle guest would be a wake-up. Before sleeping on the interrupt
 * the flag is cleared and resp_seq read again, with a full barrier between
 * (the host stores resp_seq, then loads the flag): either this side sees
 * the answer or the host sees the flag clear and raises the vector.
 */
static bool pvhost_mbox_wait(struct pvhost_mbox *m, u32 seq)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(m->timeout_ms);
	unsigned int spins = 0;
	bool spinning = true;
	long left;

	for (;;) {
		/* Pairs with the host's release of resp_seq. */
		if (smp_load_acquire(&m->mb->resp_seq) == seq)
			return true;
		left = (long)(deadline - jiffies);
		if (left <= 0)
			return false;
		if (spins < PVHOST_MBOX_SPINS) {
			spins++;
			udelay(5);
		} else if (READ_ONCE(m->irq)) {
			if (spinning) {
				spinning = false;
				WRITE_ONCE(m->mb->flags, 0);
				smp_mb();	/* flag cleared, then resp_seq */
				continue;
			}
			wait_for_completion_timeout(&m->done, left);
		} else {
			usleep_range(20, 50);
		}
	}
}

/**
 * pvhost_mbox_call - one request and its answer
 * @m: the mailbox state, attached
 * @op: PVHOST_OP_*
 * @req: @len bytes of request payload
 * @len: at most PVHOST_MAILBOX_PAYLOAD
 * @resp: room for the response payload
 * @resp_max: its size
 * @resp_len: set to the response bytes copied, on success
 *
 * Context: process context; sleeps at most the mailbox's timeout.
 * Return: the host's status (0 or -errno) for a well-formed answer;
 * -ENODEV without a mailbox; -EINVAL for a request too long;
 * -ETIMEDOUT when no answer came in time; -EPROTO for a malformed answer.
 * The last two are counted.
 */
int pvhost_mbox_call(struct pvhost_mbox *m, u32 op, const void *req, u32 len,
		     void *resp, u32 resp_max, u32 *resp_len)
{
	struct pvhost_mailbox *mb;
	u32 seq, rlen;
	s32 status;
	int ret;

	if (len > PVHOST_MAILBOX_PAYLOAD)
		return -EINVAL;
	mutex_lock(&m->lock);
	mb = m->mb;
	if (!mb) {
		ret = -ENODEV;
		goto unlock;
	}
	atomic_long_inc(&m->calls);
	seq = ++m->seq;
	if (!seq)		/* 0 is what a fresh mailbox holds */
		seq = ++m->seq;
	WRITE_ONCE(mb->op, op);
	WRITE_ONCE(mb->len, len);
	if (len)
		memcpy(mb->payload, req, len);
	reinit_completion(&m->done);
	WRITE_ONCE(mb->flags, PVHOST_MBOX_SPINNING);
	/* The request is complete before the host sees its number. */
	smp_store_release(&mb->req_seq, seq);
	m->ring(m);

	if (!pvhost_mbox_wait(m, seq)) {
		atomic_long_inc(&m->timeouts);
		pr_warn_ratelimited("mailbox: no answer to request %u (op %u) in %u ms\n",
				    seq, op, m->timeout_ms);
		ret = -ETIMEDOUT;
		goto unlock;
	}
	status = READ_ONCE(mb->status);
	rlen = READ_ONCE(mb->len);
	ret = pvhost_mbox_check(status, rlen, resp_max);
	if (ret) {
		atomic_long_inc(&m->malformed);
		pr_warn_ratelimited("mailbox: malformed answer to request %u: status %d len %u\n",
				    seq, status, rlen);
		goto unlock;
	}
	if (rlen) {
		kasan_check_read(mb->payload, rlen);
		memcpy(resp, mb->payload, rlen);
	}
	*resp_len = rlen;
	ret = status;
unlock:
	mutex_unlock(&m->lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(pvhost_mbox_call);
