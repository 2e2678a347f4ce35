/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvhc internals shared by the objects of pvhc.ko and its KUnit test.
 */
#ifndef _PVHC_INTERNAL_H
#define _PVHC_INTERNAL_H

#include <linux/mutex.h>
#include <linux/pvhc.h>
#include <linux/types.h>
#include <xen/xen.h>

/* How the guest is virtualized, for /sys/kernel/pvhc/guest_type. */
enum pvhc_guest_type {
	PVHC_GUEST_NONE,
	PVHC_GUEST_HVM,
	PVHC_GUEST_PV,
	PVHC_GUEST_PVH,
};

/* Backend names the deny= parameter knows, as bits of the deny mask. */
enum pvhc_known_backend {
	PVHC_KNOWN_KVM,
	PVHC_KNOWN_XEN,
	PVHC_KNOWN_PVHOST,
	PVHC_KNOWN_TEST,
	PVHC_KNOWN_NR
};

/* core.c */
const char *pvhc_hypervisor_name(enum pvhc_hypervisor hv);
const char *pvhc_guest_type_name(void);
ssize_t pvhc_fmt_backend(char *buf);
ssize_t pvhc_fmt_backends(char *buf);
ssize_t pvhc_fmt_features(char *buf);
ssize_t pvhc_fmt_feature_source(enum pvhc_feature f, char *buf);

/* sysfs.c */
int pvhc_sysfs_init(void);
void pvhc_sysfs_exit(void);

/* kvm.c */
#if IS_ENABLED(CONFIG_KVM_GUEST)
struct kvm_clock_pairing;

/*
 * What the kvm backend needs from the CPU and the host, behind one table so
 * that KUnit can drive the backend with a fake host.
 */
struct pvhc_kvm_hw {
	u32 (*features)(void);		/* KVM_CPUID_FEATURES eax, 0: not KVM */
	bool (*preempt_wired)(void);	/* vcpu_is_preempted() is paravirt */
	bool (*vcpu_preempted)(unsigned int cpu);
	u32 (*apicid)(unsigned int cpu);
	const struct pvclock_vcpu_time_info *(*clock)(unsigned int cpu);
	bool (*mem_encrypted)(void);
	long (*hypercall1)(unsigned int nr, unsigned long p1);
	long (*hypercall2)(unsigned int nr, unsigned long p1,
			   unsigned long p2);
};

struct pvhc_kvm {
	const struct pvhc_kvm_hw *hw;
	struct pvhc_backend backend;
	u32 cpuid_features;
	bool quiet;			/* a KUnit fake: do not log */
	struct mutex pairing_lock;	/* serializes use of *pairing */
	struct kvm_clock_pairing *pairing;	/* the host writes it */
	phys_addr_t pairing_pa;
};

int pvhc_kvm_init(void);
void pvhc_kvm_exit(void);
#else
static inline int pvhc_kvm_init(void)
{
	return -EOPNOTSUPP;
}

static inline void pvhc_kvm_exit(void)
{
}
#endif

/* xen.c */
#if IS_ENABLED(CONFIG_XEN)
struct pvclock_vsyscall_time_info;

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

/*
 * What the xen backend needs from the kernel and the hypervisor, behind one
 * table so that KUnit can drive the backend with a fake host.
 */
struct pvhc_xen_hw {
	enum xen_domain_type (*domain_type)(void);
	bool (*preempt_wired)(void);	/* vcpu_is_preempted() is paravirt */
	bool (*vcpu_preempted)(unsigned int cpu);
	u32 (*vcpu_id)(unsigned int cpu);	/* xen_vcpu_id */
	/* vCPU 0's vcpu_time_info area registered by the kernel, or NULL */
	struct pvclock_vsyscall_time_info *(*kernel_area)(void);
	int (*vcpu_op)(int cmd, u32 vcpu, void *arg);	/* HYPERVISOR_vcpu_op */
	int (*sched_op)(int cmd, void *arg);		/* HYPERVISOR_sched_op */
	int (*memory_op)(unsigned int cmd, void *arg);	/* HYPERVISOR_memory_op */
};

struct pvhc_xen {
	const struct pvhc_xen_hw *hw;
	struct pvhc_backend backend;
	/* One record per CPU id; page-aligned, one cache line each. */
	struct pvclock_vsyscall_time_info *areas;
	size_t areas_size;
	/* vCPU 0's area if the kernel registered it, else NULL. */
	struct pvclock_vsyscall_time_info *kernel_area;
	unsigned long *clock_ok;	/* the CPU's record is registered */
	int cpuhp_state;		/* 0: no hotplug state (a KUnit fake) */
	bool hotplug;			/* follow CPU hotplug (the real host) */
	bool quiet;			/* a KUnit fake: do not log */
	bool clock_failed;		/* a registration failed */
};

int pvhc_xen_init(void);
void pvhc_xen_exit(void);
#else
static inline int pvhc_xen_init(void)
{
	return -EOPNOTSUPP;
}

static inline void pvhc_xen_exit(void)
{
}
#endif

/* Reached by the KUnit test only (VISIBLE_IF_KUNIT). */
#if IS_ENABLED(CONFIG_KUNIT)
int pvhc_parse_deny(const char *list, unsigned long *mask);
unsigned long pvhc_deny_swap(unsigned long mask);
void pvhc_pressure_flush(void);
#if IS_ENABLED(CONFIG_KVM_GUEST)
struct pvhc_kvm *pvhc_kvm_create(const struct pvhc_kvm_hw *hw, bool quiet);
void pvhc_kvm_destroy(struct pvhc_kvm *k);
#endif
#if IS_ENABLED(CONFIG_XEN)
struct pvhc_xen *pvhc_xen_create(const struct pvhc_xen_hw *hw, bool quiet);
void pvhc_xen_destroy(struct pvhc_xen *x);
#endif
#endif

#endif /* _PVHC_INTERNAL_H */
