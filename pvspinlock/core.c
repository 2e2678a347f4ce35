// SPDX-License-Identifier: GPL-2.0
/*
 * pvspinlock - spin and sleep locks whose waiters know when the holder's
 * vCPU is preempted by the host.
 *
 * struct pvspinlock is a ticket lock: FIFO by construction. A waiter spins
 * on the ticket being served; every spin_budget turns it reads the holder's
 * CPU (a hint the holder writes) and asks pvhc whether that vCPU is
 * preempted. If it is, the waiter asks for a directed yield to the holder
 * (at most yield_budget times a wait) and for a boost of the holder (through
 * a work item: a boost may sleep, a spinning waiter may not), then spins on.
 * With no backend, a backend that errs, or the budget spent, the waiter
 * spins plainly: correctness never depends on the host.
 *
 * pvspinlock calls pvhc_yield_to() with preemption off: the backends with a
 * yield (kvm: KVM_HC_SCHED_YIELD, xen: SCHEDOP_yield) are one hypercall.
 *
 * struct pvmutex is a semaphore (FIFO hand-off, no optimistic spin of its
 * own) with an owner and a spin phase in front: the waiter spins only while
 * the owner is on a CPU whose vCPU runs, and goes to sleep at once when pvhc
 * reports the owner's vCPU preempted. struct mutex is not used: its own
 * optimistic spin asks the kernel's vcpu_is_preempted(), which knows nothing
 * of the facts pvhc has (always false under pvhost and TCG).
 *
 * Counters are per CPU and per lock class (init site): the uncontended
 * paths write the lock word and this CPU's counter, nothing shared.
 *
 * The lock hint: while a CPU holds any pvspinlock, the word pvhc points
 * this CPU at (its own vCPU record in the host channel) reads 1, so that
 * the host can keep the vCPU running for a bounded time. A per-CPU
 * nesting count is kept on every lock and unlock, interrupts and bottom
 * halves included (they nest completely, so the count written after one
 * is the count of the section it interrupted); only the outermost lock
 * and unlock write the word, behind a static key (lock_hint=). No call,
 * no RCU read lock: the sections run with preemption off, which is what
 * pvhc waits for before a word goes away. A pvmutex does not hint: its
 * owner may sleep or migrate, so a per-CPU word would name the wrong vCPU,
 * and a preempted pvmutex owner already makes its waiters sleep.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/visibility.h>
#include <linux/atomic.h>
#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/interrupt.h>
#include <linux/jump_label.h>
#include <linux/kernel.h>
#include <linux/kobject.h>
#include <linux/kstrtox.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/pvhc.h>
#include <linux/pvspinlock.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/workqueue.h>

#include "pvspinlock_internal.h"

#ifdef __BIG_ENDIAN
#error "pvspinlock: the ticket layout (head in the low half) is little endian"
#endif

#define PVSL_SPIN_BUDGET_MAX	1048576U
#define PVSL_YIELD_BUDGET_MAX	1000U
#define PVSL_MUTEX_SPIN_MAX	16777216U

unsigned int pvsl_spin_budget = 128;
EXPORT_SYMBOL_IF_KUNIT(pvsl_spin_budget);
unsigned int pvsl_yield_budget = 16;
EXPORT_SYMBOL_IF_KUNIT(pvsl_yield_budget);
bool pvsl_boost = true;
EXPORT_SYMBOL_IF_KUNIT(pvsl_boost);
static unsigned int pvsl_mutex_spin = 4096;
static bool pvsl_lock_hint_param = true;

module_param_named(spin_budget, pvsl_spin_budget, uint, 0444);
MODULE_PARM_DESC(spin_budget, "spin turns between two looks at the holder's vCPU, 1..1048576 (128)");
module_param_named(yield_budget, pvsl_yield_budget, uint, 0444);
MODULE_PARM_DESC(yield_budget, "yields a waiter asks for at most, then it spins plainly, 0..1000 (16)");
module_param_named(boost, pvsl_boost, bool, 0444);
MODULE_PARM_DESC(boost, "ask the host to boost a preempted holder (Y)");
module_param_named(mutex_spin, pvsl_mutex_spin, uint, 0444);
MODULE_PARM_DESC(mutex_spin, "pvmutex spin turns before sleeping while the owner runs, 0..16777216 (4096)");
module_param_named(lock_hint, pvsl_lock_hint_param, bool, 0444);
MODULE_PARM_DESC(lock_hint, "tell the host while this CPU holds a pvspinlock (Y)");

/* The lock hint (see the top of the file). */
static DEFINE_STATIC_KEY_TRUE(pvsl_hint_key);
static DEFINE_MUTEX(pvsl_hint_mutex);		/* turns the key */
static DEFINE_PER_CPU(unsigned int, pvsl_hint_nest);
static DEFINE_PER_CPU(struct pvsl_hint_stats, pvsl_hint_st);

/* The telemetry classes: names copied in, never freed before the module. */
static char pvsl_names[PVSL_MAX_CLASSES][PVSL_NAME_LEN] = { "(overflow)" };
static unsigned int pvsl_nr_classes = 1;
static DEFINE_RAW_SPINLOCK(pvsl_classes_lock);
static struct pvsl_stats __percpu *pvsl_stats;	/* [PVSL_MAX_CLASSES] */

/* Boost requests, one per holder CPU, applied from a work item. */
struct pvsl_boost_req {
	struct work_struct work;
	atomic_t want;			/* waiters asking */
	bool on;			/* what the backend was last told */
	u16 class_id;			/* of the last request, for telemetry */
	unsigned int cpu;
};

static struct pvsl_boost_req *pvsl_boosts;	/* [nr_cpu_ids] */
static bool pvsl_stopping;
static struct kobject *pvsl_kobj;
static struct dentry *pvsl_debugfs;

static inline struct pvsl_stats __percpu *pvsl_st(u16 id)
{
	return pvsl_stats + id;
}

/* The slot of a class, registered at its first init. Any context. */
static u16 pvsl_class_id(struct pvspinlock_class *class, const char *name,
			 const char *module)
{
	char buf[PVSL_NAME_LEN];
	unsigned long flags;
	unsigned int i, nr;
	u16 id = READ_ONCE(class->id);

	if (id)
		return id - 1;
	snprintf(buf, sizeof(buf), "%s:%s", module, name);
	raw_spin_lock_irqsave(&pvsl_classes_lock, flags);
	id = class->id;
	if (id) {
		id--;
		goto unlock;
	}
	/* A module loaded again finds its classes by name. */
	nr = pvsl_nr_classes;
	for (i = 1; i < nr; i++)
		if (!strcmp(pvsl_names[i], buf))
			break;
	if (i == nr) {
		if (nr < PVSL_MAX_CLASSES) {
			strscpy(pvsl_names[nr], buf, PVSL_NAME_LEN);
			/* The name is written before readers can see the slot. */
			smp_store_release(&pvsl_nr_classes, nr + 1);
		} else {
			i = 0;
		}
	}
	id = i;
	WRITE_ONCE(class->id, id + 1);
unlock:
	raw_spin_unlock_irqrestore(&pvsl_classes_lock, flags);
	return id;
}

/**
 * pvsl_class_stats - the counters of a class, summed over CPUs
 * @id: the class slot
 * @sum: filled in; max_wait_ns is the maximum over CPUs
 */
void pvsl_class_stats(u16 id, struct pvsl_stats *sum)
{
	unsigned int cpu;

	memset(sum, 0, sizeof(*sum));
	if (id >= PVSL_MAX_CLASSES)
		return;
	for_each_possible_cpu(cpu) {
		const struct pvsl_stats *s = per_cpu_ptr(pvsl_st(id), cpu);

		sum->acquisitions += READ_ONCE(s->acquisitions);
		sum->contended += READ_ONCE(s->contended);
		sum->preempted += READ_ONCE(s->preempted);
		sum->yields_asked += READ_ONCE(s->yields_asked);
		sum->yields_granted += READ_ONCE(s->yields_granted);
		sum->boosts_asked += READ_ONCE(s->boosts_asked);
		sum->boosts_granted += READ_ONCE(s->boosts_granted);
		sum->sleeps += READ_ONCE(s->sleeps);
		sum->fallbacks += READ_ONCE(s->fallbacks);
		sum->max_wait_ns = max(sum->max_wait_ns,
				       READ_ONCE(s->max_wait_ns));
	}
}
EXPORT_SYMBOL_IF_KUNIT(pvsl_class_stats);

/**
 * pvsl_class_name - the name of a class slot
 * @id: the class slot
 *
 * Return: "module:lock", or NULL for a slot not in use.
 */
const char *pvsl_class_name(u16 id)
{
	/* Pairs with the release in pvsl_class_id(): the name is there. */
	if (id >= smp_load_acquire(&pvsl_nr_classes))
		return NULL;
	return pvsl_names[id];
}
EXPORT_SYMBOL_IF_KUNIT(pvsl_class_name);

static void pvsl_note_wait(u16 id, u64 start)
{
	u64 wait = local_clock() - start;
	struct pvsl_stats *s;

	/*
	 * The read and the write on one CPU's slot (a pvmutex waiter is
	 * preemptible); an interrupt in between loses a maximum at worst.
	 */
	preempt_disable();
	s = this_cpu_ptr(pvsl_st(id));
	if (wait > READ_ONCE(s->max_wait_ns))
		WRITE_ONCE(s->max_wait_ns, wait);
	preempt_enable();
}

/* Boosts: a work item per holder CPU tells the backend what is wanted. */
static void pvsl_boost_fn(struct work_struct *work)
{
	struct pvsl_boost_req *b = container_of(work, struct pvsl_boost_req,
						work);
	bool on = atomic_read(&b->want) > 0 && !READ_ONCE(pvsl_stopping);
	int ret;

	if (on == b->on)
		return;
	ret = pvhc_boost(b->cpu, on);
	if (on && !ret) {
		this_cpu_inc(pvsl_st(READ_ONCE(b->class_id))->boosts_granted);
		b->on = true;
	} else if (!on) {
		b->on = false;
	}
}

static void pvsl_boost_ask(unsigned int cpu, u16 id, bool on)
{
	struct pvsl_boost_req *b = &pvsl_boosts[cpu];

	if (on) {
		WRITE_ONCE(b->class_id, id);
		atomic_inc(&b->want);
	} else {
		atomic_dec(&b->want);
	}
	queue_work(system_unbound_wq, &b->work);
}

/**
 * pvsl_boost_flush - wait for every boost request to reach the backend
 */
void pvsl_boost_flush(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		flush_work(&pvsl_boosts[cpu].work);
}
EXPORT_SYMBOL_IF_KUNIT(pvsl_boost_flush);

/* Whether a boost can be asked for: a backend serves it and it is wanted. */
static bool pvsl_boost_usable(void)
{
	return READ_ONCE(pvsl_boost) && pvhc_has_feature(PVHC_FEAT_BOOST);
}

/* Ask for @cpu to be boosted, once a wait; moves with the holder. */
static void pvsl_boost_holder(int *boosted, int cpu, u16 id)
{
	if (*boosted == cpu || !pvsl_boost_usable())
		return;
	this_cpu_inc(pvsl_st(id)->boosts_asked);
	pvsl_boost_ask(cpu, id, true);
	if (*boosted >= 0)
		pvsl_boost_ask(*boosted, id, false);
	*boosted = cpu;
}

/*
 * The slow path of a ticket: wait until @me is served. Called with
 * preemption (and maybe interrupts) disabled, so it never sleeps: a
 * preempted holder costs a bounded number of yields and one boost request
 * (handed to a work item), then plain spinning until the holder is back.
 */
static noinline void pvsl_wait(struct pvspinlock *lock, u16 me)
{
	u16 id = lock->class_id;
	unsigned int budget = max(READ_ONCE(pvsl_spin_budget), 1U);
	unsigned int ybudget = READ_ONCE(pvsl_yield_budget);
	unsigned int spins = 0, yields = 0;
	int self = smp_processor_id();
	int boosted = -1, seen = -1;
	bool fell_back = false;
	u64 start = local_clock();

	this_cpu_inc(pvsl_st(id)->contended);
	/* Acquire: the section of the previous holder is ours to see. */
	while (smp_load_acquire(&lock->tickets.head) != me) {
		int holder, p, ret;

		cpu_relax();
		if (++spins < budget)
			continue;
		spins = 0;
		holder = READ_ONCE(lock->holder) - 1;
		if (holder < 0 || holder == self || holder >= nr_cpu_ids)
			continue;
		p = pvhc_vcpu_preempted(holder);
		if (p != 1) {
			/* No backend, or one that errs: spin plainly. */
			if (p < 0 && !fell_back) {
				fell_back = true;
				this_cpu_inc(pvsl_st(id)->fallbacks);
			}
			continue;
		}
		if (holder != seen) {
			seen = holder;
			this_cpu_inc(pvsl_st(id)->preempted);
		}
		pvsl_boost_holder(&boosted, holder, id);
		if (yields >= ybudget) {
			/* A host that never clears the flag: spin plainly. */
			if (!fell_back) {
				fell_back = true;
				this_cpu_inc(pvsl_st(id)->fallbacks);
			}
			continue;
		}
		yields++;
		ret = pvhc_yield_to(holder);
		if (ret != -EOPNOTSUPP)
			this_cpu_inc(pvsl_st(id)->yields_asked);
		if (!ret)
			this_cpu_inc(pvsl_st(id)->yields_granted);
	}
	if (boosted >= 0)
		pvsl_boost_ask(boosted, id, false);
	pvsl_note_wait(id, start);
}

/* Preemption is off from here until pvsl_hint_released(). */
static __always_inline void pvsl_hint_acquired(void)
{
	if (this_cpu_inc_return(pvsl_hint_nest) == 1 &&
	    static_branch_likely(&pvsl_hint_key) && pvhc_lock_hint_set(1))
		this_cpu_inc(pvsl_hint_st.hinted);
}

static __always_inline void pvsl_hint_released(void)
{
	if (!this_cpu_dec_return(pvsl_hint_nest) &&
	    static_branch_likely(&pvsl_hint_key))
		pvhc_lock_hint_set(0);
}

/**
 * pvsl_hint_enable - turn the lock hint on or off
 * @on: the new state
 *
 * Off: once no CPU can write the hint any more, every word says "no lock".
 * Locks held across the change are not hinted until their CPU's next
 * outermost lock.
 *
 * Context: process context; may sleep.
 */
void pvsl_hint_enable(bool on)
{
	mutex_lock(&pvsl_hint_mutex);
	if (on && !static_key_enabled(&pvsl_hint_key)) {
		static_branch_enable(&pvsl_hint_key);
	} else if (!on && static_key_enabled(&pvsl_hint_key)) {
		static_branch_disable(&pvsl_hint_key);
		pvhc_lock_hint_reset();
	}
	mutex_unlock(&pvsl_hint_mutex);
}
EXPORT_SYMBOL_IF_KUNIT(pvsl_hint_enable);

/**
 * pvsl_hint_enabled - whether the lock hint is on
 * Return: true if the locks write it
 */
bool pvsl_hint_enabled(void)
{
	return static_key_enabled(&pvsl_hint_key);
}
EXPORT_SYMBOL_IF_KUNIT(pvsl_hint_enabled);

/**
 * pvsl_hint_state - this CPU's hint nesting and the words it wrote (KUnit)
 * @cpu: the CPU
 * @st: its counters
 * Return: its pvspinlock nesting count
 */
unsigned int pvsl_hint_state(unsigned int cpu, struct pvsl_hint_stats *st)
{
	*st = per_cpu(pvsl_hint_st, cpu);
	return READ_ONCE(per_cpu(pvsl_hint_nest, cpu));
}
EXPORT_SYMBOL_IF_KUNIT(pvsl_hint_state);

static __always_inline void pvsl_acquire(struct pvspinlock *lock,
					 unsigned long ip)
{
	u32 old;

#ifdef CONFIG_DEBUG_LOCK_ALLOC
	spin_acquire(&lock->dep_map, 0, 0, ip);
#endif
	old = atomic_fetch_add_acquire(1U << 16, &lock->val);
	if (unlikely((u16)old != (u16)(old >> 16)))
		pvsl_wait(lock, old >> 16);
	WRITE_ONCE(lock->holder, smp_processor_id() + 1);
	this_cpu_inc(pvsl_st(lock->class_id)->acquisitions);
	pvsl_hint_acquired();
}

static __always_inline void pvsl_release(struct pvspinlock *lock,
					 unsigned long ip)
{
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	spin_release(&lock->dep_map, ip);
#endif
	WRITE_ONCE(lock->holder, 0);
	/*
	 * Only the holder writes head. Release: the section is seen by the
	 * next ticket before its turn.
	 */
	smp_store_release(&lock->tickets.head, lock->tickets.head + 1);
	/* After the lock word: the whole section is hinted. */
	pvsl_hint_released();
}

/**
 * __pvspinlock_init - initialise a pvspinlock; use pvspinlock_init()
 * @lock: the lock
 * @name: its name, for lockdep and telemetry
 * @class: the static class of the init site
 * @module: the name of the module of the init site
 *
 * Context: any.
 */
void __pvspinlock_init(struct pvspinlock *lock, const char *name,
		       struct pvspinlock_class *class, const char *module)
{
	atomic_set(&lock->val, 0);
	lock->holder = 0;
	lock->class_id = pvsl_class_id(class, name, module);
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	lockdep_init_map_wait(&lock->dep_map, name, &class->key, 0,
			      LD_WAIT_SPIN);
#endif
}
EXPORT_SYMBOL_GPL(__pvspinlock_init);

/**
 * pvspinlock_lock - take a pvspinlock, preemption disabled until unlock
 * @lock: the lock
 *
 * Context: any context in which spin_lock() could be used.
 */
void pvspinlock_lock(struct pvspinlock *lock)
{
	preempt_disable();
	pvsl_acquire(lock, _RET_IP_);
}
EXPORT_SYMBOL_GPL(pvspinlock_lock);

/**
 * pvspinlock_unlock - release a pvspinlock taken with pvspinlock_lock()
 * @lock: the lock
 */
void pvspinlock_unlock(struct pvspinlock *lock)
{
	pvsl_release(lock, _RET_IP_);
	preempt_enable();
}
EXPORT_SYMBOL_GPL(pvspinlock_unlock);

/**
 * pvspinlock_trylock - take a pvspinlock if it is free
 * @lock: the lock
 *
 * Release it with pvspinlock_unlock().
 * Return: true if taken.
 */
bool pvspinlock_trylock(struct pvspinlock *lock)
{
	u32 old;

	preempt_disable();
	old = atomic_read(&lock->val);
	if ((u16)old != (u16)(old >> 16) ||
	    !atomic_try_cmpxchg_acquire(&lock->val, &old, old + (1U << 16))) {
		preempt_enable();
		return false;
	}
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	spin_acquire(&lock->dep_map, 0, 1, _RET_IP_);
#endif
	WRITE_ONCE(lock->holder, smp_processor_id() + 1);
	this_cpu_inc(pvsl_st(lock->class_id)->acquisitions);
	pvsl_hint_acquired();
	return true;
}
EXPORT_SYMBOL_GPL(pvspinlock_trylock);

/**
 * pvspinlock_lock_bh - take a pvspinlock with bottom halves disabled
 * @lock: the lock
 */
void pvspinlock_lock_bh(struct pvspinlock *lock)
{
	local_bh_disable();
	pvsl_acquire(lock, _RET_IP_);
}
EXPORT_SYMBOL_GPL(pvspinlock_lock_bh);

/**
 * pvspinlock_unlock_bh - release a pvspinlock taken with pvspinlock_lock_bh()
 * @lock: the lock
 */
void pvspinlock_unlock_bh(struct pvspinlock *lock)
{
	pvsl_release(lock, _RET_IP_);
	local_bh_enable();
}
EXPORT_SYMBOL_GPL(pvspinlock_unlock_bh);

/**
 * __pvspinlock_lock_irqsave - take a pvspinlock with interrupts disabled
 * @lock: the lock
 *
 * Use pvspinlock_lock_irqsave(lock, flags).
 * Return: the interrupt state to give pvspinlock_unlock_irqrestore().
 */
unsigned long __pvspinlock_lock_irqsave(struct pvspinlock *lock)
{
	unsigned long flags;

	local_irq_save(flags);
	preempt_disable();
	pvsl_acquire(lock, _RET_IP_);
	return flags;
}
EXPORT_SYMBOL_GPL(__pvspinlock_lock_irqsave);

/**
 * pvspinlock_unlock_irqrestore - release a pvspinlock, restore interrupts
 * @lock: the lock
 * @flags: from pvspinlock_lock_irqsave()
 */
void pvspinlock_unlock_irqrestore(struct pvspinlock *lock,
				  unsigned long flags)
{
	pvsl_release(lock, _RET_IP_);
	local_irq_restore(flags);
	preempt_enable();
}
EXPORT_SYMBOL_GPL(pvspinlock_unlock_irqrestore);

/**
 * pvspinlock_is_locked - whether a pvspinlock is held
 * @lock: the lock
 *
 * Return: true if held (or being handed on).
 */
bool pvspinlock_is_locked(struct pvspinlock *lock)
{
	u32 val = atomic_read(&lock->val);

	return (u16)val != (u16)(val >> 16);
}
EXPORT_SYMBOL_GPL(pvspinlock_is_locked);

/**
 * __pvmutex_init - initialise a pvmutex; use pvmutex_init()
 * @lock: the lock
 * @name: its name, for lockdep and telemetry
 * @class: the static class of the init site
 * @module: the name of the module of the init site
 */
void __pvmutex_init(struct pvmutex *lock, const char *name,
		    struct pvspinlock_class *class, const char *module)
{
	sema_init(&lock->sem, 1);
	lock->owner = NULL;
	lock->class_id = pvsl_class_id(class, name, module);
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	lockdep_init_map_wait(&lock->dep_map, name, &class->key, 0,
			      LD_WAIT_SLEEP);
#endif
}
EXPORT_SYMBOL_GPL(__pvmutex_init);

static void pvmutex_taken(struct pvmutex *lock)
{
	WRITE_ONCE(lock->owner, current);
	this_cpu_inc(pvsl_st(lock->class_id)->acquisitions);
}

/*
 * Spin while the owner runs. Return: 1 when taken, 0 to sleep, and in
 * *@preempted the CPU of an owner seen preempted (-1 if none).
 */
static int pvmutex_spin(struct pvmutex *lock, int *preempted)
{
	unsigned int i, budget = READ_ONCE(pvsl_mutex_spin);
	struct task_struct *owner;
	int ret = 0;

	*preempted = -1;
	rcu_read_lock();	/* task_struct is freed after a grace period */
	for (i = 0; i < budget; i++) {
		unsigned int cpu;

		/* down_trylock() takes the semaphore's lock: look first. */
		if (READ_ONCE(lock->sem.count) > 0 && !down_trylock(&lock->sem)) {
			ret = 1;
			break;
		}
		if (need_resched())
			break;
		owner = READ_ONCE(lock->owner);
		if (owner) {
			if (!READ_ONCE(owner->on_cpu))
				break;		/* the owner sleeps: so do we */
			cpu = task_cpu(owner);
			if (pvhc_vcpu_preempted(cpu) == 1) {
				*preempted = cpu;
				break;
			}
		}
		cpu_relax();
	}
	rcu_read_unlock();
	return ret;
}

/**
 * pvmutex_lock - take a pvmutex, sleeping if need be
 * @lock: the lock
 *
 * Spins while the owner runs on a vCPU that runs; sleeps at once when pvhc
 * reports the owner's vCPU preempted, after asking for it to be run.
 *
 * Context: process context, may sleep.
 */
void pvmutex_lock(struct pvmutex *lock)
{
	u16 id = lock->class_id;
	int preempted, boosted = -1;
	u64 start;

	might_sleep();
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	mutex_acquire(&lock->dep_map, 0, 0, _RET_IP_);
#endif
	if (!down_trylock(&lock->sem)) {
		pvmutex_taken(lock);
		return;
	}
	start = local_clock();
	this_cpu_inc(pvsl_st(id)->contended);
	if (pvmutex_spin(lock, &preempted))
		goto taken;
	if (preempted >= 0) {
		int ret;

		this_cpu_inc(pvsl_st(id)->preempted);
		/*
		 * Through the per-CPU request, as the spin lock's waiters do:
		 * several waiters share one boost, and the last one out ends it.
		 */
		pvsl_boost_holder(&boosted, preempted, id);
		ret = pvhc_yield_to(preempted);
		if (ret != -EOPNOTSUPP)
			this_cpu_inc(pvsl_st(id)->yields_asked);
		if (!ret)
			this_cpu_inc(pvsl_st(id)->yields_granted);
	}
	this_cpu_inc(pvsl_st(id)->sleeps);
	down(&lock->sem);
	if (boosted >= 0)
		pvsl_boost_ask(boosted, id, false);
taken:
	pvmutex_taken(lock);
	pvsl_note_wait(id, start);
}
EXPORT_SYMBOL_GPL(pvmutex_lock);

/**
 * pvmutex_trylock - take a pvmutex if it is free
 * @lock: the lock
 *
 * Return: true if taken.
 */
bool pvmutex_trylock(struct pvmutex *lock)
{
	if (down_trylock(&lock->sem))
		return false;
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	mutex_acquire(&lock->dep_map, 0, 1, _RET_IP_);
#endif
	pvmutex_taken(lock);
	return true;
}
EXPORT_SYMBOL_GPL(pvmutex_trylock);

/**
 * pvmutex_unlock - release a pvmutex
 * @lock: the lock, held by the caller
 *
 * Context: process context.
 */
void pvmutex_unlock(struct pvmutex *lock)
{
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	mutex_release(&lock->dep_map, _RET_IP_);
#endif
	WARN_ON_ONCE(IS_ENABLED(CONFIG_DEBUG_MUTEXES) &&
		     READ_ONCE(lock->owner) != current);
	WRITE_ONCE(lock->owner, NULL);
	up(&lock->sem);
}
EXPORT_SYMBOL_GPL(pvmutex_unlock);

/**
 * pvmutex_is_locked - whether a pvmutex is held
 * @lock: the lock
 *
 * Return: true if held.
 */
bool pvmutex_is_locked(struct pvmutex *lock)
{
	return READ_ONCE(lock->sem.count) <= 0;
}
EXPORT_SYMBOL_GPL(pvmutex_is_locked);

/* sysfs: /sys/kernel/pvspinlock/ */
static int pvsl_store_uint(const char *buf, unsigned int *val,
			   unsigned int min, unsigned int max,
			   const char *name)
{
	unsigned int v;

	if (kstrtouint(buf, 0, &v) || v < min || v > max) {
		pr_warn_ratelimited("%s: want %u..%u\n", name, min, max);
		return -EINVAL;
	}
	WRITE_ONCE(*val, v);
	return 0;
}

/* The attribute _name shows and sets pvsl__name within _min.._max. */
#define PVSL_UINT_ATTR(_name, _min, _max)				\
static ssize_t _name##_show(struct kobject *k,				\
			    struct kobj_attribute *a, char *buf)	\
{									\
	return sysfs_emit(buf, "%u\n", READ_ONCE(pvsl_##_name));	\
}									\
static ssize_t _name##_store(struct kobject *k,				\
			     struct kobj_attribute *a,			\
			     const char *buf, size_t len)		\
{									\
	int ret = pvsl_store_uint(buf, &pvsl_##_name, _min, _max,	\
				  #_name);				\
									\
	return ret ? ret : len;						\
}									\
static struct kobj_attribute _name##_attr = __ATTR_RW(_name)

PVSL_UINT_ATTR(spin_budget, 1, PVSL_SPIN_BUDGET_MAX);
PVSL_UINT_ATTR(yield_budget, 0, PVSL_YIELD_BUDGET_MAX);
PVSL_UINT_ATTR(mutex_spin, 0, PVSL_MUTEX_SPIN_MAX);

static ssize_t boost_show(struct kobject *k, struct kobj_attribute *a,
			  char *buf)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(pvsl_boost));
}

/*
 * Whole words only: kstrtobool() looks at the first characters and would
 * take "not a value" for "n".
 */
static int pvsl_parse_bool(const char *buf, bool *v)
{
	static const char * const no[] = { "0", "n", "N", "off" };
	static const char * const yes[] = { "1", "y", "Y", "on" };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(no); i++) {
		if (sysfs_streq(buf, no[i])) {
			*v = false;
			return 0;
		}
		if (sysfs_streq(buf, yes[i])) {
			*v = true;
			return 0;
		}
	}
	return -EINVAL;
}

static ssize_t boost_store(struct kobject *k, struct kobj_attribute *a,
			   const char *buf, size_t len)
{
	bool v;

	if (pvsl_parse_bool(buf, &v)) {
		pr_warn_ratelimited("boost: want 0, 1, n, y, off or on\n");
		return -EINVAL;
	}
	WRITE_ONCE(pvsl_boost, v);
	return len;
}

static struct kobj_attribute boost_attr = __ATTR_RW(boost);

static ssize_t lock_hint_show(struct kobject *k, struct kobj_attribute *a,
			      char *buf)
{
	return sysfs_emit(buf, "%d\n", pvsl_hint_enabled());
}

static ssize_t lock_hint_store(struct kobject *k, struct kobj_attribute *a,
			       const char *buf, size_t len)
{
	bool v;

	if (pvsl_parse_bool(buf, &v)) {
		pr_warn_ratelimited("lock_hint: want 0, 1, n, y, off or on\n");
		return -EINVAL;
	}
	pvsl_hint_enable(v);
	return len;
}

static struct kobj_attribute lock_hint_attr = __ATTR_RW(lock_hint);

/* Which pvhc backend serves each fact the locks use. */
#define PVSL_SOURCE_ATTR(_name, _feat)					\
static ssize_t _name##_source_show(struct kobject *k,			\
				   struct kobj_attribute *a, char *buf)	\
{									\
	char name[PVHC_NAME_MAX];					\
									\
	return sysfs_emit(buf, "%s\n",					\
			  pvhc_feature_source_name(_feat, name, sizeof(name))); \
}									\
static struct kobj_attribute _name##_source_attr = __ATTR_RO(_name##_source)

PVSL_SOURCE_ATTR(preempted, PVHC_FEAT_PREEMPTED);
PVSL_SOURCE_ATTR(yield, PVHC_FEAT_YIELD);
PVSL_SOURCE_ATTR(boost, PVHC_FEAT_BOOST);
PVSL_SOURCE_ATTR(lock_hint, PVHC_FEAT_LOCK_HINT);

static struct attribute *pvsl_attrs[] = {
	&spin_budget_attr.attr,
	&yield_budget_attr.attr,
	&mutex_spin_attr.attr,
	&boost_attr.attr,
	&preempted_source_attr.attr,
	&yield_source_attr.attr,
	&boost_source_attr.attr,
	&lock_hint_attr.attr,
	&lock_hint_source_attr.attr,
	NULL,
};

static const struct attribute_group pvsl_group = {
	.attrs = pvsl_attrs,
};

/* debugfs: /sys/kernel/debug/pvspinlock/classes */
static int pvsl_classes_show(struct seq_file *m, void *v)
{
	struct pvsl_stats s;
	unsigned int i, nr;

	/* Pairs with the release in pvsl_class_id(): the names are there. */
	nr = smp_load_acquire(&pvsl_nr_classes);
	seq_puts(m, "class acquisitions contended preempted yields_asked yields_granted boosts_asked boosts_granted sleeps fallbacks max_wait_ns\n");
	for (i = 0; i < nr; i++) {
		pvsl_class_stats(i, &s);
		if (!i && !s.acquisitions)
			continue;
		seq_printf(m, "%s %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu\n",
			   pvsl_names[i], s.acquisitions, s.contended,
			   s.preempted, s.yields_asked, s.yields_granted,
			   s.boosts_asked, s.boosts_granted, s.sleeps,
			   s.fallbacks, s.max_wait_ns);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pvsl_classes);

/* debugfs: /sys/kernel/debug/pvspinlock/lock_hint */
static int pvsl_lock_hint_show(struct seq_file *m, void *v)
{
	struct pvsl_hint_stats st;
	unsigned int cpu, nest;
	u32 seen;
	int ret;

	seq_puts(m, "cpu nest hinted host_seen\n");
	for_each_possible_cpu(cpu) {
		nest = pvsl_hint_state(cpu, &st);
		ret = pvhc_lock_hint_seen(cpu, &seen);
		if (ret)
			seq_printf(m, "%u %u %llu %d\n", cpu, nest, st.hinted,
				   ret);
		else
			seq_printf(m, "%u %u %llu %u\n", cpu, nest, st.hinted,
				   seen);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pvsl_lock_hint);

static int pvsl_check_params(void)
{
	if (!pvsl_spin_budget || pvsl_spin_budget > PVSL_SPIN_BUDGET_MAX) {
		pr_err("spin_budget=%u: want 1..%u\n", pvsl_spin_budget,
		       PVSL_SPIN_BUDGET_MAX);
		return -EINVAL;
	}
	if (pvsl_yield_budget > PVSL_YIELD_BUDGET_MAX) {
		pr_err("yield_budget=%u: want 0..%u\n", pvsl_yield_budget,
		       PVSL_YIELD_BUDGET_MAX);
		return -EINVAL;
	}
	if (pvsl_mutex_spin > PVSL_MUTEX_SPIN_MAX) {
		pr_err("mutex_spin=%u: want 0..%u\n", pvsl_mutex_spin,
		       PVSL_MUTEX_SPIN_MAX);
		return -EINVAL;
	}
	return 0;
}

static int __init pvsl_init(void)
{
	char names[4][PVHC_NAME_MAX];
	unsigned int cpu;
	int ret;

	ret = pvsl_check_params();
	if (ret)
		return ret;
	if (!pvsl_lock_hint_param)
		pvsl_hint_enable(false);
	pvsl_stats = __alloc_percpu(sizeof(struct pvsl_stats) *
				    PVSL_MAX_CLASSES,
				    __alignof__(struct pvsl_stats));
	if (!pvsl_stats)
		return -ENOMEM;
	pvsl_boosts = kcalloc(nr_cpu_ids, sizeof(*pvsl_boosts), GFP_KERNEL);
	if (!pvsl_boosts) {
		ret = -ENOMEM;
		goto free_stats;
	}
	for_each_possible_cpu(cpu) {
		INIT_WORK(&pvsl_boosts[cpu].work, pvsl_boost_fn);
		pvsl_boosts[cpu].cpu = cpu;
	}
	pvsl_kobj = kobject_create_and_add("pvspinlock", kernel_kobj);
	if (!pvsl_kobj) {
		ret = -ENOMEM;
		goto free_boosts;
	}
	ret = sysfs_create_group(pvsl_kobj, &pvsl_group);
	if (ret)
		goto put_kobj;
	pvsl_debugfs = debugfs_create_dir("pvspinlock", NULL);
	debugfs_create_file("classes", 0444, pvsl_debugfs, NULL,
			    &pvsl_classes_fops);
	debugfs_create_file("lock_hint", 0444, pvsl_debugfs, NULL,
			    &pvsl_lock_hint_fops);
	ret = pvsl_torture_init(pvsl_debugfs);
	if (ret)
		goto remove_debugfs;
	ret = pvsl_dev_init(pvsl_debugfs);
	if (ret)
		goto exit_torture;
	pr_info("preempted facts from %s, yield from %s, boost from %s, lock hint to %s%s\n",
		pvhc_feature_source_name(PVHC_FEAT_PREEMPTED, names[0],
					 PVHC_NAME_MAX),
		pvhc_feature_source_name(PVHC_FEAT_YIELD, names[1],
					 PVHC_NAME_MAX),
		pvhc_feature_source_name(PVHC_FEAT_BOOST, names[2],
					 PVHC_NAME_MAX),
		pvhc_feature_source_name(PVHC_FEAT_LOCK_HINT, names[3],
					 PVHC_NAME_MAX),
		pvsl_lock_hint_param ? "" : " (off: lock_hint=N)");
	return 0;

exit_torture:
	pvsl_torture_exit();
remove_debugfs:
	debugfs_remove(pvsl_debugfs);
	sysfs_remove_group(pvsl_kobj, &pvsl_group);
put_kobj:
	kobject_put(pvsl_kobj);
free_boosts:
	kfree(pvsl_boosts);
free_stats:
	free_percpu(pvsl_stats);
	return ret;
}

static void __exit pvsl_exit(void)
{
	unsigned int cpu;

	pvsl_dev_exit();
	pvsl_torture_exit();
	debugfs_remove(pvsl_debugfs);
	sysfs_remove_group(pvsl_kobj, &pvsl_group);
	kobject_put(pvsl_kobj);
	/* No lock is left: every user module is gone. Stop asking. */
	WRITE_ONCE(pvsl_stopping, true);
	for_each_possible_cpu(cpu) {
		struct pvsl_boost_req *b = &pvsl_boosts[cpu];

		cancel_work_sync(&b->work);
		if (b->on)
			pvhc_boost(cpu, false);
	}
	kfree(pvsl_boosts);
	free_percpu(pvsl_stats);
}

module_init(pvsl_init);
module_exit(pvsl_exit);

MODULE_DESCRIPTION("Spin and sleep locks aware of preempted vCPUs");
MODULE_LICENSE("GPL");
