// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for virtio_coalesce: the level mapping, the adaptive
 * controller (net_dim) and the target controller on synthetic traffic,
 * and the save and restore of a device's settings.
 */
#include <kunit/test.h>
#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <linux/workqueue.h>

#include "virtio_coalesce.h"

static void vcoal_test_mapping(struct kunit *test)
{
	struct vcoal_defer d, prev = {};
	struct vcoal_notf n, nprev = {};
	unsigned int level;

	vcoal_level_to_defer(0, &d);
	KUNIT_EXPECT_EQ(test, d.defer_hard_irqs, 0U);
	KUNIT_EXPECT_EQ(test, d.flush_ns, 0UL);
	vcoal_level_to_notf(0, &n);
	KUNIT_EXPECT_EQ(test, n.rx_usecs, 0U);
	KUNIT_EXPECT_EQ(test, n.rx_frames, 0U);
	for (level = 1; level <= VCOAL_LEVEL_MAX; level++) {
		vcoal_level_to_defer(level, &d);
		vcoal_level_to_notf(level, &n);
		/* Every level coalesces, and more than the level below. */
		KUNIT_EXPECT_GE(test, d.defer_hard_irqs, 1U);
		KUNIT_EXPECT_GT(test, d.flush_ns, prev.flush_ns);
		KUNIT_EXPECT_GE(test, d.defer_hard_irqs, prev.defer_hard_irqs);
		KUNIT_EXPECT_GT(test, n.rx_usecs, nprev.rx_usecs);
		KUNIT_EXPECT_GE(test, n.rx_frames, nprev.rx_frames);
		KUNIT_EXPECT_LE(test, n.rx_frames, (u32)VCOAL_FRAMES_MAX);
		prev = d;
		nprev = n;
	}
	KUNIT_EXPECT_EQ(test, d.defer_hard_irqs, 10U);
	KUNIT_EXPECT_EQ(test, d.flush_ns, 200000UL);
	KUNIT_EXPECT_EQ(test, n.rx_usecs, 200U);
	KUNIT_EXPECT_EQ(test, n.rx_frames, (u32)VCOAL_FRAMES_MAX);
	/* Out of range is clamped, never wrapped. */
	vcoal_level_to_defer(1000, &d);
	KUNIT_EXPECT_EQ(test, d.flush_ns, 200000UL);
	vcoal_level_to_notf(UINT_MAX, &n);
	KUNIT_EXPECT_EQ(test, n.rx_usecs, 200U);
	for (level = 0; level < NET_DIM_PARAMS_NUM_PROFILES; level++)
		KUNIT_EXPECT_EQ(test, vcoal_dim_profile_to_level(level), level * 25);
	KUNIT_EXPECT_EQ(test, vcoal_dim_profile_to_level(-3), 0U);
	KUNIT_EXPECT_EQ(test, vcoal_dim_profile_to_level(99), 100U);
}

static void vcoal_test_modes(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, vcoal_mode_parse("off"), VCOAL_MODE_OFF);
	KUNIT_EXPECT_EQ(test, vcoal_mode_parse("fixed\n"), VCOAL_MODE_FIXED);
	KUNIT_EXPECT_EQ(test, vcoal_mode_parse("adaptive"), VCOAL_MODE_ADAPTIVE);
	KUNIT_EXPECT_EQ(test, vcoal_mode_parse("target\n"), VCOAL_MODE_TARGET);
	KUNIT_EXPECT_EQ(test, vcoal_mode_parse("Fixed"), -EINVAL);
	KUNIT_EXPECT_EQ(test, vcoal_mode_parse(""), -EINVAL);
	KUNIT_EXPECT_EQ(test, vcoal_mode_parse("fixed 2"), -EINVAL);
}

static void vcoal_test_delay_estimate(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, vcoal_delay_estimate_ns(0, 0, 100000), 0ULL);
	/* Every packet raised its own interrupt: nobody waited. */
	KUNIT_EXPECT_EQ(test, vcoal_delay_estimate_ns(100, 100, 100000), 0ULL);
	KUNIT_EXPECT_EQ(test, vcoal_delay_estimate_ns(150, 100, 100000), 0ULL);
	KUNIT_EXPECT_EQ(test, vcoal_delay_estimate_ns(10, 100, 0), 0ULL);
	/* 90 of 100 waited half a 100 us timer on average. */
	KUNIT_EXPECT_EQ(test, vcoal_delay_estimate_ns(10, 100, 100000), 45000ULL);
	KUNIT_EXPECT_EQ(test, vcoal_delay_estimate_ns(1, 1000000, 200000), 99999ULL);
}

/* Synthetic traffic for the adaptive controller. */
enum vcoal_traffic { VCOAL_BULK, VCOAL_RR, VCOAL_IDLE };

struct vcoal_sim {
	struct vcoal_adaptive a;
	ktime_t now;
	u64 pkts, bytes, irqs;
	unsigned int level;
	unsigned int moves;
};

static void vcoal_noop_work(struct work_struct *work)
{
}

static void vcoal_sim_cancel(void *data)
{
	struct vcoal_sim *s = data;

	cancel_work_sync(&s->a.dim.work);
}

/*
 * On the heap: net_dim queues the work the simulation owns; the work is
 * cancelled before the memory goes, however the test ends.
 */
static struct vcoal_sim *vcoal_sim_new(struct kunit *test, unsigned int level)
{
	struct vcoal_sim *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, s);
	INIT_WORK(&s->a.dim.work, vcoal_noop_work);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, vcoal_sim_cancel, s));
	vcoal_adaptive_init(&s->a, level);
	s->level = level;
	s->now = ktime_set(1, 0);
	return s;
}

/*
 * One 100 ms period. Bulk: 100k packets/s of 1500 bytes whatever the
 * level, 1 + level/5 packets per interrupt. Request/response: one packet
 * per interrupt, a 50 us round trip plus half the level's timer.
 */
static void vcoal_sim_period(struct vcoal_sim *s, enum vcoal_traffic t)
{
	u64 pkts = 0, bytes = 0, irqs = 0;
	struct vcoal_defer d;

	vcoal_level_to_defer(s->level, &d);
	switch (t) {
	case VCOAL_BULK:
		pkts = 10000;
		bytes = pkts * 1500;
		irqs = pkts / (1 + s->level / 5);
		break;
	case VCOAL_RR:
		pkts = div64_u64(100 * NSEC_PER_MSEC, 50000 + d.flush_ns / 2);
		bytes = pkts * 100;
		irqs = pkts;
		break;
	case VCOAL_IDLE:
		break;
	}
	s->now = ktime_add_ms(s->now, 100);
	s->pkts += pkts;
	s->bytes += bytes;
	s->irqs += irqs;
	if (vcoal_adaptive_feed(&s->a, s->now, s->pkts, s->bytes, s->irqs, &s->level))
		s->moves++;
}

static void vcoal_test_adaptive_steady(struct kunit *test)
{
	struct vcoal_sim *s = vcoal_sim_new(test, 0);
	int i;

	for (i = 0; i < 100; i++) {
		vcoal_sim_period(s, VCOAL_BULK);
		KUNIT_ASSERT_LE(test, s->level, (unsigned int)VCOAL_LEVEL_MAX);
	}
	/* Fewer interrupts for the same throughput: all the way up, and it stays. */
	KUNIT_EXPECT_EQ(test, s->level, 100U);
	KUNIT_EXPECT_LE(test, s->moves, 8U);
}

static void vcoal_test_adaptive_rr(struct kunit *test)
{
	struct vcoal_sim *s = vcoal_sim_new(test, 50);
	int i;

	for (i = 0; i < 100; i++)
		vcoal_sim_period(s, VCOAL_RR);
	/* Coalescing only slows request/response down: back to the bottom. */
	KUNIT_EXPECT_EQ(test, s->level, 0U);
}

static void vcoal_test_adaptive_bursty(struct kunit *test)
{
	struct vcoal_sim *s = vcoal_sim_new(test, 0);
	unsigned int before;
	int burst, i;

	for (burst = 0; burst < 10; burst++) {
		for (i = 0; i < 10; i++)
			vcoal_sim_period(s, VCOAL_BULK);
		/* An idle link is no evidence: the level holds through it. */
		before = s->level;
		for (i = 0; i < 30; i++) {
			vcoal_sim_period(s, VCOAL_IDLE);
			KUNIT_ASSERT_EQ(test, s->level, before);
		}
	}
	KUNIT_EXPECT_GE(test, s->level, 75U);
	/* Then the workload turns to request/response: it follows. */
	for (i = 0; i < 30; i++)
		vcoal_sim_period(s, VCOAL_RR);
	KUNIT_EXPECT_LE(test, s->level, 25U);
}

/* The target controller on a plant whose delay is 1 us per level, +-20%. */
static u64 vcoal_plant_delay(unsigned int level, unsigned int step)
{
	static const int noise[] = { 0, 15, -10, 20, -20, 5, -5, 10 };

	return div_u64((u64)level * NSEC_PER_USEC * (100 + noise[step % 8]), 100);
}

static void vcoal_test_target_converges(struct kunit *test)
{
	struct vcoal_target t = { .target_ns = 40000, .lo = 0, .hi = 100 };
	unsigned int level = 0, next, step, over = 0;
	u64 delay, sum = 0;

	for (step = 0; step < 300; step++) {
		delay = vcoal_plant_delay(level, step);
		next = vcoal_target_next(&t, level, delay);
		KUNIT_ASSERT_LE(test, next, 100U);
		if (step >= 50) {
			/* Converged: near the most the target allows. */
			KUNIT_EXPECT_GE(test, level, 20U);
			KUNIT_EXPECT_LE(test, level, 45U);
			sum += delay;
			if (delay > t.target_ns) {
				over++;
				/* An overshoot (noise) is corrected at once. */
				KUNIT_EXPECT_LT(test, next, level);
			}
		}
		level = next;
	}
	/* On average under the target; over it in at most a quarter of periods. */
	KUNIT_EXPECT_LE(test, div_u64(sum, 250), (u64)t.target_ns);
	KUNIT_EXPECT_LE(test, over, 62U);
	/* Without noise it settles under the target and stays. */
	level = 0;
	for (step = 0; step < 100; step++)
		level = vcoal_target_next(&t, level, (u64)level * NSEC_PER_USEC);
	KUNIT_EXPECT_LE(test, (u64)level * NSEC_PER_USEC, (u64)t.target_ns);
	KUNIT_EXPECT_GE(test, level, 30U);
}

static void vcoal_test_target_bounds(struct kunit *test)
{
	struct vcoal_target t = { .target_ns = 1000000000, .lo = 10, .hi = 60 };
	unsigned int level = 0, step;

	/* A target nothing reaches: up to hi, never past it. */
	for (step = 0; step < 100; step++) {
		level = vcoal_target_next(&t, level, vcoal_plant_delay(level, step));
		KUNIT_ASSERT_GE(test, level, 10U);
		KUNIT_ASSERT_LE(test, level, 60U);
	}
	KUNIT_EXPECT_EQ(test, level, 60U);
	/* A target every level misses: down to lo, never under it. */
	t.target_ns = 1;
	for (step = 0; step < 100; step++) {
		level = vcoal_target_next(&t, level, vcoal_plant_delay(level, step) + 1000);
		KUNIT_ASSERT_GE(test, level, 10U);
		KUNIT_ASSERT_LE(test, level, 60U);
	}
	KUNIT_EXPECT_EQ(test, level, 10U);
	/* Inverted or out-of-range bounds are clamped, not trusted. */
	t.lo = 90;
	t.hi = 20;
	KUNIT_EXPECT_EQ(test, vcoal_target_next(&t, 5, 0), 90U);
	t.lo = 200;
	t.hi = 250;
	KUNIT_EXPECT_EQ(test, vcoal_target_next(&t, 5, 0), 100U);
}

static void vcoal_test_save_restore(struct kunit *test)
{
	struct vcoal_defer saved, written, cur;
	struct net_device *dev;

	dev = alloc_etherdev(0);
	KUNIT_ASSERT_NOT_NULL(test, dev);
	/* What the user had set before the module came. */
	WRITE_ONCE(dev->napi_defer_hard_irqs, 3);
	WRITE_ONCE(dev->gro_flush_timeout, 5000);
	vcoal_defer_read(dev, &saved);
	KUNIT_EXPECT_EQ(test, saved.defer_hard_irqs, 3U);
	KUNIT_EXPECT_EQ(test, saved.flush_ns, 5000UL);

	vcoal_level_to_defer(50, &written);
	vcoal_defer_write(dev, &written);
	vcoal_defer_read(dev, &cur);
	KUNIT_EXPECT_TRUE(test, vcoal_defer_equal(&cur, &written));
	KUNIT_EXPECT_EQ(test, READ_ONCE(dev->gro_flush_timeout), 100000UL);
	vcoal_defer_restore(dev, &saved, &written);
	vcoal_defer_read(dev, &cur);
	KUNIT_EXPECT_TRUE(test, vcoal_defer_equal(&cur, &saved));

	/* A value the user changed meanwhile is theirs: it stays. */
	vcoal_defer_write(dev, &written);
	WRITE_ONCE(dev->gro_flush_timeout, 777);
	vcoal_defer_read(dev, &cur);
	KUNIT_EXPECT_FALSE(test, vcoal_defer_equal(&cur, &written));
	vcoal_defer_restore(dev, &saved, &written);
	KUNIT_EXPECT_EQ(test, (u32)READ_ONCE(dev->napi_defer_hard_irqs), 3U);
	KUNIT_EXPECT_EQ(test, READ_ONCE(dev->gro_flush_timeout), 777UL);
	free_netdev(dev);
}

static struct kunit_case vcoal_ctrl_cases[] = {
	KUNIT_CASE(vcoal_test_mapping),
	KUNIT_CASE(vcoal_test_modes),
	KUNIT_CASE(vcoal_test_delay_estimate),
	KUNIT_CASE(vcoal_test_adaptive_steady),
	KUNIT_CASE(vcoal_test_adaptive_rr),
	KUNIT_CASE(vcoal_test_adaptive_bursty),
	KUNIT_CASE(vcoal_test_target_converges),
	KUNIT_CASE(vcoal_test_target_bounds),
	{}
};

static struct kunit_suite vcoal_ctrl_suite = {
	.name = "virtio_coalesce_ctrl",
	.test_cases = vcoal_ctrl_cases,
};

static struct kunit_case vcoal_settings_cases[] = {
	KUNIT_CASE(vcoal_test_save_restore),
	{}
};

static struct kunit_suite vcoal_settings_suite = {
	.name = "virtio_coalesce_settings",
	.test_cases = vcoal_settings_cases,
};

kunit_test_suites(&vcoal_ctrl_suite, &vcoal_settings_suite);

MODULE_DESCRIPTION("KUnit tests for virtio_coalesce");
MODULE_LICENSE("GPL");
MODULE_INFO(test, "Y");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
