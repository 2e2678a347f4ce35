// SPDX-License-Identifier: GPL-2.0
/*
 * The pvclock PTP clock: host real time, as pvhc pairs it with a TSC value
 * (pvhost's shared pairing, KVM_HC_CLOCK_PAIRING on KVM), carried to the
 * moment of the read with this vCPU's clock record. chrony reads it with
 * "refclock PHC /dev/ptpN".
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/overflow.h>
#include <linux/ptp_clock_kernel.h>
#include <linux/pvhc.h>
#include <linux/time64.h>
#include <kunit/visibility.h>
#include <asm/msr.h>

#include "pvclock.h"
#include "pvclock_internal.h"

static struct ptp_clock *pvclock_ptp;

/**
 * pvclock_ptp_time - host real time at @tsc from a pairing and a record
 * @cp: host real time and the TSC at that instant (host values: pvhc
 *      checked nsec and the sign of sec, nothing bounds sec or the TSC)
 * @s: a validated record giving the TSC rate
 * @tsc: the TSC now
 * @ns: set to nanoseconds since the epoch
 *
 * Return: 0, or -ERANGE when the time does not fit in 64-bit nanoseconds
 * (a pairing beyond the year 2262, or a TSC far from the pairing's).
 */
VISIBLE_IF_KUNIT int pvclock_ptp_time(const struct pvhc_clock_pairing *cp,
				      const struct pvclock_snap *s, u64 tsc,
				      s64 *ns)
{
	bool ahead = (s64)(tsc - cp->tsc) >= 0;
	u64 ticks = ahead ? tsc - cp->tsc : cp->tsc - tsc;
	s64 base, d;

	if (cp->nsec < 0 || cp->nsec >= NSEC_PER_SEC ||
	    check_mul_overflow(cp->sec, (s64)NSEC_PER_SEC, &base) ||
	    check_add_overflow(base, cp->nsec, &base))
		return -ERANGE;
	/*
	 * A pairing is fresh (pvhost republishes it every second, KVM makes
	 * one per call): 2^44 ticks is minutes at 100 GHz, hours at a few
	 * GHz. Beyond that the scale could wrap; at most 2^54 ns within.
	 */
	if (ticks > PVCLOCK_STEP_TICKS_MAX)
		return -ERANGE;
	d = (s64)pvclock_scale(ticks, s->mul, s->shift);
	if (check_add_overflow(base, ahead ? d : -d, ns))
		return -ERANGE;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(pvclock_ptp_time);

static int pvclock_ptp_gettimex(struct ptp_clock_info *ptp,
				struct timespec64 *ts,
				struct ptp_system_timestamp *sts)
{
	struct pvhc_clock_pairing cp;
	struct pvclock_snap s;
	u64 tsc;
	s64 ns;
	int ret;

	ret = pvhc_clock_pairing(&cp);
	if (ret)
		return ret;
	preempt_disable();
	if (!pvclock_this_cpu_snap(&s)) {
		preempt_enable();
		return -EAGAIN;
	}
	ptp_read_system_prets(sts);
	tsc = rdtsc_ordered();
	ptp_read_system_postts(sts);
	preempt_enable();
	ret = pvclock_ptp_time(&cp, &s, tsc, &ns);
	if (ret)
		return ret;
	*ts = ns_to_timespec64(ns);
	return 0;
}

static int pvclock_ptp_adjfine(struct ptp_clock_info *ptp, long scaled_ppm)
{
	return -EOPNOTSUPP;
}

static int pvclock_ptp_adjtime(struct ptp_clock_info *ptp, s64 delta)
{
	return -EOPNOTSUPP;
}

static int pvclock_ptp_settime(struct ptp_clock_info *ptp,
			       const struct timespec64 *ts)
{
	return -EOPNOTSUPP;
}

static int pvclock_ptp_enable(struct ptp_clock_info *ptp,
			      struct ptp_clock_request *rq, int on)
{
	return -EOPNOTSUPP;
}

static struct ptp_clock_info pvclock_ptp_info = {
	.owner		= THIS_MODULE,
	.name		= "pvclock",
	.gettimex64	= pvclock_ptp_gettimex,
	.adjfine	= pvclock_ptp_adjfine,
	.adjtime	= pvclock_ptp_adjtime,
	.settime64	= pvclock_ptp_settime,
	.enable		= pvclock_ptp_enable,
};

/* Register the PTP clock once the host pairs its time with the TSC. */
void pvclock_ptp_update(void)
{
	char name[PVHC_NAME_MAX];
	struct ptp_clock *ptp;

	if (pvclock_ptp || !pvhc_has_feature(PVHC_FEAT_CLOCK_PAIRING))
		return;
	ptp = ptp_clock_register(&pvclock_ptp_info, NULL);
	if (IS_ERR_OR_NULL(ptp)) {
		pr_info("PTP clock unavailable: ptp_clock_register returned %d\n",
			PTR_ERR_OR_ZERO(ptp));
		return;
	}
	pvclock_ptp = ptp;
	pr_info("PTP clock ptp%d: host real time paired by %s\n",
		ptp_clock_index(ptp),
		pvhc_feature_source_name(PVHC_FEAT_CLOCK_PAIRING, name,
					 sizeof(name)));
}

void pvclock_ptp_unregister(void)
{
	if (pvclock_ptp)
		ptp_clock_unregister(pvclock_ptp);
	pvclock_ptp = NULL;
}

int pvclock_ptp_index(void)
{
	struct ptp_clock *ptp = READ_ONCE(pvclock_ptp);

	return ptp ? ptp_clock_index(ptp) : -1;
}
