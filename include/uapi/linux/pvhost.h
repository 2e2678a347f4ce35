/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * pvhost shared-memory ABI, version 1.
 *
 * The host daemon (pvhostd) and the guest's pvhost backend share the memory
 * of QEMU's ivshmem device (PCI 1af4:1110, BAR 2). This header is the whole
 * contract: fixed-width types, explicit padding, every offset checked at
 * compile time on both sides (the static_asserts at the end). All fields
 * are little endian. Documentation/pvhost.rst describes it byte by byte.
 *
 * Who writes what: fields marked [host] are written by the host only and
 * are untrusted input to the guest: it reads each once into a private copy
 * and validates it. Fields marked [guest] are written by the guest only and
 * are untrusted input to the host.
 */
#ifndef _UAPI_LINUX_PVHOST_H
#define _UAPI_LINUX_PVHOST_H

#include <linux/const.h>
#include <linux/types.h>

#define PVHOST_MAGIC		0x53485650U	/* "PVHS" */
#define PVHOST_ABI_MAJOR	1	/* incompatible changes */
#define PVHOST_ABI_MINOR	1	/* compatible additions */

#define PVHOST_MAX_VCPUS	256
#define PVHOST_MAX_NODES	64
#define PVHOST_NUMA_HINT_SLOTS	16
#define PVHOST_MAILBOX_PAYLOAD	4032
#define PVHOST_REGION_MIN	0x100000U	/* 1 MiB; ivshmem sizes are powers of 2 */

/* Feature bits in pvhost_header.features [host]. */
#define PVHOST_F_CLOCK		_BITULL(0)	/* per-vCPU clock records */
#define PVHOST_F_CLOCK_PAIRING	_BITULL(1)	/* host CLOCK_REALTIME pairing */
#define PVHOST_F_PREEMPTED	_BITULL(2)	/* per-vCPU preempted flag */
#define PVHOST_F_BOOST		_BITULL(3)	/* boost requests honoured */
#define PVHOST_F_LOCK_HINT	_BITULL(4)	/* "holding a lock" hint honoured */
#define PVHOST_F_NUMA_HINT	_BITULL(5)	/* NUMA hint queue */
#define PVHOST_F_NUMA_TOPO	_BITULL(6)	/* host topology table */
#define PVHOST_F_PRESSURE	_BITULL(7)	/* memory-pressure gauge */
#define PVHOST_F_ENTROPY	_BITULL(8)	/* entropy ring */
#define PVHOST_F_MAILBOX	_BITULL(9)	/* request/response mailbox */
#define PVHOST_F_ALL		(_BITULL(10) - 1)

/* pvhost_header.state [host]. */
#define PVHOST_STATE_INIT	0	/* the host is laying the region out */
#define PVHOST_STATE_READY	1
#define PVHOST_STATE_STOPPING	2	/* the host is going away: stop using it */

/*
 * Interrupt vectors (ivshmem MSI-X vector numbers; the same numbers are
 * used as doorbell vectors from guest to host).
 */
#define PVHOST_VEC_MAILBOX	0	/* guest: request posted; host: answered */
#define PVHOST_VEC_CLOCK	1	/* host: clock records republished */
#define PVHOST_VEC_PRESSURE	2	/* host: gauge changed */
#define PVHOST_VEC_ENTROPY	3	/* guest: ring drained; host: ring filled */
#define PVHOST_VEC_NUMA		4	/* guest: hint queued; host: status written */
#define PVHOST_NR_VECTORS	5

/* Offset 0: what the region holds and where. 256 bytes. [host] */
struct pvhost_header {
	__u32 magic;		/* PVHOST_MAGIC */
	__u16 abi_major;	/* PVHOST_ABI_MAJOR */
	__u16 abi_minor;	/* <= guest's: ignore what it does not know */
	__u32 header_size;	/* sizeof(struct pvhost_header) */
	__u32 region_size;	/* bytes the host laid out, <= BAR size */
	__u64 features;		/* PVHOST_F_* */
	__u32 state;		/* PVHOST_STATE_* */
	__u32 generation;	/* bumped on every host (re)start and relayout */
	__u32 nr_vcpus;		/* records in the vCPU array, <= MAX_VCPUS */
	__u32 vcpu_offset;	/* array of struct pvhost_vcpu */
	__u32 vcpu_stride;	/* sizeof(struct pvhost_vcpu) */
	__u32 pairing_offset;	/* struct pvhost_clock_pairing */
	__u32 pressure_offset;	/* struct pvhost_pressure */
	__u32 entropy_offset;	/* struct pvhost_entropy, then its data */
	__u32 entropy_size;	/* data bytes, a power of 2, >= 64 */
	__u32 numa_offset;	/* struct pvhost_numa */
	__u32 mailbox_offset;	/* struct pvhost_mailbox */
	__u32 tsc_khz;		/* host's view of the guest TSC rate */
	__u32 host_peer_id;	/* ivshmem peer id the guest rings (doorbell) */
	__u8 reserved[180];	/* zero */
};

/*
 * The pvclock_vcpu_time_info layout, with its version protocol: the host
 * makes version odd, writes, then makes it even again.
 */
struct pvhost_time_info {
	__u32 version;
	__u32 pad0;
	__u64 tsc_timestamp;
	__u64 system_time;
	__u32 tsc_to_system_mul;
	__s8 tsc_shift;
	__u8 flags;		/* PVCLOCK_TSC_STABLE_BIT, PVCLOCK_GUEST_STOPPED */
	__u8 pad[2];
};

/* One per vCPU, 128 bytes, cache-line aligned. */
struct pvhost_vcpu {
	struct pvhost_time_info clock;	/* [host] */
	__u32 preempted;	/* [host] 1: the vCPU thread is not running */
	__u32 preempt_seq;	/* [host] bumped on every change of preempted */
	__u32 boost;		/* [guest] 1: run this vCPU soon, please */
	__u32 boost_seq;	/* [guest] bumped with every boost write */
	__u32 boost_ack;	/* [host] boost_seq last applied */
	__u32 lock_hint;	/* [guest] >0: holding a lock, don't preempt */
	__u32 lock_hint_seen;	/* [host] times the hint deferred a preemption */
	__u32 reserved0;
	__u8 reserved[64];	/* zero */
};

/* Host CLOCK_REALTIME paired with the guest TSC. 64 bytes. [host] */
struct pvhost_clock_pairing {
	__u32 version;		/* odd while the host writes */
	__u32 flags;		/* zero */
	__s64 sec;
	__s64 nsec;		/* 0..999999999 */
	__u64 tsc;		/* guest TSC at that instant */
	__u8 reserved[32];
};

/*
 * Memory-pressure gauge. 64 bytes. [host]
 * level is fixed point: 0 no pressure .. 65536 (PVHOST_PRESSURE_ONE) full.
 */
#define PVHOST_PRESSURE_ONE	65536U

struct pvhost_pressure {
	__u32 seq;		/* odd while the host writes */
	__u32 level;		/* 0..PVHOST_PRESSURE_ONE */
	__u64 updated_ns;	/* host CLOCK_MONOTONIC of the reading */
	__u32 psi_some_avg10;	/* /proc/pressure/memory, percent x 100 */
	__u32 psi_full_avg10;
	__u32 mem_available_permille; /* MemAvailable / MemTotal x 1000 */
	__u32 source;		/* 0: host data, 1: set by command */
	__u8 reserved[32];
};

/*
 * Entropy ring: the host produces, the guest consumes. Indices run free
 * (they wrap at 2^32); the bytes available are prod - cons, never more than
 * size. Data follows this 64-byte header.
 */
struct pvhost_entropy {
	__u32 prod;		/* [host] bytes written, free running */
	__u32 cons;		/* [guest] bytes taken, free running */
	__u32 size;		/* [host] copy of header.entropy_size */
	__u32 flags;		/* [host] zero */
	__u8 reserved[48];
};

/* NUMA hint status, in pvhost_numa_hint.status [host]. */
#define PVHOST_HINT_FREE	0	/* the slot is the guest's to fill */
#define PVHOST_HINT_QUEUED	1	/* [guest] filled, waiting for the host */
#define PVHOST_HINT_APPLIED	2
#define PVHOST_HINT_PARTIAL	3	/* some of it: reason says what not */
#define PVHOST_HINT_REJECTED	4	/* reason says why */

/* pvhost_numa_hint.reason [host]. */
#define PVHOST_REASON_NONE	0
#define PVHOST_REASON_INVALID	1	/* malformed hint */
#define PVHOST_REASON_NO_NODE	2	/* node not backed by host memory */
#define PVHOST_REASON_AFFINITY	3	/* could not pin the vCPU threads */
#define PVHOST_REASON_MEMORY	4	/* could not move or bind the memory */
#define PVHOST_REASON_POLICY	5	/* refused by host policy */

/*
 * pvhost_numa.vcpu_host_node[] and node_host_node[] [host]: the host does
 * not know (no thread id for the vCPU, no page of the node resident).
 */
#define PVHOST_NUMA_NODE_UNKNOWN	0xffffffffU

/* One hint slot, 64 bytes. */
struct pvhost_numa_hint {
	__u32 id;		/* [guest] nonzero, chosen by the guest */
	__u32 status;		/* PVHOST_HINT_*: guest writes QUEUED, host the rest */
	__u32 node;		/* [guest] guest NUMA node */
	__u32 flags;		/* [guest] zero */
	__u64 cpus[4];		/* [guest] bitmap of vCPUs 0..255 */
	__u32 reason;		/* [host] PVHOST_REASON_* */
	__u32 host_node;	/* [host] host node chosen, when applied */
	__u8 reserved[8];
};

/* NUMA area: host topology, then the hint slots. */
struct pvhost_numa {
	__u32 seq;		/* [host] odd while the topology is written */
	__u32 nr_nodes;		/* [host] guest nodes, <= MAX_NODES */
	__u32 nr_host_nodes;	/* [host] host nodes, <= MAX_NODES */
	__u32 reserved0;
	__u32 vcpu_host_node[PVHOST_MAX_VCPUS];	/* [host] where each runs now */
	__u8 distance[PVHOST_MAX_NODES][PVHOST_MAX_NODES]; /* [host] SLIT, 10 = local */
	__u32 node_host_node[PVHOST_MAX_NODES];	/* [host] where guest memory lives */
	struct pvhost_numa_hint hint[PVHOST_NUMA_HINT_SLOTS];
};

/* Mailbox requests, in pvhost_mailbox.op [guest]. */
#define PVHOST_OP_PING		1	/* no payload; answers 0 */
#define PVHOST_OP_CALIBRATE	2	/* payload: struct pvhost_calibrate */

/* pvhost_mailbox.flags [guest], ABI 1.1. */
#define PVHOST_MBOX_SPINNING	0x1U	/* watching resp_seq: no interrupt */

/*
 * One request at a time: the guest writes op, len and payload, then bumps
 * req_seq and rings PVHOST_VEC_MAILBOX; the host answers in status, len and
 * payload, then sets resp_seq = req_seq and raises PVHOST_VEC_MAILBOX,
 * unless it then sees PVHOST_MBOX_SPINNING in flags (ABI 1.1): the guest
 * sets it while it watches resp_seq, and clears it, then reads resp_seq
 * again, before it waits for the interrupt. Both sides order their store
 * before their load with a full barrier, so one of them sees the other's.
 * A 1.0 host ignores flags and always raises the vector.
 */
struct pvhost_mailbox {
	__u32 req_seq;		/* [guest] */
	__u32 op;		/* [guest] PVHOST_OP_* */
	__u32 len;		/* [guest] request, then [host] response bytes */
	__u32 resp_seq;		/* [host] */
	__s32 status;		/* [host] 0 or -errno */
	__u32 flags;		/* [guest] PVHOST_MBOX_* (ABI 1.1) */
	__u32 reserved[10];
	__u8 payload[PVHOST_MAILBOX_PAYLOAD];
};

/*
 * PVHOST_OP_CALIBRATE: pair the guest TSC with host CLOCK_MONOTONIC_RAW.
 * Each request opens an exchange (tsc_before) and closes the previous one
 * (tsc_after): the host's answer to the previous request was taken between
 * that request's tsc_before and this tsc_after.
 */
struct pvhost_calibrate {
	__u64 tsc_before;	/* [guest] TSC as the request was posted */
	__u64 tsc_after;	/* [guest] TSC when the previous answer was
				 * seen; 0: none (echoed back)
				 */
	__u64 host_ns;		/* [host] CLOCK_MONOTONIC_RAW on answering */
	__u64 reserved;		/* zero */
};

/* Compile-time layout checks, the same on the guest and the host. */
#if defined(__KERNEL__)
#include <linux/build_bug.h>
#else
#include <assert.h>
#endif
#define PVHOST_ASSERT(e)	static_assert(e, #e)
#define PVHOST_OFF(t, f)	__builtin_offsetof(struct t, f)

PVHOST_ASSERT(sizeof(struct pvhost_header) == 256);
PVHOST_ASSERT(PVHOST_OFF(pvhost_header, features) == 16);
PVHOST_ASSERT(PVHOST_OFF(pvhost_header, tsc_khz) == 68);
PVHOST_ASSERT(PVHOST_OFF(pvhost_header, host_peer_id) == 72);
PVHOST_ASSERT(sizeof(struct pvhost_time_info) == 32);
PVHOST_ASSERT(PVHOST_OFF(pvhost_time_info, tsc_to_system_mul) == 24);
PVHOST_ASSERT(PVHOST_OFF(pvhost_time_info, flags) == 29);
PVHOST_ASSERT(sizeof(struct pvhost_vcpu) == 128);
PVHOST_ASSERT(PVHOST_OFF(pvhost_vcpu, preempted) == 32);
PVHOST_ASSERT(PVHOST_OFF(pvhost_vcpu, lock_hint) == 52);
PVHOST_ASSERT(sizeof(struct pvhost_clock_pairing) == 64);
PVHOST_ASSERT(sizeof(struct pvhost_pressure) == 64);
PVHOST_ASSERT(sizeof(struct pvhost_entropy) == 64);
PVHOST_ASSERT(sizeof(struct pvhost_numa_hint) == 64);
PVHOST_ASSERT(PVHOST_OFF(pvhost_numa, vcpu_host_node) == 16);
PVHOST_ASSERT(PVHOST_OFF(pvhost_numa, distance) == 16 + 4 * PVHOST_MAX_VCPUS);
PVHOST_ASSERT(PVHOST_OFF(pvhost_numa, hint) ==
	      16 + 4 * PVHOST_MAX_VCPUS + PVHOST_MAX_NODES * PVHOST_MAX_NODES +
	      4 * PVHOST_MAX_NODES);
PVHOST_ASSERT(sizeof(struct pvhost_numa) == 6416);
PVHOST_ASSERT(PVHOST_OFF(pvhost_mailbox, flags) == 20);
PVHOST_ASSERT(sizeof(struct pvhost_mailbox) == 4096);
PVHOST_ASSERT(sizeof(struct pvhost_calibrate) == 32);

#undef PVHOST_OFF
#undef PVHOST_ASSERT

#endif /* _UAPI_LINUX_PVHOST_H */
