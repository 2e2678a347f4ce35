// SPDX-License-Identifier: GPL-2.0
/*
 * pvrng - take host entropy, never trust it.
 *
 * Sources: the host's entropy feed through pvhc (the pvhost ring), and the
 * CPU's RDSEED and RDRAND, which a hypervisor controls as much as it does
 * the ring. Every byte is health-tested (health.c) and mixed with the
 * guest's own RNG output and timing through keyed BLAKE2s (core.c). A
 * kthread feeds one block every interval_ms to the input pool: with
 * add_device_randomness() at the default credit of 0, else with
 * add_hwgenerator_randomness() at the credit the policy allows, which is 0
 * in a confidential-computing guest. When the quality parameter asks for
 * hwrng credit, outside a confidential-computing guest, an hwrng named
 * "pvrng" serves the same mixed stream to /dev/hwrng.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cc_platform.h>
#include <linux/hw_random.h>
#include <linux/kobject.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/pvhc.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/timex.h>
#include <asm/archrandom.h>

#include "pvrng_internal.h"

/* Parameters: each checked against its range, rejected with -EINVAL. */
static int pvrng_param_range(const char *val, const struct kernel_param *kp,
			     unsigned int min, unsigned int max)
{
	unsigned int v;

	if (kstrtouint(val, 0, &v) || v < min || v > max) {
		pr_err("%s: '%.20s' is not an integer in %u..%u\n",
		       kp->name, val, min, max);
		return -EINVAL;
	}
	WRITE_ONCE(*(unsigned int *)kp->arg, v);
	return 0;
}

static DEFINE_MUTEX(pvrng_lock);	/* the instance, its sources, the kthread */
static struct task_struct *pvrng_thread;

/*
 * A new credit takes effect at the next block: the kthread is woken, also
 * from the input pool's reseed-interval sleep after a credited block.
 */
static int pvrng_set_credit(const char *val, const struct kernel_param *kp)
{
	int ret = pvrng_param_range(val, kp, 0, PVRNG_BLOCK_BITS);

	if (ret)
		return ret;
	mutex_lock(&pvrng_lock);
	if (pvrng_thread)
		wake_up_process(pvrng_thread);
	mutex_unlock(&pvrng_lock);
	return 0;
}

static int pvrng_set_quality(const char *val, const struct kernel_param *kp)
{
	return pvrng_param_range(val, kp, 0, 1024);
}

static int pvrng_set_interval(const char *val, const struct kernel_param *kp)
{
	return pvrng_param_range(val, kp, 10, 60000);
}

static const struct kernel_param_ops pvrng_credit_ops = {
	.set = pvrng_set_credit,
	.get = param_get_uint,
};

static const struct kernel_param_ops pvrng_quality_ops = {
	.set = pvrng_set_quality,
	.get = param_get_uint,
};

static const struct kernel_param_ops pvrng_interval_ops = {
	.set = pvrng_set_interval,
	.get = param_get_uint,
};

static unsigned int pvrng_credit;
module_param_cb(credit, &pvrng_credit_ops, &pvrng_credit, 0644);
MODULE_PARM_DESC(credit,
		 "Bits credited per 32-byte block fed to the input pool, 0..256 (default 0: mixed, not credited; always 0 in a confidential-computing guest)");

static unsigned int pvrng_quality;
module_param_cb(quality, &pvrng_quality_ops, &pvrng_quality, 0444);
MODULE_PARM_DESC(quality,
		 "hwrng quality of the pvrng hwrng, per 1024 bits, 1..1024; 0 (the default) registers no hwrng; never registered in a confidential-computing guest");

static unsigned int pvrng_interval_ms = 1000;
module_param_cb(interval_ms, &pvrng_interval_ops, &pvrng_interval_ms, 0444);
MODULE_PARM_DESC(interval_ms,
		 "Milliseconds between blocks fed to the input pool, 10..60000 (default 1000)");

static struct pvrng_ctx pvrng;
static bool pvrng_cc_guest;
static bool pvrng_hwrng_ok;
static atomic64_t pvrng_hwrng_bytes;
static atomic64_t pvrng_hwrng_refused;	/* reads refused: core quality above policy */
static u64 pvrng_pool_blocks;		/* fed to the input pool, under the lock */
static struct kobject *pvrng_kobj, *pvrng_sources_kobj;

/* The sources. */
static ssize_t pvrng_host_fetch(void *priv, u8 *buf, size_t len)
{
	return pvhc_entropy_fetch(buf, len);
}

static bool pvrng_host_present(void *priv)
{
	return pvhc_has_feature(PVHC_FEAT_ENTROPY);
}

/*
 * arch_get_random_*_longs() may give fewer longs than asked (x86 gives one
 * per call); 0 means "absent" or "not now". At most a chunk's worth of
 * calls, so this never spins.
 */
static ssize_t pvrng_cpu_fetch(u8 *buf, size_t len, bool seed)
{
	unsigned long v[PVRNG_SOURCE_CHUNK / sizeof(long)];
	size_t n, got, i = 0;

	n = min(len / sizeof(long), ARRAY_SIZE(v));
	while (i < n) {
		got = seed ? arch_get_random_seed_longs(v + i, n - i) :
			     arch_get_random_longs(v + i, n - i);
		if (!got)
			break;
		i += got;
	}
	memcpy(buf, v, i * sizeof(long));
	memzero_explicit(v, sizeof(v));
	return i * sizeof(long);
}

static bool pvrng_rdseed_ok, pvrng_rdrand_ok;

static ssize_t pvrng_rdseed_fetch(void *priv, u8 *buf, size_t len)
{
	return pvrng_cpu_fetch(buf, len, true);
}

static ssize_t pvrng_rdrand_fetch(void *priv, u8 *buf, size_t len)
{
	return pvrng_cpu_fetch(buf, len, false);
}

static bool pvrng_cpu_present(void *priv)
{
	return *(bool *)priv;
}

static struct pvrng_source pvrng_sources[] = {
	{ .name = "host", .fetch = pvrng_host_fetch,
	  .present = pvrng_host_present },
	{ .name = "rdseed", .fetch = pvrng_rdseed_fetch,
	  .present = pvrng_cpu_present, .priv = &pvrng_rdseed_ok },
	{ .name = "rdrand", .fetch = pvrng_rdrand_fetch,
	  .present = pvrng_cpu_present, .priv = &pvrng_rdrand_ok },
};

static_assert(ARRAY_SIZE(pvrng_sources) <= PVRNG_MAX_SOURCES);

/* A few tries: RDSEED may say "not now" without being absent. */
static bool pvrng_cpu_probe(bool seed)
{
	unsigned long v;
	int i;

	for (i = 0; i < 16; i++) {
		if (seed ? arch_get_random_seed_longs(&v, 1) :
			   arch_get_random_longs(&v, 1)) {
			memzero_explicit(&v, sizeof(v));
			return true;
		}
	}
	return false;
}

/* Guest-local input of one block: the kernel's RNG and timing. */
struct pvrng_local {
	u8 rng[16];
	u64 cycles;
	u64 ns;
};

static void pvrng_local_fill(struct pvrng_local *l)
{
	get_random_bytes(l->rng, sizeof(l->rng));
	l->cycles = random_get_entropy();
	l->ns = ktime_get_ns();
}

/* One block under the lock; returns the bits to credit. */
static unsigned int pvrng_block(u8 out[PVRNG_BLOCK], bool for_pool)
{
	size_t healthy[PVRNG_MAX_SOURCES];
	struct pvrng_local l;
	unsigned int bits = 0;

	pvrng_local_fill(&l);
	pvrng_ctx_block(&pvrng, (const u8 *)&l, sizeof(l), out, healthy);
	if (for_pool)
		bits = pvrng_ctx_credit(&pvrng, READ_ONCE(pvrng_credit),
					pvrng_cc_guest, healthy);
	memzero_explicit(&l, sizeof(l));
	return bits;
}

static int pvrng_thread_fn(void *unused)
{
	u8 out[PVRNG_BLOCK];
	unsigned int bits;

	while (!kthread_should_stop()) {
		mutex_lock(&pvrng_lock);
		bits = pvrng_block(out, true);
		pvrng_pool_blocks++;
		mutex_unlock(&pvrng_lock);
		/* May sleep for the pool's reseed interval: never under the lock. */
		if (bits)
			pvguest_add_hwgenerator_randomness(out, sizeof(out), bits);
		else
			add_device_randomness(out, sizeof(out));
		memzero_explicit(out, sizeof(out));
		schedule_timeout_interruptible(msecs_to_jiffies(READ_ONCE(pvrng_interval_ms)));
	}
	return 0;
}

/*
 * hwrng: the same mixed stream, never waiting on the host.
 *
 * The hwrng core credits what its kthread reads at rng->quality per 1024
 * bits, and what it makes of the quality differs between the kernels in
 * range: a quality of 0 becomes min(default_quality, 1024) at registration
 * (v6.11 and the stable series with "hwrng: core - Fix wrong quality
 * calculation at hw rng registration") or every time the hwrng becomes
 * current, after its init callback (v6.2 to v6.10 and the stable series
 * without that fix), or default_quality at each init (v6.1). So 0 cannot
 * be asked of the core: pvrng registers an hwrng only when the policy
 * (the quality parameter) is at least 1, registers it with that quality,
 * which every core keeps or lowers, and registers none in a confidential-
 * computing guest. Should the core's quality for pvrng ever be above the
 * policy (an administrator's write to rng_quality or to rng_core's
 * current_quality), reads are refused, so that nothing is credited above
 * the policy whatever the core does.
 */
static int pvrng_hwrng_read(struct hwrng *rng, void *data, size_t max,
			    bool wait)
{
	u8 out[PVRNG_BLOCK];
	size_t done = 0, n;
	u16 q = READ_ONCE(rng->quality);

	if (q > READ_ONCE(pvrng_quality)) {
		atomic64_inc(&pvrng_hwrng_refused);
		pr_warn_ratelimited("hwrng read refused: the core's quality %u is above the quality parameter %u\n",
				    q, READ_ONCE(pvrng_quality));
		return -EPERM;
	}
	mutex_lock(&pvrng_lock);
	while (done < max) {
		pvrng_block(out, false);
		n = min_t(size_t, max - done, sizeof(out));
		memcpy(data + done, out, n);
		done += n;
	}
	mutex_unlock(&pvrng_lock);
	memzero_explicit(out, sizeof(out));
	atomic64_add(done, &pvrng_hwrng_bytes);
	return done;
}

/* .quality is set from the policy before registration. */
static struct hwrng pvrng_hwrng = {
	.name = "pvrng",
	.read = pvrng_hwrng_read,
};

/* sysfs: /sys/kernel/pvrng and /sys/kernel/pvrng/sources/<name>. */
static struct kobject *pvrng_src_kobj[ARRAY_SIZE(pvrng_sources)];

static struct pvrng_source *pvrng_src_of(struct kobject *kobj)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pvrng_sources); i++)
		if (pvrng_src_kobj[i] == kobj)
			return &pvrng_sources[i];
	return NULL;
}

enum pvrng_src_field {
	PVRNG_F_FETCHES, PVRNG_F_BYTES, PVRNG_F_SHORT, PVRNG_F_EMPTY,
	PVRNG_F_ERRORS, PVRNG_F_STALLS, PVRNG_F_RCT, PVRNG_F_APT,
	PVRNG_F_REPLAY, PVRNG_F_QUARANTINES, PVRNG_F_GOOD_WINDOWS,
	PVRNG_F_CREDITED,
};

static u64 pvrng_src_field(struct pvrng_source *s, enum pvrng_src_field f)
{
	switch (f) {
	case PVRNG_F_FETCHES: return s->fetches;
	case PVRNG_F_BYTES: return s->bytes;
	case PVRNG_F_SHORT: return s->short_reads;
	case PVRNG_F_EMPTY: return s->empty;
	case PVRNG_F_ERRORS: return s->errors;
	case PVRNG_F_STALLS: return s->stalls;
	case PVRNG_F_RCT: return s->health.rct_failures;
	case PVRNG_F_APT: return s->health.apt_failures;
	case PVRNG_F_REPLAY: return s->health.replay_failures;
	case PVRNG_F_QUARANTINES: return s->health.quarantines;
	case PVRNG_F_GOOD_WINDOWS: return s->health.good_windows;
	case PVRNG_F_CREDITED: return s->bits_credited;
	}
	return 0;
}

struct pvrng_src_attr {
	struct kobj_attribute attr;
	enum pvrng_src_field field;
};

static ssize_t pvrng_src_show(struct kobject *kobj, struct kobj_attribute *a,
			      char *buf)
{
	struct pvrng_src_attr *sa = container_of(a, struct pvrng_src_attr, attr);
	struct pvrng_source *s = pvrng_src_of(kobj);
	u64 v;

	if (!s)
		return -ENODEV;
	mutex_lock(&pvrng_lock);
	v = pvrng_src_field(s, sa->field);
	mutex_unlock(&pvrng_lock);
	return sysfs_emit(buf, "%llu\n", v);
}

static ssize_t state_show(struct kobject *kobj, struct kobj_attribute *a,
			  char *buf)
{
	struct pvrng_source *s = pvrng_src_of(kobj);
	const char *st;

	if (!s)
		return -ENODEV;
	mutex_lock(&pvrng_lock);
	st = pvrng_source_state(s);
	mutex_unlock(&pvrng_lock);
	return sysfs_emit(buf, "%s\n", st);
}

static struct kobj_attribute pvrng_attr_state = __ATTR_RO(state);

#define PVRNG_SRC_ATTR(_name, _field)					\
	static struct pvrng_src_attr pvrng_src_attr_##_name = {		\
		.attr = __ATTR(_name, 0444, pvrng_src_show, NULL),	\
		.field = _field,					\
	}

PVRNG_SRC_ATTR(fetches, PVRNG_F_FETCHES);
PVRNG_SRC_ATTR(bytes, PVRNG_F_BYTES);
PVRNG_SRC_ATTR(short_reads, PVRNG_F_SHORT);
PVRNG_SRC_ATTR(empty_fetches, PVRNG_F_EMPTY);
PVRNG_SRC_ATTR(errors, PVRNG_F_ERRORS);
PVRNG_SRC_ATTR(stalls, PVRNG_F_STALLS);
PVRNG_SRC_ATTR(rct_failures, PVRNG_F_RCT);
PVRNG_SRC_ATTR(apt_failures, PVRNG_F_APT);
PVRNG_SRC_ATTR(replay_failures, PVRNG_F_REPLAY);
PVRNG_SRC_ATTR(quarantines, PVRNG_F_QUARANTINES);
PVRNG_SRC_ATTR(good_windows, PVRNG_F_GOOD_WINDOWS);
PVRNG_SRC_ATTR(bits_credited, PVRNG_F_CREDITED);

static struct attribute *pvrng_src_attrs[] = {
	&pvrng_attr_state.attr,
	&pvrng_src_attr_fetches.attr.attr,
	&pvrng_src_attr_bytes.attr.attr,
	&pvrng_src_attr_short_reads.attr.attr,
	&pvrng_src_attr_empty_fetches.attr.attr,
	&pvrng_src_attr_errors.attr.attr,
	&pvrng_src_attr_stalls.attr.attr,
	&pvrng_src_attr_rct_failures.attr.attr,
	&pvrng_src_attr_apt_failures.attr.attr,
	&pvrng_src_attr_replay_failures.attr.attr,
	&pvrng_src_attr_quarantines.attr.attr,
	&pvrng_src_attr_good_windows.attr.attr,
	&pvrng_src_attr_bits_credited.attr.attr,
	NULL
};

static const struct attribute_group pvrng_src_group = {
	.attrs = pvrng_src_attrs,
};

static ssize_t pvrng_ctx_show(char *buf, const u64 *field)
{
	u64 v;

	mutex_lock(&pvrng_lock);
	v = *field;
	mutex_unlock(&pvrng_lock);
	return sysfs_emit(buf, "%llu\n", v);
}

static ssize_t blocks_mixed_show(struct kobject *kobj,
				 struct kobj_attribute *a, char *buf)
{
	return pvrng_ctx_show(buf, &pvrng.blocks_mixed);
}

static ssize_t bytes_mixed_show(struct kobject *kobj,
				struct kobj_attribute *a, char *buf)
{
	return pvrng_ctx_show(buf, &pvrng.bytes_mixed);
}

static ssize_t bits_credited_show(struct kobject *kobj,
				  struct kobj_attribute *a, char *buf)
{
	return pvrng_ctx_show(buf, &pvrng.bits_credited);
}

static ssize_t pool_blocks_show(struct kobject *kobj,
				struct kobj_attribute *a, char *buf)
{
	return pvrng_ctx_show(buf, &pvrng_pool_blocks);
}

static ssize_t hwrng_bytes_show(struct kobject *kobj,
				struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%lld\n", atomic64_read(&pvrng_hwrng_bytes));
}

static ssize_t hwrng_refused_show(struct kobject *kobj,
				  struct kobj_attribute *a, char *buf)
{
	return sysfs_emit(buf, "%lld\n", atomic64_read(&pvrng_hwrng_refused));
}

static ssize_t hwrng_show(struct kobject *kobj, struct kobj_attribute *a,
			  char *buf)
{
	return sysfs_emit(buf, "%s\n", pvrng_hwrng_ok ? "registered" : "none");
}

static ssize_t cc_guest_show(struct kobject *kobj, struct kobj_attribute *a,
			     char *buf)
{
	return sysfs_emit(buf, "%d\n", pvrng_cc_guest);
}

static ssize_t mixer_show(struct kobject *kobj, struct kobj_attribute *a,
			  char *buf)
{
	return sysfs_emit(buf, "blake2s\n");
}

static struct kobj_attribute pvrng_attr_blocks_mixed = __ATTR_RO(blocks_mixed);
static struct kobj_attribute pvrng_attr_bytes_mixed = __ATTR_RO(bytes_mixed);
static struct kobj_attribute pvrng_attr_bits_credited = __ATTR_RO(bits_credited);
static struct kobj_attribute pvrng_attr_pool_blocks = __ATTR_RO(pool_blocks);
static struct kobj_attribute pvrng_attr_hwrng_bytes = __ATTR_RO(hwrng_bytes);
static struct kobj_attribute pvrng_attr_hwrng_refused = __ATTR_RO(hwrng_refused);
static struct kobj_attribute pvrng_attr_hwrng = __ATTR_RO(hwrng);
static struct kobj_attribute pvrng_attr_cc_guest = __ATTR_RO(cc_guest);
static struct kobj_attribute pvrng_attr_mixer = __ATTR_RO(mixer);

static struct attribute *pvrng_attrs[] = {
	&pvrng_attr_blocks_mixed.attr,
	&pvrng_attr_bytes_mixed.attr,
	&pvrng_attr_bits_credited.attr,
	&pvrng_attr_pool_blocks.attr,
	&pvrng_attr_hwrng_bytes.attr,
	&pvrng_attr_hwrng_refused.attr,
	&pvrng_attr_hwrng.attr,
	&pvrng_attr_cc_guest.attr,
	&pvrng_attr_mixer.attr,
	NULL
};

static const struct attribute_group pvrng_group = {
	.attrs = pvrng_attrs,
};

static void pvrng_sysfs_remove(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pvrng_sources); i++) {
		if (!pvrng_src_kobj[i])
			continue;
		sysfs_remove_group(pvrng_src_kobj[i], &pvrng_src_group);
		kobject_put(pvrng_src_kobj[i]);
		pvrng_src_kobj[i] = NULL;
	}
	kobject_put(pvrng_sources_kobj);
	if (pvrng_kobj)
		sysfs_remove_group(pvrng_kobj, &pvrng_group);
	kobject_put(pvrng_kobj);
	pvrng_sources_kobj = NULL;
	pvrng_kobj = NULL;
}

static int pvrng_sysfs_add(void)
{
	struct kobject *k;
	unsigned int i;
	int ret;

	pvrng_kobj = kobject_create_and_add("pvrng", kernel_kobj);
	if (!pvrng_kobj)
		return -ENOMEM;
	ret = sysfs_create_group(pvrng_kobj, &pvrng_group);
	if (ret) {
		kobject_put(pvrng_kobj);
		pvrng_kobj = NULL;
		return ret;
	}
	pvrng_sources_kobj = kobject_create_and_add("sources", pvrng_kobj);
	if (!pvrng_sources_kobj)
		goto nomem;
	for (i = 0; i < ARRAY_SIZE(pvrng_sources); i++) {
		k = kobject_create_and_add(pvrng_sources[i].name,
					   pvrng_sources_kobj);
		if (!k)
			goto nomem;
		ret = sysfs_create_group(k, &pvrng_src_group);
		if (ret) {
			kobject_put(k);
			pvrng_sysfs_remove();
			return ret;
		}
		pvrng_src_kobj[i] = k;
	}
	return 0;
nomem:
	pvrng_sysfs_remove();
	return -ENOMEM;
}

static void pvrng_sources_destroy(unsigned int n)
{
	while (n--)
		pvrng_health_destroy(&pvrng_sources[n].health);
}

static int __init pvrng_init(void)
{
	char name[PVHC_NAME_MAX];
	u8 seed[BLAKE2S_KEY_SIZE];
	struct task_struct *thread;
	unsigned int i;
	int ret;

	pvrng_cc_guest = cc_platform_has(CC_ATTR_GUEST_MEM_ENCRYPT);
	get_random_bytes(seed, sizeof(seed));
	pvrng_mixer_init(&pvrng.mixer, seed, sizeof(seed));
	memzero_explicit(seed, sizeof(seed));

	for (i = 0; i < ARRAY_SIZE(pvrng_sources); i++) {
		ret = pvrng_health_init(&pvrng_sources[i].health,
					get_random_u64());
		if (ret)
			goto free_sources;
		pvrng_sources[i].last_bytes = jiffies;
		pvrng.src[i] = &pvrng_sources[i];
	}
	pvrng.nr_src = ARRAY_SIZE(pvrng_sources);

	pvrng_rdseed_ok = pvrng_cpu_probe(true);
	pvrng_rdrand_ok = pvrng_cpu_probe(false);
	pr_info("source host: %s\n", pvhc_has_feature(PVHC_FEAT_ENTROPY) ?
		pvhc_feature_source_name(PVHC_FEAT_ENTROPY, name, sizeof(name)) :
		"unavailable now: no pvhc backend offers entropy");
	pr_info("source rdseed: %s\n", pvrng_rdseed_ok ? "present" :
		"unavailable: the CPU gives no RDSEED values");
	pr_info("source rdrand: %s\n", pvrng_rdrand_ok ? "present" :
		"unavailable: the CPU gives no RDRAND values");
	if (pvrng_cc_guest) {
		pr_info("confidential-computing guest: credit forced to 0, no hwrng\n");
	} else {
		pr_info("credit %u bits per %u-byte block, hwrng quality %u\n",
			pvrng_credit, PVRNG_BLOCK, pvrng_quality);
	}

	ret = pvrng_sysfs_add();
	if (ret)
		goto free_sources;

	if (pvrng_cc_guest) {
		pr_info("hwrng not registered: confidential-computing guest\n");
	} else if (!pvrng_quality) {
		pr_info("hwrng not registered: quality 0 (the default); quality=1..1024 registers it\n");
	} else {
		pvrng_hwrng.quality = pvrng_quality;
		ret = hwrng_register(&pvrng_hwrng);
		if (ret) {
			pr_warn("hwrng unavailable: hwrng_register() failed: %d\n", ret);
		} else {
			pvrng_hwrng_ok = true;
			pr_info("hwrng pvrng registered, quality %u\n",
				pvrng_hwrng.quality);
		}
	}

	thread = kthread_run(pvrng_thread_fn, NULL, "pvrng");
	if (IS_ERR(thread)) {
		ret = PTR_ERR(thread);
		goto unregister_hwrng;
	}
	mutex_lock(&pvrng_lock);
	pvrng_thread = thread;
	mutex_unlock(&pvrng_lock);
	return 0;

unregister_hwrng:
	if (pvrng_hwrng_ok)
		hwrng_unregister(&pvrng_hwrng);
	pvrng_sysfs_remove();
free_sources:
	pvrng_sources_destroy(i);
	pvrng_mixer_destroy(&pvrng.mixer);
	return ret;
}

static void __exit pvrng_exit(void)
{
	struct task_struct *thread;

	/* No more wake-ups from a credit write, then stop. */
	mutex_lock(&pvrng_lock);
	thread = pvrng_thread;
	pvrng_thread = NULL;
	mutex_unlock(&pvrng_lock);
	kthread_stop(thread);
	if (pvrng_hwrng_ok)
		hwrng_unregister(&pvrng_hwrng);
	pvrng_sysfs_remove();
	pvrng_sources_destroy(ARRAY_SIZE(pvrng_sources));
	pvrng_mixer_destroy(&pvrng.mixer);
}

module_init(pvrng_init);
module_exit(pvrng_exit);

MODULE_DESCRIPTION("Host entropy, health-tested and mixed with the guest's own");
MODULE_LICENSE("GPL");
