// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for pvspinlock: the lock forms and what they disable, mutual
 * exclusion under kthreads on every CPU, the FIFO order of tickets,
 * lockdep and the per-class counters; then, against a test pvhc backend
 * (priority PVHC_PRIO_TEST) that plays the host, a preempted holder's
 * waiters asking for yields and a boost and still getting the lock, a host
 * that never clears the flag or answers garbage, and pvmutex waiters that
 * sleep at once when the owner's vCPU is preempted.
 *
 * Tests that need waiters spinning on other CPUs skip on fewer than three.
 */
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/irq_work.h>
#include <linux/kthread.h>
#include <linux/lockdep.h>
#include <linux/module.h>
#include <linux/preempt.h>
#include <linux/pvhc.h>
#include <linux/pvspinlock.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/sched/task.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "pvspinlock_internal.h"

#define TW_MAX		4	/* waiter kthreads at most */
#define TW_TIMEOUT_MS	10000	/* any wait of a test, bounded */

/* Spin (preemption may be off) until @cond or @ms pass; the last @cond. */
#define spin_until(cond, ms)						\
({									\
	u64 __end = local_clock() + (u64)(ms) * NSEC_PER_MSEC;		\
	bool __ok;							\
									\
	while (!(__ok = (cond)) && local_clock() < __end)		\
		cpu_relax();						\
	__ok;								\
})

/* ---- waiters: kthreads bound to a CPU that take a lock once ---- */

struct tw {
	struct task_struct *task;
	struct pvspinlock *lock;
	struct pvmutex *mutex;
	atomic_t *seq;
	int order;			/* 1 + how many took the lock before */
	int cpu;
	bool woken;
	struct completion done;
};

static int tw_fn(void *arg)
{
	struct tw *w = arg;

	if (w->mutex) {
		pvmutex_lock(w->mutex);
		w->order = atomic_inc_return(w->seq);
		pvmutex_unlock(w->mutex);
	} else {
		pvspinlock_lock(w->lock);
		w->order = atomic_inc_return(w->seq);
		pvspinlock_unlock(w->lock);
	}
	complete(&w->done);
	/* Stay until kthread_stop(). */
	set_current_state(TASK_INTERRUPTIBLE);
	while (!kthread_should_stop()) {
		schedule();
		set_current_state(TASK_INTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

/*
 * Create @n waiters (not started), each bound to an online CPU other than
 * this one. The caller has migration disabled. Return: 0 or -errno.
 */
static int tw_create(struct kunit *test, struct tw *w, int n,
		     struct pvspinlock *lock, struct pvmutex *mutex,
		     atomic_t *seq)
{
	int i, cpu = -1, self = raw_smp_processor_id();

	for (i = 0; i < n; i++) {
		do {
			cpu = cpumask_next(cpu, cpu_online_mask);
		} while (cpu == self);
		if (cpu >= nr_cpu_ids)
			return -ENODEV;
		memset(&w[i], 0, sizeof(w[i]));
		w[i].lock = lock;
		w[i].mutex = mutex;
		w[i].seq = seq;
		w[i].cpu = cpu;
		init_completion(&w[i].done);
		w[i].task = kthread_create(tw_fn, &w[i], "pvsl_tw/%d", i);
		if (IS_ERR(w[i].task)) {
			int ret = PTR_ERR(w[i].task);

			w[i].task = NULL;
			return ret;
		}
		get_task_struct(w[i].task);
		kthread_bind(w[i].task, cpu);
	}
	return 0;
}

static void tw_wake(struct tw *w)
{
	w->woken = true;
	wake_up_process(w->task);
}

/* Wait for each woken waiter (bounded), then stop and free them all. */
static void tw_finish(struct kunit *test, struct tw *w, int n)
{
	unsigned long timeout = msecs_to_jiffies(TW_TIMEOUT_MS);
	int i;

	for (i = 0; i < n; i++) {
		if (!w[i].task)
			continue;
		if (w[i].woken &&
		    !wait_for_completion_timeout(&w[i].done, timeout))
			KUNIT_FAIL(test, "waiter %d never got the lock", i);
		kthread_stop(w[i].task);
		put_task_struct(w[i].task);
		w[i].task = NULL;
	}
}

static void tw_init_locks(struct pvspinlock *lock, struct pvmutex *mutex)
{
	if (lock)
		pvspinlock_init(lock);
	if (mutex)
		pvmutex_init(mutex);
}

static void stats_delta(u16 id, const struct pvsl_stats *before,
			struct pvsl_stats *d)
{
	pvsl_class_stats(id, d);
	d->acquisitions -= before->acquisitions;
	d->contended -= before->contended;
	d->preempted -= before->preempted;
	d->yields_asked -= before->yields_asked;
	d->yields_granted -= before->yields_granted;
	d->boosts_asked -= before->boosts_asked;
	d->boosts_granted -= before->boosts_granted;
	d->sleeps -= before->sleeps;
	d->fallbacks -= before->fallbacks;
}

/* ---- pvspinlock: the forms, exclusion, order, lockdep, counters ---- */

/*
 * What a section saw, checked once it is over: a failed expectation
 * allocates, which must not happen with preemption or interrupts off.
 */
struct seen {
	bool locked;
	bool trylock;
	bool irqs_off;
	bool in_bh;
	bool held;		/* lockdep */
	int preempt;
};

static void seen_spin(struct seen *s, struct pvspinlock *l)
{
	s->locked = pvspinlock_is_locked(l);
	s->irqs_off = irqs_disabled();
	s->in_bh = in_softirq();
	s->preempt = preempt_count();
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	s->held = lock_is_held(&l->dep_map);
#endif
}

static void pvspinlock_lock_unlock(struct kunit *test)
{
	struct pvspinlock l;
	struct seen in = {}, tried = {};
	int pc = preempt_count();

	tw_init_locks(&l, NULL);
	KUNIT_EXPECT_FALSE(test, pvspinlock_is_locked(&l));
	pvspinlock_lock(&l);
	seen_spin(&in, &l);
	in.trylock = pvspinlock_trylock(&l);
	pvspinlock_unlock(&l);
	KUNIT_EXPECT_TRUE(test, in.locked);
	KUNIT_EXPECT_FALSE(test, in.trylock);
	if (IS_ENABLED(CONFIG_PREEMPT_COUNT))
		KUNIT_EXPECT_GT(test, in.preempt, pc);
	KUNIT_EXPECT_EQ(test, preempt_count(), pc);
	KUNIT_EXPECT_FALSE(test, pvspinlock_is_locked(&l));

	tried.trylock = pvspinlock_trylock(&l);
	if (tried.trylock) {
		seen_spin(&tried, &l);
		pvspinlock_unlock(&l);
	}
	KUNIT_ASSERT_TRUE(test, tried.trylock);
	KUNIT_EXPECT_TRUE(test, tried.locked);
	if (IS_ENABLED(CONFIG_PREEMPT_COUNT))
		KUNIT_EXPECT_GT(test, tried.preempt, pc);
	KUNIT_EXPECT_EQ(test, preempt_count(), pc);
	KUNIT_EXPECT_FALSE(test, pvspinlock_is_locked(&l));
}

static void pvspinlock_irqsave(struct kunit *test)
{
	struct pvspinlock l;
	struct seen in = {}, nested = {};
	unsigned long flags, outer;
	bool still_off;

	tw_init_locks(&l, NULL);
	KUNIT_ASSERT_FALSE(test, irqs_disabled());
	pvspinlock_lock_irqsave(&l, flags);
	seen_spin(&in, &l);
	pvspinlock_unlock_irqrestore(&l, flags);
	KUNIT_EXPECT_TRUE(test, in.irqs_off);
	KUNIT_EXPECT_TRUE(test, in.locked);
	KUNIT_EXPECT_FALSE(test, irqs_disabled());

	/* Interrupts already off stay off. */
	local_irq_save(outer);
	pvspinlock_lock_irqsave(&l, flags);
	seen_spin(&nested, &l);
	pvspinlock_unlock_irqrestore(&l, flags);
	still_off = irqs_disabled();
	local_irq_restore(outer);
	KUNIT_EXPECT_TRUE(test, nested.irqs_off);
	KUNIT_EXPECT_TRUE(test, nested.locked);
	KUNIT_EXPECT_TRUE(test, still_off);
	KUNIT_EXPECT_FALSE(test, irqs_disabled());
	KUNIT_EXPECT_FALSE(test, pvspinlock_is_locked(&l));
}

static void pvspinlock_bh(struct kunit *test)
{
	struct pvspinlock l;
	struct seen in = {};

	tw_init_locks(&l, NULL);
	KUNIT_ASSERT_FALSE(test, in_softirq());
	pvspinlock_lock_bh(&l);
	seen_spin(&in, &l);
	pvspinlock_unlock_bh(&l);
	KUNIT_EXPECT_TRUE(test, in.in_bh);
	KUNIT_EXPECT_TRUE(test, in.locked);
	KUNIT_EXPECT_FALSE(test, in_softirq());
	KUNIT_EXPECT_FALSE(test, pvspinlock_is_locked(&l));
}

static void pvspinlock_lockdep(struct kunit *test)
{
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	struct seen plain = {}, irq = {}, tried = {};
	struct pvspinlock l;
	struct pvmutex m;
	unsigned long flags;
	bool held;

	tw_init_locks(&l, &m);
	KUNIT_EXPECT_FALSE(test, lock_is_held(&l.dep_map));
	pvspinlock_lock(&l);
	seen_spin(&plain, &l);
	pvspinlock_unlock(&l);
	KUNIT_EXPECT_TRUE(test, plain.held);
	KUNIT_EXPECT_FALSE(test, lock_is_held(&l.dep_map));
	pvspinlock_lock_irqsave(&l, flags);
	seen_spin(&irq, &l);
	pvspinlock_unlock_irqrestore(&l, flags);
	KUNIT_EXPECT_TRUE(test, irq.held);
	if (pvspinlock_trylock(&l)) {
		seen_spin(&tried, &l);
		pvspinlock_unlock(&l);
	}
	KUNIT_EXPECT_TRUE(test, tried.held);
	KUNIT_EXPECT_FALSE(test, lock_is_held(&l.dep_map));

	KUNIT_EXPECT_FALSE(test, lock_is_held(&m.dep_map));
	pvmutex_lock(&m);
	held = lock_is_held(&m.dep_map);
	pvmutex_unlock(&m);
	KUNIT_EXPECT_TRUE(test, held);
	KUNIT_EXPECT_FALSE(test, lock_is_held(&m.dep_map));
	held = pvmutex_trylock(&m);
	if (held) {
		held = lock_is_held(&m.dep_map);
		pvmutex_unlock(&m);
	}
	KUNIT_EXPECT_TRUE(test, held);
	KUNIT_EXPECT_FALSE(test, lock_is_held(&m.dep_map));
#else
	kunit_skip(test, "no CONFIG_DEBUG_LOCK_ALLOC");
#endif
}

static void pvmutex_lock_unlock(struct kunit *test)
{
	struct pvmutex m;

	tw_init_locks(NULL, &m);
	KUNIT_EXPECT_FALSE(test, pvmutex_is_locked(&m));
	pvmutex_lock(&m);
	KUNIT_EXPECT_TRUE(test, pvmutex_is_locked(&m));
	KUNIT_EXPECT_FALSE(test, pvmutex_trylock(&m));
	pvmutex_unlock(&m);
	KUNIT_EXPECT_FALSE(test, pvmutex_is_locked(&m));
	KUNIT_ASSERT_TRUE(test, pvmutex_trylock(&m));
	KUNIT_EXPECT_TRUE(test, pvmutex_is_locked(&m));
	pvmutex_unlock(&m);
	KUNIT_EXPECT_FALSE(test, pvmutex_is_locked(&m));
}

/*
 * Threads on every CPU, a shared counter: nothing lost, nobody together.
 * Few turns: under TCG with more vCPUs than host cores each hand-over
 * waits for the host to run the next vCPU (milliseconds).
 */
#define PVSL_EXCL_ITERS	200U

static void pvspinlock_exclusion(struct kunit *test)
{
	static const enum pvsl_torture_kind kinds[] = {
		PVSL_T_SPIN, PVSL_T_SPIN_IRQ, PVSL_T_SPIN_BH, PVSL_T_PVMUTEX,
	};
	unsigned int threads = clamp(num_online_cpus(), 2U, 8U);
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		struct pvsl_torture t = {
			.kind = kinds[i],
			.threads = threads,
			.iterations = PVSL_EXCL_ITERS,
			.cs_loops = 8,
		};

		KUNIT_ASSERT_EQ(test, pvsl_torture_run(&t), 0);
		KUNIT_EXPECT_EQ_MSG(test, t.counter, t.expected, "%s",
				    pvsl_torture_name(t.kind));
		KUNIT_EXPECT_EQ_MSG(test, t.violations, 0ULL, "%s",
				    pvsl_torture_name(t.kind));
		KUNIT_EXPECT_EQ(test, t.expected, (u64)threads * PVSL_EXCL_ITERS);
	}
}

static void pvspinlock_torture_input(struct kunit *test)
{
	struct pvsl_torture t;

	KUNIT_EXPECT_EQ(test, pvsl_torture_parse("spin 4 100 3", &t), 0);
	KUNIT_EXPECT_EQ(test, t.kind, PVSL_T_SPIN);
	KUNIT_EXPECT_EQ(test, t.threads, 4U);
	KUNIT_EXPECT_EQ(test, t.iterations, 100U);
	KUNIT_EXPECT_EQ(test, t.cs_loops, 3U);
	KUNIT_EXPECT_EQ(test, pvsl_torture_parse("mutex 1 1", &t), 0);
	KUNIT_EXPECT_EQ(test, t.kind, PVSL_T_MUTEX);
	KUNIT_EXPECT_EQ(test, t.cs_loops, 0U);
	KUNIT_EXPECT_EQ(test, pvsl_torture_parse("spin 0 100", &t), -EINVAL);
	KUNIT_EXPECT_EQ(test, pvsl_torture_parse("spin 65 100", &t), -EINVAL);
	KUNIT_EXPECT_EQ(test, pvsl_torture_parse("spin 1 0", &t), -EINVAL);
	KUNIT_EXPECT_EQ(test, pvsl_torture_parse("spin 1 10000001", &t), -EINVAL);
	KUNIT_EXPECT_EQ(test, pvsl_torture_parse("spin 1 1 10001", &t), -EINVAL);
	KUNIT_EXPECT_EQ(test, pvsl_torture_parse("rwlock 1 1", &t), -EINVAL);
	KUNIT_EXPECT_EQ(test, pvsl_torture_parse("spin", &t), -EINVAL);
	KUNIT_EXPECT_EQ(test, pvsl_torture_parse("", &t), -EINVAL);
}

/* Waiters queued one by one get the lock in the order they queued. */
static void pvspinlock_fifo(struct kunit *test)
{
	struct pvspinlock l;
	struct tw w[TW_MAX] = {};
	atomic_t seq = ATOMIC_INIT(0);
	int i, n, ret;

	if (num_online_cpus() < 3)
		kunit_skip(test, "needs 3 online CPUs");
	n = min_t(int, num_online_cpus() - 1, TW_MAX);
	tw_init_locks(&l, NULL);
	migrate_disable();
	ret = tw_create(test, w, n, &l, NULL, &seq);
	if (ret) {
		migrate_enable();
		tw_finish(test, w, n);
		KUNIT_FAIL(test, "creating waiters: %d", ret);
		return;
	}
	pvspinlock_lock(&l);
	for (i = 0; i < n; i++) {
		tw_wake(&w[i]);
		/* Ticket i + 1 handed out: waiter i is queued. */
		if (!spin_until((u16)(atomic_read(&l.val) >> 16) == i + 2,
				TW_TIMEOUT_MS))
			break;
	}
	pvspinlock_unlock(&l);
	migrate_enable();
	KUNIT_EXPECT_EQ_MSG(test, i, n, "waiter %d did not queue", i);
	for (; i < n; i++)
		tw_wake(&w[i]);
	tw_finish(test, w, n);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ_MSG(test, w[i].order, i + 1, "waiter %d", i);
}

static void pvspinlock_counters(struct kunit *test)
{
	struct pvsl_stats before, d;
	struct pvspinlock l;
	struct tw w = {};
	atomic_t seq = ATOMIC_INIT(0);
	const char *name;
	bool queued;
	u16 next;
	int ret;

	tw_init_locks(&l, NULL);
	name = pvsl_class_name(l.class_id);
	KUNIT_ASSERT_NOT_NULL(test, name);
	KUNIT_EXPECT_STREQ(test, name, "pvspinlock_test:lock");

	pvsl_class_stats(l.class_id, &before);
	pvspinlock_lock(&l);
	pvspinlock_unlock(&l);
	KUNIT_ASSERT_TRUE(test, pvspinlock_trylock(&l));
	pvspinlock_unlock(&l);
	stats_delta(l.class_id, &before, &d);
	KUNIT_EXPECT_EQ(test, d.acquisitions, 2ULL);
	KUNIT_EXPECT_EQ(test, d.contended, 0ULL);

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs 2 online CPUs for a contended lock");
	pvsl_class_stats(l.class_id, &before);
	migrate_disable();
	ret = tw_create(test, &w, 1, &l, NULL, &seq);
	if (ret) {
		migrate_enable();
		tw_finish(test, &w, 1);
		KUNIT_FAIL(test, "creating the waiter: %d", ret);
		return;
	}
	pvspinlock_lock(&l);
	/* The tickets go on from the uncontended part: the next one is ours. */
	next = (u16)(atomic_read(&l.val) >> 16) + 1;
	tw_wake(&w);
	queued = spin_until((u16)(atomic_read(&l.val) >> 16) == next,
			    TW_TIMEOUT_MS);
	mdelay(2);
	pvspinlock_unlock(&l);
	migrate_enable();
	tw_finish(test, &w, 1);
	KUNIT_EXPECT_TRUE(test, queued);
	stats_delta(l.class_id, &before, &d);
	KUNIT_EXPECT_EQ(test, d.acquisitions, 2ULL);
	KUNIT_EXPECT_EQ(test, d.contended, 1ULL);
	/* It waited the 2 ms at least. */
	KUNIT_EXPECT_GE(test, d.max_wait_ns, 2 * NSEC_PER_MSEC);
}

static struct kunit_case pvspinlock_cases[] = {
	KUNIT_CASE(pvspinlock_lock_unlock),
	KUNIT_CASE(pvspinlock_irqsave),
	KUNIT_CASE(pvspinlock_bh),
	KUNIT_CASE(pvspinlock_lockdep),
	KUNIT_CASE(pvmutex_lock_unlock),
	KUNIT_CASE(pvspinlock_torture_input),
	KUNIT_CASE_SLOW(pvspinlock_exclusion),
	KUNIT_CASE(pvspinlock_fifo),
	KUNIT_CASE(pvspinlock_counters),
	{}
};

static struct kunit_suite pvspinlock_suite = {
	.name = "pvspinlock",
	.test_cases = pvspinlock_cases,
};

/* ---- pvspinlock_pv: against a test backend that plays the host ---- */

#define TB_NOBODY	-1
#define TB_EVERYONE	-2
#define TB_HOLDER	-3	/* becomes the holder's CPU once it holds */

static struct {
	int preempted_cpu;	/* TB_NOBODY, TB_EVERYONE or a CPU */
	int preempted_ret;	/* if not 0, what vcpu_preempted answers */
	int yield_ret;
	int boost_ret;
	atomic_t preempted_calls;
	atomic_t yields;
	atomic_t boosts_on;
	atomic_t boosts_off;
	int yield_cpu;		/* the last asked for */
	int boost_cpu;
} tb;

static int tb_vcpu_preempted(void *priv, unsigned int cpu)
{
	int p = READ_ONCE(tb.preempted_cpu), ret = READ_ONCE(tb.preempted_ret);

	atomic_inc(&tb.preempted_calls);
	if (ret)
		return ret;
	return p == TB_EVERYONE || p == (int)cpu;
}

/* Called with preemption and maybe interrupts off: count, never sleep. */
static int tb_yield_to(void *priv, int cpu)
{
	WRITE_ONCE(tb.yield_cpu, cpu);
	atomic_inc(&tb.yields);
	return READ_ONCE(tb.yield_ret);
}

static int tb_boost(void *priv, unsigned int cpu, bool on)
{
	WRITE_ONCE(tb.boost_cpu, cpu);
	atomic_inc(on ? &tb.boosts_on : &tb.boosts_off);
	return READ_ONCE(tb.boost_ret);
}

static const struct pvhc_backend_ops tb_ops = {
	.vcpu_preempted = tb_vcpu_preempted,
	.yield_to = tb_yield_to,
	.boost = tb_boost,
};

static struct pvhc_backend tb_backend = {
	.name = "pvsl-test",
	.priority = PVHC_PRIO_TEST,
	.features = BIT(PVHC_FEAT_PREEMPTED) | BIT(PVHC_FEAT_YIELD) |
		    BIT(PVHC_FEAT_BOOST),
	.ops = &tb_ops,
	.owner = THIS_MODULE,
};

static unsigned int tb_saved_yield_budget;
static bool tb_saved_boost;

static int pvspinlock_pv_init(struct kunit *test)
{
	int ret;

	memset(&tb, 0, sizeof(tb));
	tb.preempted_cpu = TB_NOBODY;
	tb.yield_cpu = -1;
	tb.boost_cpu = -1;
	tb_saved_yield_budget = READ_ONCE(pvsl_yield_budget);
	tb_saved_boost = READ_ONCE(pvsl_boost);
	WRITE_ONCE(pvsl_boost, true);
	ret = pvhc_backend_register(&tb_backend);
	if (ret)
		return ret;
	if (strcmp(pvhc_feature_source(PVHC_FEAT_PREEMPTED), tb_backend.name) ||
	    strcmp(pvhc_feature_source(PVHC_FEAT_BOOST), tb_backend.name)) {
		kunit_err(test, "pvhc does not route to the test backend\n");
		pvhc_backend_unregister(&tb_backend);
		return -ENODEV;
	}
	return 0;
}

static void pvspinlock_pv_exit(struct kunit *test)
{
	/* Every boost request is through before the backend goes. */
	pvsl_boost_flush();
	pvhc_backend_unregister(&tb_backend);
	WRITE_ONCE(pvsl_yield_budget, tb_saved_yield_budget);
	WRITE_ONCE(pvsl_boost, tb_saved_boost);
}

/* What the host must have seen before the holder lets go: at least this. */
struct tb_until {
	int yields;
	int boosts_on;
	int calls;		/* vcpu_preempted() calls */
};

static bool tb_until_met(const struct tb_until *u)
{
	return atomic_read(&tb.yields) >= u->yields &&
	       atomic_read(&tb.boosts_on) >= u->boosts_on &&
	       atomic_read(&tb.preempted_calls) >= u->calls;
}

/*
 * Hold @l here, with a waiter on another CPU and the host saying what tb
 * says (TB_HOLDER: this CPU is preempted); let go once @u is met or the
 * timeout. Return: whether @u was met; *@self the CPU that held the lock.
 */
static bool hold_with_waiter(struct kunit *test, struct pvspinlock *l,
			     struct tw *w, atomic_t *seq,
			     const struct tb_until *u, int *self)
{
	bool ok = false;
	int ret;

	migrate_disable();
	ret = tw_create(test, w, 1, l, NULL, seq);
	if (!ret) {
		pvspinlock_lock(l);
		*self = smp_processor_id();
		if (READ_ONCE(tb.preempted_cpu) == TB_HOLDER)
			WRITE_ONCE(tb.preempted_cpu, *self);
		tw_wake(w);
		ok = spin_until(tb_until_met(u), TW_TIMEOUT_MS);
		pvspinlock_unlock(l);
	}
	migrate_enable();
	tw_finish(test, w, 1);
	KUNIT_EXPECT_EQ(test, ret, 0);
	return ok;
}

/* A preempted holder: the waiter asks for a yield to it and a boost of it. */
static void pvspinlock_pv_preempted_holder(struct kunit *test)
{
	struct pvsl_stats before, d;
	struct pvspinlock l;
	struct tw w = {};
	atomic_t seq = ATOMIC_INIT(0);
	struct tb_until u;
	int self = -1;
	bool ok;

	if (num_online_cpus() < 3)
		kunit_skip(test, "needs 3 online CPUs (holder, waiter, boost work)");
	tw_init_locks(&l, NULL);
	pvsl_class_stats(l.class_id, &before);
	WRITE_ONCE(pvsl_yield_budget, 16);
	tb.preempted_cpu = TB_HOLDER;
	u = (struct tb_until){ .yields = 1, .boosts_on = 1 };
	ok = hold_with_waiter(test, &l, &w, &seq, &u, &self);
	KUNIT_EXPECT_TRUE_MSG(test, ok, "yields %d, boosts %d",
			      atomic_read(&tb.yields),
			      atomic_read(&tb.boosts_on));
	/* The waiter got the lock once released: no lost wake-up. */
	KUNIT_EXPECT_EQ(test, w.order, 1);
	KUNIT_EXPECT_EQ(test, READ_ONCE(tb.yield_cpu), self);
	KUNIT_EXPECT_EQ(test, READ_ONCE(tb.boost_cpu), self);
	pvsl_boost_flush();
	/* The waiter got the lock: its boost request is withdrawn. */
	KUNIT_EXPECT_EQ(test, atomic_read(&tb.boosts_off),
			atomic_read(&tb.boosts_on));
	stats_delta(l.class_id, &before, &d);
	KUNIT_EXPECT_EQ(test, d.contended, 1ULL);
	KUNIT_EXPECT_EQ(test, d.preempted, 1ULL);
	KUNIT_EXPECT_GE(test, d.yields_asked, 1ULL);
	KUNIT_EXPECT_LE(test, d.yields_asked, 16ULL);
	KUNIT_EXPECT_EQ(test, d.yields_granted, d.yields_asked);
	KUNIT_EXPECT_EQ(test, d.boosts_asked, 1ULL);
	KUNIT_EXPECT_EQ(test, d.boosts_granted, 1ULL);
}

/* A host that never clears the flag: the yields stop at the budget. */
static void pvspinlock_pv_flag_stuck(struct kunit *test)
{
	struct pvsl_stats before, d;
	struct pvspinlock l;
	struct tw w = {};
	atomic_t seq = ATOMIC_INIT(0);
	struct tb_until u;
	int self = -1;
	bool ok;

	if (num_online_cpus() < 3)
		kunit_skip(test, "needs 3 online CPUs (holder, waiter, boost work)");
	tw_init_locks(&l, NULL);
	pvsl_class_stats(l.class_id, &before);
	WRITE_ONCE(pvsl_yield_budget, 4);
	tb.preempted_cpu = TB_EVERYONE;
	/* Spent, then many more looks at the holder with no yield. */
	u = (struct tb_until){ .yields = 4, .calls = 100 };
	ok = hold_with_waiter(test, &l, &w, &seq, &u, &self);
	KUNIT_EXPECT_TRUE(test, ok);
	KUNIT_EXPECT_EQ(test, w.order, 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&tb.yields), 4);
	pvsl_boost_flush();
	KUNIT_EXPECT_EQ(test, atomic_read(&tb.boosts_off),
			atomic_read(&tb.boosts_on));
	stats_delta(l.class_id, &before, &d);
	KUNIT_EXPECT_EQ(test, d.yields_asked, 4ULL);
	KUNIT_EXPECT_EQ(test, d.fallbacks, 1ULL);
	KUNIT_EXPECT_EQ(test, d.preempted, 1ULL);
}

/* No help: yields and boosts refused, then no preempted facts at all. */
static void pvspinlock_pv_no_help(struct kunit *test)
{
	struct pvsl_stats before, d;
	struct pvspinlock l;
	struct tw w = {};
	atomic_t seq = ATOMIC_INIT(0);
	struct tb_until u;
	int self = -1;
	bool ok;

	if (num_online_cpus() < 3)
		kunit_skip(test, "needs 3 online CPUs (holder, waiter, boost work)");
	tw_init_locks(&l, NULL);
	WRITE_ONCE(pvsl_yield_budget, 8);

	/* Every yield and boost refused: bounded, and the lock still passes. */
	pvsl_class_stats(l.class_id, &before);
	tb.preempted_cpu = TB_HOLDER;
	tb.yield_ret = -EBUSY;
	tb.boost_ret = -EBUSY;
	u = (struct tb_until){ .yields = 8, .calls = 100 };
	ok = hold_with_waiter(test, &l, &w, &seq, &u, &self);
	KUNIT_EXPECT_TRUE(test, ok);
	KUNIT_EXPECT_EQ(test, w.order, 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&tb.yields), 8);
	pvsl_boost_flush();
	stats_delta(l.class_id, &before, &d);
	KUNIT_EXPECT_EQ(test, d.yields_asked, 8ULL);
	KUNIT_EXPECT_EQ(test, d.yields_granted, 0ULL);
	KUNIT_EXPECT_EQ(test, d.boosts_granted, 0ULL);

	/* Garbage from the host (pvhc turns it into -EIO): plain spinning. */
	pvsl_class_stats(l.class_id, &before);
	atomic_set(&seq, 0);
	atomic_set(&tb.yields, 0);
	atomic_set(&tb.preempted_calls, 0);
	tb.preempted_ret = 7;
	u = (struct tb_until){ .calls = 50 };
	ok = hold_with_waiter(test, &l, &w, &seq, &u, &self);
	KUNIT_EXPECT_TRUE(test, ok);
	KUNIT_EXPECT_EQ(test, w.order, 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&tb.yields), 0);
	stats_delta(l.class_id, &before, &d);
	KUNIT_EXPECT_EQ(test, d.preempted, 0ULL);
	KUNIT_EXPECT_EQ(test, d.yields_asked, 0ULL);
	KUNIT_EXPECT_EQ(test, d.boosts_asked, 0ULL);
	KUNIT_EXPECT_EQ(test, d.fallbacks, 1ULL);

	/* Boosts turned off by the parameter: none asked for. */
	pvsl_class_stats(l.class_id, &before);
	atomic_set(&seq, 0);
	atomic_set(&tb.yields, 0);
	atomic_set(&tb.boosts_on, 0);
	tb.preempted_ret = 0;
	tb.preempted_cpu = TB_HOLDER;
	tb.yield_ret = 0;
	WRITE_ONCE(pvsl_boost, false);
	u = (struct tb_until){ .yields = 8 };
	ok = hold_with_waiter(test, &l, &w, &seq, &u, &self);
	KUNIT_EXPECT_TRUE(test, ok);
	KUNIT_EXPECT_EQ(test, w.order, 1);
	pvsl_boost_flush();
	KUNIT_EXPECT_EQ(test, atomic_read(&tb.boosts_on), 0);
	stats_delta(l.class_id, &before, &d);
	KUNIT_EXPECT_EQ(test, d.boosts_asked, 0ULL);
}

/* As hold_with_waiter(), for a pvmutex held running, preemption off. */
static bool hold_mutex_with_waiter(struct kunit *test, struct pvmutex *m,
				   struct tw *w, atomic_t *seq,
				   const struct tb_until *u, int *self)
{
	bool ok = false;
	int ret;

	pvmutex_lock(m);
	migrate_disable();
	ret = tw_create(test, w, 1, NULL, m, seq);
	if (!ret) {
		preempt_disable();
		*self = smp_processor_id();
		if (READ_ONCE(tb.preempted_cpu) == TB_HOLDER)
			WRITE_ONCE(tb.preempted_cpu, *self);
		tw_wake(w);
		ok = spin_until(tb_until_met(u), TW_TIMEOUT_MS);
		preempt_enable();
	}
	migrate_enable();
	pvmutex_unlock(m);
	tw_finish(test, w, 1);
	KUNIT_EXPECT_EQ(test, ret, 0);
	return ok;
}

/* The owner's vCPU preempted: the waiter looks once, asks, and sleeps. */
static void pvmutex_pv_owner_preempted(struct kunit *test)
{
	struct pvsl_stats before, d;
	struct pvmutex m;
	struct tw w = {};
	atomic_t seq = ATOMIC_INIT(0);
	struct tb_until u;
	int self = -1;
	bool ok;

	if (num_online_cpus() < 3)
		kunit_skip(test, "needs 3 online CPUs (owner, waiter, boost work)");
	tw_init_locks(NULL, &m);
	pvsl_class_stats(m.class_id, &before);
	tb.preempted_cpu = TB_HOLDER;
	u = (struct tb_until){ .boosts_on = 1, .yields = 1 };
	ok = hold_mutex_with_waiter(test, &m, &w, &seq, &u, &self);
	KUNIT_EXPECT_TRUE(test, ok);
	KUNIT_EXPECT_EQ(test, w.order, 1);
	/* At once: one look at the owner's vCPU, then to sleep. */
	KUNIT_EXPECT_EQ(test, atomic_read(&tb.preempted_calls), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&tb.yields), 1);
	KUNIT_EXPECT_EQ(test, READ_ONCE(tb.yield_cpu), self);
	KUNIT_EXPECT_EQ(test, READ_ONCE(tb.boost_cpu), self);
	pvsl_boost_flush();
	KUNIT_EXPECT_EQ(test, atomic_read(&tb.boosts_off),
			atomic_read(&tb.boosts_on));
	stats_delta(m.class_id, &before, &d);
	KUNIT_EXPECT_EQ(test, d.acquisitions, 2ULL);
	KUNIT_EXPECT_EQ(test, d.contended, 1ULL);
	KUNIT_EXPECT_EQ(test, d.preempted, 1ULL);
	KUNIT_EXPECT_EQ(test, d.sleeps, 1ULL);
	KUNIT_EXPECT_EQ(test, d.yields_asked, 1ULL);
	KUNIT_EXPECT_EQ(test, d.boosts_asked, 1ULL);
	KUNIT_EXPECT_EQ(test, d.boosts_granted, 1ULL);
}

/* The owner runs: the waiter spins, looking at it, and asks nothing. */
static void pvmutex_pv_owner_running(struct kunit *test)
{
	struct pvsl_stats before, d;
	struct pvmutex m;
	struct tw w = {};
	atomic_t seq = ATOMIC_INIT(0);
	struct tb_until u;
	int self = -1;
	bool ok;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs 2 online CPUs");
	tw_init_locks(NULL, &m);
	pvsl_class_stats(m.class_id, &before);
	tb.preempted_cpu = TB_NOBODY;
	u = (struct tb_until){ .calls = 3 };
	ok = hold_mutex_with_waiter(test, &m, &w, &seq, &u, &self);
	KUNIT_EXPECT_TRUE(test, ok);
	KUNIT_EXPECT_EQ(test, w.order, 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&tb.yields), 0);
	pvsl_boost_flush();
	KUNIT_EXPECT_EQ(test, atomic_read(&tb.boosts_on), 0);
	stats_delta(m.class_id, &before, &d);
	KUNIT_EXPECT_EQ(test, d.contended, 1ULL);
	KUNIT_EXPECT_EQ(test, d.preempted, 0ULL);
	KUNIT_EXPECT_EQ(test, d.yields_asked, 0ULL);
}

static struct kunit_case pvspinlock_pv_cases[] = {
	KUNIT_CASE(pvspinlock_pv_preempted_holder),
	KUNIT_CASE(pvspinlock_pv_flag_stuck),
	KUNIT_CASE(pvspinlock_pv_no_help),
	KUNIT_CASE(pvmutex_pv_owner_preempted),
	KUNIT_CASE(pvmutex_pv_owner_running),
	{}
};

static struct kunit_suite pvspinlock_pv_suite = {
	.name = "pvspinlock_pv",
	.init = pvspinlock_pv_init,
	.exit = pvspinlock_pv_exit,
	.test_cases = pvspinlock_pv_cases,
};

/* ---- suite pvspinlock_hint: the lock hint through a test backend ---- */

static struct {
	u32 *word;		/* [nr_cpu_ids]: what the "host" reads */
	bool registered;
} th;

static u32 *th_slot(void *priv, unsigned int cpu)
{
	return cpu < nr_cpu_ids ? &th.word[cpu] : NULL;
}

static int th_seen(void *priv, unsigned int cpu, u32 *seen)
{
	*seen = 0;
	return 0;
}

static const struct pvhc_backend_ops th_ops = {
	.lock_hint_slot = th_slot,
	.lock_hint_seen = th_seen,
};

static struct pvhc_backend th_backend = {
	.name = "pvsl-hint-test",
	.priority = PVHC_PRIO_TEST,
	.features = BIT(PVHC_FEAT_LOCK_HINT),
	.ops = &th_ops,
	.owner = THIS_MODULE,
};

static int pvspinlock_hint_init(struct kunit *test)
{
	int ret;

	th.word = kunit_kcalloc(test, nr_cpu_ids, sizeof(*th.word),
				GFP_KERNEL);
	if (!th.word)
		return -ENOMEM;
	pvsl_hint_enable(true);
	ret = pvhc_backend_register(&th_backend);
	if (ret)
		return ret;
	th.registered = true;
	if (per_cpu(pvhc_lock_hint_slot, 0) != &th.word[0]) {
		kunit_err(test, "pvhc does not route the hint to the test backend\n");
		return -ENODEV;
	}
	return 0;
}

static void pvspinlock_hint_exit(struct kunit *test)
{
	if (th.registered)
		pvhc_backend_unregister(&th_backend);
	th.registered = false;
	pvsl_hint_enable(true);
}

static unsigned int th_nest(unsigned int cpu)
{
	struct pvsl_hint_stats st;

	return pvsl_hint_state(cpu, &st);
}

static u64 th_hinted(unsigned int cpu)
{
	struct pvsl_hint_stats st;

	pvsl_hint_state(cpu, &st);
	return st.hinted;
}

/* Nested locks: the word is 1 from the outermost lock to its unlock. */
static void pvspinlock_hint_nesting(struct kunit *test)
{
	struct pvspinlock a, b;
	unsigned int cpu;
	u64 hinted;

	pvspinlock_init(&a);
	pvspinlock_init(&b);
	migrate_disable();
	cpu = smp_processor_id();
	hinted = th_hinted(cpu);
	KUNIT_EXPECT_EQ(test, th_nest(cpu), 0U);
	pvspinlock_lock(&a);
	KUNIT_EXPECT_EQ(test, READ_ONCE(th.word[cpu]), 1U);
	KUNIT_EXPECT_EQ(test, th_nest(cpu), 1U);
	pvspinlock_lock(&b);
	KUNIT_EXPECT_EQ(test, READ_ONCE(th.word[cpu]), 1U);
	KUNIT_EXPECT_EQ(test, th_nest(cpu), 2U);
	pvspinlock_unlock(&b);
	KUNIT_EXPECT_EQ(test, READ_ONCE(th.word[cpu]), 1U);
	KUNIT_EXPECT_EQ(test, th_nest(cpu), 1U);
	pvspinlock_unlock(&a);
	KUNIT_EXPECT_EQ(test, READ_ONCE(th.word[cpu]), 0U);
	KUNIT_EXPECT_EQ(test, th_nest(cpu), 0U);
	/* trylock hints too; a failed one changes nothing */
	KUNIT_EXPECT_TRUE(test, pvspinlock_trylock(&a));
	KUNIT_EXPECT_EQ(test, READ_ONCE(th.word[cpu]), 1U);
	KUNIT_EXPECT_FALSE(test, pvspinlock_trylock(&a));
	KUNIT_EXPECT_EQ(test, th_nest(cpu), 1U);
	pvspinlock_unlock(&a);
	KUNIT_EXPECT_EQ(test, READ_ONCE(th.word[cpu]), 0U);
	KUNIT_EXPECT_EQ(test, th_hinted(cpu) - hinted, 2ULL);
	migrate_enable();
}

struct th_irq {
	struct irq_work work;
	struct pvspinlock lock;
	unsigned int cpu;
	u32 before, inside, after;
	unsigned int nest_inside;
};

static void th_irq_fn(struct irq_work *w)
{
	struct th_irq *t = container_of(w, struct th_irq, work);
	unsigned long flags;

	t->cpu = smp_processor_id();
	t->before = READ_ONCE(th.word[t->cpu]);
	pvspinlock_lock_irqsave(&t->lock, flags);
	t->inside = READ_ONCE(th.word[t->cpu]);
	t->nest_inside = th_nest(t->cpu);
	pvspinlock_unlock_irqrestore(&t->lock, flags);
	t->after = READ_ONCE(th.word[t->cpu]);
}

/* The _bh and _irqsave forms, and a lock taken in a hard interrupt. */
static void pvspinlock_hint_irq_bh(struct kunit *test)
{
	struct th_irq t = { .work = IRQ_WORK_INIT_HARD(th_irq_fn) };
	struct pvspinlock a, b;
	unsigned long flags;
	unsigned int cpu;

	pvspinlock_init(&a);
	pvspinlock_init(&b);
	pvspinlock_init(&t.lock);
	migrate_disable();
	cpu = smp_processor_id();
	pvspinlock_lock_bh(&a);
	KUNIT_EXPECT_EQ(test, READ_ONCE(th.word[cpu]), 1U);
	pvspinlock_lock_irqsave(&b, flags);
	KUNIT_EXPECT_EQ(test, READ_ONCE(th.word[cpu]), 1U);
	KUNIT_EXPECT_EQ(test, th_nest(cpu), 2U);
	pvspinlock_unlock_irqrestore(&b, flags);
	KUNIT_EXPECT_EQ(test, READ_ONCE(th.word[cpu]), 1U);
	pvspinlock_unlock_bh(&a);
	KUNIT_EXPECT_EQ(test, READ_ONCE(th.word[cpu]), 0U);

	/*
	 * An interrupt that locks inside a section leaves it hinted. The
	 * section is atomic: wait for the interrupt by spinning, not with
	 * irq_work_sync(), which may sleep.
	 */
	pvspinlock_lock(&a);
	irq_work_queue(&t.work);
	KUNIT_EXPECT_TRUE(test, spin_until(!irq_work_is_busy(&t.work),
					   TW_TIMEOUT_MS));
	KUNIT_EXPECT_EQ(test, t.cpu, cpu);
	KUNIT_EXPECT_EQ(test, t.before, 1U);
	KUNIT_EXPECT_EQ(test, t.inside, 1U);
	KUNIT_EXPECT_EQ(test, t.nest_inside, 2U);
	KUNIT_EXPECT_EQ(test, t.after, 1U);
	KUNIT_EXPECT_EQ(test, READ_ONCE(th.word[cpu]), 1U);
	pvspinlock_unlock(&a);
	KUNIT_EXPECT_EQ(test, READ_ONCE(th.word[cpu]), 0U);

	/* ... and one outside any section hints its own and clears it. */
	irq_work_queue(&t.work);
	irq_work_sync(&t.work);
	KUNIT_EXPECT_EQ(test, t.before, 0U);
	KUNIT_EXPECT_EQ(test, t.inside, 1U);
	KUNIT_EXPECT_EQ(test, t.nest_inside, 1U);
	KUNIT_EXPECT_EQ(test, t.after, 0U);
	KUNIT_EXPECT_EQ(test, th_nest(cpu), 0U);
	migrate_enable();
}

/* A pvmutex owner may sleep or migrate: it does not hint. */
static void pvspinlock_hint_not_pvmutex(struct kunit *test)
{
	struct pvmutex m;
	unsigned int cpu;

	pvmutex_init(&m);
	migrate_disable();
	cpu = smp_processor_id();
	pvmutex_lock(&m);
	KUNIT_EXPECT_EQ(test, READ_ONCE(th.word[cpu]), 0U);
	KUNIT_EXPECT_EQ(test, th_nest(cpu), 0U);
	pvmutex_unlock(&m);
	migrate_enable();
}

static void th_hint_off_fn(struct work_struct *w)
{
	pvsl_hint_enable(false);
}

static void th_hint_on_fn(struct work_struct *w)
{
	pvsl_hint_enable(true);
}

/*
 * Off: nothing is written. Turned off while a lock is held, the word says
 * "no lock" once that section is over (the change waits for it); turned
 * on while a lock is held, the inner unlocks write nothing and the
 * nesting count stays right. The changes sleep: a work item makes them.
 */
static void pvspinlock_hint_off(struct kunit *test)
{
	struct work_struct toggle;
	struct pvspinlock a, b;
	unsigned int cpu;
	bool changed;
	u64 hinted;

	pvspinlock_init(&a);
	pvspinlock_init(&b);
	migrate_disable();
	cpu = smp_processor_id();
	pvsl_hint_enable(false);
	hinted = th_hinted(cpu);
	pvspinlock_lock(&a);
	KUNIT_EXPECT_EQ(test, READ_ONCE(th.word[cpu]), 0U);
	KUNIT_EXPECT_EQ(test, th_nest(cpu), 1U);
	pvspinlock_unlock(&a);
	KUNIT_EXPECT_EQ(test, th_nest(cpu), 0U);
	KUNIT_EXPECT_EQ(test, th_hinted(cpu), hinted);
	pvsl_hint_enable(true);
	migrate_enable();
	if (num_online_cpus() < 2)
		kunit_skip(test, "needs a second CPU to change the state from");

	INIT_WORK_ONSTACK(&toggle, th_hint_off_fn);
	migrate_disable();
	cpu = smp_processor_id();
	pvspinlock_lock(&a);
	KUNIT_EXPECT_EQ(test, READ_ONCE(th.word[cpu]), 1U);
	queue_work(system_unbound_wq, &toggle);
	changed = spin_until(!pvsl_hint_enabled(),
			     TW_TIMEOUT_MS);
	KUNIT_EXPECT_TRUE(test, changed);
	pvspinlock_unlock(&a);
	migrate_enable();
	flush_work(&toggle);
	destroy_work_on_stack(&toggle);
	KUNIT_EXPECT_EQ(test, READ_ONCE(th.word[cpu]), 0U);
	KUNIT_EXPECT_EQ(test, th_nest(cpu), 0U);

	INIT_WORK_ONSTACK(&toggle, th_hint_on_fn);
	migrate_disable();
	cpu = smp_processor_id();
	pvspinlock_lock(&a);
	queue_work(system_unbound_wq, &toggle);
	changed = spin_until(pvsl_hint_enabled(),
			     TW_TIMEOUT_MS);
	KUNIT_EXPECT_TRUE(test, changed);
	pvspinlock_lock(&b);
	KUNIT_EXPECT_EQ(test, th_nest(cpu), 2U);
	KUNIT_EXPECT_EQ(test, READ_ONCE(th.word[cpu]), 0U);
	pvspinlock_unlock(&b);
	KUNIT_EXPECT_EQ(test, READ_ONCE(th.word[cpu]), 0U);
	pvspinlock_unlock(&a);
	KUNIT_EXPECT_EQ(test, th_nest(cpu), 0U);
	pvspinlock_lock(&a);
	KUNIT_EXPECT_EQ(test, READ_ONCE(th.word[cpu]), 1U);
	pvspinlock_unlock(&a);
	KUNIT_EXPECT_EQ(test, READ_ONCE(th.word[cpu]), 0U);
	migrate_enable();
	flush_work(&toggle);
	destroy_work_on_stack(&toggle);
}

static void th_unregister_fn(struct work_struct *w)
{
	pvhc_backend_unregister(&th_backend);
}

/*
 * The backend goes while this CPU holds a lock: pvhc repoints the slot
 * (to nothing, or to the word of the next backend that serves the hint,
 * pvhost's where it is loaded), waits for the section, then clears the
 * word. The unlock must not write into the old word, nor the next lock.
 */
static void pvspinlock_hint_backend_gone(struct kunit *test)
{
	struct work_struct gone;
	struct pvspinlock a;
	unsigned int cpu;
	bool repointed;
	u32 *old;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs a second CPU to unregister from");
	pvspinlock_init(&a);
	INIT_WORK_ONSTACK(&gone, th_unregister_fn);
	migrate_disable();
	pvspinlock_lock(&a);
	cpu = smp_processor_id();
	KUNIT_EXPECT_EQ(test, READ_ONCE(th.word[cpu]), 1U);
	old = this_cpu_read(pvhc_lock_hint_slot);
	KUNIT_EXPECT_PTR_EQ(test, old, &th.word[cpu]);
	queue_work(system_unbound_wq, &gone);
	repointed = spin_until(this_cpu_read(pvhc_lock_hint_slot) != old,
			       TW_TIMEOUT_MS);
	/* The word is not cleared while the section runs. */
	KUNIT_EXPECT_EQ(test, READ_ONCE(th.word[cpu]), 1U);
	th.word[cpu] = 0xdead;	/* a write now would be seen */
	pvspinlock_unlock(&a);
	KUNIT_EXPECT_EQ(test, READ_ONCE(th.word[cpu]), 0xdeadU);
	migrate_enable();
	flush_work(&gone);
	destroy_work_on_stack(&gone);
	th.registered = false;
	KUNIT_EXPECT_TRUE(test, repointed);
	KUNIT_EXPECT_EQ(test, READ_ONCE(th.word[cpu]), 0U);
	KUNIT_EXPECT_EQ(test, th_nest(cpu), 0U);
	migrate_disable();
	cpu = smp_processor_id();
	pvspinlock_lock(&a);
	KUNIT_EXPECT_EQ(test, th_nest(cpu), 1U);
	pvspinlock_unlock(&a);
	KUNIT_EXPECT_EQ(test, READ_ONCE(th.word[cpu]), 0U);
	migrate_enable();
}

static struct kunit_case pvspinlock_hint_cases[] = {
	KUNIT_CASE(pvspinlock_hint_nesting),
	KUNIT_CASE(pvspinlock_hint_irq_bh),
	KUNIT_CASE(pvspinlock_hint_not_pvmutex),
	KUNIT_CASE(pvspinlock_hint_off),
	KUNIT_CASE(pvspinlock_hint_backend_gone),
	{}
};

static struct kunit_suite pvspinlock_hint_suite = {
	.name = "pvspinlock_hint",
	.init = pvspinlock_hint_init,
	.exit = pvspinlock_hint_exit,
	.test_cases = pvspinlock_hint_cases,
};

kunit_test_suites(&pvspinlock_suite, &pvspinlock_pv_suite,
		  &pvspinlock_hint_suite);

MODULE_DESCRIPTION("KUnit tests for pvspinlock");
MODULE_LICENSE("GPL");
MODULE_INFO(test, "Y");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
