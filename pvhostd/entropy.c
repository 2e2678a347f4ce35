// SPDX-License-Identifier: GPL-2.0
/*
 * Entropy ring, host side. The guest's cons is untrusted: it is loaded
 * once, and a ring it claims is more than full or ahead of us is counted
 * as broken and resynchronised to it. Every write lands at an index masked
 * by the ring size, so no cons value can make us write out of bounds.
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "pvhostd.h"

static const char *const fault_names[] = {
	[PVHOSTD_ENTROPY_GOOD] = "none",
	[PVHOSTD_ENTROPY_ZEROS] = "zeros",
	[PVHOSTD_ENTROPY_REPEAT] = "repeat",
	[PVHOSTD_ENTROPY_REPLAY] = "replay",
};

/**
 * pvhostd_entropy_fault_name - the control-protocol name of a fault mode
 * @fault: the mode
 * Return: a static string
 */
const char *pvhostd_entropy_fault_name(enum pvhostd_entropy_fault fault)
{
	if ((unsigned int)fault >= ARRAY_SIZE(fault_names))
		return "?";
	return fault_names[fault];
}

/* getrandom(2); the unit tests put a failing one here. */
ssize_t (*pvhostd_getrandom)(void *buf, size_t len, unsigned int flags) =
	getrandom;

/*
 * @len random bytes. Return: 0, or -1 when the kernel gives none (a
 * seccomp filter, an old kernel): interruptions are retried, nothing else.
 */
static int random_bytes(u8 *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = pvhostd_getrandom(buf, len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= n;
	}
	return 0;
}

/**
 * pvhostd_entropy_init - take over a freshly laid-out ring
 * @e: host state
 * @area: the ring header in the region, followed by @size data bytes
 * @size: data bytes, a power of 2
 */
void pvhostd_entropy_init(struct pvhostd_entropy *e, void *area, u32 size)
{
	memset(e, 0, sizeof(*e));
	e->ring = area;
	e->data = (u8 *)area + sizeof(struct pvhost_entropy);
	e->size = size;
	/* the repeat fault's block: any bytes do if there are no random ones */
	if (random_bytes(e->block, sizeof(e->block)))
		e->errors++;
}

/**
 * pvhostd_entropy_set_fault - choose what the next fills produce
 * @e: host state
 * @fault: PVHOSTD_ENTROPY_GOOD for getrandom(), or an injected fault
 */
void pvhostd_entropy_set_fault(struct pvhostd_entropy *e,
			       enum pvhostd_entropy_fault fault)
{
	e->fault = fault;
	e->replay_pos = 0;
}

static void remember(struct pvhostd_entropy *e, const u8 *buf,
		     u32 len)
{
	u32 keep;

	if (len >= PVHOSTD_REPLAY_SIZE) {
		memcpy(e->history, buf + len - PVHOSTD_REPLAY_SIZE,
		       PVHOSTD_REPLAY_SIZE);
		e->history_len = PVHOSTD_REPLAY_SIZE;
		return;
	}
	keep = PVHOSTD_REPLAY_SIZE - len;
	if (keep > e->history_len)
		keep = e->history_len;
	memmove(e->history, e->history + e->history_len - keep, keep);
	memcpy(e->history + keep, buf, len);
	e->history_len = keep + len;
}

static void produce_pattern(struct pvhostd_entropy *e, u8 *buf,
			    u32 len, const u8 *src, u32 src_len)
{
	u32 i;

	for (i = 0; i < len; i++) {
		buf[i] = src[e->replay_pos % src_len];
		e->replay_pos = (e->replay_pos + 1) % src_len;
	}
}

/* Return: 0, or -1 when there are no random bytes to give. */
static int produce(struct pvhostd_entropy *e, u8 *buf, u32 len)
{
	switch (e->fault) {
	case PVHOSTD_ENTROPY_ZEROS:
		memset(buf, 0, len);
		break;
	case PVHOSTD_ENTROPY_REPEAT:
		produce_pattern(e, buf, len, e->block, sizeof(e->block));
		break;
	case PVHOSTD_ENTROPY_REPLAY:
		if (e->history_len) {
			produce_pattern(e, buf, len, e->history,
					e->history_len);
			break;
		}
		/* nothing produced yet to replay: replay the fixed block */
		produce_pattern(e, buf, len, e->block, sizeof(e->block));
		break;
	default:
		if (random_bytes(buf, len))
			return -1;
		remember(e, buf, len);
		break;
	}
	return 0;
}

/* How many bytes may be written; resynchronises a broken ring. */
static u32 entropy_room(struct pvhostd_entropy *e)
{
	u32 cons = PVHOSTD_LOAD(e->ring->cons);
	u32 used = e->prod - cons;

	if (used > e->size) {
		/* cons ahead of prod, or more than a ring behind */
		e->broken++;
		e->prod = cons;
		used = 0;
	}
	return e->size - used;
}

/**
 * pvhostd_entropy_fill - top the ring up
 * @e: host state
 *
 * Writes the free space (at most size bytes, each at prod masked by the
 * size), then publishes prod with release ordering. When the kernel gives
 * no random bytes, nothing more is written (never zeros or old bytes in
 * their place) and the failure is counted in @e->errors.
 * Return: bytes written; nonzero means the guest should be told.
 */
u32 pvhostd_entropy_fill(struct pvhostd_entropy *e)
{
	u8 buf[PVHOSTD_REPLAY_SIZE];
	u32 room = entropy_room(e);
	u32 done = 0, chunk, i;

	while (done < room) {
		chunk = room - done;
		if (chunk > sizeof(buf))
			chunk = sizeof(buf);
		if (produce(e, buf, chunk)) {
			e->errors++;
			break;
		}
		for (i = 0; i < chunk; i++)
			e->data[(e->prod + done + i) & (e->size - 1)] = buf[i];
		done += chunk;
	}
	if (!done)
		return 0;
	e->prod += done;
	PVHOSTD_STORE(e->ring->prod, e->prod);
	e->bytes += done;
	e->fills++;
	return done;
}
