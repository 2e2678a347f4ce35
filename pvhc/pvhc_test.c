// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for pvhc.
 *
 * The tests install their own backends at PVHC_PRIO_TEST and above the
 * real ones, whatever the guest runs on: a fake host that returns what each
 * test sets, garbage included. Suites: pvhc (the API), pvhc_backend (the
 * registry, notifiers, sysfs text, deny=), pvhc_kvm (the kvm backend
 * against fake cpuid and hypercalls) and pvhc_xen (the xen backend against
 * fake hypercalls).
 */
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/cpumask.h>
#include <linux/irqflags.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/nodemask.h>
#include <linux/notifier.h>
#include <linux/pvhc.h>
#include <linux/string.h>
#include <linux/time64.h>
#include <asm/pvclock.h>

#if IS_ENABLED(CONFIG_KVM_GUEST)
#include <linux/io.h>
#include <linux/kvm_para.h>
#endif

#if IS_ENABLED(CONFIG_XEN)
#include <linux/err.h>
#include <xen/xen.h>
#include <xen/interface/xen.h>
#include <xen/interface/sched.h>
#include <xen/interface/vcpu.h>
#endif

#include "pvhc_internal.h"

#define PVHC_TEST_ALL_FEATURES	(BIT(PVHC_FEAT_NR) - 1)

enum pvhc_test_entropy {
	PVHC_TEST_ENTROPY_FULL,		/* fills and returns len */
	PVHC_TEST_ENTROPY_FIXED,	/* returns entropy_ret */
	PVHC_TEST_ENTROPY_PLUS_ONE,	/* claims len + 1 */
};

/* The fake host behind a test backend: each op returns what is set here. */
struct pvhc_test_host {
	int calls;
	int last_cpu;
	bool last_on;
	int last_id;
	int preempted;
	int status;			/* yield, kick, boost */
	int clock_rc;
	bool clock_null;
	struct pvclock_vcpu_time_info rec;
	int pairing_rc;
	struct pvhc_clock_pairing pairing;
	int hint_ret;
	struct pvhc_numa_hint last_hint;
	int numa_status;
	int info_rc;
	struct pvhc_numa_info *info;
	int pressure_rc;
	struct pvhc_pressure pressure;
	enum pvhc_test_entropy entropy_mode;
	ssize_t entropy_ret;
	u32 *hint;			/* [nr_cpu_ids]: the lock-hint words */
	u32 seen;
	int seen_rc;
};

static int pvhc_test_preempted(void *priv, unsigned int cpu)
{
	struct pvhc_test_host *h = priv;

	h->calls++;
	h->last_cpu = cpu;
	return h->preempted;
}

static int pvhc_test_yield(void *priv, int cpu)
{
	struct pvhc_test_host *h = priv;

	h->calls++;
	h->last_cpu = cpu;
	return h->status;
}

static int pvhc_test_kick(void *priv, unsigned int cpu)
{
	struct pvhc_test_host *h = priv;

	h->calls++;
	h->last_cpu = cpu;
	return h->status;
}

static int pvhc_test_boost(void *priv, unsigned int cpu, bool on)
{
	struct pvhc_test_host *h = priv;

	h->calls++;
	h->last_cpu = cpu;
	h->last_on = on;
	return h->status;
}

static int pvhc_test_clock(void *priv, unsigned int cpu,
			   const struct pvclock_vcpu_time_info **rec)
{
	struct pvhc_test_host *h = priv;

	h->calls++;
	h->last_cpu = cpu;
	if (h->clock_rc)
		return h->clock_rc;
	*rec = h->clock_null ? NULL : &h->rec;
	return 0;
}

static int pvhc_test_pairing(void *priv, struct pvhc_clock_pairing *out)
{
	struct pvhc_test_host *h = priv;

	h->calls++;
	*out = h->pairing;
	return h->pairing_rc;
}

static int pvhc_test_numa_hint(void *priv, const struct pvhc_numa_hint *hint)
{
	struct pvhc_test_host *h = priv;

	h->calls++;
	h->last_hint = *hint;
	return h->hint_ret;
}

static int pvhc_test_numa_status(void *priv, int id)
{
	struct pvhc_test_host *h = priv;

	h->calls++;
	h->last_id = id;
	return h->numa_status;
}

static int pvhc_test_numa_info(void *priv, struct pvhc_numa_info *out)
{
	struct pvhc_test_host *h = priv;

	h->calls++;
	memcpy(out, h->info, sizeof(*out));
	return h->info_rc;
}

static int pvhc_test_pressure(void *priv, struct pvhc_pressure *out)
{
	struct pvhc_test_host *h = priv;

	h->calls++;
	*out = h->pressure;
	return h->pressure_rc;
}

static ssize_t pvhc_test_entropy(void *priv, void *buf, size_t len)
{
	struct pvhc_test_host *h = priv;

	h->calls++;
	memset(buf, 0xa5, len);
	switch (h->entropy_mode) {
	case PVHC_TEST_ENTROPY_FULL:
		return len;
	case PVHC_TEST_ENTROPY_PLUS_ONE:
		return len + 1;
	default:
		return h->entropy_ret;
	}
}

static u32 *pvhc_test_hint_slot(void *priv, unsigned int cpu)
{
	struct pvhc_test_host *h = priv;

	return cpu < nr_cpu_ids ? &h->hint[cpu] : NULL;
}

static int pvhc_test_hint_seen(void *priv, unsigned int cpu, u32 *seen)
{
	struct pvhc_test_host *h = priv;

	h->calls++;
	h->last_cpu = cpu;
	*seen = h->seen;
	return h->seen_rc;
}

static const struct pvhc_backend_ops pvhc_test_ops = {
	.vcpu_preempted = pvhc_test_preempted,
	.yield_to = pvhc_test_yield,
	.kick = pvhc_test_kick,
	.boost = pvhc_test_boost,
	.clock_record = pvhc_test_clock,
	.clock_pairing = pvhc_test_pairing,
	.numa_hint = pvhc_test_numa_hint,
	.numa_status = pvhc_test_numa_status,
	.numa_info = pvhc_test_numa_info,
	.pressure = pvhc_test_pressure,
	.entropy = pvhc_test_entropy,
	.lock_hint_slot = pvhc_test_hint_slot,
	.lock_hint_seen = pvhc_test_hint_seen,
};

#define PVHC_TEST_MAX_BACKENDS	4

/* Per test: what it registered, unregistered again by pvhc_test_exit(). */
struct pvhc_test_ctx {
	struct pvhc_backend *reg[PVHC_TEST_MAX_BACKENDS];
};

static int pvhc_test_init(struct kunit *test)
{
	test->priv = kunit_kzalloc(test, sizeof(struct pvhc_test_ctx),
				   GFP_KERNEL);
	return test->priv ? 0 : -ENOMEM;
}

static void pvhc_test_exit(struct kunit *test)
{
	struct pvhc_test_ctx *ctx = test->priv;
	int i;

	for (i = PVHC_TEST_MAX_BACKENDS - 1; i >= 0; i--)
		if (ctx->reg[i])
			pvhc_backend_unregister(ctx->reg[i]);
}

static struct pvhc_test_host *pvhc_test_host(struct kunit *test)
{
	struct pvhc_test_host *h;

	h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, h);
	h->info = kunit_kzalloc(test, sizeof(*h->info), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, h->info);
	h->hint = kunit_kcalloc(test, nr_cpu_ids, sizeof(*h->hint), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, h->hint);
	h->last_cpu = -100;
	return h;
}

static struct pvhc_backend *pvhc_test_backend(struct kunit *test,
					      const char *name, int prio,
					      unsigned long features,
					      struct pvhc_test_host *h)
{
	struct pvhc_backend *b;

	b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b);
	b->name = name;
	b->priority = prio;
	b->features = features;
	b->ops = &pvhc_test_ops;
	b->priv = h;
	b->owner = THIS_MODULE;
	return b;
}

static void pvhc_test_register(struct kunit *test, struct pvhc_backend *b)
{
	struct pvhc_test_ctx *ctx = test->priv;
	int i;

	KUNIT_ASSERT_EQ(test, pvhc_backend_register(b), 0);
	for (i = 0; i < PVHC_TEST_MAX_BACKENDS; i++) {
		if (!ctx->reg[i]) {
			ctx->reg[i] = b;
			return;
		}
	}
	KUNIT_FAIL(test, "too many test backends");
}

static void pvhc_test_unregister(struct kunit *test, struct pvhc_backend *b)
{
	struct pvhc_test_ctx *ctx = test->priv;
	int i;

	for (i = 0; i < PVHC_TEST_MAX_BACKENDS; i++) {
		if (ctx->reg[i] == b) {
			ctx->reg[i] = NULL;
			pvhc_backend_unregister(b);
			return;
		}
	}
	KUNIT_FAIL(test, "unregistering a backend the test did not register");
}

/* A test backend named "test" offering everything, registered. */
static struct pvhc_backend *pvhc_test_full(struct kunit *test,
					   struct pvhc_test_host **hp)
{
	struct pvhc_test_host *h = pvhc_test_host(test);
	struct pvhc_backend *b;

	b = pvhc_test_backend(test, "test", PVHC_PRIO_TEST,
			      PVHC_TEST_ALL_FEATURES, h);
	pvhc_test_register(test, b);
	*hp = h;
	return b;
}

/* The highest possible CPU: a second vCPU where the guest has one. */
static unsigned int pvhc_test_cpu(void)
{
	return cpumask_last(cpu_possible_mask);
}

static void pvhc_test_valid_info(struct pvhc_numa_info *info)
{
	u32 i;

	memset(info, 0, sizeof(*info));
	info->nr_nodes = 2;
	info->nr_vcpus = 4;
	for (i = 0; i < info->nr_vcpus; i++)
		info->vcpu_to_node[i] = i % 2;
	info->distance[0][0] = 10;
	info->distance[0][1] = 20;
	info->distance[1][0] = 20;
	info->distance[1][1] = 10;
}

/* ---- suite pvhc: the API against the test backend ---- */

static void pvhc_test_preempted_values(struct kunit *test)
{
	unsigned int cpu = pvhc_test_cpu();
	struct pvhc_test_host *h;
	unsigned long flags;
	int ret;

	pvhc_test_full(test, &h);
	h->preempted = 1;
	KUNIT_EXPECT_EQ(test, pvhc_vcpu_preempted(cpu), 1);
	KUNIT_EXPECT_EQ(test, h->last_cpu, (int)cpu);
	h->preempted = 0;
	KUNIT_EXPECT_EQ(test, pvhc_vcpu_preempted(0), 0);
	KUNIT_EXPECT_EQ(test, h->last_cpu, 0);
	h->preempted = -EAGAIN;
	KUNIT_EXPECT_EQ(test, pvhc_vcpu_preempted(0), -EAGAIN);

	/* Atomic safe: with interrupts off (DEBUG_ATOMIC_SLEEP would tell). */
	h->preempted = 1;
	local_irq_save(flags);
	ret = pvhc_vcpu_preempted(cpu);
	local_irq_restore(flags);
	KUNIT_EXPECT_EQ(test, ret, 1);
	KUNIT_EXPECT_EQ(test, h->calls, 4);
}

static void pvhc_test_yield_kick_boost(struct kunit *test)
{
	unsigned int cpu = pvhc_test_cpu();
	struct pvhc_test_host *h;

	pvhc_test_full(test, &h);
	KUNIT_EXPECT_EQ(test, pvhc_yield_to(cpu), 0);
	KUNIT_EXPECT_EQ(test, h->last_cpu, (int)cpu);
	/* Any negative CPU is an undirected yield, passed on as -1. */
	KUNIT_EXPECT_EQ(test, pvhc_yield_to(-42), 0);
	KUNIT_EXPECT_EQ(test, h->last_cpu, -1);

	KUNIT_EXPECT_EQ(test, pvhc_kick(cpu), 0);
	KUNIT_EXPECT_EQ(test, h->last_cpu, (int)cpu);

	KUNIT_EXPECT_EQ(test, pvhc_boost(0, true), 0);
	KUNIT_EXPECT_EQ(test, h->last_cpu, 0);
	KUNIT_EXPECT_TRUE(test, h->last_on);
	KUNIT_EXPECT_EQ(test, pvhc_boost(cpu, false), 0);
	KUNIT_EXPECT_FALSE(test, h->last_on);

	h->status = -EBUSY;
	KUNIT_EXPECT_EQ(test, pvhc_yield_to(0), -EBUSY);
	KUNIT_EXPECT_EQ(test, pvhc_kick(0), -EBUSY);
	KUNIT_EXPECT_EQ(test, pvhc_boost(0, true), -EBUSY);
	KUNIT_EXPECT_EQ(test, h->calls, 8);
}

static void pvhc_test_clock_calls(struct kunit *test)
{
	const struct pvclock_vcpu_time_info *rec;
	struct pvhc_clock_pairing cp = {};
	struct pvhc_test_host *h;

	pvhc_test_full(test, &h);
	KUNIT_EXPECT_EQ(test, pvhc_clock_record(pvhc_test_cpu(), &rec), 0);
	KUNIT_EXPECT_PTR_EQ(test, rec, (const struct pvclock_vcpu_time_info *)&h->rec);
	KUNIT_EXPECT_EQ(test, h->last_cpu, (int)pvhc_test_cpu());
	h->clock_rc = -ENODEV;
	KUNIT_EXPECT_EQ(test, pvhc_clock_record(0, &rec), -ENODEV);
	KUNIT_EXPECT_NULL(test, rec);

	h->pairing.sec = 1700000000;
	h->pairing.nsec = NSEC_PER_SEC - 1;
	h->pairing.tsc = 123456789;
	h->pairing.flags = 3;
	KUNIT_EXPECT_EQ(test, pvhc_clock_pairing(&cp), 0);
	KUNIT_EXPECT_EQ(test, cp.sec, 1700000000);
	KUNIT_EXPECT_EQ(test, cp.nsec, NSEC_PER_SEC - 1);
	KUNIT_EXPECT_EQ(test, cp.tsc, 123456789ULL);
	KUNIT_EXPECT_EQ(test, cp.flags, 3U);
}

static void pvhc_test_numa_calls(struct kunit *test)
{
	struct pvhc_numa_hint hint = {};
	struct pvhc_numa_info *info;
	struct pvhc_test_host *h;

	info = kunit_kzalloc(test, sizeof(*info), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, info);
	pvhc_test_full(test, &h);

	__set_bit(0, hint.cpus);
	__set_bit(pvhc_test_cpu(), hint.cpus);
	hint.node = 0;
	h->hint_ret = 7;
	KUNIT_EXPECT_EQ(test, pvhc_numa_hint(&hint), 7);
	KUNIT_EXPECT_TRUE(test, bitmap_equal(h->last_hint.cpus, hint.cpus,
					     PVHC_NUMA_HINT_MAX_CPUS));
	h->numa_status = PVHC_NUMA_APPLIED;
	KUNIT_EXPECT_EQ(test, pvhc_numa_status(7), PVHC_NUMA_APPLIED);
	KUNIT_EXPECT_EQ(test, h->last_id, 7);
	h->numa_status = -ENOENT;
	KUNIT_EXPECT_EQ(test, pvhc_numa_status(8), -ENOENT);

	pvhc_test_valid_info(h->info);
	KUNIT_EXPECT_EQ(test, pvhc_numa_info(info), 0);
	KUNIT_EXPECT_EQ(test, info->nr_nodes, 2U);
	KUNIT_EXPECT_EQ(test, info->nr_vcpus, 4U);
	KUNIT_EXPECT_EQ(test, info->vcpu_to_node[3], 1U);
	KUNIT_EXPECT_EQ(test, info->distance[0][1], 20U);
}

static void pvhc_test_pressure_entropy_calls(struct kunit *test)
{
	struct pvhc_pressure p = {};
	struct pvhc_test_host *h;
	u8 buf[16] = {};

	pvhc_test_full(test, &h);
	h->pressure.level = PVHC_PRESSURE_ONE;
	h->pressure.seq = 41;
	KUNIT_EXPECT_EQ(test, pvhc_pressure_read(&p), 0);
	KUNIT_EXPECT_EQ(test, p.level, PVHC_PRESSURE_ONE);
	KUNIT_EXPECT_EQ(test, p.seq, 41U);

	KUNIT_EXPECT_EQ(test, pvhc_entropy_fetch(buf, sizeof(buf)),
			(ssize_t)sizeof(buf));
	KUNIT_EXPECT_EQ(test, buf[0], 0xa5);
	KUNIT_EXPECT_EQ(test, buf[15], 0xa5);
	h->entropy_mode = PVHC_TEST_ENTROPY_FIXED;
	h->entropy_ret = 5;
	KUNIT_EXPECT_EQ(test, pvhc_entropy_fetch(buf, sizeof(buf)), 5);
	h->entropy_ret = -EAGAIN;
	KUNIT_EXPECT_EQ(test, pvhc_entropy_fetch(buf, sizeof(buf)), -EAGAIN);
	/* len 0 is fine and does not bother the backend. */
	h->calls = 0;
	KUNIT_EXPECT_EQ(test, pvhc_entropy_fetch(NULL, 0), 0);
	KUNIT_EXPECT_EQ(test, h->calls, 0);
}

static void pvhc_test_feature_queries(struct kunit *test)
{
	static const char * const names[PVHC_FEAT_NR] = {
		"preempted", "yield", "kick", "boost", "clock",
		"clock_pairing", "numa_hint", "numa_info", "pressure",
		"entropy", "lock_hint",
	};
	struct pvhc_test_host *h;
	int f;

	pvhc_test_full(test, &h);
	for (f = 0; f < PVHC_FEAT_NR; f++) {
		KUNIT_EXPECT_STREQ(test, pvhc_feature_name(f), names[f]);
		KUNIT_EXPECT_TRUE(test, pvhc_has_feature(f));
		KUNIT_EXPECT_STREQ(test, pvhc_feature_source(f), "test");
	}
	KUNIT_EXPECT_NULL(test, pvhc_feature_name(PVHC_FEAT_NR));
	KUNIT_EXPECT_FALSE(test, pvhc_has_feature(PVHC_FEAT_NR));
	KUNIT_EXPECT_STREQ(test, pvhc_feature_source(PVHC_FEAT_NR), "none");
	KUNIT_EXPECT_STREQ(test, pvhc_feature_source(-1), "none");
	{
		char name[PVHC_NAME_MAX], small[3];

		KUNIT_EXPECT_STREQ(test,
				   pvhc_feature_source_name(PVHC_FEAT_CLOCK, name,
							    sizeof(name)),
				   "test");
		KUNIT_EXPECT_STREQ(test,
				   pvhc_feature_source_name(PVHC_FEAT_CLOCK, small,
							    sizeof(small)),
				   "te");
		KUNIT_EXPECT_STREQ(test,
				   pvhc_feature_source_name(-1, name, sizeof(name)),
				   "none");
	}
	KUNIT_EXPECT_LE(test, (int)pvhc_hypervisor(), (int)PVHC_HV_XEN);
}

static void pvhc_test_bad_arguments(struct kunit *test)
{
	const struct pvclock_vcpu_time_info *rec = (void *)1;
	struct pvhc_numa_hint hint = {};
	struct pvhc_test_host *h;
	struct pvhc_backend *b;
	u8 buf[4];

	b = pvhc_test_full(test, &h);
	KUNIT_EXPECT_EQ(test, pvhc_vcpu_preempted(nr_cpu_ids), -EINVAL);
	KUNIT_EXPECT_EQ(test, pvhc_vcpu_preempted(UINT_MAX), -EINVAL);
	KUNIT_EXPECT_EQ(test, pvhc_yield_to(nr_cpu_ids), -EINVAL);
	KUNIT_EXPECT_EQ(test, pvhc_yield_to(INT_MAX), -EINVAL);
	KUNIT_EXPECT_EQ(test, pvhc_kick(nr_cpu_ids), -EINVAL);
	KUNIT_EXPECT_EQ(test, pvhc_boost(nr_cpu_ids, true), -EINVAL);
	KUNIT_EXPECT_EQ(test, pvhc_clock_record(nr_cpu_ids, &rec), -EINVAL);
	KUNIT_EXPECT_NULL(test, rec);
	KUNIT_EXPECT_EQ(test, pvhc_clock_record(0, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, pvhc_clock_pairing(NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, pvhc_numa_info(NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, pvhc_pressure_read(NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, pvhc_numa_status(-1), -EINVAL);
	KUNIT_EXPECT_EQ(test, pvhc_entropy_fetch(NULL, sizeof(buf)), -EINVAL);
	KUNIT_EXPECT_EQ(test, pvhc_entropy_fetch(buf, (size_t)SSIZE_MAX + 1),
			-EINVAL);

	KUNIT_EXPECT_EQ(test, pvhc_numa_hint(NULL), -EINVAL);
	/* No CPU in the hint. */
	KUNIT_EXPECT_EQ(test, pvhc_numa_hint(&hint), -EINVAL);
	__set_bit(0, hint.cpus);
	hint.flags = 1;
	KUNIT_EXPECT_EQ(test, pvhc_numa_hint(&hint), -EINVAL);
	hint.flags = 0;
	hint.node = -1;
	KUNIT_EXPECT_EQ(test, pvhc_numa_hint(&hint), -EINVAL);
	hint.node = MAX_NUMNODES;
	KUNIT_EXPECT_EQ(test, pvhc_numa_hint(&hint), -EINVAL);
	hint.node = 0;
	if (nr_cpu_ids < PVHC_NUMA_HINT_MAX_CPUS) {
		__set_bit(nr_cpu_ids, hint.cpus);
		KUNIT_EXPECT_EQ(test, pvhc_numa_hint(&hint), -EINVAL);
	}

	/* None of these reached the backend. */
	KUNIT_EXPECT_EQ(test, h->calls, 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&b->errors), 0);
}

static void pvhc_test_missing_features(struct kunit *test)
{
	const struct pvclock_vcpu_time_info *rec;
	struct pvhc_numa_hint hint = {};
	struct pvhc_clock_pairing cp;
	struct pvhc_numa_info *info;
	struct pvhc_pressure p;
	int f, checked = 0;
	u8 buf[4];
	u32 seen;
	int ret;

	info = kunit_kzalloc(test, sizeof(*info), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, info);
	__set_bit(0, hint.cpus);

	/* Only what no backend serves here: a real one may be registered. */
	for (f = 0; f < PVHC_FEAT_NR; f++) {
		if (pvhc_has_feature(f))
			continue;
		switch (f) {
		case PVHC_FEAT_PREEMPTED:
			ret = pvhc_vcpu_preempted(0);
			break;
		case PVHC_FEAT_YIELD:
			ret = pvhc_yield_to(-1);
			break;
		case PVHC_FEAT_KICK:
			ret = pvhc_kick(0);
			break;
		case PVHC_FEAT_BOOST:
			ret = pvhc_boost(0, true);
			break;
		case PVHC_FEAT_CLOCK:
			ret = pvhc_clock_record(0, &rec);
			break;
		case PVHC_FEAT_CLOCK_PAIRING:
			ret = pvhc_clock_pairing(&cp);
			break;
		case PVHC_FEAT_NUMA_HINT:
			ret = pvhc_numa_hint(&hint);
			KUNIT_EXPECT_EQ(test, pvhc_numa_status(0), -EOPNOTSUPP);
			break;
		case PVHC_FEAT_NUMA_INFO:
			ret = pvhc_numa_info(info);
			break;
		case PVHC_FEAT_PRESSURE:
			ret = pvhc_pressure_read(&p);
			break;
		case PVHC_FEAT_LOCK_HINT:
			ret = pvhc_lock_hint_seen(0, &seen);
			KUNIT_EXPECT_NULL(test, per_cpu(pvhc_lock_hint_slot, 0));
			break;
		default:
			ret = pvhc_entropy_fetch(buf, sizeof(buf));
			break;
		}
		KUNIT_EXPECT_EQ_MSG(test, ret, -EOPNOTSUPP, "feature %s",
				    pvhc_feature_name(f));
		KUNIT_EXPECT_STREQ(test, pvhc_feature_source(f), "none");
		checked++;
	}
	if (!checked)
		kunit_skip(test, "every feature is served by a real backend");
}

static void pvhc_test_garbage(struct kunit *test)
{
	const struct pvclock_vcpu_time_info *rec;
	struct pvhc_clock_pairing cp = { .sec = 99 };
	struct pvhc_numa_hint hint = {};
	struct pvhc_pressure p = { .level = 5 };
	struct pvhc_numa_info *info;
	struct pvhc_test_host *h;
	struct pvhc_backend *b;
	long errors = 0;
	u8 buf[8];

	info = kunit_kzalloc(test, sizeof(*info), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, info);
	b = pvhc_test_full(test, &h);
	__set_bit(0, hint.cpus);

#define EXPECT_BAD(call)						\
	do {								\
		KUNIT_EXPECT_EQ(test, (long)(call), (long)-EIO);	\
		KUNIT_EXPECT_EQ(test, atomic_long_read(&b->errors), ++errors); \
	} while (0)

	h->preempted = 7;
	EXPECT_BAD(pvhc_vcpu_preempted(0));
	h->preempted = -MAX_ERRNO - 1;
	EXPECT_BAD(pvhc_vcpu_preempted(0));
	h->status = 5;
	EXPECT_BAD(pvhc_yield_to(0));
	EXPECT_BAD(pvhc_kick(0));
	EXPECT_BAD(pvhc_boost(0, true));
	h->status = INT_MIN;
	EXPECT_BAD(pvhc_kick(0));

	h->clock_null = true;
	EXPECT_BAD(pvhc_clock_record(0, &rec));
	KUNIT_EXPECT_NULL(test, rec);
	h->clock_rc = 3;
	EXPECT_BAD(pvhc_clock_record(0, &rec));

	h->pairing.nsec = NSEC_PER_SEC;
	EXPECT_BAD(pvhc_clock_pairing(&cp));
	h->pairing.nsec = -1;
	EXPECT_BAD(pvhc_clock_pairing(&cp));
	h->pairing.nsec = 0;
	h->pairing.sec = -5;
	EXPECT_BAD(pvhc_clock_pairing(&cp));
	KUNIT_EXPECT_EQ(test, cp.sec, 99);	/* untouched */

	h->hint_ret = -MAX_ERRNO - 1;
	EXPECT_BAD(pvhc_numa_hint(&hint));
	h->numa_status = PVHC_NUMA_REJECTED + 1;
	EXPECT_BAD(pvhc_numa_status(0));
	h->numa_status = -MAX_ERRNO - 1;
	EXPECT_BAD(pvhc_numa_status(0));

	pvhc_test_valid_info(h->info);
	h->info->nr_nodes = PVHC_NUMA_MAX_NODES + 1;
	EXPECT_BAD(pvhc_numa_info(info));
	KUNIT_EXPECT_EQ(test, info->nr_nodes, 0U);	/* zeroed, not garbage */
	KUNIT_EXPECT_EQ(test, info->vcpu_to_node[1], 0U);
	h->info->nr_nodes = 0;
	EXPECT_BAD(pvhc_numa_info(info));
	pvhc_test_valid_info(h->info);
	h->info->nr_vcpus = PVHC_NUMA_HINT_MAX_CPUS + 1;
	EXPECT_BAD(pvhc_numa_info(info));
	pvhc_test_valid_info(h->info);
	h->info->vcpu_to_node[3] = 2;	/* nr_nodes is 2 */
	EXPECT_BAD(pvhc_numa_info(info));
	pvhc_test_valid_info(h->info);
	/* not a node: the backend does not know where vCPU 3 runs */
	h->info->vcpu_to_node[3] = PVHC_NUMA_NODE_UNKNOWN;
	KUNIT_EXPECT_EQ(test, pvhc_numa_info(info), 0);
	KUNIT_EXPECT_EQ(test, info->vcpu_to_node[3], PVHC_NUMA_NODE_UNKNOWN);
	pvhc_test_valid_info(h->info);
	h->info_rc = 1;
	EXPECT_BAD(pvhc_numa_info(info));

	h->pressure.level = PVHC_PRESSURE_ONE + 1;
	EXPECT_BAD(pvhc_pressure_read(&p));
	h->pressure.level = U32_MAX;
	EXPECT_BAD(pvhc_pressure_read(&p));
	KUNIT_EXPECT_EQ(test, p.level, 5U);	/* untouched */

	h->entropy_mode = PVHC_TEST_ENTROPY_PLUS_ONE;
	EXPECT_BAD(pvhc_entropy_fetch(buf, sizeof(buf)));
	KUNIT_EXPECT_TRUE(test, !memchr_inv(buf, 0, sizeof(buf)));	/* wiped */
	h->entropy_mode = PVHC_TEST_ENTROPY_FIXED;
	h->entropy_ret = SSIZE_MAX;
	EXPECT_BAD(pvhc_entropy_fetch(buf, sizeof(buf)));
	h->entropy_ret = -MAX_ERRNO - 1;
	EXPECT_BAD(pvhc_entropy_fetch(buf, sizeof(buf)));
#undef EXPECT_BAD

	/* Good results again: not counted. */
	h->preempted = 0;
	KUNIT_EXPECT_EQ(test, pvhc_vcpu_preempted(0), 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&b->errors), errors);
}

static struct kunit_case pvhc_api_cases[] = {
	KUNIT_CASE(pvhc_test_preempted_values),
	KUNIT_CASE(pvhc_test_yield_kick_boost),
	KUNIT_CASE(pvhc_test_clock_calls),
	KUNIT_CASE(pvhc_test_numa_calls),
	KUNIT_CASE(pvhc_test_pressure_entropy_calls),
	KUNIT_CASE(pvhc_test_feature_queries),
	KUNIT_CASE(pvhc_test_bad_arguments),
	KUNIT_CASE(pvhc_test_missing_features),
	KUNIT_CASE(pvhc_test_garbage),
	{}
};

static struct kunit_suite pvhc_api_suite = {
	.name = "pvhc",
	.init = pvhc_test_init,
	.exit = pvhc_test_exit,
	.test_cases = pvhc_api_cases,
};

/* ---- suite pvhc_backend: registry, notifiers, sysfs text, deny= ---- */

/* This CPU's hint through the inline writer, as a lock would write it. */
static unsigned int pvhc_test_hint_write(u32 val)
{
	unsigned int cpu;

	preempt_disable();
	cpu = smp_processor_id();
	pvhc_lock_hint_set(val);
	preempt_enable();
	return cpu;
}

/*
 * The lock-hint slots follow the route: a new owner's words start at 0,
 * the old owner's are cleared when it loses the route (a lock held then
 * is not left hinted), and after the last one goes a write is a no-op.
 */
static void pvhc_test_lock_hint_route(struct kunit *test)
{
	struct pvhc_test_host *lo = pvhc_test_host(test);
	struct pvhc_test_host *hi = pvhc_test_host(test);
	struct pvhc_backend *blo, *bhi;
	unsigned int cpu, last = pvhc_test_cpu();
	u32 seen = 0;

	if (pvhc_has_feature(PVHC_FEAT_LOCK_HINT))
		kunit_skip(test, "a real backend serves the lock hint");
	blo = pvhc_test_backend(test, "lo", 10, BIT(PVHC_FEAT_LOCK_HINT), lo);
	bhi = pvhc_test_backend(test, "hi", 20, BIT(PVHC_FEAT_LOCK_HINT), hi);
	lo->hint[last] = 0xdead;	/* what a host may have left */
	pvhc_test_register(test, blo);
	KUNIT_EXPECT_EQ(test, lo->hint[last], 0U);
	KUNIT_EXPECT_PTR_EQ(test, per_cpu(pvhc_lock_hint_slot, last),
			    &lo->hint[last]);
	cpu = pvhc_test_hint_write(1);
	KUNIT_EXPECT_EQ(test, lo->hint[cpu], 1U);

	/* A higher backend takes over while "a lock is held". */
	pvhc_test_register(test, bhi);
	KUNIT_EXPECT_EQ(test, lo->hint[cpu], 0U);
	KUNIT_EXPECT_PTR_EQ(test, per_cpu(pvhc_lock_hint_slot, cpu),
			    &hi->hint[cpu]);
	cpu = pvhc_test_hint_write(2);
	KUNIT_EXPECT_EQ(test, hi->hint[cpu], 2U);
	KUNIT_EXPECT_EQ(test, lo->hint[cpu], 0U);

	/* It vanishes: the route falls back, its words say "no lock". */
	pvhc_test_unregister(test, bhi);
	KUNIT_EXPECT_EQ(test, hi->hint[cpu], 0U);
	KUNIT_EXPECT_PTR_EQ(test, per_cpu(pvhc_lock_hint_slot, cpu),
			    &lo->hint[cpu]);

	/* The host's count: passed through; garbage from the backend is -EIO. */
	lo->seen = 42;
	KUNIT_EXPECT_EQ(test, pvhc_lock_hint_seen(last, &seen), 0);
	KUNIT_EXPECT_EQ(test, seen, 42U);
	KUNIT_EXPECT_EQ(test, lo->last_cpu, (int)last);
	lo->seen_rc = 7;
	KUNIT_EXPECT_EQ(test, pvhc_lock_hint_seen(last, &seen), -EIO);
	KUNIT_EXPECT_EQ(test, pvhc_lock_hint_seen(nr_cpu_ids, &seen), -EINVAL);
	KUNIT_EXPECT_EQ(test, pvhc_lock_hint_seen(0, NULL), -EINVAL);

	pvhc_test_unregister(test, blo);
	for_each_possible_cpu(cpu)
		KUNIT_EXPECT_NULL(test, per_cpu(pvhc_lock_hint_slot, cpu));
	cpu = pvhc_test_hint_write(3);
	KUNIT_EXPECT_EQ(test, lo->hint[cpu], 0U);
	KUNIT_EXPECT_EQ(test, pvhc_lock_hint_seen(0, &seen), -EOPNOTSUPP);
}

static void pvhc_test_priority_routing(struct kunit *test)
{
	struct pvhc_test_host *hh = pvhc_test_host(test);
	struct pvhc_test_host *hl = pvhc_test_host(test);
	struct pvhc_backend *hi, *lo;

	hi = pvhc_test_backend(test, "test_hi", PVHC_PRIO_TEST,
			       BIT(PVHC_FEAT_PREEMPTED) | BIT(PVHC_FEAT_YIELD),
			       hh);
	lo = pvhc_test_backend(test, "test_lo", PVHC_PRIO_TEST - 1,
			       BIT(PVHC_FEAT_YIELD) | BIT(PVHC_FEAT_KICK), hl);
	/* Registered low first: the order must come from the priority. */
	pvhc_test_register(test, lo);
	pvhc_test_register(test, hi);

	KUNIT_EXPECT_STREQ(test, pvhc_feature_source(PVHC_FEAT_PREEMPTED), "test_hi");
	KUNIT_EXPECT_STREQ(test, pvhc_feature_source(PVHC_FEAT_YIELD), "test_hi");
	KUNIT_EXPECT_STREQ(test, pvhc_feature_source(PVHC_FEAT_KICK), "test_lo");
	KUNIT_EXPECT_EQ(test, pvhc_yield_to(0), 0);
	KUNIT_EXPECT_EQ(test, hh->calls, 1);
	KUNIT_EXPECT_EQ(test, hl->calls, 0);
	KUNIT_EXPECT_EQ(test, pvhc_kick(0), 0);
	KUNIT_EXPECT_EQ(test, hl->calls, 1);

	/* The next backend takes over what the removed one served. */
	pvhc_test_unregister(test, hi);
	KUNIT_EXPECT_STREQ(test, pvhc_feature_source(PVHC_FEAT_YIELD), "test_lo");
	KUNIT_EXPECT_EQ(test, pvhc_yield_to(0), 0);
	KUNIT_EXPECT_EQ(test, hh->calls, 1);
	KUNIT_EXPECT_EQ(test, hl->calls, 2);
	KUNIT_EXPECT_STRNEQ(test, pvhc_feature_source(PVHC_FEAT_PREEMPTED), "test_hi");
}

static void pvhc_test_equal_priority(struct kunit *test)
{
	struct pvhc_test_host *h1 = pvhc_test_host(test);
	struct pvhc_test_host *h2 = pvhc_test_host(test);
	struct pvhc_backend *b1, *b2;

	b1 = pvhc_test_backend(test, "test_one", PVHC_PRIO_TEST,
			       BIT(PVHC_FEAT_KICK), h1);
	b2 = pvhc_test_backend(test, "test_two", PVHC_PRIO_TEST,
			       BIT(PVHC_FEAT_KICK), h2);
	pvhc_test_register(test, b1);
	pvhc_test_register(test, b2);
	/* Equal priority: the earlier registration keeps the feature. */
	KUNIT_EXPECT_STREQ(test, pvhc_feature_source(PVHC_FEAT_KICK), "test_one");
	pvhc_test_unregister(test, b1);
	KUNIT_EXPECT_STREQ(test, pvhc_feature_source(PVHC_FEAT_KICK), "test_two");
}

static void pvhc_test_invalid_registrations(struct kunit *test)
{
	static const char * const bad_names[] = {
		"", "Test", "te st", "te.st", "test/x", "abcdefghijklmnop",
		"test\n",
	};
	struct pvhc_test_host *h = pvhc_test_host(test);
	struct pvhc_backend_ops *ops;
	struct pvhc_backend *b;
	unsigned int i;

	KUNIT_EXPECT_EQ(test, pvhc_backend_register(NULL), -EINVAL);

	b = pvhc_test_backend(test, NULL, PVHC_PRIO_TEST, 0, h);
	KUNIT_EXPECT_EQ(test, pvhc_backend_register(b), -EINVAL);
	for (i = 0; i < ARRAY_SIZE(bad_names); i++) {
		b->name = bad_names[i];
		KUNIT_EXPECT_EQ_MSG(test, pvhc_backend_register(b), -EINVAL,
				    "name \"%s\"", bad_names[i]);
	}
	/* 15 characters is the longest name. */
	b->name = "abcdefghijklmno";
	pvhc_test_register(test, b);
	pvhc_test_unregister(test, b);

	b = pvhc_test_backend(test, "test", PVHC_PRIO_TEST, 0, h);
	b->ops = NULL;
	KUNIT_EXPECT_EQ(test, pvhc_backend_register(b), -EINVAL);

	b = pvhc_test_backend(test, "test", PVHC_PRIO_TEST,
			      BIT(PVHC_FEAT_NR), h);
	KUNIT_EXPECT_EQ(test, pvhc_backend_register(b), -EINVAL);
	b->features = BIT(BITS_PER_LONG - 1);
	KUNIT_EXPECT_EQ(test, pvhc_backend_register(b), -EINVAL);

	/* A feature without its op. */
	ops = kunit_kzalloc(test, sizeof(*ops), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ops);
	*ops = pvhc_test_ops;
	ops->kick = NULL;
	b = pvhc_test_backend(test, "test", PVHC_PRIO_TEST,
			      BIT(PVHC_FEAT_YIELD) | BIT(PVHC_FEAT_KICK), h);
	b->ops = ops;
	KUNIT_EXPECT_EQ(test, pvhc_backend_register(b), -EINVAL);
	*ops = pvhc_test_ops;
	ops->numa_status = NULL;
	b->features = BIT(PVHC_FEAT_NUMA_HINT);
	KUNIT_EXPECT_EQ(test, pvhc_backend_register(b), -EINVAL);
	/* ... is fine when the feature is not offered. */
	b->features = BIT(PVHC_FEAT_YIELD);
	pvhc_test_register(test, b);

	/* Duplicates: the same backend, or another with the same name. */
	KUNIT_EXPECT_EQ(test, pvhc_backend_register(b), -EEXIST);
	b = pvhc_test_backend(test, "test", PVHC_PRIO_TEST - 5, 0, h);
	KUNIT_EXPECT_EQ(test, pvhc_backend_register(b), -EEXIST);
	KUNIT_EXPECT_EQ(test, h->calls, 0);
}

static void pvhc_test_deny(struct kunit *test)
{
	struct pvhc_test_host *h = pvhc_test_host(test);
	struct pvhc_backend *b, *other;
	unsigned long old;
	int ret;

	b = pvhc_test_backend(test, "test", PVHC_PRIO_TEST,
			      BIT(PVHC_FEAT_KICK), h);
	other = pvhc_test_backend(test, "test_other", PVHC_PRIO_TEST,
				  BIT(PVHC_FEAT_KICK), h);
	old = pvhc_deny_swap(BIT(PVHC_KNOWN_TEST));
	ret = pvhc_backend_register(b);
	/* A name not on the list is not denied. */
	pvhc_test_register(test, other);
	pvhc_deny_swap(old);
	if (!ret)	/* keep the registry clean even when failing */
		pvhc_backend_unregister(b);
	KUNIT_EXPECT_EQ(test, ret, -EPERM);
	KUNIT_EXPECT_STREQ(test, pvhc_feature_source(PVHC_FEAT_KICK), "test_other");

	/* With the list restored, it registers. */
	pvhc_test_register(test, b);
	KUNIT_EXPECT_STREQ(test, pvhc_feature_source(PVHC_FEAT_KICK), "test_other");
}

static void pvhc_test_module_pinned(struct kunit *test)
{
	struct pvhc_test_host *h = pvhc_test_host(test);
	struct pvhc_backend *b;
	int refs = module_refcount(THIS_MODULE);

	b = pvhc_test_backend(test, "test", PVHC_PRIO_TEST, 0, h);
	pvhc_test_register(test, b);
	KUNIT_EXPECT_EQ(test, module_refcount(THIS_MODULE), refs + 1);
	pvhc_test_unregister(test, b);
	KUNIT_EXPECT_EQ(test, module_refcount(THIS_MODULE), refs);
}

static bool pvhc_test_has_word(const char *line, const char *word)
{
	size_t n = strlen(word);
	const char *p = line;

	while ((p = strstr(p, word))) {
		if ((p == line || p[-1] == ' ') &&
		    (p[n] == ' ' || p[n] == '\n'))
			return true;
		p += n;
	}
	return false;
}

static void pvhc_test_sysfs_text(struct kunit *test)
{
	struct pvhc_test_host *h = pvhc_test_host(test);
	struct pvhc_backend *hi, *lo;
	char *buf;
	ssize_t n;
	int f;

	/* A page, as sysfs hands to show(): kmalloc aligns it so. */
	buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, offset_in_page(buf), 0UL);

	hi = pvhc_test_backend(test, "test_hi", PVHC_PRIO_TEST,
			       BIT(PVHC_FEAT_CLOCK), h);
	lo = pvhc_test_backend(test, "test_lo", PVHC_PRIO_TEST - 1,
			       BIT(PVHC_FEAT_CLOCK) | BIT(PVHC_FEAT_ENTROPY),
			       h);
	pvhc_test_register(test, hi);
	pvhc_test_register(test, lo);

	n = pvhc_fmt_backend(buf);
	KUNIT_EXPECT_STREQ(test, buf, "test_hi\n");
	KUNIT_EXPECT_EQ(test, n, (ssize_t)strlen("test_hi\n"));

	n = pvhc_fmt_backends(buf);
	KUNIT_EXPECT_EQ(test, n, (ssize_t)strlen(buf));
	KUNIT_EXPECT_EQ(test, strncmp(buf, "test_hi test_lo", 15), 0);
	KUNIT_EXPECT_TRUE(test, buf[15] == '\n' || buf[15] == ' ');
	KUNIT_EXPECT_EQ(test, buf[n - 1], '\n');

	n = pvhc_fmt_features(buf);
	KUNIT_EXPECT_EQ(test, buf[n - 1], '\n');
	for (f = 0; f < PVHC_FEAT_NR; f++)
		KUNIT_EXPECT_EQ_MSG(test, pvhc_test_has_word(buf, pvhc_feature_name(f)),
				    pvhc_has_feature(f), "feature %s in \"%s\"",
				    pvhc_feature_name(f), buf);
	KUNIT_EXPECT_TRUE(test, pvhc_test_has_word(buf, "clock"));
	KUNIT_EXPECT_TRUE(test, pvhc_test_has_word(buf, "entropy"));

	pvhc_fmt_feature_source(PVHC_FEAT_CLOCK, buf);
	KUNIT_EXPECT_STREQ(test, buf, "test_hi\n");
	pvhc_fmt_feature_source(PVHC_FEAT_ENTROPY, buf);
	KUNIT_EXPECT_STREQ(test, buf, "test_lo\n");
	KUNIT_EXPECT_EQ(test, pvhc_fmt_feature_source(PVHC_FEAT_NR, buf),
			(ssize_t)-EINVAL);

	/* The text follows unregistration. */
	pvhc_test_unregister(test, hi);
	pvhc_fmt_backend(buf);
	KUNIT_EXPECT_STREQ(test, buf, "test_lo\n");
	pvhc_fmt_feature_source(PVHC_FEAT_CLOCK, buf);
	KUNIT_EXPECT_STREQ(test, buf, "test_lo\n");
	pvhc_fmt_backends(buf);
	KUNIT_EXPECT_FALSE(test, pvhc_test_has_word(buf, "test_hi"));
	KUNIT_EXPECT_TRUE(test, pvhc_test_has_word(buf, "test_lo"));
	pvhc_test_unregister(test, lo);
	pvhc_fmt_backends(buf);
	KUNIT_EXPECT_FALSE(test, pvhc_test_has_word(buf, "test_lo"));
	pvhc_fmt_feature_source(PVHC_FEAT_ENTROPY, buf);
	if (pvhc_has_feature(PVHC_FEAT_ENTROPY))
		KUNIT_EXPECT_STRNEQ(test, buf, "test_lo\n");
	else
		KUNIT_EXPECT_STREQ(test, buf, "none\n");
}

static void pvhc_test_nb_release(void *nb)
{
	pvhc_notifier_unregister(nb);
}

static void pvhc_test_gauge_release(void *nb)
{
	pvhc_pressure_notifier_unregister(nb);
}

struct pvhc_test_listener {
	struct notifier_block nb;
	struct pvhc_backend *watch;
	int added;
	int removing;
	int order;			/* 1: ADDED came before REMOVING */
	const char *source_at_removing;
	int preempted_at_removing;
	unsigned long gen_at_removing;
};

static int pvhc_test_listener_fn(struct notifier_block *nb,
				 unsigned long event, void *data)
{
	struct pvhc_test_listener *l =
		container_of(nb, struct pvhc_test_listener, nb);

	if (data != l->watch)
		return NOTIFY_DONE;
	if (event == PVHC_BACKEND_ADDED) {
		l->added++;
	} else if (event == PVHC_BACKEND_REMOVING) {
		l->removing++;
		l->order = l->added == 1;
		/* Still routed to the backend while it is being removed. */
		l->source_at_removing =
			pvhc_feature_source(PVHC_FEAT_PREEMPTED);
		l->preempted_at_removing = pvhc_vcpu_preempted(0);
		l->gen_at_removing = pvhc_generation();
	}
	return NOTIFY_OK;
}

static void pvhc_test_backend_events(struct kunit *test)
{
	struct pvhc_test_host *h = pvhc_test_host(test);
	struct pvhc_test_listener *l;
	struct pvhc_backend *b;
	unsigned long gen;

	l = kunit_kzalloc(test, sizeof(*l), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, l);
	l->nb.notifier_call = pvhc_test_listener_fn;
	b = pvhc_test_backend(test, "test", PVHC_PRIO_TEST,
			      BIT(PVHC_FEAT_PREEMPTED), h);
	l->watch = b;
	h->preempted = 1;
	KUNIT_ASSERT_EQ(test, pvhc_notifier_register(&l->nb), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, pvhc_test_nb_release,
							&l->nb), 0);
	gen = pvhc_generation();
	KUNIT_EXPECT_EQ(test, gen & 1, 0UL);
	pvhc_test_register(test, b);
	KUNIT_EXPECT_EQ(test, l->added, 1);
	KUNIT_EXPECT_EQ(test, l->removing, 0);
	/* Each change of the routes is a new, even generation... */
	KUNIT_EXPECT_NE(test, pvhc_generation(), gen);
	KUNIT_EXPECT_EQ(test, pvhc_generation() & 1, 0UL);
	gen = pvhc_generation();
	pvhc_test_unregister(test, b);
	KUNIT_EXPECT_EQ(test, pvhc_notifier_unregister(&l->nb), 0);
	/* ...odd while a backend is being removed. */
	KUNIT_EXPECT_EQ(test, l->gen_at_removing & 1, 1UL);
	KUNIT_EXPECT_NE(test, pvhc_generation(), gen);
	KUNIT_EXPECT_NE(test, pvhc_generation(), l->gen_at_removing);
	KUNIT_EXPECT_EQ(test, pvhc_generation() & 1, 0UL);

	KUNIT_EXPECT_EQ(test, l->added, 1);
	KUNIT_EXPECT_EQ(test, l->removing, 1);
	KUNIT_EXPECT_EQ(test, l->order, 1);
	KUNIT_EXPECT_STREQ(test, l->source_at_removing, "test");
	KUNIT_EXPECT_EQ(test, l->preempted_at_removing, 1);
	KUNIT_EXPECT_EQ(test, h->calls, 1);
	KUNIT_EXPECT_STRNEQ(test, pvhc_feature_source(PVHC_FEAT_PREEMPTED), "test");
	KUNIT_EXPECT_EQ(test, pvhc_notifier_unregister(&l->nb), -ENOENT);
}

struct pvhc_test_gauge {
	struct notifier_block nb;
	int count;
	struct pvhc_pressure last;
};

static int pvhc_test_gauge_fn(struct notifier_block *nb, unsigned long event,
			      void *data)
{
	struct pvhc_test_gauge *g = container_of(nb, struct pvhc_test_gauge, nb);

	g->count++;
	g->last = *(struct pvhc_pressure *)data;
	return NOTIFY_OK;
}

static void pvhc_test_pressure_notifier(struct kunit *test)
{
	struct pvhc_test_host *h = pvhc_test_host(test);
	struct pvhc_test_host *hl = pvhc_test_host(test);
	struct pvhc_backend *b, *lo;
	struct pvhc_test_gauge *g;
	unsigned long flags;
	int i;

	g = kunit_kzalloc(test, sizeof(*g), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, g);
	g->nb.notifier_call = pvhc_test_gauge_fn;

	b = pvhc_test_backend(test, "test", PVHC_PRIO_TEST,
			      BIT(PVHC_FEAT_PRESSURE), h);
	lo = pvhc_test_backend(test, "test_lo", PVHC_PRIO_TEST - 1,
			       BIT(PVHC_FEAT_PRESSURE), hl);
	pvhc_test_register(test, b);
	pvhc_test_register(test, lo);
	h->pressure.level = PVHC_PRESSURE_ONE / 2;
	h->pressure.seq = 77;
	KUNIT_ASSERT_EQ(test, pvhc_pressure_notifier_register(&g->nb), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, pvhc_test_gauge_release,
							&g->nb), 0);
	pvhc_pressure_flush();
	g->count = 0;

	/*
	 * A flood, from atomic context: the work cannot run on this CPU
	 * meanwhile, and whatever was queued by the first call absorbs the
	 * rest.
	 */
	local_irq_save(flags);
	for (i = 0; i < 1000; i++)
		pvhc_pressure_changed(b);
	local_irq_restore(flags);
	pvhc_pressure_flush();
	KUNIT_EXPECT_EQ(test, g->count, 1);
	KUNIT_EXPECT_EQ(test, g->last.level, PVHC_PRESSURE_ONE / 2);
	KUNIT_EXPECT_EQ(test, g->last.seq, 77U);
	KUNIT_EXPECT_EQ(test, h->calls, 1);

	/* From a backend that does not serve the gauge: ignored. */
	pvhc_pressure_changed(lo);
	pvhc_pressure_changed(NULL);
	pvhc_pressure_flush();
	KUNIT_EXPECT_EQ(test, g->count, 1);
	KUNIT_EXPECT_EQ(test, hl->calls, 0);

	/* A gauge out of range is counted and not passed on. */
	h->pressure.level = PVHC_PRESSURE_ONE + 1;
	pvhc_pressure_changed(b);
	pvhc_pressure_flush();
	KUNIT_EXPECT_EQ(test, g->count, 1);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&b->errors), 1);

	/* The next change is passed on again. */
	h->pressure.level = PVHC_PRESSURE_ONE;
	h->pressure.seq = 78;
	pvhc_pressure_changed(b);
	pvhc_pressure_flush();
	KUNIT_EXPECT_EQ(test, g->count, 2);
	KUNIT_EXPECT_EQ(test, g->last.level, PVHC_PRESSURE_ONE);
	KUNIT_EXPECT_EQ(test, g->last.seq, 78U);

	/* Removing the source announces the next one's gauge. */
	hl->pressure.level = 3;
	hl->pressure.seq = 9;
	pvhc_test_unregister(test, b);
	pvhc_pressure_flush();
	KUNIT_EXPECT_EQ(test, g->count, 3);
	KUNIT_EXPECT_EQ(test, g->last.level, 3U);
	KUNIT_EXPECT_EQ(test, g->last.seq, 9U);
	KUNIT_EXPECT_EQ(test, pvhc_pressure_notifier_unregister(&g->nb), 0);
}

static void pvhc_test_deny_parser(struct kunit *test)
{
	static const char * const bad[] = {
		",", "kvm,", ",kvm", "kvm,,xen", "foo", "kvmx", "KVM",
		"kvm xen", " kvm", "kvm;xen", "abcdefghijklmnopq",
		"xen,averyveryverylongname",
	};
	unsigned long mask;
	unsigned int i;

	KUNIT_EXPECT_EQ(test, pvhc_parse_deny(NULL, &mask), 0);
	KUNIT_EXPECT_EQ(test, mask, 0UL);
	KUNIT_EXPECT_EQ(test, pvhc_parse_deny("", &mask), 0);
	KUNIT_EXPECT_EQ(test, mask, 0UL);
	KUNIT_EXPECT_EQ(test, pvhc_parse_deny("kvm", &mask), 0);
	KUNIT_EXPECT_EQ(test, mask, BIT(PVHC_KNOWN_KVM));
	KUNIT_EXPECT_EQ(test, pvhc_parse_deny("xen,pvhost", &mask), 0);
	KUNIT_EXPECT_EQ(test, mask, BIT(PVHC_KNOWN_XEN) | BIT(PVHC_KNOWN_PVHOST));
	KUNIT_EXPECT_EQ(test, pvhc_parse_deny("test,kvm,xen,pvhost,kvm", &mask), 0);
	KUNIT_EXPECT_EQ(test, mask, BIT(PVHC_KNOWN_NR) - 1);

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		mask = 123;
		KUNIT_EXPECT_EQ_MSG(test, pvhc_parse_deny(bad[i], &mask), -EINVAL,
				    "deny=\"%s\"", bad[i]);
		KUNIT_EXPECT_EQ(test, mask, 0UL);
	}
}

static struct kunit_case pvhc_backend_cases[] = {
	KUNIT_CASE(pvhc_test_priority_routing),
	KUNIT_CASE(pvhc_test_lock_hint_route),
	KUNIT_CASE(pvhc_test_equal_priority),
	KUNIT_CASE(pvhc_test_invalid_registrations),
	KUNIT_CASE(pvhc_test_deny),
	KUNIT_CASE(pvhc_test_module_pinned),
	KUNIT_CASE(pvhc_test_sysfs_text),
	KUNIT_CASE(pvhc_test_backend_events),
	KUNIT_CASE(pvhc_test_pressure_notifier),
	KUNIT_CASE(pvhc_test_deny_parser),
	{}
};

static struct kunit_suite pvhc_backend_suite = {
	.name = "pvhc_backend",
	.init = pvhc_test_init,
	.exit = pvhc_test_exit,
	.test_cases = pvhc_backend_cases,
};

/* ---- suite pvhc_kvm: the kvm backend against a fake KVM host ---- */
#if IS_ENABLED(CONFIG_KVM_GUEST)

static struct {
	u32 features;
	bool wired;
	bool preempted;
	bool clock_null;
	bool encrypted;
	long ret;			/* of every hypercall but pairing */
	long pairing_ret;
	struct kvm_clock_pairing pairing;	/* what the host writes */
	int hypercalls;
	unsigned int nr;
	unsigned long p1, p2;
	struct pvclock_vcpu_time_info clock;
} pvhc_fake;

static u32 pvhc_fake_features(void)
{
	return pvhc_fake.features;
}

static bool pvhc_fake_wired(void)
{
	return pvhc_fake.wired;
}

static bool pvhc_fake_preempted(unsigned int cpu)
{
	return pvhc_fake.preempted;
}

static u32 pvhc_fake_apicid(unsigned int cpu)
{
	return cpu + 100;
}

static const struct pvclock_vcpu_time_info *pvhc_fake_clock(unsigned int cpu)
{
	return pvhc_fake.clock_null ? NULL : &pvhc_fake.clock;
}

static bool pvhc_fake_encrypted(void)
{
	return pvhc_fake.encrypted;
}

static long pvhc_fake_hypercall1(unsigned int nr, unsigned long p1)
{
	pvhc_fake.hypercalls++;
	pvhc_fake.nr = nr;
	pvhc_fake.p1 = p1;
	return pvhc_fake.ret;
}

static long pvhc_fake_hypercall2(unsigned int nr, unsigned long p1,
				 unsigned long p2)
{
	pvhc_fake.hypercalls++;
	pvhc_fake.nr = nr;
	pvhc_fake.p1 = p1;
	pvhc_fake.p2 = p2;
	if (nr != KVM_HC_CLOCK_PAIRING)
		return pvhc_fake.ret;
	if (!pvhc_fake.pairing_ret)
		memcpy(phys_to_virt(p1), &pvhc_fake.pairing,
		       sizeof(pvhc_fake.pairing));
	return pvhc_fake.pairing_ret;
}

static const struct pvhc_kvm_hw pvhc_fake_hw = {
	.features = pvhc_fake_features,
	.preempt_wired = pvhc_fake_wired,
	.vcpu_preempted = pvhc_fake_preempted,
	.apicid = pvhc_fake_apicid,
	.clock = pvhc_fake_clock,
	.mem_encrypted = pvhc_fake_encrypted,
	.hypercall1 = pvhc_fake_hypercall1,
	.hypercall2 = pvhc_fake_hypercall2,
};

#define PVHC_FAKE_ALL	(BIT(KVM_FEATURE_STEAL_TIME) |		\
			 BIT(KVM_FEATURE_PV_SCHED_YIELD) |	\
			 BIT(KVM_FEATURE_PV_UNHALT) |		\
			 BIT(KVM_FEATURE_CLOCKSOURCE2))

static void pvhc_kvm_destroy_action(void *k)
{
	pvhc_kvm_destroy(k);
}

static int pvhc_kvm_test_init(struct kunit *test)
{
	memset(&pvhc_fake, 0, sizeof(pvhc_fake));
	pvhc_fake.wired = true;
	return pvhc_test_init(test);
}

static struct pvhc_kvm *pvhc_kvm_test_create(struct kunit *test)
{
	struct pvhc_kvm *k = pvhc_kvm_create(&pvhc_fake_hw, true);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, k);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							pvhc_kvm_destroy_action,
							k), 0);
	return k;
}

static void pvhc_kvm_test_probe_all(struct kunit *test)
{
	struct pvhc_kvm *k;

	pvhc_fake.features = PVHC_FAKE_ALL;
	k = pvhc_kvm_test_create(test);
	KUNIT_EXPECT_EQ(test, k->backend.features,
			BIT(PVHC_FEAT_PREEMPTED) | BIT(PVHC_FEAT_YIELD) |
			BIT(PVHC_FEAT_KICK) | BIT(PVHC_FEAT_CLOCK) |
			BIT(PVHC_FEAT_CLOCK_PAIRING));
	KUNIT_EXPECT_STREQ(test, k->backend.name, "kvm");
	KUNIT_EXPECT_EQ(test, k->backend.priority, PVHC_PRIO_HYPERVISOR);
	/* The pairing probe: one hypercall at a page we own. */
	KUNIT_EXPECT_EQ(test, pvhc_fake.hypercalls, 1);
	KUNIT_EXPECT_EQ(test, pvhc_fake.nr, (unsigned int)KVM_HC_CLOCK_PAIRING);
	KUNIT_EXPECT_EQ(test, pvhc_fake.p1, (unsigned long)k->pairing_pa);
	KUNIT_EXPECT_EQ(test, pvhc_fake.p2, (unsigned long)KVM_CLOCK_PAIRING_WALLCLOCK);
	KUNIT_EXPECT_NOT_NULL(test, k->pairing);

	/* The older clock bit is as good. */
	pvhc_fake.features = BIT(KVM_FEATURE_CLOCKSOURCE);
	k = pvhc_kvm_test_create(test);
	KUNIT_EXPECT_EQ(test, k->backend.features,
			BIT(PVHC_FEAT_CLOCK) | BIT(PVHC_FEAT_CLOCK_PAIRING));
}

static void pvhc_kvm_test_probe_none(struct kunit *test)
{
	struct pvhc_kvm *k;

	/* No KVM cpuid leaves: nothing, and no hypercall tried. */
	k = pvhc_kvm_test_create(test);
	KUNIT_EXPECT_EQ(test, k->backend.features, 0UL);
	KUNIT_EXPECT_EQ(test, pvhc_fake.hypercalls, 0);
	KUNIT_EXPECT_NULL(test, k->pairing);

	/* KVM with none of the features: only the pairing probe. */
	pvhc_fake.features = BIT(KVM_FEATURE_PV_EOI);
	pvhc_fake.pairing_ret = -KVM_ENOSYS;
	k = pvhc_kvm_test_create(test);
	KUNIT_EXPECT_EQ(test, k->backend.features, 0UL);
	KUNIT_EXPECT_EQ(test, pvhc_fake.hypercalls, 1);
}

static void pvhc_kvm_test_probe_partial(struct kunit *test)
{
	struct pvhc_kvm *k;

	/* Steal time, but vcpu_is_preempted() left native. */
	pvhc_fake.features = PVHC_FAKE_ALL;
	pvhc_fake.wired = false;
	k = pvhc_kvm_test_create(test);
	KUNIT_EXPECT_FALSE(test, k->backend.features & BIT(PVHC_FEAT_PREEMPTED));
	KUNIT_EXPECT_TRUE(test, k->backend.features & BIT(PVHC_FEAT_YIELD));

	/* kvmclock features, but the kernel does not use kvmclock. */
	pvhc_fake.wired = true;
	pvhc_fake.clock_null = true;
	k = pvhc_kvm_test_create(test);
	KUNIT_EXPECT_FALSE(test, k->backend.features & BIT(PVHC_FEAT_CLOCK));
	KUNIT_EXPECT_TRUE(test, k->backend.features & BIT(PVHC_FEAT_PREEMPTED));

	/* Each cpuid bit maps to its feature alone. */
	pvhc_fake.clock_null = false;
	pvhc_fake.pairing_ret = -KVM_ENOSYS;
	pvhc_fake.features = BIT(KVM_FEATURE_PV_UNHALT);
	k = pvhc_kvm_test_create(test);
	KUNIT_EXPECT_EQ(test, k->backend.features, BIT(PVHC_FEAT_KICK));
	pvhc_fake.features = BIT(KVM_FEATURE_PV_SCHED_YIELD);
	k = pvhc_kvm_test_create(test);
	KUNIT_EXPECT_EQ(test, k->backend.features, BIT(PVHC_FEAT_YIELD));
	pvhc_fake.features = BIT(KVM_FEATURE_STEAL_TIME);
	k = pvhc_kvm_test_create(test);
	KUNIT_EXPECT_EQ(test, k->backend.features, BIT(PVHC_FEAT_PREEMPTED));
}

static void pvhc_kvm_test_probe_pairing(struct kunit *test)
{
	struct pvhc_kvm *k;

	pvhc_fake.features = PVHC_FAKE_ALL;
	pvhc_fake.pairing_ret = -KVM_ENOSYS;
	k = pvhc_kvm_test_create(test);
	KUNIT_EXPECT_FALSE(test, k->backend.features & BIT(PVHC_FEAT_CLOCK_PAIRING));
	KUNIT_EXPECT_NULL(test, k->pairing);

	/* The host clock is not TSC based. */
	pvhc_fake.pairing_ret = -KVM_EOPNOTSUPP;
	k = pvhc_kvm_test_create(test);
	KUNIT_EXPECT_FALSE(test, k->backend.features & BIT(PVHC_FEAT_CLOCK_PAIRING));
	KUNIT_EXPECT_TRUE(test, k->backend.features & BIT(PVHC_FEAT_CLOCK));

	/* Encrypted memory: the host could not write the answer; no try. */
	pvhc_fake.pairing_ret = 0;
	pvhc_fake.encrypted = true;
	pvhc_fake.hypercalls = 0;
	k = pvhc_kvm_test_create(test);
	KUNIT_EXPECT_FALSE(test, k->backend.features & BIT(PVHC_FEAT_CLOCK_PAIRING));
	KUNIT_EXPECT_EQ(test, pvhc_fake.hypercalls, 0);
}

static void pvhc_kvm_test_ops(struct kunit *test)
{
	const struct pvclock_vcpu_time_info *rec = NULL;
	struct pvhc_clock_pairing cp = {};
	const struct pvhc_backend_ops *ops;
	struct pvhc_kvm *k;

	pvhc_fake.features = PVHC_FAKE_ALL;
	k = pvhc_kvm_test_create(test);
	ops = k->backend.ops;

	pvhc_fake.preempted = true;
	KUNIT_EXPECT_EQ(test, ops->vcpu_preempted(k, 1), 1);
	pvhc_fake.preempted = false;
	KUNIT_EXPECT_EQ(test, ops->vcpu_preempted(k, 1), 0);

	pvhc_fake.hypercalls = 0;
	KUNIT_EXPECT_EQ(test, ops->yield_to(k, 2), 0);
	KUNIT_EXPECT_EQ(test, pvhc_fake.nr, (unsigned int)KVM_HC_SCHED_YIELD);
	KUNIT_EXPECT_EQ(test, pvhc_fake.p1, 102UL);
	/* KVM cannot yield undirected. */
	KUNIT_EXPECT_EQ(test, ops->yield_to(k, -1), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, pvhc_fake.hypercalls, 1);

	KUNIT_EXPECT_EQ(test, ops->kick(k, 3), 0);
	KUNIT_EXPECT_EQ(test, pvhc_fake.nr, (unsigned int)KVM_HC_KICK_CPU);
	KUNIT_EXPECT_EQ(test, pvhc_fake.p1, 0UL);
	KUNIT_EXPECT_EQ(test, pvhc_fake.p2, 103UL);

	pvhc_fake.ret = -KVM_EOPNOTSUPP;
	KUNIT_EXPECT_EQ(test, ops->yield_to(k, 2), -EOPNOTSUPP);
	pvhc_fake.ret = -KVM_ENOSYS;
	KUNIT_EXPECT_EQ(test, ops->kick(k, 2), -EOPNOTSUPP);
	pvhc_fake.ret = -KVM_EFAULT;
	KUNIT_EXPECT_EQ(test, ops->kick(k, 2), -EFAULT);
	pvhc_fake.ret = 5;
	KUNIT_EXPECT_EQ(test, ops->kick(k, 2), -EIO);

	KUNIT_EXPECT_EQ(test, ops->clock_record(k, 1, &rec), 0);
	KUNIT_EXPECT_PTR_EQ(test, rec,
			    (const struct pvclock_vcpu_time_info *)&pvhc_fake.clock);
	pvhc_fake.clock_null = true;
	KUNIT_EXPECT_EQ(test, ops->clock_record(k, 1, &rec), -ENODEV);

	pvhc_fake.pairing.sec = 1700000001;
	pvhc_fake.pairing.nsec = 999;
	pvhc_fake.pairing.tsc = 0xabcdef;
	pvhc_fake.pairing.flags = 1;
	KUNIT_EXPECT_EQ(test, ops->clock_pairing(k, &cp), 0);
	KUNIT_EXPECT_EQ(test, cp.sec, 1700000001);
	KUNIT_EXPECT_EQ(test, cp.nsec, 999);
	KUNIT_EXPECT_EQ(test, cp.tsc, 0xabcdefULL);
	KUNIT_EXPECT_EQ(test, cp.flags, 1U);
	pvhc_fake.pairing_ret = -KVM_EOPNOTSUPP;
	KUNIT_EXPECT_EQ(test, ops->clock_pairing(k, &cp), -EOPNOTSUPP);
}

/* The kvm backend through pvhc, under a test name and priority. */
static void pvhc_kvm_test_through_pvhc(struct kunit *test)
{
	struct pvhc_clock_pairing cp = {};
	struct pvhc_kvm *k;

	pvhc_fake.features = PVHC_FAKE_ALL;
	k = pvhc_kvm_test_create(test);
	k->backend.name = "test_kvm";
	k->backend.priority = PVHC_PRIO_TEST;
	pvhc_test_register(test, &k->backend);

	KUNIT_EXPECT_STREQ(test, pvhc_feature_source(PVHC_FEAT_KICK), "test_kvm");
	KUNIT_EXPECT_EQ(test, pvhc_yield_to(0), 0);
	KUNIT_EXPECT_EQ(test, pvhc_fake.p1, 100UL);
	KUNIT_EXPECT_EQ(test, pvhc_yield_to(-1), -EOPNOTSUPP);

	/* A host answering garbage is caught by pvhc, and counted. */
	pvhc_fake.pairing.nsec = 2 * NSEC_PER_SEC;
	KUNIT_EXPECT_EQ(test, pvhc_clock_pairing(&cp), -EIO);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&k->backend.errors), 1);
	pvhc_fake.pairing.nsec = 5;
	KUNIT_EXPECT_EQ(test, pvhc_clock_pairing(&cp), 0);
	KUNIT_EXPECT_EQ(test, cp.nsec, 5);
	pvhc_test_unregister(test, &k->backend);
}

static struct kunit_case pvhc_kvm_cases[] = {
	KUNIT_CASE(pvhc_kvm_test_probe_all),
	KUNIT_CASE(pvhc_kvm_test_probe_none),
	KUNIT_CASE(pvhc_kvm_test_probe_partial),
	KUNIT_CASE(pvhc_kvm_test_probe_pairing),
	KUNIT_CASE(pvhc_kvm_test_ops),
	KUNIT_CASE(pvhc_kvm_test_through_pvhc),
	{}
};

static struct kunit_suite pvhc_kvm_suite = {
	.name = "pvhc_kvm",
	.init = pvhc_kvm_test_init,
	.exit = pvhc_test_exit,
	.test_cases = pvhc_kvm_cases,
};

#endif /* CONFIG_KVM_GUEST */

/* ---- suite pvhc_xen: the xen backend against a fake Xen host ---- */
#if IS_ENABLED(CONFIG_XEN)

/* Xen's errno for a hypercall it does not have (public/errno.h). */
#define PVHC_XEN_ENOSYS		38

/* vCPU ids whose registered area the fake remembers. */
#define PVHC_XFAKE_VCPUS	8

static struct {
	enum xen_domain_type domain;
	bool wired;
	bool preempted;
	bool swap01;			/* CPU 0 is vCPU 1, CPU 1 is vCPU 0 */
	struct pvclock_vsyscall_time_info *kernel_area;
	int area_ret;			/* of registering an area */
	u32 refuse_vcpu;		/* with area_ret: only this vCPU, if set */
	bool area_blank;		/* accept an area but leave it blank */
	int area_calls;			/* registrations of an area */
	int area_clears;		/* registrations of NULL */
	int vcpu_ops;			/* every vcpu_op */
	struct pvclock_vcpu_time_info *area[PVHC_XFAKE_VCPUS];
	int sched_calls;
	int sched_cmd;
	void *sched_arg;
	int sched_ret;
	int memory_calls;
	int vnuma_ret;			/* returned as is when set */
	bool vnuma_zero;		/* the size query answers 0 */
	u32 nr_vnodes;
	u32 nr_vcpus;
	u32 nr_vmemranges;
	bool grow_once;			/* one more node at the next fill */
	bool grow_always;		/* one more node at every fill */
	u32 map[PVHC_XFAKE_VCPUS];	/* vcpu_to_vnode; beyond: i % nodes */
} pvhc_xfake;

#define PVHC_XFAKE_ALL	(BIT(PVHC_FEAT_PREEMPTED) | BIT(PVHC_FEAT_YIELD) | \
			 BIT(PVHC_FEAT_CLOCK) | BIT(PVHC_FEAT_NUMA_INFO))

#define PVHC_XFAKE_MUL	0x80000000U

/* Not symmetric, so that a transposed matrix shows. */
static u32 pvhc_xfake_distance(u32 i, u32 j)
{
	return i == j ? 10 : 20 + 2 * i + j;
}

static enum xen_domain_type pvhc_xfake_domain_type(void)
{
	return pvhc_xfake.domain;
}

static bool pvhc_xfake_wired(void)
{
	return pvhc_xfake.wired;
}

static bool pvhc_xfake_preempted(unsigned int cpu)
{
	return pvhc_xfake.preempted;
}

static u32 pvhc_xfake_vcpu_id(unsigned int cpu)
{
	return pvhc_xfake.swap01 && cpu < 2 ? cpu ^ 1 : cpu;
}

static struct pvclock_vsyscall_time_info *pvhc_xfake_kernel_area(void)
{
	return pvhc_xfake.kernel_area;
}

static int pvhc_xfake_vcpu_op(int cmd, u32 vcpu, void *arg)
{
	struct vcpu_register_time_memory_area *t = arg;
	struct pvclock_vcpu_time_info *a = t->addr.v;

	pvhc_xfake.vcpu_ops++;
	if (cmd != VCPUOP_register_vcpu_time_memory_area)
		return -PVHC_XEN_ENOSYS;
	if (!a) {
		pvhc_xfake.area_clears++;
		if (vcpu < PVHC_XFAKE_VCPUS)
			pvhc_xfake.area[vcpu] = NULL;
		return 0;
	}
	pvhc_xfake.area_calls++;
	if (pvhc_xfake.area_ret &&
	    (!pvhc_xfake.refuse_vcpu || pvhc_xfake.refuse_vcpu == vcpu))
		return pvhc_xfake.area_ret;
	if (vcpu < PVHC_XFAKE_VCPUS)
		pvhc_xfake.area[vcpu] = a;
	if (!pvhc_xfake.area_blank) {
		a->version = 2;
		a->tsc_to_system_mul = PVHC_XFAKE_MUL;
		a->tsc_shift = -1;
	}
	return 0;
}

static int pvhc_xfake_sched_op(int cmd, void *arg)
{
	pvhc_xfake.sched_calls++;
	pvhc_xfake.sched_cmd = cmd;
	pvhc_xfake.sched_arg = arg;
	return pvhc_xfake.sched_ret;
}

/* XENMEM_get_vnumainfo as Xen answers it (xen/common/memory.c). */
static int pvhc_xfake_memory_op(unsigned int cmd, void *arg)
{
	struct pvhc_xen_vnuma_topology_info *t = arg;
	struct pvhc_xen_vmemrange *ranges;
	u32 nodes, vcpus, i, j, *dist, *map;

	pvhc_xfake.memory_calls++;
	if (cmd != PVHC_XENMEM_GET_VNUMAINFO || t->domid != DOMID_SELF)
		return -EINVAL;
	if (pvhc_xfake.vnuma_ret)
		return pvhc_xfake.vnuma_ret;
	if (t->nr_vnodes && (pvhc_xfake.grow_once || pvhc_xfake.grow_always)) {
		pvhc_xfake.grow_once = false;
		pvhc_xfake.nr_vnodes++;
	}
	nodes = pvhc_xfake.nr_vnodes;
	vcpus = pvhc_xfake.nr_vcpus;
	if (t->nr_vnodes < nodes || t->nr_vcpus < vcpus ||
	    t->nr_vmemranges < pvhc_xfake.nr_vmemranges) {
		if (pvhc_xfake.vnuma_zero)
			return 0;
		t->nr_vnodes = nodes;
		t->nr_vcpus = vcpus;
		t->nr_vmemranges = pvhc_xfake.nr_vmemranges;
		return -ENOBUFS;
	}
	dist = (u32 *)(unsigned long)t->vdistance;
	map = (u32 *)(unsigned long)t->vcpu_to_vnode;
	ranges = (struct pvhc_xen_vmemrange *)(unsigned long)t->vmemrange;
	for (i = 0; i < nodes; i++)
		for (j = 0; j < nodes; j++)
			dist[i * nodes + j] = pvhc_xfake_distance(i, j);
	for (i = 0; i < vcpus; i++)
		map[i] = i < PVHC_XFAKE_VCPUS ? pvhc_xfake.map[i] : i % nodes;
	for (i = 0; i < pvhc_xfake.nr_vmemranges; i++) {
		ranges[i].start = (u64)i << 30;
		ranges[i].end = (u64)(i + 1) << 30;
		ranges[i].nid = i % nodes;
	}
	t->nr_vnodes = nodes;
	t->nr_vcpus = vcpus;
	t->nr_vmemranges = pvhc_xfake.nr_vmemranges;
	return 0;
}

static const struct pvhc_xen_hw pvhc_xfake_hw = {
	.domain_type = pvhc_xfake_domain_type,
	.preempt_wired = pvhc_xfake_wired,
	.vcpu_preempted = pvhc_xfake_preempted,
	.vcpu_id = pvhc_xfake_vcpu_id,
	.kernel_area = pvhc_xfake_kernel_area,
	.vcpu_op = pvhc_xfake_vcpu_op,
	.sched_op = pvhc_xfake_sched_op,
	.memory_op = pvhc_xfake_memory_op,
};

static void pvhc_xen_destroy_action(void *x)
{
	pvhc_xen_destroy(x);
}

/* By default a PV domain with every feature: 2 nodes, 4 vCPUs. */
static int pvhc_xen_test_init(struct kunit *test)
{
	static const u32 map[PVHC_XFAKE_VCPUS] = { 0, 1, 1, 0, 1, 0, 1, 0 };

	memset(&pvhc_xfake, 0, sizeof(pvhc_xfake));
	pvhc_xfake.domain = XEN_PV_DOMAIN;
	pvhc_xfake.wired = true;
	pvhc_xfake.nr_vnodes = 2;
	pvhc_xfake.nr_vcpus = 4;
	pvhc_xfake.nr_vmemranges = 2;
	memcpy(pvhc_xfake.map, map, sizeof(map));
	return pvhc_test_init(test);
}

static struct pvhc_xen *pvhc_xen_test_create(struct kunit *test)
{
	struct pvhc_xen *x = pvhc_xen_create(&pvhc_xfake_hw, true);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, x);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							pvhc_xen_destroy_action,
							x), 0);
	return x;
}

static struct pvhc_numa_info *pvhc_xen_test_info(struct kunit *test)
{
	struct pvhc_numa_info *info;

	info = kunit_kzalloc(test, sizeof(*info), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, info);
	return info;
}

static void pvhc_xen_test_probe_all(struct kunit *test)
{
	const struct pvclock_vcpu_time_info *rec;
	unsigned int online = num_online_cpus();
	struct pvhc_xen *x;
	unsigned int cpu;

	x = pvhc_xen_test_create(test);
	KUNIT_EXPECT_EQ(test, x->backend.features, PVHC_XFAKE_ALL);
	KUNIT_EXPECT_STREQ(test, x->backend.name, "xen");
	KUNIT_EXPECT_EQ(test, x->backend.priority, PVHC_PRIO_HYPERVISOR);
	/* One area per online CPU, each filled in; one vNUMA size query. */
	KUNIT_EXPECT_EQ(test, pvhc_xfake.area_calls, (int)online);
	KUNIT_EXPECT_EQ(test, pvhc_xfake.area_clears, 0);
	KUNIT_EXPECT_EQ(test, pvhc_xfake.memory_calls, 1);
	KUNIT_EXPECT_EQ(test, pvhc_xfake.sched_calls, 0);
	for_each_online_cpu(cpu) {
		rec = NULL;
		KUNIT_EXPECT_EQ(test, x->backend.ops->clock_record(x, cpu, &rec), 0);
		KUNIT_EXPECT_PTR_EQ(test, rec,
				    (const struct pvclock_vcpu_time_info *)&x->areas[cpu].pvti);
		if (rec)
			KUNIT_EXPECT_EQ(test, rec->tsc_to_system_mul, PVHC_XFAKE_MUL);
		if (cpu < PVHC_XFAKE_VCPUS)
			KUNIT_EXPECT_PTR_EQ(test, pvhc_xfake.area[cpu],
					    &x->areas[cpu].pvti);
	}

	/* An HVM domain is as good. */
	pvhc_xfake.domain = XEN_HVM_DOMAIN;
	x = pvhc_xen_test_create(test);
	KUNIT_EXPECT_EQ(test, x->backend.features, PVHC_XFAKE_ALL);
}

static void pvhc_xen_test_probe_partial(struct kunit *test)
{
	struct pvhc_xen *x;

	/* Not a Xen domain: no backend, and not a single hypercall. */
	pvhc_xfake.domain = XEN_NATIVE;
	x = pvhc_xen_create(&pvhc_xfake_hw, true);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(x), -ENODEV);
	KUNIT_EXPECT_EQ(test, pvhc_xfake.vcpu_ops + pvhc_xfake.sched_calls +
			pvhc_xfake.memory_calls, 0);

	/* vcpu_is_preempted() left native: everything else stays. */
	pvhc_xfake.domain = XEN_PV_DOMAIN;
	pvhc_xfake.wired = false;
	x = pvhc_xen_test_create(test);
	KUNIT_EXPECT_EQ(test, x->backend.features,
			PVHC_XFAKE_ALL & ~BIT(PVHC_FEAT_PREEMPTED));
}

static void pvhc_xen_test_vnuma_absent(struct kunit *test)
{
	static const int absent[] = { -EOPNOTSUPP, -PVHC_XEN_ENOSYS, -EPERM };
	struct pvhc_numa_info *info = pvhc_xen_test_info(test);
	struct pvhc_xen *x;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(absent); i++) {
		pvhc_xfake.vnuma_ret = absent[i];
		x = pvhc_xen_test_create(test);
		KUNIT_EXPECT_EQ_MSG(test, x->backend.features,
				    PVHC_XFAKE_ALL & ~BIT(PVHC_FEAT_NUMA_INFO),
				    "XENMEM_get_vnumainfo %d", absent[i]);
		KUNIT_EXPECT_EQ(test, x->backend.ops->numa_info(x, info),
				absent[i]);
	}

	/* A size query that succeeds with no sizes is no topology either. */
	pvhc_xfake.vnuma_ret = 0;
	pvhc_xfake.vnuma_zero = true;
	x = pvhc_xen_test_create(test);
	KUNIT_EXPECT_FALSE(test, x->backend.features & BIT(PVHC_FEAT_NUMA_INFO));
	KUNIT_EXPECT_EQ(test, x->backend.ops->numa_info(x, info), -EIO);
	pvhc_xfake.vnuma_zero = false;

	/* Nodes but no vCPUs, or no nodes. */
	pvhc_xfake.nr_vcpus = 0;
	x = pvhc_xen_test_create(test);
	KUNIT_EXPECT_FALSE(test, x->backend.features & BIT(PVHC_FEAT_NUMA_INFO));
	pvhc_xfake.nr_vcpus = 4;
	pvhc_xfake.nr_vnodes = 0;
	x = pvhc_xen_test_create(test);
	KUNIT_EXPECT_FALSE(test, x->backend.features & BIT(PVHC_FEAT_NUMA_INFO));
	KUNIT_EXPECT_EQ(test, x->backend.ops->numa_info(x, info), -EIO);
}

static void pvhc_xen_test_vnuma_info(struct kunit *test)
{
	struct pvhc_numa_info *info = pvhc_xen_test_info(test);
	struct pvhc_xen *x;
	u32 i, j;

	x = pvhc_xen_test_create(test);
	pvhc_xfake.memory_calls = 0;
	KUNIT_ASSERT_EQ(test, x->backend.ops->numa_info(x, info), 0);
	/* The size query, then the fill. */
	KUNIT_EXPECT_EQ(test, pvhc_xfake.memory_calls, 2);
	KUNIT_EXPECT_EQ(test, info->nr_nodes, 2U);
	KUNIT_EXPECT_EQ(test, info->nr_vcpus, 4U);
	KUNIT_EXPECT_EQ(test, info->vcpu_to_node[0], 0U);
	KUNIT_EXPECT_EQ(test, info->vcpu_to_node[1], 1U);
	KUNIT_EXPECT_EQ(test, info->vcpu_to_node[2], 1U);
	KUNIT_EXPECT_EQ(test, info->vcpu_to_node[3], 0U);
	KUNIT_EXPECT_EQ(test, info->distance[0][0], 10U);
	KUNIT_EXPECT_EQ(test, info->distance[0][1], 21U);
	KUNIT_EXPECT_EQ(test, info->distance[1][0], 22U);
	KUNIT_EXPECT_EQ(test, info->distance[1][1], 10U);
	KUNIT_EXPECT_EQ(test, info->distance[0][2], 0U);

	/* The largest topology accepted, and vCPUs beyond what info holds. */
	pvhc_xfake.nr_vnodes = PVHC_NUMA_MAX_NODES;
	pvhc_xfake.nr_vcpus = PVHC_NUMA_HINT_MAX_CPUS + 44;
	x = pvhc_xen_test_create(test);
	KUNIT_EXPECT_TRUE(test, x->backend.features & BIT(PVHC_FEAT_NUMA_INFO));
	KUNIT_ASSERT_EQ(test, x->backend.ops->numa_info(x, info), 0);
	KUNIT_EXPECT_EQ(test, info->nr_nodes, (u32)PVHC_NUMA_MAX_NODES);
	KUNIT_EXPECT_EQ(test, info->nr_vcpus, (u32)PVHC_NUMA_HINT_MAX_CPUS);
	KUNIT_EXPECT_EQ(test, info->vcpu_to_node[PVHC_NUMA_HINT_MAX_CPUS - 1],
			(u32)((PVHC_NUMA_HINT_MAX_CPUS - 1) % PVHC_NUMA_MAX_NODES));
	for (i = 0; i < PVHC_NUMA_MAX_NODES; i++)
		for (j = 0; j < PVHC_NUMA_MAX_NODES; j++)
			if (info->distance[i][j] != pvhc_xfake_distance(i, j))
				KUNIT_FAIL(test, "distance[%u][%u] is %u", i, j,
					   info->distance[i][j]);

	/* The topology grew between the size query and the fill: again. */
	pvhc_xfake.nr_vnodes = 2;
	pvhc_xfake.nr_vcpus = 4;
	pvhc_xfake.grow_once = true;
	pvhc_xfake.memory_calls = 0;
	KUNIT_ASSERT_EQ(test, x->backend.ops->numa_info(x, info), 0);
	KUNIT_EXPECT_EQ(test, pvhc_xfake.memory_calls, 4);
	KUNIT_EXPECT_EQ(test, info->nr_nodes, 3U);
	KUNIT_EXPECT_EQ(test, info->distance[2][1], 25U);

	/* ... but not forever. */
	pvhc_xfake.grow_always = true;
	pvhc_xfake.memory_calls = 0;
	KUNIT_EXPECT_EQ(test, x->backend.ops->numa_info(x, info), -ENOBUFS);
	KUNIT_EXPECT_EQ(test, pvhc_xfake.memory_calls, 6);
}

static void pvhc_xen_test_vnuma_bad(struct kunit *test)
{
	struct pvhc_numa_info *info = pvhc_xen_test_info(test);
	struct pvhc_xen *x;

	/* More nodes than struct pvhc_numa_info holds: not offered. */
	pvhc_xfake.nr_vnodes = PVHC_NUMA_MAX_NODES + 1;
	x = pvhc_xen_test_create(test);
	KUNIT_EXPECT_EQ(test, x->backend.features,
			PVHC_XFAKE_ALL & ~BIT(PVHC_FEAT_NUMA_INFO));
	pvhc_xfake.memory_calls = 0;
	KUNIT_EXPECT_EQ(test, x->backend.ops->numa_info(x, info), -E2BIG);
	/* Refused from the sizes, before any fill. */
	KUNIT_EXPECT_EQ(test, pvhc_xfake.memory_calls, 1);
	pvhc_xfake.nr_vnodes = 0xffffffff;
	KUNIT_EXPECT_EQ(test, x->backend.ops->numa_info(x, info), -E2BIG);

	/* Too many vCPUs or memory ranges to allocate for. */
	pvhc_xfake.nr_vnodes = 2;
	pvhc_xfake.nr_vcpus = 0x10000000;
	KUNIT_EXPECT_EQ(test, x->backend.ops->numa_info(x, info), -E2BIG);
	pvhc_xfake.nr_vcpus = 4;
	pvhc_xfake.nr_vmemranges = 0x10000000;
	KUNIT_EXPECT_EQ(test, x->backend.ops->numa_info(x, info), -E2BIG);
}

/* Directed or not, Xen only has SCHEDOP_yield. */
static void pvhc_xen_test_yield(struct kunit *test)
{
	const struct pvhc_backend_ops *ops;
	struct pvhc_xen *x;

	x = pvhc_xen_test_create(test);
	ops = x->backend.ops;
	pvhc_xfake.sched_arg = (void *)1;
	KUNIT_EXPECT_EQ(test, ops->yield_to(x, 1), 0);
	KUNIT_EXPECT_EQ(test, pvhc_xfake.sched_calls, 1);
	KUNIT_EXPECT_EQ(test, pvhc_xfake.sched_cmd, SCHEDOP_yield);
	KUNIT_EXPECT_NULL(test, pvhc_xfake.sched_arg);
	pvhc_xfake.sched_cmd = -1;
	pvhc_xfake.sched_arg = (void *)1;
	KUNIT_EXPECT_EQ(test, ops->yield_to(x, -1), 0);
	KUNIT_EXPECT_EQ(test, pvhc_xfake.sched_calls, 2);
	KUNIT_EXPECT_EQ(test, pvhc_xfake.sched_cmd, SCHEDOP_yield);
	KUNIT_EXPECT_NULL(test, pvhc_xfake.sched_arg);
	pvhc_xfake.sched_ret = -PVHC_XEN_ENOSYS;
	KUNIT_EXPECT_EQ(test, ops->yield_to(x, 0), -PVHC_XEN_ENOSYS);
	KUNIT_EXPECT_EQ(test, pvhc_xfake.sched_calls, 3);

	pvhc_xfake.preempted = true;
	KUNIT_EXPECT_EQ(test, ops->vcpu_preempted(x, 0), 1);
	pvhc_xfake.preempted = false;
	KUNIT_EXPECT_EQ(test, ops->vcpu_preempted(x, 0), 0);
	/* Neither is a vcpu_op or a memory_op. */
	KUNIT_EXPECT_EQ(test, pvhc_xfake.vcpu_ops, (int)num_online_cpus());
	KUNIT_EXPECT_EQ(test, pvhc_xfake.memory_calls, 1);
}

static void pvhc_xen_test_clock_refused(struct kunit *test)
{
	const struct pvclock_vcpu_time_info *rec = NULL;
	struct pvhc_xen *x;

	pvhc_xfake.area_ret = -EINVAL;
	x = pvhc_xen_test_create(test);
	KUNIT_EXPECT_EQ(test, x->backend.features,
			PVHC_XFAKE_ALL & ~BIT(PVHC_FEAT_CLOCK));
	KUNIT_EXPECT_EQ(test, pvhc_xfake.area_calls, (int)num_online_cpus());
	KUNIT_EXPECT_EQ(test, pvhc_xfake.area_clears, 0);
	KUNIT_EXPECT_NULL(test, x->areas);
	KUNIT_EXPECT_EQ(test, x->backend.ops->clock_record(x, 0, &rec), -ENODEV);
	KUNIT_EXPECT_NULL(test, rec);

	/* One vCPU refused: none is offered, the others are taken back. */
	if (!cpu_online(0) || !cpu_online(1))
		kunit_skip(test, "needs CPUs 0 and 1 online");
	memset(pvhc_xfake.area, 0, sizeof(pvhc_xfake.area));
	pvhc_xfake.area_calls = 0;
	pvhc_xfake.refuse_vcpu = 1;
	x = pvhc_xen_test_create(test);
	KUNIT_EXPECT_FALSE(test, x->backend.features & BIT(PVHC_FEAT_CLOCK));
	KUNIT_EXPECT_EQ(test, pvhc_xfake.area_calls, (int)num_online_cpus());
	KUNIT_EXPECT_EQ(test, pvhc_xfake.area_clears,
			(int)num_online_cpus() - 1);
	KUNIT_EXPECT_NULL(test, pvhc_xfake.area[0]);
}

static void pvhc_xen_test_clock_blank(struct kunit *test)
{
	const struct pvclock_vcpu_time_info *rec = NULL;
	struct pvhc_xen *x;

	/* Xen took the area but did not fill it in: no clock. */
	pvhc_xfake.area_blank = true;
	x = pvhc_xen_test_create(test);
	KUNIT_EXPECT_EQ(test, x->backend.features,
			PVHC_XFAKE_ALL & ~BIT(PVHC_FEAT_CLOCK));
	KUNIT_EXPECT_EQ(test, pvhc_xfake.area_calls, (int)num_online_cpus());
	/* Each blank area was taken back from Xen before it was freed. */
	KUNIT_EXPECT_EQ(test, pvhc_xfake.area_clears, (int)num_online_cpus());
	KUNIT_EXPECT_NULL(test, pvhc_xfake.area[0]);
	KUNIT_EXPECT_EQ(test, x->backend.ops->clock_record(x, 0, &rec), -ENODEV);
}

/* vCPU 0's area is the kernel's: shared, never registered again. */
static void pvhc_xen_test_clock_kernel_area(struct kunit *test)
{
	const struct pvclock_vcpu_time_info *rec = NULL;
	struct pvclock_vsyscall_time_info *kernel;
	unsigned int online = num_online_cpus();
	struct pvhc_xen *x;

	if (!cpu_online(0) || !cpu_online(1))
		kunit_skip(test, "needs CPUs 0 and 1 online");
	kernel = kunit_kzalloc(test, sizeof(*kernel), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, kernel);
	kernel->pvti.tsc_to_system_mul = 12345;
	pvhc_xfake.kernel_area = kernel;
	/* CPU 1 is vCPU 0: the lookup goes by vCPU id, not CPU number. */
	pvhc_xfake.swap01 = true;

	x = pvhc_xen_create(&pvhc_xfake_hw, true);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, x);
	KUNIT_EXPECT_EQ(test, x->backend.features, PVHC_XFAKE_ALL);
	KUNIT_EXPECT_EQ(test, pvhc_xfake.area_calls, (int)online - 1);
	KUNIT_EXPECT_NULL(test, pvhc_xfake.area[0]);
	KUNIT_EXPECT_PTR_EQ(test, pvhc_xfake.area[1], &x->areas[0].pvti);

	KUNIT_EXPECT_EQ(test, x->backend.ops->clock_record(x, 1, &rec), 0);
	KUNIT_EXPECT_PTR_EQ(test, rec,
			    (const struct pvclock_vcpu_time_info *)&kernel->pvti);
	KUNIT_EXPECT_EQ(test, x->backend.ops->clock_record(x, 0, &rec), 0);
	KUNIT_EXPECT_PTR_EQ(test, rec,
			    (const struct pvclock_vcpu_time_info *)&x->areas[0].pvti);

	/* Taken back on the way out, all but the kernel's. */
	pvhc_xen_destroy(x);
	KUNIT_EXPECT_EQ(test, pvhc_xfake.area_clears, (int)online - 1);
	KUNIT_EXPECT_NULL(test, pvhc_xfake.area[1]);
}

/* The xen backend through pvhc, under a test name and priority. */
static void pvhc_xen_test_through_pvhc(struct kunit *test)
{
	struct pvhc_numa_info *info = pvhc_xen_test_info(test);
	const struct pvclock_vcpu_time_info *rec = NULL;
	unsigned int cpu = pvhc_test_cpu();
	struct pvhc_xen *x;

	x = pvhc_xen_test_create(test);
	x->backend.name = "test_xen";
	x->backend.priority = PVHC_PRIO_TEST;
	pvhc_test_register(test, &x->backend);

	KUNIT_EXPECT_STREQ(test, pvhc_feature_source(PVHC_FEAT_CLOCK), "test_xen");
	KUNIT_EXPECT_STREQ(test, pvhc_feature_source(PVHC_FEAT_NUMA_INFO),
			   "test_xen");
	pvhc_xfake.preempted = true;
	KUNIT_EXPECT_EQ(test, pvhc_vcpu_preempted(cpu), 1);
	KUNIT_EXPECT_EQ(test, pvhc_yield_to(cpu), 0);
	KUNIT_EXPECT_EQ(test, pvhc_yield_to(-1), 0);
	KUNIT_EXPECT_EQ(test, pvhc_xfake.sched_calls, 2);
	KUNIT_EXPECT_EQ(test, pvhc_xfake.sched_cmd, SCHEDOP_yield);

	KUNIT_EXPECT_EQ(test, pvhc_clock_record(0, &rec), 0);
	KUNIT_EXPECT_PTR_EQ(test, rec,
			    (const struct pvclock_vcpu_time_info *)&x->areas[0].pvti);

	KUNIT_EXPECT_EQ(test, pvhc_numa_info(info), 0);
	KUNIT_EXPECT_EQ(test, info->nr_nodes, 2U);
	KUNIT_EXPECT_EQ(test, info->vcpu_to_node[1], 1U);
	KUNIT_EXPECT_EQ(test, info->distance[1][0], 22U);

	/* A vCPU on a node the host did not report: caught, counted. */
	pvhc_xfake.map[2] = 2;
	KUNIT_EXPECT_EQ(test, pvhc_numa_info(info), -EIO);
	KUNIT_EXPECT_EQ(test, info->nr_nodes, 0U);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&x->backend.errors), 1);
	/* The topology outgrew the limit after the probe: refused. */
	pvhc_xfake.map[2] = 1;
	pvhc_xfake.nr_vnodes = PVHC_NUMA_MAX_NODES + 1;
	KUNIT_EXPECT_EQ(test, pvhc_numa_info(info), -E2BIG);
	pvhc_xfake.nr_vnodes = 2;
	KUNIT_EXPECT_EQ(test, pvhc_numa_info(info), 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&x->backend.errors), 1);
	pvhc_test_unregister(test, &x->backend);
}

static struct kunit_case pvhc_xen_cases[] = {
	KUNIT_CASE(pvhc_xen_test_probe_all),
	KUNIT_CASE(pvhc_xen_test_probe_partial),
	KUNIT_CASE(pvhc_xen_test_vnuma_absent),
	KUNIT_CASE(pvhc_xen_test_vnuma_info),
	KUNIT_CASE(pvhc_xen_test_vnuma_bad),
	KUNIT_CASE(pvhc_xen_test_yield),
	KUNIT_CASE(pvhc_xen_test_clock_refused),
	KUNIT_CASE(pvhc_xen_test_clock_blank),
	KUNIT_CASE(pvhc_xen_test_clock_kernel_area),
	KUNIT_CASE(pvhc_xen_test_through_pvhc),
	{}
};

static struct kunit_suite pvhc_xen_suite = {
	.name = "pvhc_xen",
	.init = pvhc_xen_test_init,
	.exit = pvhc_test_exit,
	.test_cases = pvhc_xen_cases,
};

#endif /* CONFIG_XEN */

#if IS_ENABLED(CONFIG_KVM_GUEST) && IS_ENABLED(CONFIG_XEN)
kunit_test_suites(&pvhc_api_suite, &pvhc_backend_suite, &pvhc_kvm_suite,
		  &pvhc_xen_suite);
#elif IS_ENABLED(CONFIG_KVM_GUEST)
kunit_test_suites(&pvhc_api_suite, &pvhc_backend_suite, &pvhc_kvm_suite);
#elif IS_ENABLED(CONFIG_XEN)
kunit_test_suites(&pvhc_api_suite, &pvhc_backend_suite, &pvhc_xen_suite);
#else
kunit_test_suites(&pvhc_api_suite, &pvhc_backend_suite);
#endif

MODULE_DESCRIPTION("KUnit tests for pvhc");
MODULE_LICENSE("GPL");
MODULE_INFO(test, "Y");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
