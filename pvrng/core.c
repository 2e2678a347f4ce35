// SPDX-License-Identifier: GPL-2.0
/*
 * The mixer, the credit policy and the sources, without module globals.
 *
 * Mixing: every block of output is keyed BLAKE2s over a counter, the host
 * bytes and the guest-local bytes, under a 32-byte key that only the guest
 * knows (seeded from the kernel's RNG) and that is ratcheted after every
 * block with the same inputs, so the key gains whatever entropy the inputs
 * carry and an earlier output cannot be recomputed from a later key. The
 * output is unpredictable if either the key (the guest's side) or the host
 * bytes are; the key never leaves the guest.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/string.h>
#include <kunit/visibility.h>

#include "pvrng_internal.h"

/**
 * pvrng_mixer_init - key a mixer
 * @m: the mixer
 * @seed: guest-secret bytes; hashed into the key
 * @len: their length
 */
void pvrng_mixer_init(struct pvrng_mixer *m, const u8 *seed, size_t len)
{
	blake2s(m->key, seed, NULL, sizeof(m->key), len, 0);
	m->counter = 0;
}
EXPORT_SYMBOL_IF_KUNIT(pvrng_mixer_init);

/**
 * pvrng_mixer_destroy - wipe a mixer's key
 * @m: the mixer
 */
void pvrng_mixer_destroy(struct pvrng_mixer *m)
{
	memzero_explicit(m, sizeof(*m));
}
EXPORT_SYMBOL_IF_KUNIT(pvrng_mixer_destroy);

/**
 * pvrng_mix - one block of output from host and guest-local bytes
 * @m: the mixer; its key is ratcheted
 * @host: untrusted bytes (may be NULL when @hlen is 0)
 * @hlen: their length
 * @local: guest-local bytes (RNG output, timing)
 * @llen: their length
 * @out: PVRNG_BLOCK bytes of output
 *
 * out = BLAKE2s_K(ctr || hlen || host || local || 1),
 * K' = BLAKE2s_K(ctr || hlen || host || local || 2).
 * The length field keeps host and local bytes from trading places.
 */
void pvrng_mix(struct pvrng_mixer *m, const u8 *host, size_t hlen,
	       const u8 *local, size_t llen, u8 out[PVRNG_BLOCK])
{
	static const u8 tag_out = 1, tag_key = 2;
	struct blake2s_state st, st2;
	__le64 hdr[2];

	hdr[0] = cpu_to_le64(m->counter++);
	hdr[1] = cpu_to_le64(hlen);
	blake2s_init_key(&st, PVRNG_BLOCK, m->key, sizeof(m->key));
	blake2s_update(&st, (const u8 *)hdr, sizeof(hdr));
	blake2s_update(&st, host, hlen);
	blake2s_update(&st, local, llen);
	st2 = st;
	blake2s_update(&st, &tag_out, 1);
	blake2s_final(&st, out);
	blake2s_update(&st2, &tag_key, 1);
	blake2s_final(&st2, m->key);
}
EXPORT_SYMBOL_IF_KUNIT(pvrng_mix);

/**
 * pvrng_credit_bits - the entropy to credit for one block
 * @credit: the policy: bits per PVRNG_BLOCK-byte block (the credit parameter)
 * @cc_guest: a confidential-computing guest: the host is the adversary
 * @healthy_bytes: host bytes in the block from sources that passed every
 *	health test and are not quarantined
 *
 * Only host bytes earn credit (the guest-local input came from the pool we
 * would credit), at most 8 bits each and at most a block's worth.
 *
 * Return: the bits to credit, 0 in a confidential-computing guest.
 */
unsigned int pvrng_credit_bits(unsigned int credit, bool cc_guest,
			       size_t healthy_bytes)
{
	if (cc_guest)
		return 0;
	credit = min_t(unsigned int, credit, PVRNG_BLOCK_BITS);
	return min_t(size_t, credit, healthy_bytes * 8);
}
EXPORT_SYMBOL_IF_KUNIT(pvrng_credit_bits);

/**
 * pvrng_source_state - the state sysfs shows for a source
 * @s: the source
 * Return: "absent", "stalled", or the health state's name
 */
const char *pvrng_source_state(struct pvrng_source *s)
{
	if (!s->present(s->priv))
		return "absent";
	if (s->stalled)
		return "stalled";
	return pvrng_health_state_name(s->health.state);
}
EXPORT_SYMBOL_IF_KUNIT(pvrng_source_state);

static void pvrng_source_empty(struct pvrng_source *s)
{
	s->empty++;
	if (!s->stalled &&
	    time_after(jiffies, s->last_bytes + msecs_to_jiffies(PVRNG_STALL_MS))) {
		s->stalled = true;
		s->stalls++;
		pr_warn_ratelimited("source %s stalled: no bytes for %u ms\n",
				    s->name, PVRNG_STALL_MS);
	}
}

/**
 * pvrng_source_take - take up to @len bytes from a source, health-tested
 * @s: the source
 * @buf: where to put them
 * @len: at most this many, <= PVRNG_SOURCE_CHUNK
 * @creditable: set when the bytes may earn credit: the source was healthy
 *	before them and still is after them
 *
 * The source's answer is bounded here whatever it is: an error, a count
 * above @len (the bytes are then dropped) or nothing is counted and yields
 * no bytes; a short read is counted and used. Never waits.
 *
 * Context: process; the caller serialises calls for one source.
 * Return: the bytes placed in @buf.
 */
size_t pvrng_source_take(struct pvrng_source *s, u8 *buf, size_t len,
			 bool *creditable)
{
	enum pvrng_health_state before;
	ssize_t ret;
	size_t n;

	*creditable = false;
	if (!len || !s->present(s->priv))
		return 0;
	s->fetches++;
	ret = s->fetch(s->priv, buf, len);
	if (ret < 0 || (size_t)ret > len) {
		memzero_explicit(buf, len);
		s->errors++;
		s->last_error = ret < 0 ? (int)ret : -E2BIG;
		pr_warn_ratelimited("source %s: bad fetch result %zd for %zu bytes\n",
				    s->name, ret, len);
		pvrng_source_empty(s);
		return 0;
	}
	n = ret;
	if (!n) {
		pvrng_source_empty(s);
		return 0;
	}
	if (n < len)
		s->short_reads++;
	s->stalled = false;
	s->last_bytes = jiffies;
	s->bytes += n;
	before = s->health.state;
	pvrng_health_feed(&s->health, buf, n);
	*creditable = before == PVRNG_HEALTHY &&
		      s->health.state == PVRNG_HEALTHY;
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(pvrng_source_take);

/**
 * pvrng_ctx_block - one block of mixed output
 * @c: the instance; the caller serialises
 * @local: guest-local bytes for this block
 * @llen: their length
 * @out: PVRNG_BLOCK bytes of output
 * @healthy: per source, the bytes that may earn credit
 */
void pvrng_ctx_block(struct pvrng_ctx *c, const u8 *local, size_t llen,
		     u8 out[PVRNG_BLOCK], size_t healthy[PVRNG_MAX_SOURCES])
{
	u8 host[PVRNG_MAX_SOURCES * PVRNG_SOURCE_CHUNK];
	size_t hlen = 0, n;
	bool ok;
	unsigned int i;

	for (i = 0; i < PVRNG_MAX_SOURCES; i++) {
		healthy[i] = 0;
		if (i >= c->nr_src)
			continue;
		n = pvrng_source_take(c->src[i], host + hlen,
				      PVRNG_SOURCE_CHUNK, &ok);
		healthy[i] = ok ? n : 0;
		hlen += n;
	}
	pvrng_mix(&c->mixer, host, hlen, local, llen, out);
	c->blocks_mixed++;
	c->bytes_mixed += hlen;
	memzero_explicit(host, sizeof(host));
}
EXPORT_SYMBOL_IF_KUNIT(pvrng_ctx_block);

/**
 * pvrng_ctx_credit - apply the credit policy to a block and account it
 * @c: the instance
 * @credit: bits per block the policy allows
 * @cc_guest: forces 0
 * @healthy: from pvrng_ctx_block()
 *
 * The credit is attributed to the sources in order, each at most 8 bits
 * per healthy byte it gave.
 * Return: the bits to credit for the block.
 */
unsigned int pvrng_ctx_credit(struct pvrng_ctx *c, unsigned int credit,
			      bool cc_guest,
			      const size_t healthy[PVRNG_MAX_SOURCES])
{
	unsigned int bits, left, i, part;
	size_t total = 0;

	for (i = 0; i < c->nr_src; i++)
		total += healthy[i];
	bits = pvrng_credit_bits(credit, cc_guest, total);
	left = bits;
	for (i = 0; i < c->nr_src && left; i++) {
		part = min_t(size_t, left, healthy[i] * 8);
		c->src[i]->bits_credited += part;
		left -= part;
	}
	c->bits_credited += bits;
	return bits;
}
EXPORT_SYMBOL_IF_KUNIT(pvrng_ctx_credit);
