/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pvlock.h - a header-only adaptive mutex for processes in a VM guest that
 * knows when the lock owner's vCPU is preempted by the host.
 *
 * The owner records its CPU when it takes the lock. A waiter looks at that
 * CPU in the page of /dev/pvspinlock (include/uapi/linux/pvspinlock.h):
 *
 *   running    the owner is likely running: spin, up to PVLOCK_SPIN_RUNNING
 *              turns, since the lock should be released soon;
 *   preempted  the owner's vCPU does not run: spinning cannot help, wait on
 *              the futex at once;
 *   otherwise  (no device, no facts, an offline or unknown CPU) spin a
 *              little, as glibc's adaptive mutex does, then wait.
 *
 * The futex protocol is the classic three-state one (0 free, 1 locked,
 * 2 locked with waiters; U. Drepper, "Futexes Are Tricky"): an unlock that
 * saw waiters wakes one. The page only decides how long to spin: a host
 * that reports garbage, never clears a flag or stops refreshing costs the
 * waiters their spinning, never the lock's correctness or a wake-up.
 *
 * Use:
 *
 *     #include <pvlock.h>              (cc -I/usr/include/pvguest)
 *
 *     static struct pvlock_mutex m = PVLOCK_MUTEX_INITIALIZER;
 *
 *     pvlock_mutex_lock(&m);
 *     ... critical section ...
 *     pvlock_mutex_unlock(&m);
 *
 * The page is mapped on first use, once per translation unit, and stays
 * mapped (it pins the pvspinlock module while mapped). pvlock_open() may
 * be called early to map it; without the device the mutex works the same,
 * spinning as glibc's adaptive mutex does. A pvlock_mutex lives in memory
 * shared by threads of one process (a private futex).
 *
 * Linux only, x86-64 and arm64 (GCC or Clang atomics and builtins), with
 * the POSIX and GNU declarations of the compilers' default (gnu) modes or
 * -D_GNU_SOURCE; C or C++.
 */
#ifndef PVLOCK_H
#define PVLOCK_H

#include <fcntl.h>
#include <linux/futex.h>
#include <linux/types.h>
#include <linux/pvspinlock.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

/* glibc and musl have it; <sched.h> declares it with _GNU_SOURCE only. */
#ifndef _GNU_SOURCE
int sched_getcpu(void);
#endif

#ifndef PVLOCK_SPIN_RUNNING
#define PVLOCK_SPIN_RUNNING	4000	/* turns while the owner's vCPU runs */
#endif
#ifndef PVLOCK_SPIN_UNKNOWN
#define PVLOCK_SPIN_UNKNOWN	100	/* turns with no fact (glibc's default) */
#endif
#define PVLOCK_LOOK_EVERY	16	/* turns between two looks at the page */

struct pvlock_mutex {
	__u32 word;		/* 0 free, 1 locked, 2 locked and maybe waiters */
	__s32 owner_cpu;	/* the owner's CPU when it took the lock, or -1 */
};

#define PVLOCK_MUTEX_INITIALIZER	{ 0, -1 }

static inline void pvlock_mutex_init(struct pvlock_mutex *m)
{
	__atomic_store_n(&m->word, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&m->owner_cpu, -1, __ATOMIC_RELAXED);
}

static inline void pvlock_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

/* The mapped page, or NULL; pvlock__tried: 0 not yet, 1 done. */
static const struct pvspinlock_page *pvlock__page __attribute__((__unused__));
static int pvlock__tried __attribute__((__unused__));

/**
 * pvlock_open() - map the page of /dev/pvspinlock, if not done
 *
 * Return: the page, or NULL (no device, or not one this header knows);
 * the mutex works either way. Thread-safe; tried once.
 */
static inline const struct pvspinlock_page *pvlock_open(void)
{
	const struct pvspinlock_page *p;
	void *map;
	int fd;

	if (__atomic_load_n(&pvlock__tried, __ATOMIC_ACQUIRE))
		return __atomic_load_n(&pvlock__page, __ATOMIC_ACQUIRE);
	fd = open(PVSPINLOCK_DEV_PATH, O_RDONLY | O_CLOEXEC);
	p = NULL;
	if (fd >= 0) {
		map = mmap(NULL, PVSPINLOCK_PAGE_SIZE, PROT_READ, MAP_SHARED,
			   fd, 0);
		close(fd);	/* the mapping keeps the device open */
		if (map != MAP_FAILED) {
			p = (const struct pvspinlock_page *)map;
			if (p->magic != PVSPINLOCK_MAGIC ||
			    p->version != PVSPINLOCK_ABI_VERSION ||
			    p->state_offset != PVSPINLOCK_STATE_OFFSET ||
			    p->nr_vcpus > PVSPINLOCK_MAX_VCPUS) {
				munmap(map, PVSPINLOCK_PAGE_SIZE);
				p = NULL;
			}
		}
	}
	/* Two threads may race here: the first one's map is kept. */
	{
		const struct pvspinlock_page *none = NULL;

		if (p && !__atomic_compare_exchange_n(&pvlock__page, &none, p,
						      0, __ATOMIC_RELEASE,
						      __ATOMIC_ACQUIRE)) {
			munmap((void *)p, PVSPINLOCK_PAGE_SIZE);
			p = none;
		}
	}
	__atomic_store_n(&pvlock__tried, 1, __ATOMIC_RELEASE);
	return __atomic_load_n(&pvlock__page, __ATOMIC_ACQUIRE);
}

/**
 * pvlock_vcpu_state() - what the page says of a CPU now
 * @cpu: a CPU number of this guest
 *
 * Return: PVSPINLOCK_RUNNING, PVSPINLOCK_PREEMPTED, PVSPINLOCK_OFFLINE or
 * PVSPINLOCK_UNKNOWN (also for no page, a CPU out of range, or a layout
 * change under way).
 */
static inline int pvlock_vcpu_state(int cpu)
{
	const struct pvspinlock_page *p = pvlock_open();
	__u32 gen;
	__u8 s;

	if (!p || cpu < 0 ||
	    (__u32)cpu >= __atomic_load_n(&p->nr_vcpus, __ATOMIC_RELAXED))
		return PVSPINLOCK_UNKNOWN;
	gen = __atomic_load_n(&p->generation, __ATOMIC_ACQUIRE);
	if (gen & 1)
		return PVSPINLOCK_UNKNOWN;
	s = __atomic_load_n(&p->state[cpu], __ATOMIC_RELAXED);
	return s <= PVSPINLOCK_OFFLINE ? s : PVSPINLOCK_UNKNOWN;
}

static inline int pvlock__cpu(void)
{
	int cpu = sched_getcpu();

	return cpu < 0 ? -1 : cpu;
}

static inline long pvlock__futex(__u32 *uaddr, int op, __u32 val)
{
	return syscall(SYS_futex, uaddr, op | FUTEX_PRIVATE_FLAG, val,
		       NULL, NULL, 0);
}

/**
 * pvlock_mutex_trylock() - take the mutex if it is free
 * @m: the mutex
 *
 * Return: 1 if taken, 0 if not.
 */
static inline int pvlock_mutex_trylock(struct pvlock_mutex *m)
{
	__u32 zero = 0;

	if (!__atomic_compare_exchange_n(&m->word, &zero, 1, 0,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return 0;
	__atomic_store_n(&m->owner_cpu, pvlock__cpu(), __ATOMIC_RELAXED);
	return 1;
}

/*
 * Spin while that pays: return 0 with the mutex taken, or 1 to sleep.
 * Never longer than PVLOCK_SPIN_RUNNING turns, whatever the page says.
 */
static inline int pvlock__spin(struct pvlock_mutex *m)
{
	unsigned int i, limit = PVLOCK_SPIN_UNKNOWN;
	int state;

	for (i = 0; i < limit; i++) {
		if (__atomic_load_n(&m->word, __ATOMIC_RELAXED) == 0 &&
		    pvlock_mutex_trylock(m))
			return 0;
		if (!(i % PVLOCK_LOOK_EVERY)) {
			int owner = __atomic_load_n(&m->owner_cpu,
						    __ATOMIC_RELAXED);

			state = pvlock_vcpu_state(owner);
			if (state == PVSPINLOCK_PREEMPTED)
				return 1;
			limit = state == PVSPINLOCK_RUNNING ?
				PVLOCK_SPIN_RUNNING : PVLOCK_SPIN_UNKNOWN;
		}
		pvlock_cpu_relax();
	}
	return 1;
}

/**
 * pvlock_mutex_lock() - take the mutex, spinning or sleeping
 * @m: the mutex
 */
static inline void pvlock_mutex_lock(struct pvlock_mutex *m)
{
	__u32 v;

	if (pvlock_mutex_trylock(m))
		return;
	if (!pvlock__spin(m))
		return;
	/* Sleep: mark the word contended, so the unlock wakes someone. */
	v = __atomic_exchange_n(&m->word, 2, __ATOMIC_ACQUIRE);
	while (v) {
		pvlock__futex(&m->word, FUTEX_WAIT, 2);
		v = __atomic_exchange_n(&m->word, 2, __ATOMIC_ACQUIRE);
	}
	__atomic_store_n(&m->owner_cpu, pvlock__cpu(), __ATOMIC_RELAXED);
}

/**
 * pvlock_mutex_unlock() - release the mutex
 * @m: the mutex, held by the caller
 */
static inline void pvlock_mutex_unlock(struct pvlock_mutex *m)
{
	__atomic_store_n(&m->owner_cpu, -1, __ATOMIC_RELAXED);
	if (__atomic_exchange_n(&m->word, 0, __ATOMIC_RELEASE) == 2)
		pvlock__futex(&m->word, FUTEX_WAKE, 1);
}

#endif /* PVLOCK_H */
