// SPDX-License-Identifier: GPL-2.0
/*
 * virtio_coalesce: one interrupt-coalescing knob per virtio-net device.
 *
 * Attaches to every virtio-net device, present and hot-added (a netdevice
 * notifier), samples its interrupts and packets, and applies a level from
 * 0 (lowest latency) to 100 (fewest interrupts) through the device's own
 * notification coalescing when the host negotiated VIRTIO_NET_F_NOTF_COAL,
 * or through NAPI interrupt deferral (napi_defer_hard_irqs and
 * gro_flush_timeout) otherwise. Settings are saved when the module starts
 * acting on a device and put back when it stops: mode off, device removal,
 * unload. A setting the user changed behind the module's back is theirs:
 * the module yields that device until its mode is written again.
 *
 * Locking: every device's state is under RTNL. The sampling work and the
 * sysfs stores only trylock it (and retry), so the notifier may cancel the
 * work and remove the sysfs directory while holding it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/ethtool.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/irqdesc.h>
#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/netdevice.h>
#include <linux/pci.h>
#include <linux/rtnetlink.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sched/signal.h>
#include <linux/sysfs.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_net.h>
#include <linux/workqueue.h>

#include "virtio_coalesce.h"

#define VCOAL_MAX_VECTORS		256
#define VCOAL_MAX_ESTATS		4096

static unsigned int sample_ms = 100;
module_param(sample_ms, uint, 0444);
MODULE_PARM_DESC(sample_ms, "sampling period of every device, ms (10..10000, default 100)");

static unsigned int default_target_us = 50;
module_param(default_target_us, uint, 0444);
MODULE_PARM_DESC(default_target_us,
		 "initial target_us of every device (1..100000, default 50)");

/* A device vector: its IRQ and the rx queue it serves (-1: shared by all). */
struct vcoal_vec {
	int irq;
	int queue;
};

struct vcoal_queue {
	u64 irqs;		/* since attach */
	u64 irqs_base;
	u64 pkts;		/* the driver's per-queue count */
	int stat_ix;		/* index in the driver's ethtool stats, or -1 */
};

struct vcoal_dev {
	struct kobject kobj;
	struct list_head node;
	struct net_device *dev;
	struct delayed_work work;
	bool notf;		/* NOTF_COAL through the driver's ethtool ops */
	bool yielded;		/* the user changed a setting: hands off */
	bool written;		/* the device holds settings the module wrote */
	enum vcoal_mode mode;
	unsigned int level;	/* the fixed level */
	unsigned int cur_level;	/* the level in force */
	unsigned int target_us;
	struct vcoal_defer saved_defer, written_defer;
	struct ethtool_coalesce saved_coal, written_coal;
	struct kernel_ethtool_coalesce saved_kcoal;
	struct vcoal_adaptive ad;
	struct vcoal_target tgt;
	/* vectors and queues, found at attach */
	struct vcoal_vec *vec;
	unsigned int nvec;
	bool shared;		/* no per-queue vectors: counts are device-wide */
	struct vcoal_queue *q;
	unsigned int nq;
	u64 *estats;
	int nestats;
	/* the last sample, totals since attach and the last period's rates */
	ktime_t last_t;
	u64 last_irqs, last_pkts, last_bytes;
	u64 irqs_base, pkts_base;
	u64 interrupts, packets;
	u64 irq_rate, pkt_rate;	/* per second */
	u64 ppi_x100;		/* packets per interrupt, hundredths */
	u64 delay_ns;
	u64 mode_changes, level_changes, yields;
};

static LIST_HEAD(vcoal_devs);		/* under RTNL */
static struct kobject *vcoal_root;
static struct dentry *vcoal_debugfs;

static bool vcoal_is_virtio_net(const struct net_device *dev)
{
	const struct device *parent = dev->dev.parent;

	return parent && parent->driver && parent->driver->name &&
	       !strcmp(parent->driver->name, "virtio_net");
}

static struct virtio_device *vcoal_vdev(const struct vcoal_dev *vd)
{
	return dev_to_virtio(vd->dev->dev.parent);
}

/* Interrupts an IRQ took on every CPU, as /proc/interrupts sums them. */
static u64 vcoal_irq_count(int irq)
{
	struct irq_data *data = irq_get_irq_data(irq);
	struct irq_desc *desc;
	u64 sum = 0;
	int cpu;

	if (!data)
		return 0;
	desc = irq_data_to_desc(data);
	for_each_possible_cpu(cpu)
		sum += irq_desc_kstat_cpu(desc, cpu);
	return sum;
}

/*
 * virtio-pci names its MSI-X vectors "<virtio dev>-input.<n>" (one per rx
 * queue), "...-output.<n>", "...-config", or "...-virtqueues" when the
 * queues share one; with INTx the one IRQ is named "<virtio dev>".
 */
static int vcoal_vec_queue(const char *name, const char *prefix, bool *shared)
{
	size_t len = strlen(prefix);
	unsigned int q;
	int n = 0;

	if (!name || strncmp(name, prefix, len))
		return -2;
	name += len;
	if (!*name || !strcmp(name, "-virtqueues")) {
		*shared = true;
		return -1;
	}
	if (sscanf(name, "-input.%u%n", &q, &n) == 1 && !name[n] && q < INT_MAX)
		return q;
	return -2;
}

static void vcoal_find_vectors(struct vcoal_dev *vd)
{
	struct virtio_device *vdev = vcoal_vdev(vd);
	struct device *bus_dev = vdev->dev.parent;
	const char *prefix = dev_name(&vdev->dev);
	struct pci_dev *pdev;
	unsigned int i;

	vd->nvec = 0;
	vd->shared = false;
	if (!bus_dev || !dev_is_pci(bus_dev))
		return;
	pdev = to_pci_dev(bus_dev);
	for (i = 0; i < VCOAL_MAX_VECTORS && vd->nvec < VCOAL_MAX_VECTORS; i++) {
		int irq = pci_irq_vector(pdev, i);
		struct irq_data *data;
		struct irqaction *act;
		int q;

		if (irq <= 0)
			break;
		data = irq_get_irq_data(irq);
		if (!data)
			continue;
		act = irq_data_to_desc(data)->action;
		q = vcoal_vec_queue(act ? act->name : NULL, prefix, &vd->shared);
		if (q == -2 || q >= (int)vd->nq)
			continue;
		vd->vec[vd->nvec].irq = irq;
		vd->vec[vd->nvec].queue = q;
		vd->nvec++;
	}
}

/* Per-queue packet counts from the driver's ethtool stats (names differ: 6.1, 6.12). */
static void vcoal_find_estats(struct vcoal_dev *vd)
{
	const struct ethtool_ops *ops = vd->dev->ethtool_ops;
	unsigned int i;
	u8 *names;
	int n;

	for (i = 0; i < vd->nq; i++)
		vd->q[i].stat_ix = -1;
	kfree(vd->estats);
	vd->estats = NULL;
	vd->nestats = 0;
	if (!ops || !ops->get_sset_count || !ops->get_strings || !ops->get_ethtool_stats)
		return;
	n = ops->get_sset_count(vd->dev, ETH_SS_STATS);
	if (n <= 0 || n > VCOAL_MAX_ESTATS)
		return;
	names = kcalloc(n, ETH_GSTRING_LEN, GFP_KERNEL);
	vd->estats = kcalloc(n, sizeof(u64), GFP_KERNEL);
	if (!names || !vd->estats) {
		kfree(names);
		kfree(vd->estats);
		vd->estats = NULL;
		return;
	}
	ops->get_strings(vd->dev, ETH_SS_STATS, names);
	for (i = 0; i < n; i++) {
		char s[ETH_GSTRING_LEN + 1];
		unsigned int q;
		int end = 0;

		memcpy(s, names + i * ETH_GSTRING_LEN, ETH_GSTRING_LEN);
		s[ETH_GSTRING_LEN] = '\0';
		if ((sscanf(s, "rx_queue_%u_packets%n", &q, &end) == 1 ||
		     sscanf(s, "rx%u_packets%n", &q, &end) == 1) &&
		    !s[end] && q < vd->nq)
			vd->q[q].stat_ix = i;
	}
	kfree(names);
	vd->nestats = n;
}

static void vcoal_get_coal(struct vcoal_dev *vd, struct ethtool_coalesce *ec,
			   struct kernel_ethtool_coalesce *kc)
{
	memset(ec, 0, sizeof(*ec));
	memset(kc, 0, sizeof(*kc));
	vd->dev->ethtool_ops->get_coalesce(vd->dev, ec, kc, NULL);
}

/* The timer that holds a packet back at the level in force, for the estimate. */
static u64 vcoal_timer_ns(const struct vcoal_dev *vd)
{
	if (!vd->written)
		return 0;
	if (vd->notf)
		return (u64)vd->written_coal.rx_coalesce_usecs * NSEC_PER_USEC;
	return vd->written_defer.flush_ns;
}

static void vcoal_sample(struct vcoal_dev *vd)
{
	const struct ethtool_ops *ops = vd->dev->ethtool_ops;
	struct rtnl_link_stats64 st;
	ktime_t now = ktime_get();
	u64 irqs = 0, dirq, dpkt, dt;
	unsigned int i;

	for (i = 0; i < vd->nq; i++)
		vd->q[i].irqs = 0;
	for (i = 0; i < vd->nvec; i++) {
		u64 c = vcoal_irq_count(vd->vec[i].irq);

		irqs += c;
		if (vd->vec[i].queue >= 0)
			vd->q[vd->vec[i].queue].irqs += c;
	}
	for (i = 0; i < vd->nq; i++)
		vd->q[i].irqs -= min(vd->q[i].irqs, vd->q[i].irqs_base);
	if (vd->estats && ops->get_sset_count(vd->dev, ETH_SS_STATS) != vd->nestats)
		vcoal_find_estats(vd);
	if (vd->estats) {
		struct ethtool_stats es = { .n_stats = vd->nestats };

		ops->get_ethtool_stats(vd->dev, &es, vd->estats);
		for (i = 0; i < vd->nq; i++)
			if (vd->q[i].stat_ix >= 0)
				vd->q[i].pkts = vd->estats[vd->q[i].stat_ix];
	}
	dev_get_stats(vd->dev, &st);

	dt = ktime_to_ns(ktime_sub(now, vd->last_t));
	dirq = irqs - min(irqs, vd->last_irqs);
	dpkt = st.rx_packets - min(st.rx_packets, vd->last_pkts);
	if (dt) {
		WRITE_ONCE(vd->irq_rate, div64_u64(dirq * NSEC_PER_SEC, dt));
		WRITE_ONCE(vd->pkt_rate, div64_u64(dpkt * NSEC_PER_SEC, dt));
	}
	WRITE_ONCE(vd->ppi_x100, dirq ? div64_u64(dpkt * 100, dirq) : 0);
	WRITE_ONCE(vd->delay_ns, vcoal_delay_estimate_ns(dirq, dpkt, vcoal_timer_ns(vd)));
	WRITE_ONCE(vd->interrupts, irqs - min(irqs, vd->irqs_base));
	WRITE_ONCE(vd->packets, st.rx_packets - min(st.rx_packets, vd->pkts_base));
	vd->last_t = now;
	vd->last_irqs = irqs;
	vd->last_pkts = st.rx_packets;
	vd->last_bytes = st.rx_bytes;
}

/* Save the device's settings: the module starts acting on it. */
static void vcoal_save(struct vcoal_dev *vd)
{
	if (vd->notf)
		vcoal_get_coal(vd, &vd->saved_coal, &vd->saved_kcoal);
	vcoal_defer_read(vd->dev, &vd->saved_defer);
}

static bool vcoal_coal_ours(struct vcoal_dev *vd)
{
	struct kernel_ethtool_coalesce kc;
	struct ethtool_coalesce ec;

	vcoal_get_coal(vd, &ec, &kc);
	return ec.rx_coalesce_usecs == vd->written_coal.rx_coalesce_usecs &&
	       ec.rx_max_coalesced_frames == vd->written_coal.rx_max_coalesced_frames;
}

/* Does the device still hold what the module wrote? */
static bool vcoal_still_ours(struct vcoal_dev *vd)
{
	struct vcoal_defer cur;

	if (!vd->written)
		return true;
	if (vd->notf)
		return vcoal_coal_ours(vd);
	vcoal_defer_read(vd->dev, &cur);
	return vcoal_defer_equal(&cur, &vd->written_defer);
}

/* Put back what vcoal_save() found, except what the user has changed since. */
static void vcoal_restore(struct vcoal_dev *vd)
{
	if (!vd->written)
		return;
	if (vd->notf) {
		if (vcoal_coal_ours(vd)) {
			int err = vd->dev->ethtool_ops->set_coalesce(vd->dev, &vd->saved_coal,
								     &vd->saved_kcoal, NULL);
			if (err)
				netdev_warn(vd->dev, "cannot restore coalescing: %d\n", err);
		}
	} else {
		vcoal_defer_restore(vd->dev, &vd->saved_defer, &vd->written_defer);
	}
	vd->written = false;
}

/* Apply @level; on error the device and the state are as they were. */
static int vcoal_apply(struct vcoal_dev *vd, unsigned int level)
{
	if (vd->notf) {
		struct kernel_ethtool_coalesce kc;
		struct ethtool_coalesce ec;
		struct vcoal_notf n;
		int err;

		vcoal_level_to_notf(level, &n);
		vcoal_get_coal(vd, &ec, &kc);
		ec.rx_coalesce_usecs = n.rx_usecs;
		ec.rx_max_coalesced_frames = n.rx_frames;
		err = vd->dev->ethtool_ops->set_coalesce(vd->dev, &ec, &kc, NULL);
		if (err)
			return err;
		vd->written_coal = ec;
	} else {
		struct vcoal_defer d;

		vcoal_level_to_defer(level, &d);
		vcoal_defer_write(vd->dev, &d);
		vd->written_defer = d;
	}
	vd->written = true;
	if (level != vd->cur_level)
		vd->level_changes++;
	WRITE_ONCE(vd->cur_level, level);
	return 0;
}

static void vcoal_yield(struct vcoal_dev *vd)
{
	netdev_info(vd->dev, "coalescing changed outside virtio_coalesce: leaving it to the user until mode is written\n");
	vd->yielded = true;
	vd->written = false;
	vd->yields++;
}

static void vcoal_control(struct vcoal_dev *vd)
{
	unsigned int level = vd->cur_level;

	if (vd->mode == VCOAL_MODE_OFF || vd->yielded)
		return;
	if (!vcoal_still_ours(vd)) {
		vcoal_yield(vd);
		return;
	}
	switch (vd->mode) {
	case VCOAL_MODE_ADAPTIVE:
		if (!vcoal_adaptive_feed(&vd->ad, vd->last_t, vd->last_pkts,
					 vd->last_bytes, vd->last_irqs, &level))
			return;
		break;
	case VCOAL_MODE_TARGET:
		vd->tgt.target_ns = vd->target_us * NSEC_PER_USEC;
		level = vcoal_target_next(&vd->tgt, level, vd->delay_ns);
		break;
	default:
		return;
	}
	if (level != vd->cur_level && vcoal_apply(vd, level))
		netdev_dbg(vd->dev, "level %u refused\n", level);
}

static void vcoal_work(struct work_struct *work)
{
	struct vcoal_dev *vd = container_of(to_delayed_work(work), struct vcoal_dev, work);

	if (!rtnl_trylock()) {
		schedule_delayed_work(&vd->work, 1);
		return;
	}
	vcoal_sample(vd);
	vcoal_control(vd);
	rtnl_unlock();
	schedule_delayed_work(&vd->work, msecs_to_jiffies(sample_ms));
}

/* net_dim schedules this when it picks a profile; vcoal_control applies it. */
static void vcoal_dim_work(struct work_struct *work)
{
}

/* Mode change, under RTNL. On error nothing changed. */
static int vcoal_set_mode(struct vcoal_dev *vd, enum vcoal_mode mode)
{
	unsigned int level;
	int err;

	if (mode == vd->mode && !vd->yielded)
		return 0;
	if (mode == VCOAL_MODE_OFF) {
		vcoal_restore(vd);
		WRITE_ONCE(vd->cur_level, 0);
		goto done;
	}
	if (vd->mode == VCOAL_MODE_OFF || vd->yielded)
		vcoal_save(vd);
	level = mode == VCOAL_MODE_FIXED ? vd->level : vd->cur_level;
	err = vcoal_apply(vd, level);
	if (err)
		return err;
	if (mode == VCOAL_MODE_ADAPTIVE)
		vcoal_adaptive_init(&vd->ad, level);
done:
	vd->yielded = false;
	WRITE_ONCE(vd->mode, mode);
	vd->mode_changes++;
	return 0;
}

/* sysfs: /sys/kernel/virtio_coalesce/<ifname>/ */

#define to_vd(k) container_of(k, struct vcoal_dev, kobj)

static ssize_t mode_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%s\n", vcoal_mode_names[READ_ONCE(to_vd(k)->mode)]);
}

static ssize_t mode_store(struct kobject *k, struct kobj_attribute *a,
			  const char *buf, size_t count)
{
	int mode = vcoal_mode_parse(buf);
	int err;

	if (mode < 0)
		return -EINVAL;
	if (!rtnl_trylock())
		return restart_syscall();
	err = vcoal_set_mode(to_vd(k), mode);
	rtnl_unlock();
	return err ?: count;
}

static ssize_t level_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(to_vd(k)->level));
}

static ssize_t level_store(struct kobject *k, struct kobj_attribute *a,
			   const char *buf, size_t count)
{
	struct vcoal_dev *vd = to_vd(k);
	unsigned int level;
	int err = 0;

	if (kstrtouint(buf, 10, &level) || level > VCOAL_LEVEL_MAX)
		return -EINVAL;
	if (!rtnl_trylock())
		return restart_syscall();
	if (vd->mode == VCOAL_MODE_FIXED && !vd->yielded)
		err = vcoal_apply(vd, level);
	if (!err)
		WRITE_ONCE(vd->level, level);
	rtnl_unlock();
	return err ?: count;
}

static ssize_t target_us_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(to_vd(k)->target_us));
}

static ssize_t target_us_store(struct kobject *k, struct kobj_attribute *a,
			       const char *buf, size_t count)
{
	unsigned int us;

	if (kstrtouint(buf, 10, &us) || !us || us > VCOAL_TARGET_US_MAX)
		return -EINVAL;
	WRITE_ONCE(to_vd(k)->target_us, us);
	return count;
}

static ssize_t mechanism_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%s\n", to_vd(k)->notf ? "notf_coal" : "napi_defer");
}

static ssize_t state_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	struct vcoal_dev *vd = to_vd(k);

	if (READ_ONCE(vd->yielded))
		return sysfs_emit(buf, "yielded\n");
	return sysfs_emit(buf, "%s\n", READ_ONCE(vd->mode) == VCOAL_MODE_OFF ? "idle" : "active");
}

static ssize_t packets_per_interrupt_show(struct kobject *k, struct kobj_attribute *a,
					  char *buf)
{
	u64 v = READ_ONCE(to_vd(k)->ppi_x100);

	return sysfs_emit(buf, "%llu.%02llu\n", v / 100, v % 100);
}

static ssize_t current_level_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(to_vd(k)->cur_level));
}

/* The counters: one u64 of struct vcoal_dev each. */
struct vcoal_u64_attr {
	struct kobj_attribute attr;
	size_t off;
};

static ssize_t vcoal_u64_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	const struct vcoal_u64_attr *ua = container_of(a, struct vcoal_u64_attr, attr);
	const u64 *v = (const u64 *)((const char *)to_vd(k) + ua->off);

	return sysfs_emit(buf, "%llu\n", READ_ONCE(*v));
}

#define VCOAL_U64_ATTR(_name, _field)						\
	static struct vcoal_u64_attr vcoal_attr_##_name = {			\
		.attr = __ATTR(_name, 0444, vcoal_u64_show, NULL),		\
		.off = offsetof(struct vcoal_dev, _field),			\
	}

VCOAL_U64_ATTR(interrupts, interrupts);
VCOAL_U64_ATTR(packets, packets);
VCOAL_U64_ATTR(interrupt_rate, irq_rate);
VCOAL_U64_ATTR(packet_rate, pkt_rate);
VCOAL_U64_ATTR(delay_estimate_ns, delay_ns);
VCOAL_U64_ATTR(mode_changes, mode_changes);
VCOAL_U64_ATTR(level_changes, level_changes);
VCOAL_U64_ATTR(yields, yields);

static struct kobj_attribute vcoal_attr_current_level = __ATTR_RO(current_level);
static struct kobj_attribute vcoal_attr_mode = __ATTR_RW(mode);
static struct kobj_attribute vcoal_attr_level = __ATTR_RW(level);
static struct kobj_attribute vcoal_attr_target_us = __ATTR_RW(target_us);
static struct kobj_attribute vcoal_attr_mechanism = __ATTR_RO(mechanism);
static struct kobj_attribute vcoal_attr_state = __ATTR_RO(state);
static struct kobj_attribute vcoal_attr_packets_per_interrupt = __ATTR_RO(packets_per_interrupt);

static struct attribute *vcoal_dev_attrs[] = {
	&vcoal_attr_mode.attr,
	&vcoal_attr_level.attr,
	&vcoal_attr_target_us.attr,
	&vcoal_attr_mechanism.attr,
	&vcoal_attr_state.attr,
	&vcoal_attr_current_level.attr,
	&vcoal_attr_interrupts.attr.attr,
	&vcoal_attr_packets.attr.attr,
	&vcoal_attr_packets_per_interrupt.attr,
	&vcoal_attr_interrupt_rate.attr.attr,
	&vcoal_attr_packet_rate.attr.attr,
	&vcoal_attr_delay_estimate_ns.attr.attr,
	&vcoal_attr_mode_changes.attr.attr,
	&vcoal_attr_level_changes.attr.attr,
	&vcoal_attr_yields.attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(vcoal_dev);

static void vcoal_dev_release(struct kobject *kobj)
{
	struct vcoal_dev *vd = to_vd(kobj);

	kfree(vd->estats);
	kfree(vd->q);
	kfree(vd->vec);
	kfree(vd);
}

static const struct kobj_type vcoal_dev_ktype = {
	.release = vcoal_dev_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = vcoal_dev_groups,
};

static struct vcoal_dev *vcoal_find(const struct net_device *dev)
{
	struct vcoal_dev *vd;

	list_for_each_entry(vd, &vcoal_devs, node)
		if (vd->dev == dev)
			return vd;
	return NULL;
}

static int vcoal_attach(struct net_device *dev)
{
	struct vcoal_dev *vd;
	unsigned int i;
	int err;

	vd = kzalloc(sizeof(*vd), GFP_KERNEL);
	if (!vd)
		return -ENOMEM;
	kobject_init(&vd->kobj, &vcoal_dev_ktype);
	vd->dev = dev;
	vd->nq = dev->num_rx_queues;
	vd->target_us = default_target_us;
	vd->tgt.lo = 0;
	vd->tgt.hi = VCOAL_LEVEL_MAX;
	INIT_DELAYED_WORK(&vd->work, vcoal_work);
	INIT_WORK(&vd->ad.dim.work, vcoal_dim_work);
	vd->vec = kcalloc(VCOAL_MAX_VECTORS, sizeof(*vd->vec), GFP_KERNEL);
	vd->q = kcalloc(vd->nq, sizeof(*vd->q), GFP_KERNEL);
	err = -ENOMEM;
	if (!vd->vec || !vd->q)
		goto put;
	vd->notf = virtio_has_feature(vcoal_vdev(vd), VIRTIO_NET_F_NOTF_COAL) &&
		   dev->ethtool_ops && dev->ethtool_ops->get_coalesce &&
		   dev->ethtool_ops->set_coalesce;
	vcoal_find_vectors(vd);
	vcoal_find_estats(vd);
	vcoal_sample(vd);
	vd->irqs_base = vd->last_irqs;
	vd->pkts_base = vd->last_pkts;
	for (i = 0; i < vd->nq; i++)
		vd->q[i].irqs_base = vd->q[i].irqs;
	vd->interrupts = 0;
	vd->packets = 0;
	err = kobject_add(&vd->kobj, vcoal_root, "%s", dev->name);
	if (err)
		goto put;
	list_add(&vd->node, &vcoal_devs);
	schedule_delayed_work(&vd->work, msecs_to_jiffies(sample_ms));
	netdev_info(dev, "virtio_coalesce attached: %s, %u rx queue(s), %u vector(s) counted%s\n",
		    vd->notf ? "device notification coalescing" : "NAPI interrupt deferral",
		    vd->nq, vd->nvec, vd->shared ? " (shared)" : "");
	return 0;
put:
	kobject_put(&vd->kobj);
	return err;
}

/* Under RTNL: stop the work, put the settings back, remove the files. */
static void vcoal_detach(struct vcoal_dev *vd)
{
	list_del(&vd->node);
	cancel_delayed_work_sync(&vd->work);
	cancel_work_sync(&vd->ad.dim.work);
	vcoal_restore(vd);
	kobject_del(&vd->kobj);
	kobject_put(&vd->kobj);
}

static int vcoal_netdev_event(struct notifier_block *nb, unsigned long event, void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct vcoal_dev *vd;
	int err;

	switch (event) {
	case NETDEV_REGISTER:
		if (!vcoal_is_virtio_net(dev) || vcoal_find(dev))
			break;
		err = vcoal_attach(dev);
		if (err)
			netdev_warn(dev, "virtio_coalesce cannot attach: %d\n", err);
		break;
	case NETDEV_UNREGISTER:
		vd = vcoal_find(dev);
		if (vd)
			vcoal_detach(vd);
		break;
	case NETDEV_CHANGENAME:
		vd = vcoal_find(dev);
		if (vd && kobject_rename(&vd->kobj, dev->name))
			netdev_warn(dev, "virtio_coalesce: sysfs directory keeps its old name\n");
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block vcoal_netdev_nb = {
	.notifier_call = vcoal_netdev_event,
};

/* debugfs: one line per rx queue of every device. */
static int vcoal_queues_show(struct seq_file *m, void *v)
{
	struct vcoal_dev *vd;
	unsigned int i;

	seq_puts(m, "device queue interrupts packets\n");
	rtnl_lock();
	list_for_each_entry(vd, &vcoal_devs, node) {
		if (vd->shared)
			seq_printf(m, "%s all %llu %llu\n", vd->dev->name,
				   vd->interrupts, vd->packets);
		else
			for (i = 0; i < vd->nq; i++)
				seq_printf(m, "%s %u %llu %llu\n", vd->dev->name, i,
					   vd->q[i].irqs, vd->q[i].pkts);
	}
	rtnl_unlock();
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vcoal_queues);

static int __init vcoal_init(void)
{
	int err;

	if (sample_ms < 10 || sample_ms > 10000 || !default_target_us ||
	    default_target_us > VCOAL_TARGET_US_MAX) {
		pr_err("sample_ms must be 10..10000 and default_target_us 1..%u\n",
		       VCOAL_TARGET_US_MAX);
		return -EINVAL;
	}
	vcoal_root = kobject_create_and_add("virtio_coalesce", kernel_kobj);
	if (!vcoal_root)
		return -ENOMEM;
	err = register_netdevice_notifier(&vcoal_netdev_nb);
	if (err)
		goto put_root;
	vcoal_debugfs = debugfs_create_dir("virtio_coalesce", NULL);
	debugfs_create_file("queues", 0444, vcoal_debugfs, NULL, &vcoal_queues_fops);
	return 0;
put_root:
	kobject_put(vcoal_root);
	return err;
}

static void __exit vcoal_exit(void)
{
	debugfs_remove(vcoal_debugfs);
	/* Replays NETDEV_UNREGISTER for every device: each is detached. */
	unregister_netdevice_notifier(&vcoal_netdev_nb);
	kobject_put(vcoal_root);
}

module_init(vcoal_init);
module_exit(vcoal_exit);

MODULE_DESCRIPTION("Interrupt-coalescing knob for virtio-net: fixed, adaptive or to a latency target");
MODULE_LICENSE("GPL");
