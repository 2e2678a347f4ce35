// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for pvhost: the code that reads the region shared with the
 * host, run on a fake region in kmalloc'd memory of exactly the size the
 * code may touch, so that KASAN reports any read beyond it.
 *
 * Suites: pvhost_header (validation of the header copy), pvhost_ring (the
 * entropy ring reader), pvhost_pressure (the gauge's seq protocol) and
 * pvhost_clock (the clock records, the pairing and the calibration
 * answer), pvhost_mbox (the mailbox against a host that answers well,
 * late, never or out of range, and the delays of coming back to a host
 * that went), pvhost_numa (hint slots taken and reused, garbage answers
 * and topologies refused, a seq stuck odd) and pvhost_vcpu (preempted
 * flags out of range, CPUs without a record, boost requests and a host
 * that never acknowledges them).
 */
#include <kunit/test.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/pvhc.h>
#include <linux/string.h>
#include <asm/pvclock-abi.h>

#include "pvhost_internal.h"

#define PVHOST_TEST_BAR		PVHOST_REGION_MIN

/* A header a correct host would write. */
static void pvhost_test_valid(struct pvhost_header *h)
{
	memset(h, 0, sizeof(*h));
	h->magic = PVHOST_MAGIC;
	h->abi_major = PVHOST_ABI_MAJOR;
	h->abi_minor = PVHOST_ABI_MINOR;
	h->header_size = sizeof(*h);
	h->region_size = PVHOST_REGION_MIN;
	h->features = PVHOST_F_CLOCK | PVHOST_F_PRESSURE | PVHOST_F_ENTROPY |
		      PVHOST_F_NUMA_HINT | PVHOST_F_MAILBOX;
	h->state = PVHOST_STATE_READY;
	h->generation = 7;
	h->nr_vcpus = 4;
	h->vcpu_offset = 0x1000;
	h->vcpu_stride = sizeof(struct pvhost_vcpu);
	h->pairing_offset = 0x2000;
	h->pressure_offset = 0x2040;
	h->entropy_offset = 0x3000;
	h->entropy_size = 4096;
	h->numa_offset = 0x5000;
	h->mailbox_offset = 0x7000;
	h->tsc_khz = 2000000;
	h->host_peer_id = 0xffff;
}

static void pvhost_header_valid(struct kunit *test)
{
	struct pvhost_layout lay = {};
	struct pvhost_header h;

	pvhost_test_valid(&h);
	KUNIT_EXPECT_NULL(test, pvhost_header_check(&h, PVHOST_TEST_BAR, &lay));
	KUNIT_EXPECT_TRUE(test, lay.pressure);
	KUNIT_EXPECT_TRUE(test, lay.entropy);
}

static void pvhost_header_tolerated(struct kunit *test)
{
	struct pvhost_layout lay = {};
	struct pvhost_header h;

	/* Unknown feature bits, a newer minor, a bigger BAR: accepted. */
	pvhost_test_valid(&h);
	h.features |= ~PVHOST_F_ALL;
	h.abi_minor = 9;
	h.reserved[0] = 0xff;
	KUNIT_EXPECT_NULL(test, pvhost_header_check(&h, 4 * PVHOST_TEST_BAR,
						    &lay));

	/* Areas of features not advertised may be absent (offset 0). */
	pvhost_test_valid(&h);
	h.features = PVHOST_F_PRESSURE;
	h.vcpu_offset = 0;
	h.pairing_offset = 0;
	h.entropy_offset = 0;
	h.entropy_size = 0;
	h.numa_offset = 0;
	h.mailbox_offset = 0;
	lay.entropy = true;
	KUNIT_EXPECT_NULL(test, pvhost_header_check(&h, PVHOST_TEST_BAR, &lay));
	KUNIT_EXPECT_TRUE(test, lay.pressure);
	KUNIT_EXPECT_FALSE(test, lay.entropy);

	/* An area at the very end of the region. */
	pvhost_test_valid(&h);
	h.pressure_offset = h.region_size - sizeof(struct pvhost_pressure);
	KUNIT_EXPECT_NULL(test, pvhost_header_check(&h, PVHOST_TEST_BAR, &lay));
}

/* The header fields the invalid cases break. */
enum pvhost_field {
	PVHOST_FLD_magic,
	PVHOST_FLD_abi_major,
	PVHOST_FLD_header_size,
	PVHOST_FLD_region_size,
	PVHOST_FLD_state,
	PVHOST_FLD_nr_vcpus,
	PVHOST_FLD_vcpu_offset,
	PVHOST_FLD_vcpu_stride,
	PVHOST_FLD_pressure_offset,
	PVHOST_FLD_entropy_offset,
	PVHOST_FLD_entropy_size,
	PVHOST_FLD_numa_offset,
	PVHOST_FLD_mailbox_offset,
	PVHOST_FLD_host_peer_id,
};

/* One field of a valid header set to a bad value. */
struct pvhost_header_case {
	const char *desc;
	enum pvhost_field field;
	u32 val;
	const char *why;	/* a word of the reason expected */
};

#define PVHOST_BAD(d, f, v, w)	{ d, PVHOST_FLD_##f, v, w }

static void pvhost_header_break(struct pvhost_header *h,
				const struct pvhost_header_case *c)
{
	switch (c->field) {
	case PVHOST_FLD_magic:
		h->magic = c->val;
		break;
	case PVHOST_FLD_abi_major:
		h->abi_major = c->val;
		break;
	case PVHOST_FLD_header_size:
		h->header_size = c->val;
		break;
	case PVHOST_FLD_region_size:
		h->region_size = c->val;
		break;
	case PVHOST_FLD_state:
		h->state = c->val;
		break;
	case PVHOST_FLD_nr_vcpus:
		h->nr_vcpus = c->val;
		break;
	case PVHOST_FLD_vcpu_offset:
		h->vcpu_offset = c->val;
		break;
	case PVHOST_FLD_vcpu_stride:
		h->vcpu_stride = c->val;
		break;
	case PVHOST_FLD_pressure_offset:
		h->pressure_offset = c->val;
		break;
	case PVHOST_FLD_entropy_offset:
		h->entropy_offset = c->val;
		break;
	case PVHOST_FLD_entropy_size:
		h->entropy_size = c->val;
		break;
	case PVHOST_FLD_numa_offset:
		h->numa_offset = c->val;
		break;
	case PVHOST_FLD_mailbox_offset:
		h->mailbox_offset = c->val;
		break;
	case PVHOST_FLD_host_peer_id:
		h->host_peer_id = c->val;
		break;
	}
}

static const struct pvhost_header_case pvhost_header_cases[] = {
	PVHOST_BAD("bad magic", magic, 0x12345678, "magic"),
	PVHOST_BAD("zero magic", magic, 0, "magic"),
	PVHOST_BAD("abi_major 2", abi_major, 2, "abi_major"),
	PVHOST_BAD("abi_major 0", abi_major, 0, "abi_major"),
	PVHOST_BAD("header_size small", header_size, 128, "header_size"),
	PVHOST_BAD("header_size misaligned", header_size, 260, "header_size"),
	PVHOST_BAD("header_size beyond region", header_size, 0x200000,
		   "header_size"),
	PVHOST_BAD("region_size beyond BAR", region_size, 0x200000, "BAR"),
	PVHOST_BAD("region_size below minimum", region_size, 0x80000,
		   "minimum"),
	PVHOST_BAD("state INIT", state, PVHOST_STATE_INIT, "READY"),
	PVHOST_BAD("state STOPPING", state, PVHOST_STATE_STOPPING, "READY"),
	PVHOST_BAD("state unknown", state, 77, "READY"),
	PVHOST_BAD("nr_vcpus too big", nr_vcpus, PVHOST_MAX_VCPUS + 1,
		   "nr_vcpus"),
	PVHOST_BAD("nr_vcpus huge", nr_vcpus, 0x80000000U, "nr_vcpus"),
	PVHOST_BAD("vcpu_stride 64", vcpu_stride, 64, "vcpu_stride"),
	PVHOST_BAD("host_peer_id beyond 16 bits", host_peer_id, 0x10000,
		   "host_peer_id"),
	PVHOST_BAD("entropy_size not power of 2", entropy_size, 4000,
		   "entropy_size"),
	PVHOST_BAD("entropy_size 32", entropy_size, 32, "entropy_size"),
	PVHOST_BAD("entropy_size 0", entropy_size, 0, "entropy_size"),
	PVHOST_BAD("entropy_size beyond region", entropy_size, 0x80000000U,
		   "beyond region_size"),
	PVHOST_BAD("pressure misaligned", pressure_offset, 0x2044, "aligned"),
	PVHOST_BAD("vcpu misaligned", vcpu_offset, 0x1020, "aligned"),
	PVHOST_BAD("mailbox misaligned", mailbox_offset, 0x7001, "aligned"),
	PVHOST_BAD("pressure inside header", pressure_offset, 64, "header"),
	PVHOST_BAD("pressure at region end", pressure_offset,
		   PVHOST_REGION_MIN, "beyond region_size"),
	PVHOST_BAD("mailbox over region end", mailbox_offset,
		   PVHOST_REGION_MIN - 64, "beyond region_size"),
	PVHOST_BAD("entropy offset wraps u32", entropy_offset, 0xffffffc0U,
		   "beyond region_size"),
	PVHOST_BAD("vcpu array over region end", vcpu_offset,
		   PVHOST_REGION_MIN - 3 * 128, "beyond region_size"),
	PVHOST_BAD("numa over region end", numa_offset,
		   PVHOST_REGION_MIN - 4096, "beyond region_size"),
	PVHOST_BAD("areas overlap", pressure_offset, 0x3000, "overlap"),
	PVHOST_BAD("areas overlap partly", mailbox_offset, 0x6900, "overlap"),
	PVHOST_BAD("entropy advertised, absent", entropy_offset, 0,
		   "without its area"),
	PVHOST_BAD("clock advertised, absent", vcpu_offset, 0,
		   "without its area"),
};

static void pvhost_header_case_desc(const struct pvhost_header_case *c,
				    char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(pvhost_header, pvhost_header_cases, pvhost_header_case_desc);

static void pvhost_header_invalid(struct kunit *test)
{
	const struct pvhost_header_case *c = test->param_value;
	struct pvhost_layout lay = { .pressure = true, .entropy = true };
	struct pvhost_header h;
	const char *why;

	pvhost_test_valid(&h);
	pvhost_header_break(&h, c);
	why = pvhost_header_check(&h, PVHOST_TEST_BAR, &lay);
	KUNIT_ASSERT_NOT_NULL_MSG(test, why, "%s accepted", c->desc);
	/* Rejected for the right reason, not by an earlier check. */
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(why, c->why),
				  "%s: reason \"%s\", expected \"%s\"",
				  c->desc, why, c->why);
}

static struct kunit_case pvhost_header_test_cases[] = {
	KUNIT_CASE(pvhost_header_valid),
	KUNIT_CASE(pvhost_header_tolerated),
	KUNIT_CASE_PARAM(pvhost_header_invalid, pvhost_header_gen_params),
	{}
};

static struct kunit_suite pvhost_header_suite = {
	.name = "pvhost_header",
	.test_cases = pvhost_header_test_cases,
};

/* A ring of @size data bytes alone in its allocation, data byte i = i. */
struct pvhost_test_ring {
	struct pvhost_header h;
	struct pvhost_entropy *shared;
	u8 *data;
	struct pvhost_ring r;
	struct pvhost_stats st;
};

static struct pvhost_test_ring *pvhost_test_ring(struct kunit *test, u32 size,
						 u32 cons, u32 prod)
{
	struct pvhost_test_ring *t;
	u32 i;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	t->shared = kunit_kzalloc(test, sizeof(*t->shared) + size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t->shared);
	t->data = (u8 *)(t->shared + 1);
	for (i = 0; i < size; i++)
		t->data[i] = i;
	t->shared->prod = prod;
	t->shared->cons = cons;
	t->shared->size = size;
	t->h.entropy_offset = 0;	/* the allocation is the area */
	t->h.entropy_size = size;
	pvhost_ring_init(&t->r, t->shared, &t->h);
	return t;
}

static void pvhost_ring_normal(struct kunit *test)
{
	struct pvhost_test_ring *t = pvhost_test_ring(test, 64, 0, 16);
	u8 buf[16];
	int i;

	KUNIT_ASSERT_EQ(test, pvhost_ring_read(&t->r, buf, sizeof(buf), &t->st),
			16);
	for (i = 0; i < 16; i++)
		KUNIT_EXPECT_EQ(test, buf[i], i);
	KUNIT_EXPECT_EQ(test, t->shared->cons, 16);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&t->st.entropy_bytes), 16);
	/* Now empty. */
	KUNIT_EXPECT_EQ(test, pvhost_ring_read(&t->r, buf, sizeof(buf), &t->st),
			0);
	KUNIT_EXPECT_EQ(test, t->shared->cons, 16);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&t->st.errors), 0);
}

static void pvhost_ring_wrap(struct kunit *test)
{
	struct pvhost_test_ring *t = pvhost_test_ring(test, 64, 60, 70);
	static const u8 want[] = { 60, 61, 62, 63, 0, 1, 2, 3, 4, 5 };
	u8 buf[16] = {};

	KUNIT_ASSERT_EQ(test, pvhost_ring_read(&t->r, buf, sizeof(buf), &t->st),
			10);
	KUNIT_EXPECT_MEMEQ(test, buf, want, sizeof(want));
	KUNIT_EXPECT_EQ(test, t->shared->cons, 70);
}

static void pvhost_ring_index_wrap(struct kunit *test)
{
	/* Free-running indices across 2^32: 8 bytes before, 8 after. */
	struct pvhost_test_ring *t = pvhost_test_ring(test, 64, 0xfffffff8U, 8);
	u8 buf[32];
	int i;

	KUNIT_ASSERT_EQ(test, pvhost_ring_read(&t->r, buf, sizeof(buf), &t->st),
			16);
	for (i = 0; i < 16; i++)
		KUNIT_EXPECT_EQ(test, buf[i], (56 + i) % 64);
	KUNIT_EXPECT_EQ(test, t->shared->cons, 8);
}

static void pvhost_ring_short(struct kunit *test)
{
	struct pvhost_test_ring *t = pvhost_test_ring(test, 64, 10, 15);
	u8 buf[32];

	memset(buf, 0xaa, sizeof(buf));
	KUNIT_ASSERT_EQ(test, pvhost_ring_read(&t->r, buf, sizeof(buf), &t->st),
			5);
	KUNIT_EXPECT_EQ(test, buf[0], 10);
	KUNIT_EXPECT_EQ(test, buf[4], 14);
	KUNIT_EXPECT_EQ(test, buf[5], 0xaa);
	KUNIT_EXPECT_EQ(test, t->shared->cons, 15);
	/* Less asked than available. */
	t->shared->prod = 40;
	KUNIT_ASSERT_EQ(test, pvhost_ring_read(&t->r, buf, 3, &t->st), 3);
	KUNIT_EXPECT_EQ(test, buf[0], 15);
	KUNIT_EXPECT_EQ(test, t->shared->cons, 18);
}

static void pvhost_ring_full(struct kunit *test)
{
	/* Exactly size bytes available, more asked: the whole ring. */
	struct pvhost_test_ring *t = pvhost_test_ring(test, 64, 32, 96);
	u8 buf[128];
	int i;

	KUNIT_ASSERT_EQ(test, pvhost_ring_read(&t->r, buf, sizeof(buf), &t->st),
			64);
	for (i = 0; i < 64; i++)
		KUNIT_EXPECT_EQ(test, buf[i], (32 + i) % 64);
}

static void pvhost_ring_expect_broken(struct kunit *test,
				      struct pvhost_test_ring *t, u32 cons)
{
	u8 buf[32];

	memset(buf, 0x5a, sizeof(buf));
	KUNIT_EXPECT_EQ(test, pvhost_ring_read(&t->r, buf, sizeof(buf), &t->st),
			-EIO);
	KUNIT_EXPECT_EQ(test, buf[0], 0x5a);
	KUNIT_EXPECT_EQ(test, t->shared->cons, cons);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&t->st.ring_broken), 1);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&t->st.errors), 1);

	/* Sticky: a sane prod afterwards does not revive the ring. */
	t->shared->prod = cons + 1;
	KUNIT_EXPECT_EQ(test, pvhost_ring_read(&t->r, buf, sizeof(buf), &t->st),
			-EIO);
	KUNIT_EXPECT_EQ(test, buf[0], 0x5a);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&t->st.ring_broken), 1);
}

static void pvhost_ring_prod_past_size(struct kunit *test)
{
	pvhost_ring_expect_broken(test, pvhost_test_ring(test, 64, 0, 65), 0);
	pvhost_ring_expect_broken(test,
				  pvhost_test_ring(test, 64, 100, 100 + 0x10000),
				  100);
}

static void pvhost_ring_prod_backwards(struct kunit *test)
{
	pvhost_ring_expect_broken(test, pvhost_test_ring(test, 64, 40, 39), 40);
}

static void pvhost_ring_cons_overwritten(struct kunit *test)
{
	struct pvhost_test_ring *t = pvhost_test_ring(test, 64, 0, 8);
	u8 buf[8];

	/* The host scribbles on cons: the guest keeps its own index. */
	t->shared->cons = 0x7fffffff;
	KUNIT_ASSERT_EQ(test, pvhost_ring_read(&t->r, buf, sizeof(buf), &t->st),
			8);
	KUNIT_EXPECT_EQ(test, buf[0], 0);
	KUNIT_EXPECT_EQ(test, t->shared->cons, 8);
}

static struct kunit_case pvhost_ring_test_cases[] = {
	KUNIT_CASE(pvhost_ring_normal),
	KUNIT_CASE(pvhost_ring_wrap),
	KUNIT_CASE(pvhost_ring_index_wrap),
	KUNIT_CASE(pvhost_ring_short),
	KUNIT_CASE(pvhost_ring_full),
	KUNIT_CASE(pvhost_ring_prod_past_size),
	KUNIT_CASE(pvhost_ring_prod_backwards),
	KUNIT_CASE(pvhost_ring_cons_overwritten),
	{}
};

static struct kunit_suite pvhost_ring_suite = {
	.name = "pvhost_ring",
	.test_cases = pvhost_ring_test_cases,
};

/* The gauge alone in its allocation. */
static struct pvhost_pressure *pvhost_test_gauge(struct kunit *test, u32 seq,
						 u32 level)
{
	struct pvhost_pressure *g;

	g = kunit_kzalloc(test, sizeof(*g), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, g);
	g->seq = seq;
	g->level = level;
	return g;
}

static void pvhost_pressure_stable(struct kunit *test)
{
	struct pvhost_stats st = {};
	u32 level = 1, seq = 1;

	KUNIT_ASSERT_EQ(test, pvhost_pressure_get(pvhost_test_gauge(test, 4, 0x8000),
						  &level, &seq, &st), 0);
	KUNIT_EXPECT_EQ(test, level, 0x8000);
	KUNIT_EXPECT_EQ(test, seq, 4);

	KUNIT_ASSERT_EQ(test, pvhost_pressure_get(pvhost_test_gauge(test, 0, 0),
						  &level, &seq, &st), 0);
	KUNIT_EXPECT_EQ(test, level, 0);
	KUNIT_ASSERT_EQ(test,
			pvhost_pressure_get(pvhost_test_gauge(test, 2, PVHOST_PRESSURE_ONE),
					    &level, &seq, &st), 0);
	KUNIT_EXPECT_EQ(test, level, PVHOST_PRESSURE_ONE);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&st.errors), 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&st.pressure_reads), 3);
}

static void pvhost_pressure_odd_forever(struct kunit *test)
{
	struct pvhost_stats st = {};
	u32 level = 123, seq = 456;

	KUNIT_EXPECT_EQ(test, pvhost_pressure_get(pvhost_test_gauge(test, 5, 0x100),
						  &level, &seq, &st), -EAGAIN);
	/* Nothing half-read is handed out. */
	KUNIT_EXPECT_EQ(test, level, 123);
	KUNIT_EXPECT_EQ(test, seq, 456);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&st.pressure_busy), 1);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&st.errors), 1);
}

static void pvhost_pressure_out_of_range(struct kunit *test)
{
	struct pvhost_stats st = {};
	u32 level = 123, seq = 456;

	KUNIT_EXPECT_EQ(test,
			pvhost_pressure_get(pvhost_test_gauge(test, 8, PVHOST_PRESSURE_ONE + 1),
					    &level, &seq, &st), -EIO);
	KUNIT_EXPECT_EQ(test,
			pvhost_pressure_get(pvhost_test_gauge(test, 8, U32_MAX),
					    &level, &seq, &st), -EIO);
	KUNIT_EXPECT_EQ(test, level, 123);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&st.pressure_invalid), 2);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&st.errors), 2);
}

static struct kunit_case pvhost_pressure_test_cases[] = {
	KUNIT_CASE(pvhost_pressure_stable),
	KUNIT_CASE(pvhost_pressure_odd_forever),
	KUNIT_CASE(pvhost_pressure_out_of_range),
	{}
};

static struct kunit_suite pvhost_pressure_suite = {
	.name = "pvhost_pressure",
	.test_cases = pvhost_pressure_test_cases,
};

/* A clock over @nr kmalloc'd vCPU records and a pairing, all zero. */
static struct pvhost_clock *pvhost_test_clock(struct kunit *test, u32 nr)
{
	struct pvhost_clock *c;

	c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	c->vcpus = kunit_kzalloc(test, nr * sizeof(*c->vcpus), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c->vcpus);
	c->nr_vcpus = nr;
	c->pairing = kunit_kzalloc(test, sizeof(*c->pairing), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c->pairing);
	c->st = kunit_kzalloc(test, sizeof(*c->st), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c->st);
	return c;
}

/* 2 GHz: 0.5 ns a tick, as mul 2^31, shift 0. */
static void pvhost_test_record(struct pvhost_time_info *t)
{
	t->version = 2;
	t->tsc_timestamp = 1000;
	t->system_time = 5000000000ULL;
	t->tsc_to_system_mul = 1U << 31;
	t->tsc_shift = 0;
	t->flags = 0;
}

static void pvhost_clock_valid(struct kunit *test)
{
	struct pvhost_clock *c = pvhost_test_clock(test, 2);
	struct pvhost_time_info r = {};

	pvhost_test_record(&c->vcpus[1].clock);
	KUNIT_ASSERT_EQ(test, pvhost_clock_get(c, 1, 3000, &r), 0);
	KUNIT_EXPECT_EQ(test, r.version, 2);
	KUNIT_EXPECT_EQ(test, r.system_time, 5000000000ULL);
	KUNIT_EXPECT_EQ(test, r.system_time +
			pvhost_clock_scale(3000 - r.tsc_timestamp,
					   r.tsc_to_system_mul, r.tsc_shift),
			5000001000ULL);
	/* both shift directions: 0.5 ns a tick either way */
	KUNIT_EXPECT_EQ(test, pvhost_clock_scale(4000, 1U << 31, 0), 2000);
	KUNIT_EXPECT_EQ(test, pvhost_clock_scale(4000, 1U << 31, -1) * 2, 2000);
	KUNIT_EXPECT_EQ(test, pvhost_clock_scale(4000, 1U << 30, 1), 2000);
	/* flags the pvclock ABI knows are accepted */
	c->vcpus[1].clock.flags = PVCLOCK_TSC_STABLE_BIT | PVCLOCK_GUEST_STOPPED;
	KUNIT_EXPECT_EQ(test, pvhost_clock_get(c, 1, 3000, &r), 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&c->st->errors), 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&c->st->clock_reads), 2);
}

static void pvhost_clock_not_yet(struct kunit *test)
{
	struct pvhost_clock *c = pvhost_test_clock(test, 1);
	struct pvhost_time_info r = {};

	/* version 0: nothing published; odd forever: being written */
	KUNIT_EXPECT_EQ(test, pvhost_clock_get(c, 0, 3000, &r), -EAGAIN);
	pvhost_test_record(&c->vcpus[0].clock);
	c->vcpus[0].clock.version = 3;
	KUNIT_EXPECT_EQ(test, pvhost_clock_get(c, 0, 3000, &r), -EAGAIN);
	/* a record that starts after the TSC now is being replaced */
	c->vcpus[0].clock.version = 4;
	KUNIT_EXPECT_EQ(test, pvhost_clock_get(c, 0, 999, &r), -EAGAIN);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&c->st->clock_busy), 3);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&c->st->errors), 0);
	/* none of that disables the clock */
	KUNIT_EXPECT_EQ(test, pvhost_clock_get(c, 0, 3000, &r), 0);
	KUNIT_EXPECT_EQ(test, r.version, 4);
	/* a vCPU beyond the records has none */
	KUNIT_EXPECT_EQ(test, pvhost_clock_get(c, 1, 3000, &r), -ENODEV);
	KUNIT_EXPECT_EQ(test, pvhost_clock_get(c, UINT_MAX, 3000, &r), -ENODEV);
}

static void pvhost_clock_garbage(struct kunit *test)
{
	static const struct {
		u32 mul;
		s8 shift;
		u8 flags;
		u64 system_time;
	} bad[] = {
		{ 0, 0, 0, 1 },				/* no multiplier */
		{ 1U << 31, 32, 0, 1 },			/* shift too far */
		{ 1U << 31, -32, 0, 1 },
		{ 1U << 31, 0, 0x80, 1 },		/* unknown flag */
		{ 1U << 31, 0, 0, (u64)S64_MAX + 1 },	/* time out of range */
		{ 1, -31, 0, 1 },			/* far above 100 GHz */
		{ U32_MAX, 31, 0, 1 },			/* far below 1 MHz */
	};
	struct pvhost_time_info t;
	const char *why;
	int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		pvhost_test_record(&t);
		t.tsc_to_system_mul = bad[i].mul;
		t.tsc_shift = bad[i].shift;
		t.flags = bad[i].flags;
		t.system_time = bad[i].system_time;
		why = NULL;
		KUNIT_EXPECT_EQ_MSG(test, pvhost_clock_validate(&t, 3000, &why),
				    -EIO, "garbage case %d", i);
		KUNIT_EXPECT_NOT_NULL(test, why);
	}
}

static void pvhost_clock_disabled_for_good(struct kunit *test)
{
	struct pvhost_clock *c = pvhost_test_clock(test, 1);
	struct pvhost_time_info r = {};

	pvhost_test_record(&c->vcpus[0].clock);
	c->vcpus[0].clock.tsc_to_system_mul = 0;
	KUNIT_EXPECT_EQ(test, pvhost_clock_get(c, 0, 3000, &r), -EIO);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&c->st->clock_invalid), 1);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&c->st->errors), 1);
	KUNIT_EXPECT_TRUE(test, c->disabled);
	/* a good record later does not bring a lying host back */
	pvhost_test_record(&c->vcpus[0].clock);
	KUNIT_EXPECT_EQ(test, pvhost_clock_get(c, 0, 3000, &r), -EIO);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&c->st->clock_reads), 1);
}

static void pvhost_clock_pairing_checks(struct kunit *test)
{
	struct pvhost_clock *c = pvhost_test_clock(test, 1);
	struct pvhc_clock_pairing out = { .sec = -7 };
	struct pvhost_clock_pairing *p = c->pairing;

	KUNIT_EXPECT_EQ(test, pvhost_pairing_get(c, &out), -EAGAIN);
	p->version = 2;
	p->sec = 1700000000;
	p->nsec = 999999999;
	p->tsc = 12345;
	KUNIT_ASSERT_EQ(test, pvhost_pairing_get(c, &out), 0);
	KUNIT_EXPECT_EQ(test, out.sec, 1700000000);
	KUNIT_EXPECT_EQ(test, out.nsec, 999999999);
	KUNIT_EXPECT_EQ(test, out.tsc, 12345);
	p->version = 5;
	KUNIT_EXPECT_EQ(test, pvhost_pairing_get(c, &out), -EAGAIN);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&c->st->pairing_busy), 2);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&c->st->errors), 0);
	/* nsec out of range: counted, and the pairing is off for good */
	p->version = 6;
	p->nsec = 1000000000;
	out.sec = -7;
	KUNIT_EXPECT_EQ(test, pvhost_pairing_get(c, &out), -EIO);
	KUNIT_EXPECT_EQ(test, out.sec, -7);
	p->nsec = 0;
	KUNIT_EXPECT_EQ(test, pvhost_pairing_get(c, &out), -EIO);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&c->st->pairing_invalid), 1);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&c->st->errors), 1);
}

static void pvhost_clock_pairing_garbage(struct kunit *test)
{
	static const struct pvhost_clock_pairing bad[] = {
		{ .version = 2, .sec = -1, .tsc = 1 },
		{ .version = 2, .sec = 1, .nsec = -1, .tsc = 1 },
		{ .version = 2, .sec = 1, .flags = 1, .tsc = 1 },
		{ .version = 2, .sec = 1, .tsc = 0 },
	};
	struct pvhc_clock_pairing out;
	struct pvhost_clock *c;
	int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		c = pvhost_test_clock(test, 1);
		*c->pairing = bad[i];
		KUNIT_EXPECT_EQ_MSG(test, pvhost_pairing_get(c, &out), -EIO,
				    "garbage case %d", i);
		KUNIT_EXPECT_TRUE(test, c->pairing_disabled);
	}
}

static void pvhost_clock_calib_answer(struct kunit *test)
{
	struct pvhost_calibrate ans = {
		.tsc_before = 1111,
		.tsc_after = 999,
		.host_ns = 5,
	};

	/* a good answer echoes the request's TSC and carries host_ns */
	KUNIT_EXPECT_EQ(test, pvhost_calib_answer(&ans, sizeof(ans), 1111), 0);
	/* an answer that does not echo the request, or lacks host_ns */
	KUNIT_EXPECT_EQ(test, pvhost_calib_answer(&ans, sizeof(ans), 1112),
			-EPROTO);
	ans.host_ns = 0;
	KUNIT_EXPECT_EQ(test, pvhost_calib_answer(&ans, sizeof(ans), 1111),
			-EPROTO);
	/* a wrong length, short or long */
	ans.host_ns = 5;
	KUNIT_EXPECT_EQ(test, pvhost_calib_answer(&ans, sizeof(ans) - 1, 1111),
			-EPROTO);
	KUNIT_EXPECT_EQ(test, pvhost_calib_answer(&ans, 0, 1111), -EPROTO);
	KUNIT_EXPECT_EQ(test, pvhost_calib_answer(&ans, sizeof(ans) + 8, 1111),
			-EPROTO);
}

/*
 * An answer must lie where the host's own record puts the exchange: a
 * record 277 years ahead, or one a second and more off, disagrees.
 */
static void pvhost_clock_calib_window(struct kunit *test)
{
	struct pvhost_time_info r = {
		.version = 2, .tsc_timestamp = 1000000,
		.system_time = 5000000000ULL,
		.tsc_to_system_mul = 0x80000000, .tsc_shift = 1,	/* 1 ns/tick */
	};
	u64 at = 5000000000ULL + 2000;	/* the host's time at tsc 1002000 */

	KUNIT_EXPECT_EQ(test, pvhost_calib_window(&r, 1001000, 1003000, at), 0);
	/* within the tolerance either side */
	KUNIT_EXPECT_EQ(test, pvhost_calib_window(&r, 1001000, 1003000,
						  at + 900000000ULL), 0);
	KUNIT_EXPECT_EQ(test, pvhost_calib_window(&r, 1001000, 1003000,
						  at - 900000000ULL), 0);
	/* beyond it */
	KUNIT_EXPECT_EQ(test, pvhost_calib_window(&r, 1001000, 1003000,
						  at + 2000000000ULL), -ERANGE);
	KUNIT_EXPECT_EQ(test, pvhost_calib_window(&r, 1001000, 1003000,
						  at - 2000000000ULL), -ERANGE);
	r.system_time += 277ULL * 31557600ULL * 1000000000ULL;
	KUNIT_EXPECT_EQ(test, pvhost_calib_window(&r, 1001000, 1003000, at),
			-ERANGE);
	/* a record that starts after the exchange: nothing to say */
	r.tsc_timestamp = 1002000;
	KUNIT_EXPECT_EQ(test, pvhost_calib_window(&r, 1001000, 1003000, at), 0);
}

static void pvhost_clock_pace(struct kunit *test)
{
	const u32 base = PVHOST_CLOCK_PERIOD_MS;
	u32 p = base, n = 0;

	/* Doubling while steady, up to the longest period, then held. */
	while (p < 16000 && n++ < 32)
		p = pvhost_clock_next_period(p, true, 16000);
	KUNIT_EXPECT_EQ(test, p, 16000);
	KUNIT_EXPECT_EQ(test, n, 4);
	KUNIT_EXPECT_EQ(test, pvhost_clock_next_period(p, true, 16000), 16000);
	/* Anything unsteady starts over. */
	KUNIT_EXPECT_EQ(test, pvhost_clock_next_period(p, false, 16000), base);
	/* A limit that is not a power of two times the base is reached. */
	KUNIT_EXPECT_EQ(test, pvhost_clock_next_period(4000, true, 5000), 5000);
	KUNIT_EXPECT_EQ(test, pvhost_clock_next_period(2000, true, 5000), 4000);
	/* Never below the base, whatever the limit or the state. */
	KUNIT_EXPECT_EQ(test, pvhost_clock_next_period(base, true, 0), base);
	KUNIT_EXPECT_EQ(test, pvhost_clock_next_period(0, true, 16000), base);
	KUNIT_EXPECT_EQ(test, pvhost_clock_next_period(U32_MAX, true, U32_MAX),
			U32_MAX);
}

static struct kunit_case pvhost_clock_test_cases[] = {
	KUNIT_CASE(pvhost_clock_valid),
	KUNIT_CASE(pvhost_clock_not_yet),
	KUNIT_CASE(pvhost_clock_garbage),
	KUNIT_CASE(pvhost_clock_disabled_for_good),
	KUNIT_CASE(pvhost_clock_pairing_checks),
	KUNIT_CASE(pvhost_clock_pairing_garbage),
	KUNIT_CASE(pvhost_clock_calib_answer),
	KUNIT_CASE(pvhost_clock_calib_window),
	KUNIT_CASE(pvhost_clock_pace),
	{}
};

static struct kunit_suite pvhost_clock_suite = {
	.name = "pvhost_clock",
	.test_cases = pvhost_clock_test_cases,
};

/* The host of the mailbox tests: how it answers a ring of the doorbell. */
enum pvhost_test_host {
	PVHOST_TEST_ANSWER,		/* well formed, status -ENOENT, 8 bytes */
	PVHOST_TEST_SILENT,		/* never */
	PVHOST_TEST_STALE,		/* with the previous request's number */
	PVHOST_TEST_MALFORMED,		/* status and len out of range */
};

struct pvhost_test_mbox {
	struct pvhost_mbox m;
	enum pvhost_test_host how;
	u32 rings;
	u32 last_req;
	u32 last_op;
	u32 flags_at_ring;
};

static void pvhost_test_doorbell(struct pvhost_mbox *m)
{
	struct pvhost_test_mbox *t = container_of(m, struct pvhost_test_mbox, m);
	struct pvhost_mailbox *mb = m->mb;
	u32 seq = READ_ONCE(mb->req_seq);

	t->rings++;
	t->last_req = seq;
	t->last_op = READ_ONCE(mb->op);
	t->flags_at_ring = READ_ONCE(mb->flags);
	switch (t->how) {
	case PVHOST_TEST_ANSWER:
		memset(mb->payload, 0xa5, 8);
		mb->status = -ENOENT;
		mb->len = 8;
		WRITE_ONCE(mb->resp_seq, seq);
		break;
	case PVHOST_TEST_SILENT:
		break;
	case PVHOST_TEST_STALE:
		mb->status = 0;
		mb->len = 0;
		WRITE_ONCE(mb->resp_seq, seq - 1);
		break;
	case PVHOST_TEST_MALFORMED:
		mb->status = 0x7fffffff;
		mb->len = U32_MAX;
		WRITE_ONCE(mb->resp_seq, seq);
		break;
	}
}

static struct pvhost_test_mbox *pvhost_test_mbox(struct kunit *test,
						 enum pvhost_test_host how)
{
	struct pvhost_test_mbox *t;
	struct pvhost_mailbox *mb;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	mb = kunit_kzalloc(test, sizeof(*mb), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_ASSERT_NOT_NULL(test, mb);
	/* Short: the silent host costs the suite this much per call. */
	pvhost_mbox_init(&t->m, pvhost_test_doorbell, 20);
	pvhost_mbox_attach(&t->m, mb);
	t->how = how;
	return t;
}

static void pvhost_mbox_answer(struct kunit *test)
{
	struct pvhost_test_mbox *t = pvhost_test_mbox(test, PVHOST_TEST_ANSWER);
	u8 req[4] = { 1, 2, 3, 4 }, resp[8] = {};
	u32 rlen = 0;

	KUNIT_EXPECT_EQ(test, pvhost_mbox_call(&t->m, PVHOST_OP_CALIBRATE, req,
					       sizeof(req), resp, sizeof(resp),
					       &rlen), -ENOENT);
	KUNIT_EXPECT_EQ(test, rlen, 8);
	KUNIT_EXPECT_EQ(test, resp[7], 0xa5);
	KUNIT_EXPECT_EQ(test, t->last_op, PVHOST_OP_CALIBRATE);
	KUNIT_EXPECT_EQ(test, t->m.mb->len, 8);
	KUNIT_EXPECT_EQ(test, t->last_req, 1);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&t->m.calls), 1);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&t->m.timeouts), 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&t->m.malformed), 0);
}

static void pvhost_mbox_silent_then_back(struct kunit *test)
{
	struct pvhost_test_mbox *t = pvhost_test_mbox(test, PVHOST_TEST_SILENT);
	u8 resp[8];
	u32 rlen;

	KUNIT_EXPECT_EQ(test, pvhost_mbox_call(&t->m, PVHOST_OP_PING, NULL, 0,
					       resp, sizeof(resp), &rlen),
			-ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&t->m.timeouts), 1);
	/* The host answers the next request: nothing is stuck. */
	t->how = PVHOST_TEST_ANSWER;
	KUNIT_EXPECT_EQ(test, pvhost_mbox_call(&t->m, PVHOST_OP_PING, NULL, 0,
					       resp, sizeof(resp), &rlen),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, t->last_req, 2);
}

static void pvhost_mbox_stale(struct kunit *test)
{
	struct pvhost_test_mbox *t = pvhost_test_mbox(test, PVHOST_TEST_STALE);
	u32 rlen = 77;

	/* An answer to another request is no answer. */
	KUNIT_EXPECT_EQ(test, pvhost_mbox_call(&t->m, PVHOST_OP_PING, NULL, 0,
					       NULL, 0, &rlen), -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, rlen, 77);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&t->m.timeouts), 1);
}

/*
 * A rebound driver finds the area as its predecessor left it, answered:
 * its first request must not be taken as answered by that old answer.
 */
static void pvhost_mbox_rebind(struct kunit *test)
{
	struct pvhost_test_mbox *t = pvhost_test_mbox(test, PVHOST_TEST_SILENT);
	struct pvhost_mailbox *mb = t->m.mb;
	u8 resp[8];
	u32 rlen = 0;

	pvhost_mbox_attach(&t->m, NULL);
	pvhost_mbox_init(&t->m, pvhost_test_doorbell, 20);
	mb->req_seq = 1;
	mb->resp_seq = 1;
	pvhost_mbox_attach(&t->m, mb);
	KUNIT_EXPECT_EQ(test, pvhost_mbox_call(&t->m, PVHOST_OP_PING, NULL, 0,
					       NULL, 0, &rlen), -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, t->last_req, 2);
	/* the host answers it now */
	t->how = PVHOST_TEST_ANSWER;
	KUNIT_EXPECT_EQ(test, pvhost_mbox_call(&t->m, PVHOST_OP_PING, NULL, 0,
					       resp, sizeof(resp), &rlen),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, t->last_req, 3);
}

static void pvhost_mbox_malformed(struct kunit *test)
{
	struct pvhost_test_mbox *t = pvhost_test_mbox(test, PVHOST_TEST_MALFORMED);
	u8 resp[8] = {};
	u32 rlen = 77;

	KUNIT_EXPECT_EQ(test, pvhost_mbox_call(&t->m, PVHOST_OP_PING, NULL, 0,
					       resp, sizeof(resp), &rlen), -EPROTO);
	KUNIT_EXPECT_EQ(test, rlen, 77);
	KUNIT_EXPECT_EQ(test, resp[0], 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&t->m.malformed), 1);
}

static void pvhost_mbox_bounds(struct kunit *test)
{
	struct pvhost_test_mbox *t = pvhost_test_mbox(test, PVHOST_TEST_ANSWER);
	u8 resp[8];
	u32 rlen;

	KUNIT_EXPECT_EQ(test, pvhost_mbox_check(0, 0, 0), 0);
	KUNIT_EXPECT_EQ(test, pvhost_mbox_check(-EINVAL, 8, 8), 0);
	KUNIT_EXPECT_EQ(test, pvhost_mbox_check(-MAX_ERRNO, 0, 0), 0);
	KUNIT_EXPECT_EQ(test, pvhost_mbox_check(1, 0, 0), -EPROTO);
	KUNIT_EXPECT_EQ(test, pvhost_mbox_check(-MAX_ERRNO - 1, 0, 0), -EPROTO);
	KUNIT_EXPECT_EQ(test, pvhost_mbox_check(0, 9, 8), -EPROTO);
	KUNIT_EXPECT_EQ(test, pvhost_mbox_check(0, PVHOST_MAILBOX_PAYLOAD + 1,
						U32_MAX), -EPROTO);
	/* The answer does not fit the caller's room: rejected, not cut. */
	KUNIT_EXPECT_EQ(test, pvhost_mbox_call(&t->m, PVHOST_OP_PING, NULL, 0,
					       resp, 4, &rlen), -EPROTO);
	KUNIT_EXPECT_EQ(test, pvhost_mbox_call(&t->m, PVHOST_OP_PING, NULL,
					       PVHOST_MAILBOX_PAYLOAD + 1, NULL,
					       0, &rlen), -EINVAL);
	/* Number 0 is what a fresh mailbox holds: never used. */
	t->m.seq = U32_MAX;
	KUNIT_EXPECT_EQ(test, pvhost_mbox_call(&t->m, PVHOST_OP_PING, NULL, 0,
					       resp, sizeof(resp), &rlen), -ENOENT);
	KUNIT_EXPECT_EQ(test, t->last_req, 1);
	pvhost_mbox_attach(&t->m, NULL);
	KUNIT_EXPECT_EQ(test, pvhost_mbox_call(&t->m, PVHOST_OP_PING, NULL, 0,
					       resp, sizeof(resp), &rlen), -ENODEV);
	KUNIT_EXPECT_EQ(test, t->rings, 2);
}

/*
 * While the guest watches resp_seq the host need not interrupt it; before
 * it sleeps on the interrupt it says so.
 */
static void pvhost_mbox_spinning_flag(struct kunit *test)
{
	struct pvhost_test_mbox *t = pvhost_test_mbox(test, PVHOST_TEST_ANSWER);
	u8 resp[8];
	u32 rlen;

	t->m.irq = true;
	KUNIT_EXPECT_EQ(test, pvhost_mbox_call(&t->m, PVHOST_OP_PING, NULL, 0,
					       resp, sizeof(resp), &rlen), -ENOENT);
	KUNIT_EXPECT_EQ(test, t->flags_at_ring, PVHOST_MBOX_SPINNING);
	/* Answered at once: seen while spinning, the flag still up. */
	KUNIT_EXPECT_EQ(test, t->m.mb->flags, PVHOST_MBOX_SPINNING);

	t->how = PVHOST_TEST_SILENT;
	KUNIT_EXPECT_EQ(test, pvhost_mbox_call(&t->m, PVHOST_OP_PING, NULL, 0,
					       resp, sizeof(resp), &rlen),
			-ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, t->flags_at_ring, PVHOST_MBOX_SPINNING);
	/* It slept on the interrupt: the host was told to raise it. */
	KUNIT_EXPECT_EQ(test, t->m.mb->flags, 0);

	/* Whatever the host writes there is not read back. */
	t->how = PVHOST_TEST_ANSWER;
	t->m.mb->flags = U32_MAX;
	KUNIT_EXPECT_EQ(test, pvhost_mbox_call(&t->m, PVHOST_OP_PING, NULL, 0,
					       resp, sizeof(resp), &rlen), -ENOENT);
	KUNIT_EXPECT_EQ(test, t->flags_at_ring, PVHOST_MBOX_SPINNING);
}

static void pvhost_mbox_recover_delay(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, pvhost_recover_delay(0, false), PVHOST_RECOVER_MIN_MS);
	KUNIT_EXPECT_EQ(test, pvhost_recover_delay(0, true), PVHOST_RECOVER_MIN_MS);
	KUNIT_EXPECT_EQ(test, pvhost_recover_delay(PVHOST_RECOVER_MIN_MS, true),
			2 * PVHOST_RECOVER_MIN_MS);
	KUNIT_EXPECT_EQ(test, pvhost_recover_delay(PVHOST_RECOVER_MAX_MS / 2, true),
			PVHOST_RECOVER_MAX_MS);
	KUNIT_EXPECT_EQ(test, pvhost_recover_delay(PVHOST_RECOVER_MAX_MS, true),
			PVHOST_RECOVER_MAX_MS);
	KUNIT_EXPECT_EQ(test, pvhost_recover_delay(U32_MAX, true),
			PVHOST_RECOVER_MAX_MS);
	/* A stable period starts over. */
	KUNIT_EXPECT_EQ(test, pvhost_recover_delay(PVHOST_RECOVER_MAX_MS, false),
			PVHOST_RECOVER_MIN_MS);
}

static struct kunit_case pvhost_mbox_test_cases[] = {
	KUNIT_CASE(pvhost_mbox_answer),
	KUNIT_CASE(pvhost_mbox_silent_then_back),
	KUNIT_CASE(pvhost_mbox_stale),
	KUNIT_CASE(pvhost_mbox_rebind),
	KUNIT_CASE(pvhost_mbox_malformed),
	KUNIT_CASE(pvhost_mbox_bounds),
	KUNIT_CASE(pvhost_mbox_spinning_flag),
	KUNIT_CASE(pvhost_mbox_recover_delay),
	{}
};

static struct kunit_suite pvhost_mbox_suite = {
	.name = "pvhost_mbox",
	.test_cases = pvhost_mbox_test_cases,
};

/* ---- pvhost_numa: the hint queue and the topology ---- */

struct pvhost_numa_fake {
	struct pvhost_numa_q q;
	struct pvhost_numa *area;
	struct pvhost_stats st;
	int rings;
};

static void pvhost_numa_fake_ring(struct pvhost_numa_q *q)
{
	container_of(q, struct pvhost_numa_fake, q)->rings++;
}

static struct pvhost_numa_fake *pvhost_numa_fake_new(struct kunit *test)
{
	struct pvhost_numa_fake *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, f);
	/* exactly the area: KASAN sees any read beyond it */
	f->area = kunit_kzalloc(test, sizeof(*f->area), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f->area);
	pvhost_numa_init(&f->q, pvhost_numa_fake_ring);
	pvhost_numa_attach(&f->q, f->area, 4);
	return f;
}

static void pvhost_numa_hint_of(struct pvhc_numa_hint *h, int node,
				unsigned int cpu)
{
	memset(h, 0, sizeof(*h));
	h->node = node;
	__set_bit(cpu, h->cpus);
}

/* What a correct host writes for an answer. */
static void pvhost_numa_answer(struct pvhost_numa *a, int id, u32 status,
			       u32 reason, u32 host_node)
{
	struct pvhost_numa_hint *s = &a->hint[id % PVHOST_NUMA_HINT_SLOTS];

	s->reason = reason;
	s->host_node = host_node;
	s->status = status;
}

static void pvhost_numa_test_submit(struct kunit *test)
{
	struct pvhost_numa_fake *f = pvhost_numa_fake_new(test);
	struct pvhost_numa_answer ans;
	struct pvhc_numa_hint h;
	struct pvhost_numa_hint *s;
	int id, i;

	pvhost_numa_hint_of(&h, 1, 2);
	__set_bit(3, h.cpus);
	id = pvhost_numa_submit(&f->q, &h);
	KUNIT_ASSERT_GT(test, id, 0);
	s = &f->area->hint[id % PVHOST_NUMA_HINT_SLOTS];
	KUNIT_EXPECT_EQ(test, s->id, (u32)id);
	KUNIT_EXPECT_EQ(test, s->node, 1U);
	KUNIT_EXPECT_EQ(test, s->flags, 0U);
	KUNIT_EXPECT_EQ(test, s->cpus[0], 0xcULL);
	KUNIT_EXPECT_EQ(test, s->status, (u32)PVHOST_HINT_QUEUED);
	KUNIT_EXPECT_EQ(test, f->rings, 1);
	KUNIT_EXPECT_EQ(test, pvhost_numa_result(&f->q, id, &ans),
			(int)PVHC_NUMA_PENDING);
	pvhost_numa_answer(f->area, id, PVHOST_HINT_APPLIED, 0, 0);
	KUNIT_EXPECT_EQ(test, pvhost_numa_result(&f->q, id, &ans),
			(int)PVHC_NUMA_APPLIED);
	KUNIT_EXPECT_EQ(test, pvhost_numa_result(&f->q, id + 1, &ans), -ENOENT);
	KUNIT_EXPECT_EQ(test, pvhost_numa_result(&f->q, 0, &ans), -ENOENT);

	/* a vCPU the host has no record of */
	pvhost_numa_hint_of(&h, 0, 4);
	KUNIT_EXPECT_EQ(test, pvhost_numa_submit(&f->q, &h), -EINVAL);
	pvhost_numa_attach(&f->q, NULL, 0);
	pvhost_numa_hint_of(&h, 0, 0);
	KUNIT_EXPECT_EQ(test, pvhost_numa_submit(&f->q, &h), -ENODEV);
	KUNIT_EXPECT_EQ(test, pvhost_numa_result(&f->q, id, &ans), -ENODEV);
	for (i = 0; i < 2; i++)
		KUNIT_EXPECT_EQ(test, f->area->hint[i].flags, 0U);
}

static void pvhost_numa_test_slots(struct kunit *test)
{
	struct pvhost_numa_fake *f = pvhost_numa_fake_new(test);
	int ids[PVHOST_NUMA_HINT_SLOTS], id, i, j;
	struct pvhost_numa_answer ans;
	struct pvhc_numa_hint h;

	pvhost_numa_hint_of(&h, 0, 0);
	for (i = 0; i < PVHOST_NUMA_HINT_SLOTS; i++) {
		ids[i] = pvhost_numa_submit(&f->q, &h);
		KUNIT_ASSERT_GT(test, ids[i], 0);
		for (j = 0; j < i; j++)
			KUNIT_EXPECT_NE(test, ids[i] % PVHOST_NUMA_HINT_SLOTS,
					ids[j] % PVHOST_NUMA_HINT_SLOTS);
	}
	/* a host that never answers: the queue is full, nothing waits */
	KUNIT_EXPECT_EQ(test, pvhost_numa_submit(&f->q, &h), -EBUSY);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&f->q.busy), 1L);
	for (i = 0; i < PVHOST_NUMA_HINT_SLOTS; i++)
		KUNIT_EXPECT_EQ(test, pvhost_numa_result(&f->q, ids[i], &ans),
				(int)PVHC_NUMA_PENDING);

	/* answered but not collected: the slot is taken again */
	pvhost_numa_answer(f->area, ids[5], PVHOST_HINT_REJECTED,
			   PVHOST_REASON_POLICY, 0);
	id = pvhost_numa_submit(&f->q, &h);
	KUNIT_ASSERT_GT(test, id, 0);
	KUNIT_EXPECT_EQ(test, id % PVHOST_NUMA_HINT_SLOTS,
			ids[5] % PVHOST_NUMA_HINT_SLOTS);
	KUNIT_EXPECT_NE(test, id, ids[5]);
	KUNIT_EXPECT_EQ(test, pvhost_numa_result(&f->q, ids[5], &ans), -ENOENT);

	/* collected: reused too */
	pvhost_numa_answer(f->area, ids[9], PVHOST_HINT_PARTIAL,
			   PVHOST_REASON_AFFINITY, 0);
	KUNIT_EXPECT_EQ(test, pvhost_numa_result(&f->q, ids[9], &ans),
			(int)PVHC_NUMA_PARTIAL);
	KUNIT_EXPECT_EQ(test, ans.reason, (u32)PVHOST_REASON_AFFINITY);
	id = pvhost_numa_submit(&f->q, &h);
	KUNIT_EXPECT_EQ(test, id % PVHOST_NUMA_HINT_SLOTS,
			ids[9] % PVHOST_NUMA_HINT_SLOTS);
	KUNIT_EXPECT_EQ(test, pvhost_numa_submit(&f->q, &h), -EBUSY);

	/* a new layout forgets the old ids */
	pvhost_numa_attach(&f->q, f->area, 4);
	KUNIT_EXPECT_EQ(test, pvhost_numa_result(&f->q, id, &ans), -ENOENT);
}

static void pvhost_numa_test_garbage_status(struct kunit *test)
{
	struct pvhost_numa_fake *f = pvhost_numa_fake_new(test);
	static const struct {
		u32 status, reason, host_node;
	} bad[] = {
		{ PVHOST_HINT_FREE, 0, 0 },
		{ 5, 0, 0 },
		{ 0xffffffff, 0, 0 },
		{ PVHOST_HINT_APPLIED, PVHOST_REASON_MEMORY, 0 },
		{ PVHOST_HINT_PARTIAL, PVHOST_REASON_NONE, 0 },
		{ PVHOST_HINT_REJECTED, 6, 0 },
		{ PVHOST_HINT_APPLIED, 0, PVHOST_MAX_NODES },
	};
	struct pvhost_numa_answer ans;
	struct pvhc_numa_hint h;
	int id, i;

	pvhost_numa_hint_of(&h, 0, 1);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		id = pvhost_numa_submit(&f->q, &h);
		KUNIT_ASSERT_GT(test, id, 0);
		pvhost_numa_answer(f->area, id, bad[i].status, bad[i].reason,
				   bad[i].host_node);
		KUNIT_EXPECT_EQ_MSG(test, pvhost_numa_result(&f->q, id, &ans),
				    -EIO, "case %d", i);
		/* the slot is the guest's again only once the host answers */
		f->area->hint[id % PVHOST_NUMA_HINT_SLOTS].status =
			PVHOST_HINT_REJECTED;
		f->area->hint[id % PVHOST_NUMA_HINT_SLOTS].reason =
			PVHOST_REASON_INVALID;
	}
	KUNIT_EXPECT_EQ(test, atomic_long_read(&f->q.invalid),
			(long)ARRAY_SIZE(bad));

	/* the host rewrote the id: not our answer */
	id = pvhost_numa_submit(&f->q, &h);
	pvhost_numa_answer(f->area, id, PVHOST_HINT_APPLIED, 0, 0);
	f->area->hint[id % PVHOST_NUMA_HINT_SLOTS].id = id + 1;
	KUNIT_EXPECT_EQ(test, pvhost_numa_result(&f->q, id, &ans), -EIO);
}

/* A topology a correct host publishes: 2 host nodes, 2 guest nodes. */
static void pvhost_numa_topo_valid(struct pvhost_numa *a)
{
	int i;

	a->seq = 4;
	a->nr_nodes = 2;
	a->nr_host_nodes = 2;
	a->distance[0][0] = 10;
	a->distance[1][1] = 10;
	a->distance[0][1] = 21;
	a->distance[1][0] = 21;
	for (i = 0; i < PVHOST_MAX_VCPUS; i++)
		a->vcpu_host_node[i] = PVHOST_NUMA_NODE_UNKNOWN;
	a->vcpu_host_node[0] = 1;
	a->vcpu_host_node[1] = 0;
	a->node_host_node[0] = 0;
	a->node_host_node[1] = PVHOST_NUMA_NODE_UNKNOWN;
}

static void pvhost_numa_test_topology(struct kunit *test)
{
	struct pvhost_numa_fake *f = pvhost_numa_fake_new(test);
	struct pvhc_numa_info *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	pvhost_numa_topo_valid(f->area);
	KUNIT_ASSERT_EQ(test, pvhost_numa_topology(&f->q, t, &f->st), 0);
	KUNIT_EXPECT_EQ(test, t->nr_nodes, 2U);
	KUNIT_EXPECT_EQ(test, t->nr_vcpus, 4U);
	KUNIT_EXPECT_EQ(test, t->vcpu_to_node[0], 1U);
	KUNIT_EXPECT_EQ(test, t->vcpu_to_node[1], 0U);
	KUNIT_EXPECT_EQ(test, t->vcpu_to_node[2], PVHC_NUMA_NODE_UNKNOWN);
	KUNIT_EXPECT_EQ(test, t->distance[0][1], 21U);
	KUNIT_EXPECT_EQ(test, t->distance[1][1], 10U);
	KUNIT_EXPECT_EQ(test, t->nr_guest_nodes, 2U);
	KUNIT_EXPECT_EQ(test, t->node_mem_node[0], 0U);
	KUNIT_EXPECT_EQ(test, t->node_mem_node[1], PVHC_NUMA_NODE_UNKNOWN);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&f->st.errors), 0L);
}

static void pvhost_numa_test_garbage_topology(struct kunit *test)
{
	struct pvhost_numa_fake *f = pvhost_numa_fake_new(test);
	struct pvhc_numa_info *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	struct pvhost_numa *a = f->area;
	int i, bad = 0;

	KUNIT_ASSERT_NOT_NULL(test, t);
	for (i = 0; i < 10; i++) {
		pvhost_numa_topo_valid(a);
		switch (i) {
		case 0:
			a->nr_host_nodes = 0;
			break;
		case 1:
			a->nr_host_nodes = PVHOST_MAX_NODES + 1;
			break;
		case 2:
			a->nr_host_nodes = 0xffffffff;
			break;
		case 3:
			a->nr_nodes = PVHOST_MAX_NODES + 1;
			break;
		case 4:
			a->distance[1][1] = 11;
			break;
		case 5:
			a->distance[0][1] = 9;
			break;
		case 6:
			a->distance[1][0] = 255;
			break;
		case 7:
			a->vcpu_host_node[3] = 2;
			break;
		case 8:
			a->node_host_node[1] = 2;
			break;
		case 9:
			a->vcpu_host_node[0] = 0xfffffffe;
			break;
		}
		KUNIT_EXPECT_EQ_MSG(test, pvhost_numa_topology(&f->q, t, &f->st),
				    -EIO, "case %d", i);
		bad++;
	}
	KUNIT_EXPECT_EQ(test, atomic_long_read(&f->q.topo_invalid), (long)bad);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&f->st.errors), (long)bad);

	/* 64 host nodes, all local: the largest valid table */
	pvhost_numa_topo_valid(a);
	a->nr_host_nodes = PVHOST_MAX_NODES;
	for (i = 0; i < PVHOST_MAX_NODES * PVHOST_MAX_NODES; i++)
		a->distance[i / PVHOST_MAX_NODES][i % PVHOST_MAX_NODES] =
			i / PVHOST_MAX_NODES == i % PVHOST_MAX_NODES ? 10 : 254;
	KUNIT_EXPECT_EQ(test, pvhost_numa_topology(&f->q, t, &f->st), 0);
}

static void pvhost_numa_test_torn(struct kunit *test)
{
	struct pvhost_numa_fake *f = pvhost_numa_fake_new(test);
	struct pvhc_numa_info *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	pvhost_numa_topo_valid(f->area);
	/* a host stuck mid-write: bounded retries, then -EAGAIN */
	f->area->seq = 5;
	KUNIT_EXPECT_EQ(test, pvhost_numa_topology(&f->q, t, &f->st), -EAGAIN);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&f->q.topo_busy), 1L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&f->st.errors), 1L);
	/* the write finished: read again */
	f->area->seq = 6;
	KUNIT_EXPECT_EQ(test, pvhost_numa_topology(&f->q, t, &f->st), 0);
	pvhost_numa_attach(&f->q, NULL, 0);
	KUNIT_EXPECT_EQ(test, pvhost_numa_topology(&f->q, t, &f->st), -ENODEV);
}

static struct kunit_case pvhost_numa_test_cases[] = {
	KUNIT_CASE(pvhost_numa_test_submit),
	KUNIT_CASE(pvhost_numa_test_slots),
	KUNIT_CASE(pvhost_numa_test_garbage_status),
	KUNIT_CASE(pvhost_numa_test_topology),
	KUNIT_CASE(pvhost_numa_test_garbage_topology),
	KUNIT_CASE(pvhost_numa_test_torn),
	{}
};

static struct kunit_suite pvhost_numa_suite = {
	.name = "pvhost_numa",
	.test_cases = pvhost_numa_test_cases,
};

/* ---- pvhost_vcpu: the preempted flags and boost requests ---- */

#define PVHOST_TEST_VCPUS	4

struct pvhost_vcpu_fixture {
	struct pvhost_header h;
	void *region;			/* header room + exactly the records */
	struct pvhost_vcpu *recs;
	struct pvhost_vcpus v;
};

static int pvhost_vcpu_init(struct kunit *test)
{
	struct pvhost_vcpu_fixture *f;

	f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f);
	pvhost_test_valid(&f->h);
	f->h.features |= PVHOST_F_PREEMPTED | PVHOST_F_BOOST;
	f->h.nr_vcpus = PVHOST_TEST_VCPUS;
	f->h.vcpu_offset = sizeof(struct pvhost_header);
	f->region = kunit_kzalloc(test, f->h.vcpu_offset + PVHOST_TEST_VCPUS *
				  sizeof(struct pvhost_vcpu), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f->region);
	f->recs = f->region + f->h.vcpu_offset;
	mutex_init(&f->v.lock);
	KUNIT_ASSERT_EQ(test, pvhost_vcpus_setup(&f->v, f->region, &f->h), 0);
	test->priv = f;
	return 0;
}

static void pvhost_vcpu_flags(struct kunit *test)
{
	struct pvhost_vcpu_fixture *f = test->priv;

	KUNIT_EXPECT_EQ(test, pvhost_vcpu_preempted(&f->v, 0), 0);
	f->recs[0].preempted = 1;
	KUNIT_EXPECT_EQ(test, pvhost_vcpu_preempted(&f->v, 0), 1);
	/* the last record, read at its end: KASAN checks the bound */
	f->recs[PVHOST_TEST_VCPUS - 1].preempted = 1;
	KUNIT_EXPECT_EQ(test, pvhost_vcpu_preempted(&f->v, PVHOST_TEST_VCPUS - 1), 1);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&f->v.preempted_invalid), 0);
}

static void pvhost_vcpu_garbage(struct kunit *test)
{
	static const u32 bad[] = { 2, 3, 0x80000000U, U32_MAX };
	struct pvhost_vcpu_fixture *f = test->priv;
	int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		f->recs[1].preempted = bad[i];
		KUNIT_EXPECT_EQ(test, pvhost_vcpu_preempted(&f->v, 1), -EIO);
	}
	KUNIT_EXPECT_EQ(test, atomic_long_read(&f->v.preempted_invalid),
			ARRAY_SIZE(bad));
	f->recs[1].preempted = 0;
	KUNIT_EXPECT_EQ(test, pvhost_vcpu_preempted(&f->v, 1), 0);
}

static void pvhost_vcpu_range(struct kunit *test)
{
	struct pvhost_vcpu_fixture *f = test->priv;
	struct pvhost_vcpu_view r;

	KUNIT_EXPECT_EQ(test, pvhost_vcpu_preempted(&f->v, PVHOST_TEST_VCPUS), -EINVAL);
	KUNIT_EXPECT_EQ(test, pvhost_vcpu_preempted(&f->v, UINT_MAX), -EINVAL);
	KUNIT_EXPECT_EQ(test, pvhost_vcpu_boost(&f->v, PVHOST_TEST_VCPUS, true), -EINVAL);
	KUNIT_EXPECT_EQ(test, pvhost_vcpu_snapshot(&f->v, PVHOST_TEST_VCPUS, &r), -EINVAL);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&f->v.boosts), 0);
	f->h.nr_vcpus = 0;
	KUNIT_EXPECT_EQ(test, pvhost_vcpus_setup(&f->v, f->region, &f->h), -EINVAL);
	f->h.nr_vcpus = PVHOST_MAX_VCPUS + 1;
	KUNIT_EXPECT_EQ(test, pvhost_vcpus_setup(&f->v, f->region, &f->h), -EINVAL);
	/* a refused setup leaves the previous one */
	KUNIT_EXPECT_EQ(test, pvhost_vcpu_preempted(&f->v, PVHOST_TEST_VCPUS - 1), 0);
}

static void pvhost_vcpu_boost_seq(struct kunit *test)
{
	struct pvhost_vcpu_fixture *f = test->priv;
	struct pvhost_vcpu_view r;

	KUNIT_EXPECT_EQ(test, pvhost_vcpu_boost(&f->v, 2, true), 0);
	KUNIT_EXPECT_EQ(test, f->recs[2].boost, 1);
	/* read as the host does: acquire, pairing with the guest's release */
	KUNIT_EXPECT_EQ(test, smp_load_acquire(&f->recs[2].boost_seq), 1);
	f->recs[2].boost_ack = 1;
	KUNIT_EXPECT_EQ(test, pvhost_vcpu_boost(&f->v, 2, false), 0);
	KUNIT_EXPECT_EQ(test, f->recs[2].boost, 0);
	KUNIT_EXPECT_EQ(test, f->recs[2].boost_seq, 2);
	/* the host scribbles on the guest's field: the guest keeps counting */
	f->recs[2].boost_seq = 0xdead;
	f->recs[2].boost_ack = 2;
	KUNIT_EXPECT_EQ(test, pvhost_vcpu_boost(&f->v, 2, true), 0);
	KUNIT_EXPECT_EQ(test, f->recs[2].boost_seq, 3);
	KUNIT_EXPECT_EQ(test, pvhost_vcpu_snapshot(&f->v, 2, &r), 0);
	KUNIT_EXPECT_EQ(test, r.boost, 1);
	KUNIT_EXPECT_EQ(test, r.boost_seq, 3);
	KUNIT_EXPECT_EQ(test, r.boost_ack, 2);
	/* other records untouched */
	KUNIT_EXPECT_EQ(test, f->recs[1].boost_seq, 0);
	KUNIT_EXPECT_EQ(test, f->recs[3].boost, 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&f->v.boost_unacked), 0);
}

static void pvhost_vcpu_never_acked(struct kunit *test)
{
	struct pvhost_vcpu_fixture *f = test->priv;
	int i;

	/* no wait on the host: ten requests return at once, nine unacked */
	for (i = 0; i < 10; i++)
		KUNIT_EXPECT_EQ(test, pvhost_vcpu_boost(&f->v, 0, i & 1), 0);
	KUNIT_EXPECT_EQ(test, f->recs[0].boost_seq, 10);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&f->v.boost_unacked), 9);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&f->v.boosts), 10);
	f->recs[0].boost_ack = 10;
	KUNIT_EXPECT_EQ(test, pvhost_vcpu_boost(&f->v, 0, true), 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&f->v.boost_unacked), 9);
}

static void pvhost_vcpu_parse(struct kunit *test)
{
	static const char *const bad[] = {
		"", "\n", "1", "1 2", "-1 1", "1 -1", "a b", "1 1 1", "1  1",
		"4294967296 1", "1 0x1", "12345678901234567890123 1",
	};
	unsigned int cpu = 99;
	bool on = false;
	int i;

	KUNIT_EXPECT_EQ(test, pvhost_boost_parse("3 1\n", &cpu, &on), 0);
	KUNIT_EXPECT_EQ(test, cpu, 3);
	KUNIT_EXPECT_TRUE(test, on);
	KUNIT_EXPECT_EQ(test, pvhost_boost_parse("0 0", &cpu, &on), 0);
	KUNIT_EXPECT_EQ(test, cpu, 0);
	KUNIT_EXPECT_FALSE(test, on);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ_MSG(test, pvhost_boost_parse(bad[i], &cpu, &on),
				    -EINVAL, "input %s", bad[i]);
}

/*
 * The lock-hint word of each record, none beyond them; the host's count
 * is passed through whatever it is, and a host scribbling over the hint
 * changes nothing the guest reads.
 */
static void pvhost_vcpu_lock_hint(struct kunit *test)
{
	struct pvhost_vcpu_fixture *f = test->priv;
	u32 seen = 1;

	KUNIT_EXPECT_PTR_EQ(test, pvhost_vcpu_hint_slot(&f->v, 0),
			    &f->recs[0].lock_hint);
	KUNIT_EXPECT_PTR_EQ(test,
			    pvhost_vcpu_hint_slot(&f->v, PVHOST_TEST_VCPUS - 1),
			    &f->recs[PVHOST_TEST_VCPUS - 1].lock_hint);
	KUNIT_EXPECT_NULL(test, pvhost_vcpu_hint_slot(&f->v, PVHOST_TEST_VCPUS));
	KUNIT_EXPECT_NULL(test, pvhost_vcpu_hint_slot(&f->v, UINT_MAX));
	KUNIT_EXPECT_EQ(test, pvhost_vcpu_hint_seen(&f->v, 2, &seen), 0);
	KUNIT_EXPECT_EQ(test, seen, 0U);
	f->recs[2].lock_hint_seen = U32_MAX;
	f->recs[2].lock_hint = 0xbad;
	KUNIT_EXPECT_EQ(test, pvhost_vcpu_hint_seen(&f->v, 2, &seen), 0);
	KUNIT_EXPECT_EQ(test, seen, U32_MAX);
	KUNIT_EXPECT_EQ(test, pvhost_vcpu_preempted(&f->v, 2), 0);
	KUNIT_EXPECT_EQ(test,
			pvhost_vcpu_hint_seen(&f->v, PVHOST_TEST_VCPUS, &seen),
			-EINVAL);
}

static struct kunit_case pvhost_vcpu_test_cases[] = {
	KUNIT_CASE(pvhost_vcpu_flags),
	KUNIT_CASE(pvhost_vcpu_garbage),
	KUNIT_CASE(pvhost_vcpu_range),
	KUNIT_CASE(pvhost_vcpu_boost_seq),
	KUNIT_CASE(pvhost_vcpu_never_acked),
	KUNIT_CASE(pvhost_vcpu_parse),
	KUNIT_CASE(pvhost_vcpu_lock_hint),
	{}
};

static struct kunit_suite pvhost_vcpu_suite = {
	.name = "pvhost_vcpu",
	.init = pvhost_vcpu_init,
	.test_cases = pvhost_vcpu_test_cases,
};

kunit_test_suites(&pvhost_header_suite, &pvhost_ring_suite,
		  &pvhost_pressure_suite, &pvhost_clock_suite,
		  &pvhost_mbox_suite, &pvhost_numa_suite,
		  &pvhost_vcpu_suite);

MODULE_DESCRIPTION("KUnit tests for pvhost");
MODULE_LICENSE("GPL");
MODULE_INFO(test, "Y");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
