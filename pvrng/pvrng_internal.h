/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvrng internals: the health tests (health.c), the mixer and the sources
 * (core.c). Nothing here touches the module's globals, so the KUnit tests
 * build private instances with fake sources.
 */
#ifndef _PVRNG_INTERNAL_H
#define _PVRNG_INTERNAL_H

#include <linux/bits.h>
#include <linux/types.h>
#include <crypto/blake2s.h>

/*
 * SP 800-90B 4.4 health tests on bytes (one sample = one byte), for a
 * source that claims full entropy (H = 8 bits per sample, as virtio-rng's
 * quality 1024 does):
 *   RCT cutoff C = 1 + ceil(-log2(alpha) / H) = 1 + ceil(30 / 8) = 5, for
 *   a false-alarm probability alpha = 2^-30 per sample
 *   APT: W = 512, C = 16; the window's first sample is the reference and
 *   counts 1, so a window fails with P(Binom(511, 2^-8) >= 15) = 3.2e-9
 *   (2^-28.2) for a good source
 */
#define PVRNG_RCT_CUTOFF	5
#define PVRNG_APT_WINDOW	512
#define PVRNG_APT_CUTOFF	16
/* Replay test: 8-byte words of the stream remembered in a keyed table. */
#define PVRNG_REPLAY_BITS	12
#define PVRNG_REPLAY_SLOTS	BIT(PVRNG_REPLAY_BITS)
/* Clean APT windows needed: at start (1024 samples), after a failure. */
#define PVRNG_STARTUP_WINDOWS	2
#define PVRNG_RELEASE_WINDOWS	64

#define PVRNG_FAIL_RCT		BIT(0)
#define PVRNG_FAIL_APT		BIT(1)
#define PVRNG_FAIL_REPLAY	BIT(2)

enum pvrng_health_state {
	PVRNG_STARTUP,		/* not yet one startup test's worth of samples */
	PVRNG_HEALTHY,
	PVRNG_QUARANTINED,	/* mixed, never credited */
};

struct pvrng_health {
	enum pvrng_health_state state;
	u32 good_windows;	/* clean windows in a row */
	bool window_bad;	/* a test failed in the current window */
	bool replay_hit;	/* the replay test fired in this window */
	/* repetition count test */
	u8 rct_last;
	u32 rct_run;		/* 0 before the first sample */
	/* adaptive proportion test */
	u8 apt_ref;
	u32 apt_count;
	u32 apt_pos;
	/* replay test */
	u64 rp_word;		/* the last 8 bytes */
	u64 rp_key;		/* guest secret: the host cannot aim collisions */
	u64 *rp_slots;
	unsigned long *rp_valid;
	/* counters */
	u64 samples;
	u64 windows;
	u64 rct_failures;	/* runs that reached the cutoff */
	u64 apt_failures;	/* windows that reached the cutoff */
	u64 replay_failures;	/* windows with a replayed word */
	u64 quarantines;	/* entries into quarantine */
};

int pvrng_health_init(struct pvrng_health *h, u64 key);
void pvrng_health_destroy(struct pvrng_health *h);
unsigned int pvrng_health_feed(struct pvrng_health *h, const u8 *buf,
			       size_t len);
const char *pvrng_health_state_name(enum pvrng_health_state s);

/* The mixer: keyed BLAKE2s, the key known to the guest only, ratcheted. */
#define PVRNG_BLOCK		32	/* output bytes per mix */
#define PVRNG_BLOCK_BITS	(8 * PVRNG_BLOCK)

struct pvrng_mixer {
	u8 key[BLAKE2S_KEY_SIZE];
	u64 counter;
};

void pvrng_mixer_init(struct pvrng_mixer *m, const u8 *seed, size_t len);
void pvrng_mixer_destroy(struct pvrng_mixer *m);
void pvrng_mix(struct pvrng_mixer *m, const u8 *host, size_t hlen,
	       const u8 *local, size_t llen, u8 out[PVRNG_BLOCK]);

unsigned int pvrng_credit_bits(unsigned int credit, bool cc_guest,
			       size_t healthy_bytes);

/* A source of untrusted bytes. */
#define PVRNG_SOURCE_CHUNK	32	/* bytes asked of each source per block */
#define PVRNG_STALL_MS		5000	/* no bytes this long: stalled */

struct pvrng_source {
	const char *name;
	/* Never waits; returns 0..len bytes or -errno. */
	ssize_t (*fetch)(void *priv, u8 *buf, size_t len);
	bool (*present)(void *priv);
	void *priv;
	struct pvrng_health health;
	unsigned long last_bytes;	/* jiffies */
	bool stalled;
	int last_error;
	u64 fetches;
	u64 bytes;
	u64 short_reads;
	u64 empty;
	u64 errors;
	u64 stalls;
	u64 bits_credited;
};

#define PVRNG_MAX_SOURCES	3

/* One instance: the module has one, the tests make their own. */
struct pvrng_ctx {
	struct pvrng_mixer mixer;
	struct pvrng_source *src[PVRNG_MAX_SOURCES];
	unsigned int nr_src;
	u64 blocks_mixed;
	u64 bytes_mixed;	/* host bytes mixed */
	u64 bits_credited;
};

const char *pvrng_source_state(struct pvrng_source *s);
size_t pvrng_source_take(struct pvrng_source *s, u8 *buf, size_t len,
			 bool *creditable);
void pvrng_ctx_block(struct pvrng_ctx *c, const u8 *local, size_t llen,
		     u8 out[PVRNG_BLOCK], size_t healthy[PVRNG_MAX_SOURCES]);
unsigned int pvrng_ctx_credit(struct pvrng_ctx *c, unsigned int credit,
			      bool cc_guest,
			      const size_t healthy[PVRNG_MAX_SOURCES]);

#endif /* _PVRNG_INTERNAL_H */
