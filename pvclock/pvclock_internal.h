/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvclock internals shared by the module and its KUnit tests: the record
 * reader, the scaling math and the per-CPU state.
 */
#ifndef _PVCLOCK_INTERNAL_H
#define _PVCLOCK_INTERNAL_H

#include <linux/types.h>
#include <linux/math64.h>
#include <linux/compiler.h>
#include <linux/errno.h>
#include <asm/barrier.h>
#include <asm/processor.h>
#include <asm/pvclock-abi.h>
#include <asm/local.h>
#include <asm/local64.h>

/*
 * Bound on the attempts to read one record consistently. A host write
 * takes well under a microsecond; 256 attempts (each a few loads and
 * cpu_relax()) cover it many times over and still end in microseconds
 * when the host never finishes.
 */
#define PVCLOCK_MAX_TRIES	256

/* Legal tsc_shift values: delta >> 63 .. delta << 32 (see pvclock_scale()). */
#define PVCLOCK_SHIFT_MIN	(-63)
#define PVCLOCK_SHIFT_MAX	32

/* Plausible TSC rates a record may imply: 1 MHz .. 100 GHz. */
#define PVCLOCK_KHZ_MIN		1000ULL
#define PVCLOCK_KHZ_MAX		100000000ULL

/* A validated private copy of a record. */
struct pvclock_snap {
	u64 tsc_timestamp;
	u64 system_time;
	u32 mul;
	s8 shift;
	u8 flags;
	u32 version;
};

/* Why a read did not produce a fresh snapshot. */
enum pvclock_rd {
	PVCLOCK_RD_OK,
	PVCLOCK_RD_KNOWN,	/* the version of @known: use it, *s untouched */
	PVCLOCK_RD_STUCK,	/* version odd on every attempt */
	PVCLOCK_RD_FLAPPING,	/* version changed under every attempt */
	PVCLOCK_RD_INVALID,	/* consistent, but mul/shift out of range */
};

/**
 * pvclock_scale - scale a TSC delta to nanoseconds, exactly
 * @delta: TSC ticks
 * @mul: tsc_to_system_mul, a 0.32 fixed-point multiplier
 * @shift: tsc_shift, PVCLOCK_SHIFT_MIN..PVCLOCK_SHIFT_MAX
 *
 * The pvclock ABI: a negative shift truncates @delta first; a positive one
 * is a multiplication by 2^shift, done here inside the 96-bit product, so
 * no bit of @delta is lost whatever the shift (the in-tree reader shifts
 * @delta in 64 bits first). Result modulo 2^64.
 */
static __always_inline u64 pvclock_scale(u64 delta, u32 mul, s8 shift)
{
	if (shift < 0)
		return mul_u64_u32_shr(delta >> -shift, mul, 32);
	return mul_u64_u32_shr(delta, mul, 32 - shift);
}

/* The TSC rate a record implies, in kHz (saturating), 0 for mul == 0. */
static inline u64 pvclock_rate_khz(u32 mul, s8 shift)
{
	/* kHz = 10^6 * 2^32 / (mul * 2^shift) */
	u64 khz;

	if (!mul)
		return 0;
	khz = div_u64(1000000ULL << 32, mul);
	if (shift >= 0)
		return khz >> min_t(int, shift, 63);
	if (-shift >= 64 || khz > (U64_MAX >> -shift))
		return U64_MAX;
	return khz << -shift;
}

static inline bool pvclock_snap_valid(const struct pvclock_snap *s)
{
	u64 khz;

	if (!s->mul || s->shift < PVCLOCK_SHIFT_MIN ||
	    s->shift > PVCLOCK_SHIFT_MAX)
		return false;
	khz = pvclock_rate_khz(s->mul, s->shift);
	return khz >= PVCLOCK_KHZ_MIN && khz <= PVCLOCK_KHZ_MAX;
}

/* Nanoseconds at @tsc by @s; a TSC behind the record's stamp counts as 0. */
static __always_inline u64 pvclock_snap_ns(const struct pvclock_snap *s,
					   u64 tsc)
{
	u64 delta = tsc - s->tsc_timestamp;

	if (unlikely((s64)delta < 0))
		delta = 0;
	return s->system_time + pvclock_scale(delta, s->mul, s->shift);
}

/**
 * pvclock_snap_read - read a shared record consistently, with the TSC
 * @src: the record (host memory: every field read once)
 * @tsc_fn: reads the TSC; called inside the version window
 * @known: a validated copy; when @src still has its version, only the
 *         version and the TSC are read and @known is used as is
 * @s: the snapshot, on PVCLOCK_RD_OK (on PVCLOCK_RD_KNOWN, @known is it)
 * @tsc: the TSC read with it
 * @tries: incremented by the attempts beyond the first
 *
 * The protocol of arch/x86/kernel/pvclock.c (version odd while the host
 * writes; retry when it changed), bounded by PVCLOCK_MAX_TRIES.
 */
static __always_inline enum pvclock_rd
pvclock_snap_read(const struct pvclock_vcpu_time_info *src,
		  u64 (*tsc_fn)(void), const struct pvclock_snap *known,
		  struct pvclock_snap *s, u64 *tsc, unsigned long *tries)
{
	bool seen_even = false;
	unsigned int i;
	u32 v;

	for (i = 0; i < PVCLOCK_MAX_TRIES; i++) {
		v = READ_ONCE(src->version);
		if (v & 1) {
			cpu_relax();
			continue;
		}
		seen_even = true;
		virt_rmb();	/* version before the fields */
		if (known && v == known->version) {
			*tsc = tsc_fn();
			virt_rmb();	/* the TSC before the version again */
			if (READ_ONCE(src->version) == v) {
				*tries += i;
				return PVCLOCK_RD_KNOWN;
			}
			continue;
		}
		s->tsc_timestamp = READ_ONCE(src->tsc_timestamp);
		s->system_time = READ_ONCE(src->system_time);
		s->mul = READ_ONCE(src->tsc_to_system_mul);
		s->shift = READ_ONCE(src->tsc_shift);
		s->flags = READ_ONCE(src->flags);
		*tsc = tsc_fn();
		virt_rmb();	/* the fields before the version again */
		if (READ_ONCE(src->version) == v) {
			s->version = v;
			*tries += i;
			return pvclock_snap_valid(s) ? PVCLOCK_RD_OK :
						       PVCLOCK_RD_INVALID;
		}
	}
	*tries += i;
	return seen_even ? PVCLOCK_RD_FLAPPING : PVCLOCK_RD_STUCK;
}

/* Per-CPU reader state. Counters are local_t: safe against interrupts. */
struct pvclock_cpu {
	const struct pvclock_vcpu_time_info *rec;	/* host's, or &frozen */
	struct pvclock_snap good;	/* last validated snapshot */
	local64_t last;			/* largest value returned here */
	local64_t max_skew;		/* largest clamp against the global guard */
	s64 offset;			/* keeps time continuous across sources */
	bool have_good;
	bool borrowed;			/* rec is another CPU's */
	u32 stopped_version;		/* record version of the last stop seen */
	local_t reads;
	local_t retries;
	local_t stuck;
	local_t flapping;
	local_t invalid;
	local_t clamps;
	local_t updates;
	local_t stopped;
	local_t backwards;		/* a new record stepped time back */
	local_t nosource;		/* reads with no record at all */
	struct pvclock_vcpu_time_info frozen;	/* private copy, version even */
};

void pvclock_stopped_touch(void);

/* Record a clamp of @gap ns against the cross-CPU guard. */
static inline void pvclock_note_skew(struct pvclock_cpu *c, u64 gap)
{
	s64 old = local64_read(&c->max_skew);

	while ((u64)old < gap) {
		s64 prev = local64_cmpxchg(&c->max_skew, old, gap);

		if (prev == old)
			break;
		old = prev;
	}
}

/* A record consistent and valid, but new to this CPU: take it. */
static __always_inline void
pvclock_take(struct pvclock_cpu *c, const struct pvclock_vcpu_time_info *src,
	     const struct pvclock_snap *s, bool clear_stopped)
{
	local_inc(&c->updates);
	if (unlikely(s->flags & PVCLOCK_GUEST_STOPPED) &&
	    s->version != c->stopped_version) {
		c->stopped_version = s->version;
		local_inc(&c->stopped);
		pvclock_stopped_touch();
		/* Writable records only; the kernel's kvmclock clears its own. */
		if (clear_stopped && READ_ONCE(src->version) == s->version)
			WRITE_ONCE(((struct pvclock_vcpu_time_info *)src)->flags,
				   s->flags & ~PVCLOCK_GUEST_STOPPED);
	}
	c->good = *s;
	c->have_good = true;
}

/*
 * How CPUs agree. Read on every read; written by the module (process
 * context) when it binds, freezes or changes mode.
 */
struct pvclock_guard {
	/*
	 * Shared-record mode: every CPU reads this one record (the host
	 * publishes the same record to every vCPU and the kernel trusts the
	 * TSC to be synchronised), so all CPUs compute one function of the
	 * TSC and need no shared write per read. NULL otherwise.
	 */
	const struct pvclock_vcpu_time_info *shared;
	bool global;		/* the high-water mark for every read */
	bool clear_stopped;	/* the records are ours to write */
	u64 window;		/* TSC ticks a publication may lag its switch */
	/* Shared-record mode: no read may return less (see pvclock_floor()). */
	atomic64_t floor;
	/* The high-water mark of every other mode, alone on its line. */
	atomic64_t last ____cacheline_aligned_in_smp;
};

static inline void pvclock_atomic_max(atomic64_t *a, u64 v)
{
	s64 old = atomic64_read(a);

	while ((u64)old < v && !atomic64_try_cmpxchg(a, &old, v))
		;
}

/*
 * Shared-record mode, a CPU taking record @s after @old, the version
 * before it: the old record's readers returned at most its time at the
 * publication, which is at most @window ticks after the new record's
 * switch point (its tsc_timestamp). Raise the floor to that.
 */
static __always_inline void pvclock_floor(struct pvclock_guard *g,
					  const struct pvclock_snap *old,
					  const struct pvclock_snap *s, u64 tsc,
					  s64 offset)
{
	u64 at = s->tsc_timestamp + g->window;

	if (s->version != old->version + 2)
		return;	/* not the record just before: its end is unknown */
	pvclock_atomic_max(&g->floor,
			   pvclock_snap_ns(old, min(tsc, at)) + offset);
}

bool pvclock_read_slow(struct pvclock_cpu *c,
		       const struct pvclock_vcpu_time_info *src,
		       u64 (*tsc_fn)(void), struct pvclock_guard *g,
		       const struct pvclock_vcpu_time_info *shared, s64 offset,
		       unsigned long tries, u64 *tsc, bool *fresh);

/**
 * __pvclock_read - one clock read on one CPU
 * @c: this CPU's state (preemption disabled by the caller)
 * @tsc_fn: reads the TSC; NULL for rdtsc_ordered()
 * @g: how CPUs agree
 *
 * Return: nanoseconds, never less than the last value this CPU returned;
 * in shared-record mode never less than the floor; otherwise never less
 * than any value published to @g->last when the record lacks
 * PVCLOCK_TSC_STABLE_BIT, belongs to another CPU, or @g->global.
 */
static __always_inline u64 __pvclock_read(struct pvclock_cpu *c,
					  u64 (*tsc_fn)(void),
					  struct pvclock_guard *g)
{
	const struct pvclock_vcpu_time_info *shared = READ_ONCE(g->shared);
	const struct pvclock_vcpu_time_info *src = shared ?: READ_ONCE(c->rec);
	const struct pvclock_snap *sp = &c->good;
	s64 last, prev, offset = READ_ONCE(c->offset);
	unsigned long tries = 0;
	bool fresh = false;
	unsigned int i;
	u64 tsc, ret;
	u32 v;

	local_inc(&c->reads);
	if (unlikely(!src)) {
		local_inc(&c->nosource);
		return local64_read(&c->last);
	}
	/* The common case: the version validated last, unchanged around the TSC. */
	v = READ_ONCE(src->version);
	if (likely(c->have_good && v == c->good.version)) {
		virt_rmb();	/* the version before the TSC */
		tsc = tsc_fn ? tsc_fn() : rdtsc_ordered();
		virt_rmb();	/* the TSC before the version again */
		if (likely(READ_ONCE(src->version) == v))
			goto have_tsc;
		tries = 1;
	}
	if (!pvclock_read_slow(c, src, tsc_fn, g, shared, offset, tries, &tsc,
			       &fresh))
		return local64_read(&c->last);
have_tsc:
	ret = pvclock_snap_ns(sp, tsc) + offset;
	if (unlikely(fresh) && ret < (u64)local64_read(&c->last))
		local_inc(&c->backwards);

	if (shared) {
		last = atomic64_read(&g->floor);
		if (unlikely(ret < (u64)last)) {
			local_inc(&c->clamps);
			pvclock_note_skew(c, last - ret);
			ret = last;
		}
	} else if (READ_ONCE(g->global) || c->borrowed ||
		   !(sp->flags & PVCLOCK_TSC_STABLE_BIT)) {
		last = atomic64_read(&g->last);
		for (i = 0; i < PVCLOCK_MAX_TRIES; i++) {
			if (ret <= (u64)last) {
				if (ret < (u64)last) {
					local_inc(&c->clamps);
					pvclock_note_skew(c, last - ret);
				}
				ret = last;
				break;
			}
			if (atomic64_try_cmpxchg(&g->last, &last, ret))
				break;
		}
		/*
		 * Above every value published, so above this CPU's too: the
		 * per-CPU mark is only kept for the counters and a fallback.
		 */
		local64_set(&c->last, ret);
		return ret;
	}

	last = local64_read(&c->last);
	if (unlikely(ret < (u64)last)) {
		local_inc(&c->clamps);
		return last;
	}
	prev = local64_cmpxchg(&c->last, last, ret);
	/* An interrupt on this CPU returned more meanwhile: stay above it. */
	if (unlikely(prev != last && (u64)prev > ret))
		return prev;
	return ret;
}

#if IS_ENABLED(CONFIG_KUNIT)
struct pvhc_clock_pairing;

u64 pvclock_read_with(struct pvclock_cpu *c, u64 (*tsc_fn)(void),
		      struct pvclock_guard *g);
struct pvclock_cpu *pvclock_cpu_state(unsigned int cpu);
void pvclock_source_name(char *buf);
long pvclock_hotplug_count(void);
void pvclock_health_run(void);
u64 pvclock_now_with(u64 (*tsc_fn)(void));
int pvclock_rating_now(void);
void pvclock_rating_set(int rating);
s64 pvclock_ptp_time(const struct pvhc_clock_pairing *cp,
		     const struct pvclock_snap *s, u64 tsc);
#endif

#endif /* _PVCLOCK_INTERNAL_H */
