// SPDX-License-Identifier: GPL-2.0
/*
 * Region layout: where every area lives, and the header that says so.
 * The plan is a pure function of the region size and vCPU count so that
 * the unit tests can check it against the ABI without a daemon.
 */
#include <errno.h>
#include <string.h>

#include "pvhostd.h"

#define PVHOSTD_ENTROPY_SIZE	4096U
#define PVHOSTD_REGION_MAX	0x40000000U	/* 1 GiB */

static u32 align_up(u32 x, u32 a)
{
	return (x + a - 1) & ~(a - 1);
}

static bool is_pow2(u32 x)
{
	return x && !(x & (x - 1));
}

/**
 * pvhostd_layout_plan - place every area of a region
 * @region_size: bytes, a power of 2 between PVHOST_REGION_MIN and 1 GiB
 * @nr_vcpus: vCPU records, 1..PVHOST_MAX_VCPUS
 * @lay: the plan
 *
 * Areas are 64-byte aligned; the mailbox starts a page of its own.
 * Return: 0, or -EINVAL for an impossible size or count.
 */
int pvhostd_layout_plan(u32 region_size, u32 nr_vcpus,
			struct pvhostd_layout *lay)
{
	u32 off;

	if (!is_pow2(region_size) || region_size < PVHOST_REGION_MIN ||
	    region_size > PVHOSTD_REGION_MAX)
		return -EINVAL;
	if (!nr_vcpus || nr_vcpus > PVHOST_MAX_VCPUS)
		return -EINVAL;
	memset(lay, 0, sizeof(*lay));
	lay->region_size = region_size;
	lay->features = PVHOSTD_FEATURES;
	lay->nr_vcpus = nr_vcpus;
	off = align_up(sizeof(struct pvhost_header), 64);
	lay->vcpu_offset = off;
	off += nr_vcpus * sizeof(struct pvhost_vcpu);
	lay->pairing_offset = align_up(off, 64);
	off = lay->pairing_offset + sizeof(struct pvhost_clock_pairing);
	lay->pressure_offset = align_up(off, 64);
	off = lay->pressure_offset + sizeof(struct pvhost_pressure);
	lay->entropy_offset = align_up(off, 64);
	lay->entropy_size = PVHOSTD_ENTROPY_SIZE;
	off = lay->entropy_offset + sizeof(struct pvhost_entropy) +
	      lay->entropy_size;
	lay->numa_offset = align_up(off, 64);
	off = lay->numa_offset + sizeof(struct pvhost_numa);
	lay->mailbox_offset = align_up(off, 4096);
	off = lay->mailbox_offset + sizeof(struct pvhost_mailbox);
	return off <= region_size ? 0 : -EINVAL;
}

static void header_fill(struct pvhost_header *h,
			const struct pvhostd_layout *lay, u32 generation)
{
	h->magic = PVHOST_MAGIC;
	h->abi_major = PVHOST_ABI_MAJOR;
	h->abi_minor = PVHOST_ABI_MINOR;
	h->header_size = sizeof(*h);
	h->region_size = lay->region_size;
	h->features = lay->features;
	h->generation = generation;
	h->nr_vcpus = lay->nr_vcpus;
	h->vcpu_offset = lay->vcpu_offset;
	h->vcpu_stride = sizeof(struct pvhost_vcpu);
	h->pairing_offset = lay->pairing_offset;
	h->pressure_offset = lay->pressure_offset;
	h->entropy_offset = lay->entropy_offset;
	h->entropy_size = lay->entropy_size;
	h->numa_offset = lay->numa_offset;
	h->mailbox_offset = lay->mailbox_offset;
	h->host_peer_id = PVHOSTD_HOST_PEER;
}

/**
 * pvhostd_layout_write - lay a zeroed region out and mark it ready
 * @base: the mapped region, lay->region_size bytes
 * @lay: a plan from pvhostd_layout_plan()
 * @generation: this layout's generation
 *
 * The state goes to READY last, after every other field is visible.
 */
void pvhostd_layout_write(void *base, const struct pvhostd_layout *lay,
			  u32 generation)
{
	struct pvhost_header *h = base;
	struct pvhost_entropy *ring;

	pvhostd_region_set_state(base, PVHOST_STATE_INIT);
	memset((char *)base + sizeof(*h), 0, lay->region_size - sizeof(*h));
	memset(h, 0, sizeof(*h));
	header_fill(h, lay, generation);
	ring = pvhostd_at(base, lay->entropy_offset);
	ring->size = lay->entropy_size;
	pvhostd_region_set_state(base, PVHOST_STATE_READY);
}

/**
 * pvhostd_region_set_state - publish the region's state
 * @base: the mapped region
 * @state: PVHOST_STATE_*
 */
void pvhostd_region_set_state(void *base, u32 state)
{
	struct pvhost_header *h = base;

	PVHOSTD_STORE(h->state, state);
}
