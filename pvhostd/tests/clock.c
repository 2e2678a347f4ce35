// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for pvhostd's clock: the pvclock scaling, the fit, the
 * version protocol under a concurrent reader, first publication, republish
 * continuity across a simulated rate change and its correction, the
 * REALTIME pairing, a guest sending nonsense, a rewritten request and a
 * paused guest. TAP output.
 *
 * A simulated guest TSC runs at a known rate and offset against a
 * simulated host clock; the round trip of each exchange is known, so the
 * tests can check the fit against the truth.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../pvhostd.h"
#include "tap.h"

struct sim {
	double ghz;		/* true guest TSC rate */
	u64 tsc0;		/* guest TSC at host_ns 0 */
	u64 ns;			/* simulated host CLOCK_MONOTONIC_RAW */
	u64 prev_after;		/* tsc_after to send next */
	u32 rtt_ns;		/* round trip of each exchange */
	u32 jitter_ns;		/* where in the round trip the host answers */
	bool early;		/* answer at the very start of the round trip */
	void *region;
	struct pvhostd_layout lay;
	struct pvhostd_clock c;
};

static u64 sim_tsc(const struct sim *s, u64 ns)
{
	return s->tsc0 + (u64)llround((double)ns * s->ghz);
}

static void sim_init(struct sim *s, double ghz, u32 rtt_ns, u32 jitter_ns)
{
	memset(s, 0, sizeof(*s));
	s->ghz = ghz;
	s->tsc0 = 123456789012ULL;
	s->ns = 5000000000ULL;
	s->rtt_ns = rtt_ns;
	s->jitter_ns = jitter_ns;
	s->region = calloc(1, 1 << 20);
	pvhostd_layout_plan(1 << 20, 4, &s->lay);
	pvhostd_layout_write(s->region, &s->lay, 1);
	pvhostd_clock_init(&s->c, s->region, &s->lay);
}

/* One exchange: post, host answers somewhere in the round trip, seen. */
static void sim_exchange(struct sim *s, u64 gap_ns)
{
	struct pvhost_calibrate cal = { 0 };
	u64 answer;

	s->ns += gap_ns;
	cal.tsc_before = sim_tsc(s, s->ns);
	cal.tsc_after = s->prev_after;
	answer = s->ns + (s->jitter_ns ? (u64)(rand() % (s->jitter_ns + 1)) :
			  s->rtt_ns / 2);
	if (answer > s->ns + s->rtt_ns)
		answer = s->ns + s->rtt_ns;
	if (s->early)
		answer = s->ns;
	pvhostd_clock_calibrate(&s->c, &cal, answer);
	s->ns += s->rtt_ns;
	s->prev_after = sim_tsc(s, s->ns);
}

/* Guest time from the record of vCPU @cpu, read as a guest would. */
static bool guest_read(const struct sim *s, u32 cpu, u64 tsc, u64 *ns,
		       u32 *version)
{
	const struct pvhost_vcpu *v = pvhostd_at(s->region, s->lay.vcpu_offset);
	const struct pvhost_time_info *t = &v[cpu].clock;

	if (t->version & 1 || !t->tsc_to_system_mul || tsc < t->tsc_timestamp)
		return false;
	*ns = t->system_time + pvhostd_clock_scale(tsc - t->tsc_timestamp,
						   t->tsc_to_system_mul,
						   t->tsc_shift);
	*version = t->version;
	return true;
}

/* The published rate, in GHz. */
static double pub_ghz(const struct pvhostd_clock *c)
{
	return 1 / ldexp((double)c->rec.tsc_to_system_mul, c->rec.tsc_shift - 32);
}

static void sim_free(struct sim *s)
{
	free(s->region);
}

static void test_scale(void)
{
	static const double ghz[] = { 0.001, 1.0, 2.4, 2.999999, 3.3, 50.0 };
	double worst = 0, err, want;
	u64 delta = 10000000000ULL;	/* ticks */
	u32 mul;
	s8 shift;
	size_t i;
	bool ok = true;

	for (i = 0; i < ARRAY_SIZE(ghz); i++) {
		ok &= !pvhostd_clock_mul_shift(1 / ghz[i], &mul, &shift);
		ok &= mul >= 0x80000000U;
		want = (double)delta / ghz[i];
		err = fabs((double)pvhostd_clock_scale(delta, mul, shift) - want) /
		      want;
		if (err > worst)
			worst = err;
	}
	/* a negative shift drops low bits of delta: 2^5 of 10^10 at 50 GHz */
	TAP_OK(ok && worst < 0.00000001,
	       "scale: mul in [2^31, 2^32), 1 MHz..50 GHz within %.2g", worst);
	TAP_OK(pvhostd_clock_mul_shift(0, &mul, &shift) &&
	       pvhostd_clock_mul_shift(-1, &mul, &shift) &&
	       pvhostd_clock_mul_shift(NAN, &mul, &shift) &&
	       pvhostd_clock_mul_shift(INFINITY, &mul, &shift) &&
	       pvhostd_clock_mul_shift(0.001, &mul, &shift) &&
	       pvhostd_clock_mul_shift(1e4, &mul, &shift),
	       "scale: zero, negative, NaN, infinite, >100 GHz, <1 MHz refused");
}

static void test_fit(void)
{
	struct sim s;
	double true_rate = 1 / 2.5, ppm, off;
	int i;

	sim_init(&s, 2.5, 200000, 200000);
	srand(1);
	for (i = 0; i < PVHOSTD_CLOCK_SAMPLES + 1; i++)
		sim_exchange(&s, 1000000000ULL);
	TAP_OK(s.c.fitted && s.c.nr == PVHOSTD_CLOCK_SAMPLES,
	       "fit: %u samples in the window", s.c.nr);
	ppm = (s.c.fit_rate - true_rate) / true_rate * 1e6;
	/* answers anywhere in a 200 us round trip, over 15 s: 13 ppm at worst */
	TAP_OK(fabs(ppm) < 200000.0 / 15e9 * 1e6,
	       "fit: rate within 13 ppm over 15 s with 200 us round trips (%.3f ppm)",
	       ppm);
	/* the fitted time at a known instant, against the bound it claims */
	off = (double)s.c.fit_ns0 + (double)(sim_tsc(&s, s.ns) - s.c.fit_tsc0) *
	      s.c.fit_rate - (double)s.ns;
	TAP_OK(fabs(off) <= s.c.fit_err_ns && s.c.fit_err_ns <= 200000,
	       "fit: error %.0f ns within the claimed bound %.0f ns (<= round trip)",
	       off, s.c.fit_err_ns);
	sim_free(&s);
}

/* Descheduled exchanges: long round trips, answered at their very start. */
static void test_fit_weighted(void)
{
	double true_rate = 1 / 2.5, ppm;
	struct sim s;
	int i;

	sim_init(&s, 2.5, 100000, 0);
	for (i = 0; i < PVHOSTD_CLOCK_SAMPLES + 1; i++) {
		s.early = i % 3 == 1;
		s.rtt_ns = s.early ? 5000000 : 100000;
		sim_exchange(&s, 20000000);
	}
	ppm = (s.c.fit_rate - true_rate) / true_rate * 1e6;
	TAP_OK(fabs(ppm) < 50,
	       "fit: 5 ms round trips answered early barely move it (%.1f ppm)", ppm);
	TAP_OK(s.c.fit_err_ns <= 100000,
	       "fit: bound %.0f ns from the short round trips", s.c.fit_err_ns);
	sim_free(&s);
}

static void test_first_publication(void)
{
	struct sim s;
	u64 ns, truth;
	u32 ver, ver1, i;
	bool same = true, ok;
	const struct pvhost_vcpu *v;

	sim_init(&s, 3.0, 100000, 0);
	for (i = 0; i < PVHOSTD_CLOCK_MIN_SAMPLES; i++)
		sim_exchange(&s, 10000000);
	TAP_OK(!s.c.published && !guest_read(&s, 0, sim_tsc(&s, s.ns), &ns, &ver),
	       "publish: nothing before %d samples", PVHOSTD_CLOCK_MIN_SAMPLES);
	sim_exchange(&s, 10000000);
	TAP_OK(s.c.published && s.c.epoch == 1 && pvhostd_clock_take_changed(&s.c) &&
	       !pvhostd_clock_take_changed(&s.c),
	       "publish: first record, epoch 1, change reported once");
	truth = s.ns;
	ok = guest_read(&s, 0, sim_tsc(&s, truth), &ns, &ver);
	TAP_OK(ok && ver == 2 && llabs((long long)(ns - truth)) < 100000,
	       "publish: version 2, guest time %lld ns from host time",
	       (long long)(ns - truth));
	v = pvhostd_at(s.region, s.lay.vcpu_offset);
	for (i = 1; i < s.lay.nr_vcpus; i++)
		same &= !memcmp(&v[i].clock, &v[0].clock, sizeof(v[0].clock));
	TAP_OK(same && !(v[0].clock.flags & 1),
	       "publish: the same record for every vCPU, TSC_STABLE not claimed");
	TAP_OK(((struct pvhost_header *)s.region)->tsc_khz == 3000000,
	       "publish: header tsc_khz %u", ((struct pvhost_header *)s.region)->tsc_khz);
	/* steady rate: no republication */
	ver1 = s.c.version;
	for (i = 0; i < 30; i++)
		sim_exchange(&s, 500000000);
	TAP_OK(s.c.version == ver1 && guest_read(&s, 0, sim_tsc(&s, s.ns), &ns, &ver) &&
	       llabs((long long)(ns - s.ns)) < 100000,
	       "publish: steady rate, no republication over 15 s, still on time");
	sim_free(&s);
}

static void test_simulated_change(void)
{
	struct sim s;
	u64 before_ns, after_ns, sw;
	u32 v0, v1, i;
	double ghz0;
	double ppm;
	bool mono = true;
	u64 prev = 0, ns;
	u32 ver;

	sim_init(&s, 2.0, 50000, 0);
	for (i = 0; i < 8; i++)
		sim_exchange(&s, 1000000000ULL);
	v0 = s.c.version;
	ghz0 = pub_ghz(&s.c);
	pvhostd_clock_simulate(&s.c, 1000);
	TAP_OK(s.c.version == v0, "rate: simulation waits for the next exchange");
	/* the switch happens at the next request's tsc_before */
	sw = sim_tsc(&s, s.ns + 1000000000ULL);
	guest_read(&s, 0, sw, &before_ns, &ver);
	sim_exchange(&s, 1000000000ULL);
	guest_read(&s, 0, sw, &after_ns, &v1);
	/* ns per tick down by 1000 ppm: the TSC taken to run faster */
	ppm = (ghz0 / pub_ghz(&s.c) - 1) * 1e6;
	TAP_OK(v1 == v0 + 2 && s.c.simulated == 1 && fabs(ppm + 1000) < 2,
	       "rate: +1000 ppm simulated: version %u -> %u, rate %.1f ppm", v0, v1,
	       ppm);
	TAP_OK(before_ns == after_ns && s.c.rec.tsc_timestamp == sw,
	       "rate: continuous at the switch point (%llu == %llu)",
	       (unsigned long long)before_ns, (unsigned long long)after_ns);
	/* the next exchange sees the rate off by 1000 ppm and corrects it */
	for (i = 0; i < 40; i++) {
		v0 = s.c.version;
		sw = sim_tsc(&s, s.ns + 1000000000ULL);
		guest_read(&s, 0, sw, &before_ns, &ver);
		sim_exchange(&s, 1000000000ULL);
		guest_read(&s, 0, sw, &after_ns, &ver);
		if (s.c.version != v0 && before_ns != after_ns)
			mono = false;
		guest_read(&s, 0, sim_tsc(&s, s.ns), &ns, &ver);
		if (ns <= prev)
			mono = false;
		prev = ns;
		if (i == 0)
			TAP_OK(s.c.version == v0 + 2,
			       "rate: the next exchange detects it and republishes");
	}
	ppm = (pub_ghz(&s.c) - 2.0) / 2.0 * 1e6;
	TAP_OK(mono, "rate: every republication continuous, guest time monotonic");
	TAP_OK(llabs(s.c.offset_ns) <= 100000 && fabs(ppm) < PVHOSTD_CLOCK_REPUBLISH_PPM,
	       "rate: 40 s later the offset is paid back (%lld ns), rate %.1f ppm off",
	       (long long)s.c.offset_ns, ppm);
	sim_free(&s);
}

/* A reader racing the writer only ever accepts a whole record. */
struct race {
	struct pvhost_time_info *t;
	bool stop;		/* atomic */
	u64 reads, torn, accepted, busy;
};

static void *race_reader(void *arg)
{
	struct race *r = arg;
	struct pvhost_time_info *t = r->t;
	u64 ts, st;
	u32 v1, v2, mul;

	while (!__atomic_load_n(&r->stop, __ATOMIC_RELAXED)) {
		v1 = __atomic_load_n(&t->version, __ATOMIC_ACQUIRE);
		ts = __atomic_load_n(&t->tsc_timestamp, __ATOMIC_RELAXED);
		st = __atomic_load_n(&t->system_time, __ATOMIC_RELAXED);
		mul = __atomic_load_n(&t->tsc_to_system_mul, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		v2 = __atomic_load_n(&t->version, __ATOMIC_RELAXED);
		__atomic_fetch_add(&r->reads, 1, __ATOMIC_RELAXED);
		if (v1 & 1 || v1 != v2) {
			r->busy++;
			continue;
		}
		r->accepted++;
		/* every record the writer publishes is continuous with the last */
		if (v1 && (ts % 1000 || st != ts * 2 || mul < 0x80000000U))
			r->torn++;
	}
	return NULL;
}

static void test_version_protocol(void)
{
	struct race r = { 0 };
	struct sim s;
	pthread_t th;
	u32 i, odd = 0;

	sim_init(&s, 0.5, 1000, 0);
	/* a line with ns = 2 x tsc: system_time = 2 x tsc_timestamp throughout */
	s.c.fitted = true;
	s.c.fit_rate = 2.0;
	s.c.fit_tsc0 = 0;
	s.c.fit_ns0 = 0;
	r.t = &((struct pvhost_vcpu *)pvhostd_at(s.region, s.lay.vcpu_offset))[1].clock;
	pthread_create(&th, NULL, race_reader, &r);
	/* on a busy machine the reader may start late: wait for it */
	while (!__atomic_load_n(&r.reads, __ATOMIC_RELAXED))
		sched_yield();
	for (i = 1; i <= 200000; i++) {
		pvhostd_clock_publish(&s.c, (u64)i * 1000, 2.0);
		odd += s.c.version & 1;
	}
	__atomic_store_n(&r.stop, true, __ATOMIC_RELAXED);
	pthread_join(th, NULL);
	TAP_OK(!odd && s.c.version == 400000 && r.t->version == 400000,
	       "version: 200000 publications, version %u even", r.t->version);
	TAP_OK(!r.torn && r.accepted,
	       "version: a racing reader accepted %llu of %llu reads (%llu retried), none torn",
	       (unsigned long long)r.accepted, (unsigned long long)r.reads,
	       (unsigned long long)r.busy);
	sim_free(&s);
}

/* What one publication costs the host: reported, not asserted. */
static void report_publish_cost(void)
{
	static const u32 nr[] = { 4, PVHOST_MAX_VCPUS };
	struct timespec t0, t1;
	struct sim s;
	size_t i;
	u32 k;

	for (i = 0; i < ARRAY_SIZE(nr); i++) {
		memset(&s, 0, sizeof(s));
		s.region = calloc(1, 1 << 20);
		pvhostd_layout_plan(1 << 20, nr[i], &s.lay);
		pvhostd_layout_write(s.region, &s.lay, 1);
		pvhostd_clock_init(&s.c, s.region, &s.lay);
		s.c.fitted = true;
		s.c.fit_rate = 0.4;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (k = 1; k <= 100000; k++)
			pvhostd_clock_publish(&s.c, (u64)k * 1000, 0.4);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		printf("# publish: %.0f ns per publication to %u vCPUs (mean of 100000)\n",
		       ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / 1e5,
		       nr[i]);
		sim_free(&s);
	}
}

static void test_pairing(void)
{
	struct pvhost_clock_pairing *p;
	struct sim s;
	u64 tsc;
	int i;

	sim_init(&s, 2.5, 100000, 0);
	p = pvhostd_at(s.region, s.lay.pairing_offset);
	TAP_OK(!pvhostd_clock_pairing_update(&s.c, s.ns, 1700000000, 5) &&
	       p->version == 0, "pairing: nothing before a fit");
	for (i = 0; i < 8; i++)
		sim_exchange(&s, 100000000);
	TAP_OK(pvhostd_clock_pairing_update(&s.c, s.ns, 1700000000, 123) &&
	       p->version == 2 && p->sec == 1700000000 && p->nsec == 123 &&
	       !p->flags, "pairing: written with version 2, sec, nsec");
	tsc = sim_tsc(&s, s.ns);
	TAP_OK(llabs((long long)(p->tsc - tsc)) <= 2.5 * s.c.fit_err_ns + 1,
	       "pairing: guest TSC %lld ticks from the truth, bound %.0f ns",
	       (long long)(p->tsc - tsc), s.c.fit_err_ns);
	TAP_OK(!pvhostd_clock_pairing_update(&s.c, s.ns, 1, 1000000000) &&
	       !pvhostd_clock_pairing_update(&s.c, s.ns, -1, 0) &&
	       p->version == 2, "pairing: invalid host time not published");
	sim_free(&s);
}

static void test_hostile_guest(void)
{
	struct pvhost_calibrate cal = { 0 };
	struct sim s;
	u64 rej, ns, impl;
	u32 ver, i;

	sim_init(&s, 2.0, 100000, 0);
	for (i = 0; i < 8; i++)
		sim_exchange(&s, 100000000);
	ver = s.c.version;
	rej = s.c.rejected;
	/* tsc_after before the exchange it closes, and after the next one */
	cal.tsc_before = sim_tsc(&s, s.ns + 1000);
	cal.tsc_after = 1;
	pvhostd_clock_calibrate(&s.c, &cal, s.ns + 2000);
	cal.tsc_before = sim_tsc(&s, s.ns + 3000);
	cal.tsc_after = cal.tsc_before + 10;
	pvhostd_clock_calibrate(&s.c, &cal, s.ns + 4000);
	/* a round trip of a whole second */
	cal.tsc_after = cal.tsc_before + 2000000000ULL;
	cal.tsc_before = cal.tsc_after + 1;
	pvhostd_clock_calibrate(&s.c, &cal, s.ns + 5000);
	TAP_OK(s.c.rejected == rej + 3 && s.c.version == ver,
	       "hostile: 3 impossible exchanges rejected, nothing republished");
	/* the guest TSC starts again from a small value: a reboot */
	impl = s.c.implausible;
	s.tsc0 = 1000;
	s.ns += 1000000000ULL;
	s.prev_after = 0;
	sim_exchange(&s, 1000);
	sim_exchange(&s, 100000000);
	TAP_OK(s.c.resets == 0 && s.c.implausible > impl,
	       "hostile: one sample gone backwards is held, not a restart");
	sim_exchange(&s, 100000000);
	TAP_OK(s.c.resets == 1 && s.c.nr == 2,
	       "hostile: TSC gone backwards twice restarts the fit (resets %llu)",
	       (unsigned long long)s.c.resets);
	for (i = 0; i < 8; i++)
		sim_exchange(&s, 100000000);
	ns = 0;
	TAP_OK(guest_read(&s, 0, sim_tsc(&s, s.ns), &ns, &ver) &&
	       llabs((long long)(ns - s.ns)) < 100000,
	       "hostile: after the restart the records follow the new TSC");
	/* garbage from a random guest never publishes an odd or zero record */
	srand(7);
	for (i = 0; i < 100000; i++) {
		cal.tsc_before = (u64)rand() << (rand() % 40);
		cal.tsc_after = (u64)rand() << (rand() % 40);
		pvhostd_clock_calibrate(&s.c, &cal, s.ns + i);
		if (s.c.version & 1 || (s.c.published && !s.c.rec.tsc_to_system_mul))
			break;
	}
	TAP_OK(i == 100000, "hostile: 100000 random requests, records stay whole");
	sim_free(&s);
}

/*
 * A host (or a guest) rewrites the TSC of one calibration request: far
 * ahead (the record would switch there, centuries on), then behind the
 * last sample (the fit would restart). Neither is used: no record leaps,
 * the fit is not restarted, and the records still follow the truth.
 */
static void test_rewritten_exchange(void)
{
	struct pvhost_calibrate cal = { 0 };
	u64 ns = 0, resets;
	struct sim s;
	u32 ver, i;
	bool ok;

	sim_init(&s, 2.0, 100000, 0);
	for (i = 0; i < 8; i++)
		sim_exchange(&s, 100000000);
	resets = s.c.resets;
	s.ns += 100000000;
	cal.tsc_before = sim_tsc(&s, s.ns) + (1ULL << 62);
	cal.tsc_after = s.prev_after;
	pvhostd_clock_calibrate(&s.c, &cal, s.ns + 50000);
	s.ns += s.rtt_ns;
	s.prev_after = sim_tsc(&s, s.ns);
	TAP_OK(s.c.implausible >= 1 && s.c.rec.tsc_timestamp < (1ULL << 61),
	       "rewritten: a request TSC 2^62 ahead starts no record (implausible %llu)",
	       (unsigned long long)s.c.implausible);
	sim_exchange(&s, 100000000);
	sim_exchange(&s, 100000000);
	s.ns += 100000000;
	cal.tsc_before = 1000;
	cal.tsc_after = s.prev_after;
	pvhostd_clock_calibrate(&s.c, &cal, s.ns + 50000);
	s.ns += s.rtt_ns;
	s.prev_after = sim_tsc(&s, s.ns);
	for (i = 0; i < 4; i++)
		sim_exchange(&s, 100000000);
	TAP_OK(s.c.resets == resets,
	       "rewritten: a request TSC behind the samples restarts nothing");
	ok = guest_read(&s, 0, sim_tsc(&s, s.ns), &ns, &ver);
	TAP_OK(ok && llabs((long long)(ns - s.ns)) < 100000,
	       "rewritten: the records still follow the truth (off by %lld ns)",
	       (long long)(ns - s.ns));
	sim_free(&s);
}

/*
 * A guest paused for 10 s (its TSC stood still, the host clock did not):
 * two samples in a row off the fit but agreeing with each other restart
 * the fit, and the records follow the host's time again.
 */
static void test_paused_guest(void)
{
	struct sim s;
	u32 i, ver;
	u64 ns = 0, before = 0;
	bool ok;

	sim_init(&s, 2.0, 100000, 0);
	for (i = 0; i < 8; i++)
		sim_exchange(&s, 100000000);
	guest_read(&s, 0, sim_tsc(&s, s.ns), &before, &ver);
	s.tsc0 -= (u64)llround(10e9 * s.ghz);	/* 10 s of TSC lost */
	s.ns += 10000000000ULL;
	for (i = 0; i < 8; i++)
		sim_exchange(&s, 100000000);
	TAP_OK(s.c.resets == 1 && s.c.implausible >= 1,
	       "paused: the fit restarts after two agreeing samples (resets %llu)",
	       (unsigned long long)s.c.resets);
	ok = guest_read(&s, 0, sim_tsc(&s, s.ns), &ns, &ver);
	TAP_OK(ok && ns > before && llabs((long long)(ns - s.ns)) < 100000,
	       "paused: the records follow the host's time (off by %lld ns)",
	       (long long)(ns - s.ns));
	sim_free(&s);
}

/*
 * The hostile clock modes' writers: records 277 years ahead under a new
 * version each time, the truth kept privately (normal publications do not
 * reach the region meanwhile) and written back under a new version.
 */
static void test_clock_lie(void)
{
	u64 ns = 0, truth;
	struct sim s;
	u32 ver0, ver = 0, i;
	bool ok;

	sim_init(&s, 2.0, 100000, 0);
	for (i = 0; i < 8; i++)
		sim_exchange(&s, 100000000);
	ver0 = s.c.version;
	pvhostd_clock_lie(&s.c, PVHOSTD_CLOCK_LEAP_NS);
	ok = guest_read(&s, 1, sim_tsc(&s, s.ns), &ns, &ver);
	TAP_OK(ok && ver == ver0 + 2 &&
	       ns - s.ns > PVHOSTD_CLOCK_LEAP_NS - 1000000,
	       "lie: records 277 years ahead under a new version");
	pvhostd_clock_simulate(&s.c, 1000);
	for (i = 0; i < 3; i++)
		sim_exchange(&s, 100000000);
	ok = guest_read(&s, 1, sim_tsc(&s, s.ns), &ns, &ver);
	TAP_OK(ok && ver == ver0 + 2 && s.c.simulated == 1,
	       "lie: publications meanwhile stay private");
	pvhostd_clock_truth(&s.c);
	ok = guest_read(&s, 1, sim_tsc(&s, s.ns), &ns, &ver);
	truth = s.c.rec.system_time +
		pvhostd_clock_scale(sim_tsc(&s, s.ns) - s.c.rec.tsc_timestamp,
				    s.c.rec.tsc_to_system_mul, s.c.rec.tsc_shift);
	TAP_OK(ok && ver > ver0 + 2 && ns == truth && !(ver & 1),
	       "lie: the truth back under a new version");
	sim_free(&s);
}

static int parse(const char *line, struct pvhostd_ctl_cmd *c)
{
	const char *err = NULL;
	int ret = pvhostd_ctl_parse(line, strlen(line), c, &err);

	return ret || !err ? ret : -1;
}

static void test_ctl_clock(void)
{
	static const char *const bad[] = {
		"clock", "clock rate", "clock rate 0", "clock rate 100001",
		"clock rate -100001", "clock rate 1.5", "clock rate 10x",
		"clock rate 99999999999999999999", "clock status now",
		"clock rate 5 6", "clock reset",
	};
	struct pvhostd_ctl_cmd c;
	size_t i;
	int rejected = 0;

	TAP_OK(!parse("clock status", &c) && c.op == PVHOSTD_CTL_CLOCK_STATUS,
	       "ctl: clock status");
	TAP_OK(!parse("clock rate 1000\n", &c) && c.op == PVHOSTD_CTL_CLOCK_RATE &&
	       c.ppm == 1000 && !parse("clock rate -100000", &c) &&
	       c.ppm == -100000, "ctl: clock rate 1000, -100000");
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		rejected += parse(bad[i], &c) == -EINVAL;
	TAP_OK(rejected == (int)ARRAY_SIZE(bad),
	       "ctl: %d malformed clock commands rejected", rejected);
}

int main(void)
{
	test_scale();
	test_fit();
	test_fit_weighted();
	test_first_publication();
	test_simulated_change();
	test_version_protocol();
	test_pairing();
	test_hostile_guest();
	test_rewritten_exchange();
	test_paused_guest();
	test_clock_lie();
	test_ctl_clock();
	report_publish_cost();
	return tap_done();
}
