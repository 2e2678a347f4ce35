// SPDX-License-Identifier: GPL-2.0
/*
 * Clock, host side: pair the guest TSC with host CLOCK_MONOTONIC_RAW and
 * publish pvclock records per vCPU, plus a CLOCK_REALTIME pairing.
 *
 * Calibration: the guest sends CALIBRATE requests carrying the TSC it read
 * as it posted the request (tsc_before) and the TSC it read when it saw the
 * answer to its previous request (tsc_after). The host answers each with
 * CLOCK_MONOTONIC_RAW at receipt, so every answered request gives a sample
 * bracketed by two guest TSC reads: host_ns happened between tsc_before
 * and tsc_after, and half the round trip bounds the pairing error. A
 * least-squares line through the midpoints of the last samples gives the
 * rate and offset; the bound is the worst residual plus half round trip.
 *
 * Publication: a record is switched only at a sample's tsc_before, a guest
 * TSC value that is certainly in the past when the new record appears, and
 * the new record starts where the old one was at that point, so guest time
 * is continuous. The published rate is the fitted rate, steered by at most
 * PVHOSTD_CLOCK_SLEW_PPM to pay back an offset the old record accumulated.
 * Everything the guest sends is untrusted: samples that go backwards or
 * make no sense reset the fit or are dropped, never published.
 */
#include <math.h>
#include <string.h>

#include "pvhostd.h"

#define NSEC_PER_SEC		1000000000ULL
#define PVHOSTD_CLOCK_MIN_HZ	1e6	/* plausible TSC rates */
#define PVHOSTD_CLOCK_MAX_HZ	1e11
#define PVHOSTD_CLOCK_SLEW_PPM	500.0	/* most the offset steering adds */
#define PVHOSTD_CLOCK_SLEW_NS	1e10	/* pay an offset back over ~10 s */

/**
 * pvhostd_clock_scale - the pvclock scaling, as a guest applies it
 * @delta: TSC ticks since tsc_timestamp
 * @mul: tsc_to_system_mul
 * @shift: tsc_shift
 * Return: nanoseconds
 */
u64 pvhostd_clock_scale(u64 delta, u32 mul, s8 shift)
{
	if (shift < 0)
		delta >>= -shift;
	else
		delta <<= shift;
	return (u64)(((__uint128_t)delta * mul) >> 32);
}

/**
 * pvhostd_clock_mul_shift - pvclock multiplier and shift for a rate
 * @ns_per_tick: nanoseconds per TSC tick, positive and finite
 * @mul: set to tsc_to_system_mul, in [2^31, 2^32)
 * @shift: set to tsc_shift
 * Return: 0, or -1 if the rate is outside 1 MHz..100 GHz
 */
int pvhostd_clock_mul_shift(double ns_per_tick, u32 *mul, s8 *shift)
{
	double r = ns_per_tick, m;
	int s = 0;

	if (!isfinite(r) || r < 1e9 / PVHOSTD_CLOCK_MAX_HZ ||
	    r > 1e9 / PVHOSTD_CLOCK_MIN_HZ)
		return -1;
	while (r >= 1.0) {
		r /= 2;
		s++;
	}
	while (r < 0.5) {
		r *= 2;
		s--;
	}
	m = nearbyint(r * 4294967296.0);
	*mul = m > 4294967295.0 ? 0xffffffffU : (u32)m;
	*shift = (s8)s;
	return 0;
}

static double mul_shift_rate(u32 mul, s8 shift)
{
	return ldexp((double)mul, shift - 32);
}

/**
 * pvhostd_clock_init - take over the clock areas of a fresh region
 * @c: host state
 * @base: the mapped region
 * @lay: its layout
 */
void pvhostd_clock_init(struct pvhostd_clock *c, void *base,
			const struct pvhostd_layout *lay)
{
	memset(c, 0, sizeof(*c));
	c->hdr = base;
	c->vcpus = pvhostd_at(base, lay->vcpu_offset);
	c->nr_vcpus = lay->nr_vcpus;
	c->pairing = pvhostd_at(base, lay->pairing_offset);
}

/* The fit as a line: ns = ns0 + (tsc - tsc0) * rate. */
static double fit_ns(const struct pvhostd_clock *c, u64 tsc)
{
	return (double)c->fit_ns0 + (double)(s64)(tsc - c->fit_tsc0) * c->fit_rate;
}

static u64 fit_tsc(const struct pvhostd_clock *c, u64 ns)
{
	return c->fit_tsc0 + (u64)(s64)llround((double)(s64)(ns - c->fit_ns0) /
					       c->fit_rate);
}

static const struct pvhostd_clock_sample *
sample_at(const struct pvhostd_clock *c, u32 i)
{
	return &c->s[(c->head + PVHOSTD_CLOCK_SAMPLES - c->nr + i) %
		     PVHOSTD_CLOCK_SAMPLES];
}

/**
 * pvhostd_clock_fit - weighted least squares through the samples
 * @c: host state with at least two samples
 *
 * A sample's midpoint is off by at most half its round trip, and a long
 * round trip (the guest's vCPU descheduled between its TSC reads, common
 * under TCG on a busy host) says little: each sample weighs 1 / rtt^2.
 * The bound reported is the worst residual plus half round trip among the
 * samples that carry the fit, those within twice the shortest round trip.
 *
 * Return: 0 and fit_* set, or -1 if the samples give no plausible rate.
 */
int pvhostd_clock_fit(struct pvhostd_clock *c)
{
	double sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0, x, y, w, den, rate;
	const struct pvhostd_clock_sample *s, *first;
	double err = 0, r, half, rtt, min_rtt = INFINITY;
	u32 i;

	if (c->nr < 2)
		return -1;
	first = sample_at(c, 0);
	for (i = 0; i < c->nr; i++) {
		s = sample_at(c, i);
		rtt = (double)(s->tsc_after - s->tsc_before);
		if (rtt < min_rtt)
			min_rtt = rtt;
		w = 1 / ((rtt + 1) * (rtt + 1));
		/* relative to the first sample: exact in a double */
		x = (double)(s->tsc_before - first->tsc_before) + rtt / 2;
		y = (double)(s->host_ns - first->host_ns);
		sw += w;
		sx += w * x;
		sy += w * y;
		sxx += w * x * x;
		sxy += w * x * y;
	}
	den = sw * sxx - sx * sx;
	if (!(den > 0))
		return -1;
	rate = (sw * sxy - sx * sy) / den;
	if (!isfinite(rate) || rate < 1e9 / PVHOSTD_CLOCK_MAX_HZ ||
	    rate > 1e9 / PVHOSTD_CLOCK_MIN_HZ)
		return -1;
	c->fit_rate = rate;
	c->fit_tsc0 = first->tsc_before;
	c->fit_ns0 = first->host_ns + (s64)llround((sy - rate * sx) / sw);
	for (i = 0; i < c->nr; i++) {
		s = sample_at(c, i);
		rtt = (double)(s->tsc_after - s->tsc_before);
		if (rtt > 2 * min_rtt)
			continue;
		half = rtt / 2 * rate;
		r = fabs((double)s->host_ns -
			 fit_ns(c, s->tsc_before + (s->tsc_after - s->tsc_before) / 2));
		if (r + half > err)
			err = r + half;
	}
	c->fit_err_ns = err;
	c->fitted = true;
	c->fits++;
	return 0;
}

/* Write one pvclock record with the version protocol. */
static void record_write(struct pvhost_time_info *t, u32 version,
			 const struct pvhost_time_info *v)
{
	PVHOSTD_STORE(t->version, version - 1);	/* odd: being written */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	t->tsc_timestamp = v->tsc_timestamp;
	t->system_time = v->system_time;
	t->tsc_to_system_mul = v->tsc_to_system_mul;
	t->tsc_shift = v->tsc_shift;
	t->flags = v->flags;
	PVHOSTD_STORE(t->version, version);	/* even: stable */
}

/**
 * pvhostd_clock_publish - publish a record to every vCPU
 * @c: host state
 * @tsc: the switch point, a guest TSC value already in the past
 * @rate: nanoseconds per tick to publish
 *
 * The new record is continuous with the previous one at @tsc; the first
 * one starts at the fitted host time.
 * Return: 0, or -1 if @rate cannot be expressed.
 */
int pvhostd_clock_publish(struct pvhostd_clock *c, u64 tsc, double rate)
{
	struct pvhost_time_info rec = { 0 };
	u32 i;

	if (pvhostd_clock_mul_shift(rate, &rec.tsc_to_system_mul,
				    &rec.tsc_shift))
		return -1;
	rec.tsc_timestamp = tsc;
	if (c->published && tsc >= c->rec.tsc_timestamp)
		rec.system_time = c->rec.system_time +
			pvhostd_clock_scale(tsc - c->rec.tsc_timestamp,
					    c->rec.tsc_to_system_mul,
					    c->rec.tsc_shift);
	else
		rec.system_time = (u64)llround(fit_ns(c, tsc));
	/* Calibrated on whichever vCPU asked: no claim of one stable TSC. */
	rec.flags = 0;
	/* While a hostile mode lies, the truth is kept for its end. */
	if (!c->lie) {
		c->version += 2;
		for (i = 0; i < c->nr_vcpus; i++)
			record_write(&c->vcpus[i].clock, c->version, &rec);
	}
	c->rec = rec;
	c->published = true;
	c->epoch++;
	c->changed = true;
	PVHOSTD_STORE(c->hdr->tsc_khz, (u32)llround(1e6 / c->fit_rate));
	return 0;
}

/* The rate to publish now: fitted, steered towards the fitted offset. */
static double steered_rate(struct pvhostd_clock *c, u64 tsc)
{
	double off, slew;

	if (!c->published)
		return c->fit_rate;
	off = (double)(c->rec.system_time +
		       pvhostd_clock_scale(tsc - c->rec.tsc_timestamp,
					   c->rec.tsc_to_system_mul,
					   c->rec.tsc_shift)) - fit_ns(c, tsc);
	c->offset_ns = (s64)llround(off);
	if (fabs(off) <= c->fit_err_ns)
		return c->fit_rate;
	slew = -off / PVHOSTD_CLOCK_SLEW_NS;
	if (slew > PVHOSTD_CLOCK_SLEW_PPM / 1e6)
		slew = PVHOSTD_CLOCK_SLEW_PPM / 1e6;
	if (slew < -PVHOSTD_CLOCK_SLEW_PPM / 1e6)
		slew = -PVHOSTD_CLOCK_SLEW_PPM / 1e6;
	return c->fit_rate * (1 + slew);
}

/*
 * After a new sample, at the guest TSC @tsc of a request answered at host
 * time @now_ns: republish if the rate is off. @tsc is the switch point of
 * a new record, so it must be where the fit puts @now_ns (within
 * PVHOSTD_CLOCK_PLAUSIBLE_NS and the longest round trip) and after every
 * sample: a rewritten request TSC would otherwise start a record far from
 * now (a leap of centuries, seen).
 */
static void maybe_republish(struct pvhostd_clock *c, u64 tsc, u64 now_ns)
{
	const struct pvhostd_clock_sample *last;
	double want, have, ppm;

	if (c->nr < PVHOSTD_CLOCK_MIN_SAMPLES || pvhostd_clock_fit(c)) {
		c->fit_failures += c->nr >= PVHOSTD_CLOCK_MIN_SAMPLES;
		return;
	}
	last = sample_at(c, c->nr - 1);
	if (tsc < last->tsc_after ||
	    fabs(fit_ns(c, tsc) - (double)now_ns) >
	    PVHOSTD_CLOCK_PLAUSIBLE_NS + PVHOSTD_CLOCK_MAX_RTT_NS) {
		c->implausible++;
		return;
	}
	if (c->sim_pending) {
		/* the guest TSC "changed frequency": ppm faster than it is */
		c->sim_pending = false;
		c->simulated++;
		have = mul_shift_rate(c->rec.tsc_to_system_mul,
				      c->rec.tsc_shift);
		if (!c->published)
			have = c->fit_rate;
		pvhostd_clock_publish(c, tsc, have / (1 + c->sim_ppm / 1e6));
		return;
	}
	want = steered_rate(c, tsc);
	if (!c->published) {
		pvhostd_clock_publish(c, tsc, want);
		return;
	}
	have = mul_shift_rate(c->rec.tsc_to_system_mul, c->rec.tsc_shift);
	ppm = (want - have) / have * 1e6;
	if (fabs(ppm) > PVHOSTD_CLOCK_REPUBLISH_PPM)
		pvhostd_clock_publish(c, tsc, want);
}

static void sample_add(struct pvhostd_clock *c, u64 before, u64 after,
		       u64 host_ns)
{
	struct pvhostd_clock_sample *s = &c->s[c->head];

	s->tsc_before = before;
	s->tsc_after = after;
	s->host_ns = host_ns;
	c->head = (c->head + 1) % PVHOSTD_CLOCK_SAMPLES;
	if (c->nr < PVHOSTD_CLOCK_SAMPLES)
		c->nr++;
	c->samples++;
}

/* Whether a sample lies where the fit expects it, within its round trip. */
static bool sample_plausible(const struct pvhostd_clock *c, u64 before,
			     u64 after, u64 host_ns)
{
	double rtt_ns = (double)(after - before) * c->fit_rate;

	return fabs((double)host_ns - fit_ns(c, before + (after - before) / 2)) <=
	       PVHOSTD_CLOCK_PLAUSIBLE_NS + rtt_ns;
}

/*
 * A completed sample that went back (@back) or disagreed with the fit.
 * One alone is refused: a host or guest rewriting one exchange must not
 * restart the fit, whose first record would then start anywhere. Two in a
 * row that agree with each other (the TSC on, a plausible rate between
 * them) are a guest that rebooted or was paused: the fit and the records
 * start over from them.
 */
static void sample_odd(struct pvhostd_clock *c, u64 before, u64 after,
		       u64 host_ns, bool back)
{
	const struct pvhostd_clock_sample *o = &c->odd_s;
	double rate;

	if (c->odd && c->odd_back == back && before > o->tsc_after &&
	    host_ns > o->host_ns) {
		rate = (double)(host_ns - o->host_ns) /
		       (double)(before - o->tsc_before);
		if (rate >= 1e9 / PVHOSTD_CLOCK_MAX_HZ &&
		    rate <= 1e9 / PVHOSTD_CLOCK_MIN_HZ) {
			c->resets++;
			c->nr = 0;
			c->fitted = false;
			/*
			 * The next record starts afresh at the host's time,
			 * which the guest's own calibration check expects;
			 * pvclock keeps guest time continuous across it.
			 */
			c->published = false;
			c->odd = false;
			sample_add(c, o->tsc_before, o->tsc_after, o->host_ns);
			sample_add(c, before, after, host_ns);
			return;
		}
	}
	c->rejected++;
	c->implausible++;
	c->odd = true;
	c->odd_back = back;
	c->odd_s.tsc_before = before;
	c->odd_s.tsc_after = after;
	c->odd_s.host_ns = host_ns;
}

/**
 * pvhostd_clock_calibrate - the guest's CALIBRATE request, answered
 * @c: host state
 * @cal: the request as the guest wrote it (a private copy)
 * @now_raw_ns: host CLOCK_MONOTONIC_RAW put in the answer
 *
 * cal->tsc_after completes the previous exchange; cal->tsc_before opens
 * this one. A completed exchange whose TSC values go backwards, whose
 * round trip is empty or longer than PVHOSTD_CLOCK_MAX_RTT_NS, is dropped;
 * one whose TSC went back since the last sample, or that lies further than
 * PVHOSTD_CLOCK_PLAUSIBLE_NS off the fit, is dropped unless the next one
 * confirms it (see sample_odd()).
 */
void pvhostd_clock_calibrate(struct pvhostd_clock *c,
			     const struct pvhost_calibrate *cal,
			     u64 now_raw_ns)
{
	u64 before = cal->tsc_before, after = cal->tsc_after;
	const struct pvhostd_clock_sample *last = NULL;
	bool have_pending = c->pending;

	c->requests++;
	c->pending = false;
	if (c->nr)
		last = &c->s[(c->head + PVHOSTD_CLOCK_SAMPLES - 1) %
			     PVHOSTD_CLOCK_SAMPLES];
	if (have_pending && after) {
		if (after <= c->pend_tsc || (before && before < after)) {
			c->rejected++;
		} else if (last && c->pend_tsc < last->tsc_after) {
			/* the TSC went backwards: a rebooted guest, or a lie */
			sample_odd(c, c->pend_tsc, after, c->pend_ns, true);
		} else if (c->fitted &&
			   (double)(after - c->pend_tsc) * c->fit_rate >
			   PVHOSTD_CLOCK_MAX_RTT_NS) {
			c->rejected++;
		} else if (c->fitted &&
			   !sample_plausible(c, c->pend_tsc, after, c->pend_ns)) {
			sample_odd(c, c->pend_tsc, after, c->pend_ns, false);
		} else {
			c->odd = false;
			sample_add(c, c->pend_tsc, after, c->pend_ns);
		}
	}
	if (before) {
		c->pending = true;
		c->pend_tsc = before;
		c->pend_ns = now_raw_ns;
		maybe_republish(c, before, now_raw_ns);
	}
}

/**
 * pvhostd_clock_simulate - make the next publication a rate change
 * @c: host state
 * @ppm: the guest TSC is taken to run this much faster (-100000..100000,
 *	not 0)
 *
 * At the guest's next CALIBRATE request the host publishes a record whose
 * rate is the current one divided by (1 + ppm / 10^6), continuous with the
 * current record; the request after that refits from real samples, sees
 * the published rate off by about @ppm and republishes the measured rate,
 * steered to pay back the offset the wrong rate accumulated.
 */
void pvhostd_clock_simulate(struct pvhostd_clock *c, s32 ppm)
{
	c->sim_ppm = ppm;
	c->sim_pending = true;
}

/**
 * pvhostd_clock_pairing_update - publish host CLOCK_REALTIME with a TSC
 * @c: host state
 * @raw_ns: host CLOCK_MONOTONIC_RAW at the instant of @rt_sec/@rt_nsec
 * @rt_sec: host CLOCK_REALTIME seconds
 * @rt_nsec: and nanoseconds, 0..999999999
 *
 * The guest TSC of that instant comes from the fit; nothing is published
 * before there is one.
 * Return: true if the pairing was written.
 */
bool pvhostd_clock_pairing_update(struct pvhostd_clock *c, u64 raw_ns,
				  s64 rt_sec, s64 rt_nsec)
{
	struct pvhost_clock_pairing *p = c->pairing;

	if (!c->fitted || rt_sec < 0 || rt_nsec < 0 ||
	    rt_nsec >= (s64)NSEC_PER_SEC)
		return false;
	c->pairing_version += 2;
	PVHOSTD_STORE(p->version, c->pairing_version - 1);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	p->flags = 0;
	p->sec = rt_sec;
	p->nsec = rt_nsec;
	p->tsc = fit_tsc(c, raw_ns);
	PVHOSTD_STORE(p->version, c->pairing_version);
	c->pairings++;
	return true;
}

/**
 * pvhostd_clock_take_changed - whether a record was republished since
 * @c: host state
 * Return: true once per republication, to raise PVHOST_VEC_CLOCK
 */
bool pvhostd_clock_take_changed(struct pvhostd_clock *c)
{
	bool ch = c->changed;

	c->changed = false;
	return ch;
}

static void write_all(struct pvhostd_clock *c, const struct pvhost_time_info *rec)
{
	u32 i;

	c->version += 2;
	for (i = 0; i < c->nr_vcpus; i++)
		record_write(&c->vcpus[i].clock, c->version, rec);
	c->changed = true;
}

/**
 * pvhostd_clock_lie - publish records @ahead_ns ahead of the truth
 * @c: host state
 * @ahead_ns: how far ahead (the hostile clock modes)
 *
 * A new version every call, at the true rate; normal publications update
 * only the private record until pvhostd_clock_truth(). Nothing before the
 * first record.
 */
void pvhostd_clock_lie(struct pvhostd_clock *c, u64 ahead_ns)
{
	struct pvhost_time_info rec = c->rec;

	if (!c->published)
		return;
	rec.system_time += ahead_ns;
	c->lie = true;
	c->lies++;
	write_all(c, &rec);
}

/**
 * pvhostd_clock_truth - end a lie: the true record, under a new version
 * @c: host state
 */
void pvhostd_clock_truth(struct pvhostd_clock *c)
{
	if (!c->lie)
		return;
	c->lie = false;
	if (c->published)
		write_all(c, &c->rec);
}
