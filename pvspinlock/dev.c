// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/pvspinlock: the preempted flags of this guest's vCPUs, for user space.
 *
 * One page (include/uapi/linux/pvspinlock.h), mapped read-only by any
 * process: a header and one state byte per CPU id. While the device is
 * open (a mapping keeps its file open), an hrtimer rewrites the states
 * every refresh_us from pvhc_vcpu_preempted(), which is a read of shared
 * memory on every backend that has it. A layout change (a CPU going
 * offline or online, pvhc's backends changing, the facts appearing or
 * going) is written under the generation sequence count.
 *
 * The host's answers are advisory and untrusted: pvhc already refuses
 * values other than 0 and 1, and whatever is not a clean answer shows as
 * PVSPINLOCK_UNKNOWN and is counted. Nothing a user can do writes the page.
 *
 * The page lives as long as the module, and a mapping pins the module
 * (the mapping holds the file, the file its fops' owner): the module does
 * not unload while a process has the page mapped.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/visibility.h>
#include <linux/cpuhotplug.h>
#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/hrtimer.h>
#include <linux/kstrtox.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pvhc.h>
#include <linux/seq_file.h>
#include <linux/sysfs.h>
#include <uapi/linux/pvspinlock.h>

#include "pvspinlock_internal.h"

static_assert(offsetof(struct pvspinlock_page, state) ==
	      PVSPINLOCK_STATE_OFFSET);
static_assert(PVSPINLOCK_PAGE_SIZE <= PAGE_SIZE);

static struct pvsl_dev pvsl_dev;
static unsigned int pvsl_refresh_us = 1000;
static DEFINE_MUTEX(pvsl_users_lock);	/* pvsl_users, the timer's start */
static unsigned int pvsl_users;
static struct hrtimer pvsl_timer;
static enum cpuhp_state pvsl_hp_state;
static struct dentry *pvsl_dev_debugfs;

/**
 * pvsl_dev_state - the page's state for an answer of pvhc_vcpu_preempted()
 * @d: the device, whose host_invalid counts answers that are no fact
 * @ret: the answer
 *
 * Return: PVSPINLOCK_RUNNING, PVSPINLOCK_PREEMPTED or PVSPINLOCK_UNKNOWN.
 */
u8 pvsl_dev_state(struct pvsl_dev *d, int ret)
{
	switch (ret) {
	case 0:
		return PVSPINLOCK_RUNNING;
	case 1:
		return PVSPINLOCK_PREEMPTED;
	case -EOPNOTSUPP:	/* no backend has the facts: no fault of anyone */
	case -EINVAL:		/* a CPU id pvhc does not know */
		return PVSPINLOCK_UNKNOWN;
	default:
		atomic_long_inc(&d->host_invalid);
		return PVSPINLOCK_UNKNOWN;
	}
}
EXPORT_SYMBOL_IF_KUNIT(pvsl_dev_state);

/**
 * pvsl_dev_setup - give a device its page and write the header
 * @d: the device, zeroed
 * @page: a zeroed page of at least PVSPINLOCK_PAGE_SIZE bytes
 * @nr_cpus: the CPU ids to show; those beyond the page's room are not shown
 */
void pvsl_dev_setup(struct pvsl_dev *d, void *page, unsigned int nr_cpus)
{
	struct pvspinlock_page *p = page;
	unsigned int cpu;

	raw_spin_lock_init(&d->lock);
	d->page = p;
	d->nr = min_t(unsigned int, nr_cpus, PVSPINLOCK_MAX_VCPUS);
	d->dirty = true;
	cpumask_clear(&d->online);
	p->magic = PVSPINLOCK_MAGIC;
	p->version = PVSPINLOCK_ABI_VERSION;
	p->state_offset = PVSPINLOCK_STATE_OFFSET;
	p->nr_vcpus = d->nr;
	p->refresh_us = READ_ONCE(pvsl_refresh_us);
	for (cpu = 0; cpu < d->nr; cpu++)
		p->state[cpu] = PVSPINLOCK_OFFLINE;
}
EXPORT_SYMBOL_IF_KUNIT(pvsl_dev_setup);

/**
 * pvsl_dev_refresh - rewrite the states from pvhc, the layout if it changed
 * @d: the device
 *
 * Context: any; the timer calls it in hard interrupt context.
 */
void pvsl_dev_refresh(struct pvsl_dev *d)
{
	struct pvspinlock_page *p = d->page;
	unsigned long flags, gen = pvhc_generation();
	bool live = pvhc_has_feature(PVHC_FEAT_PREEMPTED), relayout;
	unsigned int cpu;

	raw_spin_lock_irqsave(&d->lock, flags);
	relayout = d->dirty || gen != d->pvhc_gen || live != d->live;
	if (relayout) {
		WRITE_ONCE(p->generation, p->generation + 1);
		/* The odd generation is seen before any state of the new layout. */
		smp_wmb();
		d->pvhc_gen = gen;
		d->live = live;
		d->dirty = false;
		WRITE_ONCE(p->flags, live ? PVSPINLOCK_F_LIVE : 0);
	}
	for (cpu = 0; cpu < d->nr; cpu++) {
		u8 s = PVSPINLOCK_OFFLINE;

		if (cpumask_test_cpu(cpu, &d->online))
			s = pvsl_dev_state(d, pvhc_vcpu_preempted(cpu));
		if (READ_ONCE(p->state[cpu]) != s)
			WRITE_ONCE(p->state[cpu], s);
	}
	if (relayout) {
		/* The new layout is seen before the even generation. */
		smp_wmb();
		WRITE_ONCE(p->generation, p->generation + 1);
		d->relayouts++;
	}
	WRITE_ONCE(p->refreshes, p->refreshes + 1);
	raw_spin_unlock_irqrestore(&d->lock, flags);
}
EXPORT_SYMBOL_IF_KUNIT(pvsl_dev_refresh);

/**
 * pvsl_dev_set_online - a CPU comes or goes: a layout change
 * @d: the device
 * @cpu: the CPU
 * @online: whether it is now one the page shows as a vCPU
 */
void pvsl_dev_set_online(struct pvsl_dev *d, unsigned int cpu, bool online)
{
	unsigned long flags;

	if (cpu >= d->nr)
		return;
	raw_spin_lock_irqsave(&d->lock, flags);
	if (online)
		cpumask_set_cpu(cpu, &d->online);
	else
		cpumask_clear_cpu(cpu, &d->online);
	d->dirty = true;
	raw_spin_unlock_irqrestore(&d->lock, flags);
	pvsl_dev_refresh(d);
}
EXPORT_SYMBOL_IF_KUNIT(pvsl_dev_set_online);

static ktime_t pvsl_period(void)
{
	return ns_to_ktime((u64)READ_ONCE(pvsl_refresh_us) * NSEC_PER_USEC);
}

static enum hrtimer_restart pvsl_tick(struct hrtimer *t)
{
	pvsl_dev_refresh(&pvsl_dev);
	hrtimer_forward_now(t, pvsl_period());
	return HRTIMER_RESTART;
}

static int pvsl_open(struct inode *inode, struct file *f)
{
	if (f->f_mode & FMODE_WRITE)
		return -EPERM;
	mutex_lock(&pvsl_users_lock);
	if (!pvsl_users++) {
		/* The first user sees fresh states, not the last user's. */
		pvsl_dev_refresh(&pvsl_dev);
		hrtimer_start(&pvsl_timer, pvsl_period(), HRTIMER_MODE_REL);
	}
	mutex_unlock(&pvsl_users_lock);
	return 0;
}

static int pvsl_release(struct inode *inode, struct file *f)
{
	mutex_lock(&pvsl_users_lock);
	if (!--pvsl_users)
		hrtimer_cancel(&pvsl_timer);
	mutex_unlock(&pvsl_users_lock);
	return 0;
}

static int pvsl_mmap(struct file *f, struct vm_area_struct *vma)
{
	if (vma->vm_pgoff || vma->vm_end - vma->vm_start != PAGE_SIZE)
		return -EINVAL;
	if (vma->vm_flags & (VM_WRITE | VM_EXEC))
		return -EPERM;
	/* Nor later: mprotect() may not add what was refused here. */
	pvguest_vm_flags_clear(vma, VM_MAYWRITE | VM_MAYEXEC);
	return remap_pfn_range(vma, vma->vm_start,
			       page_to_pfn(virt_to_page(pvsl_dev.page)),
			       PAGE_SIZE, vma->vm_page_prot);
}

static const struct file_operations pvsl_fops = {
	.owner = THIS_MODULE,
	.open = pvsl_open,
	.release = pvsl_release,
	.mmap = pvsl_mmap,
	.llseek = noop_llseek,
};

/* /sys/class/misc/pvspinlock/refresh_us */
#define PVSL_REFRESH_MIN	100U
#define PVSL_REFRESH_MAX	1000000U

static ssize_t refresh_us_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(pvsl_refresh_us));
}

static ssize_t refresh_us_store(struct device *dev,
				struct device_attribute *attr,
				const char *buf, size_t len)
{
	unsigned int v;

	if (kstrtouint(buf, 0, &v) || v < PVSL_REFRESH_MIN ||
	    v > PVSL_REFRESH_MAX) {
		pr_warn_ratelimited("refresh_us: want %u..%u\n",
				    PVSL_REFRESH_MIN, PVSL_REFRESH_MAX);
		return -EINVAL;
	}
	WRITE_ONCE(pvsl_refresh_us, v);
	WRITE_ONCE(pvsl_dev.page->refresh_us, v);
	return len;
}
static DEVICE_ATTR_RW(refresh_us);

static struct attribute *pvsl_dev_attrs[] = {
	&dev_attr_refresh_us.attr,
	NULL,
};
ATTRIBUTE_GROUPS(pvsl_dev);

static struct miscdevice pvsl_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "pvspinlock",
	.fops = &pvsl_fops,
	.groups = pvsl_dev_groups,
	.mode = 0444,
};

/* debugfs: /sys/kernel/debug/pvspinlock/dev */
static int pvsl_dev_show(struct seq_file *m, void *v)
{
	struct pvspinlock_page *p = pvsl_dev.page;
	unsigned int cpu;

	mutex_lock(&pvsl_users_lock);
	seq_printf(m, "users=%u\n", pvsl_users);
	mutex_unlock(&pvsl_users_lock);
	seq_printf(m, "generation=%u\nrefreshes=%llu\nrelayouts=%llu\nhost_invalid=%ld\nstates=",
		   READ_ONCE(p->generation), READ_ONCE(p->refreshes),
		   READ_ONCE(pvsl_dev.relayouts),
		   atomic_long_read(&pvsl_dev.host_invalid));
	for (cpu = 0; cpu < pvsl_dev.nr; cpu++)
		seq_printf(m, "%u", READ_ONCE(p->state[cpu]));
	seq_putc(m, '\n');
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pvsl_dev);

static int pvsl_cpu_online(unsigned int cpu)
{
	pvsl_dev_set_online(&pvsl_dev, cpu, true);
	return 0;
}

static int pvsl_cpu_offline(unsigned int cpu)
{
	pvsl_dev_set_online(&pvsl_dev, cpu, false);
	return 0;
}

/**
 * pvsl_dev_init - the page and /dev/pvspinlock
 * @dir: the module's debugfs directory
 *
 * Return: 0 or -errno.
 */
int pvsl_dev_init(struct dentry *dir)
{
	unsigned long page;
	int ret;

	page = get_zeroed_page(GFP_KERNEL);
	if (!page)
		return -ENOMEM;
	pvsl_dev_setup(&pvsl_dev, (void *)page, nr_cpu_ids);
	if (nr_cpu_ids > PVSPINLOCK_MAX_VCPUS)
		pr_info("/dev/pvspinlock shows CPUs 0..%u of %u\n",
			PVSPINLOCK_MAX_VCPUS - 1, nr_cpu_ids);
	hrtimer_init(&pvsl_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	pvsl_timer.function = pvsl_tick;
	/* Calls pvsl_cpu_online() for each CPU online now. */
	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "pvspinlock/dev:online",
				pvsl_cpu_online, pvsl_cpu_offline);
	if (ret < 0)
		goto free_page;
	pvsl_hp_state = ret;
	ret = misc_register(&pvsl_misc);
	if (ret)
		goto remove_hp;
	pvsl_dev_debugfs = debugfs_create_file("dev", 0444, dir, NULL,
					       &pvsl_dev_fops);
	return 0;

remove_hp:
	cpuhp_remove_state(pvsl_hp_state);
free_page:
	free_page(page);
	return ret;
}

/**
 * pvsl_dev_exit - remove /dev/pvspinlock
 *
 * No file is open (an open file or a mapping pins the module), so the
 * timer is stopped; the page goes last.
 */
void pvsl_dev_exit(void)
{
	debugfs_remove(pvsl_dev_debugfs);
	misc_deregister(&pvsl_misc);
	cpuhp_remove_state(pvsl_hp_state);
	hrtimer_cancel(&pvsl_timer);
	free_page((unsigned long)pvsl_dev.page);
}
