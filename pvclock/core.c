// SPDX-License-Identifier: GPL-2.0
/*
 * pvclock - a loadable clocksource read from host-maintained clock records.
 *
 * The host shares, per vCPU, a pvclock_vcpu_time_info record (scale and
 * offset from the TSC to nanoseconds) that it rewrites whenever the TSC
 * rate changes; the guest reads it without an exit. pvhc supplies the
 * records (the kernel's kvmclock pages, Xen vcpu_time_info areas or the
 * pvhost channel); this module reads them with a bounded version protocol,
 * keeps the result monotonic, counts everything it had to correct and
 * registers a clocksource and, where the host pairs its real time with the
 * TSC, a PTP clock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/clocksource.h>
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/delay.h>
#include <linux/ctype.h>
#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/nmi.h>
#include <linux/percpu.h>
#include <linux/pvhc.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/workqueue.h>
#include <kunit/visibility.h>
#include <asm/msr.h>
#include <asm/tsc.h>

#include "pvclock.h"
#include "pvclock_internal.h"

/* Below every real clocksource (tsc 300, hpet 250, acpi_pm 200). */
#define PVCLOCK_RATING_DEFAULT	10
#define PVCLOCK_RATING_MAX	499	/* 500 and above mean "ideal" */
#define PVCLOCK_RATING_DEGRADED	1	/* where a misbehaving host leaves it */

static int pvclock_rating_param = PVCLOCK_RATING_DEFAULT;
module_param_named(rating, pvclock_rating_param, int, 0444);
MODULE_PARM_DESC(rating,
		 "Clocksource rating, 1..499 (default 10: never chosen over a real clocksource)");

static char *pvclock_source_param = "auto";
module_param_named(source, pvclock_source_param, charp, 0444);
MODULE_PARM_DESC(source,
		 "Record source: auto, or the pvhc backend name to insist on (kvm, xen, pvhost)");

static char *pvclock_guard_param = "auto";
module_param_named(guard, pvclock_guard_param, charp, 0444);
MODULE_PARM_DESC(guard,
		 "Cross-vCPU guard: auto (only without PVCLOCK_TSC_STABLE_BIT) or global (always)");

/* The high-water mark's quantum: see pvclock_guard_read(). */
#define PVCLOCK_QUANTUM_DEFAULT	1000
#define PVCLOCK_QUANTUM_MAX	1000000

static unsigned int pvclock_quantum_param = PVCLOCK_QUANTUM_DEFAULT;
module_param_named(guard_quantum_ns, pvclock_quantum_param, uint, 0444);
MODULE_PARM_DESC(guard_quantum_ns,
		 "High-water guard: a read at most this far ahead of the mark returns the mark (0..1000000 ns, default 1000; 0: publish every value)");

static DEFINE_PER_CPU_ALIGNED(struct pvclock_cpu, pvclock_cpus);
static u64 pvclock_peers_last(void);
static struct pvclock_guard pvclock_guard = {
	.peers_last = pvclock_peers_last,
};

/* The benchmark's: the high-water mark forced, never writing a record. */
struct pvclock_guard pvclock_bench_guard = { .global = true };

/*
 * pvclock_mutex: the binding and the per-CPU record pointers; taken inside
 * the CPU hotplug lock (the online callback) and inside pvhc's (its
 * notifier). pvclock_cs_mutex: clocksource and PTP registration and the
 * rating; never taken with the other held, since registering may
 * stop_machine(), which takes the CPU hotplug lock.
 */
static DEFINE_MUTEX(pvclock_mutex);
static DEFINE_MUTEX(pvclock_cs_mutex);
static char pvclock_forced[PVHC_NAME_MAX];	/* "" for auto */
static char pvclock_source[PVHC_NAME_MAX] = "none";
static bool pvclock_bound;		/* records come from pvclock_source */
static unsigned long pvclock_bound_gen;	/* pvhc_generation() they were taken at */
static bool pvclock_frozen;		/* the source went away: frozen copies */
static bool pvclock_cs_registered;
static unsigned int pvclock_agree_runs;	/* health checks the records agreed */
static bool pvclock_stopping;
static bool pvclock_logged_none;
static int pvclock_rating;		/* what the clocksource has now */
static int pvclock_cpuhp_state;
static unsigned long pvclock_bad_seen;	/* host misbehaviour seen so far */
static u64 pvclock_record_skew;		/* largest disagreement of records */
static atomic_long_t pvclock_epochs;	/* resumes and source changes */
static atomic_long_t pvclock_hotplug_events;

static void pvclock_health_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(pvclock_health_work, pvclock_health_fn);
#define PVCLOCK_HEALTH_PERIOD	HZ
#define PVCLOCK_REBIND_RETRY	(HZ / 50)

static u64 pvclock_rdtsc(void)
{
	return rdtsc_ordered();
}

/* Called once per stop the host reports, from the read path. */
void pvclock_stopped_touch(void)
{
	touch_nmi_watchdog();
	reset_hung_task_detector();
}

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * pvclock_read_with - one read through the full path, with a given TSC
 * @c: a CPU state (preemption or interrupts disabled if it is per-CPU)
 * @tsc_fn: reads the TSC
 * @g: how CPUs agree
 *
 * Return: nanoseconds.
 */
u64 pvclock_read_with(struct pvclock_cpu *c, u64 (*tsc_fn)(void),
		      struct pvclock_guard *g)
{
	return __pvclock_read(c, tsc_fn, g);
}
EXPORT_SYMBOL_IF_KUNIT(pvclock_read_with);
#endif

/**
 * pvclock_now - read the clock on this CPU
 *
 * Context: any; atomic safe.
 * Return: nanoseconds of the host's system time, monotonic.
 */
u64 pvclock_now(void)
{
	u64 ret;

	preempt_disable_notrace();
	ret = __pvclock_read(this_cpu_ptr(&pvclock_cpus), NULL, &pvclock_guard);
	preempt_enable_notrace();
	return ret;
}
EXPORT_SYMBOL_GPL(pvclock_now);

/**
 * pvclock_this_cpu_snap - this CPU's last validated record
 * @s: filled in on success
 *
 * Context: preemption disabled.
 * Return: whether this CPU has read a valid record.
 */
bool pvclock_this_cpu_snap(struct pvclock_snap *s)
{
	struct pvclock_cpu *c = this_cpu_ptr(&pvclock_cpus);

	pvclock_now();
	if (!READ_ONCE(c->have_good))
		return false;
	*s = c->good;
	return true;
}

/* This CPU's record (preemption disabled), or NULL. */
const struct pvclock_vcpu_time_info *pvclock_this_cpu_rec(void)
{
	return READ_ONCE(this_cpu_ptr(&pvclock_cpus)->rec);
}

static u64 pvclock_cs_read(struct clocksource *cs)
{
	return pvclock_now();
}

static u64 pvclock_raise_mark(void);

/**
 * pvclock_resume_all - a new epoch after a resume or a Xen save/restore
 *
 * The host's system_time may restart lower and the TSC may restart: every
 * CPU forgets its copy and rebases its next record onto the largest value
 * returned so far, so that time neither stands still until the new
 * records catch up nor steps. The in-tree reader's pvclock_resume() resets
 * its high-water mark to 0 for the same reason.
 *
 * Context: the clocksource's resume callback (one CPU running, interrupts
 * off), or a test.
 */
VISIBLE_IF_KUNIT void pvclock_resume_all(void)
{
	unsigned int cpu;

	pvclock_raise_mark();
	for_each_possible_cpu(cpu)
		pvclock_cpu_resume(per_cpu_ptr(&pvclock_cpus, cpu));
	WRITE_ONCE(pvclock_guard.epoch_guard, true);
	atomic_long_inc(&pvclock_epochs);
}
EXPORT_SYMBOL_IF_KUNIT(pvclock_resume_all);

static void pvclock_cs_resume(struct clocksource *cs)
{
	pvclock_resume_all();
}

static struct clocksource pvclock_cs = {
	.name	= "pvclock",
	.read	= pvclock_cs_read,
	.mask	= CLOCKSOURCE_MASK(64),
	.flags	= CLOCK_SOURCE_IS_CONTINUOUS,
	/* Called for every registered clocksource, current or not. */
	.resume	= pvclock_cs_resume,
	/*
	 * The kernel holds a reference on the module while pvclock is the
	 * system clock: it cannot be unloaded from under the timekeeping
	 * core; select another clocksource first.
	 */
	.owner	= THIS_MODULE,
};

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * pvclock_cpu_state - a CPU's reader state
 * @cpu: a possible CPU
 *
 * Return: the state; its counters are read racily (diagnostics).
 */
struct pvclock_cpu *pvclock_cpu_state(unsigned int cpu)
{
	return per_cpu_ptr(&pvclock_cpus, cpu);
}
EXPORT_SYMBOL_IF_KUNIT(pvclock_cpu_state);
#endif

/**
 * pvclock_source_name - the source the records come from now
 * @buf: PVHC_NAME_MAX bytes
 */
VISIBLE_IF_KUNIT void pvclock_source_name(char *buf)
{
	mutex_lock(&pvclock_mutex);
	strscpy(buf, pvclock_source, PVHC_NAME_MAX);
	mutex_unlock(&pvclock_mutex);
}
EXPORT_SYMBOL_IF_KUNIT(pvclock_source_name);

/*
 * Make every CPU's next read take its record afresh, after the records
 * it reads from changed (and an RCU grace period, so that no read still
 * holds the old choice): the common read follows the copy's own source.
 */
static void pvclock_drop_copies(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		WRITE_ONCE(per_cpu_ptr(&pvclock_cpus, cpu)->good_src,
			   &pvclock_no_record);
}

/* The largest value any CPU returned: pvclock_guard.peers_last. */
static u64 pvclock_peers_last(void)
{
	unsigned int cpu;
	u64 m = 0;

	for_each_possible_cpu(cpu)
		m = max_t(u64, m, local64_read(&per_cpu_ptr(&pvclock_cpus,
							    cpu)->last));
	return m;
}

/*
 * Raise the cross-CPU high-water mark to the largest value any CPU
 * returned, so that a CPU taking a guarded copy never returns less.
 * Return: the mark.
 */
static u64 pvclock_raise_mark(void)
{
	pvclock_atomic_max(&pvclock_guard.last, pvclock_peers_last());
	return atomic64_read(&pvclock_guard.last);
}

/*
 * After the records changed source (every copy dropped and an RCU grace
 * period past): CPUs no longer share an epoch by construction, so every
 * record is taken guarded from now on, above every value returned so far.
 */
static void pvclock_new_epoch(void)
{
	WRITE_ONCE(pvclock_guard.epoch_guard, true);
	pvclock_raise_mark();
}

/* Point @cpu at its record, or at the first CPU's if it has none. */
static void pvclock_set_rec(unsigned int cpu,
			    const struct pvclock_vcpu_time_info *rec,
			    const struct pvclock_vcpu_time_info *first)
{
	struct pvclock_cpu *c = per_cpu_ptr(&pvclock_cpus, cpu);

	c->borrowed = !rec;
	WRITE_ONCE(c->rec, rec ?: first);
}

/*
 * The offset that makes the new records (@recs, @first where a CPU has
 * none) continue where the current ones are, so that changing sources is
 * a new epoch rather than a step: 0 on the first binding.
 * Return: 0, or -EAGAIN when the new record cannot be read now (held odd,
 * changing, invalid): binding then would guess the epoch.
 */
static int pvclock_epoch_offset(const struct pvclock_vcpu_time_info **recs,
				const struct pvclock_vcpu_time_info *first,
				s64 *offset)
{
	const struct pvclock_vcpu_time_info *rec;
	struct pvclock_snap s;
	unsigned long tries = 0;
	enum pvclock_rd rd;
	u64 before, tsc;

	*offset = 0;
	if (!pvclock_bound && !pvclock_frozen)
		return 0;
	preempt_disable();
	/* Past every value any CPU returned: no CPU sees time go back. */
	before = max(pvclock_now(), pvclock_raise_mark());
	rec = recs[smp_processor_id()] ?: first;
	rd = pvclock_snap_read(rec, pvclock_rdtsc, NULL, &s, &tsc, &tries);
	preempt_enable();
	if (rd != PVCLOCK_RD_OK)
		return -EAGAIN;
	*offset = before - pvclock_snap_ns(&s, tsc);
	return 0;
}

/* Bind to the source pvhc routes clock records to. pvclock_mutex held. */
static int pvclock_bind_locked(void)
{
	const struct pvclock_vcpu_time_info *first = NULL;
	const struct pvclock_vcpu_time_info **recs;
	char name[PVHC_NAME_MAX];
	unsigned long gen;
	unsigned int cpu;
	s64 offset;

	lockdep_assert_held(&pvclock_mutex);
	/*
	 * While a backend is being removed it still serves its features:
	 * records taken now may be freed as soon as the removal ends, and
	 * its PVHC_BACKEND_REMOVING has already been and gone. The health
	 * check tries again soon (pvclock_health_fn()).
	 */
	gen = pvhc_generation();
	if (gen & 1)
		return -EBUSY;
	pvhc_feature_source_name(PVHC_FEAT_CLOCK, name, sizeof(name));
	if (!strcmp(name, "none")) {
		if (!pvclock_logged_none)
			pr_info("no clock source: pvhc serves no clock records; clocksource not registered\n");
		pvclock_logged_none = true;
		return -ENODEV;
	}
	if (*pvclock_forced && strcmp(name, pvclock_forced)) {
		if (!pvclock_logged_none)
			pr_info("source=%s: pvhc serves clock records from %s, not used (pvhc deny= can exclude it)\n",
				pvclock_forced, name);
		pvclock_logged_none = true;
		return -ENODEV;
	}
	/*
	 * The same name is the same backend: its removal would have frozen
	 * the copies and unbound (pvclock_pvhc_event()).
	 */
	if (pvclock_bound && !strcmp(name, pvclock_source)) {
		pvclock_bound_gen = gen;
		return 0;
	}

	recs = kcalloc(nr_cpu_ids, sizeof(*recs), GFP_KERNEL);
	if (!recs)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		if (pvhc_clock_record(cpu, &recs[cpu]))
			recs[cpu] = NULL;
		if (!first && recs[cpu])
			first = recs[cpu];
	}
	/*
	 * The name and every record from one backend: a backend added or
	 * removed meanwhile may have answered for some CPUs only, and its
	 * removal would not be recognised as the one these records are in.
	 */
	smp_rmb();	/* the lookups before the generation's second read */
	if (pvhc_generation() != gen) {
		kfree(recs);
		return -EAGAIN;
	}
	if (!first) {
		kfree(recs);
		if (!pvclock_logged_none)
			pr_info("no clock source: %s serves no record for any CPU\n",
				name);
		pvclock_logged_none = true;
		return -ENODEV;
	}
	if (pvclock_epoch_offset(recs, first, &offset)) {
		kfree(recs);
		/* Kept on what it has; the health check tries again. */
		return -EAGAIN;
	}
	WRITE_ONCE(pvclock_guard.shared, NULL);
	pvclock_agree_runs = 0;
	for_each_possible_cpu(cpu) {
		WRITE_ONCE(per_cpu_ptr(&pvclock_cpus, cpu)->offset, offset);
		/* The new epoch's offset absorbed every rebase. */
		WRITE_ONCE(per_cpu_ptr(&pvclock_cpus, cpu)->rebase, 0);
		pvclock_set_rec(cpu, recs[cpu], first);
	}
	kfree(recs);
	/*
	 * Nobody reads the old records now: every CPU's next read takes its
	 * new record, judged against its last good copy (the time it gives
	 * with the new offset against the time the copy gives; see
	 * pvclock_judge()). Forgetting the copies instead let a record the
	 * host rewrote between this binding and a CPU's first read become
	 * that CPU's time unjudged: a host lying as it came back put the
	 * guest 277 years ahead.
	 */
	synchronize_rcu();
	for_each_possible_cpu(cpu) {
		struct pvclock_cpu *c = per_cpu_ptr(&pvclock_cpus, cpu);

		WRITE_ONCE(c->good_src, &pvclock_no_record);
		c->leap_since = 0;
	}
	if (pvclock_bound || pvclock_frozen) {
		synchronize_rcu();
		pvclock_new_epoch();
		atomic_long_inc(&pvclock_epochs);
	}
	/* The kernel owns its kvmclock records: it clears the flag there. */
	WRITE_ONCE(pvclock_guard.clear_stopped, strcmp(name, "kvm") != 0);
	strscpy(pvclock_source, name, sizeof(pvclock_source));
	pvclock_bound_gen = gen;
	pvclock_bound = true;
	pvclock_frozen = false;
	pvclock_logged_none = false;
	pr_info("source: %s\n", name);
	return 0;
}

/*
 * (Re)bind and register what the source allows.
 * Return: -EBUSY while a backend is being removed, otherwise 0.
 */
static int pvclock_bind(void)
{
	int ret, busy;

	cpus_read_lock();
	mutex_lock(&pvclock_mutex);
	ret = pvclock_bind_locked();
	mutex_unlock(&pvclock_mutex);
	cpus_read_unlock();
	busy = ret == -EBUSY ? ret : 0;

	mutex_lock(&pvclock_cs_mutex);
	/* Unloading: register nothing the exit path has taken down. */
	if (READ_ONCE(pvclock_stopping)) {
		mutex_unlock(&pvclock_cs_mutex);
		return busy;
	}
	if (!ret && !pvclock_cs_registered) {
		ret = clocksource_register_hz(&pvclock_cs, NSEC_PER_SEC);
		if (ret)
			pr_err("clocksource registration failed: %d\n", ret);
		else
			pr_info("clocksource pvclock registered, rating %d\n",
				pvclock_cs.rating);
		pvclock_cs_registered = !ret;
	}
	if (pvclock_cs_registered)
		pvclock_ptp_update();
	mutex_unlock(&pvclock_cs_mutex);
	return busy;
}

/* Keep a private copy of every record, version even, and use it. */
static void pvclock_freeze_locked(void)
{
	unsigned int cpu;

	WRITE_ONCE(pvclock_guard.shared, NULL);
	pvclock_agree_runs = 0;
	for_each_possible_cpu(cpu) {
		struct pvclock_cpu *c = per_cpu_ptr(&pvclock_cpus, cpu);
		const struct pvclock_vcpu_time_info *rec = READ_ONCE(c->rec);

		if (!rec || rec == &c->frozen)
			continue;
		if (!c->have_good) {
			/*
			 * Never read here: no record of this CPU was judged,
			 * and a copy of whatever the host wrote last would
			 * become its time (a host lying as it goes, 277 years
			 * ahead). It reads the marks until the next binding.
			 */
			c->borrowed = true;
			WRITE_ONCE(c->rec, NULL);
			continue;
		}
		c->frozen.tsc_timestamp = c->good.tsc_timestamp;
		c->frozen.system_time = c->good.system_time;
		c->frozen.tsc_to_system_mul = c->good.mul;
		c->frozen.tsc_shift = c->good.shift;
		c->frozen.flags = c->good.flags & ~PVCLOCK_GUEST_STOPPED;
		c->frozen.version = c->good.version & ~1U;
		c->borrowed = true;
		WRITE_ONCE(c->rec, c->good.mul ? &c->frozen : NULL);
	}
}

static int pvclock_pvhc_event(struct notifier_block *nb, unsigned long event,
			      void *data)
{
	struct pvhc_backend *b = data;

	if (!(b->features & BIT(PVHC_FEAT_CLOCK)) &&
	    !(b->features & BIT(PVHC_FEAT_CLOCK_PAIRING)))
		return NOTIFY_DONE;
	if (event == PVHC_BACKEND_REMOVING) {
		bool froze = false;

		mutex_lock(&pvclock_mutex);
		if (pvclock_bound && !strcmp(b->name, pvclock_source)) {
			pvclock_freeze_locked();
			pvclock_bound = false;
			pvclock_frozen = true;
			froze = true;
			strscpy(pvclock_source, "none", sizeof(pvclock_source));
			pr_warn("source %s going away: continuing on frozen copies of its records\n",
				b->name);
		}
		mutex_unlock(&pvclock_mutex);
		/* No reader may still be inside the backend's records. */
		synchronize_rcu();
		if (froze) {
			/* Nor may a copy still point there. */
			pvclock_drop_copies();
			synchronize_rcu();
			pvclock_new_epoch();
		}
	}
	/* Rebind (and lower the rating if frozen) from process context. */
	if (!READ_ONCE(pvclock_stopping))
		mod_delayed_work(system_wq, &pvclock_health_work, 0);
	return NOTIFY_OK;
}

static struct notifier_block pvclock_pvhc_nb = {
	.notifier_call = pvclock_pvhc_event,
};

/* Runs on @cpu as it comes online (after pvhc's own callbacks). */
static int pvclock_cpu_online(unsigned int cpu)
{
	const struct pvclock_vcpu_time_info *rec;
	struct pvclock_cpu *c = per_cpu_ptr(&pvclock_cpus, cpu);

	atomic_long_inc(&pvclock_hotplug_events);
	mutex_lock(&pvclock_mutex);
	/*
	 * Only from the backend bound to: after another was added (and
	 * until the health check rebinds) or while one is being removed,
	 * the record looked up now may come from a backend whose removal
	 * would not unbind this CPU. It keeps what it has meanwhile.
	 */
	if (pvclock_bound && pvhc_generation() == pvclock_bound_gen &&
	    !pvhc_clock_record(cpu, &rec) &&
	    (rec != c->rec || c->borrowed)) {
		smp_rmb();	/* the lookup before the second read */
		if (pvhc_generation() != pvclock_bound_gen)
			goto out;
		c->borrowed = false;
		WRITE_ONCE(c->rec, rec);
		/* This CPU reads nothing meanwhile: it is coming online. */
		WRITE_ONCE(c->good_src, &pvclock_no_record);
	}
out:
	mutex_unlock(&pvclock_mutex);
	return 0;
}

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * pvclock_hotplug_count - CPU online events seen
 *
 * Return: how many times pvclock_cpu_online() ran.
 */
long pvclock_hotplug_count(void)
{
	return atomic_long_read(&pvclock_hotplug_events);
}
EXPORT_SYMBOL_IF_KUNIT(pvclock_hotplug_count);
#endif

/* Sum over the possible CPUs of the local_t counter at @off. */
static unsigned long pvclock_sum(size_t off)
{
	unsigned long sum = 0;
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		sum += local_read((local_t *)((char *)per_cpu_ptr(&pvclock_cpus,
								  cpu) + off));
	return sum;
}

#define PVCLOCK_OFF(f)	offsetof(struct pvclock_cpu, f)

static unsigned long pvclock_bad_events(void)
{
	return pvclock_sum(PVCLOCK_OFF(stuck)) +
	       pvclock_sum(PVCLOCK_OFF(flapping)) +
	       pvclock_sum(PVCLOCK_OFF(invalid)) +
	       pvclock_sum(PVCLOCK_OFF(backwards));
}

static u64 pvclock_max_skew(void)
{
	u64 m = READ_ONCE(pvclock_record_skew);
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		m = max_t(u64, m, local64_read(&per_cpu_ptr(&pvclock_cpus,
							    cpu)->max_skew));
	return m;
}

/*
 * Sample every online CPU's record at one TSC value. With stable records
 * the TSCs agree, so the records must too: their spread is a cross-vCPU
 * disagreement even when no read ever clamped.
 */
static void pvclock_sample_skew(void)
{
	u64 lo = U64_MAX, hi = 0, tsc = 0, t;
	struct pvclock_snap s;
	unsigned long tries = 0;
	unsigned int cpu, n = 0;

	for_each_online_cpu(cpu) {
		struct pvclock_cpu *c = per_cpu_ptr(&pvclock_cpus, cpu);
		const struct pvclock_vcpu_time_info *rec = READ_ONCE(c->rec);

		if (!rec || c->borrowed ||
		    pvclock_snap_read(rec, pvclock_rdtsc, NULL, &s, &t,
				      &tries) != PVCLOCK_RD_OK ||
		    !(s.flags & PVCLOCK_TSC_STABLE_BIT))
			return;
		if (!n++)
			tsc = t;
		t = pvclock_snap_ns(&s, tsc);
		lo = min(lo, t);
		hi = max(hi, t);
	}
	if (n > 1 && hi - lo > READ_ONCE(pvclock_record_skew))
		WRITE_ONCE(pvclock_record_skew, hi - lo);
}

/*
 * Whether every online CPU's record is the same record, word for word:
 * what a host that publishes one record to every vCPU (pvhost) gives.
 */
static bool pvclock_records_agree(const struct pvclock_vcpu_time_info **one)
{
	struct pvclock_snap s, first = {};
	unsigned long tries = 0;
	unsigned int cpu, n = 0;
	u64 tsc;

	for_each_online_cpu(cpu) {
		struct pvclock_cpu *c = per_cpu_ptr(&pvclock_cpus, cpu);
		const struct pvclock_vcpu_time_info *rec = READ_ONCE(c->rec);

		if (!rec || c->borrowed ||
		    pvclock_snap_read(rec, pvclock_rdtsc, NULL, &s, &tsc,
				      &tries) != PVCLOCK_RD_OK)
			return false;
		if (!n++) {
			first = s;
			*one = rec;
		} else if (s.version != first.version ||
			   s.tsc_timestamp != first.tsc_timestamp ||
			   s.system_time != first.system_time ||
			   s.mul != first.mul || s.shift != first.shift) {
			return false;
		}
	}
	return n > 0;
}

/*
 * Shared-record mode, where records lack PVCLOCK_TSC_STABLE_BIT but the
 * host publishes one record to every vCPU and the kernel trusts the TSC:
 * entered after two health checks in a row found the records identical,
 * left at the first that does not (or when the kernel marks the TSC
 * unstable). pvclock_mutex and the CPU hotplug lock held.
 */
static void pvclock_check_shared(void)
{
	const struct pvclock_vcpu_time_info *one = NULL;
	bool agree;

	/* Not once CPUs have epochs of their own (pvclock_new_epoch()). */
	agree = !pvclock_guard.global && !READ_ONCE(pvclock_guard.epoch_guard) &&
		!check_tsc_unstable() && pvclock_records_agree(&one);
	pvclock_agree_runs = agree ? pvclock_agree_runs + 1 : 0;
	if (agree && pvclock_agree_runs == 2 && !pvclock_guard.shared) {
		WRITE_ONCE(pvclock_guard.shared, one);
		pr_info("every vCPU has the same record and the TSC is trusted: shared-record mode\n");
	} else if (!agree && pvclock_guard.shared) {
		WRITE_ONCE(pvclock_guard.shared, NULL);
		pr_info("records differ between vCPUs or the TSC is not trusted: leaving shared-record mode\n");
	} else {
		return;
	}
	synchronize_rcu();
	pvclock_drop_copies();
}

static void pvclock_set_rating_locked(int rating)
{
	lockdep_assert_held(&pvclock_cs_mutex);
	WRITE_ONCE(pvclock_rating, rating);
	if (pvclock_cs_registered)
		clocksource_change_rating(&pvclock_cs, rating);
	else
		pvclock_cs.rating = rating;
}

static void pvclock_health_fn(struct work_struct *work)
{
	unsigned long bad;
	bool frozen;
	int busy;

	busy = pvclock_bind();

	cpus_read_lock();
	mutex_lock(&pvclock_mutex);
	if (pvclock_bound) {
		pvclock_sample_skew();
		pvclock_check_shared();
	}
	frozen = pvclock_frozen;
	mutex_unlock(&pvclock_mutex);
	cpus_read_unlock();

	mutex_lock(&pvclock_cs_mutex);
	bad = pvclock_bad_events();
	if ((bad != pvclock_bad_seen || frozen) &&
	    pvclock_rating != PVCLOCK_RATING_DEGRADED) {
		pr_warn("%s: clocksource rating %d -> %d so the kernel can move away\n",
			frozen ? "source gone" : "host misbehaved",
			pvclock_rating, PVCLOCK_RATING_DEGRADED);
		pvclock_set_rating_locked(PVCLOCK_RATING_DEGRADED);
	}
	pvclock_bad_seen = bad;
	mutex_unlock(&pvclock_cs_mutex);

	/* A removal ends within a grace period or two: rebind then. */
	if (!READ_ONCE(pvclock_stopping))
		schedule_delayed_work(&pvclock_health_work,
				      busy ? PVCLOCK_REBIND_RETRY :
				      PVCLOCK_HEALTH_PERIOD);
}

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * pvclock_now_with - pvclock_now() with another TSC reader
 * @tsc_fn: reads the TSC (and may play the host)
 *
 * Context: preemption disabled.
 * Return: nanoseconds.
 */
u64 pvclock_now_with(u64 (*tsc_fn)(void))
{
	return __pvclock_read(this_cpu_ptr(&pvclock_cpus), tsc_fn,
			      &pvclock_guard);
}
EXPORT_SYMBOL_IF_KUNIT(pvclock_now_with);

/**
 * pvclock_rating_now - the clocksource's rating now
 *
 * Return: the rating.
 */
int pvclock_rating_now(void)
{
	return READ_ONCE(pvclock_rating);
}
EXPORT_SYMBOL_IF_KUNIT(pvclock_rating_now);

/**
 * pvclock_rating_set - set the rating, as the sysfs file does
 * @rating: 1..PVCLOCK_RATING_MAX
 */
void pvclock_rating_set(int rating)
{
	mutex_lock(&pvclock_cs_mutex);
	pvclock_set_rating_locked(rating);
	mutex_unlock(&pvclock_cs_mutex);
}
EXPORT_SYMBOL_IF_KUNIT(pvclock_rating_set);

/**
 * pvclock_health_run - run the periodic health check now
 */
void pvclock_health_run(void)
{
	mod_delayed_work(system_wq, &pvclock_health_work, 0);
	flush_delayed_work(&pvclock_health_work);
}
EXPORT_SYMBOL_IF_KUNIT(pvclock_health_run);
#endif

/* sysfs: /sys/kernel/pvclock/ */

static ssize_t source_show(struct kobject *k, struct kobj_attribute *a,
			   char *buf)
{
	char name[PVHC_NAME_MAX];

	pvclock_source_name(name);
	return sysfs_emit(buf, "%s\n", name);
}

static ssize_t guard_show(struct kobject *k, struct kobj_attribute *a,
			  char *buf)
{
	if (READ_ONCE(pvclock_guard.global))
		return sysfs_emit(buf, "global\n");
	return sysfs_emit(buf, "%s\n", READ_ONCE(pvclock_guard.shared) ?
			  "shared-record" : "auto");
}

static ssize_t rating_show(struct kobject *k, struct kobj_attribute *a,
			   char *buf)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(pvclock_rating));
}

static ssize_t rating_store(struct kobject *k, struct kobj_attribute *a,
			    const char *buf, size_t len)
{
	unsigned int v;
	int ret;

	ret = kstrtouint(buf, 0, &v);
	if (ret || v < 1 || v > PVCLOCK_RATING_MAX) {
		pr_err("rating: \"%.*s\" is not a number in 1..%d\n",
		       (int)min_t(size_t, len, 16), buf, PVCLOCK_RATING_MAX);
		return -EINVAL;
	}
	mutex_lock(&pvclock_cs_mutex);
	pvclock_set_rating_locked(v);
	mutex_unlock(&pvclock_cs_mutex);
	return len;
}

static ssize_t clocksource_show(struct kobject *k, struct kobj_attribute *a,
				char *buf)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(pvclock_cs_registered));
}

/* The rate the first online CPU's record implies now, 0 without one. */
static u64 pvclock_rate_now(void)
{
	const struct pvclock_vcpu_time_info *rec;
	struct pvclock_snap s;
	unsigned long tries = 0;
	u64 tsc, khz = 0;

	mutex_lock(&pvclock_mutex);
	rec = READ_ONCE(per_cpu_ptr(&pvclock_cpus,
				    cpumask_first(cpu_online_mask))->rec);
	if (rec && pvclock_snap_read(rec, pvclock_rdtsc, NULL, &s, &tsc,
				     &tries) == PVCLOCK_RD_OK)
		khz = pvclock_rate_khz(s.mul, s.shift);
	mutex_unlock(&pvclock_mutex);
	return khz;
}

static ssize_t rate_khz_show(struct kobject *k, struct kobj_attribute *a,
			     char *buf)
{
	return sysfs_emit(buf, "%llu\n", pvclock_rate_now());
}

static ssize_t max_skew_ns_show(struct kobject *k, struct kobj_attribute *a,
				char *buf)
{
	return sysfs_emit(buf, "%llu\n", pvclock_max_skew());
}

static ssize_t resume_epochs_show(struct kobject *k, struct kobj_attribute *a,
				  char *buf)
{
	return sysfs_emit(buf, "%ld\n", atomic_long_read(&pvclock_epochs));
}

static ssize_t ptp_index_show(struct kobject *k, struct kobj_attribute *a,
			      char *buf)
{
	int index;

	/* The PTP clock is registered and unregistered under this mutex. */
	mutex_lock(&pvclock_cs_mutex);
	index = pvclock_ptp_index();
	mutex_unlock(&pvclock_cs_mutex);
	return sysfs_emit(buf, "%d\n", index);
}

/* Counters: one file each, summed over the CPUs. */
struct pvclock_counter_attr {
	struct kobj_attribute attr;
	size_t off;
};

static ssize_t pvclock_counter_show(struct kobject *k,
				    struct kobj_attribute *a, char *buf)
{
	struct pvclock_counter_attr *ca =
		container_of(a, struct pvclock_counter_attr, attr);

	return sysfs_emit(buf, "%lu\n", pvclock_sum(ca->off));
}

static struct pvclock_counter_attr pvclock_counters[] = {
	{ __ATTR(reads, 0444, pvclock_counter_show, NULL), PVCLOCK_OFF(reads) },
	{ __ATTR(retries, 0444, pvclock_counter_show, NULL), PVCLOCK_OFF(retries) },
	{ __ATTR(stuck, 0444, pvclock_counter_show, NULL), PVCLOCK_OFF(stuck) },
	{ __ATTR(flapping, 0444, pvclock_counter_show, NULL), PVCLOCK_OFF(flapping) },
	{ __ATTR(invalid, 0444, pvclock_counter_show, NULL), PVCLOCK_OFF(invalid) },
	{ __ATTR(clamps, 0444, pvclock_counter_show, NULL), PVCLOCK_OFF(clamps) },
	{ __ATTR(updates, 0444, pvclock_counter_show, NULL), PVCLOCK_OFF(updates) },
	{ __ATTR(stopped, 0444, pvclock_counter_show, NULL), PVCLOCK_OFF(stopped) },
	{ __ATTR(backwards, 0444, pvclock_counter_show, NULL), PVCLOCK_OFF(backwards) },
	{ __ATTR(leaps, 0444, pvclock_counter_show, NULL), PVCLOCK_OFF(leaps) },
	{ __ATTR(rebases, 0444, pvclock_counter_show, NULL), PVCLOCK_OFF(rebases) },
};

static struct kobj_attribute source_attr = __ATTR_RO(source);
static struct kobj_attribute guard_attr = __ATTR_RO(guard);
static struct kobj_attribute rating_attr = __ATTR_RW(rating);
static struct kobj_attribute clocksource_attr = __ATTR_RO(clocksource);
static struct kobj_attribute rate_khz_attr = __ATTR_RO(rate_khz);
static struct kobj_attribute max_skew_ns_attr = __ATTR_RO(max_skew_ns);
static struct kobj_attribute resume_epochs_attr = __ATTR_RO(resume_epochs);
static struct kobj_attribute ptp_index_attr = __ATTR_RO(ptp_index);

static struct attribute *pvclock_attrs[] = {
	&source_attr.attr,
	&guard_attr.attr,
	&rating_attr.attr,
	&clocksource_attr.attr,
	&rate_khz_attr.attr,
	&max_skew_ns_attr.attr,
	&resume_epochs_attr.attr,
	&ptp_index_attr.attr,
	&pvclock_counters[0].attr.attr,
	&pvclock_counters[1].attr.attr,
	&pvclock_counters[2].attr.attr,
	&pvclock_counters[3].attr.attr,
	&pvclock_counters[4].attr.attr,
	&pvclock_counters[5].attr.attr,
	&pvclock_counters[6].attr.attr,
	&pvclock_counters[7].attr.attr,
	&pvclock_counters[8].attr.attr,
	&pvclock_counters[9].attr.attr,
	&pvclock_counters[10].attr.attr,
	NULL
};
ATTRIBUTE_GROUPS(pvclock);

static struct kobject *pvclock_kobj;

/* Names follow pvhc's backend names: 1..15 characters of [a-z0-9_-]. */
static bool pvclock_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n >= PVHC_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!islower(*s) && !isdigit(*s) && *s != '_' && *s != '-')
			return false;
	return true;
}

static int pvclock_parse_params(void)
{
	const char *src = pvclock_source_param ?: "auto";
	const char *guard = pvclock_guard_param ?: "auto";

	if (pvclock_rating_param < 1 ||
	    pvclock_rating_param > PVCLOCK_RATING_MAX) {
		pr_err("rating=%d: must be 1..%d\n", pvclock_rating_param,
		       PVCLOCK_RATING_MAX);
		return -EINVAL;
	}
	if (!pvclock_name_ok(src)) {
		pr_err("source=%.16s: not auto or a backend name ([a-z0-9_-], at most %d characters)\n",
		       src, PVHC_NAME_MAX - 1);
		return -EINVAL;
	}
	if (strcmp(guard, "auto") && strcmp(guard, "global")) {
		pr_err("guard=%.16s: must be auto or global\n", guard);
		return -EINVAL;
	}
	if (pvclock_quantum_param > PVCLOCK_QUANTUM_MAX) {
		pr_err("guard_quantum_ns=%u: must be 0..%d\n",
		       pvclock_quantum_param, PVCLOCK_QUANTUM_MAX);
		return -EINVAL;
	}
	strscpy(pvclock_forced, strcmp(src, "auto") ? src : "",
		sizeof(pvclock_forced));
	pvclock_guard.global = !strcmp(guard, "global");
	pvclock_guard.quantum = pvclock_quantum_param;
	pvclock_bench_guard.quantum = pvclock_quantum_param;
	/* 10 ms of TSC: how late a host may publish a record (the floor). */
	pvclock_guard.window = (u64)max(tsc_khz, 1U) * 10;
	pvclock_rating = pvclock_rating_param;
	pvclock_cs.rating = pvclock_rating_param;
	return 0;
}

static int __init pvclock_init(void)
{
	unsigned int cpu;
	int ret;

	ret = pvclock_parse_params();
	if (ret)
		return ret;
	for_each_possible_cpu(cpu) {
		struct pvclock_cpu *c = per_cpu_ptr(&pvclock_cpus, cpu);

		local64_set(&c->last, 0);
		local64_set(&c->max_skew, 0);
		pvclock_cpu_init(c);
	}

	pvclock_kobj = kobject_create_and_add("pvclock", kernel_kobj);
	if (!pvclock_kobj)
		return -ENOMEM;
	ret = sysfs_create_groups(pvclock_kobj, pvclock_groups);
	if (ret)
		goto put_kobj;
	ret = pvhc_notifier_register(&pvclock_pvhc_nb);
	if (ret)
		goto remove_groups;
	ret = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN, "pvclock:online",
					pvclock_cpu_online, NULL);
	if (ret < 0)
		goto unregister_notifier;
	pvclock_cpuhp_state = ret;

	pvclock_debugfs_init();
	pvclock_bind();
	pr_info("guard %s, rating %d%s\n",
		pvclock_guard.global ? "global" : "auto (shared only for unstable records)",
		pvclock_rating, *pvclock_forced ? ", source forced" : "");
	schedule_delayed_work(&pvclock_health_work, PVCLOCK_HEALTH_PERIOD);
	return 0;

unregister_notifier:
	pvhc_notifier_unregister(&pvclock_pvhc_nb);
remove_groups:
	sysfs_remove_groups(pvclock_kobj, pvclock_groups);
put_kobj:
	kobject_put(pvclock_kobj);
	return ret;
}

static void __exit pvclock_exit(void)
{
	mutex_lock(&pvclock_cs_mutex);
	WRITE_ONCE(pvclock_stopping, true);
	mutex_unlock(&pvclock_cs_mutex);
	cancel_delayed_work_sync(&pvclock_health_work);
	/* The files that read the PTP clock and the records go first. */
	sysfs_remove_groups(pvclock_kobj, pvclock_groups);
	kobject_put(pvclock_kobj);
	pvclock_debugfs_exit();
	mutex_lock(&pvclock_cs_mutex);
	pvclock_ptp_unregister();
	mutex_unlock(&pvclock_cs_mutex);
	if (pvclock_cs_registered) {
		/*
		 * .owner keeps this module loaded while pvclock is the system
		 * clock, so the kernel can always move off it here (a
		 * watchdog is replaced). Should that ever fail, freeing a
		 * clocksource the kernel still reads would be worse than an
		 * unload that waits: retry.
		 */
		while (clocksource_unregister(&pvclock_cs)) {
			pr_err_once("clocksource unregistration failed: retrying\n");
			msleep(1000);
		}
		synchronize_rcu();
	}
	cpuhp_remove_state_nocalls(pvclock_cpuhp_state);
	pvhc_notifier_unregister(&pvclock_pvhc_nb);
	/* A notifier may have queued the work after the cancel above. */
	cancel_delayed_work_sync(&pvclock_health_work);
}

module_init(pvclock_init);
module_exit(pvclock_exit);
MODULE_DESCRIPTION("Host-rescaled paravirtual clocksource and PTP clock");
MODULE_LICENSE("GPL");
