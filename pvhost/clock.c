// SPDX-License-Identifier: GPL-2.0
/*
 * pvhost: the clock, guest side.
 *
 * The host cannot see the guest TSC, so the guest shows it: it sends
 * CALIBRATE requests through the mailbox, each carrying the TSC read as it
 * is posted and the TSC read when the previous answer was seen
 * (include/uapi/linux/pvhost.h). From these the host fits the TSC rate
 * against its CLOCK_MONOTONIC_RAW and publishes a pvclock record per vCPU
 * and a CLOCK_REALTIME pairing. A burst of exchanges at probe gives the
 * first record; then one exchange a second keeps the fit current, fewer
 * (down to one per calib_max_ms) while the host's records hold.
 *
 * The records are read by the consumer (pvclock.ko, through pvhc) with
 * the version protocol; before handing one out, and for the pairing, this
 * file reads a private copy with the same protocol, bounded, and validates
 * it. A record or pairing that is garbage (no multiplier, an impossible
 * rate, unknown flags, nsec out of range) is counted and disables that
 * feature for good; one not yet published or being rewritten is -EAGAIN.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/compiler.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/errno.h>
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/moduleparam.h>
#include <linux/pvhc.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/workqueue.h>
#include <asm/barrier.h>
#include <asm/pvclock-abi.h>
#include <asm/tsc.h>
#include <kunit/visibility.h>

#include "pvhost_internal.h"

/* Our record is the pvclock record: the consumer reads it as one. */
static_assert(sizeof(struct pvhost_time_info) ==
	      sizeof(struct pvclock_vcpu_time_info));
static_assert(offsetof(struct pvhost_time_info, tsc_timestamp) ==
	      offsetof(struct pvclock_vcpu_time_info, tsc_timestamp));
static_assert(offsetof(struct pvhost_time_info, system_time) ==
	      offsetof(struct pvclock_vcpu_time_info, system_time));
static_assert(offsetof(struct pvhost_time_info, tsc_to_system_mul) ==
	      offsetof(struct pvclock_vcpu_time_info, tsc_to_system_mul));
static_assert(offsetof(struct pvhost_time_info, tsc_shift) ==
	      offsetof(struct pvclock_vcpu_time_info, tsc_shift));
static_assert(offsetof(struct pvhost_time_info, flags) ==
	      offsetof(struct pvclock_vcpu_time_info, flags));

#define PVHOST_CLOCK_FLAGS	(PVCLOCK_TSC_STABLE_BIT | PVCLOCK_GUEST_STOPPED)

static unsigned int pvhost_calib_max_ms = PVHOST_CLOCK_MAX_MS_DEFAULT;

static int pvhost_calib_max_ms_set(const char *val,
				   const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, PVHOST_CLOCK_PERIOD_MS,
				     PVHOST_CLOCK_MAX_MS_LIMIT);
}

static const struct kernel_param_ops pvhost_calib_max_ms_ops = {
	.set = pvhost_calib_max_ms_set,
	.get = param_get_uint,
};

module_param_cb(calib_max_ms, &pvhost_calib_max_ms_ops, &pvhost_calib_max_ms,
		0644);
MODULE_PARM_DESC(calib_max_ms,
		 "Longest interval between clock calibration exchanges while the host's records hold, 1000..600000 ms (default 16000)");

/**
 * pvhost_clock_scale - nanoseconds for TSC ticks, as pvclock scales them
 * @delta: ticks
 * @mul: tsc_to_system_mul
 * @shift: tsc_shift, -31..31
 * Return: nanoseconds
 */
u64 pvhost_clock_scale(u64 delta, u32 mul, s8 shift)
{
	if (shift < 0)
		delta >>= -shift;
	else
		delta <<= shift;
	return mul_u64_u32_shr(delta, mul, 32);
}
EXPORT_SYMBOL_IF_KUNIT(pvhost_clock_scale);

/**
 * pvhost_clock_copy - read a record once, with the version protocol
 * @t: the record in shared memory
 * @out: the private copy
 *
 * Context: any. At most PVHOST_SEQ_TRIES tries.
 * Return: 0, or -EAGAIN if the version stayed odd or kept changing.
 */
int pvhost_clock_copy(const struct pvhost_time_info *t,
		      struct pvhost_time_info *out)
{
	u32 v1, v2;
	int i;

	for (i = 0; i < PVHOST_SEQ_TRIES; i++) {
		v1 = READ_ONCE(t->version);
		if (v1 & 1) {
			cpu_relax();
			continue;
		}
		smp_rmb();	/* version before the fields */
		out->tsc_timestamp = READ_ONCE(t->tsc_timestamp);
		out->system_time = READ_ONCE(t->system_time);
		out->tsc_to_system_mul = READ_ONCE(t->tsc_to_system_mul);
		out->tsc_shift = READ_ONCE(t->tsc_shift);
		out->flags = READ_ONCE(t->flags);
		smp_rmb();	/* the fields before version again */
		v2 = READ_ONCE(t->version);
		if (v1 == v2) {
			out->version = v1;
			return 0;
		}
		cpu_relax();
	}
	return -EAGAIN;
}
EXPORT_SYMBOL_IF_KUNIT(pvhost_clock_copy);

/**
 * pvhost_clock_validate - check a private copy of a record
 * @r: the copy
 * @tsc: the TSC now
 * @why: set to the reason when the record is not usable
 *
 * Return: 0; -EAGAIN when the host has not published yet or the record
 * starts in the future (it is being replaced); -EIO for garbage: no
 * multiplier, a shift beyond +-31, a rate outside 1 MHz..100 GHz, unknown
 * flags, a system time beyond S64_MAX.
 */
int pvhost_clock_validate(const struct pvhost_time_info *r, u64 tsc,
			  const char **why)
{
	u64 ns;

	if (!r->version) {
		*why = "not published yet";
		return -EAGAIN;
	}
	if (!r->tsc_to_system_mul) {
		*why = "zero multiplier";
		return -EIO;
	}
	if (r->tsc_shift < -31 || r->tsc_shift > 31) {
		*why = "shift out of range";
		return -EIO;
	}
	if (r->flags & ~PVHOST_CLOCK_FLAGS) {
		*why = "unknown flags";
		return -EIO;
	}
	if (r->system_time > S64_MAX) {
		*why = "system time out of range";
		return -EIO;
	}
	/* 2^30 ticks: 10.7 ms at 100 GHz, 1074 s at 1 MHz */
	ns = pvhost_clock_scale(1ULL << 30, r->tsc_to_system_mul, r->tsc_shift);
	if (ns < (1ULL << 30) / 100 || ns > (1ULL << 30) * 1000) {
		*why = "rate outside 1 MHz..100 GHz";
		return -EIO;
	}
	if (r->tsc_timestamp > tsc) {
		*why = "record starts in the future";
		return -EAGAIN;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(pvhost_clock_validate);

static void pvhost_clock_disable(struct pvhost_clock *c, bool *flag,
				 const char *what, const char *why)
{
	if (!xchg(flag, true))
		dev_warn(c->dev, "%s disabled: the host wrote garbage (%s)\n",
			 what, why);
}

/**
 * pvhost_clock_get - a validated private copy of a vCPU's record
 * @c: the clock
 * @cpu: the vCPU
 * @tsc: the TSC now
 * @out: the copy
 *
 * Context: any.
 * Return: 0, -ENODEV for a vCPU without a record, -EAGAIN (counted in
 * clock_busy), or -EIO for garbage (counted in errors; the clock is then
 * disabled and every later call fails).
 */
int pvhost_clock_get(struct pvhost_clock *c, unsigned int cpu, u64 tsc,
		     struct pvhost_time_info *out)
{
	const char *why = NULL;
	int ret;

	if (READ_ONCE(c->disabled))
		return -EIO;
	if (cpu >= c->nr_vcpus)
		return -ENODEV;
	atomic_long_inc(&c->st->clock_reads);
	ret = pvhost_clock_copy(&c->vcpus[cpu].clock, out);
	if (!ret)
		ret = pvhost_clock_validate(out, tsc, &why);
	if (ret == -EAGAIN) {
		atomic_long_inc(&c->st->clock_busy);
	} else if (ret) {
		atomic_long_inc(&c->st->clock_invalid);
		atomic_long_inc(&c->st->errors);
		pvhost_clock_disable(c, &c->disabled, "clock records", why);
	}
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(pvhost_clock_get);

/**
 * pvhost_pairing_get - read and validate the CLOCK_REALTIME pairing
 * @c: the clock, with a pairing area
 * @out: filled in on success
 *
 * Context: any.
 * Return: 0, -EAGAIN if not published yet or being rewritten (counted in
 * pairing_busy), -EIO for garbage (negative seconds, nsec out of range,
 * nonzero flags, a zero TSC; counted, and the pairing is disabled).
 */
int pvhost_pairing_get(struct pvhost_clock *c, struct pvhc_clock_pairing *out)
{
	const struct pvhost_clock_pairing *p = c->pairing;
	struct pvhost_clock_pairing cp;
	const char *why = NULL;
	u32 v1, v2;
	int i;

	if (READ_ONCE(c->pairing_disabled))
		return -EIO;
	atomic_long_inc(&c->st->pairing_reads);
	for (i = 0; i < PVHOST_SEQ_TRIES; i++) {
		v1 = READ_ONCE(p->version);
		if (v1 & 1)
			continue;
		smp_rmb();	/* version before the fields */
		cp.flags = READ_ONCE(p->flags);
		cp.sec = READ_ONCE(p->sec);
		cp.nsec = READ_ONCE(p->nsec);
		cp.tsc = READ_ONCE(p->tsc);
		smp_rmb();	/* the fields before version again */
		v2 = READ_ONCE(p->version);
		if (v1 == v2)
			break;
		cpu_relax();
	}
	if (i == PVHOST_SEQ_TRIES || !v1) {
		atomic_long_inc(&c->st->pairing_busy);
		return -EAGAIN;
	}
	if (cp.flags)
		why = "nonzero flags";
	else if (cp.sec < 0)
		why = "negative seconds";
	else if (cp.nsec < 0 || cp.nsec >= NSEC_PER_SEC)
		why = "nsec out of range";
	else if (!cp.tsc)
		why = "zero TSC";
	if (why) {
		atomic_long_inc(&c->st->pairing_invalid);
		atomic_long_inc(&c->st->errors);
		pvhost_clock_disable(c, &c->pairing_disabled, "clock pairing",
				     why);
		return -EIO;
	}
	out->sec = cp.sec;
	out->nsec = cp.nsec;
	out->tsc = cp.tsc;
	out->flags = 0;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(pvhost_pairing_get);

/**
 * pvhost_calib_answer - check the host's answer to a CALIBRATE request
 * @ans: the answer's payload, copied out of the mailbox once
 * @len: its length
 * @before: the TSC the request carried
 *
 * pvhost_mbox_call() has checked the status and the length's bounds.
 * Return: 0 for a good answer; -EPROTO for a wrong length, or an answer
 * that does not echo @before or lacks host_ns.
 */
int pvhost_calib_answer(const struct pvhost_calibrate *ans, u32 len,
			u64 before)
{
	if (len != sizeof(*ans))
		return -EPROTO;
	if (ans->tsc_before != before || !ans->host_ns)
		return -EPROTO;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(pvhost_calib_answer);

/* pvclock's scaling, without losing bits of a long delta to the shift. */
static u64 pvhost_clock_scale_wide(u64 delta, u32 mul, s8 shift)
{
	if (shift < 0)
		return mul_u64_u32_shr(delta >> -shift, mul, 32);
	return mul_u64_u32_shr(delta, mul, 32 - shift);
}

/**
 * pvhost_calib_window - whether a record agrees with an answered exchange
 * @r: a validated private copy of a record
 * @before: the TSC as the request was posted
 * @after: the TSC as the answer was seen
 * @host_ns: the host time the answer carries
 *
 * The host answered between @before and @after: by the host's own
 * record, its time then lies between the record's time at @before and at
 * @after. A record that puts it further than PVHOST_CLOCK_AGREE_NS outside
 * (a record thrown ahead, or one built from a rewritten exchange) is not
 * the host's clock.
 *
 * Return: 0, or -ERANGE.
 */
int pvhost_calib_window(const struct pvhost_time_info *r, u64 before,
			u64 after, u64 host_ns)
{
	u64 lo, hi;

	/* A record that starts later says nothing about this exchange. */
	if (r->tsc_timestamp > before || after < before)
		return 0;
	lo = r->system_time + pvhost_clock_scale_wide(before - r->tsc_timestamp,
						      r->tsc_to_system_mul,
						      r->tsc_shift);
	hi = r->system_time + pvhost_clock_scale_wide(after - r->tsc_timestamp,
						      r->tsc_to_system_mul,
						      r->tsc_shift);
	if ((s64)(lo - host_ns) > (s64)PVHOST_CLOCK_AGREE_NS ||
	    (s64)(host_ns - hi) > (s64)PVHOST_CLOCK_AGREE_NS)
		return -ERANGE;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(pvhost_calib_window);

/* Whether the host still runs the layout the clock was set up on. */
static bool pvhost_clock_host_ok(const struct pvhost_clock *c)
{
	return READ_ONCE(c->hdr->state) == PVHOST_STATE_READY &&
	       READ_ONCE(c->hdr->generation) == c->generation;
}

/*
 * One exchange through the shared mailbox (bounded by its timeout). The
 * TSC is read just before the request goes and just after the answer is
 * seen, so that the host can bracket its timestamp. Context: process;
 * takes c->lock.
 */
static int pvhost_clock_exchange(struct pvhost_clock *c)
{
	struct pvhost_calibrate cal = {}, ans;
	struct pvhost_time_info rec;
	const char *why = NULL;
	u64 before, after;
	u32 len = 0;
	int ret;

	mutex_lock(&c->lock);
	cal.tsc_after = c->prev_after;
	before = rdtsc_ordered();
	cal.tsc_before = before;
	atomic_long_inc(&c->st->calib_sent);
	ret = pvhost_mbox_call(c->mbox, PVHOST_OP_CALIBRATE, &cal, sizeof(cal),
			       &ans, sizeof(ans), &len);
	after = rdtsc_ordered();
	if (!ret)
		ret = pvhost_calib_answer(&ans, len, before);
	/*
	 * The exchange is the guest's own measurement: check the host's
	 * published record against it. A disagreement is counted; pvclock
	 * bounds what such a record can do to the guest's time.
	 */
	if (!ret && !pvhost_clock_copy(&c->vcpus[0].clock, &rec) &&
	    !pvhost_clock_validate(&rec, after, &why) &&
	    pvhost_calib_window(&rec, before, after, ans.host_ns)) {
		atomic_long_inc(&c->st->calib_errors);
		atomic_long_inc(&c->st->errors);
		dev_warn_ratelimited(c->dev,
				     "clock record (version %u) disagrees with a calibration exchange by more than %llu ns\n",
				     rec.version, PVHOST_CLOCK_AGREE_NS);
	}
	/* A lost exchange closes nothing: the next one starts afresh. */
	c->prev_after = ret ? 0 : after;
	if (!ret) {
		atomic_long_inc(&c->st->calib_answered);
		c->last_rtt = after - before;
	} else if (ret == -ETIMEDOUT) {
		atomic_long_inc(&c->st->calib_timeouts);
	} else {
		atomic_long_inc(&c->st->calib_errors);
		atomic_long_inc(&c->st->errors);
	}
	mutex_unlock(&c->lock);
	return ret;
}

/**
 * pvhost_clock_next_period - how long until the next calibration exchange
 * @period_ms: the period that just ended
 * @steady: the exchange was answered and the host did not republish
 *	vCPU 0's record since the one before
 * @max_ms: the longest period allowed
 *
 * While the records hold, the period doubles up to @max_ms: an idle guest
 * then sends one exchange every @max_ms instead of one a second. Anything
 * else (a republished record, a lost or malformed exchange) starts over at
 * PVHOST_CLOCK_PERIOD_MS.
 *
 * Return: the next period, PVHOST_CLOCK_PERIOD_MS..max(@max_ms, that).
 */
u32 pvhost_clock_next_period(u32 period_ms, bool steady, u32 max_ms)
{
	if (!steady || period_ms < PVHOST_CLOCK_PERIOD_MS)
		return PVHOST_CLOCK_PERIOD_MS;
	if (period_ms >= max_ms / 2)
		return max(max_ms, (u32)PVHOST_CLOCK_PERIOD_MS);
	return period_ms * 2;
}
EXPORT_SYMBOL_IF_KUNIT(pvhost_clock_next_period);

static void pvhost_clock_work_fn(struct work_struct *work)
{
	struct pvhost_clock *c = container_of(to_delayed_work(work),
					      struct pvhost_clock, work);
	unsigned long delay;
	bool steady;
	u32 version;
	int ret;

	if (!pvhost_clock_host_ok(c))
		return;		/* not rearmed: the host is gone */
	ret = pvhost_clock_exchange(c);
	/* Only compared with the last look: any value is harmless. */
	version = READ_ONCE(c->vcpus[0].clock.version);
	spin_lock_irq(&c->kick_lock);
	steady = !ret && version == c->seen_version && !(version & 1);
	c->seen_version = version;
	c->period_ms = pvhost_clock_next_period(c->period_ms, steady,
						READ_ONCE(pvhost_calib_max_ms));
	c->last_exchange = jiffies;
	delay = msecs_to_jiffies(c->period_ms);
	spin_unlock_irq(&c->kick_lock);
	queue_delayed_work(system_wq, &c->work, delay);
}

/**
 * pvhost_clock_kick - the host raised PVHOST_VEC_CLOCK
 * @c: the clock
 *
 * The host republished its records or wants a sample soon (a rate change
 * on its side): the pace starts over, so that the next exchange is at
 * most PVHOST_CLOCK_PERIOD_MS after the last one. A flood of kicks costs a
 * lock and a test each: the period is already at its shortest.
 *
 * Context: any, including hard interrupts.
 */
void pvhost_clock_kick(struct pvhost_clock *c)
{
	unsigned long flags, due;

	spin_lock_irqsave(&c->kick_lock, flags);
	if (c->running && c->period_ms > PVHOST_CLOCK_PERIOD_MS) {
		atomic_long_inc(&c->st->clock_kicks);
		c->period_ms = PVHOST_CLOCK_PERIOD_MS;
		due = c->last_exchange + msecs_to_jiffies(PVHOST_CLOCK_PERIOD_MS);
		mod_delayed_work(system_wq, &c->work,
				 time_after(due, jiffies) ? due - jiffies : 0);
	}
	spin_unlock_irqrestore(&c->kick_lock, flags);
}

/**
 * pvhost_clock_setup - calibrate and wait for the host's first record
 * @c: the clock to set up
 * @dev: for the log
 * @region: the shared region
 * @h: the validated private copy of the header, with the vCPU area and
 *	the mailbox
 * @mbox: the driver's mailbox, attached to the layout's mailbox area
 * @st: counters
 *
 * Runs a burst of PVHOST_CLOCK_BURST exchanges, PVHOST_CLOCK_BURST_MS
 * apart, then checks vCPU 0's record.
 * Context: process; sleeps for about PVHOST_CLOCK_BURST x
 * PVHOST_CLOCK_BURST_MS, more if the host is slow to answer.
 * Return: 0 when a valid record exists, else -errno (logged).
 */
int pvhost_clock_setup(struct pvhost_clock *c, struct device *dev,
		       void *region, const struct pvhost_header *h,
		       struct pvhost_mbox *mbox, struct pvhost_stats *st)
{
	struct pvhost_time_info rec;
	const char *why = "no answer";
	int i, ret = 0, answered = 0, timeouts = 0;

	memset(c, 0, sizeof(*c));
	c->dev = dev;
	c->hdr = region;
	c->generation = h->generation;
	c->vcpus = region + h->vcpu_offset;
	c->nr_vcpus = h->nr_vcpus;
	if (h->features & PVHOST_F_CLOCK_PAIRING && h->pairing_offset)
		c->pairing = region + h->pairing_offset;
	c->mbox = mbox;
	c->st = st;
	mutex_init(&c->lock);
	spin_lock_init(&c->kick_lock);
	/*
	 * Deferrable: on an idle guest the calibration waits for a CPU that
	 * is awake anyway. The records stay valid meanwhile; the fit is only
	 * refreshed later.
	 */
	INIT_DEFERRABLE_WORK(&c->work, pvhost_clock_work_fn);

	for (i = 0; i < PVHOST_CLOCK_BURST; i++) {
		if (i)
			msleep(PVHOST_CLOCK_BURST_MS);
		ret = pvhost_clock_exchange(c);
		answered += !ret;
		/* A host that does not answer twice is not waited for again. */
		if ((ret && ret != -ETIMEDOUT) ||
		    (ret == -ETIMEDOUT && ++timeouts >= 2))
			break;
	}
	if (answered >= 2) {
		ret = pvhost_clock_copy(&c->vcpus[0].clock, &rec);
		if (ret)
			why = "record being rewritten";
		else
			ret = pvhost_clock_validate(&rec, rdtsc_ordered(), &why);
	} else if (!ret) {
		ret = -ETIMEDOUT;
	}
	if (ret) {
		dev_info(dev, "clock records unavailable: %s after %d of %d calibration exchanges (%d)\n",
			 why, answered, PVHOST_CLOCK_BURST, ret);
		mutex_destroy(&c->lock);
		return ret;
	}
	c->ready = true;
	dev_info(dev, "clock records: %u vCPUs, version %u, mul %u shift %d, calibration round trip %llu TSC ticks\n",
		 c->nr_vcpus, rec.version, rec.tsc_to_system_mul,
		 rec.tsc_shift, c->last_rtt);
	return 0;
}

/**
 * pvhost_clock_start - recalibrate, every PVHOST_CLOCK_PERIOD_MS at first
 * @c: a clock that pvhost_clock_setup() made ready
 */
void pvhost_clock_start(struct pvhost_clock *c)
{
	if (!c->ready)
		return;
	spin_lock_irq(&c->kick_lock);
	c->running = true;
	c->period_ms = PVHOST_CLOCK_PERIOD_MS;
	c->last_exchange = jiffies;
	c->seen_version = READ_ONCE(c->vcpus[0].clock.version);
	queue_delayed_work(system_wq, &c->work,
			   msecs_to_jiffies(PVHOST_CLOCK_PERIOD_MS));
	spin_unlock_irq(&c->kick_lock);
}

/**
 * pvhost_clock_stop - stop recalibrating; the mailbox is not touched after
 * @c: the clock
 *
 * A kick that runs after this does nothing; the caller makes sure none is
 * still running (synchronize_irq()) before it sets the clock up again.
 */
void pvhost_clock_stop(struct pvhost_clock *c)
{
	if (!c->ready)
		return;
	spin_lock_irq(&c->kick_lock);
	c->running = false;
	spin_unlock_irq(&c->kick_lock);
	cancel_delayed_work_sync(&c->work);
	mutex_destroy(&c->lock);
	c->ready = false;
}

/**
 * pvhost_clock_record - the pvhc clock_record op
 * @c: the clock
 * @cpu: the vCPU
 * @rec: set to the vCPU's record in shared memory
 *
 * The record handed out was valid when checked; the consumer reads it
 * with the version protocol and validates what it reads.
 * Return: 0 or a -errno of pvhost_clock_get().
 */
int pvhost_clock_record(struct pvhost_clock *c, unsigned int cpu,
			const struct pvclock_vcpu_time_info **rec)
{
	struct pvhost_time_info copy;
	int ret;

	ret = pvhost_clock_get(c, cpu, rdtsc_ordered(), &copy);
	if (ret)
		return ret;
	*rec = (const struct pvclock_vcpu_time_info *)&c->vcpus[cpu].clock;
	return 0;
}

/**
 * pvhost_clock_now - host time now, by this CPU's record
 * @c: the clock
 * @ns: set to nanoseconds of host CLOCK_MONOTONIC_RAW
 * @version: set to the record's version
 *
 * Context: process (for the sysfs attributes).
 * Return: 0 or a -errno of pvhost_clock_get().
 */
int pvhost_clock_now(struct pvhost_clock *c, u64 *ns, u32 *version)
{
	struct pvhost_time_info r;
	unsigned int cpu;
	u64 tsc;
	int ret;

	cpu = get_cpu();
	tsc = rdtsc_ordered();
	ret = pvhost_clock_get(c, cpu, tsc, &r);
	put_cpu();
	if (ret)
		return ret;
	*ns = r.system_time + pvhost_clock_scale(tsc - r.tsc_timestamp,
						 r.tsc_to_system_mul,
						 r.tsc_shift);
	*version = r.version;
	return 0;
}
