// SPDX-License-Identifier: GPL-2.0
/*
 * pvhost: the guest side of the pvhost host channel (Documentation/pvhost.rst)
 * as a pvhc backend, over QEMU's ivshmem device (PCI 1af4:1110).
 *
 * Probe maps BAR 2 (RAM shared with the host), waits a bounded time for
 * the host to be READY, validates one private copy of the header and
 * registers a pvhc backend "pvhost" offering what this driver implements
 * and the host advertises: the pressure gauge, the entropy ring, and the
 * clock records and pairing (clock.c) once calibration gave a record. With
 * ivshmem-doorbell the host raises an MSI-X vector when the gauge changes;
 * with ivshmem-plain a delayed work polls the gauge's seq. A host that
 * changes its generation or says STOPPING is noticed on every interrupt,
 * poll and call, and the backend is unregistered from a work item, which
 * then reads the header again, with a growing delay, until the host is
 * back with a valid layout, and registers the backend anew. After
 * taking entropy the guest rings the host's doorbell (header.host_peer_id,
 * vector PVHOST_VEC_ENTROPY) so that it tops the ring up.
 *
 * Teardown mirrors probe: interrupts and polling stop, the backend is
 * unregistered (pvhc drains the calls in flight), then the region is
 * unmapped. The ops never touch the region once the host is seen gone.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitops.h>
#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/percpu.h>
#include <linux/pvhc.h>
#include <linux/ratelimit.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "pvhost_internal.h"

#define PVHOST_PCI_VENDOR	0x1af4	/* Red Hat / Qumranet */
#define PVHOST_PCI_DEVICE	0x1110	/* ivshmem */
#define PVHOST_BAR_REGS		0
#define PVHOST_BAR_SHM		2

/* ivshmem BAR 0 registers. */
#define PVHOST_REG_IVPOSITION	8
#define PVHOST_REG_DOORBELL	12

/* How long probe waits for a host that is still laying the region out. */
#define PVHOST_READY_MS		3000
#define PVHOST_READY_STEP_MS	20

/* With interrupts, a slow poll still notices a host gone silently. */
#define PVHOST_WATCHDOG_MS	1000

#define PVHOST_POLL_MS_MIN	10
#define PVHOST_POLL_MS_MAX	10000

static unsigned int pvhost_poll_ms = 100;

static int pvhost_poll_ms_set(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int ret;

	ret = kstrtouint(val, 0, &v);
	if (ret)
		return ret;
	if (v < PVHOST_POLL_MS_MIN || v > PVHOST_POLL_MS_MAX)
		return -ERANGE;
	*(unsigned int *)kp->arg = v;
	return 0;
}

static const struct kernel_param_ops pvhost_poll_ms_ops = {
	.set = pvhost_poll_ms_set,
	.get = param_get_uint,
};

module_param_cb(poll_ms, &pvhost_poll_ms_ops, &pvhost_poll_ms, 0444);
MODULE_PARM_DESC(poll_ms,
		 "Gauge polling interval without MSI-X (ivshmem-plain), 10..10000 ms (default 100)");

/* pvhost_dev.flags */
#define PVHOST_HOST_GONE	0	/* generation changed or STOPPING */
#define PVHOST_REMOVING		1	/* no more recovery */

/* How long a mailbox call waits for the host's answer. */
#define PVHOST_MBOX_TIMEOUT_MS	1000

struct pvhost_dev {
	struct pci_dev *pdev;
	void __iomem *regs;		/* BAR 0 */
	void *shm;			/* BAR 2, shared with the host */
	u64 shm_size;
	struct pvhost_header hdr;	/* the validated private copy */
	struct pvhost_layout lay;
	struct pvhost_pressure *gauge;	/* shared; NULL: not offered */
	struct mutex ring_lock;		/* serialises ring readers */
	struct pvhost_ring ring;
	struct pvhost_stats st;
	struct pvhost_clock clock;
	struct pvhost_vcpus vcpus;

	bool doorbell;			/* MSI-X, else polling */
	int irq_pressure;		/* 0: none */
	int irq_entropy;		/* 0: none */
	int irq_clock;			/* 0: none */
	char irq_names[3][32];
	unsigned long poll_jiffies;
	struct delayed_work poll_work;
	u32 last_seq;			/* gauge seq the poll last saw */

	unsigned long flags;
	struct delayed_work recover_work;	/* unregister, then come back */
	bool recovering;		/* recover_work: header tries under way */
	unsigned int recover_ms;	/* recover_work: the last delay */
	unsigned long up_since;		/* jiffies: the last (re)registration */
	struct mutex reg_lock;		/* registered */
	bool registered;
	struct pvhc_backend backend;
	struct pvhost_mbox mbox;
	int irq_mailbox;		/* 0: none */
	char irq_name_mbox[32];
	struct pvhost_numa_q numa;
	int irq_numa;			/* 0: none */
	char irq_name_numa[32];
	int numa_last_id;		/* debugfs numa_hint: 0 none yet */
	struct mutex numa_dbg_lock;	/* numa_last_id */

	struct dentry *debugfs;
	atomic_long_t irqs_pressure;
	atomic_long_t irqs_entropy;
	atomic_long_t polls;
	atomic_long_t gauge_changes;	/* seq changes seen by the poll */
	atomic_long_t doorbells;	/* rung to the host */
	atomic_long_t host_stops;
	atomic_long_t irqs_mailbox;
	atomic_long_t recover_tries;	/* header reads after the host went */
	atomic_long_t recoveries;	/* backend registered again */
	atomic_long_t irqs_clock;
	struct ratelimit_state log_rs;	/* recovery messages */
	atomic_long_t log_suppressed;	/* recovery messages not printed */
	atomic_t log_missed;		/* since the last one printed */
};

static struct dentry *pvhost_debugfs_root;

/*
 * A host that keeps going away and coming back must not flood the log.
 * The first registration logs each decision (pvhost_setup_features());
 * after that, the decisions are logged at debug level only, and the
 * messages of the recovery path share one budget per device: at most
 * PVHOST_LOG_BURST per PVHOST_LOG_INTERVAL_S. The next message printed
 * after some were dropped says how many; debugfs log_suppressed counts
 * them all.
 */
#define PVHOST_LOG_INTERVAL_S	300
#define PVHOST_LOG_BURST	10

static bool pvhost_log_ok(struct pvhost_dev *pd)
{
	int missed;

	if (!__ratelimit(&pd->log_rs)) {
		atomic_long_inc(&pd->log_suppressed);
		atomic_inc(&pd->log_missed);
		return false;
	}
	missed = atomic_xchg(&pd->log_missed, 0);
	if (missed)
		dev_warn(&pd->pdev->dev, "%d recovery messages suppressed\n",
			 missed);
	return true;
}

/* A message of the recovery path, within the device's budget. */
static __printf(3, 4) void pvhost_rlog(struct pvhost_dev *pd,
				       const char *level, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	if (!pvhost_log_ok(pd))
		return;
	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	dev_printk(level, &pd->pdev->dev, "%pV", &vaf);
	va_end(args);
}

/* A feature decision: at the first registration, not at each recovery. */
static __printf(2, 3) void pvhost_feat_info(struct pvhost_dev *pd,
					   const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	if (pd->recovering)
		dev_dbg(&pd->pdev->dev, "%pV", &vaf);
	else
		dev_info(&pd->pdev->dev, "%pV", &vaf);
	va_end(args);
}

/*
 * Whether the host still runs the layout we validated. The first caller to
 * see it gone logs it and schedules the unregistration; from then on nobody
 * reads the region again.
 *
 * Context: any, including hard interrupts.
 */
static bool pvhost_host_ok(struct pvhost_dev *pd)
{
	const struct pvhost_header *sh = pd->shm;
	u32 state, gen;

	if (test_bit(PVHOST_HOST_GONE, &pd->flags))
		return false;
	smp_rmb();	/* pairs with the recovery's barrier: hdr after the bit */
	state = READ_ONCE(sh->state);
	gen = READ_ONCE(sh->generation);
	if (state == PVHOST_STATE_READY && gen == pd->hdr.generation)
		return true;
	if (!test_and_set_bit(PVHOST_HOST_GONE, &pd->flags)) {
		atomic_long_inc(&pd->host_stops);
		pvhost_rlog(pd, KERN_WARNING,
			    "host restarted or stopping (state %u, generation %u, was %u): unregistering the backend\n",
			    state, gen, pd->hdr.generation);
		queue_delayed_work(system_wq, &pd->recover_work, 0);
	}
	return false;
}

static int pvhost_op_pressure(void *priv, struct pvhc_pressure *out)
{
	struct pvhost_dev *pd = priv;
	u32 level, seq;
	int ret;

	if (!pvhost_host_ok(pd))
		return -ENODEV;
	ret = pvhost_pressure_get(READ_ONCE(pd->gauge), &level, &seq, &pd->st);
	if (ret)
		return ret;
	/* Both are 16.16 fixed point: no conversion. */
	BUILD_BUG_ON(PVHOST_PRESSURE_ONE != PVHC_PRESSURE_ONE);
	out->level = level;
	out->seq = seq;
	return 0;
}

static ssize_t pvhost_op_entropy(void *priv, void *buf, size_t len)
{
	struct pvhost_dev *pd = priv;
	ssize_t ret;

	if (!pvhost_host_ok(pd))
		return -ENODEV;
	mutex_lock(&pd->ring_lock);
	ret = pvhost_ring_read(&pd->ring, buf, len, &pd->st);
	mutex_unlock(&pd->ring_lock);
	/* Space freed: ask the host to top the ring up. */
	if (ret > 0 && READ_ONCE(pd->doorbell)) {
		iowrite32(pd->hdr.host_peer_id << 16 | PVHOST_VEC_ENTROPY,
			  pd->regs + PVHOST_REG_DOORBELL);
		atomic_long_inc(&pd->doorbells);
	}
	return ret;
}

static int pvhost_op_clock_record(void *priv, unsigned int cpu,
				  const struct pvclock_vcpu_time_info **rec)
{
	struct pvhost_dev *pd = priv;

	if (!pvhost_host_ok(pd))
		return -ENODEV;
	return pvhost_clock_record(&pd->clock, cpu, rec);
}

static int pvhost_op_clock_pairing(void *priv, struct pvhc_clock_pairing *out)
{
	struct pvhost_dev *pd = priv;

	if (!pvhost_host_ok(pd))
		return -ENODEV;
	return pvhost_pairing_get(&pd->clock, out);
}

/* Context: any, atomic safe (spin loops call it). */
static int pvhost_op_vcpu_preempted(void *priv, unsigned int cpu)
{
	struct pvhost_dev *pd = priv;

	if (!pvhost_host_ok(pd))
		return -ENODEV;
	return pvhost_vcpu_preempted(&pd->vcpus, cpu);
}

static int pvhost_op_boost(void *priv, unsigned int cpu, bool on)
{
	struct pvhost_dev *pd = priv;

	if (!pvhost_host_ok(pd))
		return -ENODEV;
	return pvhost_vcpu_boost(&pd->vcpus, cpu, on);
}

/* Asked when pvhc's route changes; the region stays mapped until remove. */
static u32 *pvhost_op_hint_slot(void *priv, unsigned int cpu)
{
	struct pvhost_dev *pd = priv;

	return pvhost_vcpu_hint_slot(&pd->vcpus, cpu);
}

static int pvhost_op_hint_seen(void *priv, unsigned int cpu, u32 *seen)
{
	struct pvhost_dev *pd = priv;

	if (!pvhost_host_ok(pd))
		return -ENODEV;
	return pvhost_vcpu_hint_seen(&pd->vcpus, cpu, seen);
}

static int pvhost_op_numa_hint(void *priv, const struct pvhc_numa_hint *hint)
{
	struct pvhost_dev *pd = priv;

	if (!pvhost_host_ok(pd))
		return -ENODEV;
	return pvhost_numa_submit(&pd->numa, hint);
}

static int pvhost_op_numa_status(void *priv, int id)
{
	struct pvhost_dev *pd = priv;
	struct pvhost_numa_answer ans;

	if (!pvhost_host_ok(pd))
		return -ENODEV;
	return pvhost_numa_result(&pd->numa, id, &ans);
}

static int pvhost_op_numa_info(void *priv, struct pvhc_numa_info *out)
{
	struct pvhost_dev *pd = priv;

	if (!pvhost_host_ok(pd))
		return -ENODEV;
	return pvhost_numa_topology(&pd->numa, out, &pd->st);
}

static const struct pvhc_backend_ops pvhost_ops = {
	.vcpu_preempted = pvhost_op_vcpu_preempted,
	.boost = pvhost_op_boost,
	.numa_hint = pvhost_op_numa_hint,
	.numa_status = pvhost_op_numa_status,
	.numa_info = pvhost_op_numa_info,
	.pressure = pvhost_op_pressure,
	.entropy = pvhost_op_entropy,
	.clock_record = pvhost_op_clock_record,
	.clock_pairing = pvhost_op_clock_pairing,
	.lock_hint_slot = pvhost_op_hint_slot,
	.lock_hint_seen = pvhost_op_hint_seen,
};

static void pvhost_unregister(struct pvhost_dev *pd)
{
	mutex_lock(&pd->reg_lock);
	if (pd->registered) {
		pvhc_backend_unregister(&pd->backend);
		pd->registered = false;
	}
	mutex_unlock(&pd->reg_lock);
}

static int pvhost_reread_header(struct pvhost_dev *pd);
static unsigned long pvhost_setup_features(struct pvhost_dev *pd);
static int pvhost_register(struct pvhost_dev *pd, unsigned long features);

/* The host is back with a valid layout: serve it again. */
static int pvhost_come_back(struct pvhost_dev *pd)
{
	unsigned long features;
	int ret;

	ret = pvhost_reread_header(pd);
	if (ret)
		return ret;
	features = pvhost_setup_features(pd);
	if (!features)
		return -ENODEV;
	ret = pvhost_register(pd, features);
	if (ret)
		return ret;
	pvhost_clock_start(&pd->clock);
	/* The new header and areas before the bit that lets users in. */
	smp_mb__before_atomic();
	clear_bit(PVHOST_HOST_GONE, &pd->flags);
	queue_delayed_work(system_wq, &pd->poll_work, pd->poll_jiffies);
	return 0;
}

/*
 * Stop calibrating, and wait for a clock interrupt that may still be
 * kicking it: the clock is set up afresh after this.
 */
static void pvhost_clock_halt(struct pvhost_dev *pd)
{
	pvhost_clock_stop(&pd->clock);
	if (pd->irq_clock)
		synchronize_irq(pd->irq_clock);
}

/*
 * Runs once the host is seen gone: unregisters the backend (pvhc drains
 * the calls in flight), then tries the header again after a growing delay
 * until the host is back (pvhost_recover_delay()).
 */
static void pvhost_recover_fn(struct work_struct *work)
{
	struct pvhost_dev *pd = container_of(to_delayed_work(work),
					     struct pvhost_dev, recover_work);
	bool soon;

	pvhost_unregister(pd);
	/* The clock is set up afresh on the host's new layout. */
	pvhost_clock_halt(pd);
	pvhost_mbox_attach(&pd->mbox, NULL);
	pvhost_numa_attach(&pd->numa, NULL, 0);
	if (test_bit(PVHOST_REMOVING, &pd->flags))
		return;
	if (!pd->recovering) {
		pd->recovering = true;
		soon = time_before(jiffies, pd->up_since +
				   msecs_to_jiffies(PVHOST_RECOVER_STABLE_MS));
		pd->recover_ms = pvhost_recover_delay(pd->recover_ms, soon);
	} else {
		atomic_long_inc(&pd->recover_tries);
		if (!pvhost_come_back(pd)) {
			pd->recovering = false;
			pd->up_since = jiffies;
			atomic_long_inc(&pd->recoveries);
			pvhost_rlog(pd, KERN_INFO,
				    "host back, generation %u: backend registered again, features %#lx\n",
				    pd->hdr.generation, pd->backend.features);
			return;
		}
		pvhost_unregister(pd);
		pd->recover_ms = pvhost_recover_delay(pd->recover_ms, true);
	}
	queue_delayed_work(system_wq, &pd->recover_work,
			   msecs_to_jiffies(pd->recover_ms));
}

static irqreturn_t pvhost_irq_pressure(int irq, void *data)
{
	struct pvhost_dev *pd = data;

	/* A flood costs a counter and a check: pvhc merges the rest. */
	atomic_long_inc(&pd->irqs_pressure);
	if (pvhost_host_ok(pd))
		pvhc_pressure_changed(&pd->backend);
	return IRQ_HANDLED;
}

static irqreturn_t pvhost_irq_mailbox(int irq, void *data)
{
	struct pvhost_dev *pd = data;

	/* The waiter checks resp_seq itself: a flood only wakes it. */
	atomic_long_inc(&pd->irqs_mailbox);
	pvhost_mbox_answered(&pd->mbox);
	return IRQ_HANDLED;
}

/* The mailbox's doorbell; without one the host polls the mailbox. */
/*
 * Rung in either mode, and before the interrupts are set up: the clock's
 * calibration burst at probe needs the host to answer at once, not at its
 * next tick. On ivshmem-plain the write goes nowhere and the host answers
 * at its tick.
 */
static void pvhost_mbox_ring(struct pvhost_mbox *m)
{
	struct pvhost_dev *pd = container_of(m, struct pvhost_dev, mbox);

	iowrite32(pd->hdr.host_peer_id << 16 | PVHOST_VEC_MAILBOX,
		  pd->regs + PVHOST_REG_DOORBELL);
	atomic_long_inc(&pd->doorbells);
}

/* The NUMA doorbell; without one the host answers at its tick. */
static void pvhost_numa_ring(struct pvhost_numa_q *q)
{
	struct pvhost_dev *pd = container_of(q, struct pvhost_dev, numa);

	iowrite32(pd->hdr.host_peer_id << 16 | PVHOST_VEC_NUMA,
		  pd->regs + PVHOST_REG_DOORBELL);
	atomic_long_inc(&pd->doorbells);
}

static irqreturn_t pvhost_irq_numa(int irq, void *data)
{
	struct pvhost_dev *pd = data;

	/* Answers are read on demand: a flood only wakes the waiters. */
	atomic_long_inc(&pd->numa.irqs);
	wake_up(&pd->numa.wq);
	return IRQ_HANDLED;
}

static irqreturn_t pvhost_irq_entropy(int irq, void *data)
{
	struct pvhost_dev *pd = data;

	/* The ring is read on demand: "filled" needs no action. */
	atomic_long_inc(&pd->irqs_entropy);
	pvhost_host_ok(pd);
	return IRQ_HANDLED;
}

static irqreturn_t pvhost_irq_clock(int irq, void *data)
{
	struct pvhost_dev *pd = data;

	atomic_long_inc(&pd->irqs_clock);
	/*
	 * Not before the clock is set up: its lock is initialised there, and
	 * it is set up again only while the host is seen gone.
	 */
	if (pvhost_host_ok(pd) && READ_ONCE(pd->clock.ready))
		pvhost_clock_kick(&pd->clock);
	return IRQ_HANDLED;
}

static void pvhost_poll_fn(struct work_struct *work)
{
	struct pvhost_dev *pd = container_of(to_delayed_work(work),
					     struct pvhost_dev, poll_work);
	u32 seq;

	atomic_long_inc(&pd->polls);
	if (!pvhost_host_ok(pd))
		return;		/* not rearmed: the host is gone */
	if (READ_ONCE(pd->gauge)) {
		seq = READ_ONCE(pd->gauge->seq);
		if (seq != pd->last_seq) {
			pd->last_seq = seq;
			atomic_long_inc(&pd->gauge_changes);
			pvhc_pressure_changed(&pd->backend);
		}
	}
	queue_delayed_work(system_wq, &pd->poll_work, pd->poll_jiffies);
}

/* Wait (bounded) for a READY host, then take and validate the header. */
static int pvhost_read_header(struct pvhost_dev *pd)
{
	const struct pvhost_header *sh = pd->shm;
	struct device *dev = &pd->pdev->dev;
	unsigned long deadline;
	const char *why;
	u32 magic, state;

	deadline = jiffies + msecs_to_jiffies(PVHOST_READY_MS);
	for (;;) {
		magic = READ_ONCE(sh->magic);
		if (magic != PVHOST_MAGIC) {
			dev_info(dev, "no pvhost host in this ivshmem region (magic %#x), not using it\n",
				 magic);
			return -ENODEV;
		}
		state = READ_ONCE(sh->state);
		if (state == PVHOST_STATE_READY)
			break;
		if (state != PVHOST_STATE_INIT) {
			dev_info(dev, "host not ready (state %u), not using it\n",
				 state);
			return -ENODEV;
		}
		if (time_after(jiffies, deadline)) {
			dev_err(dev, "host still laying the region out after %u ms, giving up\n",
				PVHOST_READY_MS);
			return -ETIMEDOUT;
		}
		msleep(PVHOST_READY_STEP_MS);
	}
	smp_rmb();	/* READY before the rest of the header */

	/* The one read of the header: everything after uses the copy. */
	memcpy(&pd->hdr, sh, sizeof(pd->hdr));
	why = pvhost_header_check(&pd->hdr, pd->shm_size, &pd->lay);
	if (why) {
		atomic_long_inc(&pd->st.errors);
		dev_err(dev, "invalid pvhost header: %s, not using it\n", why);
		return -ENODEV;
	}
	return 0;
}

/*
 * After the host went away: one look, no waiting. The copy replaces the
 * old one only when it is valid; nobody reads it while the host is gone.
 */
static int pvhost_reread_header(struct pvhost_dev *pd)
{
	const struct pvhost_header *sh = pd->shm;
	struct pvhost_layout lay = {};
	struct pvhost_header h;
	const char *why;

	if (READ_ONCE(sh->state) != PVHOST_STATE_READY)
		return -EAGAIN;
	smp_rmb();	/* READY before the rest of the header */
	memcpy(&h, sh, sizeof(h));
	why = pvhost_header_check(&h, pd->shm_size, &lay);
	if (why) {
		atomic_long_inc(&pd->st.errors);
		pvhost_rlog(pd, KERN_ERR,
			    "host back with an invalid header: %s, trying again in %u ms\n",
			    why, pvhost_recover_delay(pd->recover_ms, true));
		return -EINVAL;
	}
	pd->hdr = h;
	pd->lay = lay;
	return 0;
}

/* Decide what to offer, from the copy; log each decision once. */
static unsigned long pvhost_setup_features(struct pvhost_dev *pd)
{
	const u64 vcpu_f = PVHOST_F_PREEMPTED | PVHOST_F_BOOST |
			   PVHOST_F_LOCK_HINT;
	unsigned long features = 0;
	u32 size;

	pvhost_feat_info(pd, "pvhost ABI %u.%u, generation %u, region %u bytes, host features %#llx\n",
			 pd->hdr.abi_major, pd->hdr.abi_minor, pd->hdr.generation,
			 pd->hdr.region_size, pd->hdr.features);

	if (pd->lay.pressure) {
		WRITE_ONCE(pd->gauge, pd->shm + pd->hdr.pressure_offset);
		pd->last_seq = READ_ONCE(pd->gauge->seq);
		features |= BIT(PVHC_FEAT_PRESSURE);
		pvhost_feat_info(pd, "pressure gauge: offered\n");
	} else {
		WRITE_ONCE(pd->gauge, NULL);
		pvhost_feat_info(pd, "pressure gauge unavailable: host lacks PVHOST_F_PRESSURE\n");
	}

	if (pd->lay.entropy) {
		/* a reader that got in before the host went may still be on it */
		mutex_lock(&pd->ring_lock);
		pvhost_ring_init(&pd->ring, pd->shm, &pd->hdr);
		size = READ_ONCE(pd->ring.hdr->size);
		mutex_unlock(&pd->ring_lock);
		if (size != pd->hdr.entropy_size) {
			atomic_long_inc(&pd->st.errors);
			pvhost_rlog(pd, KERN_WARNING,
				    "entropy ring unavailable: ring size %u, header says %u\n",
				    size, pd->hdr.entropy_size);
		} else {
			features |= BIT(PVHC_FEAT_ENTROPY);
			pvhost_feat_info(pd, "entropy ring: offered, %u bytes\n",
					 pd->ring.size);
		}
	} else {
		pvhost_feat_info(pd, "entropy ring unavailable: host lacks PVHOST_F_ENTROPY\n");
	}

	/* Not a pvhc feature: the mailbox serves the driver and the clock. */
	pvhost_mbox_attach(&pd->mbox, pd->lay.mailbox ?
			   pd->shm + pd->hdr.mailbox_offset : NULL);

	if (!pd->lay.clock) {
		pvhost_feat_info(pd, "clock records unavailable: host lacks PVHOST_F_CLOCK or the mailbox\n");
	} else if (!pvhost_clock_setup(&pd->clock, &pd->pdev->dev, pd->shm,
				       &pd->hdr, &pd->mbox, &pd->st)) {
		features |= BIT(PVHC_FEAT_CLOCK);
		if (pd->lay.pairing) {
			features |= BIT(PVHC_FEAT_CLOCK_PAIRING);
			pvhost_feat_info(pd, "clock pairing: offered\n");
		} else {
			pvhost_feat_info(pd, "clock pairing unavailable: host lacks PVHOST_F_CLOCK_PAIRING\n");
		}
	}

	pvhost_numa_attach(&pd->numa, pd->lay.numa ?
			   pd->shm + pd->hdr.numa_offset : NULL,
			   pd->hdr.nr_vcpus);
	if (pd->lay.numa && pd->hdr.features & PVHOST_F_NUMA_HINT &&
	    pd->hdr.nr_vcpus) {
		features |= BIT(PVHC_FEAT_NUMA_HINT);
		pvhost_feat_info(pd, "NUMA hints: offered\n");
	} else {
		pvhost_feat_info(pd, "NUMA hints unavailable: host lacks PVHOST_F_NUMA_HINT\n");
	}
	if (pd->lay.numa && pd->hdr.features & PVHOST_F_NUMA_TOPO &&
	    pd->hdr.nr_vcpus) {
		features |= BIT(PVHC_FEAT_NUMA_INFO);
		pvhost_feat_info(pd, "NUMA topology: offered\n");
	} else {
		pvhost_feat_info(pd, "NUMA topology unavailable: host lacks PVHOST_F_NUMA_TOPO\n");
	}

	/* pvhostd serves both from the vCPU threads it learns from QMP */
	if (!(pd->hdr.features & vcpu_f)) {
		pvhost_feat_info(pd, "preempted flags, boost and lock hint unavailable: host lacks PVHOST_F_PREEMPTED, PVHOST_F_BOOST and PVHOST_F_LOCK_HINT\n");
	} else if (pvhost_vcpus_setup(&pd->vcpus, pd->shm, &pd->hdr)) {
		pvhost_feat_info(pd, "preempted flags, boost and lock hint unavailable: no vCPU records\n");
	} else {
		if (pd->hdr.features & PVHOST_F_PREEMPTED)
			features |= BIT(PVHC_FEAT_PREEMPTED);
		if (pd->hdr.features & PVHOST_F_BOOST)
			features |= BIT(PVHC_FEAT_BOOST);
		if (pd->hdr.features & PVHOST_F_LOCK_HINT)
			features |= BIT(PVHC_FEAT_LOCK_HINT);
		pvhost_feat_info(pd, "preempted flags: %s, boost: %s, lock hint: %s, %u vCPU records\n",
				 features & BIT(PVHC_FEAT_PREEMPTED) ? "offered" : "unavailable",
				 features & BIT(PVHC_FEAT_BOOST) ? "offered" : "unavailable",
				 features & BIT(PVHC_FEAT_LOCK_HINT) ? "offered" : "unavailable",
				 pd->hdr.nr_vcpus);
	}
	return features;
}

static int pvhost_register(struct pvhost_dev *pd, unsigned long features)
{
	int ret;

	pd->backend.name = "pvhost";
	pd->backend.priority = PVHC_PRIO_PVHOST;
	pd->backend.features = features;
	pd->backend.ops = &pvhost_ops;
	pd->backend.priv = pd;
	/*
	 * Not pinned: pvhc would hold a reference from probe to remove and
	 * the module could never be unloaded. Remove unregisters instead.
	 */
	pd->backend.owner = NULL;

	mutex_lock(&pd->reg_lock);
	ret = pvhc_backend_register(&pd->backend);
	if (!ret)
		pd->registered = true;
	mutex_unlock(&pd->reg_lock);

	if (ret == -EPERM) {
		pvhost_rlog(pd, KERN_INFO, "not used: pvhost is on pvhc's deny= list\n");
		return -ENODEV;
	}
	if (ret == -EEXIST) {
		pvhost_rlog(pd, KERN_INFO, "not used: another pvhost device serves pvhc\n");
		return -ENODEV;
	}
	if (ret)
		pvhost_rlog(pd, KERN_ERR, "pvhc backend registration failed (%d)\n", ret);
	return ret;
}

/* MSI-X when there is a vector for the gauge, else polling. */
static int pvhost_start_events(struct pvhost_dev *pd)
{
	struct pci_dev *pdev = pd->pdev;
	struct device *dev = &pdev->dev;
	int nvec, ret;

	nvec = pci_msix_vec_count(pdev);
	if (nvec > PVHOST_VEC_PRESSURE) {
		nvec = pci_alloc_irq_vectors(pdev, PVHOST_VEC_PRESSURE + 1,
					     min(nvec, PVHOST_NR_VECTORS),
					     PCI_IRQ_MSIX);
		if (nvec < 0)
			dev_info(dev, "MSI-X unavailable (%d), polling\n", nvec);
		else
			WRITE_ONCE(pd->doorbell, true);
	}

	if (pd->doorbell) {
		pci_set_master(pdev);
		snprintf(pd->irq_names[0], sizeof(pd->irq_names[0]),
			 "pvhost-pressure@%s", pci_name(pdev));
		ret = request_irq(pci_irq_vector(pdev, PVHOST_VEC_PRESSURE),
				  pvhost_irq_pressure, 0, pd->irq_names[0], pd);
		if (ret)
			goto free_vectors;
		pd->irq_pressure = pci_irq_vector(pdev, PVHOST_VEC_PRESSURE);
		snprintf(pd->irq_name_mbox, sizeof(pd->irq_name_mbox),
			 "pvhost-mailbox@%s", pci_name(pdev));
		ret = request_irq(pci_irq_vector(pdev, PVHOST_VEC_MAILBOX),
				  pvhost_irq_mailbox, 0, pd->irq_name_mbox, pd);
		if (ret)
			goto free_pressure;
		pd->irq_mailbox = pci_irq_vector(pdev, PVHOST_VEC_MAILBOX);
		WRITE_ONCE(pd->mbox.irq, true);
		if (nvec > PVHOST_VEC_ENTROPY) {
			snprintf(pd->irq_names[1], sizeof(pd->irq_names[1]),
				 "pvhost-entropy@%s", pci_name(pdev));
			ret = request_irq(pci_irq_vector(pdev, PVHOST_VEC_ENTROPY),
					  pvhost_irq_entropy, 0,
					  pd->irq_names[1], pd);
			if (ret)
				goto free_mailbox;
			pd->irq_entropy = pci_irq_vector(pdev,
							 PVHOST_VEC_ENTROPY);
		}
		snprintf(pd->irq_names[2], sizeof(pd->irq_names[2]),
			 "pvhost-clock@%s", pci_name(pdev));
		ret = request_irq(pci_irq_vector(pdev, PVHOST_VEC_CLOCK),
				  pvhost_irq_clock, 0, pd->irq_names[2], pd);
		if (ret)
			goto free_entropy;
		pd->irq_clock = pci_irq_vector(pdev, PVHOST_VEC_CLOCK);
		if (nvec > PVHOST_VEC_NUMA) {
			snprintf(pd->irq_name_numa, sizeof(pd->irq_name_numa),
				 "pvhost-numa@%s", pci_name(pdev));
			ret = request_irq(pci_irq_vector(pdev, PVHOST_VEC_NUMA),
					  pvhost_irq_numa, 0,
					  pd->irq_name_numa, pd);
			if (ret)
				goto free_clock;
			pd->irq_numa = pci_irq_vector(pdev, PVHOST_VEC_NUMA);
		}
		/*
		 * The host interrupts for every event: the watchdog only
		 * looks for a host that went away silently, so it waits for
		 * a CPU that is awake anyway rather than waking one.
		 */
		INIT_DEFERRABLE_WORK(&pd->poll_work, pvhost_poll_fn);
		pd->poll_jiffies = msecs_to_jiffies(PVHOST_WATCHDOG_MS);
		dev_info(dev, "mode doorbell: %d MSI-X vectors, IVPosition %d; deferrable watchdog every %u ms\n",
			 nvec, (int)ioread32(pd->regs + PVHOST_REG_IVPOSITION),
			 PVHOST_WATCHDOG_MS);
		dev_info(dev, "doorbell to host peer %u, vector %u, after entropy reads\n",
			 pd->hdr.host_peer_id, PVHOST_VEC_ENTROPY);
	} else {
		pd->poll_jiffies = msecs_to_jiffies(pvhost_poll_ms);
		dev_info(dev, "mode poll: no MSI-X vector for the gauge, polling every %u ms\n",
			 pvhost_poll_ms);
	}
	queue_delayed_work(system_wq, &pd->poll_work, pd->poll_jiffies);
	return 0;

free_clock:
	free_irq(pd->irq_clock, pd);
	pd->irq_clock = 0;
free_entropy:
	if (pd->irq_entropy)
		free_irq(pd->irq_entropy, pd);
	pd->irq_entropy = 0;
free_mailbox:
	WRITE_ONCE(pd->mbox.irq, false);
	free_irq(pd->irq_mailbox, pd);
	pd->irq_mailbox = 0;
free_pressure:
	free_irq(pd->irq_pressure, pd);
	pd->irq_pressure = 0;
free_vectors:
	pci_clear_master(pdev);
	pci_free_irq_vectors(pdev);
	WRITE_ONCE(pd->doorbell, false);
	dev_err(dev, "cannot request MSI-X interrupts (%d)\n", ret);
	return ret;
}

static void pvhost_stop_events(struct pvhost_dev *pd)
{
	cancel_delayed_work_sync(&pd->poll_work);
	if (!pd->doorbell)
		return;
	if (pd->irq_numa)
		free_irq(pd->irq_numa, pd);
	if (pd->irq_clock)
		free_irq(pd->irq_clock, pd);
	pd->irq_clock = 0;
	if (pd->irq_entropy)
		free_irq(pd->irq_entropy, pd);
	WRITE_ONCE(pd->mbox.irq, false);
	free_irq(pd->irq_mailbox, pd);
	free_irq(pd->irq_pressure, pd);
	pci_clear_master(pd->pdev);
	pci_free_irq_vectors(pd->pdev);
}

static int pvhost_counter_get(void *data, u64 *val)
{
	*val = atomic_long_read(data);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(pvhost_counter_fops, pvhost_counter_get, NULL,
			 "%llu\n");

/*
 * Reading these does one operation and returns its result (or fails with
 * its error), for the selftests and the benchmark: the gauge level, the
 * bytes one entropy read got (at most 64), a mailbox PING's round trip in
 * nanoseconds.
 */
static int pvhost_probe_pressure(void *data, u64 *val)
{
	struct pvhc_pressure p = {};
	int ret = pvhost_op_pressure(data, &p);

	*val = p.level;
	return ret;
}
DEFINE_DEBUGFS_ATTRIBUTE(pvhost_pressure_fops, pvhost_probe_pressure, NULL,
			 "%llu\n");

static int pvhost_probe_entropy(void *data, u64 *val)
{
	u8 buf[64];
	ssize_t n = pvhost_op_entropy(data, buf, sizeof(buf));

	memzero_explicit(buf, sizeof(buf));
	*val = n;
	return n < 0 ? n : 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(pvhost_entropy_fops, pvhost_probe_entropy, NULL,
			 "%llu\n");

static int pvhost_probe_ping(void *data, u64 *val)
{
	struct pvhost_dev *pd = data;
	u32 rlen;
	u64 t0;
	int ret;

	if (!pvhost_host_ok(pd))
		return -ENODEV;
	t0 = ktime_get_ns();
	ret = pvhost_mbox_call(&pd->mbox, PVHOST_OP_PING, NULL, 0, NULL, 0,
			       &rlen);
	*val = ktime_get_ns() - t0;
	return ret;
}
DEFINE_DEBUGFS_ATTRIBUTE(pvhost_ping_fops, pvhost_probe_ping, NULL, "%llu\n");

static bool pvhost_offers(struct pvhost_dev *pd, enum pvhc_feature f)
{
	return pvhost_host_ok(pd) && pd->backend.features & BIT(f);
}

/*
 * Per vCPU: the record as the host left it, and what pvhc_vcpu_preempted()
 * answers now (from whichever backend serves it).
 */
static int pvhost_vcpus_show(struct seq_file *m, void *unused)
{
	struct pvhost_dev *pd = m->private;
	struct pvhost_vcpu_view r;
	unsigned int cpu;

	if (!pvhost_offers(pd, PVHC_FEAT_PREEMPTED) &&
	    !pvhost_offers(pd, PVHC_FEAT_BOOST) &&
	    !pvhost_offers(pd, PVHC_FEAT_LOCK_HINT))
		return -EOPNOTSUPP;
	for (cpu = 0; !pvhost_vcpu_snapshot(&pd->vcpus, cpu, &r); cpu++)
		seq_printf(m, "cpu=%u preempted=%u preempt_seq=%u boost=%u boost_seq=%u boost_ack=%u pvhc=%d lock_hint=%u lock_hint_seen=%u\n",
			   cpu, r.preempted, r.preempt_seq, r.boost, r.boost_seq,
			   r.boost_ack, cpu < nr_cpu_ids ?
			   pvhc_vcpu_preempted(cpu) : -EINVAL, r.lock_hint,
			   r.lock_hint_seen);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pvhost_vcpus);

/* "CPU 0|1": pvhc_boost() on that CPU; anything else is -EINVAL. */
static ssize_t pvhost_boost_write(struct file *file, const char __user *ubuf,
				  size_t len, loff_t *ppos)
{
	struct pvhost_dev *pd = file->private_data;
	unsigned int cpu;
	char buf[24];
	bool on;
	int ret;

	if (!len || len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (pvhost_boost_parse(buf, &cpu, &on))
		return -EINVAL;
	if (!pvhost_offers(pd, PVHC_FEAT_BOOST))
		return -EOPNOTSUPP;
	ret = pvhc_boost(cpu, on);
	return ret ? ret : len;
}

static const struct file_operations pvhost_boost_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = pvhost_boost_write,
	.llseek = noop_llseek,
};

/*
 * The benchmark's loop: PVHOST_LOOP_CALLS calls of pvhc_vcpu_preempted()
 * over the CPUs with a record, the same of this driver's op alone, and the same
 * of a plain per-CPU read, with preemption off; nanoseconds of each.
 */
#define PVHOST_LOOP_CALLS	65536
static DEFINE_PER_CPU(u32, pvhost_loop_flag);

static int pvhost_preempted_loop_show(struct seq_file *m, void *unused)
{
	struct pvhost_dev *pd = m->private;
	unsigned int i, n = min_t(unsigned int, nr_cpu_ids, pd->vcpus.nr);
	u64 t0, t1, t2, t3;
	long sum = 0;

	if (!pvhost_offers(pd, PVHC_FEAT_PREEMPTED) || !n)
		return -EOPNOTSUPP;
	preempt_disable();
	t0 = ktime_get_ns();
	for (i = 0; i < PVHOST_LOOP_CALLS; i++)
		sum += pvhc_vcpu_preempted(i % n);
	t1 = ktime_get_ns();
	for (i = 0; i < PVHOST_LOOP_CALLS; i++)
		sum += pvhost_op_vcpu_preempted(pd, i % n);
	t2 = ktime_get_ns();
	for (i = 0; i < PVHOST_LOOP_CALLS; i++)
		sum += READ_ONCE(per_cpu(pvhost_loop_flag, i % n));
	t3 = ktime_get_ns();
	preempt_enable();
	seq_printf(m, "calls=%u pvhc_ns=%llu op_ns=%llu percpu_ns=%llu sum=%ld\n",
		   PVHOST_LOOP_CALLS, t1 - t0, t2 - t1, t3 - t2, sum);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pvhost_preempted_loop);

static void pvhost_debugfs_probes(struct pvhost_dev *pd)
{
	debugfs_create_file_unsafe("read_pressure", 0400, pd->debugfs, pd,
				   &pvhost_pressure_fops);
	debugfs_create_file_unsafe("read_entropy", 0400, pd->debugfs, pd,
				   &pvhost_entropy_fops);
	debugfs_create_file_unsafe("mbox_ping", 0400, pd->debugfs, pd,
				   &pvhost_ping_fops);
	debugfs_create_file("vcpus", 0444, pd->debugfs, pd, &pvhost_vcpus_fops);
	debugfs_create_file("boost", 0200, pd->debugfs, pd, &pvhost_boost_fops);
	debugfs_create_file("preempted_loop", 0400, pd->debugfs, pd,
			    &pvhost_preempted_loop_fops);
}

static const char * const pvhost_numa_status_names[] = {
	"free", "queued", "applied", "partial", "rejected",
};

static const char * const pvhost_numa_reason_names[] = {
	"none", "invalid", "no_node", "affinity", "memory", "policy",
};

/* numa_info: the topology as pvhc gives it to its callers. */
static int pvhost_numa_info_show(struct seq_file *m, void *unused)
{
	struct pvhc_numa_info *t = kzalloc(sizeof(*t), GFP_KERNEL);
	int ret;
	u32 i, j;

	if (!t)
		return -ENOMEM;
	ret = pvhc_numa_info(t);
	if (ret)
		goto out;
	seq_printf(m, "nr_host_nodes=%u\nnr_vcpus=%u\n", t->nr_nodes,
		   t->nr_vcpus);
	for (i = 0; i < t->nr_vcpus; i++) {
		if (t->vcpu_to_node[i] == PVHC_NUMA_NODE_UNKNOWN)
			seq_printf(m, "vcpu%u host_node=unknown\n", i);
		else
			seq_printf(m, "vcpu%u host_node=%u\n", i,
				   t->vcpu_to_node[i]);
	}
	for (i = 0; i < t->nr_nodes; i++) {
		seq_printf(m, "host_node%u distance=", i);
		for (j = 0; j < t->nr_nodes; j++)
			seq_printf(m, "%s%u", j ? "," : "", t->distance[i][j]);
		seq_puts(m, "\n");
	}
out:
	kfree(t);
	return ret;
}
DEFINE_SHOW_ATTRIBUTE(pvhost_numa_info);

/*
 * numa_hint: write "NODE CPULIST" to submit a hint through pvhc; read the
 * last one's id and what the host made of it, as this device reads it.
 */
static ssize_t pvhost_numa_hint_write(struct file *file,
				      const char __user *ubuf, size_t len,
				      loff_t *ppos)
{
	struct pvhost_dev *pd = file_inode(file)->i_private;
	struct pvhc_numa_hint *hint;
	cpumask_var_t mask;
	char buf[128], *sp;
	unsigned int node, cpu;
	int ret;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	sp = strchr(buf, ' ');
	if (!sp)
		return -EINVAL;
	*sp++ = '\0';
	if (kstrtouint(buf, 10, &node) || node > INT_MAX)
		return -EINVAL;
	if (!zalloc_cpumask_var(&mask, GFP_KERNEL))
		return -ENOMEM;
	hint = kzalloc(sizeof(*hint), GFP_KERNEL);
	ret = -ENOMEM;
	if (!hint)
		goto free_mask;
	ret = cpulist_parse(strim(sp), mask);
	if (ret || cpumask_empty(mask)) {
		ret = -EINVAL;
		goto free_hint;
	}
	for_each_cpu(cpu, mask) {
		if (cpu >= PVHC_NUMA_HINT_MAX_CPUS) {
			ret = -EINVAL;
			goto free_hint;
		}
		__set_bit(cpu, hint->cpus);
	}
	hint->node = node;
	ret = pvhc_numa_hint(hint);
	if (ret >= 0) {
		mutex_lock(&pd->numa_dbg_lock);
		pd->numa_last_id = ret;
		mutex_unlock(&pd->numa_dbg_lock);
		ret = len;
	}
free_hint:
	kfree(hint);
free_mask:
	free_cpumask_var(mask);
	return ret;
}

static int pvhost_numa_hint_show(struct seq_file *m, void *unused)
{
	struct pvhost_dev *pd = m->private;
	struct pvhost_numa_answer ans = {};
	int id, ret;

	mutex_lock(&pd->numa_dbg_lock);
	id = pd->numa_last_id;
	mutex_unlock(&pd->numa_dbg_lock);
	if (!id)
		return -ENODATA;
	/* one read of the answer, with the reason pvhc's verdict lacks */
	if (!pvhost_host_ok(pd))
		return -ENODEV;
	ret = pvhost_numa_result(&pd->numa, id, &ans);
	if (ret < 0)
		return ret;
	seq_printf(m, "id=%d status=%s reason=%s host_node=%u\n", id,
		   ret == PVHC_NUMA_PENDING ? "pending" :
		   pvhost_numa_status_names[ans.status],
		   ret == PVHC_NUMA_PENDING ? "none" :
		   pvhost_numa_reason_names[ans.reason], ans.host_node);
	return 0;
}

static int pvhost_numa_hint_open(struct inode *inode, struct file *file)
{
	return single_open(file, pvhost_numa_hint_show, inode->i_private);
}

static const struct file_operations pvhost_numa_hint_fops = {
	.owner = THIS_MODULE,
	.open = pvhost_numa_hint_open,
	.read = seq_read,
	.write = pvhost_numa_hint_write,
	.llseek = seq_lseek,
	.release = single_release,
};

/* How long a hint waits for its answer in numa_rtt. */
#define PVHOST_NUMA_RTT_MS	2000

/*
 * numa_rtt: one hint (node 0, CPU 0) to this device and the time until
 * its answer is seen, in ns; the answer must be APPLIED or PARTIAL.
 */
static int pvhost_probe_numa_rtt(void *data, u64 *val)
{
	struct pvhost_dev *pd = data;
	struct pvhc_numa_hint hint = { .node = 0 };
	struct pvhost_numa_answer ans;
	u64 t0;
	int id, ret = -ETIMEDOUT;

	if (!pvhost_host_ok(pd))
		return -ENODEV;
	__set_bit(0, hint.cpus);
	t0 = ktime_get_ns();
	id = pvhost_numa_submit(&pd->numa, &hint);
	if (id < 0)
		return id;
	wait_event_timeout(pd->numa.wq,
			   (ret = pvhost_numa_result(&pd->numa, id, &ans)) !=
			   PVHC_NUMA_PENDING,
			   msecs_to_jiffies(PVHOST_NUMA_RTT_MS));
	*val = ktime_get_ns() - t0;
	if (ret == PVHC_NUMA_PENDING)
		return -ETIMEDOUT;
	if (ret < 0)
		return ret;
	return ret == PVHC_NUMA_REJECTED ? -EREMOTEIO : 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(pvhost_numa_rtt_fops, pvhost_probe_numa_rtt, NULL,
			 "%llu\n");

/* numa_info_ns: the time of one pvhc_numa_info() call, in ns. */
static int pvhost_probe_numa_info_ns(void *data, u64 *val)
{
	struct pvhc_numa_info *t = kmalloc(sizeof(*t), GFP_KERNEL);
	u64 t0;
	int ret;

	if (!t)
		return -ENOMEM;
	t0 = ktime_get_ns();
	ret = pvhc_numa_info(t);
	*val = ktime_get_ns() - t0;
	kfree(t);
	return ret;
}
DEFINE_DEBUGFS_ATTRIBUTE(pvhost_numa_info_ns_fops, pvhost_probe_numa_info_ns,
			 NULL, "%llu\n");

static void pvhost_debugfs_numa(struct pvhost_dev *pd)
{
	debugfs_create_file("numa_info", 0400, pd->debugfs, pd,
			    &pvhost_numa_info_fops);
	debugfs_create_file("numa_hint", 0600, pd->debugfs, pd,
			    &pvhost_numa_hint_fops);
	debugfs_create_file_unsafe("numa_rtt", 0400, pd->debugfs, pd,
				   &pvhost_numa_rtt_fops);
	debugfs_create_file_unsafe("numa_info_ns", 0400, pd->debugfs, pd,
				   &pvhost_numa_info_ns_fops);
}

/* Counters for debugging, in /sys/kernel/debug/pvhost/<device>/. */
static void pvhost_debugfs_add(struct pvhost_dev *pd)
{
	static const struct {
		const char *name;
		size_t off;
	} c[] = {
#define PVHOST_CTR(n, f) { n, offsetof(struct pvhost_dev, f) }
		PVHOST_CTR("errors", st.errors),
		PVHOST_CTR("pressure_reads", st.pressure_reads),
		PVHOST_CTR("pressure_busy", st.pressure_busy),
		PVHOST_CTR("pressure_invalid", st.pressure_invalid),
		PVHOST_CTR("entropy_reads", st.entropy_reads),
		PVHOST_CTR("entropy_bytes", st.entropy_bytes),
		PVHOST_CTR("ring_broken", st.ring_broken),
		PVHOST_CTR("irqs_pressure", irqs_pressure),
		PVHOST_CTR("irqs_entropy", irqs_entropy),
		PVHOST_CTR("polls", polls),
		PVHOST_CTR("gauge_changes", gauge_changes),
		PVHOST_CTR("doorbells", doorbells),
		PVHOST_CTR("host_stops", host_stops),
		PVHOST_CTR("clock_reads", st.clock_reads),
		PVHOST_CTR("clock_busy", st.clock_busy),
		PVHOST_CTR("clock_invalid", st.clock_invalid),
		PVHOST_CTR("pairing_reads", st.pairing_reads),
		PVHOST_CTR("pairing_busy", st.pairing_busy),
		PVHOST_CTR("pairing_invalid", st.pairing_invalid),
		PVHOST_CTR("calib_sent", st.calib_sent),
		PVHOST_CTR("calib_answered", st.calib_answered),
		PVHOST_CTR("calib_timeouts", st.calib_timeouts),
		PVHOST_CTR("calib_errors", st.calib_errors),
		PVHOST_CTR("irqs_mailbox", irqs_mailbox),
		PVHOST_CTR("irqs_clock", irqs_clock),
		PVHOST_CTR("clock_kicks", st.clock_kicks),
		PVHOST_CTR("recover_tries", recover_tries),
		PVHOST_CTR("recoveries", recoveries),
		PVHOST_CTR("log_suppressed", log_suppressed),
		PVHOST_CTR("mbox_calls", mbox.calls),
		PVHOST_CTR("mbox_timeouts", mbox.timeouts),
		PVHOST_CTR("mbox_malformed", mbox.malformed),
		PVHOST_CTR("numa_hints", numa.hints),
		PVHOST_CTR("numa_busy", numa.busy),
		PVHOST_CTR("numa_invalid", numa.invalid),
		PVHOST_CTR("numa_topo_reads", numa.topo_reads),
		PVHOST_CTR("numa_topo_busy", numa.topo_busy),
		PVHOST_CTR("numa_topo_invalid", numa.topo_invalid),
		PVHOST_CTR("irqs_numa", numa.irqs),
		PVHOST_CTR("preempted_invalid", vcpus.preempted_invalid),
		PVHOST_CTR("boosts", vcpus.boosts),
		PVHOST_CTR("boost_unacked", vcpus.boost_unacked),
#undef PVHOST_CTR
	};
	int i;

	pd->debugfs = debugfs_create_dir(pci_name(pd->pdev),
					 pvhost_debugfs_root);
	for (i = 0; i < ARRAY_SIZE(c); i++)
		debugfs_create_file_unsafe(c[i].name, 0444, pd->debugfs,
					   (char *)pd + c[i].off,
					   &pvhost_counter_fops);
	debugfs_create_u32("calib_period_ms", 0444, pd->debugfs,
			   &pd->clock.period_ms);
	pvhost_debugfs_probes(pd);
	pvhost_debugfs_numa(pd);
}

/*
 * Whether an ivshmem device is meant for this driver, before anything of
 * it is claimed: BAR 2 is a memory BAR that holds a pvhost header (the
 * magic) of the ABI major this driver speaks. ivshmem is a generic device
 * (1af4:1110 for every user, plain or doorbell, with no subsystem id of
 * its own), so the region's content is what says whose it is. A device
 * that is not ours gets -ENODEV and a debug line only; its BARs were never
 * requested, so another driver (or uio) can bind it.
 *
 * Context: the caller has enabled the device's memory decoding.
 */
static int pvhost_is_ours(struct pci_dev *pdev)
{
	struct device *dev = &pdev->dev;
	const struct pvhost_header *sh;
	u32 magic;
	u16 major;

	if (!(pci_resource_flags(pdev, PVHOST_BAR_SHM) & IORESOURCE_MEM) ||
	    pci_resource_len(pdev, PVHOST_BAR_SHM) < sizeof(*sh)) {
		dev_dbg(dev, "BAR 2 is no shared memory region: not a pvhost device\n");
		return -ENODEV;
	}
	sh = memremap(pci_resource_start(pdev, PVHOST_BAR_SHM), sizeof(*sh),
		      MEMREMAP_WB);
	if (!sh)
		return -ENOMEM;
	magic = READ_ONCE(sh->magic);
	major = READ_ONCE(sh->abi_major);
	memunmap((void *)sh);
	if (magic != PVHOST_MAGIC) {
		dev_dbg(dev, "no pvhost header (magic %#x): another ivshmem user's, left alone\n",
			magic);
		return -ENODEV;
	}
	if (major != PVHOST_ABI_MAJOR) {
		dev_info(dev, "pvhost ABI %u, this driver speaks %u: not using it\n",
			 major, PVHOST_ABI_MAJOR);
		return -ENODEV;
	}
	return 0;
}

static int pvhost_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	struct pvhost_dev *pd;
	unsigned long features;
	resource_size_t start;
	int ret;

	pd = kzalloc(sizeof(*pd), GFP_KERNEL);
	if (!pd)
		return -ENOMEM;
	pd->pdev = pdev;
	mutex_init(&pd->ring_lock);
	mutex_init(&pd->reg_lock);
	mutex_init(&pd->vcpus.lock);
	INIT_DELAYED_WORK(&pd->recover_work, pvhost_recover_fn);
	INIT_DELAYED_WORK(&pd->poll_work, pvhost_poll_fn);
	pvhost_mbox_init(&pd->mbox, pvhost_mbox_ring, PVHOST_MBOX_TIMEOUT_MS);
	pvhost_numa_init(&pd->numa, pvhost_numa_ring);
	mutex_init(&pd->numa_dbg_lock);
	pd->up_since = jiffies;
	ratelimit_state_init(&pd->log_rs, PVHOST_LOG_INTERVAL_S * HZ,
			     PVHOST_LOG_BURST);
	ratelimit_set_flags(&pd->log_rs, RATELIMIT_MSG_ON_RELEASE);
	pci_set_drvdata(pdev, pd);

	ret = pci_enable_device(pdev);
	if (ret)
		goto free_pd;
	ret = pvhost_is_ours(pdev);
	if (ret)
		goto disable;
	ret = pci_request_region(pdev, PVHOST_BAR_REGS, KBUILD_MODNAME);
	if (ret)
		goto disable;
	ret = pci_request_region(pdev, PVHOST_BAR_SHM, KBUILD_MODNAME);
	if (ret)
		goto release_regs;
	pd->regs = pci_iomap(pdev, PVHOST_BAR_REGS, 0);
	if (!pd->regs) {
		ret = -ENOMEM;
		goto release_shm;
	}
	start = pci_resource_start(pdev, PVHOST_BAR_SHM);
	pd->shm_size = pci_resource_len(pdev, PVHOST_BAR_SHM);
	if (!(pci_resource_flags(pdev, PVHOST_BAR_SHM) & IORESOURCE_MEM) ||
	    pd->shm_size < sizeof(struct pvhost_header)) {
		dev_info(dev, "BAR 2 is no shared memory region, not using it\n");
		ret = -ENODEV;
		goto unmap_regs;
	}
	/* RAM shared with the host: cacheable, as the host maps it. */
	pd->shm = memremap(start, pd->shm_size, MEMREMAP_WB);
	if (!pd->shm) {
		ret = -ENOMEM;
		goto unmap_regs;
	}

	ret = pvhost_read_header(pd);
	if (ret)
		goto unmap_shm;
	features = pvhost_setup_features(pd);
	if (!features) {
		dev_info(dev, "the host offers nothing this driver implements, not using it\n");
		ret = -ENODEV;
		goto unmap_shm;
	}

	pvhost_debugfs_add(pd);
	ret = pvhost_register(pd, features);
	if (ret)
		goto remove_debugfs;
	ret = pvhost_start_events(pd);
	if (ret)
		goto unregister;
	pvhost_clock_start(&pd->clock);
	return 0;

unregister:
	set_bit(PVHOST_REMOVING, &pd->flags);
	cancel_delayed_work_sync(&pd->recover_work);
	pvhost_unregister(pd);
remove_debugfs:
	debugfs_remove_recursive(pd->debugfs);
	cancel_delayed_work_sync(&pd->recover_work);
	pvhost_clock_stop(&pd->clock);
unmap_shm:
	memunmap(pd->shm);
unmap_regs:
	pci_iounmap(pdev, pd->regs);
release_shm:
	pci_release_region(pdev, PVHOST_BAR_SHM);
release_regs:
	pci_release_region(pdev, PVHOST_BAR_REGS);
disable:
	pci_disable_device(pdev);
free_pd:
	mutex_destroy(&pd->numa_dbg_lock);
	mutex_destroy(&pd->numa.lock);
	mutex_destroy(&pd->mbox.lock);
	mutex_destroy(&pd->reg_lock);
	mutex_destroy(&pd->ring_lock);
	kfree(pd);
	return ret;
}

static void pvhost_remove(struct pci_dev *pdev)
{
	struct pvhost_dev *pd = pci_get_drvdata(pdev);

	/* No more coming back: the recovery neither re-registers nor polls. */
	set_bit(PVHOST_REMOVING, &pd->flags);
	cancel_delayed_work_sync(&pd->recover_work);
	pvhost_clock_halt(pd);
	pvhost_stop_events(pd);
	/* pvhc waits for the calls in flight; none start after this. */
	pvhost_unregister(pd);
	/* Waits for the readers of the probe files. */
	debugfs_remove_recursive(pd->debugfs);
	/* A call that saw the host go may have queued it again. */
	cancel_delayed_work_sync(&pd->recover_work);
	memunmap(pd->shm);
	pci_iounmap(pdev, pd->regs);
	pci_release_region(pdev, PVHOST_BAR_SHM);
	pci_release_region(pdev, PVHOST_BAR_REGS);
	pci_disable_device(pdev);
	mutex_destroy(&pd->numa_dbg_lock);
	mutex_destroy(&pd->numa.lock);
	mutex_destroy(&pd->mbox.lock);
	mutex_destroy(&pd->reg_lock);
	mutex_destroy(&pd->ring_lock);
	kfree(pd);
}

static struct pvhost_dev *pvhost_get(struct device *dev)
{
	return pci_get_drvdata(to_pci_dev(dev));
}

static ssize_t abi_version_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	struct pvhost_dev *pd = pvhost_get(dev);

	return sysfs_emit(buf, "%u.%u\n", pd->hdr.abi_major,
			  pd->hdr.abi_minor);
}
static DEVICE_ATTR_RO(abi_version);

static ssize_t host_features_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%#llx\n", pvhost_get(dev)->hdr.features);
}
static DEVICE_ATTR_RO(host_features);

static ssize_t generation_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", pvhost_get(dev)->hdr.generation);
}
static DEVICE_ATTR_RO(generation);

static ssize_t mode_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  pvhost_get(dev)->doorbell ? "doorbell" : "poll");
}
static DEVICE_ATTR_RO(mode);

static ssize_t errors_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%ld\n",
			  atomic_long_read(&pvhost_get(dev)->st.errors));
}
static DEVICE_ATTR_RO(errors);

/* Host time by this CPU's record, and the record's version. */
static int pvhost_clock_attr(struct device *dev, u64 *ns, u32 *version)
{
	struct pvhost_dev *pd = pvhost_get(dev);

	if (!pd->clock.ready)
		return -ENODATA;
	if (!pvhost_host_ok(pd))
		return -ENODEV;
	return pvhost_clock_now(&pd->clock, ns, version);
}

static ssize_t clock_ns_show(struct device *dev,
			     struct device_attribute *attr, char *buf)
{
	u32 version;
	u64 ns;
	int ret = pvhost_clock_attr(dev, &ns, &version);

	return ret ? ret : sysfs_emit(buf, "%llu\n", ns);
}
static DEVICE_ATTR_RO(clock_ns);

static ssize_t clock_version_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	u32 version;
	u64 ns;
	int ret = pvhost_clock_attr(dev, &ns, &version);

	return ret ? ret : sysfs_emit(buf, "%u\n", version);
}
static DEVICE_ATTR_RO(clock_version);

static struct attribute *pvhost_attrs[] = {
	&dev_attr_abi_version.attr,
	&dev_attr_host_features.attr,
	&dev_attr_generation.attr,
	&dev_attr_mode.attr,
	&dev_attr_errors.attr,
	&dev_attr_clock_ns.attr,
	&dev_attr_clock_version.attr,
	NULL
};
ATTRIBUTE_GROUPS(pvhost);

static const struct pci_device_id pvhost_ids[] = {
	{ PCI_DEVICE(PVHOST_PCI_VENDOR, PVHOST_PCI_DEVICE) },
	{ }
};
MODULE_DEVICE_TABLE(pci, pvhost_ids);

static struct pci_driver pvhost_driver = {
	.name = KBUILD_MODNAME,
	.id_table = pvhost_ids,
	.probe = pvhost_probe,
	.remove = pvhost_remove,
	.dev_groups = pvhost_groups,
	/* Probe may wait for the host: do not hold up the boot. */
	.driver.probe_type = PROBE_PREFER_ASYNCHRONOUS,
};

static int __init pvhost_init(void)
{
	int ret;

	pvhost_debugfs_root = debugfs_create_dir(KBUILD_MODNAME, NULL);
	ret = pci_register_driver(&pvhost_driver);
	if (ret)
		debugfs_remove_recursive(pvhost_debugfs_root);
	return ret;
}

static void __exit pvhost_exit(void)
{
	pci_unregister_driver(&pvhost_driver);
	debugfs_remove_recursive(pvhost_debugfs_root);
}

module_init(pvhost_init);
module_exit(pvhost_exit);

MODULE_DESCRIPTION("pvhost: pvhc backend over the ivshmem host channel");
MODULE_LICENSE("GPL");
