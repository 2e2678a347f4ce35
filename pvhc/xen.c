// SPDX-License-Identifier: GPL-2.0
/*
 * pvhc xen backend: what a stock Xen host offers a guest.
 *
 * HYPERVISOR_shared_info and the per-CPU xen_vcpu pointers are not exported
 * to modules, so the clock records are secondary vcpu_time_info areas that
 * pvhc registers per vCPU (VCPUOP_register_vcpu_time_memory_area), except
 * for vCPU 0 when the kernel registered one for its vDSO: Xen keeps one
 * secondary area per vCPU, so that one is shared, not replaced.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/build_bug.h>
#include <linux/cpuhotplug.h>
#include <linux/cpumask.h>
#include <linux/gfp.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/pvhc.h>
#include <linux/slab.h>
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

/*
 * XENMEM_get_vnumainfo is missing from Linux's copy of Xen's public headers;
 * this is xen/include/public/memory.h (Xen 4.5 and later). The guest handles
 * are guest virtual addresses, 64 bits wide on x86.
 */
#define PVHC_XENMEM_GET_VNUMAINFO	26

struct pvhc_xen_vmemrange {
	u64 start;
	u64 end;
	u32 flags;
	u32 nid;
};

struct pvhc_xen_vnuma_topology_info {
	u16 domid;
	u16 pad;
	u32 nr_vnodes;
	u32 nr_vcpus;
	u32 nr_vmemranges;
	u64 vdistance;		/* u32[nr_vnodes][nr_vnodes] */
	u64 vcpu_to_vnode;	/* u32[nr_vcpus] */
	u64 vmemrange;		/* struct pvhc_xen_vmemrange[nr_vmemranges] */
};

static_assert(sizeof(struct pvhc_xen_vnuma_topology_info) == 40);

/* Bounds on what the host may ask us to allocate. */
#define PVHC_XEN_MAX_VCPUS	4096
#define PVHC_XEN_MAX_VMEMRANGES	1024

struct pvhc_xen {
	struct pvhc_backend backend;
	/* One record per CPU id; page-aligned, one cache line each. */
	struct pvclock_vsyscall_time_info *areas;
	size_t areas_size;
	/* vCPU 0's area if the kernel registered it, else NULL. */
	struct pvclock_vsyscall_time_info *kernel_area;
	unsigned long *clock_ok;	/* the CPU's record is registered */
	int cpuhp_state;
	bool clock_failed;		/* a registration failed */
	bool registered;
};

static struct pvhc_xen pvhc_xen;

static bool pvhc_xen_kernel_area(unsigned int cpu)
{
	return pvhc_xen.kernel_area && per_cpu(xen_vcpu_id, cpu) == 0;
}

static int pvhc_xen_set_area(unsigned int cpu,
			     struct pvclock_vcpu_time_info *area)
{
	struct vcpu_register_time_memory_area t = { .addr.v = area };

	return HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_time_memory_area,
				  per_cpu(xen_vcpu_id, cpu), &t);
}

/* cpuhp callbacks: they run on @cpu itself. */
static int pvhc_xen_cpu_online(unsigned int cpu)
{
	struct pvhc_xen *x = &pvhc_xen;
	int ret;

	if (pvhc_xen_kernel_area(cpu)) {
		set_bit(cpu, x->clock_ok);
		return 0;
	}
	ret = pvhc_xen_set_area(cpu, &x->areas[cpu].pvti);
	if (ret) {
		if (!x->clock_failed)
			pr_info("clock record of CPU %u unavailable: VCPUOP_register_vcpu_time_memory_area returned %d\n",
				cpu, ret);
		x->clock_failed = true;
		return 0;	/* never hold up CPU hotplug */
	}
	/* Xen fills the area as it registers it: a blank one is no clock. */
	if (!READ_ONCE(x->areas[cpu].pvti.tsc_to_system_mul)) {
		pvhc_xen_set_area(cpu, NULL);
		if (!x->clock_failed)
			pr_info("clock record of CPU %u unavailable: Xen left it blank\n",
				cpu);
		x->clock_failed = true;
		return 0;
	}
	set_bit(cpu, x->clock_ok);
	return 0;
}

static int pvhc_xen_cpu_offline(unsigned int cpu)
{
	struct pvhc_xen *x = &pvhc_xen;

	if (test_and_clear_bit(cpu, x->clock_ok) && !pvhc_xen_kernel_area(cpu))
		pvhc_xen_set_area(cpu, NULL);
	return 0;
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

	x->kernel_area = pvclock_get_pvti_cpu0_va();
	x->areas_size = PAGE_ALIGN(nr_cpu_ids * sizeof(*x->areas));
	x->areas = alloc_pages_exact(x->areas_size, GFP_KERNEL | __GFP_ZERO);
	x->clock_ok = bitmap_zalloc(nr_cpu_ids, GFP_KERNEL);
	if (!x->areas || !x->clock_ok) {
		pr_info("clock records unavailable: out of memory\n");
		goto free;
	}
	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "pvhc/xen:online",
				pvhc_xen_cpu_online, pvhc_xen_cpu_offline);
	if (ret < 0) {
		pr_info("clock records unavailable: no CPU hotplug state (%d)\n",
			ret);
		goto free;
	}
	x->cpuhp_state = ret;
	if (x->clock_failed) {
		pr_info("clock records unavailable: host refused a vcpu_time_info area\n");
		goto remove_state;
	}
	pr_info("clock records: secondary vcpu_time_info areas%s\n",
		x->kernel_area ? " (vCPU 0 shares the kernel's)" : "");
	return true;

remove_state:
	cpuhp_remove_state(x->cpuhp_state);
free:
	pvhc_xen_clock_free(x);
	return false;
}

static void pvhc_xen_clock_exit(struct pvhc_xen *x)
{
	if (!x->areas)
		return;
	cpuhp_remove_state(x->cpuhp_state);
	pvhc_xen_clock_free(x);
}

static int pvhc_xen_vcpu_preempted(void *priv, unsigned int cpu)
{
	return vcpu_is_preempted(cpu);
}

/* Xen has no directed yield for guests: every yield is SCHEDOP_yield. */
static int pvhc_xen_yield_to(void *priv, int cpu)
{
	return HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
}

static int pvhc_xen_clock_record(void *priv, unsigned int cpu,
				 const struct pvclock_vcpu_time_info **rec)
{
	struct pvhc_xen *x = priv;

	if (!test_bit(cpu, x->clock_ok))
		return -ENODEV;
	*rec = pvhc_xen_kernel_area(cpu) ? &x->kernel_area->pvti :
					   &x->areas[cpu].pvti;
	return 0;
}

/* Ask for the sizes only: Xen answers -ENOBUFS with them filled in. */
static int pvhc_xen_vnuma_sizes(struct pvhc_xen_vnuma_topology_info *t)
{
	memset(t, 0, sizeof(*t));
	t->domid = DOMID_SELF;
	return HYPERVISOR_memory_op(PVHC_XENMEM_GET_VNUMAINFO, t);
}

static int pvhc_xen_numa_info(void *priv, struct pvhc_numa_info *out)
{
	struct pvhc_xen_vnuma_topology_info t;
	struct pvhc_xen_vmemrange *ranges = NULL;
	u32 *dist = NULL, *map = NULL;
	u32 nodes, vcpus, nranges, i, j;
	int tries, ret;

	for (tries = 0; tries < 3; tries++) {
		ret = pvhc_xen_vnuma_sizes(&t);
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
		ret = HYPERVISOR_memory_op(PVHC_XENMEM_GET_VNUMAINFO, &t);
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

static bool pvhc_xen_numa_probe(void)
{
	struct pvhc_xen_vnuma_topology_info t;
	int ret;

	ret = pvhc_xen_vnuma_sizes(&t);
	if (ret == -ENOBUFS && t.nr_vnodes && t.nr_vcpus &&
	    t.nr_vnodes <= PVHC_NUMA_MAX_NODES) {
		pr_info("NUMA info: XENMEM_get_vnumainfo, %u virtual nodes\n",
			t.nr_vnodes);
		return true;
	}
	if (ret == -ENOBUFS)
		pr_info("NUMA info unavailable: %u virtual nodes is out of range\n",
			t.nr_vnodes);
	else if (ret == -EOPNOTSUPP)
		pr_info("NUMA info unavailable: the domain has no vNUMA topology\n");
	else
		pr_info("NUMA info unavailable: XENMEM_get_vnumainfo returned %d\n",
			ret);
	return false;
}

static const struct pvhc_backend_ops pvhc_xen_ops = {
	.vcpu_preempted = pvhc_xen_vcpu_preempted,
	.yield_to = pvhc_xen_yield_to,
	.clock_record = pvhc_xen_clock_record,
	.numa_info = pvhc_xen_numa_info,
};

int pvhc_xen_init(void)
{
	struct pvhc_xen *x = &pvhc_xen;
	unsigned long features = BIT(PVHC_FEAT_YIELD);
	int ret;

	x->backend.name = "xen";
	x->backend.priority = PVHC_PRIO_HYPERVISOR;
	x->backend.ops = &pvhc_xen_ops;
	x->backend.priv = x;
	x->backend.owner = THIS_MODULE;

	if (boot_cpu_has(X86_FEATURE_VCPUPREEMPT)) {
		pr_info("preemption state: vCPU runstate\n");
		features |= BIT(PVHC_FEAT_PREEMPTED);
	} else {
		pr_info("preemption state unavailable: Xen PV spinlocks are off\n");
	}
	pr_info("yield: SCHEDOP_yield (undirected; a directed yield falls back to it)\n");
	if (pvhc_xen_clock_init(x))
		features |= BIT(PVHC_FEAT_CLOCK);
	if (pvhc_xen_numa_probe())
		features |= BIT(PVHC_FEAT_NUMA_INFO);
	x->backend.features = features;

	ret = pvhc_backend_register(&x->backend);
	if (ret)
		goto clock_exit;
	x->registered = true;
	return 0;

clock_exit:
	pvhc_xen_clock_exit(x);
	return ret;
}

void pvhc_xen_exit(void)
{
	struct pvhc_xen *x = &pvhc_xen;

	if (!x->registered)
		return;
	pvhc_backend_unregister(&x->backend);
	x->registered = false;
	pvhc_xen_clock_exit(x);
}
