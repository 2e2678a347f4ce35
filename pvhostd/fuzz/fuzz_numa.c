// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: a guest writing arbitrary hint slots, wake-up after wake-up.
 * Each input byte run becomes slot contents (id, status, node, flags,
 * cpus, and the host fields too); the host must answer only QUEUED slots,
 * only with a defined status and reason, and apply only valid hints.
 */
#include <stdlib.h>
#include <string.h>

#include "../pvhostd.h"

struct fuzz_apply {
	u32 nr_vcpus, nr_nodes;
};

static int fuzz_affinity(void *ctx, u32 vcpu, u32 host_node)
{
	struct fuzz_apply *f = ctx;

	if (vcpu >= f->nr_vcpus || host_node >= 2)
		abort();
	return vcpu & 1 ? -3 : 0;
}

static int fuzz_memory(void *ctx, u32 guest_node, u32 host_node)
{
	struct fuzz_apply *f = ctx;

	if (guest_node >= f->nr_nodes || host_node >= 2)
		abort();
	return 0;
}

static const struct pvhostd_numa_ops fuzz_ops = {
	.affinity = fuzz_affinity,
	.memory = fuzz_memory,
};

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct pvhostd_topo t = {
		.nr_nodes = 2, .nr_cpus = { 2, 2 },
		.distance = { { 10, 21 }, { 21, 10 } },
	};
	struct fuzz_apply f = { .nr_vcpus = 4, .nr_nodes = 2 };
	struct pvhost_numa *a = calloc(1, sizeof(*a));
	struct pvhostd_numa *n = calloc(1, sizeof(*n));
	const struct pvhostd_hint_rec *r;
	struct pvhost_numa_hint *h;
	size_t chunk;
	u32 slot, i;

	n->ops = &fuzz_ops;
	n->ctx = &f;
	pvhostd_numa_init(n, a, f.nr_vcpus, f.nr_nodes, &t);
	while (size > 1) {
		slot = data[0] % PVHOST_NUMA_HINT_SLOTS;
		chunk = size - 1 < sizeof(*h) ? size - 1 : sizeof(*h);
		memcpy(&a->hint[slot], data + 1, chunk);
		if (pvhostd_numa_serve(n, PVHOSTD_NUMA_BUDGET) >
		    PVHOSTD_NUMA_BUDGET)
			abort();
		/* every answer given: a final status; a reason unless applied */
		for (i = 0; i < n->log_head && i < PVHOSTD_NUMA_LOG; i++) {
			r = &n->log[i];
			if (r->status < PVHOST_HINT_APPLIED ||
			    r->status > PVHOST_HINT_REJECTED ||
			    r->reason > PVHOST_REASON_POLICY ||
			    (r->status == PVHOST_HINT_APPLIED ? r->reason :
			     !r->reason))
				abort();
		}
		data += 1 + chunk;
		size -= 1 + chunk;
	}
	if (n->applied + n->partial + n->rejected != n->hints)
		abort();
	free(n);
	free(a);
	return 0;
}
