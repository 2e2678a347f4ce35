// SPDX-License-Identifier: GPL-2.0
/*
 * pvnuma: the guest tells the host which vCPUs work with which memory
 * (pvhc_numa_hint()), keeps what it said true, and shows where the guest
 * really runs (pvhc_numa_info()).
 *
 * The hints pvnuma keeps are automatic ones (one per guest node: that
 * node's online vCPUs work with that node's memory) and the user's
 * (/sys/kernel/pvnuma/hint_add). Each is sent once and followed until the
 * host answers; all are sent again when a backend that serves hints comes
 * or goes (a pvhost that recovered from a host restart forgot them), and
 * the automatic ones are rebuilt when a CPU comes or goes.
 *
 * Locking: pvnuma_lock guards the hint list and everything a hint holds.
 * The pvhc notifier and the CPU hotplug callbacks only set a flag and
 * queue pvnuma_sync_work, which does the work under the lock; the poll
 * work follows hints the host has not answered, with a growing period.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/cpumask.h>
#include <linux/jiffies.h>
#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/nodemask.h>
#include <linux/pvhc.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/topology.h>
#include <linux/workqueue.h>
#include <kunit/visibility.h>

#include "pvnuma.h"

static bool auto_hints = true;
module_param(auto_hints, bool, 0444);
MODULE_PARM_DESC(auto_hints,
		 "send one hint per guest node and keep it current (default Y)");

static unsigned int max_user_hints = PVNUMA_USER_DEFAULT;

static int pvnuma_max_user_set(const char *val, const struct kernel_param *kp)
{
	int ret = param_set_uint_minmax(val, kp, 1, PVNUMA_USER_LIMIT);

	if (ret)
		pr_err("max_user_hints: expected a number from 1 to %d\n",
		       PVNUMA_USER_LIMIT);
	return ret;
}

static const struct kernel_param_ops pvnuma_max_user_ops = {
	.set = pvnuma_max_user_set,
	.get = param_get_uint,
};

module_param_cb(max_user_hints, &pvnuma_max_user_ops, &max_user_hints, 0444);
MODULE_PARM_DESC(max_user_hints,
		 "hints hint_add may hold at once, 1..64 (default 8)");

/* The poll period starts here after a send and doubles up to the max. */
#define PVNUMA_POLL_MIN_MS	20
#define PVNUMA_POLL_MAX_MS	2000

/* Flags for pvnuma_sync_work. */
enum {
	PVNUMA_REBUILD,		/* CPUs changed: rebuild the automatic hints */
	PVNUMA_RESEND,		/* the backend changed: send every hint again */
};

struct pvnuma_hint {
	struct list_head list;
	unsigned int id;		/* ours, stable across re-sends */
	bool user;			/* from hint_add, else automatic */
	struct pvhc_numa_hint h;
	int host_id;			/* pvhc's id of the last send */
	enum pvnuma_state state;
	int err;			/* the last -errno, 0 if none */
	unsigned int sends;
	unsigned long since;		/* jiffies: last send, or creation */
};

static DEFINE_MUTEX(pvnuma_lock);
static LIST_HEAD(pvnuma_hints);
static unsigned int pvnuma_next_id = 1;
static unsigned int pvnuma_nr_user;
static bool pvnuma_stopping;
static bool pvnuma_placement_logged;
static unsigned int pvnuma_poll_ms = PVNUMA_POLL_MIN_MS;
static unsigned long pvnuma_flags;
/* Online CPUs as the hotplug callbacks see them; under cpus_read_lock(). */
static struct cpumask pvnuma_cpus;
static int pvnuma_cpu_node[PVHC_NUMA_HINT_MAX_CPUS];	/* under pvnuma_lock */
static enum cpuhp_state pvnuma_hp_state;
static struct kobject *pvnuma_kobj;

static void pvnuma_sync_fn(struct work_struct *work);
static void pvnuma_poll_fn(struct work_struct *work);
static DECLARE_WORK(pvnuma_sync_work, pvnuma_sync_fn);
static DECLARE_DELAYED_WORK(pvnuma_poll_work, pvnuma_poll_fn);

/* Follow the hints again soon. Under pvnuma_lock. */
static void pvnuma_poll_soon(void)
{
	lockdep_assert_held(&pvnuma_lock);
	if (pvnuma_stopping)
		return;
	pvnuma_poll_ms = PVNUMA_POLL_MIN_MS;
	mod_delayed_work(system_wq, &pvnuma_poll_work,
			 msecs_to_jiffies(pvnuma_poll_ms));
}

/* Send one hint; its state says what came of it. Under pvnuma_lock. */
static void pvnuma_send(struct pvnuma_hint *nh)
{
	int ret;

	ret = pvhc_numa_hint(&nh->h);
	if (ret >= 0) {
		nh->host_id = ret;
		nh->state = PVNUMA_PENDING;
		nh->err = 0;
		nh->sends++;
		nh->since = jiffies;
	} else if (ret == -EINVAL) {
		/* The backend has no such vCPU or node: sending again won't help. */
		nh->state = PVNUMA_ERROR;
		nh->err = ret;
	} else {
		nh->state = PVNUMA_UNSENT;
		nh->err = ret;
	}
}

/* A hint waiting for something pvnuma can do: send it or ask about it. */
static bool pvnuma_open(const struct pvnuma_hint *nh)
{
	return nh->state == PVNUMA_PENDING ||
	       (nh->state == PVNUMA_UNSENT && nh->err != -EOPNOTSUPP);
}

/* Ask the host about one pending hint. Under pvnuma_lock. */
static void pvnuma_refresh(struct pvnuma_hint *nh)
{
	int ret, state;

	if (nh->state != PVNUMA_PENDING)
		return;
	ret = pvhc_numa_status(nh->host_id);
	state = pvnuma_state_of(ret);
	if (state >= 0) {
		nh->state = state;
		nh->err = 0;
	} else if (ret == -EIO) {
		/* A malformed answer (counted by the backend): ask again. */
		nh->err = ret;
	} else {
		/* The backend forgot the id, or left: send it again. */
		nh->state = PVNUMA_UNSENT;
		nh->err = ret;
	}
}

/* The online CPUs' nodes into pvnuma_cpu_node. Under pvnuma_lock. */
static unsigned int pvnuma_read_cpus(void)
{
	unsigned int cpu, n;

	n = min_t(unsigned int, nr_cpu_ids, PVHC_NUMA_HINT_MAX_CPUS);
	cpus_read_lock();
	for (cpu = 0; cpu < n; cpu++)
		pvnuma_cpu_node[cpu] = cpumask_test_cpu(cpu, &pvnuma_cpus) ?
				       cpu_to_node(cpu) : NUMA_NO_NODE;
	cpus_read_unlock();
	return n;
}

static struct pvnuma_hint *pvnuma_hint_new(bool user)
{
	struct pvnuma_hint *nh = kzalloc(sizeof(*nh), GFP_KERNEL);

	if (!nh)
		return NULL;
	nh->user = user;
	nh->id = pvnuma_next_id++;
	nh->state = PVNUMA_UNSENT;
	nh->host_id = -1;
	nh->since = jiffies;
	return nh;
}

/*
 * Make the automatic hints what the online CPUs imply: a node whose CPUs
 * changed gets its hint updated and unsent, a node without CPUs loses its
 * hint, a new node gets one. Under pvnuma_lock.
 */
static void pvnuma_rebuild(void)
{
	struct pvnuma_hint *nh, *tmp;
	struct pvhc_numa_hint *want;
	unsigned int nr_cpus;
	bool *used;
	int n, i;

	want = kcalloc(PVHC_NUMA_MAX_NODES, sizeof(*want), GFP_KERNEL);
	used = kcalloc(PVHC_NUMA_MAX_NODES, sizeof(*used), GFP_KERNEL);
	if (!want || !used)
		goto out;
	n = 0;
	if (auto_hints) {
		nr_cpus = pvnuma_read_cpus();
		n = pvnuma_auto_build(pvnuma_cpu_node, nr_cpus, want,
				      PVHC_NUMA_MAX_NODES);
		if (n < 0) {
			pr_warn_once("more than %d guest nodes: no automatic hints\n",
				     PVHC_NUMA_MAX_NODES);
			n = 0;
		}
	}
	list_for_each_entry_safe(nh, tmp, &pvnuma_hints, list) {
		if (nh->user)
			continue;
		for (i = 0; i < n; i++)
			if (!used[i] && want[i].node == nh->h.node)
				break;
		if (i == n) {
			list_del(&nh->list);
			kfree(nh);
			continue;
		}
		used[i] = true;
		if (!bitmap_equal(nh->h.cpus, want[i].cpus,
				  PVHC_NUMA_HINT_MAX_CPUS)) {
			nh->h = want[i];
			nh->state = PVNUMA_UNSENT;
			nh->err = 0;
			nh->since = jiffies;
		}
	}
	for (i = 0; i < n; i++) {
		if (used[i])
			continue;
		nh = pvnuma_hint_new(false);
		if (!nh)
			break;
		nh->h = want[i];
		list_add_tail(&nh->list, &pvnuma_hints);
	}
out:
	kfree(used);
	kfree(want);
}

static void pvnuma_sync_fn(struct work_struct *work)
{
	struct pvnuma_hint *nh;

	mutex_lock(&pvnuma_lock);
	if (test_and_clear_bit(PVNUMA_REBUILD, &pvnuma_flags))
		pvnuma_rebuild();
	if (test_and_clear_bit(PVNUMA_RESEND, &pvnuma_flags)) {
		list_for_each_entry(nh, &pvnuma_hints, list) {
			nh->state = PVNUMA_UNSENT;
			nh->err = 0;
		}
	}
	/* Routes odd: a backend is leaving; the poll sends after it left. */
	if (!(pvhc_generation() & 1)) {
		list_for_each_entry(nh, &pvnuma_hints, list)
			if (nh->state == PVNUMA_UNSENT)
				pvnuma_send(nh);
	}
	pvnuma_poll_soon();
	mutex_unlock(&pvnuma_lock);
}

static void pvnuma_sync(unsigned int flag)
{
	set_bit(flag, &pvnuma_flags);
	queue_work(system_wq, &pvnuma_sync_work);
}

/* Log, once a load, where the guest's NUMA layout and the host disagree. */
static void pvnuma_check_placement(void);

static void pvnuma_poll_fn(struct work_struct *work)
{
	struct pvnuma_hint *nh;
	bool open = false;

	mutex_lock(&pvnuma_lock);
	list_for_each_entry(nh, &pvnuma_hints, list) {
		if (nh->state == PVNUMA_UNSENT && nh->err != -EOPNOTSUPP &&
		    !(pvhc_generation() & 1))
			pvnuma_send(nh);
		pvnuma_refresh(nh);
		open |= pvnuma_open(nh);
	}
	if (open && !pvnuma_stopping) {
		pvnuma_poll_ms = min(pvnuma_poll_ms * 2, PVNUMA_POLL_MAX_MS);
		queue_delayed_work(system_wq, &pvnuma_poll_work,
				   msecs_to_jiffies(pvnuma_poll_ms));
	}
	if (!open && !pvnuma_placement_logged && !list_empty(&pvnuma_hints)) {
		pvnuma_placement_logged = true;
		pvnuma_check_placement();
	}
	mutex_unlock(&pvnuma_lock);
}

static int pvnuma_notify(struct notifier_block *nb, unsigned long event,
			 void *data)
{
	const struct pvhc_backend *b = data;

	if (b && (b->features & BIT(PVHC_FEAT_NUMA_HINT)))
		pvnuma_sync(PVNUMA_RESEND);
	return NOTIFY_OK;
}

static struct notifier_block pvnuma_nb = {
	.notifier_call = pvnuma_notify,
};

static int pvnuma_cpu_online(unsigned int cpu)
{
	cpumask_set_cpu(cpu, &pvnuma_cpus);
	pvnuma_sync(PVNUMA_REBUILD);
	return 0;
}

static int pvnuma_cpu_offline(unsigned int cpu)
{
	cpumask_clear_cpu(cpu, &pvnuma_cpus);
	pvnuma_sync(PVNUMA_REBUILD);
	return 0;
}

/* The online vCPUs of guest node @node that a hint can name. */
static void pvnuma_node_cpus(int node, unsigned long *cpus)
{
	unsigned int cpu;

	bitmap_zero(cpus, PVHC_NUMA_HINT_MAX_CPUS);
	for_each_cpu(cpu, cpumask_of_node(node))
		if (cpu < PVHC_NUMA_HINT_MAX_CPUS && cpu_online(cpu))
			__set_bit(cpu, cpus);
}

static struct pvhc_numa_info *pvnuma_info_get(void)
{
	struct pvhc_numa_info *info = kmalloc(sizeof(*info), GFP_KERNEL);

	if (info && pvhc_numa_info(info)) {
		kfree(info);
		info = NULL;
	}
	return info;
}

static void pvnuma_check_placement(void)
{
	DECLARE_BITMAP(cpus, PVHC_NUMA_HINT_MAX_CPUS);
	nodemask_t seen = NODE_MASK_NONE;
	struct pvhc_numa_info *info;
	bool disagree = false;
	char msg[160];
	int node, score, len = 0;
	u32 host;

	info = pvnuma_info_get();
	if (!info)
		return;
	for_each_online_node(node) {
		pvnuma_node_cpus(node, cpus);
		score = pvnuma_node_score(info, cpus, node, &host);
		if (score == PVNUMA_SCORE_UNKNOWN || host >= MAX_NUMNODES)
			continue;
		if (score < 100 || node_isset(host, seen))
			disagree = true;
		node_set(host, seen);
		len += scnprintf(msg + len, sizeof(msg) - len,
				 " node%d->host%u(%d%%)", node, host, score);
	}
	if (disagree)
		pr_info("guest NUMA layout and host placement disagree:%s\n",
			msg);
	kfree(info);
}

/* sysfs: /sys/kernel/pvnuma/ */

static ssize_t source_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	char name[PVHC_NAME_MAX];

	return sysfs_emit(buf, "%s\n",
			  pvhc_feature_source_name(PVHC_FEAT_NUMA_HINT, name,
						   sizeof(name)));
}

static struct kobj_attribute pvnuma_attr_source = __ATTR_RO(source);

static ssize_t hints_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	struct pvnuma_hint *nh;
	int len = 0;

	mutex_lock(&pvnuma_lock);
	list_for_each_entry(nh, &pvnuma_hints, list) {
		pvnuma_refresh(nh);
		/* A line is at most about 100 bytes past its CPU list. */
		if (len > PAGE_SIZE - 128)
			break;
		len += sysfs_emit_at(buf, len,
				     "%u %s node=%d cpus=%*pbl status=%s sends=%u age_ms=%u",
				     nh->id, nh->user ? "user" : "auto",
				     nh->h.node, PVHC_NUMA_HINT_MAX_CPUS,
				     nh->h.cpus, pvnuma_state_names[nh->state],
				     nh->sends,
				     jiffies_to_msecs(jiffies - nh->since));
		if (nh->err)
			len += sysfs_emit_at(buf, len, " error=%d", nh->err);
		len += sysfs_emit_at(buf, len, "\n");
	}
	mutex_unlock(&pvnuma_lock);
	return len;
}

static struct kobj_attribute pvnuma_attr_hints = __ATTR_RO(hints);

static ssize_t hint_add_store(struct kobject *kobj,
			      struct kobj_attribute *attr, const char *buf,
			      size_t count)
{
	DECLARE_BITMAP(cpus, PVHC_NUMA_HINT_MAX_CPUS);
	struct pvhc_numa_hint h;
	struct pvnuma_hint *nh;
	const char *why;
	unsigned int cpu;
	int ret;

	bitmap_zero(cpus, PVHC_NUMA_HINT_MAX_CPUS);
	for_each_possible_cpu(cpu)
		if (cpu < PVHC_NUMA_HINT_MAX_CPUS)
			__set_bit(cpu, cpus);
	ret = pvnuma_parse_hint(buf, count, &node_states[N_ONLINE], cpus,
				PVHC_NUMA_HINT_MAX_CPUS, &h, &why);
	if (ret) {
		pr_info_ratelimited("hint_add: %s\n", why);
		return ret;
	}
	mutex_lock(&pvnuma_lock);
	list_for_each_entry(nh, &pvnuma_hints, list) {
		if (nh->user && nh->h.node == h.node &&
		    bitmap_equal(nh->h.cpus, h.cpus, PVHC_NUMA_HINT_MAX_CPUS)) {
			pr_info_ratelimited("hint_add: the same hint is hint %u\n",
					    nh->id);
			ret = -EEXIST;
			goto unlock;
		}
	}
	if (pvnuma_nr_user >= max_user_hints) {
		pr_info_ratelimited("hint_add: %u hints already (max_user_hints), remove one first\n",
				    max_user_hints);
		ret = -ENOSPC;
		goto unlock;
	}
	nh = pvnuma_hint_new(true);
	if (!nh) {
		ret = -ENOMEM;
		goto unlock;
	}
	nh->h = h;
	list_add_tail(&nh->list, &pvnuma_hints);
	pvnuma_nr_user++;
	pvnuma_send(nh);
	pvnuma_poll_soon();
unlock:
	mutex_unlock(&pvnuma_lock);
	return ret ? ret : count;
}

static struct kobj_attribute pvnuma_attr_hint_add = __ATTR_WO(hint_add);

static ssize_t hint_remove_store(struct kobject *kobj,
				 struct kobj_attribute *attr, const char *buf,
				 size_t count)
{
	struct pvnuma_hint *nh;
	const char *why;
	unsigned int id;
	int ret;

	ret = pvnuma_parse_id(buf, count, &id, &why);
	if (ret) {
		pr_info_ratelimited("hint_remove: %s\n", why);
		return ret;
	}
	ret = -ENOENT;
	mutex_lock(&pvnuma_lock);
	list_for_each_entry(nh, &pvnuma_hints, list) {
		if (nh->id != id)
			continue;
		if (!nh->user) {
			pr_info_ratelimited("hint_remove: hint %u is automatic (auto_hints=0 turns those off)\n",
					    id);
			ret = -EINVAL;
			break;
		}
		list_del(&nh->list);
		kfree(nh);
		pvnuma_nr_user--;
		ret = 0;
		break;
	}
	mutex_unlock(&pvnuma_lock);
	if (ret == -ENOENT)
		pr_info_ratelimited("hint_remove: no hint %u\n", id);
	return ret ? ret : count;
}

static struct kobj_attribute pvnuma_attr_hint_remove = __ATTR_WO(hint_remove);

static ssize_t placement_show(struct kobject *kobj,
			      struct kobj_attribute *attr, char *buf)
{
	DECLARE_BITMAP(cpus, PVHC_NUMA_HINT_MAX_CPUS);
	struct pvhc_numa_info *info;
	bool any;
	int node, score, len = 0;
	unsigned int cpu;
	u32 host, mem;

	info = pvnuma_info_get();
	for_each_online_node(node) {
		if (len > PAGE_SIZE - 192)
			break;
		pvnuma_node_cpus(node, cpus);
		len += sysfs_emit_at(buf, len, "node=%d cpus=%*pbl vcpu_host_nodes=",
				     node, PVHC_NUMA_HINT_MAX_CPUS, cpus);
		if (!info) {
			len += sysfs_emit_at(buf, len,
					     "unknown mem_host_node=unknown score=unknown\n");
			continue;
		}
		/* The host nodes of the node's vCPUs, each once, in order. */
		any = false;
		for (host = 0; host < info->nr_nodes; host++) {
			for_each_set_bit(cpu, cpus, PVHC_NUMA_HINT_MAX_CPUS)
				if (cpu < info->nr_vcpus &&
				    info->vcpu_to_node[cpu] == host)
					break;
			if (cpu >= PVHC_NUMA_HINT_MAX_CPUS)
				continue;
			len += sysfs_emit_at(buf, len, "%s%u", any ? "," : "",
					     host);
			any = true;
		}
		if (!any)
			len += sysfs_emit_at(buf, len, "unknown");
		mem = node < info->nr_guest_nodes ?
		      info->node_mem_node[node] : PVHC_NUMA_NODE_UNKNOWN;
		if (mem < info->nr_nodes)
			len += sysfs_emit_at(buf, len, " mem_host_node=%u", mem);
		else
			len += sysfs_emit_at(buf, len, " mem_host_node=unknown");
		score = pvnuma_node_score(info, cpus, node, &host);
		if (score == PVNUMA_SCORE_UNKNOWN)
			len += sysfs_emit_at(buf, len, " score=unknown\n");
		else
			len += sysfs_emit_at(buf, len, " score=%d\n", score);
	}
	kfree(info);
	return len;
}

static struct kobj_attribute pvnuma_attr_placement = __ATTR_RO(placement);

static ssize_t score_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	DECLARE_BITMAP(cpus, PVHC_NUMA_HINT_MAX_CPUS);
	struct pvhc_numa_info *info;
	int node, score, sum = 0, n = 0;
	u32 host;

	info = pvnuma_info_get();
	if (!info)
		return sysfs_emit(buf, "unknown\n");
	for_each_online_node(node) {
		pvnuma_node_cpus(node, cpus);
		score = pvnuma_node_score(info, cpus, node, &host);
		if (score == PVNUMA_SCORE_UNKNOWN)
			continue;
		sum += score;
		n++;
	}
	kfree(info);
	if (!n)
		return sysfs_emit(buf, "unknown\n");
	return sysfs_emit(buf, "%d\n", sum / n);
}

static struct kobj_attribute pvnuma_attr_score = __ATTR_RO(score);

static ssize_t distance_show(struct kobject *kobj,
			     struct kobj_attribute *attr, char *buf)
{
	struct pvhc_numa_info *info;
	u32 i, j;
	int len = 0;

	info = pvnuma_info_get();
	if (!info)
		return sysfs_emit(buf, "unknown\n");
	for (i = 0; i < info->nr_nodes; i++) {
		if (len > PAGE_SIZE - 4 * PVHC_NUMA_MAX_NODES - 2)
			break;
		for (j = 0; j < info->nr_nodes; j++)
			len += sysfs_emit_at(buf, len, "%s%u", j ? " " : "",
					     info->distance[i][j]);
		len += sysfs_emit_at(buf, len, "\n");
	}
	kfree(info);
	return len;
}

static struct kobj_attribute pvnuma_attr_distance = __ATTR_RO(distance);

static struct attribute *pvnuma_attrs[] = {
	&pvnuma_attr_source.attr,
	&pvnuma_attr_hints.attr,
	&pvnuma_attr_hint_add.attr,
	&pvnuma_attr_hint_remove.attr,
	&pvnuma_attr_placement.attr,
	&pvnuma_attr_score.attr,
	&pvnuma_attr_distance.attr,
	NULL
};

static const struct attribute_group pvnuma_group = {
	.attrs = pvnuma_attrs,
};

/**
 * pvnuma_flush - run the queued sync and a poll now, and wait for both
 *
 * For KUnit: after a backend came or went, the hints are re-sent and
 * their answers collected when this returns.
 */
void pvnuma_flush(void)
{
	flush_work(&pvnuma_sync_work);
	mutex_lock(&pvnuma_lock);
	if (!pvnuma_stopping)
		mod_delayed_work(system_wq, &pvnuma_poll_work, 0);
	mutex_unlock(&pvnuma_lock);
	flush_delayed_work(&pvnuma_poll_work);
}
EXPORT_SYMBOL_IF_KUNIT(pvnuma_flush);

/**
 * pvnuma_snapshot - the hints pvnuma keeps, and their states
 * @hints: filled with up to @max hints, in list order
 * @states: their enum pvnuma_state
 * @max: room in both
 *
 * Return: the number of hints kept (may exceed @max).
 */
int pvnuma_snapshot(struct pvhc_numa_hint *hints, int *states,
		    unsigned int max)
{
	struct pvnuma_hint *nh;
	unsigned int n = 0;

	mutex_lock(&pvnuma_lock);
	list_for_each_entry(nh, &pvnuma_hints, list) {
		if (n < max) {
			hints[n] = nh->h;
			states[n] = nh->state;
		}
		n++;
	}
	mutex_unlock(&pvnuma_lock);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(pvnuma_snapshot);

/*
 * Stop the work (a CPU event or a write may have queued some) and free
 * every hint. The files, the backend events and the CPU events are gone.
 */
static void pvnuma_stop(void)
{
	struct pvnuma_hint *nh, *tmp;

	mutex_lock(&pvnuma_lock);
	pvnuma_stopping = true;
	mutex_unlock(&pvnuma_lock);
	cancel_work_sync(&pvnuma_sync_work);
	cancel_delayed_work_sync(&pvnuma_poll_work);
	list_for_each_entry_safe(nh, tmp, &pvnuma_hints, list) {
		list_del(&nh->list);
		kfree(nh);
	}
}

static int __init pvnuma_init(void)
{
	char name[PVHC_NAME_MAX];
	int ret;

	cpus_read_lock();
	cpumask_copy(&pvnuma_cpus, cpu_online_mask);
	ret = cpuhp_setup_state_nocalls_cpuslocked(CPUHP_AP_ONLINE_DYN,
						   "pvnuma:online",
						   pvnuma_cpu_online,
						   pvnuma_cpu_offline);
	cpus_read_unlock();
	if (ret < 0)
		return ret;
	pvnuma_hp_state = ret;

	ret = pvhc_notifier_register(&pvnuma_nb);
	if (ret)
		goto remove_hp;

	pvnuma_kobj = kobject_create_and_add("pvnuma", kernel_kobj);
	if (!pvnuma_kobj) {
		ret = -ENOMEM;
		goto unregister_nb;
	}
	ret = sysfs_create_group(pvnuma_kobj, &pvnuma_group);
	if (ret)
		goto put_kobj;

	if (!auto_hints)
		pr_info("automatic hints off (auto_hints=0)\n");
	if (!pvhc_has_feature(PVHC_FEAT_NUMA_HINT))
		pr_info("no backend takes NUMA hints yet: hints are kept until one does\n");
	else
		pr_info("NUMA hints go to %s\n",
			pvhc_feature_source_name(PVHC_FEAT_NUMA_HINT, name,
						 sizeof(name)));
	set_bit(PVNUMA_REBUILD, &pvnuma_flags);
	pvnuma_sync(PVNUMA_RESEND);
	return 0;

put_kobj:
	kobject_put(pvnuma_kobj);
unregister_nb:
	pvhc_notifier_unregister(&pvnuma_nb);
remove_hp:
	cpuhp_remove_state_nocalls(pvnuma_hp_state);
	pvnuma_stop();
	return ret;
}

static void __exit pvnuma_exit(void)
{
	/* Stop new work: the files, the backend events, the CPU events. */
	kobject_put(pvnuma_kobj);
	pvhc_notifier_unregister(&pvnuma_nb);
	cpuhp_remove_state_nocalls(pvnuma_hp_state);
	pvnuma_stop();
}

module_init(pvnuma_init);
module_exit(pvnuma_exit);

MODULE_DESCRIPTION("Paravirtual NUMA hints: which vCPUs work with which memory");
MODULE_LICENSE("GPL");
