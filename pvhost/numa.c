// SPDX-License-Identifier: GPL-2.0
/*
 * pvhost: the guest side of the NUMA area (Documentation/pvhost.rst).
 *
 * Hints go into slots: the guest writes id, node, flags and cpus, then
 * QUEUED with release, and rings the host; the host answers in status,
 * reason and host_node. A hint's id names its slot (id % slots), so the
 * status of an id is found without a search; the guest keeps which id it
 * queued in each slot and never trusts the slot's copy. The topology is
 * read under the area's seq with bounded retries and validated before
 * anything of it is returned. Works on plain memory, for KUnit.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/limits.h>
#include <linux/processor.h>
#include <linux/pvhc.h>
#include <linux/string.h>
#include <asm/barrier.h>
#include <kunit/visibility.h>

#include "pvhost_internal.h"

/* Ids are seq * SLOTS + slot, seq from 1: positive ints, never 0. */
#define PVHOST_NUMA_SEQ_MAX	(INT_MAX / PVHOST_NUMA_HINT_SLOTS)

/**
 * pvhost_numa_init - set a NUMA queue up, detached
 * @q: the queue
 * @ring: rings the host's NUMA doorbell; may be NULL (the host polls)
 */
void pvhost_numa_init(struct pvhost_numa_q *q,
		      void (*ring)(struct pvhost_numa_q *q))
{
	memset(q, 0, sizeof(*q));
	q->ring = ring;
	mutex_init(&q->lock);
	init_waitqueue_head(&q->wq);
}
EXPORT_SYMBOL_IF_KUNIT(pvhost_numa_init);

/**
 * pvhost_numa_attach - use a (new) NUMA area, or none
 * @q: the queue
 * @area: the area of a validated header, or NULL
 * @nr_vcpus: the header's nr_vcpus
 *
 * Ids queued in an earlier area are forgotten: the host laid it out anew.
 */
void pvhost_numa_attach(struct pvhost_numa_q *q, struct pvhost_numa *area,
			u32 nr_vcpus)
{
	mutex_lock(&q->lock);
	memset(q->id, 0, sizeof(q->id));
	memset(q->done, 0, sizeof(q->done));
	q->nr_vcpus = nr_vcpus;
	WRITE_ONCE(q->area, area);
	mutex_unlock(&q->lock);
}
EXPORT_SYMBOL_IF_KUNIT(pvhost_numa_attach);

static bool pvhost_numa_final(u32 status)
{
	return status >= PVHOST_HINT_APPLIED && status <= PVHOST_HINT_REJECTED;
}

/* A slot never used, whose answer was collected, or that was answered. */
static int pvhost_numa_slot(struct pvhost_numa_q *q, struct pvhost_numa *a)
{
	int i, answered = -1;
	u32 status;

	for (i = 0; i < PVHOST_NUMA_HINT_SLOTS; i++) {
		if (!q->id[i] || q->done[i])
			return i;
		if (answered >= 0)
			continue;
		/* acquire: the host is done with the slot before we write it */
		status = smp_load_acquire(&a->hint[i].status);
		if (pvhost_numa_final(status))
			answered = i;
	}
	return answered;
}

/**
 * pvhost_numa_submit - queue a hint for the host
 * @q: the queue
 * @hint: checked by pvhc: node, flags, cpus
 *
 * Context: process context.
 * Return: the hint's id (> 0), -ENODEV without an area, -EINVAL for a
 * vCPU the host has no record of, -EBUSY when every slot waits for the
 * host.
 */
int pvhost_numa_submit(struct pvhost_numa_q *q,
		       const struct pvhc_numa_hint *hint)
{
	struct pvhost_numa_hint *s;
	struct pvhost_numa *a;
	u64 cpus[ARRAY_SIZE(s->cpus)];
	unsigned int last;
	int slot, i, id;

	BUILD_BUG_ON(sizeof(cpus) * 8 != PVHC_NUMA_HINT_MAX_CPUS);
	bitmap_to_arr64(cpus, hint->cpus, PVHC_NUMA_HINT_MAX_CPUS);
	last = find_last_bit(hint->cpus, PVHC_NUMA_HINT_MAX_CPUS);
	mutex_lock(&q->lock);
	a = q->area;
	if (!a) {
		id = -ENODEV;
		goto out;
	}
	if (last >= PVHC_NUMA_HINT_MAX_CPUS || last >= q->nr_vcpus) {
		id = -EINVAL;
		goto out;
	}
	slot = pvhost_numa_slot(q, a);
	if (slot < 0) {
		atomic_long_inc(&q->busy);
		id = -EBUSY;
		goto out;
	}
	if (++q->seq > PVHOST_NUMA_SEQ_MAX)
		q->seq = 1;
	id = q->seq * PVHOST_NUMA_HINT_SLOTS + slot;
	s = &a->hint[slot];
	WRITE_ONCE(s->id, id);
	WRITE_ONCE(s->node, hint->node);
	WRITE_ONCE(s->flags, 0);
	for (i = 0; i < ARRAY_SIZE(s->cpus); i++)
		WRITE_ONCE(s->cpus[i], cpus[i]);
	WRITE_ONCE(s->reason, 0);
	WRITE_ONCE(s->host_node, 0);
	/* the fields before QUEUED, which hands the slot to the host */
	smp_store_release(&s->status, PVHOST_HINT_QUEUED);
	q->id[slot] = id;
	q->done[slot] = false;
	atomic_long_inc(&q->hints);
out:
	mutex_unlock(&q->lock);
	if (id > 0 && q->ring)
		q->ring(q);
	return id;
}
EXPORT_SYMBOL_IF_KUNIT(pvhost_numa_submit);

/**
 * pvhost_numa_result - what the host made of a hint
 * @q: the queue
 * @id: an id pvhost_numa_submit() returned
 * @res: the host's answer, on success
 *
 * Reads the slot once; a host that never answers leaves the hint PENDING.
 * An answer with an unknown status, a reason that does not fit it, a
 * host node out of range, or the slot's id changed is counted and
 * refused.
 *
 * Context: process context.
 * Return: an enum pvhc_numa_status, -ENOENT for an id not (or no longer)
 * queued, -ENODEV without an area, -EIO for a malformed answer.
 */
int pvhost_numa_result(struct pvhost_numa_q *q, int id,
		       struct pvhost_numa_answer *res)
{
	struct pvhost_numa_hint *s;
	struct pvhost_numa *a;
	u32 status, sid;
	int slot, ret;

	if (id <= 0)
		return -ENOENT;
	slot = id % PVHOST_NUMA_HINT_SLOTS;
	mutex_lock(&q->lock);
	a = q->area;
	if (!a) {
		ret = -ENODEV;
		goto out;
	}
	if (q->id[slot] != id) {
		ret = -ENOENT;
		goto out;
	}
	s = &a->hint[slot];
	/* acquire: the status before the reason and node it vouches for */
	status = smp_load_acquire(&s->status);
	res->reason = READ_ONCE(s->reason);
	res->host_node = READ_ONCE(s->host_node);
	sid = READ_ONCE(s->id);
	res->status = status;
	if (status == PVHOST_HINT_QUEUED) {
		ret = PVHC_NUMA_PENDING;
		goto out;
	}
	ret = -EIO;
	if (sid != id || !pvhost_numa_final(status))
		goto bad;
	if (status == PVHOST_HINT_APPLIED ?
	    res->reason != PVHOST_REASON_NONE :
	    res->reason < PVHOST_REASON_INVALID ||
	    res->reason > PVHOST_REASON_POLICY)
		goto bad;
	if (status != PVHOST_HINT_REJECTED &&
	    res->host_node >= PVHOST_MAX_NODES)
		goto bad;
	q->done[slot] = true;
	ret = status == PVHOST_HINT_APPLIED ? PVHC_NUMA_APPLIED :
	      status == PVHOST_HINT_PARTIAL ? PVHC_NUMA_PARTIAL :
	      PVHC_NUMA_REJECTED;
	goto out;
bad:
	atomic_long_inc(&q->invalid);
out:
	mutex_unlock(&q->lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(pvhost_numa_result);

/* Copy the topology, without judging it; true when seq said it is whole. */
static bool pvhost_numa_copy(const struct pvhost_numa *a, u32 nr_vcpus,
			     struct pvhc_numa_info *out, u32 *nr_guest,
			     u32 *node_host)
{
	u32 s1, s2, i, j, n;

	s1 = READ_ONCE(a->seq);
	if (s1 & 1)
		return false;
	smp_rmb();	/* seq before the topology */
	*nr_guest = READ_ONCE(a->nr_nodes);
	out->nr_nodes = READ_ONCE(a->nr_host_nodes);
	out->nr_vcpus = nr_vcpus;
	for (i = 0; i < nr_vcpus; i++)
		out->vcpu_to_node[i] = READ_ONCE(a->vcpu_host_node[i]);
	n = min_t(u32, out->nr_nodes, PVHOST_MAX_NODES);
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			out->distance[i][j] = READ_ONCE(a->distance[i][j]);
	n = min_t(u32, *nr_guest, PVHOST_MAX_NODES);
	for (i = 0; i < n; i++)
		node_host[i] = READ_ONCE(a->node_host_node[i]);
	smp_rmb();	/* the topology before seq again */
	s2 = READ_ONCE(a->seq);
	return s1 == s2;
}

static bool pvhost_numa_node_ok(u32 node, u32 nr)
{
	return node < nr || node == PVHOST_NUMA_NODE_UNKNOWN;
}

/* Why a copied topology is unusable, or NULL. */
static const char *pvhost_numa_check(const struct pvhc_numa_info *t,
				     u32 nr_guest, const u32 *node_host)
{
	u32 i, j, d;

	if (!t->nr_nodes || t->nr_nodes > PVHC_NUMA_MAX_NODES ||
	    t->nr_nodes > PVHOST_MAX_NODES)
		return "nr_host_nodes out of range";
	if (nr_guest > PVHOST_MAX_NODES)
		return "nr_nodes out of range";
	for (i = 0; i < t->nr_nodes; i++) {
		for (j = 0; j < t->nr_nodes; j++) {
			d = t->distance[i][j];
			if (i == j ? d != 10 : d < 10 || d > 254)
				return "distance out of range";
		}
	}
	for (i = 0; i < t->nr_vcpus; i++)
		if (!pvhost_numa_node_ok(t->vcpu_to_node[i], t->nr_nodes))
			return "vcpu_host_node out of range";
	for (i = 0; i < nr_guest; i++)
		if (!pvhost_numa_node_ok(node_host[i], t->nr_nodes))
			return "node_host_node out of range";
	return NULL;
}

/**
 * pvhost_numa_topology - the host topology, read and validated
 * @q: the queue
 * @out: filled in on success
 * @st: counters
 *
 * Host nodes 1..PVHC_NUMA_MAX_NODES, distances 10 on the diagonal and
 * 10..254 elsewhere, every node id in range or PVHOST_NUMA_NODE_UNKNOWN
 * (passed on as PVHC_NUMA_NODE_UNKNOWN).
 *
 * Context: process context.
 * Return: 0; -ENODEV without an area; -EAGAIN if seq stayed odd or kept
 * moving for PVHOST_SEQ_TRIES reads; -EIO for a malformed topology. Both
 * failures are counted in @st->errors.
 */
int pvhost_numa_topology(struct pvhost_numa_q *q, struct pvhc_numa_info *out,
			 struct pvhost_stats *st)
{
	u32 node_host[PVHOST_MAX_NODES];
	const struct pvhost_numa *a;
	const char *why;
	u32 nr_guest, nr_vcpus, i;

	a = READ_ONCE(q->area);
	if (!a)
		return -ENODEV;
	nr_vcpus = min_t(u32, READ_ONCE(q->nr_vcpus), PVHC_NUMA_HINT_MAX_CPUS);
	atomic_long_inc(&q->topo_reads);
	for (i = 0; i < PVHOST_SEQ_TRIES; i++) {
		if (pvhost_numa_copy(a, nr_vcpus, out, &nr_guest, node_host))
			break;
		cpu_relax();
	}
	if (i == PVHOST_SEQ_TRIES) {
		atomic_long_inc(&q->topo_busy);
		atomic_long_inc(&st->errors);
		return -EAGAIN;
	}
	why = pvhost_numa_check(out, nr_guest, node_host);
	if (why) {
		atomic_long_inc(&q->topo_invalid);
		atomic_long_inc(&st->errors);
		pr_warn_ratelimited("NUMA topology refused: %s\n", why);
		return -EIO;
	}
	BUILD_BUG_ON(PVHOST_NUMA_NODE_UNKNOWN != PVHC_NUMA_NODE_UNKNOWN);
	BUILD_BUG_ON(PVHOST_MAX_NODES > PVHC_NUMA_MAX_NODES);
	out->nr_guest_nodes = nr_guest;
	memcpy(out->node_mem_node, node_host, nr_guest * sizeof(node_host[0]));
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(pvhost_numa_topology);
