// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for pvhostd's pure parts: region layout against the
 * ABI, the entropy ring under hostile cons values, mailbox validation,
 * the pressure mapping, the control-command parser and the hostile-host
 * mode's region writers, the QMP reply parser and the /proc parsers.
 * TAP output.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <linux/mempolicy.h>
#include <unistd.h>

#include "../pvhostd.h"
#include "tap.h"

static u32 u32_at(const void *base, u32 off)
{
	u32 v;

	memcpy(&v, (const char *)base + off, sizeof(v));
	return v;
}

static bool all_zero(const void *p, size_t len)
{
	const u8 *b = p;

	while (len--)
		if (*b++)
			return false;
	return true;
}

/* ---- region layout ---- */

static bool areas_ordered(const struct pvhostd_layout *l)
{
	u32 off[] = {
		l->vcpu_offset, l->pairing_offset, l->pressure_offset,
		l->entropy_offset, l->numa_offset, l->mailbox_offset,
	};
	u32 end[] = {
		l->vcpu_offset + l->nr_vcpus * 128, l->pairing_offset + 64,
		l->pressure_offset + 64,
		l->entropy_offset + 64 + l->entropy_size,
		l->numa_offset + (u32)sizeof(struct pvhost_numa),
		l->mailbox_offset + 4096,
	};
	size_t i;

	if (off[0] < 256)
		return false;
	for (i = 0; i < 6; i++) {
		if (off[i] % 64 || end[i] > l->region_size)
			return false;
		if (i && off[i] < end[i - 1])
			return false;
	}
	return true;
}

static void test_layout_plan(void)
{
	struct pvhostd_layout l;

	TAP_OK(!pvhostd_layout_plan(1 << 20, 1, &l) && areas_ordered(&l),
	       "layout: 1 MiB, 1 vCPU: areas aligned, ordered, inside");
	TAP_OK(!pvhostd_layout_plan(1 << 20, 256, &l) && areas_ordered(&l),
	       "layout: 1 MiB, 256 vCPUs fit");
	TAP_OK(!pvhostd_layout_plan(1 << 24, 8, &l) && areas_ordered(&l),
	       "layout: 16 MiB");
	TAP_OK(l.entropy_size >= 64 && !(l.entropy_size & (l.entropy_size - 1)),
	       "layout: entropy size a power of 2 >= 64");
	TAP_OK(pvhostd_layout_plan(3 << 19, 1, &l) == -EINVAL,
	       "layout: non-power-of-2 size rejected");
	TAP_OK(pvhostd_layout_plan(1 << 19, 1, &l) == -EINVAL,
	       "layout: size below PVHOST_REGION_MIN rejected");
	TAP_OK(pvhostd_layout_plan(1 << 20, 0, &l) == -EINVAL &&
	       pvhostd_layout_plan(1 << 20, 257, &l) == -EINVAL,
	       "layout: 0 and 257 vCPUs rejected");
}

static void test_layout_header(void)
{
	struct pvhostd_layout l;
	u8 *r = malloc(1 << 20);
	u64 features;

	memset(r, 0xa5, 1 << 20);	/* laying out must clear old contents */
	pvhostd_layout_plan(1 << 20, 4, &l);
	pvhostd_layout_write(r, &l, 7);
	memcpy(&features, r + 16, 8);
	TAP_OK(u32_at(r, 0) == 0x53485650, "header: magic at 0 is PVHS");
	TAP_OK(u32_at(r, 4) == (PVHOST_ABI_MINOR << 16 | 1),
	       "header: abi major 1 at 4, minor at 6");
	TAP_OK(u32_at(r, 8) == 256 && u32_at(r, 12) == 1 << 20,
	       "header: header_size, region_size");
	TAP_OK(features == PVHOSTD_FEATURES &&
	       (features & (PVHOST_F_PRESSURE | PVHOST_F_ENTROPY |
			    PVHOST_F_MAILBOX | PVHOST_F_CLOCK |
			    PVHOST_F_CLOCK_PAIRING)) ==
	       (PVHOST_F_PRESSURE | PVHOST_F_ENTROPY | PVHOST_F_MAILBOX |
		PVHOST_F_CLOCK | PVHOST_F_CLOCK_PAIRING),
	       "header: advertises pressure, entropy, mailbox, clock, clock_pairing");
	TAP_OK(!(features & PVHOST_F_NUMA_TOPO),
	       "header: numa not advertised");
	TAP_OK(u32_at(r, 24) == PVHOST_STATE_READY, "header: state READY");
	TAP_OK(u32_at(r, 28) == 7, "header: generation");
	TAP_OK(u32_at(r, 32) == 4 && u32_at(r, 40) == 128,
	       "header: nr_vcpus, vcpu_stride");
	TAP_OK(u32_at(r, 36) == l.vcpu_offset && u32_at(r, 48) == l.pressure_offset &&
	       u32_at(r, 52) == l.entropy_offset && u32_at(r, 56) == l.entropy_size &&
	       u32_at(r, 60) == l.numa_offset && u32_at(r, 64) == l.mailbox_offset,
	       "header: offsets where the ABI puts them");
	TAP_OK(u32_at(r, 72) == PVHOSTD_HOST_PEER, "header: host_peer_id at 72");
	TAP_OK(all_zero(r + 76, 180), "header: reserved zero");
	TAP_OK(all_zero(r + l.vcpu_offset, 4 * 128), "vcpu records zero");
	TAP_OK(all_zero(r + l.numa_offset, sizeof(struct pvhost_numa)),
	       "numa area zero");
	TAP_OK(u32_at(r, l.entropy_offset + 8) == l.entropy_size &&
	       u32_at(r, l.entropy_offset) == 0,
	       "entropy ring: size copied, prod 0");
	pvhostd_region_set_state(r, PVHOST_STATE_STOPPING);
	TAP_OK(u32_at(r, 24) == PVHOST_STATE_STOPPING, "header: STOPPING");
	free(r);
}

/* ---- entropy ring ---- */

#define RING	256U
#define CANARY	0x5a

struct ring_buf {
	u8 before[64];
	struct pvhost_entropy hdr;
	u8 data[RING];
	u8 after[64];
};

static struct ring_buf *ring_new(struct pvhostd_entropy *e)
{
	struct ring_buf *rb = malloc(sizeof(*rb));

	memset(rb, CANARY, sizeof(*rb));
	memset(&rb->hdr, 0, sizeof(rb->hdr));
	pvhostd_entropy_init(e, &rb->hdr, RING);
	return rb;
}

static bool canaries_intact(const struct ring_buf *rb)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (rb->before[i] != CANARY || rb->after[i] != CANARY)
			return false;
	return true;
}

static void test_entropy_normal(void)
{
	static struct pvhostd_entropy e;
	struct ring_buf *rb = ring_new(&e);

	TAP_OK(pvhostd_entropy_fill(&e) == RING && rb->hdr.prod == RING,
	       "entropy: first fill fills the ring");
	TAP_OK(pvhostd_entropy_fill(&e) == 0, "entropy: full ring, no write");
	rb->hdr.cons = 100;
	TAP_OK(pvhostd_entropy_fill(&e) == 100 && rb->hdr.prod == RING + 100,
	       "entropy: refills exactly what was consumed");
	e.prod = UINT32_MAX - 10;
	rb->hdr.prod = e.prod;
	rb->hdr.cons = e.prod;
	TAP_OK(pvhostd_entropy_fill(&e) == RING && rb->hdr.prod == RING - 11 &&
	       e.broken == 0, "entropy: indices wrap at 2^32, not broken");
	TAP_OK(canaries_intact(rb), "entropy: nothing written outside the ring");
	free(rb);
}

static void test_entropy_hostile(void)
{
	static struct pvhostd_entropy e;
	struct ring_buf *rb = ring_new(&e);
	u32 i, before;

	pvhostd_entropy_fill(&e);
	rb->hdr.cons = e.prod + 1;
	TAP_OK(pvhostd_entropy_fill(&e) == RING && e.broken == 1,
	       "entropy: cons beyond prod counted broken, resynced");
	rb->hdr.cons = e.prod - RING - 1;
	TAP_OK(pvhostd_entropy_fill(&e) == RING && e.broken == 2,
	       "entropy: cons more than size behind counted broken");
	rb->hdr.cons = e.prod - RING;
	before = e.broken;
	TAP_OK(pvhostd_entropy_fill(&e) == 0 && e.broken == before,
	       "entropy: cons exactly size behind is a full ring, fine");
	srandom(1);
	for (i = 0; i < 20000; i++) {
		rb->hdr.cons = (u32)random() ^ ((u32)random() << 16);
		if (pvhostd_entropy_fill(&e) > RING)
			break;
	}
	TAP_OK(i == 20000 && canaries_intact(rb),
	       "entropy: 20000 random cons values, never beyond size or bounds");
	TAP_OK(e.broken > before, "entropy: random cons values counted");
	free(rb);
}

/* getrandom() stand-ins: interrupted once, then fine; or failing for good. */
static int gr_calls;

static ssize_t gr_eintr_once(void *buf, size_t len, unsigned int flags)
{
	if (!gr_calls++) {
		errno = EINTR;
		return -1;
	}
	return getrandom(buf, len, flags);
}

static ssize_t gr_eperm(void *buf, size_t len, unsigned int flags)
{
	(void)buf;
	(void)len;
	(void)flags;
	gr_calls++;
	errno = EPERM;	/* as a seccomp filter answers */
	return -1;
}

static void test_entropy_getrandom_fails(void)
{
	static struct pvhostd_entropy e;
	struct ring_buf *rb;

	pvhostd_getrandom = gr_eintr_once;
	gr_calls = 0;
	rb = ring_new(&e);
	TAP_OK(pvhostd_entropy_fill(&e) == RING && e.errors == 0,
	       "entropy: an interrupted getrandom() is retried");
	free(rb);

	pvhostd_getrandom = gr_eperm;
	gr_calls = 0;
	rb = ring_new(&e);
	memset(rb->data, 0xa5, RING);
	TAP_OK(pvhostd_entropy_fill(&e) == 0 && rb->hdr.prod == 0 &&
	       e.errors == 2 && gr_calls == 2,
	       "entropy: a failing getrandom() publishes nothing, counted, no loop");
	TAP_OK(rb->data[0] == 0xa5 && rb->data[RING - 1] == 0xa5,
	       "entropy: nothing written in place of random bytes");
	pvhostd_getrandom = getrandom;
	free(rb);
}

static bool ring_is_period(const u8 *d, u32 len, u32 period)
{
	u32 i;

	for (i = period; i < len; i++)
		if (d[i] != d[i - period])
			return false;
	return true;
}

static void drain_and_fill(struct pvhostd_entropy *e, struct ring_buf *rb)
{
	rb->hdr.cons = e->prod;
	e->prod = e->prod - (e->prod % RING);	/* realign for inspection */
	rb->hdr.cons = e->prod;
	pvhostd_entropy_fill(e);
}

static void test_entropy_faults(void)
{
	static struct pvhostd_entropy e;
	struct ring_buf *rb = ring_new(&e);
	u8 good[RING];

	pvhostd_entropy_fill(&e);
	memcpy(good, rb->data, RING);
	TAP_OK(!all_zero(rb->data, RING), "entropy: good output is not zeros");
	pvhostd_entropy_set_fault(&e, PVHOSTD_ENTROPY_ZEROS);
	drain_and_fill(&e, rb);
	TAP_OK(all_zero(rb->data, RING), "entropy fault zeros: all zero");
	pvhostd_entropy_set_fault(&e, PVHOSTD_ENTROPY_REPEAT);
	drain_and_fill(&e, rb);
	TAP_OK(ring_is_period(rb->data, RING, PVHOSTD_REPEAT_BLOCK) &&
	       !all_zero(rb->data, RING), "entropy fault repeat: 64-byte period");
	pvhostd_entropy_set_fault(&e, PVHOSTD_ENTROPY_REPLAY);
	drain_and_fill(&e, rb);
	TAP_OK(!memcmp(rb->data, good, RING),
	       "entropy fault replay: earlier output again");
	pvhostd_entropy_set_fault(&e, PVHOSTD_ENTROPY_GOOD);
	drain_and_fill(&e, rb);
	TAP_OK(memcmp(rb->data, good, RING) && !all_zero(rb->data, RING) &&
	       !ring_is_period(rb->data, RING, PVHOSTD_REPEAT_BLOCK),
	       "entropy fault none: fresh output again");
	TAP_OK(canaries_intact(rb), "entropy faults: nothing written outside");
	free(rb);
}

/* ---- mailbox ---- */

static void test_mailbox_answer(void)
{
	u8 pl[PVHOST_MAILBOX_PAYLOAD] = { 0 };
	struct pvhost_calibrate cal = { .tsc_before = 42 };
	u32 rl = 99;

	TAP_OK(pvhostd_mailbox_answer(PVHOST_OP_PING, 0, pl, &rl, 1) == 0 &&
	       rl == 0, "mailbox: PING answers 0, no payload");
	TAP_OK(pvhostd_mailbox_answer(PVHOST_OP_PING, 4, pl, &rl, 1) == -EINVAL,
	       "mailbox: PING with payload is -EINVAL");
	TAP_OK(pvhostd_mailbox_answer(PVHOST_OP_PING, 4033, pl, &rl, 1) == -EINVAL &&
	       pvhostd_mailbox_answer(PVHOST_OP_PING, UINT32_MAX, pl, &rl, 1) == -EINVAL,
	       "mailbox: len beyond the payload is -EINVAL");
	TAP_OK(pvhostd_mailbox_answer(0, 0, pl, &rl, 1) == -EOPNOTSUPP &&
	       pvhostd_mailbox_answer(3, 0, pl, &rl, 1) == -EOPNOTSUPP &&
	       pvhostd_mailbox_answer(UINT32_MAX, 16, pl, &rl, 1) == -EOPNOTSUPP,
	       "mailbox: unknown ops are -EOPNOTSUPP");
	TAP_OK(pvhostd_mailbox_answer(7, 5000, pl, &rl, 1) == -EINVAL,
	       "mailbox: malformed len wins over unknown op");
	TAP_OK(pvhostd_mailbox_answer(PVHOST_OP_CALIBRATE, 31, pl, &rl, 1) == -EINVAL &&
	       pvhostd_mailbox_answer(PVHOST_OP_CALIBRATE, 33, pl, &rl, 1) == -EINVAL,
	       "mailbox: CALIBRATE with a wrong len is -EINVAL");
	memcpy(pl, &cal, sizeof(cal));
	TAP_OK(pvhostd_mailbox_answer(PVHOST_OP_CALIBRATE, 32, pl, &rl, 12345) == 0 &&
	       rl == 32, "mailbox: CALIBRATE answers 32 bytes");
	memcpy(&cal, pl, sizeof(cal));
	TAP_OK(cal.host_ns == 12345 && cal.tsc_before == 42,
	       "mailbox: CALIBRATE fills host_ns, keeps tsc_before");
}

static void test_mailbox_serve(void)
{
	static struct pvhost_mailbox mb;
	struct pvhostd_mailbox m;

	pvhostd_mailbox_init(&m, &mb);
	TAP_OK(!pvhostd_mailbox_serve(&m, 1), "mailbox: nothing pending at 0");
	mb.op = PVHOST_OP_PING;
	mb.req_seq = 1;
	TAP_OK(pvhostd_mailbox_serve(&m, 1) && mb.resp_seq == 1 &&
	       mb.status == 0 && mb.len == 0, "mailbox: request answered");
	TAP_OK(!pvhostd_mailbox_serve(&m, 1), "mailbox: answered only once");
	mb.resp_seq = 0;	/* a guest scribbling on a host field */
	TAP_OK(!pvhostd_mailbox_serve(&m, 1),
	       "mailbox: pending state is private, not resp_seq");
	mb.op = 99;
	mb.len = 8;
	mb.req_seq = 2;
	TAP_OK(pvhostd_mailbox_serve(&m, 1) && mb.resp_seq == 2 &&
	       mb.status == -EOPNOTSUPP && mb.len == 0 && m.errors == 1,
	       "mailbox: unknown op answered with -EOPNOTSUPP, len 0");
	mb.op = PVHOST_OP_PING;
	mb.len = 0;
	mb.flags = PVHOST_MBOX_SPINNING;
	mb.req_seq = 3;
	TAP_OK(!pvhostd_mailbox_serve(&m, 1) && mb.resp_seq == 3 &&
	       mb.status == 0 && m.quiet == 1,
	       "mailbox: a spinning guest is answered without an interrupt");
	mb.flags = 0xfffffffe;	/* unknown flags: ignored */
	mb.req_seq = 4;
	TAP_OK(pvhostd_mailbox_serve(&m, 1) && mb.resp_seq == 4 && m.quiet == 1,
	       "mailbox: unknown flags ignored, the vector raised");
}

/* ---- pressure ---- */

static void test_pressure_mapping(void)
{
	struct pvhostd_pressure_cfg c = { 1000, 6000, 800, 980 };
	struct pvhostd_pressure_sample s = { 0, 0, 1000, true };

	TAP_OK(pvhostd_pressure_scale(500, 1000, 6000) == 0 &&
	       pvhostd_pressure_scale(1000, 1000, 6000) == 0,
	       "pressure: at or below LO is 0");
	TAP_OK(pvhostd_pressure_scale(6000, 1000, 6000) == PVHOST_PRESSURE_ONE &&
	       pvhostd_pressure_scale(UINT32_MAX, 1000, 6000) == PVHOST_PRESSURE_ONE,
	       "pressure: at or above HI is ONE");
	TAP_OK(pvhostd_pressure_scale(3500, 1000, 6000) == PVHOST_PRESSURE_ONE / 2,
	       "pressure: linear in between");
	TAP_OK(pvhostd_pressure_level(&c, &s) == 0, "pressure: idle host is 0");
	s.psi_some = 3500;
	TAP_OK(pvhostd_pressure_level(&c, &s) == PVHOST_PRESSURE_ONE / 2,
	       "pressure: PSI alone drives it");
	s.avail_permille = 20;
	TAP_OK(pvhostd_pressure_level(&c, &s) == PVHOST_PRESSURE_ONE,
	       "pressure: the larger ramp wins (memory 98%% used)");
	s.avail_permille = 5000;
	s.psi_some = 0;
	TAP_OK(pvhostd_pressure_level(&c, &s) == 0,
	       "pressure: bogus permille > 1000 clamps");
}

static int put_text(const char *dir, const char *name, const char *text,
		    char *path, size_t size)
{
	FILE *f;

	snprintf(path, size, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* The gauge's inputs read from files: a missing PSI file is flagged. */
static void test_pressure_sample_files(void)
{
	char dir[] = "/tmp/pvhostd-psi-XXXXXX", psi[96], mi[96], bad[96];
	struct pvhostd_pressure_sample s;

	if (!mkdtemp(dir) ||
	    put_text(dir, "psi", "some avg10=3.00\nfull avg10=1.00\n", psi,
		     sizeof(psi)) ||
	    put_text(dir, "meminfo", "MemTotal: 100 kB\nMemAvailable: 40 kB\n",
		     mi, sizeof(mi)) ||
	    put_text(dir, "bad", "some avg10=lots\n", bad, sizeof(bad))) {
		TAP_OK(0, "pressure files: set up");
		return;
	}
	memset(&s, 0xff, sizeof(s));
	TAP_OK(!pvhostd_pressure_sample_from(&s, psi, mi) && s.psi &&
	       s.psi_some == 300 && s.psi_full == 100 && s.avail_permille == 400,
	       "pressure files: PSI and meminfo read");
	memset(&s, 0xff, sizeof(s));
	TAP_OK(!pvhostd_pressure_sample_from(&s, "/nonexistent/psi", mi) &&
	       !s.psi && !s.psi_some && !s.psi_full && s.avail_permille == 400,
	       "pressure files: no PSI file is flagged, not read as 0 pressure");
	memset(&s, 0xff, sizeof(s));
	TAP_OK(!pvhostd_pressure_sample_from(&s, bad, mi) && !s.psi &&
	       !s.psi_some, "pressure files: unparsable PSI is flagged");
	TAP_OK(pvhostd_pressure_sample_from(&s, psi, "/nonexistent/mi") == -EIO &&
	       pvhostd_pressure_sample_from(&s, psi, psi) == -EIO,
	       "pressure files: meminfo missing or unparsable is an error");
	unlink(psi);
	unlink(mi);
	unlink(bad);
	rmdir(dir);
}

static void test_pressure_parse(void)
{
	const char *psi = "some avg10=12.34 avg60=1.00 avg300=0.50 total=99\n"
			  "full avg10=5.6 avg60=0.00 avg300=0.00 total=7\n";
	const char *mi = "MemTotal:       1000000 kB\nMemFree: 1 kB\n"
			 "MemAvailable:    250000 kB\n";
	u32 some = 0, full = 0, pm = 0, lo = 0, hi = 0;

	TAP_OK(!pvhostd_psi_parse(psi, &some, &full) && some == 1234 &&
	       full == 560, "psi: avg10 in hundredths");
	TAP_OK(pvhostd_psi_parse("some avg10=101.00\n", &some, &full) == -ERANGE,
	       "psi: more than 100%% rejected");
	TAP_OK(pvhostd_psi_parse("garbage\n", &some, &full) &&
	       pvhostd_psi_parse("some avg10=x\n", &some, &full) &&
	       pvhostd_psi_parse("", &some, &full),
	       "psi: malformed text rejected");
	TAP_OK(!pvhostd_psi_parse("some avg10=7.00 avg60=0\n", &some, &full) &&
	       some == 700 && full == 0, "psi: missing full line reads 0");
	TAP_OK(!pvhostd_meminfo_parse(mi, &pm) && pm == 250,
	       "meminfo: available permille");
	TAP_OK(pvhostd_meminfo_parse("MemTotal: 10 kB\n", &pm) &&
	       pvhostd_meminfo_parse("MemTotal: 0 kB\nMemAvailable: 0 kB\n", &pm),
	       "meminfo: missing field or zero total rejected");
	TAP_OK(!pvhostd_meminfo_parse("MemTotal: 10 kB\nMemAvailable: 20 kB\n", &pm) &&
	       pm == 1000, "meminfo: available > total clamps");
	TAP_OK(!pvhostd_pressure_parse_range("10:60", 100, &lo, &hi) &&
	       lo == 1000 && hi == 6000, "range: 10:60 percent");
	TAP_OK(pvhostd_pressure_parse_range("60:10", 100, &lo, &hi) &&
	       pvhostd_pressure_parse_range("10", 100, &lo, &hi) &&
	       pvhostd_pressure_parse_range("0:101", 100, &lo, &hi) &&
	       pvhostd_pressure_parse_range("5:5", 100, &lo, &hi),
	       "range: reversed, incomplete, out of range rejected");
}

static void test_pressure_publish(void)
{
	struct pvhost_pressure p = { .seq = 4 };
	struct pvhostd_pressure_sample s = { 120, 30, 640, true };

	pvhostd_pressure_publish(&p, 1000, &s, 1, 77);
	TAP_OK(p.seq == 6, "pressure: seq advances by 2, ends even");
	TAP_OK(p.level == 1000 && p.source == 1 && p.updated_ns == 77 &&
	       p.psi_some_avg10 == 120 && p.psi_full_avg10 == 30 &&
	       p.mem_available_permille == 640, "pressure: fields published");
	p.seq = 7;	/* odd left over: still ends even */
	pvhostd_pressure_publish(&p, 0, &s, 0, 78);
	TAP_OK(!(p.seq & 1), "pressure: odd start still ends even");
}

/* ---- control parser ---- */

static int parse(const char *s, struct pvhostd_ctl_cmd *c)
{
	const char *err = NULL;
	size_t len = strlen(s);
	char *copy = malloc(len ? len : 1);	/* no NUL terminator */
	int ret;

	memcpy(copy, s, len);
	ret = pvhostd_ctl_parse(copy, len, c, &err);
	free(copy);
	return ret || !err ? ret : -1;
}

static void test_ctl_valid(void)
{
	struct pvhostd_ctl_cmd c;

	TAP_OK(!parse("status", &c) && c.op == PVHOSTD_CTL_STATUS,
	       "ctl: status");
	TAP_OK(!parse("status\n", &c) && c.op == PVHOSTD_CTL_STATUS,
	       "ctl: trailing newline accepted");
	TAP_OK(!parse("pressure set 0.5", &c) &&
	       c.op == PVHOSTD_CTL_PRESSURE_SET && c.level == 32768,
	       "ctl: pressure set 0.5 -> 32768");
	TAP_OK(!parse("pressure  set 1\n", &c) && c.level == PVHOST_PRESSURE_ONE,
	       "ctl: pressure set 1, extra spaces");
	TAP_OK(!parse("pressure set 0", &c) && c.level == 0, "ctl: set 0");
	TAP_OK(!parse("pressure auto", &c) && c.op == PVHOSTD_CTL_PRESSURE_AUTO,
	       "ctl: pressure auto");
	TAP_OK(!parse("entropy fault zeros", &c) &&
	       c.op == PVHOSTD_CTL_ENTROPY_FAULT && c.fault == PVHOSTD_ENTROPY_ZEROS,
	       "ctl: entropy fault zeros");
	TAP_OK(!parse("vcpu status", &c) && c.op == PVHOSTD_CTL_VCPU_STATUS,
	       "ctl: vcpu status");
	TAP_OK(!parse("vcpu lock-hint-max 0", &c) &&
	       c.op == PVHOSTD_CTL_VCPU_HINT_MAX && c.hint_max_ms == 0 &&
	       !parse("vcpu lock-hint-max 10000", &c) && c.hint_max_ms == 10000,
	       "ctl: vcpu lock-hint-max 0, 10000");
	TAP_OK(!parse("entropy fault repeat", &c) && c.fault == PVHOSTD_ENTROPY_REPEAT &&
	       !parse("entropy fault replay", &c) && c.fault == PVHOSTD_ENTROPY_REPLAY &&
	       !parse("entropy fault none", &c) && c.fault == PVHOSTD_ENTROPY_GOOD,
	       "ctl: entropy fault repeat, replay, none");
}

static void test_ctl_invalid(void)
{
	static const char *const bad[] = {
		"", "\n", " ", "stat", "status now", "pressure", "pressure set",
		"pressure set 1.5", "pressure set -0.1", "pressure set nan",
		"pressure set inf", "pressure set 0.5x", "pressure set 0.5 1",
		"pressure auto now", "entropy", "entropy fault", "entropy fault bad",
		"entropy fault zeros now", "status\r", "sta\ttus", "a b c d e f",
		"\xff\xfe", "status\n\n", "vcpu", "vcpu stat", "vcpu status 1",
		"vcpu lock-hint-max", "vcpu lock-hint-max 10001",
		"vcpu lock-hint-max -1", "vcpu lock-hint-max 5x",
		"vcpu lock-hint-max 99999999999999999999",
	};
	struct pvhostd_ctl_cmd c;
	char longcmd[PVHOSTD_CTL_MAX + 10];
	const char *err = NULL;
	size_t i;
	int rejected = 0;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		rejected += parse(bad[i], &c) == -EINVAL;
	TAP_OK(rejected == (int)(ARRAY_SIZE(bad)),
	       "ctl: %d malformed commands all rejected with a reason", rejected);
	memset(longcmd, 's', sizeof(longcmd));
	TAP_OK(pvhostd_ctl_parse(longcmd, sizeof(longcmd), &c, &err) == -EINVAL &&
	       err, "ctl: overlong line rejected");
	TAP_OK(pvhostd_ctl_parse("status\0junk", 11, &c, &err) == -EINVAL,
	       "ctl: embedded NUL rejected");
}

/* ---- QMP replies ---- */

/* JSON written with ' for ", so that the tests stay readable. */
static size_t unquote(char *dst, size_t size, const char *src)
{
	size_t len = strlen(src), i;

	if (len > size)
		len = size;
	for (i = 0; i < len; i++)
		dst[i] = src[i] == '\'' ? '"' : src[i];
	return len;
}

static int qmp(const char *s, struct pvhostd_qmp_msg *m)
{
	char *copy = malloc(strlen(s) + 1);	/* parsed without its NUL */
	size_t len = unquote(copy, strlen(s), s);
	int ret = pvhostd_qmp_parse(copy, len, m);

	free(copy);
	return ret;
}

/* One cpu of QEMU 7.2's query-cpus-fast, as -smp N,sockets=N prints it. */
static size_t qmp_cpu(char *buf, size_t size, int idx, int tid)
{
	char tmp[256];

	snprintf(tmp, sizeof(tmp),
		 "{'thread-id': %d, 'props': {'core-id': 0, 'thread-id': 0, 'node-id': 0, 'socket-id': %d}, 'qom-path': '/machine/unattached/device[%d]', 'cpu-index': %d, 'target': 'x86_64'}",
		 tid, idx, idx, idx);
	return unquote(buf, size, tmp);
}

static int qmp_cpus(const int *idx_tid, int n, struct pvhostd_qmp_msg *m)
{
	static char buf[4096];
	size_t len = unquote(buf, sizeof(buf), "{'return': [");
	int i;

	for (i = 0; i < n; i++) {
		if (i)
			buf[len++] = ',';
		len += qmp_cpu(buf + len, sizeof(buf) - len, idx_tid[2 * i],
			       idx_tid[2 * i + 1]);
	}
	len += unquote(buf + len, sizeof(buf) - len, "]}");
	return pvhostd_qmp_parse(buf, len, m);
}

static void test_qmp_valid(void)
{
	static struct pvhostd_qmp_msg m;
	static const int two[] = { 0, 4242, 1, 4243 };
	static const int sparse[] = { 3, 17, 1, 16 };
	static const char *const greeting[] = {
		"{'QMP': {'version': {'qemu': {'micro': 19, 'minor': 2, 'major': 7}, 'package': 'Debian 1:7.2+dfsg-7'}, 'capabilities': ['oob']}}",
	};

	TAP_OK(!qmp(greeting[0], &m) && m.kind == PVHOSTD_QMP_GREETING,
	       "qmp: greeting");
	TAP_OK(!qmp("{'return': {}}", &m) && m.kind == PVHOSTD_QMP_RETURN,
	       "qmp: empty return");
	TAP_OK(!qmp("{'timestamp': {'seconds': 1, 'microseconds': 2}, 'event': 'RESUME'}",
		    &m) && m.kind == PVHOSTD_QMP_EVENT, "qmp: event");
	TAP_OK(!qmp("{'error': {'class': 'CommandNotFound', 'desc': 'x'}}", &m) &&
	       m.kind == PVHOSTD_QMP_ERROR, "qmp: error");
	TAP_OK(!qmp_cpus(two, 2, &m) && m.kind == PVHOSTD_QMP_CPUS &&
	       m.nr_vcpus == 2 && m.tid[0] == 4242 && m.tid[1] == 4243 && !m.tid[2],
	       "qmp: query-cpus-fast, top-level thread-id, not props.thread-id");
	TAP_OK(!qmp_cpus(sparse, 2, &m) && m.nr_vcpus == 4 && m.tid[3] == 17 &&
	       m.tid[1] == 16 && !m.tid[0], "qmp: sparse, unordered cpu-index");
}

static void test_qmp_hostile(void)
{
	static const char *const bad[] = {
		"", "{", "}", "[]", "null", "42", "'return'", "{'return': 5}",
		"{'return': 'x'}", "{'return': []}", "{'QMP': 1}", "{'event': 7}",
		"{'other': {}}", "{'return': {}} junk", "{'return': {}}{'return': {}}",
		"{'return': [5]}", "{'return': [{}]}", "{'return': [{'cpu-index': 0}]}",
		"{'return': [{'thread-id': 5}]}",
		"{'return': [{'cpu-index': '0', 'thread-id': 5}]}",
		"{'return': [{'cpu-index': 0, 'thread-id': 5.5}]}",
		"{'return': [{'cpu-index': -1, 'thread-id': 5}]}",
		"{'return': [{'cpu-index': 256, 'thread-id': 5}]}",
		"{'return': [{'cpu-index': 0, 'thread-id': 0}]}",
		"{'return': [{'cpu-index': 0, 'thread-id': -5}]}",
		"{'return': [{'cpu-index': 0, 'thread-id': 4194305}]}",
		"{'return': [{'cpu-index': 0, 'thread-id': 99999999999999999999}]}",
		"{'return': [{'cpu-index': 4294967296, 'thread-id': 5}]}",
		"{'return': [{'cpu-index': 0, 'thread-id': 5}, {'cpu-index': 0, 'thread-id': 6}]}",
		"{'return': [{'cpu-index': 0, 'thread-id': 5}, {'cpu-index': 1, 'thread-id': 5}]}",
		"{'a': {'b': {'c': {'d': {'e': {'f': {'g': {'h': {'i': 1}}}}}}}}}",
	};
	static const int one[] = { 0, 7 };
	static struct pvhostd_qmp_msg m;
	static char big[PVHOSTD_QMP_LINE_MAX + 64];
	size_t i, len;
	int rejected = 0, wiped = 0;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		m.kind = PVHOSTD_QMP_CPUS;
		m.tid[0] = 99;
		rejected += qmp(bad[i], &m) < 0;
		wiped += !m.tid[0] && !m.nr_vcpus;
	}
	TAP_OK(rejected == (int)ARRAY_SIZE(bad),
	       "qmp: %d of %zu malformed or hostile replies rejected", rejected,
	       ARRAY_SIZE(bad));
	TAP_OK(wiped == (int)ARRAY_SIZE(bad),
	       "qmp: a rejected reply leaves no partial table");
	TAP_OK(pvhostd_qmp_parse("{\"return\": {}}\0", 15, &m) == -EINVAL,
	       "qmp: embedded NUL rejected");
	len = unquote(big, sizeof(big), "{'return': {'x': '");
	memset(big + len, 'a', sizeof(big) - len);
	unquote(big + sizeof(big) - 3, 3, "'}}");
	TAP_OK(pvhostd_qmp_parse(big, sizeof(big), &m) == -EINVAL,
	       "qmp: line over PVHOSTD_QMP_LINE_MAX rejected");
	len = unquote(big, sizeof(big), "{'return': [");
	for (i = 0; i < PVHOST_MAX_VCPUS + 1; i++)
		len += (size_t)snprintf(big + len, sizeof(big) - len,
					"%s{\"cpu-index\": %zu, \"thread-id\": %zu}",
					i ? "," : "", i % PVHOST_MAX_VCPUS, 1000 + i);
	len += unquote(big + len, sizeof(big) - len, "]}");
	TAP_OK(pvhostd_qmp_parse(big, len, &m) == -ERANGE,
	       "qmp: more than PVHOST_MAX_VCPUS cpus rejected");
	len = unquote(big, sizeof(big), "{'return': [");
	len += qmp_cpu(big + len, sizeof(big) - len, 0, 7);
	len += unquote(big + len, sizeof(big) - len, "]}");
	for (i = 0, rejected = 0; i < len; i++)
		rejected += pvhostd_qmp_parse(big, i, &m) < 0;
	TAP_OK(rejected == (int)len && !qmp_cpus(one, 1, &m),
	       "qmp: every truncation of a cpus reply (%zu) rejected", len);
}

/* ---- /proc parsers ---- */

static int stat_state(const char *s, char *st)
{
	return pvhostd_stat_state(s, strlen(s), st);
}

static void test_proc_parsers(void)
{
	struct pvhostd_sched_sample ss = { 0 };
	char st = '?';
	static const char *const bad_stat[] = {
		"", "1234", "1234 (comm", "1234 (comm)", "1234 (comm)R",
		"1234 (comm) ", "1234 (comm) Q 1", "1234 (comm) RR 1",
		"1234 (comm) \0",
	};
	static const char *const bad_sched[] = {
		"", "\n", "1 2", "1 2 3 4", "1  2 3", "-1 2 3", "1 2 3x",
		"a b c", "1 2 3\n\n", "18446744073709551616 0 0", " 1 2 3",
	};
	size_t i;
	int rejected = 0;

	TAP_OK(!stat_state("25110 (qemu-system-x86) S 1 25104 25104 0 -1\n", &st) &&
	       st == 'S', "proc: stat state S");
	TAP_OK(!stat_state("7 (CPU 0/TCG) R 1 2 3", &st) && st == 'R',
	       "proc: comm with spaces and a slash");
	TAP_OK(!stat_state("7 (a) (b) D 1 2 3", &st) && st == 'D',
	       "proc: comm with ')': the last one counts");
	TAP_OK(!stat_state("7 (x) R", &st) && st == 'R', "proc: state at the end");
	for (i = 0; i < ARRAY_SIZE(bad_stat); i++)
		rejected += stat_state(bad_stat[i], &st) == -EINVAL;
	TAP_OK(rejected == (int)ARRAY_SIZE(bad_stat),
	       "proc: %d malformed stat lines rejected", rejected);
	TAP_OK(!pvhostd_schedstat_parse("123456 789 10\n", 14, &ss) &&
	       ss.run_ns == 123456 && ss.wait_ns == 789 && ss.slices == 10,
	       "proc: schedstat run, wait, slices");
	TAP_OK(!pvhostd_schedstat_parse("18446744073709551615 0 0", 24, &ss) &&
	       ss.run_ns == UINT64_MAX, "proc: schedstat u64 max");
	for (i = 0, rejected = 0; i < ARRAY_SIZE(bad_sched); i++)
		rejected += pvhostd_schedstat_parse(bad_sched[i],
						    strlen(bad_sched[i]), &ss) < 0;
	TAP_OK(rejected == (int)ARRAY_SIZE(bad_sched),
	       "proc: %d malformed schedstat lines rejected", rejected);
}

/* ---- preempted rule, boost policy ---- */

static void test_preempted_rule(void)
{
	struct pvhostd_sched_sample a = { 1000, 500, 3 }, b = a;

	TAP_OK(pvhostd_preempted('R', &a, &b),
	       "preempted: runnable, nothing credited over the period");
	b.run_ns += 4000000;
	TAP_OK(!pvhostd_preempted('R', &a, &b), "preempted: ran (a tick) -> no");
	b = a;
	b.wait_ns += 3000000;
	b.slices++;
	TAP_OK(!pvhostd_preempted('R', &a, &b),
	       "preempted: got a CPU in the period (wait credited on arrival) -> no");
	b = a;
	b.slices++;
	TAP_OK(!pvhostd_preempted('R', &a, &b), "preempted: a new slice -> no");
	b = a;
	TAP_OK(!pvhostd_preempted('S', &a, &b) && !pvhostd_preempted('D', &a, &b) &&
	       !pvhostd_preempted('T', &a, &b) && !pvhostd_preempted('-', &a, &b),
	       "preempted: sleeping (halted), blocked, stopped: never");
	b.run_ns = 10;
	TAP_OK(!pvhostd_preempted('R', &a, &b),
	       "preempted: counters going backwards (new thread) -> no");
}

static void test_boost_policy(void)
{
	struct pvhostd_boost_policy p = { .max_ms = 100, .cooldown_x = 3 };
	struct pvhostd_boost_state b = { 0 };
	u64 t = 1000, on = 0, ms;
	int refused = 0, applied = 0;

	TAP_OK(pvhostd_boost_decide(&p, &b, 0, 0, t) == PVHOSTD_BOOST_NONE,
	       "boost: nothing asked, nothing done");
	TAP_OK(pvhostd_boost_decide(&p, &b, 1, 1, t) == PVHOSTD_BOOST_APPLY &&
	       b.boosted, "boost: a new request is applied");
	TAP_OK(pvhostd_boost_decide(&p, &b, 1, 1, t + 50) == PVHOSTD_BOOST_NONE,
	       "boost: held within the bound");
	TAP_OK(pvhostd_boost_decide(&p, &b, 0, 2, t + 60) == PVHOSTD_BOOST_REVERT &&
	       !b.boosted, "boost: cleared by the guest -> reverted");
	TAP_OK(pvhostd_boost_decide(&p, &b, 1, 3, t + 100) == PVHOSTD_BOOST_REFUSE,
	       "boost: within 3 x 60 ms of it -> refused");
	TAP_OK(pvhostd_boost_decide(&p, &b, 1, 3, t + 300) == PVHOSTD_BOOST_NONE,
	       "boost: a refused request is not retried");
	TAP_OK(pvhostd_boost_decide(&p, &b, 1, 4, t + 300) == PVHOSTD_BOOST_APPLY,
	       "boost: a new one after the cooldown is applied");
	TAP_OK(pvhostd_boost_decide(&p, &b, 1, 4, t + 399) == PVHOSTD_BOOST_NONE &&
	       pvhostd_boost_decide(&p, &b, 1, 4, t + 400) == PVHOSTD_BOOST_REVERT,
	       "boost: reverted at --boost-max-ms though still asked");
	TAP_OK(pvhostd_boost_decide(&p, &b, 1, 4, t + 2000) == PVHOSTD_BOOST_NONE,
	       "boost: the same request is not applied again later");
	/* a guest asking on every millisecond for 10 s */
	memset(&b, 0, sizeof(b));
	for (ms = 0; ms < 10000; ms++) {
		switch (pvhostd_boost_decide(&p, &b, 1, (u32)ms + 1, t + ms)) {
		case PVHOSTD_BOOST_APPLY:
			applied++;
			break;
		case PVHOSTD_BOOST_REFUSE:
			refused++;
			break;
		default:
			break;
		}
		on += b.boosted;
	}
	TAP_OK(on <= 10000 / 4 + p.max_ms && refused > 7000 && applied >= 20,
	       "boost: constant asking is boosted %llu of 10000 ms (applied %d, refused %d)",
	       (unsigned long long)on, applied, refused);
	TAP_OK(pvhostd_boost_nice(0) == -5 && pvhostd_boost_nice(-18) == -20 &&
	       pvhostd_boost_nice(19) == 14, "boost: nice 5 lower, at least -20");
}

static void test_hint_policy(void)
{
	struct pvhostd_hint_policy p = { .max_ms = 20, .cooldown_x = 3 };
	struct pvhostd_hint_policy off = { .max_ms = 0, .cooldown_x = 3 };
	struct pvhostd_hint_state h = { 0 };
	u64 t = 1000, on = 0, ms;
	int raises = 0, refused = 0;

	TAP_OK(pvhostd_hint_valid(0) && pvhostd_hint_valid(1) &&
	       pvhostd_hint_valid(PVHOSTD_HINT_MAX) &&
	       !pvhostd_hint_valid(PVHOSTD_HINT_MAX + 1) &&
	       !pvhostd_hint_valid(0x80000000U) && !pvhostd_hint_valid(UINT32_MAX),
	       "hint: 0..255 valid, garbage above is not");
	TAP_OK(pvhostd_hint_decide(&p, &h, 0, t) == PVHOSTD_HINT_NONE &&
	       !h.raised, "hint: clear, nothing done");
	TAP_OK(pvhostd_hint_decide(&p, &h, 1, t) == PVHOSTD_HINT_RAISE &&
	       h.raised, "hint: set -> raised");
	TAP_OK(pvhostd_hint_decide(&p, &h, 2, t + 10) == PVHOSTD_HINT_KEEP,
	       "hint: still set within the limit -> kept");
	TAP_OK(pvhostd_hint_decide(&p, &h, 0, t + 12) == PVHOSTD_HINT_RESTORE &&
	       !h.raised, "hint: cleared -> restored");
	TAP_OK(pvhostd_hint_decide(&p, &h, 1, t + 20) == PVHOSTD_HINT_REFUSE &&
	       pvhostd_hint_decide(&p, &h, 1, t + 47) == PVHOSTD_HINT_REFUSE &&
	       !h.raised, "hint: within 3 x 12 ms of it -> refused");
	TAP_OK(pvhostd_hint_decide(&p, &h, 1, t + 48) == PVHOSTD_HINT_RAISE,
	       "hint: after the refusal window -> raised again");
	TAP_OK(pvhostd_hint_decide(&p, &h, 1, t + 67) == PVHOSTD_HINT_KEEP &&
	       pvhostd_hint_decide(&p, &h, 1, t + 68) == PVHOSTD_HINT_RESTORE &&
	       !h.raised, "hint: restored at --lock-hint-max-ms though still set");
	TAP_OK(pvhostd_hint_decide(&p, &h, 1, t + 69) == PVHOSTD_HINT_REFUSE,
	       "hint: held to the limit -> refused for 3 x the limit");
	memset(&h, 0, sizeof(h));
	TAP_OK(pvhostd_hint_decide(&off, &h, 1, t) == PVHOSTD_HINT_OBSERVE &&
	       pvhostd_hint_decide(&off, &h, 1, t + 5000) == PVHOSTD_HINT_OBSERVE &&
	       !h.raised, "hint: --lock-hint-max-ms 0 observes, never raises");
	/* a guest holding the hint all the time, sampled every ms for 10 s */
	memset(&h, 0, sizeof(h));
	for (ms = 0; ms < 10000; ms++) {
		switch (pvhostd_hint_decide(&p, &h, 1, t + ms)) {
		case PVHOSTD_HINT_RAISE:
			raises++;
			break;
		case PVHOSTD_HINT_REFUSE:
			refused++;
			break;
		default:
			break;
		}
		on += h.raised;
	}
	TAP_OK(on <= 10000 / 4 + p.max_ms && on >= 10000 / 4 - 2 * p.max_ms &&
	       refused > 7000 && raises >= 100,
	       "hint: held all the time is raised %llu of 10000 ms (raises %d, refused %d)",
	       (unsigned long long)on, raises, refused);
	TAP_OK(!h.raised || pvhostd_hint_decide(&p, &h, 0, t + ms) ==
	       PVHOSTD_HINT_RESTORE, "hint: a raise in progress is restored when cleared");
}

/* ---- hostile-host mode ---- */

static void test_hostile_names(void)
{
	enum pvhostd_hostile m, back;
	struct pvhostd_ctl_cmd c;
	int round = 0;

	for (m = PVHOSTD_HOSTILE_OFF; m < PVHOSTD_HOSTILE_NR; m++)
		round += !pvhostd_hostile_parse(pvhostd_hostile_name(m), &back) &&
			 back == m;
	TAP_OK(round == PVHOSTD_HOSTILE_NR, "hostile: %d mode names parse back",
	       round);
	TAP_OK(pvhostd_hostile_parse("?", &back) &&
	       pvhostd_hostile_parse("Flood", &back) &&
	       !strcmp(pvhostd_hostile_name(PVHOSTD_HOSTILE_NR), "?"),
	       "hostile: unknown names and values rejected");
	TAP_OK(!parse("hostile ring-back", &c) && c.op == PVHOSTD_CTL_HOSTILE &&
	       c.hostile == PVHOSTD_HOSTILE_RING_BACK &&
	       !parse("hostile off\n", &c) && c.hostile == PVHOSTD_HOSTILE_OFF,
	       "ctl: hostile ring-back, hostile off");
	TAP_OK(parse("hostile", &c) == -EINVAL &&
	       parse("hostile flood now", &c) == -EINVAL &&
	       parse("hostile bogus", &c) == -EINVAL,
	       "ctl: malformed hostile commands rejected");
	TAP_OK(pvhostd_hostile_repair(PVHOSTD_HOSTILE_HEADER) &&
	       pvhostd_hostile_repair(PVHOSTD_HOSTILE_RING_PAST) &&
	       !pvhostd_hostile_repair(PVHOSTD_HOSTILE_GAUGE_STUCK) &&
	       !pvhostd_hostile_repair(PVHOSTD_HOSTILE_MBOX_SILENT),
	       "hostile: a new generation only where the guest must start over");
}

static void *hostile_region(struct pvhostd_layout *lay)
{
	void *base = calloc(1, PVHOST_REGION_MIN);

	if (!base || pvhostd_layout_plan(PVHOST_REGION_MIN, 4, lay))
		abort();
	pvhostd_layout_write(base, lay, 7);
	return base;
}

static void test_hostile_apply(void)
{
	struct pvhostd_layout lay;
	void *base = hostile_region(&lay);
	struct pvhost_header *h = base;
	struct pvhost_pressure *g = pvhostd_at(base, lay.pressure_offset);
	struct pvhost_entropy *r = pvhostd_at(base, lay.entropy_offset);
	struct pvhost_vcpu *v = pvhostd_at(base, lay.vcpu_offset);
	u32 rng = 1, i, odd = 0;
	int bad = 0;

	pvhostd_hostile_apply(base, &lay, PVHOSTD_HOSTILE_GAUGE_RANGE, &rng);
	TAP_OK(!(g->seq & 1) && g->seq && g->level > PVHOST_PRESSURE_ONE,
	       "hostile gauge-range: seq even, level %u above one", g->level);
	pvhostd_hostile_apply(base, &lay, PVHOSTD_HOSTILE_GAUGE_STUCK, &rng);
	TAP_OK(g->seq & 1, "hostile gauge-stuck: seq %u odd", g->seq);
	for (i = 0; i < 100; i++) {
		r->cons = i * 977;
		pvhostd_hostile_apply(base, &lay, PVHOSTD_HOSTILE_RING_BACK, &rng);
		bad += r->prod - r->cons > lay.entropy_size;
		pvhostd_hostile_apply(base, &lay, PVHOSTD_HOSTILE_RING_PAST, &rng);
		bad += r->prod - r->cons > lay.entropy_size;
	}
	TAP_OK(bad == 200, "hostile ring-back, ring-past: %d of 200 rings broken",
	       bad);
	pvhostd_hostile_apply(base, &lay, PVHOSTD_HOSTILE_VCPU_STUCK, &rng);
	for (i = 0; i < lay.nr_vcpus; i++)
		odd += v[i].clock.version & 1;
	TAP_OK(odd == lay.nr_vcpus, "hostile vcpu-stuck: %u of %u versions odd",
	       odd, lay.nr_vcpus);
	pvhostd_hostile_apply(base, &lay, PVHOSTD_HOSTILE_PREEMPT_GARBAGE, &rng);
	for (i = 0, bad = 0; i < lay.nr_vcpus; i++)
		bad += v[i].preempted > 1;
	TAP_OK(bad == (int)lay.nr_vcpus,
	       "hostile preempt-garbage: %d of %u flags neither 0 nor 1", bad,
	       lay.nr_vcpus);
	pvhostd_hostile_vcpu_repair(base, &lay);
	for (i = 0, odd = 0; i < lay.nr_vcpus; i++)
		odd += (v[i].clock.version & 1) + !!v[i].preempted;
	TAP_OK(!odd, "hostile vcpu-stuck repaired: versions even, not preempted");
	{
		struct pvhost_numa *n = (void *)(base + lay.numa_offset);
		u32 bad = 0;

		n->hint[3].id = 42;
		n->hint[3].status = PVHOST_HINT_QUEUED;
		pvhostd_hostile_apply(base, &lay, PVHOSTD_HOSTILE_NUMA_GARBAGE,
				      &rng);
		for (i = 0; i < PVHOST_NUMA_HINT_SLOTS; i++)
			bad += n->hint[i].status > PVHOST_HINT_REJECTED;
		TAP_OK(bad > 8 && n->nr_host_nodes > PVHOST_MAX_NODES &&
		       n->hint[3].id == 42,
		       "hostile numa-garbage: topology and answers random, ids kept");
	}
	TAP_OK(h->magic == PVHOST_MAGIC && h->generation == 7,
	       "hostile: area modes leave the header alone");
	pvhostd_hostile_apply(base, &lay, PVHOSTD_HOSTILE_HEADER, &rng);
	TAP_OK(h->magic != PVHOST_MAGIC || h->state != PVHOST_STATE_READY ||
	       h->generation != 7, "hostile header: header destroyed");
	free(base);
}

static void test_hostile_layout(void)
{
	struct pvhostd_layout lay, moved, back;
	struct pvhost_mailbox mb = { .req_seq = 5 };
	void *base = hostile_region(&lay);

	pvhostd_hostile_layout(&lay, 1, &moved);
	pvhostd_hostile_layout(&lay, 2, &back);
	TAP_OK(moved.pressure_offset != lay.pressure_offset &&
	       moved.entropy_offset != lay.entropy_offset &&
	       !memcmp(&back, &lay, sizeof(lay)),
	       "hostile relayout: odd flips move the gauge and ring, even ones do not");
	TAP_OK(moved.pressure_offset % 64 == 0 && moved.entropy_offset % 64 == 0 &&
	       moved.pressure_offset >= lay.mailbox_offset + 4096 &&
	       moved.entropy_offset + 64 + moved.entropy_size <= moved.region_size,
	       "hostile relayout: moved areas aligned, free of others, inside the region");
	pvhostd_layout_write(base, &moved, 8);
	TAP_OK(u32_at(base, moved.entropy_offset + 8) == moved.entropy_size,
	       "hostile relayout: the ring size is written at the moved ring");
	pvhostd_hostile_mbox_answer(&mb, 5);
	TAP_OK(mb.resp_seq == 5 && mb.status > 0 &&
	       mb.len > PVHOST_MAILBOX_PAYLOAD,
	       "hostile mailbox-malformed: answered, status and len out of range");
	free(base);
}

/* ---- numa ---- */

static char *fake_tree(const char *const *cpulists, const char *const *dists,
		       int nr)
{
	static char root[32];
	char path[256];
	FILE *f;
	int i;

	snprintf(root, sizeof(root), "/tmp/pvhostd-topo-XXXXXX");
	if (!mkdtemp(root))
		return NULL;
	for (i = 0; i < nr; i++) {
		snprintf(path, sizeof(path), "%s/node%d", root, i);
		mkdir(path, 0755);
		snprintf(path, sizeof(path), "%s/node%d/cpulist", root, i);
		f = fopen(path, "w");
		fputs(cpulists[i], f);
		fclose(f);
		snprintf(path, sizeof(path), "%s/node%d/distance", root, i);
		f = fopen(path, "w");
		fputs(dists[i], f);
		fclose(f);
	}
	/* not nodes: ignored */
	snprintf(path, sizeof(path), "%s/possible", root);
	f = fopen(path, "w");
	fclose(f);
	return root;
}

static void fake_tree_free(const char *root, int nr)
{
	char path[256];
	int i;

	for (i = 0; i < nr; i++) {
		snprintf(path, sizeof(path), "%s/node%d/cpulist", root, i);
		unlink(path);
		snprintf(path, sizeof(path), "%s/node%d/distance", root, i);
		unlink(path);
		snprintf(path, sizeof(path), "%s/node%d", root, i);
		rmdir(path);
	}
	snprintf(path, sizeof(path), "%s/possible", root);
	unlink(path);
	rmdir(root);
}

static void test_numa_cpulist(void)
{
	u64 m[PVHOSTD_CPU_WORDS];

	TAP_OK(pvhostd_cpulist_parse("0-3,8,10-11\n", m, 1024) == 7 &&
	       m[0] == 0xd0f, "numa: cpulist 0-3,8,10-11");
	TAP_OK(pvhostd_cpulist_parse("\n", m, 1024) == 0 && !m[0],
	       "numa: empty cpulist (memory-only node)");
	TAP_OK(pvhostd_cpulist_parse("64-65", m, 1024) == 2 && m[1] == 3,
	       "numa: cpulist beyond 64");
	TAP_OK(pvhostd_cpulist_parse("3-1", m, 1024) == -EINVAL &&
	       pvhostd_cpulist_parse("1,,2", m, 1024) == -EINVAL &&
	       pvhostd_cpulist_parse("1-", m, 1024) == -EINVAL &&
	       pvhostd_cpulist_parse("-1", m, 1024) == -EINVAL &&
	       pvhostd_cpulist_parse("1024", m, 1024) == -EINVAL &&
	       pvhostd_cpulist_parse("99999999999999999999", m, 1024) == -EINVAL &&
	       pvhostd_cpulist_parse("1 2", m, 1024) == -EINVAL,
	       "numa: malformed cpulists rejected");
}

/* A 2-node tree that must be rejected. */
static bool bad_tree(const char *const *cpulists, const char *const *dists,
		     struct pvhostd_topo *t)
{
	char *root = fake_tree(cpulists, dists, 2);
	bool rejected = root && pvhostd_topo_parse(root, t) == -EINVAL;

	if (root)
		fake_tree_free(root, 2);
	return rejected;
}

static void test_numa_topo(void)
{
	static const char *const c2[] = { "0-1\n", "2-3\n" };
	static const char *const d2[] = { "10 21\n", "21 10\n" };
	static const char *const c4[] = { "0-1\n", "2-3\n", "\n", "4-5\n" };
	static const char *const d4[] = {
		"10 16 16 22\n", "16 10 22 16\n", "16 22 10 16\n",
		"22 16 16 10\n",
	};
	static const char *const bad_diag[] = { "10 21\n", "21 11\n" };
	static const char *const bad_cpus[] = { "0-1\n", "2-x\n" };
	static const char *const bad_short[] = { "10 21\n", "21\n" };
	static const char *const bad_range[] = { "10 255\n", "255 10\n" };
	struct pvhostd_topo *t = malloc(sizeof(*t));
	char *root;

	root = fake_tree(c2, d2, 2);
	TAP_OK(root && !pvhostd_topo_parse(root, t) && t->nr_nodes == 2 &&
	       t->nr_cpus[0] == 2 && t->nr_cpus[1] == 2 &&
	       t->distance[0][1] == 21 && t->distance[1][1] == 10 &&
	       pvhostd_topo_cpu_node(t, 3) == 1 &&
	       pvhostd_topo_cpu_node(t, 4) == PVHOST_NUMA_NODE_UNKNOWN,
	       "numa: 2-node fake tree parsed");
	fake_tree_free(root, 2);
	root = fake_tree(c4, d4, 4);
	TAP_OK(root && !pvhostd_topo_parse(root, t) && t->nr_nodes == 4 &&
	       t->nr_cpus[2] == 0 && t->distance[0][3] == 22 &&
	       t->distance[3][1] == 16 && pvhostd_topo_cpu_node(t, 5) == 3,
	       "numa: 4-node fake tree with a memory-only node parsed");
	fake_tree_free(root, 4);
	TAP_OK(bad_tree(c2, bad_diag, t), "numa: diagonal not 10 rejected");
	TAP_OK(bad_tree(c2, bad_short, t), "numa: short distance row rejected");
	TAP_OK(bad_tree(c2, bad_range, t), "numa: distance 255 rejected");
	TAP_OK(bad_tree(bad_cpus, d2, t),
	       "numa: malformed cpulist in the tree rejected");
	TAP_OK(pvhostd_topo_parse("/nonexistent/pvhostd", t) == -ENOENT,
	       "numa: missing root is -ENOENT");
	root = fake_tree(c4, d4, 4);
	{
		char path[256];

		/* node1 gone: ids 0, 2, 3 have a hole */
		snprintf(path, sizeof(path), "%s/node1/cpulist", root);
		unlink(path);
		snprintf(path, sizeof(path), "%s/node1/distance", root);
		unlink(path);
		snprintf(path, sizeof(path), "%s/node1", root);
		rmdir(path);
		TAP_OK(pvhostd_topo_parse(root, t) == -EINVAL,
		       "numa: node ids with a hole rejected");
	}
	fake_tree_free(root, 4);
	free(t);
}

static void hint_set(struct pvhost_numa_hint *s, u32 id, u32 node, u32 flags,
		     u64 cpus0)
{
	memset(s, 0, sizeof(*s));
	s->id = id;
	s->node = node;
	s->flags = flags;
	s->cpus[0] = cpus0;
	s->status = PVHOST_HINT_QUEUED;
}

static void test_numa_check(void)
{
	struct pvhost_numa_hint s;
	struct pvhostd_hint h;

	hint_set(&s, 1, 1, 0, 0xc);
	pvhostd_hint_load(&s, &h);
	TAP_OK(pvhostd_hint_check(&h, 4, 2, false) == PVHOST_REASON_NONE,
	       "numa: valid hint accepted");
	TAP_OK(pvhostd_hint_check(&h, 4, 2, true) == PVHOST_REASON_POLICY,
	       "numa: policy deny gives POLICY");
	TAP_OK(pvhostd_hint_check(&h, 4, 1, false) == PVHOST_REASON_NO_NODE,
	       "numa: node without a backing file gives NO_NODE");
	TAP_OK(pvhostd_hint_check(&h, 3, 2, false) == PVHOST_REASON_INVALID,
	       "numa: vCPU beyond nr_vcpus gives INVALID");
	hint_set(&s, 0, 1, 0, 1);
	pvhostd_hint_load(&s, &h);
	TAP_OK(pvhostd_hint_check(&h, 4, 2, false) == PVHOST_REASON_INVALID,
	       "numa: id 0 gives INVALID");
	hint_set(&s, 1, 1, 1, 1);
	pvhostd_hint_load(&s, &h);
	TAP_OK(pvhostd_hint_check(&h, 4, 2, false) == PVHOST_REASON_INVALID,
	       "numa: flags set gives INVALID");
	hint_set(&s, 1, 1, 0, 0);
	pvhostd_hint_load(&s, &h);
	TAP_OK(pvhostd_hint_check(&h, 4, 2, false) == PVHOST_REASON_INVALID,
	       "numa: no vCPU gives INVALID");
	hint_set(&s, 1, 0xffffffff, 0, 1);
	pvhostd_hint_load(&s, &h);
	TAP_OK(pvhostd_hint_check(&h, 4, 2, false) == PVHOST_REASON_NO_NODE,
	       "numa: node 0xffffffff gives NO_NODE");
}

static void test_numa_choose(void)
{
	struct pvhostd_topo *t = calloc(1, sizeof(*t));
	u32 vn[4] = { 0, 1, 1, PVHOST_NUMA_NODE_UNKNOWN };
	struct pvhostd_hint h = { .id = 1, .cpus = { 0x7 } };

	t->nr_nodes = 3;
	t->nr_cpus[0] = 2;
	t->nr_cpus[1] = 2;	/* node 2: memory only */
	TAP_OK(pvhostd_numa_choose(t, &h, vn, 4, 0) == 0,
	       "numa: choose the node holding the memory");
	TAP_OK(pvhostd_numa_choose(t, &h, vn, 4, 2) == 1,
	       "numa: memory on a CPU-less node: where most vCPUs ran");
	TAP_OK(pvhostd_numa_choose(t, &h, vn, 4, PVHOST_NUMA_NODE_UNKNOWN) == 1,
	       "numa: memory unknown: where most vCPUs ran");
	h.cpus[0] = 0x3;
	TAP_OK(pvhostd_numa_choose(t, &h, vn, 4, PVHOST_NUMA_NODE_UNKNOWN) == 0,
	       "numa: a tie goes to the lower node");
	h.cpus[0] = 0x8;
	t->nr_cpus[0] = 0;
	TAP_OK(pvhostd_numa_choose(t, &h, vn, 4, PVHOST_NUMA_NODE_UNKNOWN) == 1,
	       "numa: nothing known: the lowest node with CPUs");
	t->nr_cpus[1] = 0;
	TAP_OK(pvhostd_numa_choose(t, &h, vn, 4, PVHOST_NUMA_NODE_UNKNOWN) ==
	       PVHOST_NUMA_NODE_UNKNOWN, "numa: no node with CPUs: unknown");
	free(t);
}

struct fake_apply {
	int affinity_fail, memory_fail;
	u32 affinity_calls, memory_calls, last_host;
};

static int fake_affinity(void *ctx, u32 vcpu, u32 host_node)
{
	struct fake_apply *f = ctx;

	(void)vcpu;
	f->affinity_calls++;
	f->last_host = host_node;
	return f->affinity_fail;
}

static int fake_memory(void *ctx, u32 guest_node, u32 host_node)
{
	struct fake_apply *f = ctx;

	(void)guest_node;
	(void)host_node;
	f->memory_calls++;
	return f->memory_fail;
}

static const struct pvhostd_numa_ops fake_ops = {
	.affinity = fake_affinity,
	.memory = fake_memory,
};

static void test_numa_serve(void)
{
	struct pvhostd_topo *t = calloc(1, sizeof(*t));
	struct pvhost_numa *a = calloc(1, sizeof(*a));
	struct pvhostd_numa *n = calloc(1, sizeof(*n));
	struct fake_apply f = { 0 };
	u32 i, answered;

	t->nr_nodes = 2;
	t->nr_cpus[0] = 2;
	t->nr_cpus[1] = 2;
	t->distance[0][0] = 10;
	t->distance[1][1] = 10;
	t->distance[0][1] = 21;
	t->distance[1][0] = 21;
	n->ops = &fake_ops;
	n->ctx = &f;
	pvhostd_numa_init(n, a, 4, 2, t);
	TAP_OK(a->seq == 2 && a->nr_nodes == 2 && a->nr_host_nodes == 2 &&
	       a->distance[0][1] == 21 && a->distance[2][2] == 0 &&
	       a->vcpu_host_node[0] == PVHOST_NUMA_NODE_UNKNOWN &&
	       a->vcpu_host_node[255] == PVHOST_NUMA_NODE_UNKNOWN &&
	       a->node_host_node[1] == PVHOST_NUMA_NODE_UNKNOWN,
	       "numa: topology published, seq even, unknowns marked");

	hint_set(&a->hint[3], 7, 1, 0, 0xc);
	answered = pvhostd_numa_serve(n, 4);
	TAP_OK(answered == 1 && a->hint[3].status == PVHOST_HINT_APPLIED &&
	       a->hint[3].reason == PVHOST_REASON_NONE &&
	       a->hint[3].host_node == 0 && f.affinity_calls == 2 &&
	       f.memory_calls == 1, "numa: hint applied, both vCPUs pinned");
	TAP_OK(pvhostd_numa_serve(n, 4) == 0, "numa: an answered slot is not served again");

	f.affinity_fail = -ESRCH;
	hint_set(&a->hint[0], 8, 1, 0, 0xc);
	pvhostd_numa_serve(n, 4);
	TAP_OK(a->hint[0].status == PVHOST_HINT_PARTIAL &&
	       a->hint[0].reason == PVHOST_REASON_AFFINITY,
	       "numa: no thread ids: PARTIAL, AFFINITY");
	f.memory_fail = -EIO;
	hint_set(&a->hint[0], 9, 1, 0, 0xc);
	pvhostd_numa_serve(n, 4);
	TAP_OK(a->hint[0].status == PVHOST_HINT_REJECTED &&
	       a->hint[0].reason == PVHOST_REASON_AFFINITY,
	       "numa: nothing applied: REJECTED with the first failure");
	f.affinity_fail = 0;
	hint_set(&a->hint[0], 10, 1, 0, 0xc);
	pvhostd_numa_serve(n, 4);
	TAP_OK(a->hint[0].status == PVHOST_HINT_PARTIAL &&
	       a->hint[0].reason == PVHOST_REASON_MEMORY,
	       "numa: memory not moved: PARTIAL, MEMORY");
	f.memory_fail = 0;

	n->deny = true;
	hint_set(&a->hint[1], 11, 0, 0, 1);
	f.affinity_calls = 0;
	pvhostd_numa_serve(n, 4);
	TAP_OK(a->hint[1].status == PVHOST_HINT_REJECTED &&
	       a->hint[1].reason == PVHOST_REASON_POLICY && !f.affinity_calls,
	       "numa: policy deny: REJECTED, POLICY, nothing applied");
	n->deny = false;
	hint_set(&a->hint[2], 12, 5, 0, 1);
	pvhostd_numa_serve(n, 4);
	TAP_OK(a->hint[2].status == PVHOST_HINT_REJECTED &&
	       a->hint[2].reason == PVHOST_REASON_NO_NODE,
	       "numa: node 5: REJECTED, NO_NODE");

	for (i = 0; i < PVHOST_NUMA_HINT_SLOTS; i++)
		hint_set(&a->hint[i], 100 + i, 0, 0, 1);
	answered = pvhostd_numa_serve(n, 4);
	TAP_OK(answered == 4, "numa: a full queue: 4 answered per wake-up");
	for (i = 0; i < 8; i++)
		answered += pvhostd_numa_serve(n, 4);
	TAP_OK(answered == PVHOST_NUMA_HINT_SLOTS,
	       "numa: the rest answered on later wake-ups");
	for (i = 0; i < PVHOST_NUMA_HINT_SLOTS; i++)
		if (a->hint[i].status != PVHOST_HINT_APPLIED)
			break;
	TAP_OK(i == PVHOST_NUMA_HINT_SLOTS, "numa: every slot answered");
	a->hint[5].status = 77;
	a->hint[6].status = PVHOST_HINT_FREE;
	TAP_OK(pvhostd_numa_serve(n, 4) == 0 && a->hint[5].status == 77,
	       "numa: slots not QUEUED are left alone");
	TAP_OK(n->log_head == 22 && n->log[21 % PVHOSTD_NUMA_LOG].hint.id >= 100,
	       "numa: hints logged");
	free(n);
	free(a);
	free(t);
}

/* fields 4..38 of a stat line */
#define STAT_3_38	" 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20" \
			" 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35"

static void test_numa_misc(void)
{
	const char *path;
	u32 node;
	struct pvhostd_ctl_cmd c;
	const char *err;

	TAP_OK(!pvhostd_memdev_parse("1=/dev/shm/x", &node, &path) &&
	       node == 1 && !strcmp(path, "/dev/shm/x"),
	       "numa: --memdev 1=/dev/shm/x");
	TAP_OK(pvhostd_memdev_parse("=x", &node, &path) == -EINVAL &&
	       pvhostd_memdev_parse("1=", &node, &path) == -EINVAL &&
	       pvhostd_memdev_parse("64=x", &node, &path) == -EINVAL &&
	       pvhostd_memdev_parse("1x=y", &node, &path) == -EINVAL,
	       "numa: malformed --memdev rejected");
	TAP_OK(pvhostd_thread_cpu("12 (qemu-system-x86) S" STAT_3_38 " 7 0 0\n") == 7,
	       "numa: stat field 39");
	TAP_OK(pvhostd_thread_cpu("12 (CPU 0/T) C) S" STAT_3_38 " 3 0\n") == 3,
	       "numa: stat with spaces and ) in the name");
	TAP_OK(pvhostd_thread_cpu("12 (x) S 1 2") == -EINVAL &&
	       pvhostd_thread_cpu("no paren") == -EINVAL,
	       "numa: short stat rejected");
	TAP_OK(!pvhostd_ctl_parse("numa status", 11, &c, &err) &&
	       c.op == PVHOSTD_CTL_NUMA_STATUS &&
	       !pvhostd_ctl_parse("numa hints", 10, &c, &err) &&
	       c.op == PVHOSTD_CTL_NUMA_HINTS &&
	       !pvhostd_ctl_parse("numa policy deny", 16, &c, &err) &&
	       c.op == PVHOSTD_CTL_NUMA_POLICY && c.deny &&
	       !pvhostd_ctl_parse("numa policy allow", 17, &c, &err) && !c.deny,
	       "numa: control commands");
	TAP_OK(pvhostd_ctl_parse("numa policy maybe", 17, &c, &err) == -EINVAL &&
	       pvhostd_ctl_parse("numa", 4, &c, &err) == -EINVAL,
	       "numa: bad control commands rejected");
	TAP_OK(!strcmp(pvhostd_numa_status_name(PVHOST_HINT_PARTIAL), "partial") &&
	       !strcmp(pvhostd_numa_reason_name(PVHOST_REASON_POLICY), "policy") &&
	       !strcmp(pvhostd_numa_reason_name(99), "invalid"),
	       "numa: status and reason names");
}

/* A real tmpfs file on this host: the policy lands, nothing is populated. */
static void test_numa_memdev(void)
{
	char path[] = "/dev/shm/pvhostd-unit-XXXXXX";
	struct pvhostd_memdev m = { .path = path, .fd = -1 };
	char page[4096];
	u32 node = 99;
	int fd = mkstemp(path), mode;

	if (fd < 0 || ftruncate(fd, 1 << 20)) {
		TAP_OK(0, "numa: memdev: cannot create %s", path);
		return;
	}
	memset(page, 1, sizeof(page));
	/* 16 of 256 pages resident, as if the guest had touched them */
	for (int i = 0; i < 16; i++)
		if (pwrite(fd, page, sizeof(page), (off_t)i * 8192) != sizeof(page))
			break;
	TAP_OK(!pvhostd_memdev_open(&m) && m.size == 1 << 20,
	       "numa: memdev opened and mapped");
	TAP_OK(!pvhostd_memdev_bind(&m, 0) && m.bound == 0 &&
	       m.resident == 16 && m.stuck == 0,
	       "numa: memdev bound to node 0, 16 resident pages there");
	mode = pvhostd_memdev_policy(&m, &node);
	TAP_OK(mode == MPOL_PREFERRED && node == 0,
	       "numa: shared policy reads back preferred node 0");
	TAP_OK(pvhostd_memdev_where(&m) == 0, "numa: memory found on node 0");
	TAP_OK(!pvhostd_memdev_bind(&m, 0) && m.binds == 1 && m.rebinds == 1,
	       "numa: the same bind again: a rebind, no second pass");
	TAP_OK(pvhostd_memdev_bind(&m, 64) == -EINVAL,
	       "numa: node 64 refused");
	pvhostd_memdev_close(&m);
	TAP_OK(pvhostd_memdev_bind(&m, 0) == -ENODEV && !m.map,
	       "numa: closed memdev refuses binds");
	{
		struct stat st;

		TAP_OK(!fstat(fd, &st) && st.st_blocks * 512 == 16 * 4096,
		       "numa: nothing populated beyond the 16 pages");
	}
	/* A link at the path is not followed; a file cut short is survived. */
	{
		char link[] = "/dev/shm/pvhostd-unit-link-XXXXXX";
		struct pvhostd_memdev l = { .path = link, .fd = -1 };
		int lfd = mkstemp(link);

		if (lfd >= 0) {
			close(lfd);
			unlink(link);
		}
		TAP_OK(lfd >= 0 && !symlink(path, link) &&
		       pvhostd_memdev_open(&l) == -ELOOP && !l.map,
		       "numa: memdev: a symbolic link at the path is refused");
		unlink(link);
	}
	TAP_OK(!pvhostd_memdev_open(&m) &&
	       pvhostd_memdev_policy(&m, &node) == MPOL_DEFAULT,
	       "numa: memdev: closing it put the file's policy back to default");
	TAP_OK(!pvhostd_memdev_touch(&m, 4096),
	       "numa: memdev: a page of the file read");
	TAP_OK(!ftruncate(fd, 4096) && pvhostd_memdev_touch(&m, 8192) == -EFAULT &&
	       m.truncated == 1,
	       "numa: memdev: the file truncated, a read past its end is -EFAULT, not SIGBUS");
	TAP_OK(pvhostd_memdev_bind(&m, 0) == -ESTALE,
	       "numa: memdev: a bind on the shrunk file is -ESTALE");
	TAP_OK(pvhostd_memdev_touch(&m, 1 << 20) == -EINVAL,
	       "numa: memdev: outside the mapping: -EINVAL");
	pvhostd_memdev_close(&m);
	close(fd);
	unlink(path);
}

/* Which processes map a file, from /proc/PID/maps. */
static void test_maps_has(void)
{
	static const char maps[] =
		"55d0c0000000-55d0c0021000 r--p 00000000 08:01 1234 /usr/bin/qemu\n"
		"7f0000000000-7f0040000000 rw-s 00000000 00:1a 98765 /dev/shm/g1-m0 (deleted)\n"
		"7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0 [stack]\n";
	dev_t shm = makedev(0, 0x1a), disk = makedev(8, 1);

	TAP_OK(pvhostd_maps_has(maps, shm, 98765) &&
	       pvhostd_maps_has(maps, disk, 1234),
	       "maps: a file found by device and inode, deleted or not");
	TAP_OK(!pvhostd_maps_has(maps, shm, 98766) &&
	       !pvhostd_maps_has(maps, disk, 98765) &&
	       !pvhostd_maps_has(maps, makedev(0, 0), 0) &&
	       !pvhostd_maps_has("", shm, 98765) &&
	       !pvhostd_maps_has("garbage\n\nmore", shm, 98765),
	       "maps: another inode, another device, anonymous, empty, junk: not found");
}

/* Who may connect: modes, groups, /proc's Groups: line, the rule. */
static void test_peer(void)
{
	struct pvhostd_sockperm own = { .mode = 0660, .group = 1000 };
	struct pvhostd_sockperm grp = { .mode = 0660, .set_group = true,
					.group = 64055 };
	gid_t gids[4], sup[] = { 24, 64055 };
	u32 mode = 12345;

	TAP_OK(!pvhostd_parse_mode("0660", &mode) && mode == 0660,
	       "mode 0660 parsed");
	TAP_OK(!pvhostd_parse_mode("600", &mode) && mode == 0600,
	       "mode 600 is octal");
	TAP_OK(pvhostd_parse_mode("1777", &mode) == -EINVAL &&
	       pvhostd_parse_mode("0668", &mode) == -EINVAL &&
	       pvhostd_parse_mode("-1", &mode) == -EINVAL &&
	       pvhostd_parse_mode("", &mode) == -EINVAL &&
	       pvhostd_parse_mode("06x0", &mode) == -EINVAL &&
	       mode == 0600,
	       "sticky, non-octal, negative, empty, trailing junk: -EINVAL, mode kept");
	TAP_OK(!pvhostd_parse_group("0", &gids[0]) && gids[0] == 0 &&
	       !pvhostd_parse_group("root", &gids[1]) && gids[1] == 0,
	       "group by number and by name");
	TAP_OK(pvhostd_parse_group("no-such-group-here", &gids[0]) == -EINVAL &&
	       pvhostd_parse_group("12x", &gids[0]) == -EINVAL &&
	       pvhostd_parse_group("4294967295", &gids[0]) == -EINVAL &&
	       pvhostd_parse_group("", &gids[0]) == -EINVAL,
	       "unknown name, junk, (gid_t)-1, empty: -EINVAL");
	TAP_OK(pvhostd_status_groups("Name:\tqemu\nGroups:\t24 64055\t\nNSpid:\t1\n",
				     gids, 4) == 2 &&
	       gids[0] == 24 && gids[1] == 64055, "Groups: line read");
	TAP_OK(pvhostd_status_groups("Groups:\n", gids, 4) == 0,
	       "no supplementary groups");
	TAP_OK(pvhostd_status_groups("Groups:\t1 2 3 4 5 6\n", gids, 4) == 4,
	       "more groups than room: the first ones");
	TAP_OK(pvhostd_status_groups("Name:\tx\n", gids, 4) == -EINVAL &&
	       pvhostd_status_groups("Groups:\t1 x\n", gids, 4) == -EINVAL &&
	       pvhostd_status_groups("Groups:\t99999999999999999999\n",
				     gids, 4) == -EINVAL,
	       "no line, junk, overflow: -EINVAL");
	TAP_OK(pvhostd_peer_allowed(&own, 1000, 0, 5, NULL, -1) &&
	       pvhostd_peer_allowed(&own, 1000, 1000, 5, NULL, -1),
	       "root and the daemon's user allowed");
	TAP_OK(!pvhostd_peer_allowed(&own, 1000, 1001, 64055, sup, 2),
	       "another user outside the daemon's group refused");
	TAP_OK(pvhostd_peer_allowed(&own, 1000, 1001, 5, gids, 0) == false &&
	       pvhostd_peer_allowed(&own, 1000, 64055, 24, (gid_t[]){ 1000 }, 1),
	       "a member of the daemon's group (QEMU's user added to it) allowed");
	TAP_OK(pvhostd_peer_allowed(&grp, 1000, 1001, 64055, NULL, -1) &&
	       pvhostd_peer_allowed(&grp, 1000, 1001, 5, sup, 2),
	       "the socket's group as primary or supplementary: allowed");
	TAP_OK(!pvhostd_peer_allowed(&grp, 1000, 1001, 5, sup, 1) &&
	       !pvhostd_peer_allowed(&grp, 1000, 1001, 5, NULL, -1),
	       "outside the group (groups unreadable counts as none): refused");
}

/* Which commands only a test build carries out. */
static void test_ctl_faults(void)
{
	static const char * const fault[] = {
		"entropy fault zeros", "hostile garbage", "clock rate 100",
	};
	static const char * const operator[] = {
		"status", "pressure set 0.5", "pressure auto", "clock status",
		"numa status", "numa hints", "numa policy deny", "vcpu status",
	};
	struct pvhostd_ctl_cmd c;
	const char *err;
	bool ok = true;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fault); i++)
		ok &= !pvhostd_ctl_parse(fault[i], strlen(fault[i]), &c, &err) &&
		      pvhostd_ctl_is_fault(c.op);
	TAP_OK(ok, "ctl: entropy faults, hostile modes, clock rates are fault injection");
	ok = true;
	for (i = 0; i < ARRAY_SIZE(operator); i++)
		ok &= !pvhostd_ctl_parse(operator[i], strlen(operator[i]), &c,
					 &err) &&
		      !pvhostd_ctl_is_fault(c.op);
	TAP_OK(ok, "ctl: the operator's commands are not");
}

/* QEMU's vCPU thread names. */
static void test_vcpu_comm(void)
{
	static const char * const bad[] = {
		"", "CPU", "CPU 1", "CPU 1/", "CPU /TCG", "CPU 01/TCG",
		"CPU -1/TCG", "CPU 1/TC G", "CPU 256/KVM", "CPU 99999999999/KVM",
		"cpu 1/TCG", "CPU 1/TCG\n\n", "IO CPU 1/TCG", "CPU 1\\TCG",
	};
	bool refused = true;
	u32 idx = 77;
	size_t i;

	TAP_OK(!pvhostd_vcpu_comm_parse("CPU 0/TCG\n", 10, &idx) && idx == 0,
	       "vcpu comm: CPU 0/TCG with its newline");
	TAP_OK(!pvhostd_vcpu_comm_parse("CPU 255/KVM", 11, &idx) && idx == 255,
	       "vcpu comm: CPU 255/KVM");
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		refused &= pvhostd_vcpu_comm_parse(bad[i], strlen(bad[i]),
						   &idx) == -EINVAL;
	TAP_OK(refused && idx == 255,
	       "vcpu comm: other threads, leading zeros, past the limit: -EINVAL");
}

/* A thread's start time, field 22 of its stat line. */
static void test_stat_starttime(void)
{
	static const char good[] =
		"42 (CPU 0/TCG) R 1 2 3 0 -1 0 10 0 0 0 5 6 0 0 20 0 9 0 123456 1000\n";
	static const char paren[] =
		"7 (a) b) c) S 1 2 3 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 99 0 0\n";
	static const char junk[] =
		"7 (a) S 1 2 3 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 9x 0";
	u64 t = 5;

	TAP_OK(!pvhostd_stat_starttime(good, strlen(good), &t) && t == 123456,
	       "starttime: field 22");
	TAP_OK(!pvhostd_stat_starttime(paren, strlen(paren), &t) && t == 99,
	       "starttime: a name with ') ' in it");
	TAP_OK(pvhostd_stat_starttime(good, 55, &t) == -EINVAL &&
	       pvhostd_stat_starttime("1 (x) S 1 2", 11, &t) == -EINVAL &&
	       pvhostd_stat_starttime("1 x S", 5, &t) == -EINVAL &&
	       pvhostd_stat_starttime(junk, strlen(junk), &t) == -EINVAL &&
	       t == 99, "starttime: cut short, no name, junk: -EINVAL");
}

/* The doorbell budget: a token bucket on a given clock. */
static void test_bucket(void)
{
	const u64 s = 1000000000ULL;
	struct pvhostd_bucket b;
	u64 t = 5 * s;
	int i, taken = 0;

	pvhostd_bucket_init(&b, 100, 16, t);
	for (i = 0; i < 100; i++)
		taken += pvhostd_bucket_take(&b, t);
	TAP_OK(taken == 16, "bucket: a burst of 16 at once, then none (%d)", taken);
	TAP_OK(pvhostd_bucket_wait_ns(&b, t) == s / 100,
	       "bucket: the next token in 10 ms");
	taken = 0;
	for (i = 1; i <= 1000; i++)
		taken += pvhostd_bucket_take(&b, t + i * (s / 1000));
	TAP_OK(taken == 100, "bucket: 100 a second at 1000 tries a second (%d)",
	       taken);
	t += 3600 * s;
	taken = 0;
	for (i = 0; i < 100; i++)
		taken += pvhostd_bucket_take(&b, t);
	TAP_OK(taken == 16, "bucket: an hour idle fills it to the burst, no more");
	taken = pvhostd_bucket_take(&b, t - s);
	TAP_OK(!taken && pvhostd_bucket_wait_ns(&b, t) == s / 100,
	       "bucket: a clock going back adds nothing");
	pvhostd_bucket_init(&b, 0, 0, t);
	TAP_OK(b.rate == 1 && b.burst == 1 && pvhostd_bucket_take(&b, t) &&
	       !pvhostd_bucket_take(&b, t) && pvhostd_bucket_wait_ns(&b, t) == s,
	       "bucket: rate and burst 0 count as 1");
	pvhostd_bucket_init(&b, 100000, 10000, t);
	t += 99999 * s;
	taken = 0;
	for (i = 0; i < 20000; i++)
		taken += pvhostd_bucket_take(&b, t);
	TAP_OK(taken == 10000, "bucket: the largest rate and burst, no overflow");
}

/* ---- restart state ---- */
static struct pvhostd_state st_a, st_b;
static char st_text[PVHOSTD_STATE_MAX + 64];

/* @text with its first @from replaced by @to: parse result */
static int state_edit(const char *text, const char *from, const char *to)
{
	static char buf[PVHOSTD_STATE_MAX + 64];
	const char *at = strstr(text, from);
	size_t pre;

	if (!at)
		return 1;	/* a test that cannot apply: counted as a failure */
	pre = (size_t)(at - text);
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)pre, text, to,
		 at + strlen(from));
	return pvhostd_state_parse(buf, strlen(buf), &st_b);
}

static void test_state_round_trip(void)
{
	int n;

	memset(&st_a, 0, sizeof(st_a));
	st_a.generation = 41;
	st_a.region_size = 1 << 20;
	st_a.nr_vcpus = 4;
	st_a.shm_dev = 5;
	st_a.shm_ino = 123456789;
	st_a.qemu_pid = 4242;
	st_a.v[1] = (struct pvhostd_state_vcpu){ .tid = 4250, .start = 777,
		.boosted = true, .nice_orig = -3 };
	st_a.v[3] = (struct pvhostd_state_vcpu){ .tid = 4252, .start = 779,
		.aff = true, .aff_orig = { 0xf0, 0, 1 } };
	st_a.v[255] = (struct pvhostd_state_vcpu){ .tid = 9, .start = 1,
		.boosted = true, .nice_orig = 19, .aff = true,
		.aff_orig = { [PVHOSTD_CPU_WORDS - 1] = 1ULL << 63 } };
	n = pvhostd_state_format(&st_a, st_text, sizeof(st_text));
	TAP_OK(n > 0 && !pvhostd_state_parse(st_text, (size_t)n, &st_b) &&
	       !memcmp(&st_a, &st_b, sizeof(st_a)),
	       "state: formatted and parsed back the same (%d bytes)", n);
	TAP_OK(strstr(st_text, "vcpu 1 4250 777 -3 -\n") &&
	       strstr(st_text, "vcpu 3 4252 779 - f0,0,1\n") &&
	       !strstr(st_text, "vcpu 0 "),
	       "state: a vCPU with nothing to give back is not written");
	TAP_OK(pvhostd_state_format(&st_a, st_text, 64) == -ENOSPC,
	       "state: a buffer too small: -ENOSPC");
	memset(st_a.v, 0, sizeof(st_a.v));
	n = pvhostd_state_format(&st_a, st_text, sizeof(st_text));
	TAP_OK(n > 0 && !pvhostd_state_parse(st_text, (size_t)n, &st_b) &&
	       st_b.generation == 41 && st_b.qemu_pid == 4242 &&
	       st_b.shm_ino == 123456789 && !st_b.v[1].boosted,
	       "state: a session with no vCPU changed");
}

static void test_state_hostile(void)
{
	static const struct { const char *from, *to, *what; } bad[] = {
		{ "pvhostd-state 1\n", "pvhostd-state 2\n", "another version" },
		{ "generation 41", "generation 4294967296", "generation past u32" },
		{ "generation 41", "generation -1", "a negative generation" },
		{ "generation 41", "generation 0x29", "hex where decimal" },
		{ "region 1048576 4", "region 1048577 4", "a size no layout has" },
		{ "region 1048576 4", "region 1048576 0", "no vCPU" },
		{ "region 1048576 4", "region 1048576 257", "too many vCPUs" },
		{ "shm 5 123456789", "shm 5 0", "no inode" },
		{ "qemu 4242", "qemu 0", "no QEMU" },
		{ "qemu 4242", "qemu 4242 ", "a trailing space" },
		{ "vcpu 1 4250", "vcpu 256 4250", "a vCPU past the last" },
		{ "vcpu 1 4250", "vcpu 3 4250", "vCPUs out of order, or twice" },
		{ "vcpu 1 4250", "vcpu 1 0", "thread 0" },
		{ " 777 -3 -", " 777 -21 -", "nice below -20" },
		{ " 777 -3 -", " 777 20 -", "nice above 19" },
		{ " 777 -3 -", " 777 - -", "a vCPU with nothing to give back" },
		{ " f0,0,1\n", " 0\n", "an affinity with no CPU" },
		{ " f0,0,1\n", " f0,0,1,\n", "a dangling comma" },
		{ " f0,0,1\n", " f0,g\n", "a bad hex word" },
		{ " f0,0,1\n", " 1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1\n",
		  "more words than CPUs" },
		{ "end\n", "end", "truncated: no last newline" },
		{ "end\n", "", "truncated: no end" },
		{ "end\n", "end\njunk\n", "junk after the end" },
		{ "\nqemu", "\nqemu2", "a misspelt key" },
		{ "\nshm", "\nqemu 1\nshm", "records out of order" },
	};
	u32 i, refused = 0;
	int n;

	st_a.v[1] = (struct pvhostd_state_vcpu){ .tid = 4250, .start = 777,
		.boosted = true, .nice_orig = -3 };
	st_a.v[3] = (struct pvhostd_state_vcpu){ .tid = 4252, .start = 779,
		.aff = true, .aff_orig = { 0xf0, 0, 1 } };
	n = pvhostd_state_format(&st_a, st_text, sizeof(st_text));
	TAP_OK(n > 0 && !state_edit(st_text, "qemu", "qemu"),
	       "state: the file the hostile ones are made from parses");
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		int ret = state_edit(st_text, bad[i].from, bad[i].to);

		if (ret == -EINVAL && !st_b.generation && !st_b.v[1].tid)
			refused++;
		else
			TAP_OK(0, "state: %s accepted (%d)", bad[i].what, ret);
	}
	TAP_OK(refused == ARRAY_SIZE(bad),
	       "state: %u hostile files refused, nothing kept of them", refused);
	TAP_OK(pvhostd_state_parse("", 0, &st_b) == -EINVAL &&
	       pvhostd_state_parse(st_text, PVHOSTD_STATE_MAX + 1, &st_b) == -EINVAL,
	       "state: empty, too long: refused");
	st_text[10] = '\0';
	TAP_OK(pvhostd_state_parse(st_text, (size_t)n, &st_b) == -EINVAL,
	       "state: a NUL inside: refused");
}

static void test_fd_names(void)
{
	const char *names[PVHOSTD_NR_FDS + 1];
	char store[PVHOSTD_NR_FDS][24];
	int fds[PVHOSTD_NR_FDS + 1], slot[PVHOSTD_NR_FDS];
	bool right = true;
	int i;

	for (i = 0; i < PVHOSTD_NR_FDS; i++) {
		/* handed back in another order than stored */
		pvhostd_fd_name(PVHOSTD_NR_FDS - 1 - i, store[i], sizeof(store[i]));
		names[i] = store[i];
		fds[i] = 3 + i;
	}
	TAP_OK(!strcmp(store[PVHOSTD_NR_FDS - 1], "pvhost-sock") &&
	       !strcmp(store[0], "pvhost-guest4"), "fd names: %s ... %s",
	       store[PVHOSTD_NR_FDS - 1], store[0]);
	TAP_OK(!pvhostd_fd_names(names, fds, PVHOSTD_NR_FDS, slot),
	       "fd names: a whole session's, in any order");
	for (i = 0; i < PVHOSTD_NR_FDS; i++)
		right &= slot[i] == 3 + PVHOSTD_NR_FDS - 1 - i;
	TAP_OK(right, "fd names: each descriptor in its slot");
	TAP_OK(pvhostd_fd_names(names, fds, PVHOSTD_NR_FDS - 1, slot) == -EINVAL,
	       "fd names: one missing: refused");
	names[PVHOSTD_NR_FDS] = "pvhost-sock";
	fds[PVHOSTD_NR_FDS] = 99;
	TAP_OK(pvhostd_fd_names(names, fds, PVHOSTD_NR_FDS + 1, slot) == -EINVAL,
	       "fd names: one too many: refused");
	names[4] = names[5];
	TAP_OK(pvhostd_fd_names(names, fds, PVHOSTD_NR_FDS, slot) == -EINVAL,
	       "fd names: one name twice: refused");
	names[4] = "stored";
	TAP_OK(pvhostd_fd_names(names, fds, PVHOSTD_NR_FDS, slot) == -EINVAL,
	       "fd names: a foreign name: refused");
	names[4] = store[4];
	fds[2] = -1;
	TAP_OK(pvhostd_fd_names(names, fds, PVHOSTD_NR_FDS, slot) == -EINVAL,
	       "fd names: no descriptor: refused");
}

int main(void)
{
	test_layout_plan();
	test_layout_header();
	test_entropy_normal();
	test_entropy_hostile();
	test_entropy_getrandom_fails();
	test_entropy_faults();
	test_mailbox_answer();
	test_mailbox_serve();
	test_pressure_mapping();
	test_pressure_parse();
	test_pressure_sample_files();
	test_pressure_publish();
	test_ctl_valid();
	test_ctl_invalid();
	test_qmp_valid();
	test_qmp_hostile();
	test_proc_parsers();
	test_preempted_rule();
	test_boost_policy();
	test_hint_policy();
	test_hostile_names();
	test_hostile_apply();
	test_hostile_layout();
	test_numa_cpulist();
	test_numa_topo();
	test_numa_check();
	test_numa_choose();
	test_numa_serve();
	test_numa_misc();
	test_peer();
	test_state_round_trip();
	test_state_hostile();
	test_fd_names();
	test_ctl_faults();
	test_vcpu_comm();
	test_stat_starttime();
	test_bucket();
	test_maps_has();
	test_numa_memdev();
	return tap_done();
}
