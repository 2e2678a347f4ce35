/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio_coalesce internals: the pure parts (level mapping, controllers,
 * settings save and restore) that core.c drives and KUnit tests.
 */
#ifndef _VIRTIO_COALESCE_H
#define _VIRTIO_COALESCE_H

#include <linux/dim.h>
#include <linux/ethtool.h>
#include <linux/ktime.h>
#include <linux/types.h>

struct net_device;

#define VCOAL_LEVEL_MAX		100
/* Deferral: gro_flush_timeout grows 2 us per level, up to 200 us. */
#define VCOAL_FLUSH_NS_PER_LEVEL	2000
/* Notification coalescing: rx usecs likewise, frames up to 64. */
#define VCOAL_USECS_PER_LEVEL	2
#define VCOAL_FRAMES_MAX		64
#define VCOAL_TARGET_US_MAX	100000

enum vcoal_mode {
	VCOAL_MODE_OFF,
	VCOAL_MODE_FIXED,
	VCOAL_MODE_ADAPTIVE,
	VCOAL_MODE_TARGET,
	VCOAL_MODE_NR,
};

/* What a level means for the guest-side mechanism. */
struct vcoal_defer {
	u32 defer_hard_irqs;
	unsigned long flush_ns;
};

/* What a level means for the device's notification coalescing. */
struct vcoal_notf {
	u32 rx_usecs;
	u32 rx_frames;
};

/*
 * The adaptive controller: the kernel's net_dim fed from periodic samples,
 * rescaled to the 64-event windows net_dim expects (its event rate assumes
 * a window of exactly DIM_NEVENTS events).
 */
struct vcoal_adaptive {
	struct dim dim;
	ktime_t t0;
	u64 pkts0, bytes0, events0;
	bool started;
};

/* The target controller's bounds and step. */
struct vcoal_target {
	u32 target_ns;
	u8 lo, hi;
};

extern const char * const vcoal_mode_names[VCOAL_MODE_NR];

int vcoal_mode_parse(const char *buf);
void vcoal_level_to_defer(unsigned int level, struct vcoal_defer *d);
void vcoal_level_to_notf(unsigned int level, struct vcoal_notf *n);
unsigned int vcoal_dim_profile_to_level(int profile_ix);
u64 vcoal_delay_estimate_ns(u64 irqs, u64 pkts, u64 timer_ns);
void vcoal_adaptive_init(struct vcoal_adaptive *a, unsigned int level);
bool vcoal_adaptive_feed(struct vcoal_adaptive *a, ktime_t now, u64 pkts,
			 u64 bytes, u64 events, unsigned int *level);
unsigned int vcoal_target_next(const struct vcoal_target *t, unsigned int level,
			       u64 delay_ns);

void vcoal_defer_read(const struct net_device *dev, struct vcoal_defer *d);
void vcoal_defer_write(struct net_device *dev, const struct vcoal_defer *d);
bool vcoal_defer_equal(const struct vcoal_defer *a, const struct vcoal_defer *b);
void vcoal_defer_restore(struct net_device *dev, const struct vcoal_defer *saved,
			 const struct vcoal_defer *written);

#endif /* _VIRTIO_COALESCE_H */
