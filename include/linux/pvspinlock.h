/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvspinlock - locks whose waiters know when the holder's vCPU is preempted.
 *
 * struct pvspinlock is a fair (ticket) spin lock. A waiter that finds the
 * holder's vCPU preempted by the host (pvhc_vcpu_preempted()) asks pvhc to
 * run the holder (a directed yield where the backend has one, a boost
 * request where it has one) within a bounded budget, then falls back to
 * plain spinning. With no pvhc backend it is a plain ticket lock.
 *
 * struct pvmutex is a sleeping lock that spins only while its owner's vCPU
 * runs, and sleeps at once when the owner's vCPU is preempted.
 *
 * Each init site is a lock class, for lockdep and for the per-CPU counters
 * in /sys/kernel/debug/pvspinlock/classes.
 */
#ifndef _LINUX_PVSPINLOCK_H
#define _LINUX_PVSPINLOCK_H

#include <linux/lockdep.h>
#include <linux/semaphore.h>
#include <linux/types.h>

struct task_struct;

/* One per init site: the lockdep class and the telemetry class. */
struct pvspinlock_class {
	struct lock_class_key key;
	u16 id;				/* telemetry slot + 1; 0 until first init */
};

struct pvspinlock {
	union {
		atomic_t val;
		struct {
			u16 head;	/* the ticket being served */
			u16 tail;	/* the next ticket to hand out */
		} tickets;
	};
	int holder;			/* holder's CPU + 1, 0 when free (a hint) */
	u16 class_id;
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	struct lockdep_map dep_map;
#endif
};

struct pvmutex {
	struct semaphore sem;
	struct task_struct *owner;	/* NULL when free */
	u16 class_id;
#ifdef CONFIG_DEBUG_LOCK_ALLOC
	struct lockdep_map dep_map;
#endif
};

void __pvspinlock_init(struct pvspinlock *lock, const char *name,
		       struct pvspinlock_class *class, const char *module);
void __pvmutex_init(struct pvmutex *lock, const char *name,
		    struct pvspinlock_class *class, const char *module);

/*
 * Like spin_lock_init(): a static class per call site, so every call site
 * is one lockdep class and one telemetry line, named "module:lock".
 */
#define pvspinlock_init(lock)						\
do {									\
	static struct pvspinlock_class __pvsl_class;			\
									\
	__pvspinlock_init((lock), #lock, &__pvsl_class, KBUILD_MODNAME); \
} while (0)

#define pvmutex_init(lock)						\
do {									\
	static struct pvspinlock_class __pvsl_class;			\
									\
	__pvmutex_init((lock), #lock, &__pvsl_class, KBUILD_MODNAME);	\
} while (0)

void pvspinlock_lock(struct pvspinlock *lock);
void pvspinlock_unlock(struct pvspinlock *lock);
bool pvspinlock_trylock(struct pvspinlock *lock);
void pvspinlock_lock_bh(struct pvspinlock *lock);
void pvspinlock_unlock_bh(struct pvspinlock *lock);
unsigned long __pvspinlock_lock_irqsave(struct pvspinlock *lock);
void pvspinlock_unlock_irqrestore(struct pvspinlock *lock,
				  unsigned long flags);
bool pvspinlock_is_locked(struct pvspinlock *lock);

#define pvspinlock_lock_irqsave(lock, flags)				\
	((flags) = __pvspinlock_lock_irqsave(lock))

void pvmutex_lock(struct pvmutex *lock);
bool pvmutex_trylock(struct pvmutex *lock);
void pvmutex_unlock(struct pvmutex *lock);
bool pvmutex_is_locked(struct pvmutex *lock);

#endif /* _LINUX_PVSPINLOCK_H */
