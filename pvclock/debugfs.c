// SPDX-License-Identifier: GPL-2.0
/*
 * pvclock debugfs: /sys/kernel/debug/pvclock/
 *   compare  pvclock against the kernel's current clocksource over 100 ms
 *   bench    read cost per call of pvclock and of the kernel's clocks, from
 *            one CPU to every online CPU reading at once
 * Both run when read; neither is a test (timings under TCG are only
 * meaningful as ratios within one run).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>
#include <asm/msr.h>
#include <asm/tsc.h>

#include "pvclock.h"
#include "pvclock_internal.h"
#include "pvclock_intree.h"

static struct dentry *pvclock_debugfs;

/*
 * A pair of readings of the kernel's raw monotonic clock around one of
 * pvclock: the kernel's value at pvclock's instant is their midpoint, to
 * within half the window.
 */
static void pvclock_pair(u64 *kern, u64 *pv, u64 *window)
{
	u64 a, b;

	preempt_disable();
	a = ktime_get_raw_ns();
	*pv = pvclock_now();
	b = ktime_get_raw_ns();
	preempt_enable();
	*kern = a + (b - a) / 2;
	*window = b - a;
}

struct pvclock_compare {
	s64 drift;
	u64 interval;
	u64 bound;
};

/* On one CPU (a bound worker): both clocks over 100 ms. */
static long pvclock_compare_on(void *arg)
{
	struct pvclock_compare *r = arg;
	u64 k0, p0, w0, k1, p1, w1;

	pvclock_pair(&k0, &p0, &w0);
	msleep(100);
	pvclock_pair(&k1, &p1, &w1);
	r->interval = k1 - k0;
	r->drift = (s64)((p1 - p0) - (k1 - k0));
	r->bound = w0 / 2 + w1 / 2 + 2;
	return 0;
}

/*
 * How far pvclock and the kernel's current clocksource (its raw clock, not
 * steered by NTP) drift apart over 100 ms, on each online CPU in turn:
 * the drift, and the bound the reading windows allow (half of each, plus
 * 1 ns of rounding per clock). Both clocks clamp to their own cross-CPU
 * guard, so on a CPU whose clock lags the others either may stand still
 * for a while: that part is the cross-vCPU skew, not a disagreement of
 * the two readers, and the CPU that leads shows the readers' agreement.
 */
static int pvclock_compare_show(struct seq_file *m, void *unused)
{
	struct pvclock_compare r;
	unsigned int cpu;

	cpus_read_lock();
	for_each_online_cpu(cpu) {
		work_on_cpu(cpu, pvclock_compare_on, &r);
		seq_printf(m, "cpu %u interval_ns %llu drift_ns %lld bound_ns %llu\n",
			   cpu, r.interval, r.drift, r.bound);
	}
	cpus_read_unlock();
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pvclock_compare);

/* The benchmark. */
enum pvclock_bench_reader {
	PVB_PVCLOCK,		/* pvclock_now(): this module's reader */
	PVB_INTREE,		/* the in-tree reader on the same records */
	PVB_PVCLOCK_GLOBAL,	/* pvclock_now(), cross-CPU guard forced */
	PVB_PVCLOCK_STABLE,	/* pvclock's reader, stable private copy */
	PVB_INTREE_STABLE,	/* the in-tree reader, the same copy */
	PVB_TSC,		/* rdtsc_ordered(): the tsc clocksource's read */
	PVB_KTIME,		/* ktime_get(): the current clocksource */
	PVB_NR
};

static const char * const pvclock_bench_names[PVB_NR] = {
	"pvclock", "in-tree", "pvclock-global", "pvclock-stable",
	"in-tree-stable", "tsc", "ktime_get",
};

#define PVB_BATCH	64	/* reads per timed batch */
#define PVB_BATCHES	200	/* timed batches per CPU per run */

static atomic64_t pvclock_bench_intree_last;	/* in-tree's last_value */
static u64 pvclock_bench_sink;

/*
 * The in-tree reader on this CPU's record, wrapped as the kernel's xen and
 * kvm-clock clocksources wrap it.
 */
static u64 pvclock_bench_intree(void)
{
	const struct pvclock_vcpu_time_info *src;
	u64 ret;

	/* As xen_clocksource_read() and kvm_clock_read() call it. */
	preempt_disable_notrace();
	src = pvclock_this_cpu_rec();
	ret = src ? pvclock_intree_read(src, &pvclock_bench_intree_last) : 0;
	preempt_enable_notrace();
	return ret;
}

struct pvclock_bench_run {
	enum pvclock_bench_reader reader;
	atomic_t ready;
	atomic_t go;
	atomic_t done;
	struct completion all_done;
	unsigned int nthreads;
	u32 *ps;		/* per batch: picoseconds per read */
	unsigned int nsamples;
};

/*
 * A thread's private copy of its CPU's record with PVCLOCK_TSC_STABLE_BIT
 * set, and a reader state of its own: both readers' stable-bit paths on
 * the same memory, whatever the host's records say. And a reader state
 * on the CPU's real record with the high-water mark forced for every read
 * (pvclock_bench_guard, shared by the threads, which never writes a
 * record).
 */
struct pvclock_bench_priv {
	struct pvclock_vcpu_time_info rec;
	struct pvclock_cpu c;
	struct pvclock_guard g;
	struct pvclock_cpu global;	/* this CPU's record, guard forced */
};

struct pvclock_bench_thread {
	struct pvclock_bench_run *run;
	unsigned int slot;
	struct pvclock_bench_priv *priv;
};

static u64 pvclock_bench_stable(struct pvclock_bench_priv *p)
{
	u64 ret;

	preempt_disable_notrace();
	ret = __pvclock_read(&p->c, NULL, &p->g);
	preempt_enable_notrace();
	return ret;
}

static u64 pvclock_bench_global(struct pvclock_bench_priv *p)
{
	u64 ret;

	preempt_disable_notrace();
	ret = __pvclock_read(&p->global, NULL, &pvclock_bench_guard);
	preempt_enable_notrace();
	return ret;
}

static u64 pvclock_bench_intree_stable(struct pvclock_bench_priv *p)
{
	u64 ret;

	preempt_disable_notrace();
	ret = pvclock_intree_read(&p->rec, &pvclock_bench_intree_last);
	preempt_enable_notrace();
	return ret;
}

/* Fill @p from this CPU's record; false without one. */
static bool pvclock_bench_priv_init(struct pvclock_bench_priv *p)
{
	struct pvclock_snap s;
	bool ok;

	preempt_disable();
	ok = pvclock_this_cpu_snap(&s);
	preempt_enable();
	if (!ok)
		return false;
	p->rec.version = 2;
	p->rec.tsc_timestamp = s.tsc_timestamp;
	p->rec.system_time = s.system_time;
	p->rec.tsc_to_system_mul = s.mul;
	p->rec.tsc_shift = s.shift;
	p->rec.flags = PVCLOCK_TSC_STABLE_BIT;
	pvclock_cpu_init(&p->c);
	pvclock_cpu_init(&p->global);
	p->c.rec = &p->rec;
	preempt_disable();
	p->global.rec = pvclock_this_cpu_rec();
	preempt_enable();
	return true;
}

static __always_inline u64 pvclock_bench_read(enum pvclock_bench_reader r,
					      struct pvclock_bench_priv *p)
{
	switch (r) {
	case PVB_PVCLOCK:
		return pvclock_now();
	case PVB_PVCLOCK_GLOBAL:
		return pvclock_bench_global(p);
	case PVB_INTREE:
		return pvclock_bench_intree();
	case PVB_PVCLOCK_STABLE:
		return pvclock_bench_stable(p);
	case PVB_INTREE_STABLE:
		return pvclock_bench_intree_stable(p);
	case PVB_TSC:
		return rdtsc_ordered();
	default:
		return ktime_get();
	}
}

static int pvclock_bench_fn(void *data)
{
	struct pvclock_bench_thread *t = data;
	struct pvclock_bench_run *run = t->run;
	u32 *out = run->ps + t->slot * PVB_BATCHES;
	u64 t0, t1, sink = 0;
	unsigned int b, i;

	if (!pvclock_bench_priv_init(t->priv)) {
		/* No record: reads return 0. */
		pvclock_cpu_init(&t->priv->c);
		pvclock_cpu_init(&t->priv->global);
		t->priv->c.rec = NULL;
		t->priv->global.rec = NULL;
	}
	atomic_inc(&run->ready);
	while (!atomic_read(&run->go))
		cond_resched();
	/* Warm-up: one untimed batch. */
	for (i = 0; i < PVB_BATCH; i++)
		sink += pvclock_bench_read(run->reader, t->priv);
	for (b = 0; b < PVB_BATCHES; b++) {
		preempt_disable();
		t0 = rdtsc_ordered();
		for (i = 0; i < PVB_BATCH; i++)
			sink += pvclock_bench_read(run->reader, t->priv);
		t1 = rdtsc_ordered();
		preempt_enable();
		cond_resched();
		/* ps per read = ticks * 10^9 / (tsc_khz * batch) */
		out[b] = min_t(u64, U32_MAX,
			       div_u64((t1 - t0) * 1000000000ULL,
				       max(tsc_khz, 1U) * PVB_BATCH));
	}
	WRITE_ONCE(pvclock_bench_sink, sink);	/* keep the reads */
	if (atomic_inc_return(&run->done) == run->nthreads)
		complete(&run->all_done);
	return 0;
}

static int pvclock_u32_cmp(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

/* Run @reader on the first @n online CPUs at once; print median and p99. */
static int pvclock_bench_one(struct seq_file *m, enum pvclock_bench_reader r,
			     unsigned int n)
{
	struct pvclock_bench_thread *th;
	struct pvclock_bench_run run = { .reader = r, .nthreads = n };
	struct task_struct **tasks;
	unsigned int cpu, i = 0, total;
	int ret = 0;

	total = n * PVB_BATCHES;
	run.ps = kcalloc(total, sizeof(*run.ps), GFP_KERNEL);
	th = kcalloc(n, sizeof(*th), GFP_KERNEL);
	tasks = kcalloc(n, sizeof(*tasks), GFP_KERNEL);
	if (!run.ps || !th || !tasks) {
		ret = -ENOMEM;
		goto free;
	}
	for (i = 0; i < n; i++) {
		/* Whole cache lines, so that threads do not share one. */
		th[i].priv = kzalloc(ALIGN(sizeof(*th[i].priv),
					   SMP_CACHE_BYTES), GFP_KERNEL);
		if (!th[i].priv) {
			ret = -ENOMEM;
			goto free;
		}
	}
	i = 0;
	init_completion(&run.all_done);
	for_each_online_cpu(cpu) {
		if (i == n)
			break;
		th[i].run = &run;
		th[i].slot = i;
		tasks[i] = kthread_create_on_cpu(pvclock_bench_fn, &th[i], cpu,
						 "pvclock_bench/%u");
		if (IS_ERR(tasks[i])) {
			ret = PTR_ERR(tasks[i]);
			break;
		}
		i++;
	}
	if (ret || i < n) {
		/* Threads never woken are stopped before they run. */
		while (i--)
			kthread_stop(tasks[i]);
		ret = ret ?: -EBUSY;
		goto free;
	}
	for (i = 0; i < n; i++)
		wake_up_process(tasks[i]);
	while (atomic_read(&run.ready) < n)
		schedule_timeout_uninterruptible(1);
	atomic_set(&run.go, 1);
	wait_for_completion(&run.all_done);
	sort(run.ps, total, sizeof(*run.ps), pvclock_u32_cmp, NULL);
	seq_printf(m, "%-15s %5u %10u.%03u %10u.%03u %8u\n",
		   pvclock_bench_names[r], n,
		   run.ps[total / 2] / 1000, run.ps[total / 2] % 1000,
		   run.ps[total * 99 / 100] / 1000,
		   run.ps[total * 99 / 100] % 1000, total);
free:
	kfree(tasks);
	for (i = 0; th && i < n; i++)
		kfree(th[i].priv);
	kfree(th);
	kfree(run.ps);
	return ret;
}

static int pvclock_bench_show(struct seq_file *m, void *unused)
{
	unsigned int n, online = num_online_cpus();
	enum pvclock_bench_reader r;
	int ret;

	seq_printf(m, "# %u online CPUs, %u batches of %u reads per CPU, ns per read\n",
		   online, PVB_BATCHES, PVB_BATCH);
	seq_printf(m, "%-15s %5s %14s %14s %8s\n", "reader", "cpus",
		   "median_ns", "p99_ns", "batches");
	cpus_read_lock();
	/* Readers interleaved: every reader at one CPU count, then the next. */
	for (n = 1; n <= online; n = n < online ? min(n * 2, online) : n + 1) {
		for (r = 0; r < PVB_NR; r++) {
			ret = pvclock_bench_one(m, r, n);
			if (ret) {
				cpus_read_unlock();
				return ret;
			}
		}
	}
	cpus_read_unlock();
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pvclock_bench);

void pvclock_debugfs_init(void)
{
	pvclock_debugfs = debugfs_create_dir("pvclock", NULL);
	debugfs_create_file("compare", 0400, pvclock_debugfs, NULL,
			    &pvclock_compare_fops);
	debugfs_create_file("bench", 0400, pvclock_debugfs, NULL,
			    &pvclock_bench_fops);
}

void pvclock_debugfs_exit(void)
{
	debugfs_remove_recursive(pvclock_debugfs);
}
