// SPDX-License-Identifier: GPL-2.0
/*
 * pvhost per-vCPU flags: whether the host has the vCPU's thread
 * preempted, and boost requests to the host. No PCI here: the KUnit
 * tests run it on a fake region.
 *
 * Linux CPU N reads record N: QEMU lists x86 vCPUs in cpu-index order,
 * the order of the firmware's MADT, which is the order Linux numbers
 * CPUs in. Records at or above the host's nr_vcpus do not exist.
 *
 * The preempted flag is read from spin loops, with preemption or
 * interrupts off: one READ_ONCE, no lock, no counter but the error one.
 * Boost requests are picked up by the host's vCPU timer (pvhostd's
 * --vcpu-poll-ms): the ABI has no doorbell vector for them.
 *
 * The lock hint: pvhc keeps a per-CPU pointer at record N's lock_hint,
 * which the lock code writes with preemption off; the guest never reads
 * it back, so a host that scribbles over it changes nothing here.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/visibility.h>
#include <linux/atomic.h>
#include <linux/errno.h>
#include <linux/mutex.h>
#include <linux/kstrtox.h>
#include <linux/string.h>

#include "pvhost_internal.h"

/**
 * pvhost_vcpus_setup - attach to the host's per-vCPU records
 * @v: the state; its mutex must be initialised
 * @region: the mapped region
 * @h: the validated header copy
 *
 * Private boost sequence numbers start over: the host compares them for
 * change only.
 * Return: 0, or -EINVAL when the header has no records
 */
int pvhost_vcpus_setup(struct pvhost_vcpus *v, void *region,
		       const struct pvhost_header *h)
{
	if (!h->nr_vcpus || h->nr_vcpus > PVHOST_MAX_VCPUS)
		return -EINVAL;
	mutex_lock(&v->lock);
	v->recs = region + h->vcpu_offset;
	v->nr = h->nr_vcpus;
	memset(v->seq, 0, sizeof(v->seq));
	mutex_unlock(&v->lock);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(pvhost_vcpus_setup);

/**
 * pvhost_vcpu_preempted - whether the host has a vCPU preempted
 * @v: the state
 * @cpu: the guest CPU
 *
 * Context: any, atomic safe: no lock, one read of the shared flag.
 * Return: 1 or 0; -EINVAL for a CPU without a record; -EIO (counted) for
 * a flag other than 0 or 1
 */
int pvhost_vcpu_preempted(struct pvhost_vcpus *v, unsigned int cpu)
{
	u32 val;

	if (cpu >= v->nr)
		return -EINVAL;
	val = READ_ONCE(v->recs[cpu].preempted);
	if (unlikely(val > 1)) {
		atomic_long_inc(&v->preempted_invalid);
		return -EIO;
	}
	return val;
}
EXPORT_SYMBOL_IF_KUNIT(pvhost_vcpu_preempted);

/**
 * pvhost_vcpu_boost - ask the host to run a vCPU soon, or stop asking
 * @v: the state
 * @cpu: the guest CPU
 * @on: the request
 *
 * Writes boost, then boost_seq with release semantics, so that a host
 * that sees the new sequence number sees the request with it. Does not
 * wait for the host: a request the host has not acknowledged (boost_ack)
 * when the next one comes is counted in boost_unacked.
 *
 * Context: process context.
 * Return: 0, or -EINVAL for a CPU without a record
 */
int pvhost_vcpu_boost(struct pvhost_vcpus *v, unsigned int cpu, bool on)
{
	struct pvhost_vcpu *rec;
	u32 seq;

	mutex_lock(&v->lock);
	if (cpu >= v->nr) {
		mutex_unlock(&v->lock);
		return -EINVAL;
	}
	rec = &v->recs[cpu];
	seq = v->seq[cpu];
	if (seq && READ_ONCE(rec->boost_ack) != seq)
		atomic_long_inc(&v->boost_unacked);
	v->seq[cpu] = ++seq;
	WRITE_ONCE(rec->boost, on ? 1 : 0);
	/* the request before its number: pairs with the host's acquire load */
	smp_store_release(&rec->boost_seq, seq);
	mutex_unlock(&v->lock);
	atomic_long_inc(&v->boosts);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(pvhost_vcpu_boost);

/**
 * pvhost_vcpu_hint_slot - where CPU @cpu writes its lock hint
 * @v: the state
 * @cpu: the guest CPU
 *
 * Context: process context (pvhc asks when the route changes).
 * Return: record @cpu's lock_hint word, or NULL for a CPU without a record
 */
u32 *pvhost_vcpu_hint_slot(struct pvhost_vcpus *v, unsigned int cpu)
{
	return cpu < v->nr ? &v->recs[cpu].lock_hint : NULL;
}
EXPORT_SYMBOL_IF_KUNIT(pvhost_vcpu_hint_slot);

/**
 * pvhost_vcpu_hint_seen - the host's lock_hint_seen count of a vCPU
 * @v: the state
 * @cpu: the guest CPU
 * @seen: the count as the host wrote it (any value: telemetry only)
 * Return: 0, or -EINVAL for a CPU without a record
 */
int pvhost_vcpu_hint_seen(struct pvhost_vcpus *v, unsigned int cpu, u32 *seen)
{
	if (cpu >= v->nr)
		return -EINVAL;
	*seen = READ_ONCE(v->recs[cpu].lock_hint_seen);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(pvhost_vcpu_hint_seen);

/**
 * pvhost_vcpu_snapshot - one vCPU's record, each field read once
 * @v: the state
 * @cpu: the guest CPU
 * @out: the copy (for debugfs: values are shown as the host left them)
 * Return: 0, or -EINVAL for a CPU without a record
 */
int pvhost_vcpu_snapshot(struct pvhost_vcpus *v, unsigned int cpu,
			 struct pvhost_vcpu_view *out)
{
	const struct pvhost_vcpu *rec;

	if (cpu >= v->nr)
		return -EINVAL;
	rec = &v->recs[cpu];
	out->preempted = READ_ONCE(rec->preempted);
	out->preempt_seq = READ_ONCE(rec->preempt_seq);
	out->boost = READ_ONCE(rec->boost);
	out->boost_seq = READ_ONCE(rec->boost_seq);
	out->boost_ack = READ_ONCE(rec->boost_ack);
	out->lock_hint = READ_ONCE(rec->lock_hint);
	out->lock_hint_seen = READ_ONCE(rec->lock_hint_seen);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(pvhost_vcpu_snapshot);

/**
 * pvhost_boost_parse - parse a debugfs boost request, "CPU 0|1"
 * @buf: the bytes written, NUL-terminated
 * @cpu: the CPU
 * @on: the request
 * Return: 0, or -EINVAL
 */
int pvhost_boost_parse(const char *buf, unsigned int *cpu, bool *on)
{
	char tmp[24], *p, *word;
	unsigned int c, o;

	if (strscpy(tmp, buf, sizeof(tmp)) < 0)
		return -EINVAL;
	p = strim(tmp);
	word = strsep(&p, " ");
	if (!p || kstrtouint(word, 10, &c) || kstrtouint(p, 10, &o) || o > 1)
		return -EINVAL;
	*cpu = c;
	*on = o;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(pvhost_boost_parse);
