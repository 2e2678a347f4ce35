// SPDX-License-Identifier: GPL-2.0
/*
 * pvmempressure - act on the host memory-pressure gauge.
 *
 * pvhc's pressure notifier only queues work; the work reads the gauge,
 * moves the grade (with hysteresis), and while the grade is above none
 * trims clean page cache in bounded steps, one step per interval, until
 * the grade drops, the cache reaches its floor or the guest's own guard
 * says stop. Pages the page cache gives up go back to the buddy allocator,
 * where free page reporting (virtio-balloon) hands them to the host.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/kobject.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/page_reporting.h>
#include <linux/pagemap.h>
#include <linux/pvhc.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/vmstat.h>
#include <linux/workqueue.h>

#include "pvmempressure.h"

static struct pvmp_params pvmp_p = {
	.on = { 300, 600, 850 },
	.off = { 200, 500, 750 },
	.rate_mib = { 16, 64, 256 },
	.interval_ms = 250,
	.min_avail_mib = 32,
	.refault_limit = 1024,
	.min_cache_mib = 8,
};

module_param_named(trim_on, pvmp_p.on[0], uint, 0444);
MODULE_PARM_DESC(trim_on, "gauge (permille) entering the trim grade (300)");
module_param_named(trim_off, pvmp_p.off[0], uint, 0444);
MODULE_PARM_DESC(trim_off, "gauge (permille) below which trim ends (200)");
module_param_named(reclaim_on, pvmp_p.on[1], uint, 0444);
MODULE_PARM_DESC(reclaim_on, "gauge (permille) entering the reclaim grade (600)");
module_param_named(reclaim_off, pvmp_p.off[1], uint, 0444);
MODULE_PARM_DESC(reclaim_off, "gauge (permille) below which reclaim ends (500)");
module_param_named(urgent_on, pvmp_p.on[2], uint, 0444);
MODULE_PARM_DESC(urgent_on, "gauge (permille) entering the urgent grade (850)");
module_param_named(urgent_off, pvmp_p.off[2], uint, 0444);
MODULE_PARM_DESC(urgent_off, "gauge (permille) below which urgent ends (750)");
module_param_named(trim_rate, pvmp_p.rate_mib[0], uint, 0444);
MODULE_PARM_DESC(trim_rate, "MiB/s trimmed in the trim grade (16)");
module_param_named(reclaim_rate, pvmp_p.rate_mib[1], uint, 0444);
MODULE_PARM_DESC(reclaim_rate, "MiB/s trimmed in the reclaim grade (64)");
module_param_named(urgent_rate, pvmp_p.rate_mib[2], uint, 0444);
MODULE_PARM_DESC(urgent_rate, "MiB/s trimmed in the urgent grade (256)");
module_param_named(interval_ms, pvmp_p.interval_ms, uint, 0444);
MODULE_PARM_DESC(interval_ms, "ms between trim steps, 10..10000 (250)");
module_param_named(min_avail_mib, pvmp_p.min_avail_mib, uint, 0444);
MODULE_PARM_DESC(min_avail_mib, "back off while MemAvailable is below this (32)");
module_param_named(refault_limit, pvmp_p.refault_limit, uint, 0444);
MODULE_PARM_DESC(refault_limit, "back off above this many file refaults a step (1024)");
module_param_named(min_cache_mib, pvmp_p.min_cache_mib, uint, 0444);
MODULE_PARM_DESC(min_cache_mib, "never trim the page cache below this (8)");

/* The filesystems whose page cache is trimmed. */
#define PVMP_MAX_FS	8
static char *filesystems = "ext4,ext2";
module_param(filesystems, charp, 0444);
MODULE_PARM_DESC(filesystems, "comma-separated filesystem types whose clean page cache is trimmed, at most 8 (ext4,ext2)");

static struct file_system_type *pvmp_fs[PVMP_MAX_FS];

static DEFINE_MUTEX(pvmp_lock);		/* pvmp_p writes, pvmp_grade */
static unsigned int pvmp_grade;
static u32 pvmp_gauge;			/* permille */
static unsigned long pvmp_last_refaults;
static bool pvmp_stopping;
static struct kobject *pvmp_kobj;
static struct workqueue_struct *pvmp_wq;
static const char *pvmp_return_path = "none";

static atomic_long_t pvmp_steps, pvmp_trimmed, pvmp_returned, pvmp_backoffs,
	pvmp_transitions, pvmp_events, pvmp_floors, pvmp_read_errors;

static void pvmp_work_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(pvmp_work, pvmp_work_fn);

struct pvmp_trim {
	unsigned long budget;
	unsigned long done;
};

/* Trim up to what is left of the budget from one inode's clean page cache. */
static void pvmp_trim_mapping(struct address_space *m, loff_t size,
			      struct pvmp_trim *t)
{
	pgoff_t last = size > 0 ? (size - 1) >> PAGE_SHIFT : 0;
	pgoff_t start = 0, end;

	/* In 512-page windows so a step stops near its budget. */
	while (start <= last && t->done < t->budget && m->nrpages &&
	       !READ_ONCE(pvmp_stopping)) {
		end = min_t(pgoff_t, last, start + 511);
		t->done += invalidate_mapping_pages(m, start, end);
		if (end == last)
			break;
		start = end + 1;
		cond_resched();
	}
}

/* The inode walk of fs/drop_caches.c, bounded by the step's budget. */
static void pvmp_trim_sb(struct super_block *sb, void *arg)
{
	struct pvmp_trim *t = arg;
	struct inode *inode, *toput = NULL;

	spin_lock(&sb->s_inode_list_lock);
	list_for_each_entry(inode, &sb->s_inodes, i_sb_list) {
		if (t->done >= t->budget || READ_ONCE(pvmp_stopping))
			break;
		if (!READ_ONCE(inode->i_mapping->nrpages))
			continue;
		/* igrab() refuses an inode being freed or created. */
		if (!igrab(inode))
			continue;
		spin_unlock(&sb->s_inode_list_lock);
		pvmp_trim_mapping(inode->i_mapping, i_size_read(inode), t);
		iput(toput);
		toput = inode;
		cond_resched();
		spin_lock(&sb->s_inode_list_lock);
	}
	spin_unlock(&sb->s_inode_list_lock);
	iput(toput);
}

static unsigned long pvmp_refaults(void)
{
	return global_node_page_state(WORKINGSET_REFAULT_FILE);
}

static unsigned long pvmp_cache_pages(void)
{
	unsigned long file = global_node_page_state(NR_FILE_PAGES);
	unsigned long shmem = global_node_page_state(NR_SHMEM);

	/* The two are summed apart from each other: never wrap. */
	return file > shmem ? file - shmem : 0;
}

static int pvmp_probe_report(struct page_reporting_dev_info *pr,
			     struct scatterlist *sg, unsigned int n)
{
	return -EOPNOTSUPP;
}

/* Whether a page reporting device (virtio-balloon) takes free pages to the host. */
static const char *pvmp_probe_return_path(void)
{
	static struct page_reporting_dev_info probe = {
		.report = pvmp_probe_report,
	};
	int ret;

	/*
	 * Only one reporting device can register: -EBUSY means one already
	 * did. A successful probe is undone at once; its report callback
	 * is never reached because the first report is delayed.
	 */
	ret = page_reporting_register(&probe);
	if (!ret) {
		page_reporting_unregister(&probe);
		return "none";
	}
	return ret == -EBUSY ? "free-page-reporting" : "none";
}

static void pvmp_set_grade(unsigned int grade)
{
	if (grade == pvmp_grade)
		return;
	pvmp_grade = grade;
	atomic_long_inc(&pvmp_transitions);
	if (pvmp_kobj)
		sysfs_notify(pvmp_kobj, NULL, "grade");
}

static void pvmp_work_fn(struct work_struct *work)
{
	struct pvhc_pressure pr;
	struct pvmp_params p;
	struct pvmp_guest g;
	struct pvmp_trim t = {};
	unsigned long refaults;
	unsigned int grade, i;
	u32 gauge;
	int ret;

	ret = pvhc_pressure_read(&pr);
	if (ret) {
		atomic_long_inc(&pvmp_read_errors);
		gauge = 0;	/* no gauge: no host pressure to act on */
	} else {
		gauge = pvmp_gauge_permille(pr.level);
	}

	mutex_lock(&pvmp_lock);
	p = pvmp_p;
	if (gauge != pvmp_gauge) {
		WRITE_ONCE(pvmp_gauge, gauge);
		if (pvmp_kobj)
			sysfs_notify(pvmp_kobj, NULL, "gauge");
	}
	pvmp_set_grade(pvmp_grade_next(&p, pvmp_grade, gauge));
	grade = pvmp_grade;
	mutex_unlock(&pvmp_lock);

	refaults = pvmp_refaults();
	if (!grade || READ_ONCE(pvmp_stopping)) {
		pvmp_last_refaults = refaults;
		return;
	}

	g.avail_pages = si_mem_available();
	g.cache_pages = pvmp_cache_pages();
	g.refaults = refaults - pvmp_last_refaults;
	pvmp_last_refaults = refaults;

	atomic_long_inc(&pvmp_steps);
	switch (pvmp_guard(&p, &g, PAGE_SHIFT)) {
	case PVMP_GO:
		t.budget = pvmp_step_budget(&p, grade, PAGE_SHIFT);
		t.budget = min(t.budget, g.cache_pages -
			       ((unsigned long)p.min_cache_mib << (20 - PAGE_SHIFT)));
		for (i = 0; i < ARRAY_SIZE(pvmp_fs) && t.done < t.budget; i++)
			if (pvmp_fs[i])
				iterate_supers_type(pvmp_fs[i], pvmp_trim_sb, &t);
		atomic_long_add(t.done, &pvmp_trimmed);
		if (strcmp(pvmp_return_path, "none"))
			atomic_long_add(t.done, &pvmp_returned);
		break;
	case PVMP_FLOOR:
		atomic_long_inc(&pvmp_floors);
		break;
	default:
		atomic_long_inc(&pvmp_backoffs);
		break;
	}
	/* Pages the step freed were counted as refaults by no one yet. */
	pvmp_last_refaults = pvmp_refaults();

	if (!READ_ONCE(pvmp_stopping))
		queue_delayed_work(pvmp_wq, &pvmp_work, msecs_to_jiffies(p.interval_ms));
}

/* The notifier only queues the work: no reclaim in pvhc's chain. */
static int pvmp_pressure_event(struct notifier_block *nb, unsigned long action,
			       void *data)
{
	atomic_long_inc(&pvmp_events);
	if (!READ_ONCE(pvmp_stopping))
		mod_delayed_work(pvmp_wq, &pvmp_work, 0);
	return NOTIFY_OK;
}

static struct notifier_block pvmp_nb = {
	.notifier_call = pvmp_pressure_event,
};

/* sysfs: /sys/kernel/pvmempressure/ */

struct pvmp_param_attr {
	struct kobj_attribute attr;
	size_t off;
};

static u32 *pvmp_field(struct pvmp_params *p, size_t off)
{
	return (u32 *)((char *)p + off);
}

static ssize_t pvmp_param_show(struct kobject *k, struct kobj_attribute *a,
			       char *buf)
{
	struct pvmp_param_attr *pa = container_of(a, struct pvmp_param_attr, attr);
	u32 v;

	mutex_lock(&pvmp_lock);
	v = *pvmp_field(&pvmp_p, pa->off);
	mutex_unlock(&pvmp_lock);
	return sysfs_emit(buf, "%u\n", v);
}

static ssize_t pvmp_param_store(struct kobject *k, struct kobj_attribute *a,
				const char *buf, size_t count)
{
	struct pvmp_param_attr *pa = container_of(a, struct pvmp_param_attr, attr);
	struct pvmp_params p;
	u32 v;
	int ret;

	ret = kstrtou32(buf, 0, &v);
	if (ret)
		return ret;
	mutex_lock(&pvmp_lock);
	p = pvmp_p;
	*pvmp_field(&p, pa->off) = v;
	ret = pvmp_params_validate(&p);
	if (!ret)
		pvmp_p = p;
	mutex_unlock(&pvmp_lock);
	if (ret) {
		pr_info_ratelimited("%s=%u rejected: thresholds must rise with the grade, off below on, rates 1..%u rising, interval %u..%u ms\n",
				    a->attr.name, v, PVMP_RATE_MAX_MIB,
				    PVMP_INTERVAL_MIN_MS, PVMP_INTERVAL_MAX_MS);
		return ret;
	}
	/* New thresholds apply at once. */
	if (!READ_ONCE(pvmp_stopping))
		mod_delayed_work(pvmp_wq, &pvmp_work, 0);
	return count;
}

#define PVMP_PARAM_ATTR(_name, _field)					\
	static struct pvmp_param_attr pvmp_attr_##_name = {		\
		.attr = __ATTR(_name, 0644, pvmp_param_show, pvmp_param_store), \
		.off = offsetof(struct pvmp_params, _field),		\
	}

PVMP_PARAM_ATTR(trim_on, on[0]);
PVMP_PARAM_ATTR(trim_off, off[0]);
PVMP_PARAM_ATTR(reclaim_on, on[1]);
PVMP_PARAM_ATTR(reclaim_off, off[1]);
PVMP_PARAM_ATTR(urgent_on, on[2]);
PVMP_PARAM_ATTR(urgent_off, off[2]);
PVMP_PARAM_ATTR(trim_rate, rate_mib[0]);
PVMP_PARAM_ATTR(reclaim_rate, rate_mib[1]);
PVMP_PARAM_ATTR(urgent_rate, rate_mib[2]);
PVMP_PARAM_ATTR(interval_ms, interval_ms);
PVMP_PARAM_ATTR(min_avail_mib, min_avail_mib);
PVMP_PARAM_ATTR(refault_limit, refault_limit);
PVMP_PARAM_ATTR(min_cache_mib, min_cache_mib);

#define PVMP_COUNTER(_name, _var)					\
	static ssize_t _name##_show(struct kobject *k,			\
				    struct kobj_attribute *a, char *buf) \
	{								\
		return sysfs_emit(buf, "%ld\n", atomic_long_read(&(_var))); \
	}								\
	static struct kobj_attribute pvmp_attr_##_name = __ATTR_RO(_name)

PVMP_COUNTER(steps, pvmp_steps);
PVMP_COUNTER(pages_trimmed, pvmp_trimmed);
PVMP_COUNTER(pages_returned, pvmp_returned);
PVMP_COUNTER(backoffs, pvmp_backoffs);
PVMP_COUNTER(floors, pvmp_floors);
PVMP_COUNTER(transitions, pvmp_transitions);
PVMP_COUNTER(gauge_events, pvmp_events);
PVMP_COUNTER(read_errors, pvmp_read_errors);

static ssize_t gauge_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(pvmp_gauge));
}

static struct kobj_attribute pvmp_attr_gauge = __ATTR_RO(gauge);

static ssize_t grade_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	static const char * const names[PVMP_NR_GRADES] = {
		"none", "trim", "reclaim", "urgent",
	};

	return sysfs_emit(buf, "%s\n", names[READ_ONCE(pvmp_grade)]);
}

static struct kobj_attribute pvmp_attr_grade = __ATTR_RO(grade);

static ssize_t return_path_show(struct kobject *k, struct kobj_attribute *a,
				char *buf)
{
	return sysfs_emit(buf, "%s\n", pvmp_return_path);
}

static struct kobj_attribute pvmp_attr_return_path = __ATTR_RO(return_path);

static ssize_t source_show(struct kobject *k, struct kobj_attribute *a, char *buf)
{
	char name[PVHC_NAME_MAX];

	return sysfs_emit(buf, "%s\n",
			  pvhc_feature_source_name(PVHC_FEAT_PRESSURE, name,
						   sizeof(name)));
}

static struct kobj_attribute pvmp_attr_source = __ATTR_RO(source);

static struct attribute *pvmp_attrs[] = {
	&pvmp_attr_trim_on.attr.attr,
	&pvmp_attr_trim_off.attr.attr,
	&pvmp_attr_reclaim_on.attr.attr,
	&pvmp_attr_reclaim_off.attr.attr,
	&pvmp_attr_urgent_on.attr.attr,
	&pvmp_attr_urgent_off.attr.attr,
	&pvmp_attr_trim_rate.attr.attr,
	&pvmp_attr_reclaim_rate.attr.attr,
	&pvmp_attr_urgent_rate.attr.attr,
	&pvmp_attr_interval_ms.attr.attr,
	&pvmp_attr_min_avail_mib.attr.attr,
	&pvmp_attr_refault_limit.attr.attr,
	&pvmp_attr_min_cache_mib.attr.attr,
	&pvmp_attr_steps.attr,
	&pvmp_attr_pages_trimmed.attr,
	&pvmp_attr_pages_returned.attr,
	&pvmp_attr_backoffs.attr,
	&pvmp_attr_floors.attr,
	&pvmp_attr_transitions.attr,
	&pvmp_attr_gauge_events.attr,
	&pvmp_attr_read_errors.attr,
	&pvmp_attr_gauge.attr,
	&pvmp_attr_grade.attr,
	&pvmp_attr_return_path.attr,
	&pvmp_attr_source.attr,
	NULL
};

static const struct attribute_group pvmp_group = {
	.attrs = pvmp_attrs,
};

static void pvmp_put_fs(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pvmp_fs); i++) {
		if (pvmp_fs[i])
			module_put(pvmp_fs[i]->owner);
		pvmp_fs[i] = NULL;
	}
}

/* Resolve the filesystems parameter once; get_fs_type() pins each type. */
static int __init pvmp_get_fs(void)
{
	char *list, *cur, *name;
	unsigned int n = 0, seen = 0;

	list = kstrdup(filesystems ? filesystems : "", GFP_KERNEL);
	if (!list)
		return -ENOMEM;
	cur = list;
	while ((name = strsep(&cur, ","))) {
		if (!*name)
			continue;
		if (seen++ == PVMP_MAX_FS) {
			pr_err("filesystems: at most %d types\n", PVMP_MAX_FS);
			goto bad;
		}
		pvmp_fs[n] = get_fs_type(name);
		if (!pvmp_fs[n]) {
			pr_info("filesystem type %s not registered: skipped\n", name);
			continue;
		}
		n++;
	}
	kfree(list);
	if (!n)
		pr_info("no filesystem to trim: steps will free nothing\n");
	return 0;
bad:
	kfree(list);
	pvmp_put_fs();
	return -EINVAL;
}

static int __init pvmp_init(void)
{
	int ret;

	if (pvmp_params_validate(&pvmp_p)) {
		pr_err("module parameters rejected: thresholds must rise with the grade, off below on, rates 1..%u rising, interval %u..%u ms\n",
		       PVMP_RATE_MAX_MIB, PVMP_INTERVAL_MIN_MS, PVMP_INTERVAL_MAX_MS);
		return -EINVAL;
	}

	pvmp_return_path = pvmp_probe_return_path();
	pr_info("freed pages reach the host through: %s\n", pvmp_return_path);
	if (!pvhc_has_feature(PVHC_FEAT_PRESSURE))
		pr_info("no host pressure gauge: the policy stays at grade none\n");

	ret = pvmp_get_fs();
	if (ret)
		return ret;

	pvmp_wq = alloc_workqueue("pvmempressure", WQ_UNBOUND | WQ_FREEZABLE, 1);
	if (!pvmp_wq) {
		ret = -ENOMEM;
		goto err_fs;
	}

	pvmp_kobj = kobject_create_and_add("pvmempressure", kernel_kobj);
	if (!pvmp_kobj) {
		ret = -ENOMEM;
		goto err_wq;
	}
	ret = sysfs_create_group(pvmp_kobj, &pvmp_group);
	if (ret)
		goto err_kobj;

	pvmp_last_refaults = pvmp_refaults();
	ret = pvhc_pressure_notifier_register(&pvmp_nb);
	if (ret)
		goto err_group;
	/* Act on the gauge as it is now, not only on its next change. */
	queue_delayed_work(pvmp_wq, &pvmp_work, 0);
	return 0;

err_group:
	sysfs_remove_group(pvmp_kobj, &pvmp_group);
err_kobj:
	kobject_put(pvmp_kobj);
	pvmp_kobj = NULL;
err_wq:
	destroy_workqueue(pvmp_wq);
err_fs:
	pvmp_put_fs();
	return ret;
}

static void __exit pvmp_exit(void)
{
	struct kobject *kobj;

	/*
	 * Stop new work (the notifier, sysfs writes), then wait for a step
	 * in flight: it sees the flag, stops its walk and does not requeue.
	 * A step notifies sysfs under pvmp_lock, so it never sees a freed
	 * kobject.
	 */
	WRITE_ONCE(pvmp_stopping, true);
	pvhc_pressure_notifier_unregister(&pvmp_nb);
	mutex_lock(&pvmp_lock);
	kobj = pvmp_kobj;
	pvmp_kobj = NULL;
	mutex_unlock(&pvmp_lock);
	sysfs_remove_group(kobj, &pvmp_group);
	kobject_put(kobj);
	cancel_delayed_work_sync(&pvmp_work);
	destroy_workqueue(pvmp_wq);
	pvmp_put_fs();
}

module_init(pvmp_init);
module_exit(pvmp_exit);

MODULE_DESCRIPTION("Guest policy for the host memory-pressure gauge");
MODULE_LICENSE("GPL");
