// SPDX-License-Identifier: GPL-2.0
/*
 * pvhost: what the guest reads from the region it shares with the host.
 *
 * Everything here works on plain memory and knows nothing of PCI, so that
 * KUnit can feed it a fake region. The host is untrusted: the header is
 * validated on a private copy, every shared word is read once with
 * READ_ONCE() before it is checked, every wait on the host is bounded, and
 * nothing is ever read outside the areas the validated header describes.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/compiler.h>
#include <linux/errno.h>
#include <linux/kasan-checks.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/processor.h>
#include <linux/string.h>
#include <asm/barrier.h>
#include <kunit/visibility.h>

#include "pvhost_internal.h"

struct pvhost_area {
	const char *name;
	u32 offset;
	u64 size;
	bool needed;		/* its feature is advertised */
};

/* Why the area @a is unusable in a region of @region_size bytes, or NULL. */
static const char *pvhost_area_check(const struct pvhost_area *a,
				     u32 header_size, u32 region_size)
{
	if (a->offset % 64)
		return "offset not 64-byte aligned";
	if (a->offset < header_size)
		return "offset inside the header";
	/* u64: a u32 offset plus a size cannot wrap. */
	if ((u64)a->offset + a->size > region_size)
		return "area beyond region_size";
	return NULL;
}

/**
 * pvhost_header_check - validate a private copy of the region header
 * @h: the copy, taken once from shared memory; never the shared header
 * @bar_size: size of the BAR that holds the region
 * @lay: set to the features whose areas are usable, on success
 *
 * Checks the magic, abi_major, header_size, region_size (at least
 * PVHOST_REGION_MIN, at most @bar_size), the state (READY), nr_vcpus,
 * vcpu_stride, host_peer_id and entropy_size, and that every area present
 * (offset not 0) is 64-byte aligned, after the header, inside region_size
 * and does not overlap another. An advertised feature whose area is absent
 * fails the header; unknown feature bits and a newer abi_minor are ignored.
 *
 * Return: NULL if the header is valid, else a static string naming the
 * first field that is not (for the log).
 */
const char *pvhost_header_check(const struct pvhost_header *h, u64 bar_size,
				struct pvhost_layout *lay)
{
	struct pvhost_area a[] = {
		{ "vcpu", h->vcpu_offset,
		  (u64)h->nr_vcpus * sizeof(struct pvhost_vcpu),
		  h->features & (PVHOST_F_CLOCK | PVHOST_F_PREEMPTED |
				 PVHOST_F_BOOST | PVHOST_F_LOCK_HINT) },
		{ "pairing", h->pairing_offset,
		  sizeof(struct pvhost_clock_pairing),
		  h->features & PVHOST_F_CLOCK_PAIRING },
		{ "pressure", h->pressure_offset,
		  sizeof(struct pvhost_pressure),
		  h->features & PVHOST_F_PRESSURE },
		{ "entropy", h->entropy_offset,
		  sizeof(struct pvhost_entropy) + (u64)h->entropy_size,
		  h->features & PVHOST_F_ENTROPY },
		{ "numa", h->numa_offset, sizeof(struct pvhost_numa),
		  h->features & (PVHOST_F_NUMA_HINT | PVHOST_F_NUMA_TOPO) },
		{ "mailbox", h->mailbox_offset, sizeof(struct pvhost_mailbox),
		  h->features & PVHOST_F_MAILBOX },
	};
	const char *why;
	int i, j;

	if (h->magic != PVHOST_MAGIC)
		return "bad magic";
	if (h->abi_major != PVHOST_ABI_MAJOR)
		return "unsupported abi_major";
	/* A later minor may grow the header; it stays 64-byte aligned. */
	if (h->header_size < sizeof(*h) || h->header_size % 64)
		return "bad header_size";
	if (h->region_size < PVHOST_REGION_MIN)
		return "region_size below the minimum";
	if (h->region_size > bar_size)
		return "region_size beyond the BAR";
	if (h->header_size > h->region_size)
		return "bad header_size";
	if (h->state != PVHOST_STATE_READY)
		return "state not READY";
	if (h->nr_vcpus > PVHOST_MAX_VCPUS)
		return "nr_vcpus above PVHOST_MAX_VCPUS";
	if (h->vcpu_stride != sizeof(struct pvhost_vcpu))
		return "bad vcpu_stride";
	/* The doorbell register has 16 bits for the peer. */
	if (h->host_peer_id > 0xffff)
		return "host_peer_id above 0xffff";
	if (h->entropy_offset &&
	    (h->entropy_size < 64 || !is_power_of_2(h->entropy_size)))
		return "entropy_size not a power of 2 >= 64";

	for (i = 0; i < ARRAY_SIZE(a); i++) {
		if (!a[i].offset) {
			if (a[i].needed)
				return "feature advertised without its area";
			continue;
		}
		why = pvhost_area_check(&a[i], h->header_size, h->region_size);
		if (why)
			return why;
	}
	for (i = 0; i < ARRAY_SIZE(a); i++) {
		if (!a[i].offset || !a[i].size)
			continue;
		for (j = i + 1; j < ARRAY_SIZE(a); j++) {
			if (!a[j].offset || !a[j].size)
				continue;
			if (a[i].offset < a[j].offset + a[j].size &&
			    a[j].offset < a[i].offset + a[i].size)
				return "areas overlap";
		}
	}

	lay->pressure = h->features & PVHOST_F_PRESSURE;
	lay->entropy = h->features & PVHOST_F_ENTROPY;
	/* The guest calibrates through the mailbox: no records without it. */
	lay->clock = h->features & PVHOST_F_CLOCK &&
		     h->features & PVHOST_F_MAILBOX && h->nr_vcpus;
	lay->pairing = lay->clock && h->features & PVHOST_F_CLOCK_PAIRING;
	lay->mailbox = h->features & PVHOST_F_MAILBOX;
	lay->numa = h->features & (PVHOST_F_NUMA_HINT | PVHOST_F_NUMA_TOPO);
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(pvhost_header_check);

/**
 * pvhost_recover_delay - how long to wait before the next try of the header
 * @prev_ms: the delay used last, 0 for none yet
 * @failed_again: the last try failed, or the host went away again soon
 *	after the guest came back to it
 *
 * Return: PVHOST_RECOVER_MIN_MS for a first try after a stable period,
 * else twice @prev_ms, at most PVHOST_RECOVER_MAX_MS.
 */
unsigned int pvhost_recover_delay(unsigned int prev_ms, bool failed_again)
{
	if (!failed_again || prev_ms < PVHOST_RECOVER_MIN_MS)
		return PVHOST_RECOVER_MIN_MS;
	if (prev_ms >= PVHOST_RECOVER_MAX_MS / 2)
		return PVHOST_RECOVER_MAX_MS;
	return prev_ms * 2;
}
EXPORT_SYMBOL_IF_KUNIT(pvhost_recover_delay);

/**
 * pvhost_pressure_get - read the pressure gauge with its seq protocol
 * @g: the gauge in shared memory
 * @level: set to the level (0..PVHOST_PRESSURE_ONE) on success
 * @seq: set to the (even) seq the level was read under, on success
 * @st: counters
 *
 * The host makes seq odd, writes, then makes it even. A read is good when
 * seq was even and unchanged across it; after PVHOST_SEQ_TRIES bad tries
 * the host is taken to be stuck (or hostile) and the read fails.
 *
 * Context: any.
 * Return: 0; -EAGAIN if seq stayed odd or kept changing; -EIO for a level
 * above PVHOST_PRESSURE_ONE. Both failures are counted in @st->errors.
 */
int pvhost_pressure_get(const struct pvhost_pressure *g, u32 *level, u32 *seq,
			struct pvhost_stats *st)
{
	u32 s1, s2, lv;
	int i;

	atomic_long_inc(&st->pressure_reads);
	for (i = 0; i < PVHOST_SEQ_TRIES; i++) {
		s1 = READ_ONCE(g->seq);
		if (s1 & 1) {
			cpu_relax();
			continue;
		}
		smp_rmb();	/* seq before level */
		lv = READ_ONCE(g->level);
		smp_rmb();	/* level before seq again */
		s2 = READ_ONCE(g->seq);
		if (s1 != s2) {
			cpu_relax();
			continue;
		}
		if (lv > PVHOST_PRESSURE_ONE) {
			atomic_long_inc(&st->pressure_invalid);
			atomic_long_inc(&st->errors);
			return -EIO;
		}
		*level = lv;
		*seq = s1;
		return 0;
	}
	atomic_long_inc(&st->pressure_busy);
	atomic_long_inc(&st->errors);
	return -EAGAIN;
}
EXPORT_SYMBOL_IF_KUNIT(pvhost_pressure_get);

/**
 * pvhost_ring_init - set up the consumer side of the entropy ring
 * @r: the ring to set up
 * @region: the start of the shared region
 * @h: the validated private copy of the header, with an entropy area
 *
 * The guest's index starts where the shared cons says (read once): any
 * value is safe, since every read checks prod - cons against the size.
 */
void pvhost_ring_init(struct pvhost_ring *r, void *region,
		      const struct pvhost_header *h)
{
	r->hdr = region + h->entropy_offset;
	r->data = (const u8 *)(r->hdr + 1);
	r->size = h->entropy_size;
	r->cons = READ_ONCE(r->hdr->cons);
	r->broken = false;
}
EXPORT_SYMBOL_IF_KUNIT(pvhost_ring_init);

/**
 * pvhost_ring_read - take bytes from the entropy ring
 * @r: the ring; the caller serialises readers
 * @buf: where to copy
 * @len: at most this many bytes
 * @st: counters
 *
 * prod is read once, with acquire ordering so that the data is read after
 * it; prod - cons above the ring size means the ring is broken: that is
 * counted and every later read fails without touching the ring. The bytes
 * are copied (wrapping at the end of the data area), then cons is
 * published with release ordering, so the host never sees the space free
 * before the guest is done reading it.
 *
 * Context: any; copies at most the ring size.
 * Return: the bytes copied (0 when the ring is empty, fewer than @len when
 * less is available), or -EIO for a broken ring.
 */
ssize_t pvhost_ring_read(struct pvhost_ring *r, void *buf, size_t len,
			 struct pvhost_stats *st)
{
	u32 prod, avail, off, first, n;

	if (r->broken)
		return -EIO;
	/* Pairs with the host's release of prod: data read after prod. */
	prod = smp_load_acquire(&r->hdr->prod);
	avail = prod - r->cons;		/* free running: wraps at 2^32 */
	if (avail > r->size) {
		r->broken = true;
		atomic_long_inc(&st->ring_broken);
		atomic_long_inc(&st->errors);
		pr_warn_ratelimited("entropy ring broken: prod %u cons %u size %u; no more reads\n",
				    prod, r->cons, r->size);
		return -EIO;
	}
	n = min_t(size_t, len, avail);
	if (!n)
		return 0;
	off = r->cons & (r->size - 1);
	first = min(n, r->size - off);
	/*
	 * gcc before 13 leaves memcpy() unchecked by KASAN on x86: check the
	 * ranges taken from the ring explicitly (no-ops without KASAN).
	 */
	kasan_check_read(r->data + off, first);
	kasan_check_read(r->data, n - first);
	memcpy(buf, r->data + off, first);
	memcpy(buf + first, r->data, n - first);
	r->cons += n;
	/* The copy above completes before the host sees the space free. */
	smp_store_release(&r->hdr->cons, r->cons);
	atomic_long_inc(&st->entropy_reads);
	atomic_long_add(n, &st->entropy_bytes);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(pvhost_ring_read);
