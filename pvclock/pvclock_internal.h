/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvclock internals shared by the module and its KUnit tests: the record
 * reader, the scaling math and the per-CPU state.
 */
#ifndef _PVCLOCK_INTERNAL_H
#define _PVCLOCK_INTERNAL_H

#include <linux/bits.h>
#include <linux/types.h>
#include <linux/math64.h>
#include <linux/compiler.h>
#include <linux/errno.h>
#include <asm/barrier.h>
#include <asm/processor.h>
#include <asm/pvclock-abi.h>
#include <asm/local.h>
#include <asm/local64.h>
#include <asm/msr.h>

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

/*
 * How far a new record may disagree with the last good one
 * (Documentation/pvclock.rst, "Bounds"): its rate within 1/8 (12.5%) of
 * the last good rate, and its time, both read at the same TSC value,
 * within 100 ms, plus
 * 1/8 of the time since the new record's stamp (a rate change of up to
 * 12.5% that this CPU saw late; that time counted up to 8 s), plus 1/2048
 * (about 500 ppm, the most NTP slews a host clock) of the last good
 * record's age, and never more than 2 s. A record beyond the bound is
 * refused (counted in invalid and leaps) and the last good one carries
 * time on; a host that insists for PVCLOCK_INSIST_NS is followed without
 * a step (see pvclock_read_slow()).
 */
#define PVCLOCK_STEP_RATE_SHIFT	3
#define PVCLOCK_STEP_NS		(100ULL * 1000 * 1000)
#define PVCLOCK_STEP_FRESH_NS	(8ULL * 1000 * 1000 * 1000)
#define PVCLOCK_STEP_FRESH_SHIFT 3
#define PVCLOCK_STEP_AGE_SHIFT	11
#define PVCLOCK_STEP_MAX_NS	(2ULL * 1000 * 1000 * 1000)
#define PVCLOCK_INSIST_NS	(2ULL * 1000 * 1000 * 1000)
/* TSC deltas are capped at this before they are scaled for the bound. */
#define PVCLOCK_STEP_TICKS_MAX	BIT_ULL(44)

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

/*
 * pvclock_scale() in the form a read uses, computed when a record is
 * taken: a right shift (the negative tsc_shift) and a 64-bit multiplier
 * (mul << the positive tsc_shift, at most 2^64 - 2^32), so that a read is
 * one shift, one 64x64 multiply and one shift by 32. The same value as
 * pvclock_scale() for every legal shift: floor(delta * mul * 2^shift /
 * 2^32) either way, modulo 2^64.
 */
static __always_inline void pvclock_form(u32 mul, s8 shift, u8 *rshift,
					 u64 *mul64)
{
	*rshift = shift < 0 ? -shift : 0;
	*mul64 = shift < 0 ? mul : (u64)mul << shift;
}

static __always_inline u64 pvclock_form_scale(u64 delta, u8 rshift,
					      u64 mul64)
{
	return mul_u64_u64_shr(delta >> rshift, mul64, 32);
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

/* Nanoseconds since @s's stamp at @tsc; a TSC behind the stamp counts as 0. */
static __always_inline u64 pvclock_snap_delta_ns(const struct pvclock_snap *s,
						 u64 tsc)
{
	u64 delta = tsc - s->tsc_timestamp;

	if (unlikely((s64)delta < 0))
		delta = 0;
	return pvclock_scale(delta, s->mul, s->shift);
}

/* Nanoseconds at @tsc by @s. */
static __always_inline u64 pvclock_snap_ns(const struct pvclock_snap *s,
					   u64 tsc)
{
	return s->system_time + pvclock_snap_delta_ns(s, tsc);
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

/* How a CPU's reads agree with other CPUs', decided when it takes a record. */
enum pvclock_mode {
	PVCLOCK_MODE_LOCAL,	/* stable own record: the per-CPU mark only */
	PVCLOCK_MODE_GUARD,	/* the cross-CPU high-water mark, g->last */
	PVCLOCK_MODE_SHARED,	/* the shared record's floor, g->floor */
};

/*
 * Per-CPU reader state. The first line is what a read touches: the
 * validated copy in the form the read uses (epoch offset folded in, the
 * scale as one 64-bit multiplier), and the marks. Counters are local_t:
 * plain per-CPU increments, safe against interrupts.
 */
struct pvclock_cpu {
	/*
	 * The record @good came from, which the common read reads;
	 * &pvclock_no_record (never NULL) before the first, while
	 * pvclock_take() rewrites the copy and after the module points this
	 * CPU elsewhere (see pvclock_drop_copies()).
	 */
	const struct pvclock_vcpu_time_info *good_src;
	/*
	 * @good.version in PVCLOCK_MODE_LOCAL, @good.version ^
	 * PVCLOCK_GUARDED in the other modes: one comparison with the
	 * record's version picks the common read's way. (A host would have
	 * to jump its version by 2^31 between two reads of this CPU to make
	 * a guarded copy look local: it could as well set the stable bit.)
	 */
	u32 good_version;
	u8 rshift;			/* -tsc_shift when negative, else 0 */
	u8 mode;			/* enum pvclock_mode, for @good */
	bool taking;			/* inside pvclock_take() */
	u64 stamp;			/* @good.tsc_timestamp */
	u64 mul64;			/* mul << tsc_shift when positive */
	u64 base;			/* @good.system_time + offset */
	local64_t last;			/* largest value returned here */
	local_t reads;
	/* The rest is touched only off the common path. */
	const struct pvclock_vcpu_time_info *rec;	/* host's, or &frozen */
	struct pvclock_snap good;	/* last validated snapshot */
	local64_t max_skew;		/* largest clamp against the global guard */
	s64 offset;			/* keeps time continuous across sources */
	bool have_good;
	bool borrowed;			/* rec is another CPU's */
	u32 stopped_version;		/* record version of the last stop seen */
	local_t retries;
	local_t stuck;
	local_t flapping;
	local_t invalid;
	local_t clamps;
	local_t updates;
	local_t stopped;
	local_t backwards;		/* a new record stepped time back */
	local_t nosource;		/* reads with no record at all */
	local_t leaps;			/* records refused: beyond the step bound */
	local_t rebases;		/* refused records followed, time continuous */
	s64 rebase;			/* what the rebases added to @offset */
	u64 leap_since;			/* time (by @good) of the first refusal */
	u32 refused_version;		/* version + 1 of the last refused record */
	bool resync;			/* resumed: rebase at the next take */
	struct pvclock_vcpu_time_info frozen;	/* private copy, version even */
};

void pvclock_stopped_touch(void);

#define PVCLOCK_GUARDED		BIT(31)

/* What good_src points to when there is no copy: its version is odd. */
extern const struct pvclock_vcpu_time_info pvclock_no_record;

/* A new reader state (zeroed memory) before its first read. */
static inline void pvclock_cpu_init(struct pvclock_cpu *c)
{
	c->good_src = &pvclock_no_record;
}

/*
 * After a resume (the clocksource's resume callback, one CPU running,
 * interrupts off): the host may have restarted its records lower (Xen
 * save/restore) or the TSC may have restarted. Forget the copy, judge
 * nothing against it, and rebase the next record taken onto the largest
 * value returned so far (see pvclock_read_slow()).
 */
static inline void pvclock_cpu_resume(struct pvclock_cpu *c)
{
	WRITE_ONCE(c->good_src, &pvclock_no_record);
	c->have_good = false;
	c->leap_since = 0;
	c->resync = true;
}

/* Raise a per-CPU mark to @v; interrupts on this CPU may race. */
static inline void pvclock_local_max(local64_t *l, u64 v)
{
	s64 old = local64_read(l);

	while ((u64)old < v) {
		s64 prev = local64_cmpxchg(l, old, v);

		if (prev == old)
			break;
		old = prev;
	}
}

/* Record a clamp of @gap ns against the cross-CPU guard. */
static inline void pvclock_note_skew(struct pvclock_cpu *c, u64 gap)
{
	pvclock_local_max(&c->max_skew, gap);
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
	/*
	 * Set once the records changed source (a rebind, a freeze) or a CPU
	 * followed a host's step: CPUs no longer share one epoch by
	 * construction, so every record is taken in the high-water mode.
	 */
	bool epoch_guard;
	/*
	 * The largest value any CPU returned (every CPU's own mark), for a
	 * read with no copy; NULL where the readers are not per-CPU.
	 */
	u64 (*peers_last)(void);
	bool clear_stopped;	/* the records are ours to write */
	u64 window;		/* TSC ticks a publication may lag its switch */
	/*
	 * High-water mode: a read whose value is at most @quantum ns past
	 * the mark returns the mark and writes nothing (see
	 * pvclock_guard_read()); 0 publishes every value that is ahead.
	 */
	u64 quantum;
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

/*
 * A record consistent and valid, but new to this CPU: take it. The copy
 * is marked invalid (good_src &pvclock_no_record) while it is rewritten,
 * and its
 * version changes: a read that an interrupt here nests in goes the slow
 * way and finds @taking set (it does not take one itself); a read that
 * this take nests in sees good_version change and does not use the copy.
 * (A host that reuses a version number for new contents can defeat that
 * and get a wrong time from a mixed copy: every field was validated, so
 * the scale stays defined.)
 */
static __always_inline void
pvclock_take(struct pvclock_cpu *c, const struct pvclock_vcpu_time_info *src,
	     const struct pvclock_snap *s, bool clear_stopped, u8 mode,
	     s64 offset)
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
	WRITE_ONCE(c->taking, true);
	WRITE_ONCE(c->good_src, &pvclock_no_record);
	barrier();	/* invalid before any field changes */
	c->good = *s;
	c->good_version = s->version ^
			  (mode != PVCLOCK_MODE_LOCAL ? PVCLOCK_GUARDED : 0);
	c->stamp = s->tsc_timestamp;
	c->base = s->system_time + offset;
	pvclock_form(s->mul, s->shift, &c->rshift, &c->mul64);
	c->mode = mode;
	c->have_good = true;
	barrier();	/* every field before the copy is valid again */
	WRITE_ONCE(c->good_src, src);
	WRITE_ONCE(c->taking, false);
}

u64 pvclock_read_slow(struct pvclock_cpu *c, u64 (*tsc_fn)(void),
		      struct pvclock_guard *g, bool retried);
u64 pvclock_guard_clamp(struct pvclock_cpu *c, u64 ret, u64 last);

/*
 * The cross-CPU high-water mark @g->last. Every value a read returns is
 * at most the mark when it returns (it is the mark, or it was published
 * to it first), and every read returns at least the mark it read; the
 * mark never decreases. So a read that starts after another returned
 * returns at least as much, on any CPU. A value ahead of the mark by at
 * most @g->quantum returns the mark instead of publishing: it is then at
 * most that far below this CPU's own reading, and the line is written
 * at most once per quantum of clock time, however many vCPUs read.
 */
static __always_inline u64 pvclock_guard_read(struct pvclock_cpu *c,
					      struct pvclock_guard *g, u64 ret)
{
	s64 last = atomic64_read(&g->last);
	unsigned int i;

	if (unlikely(ret < (u64)last))
		return pvclock_guard_clamp(c, ret, last);
	if (likely(ret - (u64)last <= READ_ONCE(g->quantum)))
		return last;
	for (i = 0; i < PVCLOCK_MAX_TRIES; i++) {
		/* On failure @last is what another CPU published meanwhile. */
		if (atomic64_try_cmpxchg(&g->last, &last, ret))
			return ret;
		if (ret < (u64)last)
			return pvclock_guard_clamp(c, ret, last);
		if (ret - (u64)last <= READ_ONCE(g->quantum))
			return last;
	}
	return last;
}

u64 pvclock_finish_slow(struct pvclock_cpu *c, struct pvclock_guard *g,
			u64 ret, u8 mode);

/*
 * The per-CPU mark: one cmpxchg without a lock prefix, which no interrupt
 * on this CPU can split; no other CPU writes the line. A clamp, or an
 * interrupt that returned more meanwhile, is out of line.
 */
static __always_inline u64 pvclock_mark(struct pvclock_cpu *c,
					struct pvclock_guard *g, u64 ret)
{
	s64 last = local64_read(&c->last);

	if (unlikely(ret < (u64)last ||
		     local64_cmpxchg(&c->last, last, ret) != last))
		return pvclock_finish_slow(c, g, ret, PVCLOCK_MODE_LOCAL);
	return ret;
}

/* After the scale: the guard the mode asks for, then the per-CPU mark. */
static __always_inline u64 pvclock_finish(struct pvclock_cpu *c,
					  struct pvclock_guard *g, u64 ret,
					  u8 mode)
{
	if (mode != PVCLOCK_MODE_LOCAL)
		return pvclock_finish_slow(c, g, ret, mode);
	return pvclock_mark(c, g, ret);
}

/* Why pvclock_read_copy() did not compute a time. */
enum pvclock_rc {
	PVCLOCK_RC_OK,
	PVCLOCK_RC_CHANGED,	/* the record's version changed around the TSC */
	PVCLOCK_RC_OTHER,	/* a nested take, or a TSC behind the stamp */
};

/*
 * The TSC and the copy, @src's version @v having matched the copy's
 * (@want: good_version as it was then).
 */
static __always_inline enum pvclock_rc
pvclock_read_copy(struct pvclock_cpu *c, u64 (*tsc_fn)(void),
		  const struct pvclock_vcpu_time_info *src, u32 v, u32 want,
		  u64 *ret)
{
	u64 tsc, delta, base, mul64;
	u8 rshift;

	virt_rmb();	/* the version before the TSC */
	tsc = tsc_fn ? tsc_fn() : rdtsc_ordered();
	virt_rmb();	/* the TSC before the version again */
	if (unlikely(READ_ONCE(src->version) != v))
		return PVCLOCK_RC_CHANGED;
	/*
	 * The copy. A read nested in an interrupt may have taken a new
	 * record since the check: that changed good_version, checked again
	 * below, so a copy rewritten under these loads is not used.
	 */
	delta = tsc - c->stamp;
	base = c->base;
	mul64 = c->mul64;
	rshift = c->rshift;
	barrier();
	if (unlikely(READ_ONCE(c->good_version) != want ||
		     /* A TSC behind the stamp: the slow path counts it as 0. */
		     (s64)delta < 0))
		return PVCLOCK_RC_OTHER;
	*ret = base + pvclock_form_scale(delta, rshift, mul64);
	return PVCLOCK_RC_OK;
}

/**
 * __pvclock_read - one clock read on one CPU
 * @c: this CPU's state (preemption disabled by the caller)
 * @tsc_fn: reads the TSC; NULL for rdtsc_ordered()
 * @g: how CPUs agree
 *
 * The common case is straight-line: a stable record whose version equals
 * the one validated last, unchanged around the TSC; one scale from the
 * private copy (epoch offset folded in) and the per-CPU mark. The guarded
 * modes (PVCLOCK_GUARDED in good_version) take the same steps and the
 * high-water mark instead; everything else (a new record, a host writing
 * or misbehaving, no record) is out of line in pvclock_read_slow().
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
	const struct pvclock_vcpu_time_info *src = READ_ONCE(c->good_src);
	enum pvclock_rc rc;
	u32 v, gv;
	u64 ret;

	local_inc(&c->reads);
	v = READ_ONCE(src->version);
	gv = READ_ONCE(c->good_version);
	if (likely(v == gv)) {
		rc = pvclock_read_copy(c, tsc_fn, src, v, gv, &ret);
		if (likely(rc == PVCLOCK_RC_OK))
			return pvclock_mark(c, g, ret);
	} else if ((v ^ PVCLOCK_GUARDED) == gv) {
		/* A guarded mode (pvclock_no_record's version is odd). */
		rc = pvclock_read_copy(c, tsc_fn, src, v, gv, &ret);
		if (likely(rc == PVCLOCK_RC_OK)) {
			if (unlikely(READ_ONCE(c->mode) != PVCLOCK_MODE_GUARD))
				return pvclock_finish_slow(c, g, ret,
							   PVCLOCK_MODE_SHARED);
			/* Above every value published: the per-CPU mark too. */
			ret = pvclock_guard_read(c, g, ret);
			local64_set(&c->last, ret);
			return ret;
		}
	} else {
		rc = PVCLOCK_RC_OTHER;
	}
	return pvclock_read_slow(c, tsc_fn, g, rc == PVCLOCK_RC_CHANGED);
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
int pvclock_ptp_time(const struct pvhc_clock_pairing *cp,
		     const struct pvclock_snap *s, u64 tsc, s64 *ns);
u64 pvclock_step_bound(const struct pvclock_snap *old,
		       const struct pvclock_snap *s, u64 tsc);
void pvclock_resume_all(void);
#endif

#endif /* _PVCLOCK_INTERNAL_H */
