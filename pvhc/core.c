// SPDX-License-Identifier: GPL-2.0
/*
 * pvhc - the paravirtual hypercall shim: hypervisor detection, the backend
 * registry, per-feature routing and the checks applied to what backends
 * return.
 *
 * Backends are kept in a list sorted by priority (highest first) under
 * pvhc_lock. For each feature, pvhc_route[] points at the first backend of
 * that list offering it; callers read it under SRCU, so a call may run in
 * atomic context and unregistering a backend only has to unlink it and wait
 * for the readers to drain. pvhc_vcpu_preempted() is called from lock spin
 * loops and never sleeps: it reads its route under plain RCU, which costs
 * no memory barrier, where srcu_read_lock() costs a full one.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitops.h>
#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/kvm_para.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/nodemask.h>
#include <linux/notifier.h>
#include <linux/pvhc.h>
#include <linux/rcupdate.h>
#include <linux/srcu.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/time64.h>
#include <linux/workqueue.h>
#include <kunit/visibility.h>
#include <xen/xen.h>
#include <asm/cpufeature.h>

#include "pvhc_internal.h"

#define PVHC_FEAT_MASK		(BIT(PVHC_FEAT_NR) - 1)

/* At most one pressure notification per interval, however often asked. */
#define PVHC_PRESSURE_INTERVAL	msecs_to_jiffies(20)

static const char * const pvhc_feature_names[PVHC_FEAT_NR] = {
	[PVHC_FEAT_PREEMPTED]		= "preempted",
	[PVHC_FEAT_YIELD]		= "yield",
	[PVHC_FEAT_KICK]		= "kick",
	[PVHC_FEAT_BOOST]		= "boost",
	[PVHC_FEAT_CLOCK]		= "clock",
	[PVHC_FEAT_CLOCK_PAIRING]	= "clock_pairing",
	[PVHC_FEAT_NUMA_HINT]		= "numa_hint",
	[PVHC_FEAT_NUMA_INFO]		= "numa_info",
	[PVHC_FEAT_PRESSURE]		= "pressure",
	[PVHC_FEAT_ENTROPY]		= "entropy",
	[PVHC_FEAT_LOCK_HINT]		= "lock_hint",
};

static const char * const pvhc_known_names[PVHC_KNOWN_NR] = {
	[PVHC_KNOWN_KVM]	= "kvm",
	[PVHC_KNOWN_XEN]	= "xen",
	[PVHC_KNOWN_PVHOST]	= "pvhost",
	[PVHC_KNOWN_TEST]	= "test",
};

static char *pvhc_deny_param;
module_param_named(deny, pvhc_deny_param, charp, 0444);
MODULE_PARM_DESC(deny,
		 "Comma-separated backends never to use (kvm, xen, pvhost, test)");

static DEFINE_MUTEX(pvhc_lock);		/* the list, routes, deny mask */
static LIST_HEAD(pvhc_backends);	/* by priority, highest first */
static struct pvhc_backend __rcu *pvhc_route[PVHC_FEAT_NR];
DEFINE_STATIC_SRCU(pvhc_srcu);		/* readers of pvhc_route[] */
/* Even while the routes stand; odd while a backend is being removed. */
static unsigned long pvhc_gen;

static unsigned long pvhc_denied;	/* BIT(enum pvhc_known_backend) */
static unsigned long pvhc_deny_logged;

static BLOCKING_NOTIFIER_HEAD(pvhc_chain);
static BLOCKING_NOTIFIER_HEAD(pvhc_pressure_chain);

static enum pvhc_hypervisor pvhc_hv = PVHC_HV_NONE;
static enum pvhc_guest_type pvhc_guest = PVHC_GUEST_NONE;

static struct dentry *pvhc_debugfs_root;

static void pvhc_pressure_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(pvhc_pressure_work, pvhc_pressure_fn);
static unsigned long pvhc_pressure_last;	/* jiffies of the last run */
static atomic_long_t pvhc_pressure_events;	/* pvhc_pressure_changed() */
static atomic_long_t pvhc_pressure_ignored;	/* ... not from the source */
static atomic_long_t pvhc_pressure_runs;	/* notifications sent */

static bool pvhc_cpu_valid(unsigned int cpu)
{
	return cpu < nr_cpu_ids && cpu_possible(cpu);
}

static bool pvhc_is_errno(long v)
{
	return v < 0 && v >= -MAX_ERRNO;
}

/* The route for @f; the caller holds pvhc_srcu (index in *@idx). */
static struct pvhc_backend *pvhc_route_get(enum pvhc_feature f, int *idx)
	__acquires(&pvhc_srcu)
{
	*idx = srcu_read_lock(&pvhc_srcu);
	return srcu_dereference(pvhc_route[f], &pvhc_srcu);
}

static void pvhc_route_put(int idx)
	__releases(&pvhc_srcu)
{
	srcu_read_unlock(&pvhc_srcu, idx);
}

/* A backend returned something outside its contract: count it, fail. */
static int pvhc_bad(struct pvhc_backend *b, enum pvhc_feature f, long val)
{
	atomic_long_inc(&b->errors);
	pr_warn_ratelimited("backend %s: bad %s result %ld, returning -EIO\n",
			    b->name, pvhc_feature_names[f], val);
	return -EIO;
}

/* For ops that return 0 or -errno. */
static int pvhc_check_status(struct pvhc_backend *b, enum pvhc_feature f,
			     int ret)
{
	if (ret == 0 || pvhc_is_errno(ret))
		return ret;
	return pvhc_bad(b, f, ret);
}

static bool pvhc_name_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

static bool pvhc_name_chars_ok(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!pvhc_name_char_ok(s[i]))
			return false;
	return true;
}

/* Index in pvhc_known_names[] of the @len characters at @s, or -1. */
static int pvhc_known_index(const char *s, size_t len)
{
	int i;

	for (i = 0; i < PVHC_KNOWN_NR; i++)
		if (strlen(pvhc_known_names[i]) == len &&
		    !memcmp(pvhc_known_names[i], s, len))
			return i;
	return -1;
}

/**
 * pvhc_parse_deny - parse the deny= list
 * @list: comma-separated backend names; NULL or "" denies none
 * @mask: set to BIT(enum pvhc_known_backend) of each name on success
 *
 * Return: 0, or -EINVAL (logged, naming the bad entry) for an empty entry,
 * one too long, with characters outside [a-z0-9_-] or naming no backend
 * pvhc knows.
 */
VISIBLE_IF_KUNIT int pvhc_parse_deny(const char *list, unsigned long *mask)
{
	unsigned long m = 0;
	const char *p = list;
	const char *end;
	size_t len;
	int i;

	*mask = 0;
	if (!list || !*list)
		return 0;
	for (;;) {
		end = strchrnul(p, ',');
		len = end - p;
		if (!len) {
			pr_err("deny=%s: empty entry at offset %zu\n",
			       list, (size_t)(p - list));
			return -EINVAL;
		}
		if (len >= PVHC_NAME_MAX) {
			pr_err("deny=%s: entry \"%.*s\" is longer than %d characters\n",
			       list, (int)len, p, PVHC_NAME_MAX - 1);
			return -EINVAL;
		}
		if (!pvhc_name_chars_ok(p, len)) {
			pr_err("deny=%s: entry \"%.*s\" has characters outside [a-z0-9_-]\n",
			       list, (int)len, p);
			return -EINVAL;
		}
		i = pvhc_known_index(p, len);
		if (i < 0) {
			pr_err("deny=%s: unknown backend \"%.*s\" (known: kvm, xen, pvhost, test)\n",
			       list, (int)len, p);
			return -EINVAL;
		}
		m |= BIT(i);
		if (!*end)
			break;
		p = end + 1;
	}
	*mask = m;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(pvhc_parse_deny);

#if IS_ENABLED(CONFIG_KUNIT)
/**
 * pvhc_deny_swap - replace the deny mask (KUnit only)
 * @mask: the new mask, BIT(enum pvhc_known_backend) per denied name
 *
 * Only registrations after the call see the new mask.
 *
 * Return: the previous mask.
 */
unsigned long pvhc_deny_swap(unsigned long mask)
{
	unsigned long old;

	mutex_lock(&pvhc_lock);
	old = pvhc_denied;
	pvhc_denied = mask;
	pvhc_deny_logged = 0;
	mutex_unlock(&pvhc_lock);
	return old;
}
EXPORT_SYMBOL_IF_KUNIT(pvhc_deny_swap);

/**
 * pvhc_pressure_flush - run a pending pressure notification now (KUnit only)
 */
void pvhc_pressure_flush(void)
{
	flush_delayed_work(&pvhc_pressure_work);
}
EXPORT_SYMBOL_IF_KUNIT(pvhc_pressure_flush);
#endif

/* 1..PVHC_NAME_MAX - 1 characters of [a-z0-9_-]. */
static bool pvhc_name_valid(const char *name)
{
	size_t len;

	if (!name)
		return false;
	len = strnlen(name, PVHC_NAME_MAX);
	return len && len < PVHC_NAME_MAX && pvhc_name_chars_ok(name, len);
}

/* Why @b (with a valid name) cannot be registered, or NULL if it can. */
static const char *pvhc_backend_invalid(const struct pvhc_backend *b)
{
	const struct pvhc_backend_ops *o = b->ops;
	bool has[PVHC_FEAT_NR];
	int f;

	if (!o)
		return "no ops";
	if (b->features & ~PVHC_FEAT_MASK)
		return "unknown feature bits";

	has[PVHC_FEAT_PREEMPTED] = o->vcpu_preempted;
	has[PVHC_FEAT_YIELD] = o->yield_to;
	has[PVHC_FEAT_KICK] = o->kick;
	has[PVHC_FEAT_BOOST] = o->boost;
	has[PVHC_FEAT_CLOCK] = o->clock_record;
	has[PVHC_FEAT_CLOCK_PAIRING] = o->clock_pairing;
	has[PVHC_FEAT_NUMA_HINT] = o->numa_hint && o->numa_status;
	has[PVHC_FEAT_NUMA_INFO] = o->numa_info;
	has[PVHC_FEAT_PRESSURE] = o->pressure;
	has[PVHC_FEAT_ENTROPY] = o->entropy;
	has[PVHC_FEAT_LOCK_HINT] = o->lock_hint_slot && o->lock_hint_seen;
	for (f = 0; f < PVHC_FEAT_NR; f++)
		if ((b->features & BIT(f)) && !has[f])
			return "a feature without its op";
	return NULL;
}

/*
 * The lock hint's per-CPU words: the slots point into the record of the
 * backend routed for PVHC_FEAT_LOCK_HINT (pvhc_hint_owner, under
 * pvhc_lock). Writers run with preemption off, so synchronize_rcu() after
 * repointing the slots waits for every write into the old words.
 */
DEFINE_PER_CPU(u32 *, pvhc_lock_hint_slot);
EXPORT_PER_CPU_SYMBOL_GPL(pvhc_lock_hint_slot);
static struct pvhc_backend *pvhc_hint_owner;

static void pvhc_lock_hint_clear(struct pvhc_backend *b)
{
	unsigned int cpu;
	u32 *w;

	for_each_possible_cpu(cpu) {
		w = b->ops->lock_hint_slot(b->priv, cpu);
		if (w)
			WRITE_ONCE(*w, 0);
	}
}

/* Called with pvhc_lock held, after the routes changed. May sleep. */
static void pvhc_lock_hint_reroute(void)
{
	struct pvhc_backend *old = pvhc_hint_owner, *b;
	unsigned int cpu;

	b = rcu_dereference_protected(pvhc_route[PVHC_FEAT_LOCK_HINT],
				      lockdep_is_held(&pvhc_lock));
	if (b == old)
		return;
	/* A new owner's words start at "no lock": the host may have left any. */
	if (b)
		pvhc_lock_hint_clear(b);
	for_each_possible_cpu(cpu)
		WRITE_ONCE(per_cpu(pvhc_lock_hint_slot, cpu),
			   b ? b->ops->lock_hint_slot(b->priv, cpu) : NULL);
	pvhc_hint_owner = b;
	if (!old)
		return;
	synchronize_rcu();	/* no CPU writes into old's words any more */
	/* Locks held now will not be cleared by their unlock: say none. */
	pvhc_lock_hint_clear(old);
}

/* Recompute every route from the list; called with pvhc_lock held. */
static void pvhc_reroute(void)
{
	struct pvhc_backend *b, *best;
	int f;

	lockdep_assert_held(&pvhc_lock);
	for (f = 0; f < PVHC_FEAT_NR; f++) {
		best = NULL;
		list_for_each_entry(b, &pvhc_backends, node) {
			if (b->features & BIT(f)) {
				best = b;
				break;
			}
		}
		rcu_assign_pointer(pvhc_route[f], best);
	}
	/* Published after the routes: a reader seeing it sees them. */
	smp_store_release(&pvhc_gen, (pvhc_gen | 1) + 1);
}

static bool pvhc_pin(struct module *owner)
{
	/* pvhc's own backends go away in pvhc's exit, before pvhc does. */
	if (!owner || owner == THIS_MODULE)
		return true;
	return try_module_get(owner);
}

static void pvhc_unpin(struct module *owner)
{
	if (owner && owner != THIS_MODULE)
		module_put(owner);
}

static int pvhc_counter_get(void *data, u64 *val)
{
	*val = atomic_long_read(data);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(pvhc_counter_fops, pvhc_counter_get, NULL, "%llu\n");

static int pvhc_features_show(struct seq_file *m, void *unused)
{
	struct pvhc_backend *b = m->private;
	int f;

	seq_printf(m, "priority %d\n", b->priority);
	for (f = 0; f < PVHC_FEAT_NR; f++)
		if (b->features & BIT(f))
			seq_printf(m, "%s\n", pvhc_feature_names[f]);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pvhc_features);

static void pvhc_debugfs_add(struct pvhc_backend *b)
{
	b->debugfs = debugfs_create_dir(b->name, pvhc_debugfs_root);
	debugfs_create_file_unsafe("errors", 0444, b->debugfs, &b->errors,
				   &pvhc_counter_fops);
	debugfs_create_file("features", 0444, b->debugfs, b,
			    &pvhc_features_fops);
}

static void pvhc_log_backend(const struct pvhc_backend *b)
{
	char list[96] = "";
	size_t n = 0;
	int f;

	for (f = 0; f < PVHC_FEAT_NR; f++)
		if (b->features & BIT(f))
			n += scnprintf(list + n, sizeof(list) - n, " %s",
				       pvhc_feature_names[f]);
	pr_info("backend %s registered, priority %d, features:%s\n",
		b->name, b->priority, n ? list : " none");
}

/**
 * pvhc_backend_register - add a backend
 * @b: the backend; name, priority, features, ops, priv and owner filled in.
 *     It must stay in place until pvhc_backend_unregister() returns.
 *
 * From now on each feature in @b->features is served by @b unless a
 * backend of higher priority offers it too (equal priorities: the earlier
 * registration wins). @b->owner (unless NULL) is pinned until @b is
 * unregistered, so a module that registers from its module_init cannot be
 * unloaded before it unregisters (from a device remove, for example).
 * Registered backends are announced with PVHC_BACKEND_ADDED.
 *
 * Context: process context; not from a pvhc notifier.
 * Return: 0; -EINVAL for a bad name (empty, too long, not [a-z0-9_-]),
 * NULL ops, unknown feature bits or a feature whose op is NULL; -EEXIST if
 * a backend of that name is registered; -EPERM if the name is on the deny=
 * list; -ENODEV if @b->owner is going away.
 */
int pvhc_backend_register(struct pvhc_backend *b)
{
	struct pvhc_backend *pos;
	const char *why;
	int known, ret = 0;

	if (!b)
		return -EINVAL;
	if (!pvhc_name_valid(b->name)) {
		pr_warn("backend rejected: name missing, too long or not [a-z0-9_-]\n");
		return -EINVAL;
	}
	why = pvhc_backend_invalid(b);
	if (why) {
		pr_warn("backend %s rejected: %s\n", b->name, why);
		return -EINVAL;
	}

	mutex_lock(&pvhc_lock);
	known = pvhc_known_index(b->name, strlen(b->name));
	if (known >= 0 && (pvhc_denied & BIT(known))) {
		if (!(pvhc_deny_logged & BIT(known)))
			pr_info("backend %s not used: on the deny= list\n",
				b->name);
		pvhc_deny_logged |= BIT(known);
		ret = -EPERM;
		goto unlock;
	}
	list_for_each_entry(pos, &pvhc_backends, node) {
		if (pos == b || !strcmp(pos->name, b->name)) {
			ret = -EEXIST;
			goto unlock;
		}
	}
	if (!pvhc_pin(b->owner)) {
		ret = -ENODEV;
		goto unlock;
	}

	atomic_long_set(&b->errors, 0);
	/* After every backend of at least its priority: ties keep order. */
	list_for_each_entry(pos, &pvhc_backends, node)
		if (pos->priority < b->priority)
			break;
	list_add_tail(&b->node, &pos->node);
	pvhc_reroute();
	pvhc_lock_hint_reroute();
	pvhc_debugfs_add(b);
	pvhc_log_backend(b);
	blocking_notifier_call_chain(&pvhc_chain, PVHC_BACKEND_ADDED, b);
unlock:
	mutex_unlock(&pvhc_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(pvhc_backend_register);

/**
 * pvhc_backend_unregister - remove a backend
 * @b: a backend registered with pvhc_backend_register()
 *
 * Sends PVHC_BACKEND_REMOVING while @b still serves its features, unlinks
 * it (its features fall back to the next backend offering them), waits
 * until no call into @b is in flight and cancels a pressure notification
 * it scheduled. When this returns, pvhc no longer touches @b.
 *
 * Context: process context; not from a pvhc notifier; may sleep.
 */
void pvhc_backend_unregister(struct pvhc_backend *b)
{
	struct pvhc_backend *pos;
	bool found = false;

	if (!b)
		return;
	mutex_lock(&pvhc_lock);
	list_for_each_entry(pos, &pvhc_backends, node) {
		if (pos == b) {
			found = true;
			break;
		}
	}
	if (WARN(!found, "pvhc: unregistering a backend never registered\n"))
		goto unlock;

	/* Odd until pvhc_reroute(): no route may be taken as lasting. */
	WRITE_ONCE(pvhc_gen, pvhc_gen + 1);
	blocking_notifier_call_chain(&pvhc_chain, PVHC_BACKEND_REMOVING, b);
	list_del(&b->node);
	pvhc_reroute();
	pvhc_lock_hint_reroute();
	synchronize_srcu(&pvhc_srcu);
	synchronize_rcu();	/* pvhc_vcpu_preempted() readers */
	if (b->features & BIT(PVHC_FEAT_PRESSURE)) {
		cancel_delayed_work_sync(&pvhc_pressure_work);
		/* Tell the listeners what the gauge now reads, if any. */
		if (rcu_access_pointer(pvhc_route[PVHC_FEAT_PRESSURE]))
			queue_delayed_work(system_wq, &pvhc_pressure_work, 0);
	}
	debugfs_remove(b->debugfs);
	b->debugfs = NULL;
	pvhc_unpin(b->owner);
	pr_info("backend %s unregistered\n", b->name);
unlock:
	mutex_unlock(&pvhc_lock);
}
EXPORT_SYMBOL_GPL(pvhc_backend_unregister);

/**
 * pvhc_notifier_register - be told about backends coming and going
 * @nb: called with PVHC_BACKEND_ADDED or PVHC_BACKEND_REMOVING and the
 *      struct pvhc_backend as data, in process context. It must not
 *      register or unregister backends.
 *
 * Return: 0 or -errno from the notifier chain.
 */
int pvhc_notifier_register(struct notifier_block *nb)
{
	return blocking_notifier_chain_register(&pvhc_chain, nb);
}
EXPORT_SYMBOL_GPL(pvhc_notifier_register);

/**
 * pvhc_notifier_unregister - stop being told about backends
 * @nb: a notifier block passed to pvhc_notifier_register()
 *
 * Return: 0, or -ENOENT if @nb was not registered.
 */
int pvhc_notifier_unregister(struct notifier_block *nb)
{
	return blocking_notifier_chain_unregister(&pvhc_chain, nb);
}
EXPORT_SYMBOL_GPL(pvhc_notifier_unregister);

/**
 * pvhc_has_feature - whether some backend serves a feature
 * @f: the feature
 *
 * Context: any, atomic safe.
 * Return: true if a call for @f would reach a backend now.
 */
bool pvhc_has_feature(enum pvhc_feature f)
{
	if ((unsigned int)f >= PVHC_FEAT_NR)
		return false;
	return rcu_access_pointer(pvhc_route[f]);
}
EXPORT_SYMBOL_GPL(pvhc_has_feature);

/**
 * pvhc_feature_name - the name of a feature, as used in sysfs
 * @f: the feature
 *
 * Context: any.
 * Return: a static string such as "preempted", or NULL for an unknown @f.
 */
const char *pvhc_feature_name(enum pvhc_feature f)
{
	if ((unsigned int)f >= PVHC_FEAT_NR)
		return NULL;
	return pvhc_feature_names[f];
}
EXPORT_SYMBOL_GPL(pvhc_feature_name);

/**
 * pvhc_feature_source - the backend that serves a feature
 * @f: the feature
 *
 * Context: any, atomic safe.
 * Return: the backend's name, valid until PVHC_BACKEND_REMOVING names that
 * backend, or "none" if no backend serves @f (or @f is unknown).
 */
const char *pvhc_feature_source(enum pvhc_feature f)
{
	struct pvhc_backend *b;
	const char *name;
	int idx;

	if ((unsigned int)f >= PVHC_FEAT_NR)
		return "none";
	b = pvhc_route_get(f, &idx);
	name = b ? b->name : "none";
	pvhc_route_put(idx);
	return name;
}
EXPORT_SYMBOL_GPL(pvhc_feature_source);

/**
 * pvhc_feature_source_name - copy the name of the backend that serves a
 *	feature
 * @f: the feature
 * @buf: where to copy it
 * @len: its size; PVHC_NAME_MAX holds any name
 *
 * Unlike pvhc_feature_source()'s pointer, the copy stays valid: it is made
 * while the backend cannot go. For sysfs files and logs that may run
 * while a backend is being removed.
 *
 * Context: any, atomic safe.
 * Return: @buf, holding the name or "none"
 */
const char *pvhc_feature_source_name(enum pvhc_feature f, char *buf,
				     size_t len)
{
	struct pvhc_backend *b = NULL;
	int idx;

	if ((unsigned int)f < PVHC_FEAT_NR) {
		b = pvhc_route_get(f, &idx);
		strscpy(buf, b ? b->name : "none", len);
		pvhc_route_put(idx);
	} else {
		strscpy(buf, "none", len);
	}
	return buf;
}
EXPORT_SYMBOL_GPL(pvhc_feature_source_name);

/**
 * pvhc_generation - which set of routes stands
 *
 * Changes whenever a backend is added or removed. It is odd from just
 * before PVHC_BACKEND_REMOVING is sent until the departing backend no
 * longer serves anything: what is looked up then may come from a backend
 * that is going. A caller that keeps what it looks up (a clock record
 * pointer) and must know which backend it came from reads the generation
 * before and after, and keeps nothing unless both are the same even value.
 *
 * Context: any.
 * Return: the generation.
 */
unsigned long pvhc_generation(void)
{
	/* Pairs with pvhc_reroute()'s release: the routes read after are as new. */
	return smp_load_acquire(&pvhc_gen);
}
EXPORT_SYMBOL_GPL(pvhc_generation);

/**
 * pvhc_hypervisor - the hypervisor pvhc detected at load
 *
 * Context: any.
 * Return: PVHC_HV_KVM, PVHC_HV_XEN, PVHC_HV_OTHER or PVHC_HV_NONE.
 */
enum pvhc_hypervisor pvhc_hypervisor(void)
{
	return pvhc_hv;
}
EXPORT_SYMBOL_GPL(pvhc_hypervisor);

/**
 * pvhc_vcpu_preempted - whether a vCPU is preempted by the host
 * @cpu: a possible CPU
 *
 * Context: any, atomic safe.
 * Return: 1 if preempted, 0 if not, -EINVAL for a bad @cpu, -EOPNOTSUPP
 * if no backend serves PVHC_FEAT_PREEMPTED, -EIO if the backend returned
 * garbage, or another -errno from the backend.
 */
int pvhc_vcpu_preempted(unsigned int cpu)
{
	struct pvhc_backend *b;
	int ret;

	if (!pvhc_cpu_valid(cpu))
		return -EINVAL;
	rcu_read_lock();
	b = rcu_dereference(pvhc_route[PVHC_FEAT_PREEMPTED]);
	if (!b) {
		ret = -EOPNOTSUPP;
	} else {
		ret = b->ops->vcpu_preempted(b->priv, cpu);
		if (ret != 0 && ret != 1 && !pvhc_is_errno(ret))
			ret = pvhc_bad(b, PVHC_FEAT_PREEMPTED, ret);
	}
	rcu_read_unlock();
	return ret;
}
EXPORT_SYMBOL_GPL(pvhc_vcpu_preempted);

/**
 * pvhc_yield_to - give up this vCPU's time slice
 * @cpu: a possible CPU to yield to, or negative for an undirected yield
 *
 * A backend that cannot direct a yield treats a directed one as undirected;
 * one that cannot yield undirected (kvm) returns -EOPNOTSUPP for @cpu < 0.
 *
 * Context: process context.
 * Return: 0, -EINVAL for a bad @cpu, -EOPNOTSUPP, -EIO for a bad backend
 * result, or another -errno from the backend.
 */
int pvhc_yield_to(int cpu)
{
	struct pvhc_backend *b;
	int idx, ret;

	if (cpu >= 0 && !pvhc_cpu_valid(cpu))
		return -EINVAL;
	b = pvhc_route_get(PVHC_FEAT_YIELD, &idx);
	if (!b)
		ret = -EOPNOTSUPP;
	else
		ret = pvhc_check_status(b, PVHC_FEAT_YIELD,
					b->ops->yield_to(b->priv,
							 cpu < 0 ? -1 : cpu));
	pvhc_route_put(idx);
	return ret;
}
EXPORT_SYMBOL_GPL(pvhc_yield_to);

/**
 * pvhc_kick - wake a halted vCPU
 * @cpu: a possible CPU
 *
 * Context: process context.
 * Return: 0, -EINVAL for a bad @cpu, -EOPNOTSUPP, -EIO for a bad backend
 * result, or another -errno from the backend.
 */
int pvhc_kick(unsigned int cpu)
{
	struct pvhc_backend *b;
	int idx, ret;

	if (!pvhc_cpu_valid(cpu))
		return -EINVAL;
	b = pvhc_route_get(PVHC_FEAT_KICK, &idx);
	if (!b)
		ret = -EOPNOTSUPP;
	else
		ret = pvhc_check_status(b, PVHC_FEAT_KICK,
					b->ops->kick(b->priv, cpu));
	pvhc_route_put(idx);
	return ret;
}
EXPORT_SYMBOL_GPL(pvhc_kick);

/**
 * pvhc_boost - ask the host to run a vCPU soon, or stop asking
 * @cpu: a possible CPU
 * @on: true to start boosting, false to stop
 *
 * Context: process context.
 * Return: 0, -EINVAL for a bad @cpu, -EOPNOTSUPP, -EIO for a bad backend
 * result, or another -errno from the backend.
 */
int pvhc_boost(unsigned int cpu, bool on)
{
	struct pvhc_backend *b;
	int idx, ret;

	if (!pvhc_cpu_valid(cpu))
		return -EINVAL;
	b = pvhc_route_get(PVHC_FEAT_BOOST, &idx);
	if (!b)
		ret = -EOPNOTSUPP;
	else
		ret = pvhc_check_status(b, PVHC_FEAT_BOOST,
					b->ops->boost(b->priv, cpu, on));
	pvhc_route_put(idx);
	return ret;
}
EXPORT_SYMBOL_GPL(pvhc_boost);

/**
 * pvhc_clock_record - the host-maintained clock record of a vCPU
 * @cpu: a possible CPU
 * @rec: set to the record on success, to NULL otherwise
 *
 * The record is shared with the host: read it with the pvclock version
 * protocol. It stays mapped until PVHC_BACKEND_REMOVING names the backend
 * that pvhc_feature_source(PVHC_FEAT_CLOCK) returned.
 *
 * Context: process context.
 * Return: 0, -EINVAL for a bad @cpu or NULL @rec, -EOPNOTSUPP, -ENODEV if
 * @cpu has no record, -EIO for a bad backend result, or another -errno.
 */
int pvhc_clock_record(unsigned int cpu,
		      const struct pvclock_vcpu_time_info **rec)
{
	const struct pvclock_vcpu_time_info *r = NULL;
	struct pvhc_backend *b;
	int idx, ret;

	if (!rec)
		return -EINVAL;
	*rec = NULL;
	if (!pvhc_cpu_valid(cpu))
		return -EINVAL;
	b = pvhc_route_get(PVHC_FEAT_CLOCK, &idx);
	if (!b) {
		ret = -EOPNOTSUPP;
	} else {
		ret = b->ops->clock_record(b->priv, cpu, &r);
		if (ret == 0 && r)
			*rec = r;
		else if (ret == 0 || !pvhc_is_errno(ret))
			ret = pvhc_bad(b, PVHC_FEAT_CLOCK, ret);
	}
	pvhc_route_put(idx);
	return ret;
}
EXPORT_SYMBOL_GPL(pvhc_clock_record);

/**
 * pvhc_clock_pairing - host real time paired with a TSC value
 * @out: filled in on success; left untouched otherwise
 *
 * Context: process context.
 * Return: 0, -EINVAL for a NULL @out, -EOPNOTSUPP, -EIO if the backend
 * returned a negative time or nsec outside 0..NSEC_PER_SEC - 1, or another
 * -errno from the backend.
 */
int pvhc_clock_pairing(struct pvhc_clock_pairing *out)
{
	struct pvhc_clock_pairing cp = {};
	struct pvhc_backend *b;
	int idx, ret;

	if (!out)
		return -EINVAL;
	b = pvhc_route_get(PVHC_FEAT_CLOCK_PAIRING, &idx);
	if (!b) {
		ret = -EOPNOTSUPP;
	} else {
		ret = pvhc_check_status(b, PVHC_FEAT_CLOCK_PAIRING,
					b->ops->clock_pairing(b->priv, &cp));
		if (!ret && (cp.sec < 0 || cp.nsec < 0 ||
			     cp.nsec >= NSEC_PER_SEC))
			ret = pvhc_bad(b, PVHC_FEAT_CLOCK_PAIRING, cp.nsec);
		if (!ret)
			*out = cp;
	}
	pvhc_route_put(idx);
	return ret;
}
EXPORT_SYMBOL_GPL(pvhc_clock_pairing);

/**
 * pvhc_numa_hint - tell the host which vCPUs work with which memory
 * @hint: at least one possible CPU in @hint->cpus, @hint->node below
 *        MAX_NUMNODES and @hint->flags 0
 *
 * Context: process context.
 * Return: a hint id (>= 0) for pvhc_numa_status(), -EINVAL for a bad
 * @hint, -EOPNOTSUPP, -EIO for a bad backend result, or another -errno.
 */
int pvhc_numa_hint(const struct pvhc_numa_hint *hint)
{
	struct pvhc_backend *b;
	unsigned int cpu;
	int idx, ret;

	if (!hint || hint->flags || hint->node < 0 ||
	    hint->node >= MAX_NUMNODES ||
	    bitmap_empty(hint->cpus, PVHC_NUMA_HINT_MAX_CPUS))
		return -EINVAL;
	for_each_set_bit(cpu, hint->cpus, PVHC_NUMA_HINT_MAX_CPUS)
		if (!pvhc_cpu_valid(cpu))
			return -EINVAL;
	b = pvhc_route_get(PVHC_FEAT_NUMA_HINT, &idx);
	if (!b) {
		ret = -EOPNOTSUPP;
	} else {
		ret = b->ops->numa_hint(b->priv, hint);
		if (ret < 0 && !pvhc_is_errno(ret))
			ret = pvhc_bad(b, PVHC_FEAT_NUMA_HINT, ret);
	}
	pvhc_route_put(idx);
	return ret;
}
EXPORT_SYMBOL_GPL(pvhc_numa_hint);

/**
 * pvhc_numa_status - what the host made of a NUMA hint
 * @id: an id pvhc_numa_hint() returned
 *
 * Context: process context.
 * Return: an enum pvhc_numa_status, -EINVAL for a negative @id,
 * -EOPNOTSUPP, -EIO for a bad backend result, or another -errno.
 */
int pvhc_numa_status(int id)
{
	struct pvhc_backend *b;
	int idx, ret;

	if (id < 0)
		return -EINVAL;
	b = pvhc_route_get(PVHC_FEAT_NUMA_HINT, &idx);
	if (!b) {
		ret = -EOPNOTSUPP;
	} else {
		ret = b->ops->numa_status(b->priv, id);
		if (ret > PVHC_NUMA_REJECTED ||
		    (ret < 0 && !pvhc_is_errno(ret)))
			ret = pvhc_bad(b, PVHC_FEAT_NUMA_HINT, ret);
	}
	pvhc_route_put(idx);
	return ret;
}
EXPORT_SYMBOL_GPL(pvhc_numa_status);

static bool pvhc_numa_info_valid(const struct pvhc_numa_info *info)
{
	u32 i;

	if (!info->nr_nodes || info->nr_nodes > PVHC_NUMA_MAX_NODES ||
	    !info->nr_vcpus || info->nr_vcpus > PVHC_NUMA_HINT_MAX_CPUS)
		return false;
	for (i = 0; i < info->nr_vcpus; i++)
		if (info->vcpu_to_node[i] >= info->nr_nodes &&
		    info->vcpu_to_node[i] != PVHC_NUMA_NODE_UNKNOWN)
			return false;
	if (info->nr_guest_nodes > PVHC_NUMA_MAX_NODES)
		return false;
	for (i = 0; i < info->nr_guest_nodes; i++)
		if (info->node_mem_node[i] >= info->nr_nodes &&
		    info->node_mem_node[i] != PVHC_NUMA_NODE_UNKNOWN)
			return false;
	return true;
}

/**
 * pvhc_numa_info - the host NUMA topology as the guest sees it
 * @out: filled in on success; zeroed otherwise
 *
 * Context: process context.
 * Return: 0, -EINVAL for a NULL @out, -EOPNOTSUPP, -EIO if the backend
 * reported no nodes or more than PVHC_NUMA_MAX_NODES, no vCPUs or more than
 * PVHC_NUMA_HINT_MAX_CPUS, or a vCPU or a guest node's memory on a node
 * beyond @out->nr_nodes (PVHC_NUMA_NODE_UNKNOWN is allowed: the backend
 * does not know), or another -errno from the backend.
 */
int pvhc_numa_info(struct pvhc_numa_info *out)
{
	struct pvhc_backend *b;
	int idx, ret;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	b = pvhc_route_get(PVHC_FEAT_NUMA_INFO, &idx);
	if (!b) {
		ret = -EOPNOTSUPP;
	} else {
		ret = pvhc_check_status(b, PVHC_FEAT_NUMA_INFO,
					b->ops->numa_info(b->priv, out));
		if (!ret && !pvhc_numa_info_valid(out))
			ret = pvhc_bad(b, PVHC_FEAT_NUMA_INFO, out->nr_nodes);
		if (ret)
			memset(out, 0, sizeof(*out));
	}
	pvhc_route_put(idx);
	return ret;
}
EXPORT_SYMBOL_GPL(pvhc_numa_info);

/**
 * pvhc_pressure_read - read the host memory-pressure gauge
 * @out: filled in on success; left untouched otherwise
 *
 * Context: process context.
 * Return: 0, -EINVAL for a NULL @out, -EOPNOTSUPP, -EIO if the level is
 * above PVHC_PRESSURE_ONE, or another -errno from the backend.
 */
int pvhc_pressure_read(struct pvhc_pressure *out)
{
	struct pvhc_pressure p = {};
	struct pvhc_backend *b;
	int idx, ret;

	if (!out)
		return -EINVAL;
	b = pvhc_route_get(PVHC_FEAT_PRESSURE, &idx);
	if (!b) {
		ret = -EOPNOTSUPP;
	} else {
		ret = pvhc_check_status(b, PVHC_FEAT_PRESSURE,
					b->ops->pressure(b->priv, &p));
		if (!ret && p.level > PVHC_PRESSURE_ONE)
			ret = pvhc_bad(b, PVHC_FEAT_PRESSURE, p.level);
		if (!ret)
			*out = p;
	}
	pvhc_route_put(idx);
	return ret;
}
EXPORT_SYMBOL_GPL(pvhc_pressure_read);

static void pvhc_pressure_fn(struct work_struct *work)
{
	struct pvhc_pressure p;

	WRITE_ONCE(pvhc_pressure_last, jiffies);
	if (pvhc_pressure_read(&p))
		return;
	atomic_long_inc(&pvhc_pressure_runs);
	blocking_notifier_call_chain(&pvhc_pressure_chain, 0, &p);
}

/**
 * pvhc_pressure_changed - a backend's gauge changed
 * @b: the backend; ignored unless it serves PVHC_FEAT_PRESSURE
 *
 * Schedules one read of the gauge and a call of the pressure notifiers.
 * Calls that come while one is pending are merged into it, and runs are at
 * least 20 ms apart, so a flood of calls costs a few notifications.
 *
 * Context: any, including hard interrupts.
 */
void pvhc_pressure_changed(struct pvhc_backend *b)
{
	struct pvhc_backend *src;
	unsigned long now, next;
	int idx;

	src = pvhc_route_get(PVHC_FEAT_PRESSURE, &idx);
	if (!b || b != src) {
		atomic_long_inc(&pvhc_pressure_ignored);
	} else {
		atomic_long_inc(&pvhc_pressure_events);
		now = jiffies;
		next = READ_ONCE(pvhc_pressure_last) + PVHC_PRESSURE_INTERVAL;
		queue_delayed_work(system_wq, &pvhc_pressure_work,
				   time_after(next, now) ? next - now : 0);
	}
	pvhc_route_put(idx);
}
EXPORT_SYMBOL_GPL(pvhc_pressure_changed);

/**
 * pvhc_pressure_notifier_register - be told when the pressure gauge changes
 * @nb: called in process context with a validated struct pvhc_pressure as
 *      data (valid during the call only)
 *
 * Return: 0 or -errno from the notifier chain.
 */
int pvhc_pressure_notifier_register(struct notifier_block *nb)
{
	return blocking_notifier_chain_register(&pvhc_pressure_chain, nb);
}
EXPORT_SYMBOL_GPL(pvhc_pressure_notifier_register);

/**
 * pvhc_pressure_notifier_unregister - stop being told about the gauge
 * @nb: a notifier block passed to pvhc_pressure_notifier_register()
 *
 * Return: 0, or -ENOENT if @nb was not registered.
 */
int pvhc_pressure_notifier_unregister(struct notifier_block *nb)
{
	return blocking_notifier_chain_unregister(&pvhc_pressure_chain, nb);
}
EXPORT_SYMBOL_GPL(pvhc_pressure_notifier_unregister);

/**
 * pvhc_entropy_fetch - take bytes from the host's entropy source
 * @buf: where to put them
 * @len: how many to ask for; 0 is allowed
 *
 * The bytes come from the host and are not to be trusted: health-test and
 * mix them, credit them only by policy.
 *
 * Context: process context.
 * Return: the number of bytes written (0..@len), -EINVAL for a NULL @buf
 * with a non-zero @len or @len above SSIZE_MAX, -EOPNOTSUPP, -EIO if the
 * backend claimed more than @len bytes (@buf is then wiped), or another
 * -errno from the backend.
 */
ssize_t pvhc_entropy_fetch(void *buf, size_t len)
{
	struct pvhc_backend *b;
	ssize_t ret;
	int idx;

	if ((len && !buf) || len > SSIZE_MAX)
		return -EINVAL;
	b = pvhc_route_get(PVHC_FEAT_ENTROPY, &idx);
	if (!b) {
		ret = -EOPNOTSUPP;
	} else if (!len) {
		ret = 0;
	} else {
		ret = b->ops->entropy(b->priv, buf, len);
		if ((ret >= 0 && (size_t)ret > len) ||
		    (ret < 0 && !pvhc_is_errno(ret))) {
			memzero_explicit(buf, len);
			ret = pvhc_bad(b, PVHC_FEAT_ENTROPY, ret);
		}
	}
	pvhc_route_put(idx);
	return ret;
}
EXPORT_SYMBOL_GPL(pvhc_entropy_fetch);

/**
 * pvhc_lock_hint_reset - say "no lock held" for every CPU
 *
 * For a lock user that stops hinting: once it no longer writes (a static
 * key turned off), the words may still say a lock is held. Waits for the
 * writers in flight, then writes 0 into every CPU's word.
 *
 * Context: process context; may sleep.
 */
void pvhc_lock_hint_reset(void)
{
	unsigned int cpu;
	u32 *w;

	synchronize_rcu();
	/* pvhc_lock_hint_reroute() waits for this section before unmapping. */
	rcu_read_lock();
	for_each_possible_cpu(cpu) {
		w = READ_ONCE(per_cpu(pvhc_lock_hint_slot, cpu));
		if (w)
			WRITE_ONCE(*w, 0);
	}
	rcu_read_unlock();
}
EXPORT_SYMBOL_GPL(pvhc_lock_hint_reset);

/**
 * pvhc_lock_hint_seen - the host's count of lock hints it saw for a vCPU
 * @cpu: a possible CPU
 * @seen: the count, as the host wrote it (untrusted: for telemetry only)
 *
 * The hint itself is written with pvhc_lock_hint_set().
 *
 * Context: process context.
 * Return: 0, -EINVAL for a bad @cpu or NULL @seen, -EOPNOTSUPP, or
 * another -errno from the backend (-EINVAL: a CPU without a record).
 */
int pvhc_lock_hint_seen(unsigned int cpu, u32 *seen)
{
	struct pvhc_backend *b;
	int idx, ret;

	if (!pvhc_cpu_valid(cpu) || !seen)
		return -EINVAL;
	b = pvhc_route_get(PVHC_FEAT_LOCK_HINT, &idx);
	if (!b) {
		ret = -EOPNOTSUPP;
	} else {
		ret = b->ops->lock_hint_seen(b->priv, cpu, seen);
		if (ret && !pvhc_is_errno(ret))
			ret = pvhc_bad(b, PVHC_FEAT_LOCK_HINT, ret);
	}
	pvhc_route_put(idx);
	return ret;
}
EXPORT_SYMBOL_GPL(pvhc_lock_hint_seen);

const char *pvhc_hypervisor_name(enum pvhc_hypervisor hv)
{
	switch (hv) {
	case PVHC_HV_KVM:
		return "kvm";
	case PVHC_HV_XEN:
		return "xen";
	case PVHC_HV_OTHER:
		return "other";
	default:
		return "none";
	}
}

const char *pvhc_guest_type_name(void)
{
	switch (pvhc_guest) {
	case PVHC_GUEST_HVM:
		return "hvm";
	case PVHC_GUEST_PV:
		return "pv";
	case PVHC_GUEST_PVH:
		return "pvh";
	default:
		return "none";
	}
}

/*
 * The text of /sys/kernel/pvhc/{backend,backends,features,feature/<f>},
 * built under pvhc_lock so that each file shows one consistent state.
 * @buf is a sysfs page.
 */
ssize_t pvhc_fmt_backend(char *buf)
{
	struct pvhc_backend *b;
	ssize_t n;

	mutex_lock(&pvhc_lock);
	b = list_first_entry_or_null(&pvhc_backends, struct pvhc_backend,
				     node);
	n = sysfs_emit(buf, "%s\n", b ? b->name : "none");
	mutex_unlock(&pvhc_lock);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(pvhc_fmt_backend);

ssize_t pvhc_fmt_backends(char *buf)
{
	struct pvhc_backend *b;
	ssize_t n = 0;

	mutex_lock(&pvhc_lock);
	list_for_each_entry(b, &pvhc_backends, node)
		n += sysfs_emit_at(buf, n, "%s%s", n ? " " : "", b->name);
	n += sysfs_emit_at(buf, n, "\n");
	mutex_unlock(&pvhc_lock);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(pvhc_fmt_backends);

ssize_t pvhc_fmt_features(char *buf)
{
	ssize_t n = 0;
	int f;

	mutex_lock(&pvhc_lock);
	for (f = 0; f < PVHC_FEAT_NR; f++)
		if (rcu_access_pointer(pvhc_route[f]))
			n += sysfs_emit_at(buf, n, "%s%s", n ? " " : "",
					   pvhc_feature_names[f]);
	n += sysfs_emit_at(buf, n, "\n");
	mutex_unlock(&pvhc_lock);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(pvhc_fmt_features);

ssize_t pvhc_fmt_feature_source(enum pvhc_feature f, char *buf)
{
	struct pvhc_backend *b;
	ssize_t n;

	if ((unsigned int)f >= PVHC_FEAT_NR)
		return -EINVAL;
	mutex_lock(&pvhc_lock);
	b = rcu_dereference_protected(pvhc_route[f],
				      lockdep_is_held(&pvhc_lock));
	n = sysfs_emit(buf, "%s\n", b ? b->name : "none");
	mutex_unlock(&pvhc_lock);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(pvhc_fmt_feature_source);

static void pvhc_detect(void)
{
	if (xen_domain()) {
		pvhc_hv = PVHC_HV_XEN;
		if (xen_pvh_domain())
			pvhc_guest = PVHC_GUEST_PVH;
		else if (xen_pv_domain())
			pvhc_guest = PVHC_GUEST_PV;
		else
			pvhc_guest = PVHC_GUEST_HVM;
	} else if (kvm_para_available()) {
		pvhc_hv = PVHC_HV_KVM;
		pvhc_guest = PVHC_GUEST_HVM;
	} else if (boot_cpu_has(X86_FEATURE_HYPERVISOR)) {
		pvhc_hv = PVHC_HV_OTHER;
		pvhc_guest = PVHC_GUEST_HVM;
	} else {
		pvhc_hv = PVHC_HV_NONE;
		pvhc_guest = PVHC_GUEST_NONE;
	}
	pr_info("hypervisor %s, guest type %s\n",
		pvhc_hypervisor_name(pvhc_hv), pvhc_guest_type_name());
}

static void pvhc_register_builtin(void)
{
	int ret;

	switch (pvhc_hv) {
	case PVHC_HV_KVM:
		ret = pvhc_kvm_init();
		break;
	case PVHC_HV_XEN:
		ret = pvhc_xen_init();
		break;
	default:
		pr_info("no built-in backend for this host\n");
		return;
	}
	/* A backend that cannot come up leaves its features to others. */
	if (ret && ret != -EPERM)
		pr_warn("built-in %s backend unavailable (%d)\n",
			pvhc_hypervisor_name(pvhc_hv), ret);
}

static void pvhc_debugfs_init(void)
{
	pvhc_debugfs_root = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file_unsafe("pressure_events", 0444, pvhc_debugfs_root,
				   &pvhc_pressure_events, &pvhc_counter_fops);
	debugfs_create_file_unsafe("pressure_ignored", 0444, pvhc_debugfs_root,
				   &pvhc_pressure_ignored, &pvhc_counter_fops);
	debugfs_create_file_unsafe("pressure_runs", 0444, pvhc_debugfs_root,
				   &pvhc_pressure_runs, &pvhc_counter_fops);
}

static int __init pvhc_init(void)
{
	int ret;

	ret = pvhc_parse_deny(pvhc_deny_param, &pvhc_denied);
	if (ret)
		return ret;
	pvhc_detect();
	pvhc_pressure_last = jiffies - PVHC_PRESSURE_INTERVAL;

	pvhc_debugfs_init();
	ret = pvhc_sysfs_init();
	if (ret)
		goto remove_debugfs;
	pvhc_register_builtin();
	return 0;

remove_debugfs:
	debugfs_remove_recursive(pvhc_debugfs_root);
	return ret;
}

static void __exit pvhc_exit(void)
{
	pvhc_xen_exit();
	pvhc_kvm_exit();
	pvhc_sysfs_exit();
	WARN_ON(!list_empty(&pvhc_backends));
	cancel_delayed_work_sync(&pvhc_pressure_work);
	debugfs_remove_recursive(pvhc_debugfs_root);
}

module_init(pvhc_init);
module_exit(pvhc_exit);

MODULE_DESCRIPTION("Paravirtual hypercall shim for the pv guest modules");
MODULE_LICENSE("GPL");
