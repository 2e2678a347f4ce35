// SPDX-License-Identifier: GPL-2.0
/*
 * pvhc xen backend: what a stock Xen host offers a guest.
 *
 * HYPERVISOR_shared_info and the per-CPU xen_vcpu pointers are not exported
 * to modules, so the clock records are secondary vcpu_time_info areas that
 * pvhc registers per vCPU (VCPUOP_register_vcpu_time_memory_area), except
 * for vCPU 0 when the kernel registered one for its vDSO: Xen keeps one
 * secondary area per vCPU, so that one is shared, not replaced.
 *
 * Every hypercall and kernel query goes through a struct pvhc_xen_hw so that
 * KUnit can drive the probe and the calls against a fake host.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/build_bug.h>
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/cpumask.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/pvhc.h>
#include <linux/slab.h>
#include <kunit/visibility.h>
#include <xen/xen.h>
#include <xen/xen-ops.h>
#include <xen/interface/xen.h>
#include <xen/interface/memory.h>
#include <xen/interface/sched.h>
#include <xen/interface/vcpu.h>
#include <asm/cpufeature.h>
#include <asm/pvclock.h>
#include <asm/xen/hypervisor.h>
#include <asm/xen/hypercall.h>

#include "pvhc_internal.h"

static_assert(sizeof(struct pvhc_xen_vnuma_topology_info) == 40);

/* Bounds on what the host may ask us to allocate. */
#define PVHC_XEN_MAX_VCPUS	4096
#define PVHC_XEN_MAX_VMEMRANGES	1024

#define pvhc_xen_info(x, fmt, ...)				\
	do {							\
		if (!(x)->quiet)				\
			pr_info(fmt, ##__VA_ARGS__);		\
	} while (0)

/* The real host. */
static enum xen_domain_type pvhc_xen_hw_domain_type(void)
{
	return xen_domain_type;
}

static bool pvhc_xen_hw_preempt_wired(void)
{
	/* Set at boot when pv_ops.lock.vcpu_is_preempted is not native. */
	return boot_cpu_has(X86_FEATURE_VCPUPREEMPT);
}

static bool pvhc_xen_hw_vcpu_preempted(unsigned int cpu)
{
	return vcpu_is_preempted(cpu);
}

static u32 pvhc_xen_hw_vcpu_id(unsigned int cpu)
{
	return per_cpu(xen_vcpu_id, cpu);
}

static struct pvclock_vsyscall_time_info *pvhc_xen_hw_kernel_area(void)
{
	return pvclock_get_pvti_cpu0_va();
}

static int pvhc_xen_hw_vcpu_op(int cmd, u32 vcpu, void *arg)
{
	return HYPERVISOR_vcpu_op(cmd, vcpu, arg);
}

static int pvhc_xen_hw_sched_op(int cmd, void *arg)
{
	return HYPERVISOR_sched_op(cmd, arg);
}

static int pvhc_xen_hw_memory_op(unsigned int cmd, void *arg)
{
	return HYPERVISOR_memory_op(cmd, arg);
}

static const struct pvhc_xen_hw pvhc_xen_hw_real = {
	.domain_type = pvhc_xen_hw_domain_type,
	.preempt_wired = pvhc_xen_hw_preempt_wired,
	.vcpu_preempted = pvhc_xen_hw_vcpu_preempted,
	.vcpu_id = pvhc_xen_hw_vcpu_id,
	.kernel_area = pvhc_xen_hw_kernel_area,
	.vcpu_op = pvhc_xen_hw_vcpu_op,
	.sched_op = pvhc_xen_hw_sched_op,
	.memory_op = pvhc_xen_hw_memory_op,
};

/* The instance that follows CPU hotplug: the real host's, once loaded. */
static struct pvhc_xen *pvhc_xen_hp;

static bool pvhc_xen_kernel_area(struct pvhc_xen *x, unsigned int cpu)
{
	return x->kernel_area && x->hw->vcpu_id(cpu) == 0;
}

static int pvhc_xen_set_area(struct pvhc_xen *x, unsigned int cpu,
			     struct pvclock_vcpu_time_info *area)
{
	struct vcpu_register_time_memory_area t = { .addr.v = area };

	return x->hw->vcpu_op(VCPUOP_register_vcpu_time_memory_area,
			      x->hw->vcpu_id(cpu), &t);
}

/* Register @cpu's record and check it: the one path for every instance. */
static void pvhc_xen_cpu_up(struct pvhc_xen *x, unsigned int cpu)
{
	int ret;

	if (pvhc_xen_kernel_area(x, cpu)) {
		set_bit(cpu, x->clock_ok);
		return;
	}
	ret = pvhc_xen_set_area(x, cpu, &x->areas[cpu].pvti);
	if (ret) {
		if (!x->clock_failed)
			pvhc_xen_info(x, "clock record of CPU %u unavailable: VCPUOP_register_vcpu_time_memory_area returned %d\n",
				      cpu, ret);
		x->clock_failed = true;
		return;
	}
	/* Xen fills the area as it registers it: a blank one is no clock. */
	if (!READ_ONCE(x->areas[cpu].pvti.tsc_to_system_mul)) {
		pvhc_xen_set_area(x, cpu, NULL);
		if (!x->clock_failed)
			pvhc_xen_info(x, "clock record of CPU %u unavailable: Xen left it blank\n",
				      cpu);
		x->clock_failed = true;
		return;
	}
	set_bit(cpu, x->clock_ok);
}

static void pvhc_xen_cpu_down(struct pvhc_xen *x, unsigned int cpu)
{
	if (test_and_clear_bit(cpu, x->clock_ok) &&
	    !pvhc_xen_kernel_area(x, cpu))
		pvhc_xen_set_area(x, cpu, NULL);
}

/* cpuhp callbacks: they run on @cpu itself. */
static int pvhc_xen_cpu_online(unsigned int cpu)
{
	pvhc_xen_cpu_up(pvhc_xen_hp, cpu);
	return 0;	/* never hold up CPU hotplug */
}

static int pvhc_xen_cpu_offline(unsigned int cpu)
{
	pvhc_xen_cpu_down(pvhc_xen_hp, cpu);
	return 0;
}

/*
 * The real host's records follow CPU hotplug (one instance only); a fake
 * host gets one for each CPU online now, through the same checks.
 */
static int pvhc_xen_areas_start(struct pvhc_xen *x)
{
	unsigned int cpu;
	int ret;

	if (!x->hotplug) {
		cpus_read_lock();
		for_each_online_cpu(cpu)
			pvhc_xen_cpu_up(x, cpu);
		cpus_read_unlock();
		return 0;
	}
	pvhc_xen_hp = x;
	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "pvhc/xen:online",
				pvhc_xen_cpu_online, pvhc_xen_cpu_offline);
	if (ret < 0) {
		pvhc_xen_hp = NULL;
		return ret;
	}
	x->cpuhp_state = ret;
	return 0;
}

static void pvhc_xen_areas_stop(struct pvhc_xen *x)
{
	unsigned int cpu;

	if (!x->hotplug) {
		for_each_set_bit(cpu, x->clock_ok, nr_cpu_ids)
			pvhc_xen_cpu_down(x, cpu);
		return;
	}
	cpuhp_remove_state(x->cpuhp_state);
	x->cpuhp_state = 0;
	pvhc_xen_hp = NULL;
}

static void pvhc_xen_clock_free(struct pvhc_xen *x)
{
	bitmap_free(x->clock_ok);
	x->clock_ok = NULL;
	if (x->areas)
		free_pages_exact(x->areas, x->areas_size);
	x->areas = NULL;
}

static bool pvhc_xen_clock_init(struct pvhc_xen *x)
{
	int ret;

	x->kernel_area = x->hw->kernel_area();
	x->areas_size = PAGE_ALIGN(nr_cpu_ids * sizeof(*x->areas));
	x->areas = alloc_pages_exact(x->areas_size, GFP_KERNEL | __GFP_ZERO);
	x->clock_ok = bitmap_zalloc(nr_cpu_ids, GFP_KERNEL);
	if (!x->areas || !x->clock_ok) {
		pvhc_xen_info(x, "clock records unavailable: out of memory\n");
		goto free;
	}
	ret = pvhc_xen_areas_start(x);
	if (ret < 0) {
		pvhc_xen_info(x, "clock records unavailable: no CPU hotplug state (%d)\n",
			      ret);
		goto free;
	}
	if (x->clock_failed) {
		pvhc_xen_info(x, "clock records unavailable: host refused a vcpu_time_info area\n");
		goto stop_areas;
	}
	pvhc_xen_info(x, "clock records: secondary vcpu_time_info areas%s\n",
		      x->kernel_area ? " (vCPU 0 shares the kernel's)" : "");
	return true;

stop_areas:
	pvhc_xen_areas_stop(x);
free:
	pvhc_xen_clock_free(x);
	return false;
}

static void pvhc_xen_clock_exit(struct pvhc_xen *x)
{
	if (!x->areas)
		return;
	pvhc_xen_areas_stop(x);
	pvhc_xen_clock_free(x);
}

static int pvhc_xen_vcpu_preempted(void *priv, unsigned int cpu)
{
	struct pvhc_xen *x = priv;

	return x->hw->vcpu_preempted(cpu);
}

/* Xen has no directed yield for guests: every yield is SCHEDOP_yield. */
static int pvhc_xen_yield_to(void *priv, int cpu)
{
	struct pvhc_xen *x = priv;

	return x->hw->sched_op(SCHEDOP_yield, NULL);
}

static int pvhc_xen_clock_record(void *priv, unsigned int cpu,
				 const struct pvclock_vcpu_time_info **rec)
{
	struct pvhc_xen *x = priv;

	if (!x->clock_ok || !test_bit(cpu, x->clock_ok))
		return -ENODEV;
	*rec = pvhc_xen_kernel_area(x, cpu) ? &x->kernel_area->pvti :
					      &x->areas[cpu].pvti;
	return 0;
}

/* Ask for the sizes only: Xen answers -ENOBUFS with them filled in. */
static int pvhc_xen_vnuma_sizes(struct pvhc_xen *x,
				struct pvhc_xen_vnuma_topology_info *t)
{
	memset(t, 0, sizeof(*t));
	t->domid = DOMID_SELF;
	return x->hw->memory_op(PVHC_XENMEM_GET_VNUMAINFO, t);
}

static int pvhc_xen_numa_info(void *priv, struct pvhc_numa_info *out)
{
	struct pvhc_xen *x = priv;
	struct pvhc_xen_vnuma_topology_info t;
	struct pvhc_xen_vmemrange *ranges = NULL;
	u32 *dist = NULL, *map = NULL;
	u32 nodes, vcpus, nranges, i, j;
	int tries, ret;

	for (tries = 0; tries < 3; tries++) {
		ret = pvhc_xen_vnuma_sizes(x, &t);
		if (ret != -ENOBUFS)
			return ret ? ret : -EIO;
		nodes = t.nr_vnodes;
		vcpus = t.nr_vcpus;
		nranges = t.nr_vmemranges;
		if (!nodes || !vcpus)
			return -EIO;
		if (nodes > PVHC_NUMA_MAX_NODES || vcpus > PVHC_XEN_MAX_VCPUS ||
		    nranges > PVHC_XEN_MAX_VMEMRANGES)
			return -E2BIG;

		dist = kcalloc(nodes * nodes, sizeof(*dist), GFP_KERNEL);
		map = kcalloc(vcpus, sizeof(*map), GFP_KERNEL);
		ranges = kcalloc(max(nranges, 1U), sizeof(*ranges), GFP_KERNEL);
		if (!dist || !map || !ranges) {
			ret = -ENOMEM;
			goto free;
		}
		t.domid = DOMID_SELF;
		t.pad = 0;
		t.nr_vnodes = nodes;
		t.nr_vcpus = vcpus;
		t.nr_vmemranges = nranges;
		t.vdistance = (unsigned long)dist;
		t.vcpu_to_vnode = (unsigned long)map;
		t.vmemrange = (unsigned long)ranges;
		ret = x->hw->memory_op(PVHC_XENMEM_GET_VNUMAINFO, &t);
		if (ret != -ENOBUFS)
			break;
		/* The topology changed between the two calls: again. */
		kfree(ranges);
		kfree(map);
		kfree(dist);
		ranges = NULL;
		map = NULL;
		dist = NULL;
	}
	if (ret)
		goto free;

	/* Xen wrote back how much it filled in: never more than we gave. */
	nodes = min(t.nr_vnodes, nodes);
	vcpus = min(t.nr_vcpus, vcpus);
	out->nr_nodes = nodes;
	/* vCPUs beyond what struct pvhc_numa_info holds are left out. */
	out->nr_vcpus = min_t(u32, vcpus, PVHC_NUMA_HINT_MAX_CPUS);
	for (i = 0; i < out->nr_vcpus; i++)
		out->vcpu_to_node[i] = map[i];
	for (i = 0; i < nodes; i++)
		for (j = 0; j < nodes; j++)
			out->distance[i][j] = dist[i * nodes + j];
free:
	kfree(ranges);
	kfree(map);
	kfree(dist);
	return ret;
}

static bool pvhc_xen_numa_probe(struct pvhc_xen *x)
{
	struct pvhc_xen_vnuma_topology_info t;
	int ret;

	ret = pvhc_xen_vnuma_sizes(x, &t);
	if (ret == -ENOBUFS && t.nr_vnodes && t.nr_vcpus &&
	    t.nr_vnodes <= PVHC_NUMA_MAX_NODES) {
		pvhc_xen_info(x, "NUMA info: XENMEM_get_vnumainfo, %u virtual nodes\n",
			      t.nr_vnodes);
		return true;
	}
	if (ret == -ENOBUFS)
		pvhc_xen_info(x, "NUMA info unavailable: %u virtual nodes is out of range\n",
			      t.nr_vnodes);
	else if (ret == -EOPNOTSUPP)
		pvhc_xen_info(x, "NUMA info unavailable: the domain has no vNUMA topology\n");
	else
		pvhc_xen_info(x, "NUMA info unavailable: XENMEM_get_vnumainfo returned %d\n",
			      ret);
	return false;
}

static const struct pvhc_backend_ops pvhc_xen_ops = {
	.vcpu_preempted = pvhc_xen_vcpu_preempted,
	.yield_to = pvhc_xen_yield_to,
	.clock_record = pvhc_xen_clock_record,
	.numa_info = pvhc_xen_numa_info,
};

static unsigned long pvhc_xen_probe(struct pvhc_xen *x)
{
	unsigned long features = BIT(PVHC_FEAT_YIELD);

	if (x->hw->preempt_wired()) {
		pvhc_xen_info(x, "preemption state: vCPU runstate\n");
		features |= BIT(PVHC_FEAT_PREEMPTED);
	} else {
		pvhc_xen_info(x, "preemption state unavailable: Xen PV spinlocks are off\n");
	}
	pvhc_xen_info(x, "yield: SCHEDOP_yield (undirected; a directed yield falls back to it)\n");
	if (pvhc_xen_clock_init(x))
		features |= BIT(PVHC_FEAT_CLOCK);
	if (pvhc_xen_numa_probe(x))
		features |= BIT(PVHC_FEAT_NUMA_INFO);
	return features;
}

/**
 * pvhc_xen_create - probe a Xen host and build its backend (unregistered)
 * @hw: how to reach the host: the real one or a KUnit fake
 * @quiet: do not log the probe's decisions
 *
 * The real host's clock records follow CPU hotplug; a fake host's are
 * registered for the CPUs online now, through the same checks.
 *
 * Return: the backend, to be freed with pvhc_xen_destroy(), ERR_PTR(-ENODEV)
 * if @hw is not a Xen domain, or ERR_PTR(-ENOMEM).
 */
VISIBLE_IF_KUNIT struct pvhc_xen *pvhc_xen_create(const struct pvhc_xen_hw *hw,
						  bool quiet)
{
	struct pvhc_xen *x;

	x = kzalloc(sizeof(*x), GFP_KERNEL);
	if (!x)
		return ERR_PTR(-ENOMEM);
	x->hw = hw;
	x->quiet = quiet;
	x->hotplug = hw == &pvhc_xen_hw_real;
	if (hw->domain_type() == XEN_NATIVE) {
		/* None of the hypercalls below would exist. */
		pvhc_xen_info(x, "xen backend unavailable: not a Xen domain\n");
		kfree(x);
		return ERR_PTR(-ENODEV);
	}
	x->backend.name = "xen";
	x->backend.priority = PVHC_PRIO_HYPERVISOR;
	x->backend.ops = &pvhc_xen_ops;
	x->backend.priv = x;
	x->backend.owner = THIS_MODULE;
	x->backend.features = pvhc_xen_probe(x);
	return x;
}
EXPORT_SYMBOL_IF_KUNIT(pvhc_xen_create);

/**
 * pvhc_xen_destroy - unregister the clock records and free a backend
 * @x: the backend, no longer registered
 */
VISIBLE_IF_KUNIT void pvhc_xen_destroy(struct pvhc_xen *x)
{
	pvhc_xen_clock_exit(x);
	kfree(x);
}
EXPORT_SYMBOL_IF_KUNIT(pvhc_xen_destroy);

static struct pvhc_xen *pvhc_xen;

int pvhc_xen_init(void)
{
	struct pvhc_xen *x;
	int ret;

	x = pvhc_xen_create(&pvhc_xen_hw_real, false);
	if (IS_ERR(x))
		return PTR_ERR(x);
	ret = pvhc_backend_register(&x->backend);
	if (ret)
		goto destroy;
	pvhc_xen = x;
	return 0;

destroy:
	pvhc_xen_destroy(x);
	return ret;
}

void pvhc_xen_exit(void)
{
	if (!pvhc_xen)
		return;
	pvhc_backend_unregister(&pvhc_xen->backend);
	pvhc_xen_destroy(pvhc_xen);
	pvhc_xen = NULL;
}
