// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile-host mode, the daemon side: switching modes, and the hooks the
 * event loop calls so that a mode takes over the part of the service it
 * damages. The region writers are in hostile.c.
 */
#include <time.h>

#include "daemon.h"

/* How often the flood mode raises every vector. */
#define PVHOSTD_FLOOD_MS	1

static void relayout(struct pvhostd *d, const struct pvhostd_layout *lay)
{
	pvhostd_session_relayout(d, lay);
	pvhostd_log("hostile: region laid out again, generation %u",
		    d->s.generation);
}

static void leave(struct pvhostd *d, enum pvhostd_hostile old)
{
	struct pvhostd_layout lay;

	if (d->s.sock < 0)
		return;
	if (pvhostd_hostile_repair(old)) {
		/* the planned layout, back where it belongs */
		pvhostd_layout_plan(d->s.lay.region_size, d->s.lay.nr_vcpus,
				    &lay);
		relayout(d, &lay);
		return;
	}
	if (old == PVHOSTD_HOSTILE_CLOCK_LEAP ||
	    old == PVHOSTD_HOSTILE_CLOCK_AHEAD) {
		pvhostd_clock_truth(&d->s.clock);
		pvhostd_session_raise(d, PVHOST_VEC_CLOCK);
	}
	if (old == PVHOSTD_HOSTILE_VCPU_STUCK ||
	    old == PVHOSTD_HOSTILE_PREEMPT_GARBAGE) {
		pvhostd_hostile_vcpu_repair(d->s.base, &d->s.lay);
		pvhostd_vcpu_republish(d);
	}
	/* the gauge is republished, the pending request answered */
	pvhostd_session_tick(d);
}

/**
 * pvhostd_hostile_set - switch the hostile mode
 * @d: the daemon
 * @mode: the new mode; PVHOSTD_HOSTILE_OFF behaves again
 *
 * The damage of the mode left is repaired first (a new generation where
 * the guest must start over, in place otherwise), then the new mode's
 * damage is done once at once; the tick keeps doing it.
 */
void pvhostd_hostile_set(struct pvhostd *d, enum pvhostd_hostile mode)
{
	enum pvhostd_hostile old = d->hostile;

	d->hostile = PVHOSTD_HOSTILE_OFF;
	if (old != PVHOSTD_HOSTILE_OFF)
		leave(d, old);
	d->hostile = mode;
	d->hostile_changes++;
	if (!d->hostile_rng)
		d->hostile_rng = (u32)pvhostd_now_ns(CLOCK_MONOTONIC) | 1;
	pvhostd_log("hostile mode %s (was %s)", pvhostd_hostile_name(mode),
		    pvhostd_hostile_name(old));
	pvhostd_hostile_tick(d);
}

/**
 * pvhostd_hostile_tick - keep misbehaving
 * @d: the daemon
 *
 * relayout flips the generation and moves the areas on every tick; the
 * modes acting on memory write their damage again.
 */
void pvhostd_hostile_tick(struct pvhostd *d)
{
	struct pvhostd_layout lay, planned;

	if (d->hostile == PVHOSTD_HOSTILE_OFF || d->s.sock < 0)
		return;
	d->hostile_ticks++;
	if (d->hostile == PVHOSTD_HOSTILE_RELAYOUT) {
		pvhostd_layout_plan(d->s.lay.region_size, d->s.lay.nr_vcpus,
				    &planned);
		pvhostd_hostile_layout(&planned, ++d->hostile_flips, &lay);
		relayout(d, &lay);
		return;
	}
	if (d->hostile == PVHOSTD_HOSTILE_CLOCK_LEAP ||
	    d->hostile == PVHOSTD_HOSTILE_CLOCK_AHEAD) {
		/* a new lying record every tick, announced as a real one */
		pvhostd_clock_lie(&d->s.clock,
				  d->hostile == PVHOSTD_HOSTILE_CLOCK_LEAP ?
				  PVHOSTD_CLOCK_LEAP_NS : PVHOSTD_CLOCK_AHEAD_NS);
		pvhostd_session_raise(d, PVHOST_VEC_CLOCK);
		return;
	}
	pvhostd_hostile_apply(d->s.base, &d->s.lay, d->hostile,
			      &d->hostile_rng);
}

/**
 * pvhostd_hostile_serve - whether the mode takes over a part of the service
 * @d: the daemon
 * @part: the part about to be served normally
 *
 * Return: true if the normal service must not run (the damage would be
 * repaired by it, or the mode answers in its own way, as
 * mailbox-malformed does here).
 */
bool pvhostd_hostile_serve(struct pvhostd *d, enum pvhostd_part part)
{
	struct pvhost_mailbox *mb;
	u32 seq;

	switch (d->hostile) {
	case PVHOSTD_HOSTILE_HEADER:
	case PVHOSTD_HOSTILE_GARBAGE:
		return true;
	case PVHOSTD_HOSTILE_GAUGE_RANGE:
	case PVHOSTD_HOSTILE_GAUGE_STUCK:
		return part == PVHOSTD_PART_PRESSURE;
	case PVHOSTD_HOSTILE_RING_BACK:
	case PVHOSTD_HOSTILE_RING_PAST:
		return part == PVHOSTD_PART_ENTROPY;
	case PVHOSTD_HOSTILE_MBOX_SILENT:
		return part == PVHOSTD_PART_MAILBOX;
	case PVHOSTD_HOSTILE_NUMA_GARBAGE:
		return part == PVHOSTD_PART_NUMA;
	case PVHOSTD_HOSTILE_VCPU_STUCK:
	case PVHOSTD_HOSTILE_PREEMPT_GARBAGE:
		return part == PVHOSTD_PART_VCPU;
	case PVHOSTD_HOSTILE_MBOX_MALFORMED:
		if (part != PVHOSTD_PART_MAILBOX || d->s.sock < 0)
			return false;
		mb = d->s.mbox.mb;
		seq = PVHOSTD_LOAD(mb->req_seq);
		if (seq != d->s.mbox.last_seq) {
			pvhostd_hostile_mbox_answer(mb, seq);
			d->s.mbox.last_seq = seq;
			d->hostile_answers++;
			pvhostd_session_raise(d, PVHOST_VEC_MAILBOX);
		}
		return true;
	default:
		return false;
	}
}

/**
 * pvhostd_hostile_timeout - the event loop's epoll timeout
 * @d: the daemon
 * Return: milliseconds, -1 for none
 */
int pvhostd_hostile_timeout(const struct pvhostd *d)
{
	return d->hostile == PVHOSTD_HOSTILE_FLOOD && d->s.sock >= 0 ?
	       PVHOSTD_FLOOD_MS : -1;
}

/**
 * pvhostd_hostile_flood - raise every vector, in flood mode
 * @d: the daemon
 *
 * Called after every wake-up of the event loop, which the flood mode
 * makes at least every PVHOSTD_FLOOD_MS.
 */
void pvhostd_hostile_flood(struct pvhostd *d)
{
	u32 vec;

	if (d->hostile != PVHOSTD_HOSTILE_FLOOD || d->s.sock < 0)
		return;
	for (vec = 0; vec < PVHOST_NR_VECTORS; vec++)
		pvhostd_session_raise(d, vec);
	d->hostile_floods++;
}
