// SPDX-License-Identifier: GPL-2.0
/*
 * virtio_coalesce: the level mapping and the controllers, as functions of
 * their inputs only (core.c samples the device and applies the result).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/visibility.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/netdevice.h>
#include <linux/string.h>

#include "virtio_coalesce.h"

/* A longer window (a sampler that stalled) is dropped. */
#define VCOAL_DIM_WINDOW_MAX_NS	(2 * NSEC_PER_SEC)
/* net_dim keeps bytes in a u32 it multiplies by 1000: feed 16-byte units. */
#define VCOAL_DIM_BYTE_SHIFT	4
/* Target: raise the level while the delay is under 3/4 of the target. */
#define VCOAL_TARGET_STEP		5

const char * const vcoal_mode_names[VCOAL_MODE_NR] = {
	[VCOAL_MODE_OFF] = "off",
	[VCOAL_MODE_FIXED] = "fixed",
	[VCOAL_MODE_ADAPTIVE] = "adaptive",
	[VCOAL_MODE_TARGET] = "target",
};
EXPORT_SYMBOL_IF_KUNIT(vcoal_mode_names);

/* Returns the mode named by @buf (a trailing newline allowed) or -EINVAL. */
int vcoal_mode_parse(const char *buf)
{
	return sysfs_match_string(vcoal_mode_names, buf);
}
EXPORT_SYMBOL_IF_KUNIT(vcoal_mode_parse);

/*
 * Level 0 is the driver's default (an interrupt for every completion).
 * From 1 to 100, NAPI keeps polling from a timer of 2 us per level for up
 * to one more empty poll per ten levels before it turns the virtqueue
 * callback back on: the host injects no interrupt meanwhile.
 */
void vcoal_level_to_defer(unsigned int level, struct vcoal_defer *d)
{
	level = min_t(unsigned int, level, VCOAL_LEVEL_MAX);
	d->defer_hard_irqs = DIV_ROUND_UP(level, 10);
	d->flush_ns = (unsigned long)level * VCOAL_FLUSH_NS_PER_LEVEL;
}
EXPORT_SYMBOL_IF_KUNIT(vcoal_level_to_defer);

/* The same curve in the device's own notification coalescing. */
void vcoal_level_to_notf(unsigned int level, struct vcoal_notf *n)
{
	level = min_t(unsigned int, level, VCOAL_LEVEL_MAX);
	n->rx_usecs = level * VCOAL_USECS_PER_LEVEL;
	n->rx_frames = level ? 1 + DIV_ROUND_UP(level * (VCOAL_FRAMES_MAX - 1),
						 VCOAL_LEVEL_MAX) : 0;
}
EXPORT_SYMBOL_IF_KUNIT(vcoal_level_to_notf);

unsigned int vcoal_dim_profile_to_level(int profile_ix)
{
	profile_ix = clamp(profile_ix, 0, NET_DIM_PARAMS_NUM_PROFILES - 1);
	return profile_ix * VCOAL_LEVEL_MAX / (NET_DIM_PARAMS_NUM_PROFILES - 1);
}
EXPORT_SYMBOL_IF_KUNIT(vcoal_dim_profile_to_level);

/*
 * The mean delay coalescing added to a packet over a sampling period, from
 * the period's counts: a packet that raised its own interrupt waited for
 * nothing; every other one arrived while the interrupt was held back and
 * waited for the next timer poll, half a timer period on average.
 */
u64 vcoal_delay_estimate_ns(u64 irqs, u64 pkts, u64 timer_ns)
{
	if (!pkts || irqs >= pkts || !timer_ns)
		return 0;
	return div64_u64((pkts - irqs) * timer_ns, 2 * pkts);
}
EXPORT_SYMBOL_IF_KUNIT(vcoal_delay_estimate_ns);

static void vcoal_adaptive_rebase(struct vcoal_adaptive *a, ktime_t now, u64 pkts,
				  u64 bytes, u64 events)
{
	a->t0 = now;
	a->pkts0 = pkts;
	a->bytes0 = bytes;
	a->events0 = events;
	memset(&a->dim.start_sample, 0, sizeof(a->dim.start_sample));
	a->dim.start_sample.time = now;
	a->dim.state = DIM_MEASURE_IN_PROGRESS;
	a->started = true;
}

/* The caller owns a->dim.work (initialised; net_dim schedules it). */
void vcoal_adaptive_init(struct vcoal_adaptive *a, unsigned int level)
{
	a->dim.state = DIM_START_MEASURE;
	a->dim.tune_state = DIM_GOING_RIGHT;
	a->dim.profile_ix = min_t(unsigned int, level, VCOAL_LEVEL_MAX) *
			    (NET_DIM_PARAMS_NUM_PROFILES - 1) / VCOAL_LEVEL_MAX;
	a->dim.mode = DIM_CQ_PERIOD_MODE_START_FROM_EQE;
	a->dim.steps_left = 0;
	a->dim.steps_right = 0;
	a->dim.tired = 0;
	memset(&a->dim.prev_stats, 0, sizeof(a->dim.prev_stats));
	a->started = false;
}
EXPORT_SYMBOL_IF_KUNIT(vcoal_adaptive_init);

/**
 * vcoal_adaptive_feed - give the adaptive controller the device's counters
 * @a: the controller
 * @now: when the counters were read
 * @pkts: received packets, cumulative
 * @bytes: received bytes, cumulative
 * @events: interrupts, cumulative
 * @level: set to the new level when the controller moves
 *
 * net_dim measures windows of DIM_NEVENTS interrupts; a driver calls it
 * from every interrupt. Here every sampling period is one window: a
 * window of n >= DIM_NEVENTS interrupts is handed to net_dim scaled down
 * to exactly DIM_NEVENTS (time, packets and bytes times DIM_NEVENTS / n),
 * which keeps every rate net_dim computes, the interrupt rate included.
 * A period with fewer interrupts (an idle link) is dropped, so an idle
 * spell never dilutes the rates of the traffic around it.
 *
 * Return: true when the level changed.
 */
bool vcoal_adaptive_feed(struct vcoal_adaptive *a, ktime_t now,
			 u64 pkts, u64 bytes, u64 events,
			 unsigned int *level)
{
	struct dim_sample end = {};
	bool moved = false;
	u64 n, dt;

	if (!a->started || a->dim.state != DIM_MEASURE_IN_PROGRESS ||
	    ktime_compare(now, a->t0) <= 0 || pkts < a->pkts0 ||
	    bytes < a->bytes0 || events < a->events0)
		goto rebase;
	n = events - a->events0;
	dt = ktime_to_ns(ktime_sub(now, a->t0));
	if (n < DIM_NEVENTS || dt > VCOAL_DIM_WINDOW_MAX_NS)
		goto rebase;
	end.time = ktime_add_ns(a->t0, div64_u64(dt * DIM_NEVENTS, n));
	end.pkt_ctr = min_t(u64, div64_u64((pkts - a->pkts0) * DIM_NEVENTS, n),
			    U32_MAX / USEC_PER_MSEC);
	end.byte_ctr = min_t(u64, div64_u64(((bytes - a->bytes0) >> VCOAL_DIM_BYTE_SHIFT) *
					    DIM_NEVENTS, n),
			     U32_MAX / USEC_PER_MSEC);
	end.event_ctr = DIM_NEVENTS;
	net_dim(&a->dim, end);
	if (a->dim.state == DIM_APPLY_NEW_PROFILE) {
		*level = vcoal_dim_profile_to_level(a->dim.profile_ix);
		moved = true;
	}
rebase:
	vcoal_adaptive_rebase(a, now, pkts, bytes, events);
	return moved;
}
EXPORT_SYMBOL_IF_KUNIT(vcoal_adaptive_feed);

/**
 * vcoal_target_next - one step of the latency-target controller
 * @t: target and level bounds
 * @level: the level in force over the last period
 * @delay_ns: the delay measured over the last period
 *
 * Additive increase while the delay is under 3/4 of the target,
 * multiplicative decrease (a quarter, at least one level) as soon as it is
 * over: the most coalescing that keeps the delay under the target, with
 * the level always within [@t->lo, @t->hi].
 *
 * Return: the level for the next period.
 */
unsigned int vcoal_target_next(const struct vcoal_target *t,
			       unsigned int level, u64 delay_ns)
{
	unsigned int lo = min_t(unsigned int, t->lo, VCOAL_LEVEL_MAX);
	unsigned int hi = clamp_t(unsigned int, t->hi, lo, VCOAL_LEVEL_MAX);

	level = clamp(level, lo, hi);
	if (delay_ns > t->target_ns)
		level -= min(level - lo, max(1U, level / 4));
	else if (delay_ns * 4 < (u64)t->target_ns * 3)
		level = min(hi, level + VCOAL_TARGET_STEP);
	return level;
}
EXPORT_SYMBOL_IF_KUNIT(vcoal_target_next);

/* The deferral settings of @dev, as the net-sysfs files show them. */
void vcoal_defer_read(const struct net_device *dev, struct vcoal_defer *d)
{
	d->defer_hard_irqs = READ_ONCE(dev->napi_defer_hard_irqs);
	d->flush_ns = READ_ONCE(dev->gro_flush_timeout);
}
EXPORT_SYMBOL_IF_KUNIT(vcoal_defer_read);

/* Called under RTNL, as net-sysfs writes them. */
void vcoal_defer_write(struct net_device *dev, const struct vcoal_defer *d)
{
	WRITE_ONCE(dev->napi_defer_hard_irqs, d->defer_hard_irqs);
	WRITE_ONCE(dev->gro_flush_timeout, d->flush_ns);
}
EXPORT_SYMBOL_IF_KUNIT(vcoal_defer_write);

bool vcoal_defer_equal(const struct vcoal_defer *a, const struct vcoal_defer *b)
{
	return a->defer_hard_irqs == b->defer_hard_irqs && a->flush_ns == b->flush_ns;
}
EXPORT_SYMBOL_IF_KUNIT(vcoal_defer_equal);

/*
 * Put back what was saved, one setting at a time, but only a setting that
 * still holds what the module wrote: one the user changed since is theirs.
 */
void vcoal_defer_restore(struct net_device *dev,
			 const struct vcoal_defer *saved,
				       const struct vcoal_defer *written)
{
	struct vcoal_defer cur, out;

	vcoal_defer_read(dev, &cur);
	out = cur;
	if (cur.defer_hard_irqs == written->defer_hard_irqs)
		out.defer_hard_irqs = saved->defer_hard_irqs;
	if (cur.flush_ns == written->flush_ns)
		out.flush_ns = saved->flush_ns;
	vcoal_defer_write(dev, &out);
}
EXPORT_SYMBOL_IF_KUNIT(vcoal_defer_restore);
