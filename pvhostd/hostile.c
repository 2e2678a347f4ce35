// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile-host mode: what a malicious or broken host does to the region,
 * so that the guest can be shown to survive it. Each mode damages one
 * thing and keeps damaging it on every tick while it is on; leaving the
 * mode repairs what it damaged (Documentation/pvhost.rst, "Hostile-host
 * mode"). This file holds the region writers only, no daemon state, so
 * the unit tests and the fuzz harnesses can call them on plain memory.
 */
#include <string.h>

#include "pvhostd.h"

static const char *const names[PVHOSTD_HOSTILE_NR] = {
	[PVHOSTD_HOSTILE_OFF] = "off",
	[PVHOSTD_HOSTILE_HEADER] = "header",
	[PVHOSTD_HOSTILE_GARBAGE] = "garbage",
	[PVHOSTD_HOSTILE_RELAYOUT] = "relayout",
	[PVHOSTD_HOSTILE_GAUGE_RANGE] = "gauge-range",
	[PVHOSTD_HOSTILE_GAUGE_STUCK] = "gauge-stuck",
	[PVHOSTD_HOSTILE_RING_BACK] = "ring-back",
	[PVHOSTD_HOSTILE_RING_PAST] = "ring-past",
	[PVHOSTD_HOSTILE_MBOX_SILENT] = "mailbox-silent",
	[PVHOSTD_HOSTILE_MBOX_MALFORMED] = "mailbox-malformed",
	[PVHOSTD_HOSTILE_FLOOD] = "flood",
	[PVHOSTD_HOSTILE_VCPU_STUCK] = "vcpu-stuck",
	[PVHOSTD_HOSTILE_NUMA_GARBAGE] = "numa-garbage",
	[PVHOSTD_HOSTILE_PREEMPT_GARBAGE] = "preempt-garbage",
	[PVHOSTD_HOSTILE_CLOCK_LEAP] = "clock-leap",
	[PVHOSTD_HOSTILE_CLOCK_AHEAD] = "clock-ahead",
};

/**
 * pvhostd_hostile_name - the control-protocol name of a mode
 * @mode: the mode
 * Return: a static string; "?" for a value out of range
 */
const char *pvhostd_hostile_name(enum pvhostd_hostile mode)
{
	if ((unsigned int)mode >= PVHOSTD_HOSTILE_NR)
		return "?";
	return names[mode];
}

/**
 * pvhostd_hostile_parse - a mode from its name
 * @s: NUL-terminated name
 * @mode: set on success
 * Return: 0, or -1 for an unknown name
 */
int pvhostd_hostile_parse(const char *s, enum pvhostd_hostile *mode)
{
	unsigned int i;

	for (i = 0; i < PVHOSTD_HOSTILE_NR; i++) {
		if (!strcmp(s, names[i])) {
			*mode = (enum pvhostd_hostile)i;
			return 0;
		}
	}
	return -1;
}

/**
 * pvhostd_hostile_repair - what leaving a mode takes
 * @mode: the mode being left
 * Return: true if the region must be laid out again under a new
 * generation (the guest then re-reads the header and starts over); false
 * if the normal service repairs the damage in place.
 */
bool pvhostd_hostile_repair(enum pvhostd_hostile mode)
{
	switch (mode) {
	case PVHOSTD_HOSTILE_HEADER:
	case PVHOSTD_HOSTILE_GARBAGE:
	case PVHOSTD_HOSTILE_RELAYOUT:
	case PVHOSTD_HOSTILE_RING_BACK:
	case PVHOSTD_HOSTILE_RING_PAST:
	case PVHOSTD_HOSTILE_NUMA_GARBAGE:
		return true;
	default:
		return false;
	}
}

static u32 xorshift(u32 *state)
{
	u32 x = *state ? *state : 0x9e3779b9U;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return x;
}

static void garbage(void *p, size_t len, u32 *rng)
{
	u8 *b = p;
	u32 v = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if (!(i % 4))
			v = xorshift(rng);
		b[i] = (u8)(v >> (8 * (i % 4)));
	}
}

/**
 * pvhostd_hostile_layout - the layout a relayout flip moves to
 * @lay: the planned layout
 * @flip: odd flips move the areas, even ones put them back
 * @out: the layout to write
 *
 * The moved layout puts the gauge and the entropy ring after the mailbox,
 * in space the planned layout leaves unused, so that every area the guest
 * held before now points at something else. Falls back to @lay when the
 * region has no room for that.
 */
void pvhostd_hostile_layout(const struct pvhostd_layout *lay, u32 flip,
			    struct pvhostd_layout *out)
{
	u32 p = lay->mailbox_offset + sizeof(struct pvhost_mailbox);
	u32 e = p + 4096;

	*out = *lay;
	if (!(flip & 1))
		return;
	if ((u64)e + sizeof(struct pvhost_entropy) + lay->entropy_size >
	    lay->region_size)
		return;
	out->pressure_offset = p;
	out->entropy_offset = e;
}

/**
 * pvhostd_hostile_apply - damage the region as @mode does, once
 * @base: the region
 * @lay: its current layout
 * @mode: the mode; modes acting on events rather than on memory
 *	(relayout, mailbox, flood) write nothing here
 * @rng: pseudo-random state for the garbage
 *
 * Called when the mode is switched on and then on every tick, so that a
 * guest reading between ticks keeps finding the damage.
 */
void pvhostd_hostile_apply(void *base, const struct pvhostd_layout *lay,
			   enum pvhostd_hostile mode, u32 *rng)
{
	struct pvhost_pressure *g = pvhostd_at(base, lay->pressure_offset);
	struct pvhost_entropy *r = pvhostd_at(base, lay->entropy_offset);
	struct pvhost_vcpu *v = pvhostd_at(base, lay->vcpu_offset);
	struct pvhost_mailbox *mb = pvhostd_at(base, lay->mailbox_offset);
	struct pvhost_numa *n = pvhostd_at(base, lay->numa_offset);
	u32 i, cons;

	switch (mode) {
	case PVHOSTD_HOSTILE_HEADER:
		/* magic and all: nothing of the header is left */
		garbage(base, sizeof(struct pvhost_header), rng);
		break;
	case PVHOSTD_HOSTILE_GARBAGE:
		/* a valid header over garbage areas */
		garbage(g, sizeof(*g), rng);
		garbage(r, sizeof(*r), rng);
		garbage(v, (size_t)lay->nr_vcpus * sizeof(*v), rng);
		garbage(&mb->resp_seq, sizeof(mb->resp_seq), rng);
		garbage(&mb->status, sizeof(mb->status), rng);
		break;
	case PVHOSTD_HOSTILE_GAUGE_RANGE:
		PVHOSTD_STORE(g->seq, (PVHOSTD_LOAD(g->seq) | 1) + 1);
		PVHOSTD_STORE(g->level, PVHOST_PRESSURE_ONE + 1 +
			      (xorshift(rng) & 0xffff));
		break;
	case PVHOSTD_HOSTILE_GAUGE_STUCK:
		PVHOSTD_STORE(g->seq, PVHOSTD_LOAD(g->seq) | 1);
		break;
	case PVHOSTD_HOSTILE_RING_BACK:
		/* prod behind the guest's cons: prod - cons wraps huge */
		cons = PVHOSTD_LOAD(r->cons);
		PVHOSTD_STORE(r->prod, cons - 1 - (xorshift(rng) & 0xff));
		break;
	case PVHOSTD_HOSTILE_RING_PAST:
		cons = PVHOSTD_LOAD(r->cons);
		PVHOSTD_STORE(r->prod, cons + lay->entropy_size + 1 +
			      (xorshift(rng) & 0xff));
		break;
	case PVHOSTD_HOSTILE_VCPU_STUCK:
		for (i = 0; i < lay->nr_vcpus; i++) {
			PVHOSTD_STORE(v[i].clock.version,
				      PVHOSTD_LOAD(v[i].clock.version) | 1);
			PVHOSTD_STORE(v[i].preempted, xorshift(rng));
			PVHOSTD_STORE(v[i].preempt_seq, xorshift(rng) | 1);
		}
		break;
	case PVHOSTD_HOSTILE_NUMA_GARBAGE:
		/* the topology, seq and all, and every answer a slot holds */
		garbage(n, offsetof(struct pvhost_numa, hint), rng);
		for (i = 0; i < PVHOST_NUMA_HINT_SLOTS; i++) {
			garbage(&n->hint[i].status, sizeof(n->hint[i].status),
				rng);
			garbage(&n->hint[i].reason, sizeof(n->hint[i].reason),
				rng);
			garbage(&n->hint[i].host_node,
				sizeof(n->hint[i].host_node), rng);
		}
		break;
	case PVHOSTD_HOSTILE_PREEMPT_GARBAGE:
		/* flags of 2 and up, bumped as a change would be */
		for (i = 0; i < lay->nr_vcpus; i++) {
			PVHOSTD_STORE(v[i].preempted, 2 + xorshift(rng) % 0xfffffffdU);
			PVHOSTD_STORE(v[i].preempt_seq,
				      PVHOSTD_LOAD(v[i].preempt_seq) + 1);
		}
		break;
	default:
		break;
	}
}

/**
 * pvhostd_hostile_vcpu_repair - end vcpu-stuck: versions even again
 * @base: the region
 * @lay: its layout
 */
void pvhostd_hostile_vcpu_repair(void *base, const struct pvhostd_layout *lay)
{
	struct pvhost_vcpu *v = pvhostd_at(base, lay->vcpu_offset);
	u32 i, ver;

	for (i = 0; i < lay->nr_vcpus; i++) {
		ver = PVHOSTD_LOAD(v[i].clock.version);
		PVHOSTD_STORE(v[i].clock.version, (ver | 1) + 1);
		PVHOSTD_STORE(v[i].preempted, 0);
		PVHOSTD_STORE(v[i].preempt_seq, 0);
	}
}

/**
 * pvhostd_hostile_mbox_answer - answer a request as mailbox-malformed does
 * @mb: the mailbox
 * @seq: the request's req_seq
 *
 * The answer carries the right resp_seq but a positive status and a
 * length beyond the payload: the guest must reject it, not use it.
 */
void pvhostd_hostile_mbox_answer(struct pvhost_mailbox *mb, u32 seq)
{
	mb->status = 0x7fffffff;
	mb->len = 0xffffffffU;
	PVHOSTD_STORE(mb->resp_seq, seq);
}
