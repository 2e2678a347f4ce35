// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/pvhc/: which hypervisor pvhc found and which backend serves
 * which feature. Every file is computed when read, so it follows backends
 * registering and unregistering.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/kobject.h>
#include <linux/pvhc.h>
#include <linux/sysfs.h>

#include "pvhc_internal.h"

static struct kobject *pvhc_kobj;

static ssize_t backend_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return pvhc_fmt_backend(buf);
}

static struct kobj_attribute backend_attribute = __ATTR_RO(backend);

static ssize_t backends_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	return pvhc_fmt_backends(buf);
}

static struct kobj_attribute backends_attribute = __ATTR_RO(backends);

static ssize_t features_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	return pvhc_fmt_features(buf);
}

static struct kobj_attribute features_attribute = __ATTR_RO(features);

static ssize_t hypervisor_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", pvhc_hypervisor_name(pvhc_hypervisor()));
}

static struct kobj_attribute hypervisor_attribute = __ATTR_RO(hypervisor);

static ssize_t guest_type_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", pvhc_guest_type_name());
}

static struct kobj_attribute guest_type_attribute = __ATTR_RO(guest_type);

static struct attribute *pvhc_attrs[] = {
	&backend_attribute.attr,
	&backends_attribute.attr,
	&features_attribute.attr,
	&guest_type_attribute.attr,
	&hypervisor_attribute.attr,
	NULL
};

static const struct attribute_group pvhc_group = {
	.attrs = pvhc_attrs,
};

/* feature/<name>: the backend serving that feature, or "none". */
struct pvhc_feature_attribute {
	struct kobj_attribute attr;
	enum pvhc_feature feature;
};

static ssize_t pvhc_feature_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	struct pvhc_feature_attribute *fa =
		container_of(attr, struct pvhc_feature_attribute, attr);

	return pvhc_fmt_feature_source(fa->feature, buf);
}

#define PVHC_FEATURE_ATTR(_name, _feature)				\
	static struct pvhc_feature_attribute pvhc_feature_##_name = {	\
		.attr = __ATTR(_name, 0444, pvhc_feature_show, NULL),	\
		.feature = _feature,					\
	}

PVHC_FEATURE_ATTR(preempted, PVHC_FEAT_PREEMPTED);
PVHC_FEATURE_ATTR(yield, PVHC_FEAT_YIELD);
PVHC_FEATURE_ATTR(kick, PVHC_FEAT_KICK);
PVHC_FEATURE_ATTR(boost, PVHC_FEAT_BOOST);
PVHC_FEATURE_ATTR(clock, PVHC_FEAT_CLOCK);
PVHC_FEATURE_ATTR(clock_pairing, PVHC_FEAT_CLOCK_PAIRING);
PVHC_FEATURE_ATTR(numa_hint, PVHC_FEAT_NUMA_HINT);
PVHC_FEATURE_ATTR(numa_info, PVHC_FEAT_NUMA_INFO);
PVHC_FEATURE_ATTR(pressure, PVHC_FEAT_PRESSURE);
PVHC_FEATURE_ATTR(entropy, PVHC_FEAT_ENTROPY);
PVHC_FEATURE_ATTR(lock_hint, PVHC_FEAT_LOCK_HINT);

static struct attribute *pvhc_feature_attrs[] = {
	&pvhc_feature_preempted.attr.attr,
	&pvhc_feature_yield.attr.attr,
	&pvhc_feature_kick.attr.attr,
	&pvhc_feature_boost.attr.attr,
	&pvhc_feature_clock.attr.attr,
	&pvhc_feature_clock_pairing.attr.attr,
	&pvhc_feature_numa_hint.attr.attr,
	&pvhc_feature_numa_info.attr.attr,
	&pvhc_feature_pressure.attr.attr,
	&pvhc_feature_entropy.attr.attr,
	&pvhc_feature_lock_hint.attr.attr,
	NULL
};

static const struct attribute_group pvhc_feature_group = {
	.name = "feature",
	.attrs = pvhc_feature_attrs,
};

static const struct attribute_group *pvhc_groups[] = {
	&pvhc_group,
	&pvhc_feature_group,
	NULL
};

int pvhc_sysfs_init(void)
{
	int ret;

	pvhc_kobj = kobject_create_and_add(KBUILD_MODNAME, kernel_kobj);
	if (!pvhc_kobj)
		return -ENOMEM;
	ret = sysfs_create_groups(pvhc_kobj, pvhc_groups);
	if (ret)
		goto put_kobj;
	return 0;

put_kobj:
	kobject_put(pvhc_kobj);
	pvhc_kobj = NULL;
	return ret;
}

void pvhc_sysfs_exit(void)
{
	sysfs_remove_groups(pvhc_kobj, pvhc_groups);
	kobject_put(pvhc_kobj);
	pvhc_kobj = NULL;
}
