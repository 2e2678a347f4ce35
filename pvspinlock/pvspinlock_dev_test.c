// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for /dev/pvspinlock's page (dev.c): the header and the state
 * of each CPU against a test pvhc backend that plays the host, the
 * generation around layout changes (a CPU going and coming, a backend
 * added and removed), and a host whose answers are no fact.
 *
 * Each test has a device and a page of its own; the module's own device
 * is not touched.
 */
#include <kunit/test.h>
#include <linux/cpumask.h>
#include <linux/module.h>
#include <linux/pvhc.h>
#include <linux/slab.h>
#include <uapi/linux/pvspinlock.h>

#include "pvspinlock_internal.h"

#define DT_NOBODY	-1

static struct {
	int preempted_cpu;	/* DT_NOBODY or a CPU */
	int ret;		/* if not 0, what vcpu_preempted answers */
} dt;

static int dt_vcpu_preempted(void *priv, unsigned int cpu)
{
	int ret = READ_ONCE(dt.ret);

	return ret ? ret : READ_ONCE(dt.preempted_cpu) == (int)cpu;
}

static const struct pvhc_backend_ops dt_ops = {
	.vcpu_preempted = dt_vcpu_preempted,
};

static struct pvhc_backend dt_backend = {
	.name = "pvsl-dev-test",
	.priority = PVHC_PRIO_TEST,
	.features = BIT(PVHC_FEAT_PREEMPTED),
	.ops = &dt_ops,
	.owner = THIS_MODULE,
};

struct dt_ctx {
	struct pvsl_dev *d;
	struct pvspinlock_page *p;
	bool registered;
};

static int dt_register(struct kunit *test, struct dt_ctx *c)
{
	int ret = pvhc_backend_register(&dt_backend);

	if (ret)
		return ret;
	c->registered = true;
	if (strcmp(pvhc_feature_source(PVHC_FEAT_PREEMPTED), dt_backend.name)) {
		kunit_err(test, "pvhc does not route to the test backend\n");
		return -ENODEV;
	}
	return 0;
}

static int pvspinlock_dev_init(struct kunit *test)
{
	struct dt_ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	unsigned int cpu;

	if (!c)
		return -ENOMEM;
	c->d = kunit_kzalloc(test, sizeof(*c->d), GFP_KERNEL);
	c->p = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	if (!c->d || !c->p)
		return -ENOMEM;
	memset(&dt, 0, sizeof(dt));
	dt.preempted_cpu = DT_NOBODY;
	test->priv = c;
	pvsl_dev_setup(c->d, c->p, nr_cpu_ids);
	for_each_online_cpu(cpu)
		pvsl_dev_set_online(c->d, cpu, true);
	return dt_register(test, c);
}

static void pvspinlock_dev_exit(struct kunit *test)
{
	struct dt_ctx *c = test->priv;

	if (c && c->registered)
		pvhc_backend_unregister(&dt_backend);
}

/* Every state byte is one of the four the ABI names. */
static void dt_expect_valid(struct kunit *test, struct dt_ctx *c)
{
	unsigned int cpu;

	for (cpu = 0; cpu < c->p->nr_vcpus; cpu++)
		KUNIT_EXPECT_LE(test, c->p->state[cpu], PVSPINLOCK_OFFLINE);
}

static void pvspinlock_dev_header(struct kunit *test)
{
	struct dt_ctx *c = test->priv;

	pvsl_dev_refresh(c->d);
	KUNIT_EXPECT_EQ(test, c->p->magic, PVSPINLOCK_MAGIC);
	KUNIT_EXPECT_EQ(test, c->p->version, PVSPINLOCK_ABI_VERSION);
	KUNIT_EXPECT_EQ(test, c->p->state_offset, PVSPINLOCK_STATE_OFFSET);
	KUNIT_EXPECT_EQ(test, c->p->nr_vcpus,
			min_t(unsigned int, nr_cpu_ids, PVSPINLOCK_MAX_VCPUS));
	KUNIT_EXPECT_EQ(test, c->p->generation % 2, 0U);
	KUNIT_EXPECT_TRUE(test, c->p->flags & PVSPINLOCK_F_LIVE);
	KUNIT_EXPECT_GT(test, c->p->refreshes, 0ULL);
}

/* The states follow the host: the preempted CPU, and only it. */
static void pvspinlock_dev_states(struct kunit *test)
{
	struct dt_ctx *c = test->priv;
	unsigned int cpu, last = cpumask_last(cpu_online_mask);

	pvsl_dev_refresh(c->d);
	for_each_online_cpu(cpu)
		KUNIT_EXPECT_EQ(test, c->p->state[cpu], PVSPINLOCK_RUNNING);

	WRITE_ONCE(dt.preempted_cpu, last);
	pvsl_dev_refresh(c->d);
	for_each_online_cpu(cpu)
		KUNIT_EXPECT_EQ(test, c->p->state[cpu],
				cpu == last ? PVSPINLOCK_PREEMPTED :
				PVSPINLOCK_RUNNING);

	WRITE_ONCE(dt.preempted_cpu, DT_NOBODY);
	pvsl_dev_refresh(c->d);
	KUNIT_EXPECT_EQ(test, c->p->state[last], PVSPINLOCK_RUNNING);
	for (cpu = 0; cpu < c->p->nr_vcpus; cpu++)
		if (!cpu_online(cpu))
			KUNIT_EXPECT_EQ(test, c->p->state[cpu],
					PVSPINLOCK_OFFLINE);
}

/*
 * The generation moves by two (odd in between) on a layout change, and
 * only then: a refresh that changes states only leaves it.
 */
static void pvspinlock_dev_generation(struct kunit *test)
{
	struct dt_ctx *c = test->priv;
	unsigned int cpu = cpumask_last(cpu_online_mask);
	u32 gen;

	pvsl_dev_refresh(c->d);
	gen = c->p->generation;
	WRITE_ONCE(dt.preempted_cpu, cpu);
	pvsl_dev_refresh(c->d);
	KUNIT_EXPECT_EQ(test, c->p->generation, gen);

	/* A CPU goes: shown offline, a new generation. */
	pvsl_dev_set_online(c->d, cpu, false);
	KUNIT_EXPECT_EQ(test, c->p->generation, gen + 2);
	KUNIT_EXPECT_EQ(test, c->p->state[cpu], PVSPINLOCK_OFFLINE);
	pvsl_dev_set_online(c->d, cpu, true);
	KUNIT_EXPECT_EQ(test, c->p->generation, gen + 4);
	KUNIT_EXPECT_EQ(test, c->p->state[cpu], PVSPINLOCK_PREEMPTED);

	/* The backend goes: another source (or none), a new generation. */
	pvhc_backend_unregister(&dt_backend);
	c->registered = false;
	pvsl_dev_refresh(c->d);
	KUNIT_EXPECT_EQ(test, c->p->generation, gen + 6);
	KUNIT_EXPECT_EQ(test, !!(c->p->flags & PVSPINLOCK_F_LIVE),
			pvhc_has_feature(PVHC_FEAT_PREEMPTED));
	dt_expect_valid(test, c);

	KUNIT_ASSERT_EQ(test, dt_register(test, c), 0);
	pvsl_dev_refresh(c->d);
	KUNIT_EXPECT_EQ(test, c->p->generation, gen + 8);
	KUNIT_EXPECT_TRUE(test, c->p->flags & PVSPINLOCK_F_LIVE);
	KUNIT_EXPECT_EQ(test, c->p->state[cpu], PVSPINLOCK_PREEMPTED);

	/* A CPU id the page has no room for is ignored. */
	pvsl_dev_set_online(c->d, PVSPINLOCK_MAX_VCPUS, true);
	KUNIT_EXPECT_EQ(test, c->p->generation, gen + 8);
}

/* Answers that are no fact show as unknown; only the host's are counted. */
static void pvspinlock_dev_bad_host(struct kunit *test)
{
	static const int bad[] = { 2, 0xff, 0x7fffffff, -EIO, -EFAULT };
	struct dt_ctx *c = test->priv;
	unsigned int i, cpu;
	long before;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		before = atomic_long_read(&c->d->host_invalid);
		WRITE_ONCE(dt.ret, bad[i]);
		pvsl_dev_refresh(c->d);
		for_each_online_cpu(cpu)
			KUNIT_EXPECT_EQ(test, c->p->state[cpu],
					PVSPINLOCK_UNKNOWN);
		KUNIT_EXPECT_EQ(test, atomic_long_read(&c->d->host_invalid),
				before + num_online_cpus());
		dt_expect_valid(test, c);
	}

	/* No backend with the facts is no fault: unknown, not counted. */
	before = atomic_long_read(&c->d->host_invalid);
	WRITE_ONCE(dt.ret, -EOPNOTSUPP);
	pvsl_dev_refresh(c->d);
	for_each_online_cpu(cpu)
		KUNIT_EXPECT_EQ(test, c->p->state[cpu], PVSPINLOCK_UNKNOWN);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&c->d->host_invalid), before);

	/* A host that comes back to sense is believed again. */
	WRITE_ONCE(dt.ret, 0);
	pvsl_dev_refresh(c->d);
	for_each_online_cpu(cpu)
		KUNIT_EXPECT_EQ(test, c->p->state[cpu], PVSPINLOCK_RUNNING);
}

static struct kunit_case pvspinlock_dev_cases[] = {
	KUNIT_CASE(pvspinlock_dev_header),
	KUNIT_CASE(pvspinlock_dev_states),
	KUNIT_CASE(pvspinlock_dev_generation),
	KUNIT_CASE(pvspinlock_dev_bad_host),
	{}
};

static struct kunit_suite pvspinlock_dev_suite = {
	.name = "pvspinlock_dev",
	.init = pvspinlock_dev_init,
	.exit = pvspinlock_dev_exit,
	.test_cases = pvspinlock_dev_cases,
};

kunit_test_suite(pvspinlock_dev_suite);

MODULE_DESCRIPTION("KUnit tests for /dev/pvspinlock");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_INFO(test, "Y");
