// SPDX-License-Identifier: GPL-2.0
/*
 * pvclock's read path off the common case: a new record, a host writing
 * or misbehaving, no record, the cross-CPU guards, a clamp. Kept apart
 * from the rest of the module and free of anything but
 * pvclock_internal.h (and the KUnit export), so that the same file also
 * builds into the instruction-count harness under bench/pvclock/count.
 */
#include <kunit/visibility.h>

#include "pvclock_internal.h"

const struct pvclock_vcpu_time_info pvclock_no_record = { .version = 1 };
EXPORT_SYMBOL_IF_KUNIT(pvclock_no_record);

/* A clamp to @last, @ret being this CPU's own reading: counted, sized. */
u64 pvclock_guard_clamp(struct pvclock_cpu *c, u64 ret, u64 last)
{
	local_inc(&c->clamps);
	pvclock_note_skew(c, last - ret);
	return last;
}

static u64 pvclock_rdtsc_fn(void)
{
	return rdtsc_ordered();
}

/* Decided when a record is taken: see enum pvclock_mode. */
static u8 pvclock_mode_of(const struct pvclock_cpu *c,
			  const struct pvclock_guard *g,
			  const struct pvclock_vcpu_time_info *src,
			  const struct pvclock_snap *s)
{
	if (src == READ_ONCE(g->shared))
		return PVCLOCK_MODE_SHARED;
	if (READ_ONCE(g->global) || c->borrowed ||
	    !(s->flags & PVCLOCK_TSC_STABLE_BIT))
		return PVCLOCK_MODE_GUARD;
	return PVCLOCK_MODE_LOCAL;
}

/**
 * pvclock_finish_slow - the guards and the per-CPU mark, out of line
 * @c: this CPU's state
 * @g: how CPUs agree
 * @ret: this CPU's reading
 * @mode: the mode of the record it came from
 *
 * Return: @ret, or the mark it must not fall below.
 */
u64 pvclock_finish_slow(struct pvclock_cpu *c, struct pvclock_guard *g,
			u64 ret, u8 mode)
{
	s64 last, prev;

	if (mode == PVCLOCK_MODE_GUARD) {
		/* Above every value published: the per-CPU mark too. */
		ret = pvclock_guard_read(c, g, ret);
		local64_set(&c->last, ret);
		return ret;
	}
	if (mode == PVCLOCK_MODE_SHARED) {
		last = atomic64_read(&g->floor);
		if (unlikely(ret < (u64)last))
			ret = pvclock_guard_clamp(c, ret, last);
	}
	last = local64_read(&c->last);
	for (;;) {
		if (ret < (u64)last) {
			local_inc(&c->clamps);
			return last;
		}
		prev = local64_cmpxchg(&c->last, last, ret);
		if (prev == last)
			return ret;
		/* An interrupt on this CPU returned more meanwhile. */
		last = prev;
	}
}

/**
 * pvclock_read_slow - a read that is not the common case
 * @c: this CPU's state
 * @tsc_fn: reads the TSC; NULL for rdtsc_ordered()
 * @g: how CPUs agree
 * @retried: the caller's attempt saw the version change around the TSC
 *
 * The first read, a new record version or source, a host writing or
 * misbehaving, a TSC behind the record's stamp: the full bounded version
 * protocol, validation, counting, and the last good record when the host
 * gives nothing better. Out of line, so that the common read stays short.
 *
 * Return: nanoseconds, as __pvclock_read().
 */
u64 pvclock_read_slow(struct pvclock_cpu *c, u64 (*tsc_fn)(void),
		      struct pvclock_guard *g, bool retried)
{
	const struct pvclock_vcpu_time_info *shared = READ_ONCE(g->shared);
	const struct pvclock_vcpu_time_info *src = shared ?: READ_ONCE(c->rec);
	bool nested = READ_ONCE(c->taking);
	bool known = !nested && c->have_good && READ_ONCE(c->good_src) == src;
	s64 offset = READ_ONCE(c->offset);
	unsigned long tries = retried;
	struct pvclock_snap s, old;
	enum pvclock_rd rd;
	u64 tsc, ret;

	if (unlikely(!src)) {
		local_inc(&c->nosource);
		return local64_read(&c->last);
	}
	rd = pvclock_snap_read(src, tsc_fn ?: pvclock_rdtsc_fn,
			       known ? &c->good : NULL, &s, &tsc, &tries);
	if (tries)
		local_add(tries, &c->retries);
	switch (rd) {
	case PVCLOCK_RD_KNOWN:
		return pvclock_finish(c, g,
				      c->base + pvclock_snap_delta_ns(&c->good, tsc),
				      c->mode);
	case PVCLOCK_RD_OK:
		break;
	case PVCLOCK_RD_STUCK:
		local_inc(&c->stuck);
		goto keep;
	case PVCLOCK_RD_FLAPPING:
		local_inc(&c->flapping);
		goto keep;
	default:
		local_inc(&c->invalid);
		goto keep;
	}
	if (unlikely(nested)) {
		/* Inside a take on this CPU: use the record, leave the copy. */
		ret = pvclock_snap_ns(&s, tsc) + offset;
		return pvclock_finish(c, g, ret,
				      pvclock_mode_of(c, g, src, &s));
	}
	old = c->good;
	if (src == shared && c->have_good)
		pvclock_floor(g, &old, &s, tsc, offset);
	pvclock_take(c, src, &s, READ_ONCE(g->clear_stopped),
		     pvclock_mode_of(c, g, src, &s), offset);
	ret = c->base + pvclock_snap_delta_ns(&s, tsc);
	if (ret < (u64)local64_read(&c->last))
		local_inc(&c->backwards);
	return pvclock_finish(c, g, ret, c->mode);

keep:
	if (!c->have_good || nested)
		return local64_read(&c->last);
	/* Carry on with the last good record: time stays continuous. */
	tsc = tsc_fn ? tsc_fn() : rdtsc_ordered();
	return pvclock_finish(c, g,
			      c->base + pvclock_snap_delta_ns(&c->good, tsc),
			      c->mode);
}
