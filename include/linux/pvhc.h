/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvhc - the paravirtual hypercall shim shared by the pv guest modules.
 *
 * Feature modules call these functions; pvhc routes each call to the
 * highest-priority registered backend that offers the feature (test >
 * pvhost > kvm/xen). A call that no backend can serve returns -EOPNOTSUPP.
 * Every function may be called from process context; those marked "atomic
 * safe" may also be called with preemption or interrupts disabled.
 */
#ifndef _LINUX_PVHC_H
#define _LINUX_PVHC_H

#include <linux/types.h>
#include <linux/notifier.h>
#include <linux/percpu.h>

struct dentry;
struct module;
struct pvclock_vcpu_time_info;

/* Features a backend may offer; the names in sysfs follow pvhc_feature_name(). */
enum pvhc_feature {
	PVHC_FEAT_PREEMPTED,	/* is vCPU N preempted (atomic safe) */
	PVHC_FEAT_YIELD,	/* yield this vCPU, to vCPU N where directed */
	PVHC_FEAT_KICK,		/* wake a halted vCPU N */
	PVHC_FEAT_BOOST,	/* ask the host to run vCPU N soon */
	PVHC_FEAT_CLOCK,	/* per-vCPU pvclock_vcpu_time_info record */
	PVHC_FEAT_CLOCK_PAIRING, /* host real time paired with the TSC */
	PVHC_FEAT_NUMA_HINT,	/* "these vCPUs work with this memory" */
	PVHC_FEAT_NUMA_INFO,	/* host NUMA topology as the guest sees it */
	PVHC_FEAT_PRESSURE,	/* host memory-pressure gauge */
	PVHC_FEAT_ENTROPY,	/* host entropy (untrusted) */
	PVHC_FEAT_LOCK_HINT,	/* per-CPU "holding a lock" word the host reads */
	PVHC_FEAT_NR
};

/* The hypervisor pvhc detected at load. */
enum pvhc_hypervisor {
	PVHC_HV_NONE,		/* bare metal */
	PVHC_HV_OTHER,		/* a hypervisor that is neither KVM nor Xen */
	PVHC_HV_KVM,
	PVHC_HV_XEN,
};

/* Pressure gauge: level is fixed point, 0 = none .. PVHC_PRESSURE_ONE = full. */
#define PVHC_PRESSURE_ONE	0x10000U	/* 1.0 in 16.16 fixed point */

struct pvhc_pressure {
	u32 level;		/* 0..PVHC_PRESSURE_ONE, validated by pvhc */
	u32 seq;		/* changes whenever the host republishes */
};

/* Host real time paired with a TSC value, read at the same instant. */
struct pvhc_clock_pairing {
	s64 sec;		/* CLOCK_REALTIME seconds */
	s64 nsec;		/* 0..NSEC_PER_SEC-1, validated by pvhc */
	u64 tsc;
	u32 flags;
};

/* A NUMA hint: the vCPUs in @cpus work mostly with memory on guest node @node. */
#define PVHC_NUMA_HINT_MAX_CPUS	256

struct pvhc_numa_hint {
	DECLARE_BITMAP(cpus, PVHC_NUMA_HINT_MAX_CPUS);
	int node;		/* guest NUMA node, < MAX_NUMNODES */
	u32 flags;		/* reserved, must be 0 */
};

/* Status of a submitted hint, as the host reports it. */
enum pvhc_numa_status {
	PVHC_NUMA_PENDING,
	PVHC_NUMA_APPLIED,
	PVHC_NUMA_PARTIAL,
	PVHC_NUMA_REJECTED,
};

/* Host NUMA topology as reported to the guest. */
#define PVHC_NUMA_MAX_NODES	64
#define PVHC_NUMA_NODE_UNKNOWN	0xffffffffU	/* vcpu_to_node[]: not known */

struct pvhc_numa_info {
	u32 nr_nodes;			/* <= PVHC_NUMA_MAX_NODES */
	u32 nr_vcpus;
	u32 vcpu_to_node[PVHC_NUMA_HINT_MAX_CPUS];
	u32 distance[PVHC_NUMA_MAX_NODES][PVHC_NUMA_MAX_NODES] __aligned(8);
	u32 nr_guest_nodes;		/* entries of node_mem_node, may be 0 */
	u32 node_mem_node[PVHC_NUMA_MAX_NODES];	/* host node of guest node N's memory */
};

/*
 * Backend interface. A backend fills a struct pvhc_backend with its ops and
 * the features it offers and registers it; pvhc validates what it returns.
 * Ops for features the backend does not offer may be NULL.
 */
struct pvhc_backend_ops {
	int (*vcpu_preempted)(void *priv, unsigned int cpu);	/* atomic */
	int (*yield_to)(void *priv, int cpu);	/* cpu < 0: undirected */
	int (*kick)(void *priv, unsigned int cpu);
	int (*boost)(void *priv, unsigned int cpu, bool on);
	int (*clock_record)(void *priv, unsigned int cpu,
			    const struct pvclock_vcpu_time_info **rec);
	int (*clock_pairing)(void *priv, struct pvhc_clock_pairing *out);
	int (*numa_hint)(void *priv, const struct pvhc_numa_hint *hint);
	int (*numa_status)(void *priv, int id);
	int (*numa_info)(void *priv, struct pvhc_numa_info *out);
	int (*pressure)(void *priv, struct pvhc_pressure *out);
	ssize_t (*entropy)(void *priv, void *buf, size_t len);
	/*
	 * Lock hint: the word the host reads for CPU @cpu (NULL: none),
	 * asked in process context when the route changes; it must stay
	 * writable until pvhc_backend_unregister() returns. lock_hint_seen
	 * reports the host's count for that CPU (untrusted, shown only).
	 */
	u32 *(*lock_hint_slot)(void *priv, unsigned int cpu);
	int (*lock_hint_seen)(void *priv, unsigned int cpu, u32 *seen);
};

/* A backend name: 1..PVHC_NAME_MAX - 1 characters of [a-z0-9_-]. */
#define PVHC_NAME_MAX		16

struct pvhc_backend {
	const char *name;		/* "kvm", "xen", "pvhost", "test", ... */
	int priority;			/* higher wins, per feature */
	unsigned long features;		/* BIT(enum pvhc_feature) */
	const struct pvhc_backend_ops *ops;
	void *priv;
	struct module *owner;		/* pinned while registered; may be NULL */
	/* private to pvhc */
	struct list_head node;
	atomic_long_t errors;		/* bad results pvhc rejected */
	struct dentry *debugfs;
};

#define PVHC_PRIO_HYPERVISOR	100	/* kvm, xen */
#define PVHC_PRIO_PVHOST	200
#define PVHC_PRIO_TEST		1000

int pvhc_backend_register(struct pvhc_backend *b);
void pvhc_backend_unregister(struct pvhc_backend *b);
void pvhc_pressure_changed(struct pvhc_backend *b);

/*
 * Backend chain events, sent (process context) with the struct pvhc_backend
 * as data: after a backend is added, and before one is removed. Anything a
 * caller got from a backend (a clock record pointer) stays valid until
 * PVHC_BACKEND_REMOVING names that backend; pvhc_generation() tells which
 * backend that was.
 */
enum pvhc_event {
	PVHC_BACKEND_ADDED,
	PVHC_BACKEND_REMOVING,
};

int pvhc_notifier_register(struct notifier_block *nb);
int pvhc_notifier_unregister(struct notifier_block *nb);

/* The feature API. */
bool pvhc_has_feature(enum pvhc_feature f);
const char *pvhc_feature_name(enum pvhc_feature f);
const char *pvhc_feature_source(enum pvhc_feature f);
const char *pvhc_feature_source_name(enum pvhc_feature f, char *buf,
				     size_t len);
unsigned long pvhc_generation(void);
enum pvhc_hypervisor pvhc_hypervisor(void);

int pvhc_vcpu_preempted(unsigned int cpu);
int pvhc_yield_to(int cpu);
int pvhc_kick(unsigned int cpu);
int pvhc_boost(unsigned int cpu, bool on);
int pvhc_clock_record(unsigned int cpu,
		      const struct pvclock_vcpu_time_info **rec);
int pvhc_clock_pairing(struct pvhc_clock_pairing *out);
int pvhc_numa_hint(const struct pvhc_numa_hint *hint);
int pvhc_numa_status(int id);
int pvhc_numa_info(struct pvhc_numa_info *out);
int pvhc_pressure_read(struct pvhc_pressure *out);
int pvhc_pressure_notifier_register(struct notifier_block *nb);
int pvhc_pressure_notifier_unregister(struct notifier_block *nb);
ssize_t pvhc_entropy_fetch(void *buf, size_t len);
int pvhc_lock_hint_seen(unsigned int cpu, u32 *seen);

/*
 * The lock hint. pvhc points each CPU's pvhc_lock_hint_slot at the word
 * the PVHC_FEAT_LOCK_HINT backend gave for it, or NULL. A slot is read and
 * written only with preemption disabled: before a backend's words go away
 * (route change, unregister) pvhc clears the slots and waits for every
 * such section with synchronize_rcu(), then writes 0 into the old words.
 * No call, no lock, no shared cache line: one per-CPU load and one store
 * into this vCPU's own record.
 */
DECLARE_PER_CPU(u32 *, pvhc_lock_hint_slot);

/**
 * pvhc_lock_hint_set - tell the host whether this CPU holds a lock
 * @val: 0 none, else the nesting depth (the host needs > 0 only)
 *
 * Context: preemption disabled (any context, NMI excepted).
 * Return: true if a backend takes the hint (the word was written).
 */
static __always_inline bool pvhc_lock_hint_set(u32 val)
{
	u32 *slot = this_cpu_read(pvhc_lock_hint_slot);

	if (slot)
		WRITE_ONCE(*slot, val);
	return slot;
}

void pvhc_lock_hint_reset(void);

#endif /* _LINUX_PVHC_H */
