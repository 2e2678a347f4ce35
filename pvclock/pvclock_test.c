// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for pvclock: the scaling math against a 128-bit reference,
 * the version protocol with the host writing mid-read, time across a
 * sequence of host rate changes, a host that misbehaves, and the module
 * bound to a test backend (pvhc priority PVHC_PRIO_TEST) through source
 * changes and CPU hotplug.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/pvhc.h>
#include <linux/random.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <asm/pvclock.h>
#include <asm/tsc.h>

#include "pvclock.h"
#include "pvclock_internal.h"

/* The TSC the reader sees, and a host that may write when it is read. */
static u64 fake_tsc;
static void (*fake_host)(void);
static unsigned int fake_tsc_reads;

static u64 fake_tsc_read(void)
{
	fake_tsc_reads++;
	if (fake_host)
		fake_host();
	return fake_tsc;
}

static u64 scale_ref(u64 delta, u32 mul, int shift)
{
	unsigned __int128 p;

	if (shift < 0)
		p = (unsigned __int128)(delta >> -shift) * mul;
	else
		p = ((unsigned __int128)delta << shift) * mul;
	return (u64)(p >> 32);
}

static void pvclock_scale_edges(struct kunit *test)
{
	static const u64 deltas[] = {
		0, 1, 2, 999, U32_MAX, 1ULL << 32, (1ULL << 32) + 1,
		1ULL << 40, 1ULL << 63, U64_MAX - 1, U64_MAX,
	};
	static const u32 muls[] = {
		1, 2, 0x7fffffff, 0x80000000, 0xa0000000, U32_MAX - 1, U32_MAX,
	};
	int shift;
	size_t i, j;

	for (shift = PVCLOCK_SHIFT_MIN; shift <= PVCLOCK_SHIFT_MAX; shift++)
		for (i = 0; i < ARRAY_SIZE(deltas); i++)
			for (j = 0; j < ARRAY_SIZE(muls); j++)
				KUNIT_ASSERT_EQ_MSG(test,
						    pvclock_scale(deltas[i], muls[j], shift),
						    scale_ref(deltas[i], muls[j], shift),
						    "delta %llu mul %u shift %d",
						    deltas[i], muls[j], shift);
}

/* The form a read uses, against the reference, for every legal shift. */
static void pvclock_scale_form(struct kunit *test)
{
	static const u64 deltas[] = {
		0, 1, 999, U32_MAX, 1ULL << 32, 1ULL << 40, 1ULL << 63,
		U64_MAX,
	};
	static const u32 muls[] = { 1, 0x80000000, 0xa0000000, U32_MAX };
	unsigned int i, j, k;
	u64 mul64, delta;
	u8 rshift;
	int shift;

	for (shift = PVCLOCK_SHIFT_MIN; shift <= PVCLOCK_SHIFT_MAX; shift++)
		for (j = 0; j < ARRAY_SIZE(muls); j++) {
			pvclock_form(muls[j], shift, &rshift, &mul64);
			for (i = 0; i < ARRAY_SIZE(deltas); i++)
				KUNIT_ASSERT_EQ(test,
						pvclock_form_scale(deltas[i], rshift, mul64),
						scale_ref(deltas[i], muls[j], shift));
			for (k = 0; k < 200; k++) {
				delta = get_random_u64();
				KUNIT_ASSERT_EQ(test,
						pvclock_form_scale(delta, rshift, mul64),
						pvclock_scale(delta, muls[j], shift));
			}
		}
}

static void pvclock_scale_random(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < 20000; i++) {
		u64 delta = get_random_u64() >> get_random_u32_below(64);
		u32 mul = get_random_u32();
		int shift = (int)get_random_u32_below(PVCLOCK_SHIFT_MAX -
						      PVCLOCK_SHIFT_MIN + 1) +
			    PVCLOCK_SHIFT_MIN;

		KUNIT_ASSERT_EQ_MSG(test, pvclock_scale(delta, mul, shift),
				    scale_ref(delta, mul, shift),
				    "delta %llu mul %u shift %d", delta, mul, shift);
	}
}

/* Where delta << shift fits in 64 bits, the in-tree reader agrees. */
static void pvclock_scale_in_tree(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < 20000; i++) {
		int shift = (int)get_random_u32_below(64) - 31;
		u64 delta = get_random_u64() >> get_random_u32_below(64);
		u32 mul = get_random_u32();

		if (shift > 0)
			delta >>= shift;
		KUNIT_ASSERT_EQ(test, pvclock_scale(delta, mul, shift),
				pvclock_scale_delta(delta, mul, shift));
	}
}

static void pvclock_rate(struct kunit *test)
{
	struct pvclock_snap s = { .mul = 0x80000000, .shift = 1 };

	KUNIT_EXPECT_EQ(test, pvclock_rate_khz(0x80000000, 1), 1000000ULL);
	KUNIT_EXPECT_EQ(test, pvclock_rate_khz(0x80000000, 0), 2000000ULL);
	KUNIT_EXPECT_EQ(test, pvclock_rate_khz(0, 0), 0ULL);
	KUNIT_EXPECT_TRUE(test, pvclock_snap_valid(&s));
	s.mul = 0;
	KUNIT_EXPECT_FALSE(test, pvclock_snap_valid(&s));
	s.mul = 1;		/* 2^32 GHz: absurd */
	s.shift = 0;
	KUNIT_EXPECT_FALSE(test, pvclock_snap_valid(&s));
	s.mul = U32_MAX;	/* ~ 1 kHz TSC with shift 20: too slow */
	s.shift = 20;
	KUNIT_EXPECT_FALSE(test, pvclock_snap_valid(&s));
	s.shift = 33;
	KUNIT_EXPECT_FALSE(test, pvclock_snap_valid(&s));
}

static struct kunit_case pvclock_math_cases[] = {
	KUNIT_CASE(pvclock_scale_edges),
	KUNIT_CASE(pvclock_scale_random),
	KUNIT_CASE(pvclock_scale_in_tree),
	KUNIT_CASE(pvclock_scale_form),
	KUNIT_CASE(pvclock_rate),
	{}
};

static struct kunit_suite pvclock_math_suite = {
	.name = "pvclock_math",
	.test_cases = pvclock_math_cases,
};

/* One private reader and the record it reads. */
static struct pvclock_vcpu_time_info *rec;
static struct pvclock_cpu *rc;
static struct pvclock_guard tg;

/* A 1 GHz record (mul 2^31, shift 1) at @tsc, @ns. */
static void rec_set(struct pvclock_vcpu_time_info *r, u64 tsc, u64 ns, u32 mul)
{
	WRITE_ONCE(r->version, r->version + 1);
	r->tsc_timestamp = tsc;
	r->system_time = ns;
	r->tsc_to_system_mul = mul;
	r->tsc_shift = 1;
	r->flags = PVCLOCK_TSC_STABLE_BIT;
	WRITE_ONCE(r->version, r->version + 1);
}

static u64 rd(void)
{
	return pvclock_read_with(rc, fake_tsc_read, &tg);
}

static int pvclock_reader_init(struct kunit *test)
{
	rec = kunit_kzalloc(test, sizeof(*rec), GFP_KERNEL);
	rc = kunit_kzalloc(test, sizeof(*rc), GFP_KERNEL);
	if (!rec || !rc)
		return -ENOMEM;
	pvclock_cpu_init(rc);
	rc->rec = rec;
	memset(&tg, 0, sizeof(tg));
	tg.clear_stopped = true;
	fake_tsc = 1000000;
	fake_host = NULL;
	fake_tsc_reads = 0;
	rec_set(rec, 1000000, 5000, 0x80000000);
	return 0;
}

static void host_rewrites_once(void)
{
	if (fake_tsc_reads == 1)
		rec_set(rec, fake_tsc, 7000000, 0x80000000);
}

/* The host rewrites the record between the reader's two version reads. */
static void pvclock_version_mid_read(struct kunit *test)
{
	fake_tsc = 1000100;
	fake_host = host_rewrites_once;
	KUNIT_EXPECT_EQ(test, rd(), 7000000ULL);
	KUNIT_EXPECT_EQ(test, fake_tsc_reads, 2U);
	KUNIT_EXPECT_EQ(test, local_read(&rc->retries), 1L);
	KUNIT_EXPECT_EQ(test, local_read(&rc->updates), 1L);
	KUNIT_EXPECT_EQ(test, rc->good.version, rec->version);
}

/* Steady state: a known version costs no copy and is read right. */
static void pvclock_version_known(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, rd(), 5000ULL);
	fake_tsc += 1000;
	KUNIT_EXPECT_EQ(test, rd(), 6000ULL);
	KUNIT_EXPECT_EQ(test, local_read(&rc->updates), 1L);
	KUNIT_EXPECT_EQ(test, local_read(&rc->retries), 0L);
	KUNIT_EXPECT_EQ(test, local_read(&rc->reads), 2L);
}

/* A version that stays odd: the read ends after PVCLOCK_MAX_TRIES. */
static void pvclock_stuck_odd(struct kunit *test)
{
	u64 t;

	KUNIT_EXPECT_EQ(test, rd(), 5000ULL);
	WRITE_ONCE(rec->version, rec->version + 1);
	fake_tsc += 500;
	fake_tsc_reads = 0;
	t = rd();
	/* The last good record carries time on: continuous, not stuck. */
	KUNIT_EXPECT_EQ(test, t, 5500ULL);
	KUNIT_EXPECT_EQ(test, local_read(&rc->stuck), 1L);
	KUNIT_EXPECT_EQ(test, local_read(&rc->retries),
			(long)PVCLOCK_MAX_TRIES);
	/* Only the fallback read the TSC: the loop never got that far. */
	KUNIT_EXPECT_EQ(test, fake_tsc_reads, 1U);
}

/* No good record yet and stuck: the last value, no hang. */
static void pvclock_stuck_from_start(struct kunit *test)
{
	WRITE_ONCE(rec->version, 1);
	KUNIT_EXPECT_EQ(test, rd(), 0ULL);
	KUNIT_EXPECT_EQ(test, local_read(&rc->stuck), 1L);
	KUNIT_EXPECT_FALSE(test, rc->have_good);
}

static void host_flaps(void)
{
	WRITE_ONCE(rec->version, rec->version + 2);
}

/* Records changing faster than they can be read. */
static void pvclock_flapping(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, rd(), 5000ULL);
	WRITE_ONCE(rec->version, rec->version + 2);
	fake_host = host_flaps;
	fake_tsc += 10;
	KUNIT_EXPECT_EQ(test, rd(), 5010ULL);
	KUNIT_EXPECT_EQ(test, local_read(&rc->flapping), 1L);
}

/* Zero and absurd multipliers are refused; time goes on. */
static void pvclock_absurd_mul(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, rd(), 5000ULL);
	rec_set(rec, fake_tsc, 1ULL << 50, 0);
	fake_tsc += 100;
	KUNIT_EXPECT_EQ(test, rd(), 5100ULL);
	rec_set(rec, fake_tsc, 1ULL << 50, 1);
	rec->tsc_shift = 0;
	fake_tsc += 100;
	KUNIT_EXPECT_EQ(test, rd(), 5200ULL);
	KUNIT_EXPECT_EQ(test, local_read(&rc->invalid), 2L);
	KUNIT_EXPECT_EQ(test, local_read(&rc->updates), 1L);
}

/* A host that steps time back: clamped, counted, never backwards. */
static void pvclock_host_backwards(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, rd(), 5000ULL);
	rec_set(rec, fake_tsc, 4000, 0x80000000);
	fake_tsc += 100;
	KUNIT_EXPECT_EQ(test, rd(), 5000ULL);
	KUNIT_EXPECT_EQ(test, local_read(&rc->clamps), 1L);
	KUNIT_EXPECT_EQ(test, local_read(&rc->backwards), 1L);
	fake_tsc += 2000;
	KUNIT_EXPECT_EQ(test, rd(), 6100ULL);
}

static void pvclock_guest_stopped(struct kunit *test)
{
	rec_set(rec, fake_tsc, 5000, 0x80000000);
	WRITE_ONCE(rec->version, rec->version + 1);
	rec->flags |= PVCLOCK_GUEST_STOPPED;
	WRITE_ONCE(rec->version, rec->version + 1);
	rd();
	rd();
	KUNIT_EXPECT_EQ(test, local_read(&rc->stopped), 1L);
	KUNIT_EXPECT_FALSE(test, rec->flags & PVCLOCK_GUEST_STOPPED);

	/* A record the guest must not write (kvmclock): counted, left. */
	WRITE_ONCE(rec->version, rec->version + 1);
	rec->flags |= PVCLOCK_GUEST_STOPPED;
	WRITE_ONCE(rec->version, rec->version + 1);
	tg.clear_stopped = false;
	rd();
	KUNIT_EXPECT_EQ(test, local_read(&rc->stopped), 2L);
	KUNIT_EXPECT_TRUE(test, rec->flags & PVCLOCK_GUEST_STOPPED);
}

/* Two vCPUs whose records disagree by 300 ns, without the stable bit. */
static void pvclock_cross_cpu_guard(struct kunit *test)
{
	struct pvclock_vcpu_time_info *rb;
	struct pvclock_cpu *cb;
	u64 a, b;

	rb = kunit_kzalloc(test, sizeof(*rb), GFP_KERNEL);
	cb = kunit_kzalloc(test, sizeof(*cb), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, rb);
	KUNIT_ASSERT_NOT_NULL(test, cb);
	pvclock_cpu_init(cb);
	cb->rec = rb;
	rec_set(rec, fake_tsc, 5000, 0x80000000);
	rec_set(rb, fake_tsc, 4700, 0x80000000);
	rec->flags = 0;
	rb->flags = 0;
	a = rd();
	b = pvclock_read_with(cb, fake_tsc_read, &tg);
	KUNIT_EXPECT_EQ(test, a, 5000ULL);
	KUNIT_EXPECT_EQ(test, b, 5000ULL);
	KUNIT_EXPECT_EQ(test, local_read(&cb->clamps), 1L);
	KUNIT_EXPECT_EQ(test, (u64)local64_read(&cb->max_skew), 300ULL);

	/* Stable records skip the shared guard unless it is forced. */
	rec_set(rb, fake_tsc, 4700, 0x80000000);
	fake_tsc += 100;
	KUNIT_EXPECT_EQ(test, pvclock_read_with(cb, fake_tsc_read, &tg),
			5000ULL);
	KUNIT_EXPECT_EQ(test, local_read(&cb->clamps), 2L);	/* per-CPU */
	/* The mode is decided when a record is taken: take it again. */
	tg.global = true;
	cb->good_src = &pvclock_no_record;
	KUNIT_EXPECT_EQ(test, pvclock_read_with(cb, fake_tsc_read, &tg),
			5000ULL);
	KUNIT_EXPECT_EQ(test, local_read(&cb->clamps), 3L);
}

/*
 * Rate changes: the host rewrites the record every @interval ticks with a
 * new rate, continuing its own time (system_time = old record's time at
 * the new tsc_timestamp), the way a host that publishes at once does. The
 * stated bound: between two reads dt ticks apart the clock advances by at
 * least 0 and at most dt at the fastest rate plus 2 ns (one truncation in
 * each record's scale), and it never goes back.
 */
static void pvclock_rate_changes(struct kunit *test)
{
	/*
	 * shift 1: 1, 1.0625, 0.9375, 1.03125, 0.96875 ns/tick: each change
	 * within the 12.5% a record may change the rate by (PVCLOCK_STEP_*).
	 */
	static const u32 muls[] = {
		0x80000000, 0x88000000, 0x78000000, 0x84000000, 0x7c000000,
	};
	const u64 interval = 100000;
	u64 host_ns = 5000, prev, now, dt, next = fake_tsc + interval;
	struct pvclock_snap s;
	unsigned int i, k = 0, updates = 0;

	prev = rd();
	for (i = 0; i < 20000; i++) {
		dt = get_random_u32_below(997) + 1;
		fake_tsc += dt;
		if (fake_tsc >= next) {
			s = rc->good;
			host_ns = pvclock_snap_ns(&s, next);
			k = (k + 1) % ARRAY_SIZE(muls);
			rec_set(rec, next, host_ns, muls[k]);
			next += interval;
			updates++;
		}
		now = rd();
		KUNIT_ASSERT_GE(test, now, prev);
		KUNIT_ASSERT_LE(test, now - prev,
				pvclock_scale(dt, 0xffffffff, 1) + 2);
		prev = now;
	}
	KUNIT_EXPECT_GT(test, updates, 10U);
	KUNIT_EXPECT_EQ(test, local_read(&rc->updates), (long)updates + 1);
	KUNIT_EXPECT_EQ(test, local_read(&rc->clamps), 0L);
}

/*
 * A host that publishes late: the reader ran ahead on the old rate and
 * the new record is behind it. Clamped, counted, still monotonic.
 */
static void pvclock_late_publication(struct kunit *test)
{
	u64 before, after;

	rec_set(rec, fake_tsc, 5000, 0xffffffff);	/* 2 ns/tick */
	rd();
	fake_tsc += 1000;
	before = rd();					/* 7000 */
	/* The host changed to 1.75 ns/tick at +500, publishing only now. */
	rec_set(rec, fake_tsc - 500, 5000 + 1000, 0xe0000000);
	after = rd();					/* 6875: clamped */
	KUNIT_EXPECT_EQ(test, before, after);
	KUNIT_EXPECT_EQ(test, local_read(&rc->clamps), 1L);
	fake_tsc += 1000;
	KUNIT_EXPECT_EQ(test, rd(), 8625ULL);
}

/*
 * Shared-record mode: both CPUs read one record. The host switches to a
 * slower rate at a point in the past and publishes late; CPU A returned a
 * value from the old record that the new one gives only later. CPU B,
 * taking the new record, raises the floor to the old record's time at
 * the publication, and neither returns less than A did.
 */
static void pvclock_shared_record_floor(struct kunit *test)
{
	struct pvclock_cpu *cb;
	u64 a, b;

	cb = kunit_kzalloc(test, sizeof(*cb), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, cb);
	pvclock_cpu_init(cb);
	tg.shared = rec;
	tg.window = 1000;
	rec->flags = 0;
	rc->rec = NULL;		/* the shared record wins over each CPU's */
	cb->rec = NULL;
	KUNIT_EXPECT_EQ(test, rd(), 5000ULL);
	KUNIT_EXPECT_EQ(test, pvclock_read_with(cb, fake_tsc_read, &tg),
			5000ULL);
	fake_tsc = 1001000;
	a = rd();
	KUNIT_EXPECT_EQ(test, a, 6000ULL);
	/* 0.875 ns/tick from tsc 1000500, where the old record said 5500. */
	WRITE_ONCE(rec->version, rec->version + 1);
	rec->tsc_timestamp = 1000500;
	rec->system_time = 5500;
	rec->tsc_to_system_mul = 0x70000000;
	WRITE_ONCE(rec->version, rec->version + 1);
	fake_tsc = 1001010;	/* the new record alone: 5946 */
	b = pvclock_read_with(cb, fake_tsc_read, &tg);
	KUNIT_EXPECT_GE(test, b, a);
	KUNIT_EXPECT_EQ(test, b, 6010ULL);
	KUNIT_EXPECT_EQ(test, local_read(&cb->clamps), 1L);
	fake_tsc = 1001020;
	KUNIT_EXPECT_GE(test, rd(), b);
	/* Once the new record catches up, no clamp: 5500 + 1312. */
	fake_tsc = 1002000;
	KUNIT_EXPECT_EQ(test, rd(), 6812ULL);
	KUNIT_EXPECT_EQ(test, atomic64_read(&tg.last), 0LL);	/* never used */
}

/*
 * The high-water quantum on one CPU: a record without the stable bit, a
 * read every 10 ns, quantum 100 ns. Each read returns at most the quantum
 * less than the record says, never goes back, and the mark is written at
 * most once per quantum of clock time (with quantum 0, on every read).
 */
static void pvclock_guard_quantum(struct kunit *test)
{
	static const u64 quanta[] = { 100, 0 };
	u64 own, got, prev, mark, start;
	unsigned int i, q, writes;

	for (q = 0; q < ARRAY_SIZE(quanta); q++) {
		atomic64_set(&tg.last, 0);
		tg.quantum = quanta[q];
		rec_set(rec, fake_tsc, 5000 + q * 100000, 0x80000000);
		rec->flags = 0;
		start = fake_tsc;
		prev = 0;
		mark = 0;
		writes = 0;
		for (i = 0; i < 1000; i++) {
			fake_tsc += 10;
			own = 5000 + q * 100000 + (fake_tsc - start);
			got = rd();
			KUNIT_ASSERT_GE(test, got, prev);
			KUNIT_ASSERT_LE(test, got, own);
			KUNIT_ASSERT_GE(test, got + quanta[q], own);
			if ((u64)atomic64_read(&tg.last) != mark) {
				mark = atomic64_read(&tg.last);
				writes++;
			}
			prev = got;
		}
		if (quanta[q])
			KUNIT_EXPECT_LE(test, writes,
					(unsigned int)(10000 / quanta[q] + 1));
		else
			KUNIT_EXPECT_EQ(test, writes, 1000U);
	}
	KUNIT_EXPECT_EQ(test, local_read(&rc->clamps), 0L);
}

/*
 * Several threads, each a vCPU with a record of its own, skewed against
 * the others by up to 1.5 us and without the stable bit, one high-water
 * guard with a quantum: a read that starts after any other returned never
 * returns less, and none returns more than a quantum below its own record.
 */
#define GT_THREADS	4
#define GT_READS	20000
#define GT_QUANTUM	500

struct gt_vcpu {
	struct pvclock_vcpu_time_info rec;
	struct pvclock_cpu c;
	struct task_struct *task;
	u64 tsc;		/* the TSC of this thread's last read */
	unsigned long violations;
	unsigned long under;	/* more than a quantum below its record */
};

static struct gt_vcpu *gt;
static struct pvclock_guard *gt_guard;
static atomic64_t gt_tsc;	/* one TSC for every thread, 3 ticks a read */
static atomic64_t gt_done;	/* the largest value any read has returned */
static atomic_t gt_left;
static DECLARE_COMPLETION(gt_finished);

static u64 gt_tsc_read(void)
{
	u64 t = atomic64_add_return(3, &gt_tsc);
	unsigned int i;

	for (i = 0; i < GT_THREADS; i++)
		if (gt[i].task == current)
			gt[i].tsc = t;
	return t;
}

static int gt_fn(void *data)
{
	struct gt_vcpu *v = data;
	u64 before, got, own;
	unsigned int i;

	for (i = 0; i < GT_READS; i++) {
		before = atomic64_read(&gt_done);
		got = pvclock_read_with(&v->c, gt_tsc_read, gt_guard);
		if (got < before)
			v->violations++;
		own = v->rec.system_time + (v->tsc - v->rec.tsc_timestamp);
		if (got + GT_QUANTUM < own)
			v->under++;
		pvclock_atomic_max(&gt_done, got);
		if (!(i % 256))
			cond_resched();
	}
	if (atomic_dec_and_test(&gt_left))
		complete(&gt_finished);
	return 0;
}

static void pvclock_guard_threads(struct kunit *test)
{
	unsigned long clamps = 0, violations = 0, under = 0;
	unsigned int i, cpu = cpumask_first(cpu_online_mask);

	gt = kunit_kcalloc(test, GT_THREADS, sizeof(*gt), GFP_KERNEL);
	gt_guard = kunit_kzalloc(test, sizeof(*gt_guard), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, gt);
	KUNIT_ASSERT_NOT_NULL(test, gt_guard);
	gt_guard->quantum = GT_QUANTUM;
	atomic64_set(&gt_tsc, 1000000);
	atomic64_set(&gt_done, 0);
	atomic_set(&gt_left, GT_THREADS);
	reinit_completion(&gt_finished);
	for (i = 0; i < GT_THREADS; i++) {
		/* 1 ns a tick; vCPU i is (i * 1000) - 1500 ns off. */
		rec_set(&gt[i].rec, 1000000, 1000000 + i * 1000 - 1500,
			0x80000000);
		gt[i].rec.flags = 0;
		pvclock_cpu_init(&gt[i].c);
		gt[i].c.rec = &gt[i].rec;
		gt[i].task = kthread_create(gt_fn, &gt[i], "pvclock_gt/%u", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(gt[i].task));
		/* Spread over the online CPUs, several to a CPU if need be. */
		kthread_bind(gt[i].task, cpu);
		cpu = cpumask_next(cpu, cpu_online_mask);
		if (cpu >= nr_cpu_ids)
			cpu = cpumask_first(cpu_online_mask);
	}
	for (i = 0; i < GT_THREADS; i++)
		wake_up_process(gt[i].task);
	wait_for_completion(&gt_finished);
	for (i = 0; i < GT_THREADS; i++) {
		violations += gt[i].violations;
		under += gt[i].under;
		clamps += local_read(&gt[i].c.clamps);
	}
	KUNIT_EXPECT_EQ(test, violations, 0UL);
	KUNIT_EXPECT_EQ(test, under, 0UL);
	/* The lagging vCPUs were held to the leaders' published values. */
	KUNIT_EXPECT_GT(test, clamps, 0UL);
	KUNIT_EXPECT_GE(test, (u64)atomic64_read(&gt_guard->last), 1000000ULL);
}

/*
 * A read nested in an interrupt while this CPU rewrites its copy: it
 * neither uses the half-written copy nor takes a record itself.
 */
static void pvclock_nested_take(struct kunit *test)
{
	u64 a;

	KUNIT_EXPECT_EQ(test, rd(), 5000ULL);
	rc->taking = true;
	rc->good_src = &pvclock_no_record;
	rec_set(rec, fake_tsc, 8000, 0x80000000);
	fake_tsc += 10;
	a = rd();
	KUNIT_EXPECT_EQ(test, a, 8010ULL);
	KUNIT_EXPECT_EQ(test, local_read(&rc->updates), 1L);	/* no take */
	rc->taking = false;
	fake_tsc += 10;
	KUNIT_EXPECT_EQ(test, rd(), 8020ULL);
	KUNIT_EXPECT_EQ(test, local_read(&rc->updates), 2L);
}

#define MS	1000000ULL
#define SEC	1000000000ULL
/* 277 years in nanoseconds: what one rewritten calibration exchange gave. */
#define LEAP_277Y	(277ULL * 31557600ULL * SEC)

/* The stated bound, term by term (1 ns a tick). */
static void pvclock_step_bound_terms(struct kunit *test)
{
	struct pvclock_snap old = { .tsc_timestamp = 1000, .mul = 0x80000000,
				    .shift = 1 };
	struct pvclock_snap s = old;

	KUNIT_EXPECT_EQ(test, pvclock_step_bound(&old, &s, 1000), 100 * MS);
	/* 16 s since the new stamp counts as 8 s: 1/8 of it, 1 s. */
	s.tsc_timestamp = 1000;
	old.tsc_timestamp = 1000 + 16 * SEC;
	KUNIT_EXPECT_EQ(test, pvclock_step_bound(&old, &s, 1000 + 16 * SEC),
			1100 * MS);
	/* A good record 1024 s old: 1/2048 of it, 500 ms. */
	s.tsc_timestamp = 1000 + 1024 * SEC;
	old.tsc_timestamp = 1000;
	KUNIT_EXPECT_EQ(test, pvclock_step_bound(&old, &s, 1000 + 1024 * SEC),
			600 * MS);
	/* Everything at once, and a stamp in the future: 2 s at most. */
	s.tsc_timestamp = 1000;
	KUNIT_EXPECT_EQ(test, pvclock_step_bound(&old, &s, 1000 + 8192 * SEC),
			2 * SEC);
	s.tsc_timestamp = 2000;
	KUNIT_EXPECT_EQ(test, pvclock_step_bound(&old, &s, 1000), 100 * MS);
}

/*
 * A host throws the clock 277 years ahead (one rewritten calibration
 * exchange did), or 30 s back, or 8x fast: each record is refused,
 * counted once, and the last good record carries time on. A record that
 * agrees again is taken.
 */
static void pvclock_leap_refused(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, rd(), 5000ULL);
	rec_set(rec, fake_tsc, 5000 + LEAP_277Y, 0x80000000);
	fake_tsc += 100;
	KUNIT_EXPECT_EQ(test, rd(), 5100ULL);
	fake_tsc += 100;
	KUNIT_EXPECT_EQ(test, rd(), 5200ULL);
	KUNIT_EXPECT_EQ(test, local_read(&rc->leaps), 1L);
	KUNIT_EXPECT_EQ(test, local_read(&rc->invalid), 1L);
	KUNIT_EXPECT_EQ(test, local_read(&rc->updates), 1L);

	rec_set(rec, fake_tsc, 5200, 0x80000000);	/* agrees: taken */
	fake_tsc += 100;
	KUNIT_EXPECT_EQ(test, rd(), 5300ULL);
	KUNIT_EXPECT_EQ(test, local_read(&rc->updates), 2L);

	/* 30 s back: refused, not clamped (time would stand still). */
	fake_tsc += 30 * SEC + 100;
	rec_set(rec, fake_tsc, 5400, 0x80000000);
	KUNIT_EXPECT_EQ(test, rd(), 30 * SEC + 5400);
	KUNIT_EXPECT_EQ(test, local_read(&rc->clamps), 0L);
	KUNIT_EXPECT_EQ(test, local_read(&rc->leaps), 2L);

	/* 8 ns a tick from here on, continuous: the rate is refused. */
	rec_set(rec, fake_tsc, 30 * SEC + 5400, 0x80000000);
	rec->tsc_shift = 4;
	WRITE_ONCE(rec->version, rec->version + 2);
	fake_tsc += 1000;
	KUNIT_EXPECT_EQ(test, rd(), 30 * SEC + 6400);
	KUNIT_EXPECT_EQ(test, local_read(&rc->leaps), 3L);
	KUNIT_EXPECT_EQ(test, local_read(&rc->updates), 2L);
	KUNIT_EXPECT_EQ(test, local_read(&rc->rebases), 0L);
}

/*
 * Lies the ABI allows, each for a few seconds and then repaired: records
 * 30 s ahead for 3 s, an 8x rate for 2 s. Time never stands still and
 * never leaps: every read, 10 ms apart, is 10 ms on. A host that insists
 * for PVCLOCK_INSIST_NS is followed, without a step, and counted.
 */
static void pvclock_lie_recovery(struct kunit *test)
{
	u64 t, prev, truth0 = 5000, tsc0 = fake_tsc;
	unsigned int i;

	tg.peers_last = NULL;
	prev = rd();
	KUNIT_EXPECT_EQ(test, prev, 5000ULL);
	/* 30 s ahead for 3 s. */
	rec_set(rec, fake_tsc, truth0 + 30 * SEC, 0x80000000);
	for (i = 0; i < 300; i++) {
		fake_tsc += 10 * MS;
		t = rd();
		KUNIT_ASSERT_EQ(test, t - prev, 10 * MS);
		prev = t;
	}
	/* The host insisted past 2 s: followed once, continuously. */
	KUNIT_EXPECT_EQ(test, local_read(&rc->rebases), 1L);
	KUNIT_EXPECT_TRUE(test, tg.epoch_guard);
	/* Repaired: the true time, 30 s behind what the guest follows. */
	rec_set(rec, fake_tsc, truth0 + (fake_tsc - tsc0), 0x80000000);
	for (i = 0; i < 300; i++) {
		fake_tsc += 10 * MS;
		t = rd();
		KUNIT_ASSERT_EQ(test, t - prev, 10 * MS);
		prev = t;
	}
	KUNIT_EXPECT_EQ(test, local_read(&rc->rebases), 2L);
	KUNIT_EXPECT_EQ(test, rc->rebase, 0LL);
	KUNIT_EXPECT_EQ(test, local_read(&rc->clamps), 0L);

	/* 8 ns a tick for 2 s, then repaired: refused at once. */
	rec_set(rec, fake_tsc, prev, 0x80000000);
	rec->tsc_shift = 4;
	WRITE_ONCE(rec->version, rec->version + 2);
	for (i = 0; i < 150; i++) {
		fake_tsc += 10 * MS;
		t = rd();
		KUNIT_ASSERT_EQ(test, t - prev, 10 * MS);
		prev = t;
		if (i == 100)
			rec_set(rec, fake_tsc, t, 0x80000000);
	}
	KUNIT_EXPECT_EQ(test, local_read(&rc->rebases), 2L);
	KUNIT_EXPECT_EQ(test, local_read(&rc->leaps), 3L);
	KUNIT_EXPECT_EQ(test, local_read(&rc->clamps), 0L);
}

/*
 * No copy to read (records held odd from the start, as after a rebind):
 * the read returns the cross-CPU mark and every CPU's own, not only its
 * own last value.
 */
static u64 peers_value;

static u64 peers_fn(void)
{
	return peers_value;
}

static void pvclock_no_copy_guarded(struct kunit *test)
{
	WRITE_ONCE(rec->version, 1);
	atomic64_set(&tg.last, 7000);
	KUNIT_EXPECT_EQ(test, rd(), 7000ULL);
	KUNIT_EXPECT_EQ(test, local_read(&rc->stuck), 1L);
	peers_value = 9000;
	tg.peers_last = peers_fn;
	KUNIT_EXPECT_EQ(test, rd(), 9000ULL);
	rc->rec = NULL;
	peers_value = 9500;
	KUNIT_EXPECT_EQ(test, rd(), 9500ULL);
	KUNIT_EXPECT_EQ(test, local_read(&rc->nosource), 1L);
	KUNIT_EXPECT_EQ(test, (u64)local64_read(&rc->last), 9500ULL);
}

/*
 * A resume or a Xen save/restore: the host's system_time restarts lower,
 * then the TSC restarts too. The first record after the resume continues
 * from the largest value returned, and time goes on at once rather than
 * standing still until the new records catch up. A TSC gone back behind
 * the last good record without a resume is followed the same way.
 */
static void pvclock_resume_rebase(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, rd(), 5000ULL);
	fake_tsc += 1000;
	KUNIT_EXPECT_EQ(test, rd(), 6000ULL);
	pvclock_cpu_resume(rc);
	rec_set(rec, fake_tsc, 100, 0x80000000);
	fake_tsc += 10;
	KUNIT_EXPECT_EQ(test, rd(), 6000ULL);
	fake_tsc += 500;
	KUNIT_EXPECT_EQ(test, rd(), 6500ULL);
	/* The TSC restarts as well. */
	pvclock_cpu_resume(rc);
	fake_tsc = 2000;
	rec_set(rec, 1900, 50, 0x80000000);
	KUNIT_EXPECT_EQ(test, rd(), 6500ULL);
	fake_tsc += 100;
	KUNIT_EXPECT_EQ(test, rd(), 6600ULL);
	KUNIT_EXPECT_EQ(test, local_read(&rc->clamps), 0L);
	KUNIT_EXPECT_EQ(test, local_read(&rc->backwards), 0L);
	/*
	 * No resume seen, and the TSC restarts 3 s behind the last good
	 * record: followed from the mark at once. (A TSC a little behind, as
	 * vCPUs' TSCs disagree, is clamped as usual: pvclock_late_publication.)
	 */
	fake_tsc = 3 * SEC;
	rec_set(rec, fake_tsc, 50 + 3 * SEC - 1900, 0x80000000);
	KUNIT_EXPECT_EQ(test, rd(), 6600 + 3 * SEC - 2100);
	fake_tsc = 1000;
	rec_set(rec, 900, 10, 0x80000000);
	KUNIT_EXPECT_EQ(test, rd(), 6600 + 3 * SEC - 2100);
	fake_tsc += 100;
	KUNIT_EXPECT_EQ(test, rd(), 6700 + 3 * SEC - 2100);
	KUNIT_EXPECT_EQ(test, local_read(&rc->rebases), 1L);
	KUNIT_EXPECT_EQ(test, local_read(&rc->leaps), 0L);
	KUNIT_EXPECT_EQ(test, local_read(&rc->clamps), 0L);
}

static struct kunit_case pvclock_reader_cases[] = {
	KUNIT_CASE(pvclock_version_mid_read),
	KUNIT_CASE(pvclock_version_known),
	KUNIT_CASE(pvclock_stuck_odd),
	KUNIT_CASE(pvclock_stuck_from_start),
	KUNIT_CASE(pvclock_flapping),
	KUNIT_CASE(pvclock_absurd_mul),
	KUNIT_CASE(pvclock_host_backwards),
	KUNIT_CASE(pvclock_guest_stopped),
	KUNIT_CASE(pvclock_cross_cpu_guard),
	KUNIT_CASE(pvclock_rate_changes),
	KUNIT_CASE(pvclock_late_publication),
	KUNIT_CASE(pvclock_shared_record_floor),
	KUNIT_CASE(pvclock_guard_quantum),
	KUNIT_CASE(pvclock_guard_threads),
	KUNIT_CASE(pvclock_nested_take),
	KUNIT_CASE(pvclock_step_bound_terms),
	KUNIT_CASE(pvclock_leap_refused),
	KUNIT_CASE(pvclock_lie_recovery),
	KUNIT_CASE(pvclock_no_copy_guarded),
	KUNIT_CASE(pvclock_resume_rebase),
	{}
};

static struct kunit_suite pvclock_reader_suite = {
	.name = "pvclock_reader",
	.init = pvclock_reader_init,
	.test_cases = pvclock_reader_cases,
};

/* The module bound to a test backend. */
struct test_host {
	struct pvclock_vcpu_time_info *recs;	/* nr_cpu_ids of them */
	struct pvclock_vcpu_time_info *alt;	/* a re-registered one */
	int alt_cpu;
	struct pvhc_clock_pairing pairing;
};

static struct test_host th;
static bool th_registered;

static int th_clock(void *priv, unsigned int cpu,
		    const struct pvclock_vcpu_time_info **r)
{
	struct test_host *h = priv;

	*r = (int)cpu == h->alt_cpu ? h->alt : &h->recs[cpu];
	return 0;
}

static int th_pairing(void *priv, struct pvhc_clock_pairing *out)
{
	*out = ((struct test_host *)priv)->pairing;
	return 0;
}

static const struct pvhc_backend_ops th_ops = {
	.clock_record = th_clock,
	.clock_pairing = th_pairing,
};

static struct pvhc_backend th_backend = {
	.name = "pvclock-test",
	.priority = PVHC_PRIO_TEST,
	.features = BIT(PVHC_FEAT_CLOCK) | BIT(PVHC_FEAT_CLOCK_PAIRING),
	.ops = &th_ops,
	.priv = &th,
	.owner = THIS_MODULE,
};

/*
 * The TSC's own rate, as the kernel calibrated it: where another source
 * was bound before (pvhost, in a lane with a pvhostd), the first record
 * of the test backend is judged against its last good copy, and a rate
 * that differs by more than PVCLOCK_STEP_RATE_SHIFT allows is refused.
 */
static void th_scale(u32 *mul, s8 *shift)
{
	u64 scaled = div_u64(1000000ULL << 32, max(tsc_khz, 1U));
	s8 sh = 0;

	while (scaled >= BIT_ULL(32)) {
		scaled >>= 1;
		sh++;
	}
	while (scaled < BIT_ULL(31)) {
		scaled <<= 1;
		sh--;
	}
	*mul = scaled;
	*shift = sh;
}

static void th_fill(struct pvclock_vcpu_time_info *r)
{
	r->version = 2;
	r->tsc_timestamp = rdtsc_ordered();
	r->system_time = 1000000000ULL;
	th_scale(&r->tsc_to_system_mul, &r->tsc_shift);
	r->flags = PVCLOCK_TSC_STABLE_BIT;
}

static int pvclock_source_init(struct kunit *test)
{
	char name[PVHC_NAME_MAX];
	unsigned int cpu;
	int ret;

	th.recs = kcalloc(nr_cpu_ids, sizeof(*th.recs), GFP_KERNEL);
	th.alt = kzalloc(sizeof(*th.alt), GFP_KERNEL);
	if (!th.recs || !th.alt) {
		ret = -ENOMEM;
		goto free;
	}
	th.alt_cpu = -1;
	for_each_possible_cpu(cpu)
		th_fill(&th.recs[cpu]);
	th_fill(th.alt);
	ret = pvhc_backend_register(&th_backend);
	if (ret)
		goto free;
	th_registered = true;
	pvclock_health_run();
	pvclock_source_name(name);
	if (strcmp(name, th_backend.name)) {
		kunit_err(test, "pvclock bound to %s, not the test backend\n",
			  name);
		pvhc_backend_unregister(&th_backend);
		th_registered = false;
		ret = -ENODEV;
		goto free;
	}
	return 0;
free:
	kfree(th.alt);
	kfree(th.recs);
	return ret;
}

static void pvclock_source_exit(struct kunit *test)
{
	if (th_registered)
		pvhc_backend_unregister(&th_backend);
	th_registered = false;
	kfree(th.alt);
	kfree(th.recs);
}

static unsigned int test_rewrites;

static void th_rewrites_this_cpu(void)
{
	struct pvclock_vcpu_time_info *r = &th.recs[smp_processor_id()];

	if (test_rewrites++)
		return;
	WRITE_ONCE(r->version, r->version + 1);
	r->system_time += 1000000;
	WRITE_ONCE(r->version, r->version + 1);
}

static u64 th_tsc(void)
{
	th_rewrites_this_cpu();
	return rdtsc_ordered();
}

/* The test backend rewrites this CPU's record in the middle of a read. */
static void pvclock_backend_mid_read(struct kunit *test)
{
	struct pvclock_cpu *c;
	unsigned long before;
	u64 t0, t1;

	preempt_disable();
	c = pvclock_cpu_state(smp_processor_id());
	KUNIT_EXPECT_PTR_EQ(test, c->rec,
			    (const struct pvclock_vcpu_time_info *)
			    &th.recs[smp_processor_id()]);
	test_rewrites = 1;
	t0 = pvclock_now_with(th_tsc);
	before = local_read(&c->retries);
	test_rewrites = 0;
	t1 = pvclock_now_with(th_tsc);
	KUNIT_EXPECT_EQ(test, local_read(&c->retries), before + 1);
	KUNIT_EXPECT_EQ(test, c->good.version,
			th.recs[smp_processor_id()].version);
	preempt_enable();
	/* The rewrite moved time 1 ms on; the read saw the new record. */
	KUNIT_EXPECT_GE(test, t1, t0 + 1000000);
}

/* CPU hotplug: a CPU that comes back online reads its (new) record. */
static void pvclock_hotplug(struct kunit *test)
{
	unsigned int cpu = cpumask_last(cpu_online_mask);
	long events = pvclock_hotplug_count();
	int ret;

	if (num_online_cpus() < 2 || !cpu)
		kunit_skip(test, "needs a second online CPU");
	ret = remove_cpu(cpu);
	if (ret)
		kunit_skip(test, "CPU %u cannot go offline (%d)", cpu, ret);
	th.alt_cpu = cpu;	/* as Xen re-registers an area on online */
	ret = add_cpu(cpu);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_EXPECT_GT(test, pvclock_hotplug_count(), events);
	KUNIT_EXPECT_PTR_EQ(test, pvclock_cpu_state(cpu)->rec,
			    (const struct pvclock_vcpu_time_info *)th.alt);
	KUNIT_EXPECT_FALSE(test, pvclock_cpu_state(cpu)->borrowed);
	th.alt_cpu = -1;
}

/*
 * The source goes away: frozen copies, time continues, rating dropped.
 * Where another backend also serves the clock (pvhost, in a lane with a
 * pvhostd), pvclock moves to it instead, and time continues the same.
 */
static void pvclock_source_gone(struct kunit *test)
{
	char name[PVHC_NAME_MAX];
	const char *other;
	unsigned int cpu;
	u64 t0, t1;

	t0 = pvclock_now();
	pvhc_backend_unregister(&th_backend);
	th_registered = false;
	other = pvhc_has_feature(PVHC_FEAT_CLOCK) ?
		pvhc_feature_source(PVHC_FEAT_CLOCK) : NULL;
	/* Frozen, or already on the other source if a rebinding ran. */
	pvclock_source_name(name);
	if (strcmp(name, "none"))
		KUNIT_EXPECT_STREQ(test, name, other ? other : "none");
	/* The records are gone; reads use the module's own copies. */
	memset(th.recs, 0xff, nr_cpu_ids * sizeof(*th.recs));
	t1 = pvclock_now();
	KUNIT_EXPECT_GE(test, t1, t0);
	KUNIT_EXPECT_LT(test, t1 - t0, 10ULL * NSEC_PER_SEC);
	pvclock_health_run();
	pvclock_source_name(name);
	KUNIT_EXPECT_STREQ(test, name, other ? other : "none");
	if (!other)
		KUNIT_EXPECT_EQ(test, pvclock_rating_now(), 1);
	else
		kunit_info(test, "source %s took over: no frozen copies to see",
			   other);
	pvclock_rating_set(10);
	/* Back again: a new epoch continuing where the copies are. */
	for_each_possible_cpu(cpu) {
		th_fill(&th.recs[cpu]);
		th.recs[cpu].system_time = 1;	/* far behind the frozen time */
	}
	KUNIT_ASSERT_EQ(test, pvhc_backend_register(&th_backend), 0);
	th_registered = true;
	pvclock_health_run();
	pvclock_source_name(name);
	KUNIT_EXPECT_STREQ(test, name, th_backend.name);
	KUNIT_EXPECT_GE(test, pvclock_now(), t1);
}

/*
 * Monotonic across CPUs through a freeze and a rebind whose new records
 * are held odd just after it: a thread on every online CPU reads
 * pvclock_now() against the largest value any of them returned.
 */
static atomic64_t rb_max;
static atomic_long_t rb_bad;
static atomic_long_t rb_reads;
static bool rb_stop;

static int rb_fn(void *unused)
{
	u64 seen, t;
	unsigned long n = 0;

	while (!READ_ONCE(rb_stop)) {
		seen = atomic64_read(&rb_max);
		t = pvclock_now();
		if (t < seen)
			atomic_long_inc(&rb_bad);
		pvclock_atomic_max(&rb_max, t);
		if (!(++n % 64))
			cond_resched();
	}
	atomic_long_add(n, &rb_reads);
	return 0;
}

static void th_hold_odd(bool odd)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		WRITE_ONCE(th.recs[cpu].version,
			   (th.recs[cpu].version | 1) + !odd);
}

static void pvclock_rebind_threads(struct kunit *test)
{
	struct task_struct **tasks;
	char name[PVHC_NAME_MAX];
	unsigned int cpu, n = 0;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two online CPUs");
	tasks = kunit_kcalloc(test, nr_cpu_ids, sizeof(*tasks), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tasks);
	atomic64_set(&rb_max, 0);
	atomic_long_set(&rb_bad, 0);
	atomic_long_set(&rb_reads, 0);
	WRITE_ONCE(rb_stop, false);
	for_each_online_cpu(cpu) {
		tasks[cpu] = kthread_create(rb_fn, NULL, "pvclock_rb/%u", cpu);
		KUNIT_ASSERT_FALSE(test, IS_ERR(tasks[cpu]));
		kthread_bind(tasks[cpu], cpu);
		get_task_struct(tasks[cpu]);
		wake_up_process(tasks[cpu]);
		n++;
	}
	msleep(20);
	/* The source goes away: frozen copies. */
	pvhc_backend_unregister(&th_backend);
	th_registered = false;
	msleep(20);
	/* It comes back far behind, and holds its records odd at once. */
	for_each_possible_cpu(cpu) {
		th_fill(&th.recs[cpu]);
		th.recs[cpu].system_time = 1;
	}
	KUNIT_ASSERT_EQ(test, pvhc_backend_register(&th_backend), 0);
	th_registered = true;
	pvclock_health_run();
	th_hold_odd(true);
	msleep(20);
	th_hold_odd(false);
	msleep(20);
	/* Bound again, then held odd again: records not readable. */
	th_hold_odd(true);
	msleep(20);
	th_hold_odd(false);
	msleep(20);
	WRITE_ONCE(rb_stop, true);
	for_each_online_cpu(cpu) {
		if (tasks[cpu]) {
			kthread_stop(tasks[cpu]);
			put_task_struct(tasks[cpu]);
		}
	}
	pvclock_source_name(name);
	KUNIT_EXPECT_STREQ(test, name, th_backend.name);
	kunit_info(test, "%ld reads on %u CPUs\n", atomic_long_read(&rb_reads), n);
	KUNIT_EXPECT_GT(test, atomic_long_read(&rb_reads), (long)n);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&rb_bad), 0L);
	pvclock_rating_set(10);
}

/*
 * The module through a resume whose records restart a second behind:
 * time goes on at once (before, it stood still until the records caught
 * up with the high-water marks).
 */
static void pvclock_resume_module(struct kunit *test)
{
	unsigned int cpu;
	u64 t0, t1, t2;

	t0 = pvclock_now();
	pvclock_resume_all();
	for_each_possible_cpu(cpu)
		th_fill(&th.recs[cpu]);	/* 1 s, far behind the epoch */
	t1 = pvclock_now();
	msleep(20);
	t2 = pvclock_now();
	KUNIT_EXPECT_GE(test, t1, t0);
	KUNIT_EXPECT_LT(test, t1 - t0, 1000000000ULL);
	KUNIT_EXPECT_GE(test, t2 - t1, 10000000ULL);
}

/* pvclock_now() on the CPU it runs on, into *(u64 *)arg. */
static long rl_now(void *arg)
{
	*(u64 *)arg = pvclock_now();
	return 0;
}

/* The largest step from @t0 pvclock_now() makes on any online CPU. */
static u64 rl_worst(struct kunit *test, u64 t0)
{
	unsigned int cpu;
	u64 t, worst = 0;

	for_each_online_cpu(cpu) {
		t = t0;
		KUNIT_EXPECT_EQ(test, work_on_cpu(cpu, rl_now, &t), 0L);
		if (t - t0 > worst)
			worst = t - t0;
	}
	return worst;
}

/* The test backend writes every record @ahead_ns ahead, as a host may. */
static void th_lie(u64 ahead_ns)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct pvclock_vcpu_time_info *r = &th.recs[cpu];

		WRITE_ONCE(r->version, r->version + 1);
		smp_wmb();	/* odd before the contents change */
		r->system_time += ahead_ns;
		smp_wmb();	/* the contents before the version is even */
		WRITE_ONCE(r->version, r->version + 1);
	}
}

static long rl_leaps(void)
{
	unsigned int cpu;
	long n = 0;

	for_each_possible_cpu(cpu)
		n += local_read(&pvclock_cpu_state(cpu)->leaps);
	return n;
}

/*
 * The source comes back and lies at once: right after the rebinding,
 * before the CPUs read again, every record jumps 277 years ahead. Each
 * CPU judges its first new record against its copy from before and
 * refuses it. (A rebinding once made every CPU forget its copy, and a
 * CPU whose first read came after the lie took it unjudged.)
 */
static void pvclock_rebind_lie(struct kunit *test)
{
	char name[PVHC_NAME_MAX];
	unsigned int cpu;
	long leaps;
	u64 t0;

	t0 = pvclock_now();
	KUNIT_EXPECT_LT(test, rl_worst(test, t0), 10 * SEC);
	pvhc_backend_unregister(&th_backend);
	th_registered = false;
	for_each_possible_cpu(cpu)
		th_fill(&th.recs[cpu]);
	KUNIT_ASSERT_EQ(test, pvhc_backend_register(&th_backend), 0);
	th_registered = true;
	pvclock_health_run();
	pvclock_source_name(name);
	KUNIT_ASSERT_STREQ(test, name, th_backend.name);
	leaps = rl_leaps();
	th_lie(LEAP_277Y);
	KUNIT_EXPECT_LT(test, rl_worst(test, t0), 10 * SEC);
	KUNIT_EXPECT_GT(test, rl_leaps(), leaps);
	pvclock_rating_set(10);
}

/*
 * The same lie, then the source goes away: the frozen copies are the last
 * good records, not what the host wrote last; a CPU with no good record
 * has no copy (it reads the marks) rather than a copy of the lie.
 */
static void pvclock_freeze_lie(struct kunit *test)
{
	unsigned int cpu;
	u64 t0;

	t0 = pvclock_now();
	KUNIT_EXPECT_LT(test, rl_worst(test, t0), 10 * SEC);
	pvhc_backend_unregister(&th_backend);
	th_registered = false;
	for_each_possible_cpu(cpu)
		th_fill(&th.recs[cpu]);
	KUNIT_ASSERT_EQ(test, pvhc_backend_register(&th_backend), 0);
	th_registered = true;
	pvclock_health_run();
	th_lie(LEAP_277Y);
	pvhc_backend_unregister(&th_backend);
	th_registered = false;
	KUNIT_EXPECT_LT(test, rl_worst(test, t0), 10 * SEC);
	pvclock_rating_set(10);
}

struct th_removing {
	struct notifier_block nb;
	char source[PVHC_NAME_MAX];
	bool seen;
};

/* After pvclock's own notifier (registered first): it froze its copies. */
static int th_removing_fn(struct notifier_block *nb, unsigned long event,
			  void *data)
{
	struct th_removing *r = container_of(nb, struct th_removing, nb);

	if (event != PVHC_BACKEND_REMOVING || data != &th_backend)
		return NOTIFY_DONE;
	/* The backend still serves the clock: a rebinding now must wait. */
	pvclock_health_run();
	pvclock_source_name(r->source);
	r->seen = true;
	return NOTIFY_OK;
}

static bool th_owns(const struct pvclock_vcpu_time_info *rec)
{
	unsigned long p = (unsigned long)rec;

	return (p >= (unsigned long)th.recs &&
		p < (unsigned long)(th.recs + nr_cpu_ids)) ||
	       p == (unsigned long)th.alt;
}

/*
 * A health check while the source is being removed: the backend still
 * answers, and its records go when the removal ends. Binding to them then
 * left every CPU reading freed memory, the removal already past.
 */
static void pvclock_rebind_while_removing(struct kunit *test)
{
	struct th_removing *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	unsigned int cpu;

	KUNIT_ASSERT_NOT_NULL(test, r);
	r->nb.notifier_call = th_removing_fn;
	KUNIT_ASSERT_EQ(test, pvhc_notifier_register(&r->nb), 0);
	pvhc_backend_unregister(&th_backend);
	th_registered = false;
	KUNIT_EXPECT_EQ(test, pvhc_notifier_unregister(&r->nb), 0);
	KUNIT_EXPECT_TRUE(test, r->seen);
	KUNIT_EXPECT_STRNEQ(test, r->source, th_backend.name);
	KUNIT_EXPECT_EQ(test, pvhc_generation() & 1, 0UL);
	pvclock_health_run();
	cpus_read_lock();
	for_each_possible_cpu(cpu)
		KUNIT_EXPECT_FALSE_MSG(test,
				       th_owns(READ_ONCE(pvclock_cpu_state(cpu)->rec)),
				       "CPU %u still reads the removed backend's record",
				       cpu);
	cpus_read_unlock();
}

static void pvclock_ptp_math(struct kunit *test)
{
	struct pvhc_clock_pairing cp = { .sec = 100, .nsec = 999999000,
					 .tsc = 1000000 };
	struct pvclock_snap s = { .mul = 0x80000000, .shift = 1 };
	s64 ns;

	KUNIT_EXPECT_EQ(test, pvclock_ptp_time(&cp, &s, 1002000, &ns), 0);
	KUNIT_EXPECT_EQ(test, ns, 101LL * NSEC_PER_SEC + 1000);
	KUNIT_EXPECT_EQ(test, pvclock_ptp_time(&cp, &s, 999000, &ns), 0);
	KUNIT_EXPECT_EQ(test, ns, 100LL * NSEC_PER_SEC + 999998000);
}

/*
 * Host values that do not fit: a second count whose product with
 * NSEC_PER_SEC overflows, one that fits but not with the elapsed time
 * added, and a TSC too far from the pairing's. Refused, never wrapped.
 */
static void pvclock_ptp_overflow(struct kunit *test)
{
	struct pvhc_clock_pairing cp = { .sec = S64_MAX / 1000, .nsec = 0,
					 .tsc = 1000000 };
	struct pvclock_snap s = { .mul = 0x80000000, .shift = 1 };
	s64 ns = 12345;

	KUNIT_EXPECT_EQ(test, pvclock_ptp_time(&cp, &s, 1000000, &ns), -ERANGE);
	KUNIT_EXPECT_EQ(test, ns, 12345LL);
	/* 9223372035 s + 999999999 ns fits; 2 s more does not. */
	cp.sec = S64_MAX / NSEC_PER_SEC - 1;
	cp.nsec = 999999999;
	KUNIT_EXPECT_EQ(test, pvclock_ptp_time(&cp, &s, 1000000, &ns), 0);
	KUNIT_EXPECT_EQ(test,
			pvclock_ptp_time(&cp, &s, 1000000 + 2 * NSEC_PER_SEC,
					 &ns), -ERANGE);
	cp.sec = 100;
	KUNIT_EXPECT_EQ(test, pvclock_ptp_time(&cp, &s, 1000000 + (1ULL << 45),
					       &ns), -ERANGE);
	KUNIT_EXPECT_EQ(test, pvclock_ptp_time(&cp, &s, 0, &ns), 0);
	KUNIT_EXPECT_EQ(test, ns, 100LL * NSEC_PER_SEC + 999999999 - 1000000);
}

static struct kunit_case pvclock_source_cases[] = {
	KUNIT_CASE(pvclock_backend_mid_read),
	KUNIT_CASE(pvclock_hotplug),
	KUNIT_CASE(pvclock_source_gone),
	KUNIT_CASE(pvclock_rebind_threads),
	KUNIT_CASE(pvclock_resume_module),
	KUNIT_CASE(pvclock_rebind_lie),
	KUNIT_CASE(pvclock_freeze_lie),
	KUNIT_CASE(pvclock_rebind_while_removing),
	KUNIT_CASE(pvclock_ptp_math),
	KUNIT_CASE(pvclock_ptp_overflow),
	{}
};

static struct kunit_suite pvclock_source_suite = {
	.name = "pvclock_source",
	.init = pvclock_source_init,
	.exit = pvclock_source_exit,
	.test_cases = pvclock_source_cases,
};

kunit_test_suites(&pvclock_math_suite, &pvclock_reader_suite,
		  &pvclock_source_suite);

MODULE_DESCRIPTION("KUnit tests for pvclock");
MODULE_LICENSE("GPL");
MODULE_INFO(test, "Y");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
