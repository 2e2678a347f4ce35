// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for pvrng.
 *
 * pvrng_health: the RCT, APT and replay tests fire on constructed bad
 * streams (stuck, biased, short-period, repeated block, replay) within the
 * documented number of samples and stay quiet on a long good stream;
 * quarantine and release follow the documented window counts.
 * pvrng_mix: with an all-zero or a fixed host stream, instances with other
 * guest seeds or other guest-local input give other output.
 * pvrng_credit: the credit policy, the confidential-computing override,
 * and a source whose answers are bad (errors, too long, short, stuck).
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "pvrng_internal.h"

/* A good stream: a fixed-seed PRNG, so a failure can be reproduced. */
static void pvrng_test_good(u8 *buf, size_t len, u64 seed)
{
	struct rnd_state st;

	prandom_seed_state(&st, seed);
	prandom_bytes_state(&st, buf, len);
}

static struct pvrng_health *pvrng_test_health(struct kunit *test)
{
	struct pvrng_health *h;

	h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, h);
	KUNIT_ASSERT_EQ(test, pvrng_health_init(h, 0x5eed), 0);
	return h;
}

/* Feed one byte at a time; the sample (1-based) at which @fail first fires. */
static size_t pvrng_test_first(struct pvrng_health *h, const u8 *buf,
			       size_t len, unsigned int fail)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (pvrng_health_feed(h, buf + i, 1) & fail)
			return i + 1;
	return 0;
}

static void pvrng_health_stuck(struct kunit *test)
{
	struct pvrng_health *h = pvrng_test_health(test);
	u8 buf[64];

	memset(buf, 0x5a, sizeof(buf));
	KUNIT_EXPECT_STREQ(test, pvrng_health_state_name(h->state), "startup");
	/* A run of C identical samples fails at the C-th. */
	KUNIT_EXPECT_EQ(test, pvrng_test_first(h, buf, sizeof(buf), PVRNG_FAIL_RCT),
			(size_t)PVRNG_RCT_CUTOFF);
	KUNIT_EXPECT_EQ(test, h->state, PVRNG_QUARANTINED);
	pvrng_health_feed(h, buf, sizeof(buf));
	/* One run, one failure; still quarantined. */
	KUNIT_EXPECT_EQ(test, h->rct_failures, 1ULL);
	KUNIT_EXPECT_EQ(test, h->quarantines, 1ULL);
	pvrng_health_destroy(h);
}

static void pvrng_health_zeros(struct kunit *test)
{
	struct pvrng_health *h = pvrng_test_health(test);
	u8 *buf = kunit_kzalloc(test, 4096, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	pvrng_health_feed(h, buf, 4096);
	KUNIT_EXPECT_EQ(test, h->state, PVRNG_QUARANTINED);
	KUNIT_EXPECT_GE(test, h->rct_failures, 1ULL);
	/* Every window of zeros fails the APT too. */
	KUNIT_EXPECT_EQ(test, h->apt_failures, 4096ULL / PVRNG_APT_WINDOW);
	KUNIT_EXPECT_EQ(test, h->good_windows, 0U);
	pvrng_health_destroy(h);
}

/* Half the samples one value, the rest varied and never equal to it. */
static void pvrng_health_biased(struct kunit *test)
{
	struct pvrng_health *h = pvrng_test_health(test);
	u8 buf[PVRNG_APT_WINDOW];
	size_t i;

	pvrng_test_good(buf, sizeof(buf), 1);
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = i % 2 ? (buf[i] == 0xaa ? 0x55 : buf[i]) : 0xaa;
	/* The window starts with 0xaa: its C-th occurrence is sample 2C - 1. */
	KUNIT_EXPECT_EQ(test, pvrng_test_first(h, buf, sizeof(buf), PVRNG_FAIL_APT),
			(size_t)(2 * PVRNG_APT_CUTOFF - 1));
	KUNIT_EXPECT_EQ(test, h->rct_failures, 0ULL);
	KUNIT_EXPECT_EQ(test, h->state, PVRNG_QUARANTINED);
	pvrng_health_destroy(h);
}

/* Period 3: the APT fires within 3C samples, the replay test sooner. */
static void pvrng_health_short_period(struct kunit *test)
{
	struct pvrng_health *h = pvrng_test_health(test);
	static const u8 pat[3] = { 0x13, 0x37, 0xc4 };
	u8 buf[3 * PVRNG_APT_CUTOFF];
	size_t i, at;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = pat[i % 3];
	at = pvrng_test_first(h, buf, sizeof(buf), PVRNG_FAIL_REPLAY);
	KUNIT_EXPECT_GT(test, at, (size_t)0);
	KUNIT_EXPECT_LE(test, at, (size_t)24);
	pvrng_health_destroy(h);

	h = pvrng_test_health(test);
	KUNIT_EXPECT_EQ(test, pvrng_test_first(h, buf, sizeof(buf), PVRNG_FAIL_APT),
			(size_t)(3 * (PVRNG_APT_CUTOFF - 1) + 1));
	KUNIT_EXPECT_EQ(test, h->rct_failures, 0ULL);
	pvrng_health_destroy(h);
}

/* A random 64-byte block repeated (pvhostd's "repeat" fault). */
static void pvrng_health_repeat_block(struct kunit *test)
{
	struct pvrng_health *h = pvrng_test_health(test);
	u8 blk[64], buf[4 * 64];
	size_t i, at;

	pvrng_test_good(blk, sizeof(blk), 2);
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = blk[i % sizeof(blk)];
	at = pvrng_test_first(h, buf, sizeof(buf), PVRNG_FAIL_REPLAY);
	KUNIT_EXPECT_GT(test, at, (size_t)sizeof(blk));
	KUNIT_EXPECT_LE(test, at, (size_t)(sizeof(blk) + 16));
	KUNIT_EXPECT_EQ(test, h->state, PVRNG_QUARANTINED);
	pvrng_health_destroy(h);
}

/* Earlier output replayed later, at an unaligned offset ("replay" fault). */
static void pvrng_health_replay(struct kunit *test)
{
	struct pvrng_health *h = pvrng_test_health(test);
	size_t len = 4096, at;
	u8 *buf = kunit_kmalloc(test, 2 * len, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	pvrng_test_good(buf, len, 3);
	memcpy(buf + len, buf + 13, len - 13);
	KUNIT_EXPECT_EQ(test, pvrng_health_feed(h, buf, len), 0U);
	KUNIT_EXPECT_EQ(test, h->state, PVRNG_HEALTHY);
	/* A remembered word every 8 bytes: one of the first few is still there. */
	at = pvrng_test_first(h, buf + len, len - 13, PVRNG_FAIL_REPLAY);
	KUNIT_EXPECT_GT(test, at, (size_t)0);
	KUNIT_EXPECT_LE(test, at, (size_t)32);
	KUNIT_EXPECT_EQ(test, h->state, PVRNG_QUARANTINED);
	pvrng_health_destroy(h);
}

/* 4 MiB of good stream: no false alarm (expected ~2^-10 at these cutoffs). */
static void pvrng_health_good(struct kunit *test)
{
	struct pvrng_health *h = pvrng_test_health(test);
	size_t chunk = 64 * 1024, i;
	struct rnd_state st;
	u8 *buf = kunit_kmalloc(test, chunk, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	prandom_seed_state(&st, 4);
	for (i = 0; i < 64; i++) {
		prandom_bytes_state(&st, buf, chunk);
		KUNIT_ASSERT_EQ(test, pvrng_health_feed(h, buf, chunk), 0U);
	}
	KUNIT_EXPECT_EQ(test, h->samples, 64ULL * chunk);
	KUNIT_EXPECT_EQ(test, h->quarantines, 0ULL);
	KUNIT_EXPECT_EQ(test, h->state, PVRNG_HEALTHY);
	pvrng_health_destroy(h);
}

/* Startup after 2 clean windows; release after 64 clean windows in a row. */
static void pvrng_health_release(struct kunit *test)
{
	struct pvrng_health *h = pvrng_test_health(test);
	u8 *buf = kunit_kmalloc(test, PVRNG_APT_WINDOW, GFP_KERNEL);
	u8 stuck[PVRNG_RCT_CUTOFF];
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	pvrng_test_good(buf, PVRNG_APT_WINDOW, 5);
	pvrng_health_feed(h, buf, PVRNG_APT_WINDOW);
	KUNIT_EXPECT_EQ(test, h->state, PVRNG_STARTUP);
	pvrng_test_good(buf, PVRNG_APT_WINDOW, 6);
	pvrng_health_feed(h, buf, PVRNG_APT_WINDOW);
	KUNIT_EXPECT_EQ(test, h->state, PVRNG_HEALTHY);

	/* A stuck run in the middle of a window, the rest of it good. */
	memset(stuck, 0, sizeof(stuck));
	pvrng_test_good(buf, PVRNG_APT_WINDOW, 7);
	pvrng_health_feed(h, buf, 100);
	pvrng_health_feed(h, stuck, sizeof(stuck));
	pvrng_health_feed(h, buf + 100 + sizeof(stuck),
			  PVRNG_APT_WINDOW - 100 - sizeof(stuck));
	KUNIT_EXPECT_EQ(test, h->state, PVRNG_QUARANTINED);
	KUNIT_EXPECT_EQ(test, h->good_windows, 0U);
	for (i = 1; i < PVRNG_RELEASE_WINDOWS; i++) {
		pvrng_test_good(buf, PVRNG_APT_WINDOW, 100 + i);
		KUNIT_ASSERT_EQ(test, pvrng_health_feed(h, buf, PVRNG_APT_WINDOW), 0U);
		KUNIT_ASSERT_EQ(test, h->state, PVRNG_QUARANTINED);
	}
	pvrng_test_good(buf, PVRNG_APT_WINDOW, 99);
	pvrng_health_feed(h, buf, PVRNG_APT_WINDOW);
	KUNIT_EXPECT_EQ(test, h->good_windows, (u32)PVRNG_RELEASE_WINDOWS);
	KUNIT_EXPECT_EQ(test, h->state, PVRNG_HEALTHY);
	KUNIT_EXPECT_EQ(test, h->quarantines, 1ULL);
	pvrng_health_destroy(h);
}

static struct kunit_case pvrng_health_cases[] = {
	KUNIT_CASE(pvrng_health_stuck),
	KUNIT_CASE(pvrng_health_zeros),
	KUNIT_CASE(pvrng_health_biased),
	KUNIT_CASE(pvrng_health_short_period),
	KUNIT_CASE(pvrng_health_repeat_block),
	KUNIT_CASE(pvrng_health_replay),
	KUNIT_CASE_SLOW(pvrng_health_good),
	KUNIT_CASE(pvrng_health_release),
	{}
};

static struct kunit_suite pvrng_health_suite = {
	.name = "pvrng_health",
	.test_cases = pvrng_health_cases,
};

static void pvrng_test_mixer(struct pvrng_mixer *m, u8 seed_byte)
{
	u8 seed[32];

	memset(seed, seed_byte, sizeof(seed));
	pvrng_mixer_init(m, seed, sizeof(seed));
}

/* All-zero host stream: other guest seeds, other output. */
static void pvrng_mix_zero_host(struct kunit *test)
{
	struct pvrng_mixer a, b, c;
	u8 host[32] = {}, local[24] = {};
	u8 oa[PVRNG_BLOCK], ob[PVRNG_BLOCK], oc[PVRNG_BLOCK];

	pvrng_test_mixer(&a, 1);
	pvrng_test_mixer(&b, 2);
	pvrng_test_mixer(&c, 1);
	pvrng_mix(&a, host, sizeof(host), local, sizeof(local), oa);
	pvrng_mix(&b, host, sizeof(host), local, sizeof(local), ob);
	pvrng_mix(&c, host, sizeof(host), local, sizeof(local), oc);
	KUNIT_EXPECT_MEMNEQ(test, oa, ob, sizeof(oa));
	/* Same seed, same inputs: the same output; the difference is the seed's. */
	KUNIT_EXPECT_MEMEQ(test, oa, oc, sizeof(oa));
}

/* A fixed, replayed host stream with the same seed: local input decides. */
static void pvrng_mix_replayed_host(struct kunit *test)
{
	struct pvrng_mixer a, b;
	u8 host[32], la[24] = {}, lb[24] = {};
	u8 oa[PVRNG_BLOCK], ob[PVRNG_BLOCK], prev[PVRNG_BLOCK];
	int i;

	pvrng_test_good(host, sizeof(host), 8);
	pvrng_test_mixer(&a, 3);
	pvrng_test_mixer(&b, 3);
	lb[0] = 1;
	pvrng_mix(&a, host, sizeof(host), la, sizeof(la), oa);
	pvrng_mix(&b, host, sizeof(host), lb, sizeof(lb), ob);
	KUNIT_EXPECT_MEMNEQ(test, oa, ob, sizeof(oa));
	/* The same inputs again give new output. */
	for (i = 0; i < 4; i++) {
		memcpy(prev, oa, sizeof(oa));
		pvrng_mix(&a, host, sizeof(host), la, sizeof(la), oa);
		KUNIT_EXPECT_MEMNEQ(test, oa, prev, sizeof(oa));
	}
}

/*
 * The key ratchets: it changes at every block and absorbs the block's
 * inputs, so two mixers with the same seed that saw different inputs once
 * give different output for the same inputs at the same counter ever
 * after (the counter alone cannot do that), and a later key is not an
 * earlier one.
 */
static void pvrng_mix_ratchet(struct kunit *test)
{
	struct pvrng_mixer a, b;
	u8 host[32], la[24] = {}, lb[24] = {};
	u8 oa[PVRNG_BLOCK], ob[PVRNG_BLOCK], key0[BLAKE2S_KEY_SIZE];
	int i;

	pvrng_test_good(host, sizeof(host), 10);
	pvrng_test_mixer(&a, 5);
	pvrng_test_mixer(&b, 5);
	memcpy(key0, a.key, sizeof(key0));
	lb[0] = 1;
	/* One block with different local bytes... */
	pvrng_mix(&a, host, sizeof(host), la, sizeof(la), oa);
	pvrng_mix(&b, host, sizeof(host), lb, sizeof(lb), ob);
	KUNIT_EXPECT_MEMNEQ(test, a.key, key0, sizeof(key0));
	KUNIT_EXPECT_MEMNEQ(test, a.key, b.key, sizeof(a.key));
	/* ...then the same inputs at the same counters: still different. */
	for (i = 0; i < 4; i++) {
		KUNIT_ASSERT_EQ(test, a.counter, b.counter);
		memcpy(key0, a.key, sizeof(key0));
		pvrng_mix(&a, host, sizeof(host), la, sizeof(la), oa);
		pvrng_mix(&b, host, sizeof(host), la, sizeof(la), ob);
		KUNIT_EXPECT_MEMNEQ(test, oa, ob, sizeof(oa));
		KUNIT_EXPECT_MEMNEQ(test, a.key, key0, sizeof(key0));
	}
	pvrng_mixer_destroy(&a);
	pvrng_mixer_destroy(&b);
}

/* Host and local bytes cannot trade places to give the same output. */
static void pvrng_mix_framing(struct kunit *test)
{
	struct pvrng_mixer a, b;
	u8 bytes[48], oa[PVRNG_BLOCK], ob[PVRNG_BLOCK];

	pvrng_test_good(bytes, sizeof(bytes), 9);
	pvrng_test_mixer(&a, 4);
	pvrng_test_mixer(&b, 4);
	pvrng_mix(&a, bytes, 16, bytes + 16, 32, oa);
	pvrng_mix(&b, bytes, 32, bytes + 32, 16, ob);
	KUNIT_EXPECT_MEMNEQ(test, oa, ob, sizeof(oa));
}

static struct kunit_case pvrng_mix_cases[] = {
	KUNIT_CASE(pvrng_mix_zero_host),
	KUNIT_CASE(pvrng_mix_replayed_host),
	KUNIT_CASE(pvrng_mix_ratchet),
	KUNIT_CASE(pvrng_mix_framing),
	{}
};

static struct kunit_suite pvrng_mix_suite = {
	.name = "pvrng_mix",
	.test_cases = pvrng_mix_cases,
};

static void pvrng_credit_policy(struct kunit *test)
{
	/* The default credit is 0. */
	KUNIT_EXPECT_EQ(test, pvrng_credit_bits(0, false, 32), 0U);
	KUNIT_EXPECT_EQ(test, pvrng_credit_bits(128, false, 32), 128U);
	/* Never more than 8 bits per healthy host byte... */
	KUNIT_EXPECT_EQ(test, pvrng_credit_bits(256, false, 8), 64U);
	KUNIT_EXPECT_EQ(test, pvrng_credit_bits(256, false, 0), 0U);
	/* ...nor more than a block. */
	KUNIT_EXPECT_EQ(test, pvrng_credit_bits(1000, false, 96), 256U);
	/* A confidential-computing guest credits nothing. */
	KUNIT_EXPECT_EQ(test, pvrng_credit_bits(256, true, 96), 0U);
	KUNIT_EXPECT_EQ(test, pvrng_credit_bits(1, true, 1), 0U);
}

/* A fake host: a mode and a fill byte. */
enum pvrng_fake_mode { FAKE_GOOD, FAKE_ZEROS, FAKE_ERROR, FAKE_TOO_LONG,
		       FAKE_SHORT, FAKE_EMPTY };

struct pvrng_fake {
	enum pvrng_fake_mode mode;
	struct rnd_state st;
	bool present;
};

static ssize_t pvrng_fake_fetch(void *priv, u8 *buf, size_t len)
{
	struct pvrng_fake *f = priv;

	switch (f->mode) {
	case FAKE_GOOD:
		prandom_bytes_state(&f->st, buf, len);
		return len;
	case FAKE_ZEROS:
		memset(buf, 0, len);
		return len;
	case FAKE_ERROR:
		return -EIO;
	case FAKE_TOO_LONG:
		memset(buf, 0x11, len);
		return len + 100;
	case FAKE_SHORT:
		prandom_bytes_state(&f->st, buf, len / 2);
		return len / 2;
	case FAKE_EMPTY:
		return 0;
	}
	return -EINVAL;
}

static bool pvrng_fake_present(void *priv)
{
	return ((struct pvrng_fake *)priv)->present;
}

struct pvrng_test_ctx {
	struct pvrng_ctx c;
	struct pvrng_source s;
	struct pvrng_fake f;
};

static struct pvrng_test_ctx *pvrng_test_ctx(struct kunit *test)
{
	struct pvrng_test_ctx *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	pvrng_test_mixer(&t->c.mixer, 5);
	t->s.name = "fake";
	t->s.fetch = pvrng_fake_fetch;
	t->s.present = pvrng_fake_present;
	t->s.priv = &t->f;
	t->f.present = true;
	prandom_seed_state(&t->f.st, 10);
	KUNIT_ASSERT_EQ(test, pvrng_health_init(&t->s.health, 77), 0);
	t->c.src[0] = &t->s;
	t->c.nr_src = 1;
	return t;
}

/* Run @n blocks with the full credit asked; return the bits credited. */
static u64 pvrng_test_blocks(struct pvrng_test_ctx *t, unsigned int n,
			     bool cc)
{
	size_t healthy[PVRNG_MAX_SOURCES];
	u8 local[8] = {}, out[PVRNG_BLOCK];
	u64 bits = 0;

	while (n--) {
		pvrng_ctx_block(&t->c, local, sizeof(local), out, healthy);
		bits += pvrng_ctx_credit(&t->c, PVRNG_BLOCK_BITS, cc, healthy);
	}
	return bits;
}

static void pvrng_credit_sources(struct kunit *test)
{
	struct pvrng_test_ctx *t = pvrng_test_ctx(test);
	unsigned int startup = PVRNG_STARTUP_WINDOWS * PVRNG_APT_WINDOW /
			       PVRNG_SOURCE_CHUNK;
	u64 bits;

	/* Nothing credited during startup, then full credit. */
	KUNIT_EXPECT_EQ(test, pvrng_test_blocks(t, startup, false), 0ULL);
	KUNIT_EXPECT_STREQ(test, pvrng_source_state(&t->s), "healthy");
	KUNIT_EXPECT_EQ(test, pvrng_test_blocks(t, 10, false),
			10ULL * PVRNG_BLOCK_BITS);
	/* Healthy but a confidential-computing guest: nothing. */
	KUNIT_EXPECT_EQ(test, pvrng_test_blocks(t, 10, true), 0ULL);

	/* Zeros: quarantined, mixed, never credited. */
	t->f.mode = FAKE_ZEROS;
	bits = t->s.bits_credited;
	KUNIT_EXPECT_EQ(test, pvrng_test_blocks(t, 100, false), 0ULL);
	KUNIT_EXPECT_STREQ(test, pvrng_source_state(&t->s), "quarantined");
	KUNIT_EXPECT_EQ(test, t->s.bits_credited, bits);
	KUNIT_EXPECT_EQ(test, t->c.bytes_mixed,
			(startup + 120ULL) * PVRNG_SOURCE_CHUNK);

	/* Bad answers: bounded, counted, no bytes, no credit. */
	t->f.mode = FAKE_TOO_LONG;
	KUNIT_EXPECT_EQ(test, pvrng_test_blocks(t, 3, false), 0ULL);
	KUNIT_EXPECT_EQ(test, t->s.errors, 3ULL);
	KUNIT_EXPECT_EQ(test, t->s.last_error, -E2BIG);
	t->f.mode = FAKE_ERROR;
	KUNIT_EXPECT_EQ(test, pvrng_test_blocks(t, 2, false), 0ULL);
	KUNIT_EXPECT_EQ(test, t->s.errors, 5ULL);
	KUNIT_EXPECT_EQ(test, t->s.last_error, -EIO);
	KUNIT_EXPECT_EQ(test, t->c.bytes_mixed,
			(startup + 120ULL) * PVRNG_SOURCE_CHUNK);
	t->f.mode = FAKE_EMPTY;
	KUNIT_EXPECT_EQ(test, pvrng_test_blocks(t, 2, false), 0ULL);
	KUNIT_EXPECT_EQ(test, t->s.empty, 7ULL);
	/* Short reads are used, counted and, once released, credited. */
	t->f.mode = FAKE_SHORT;
	pvrng_test_blocks(t, PVRNG_RELEASE_WINDOWS * PVRNG_APT_WINDOW /
			  (PVRNG_SOURCE_CHUNK / 2) + 32, false);
	KUNIT_EXPECT_STREQ(test, pvrng_source_state(&t->s), "healthy");
	KUNIT_EXPECT_EQ(test, pvrng_test_blocks(t, 1, false),
			8ULL * PVRNG_SOURCE_CHUNK / 2);
	KUNIT_EXPECT_GT(test, t->s.short_reads, 0ULL);
	/* An absent source is not asked. */
	t->f.present = false;
	bits = t->s.fetches;
	KUNIT_EXPECT_EQ(test, pvrng_test_blocks(t, 2, false), 0ULL);
	KUNIT_EXPECT_EQ(test, t->s.fetches, bits);
	KUNIT_EXPECT_STREQ(test, pvrng_source_state(&t->s), "absent");
	KUNIT_EXPECT_EQ(test, t->c.bits_credited, t->s.bits_credited);
	pvrng_health_destroy(&t->s.health);
}

static struct kunit_case pvrng_credit_cases[] = {
	KUNIT_CASE(pvrng_credit_policy),
	KUNIT_CASE(pvrng_credit_sources),
	{}
};

static struct kunit_suite pvrng_credit_suite = {
	.name = "pvrng_credit",
	.test_cases = pvrng_credit_cases,
};

kunit_test_suites(&pvrng_health_suite, &pvrng_mix_suite, &pvrng_credit_suite);

MODULE_DESCRIPTION("KUnit tests for pvrng");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_INFO(test, "Y");
