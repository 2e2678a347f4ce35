// SPDX-License-Identifier: GPL-2.0
/*
 * pvhc kvm backend: what a stock KVM host offers a guest, as the kernel
 * itself uses it (arch/x86/kernel/kvm.c, kvmclock.c, drivers/ptp).
 *
 * Every cpuid read and hypercall goes through a struct pvhc_kvm_hw so that
 * KUnit can drive the probe and the calls against a fake host.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cc_platform.h>
#include <linux/err.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/kvm_para.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pvhc.h>
#include <linux/slab.h>
#include <kunit/visibility.h>
#include <asm/cpufeature.h>
#include <asm/pvclock.h>	/* before kvmclock.h, which needs it */
#include <asm/kvmclock.h>
#include <asm/processor.h>
#include <asm/smp.h>

#include "pvhc_internal.h"

#define pvhc_kvm_info(k, fmt, ...)				\
	do {							\
		if (!(k)->quiet)				\
			pr_info(fmt, ##__VA_ARGS__);		\
	} while (0)

/* The real host. kvm_para_has_feature() is not usable from a module. */
static u32 pvhc_kvm_hw_features(void)
{
	u32 base = hypervisor_cpuid_base(KVM_SIGNATURE, 0);

	return base ? cpuid_eax(base | KVM_CPUID_FEATURES) : 0;
}

static bool pvhc_kvm_hw_preempt_wired(void)
{
	/* Set at boot when pv_ops.lock.vcpu_is_preempted is not native. */
	return boot_cpu_has(X86_FEATURE_VCPUPREEMPT);
}

static bool pvhc_kvm_hw_vcpu_preempted(unsigned int cpu)
{
	return vcpu_is_preempted(cpu);
}

static u32 pvhc_kvm_hw_apicid(unsigned int cpu)
{
	return per_cpu(x86_cpu_to_apicid, cpu);
}

static const struct pvclock_vcpu_time_info *
pvhc_kvm_hw_clock(unsigned int cpu)
{
	struct pvclock_vsyscall_time_info *p;

	p = READ_ONCE(per_cpu(hv_clock_per_cpu, cpu));
	return p ? &p->pvti : NULL;
}

static bool pvhc_kvm_hw_mem_encrypted(void)
{
	return cc_platform_has(CC_ATTR_GUEST_MEM_ENCRYPT);
}

static long pvhc_kvm_hw_hypercall1(unsigned int nr, unsigned long p1)
{
	return kvm_hypercall1(nr, p1);
}

static long pvhc_kvm_hw_hypercall2(unsigned int nr, unsigned long p1,
				   unsigned long p2)
{
	return kvm_hypercall2(nr, p1, p2);
}

static const struct pvhc_kvm_hw pvhc_kvm_hw_real = {
	.features = pvhc_kvm_hw_features,
	.preempt_wired = pvhc_kvm_hw_preempt_wired,
	.vcpu_preempted = pvhc_kvm_hw_vcpu_preempted,
	.apicid = pvhc_kvm_hw_apicid,
	.clock = pvhc_kvm_hw_clock,
	.mem_encrypted = pvhc_kvm_hw_mem_encrypted,
	.hypercall1 = pvhc_kvm_hw_hypercall1,
	.hypercall2 = pvhc_kvm_hw_hypercall2,
};

/* KVM hypercalls return 0 or -KVM_E*, whose values are Linux errnos. */
static int pvhc_kvm_errno(long ret)
{
	if (ret == -KVM_ENOSYS || ret == -KVM_EOPNOTSUPP)
		return -EOPNOTSUPP;
	if (ret == 0 || (ret < 0 && ret >= -MAX_ERRNO))
		return ret;
	return -EIO;
}

static int pvhc_kvm_vcpu_preempted(void *priv, unsigned int cpu)
{
	struct pvhc_kvm *k = priv;

	return k->hw->vcpu_preempted(cpu);
}

/*
 * KVM_HC_SCHED_YIELD names the vCPU to yield to (by APIC id); KVM has no
 * undirected yield hypercall, so an undirected yield is -EOPNOTSUPP.
 */
static int pvhc_kvm_yield_to(void *priv, int cpu)
{
	struct pvhc_kvm *k = priv;

	if (cpu < 0)
		return -EOPNOTSUPP;
	return pvhc_kvm_errno(k->hw->hypercall1(KVM_HC_SCHED_YIELD,
						k->hw->apicid(cpu)));
}

static int pvhc_kvm_kick(void *priv, unsigned int cpu)
{
	struct pvhc_kvm *k = priv;

	return pvhc_kvm_errno(k->hw->hypercall2(KVM_HC_KICK_CPU, 0,
						k->hw->apicid(cpu)));
}

/* The kernel's own kvmclock record, read-only to us. */
static int pvhc_kvm_clock_record(void *priv, unsigned int cpu,
				 const struct pvclock_vcpu_time_info **rec)
{
	struct pvhc_kvm *k = priv;
	const struct pvclock_vcpu_time_info *r = k->hw->clock(cpu);

	if (!r)
		return -ENODEV;
	*rec = r;
	return 0;
}

static int pvhc_kvm_clock_pairing(void *priv, struct pvhc_clock_pairing *out)
{
	struct pvhc_kvm *k = priv;
	struct kvm_clock_pairing *cp = k->pairing;
	long ret;

	mutex_lock(&k->pairing_lock);
	ret = k->hw->hypercall2(KVM_HC_CLOCK_PAIRING, k->pairing_pa,
				KVM_CLOCK_PAIRING_WALLCLOCK);
	if (!ret) {
		out->sec = READ_ONCE(cp->sec);
		out->nsec = READ_ONCE(cp->nsec);
		out->tsc = READ_ONCE(cp->tsc);
		out->flags = READ_ONCE(cp->flags);
	}
	mutex_unlock(&k->pairing_lock);
	return pvhc_kvm_errno(ret);
}

static const struct pvhc_backend_ops pvhc_kvm_ops = {
	.vcpu_preempted = pvhc_kvm_vcpu_preempted,
	.yield_to = pvhc_kvm_yield_to,
	.kick = pvhc_kvm_kick,
	.clock_record = pvhc_kvm_clock_record,
	.clock_pairing = pvhc_kvm_clock_pairing,
};

/* One KVM_HC_CLOCK_PAIRING at probe decides whether the host offers it. */
static bool pvhc_kvm_probe_pairing(struct pvhc_kvm *k)
{
	struct page *page;
	long ret;

	if (k->hw->mem_encrypted()) {
		/* The host could not write into encrypted memory. */
		pvhc_kvm_info(k, "clock pairing unavailable: guest memory is encrypted\n");
		return false;
	}
	page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!page) {
		pvhc_kvm_info(k, "clock pairing unavailable: out of memory\n");
		return false;
	}
	k->pairing = page_address(page);
	k->pairing_pa = page_to_phys(page);

	ret = k->hw->hypercall2(KVM_HC_CLOCK_PAIRING, k->pairing_pa,
				KVM_CLOCK_PAIRING_WALLCLOCK);
	if (!ret) {
		pvhc_kvm_info(k, "clock pairing: KVM_HC_CLOCK_PAIRING\n");
		return true;
	}
	if (ret == -KVM_ENOSYS)
		pvhc_kvm_info(k, "clock pairing unavailable: host lacks KVM_HC_CLOCK_PAIRING\n");
	else if (ret == -KVM_EOPNOTSUPP)
		pvhc_kvm_info(k, "clock pairing unavailable: host clock is not TSC based\n");
	else
		pvhc_kvm_info(k, "clock pairing unavailable: KVM_HC_CLOCK_PAIRING returned %ld\n",
			      ret);
	__free_page(page);
	k->pairing = NULL;
	k->pairing_pa = 0;
	return false;
}

static unsigned long pvhc_kvm_probe(struct pvhc_kvm *k)
{
	u32 cpuid = k->hw->features();
	unsigned long features = 0;

	k->cpuid_features = cpuid;

	if (!(cpuid & BIT(KVM_FEATURE_STEAL_TIME))) {
		pvhc_kvm_info(k, "preemption state unavailable: host lacks KVM_FEATURE_STEAL_TIME\n");
	} else if (!k->hw->preempt_wired()) {
		pvhc_kvm_info(k, "preemption state unavailable: vcpu_is_preempted() is not paravirtualized\n");
	} else {
		pvhc_kvm_info(k, "preemption state: steal time\n");
		features |= BIT(PVHC_FEAT_PREEMPTED);
	}

	if (!(cpuid & BIT(KVM_FEATURE_PV_SCHED_YIELD))) {
		pvhc_kvm_info(k, "directed yield unavailable: host lacks KVM_FEATURE_PV_SCHED_YIELD\n");
	} else {
		pvhc_kvm_info(k, "directed yield: KVM_HC_SCHED_YIELD (no undirected yield)\n");
		features |= BIT(PVHC_FEAT_YIELD);
	}

	if (!(cpuid & BIT(KVM_FEATURE_PV_UNHALT))) {
		pvhc_kvm_info(k, "kick unavailable: host lacks KVM_FEATURE_PV_UNHALT\n");
	} else {
		pvhc_kvm_info(k, "kick: KVM_HC_KICK_CPU\n");
		features |= BIT(PVHC_FEAT_KICK);
	}

	if (!(cpuid & (BIT(KVM_FEATURE_CLOCKSOURCE2) |
		       BIT(KVM_FEATURE_CLOCKSOURCE)))) {
		pvhc_kvm_info(k, "clock records unavailable: host lacks KVM_FEATURE_CLOCKSOURCE2\n");
	} else if (!k->hw->clock(0)) {
		pvhc_kvm_info(k, "clock records unavailable: kvmclock is not in use\n");
	} else {
		pvhc_kvm_info(k, "clock records: kvmclock\n");
		features |= BIT(PVHC_FEAT_CLOCK);
	}

	if (!cpuid)
		pvhc_kvm_info(k, "clock pairing unavailable: no KVM cpuid leaves\n");
	else if (pvhc_kvm_probe_pairing(k))
		features |= BIT(PVHC_FEAT_CLOCK_PAIRING);

	return features;
}

/**
 * pvhc_kvm_create - probe a KVM host and build its backend (unregistered)
 * @hw: how to reach the host: the real one or a KUnit fake
 * @quiet: do not log the probe's decisions
 *
 * Return: the backend, to be freed with pvhc_kvm_destroy(), or
 * ERR_PTR(-ENOMEM).
 */
VISIBLE_IF_KUNIT struct pvhc_kvm *pvhc_kvm_create(const struct pvhc_kvm_hw *hw,
						  bool quiet)
{
	struct pvhc_kvm *k;

	k = kzalloc(sizeof(*k), GFP_KERNEL);
	if (!k)
		return ERR_PTR(-ENOMEM);
	k->hw = hw;
	k->quiet = quiet;
	mutex_init(&k->pairing_lock);
	k->backend.name = "kvm";
	k->backend.priority = PVHC_PRIO_HYPERVISOR;
	k->backend.ops = &pvhc_kvm_ops;
	k->backend.priv = k;
	k->backend.owner = THIS_MODULE;
	k->backend.features = pvhc_kvm_probe(k);
	return k;
}
EXPORT_SYMBOL_IF_KUNIT(pvhc_kvm_create);

/**
 * pvhc_kvm_destroy - free a backend from pvhc_kvm_create()
 * @k: the backend, no longer registered
 */
VISIBLE_IF_KUNIT void pvhc_kvm_destroy(struct pvhc_kvm *k)
{
	if (k->pairing)
		free_page((unsigned long)k->pairing);
	mutex_destroy(&k->pairing_lock);
	kfree(k);
}
EXPORT_SYMBOL_IF_KUNIT(pvhc_kvm_destroy);

static struct pvhc_kvm *pvhc_kvm;

int pvhc_kvm_init(void)
{
	struct pvhc_kvm *k;
	int ret;

	k = pvhc_kvm_create(&pvhc_kvm_hw_real, false);
	if (IS_ERR(k))
		return PTR_ERR(k);
	ret = pvhc_backend_register(&k->backend);
	if (ret)
		goto destroy;
	pvhc_kvm = k;
	return 0;

destroy:
	pvhc_kvm_destroy(k);
	return ret;
}

void pvhc_kvm_exit(void)
{
	if (!pvhc_kvm)
		return;
	pvhc_backend_unregister(&pvhc_kvm->backend);
	pvhc_kvm_destroy(pvhc_kvm);
	pvhc_kvm = NULL;
}
