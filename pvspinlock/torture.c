// SPDX-License-Identifier: GPL-2.0
/*
 * pvspinlock torture: kthreads on every online CPU hammer one lock, each
 * turn a read-modify-write of a shared counter inside the section, and a
 * check that nobody else is inside. The same run drives the kernel's
 * spinlock_t and struct mutex, the baselines of the benchmark.
 *
 * /sys/kernel/debug/pvspinlock/torture: write
 * "KIND THREADS ITERATIONS [CS_LOOPS]" to run (the write returns when the
 * run is over), read the result of the last run.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/visibility.h>
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/kthread.h>
#include <linux/mutex.h>
#include <linux/pvspinlock.h>
#include <linux/sched/clock.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "pvspinlock_internal.h"

#define PVSL_SAMPLES	1024	/* acquire latencies kept per thread */

static const char * const pvsl_kinds[PVSL_T_NR] = {
	[PVSL_T_SPIN] = "spin",
	[PVSL_T_SPIN_IRQ] = "spin_irq",
	[PVSL_T_SPIN_BH] = "spin_bh",
	[PVSL_T_PVMUTEX] = "pvmutex",
	[PVSL_T_SPINLOCK] = "spinlock",
	[PVSL_T_MUTEX] = "mutex",
};

static struct pvspinlock pvsl_t_spin;
static struct pvmutex pvsl_t_pvmutex;
static DEFINE_SPINLOCK(pvsl_t_spinlock);
static DEFINE_MUTEX(pvsl_t_mutex);

static DEFINE_MUTEX(pvsl_torture_lock);	/* one run at a time, pvsl_last */
static struct pvsl_torture pvsl_last;
static bool pvsl_last_valid;

struct pvsl_run {
	struct pvsl_torture *t;
	struct completion start;
	struct completion done;
	atomic_t remaining;
	atomic_t inside;
	atomic64_t violations;
	u64 counter;
};

struct pvsl_thread {
	struct pvsl_run *run;
	struct task_struct *task;
	u64 *samples;
	unsigned int nr_samples;
};

/**
 * pvsl_torture_name - the name of a torture kind
 * @kind: the kind
 *
 * Return: its name, or NULL.
 */
const char *pvsl_torture_name(enum pvsl_torture_kind kind)
{
	return (unsigned int)kind < PVSL_T_NR ? pvsl_kinds[kind] : NULL;
}
EXPORT_SYMBOL_IF_KUNIT(pvsl_torture_name);

static void pvsl_t_lock(enum pvsl_torture_kind kind, unsigned long *flags)
{
	switch (kind) {
	case PVSL_T_SPIN:
		pvspinlock_lock(&pvsl_t_spin);
		break;
	case PVSL_T_SPIN_IRQ:
		pvspinlock_lock_irqsave(&pvsl_t_spin, *flags);
		break;
	case PVSL_T_SPIN_BH:
		pvspinlock_lock_bh(&pvsl_t_spin);
		break;
	case PVSL_T_PVMUTEX:
		pvmutex_lock(&pvsl_t_pvmutex);
		break;
	case PVSL_T_SPINLOCK:
		spin_lock(&pvsl_t_spinlock);
		break;
	default:
		mutex_lock(&pvsl_t_mutex);
		break;
	}
}

static void pvsl_t_unlock(enum pvsl_torture_kind kind, unsigned long flags)
{
	switch (kind) {
	case PVSL_T_SPIN:
		pvspinlock_unlock(&pvsl_t_spin);
		break;
	case PVSL_T_SPIN_IRQ:
		pvspinlock_unlock_irqrestore(&pvsl_t_spin, flags);
		break;
	case PVSL_T_SPIN_BH:
		pvspinlock_unlock_bh(&pvsl_t_spin);
		break;
	case PVSL_T_PVMUTEX:
		pvmutex_unlock(&pvsl_t_pvmutex);
		break;
	case PVSL_T_SPINLOCK:
		spin_unlock(&pvsl_t_spinlock);
		break;
	default:
		mutex_unlock(&pvsl_t_mutex);
		break;
	}
}

static int pvsl_t_fn(void *arg)
{
	struct pvsl_thread *th = arg;
	struct pvsl_run *run = th->run;
	const struct pvsl_torture *t = run->t;
	unsigned int i, j, stride = max(t->iterations / PVSL_SAMPLES, 1U);
	unsigned long flags = 0;

	wait_for_completion(&run->start);
	for (i = 0; i < t->iterations; i++) {
		u64 t0 = local_clock(), v;

		pvsl_t_lock(t->kind, &flags);
		if (!(i % stride) && th->nr_samples < PVSL_SAMPLES)
			th->samples[th->nr_samples++] = local_clock() - t0;
		if (atomic_inc_return(&run->inside) != 1)
			atomic64_inc(&run->violations);
		v = READ_ONCE(run->counter);
		for (j = 0; j < t->cs_loops; j++)
			cpu_relax();
		WRITE_ONCE(run->counter, v + 1);
		atomic_dec(&run->inside);
		pvsl_t_unlock(t->kind, flags);
		/*
		 * Every turn: under overcommit one turn can take a host time
		 * slice, and 64 of them starved the CPU's RCU kthread.
		 */
		cond_resched();
	}
	if (atomic_dec_and_test(&run->remaining))
		complete(&run->done);
	/* Stay until kthread_stop(), so the task is still there for it. */
	set_current_state(TASK_INTERRUPTIBLE);
	while (!kthread_should_stop()) {
		schedule();
		set_current_state(TASK_INTERRUPTIBLE);
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

static int pvsl_u64_cmp(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/**
 * pvsl_torture_run - run one torture, threads spread over online CPUs
 * @t: what to run; its results are filled in
 *
 * Context: process context, sleeps until every thread is done.
 * Return: 0, -EINVAL for a bad @t, -ENOMEM, or a kthread_create() error.
 */
int pvsl_torture_run(struct pvsl_torture *t)
{
	struct pvsl_thread *th;
	struct pvsl_run run;
	unsigned int i, n = 0, cpu = nr_cpu_ids, started = 0;
	u64 *all, begin;
	int ret = 0;

	if ((unsigned int)t->kind >= PVSL_T_NR || !t->threads ||
	    t->threads > PVSL_TORTURE_MAX_THREADS || !t->iterations ||
	    t->iterations > PVSL_TORTURE_MAX_ITERS ||
	    t->cs_loops > PVSL_TORTURE_MAX_CS)
		return -EINVAL;
	th = kcalloc(t->threads, sizeof(*th), GFP_KERNEL);
	all = kvcalloc((size_t)t->threads * PVSL_SAMPLES, sizeof(u64),
		       GFP_KERNEL);
	if (!th || !all) {
		ret = -ENOMEM;
		goto free;
	}
	memset(&run, 0, sizeof(run));
	run.t = t;
	init_completion(&run.start);
	init_completion(&run.done);
	atomic_set(&run.remaining, t->threads);
	for (i = 0; i < t->threads; i++) {
		cpu = cpumask_next(cpu, cpu_online_mask);
		if (cpu >= nr_cpu_ids)
			cpu = cpumask_first(cpu_online_mask);
		th[i].run = &run;
		th[i].samples = all + (size_t)i * PVSL_SAMPLES;
		th[i].task = kthread_create(pvsl_t_fn, &th[i], "pvsl_t/%u", i);
		if (IS_ERR(th[i].task)) {
			ret = PTR_ERR(th[i].task);
			th[i].task = NULL;
			break;
		}
		get_task_struct(th[i].task);
		kthread_bind(th[i].task, cpu);
		wake_up_process(th[i].task);
		started++;
	}
	if (ret) {
		/* Let the ones started run to the end, then stop them. */
		atomic_sub(t->threads - started, &run.remaining);
		if (!started)
			goto free;
	}
	begin = local_clock();
	complete_all(&run.start);
	/* Sleep in steps: a long run is no hung task. */
	while (!wait_for_completion_timeout(&run.done, HZ))
		;
	t->elapsed_ns = local_clock() - begin;
	for (i = 0; i < started; i++) {
		kthread_stop(th[i].task);
		put_task_struct(th[i].task);
		/* Compacted in place: the regions may overlap. */
		memmove(all + n, th[i].samples, th[i].nr_samples * sizeof(u64));
		n += th[i].nr_samples;
	}
	t->counter = run.counter;
	t->expected = (u64)started * t->iterations;
	t->violations = atomic64_read(&run.violations);
	t->wait_p50_ns = 0;
	t->wait_p99_ns = 0;
	if (n) {
		sort(all, n, sizeof(u64), pvsl_u64_cmp, NULL);
		t->wait_p50_ns = all[n / 2];
		t->wait_p99_ns = all[min(n - 1, n * 99 / 100)];
	}
free:
	kvfree(all);
	kfree(th);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(pvsl_torture_run);

/**
 * pvsl_torture_parse - parse "KIND THREADS ITERATIONS [CS_LOOPS]"
 * @buf: the text, NUL-terminated
 * @t: filled in on success
 *
 * Return: 0, or -EINVAL for anything else or out of range.
 */
int pvsl_torture_parse(const char *buf, struct pvsl_torture *t)
{
	char kind[16];
	unsigned int threads, iters, cs = 0;
	int n, i;

	n = sscanf(buf, "%15s %u %u %u", kind, &threads, &iters, &cs);
	if (n < 3)
		return -EINVAL;
	for (i = 0; i < PVSL_T_NR; i++)
		if (!strcmp(kind, pvsl_kinds[i]))
			break;
	if (i == PVSL_T_NR || !threads || threads > PVSL_TORTURE_MAX_THREADS ||
	    !iters || iters > PVSL_TORTURE_MAX_ITERS ||
	    cs > PVSL_TORTURE_MAX_CS)
		return -EINVAL;
	memset(t, 0, sizeof(*t));
	t->kind = i;
	t->threads = threads;
	t->iterations = iters;
	t->cs_loops = cs;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(pvsl_torture_parse);

static ssize_t pvsl_torture_write(struct file *f, const char __user *ubuf,
				  size_t len, loff_t *ppos)
{
	struct pvsl_torture t;
	char buf[64];
	int ret;

	if (!len || len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	ret = pvsl_torture_parse(buf, &t);
	if (ret) {
		pr_warn_ratelimited("torture: want KIND THREADS ITERATIONS [CS_LOOPS], THREADS 1..%u, ITERATIONS 1..%u, CS_LOOPS 0..%u\n",
				    PVSL_TORTURE_MAX_THREADS,
				    PVSL_TORTURE_MAX_ITERS,
				    PVSL_TORTURE_MAX_CS);
		return ret;
	}
	if (!mutex_trylock(&pvsl_torture_lock))
		return -EBUSY;
	ret = pvsl_torture_run(&t);
	if (!ret) {
		pvsl_last = t;
		pvsl_last_valid = true;
	}
	mutex_unlock(&pvsl_torture_lock);
	return ret ? ret : len;
}

static ssize_t pvsl_torture_read(struct file *f, char __user *ubuf,
				 size_t len, loff_t *ppos)
{
	struct pvsl_torture t;
	char buf[320];
	bool valid;
	int n;

	mutex_lock(&pvsl_torture_lock);
	t = pvsl_last;
	valid = pvsl_last_valid;
	mutex_unlock(&pvsl_torture_lock);
	if (!valid)
		n = scnprintf(buf, sizeof(buf), "none\n");
	else
		n = scnprintf(buf, sizeof(buf),
			      "kind=%s threads=%u iterations=%u cs_loops=%u counter=%llu expected=%llu violations=%llu elapsed_ns=%llu wait_p50_ns=%llu wait_p99_ns=%llu\n",
			      pvsl_kinds[t.kind], t.threads, t.iterations,
			      t.cs_loops, t.counter, t.expected,
			      t.violations, t.elapsed_ns, t.wait_p50_ns,
			      t.wait_p99_ns);
	return simple_read_from_buffer(ubuf, len, ppos, buf, n);
}

static const struct file_operations pvsl_torture_fops = {
	.owner = THIS_MODULE,
	.read = pvsl_torture_read,
	.write = pvsl_torture_write,
	.llseek = default_llseek,
};

/**
 * pvsl_torture_init - the torture locks and debugfs file
 * @dir: the module's debugfs directory
 *
 * Return: 0.
 */
int pvsl_torture_init(struct dentry *dir)
{
	pvspinlock_init(&pvsl_t_spin);
	pvmutex_init(&pvsl_t_pvmutex);
	debugfs_create_file("torture", 0600, dir, NULL, &pvsl_torture_fops);
	return 0;
}

/**
 * pvsl_torture_exit - nothing runs once the debugfs file is gone
 */
void pvsl_torture_exit(void)
{
}
