/* SPDX-License-Identifier: GPL-2.0 */
/* pvspinlock internals, shared by the lock code, the torture and KUnit. */
#ifndef _PVSPINLOCK_INTERNAL_H
#define _PVSPINLOCK_INTERNAL_H

#include <linux/cpumask.h>
#include <linux/spinlock.h>
#include <linux/types.h>

struct dentry;

/* Per-CPU counters of one lock class. */
struct pvsl_stats {
	u64 acquisitions;	/* every acquisition, trylock included */
	u64 contended;		/* acquisitions that had to wait */
	u64 preempted;		/* waits that saw the holder's vCPU preempted */
	u64 yields_asked;	/* directed yields asked of a backend */
	u64 yields_granted;	/* ... that the backend did */
	u64 boosts_asked;	/* boosts asked for a preempted holder */
	u64 boosts_granted;	/* ... that the backend accepted */
	u64 sleeps;		/* pvmutex waits that went to sleep */
	u64 fallbacks;		/* waits left to plain spinning */
	u64 max_wait_ns;	/* the longest contended wait */
};

/* Per-CPU lock-hint counters. */
struct pvsl_hint_stats {
	u64 hinted;		/* outermost sections the host was told of */
};

#define PVSL_MAX_CLASSES	64	/* slot 0 takes the classes beyond */
#define PVSL_NAME_LEN		56

/* What one torture run does, and what it found. */
enum pvsl_torture_kind {
	PVSL_T_SPIN,		/* pvspinlock_lock() */
	PVSL_T_SPIN_IRQ,	/* pvspinlock_lock_irqsave() */
	PVSL_T_SPIN_BH,		/* pvspinlock_lock_bh() */
	PVSL_T_PVMUTEX,		/* pvmutex_lock() */
	PVSL_T_SPINLOCK,	/* spinlock_t, the baseline */
	PVSL_T_MUTEX,		/* struct mutex, the baseline */
	PVSL_T_NR
};

#define PVSL_TORTURE_MAX_THREADS	64
#define PVSL_TORTURE_MAX_ITERS		10000000U
#define PVSL_TORTURE_MAX_CS		10000U

struct pvsl_torture {
	/* in */
	enum pvsl_torture_kind kind;
	unsigned int threads;		/* 1..PVSL_TORTURE_MAX_THREADS */
	unsigned int iterations;	/* per thread */
	unsigned int cs_loops;		/* cpu_relax() inside the section */
	/* out */
	u64 counter;			/* the shared counter at the end */
	u64 expected;			/* threads * iterations */
	u64 violations;			/* two threads seen inside at once */
	u64 elapsed_ns;			/* start of all threads to the end */
	u64 wait_p50_ns;		/* acquire latency percentiles */
	u64 wait_p99_ns;
};

const char *pvsl_torture_name(enum pvsl_torture_kind kind);
int pvsl_torture_parse(const char *buf, struct pvsl_torture *t);
int pvsl_torture_run(struct pvsl_torture *t);
int pvsl_torture_init(struct dentry *dir);
void pvsl_torture_exit(void);

void pvsl_class_stats(u16 id, struct pvsl_stats *sum);
const char *pvsl_class_name(u16 id);
extern unsigned int pvsl_spin_budget;
extern unsigned int pvsl_yield_budget;
extern bool pvsl_boost;
void pvsl_boost_flush(void);
void pvsl_hint_enable(bool on);
bool pvsl_hint_enabled(void);
unsigned int pvsl_hint_state(unsigned int cpu, struct pvsl_hint_stats *st);

/* /dev/pvspinlock: the page of preempted flags user space maps (dev.c). */
struct pvspinlock_page;

struct pvsl_dev {
	struct pvspinlock_page *page;
	raw_spinlock_t lock;		/* the writers of the page */
	unsigned int nr;		/* CPU ids the page shows */
	bool dirty;			/* a layout change to write */
	bool live;			/* what the page's flags say */
	unsigned long pvhc_gen;		/* pvhc_generation() at the last layout */
	u64 relayouts;
	atomic_long_t host_invalid;	/* answers that were no fact */
	struct cpumask online;		/* the CPUs shown as vCPUs */
};

u8 pvsl_dev_state(struct pvsl_dev *d, int ret);
void pvsl_dev_setup(struct pvsl_dev *d, void *page, unsigned int nr_cpus);
void pvsl_dev_refresh(struct pvsl_dev *d);
void pvsl_dev_set_online(struct pvsl_dev *d, unsigned int cpu, bool online);
int pvsl_dev_init(struct dentry *dir);
void pvsl_dev_exit(void);

#endif /* _PVSPINLOCK_INTERNAL_H */
