// SPDX-License-Identifier: GPL-2.0
/*
 * pvhostd: a guest's work budget. Each doorbell vector a guest rings is a
 * token bucket: a service costs a token, tokens come back at a fixed rate
 * up to a burst. A guest ringing in a loop gets that rate and no more; the
 * daemon's loop stays free for the control socket and everything else.
 * Pure: the caller gives the time.
 */
#include "pvhostd.h"

#define NSEC_PER_SEC	1000000000ULL

/**
 * pvhostd_bucket_init - a full bucket
 * @b: the bucket
 * @rate: tokens a second, at least 1
 * @burst: the most it holds, at least 1
 * @now_ns: CLOCK_MONOTONIC
 */
void pvhostd_bucket_init(struct pvhostd_bucket *b, u32 rate, u32 burst,
			 u64 now_ns)
{
	b->rate = rate ? rate : 1;
	b->burst = burst ? burst : 1;
	b->tokens_ns = (u64)b->burst * NSEC_PER_SEC;
	b->last_ns = now_ns;
}

/* Tokens are kept as token-nanoseconds: rate x elapsed, no rounding. */
static void refill(struct pvhostd_bucket *b, u64 now_ns)
{
	u64 cap = (u64)b->burst * NSEC_PER_SEC;
	u64 dt;

	if (now_ns <= b->last_ns)
		return;
	dt = now_ns - b->last_ns;
	b->last_ns = now_ns;
	/* A long idle gap: full (and no overflow in rate x dt). */
	if (dt >= NSEC_PER_SEC * (u64)b->burst) {
		b->tokens_ns = cap;
		return;
	}
	b->tokens_ns += dt * b->rate;
	if (b->tokens_ns > cap)
		b->tokens_ns = cap;
}

/**
 * pvhostd_bucket_take - take one token if there is one
 * @b: the bucket
 * @now_ns: CLOCK_MONOTONIC
 * Return: true if taken
 */
bool pvhostd_bucket_take(struct pvhostd_bucket *b, u64 now_ns)
{
	refill(b, now_ns);
	if (b->tokens_ns < NSEC_PER_SEC)
		return false;
	b->tokens_ns -= NSEC_PER_SEC;
	return true;
}

/**
 * pvhostd_bucket_wait_ns - how long until a token is there
 * @b: the bucket
 * @now_ns: CLOCK_MONOTONIC
 * Return: nanoseconds, 0 if one is there now
 */
u64 pvhostd_bucket_wait_ns(struct pvhostd_bucket *b, u64 now_ns)
{
	refill(b, now_ns);
	if (b->tokens_ns >= NSEC_PER_SEC)
		return 0;
	return (NSEC_PER_SEC - b->tokens_ns + b->rate - 1) / b->rate;
}
