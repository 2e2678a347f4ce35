// SPDX-License-Identifier: GPL-2.0
/*
 * Continuous health tests on an untrusted byte stream: the SP 800-90B
 * repetition count test (RCT) and adaptive proportion test (APT), plus a
 * replay test that neither of those catches: a host that repeats a block
 * or replays earlier output of good quality. A failure quarantines the
 * source at once; it is let back after PVRNG_RELEASE_WINDOWS clean APT
 * windows in a row. The cutoffs and their false-alarm rates are derived in
 * pvrng_internal.h and Documentation/pvrng.rst.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/hash.h>
#include <linux/slab.h>
#include <kunit/visibility.h>

#include "pvrng_internal.h"

static const char *const pvrng_health_names[] = {
	[PVRNG_STARTUP] = "startup",
	[PVRNG_HEALTHY] = "healthy",
	[PVRNG_QUARANTINED] = "quarantined",
};

/**
 * pvrng_health_state_name - the sysfs name of a health state
 * @s: the state
 * Return: a static string
 */
const char *pvrng_health_state_name(enum pvrng_health_state s)
{
	if ((unsigned int)s >= ARRAY_SIZE(pvrng_health_names))
		return "unknown";
	return pvrng_health_names[s];
}
EXPORT_SYMBOL_IF_KUNIT(pvrng_health_state_name);

/**
 * pvrng_health_init - set up the tests for one stream
 * @h: the state
 * @key: a secret of the guest's, keying the replay table's hash
 *
 * Return: 0 or -ENOMEM.
 */
int pvrng_health_init(struct pvrng_health *h, u64 key)
{
	memset(h, 0, sizeof(*h));
	h->rp_slots = kcalloc(PVRNG_REPLAY_SLOTS, sizeof(*h->rp_slots),
			      GFP_KERNEL);
	h->rp_valid = bitmap_zalloc(PVRNG_REPLAY_SLOTS, GFP_KERNEL);
	if (!h->rp_slots || !h->rp_valid) {
		pvrng_health_destroy(h);
		return -ENOMEM;
	}
	h->rp_key = key;
	h->state = PVRNG_STARTUP;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(pvrng_health_init);

/**
 * pvrng_health_destroy - free what pvrng_health_init() allocated
 * @h: the state
 */
void pvrng_health_destroy(struct pvrng_health *h)
{
	kfree(h->rp_slots);
	bitmap_free(h->rp_valid);
	h->rp_slots = NULL;
	h->rp_valid = NULL;
}
EXPORT_SYMBOL_IF_KUNIT(pvrng_health_destroy);

static void pvrng_health_fail(struct pvrng_health *h)
{
	h->window_bad = true;
	h->good_windows = 0;
	if (h->state != PVRNG_QUARANTINED) {
		h->state = PVRNG_QUARANTINED;
		h->quarantines++;
	}
}

static void pvrng_health_window_end(struct pvrng_health *h)
{
	h->windows++;
	if (h->window_bad) {
		h->window_bad = false;
		h->replay_hit = false;
		return;
	}
	h->good_windows++;
	if ((h->state == PVRNG_STARTUP &&
	     h->good_windows >= PVRNG_STARTUP_WINDOWS) ||
	    (h->state == PVRNG_QUARANTINED &&
	     h->good_windows >= PVRNG_RELEASE_WINDOWS))
		h->state = PVRNG_HEALTHY;
}

/*
 * The word ending at this sample is looked up; every eighth word is then
 * remembered. A replay of 15 bytes or more of remembered stream contains
 * a remembered word at some byte offset, whatever its alignment.
 */
static bool pvrng_replay_sample(struct pvrng_health *h, u8 b)
{
	u32 slot;
	bool hit;

	h->rp_word = h->rp_word << 8 | b;
	if (h->samples < sizeof(h->rp_word))
		return false;
	slot = hash_64(h->rp_word ^ h->rp_key, PVRNG_REPLAY_BITS);
	hit = test_bit(slot, h->rp_valid) && h->rp_slots[slot] == h->rp_word;
	if (!(h->samples % sizeof(h->rp_word))) {
		h->rp_slots[slot] = h->rp_word;
		__set_bit(slot, h->rp_valid);
	}
	return hit;
}

/**
 * pvrng_health_feed - run the tests on more of the stream
 * @h: the stream's state
 * @buf: the bytes, in stream order
 * @len: how many
 *
 * Each test counts a failure once per episode: the RCT once per run that
 * reaches the cutoff, the APT and the replay test once per window. The
 * source stays quarantined while a run or a window keeps failing.
 *
 * Return: the PVRNG_FAIL_* bits of the failures counted by this call.
 */
unsigned int pvrng_health_feed(struct pvrng_health *h, const u8 *buf,
			       size_t len)
{
	unsigned int fails = 0;
	size_t i;
	u8 b;

	for (i = 0; i < len; i++) {
		b = buf[i];
		h->samples++;

		/* Repetition count test. */
		if (h->rct_run && b == h->rct_last) {
			h->rct_run++;
			if (h->rct_run == PVRNG_RCT_CUTOFF) {
				h->rct_failures++;
				fails |= PVRNG_FAIL_RCT;
			}
			if (h->rct_run >= PVRNG_RCT_CUTOFF)
				pvrng_health_fail(h);
		} else {
			h->rct_last = b;
			h->rct_run = 1;
		}

		/* Adaptive proportion test. */
		if (!h->apt_pos) {
			h->apt_ref = b;
			h->apt_count = 1;
		} else if (b == h->apt_ref) {
			h->apt_count++;
			if (h->apt_count == PVRNG_APT_CUTOFF) {
				h->apt_failures++;
				fails |= PVRNG_FAIL_APT;
			}
			if (h->apt_count >= PVRNG_APT_CUTOFF)
				pvrng_health_fail(h);
		}

		/* Replay test. */
		if (pvrng_replay_sample(h, b)) {
			if (!h->replay_hit) {
				h->replay_hit = true;
				h->replay_failures++;
				fails |= PVRNG_FAIL_REPLAY;
			}
			pvrng_health_fail(h);
		}

		if (++h->apt_pos == PVRNG_APT_WINDOW) {
			h->apt_pos = 0;
			pvrng_health_window_end(h);
		}
	}
	return fails;
}
EXPORT_SYMBOL_IF_KUNIT(pvrng_health_feed);
