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
	if (src == READ_ONCE(g->shared) && !READ_ONCE(g->epoch_guard))
		return PVCLOCK_MODE_SHARED;
	if (READ_ONCE(g->global) || READ_ONCE(g->epoch_guard) || c->borrowed ||
	    !(s->flags & PVCLOCK_TSC_STABLE_BIT))
		return PVCLOCK_MODE_GUARD;
	return PVCLOCK_MODE_LOCAL;
}

/*
 * No copy to read (no record, none valid yet, or a read nested in a take):
 * time stands still, but at the cross-CPU mark as well as this CPU's, so
 * that no CPU returns less than another already did.
 */
static u64 pvclock_no_copy(struct pvclock_cpu *c, struct pvclock_guard *g)
{
	u64 v = atomic64_read(&g->last);

	/*
	 * A CPU reading a stable record of its own publishes nothing to
	 * @g->last: ask every CPU's mark (rare: there is no record to read).
	 */
	if (g->peers_last)
		v = max(v, g->peers_last());
	pvclock_local_max(&c->last, v);
	return local64_read(&c->last);
}

/* @a - @b as a distance, whichever is ahead (modulo 2^64). */
static u64 pvclock_dist(u64 a, u64 b)
{
	return (s64)(a - b) < 0 ? b - a : a - b;
}

/* Nanoseconds by @old's scale for @ticks, capped (bound arithmetic only). */
static u64 pvclock_step_ns(const struct pvclock_snap *old, u64 ticks)
{
	return pvclock_scale(min(ticks, PVCLOCK_STEP_TICKS_MAX), old->mul,
			     old->shift);
}

/**
 * pvclock_step_bound - how far record @s may disagree with @old at @tsc
 * @old: the last good record
 * @s: the new record
 * @tsc: the TSC both are read at
 *
 * Every term is measured with @old's scale: a host cannot widen the bound
 * with the record it is judged by. See PVCLOCK_STEP_NS.
 *
 * Return: nanoseconds, at most PVCLOCK_STEP_MAX_NS.
 */
VISIBLE_IF_KUNIT u64 pvclock_step_bound(const struct pvclock_snap *old,
					const struct pvclock_snap *s, u64 tsc)
{
	u64 fresh = (s64)(tsc - s->tsc_timestamp) > 0 ? tsc - s->tsc_timestamp : 0;
	u64 age = (s64)(tsc - old->tsc_timestamp) > 0 ? tsc - old->tsc_timestamp : 0;
	u64 b;

	b = PVCLOCK_STEP_NS +
	    (min(pvclock_step_ns(old, fresh), PVCLOCK_STEP_FRESH_NS) >>
	     PVCLOCK_STEP_FRESH_SHIFT) +
	    (pvclock_step_ns(old, age) >> PVCLOCK_STEP_AGE_SHIFT);
	return min(b, PVCLOCK_STEP_MAX_NS);
}
EXPORT_SYMBOL_IF_KUNIT(pvclock_step_bound);

/* What to do with a new record, judged against the last good one. */
enum pvclock_step {
	PVCLOCK_STEP_TAKE,	/* within the bound */
	PVCLOCK_STEP_REFUSE,	/* beyond it: keep the last good record */
	PVCLOCK_STEP_FOLLOW,	/* beyond it for PVCLOCK_INSIST_NS: rebase */
};

/*
 * Judge record @s at @tsc, read with @offset, against this CPU's last good
 * record. The two are compared as the times they give, offsets included:
 * a new epoch (a rebind to a source that came back, or another source)
 * changed the offset since the last good record was taken, and its first
 * record is judged like any other. A refusal is counted once per record
 * version; a host whose records stay beyond the bound for
 * PVCLOCK_INSIST_NS (by the last good record) is followed, continuously
 * (the caller rebases): a refused host correction never leaves time on a
 * stale record for good.
 */
static enum pvclock_step pvclock_judge(struct pvclock_cpu *c,
				       const struct pvclock_snap *s, u64 tsc,
				       s64 offset)
{
	const struct pvclock_snap *old = &c->good;
	u64 t_old = c->base + pvclock_snap_delta_ns(old, tsc);
	/* Nanoseconds per 2^32 ticks: exact, below 2^64 for a valid record. */
	u64 r_old = pvclock_scale(1ULL << 32, old->mul, old->shift);
	u64 r_new = pvclock_scale(1ULL << 32, s->mul, s->shift);

	/*
	 * The TSC went back behind the last good record by more than any
	 * step (a TSC that restarted; vCPUs' TSCs that disagree by a little
	 * are clamped as usual): the record cannot carry time on.
	 */
	if ((s64)(tsc - old->tsc_timestamp) < 0 &&
	    pvclock_step_ns(old, old->tsc_timestamp - tsc) > PVCLOCK_STEP_MAX_NS) {
		c->leap_since = 0;
		return PVCLOCK_STEP_FOLLOW;
	}
	if (pvclock_dist(r_new, r_old) <= r_old >> PVCLOCK_STEP_RATE_SHIFT &&
	    pvclock_dist(pvclock_snap_ns(s, tsc) + offset, t_old) <=
	    pvclock_step_bound(old, s, tsc)) {
		c->leap_since = 0;
		return PVCLOCK_STEP_TAKE;
	}
	if (c->refused_version != s->version + 1) {
		c->refused_version = s->version + 1;
		local_inc(&c->invalid);
		local_inc(&c->leaps);
	}
	if (!c->leap_since) {
		c->leap_since = t_old ?: 1;
		return PVCLOCK_STEP_REFUSE;
	}
	if (t_old - c->leap_since < PVCLOCK_INSIST_NS)
		return PVCLOCK_STEP_REFUSE;
	c->leap_since = 0;
	return PVCLOCK_STEP_FOLLOW;
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
	s64 offset = READ_ONCE(c->offset) + READ_ONCE(c->rebase);
	unsigned long tries = retried;
	struct pvclock_snap s, old;
	enum pvclock_rd rd;
	u64 tsc, ret;

	if (unlikely(!src)) {
		local_inc(&c->nosource);
		return pvclock_no_copy(c, g);
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
		/*
		 * Inside a take on this CPU: use the record, leave the copy
		 * (which is being rewritten: no judging against it).
		 */
		ret = pvclock_snap_ns(&s, tsc) + offset;
		if (c->have_good &&
		    pvclock_dist(ret, local64_read(&c->last)) > PVCLOCK_STEP_MAX_NS)
			return pvclock_no_copy(c, g);
		return pvclock_finish(c, g, ret,
				      pvclock_mode_of(c, g, src, &s));
	}
	if (unlikely(c->resync)) {
		/* The first record after a resume continues from the marks. */
		u64 mark = max_t(u64, local64_read(&c->last),
				 atomic64_read(&g->last));

		c->rebase = mark - (pvclock_snap_ns(&s, tsc) + READ_ONCE(c->offset));
		offset = READ_ONCE(c->offset) + c->rebase;
		c->resync = false;
	}
	if (c->have_good) {
		switch (pvclock_judge(c, &s, tsc, offset)) {
		case PVCLOCK_STEP_TAKE:
			break;
		case PVCLOCK_STEP_REFUSE:
			goto keep;
		case PVCLOCK_STEP_FOLLOW:
			/*
			 * Continue where the last good record is (or this
			 * CPU's mark, if the TSC went back behind it).
			 */
			ret = max_t(u64, c->base +
				    pvclock_snap_delta_ns(&c->good, tsc),
				    local64_read(&c->last));
			c->rebase = ret - (pvclock_snap_ns(&s, tsc) +
					   READ_ONCE(c->offset));
			offset = READ_ONCE(c->offset) + c->rebase;
			local_inc(&c->rebases);
			/* Its CPUs no longer share an epoch: guard them all. */
			WRITE_ONCE(g->epoch_guard, true);
			pvclock_stopped_touch();
			break;
		}
	}
	old = c->good;
	if (src == shared && c->have_good && !READ_ONCE(g->epoch_guard))
		pvclock_floor(g, &old, &s, tsc, offset);
	pvclock_take(c, src, &s, READ_ONCE(g->clear_stopped),
		     pvclock_mode_of(c, g, src, &s), offset);
	ret = c->base + pvclock_snap_delta_ns(&s, tsc);
	if (ret < (u64)local64_read(&c->last))
		local_inc(&c->backwards);
	return pvclock_finish(c, g, ret, c->mode);

keep:
	if (!c->have_good || nested)
		return pvclock_no_copy(c, g);
	/* Carry on with the last good record: time stays continuous. */
	tsc = tsc_fn ? tsc_fn() : rdtsc_ordered();
	return pvclock_finish(c, g,
			      c->base + pvclock_snap_delta_ns(&c->good, tsc),
			      c->mode);
}
