// SPDX-License-Identifier: GPL-2.0
/*
 * Mailbox, host side: one guest request at a time. req_seq, op and len
 * are loaded once each; the payload is copied to a private buffer before
 * it is looked at, and the answer is built there and copied back.
 */
#include <errno.h>
#include <string.h>

#include "pvhostd.h"

/**
 * pvhostd_mailbox_init - take over a freshly laid-out mailbox
 * @m: host state
 * @area: the mailbox in the region
 */
void pvhostd_mailbox_init(struct pvhostd_mailbox *m, void *area)
{
	memset(m, 0, sizeof(*m));
	m->mb = area;
	m->last_seq = 0;	/* a zeroed mailbox has nothing pending */
}

static s32 answer_calibrate(u32 len, u8 *payload,
			    u32 *resp_len, u64 now_raw_ns)
{
	struct pvhost_calibrate cal;

	if (len != sizeof(cal))
		return -EINVAL;
	memcpy(&cal, payload, sizeof(cal));
	cal.host_ns = now_raw_ns;
	memcpy(payload, &cal, sizeof(cal));
	*resp_len = sizeof(cal);
	return 0;
}

/**
 * pvhostd_mailbox_answer - validate and answer one request
 * @op: PVHOST_OP_* as the guest wrote it
 * @len: request bytes as the guest wrote it
 * @payload: a private copy of the payload, PVHOST_MAILBOX_PAYLOAD bytes;
 *	the answer is written back into it
 * @resp_len: response bytes
 * @now_raw_ns: host CLOCK_MONOTONIC_RAW for CALIBRATE
 *
 * Return: the status for the guest: 0, -EINVAL for a malformed length,
 * -EOPNOTSUPP for an unknown operation.
 */
s32 pvhostd_mailbox_answer(u32 op, u32 len, u8 *payload,
			   u32 *resp_len, u64 now_raw_ns)
{
	*resp_len = 0;
	if (len > PVHOST_MAILBOX_PAYLOAD)
		return -EINVAL;
	switch (op) {
	case PVHOST_OP_PING:
		return len ? -EINVAL : 0;
	case PVHOST_OP_CALIBRATE:
		return answer_calibrate(len, payload, resp_len, now_raw_ns);
	default:
		return -EOPNOTSUPP;
	}
}

/**
 * pvhostd_mailbox_serve - answer the pending request, if there is one
 * @m: host state
 * @now_raw_ns: host CLOCK_MONOTONIC_RAW
 *
 * A request is pending when req_seq differs from the last one answered
 * (kept privately: resp_seq is in shared memory and the guest can write
 * it). The response is complete before resp_seq is released.
 * Return: true if a request was answered and the guest should be told:
 * not when the guest said it watches resp_seq (PVHOST_MBOX_SPINNING).
 */
bool pvhostd_mailbox_serve(struct pvhostd_mailbox *m, u64 now_raw_ns)
{
	u8 payload[PVHOST_MAILBOX_PAYLOAD];
	struct pvhost_mailbox *mb = m->mb;
	struct pvhost_calibrate cal;
	u32 seq, op, len, resp_len;
	s32 status;

	seq = PVHOSTD_LOAD(mb->req_seq);
	if (seq == m->last_seq)
		return false;
	op = PVHOSTD_LOAD(mb->op);
	len = PVHOSTD_LOAD(mb->len);
	memcpy(payload, mb->payload, sizeof(payload));
	status = pvhostd_mailbox_answer(op, len, payload, &resp_len,
					now_raw_ns);
	if (!status && op == PVHOST_OP_CALIBRATE && m->clock) {
		memcpy(&cal, payload, sizeof(cal));
		pvhostd_clock_calibrate(m->clock, &cal, now_raw_ns);
	}
	if (resp_len)
		memcpy(mb->payload, payload, resp_len);
	mb->status = status;
	mb->len = resp_len;
	PVHOSTD_STORE(mb->resp_seq, seq);
	m->last_seq = seq;
	m->answered++;
	if (status)
		m->errors++;
	/*
	 * resp_seq stored, then the flag loaded: the guest clears the flag,
	 * then loads resp_seq. One of us sees the other's store.
	 */
	PVHOSTD_FENCE();
	if (PVHOSTD_LOAD(mb->flags) & PVHOST_MBOX_SPINNING) {
		m->quiet++;
		return false;
	}
	return true;
}
