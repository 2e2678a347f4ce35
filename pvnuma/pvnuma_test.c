// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for pvnuma: the hints a topology implies, the parsing of
 * hint_add and hint_remove, the placement score, and the re-send of every
 * hint when a backend that takes hints comes (a test backend plays the
 * host).
 */
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/cpumask.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/nodemask.h>
#include <linux/pvhc.h>
#include <linux/slab.h>
#include <linux/topology.h>

#include "pvnuma.h"

/* A bitmap of PVHC_NUMA_HINT_MAX_CPUS bits from a CPU list. */
static void pvnuma_test_cpus(struct kunit *test, unsigned long *bm,
			     const char *list)
{
	KUNIT_ASSERT_EQ(test, bitmap_parselist(list, bm, PVHC_NUMA_HINT_MAX_CPUS), 0);
}

static void pvnuma_test_expect_cpus(struct kunit *test,
				    const struct pvhc_numa_hint *h,
				    const char *list)
{
	DECLARE_BITMAP(want, PVHC_NUMA_HINT_MAX_CPUS);

	pvnuma_test_cpus(test, want, list);
	KUNIT_EXPECT_TRUE_MSG(test, bitmap_equal(h->cpus, want,
						 PVHC_NUMA_HINT_MAX_CPUS),
			      "node %d: cpus %*pbl, want %s", h->node,
			      PVHC_NUMA_HINT_MAX_CPUS, h->cpus, list);
}

static void pvnuma_test_auto_build(struct kunit *test)
{
	struct pvhc_numa_hint h[4];
	int two[] = { 0, 0, 1, 1 };
	int holes[] = { 3, NUMA_NO_NODE, 3, 1, NUMA_NO_NODE };
	int none[] = { NUMA_NO_NODE, NUMA_NO_NODE };
	int *big;

	KUNIT_ASSERT_EQ(test, pvnuma_auto_build(two, 4, h, 4), 2);
	KUNIT_EXPECT_EQ(test, h[0].node, 0);
	pvnuma_test_expect_cpus(test, &h[0], "0-1");
	KUNIT_EXPECT_EQ(test, h[1].node, 1);
	pvnuma_test_expect_cpus(test, &h[1], "2-3");
	KUNIT_EXPECT_EQ(test, h[0].flags, 0U);

	/* By node id, offline CPUs left out. */
	KUNIT_ASSERT_EQ(test, pvnuma_auto_build(holes, 5, h, 4), 2);
	KUNIT_EXPECT_EQ(test, h[0].node, 1);
	pvnuma_test_expect_cpus(test, &h[0], "3");
	KUNIT_EXPECT_EQ(test, h[1].node, 3);
	pvnuma_test_expect_cpus(test, &h[1], "0,2");

	KUNIT_EXPECT_EQ(test, pvnuma_auto_build(none, 2, h, 4), 0);
	/* More nodes than room: nothing half-built. */
	KUNIT_EXPECT_EQ(test, pvnuma_auto_build(two, 4, h, 1), -ENOSPC);

	/* A CPU a hint cannot name (256 and up) is left out. */
	big = kunit_kcalloc(test, 300, sizeof(*big), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, big);
	memset(big, 0xff, 300 * sizeof(*big));	/* all -1 */
	big[5] = 0;
	big[299] = 1;
	KUNIT_ASSERT_EQ(test, pvnuma_auto_build(big, 300, h, 4), 1);
	KUNIT_EXPECT_EQ(test, h[0].node, 0);
	pvnuma_test_expect_cpus(test, &h[0], "5");
}

struct pvnuma_parse_case {
	const char *in;
	int ret;
	int node;
	const char *cpus;
};

static void pvnuma_test_parse_hint(struct kunit *test)
{
	static const struct pvnuma_parse_case cases[] = {
		{ "1 2-3\n", 0, 1, "2-3" },
		{ "0 0,2", 0, 0, "0,2" },
		{ "0 0-3", 0, 0, "0-3" },
		{ "", -EINVAL },
		{ "\n", -EINVAL },
		{ "1", -EINVAL },
		{ "1 ", -EINVAL },
		{ "1 \t", -EINVAL },
		{ "x 1", -EINVAL },
		{ "+1 1", -EINVAL },
		{ "-1 0", -EINVAL },
		{ "5 0", -EINVAL },		/* offline node */
		{ "4096 0", -EINVAL },
		{ "99999999999 0", -EINVAL },
		{ "0 4", -EINVAL },		/* not a CPU of the guest */
		{ "0 2-9", -EINVAL },
		{ "0 300", -EINVAL },		/* beyond what a hint names */
		{ "0 1-", -EINVAL },
		{ "0 3-1", -EINVAL },
		{ "0 a", -EINVAL },
		{ "0 1 2", -EINVAL },
		{ "0  1", -EINVAL },
		{ "0 1\n\n", -EINVAL },
		{ "0 ,", -EINVAL },
	};
	DECLARE_BITMAP(cpus, PVHC_NUMA_HINT_MAX_CPUS);
	nodemask_t nodes = NODE_MASK_NONE;
	struct pvhc_numa_hint h;
	const char *why;
	char *longin;
	int i, ret;

	node_set(0, nodes);
	node_set(1, nodes);
	pvnuma_test_cpus(test, cpus, "0-3");
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		why = NULL;
		ret = pvnuma_parse_hint(cases[i].in, strlen(cases[i].in),
					&nodes, cpus, 4, &h, &why);
		KUNIT_EXPECT_EQ_MSG(test, ret, cases[i].ret, "input \"%s\"",
				    cases[i].in);
		if (ret) {
			KUNIT_EXPECT_NOT_NULL_MSG(test, why, "input \"%s\"",
						  cases[i].in);
			continue;
		}
		KUNIT_EXPECT_EQ(test, h.node, cases[i].node);
		KUNIT_EXPECT_EQ(test, h.flags, 0U);
		pvnuma_test_expect_cpus(test, &h, cases[i].cpus);
	}

	/* A NUL inside the write, and a write longer than a line. */
	KUNIT_EXPECT_EQ(test, pvnuma_parse_hint("0 1\0 2", 6, &nodes, cpus, 4,
						&h, &why), -EINVAL);
	longin = kunit_kzalloc(test, PVNUMA_INPUT_MAX + 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, longin);
	memcpy(longin, "0 ", 2);
	for (i = 2; i < PVNUMA_INPUT_MAX + 4; i += 2)
		memcpy(longin + i, "1,", 2);
	longin[PVNUMA_INPUT_MAX + 4] = '1';
	KUNIT_EXPECT_EQ(test, pvnuma_parse_hint(longin, strlen(longin), &nodes,
						cpus, 4, &h, &why), -EINVAL);
	/* A CPU inside nr_cpus but not in the mask. */
	__clear_bit(2, cpus);
	KUNIT_EXPECT_EQ(test, pvnuma_parse_hint("0 1-2", 5, &nodes, cpus, 4,
						&h, &why), -EINVAL);
}

static void pvnuma_test_parse_id(struct kunit *test)
{
	static const char * const bad[] = {
		"", "\n", "0", "-1", "+3", "3x", " 3", "3 ", "0x3", "4294967296",
	};
	const char *why;
	unsigned int id;
	int i;

	KUNIT_EXPECT_EQ(test, pvnuma_parse_id("3\n", 2, &id, &why), 0);
	KUNIT_EXPECT_EQ(test, id, 3U);
	KUNIT_EXPECT_EQ(test, pvnuma_parse_id("4294967295", 10, &id, &why), 0);
	KUNIT_EXPECT_EQ(test, id, 4294967295U);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ_MSG(test, pvnuma_parse_id(bad[i], strlen(bad[i]),
							  &id, &why), -EINVAL,
				    "input \"%s\"", bad[i]);
}

/* A host of two nodes; vCPUs 0..3; guest nodes with memory as given. */
static struct pvhc_numa_info *pvnuma_test_info(struct kunit *test,
					       const u32 *vcpu, const u32 *mem)
{
	struct pvhc_numa_info *info;
	int i;

	info = kunit_kzalloc(test, sizeof(*info), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, info);
	info->nr_nodes = 2;
	info->nr_vcpus = 4;
	for (i = 0; i < 4; i++)
		info->vcpu_to_node[i] = vcpu[i];
	info->distance[0][0] = 10;
	info->distance[1][1] = 10;
	info->distance[0][1] = 21;
	info->distance[1][0] = 21;
	info->nr_guest_nodes = 2;
	info->node_mem_node[0] = mem[0];
	info->node_mem_node[1] = mem[1];
	return info;
}

static void pvnuma_test_score(struct kunit *test)
{
	const u32 U = PVHC_NUMA_NODE_UNKNOWN;
	DECLARE_BITMAP(n0, PVHC_NUMA_HINT_MAX_CPUS);
	DECLARE_BITMAP(n1, PVHC_NUMA_HINT_MAX_CPUS);
	DECLARE_BITMAP(far, PVHC_NUMA_HINT_MAX_CPUS);
	struct pvhc_numa_info *info;
	u32 host;

	pvnuma_test_cpus(test, n0, "0-1");
	pvnuma_test_cpus(test, n1, "2-3");
	pvnuma_test_cpus(test, far, "1,7");

	/* Well placed: each guest node on its own host node. */
	info = pvnuma_test_info(test, (u32[]){ 0, 0, 1, 1 }, (u32[]){ 0, 1 });
	KUNIT_EXPECT_EQ(test, pvnuma_node_score(info, n0, 0, &host), 100);
	KUNIT_EXPECT_EQ(test, host, 0U);
	KUNIT_EXPECT_EQ(test, pvnuma_node_score(info, n1, 1, &host), 100);
	KUNIT_EXPECT_EQ(test, host, 1U);
	/* vCPUs the host does not have are not counted. */
	KUNIT_EXPECT_EQ(test, pvnuma_node_score(info, far, 0, &host), 100);

	/* Memory on 0, vCPUs split: (1 + 2) of 4 halves. */
	info = pvnuma_test_info(test, (u32[]){ 0, 1, 1, 1 }, (u32[]){ 0, 1 });
	KUNIT_EXPECT_EQ(test, pvnuma_node_score(info, n0, 0, &host), 75);
	KUNIT_EXPECT_EQ(test, host, 0U);

	/* Memory on the other node than both vCPUs: a tie, lower id. */
	info = pvnuma_test_info(test, (u32[]){ 0, 0, 1, 1 }, (u32[]){ 1, 1 });
	KUNIT_EXPECT_EQ(test, pvnuma_node_score(info, n0, 0, &host), 50);
	KUNIT_EXPECT_EQ(test, host, 0U);

	/* Memory unknown: the vCPUs alone. */
	info = pvnuma_test_info(test, (u32[]){ 0, 1, 1, 1 }, (u32[]){ U, U });
	KUNIT_EXPECT_EQ(test, pvnuma_node_score(info, n0, 0, &host), 50);
	KUNIT_EXPECT_EQ(test, pvnuma_node_score(info, n1, 1, &host), 100);
	KUNIT_EXPECT_EQ(test, host, 1U);

	/* One vCPU unknown: the known one decides with the memory. */
	info = pvnuma_test_info(test, (u32[]){ U, 1, 1, 1 }, (u32[]){ 1, 1 });
	KUNIT_EXPECT_EQ(test, pvnuma_node_score(info, n0, 0, &host), 100);
	KUNIT_EXPECT_EQ(test, host, 1U);

	/* No vCPU known: unknown, whatever the memory says. */
	info = pvnuma_test_info(test, (u32[]){ U, U, 1, 1 }, (u32[]){ 1, 1 });
	KUNIT_EXPECT_EQ(test, pvnuma_node_score(info, n0, 0, &host),
			PVNUMA_SCORE_UNKNOWN);
	KUNIT_EXPECT_EQ(test, host, 1U);

	/* A guest node the host reports nothing for: memory unknown. */
	info = pvnuma_test_info(test, (u32[]){ 0, 1, 1, 1 }, (u32[]){ 0, 0 });
	info->nr_guest_nodes = 0;
	KUNIT_EXPECT_EQ(test, pvnuma_node_score(info, n0, 0, &host), 50);
}

static void pvnuma_test_states(struct kunit *test)
{
	int s;

	KUNIT_EXPECT_EQ(test, pvnuma_state_of(PVHC_NUMA_PENDING), PVNUMA_PENDING);
	KUNIT_EXPECT_EQ(test, pvnuma_state_of(PVHC_NUMA_APPLIED), PVNUMA_APPLIED);
	KUNIT_EXPECT_EQ(test, pvnuma_state_of(PVHC_NUMA_PARTIAL), PVNUMA_PARTIAL);
	KUNIT_EXPECT_EQ(test, pvnuma_state_of(PVHC_NUMA_REJECTED), PVNUMA_REJECTED);
	KUNIT_EXPECT_EQ(test, pvnuma_state_of(-ENOENT), -1);
	KUNIT_EXPECT_EQ(test, pvnuma_state_of(7), -1);
	for (s = 0; s < PVNUMA_STATE_NR; s++)
		KUNIT_EXPECT_NOT_NULL(test, pvnuma_state_names[s]);
}

/* The re-send test's host: records every hint, answers as told. */
#define PVNUMA_TEST_MAX		64

struct pvnuma_test_host {
	struct mutex lock;	/* guards all below */
	struct pvhc_numa_hint got[PVNUMA_TEST_MAX];
	int n;
	int status;		/* what numa_status answers */
	int refuse;		/* numa_hint fails with -EBUSY this many times */
};

static int pvnuma_test_hint(void *priv, const struct pvhc_numa_hint *hint)
{
	struct pvnuma_test_host *th = priv;
	int id;

	mutex_lock(&th->lock);
	if (th->refuse) {
		th->refuse--;
		id = -EBUSY;
	} else if (th->n >= PVNUMA_TEST_MAX) {
		id = -EBUSY;
	} else {
		th->got[th->n] = *hint;
		id = 1000 + th->n++;
	}
	mutex_unlock(&th->lock);
	return id;
}

static int pvnuma_test_status(void *priv, int id)
{
	struct pvnuma_test_host *th = priv;
	int ret;

	mutex_lock(&th->lock);
	ret = id >= 1000 && id < 1000 + th->n ? th->status : -ENOENT;
	mutex_unlock(&th->lock);
	return ret;
}

static const struct pvhc_backend_ops pvnuma_test_ops = {
	.numa_hint = pvnuma_test_hint,
	.numa_status = pvnuma_test_status,
};

/* Whether @h is among the first @n of @set, with the same node and CPUs. */
static bool pvnuma_test_has(const struct pvhc_numa_hint *set, int n,
			    const struct pvhc_numa_hint *h)
{
	int i;

	for (i = 0; i < n; i++)
		if (set[i].node == h->node &&
		    bitmap_equal(set[i].cpus, h->cpus, PVHC_NUMA_HINT_MAX_CPUS))
			return true;
	return false;
}

/* The automatic hints the online CPUs imply: one per node with a CPU. */
static int pvnuma_test_nodes_with_cpus(void)
{
	nodemask_t nodes = NODE_MASK_NONE;
	unsigned int cpu;

	for_each_online_cpu(cpu)
		if (cpu < PVHC_NUMA_HINT_MAX_CPUS)
			node_set(cpu_to_node(cpu), nodes);
	return nodes_weight(nodes);
}

static void pvnuma_test_resend(struct kunit *test)
{
	struct pvhc_numa_hint *kept;
	struct pvnuma_test_host *th;
	struct pvhc_backend *b;
	int *states, n, i;

	th = kunit_kzalloc(test, sizeof(*th), GFP_KERNEL);
	b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	kept = kunit_kcalloc(test, PVNUMA_TEST_MAX, sizeof(*kept), GFP_KERNEL);
	states = kunit_kcalloc(test, PVNUMA_TEST_MAX, sizeof(*states), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, th);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_NOT_NULL(test, kept);
	KUNIT_ASSERT_NOT_NULL(test, states);
	mutex_init(&th->lock);
	th->status = PVHC_NUMA_APPLIED;
	th->refuse = 1;		/* the first send fails: the poll retries */

	/* The hints of the load (or of a CPU change) are built by now. */
	pvnuma_flush();
	n = pvnuma_snapshot(kept, states, PVNUMA_TEST_MAX);
	KUNIT_ASSERT_LE(test, n, PVNUMA_TEST_MAX);
	/* With auto_hints on (the default), one per node with a CPU. */
	KUNIT_EXPECT_GE(test, n, pvnuma_test_nodes_with_cpus());

	b->name = "pvnumatest";
	b->priority = PVHC_PRIO_TEST;
	b->features = BIT(PVHC_FEAT_NUMA_HINT);
	b->ops = &pvnuma_test_ops;
	b->priv = th;
	KUNIT_ASSERT_EQ(test, pvhc_backend_register(b), 0);
	/* The sync sends (one refused), the poll retries and collects. */
	pvnuma_flush();
	pvnuma_flush();

	mutex_lock(&th->lock);
	KUNIT_EXPECT_EQ(test, th->n, n);
	for (i = 0; i < n && i < th->n; i++)
		KUNIT_EXPECT_TRUE_MSG(test, pvnuma_test_has(kept, n, &th->got[i]),
				      "hint %d sent: node %d cpus %*pbl, not kept", i,
				      th->got[i].node, PVHC_NUMA_HINT_MAX_CPUS,
				      th->got[i].cpus);
	mutex_unlock(&th->lock);
	KUNIT_EXPECT_EQ(test, pvnuma_snapshot(kept, states, PVNUMA_TEST_MAX), n);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ_MSG(test, states[i], PVNUMA_APPLIED,
				    "hint %d: %s", i, pvnuma_state_names[states[i]]);

	/* The host lost them (a new backend instance): all sent again. */
	pvhc_backend_unregister(b);
	/* What the removal queued goes elsewhere before the host comes back. */
	pvnuma_flush();
	mutex_lock(&th->lock);
	th->n = 0;
	th->status = PVHC_NUMA_REJECTED;
	mutex_unlock(&th->lock);
	KUNIT_ASSERT_EQ(test, pvhc_backend_register(b), 0);
	pvnuma_flush();
	pvnuma_flush();
	mutex_lock(&th->lock);
	KUNIT_EXPECT_EQ(test, th->n, n);
	mutex_unlock(&th->lock);
	pvnuma_snapshot(kept, states, PVNUMA_TEST_MAX);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ_MSG(test, states[i], PVNUMA_REJECTED,
				    "hint %d: %s", i, pvnuma_state_names[states[i]]);
	pvhc_backend_unregister(b);
	/* Back to whatever served the hints before (pvhost, or none). */
	pvnuma_flush();
}

static struct kunit_case pvnuma_logic_cases[] = {
	KUNIT_CASE(pvnuma_test_auto_build),
	KUNIT_CASE(pvnuma_test_parse_hint),
	KUNIT_CASE(pvnuma_test_parse_id),
	KUNIT_CASE(pvnuma_test_score),
	KUNIT_CASE(pvnuma_test_states),
	{}
};

static struct kunit_suite pvnuma_logic_suite = {
	.name = "pvnuma_logic",
	.test_cases = pvnuma_logic_cases,
};

static struct kunit_case pvnuma_resend_cases[] = {
	KUNIT_CASE(pvnuma_test_resend),
	{}
};

static struct kunit_suite pvnuma_resend_suite = {
	.name = "pvnuma_resend",
	.test_cases = pvnuma_resend_cases,
};

kunit_test_suites(&pvnuma_logic_suite, &pvnuma_resend_suite);

MODULE_DESCRIPTION("KUnit tests for pvnuma");
MODULE_LICENSE("GPL");
MODULE_INFO(test, "Y");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
