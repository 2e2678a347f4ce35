/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Force-included into every object of the pv guest modules (see the
 * top-level Kbuild). The only place that may test LINUX_VERSION_CODE: the
 * modules support the kernels from 6.1 to 6.12, and API drift between them
 * is handled here or by the probes in compat/compat.mk, never in the
 * module sources.
 */
#ifndef _PVGUEST_COMPAT_H
#define _PVGUEST_COMPAT_H

#include <linux/version.h>

#define PVGUEST_KERNEL_FIRST	KERNEL_VERSION(6, 1, 0)
#define PVGUEST_KERNEL_END	KERNEL_VERSION(6, 13, 0)

#if LINUX_VERSION_CODE < PVGUEST_KERNEL_FIRST || LINUX_VERSION_CODE >= PVGUEST_KERNEL_END
#error "the pv guest modules support kernels 6.1 to 6.12 only"
#endif

/*
 * pvrng: add_hwgenerator_randomness() gained a sleep_after argument in
 * v6.2; the three-argument form always sleeps after mixing. pvrng calls it
 * from its kthread, asking for the sleep in both forms (compat.mk probe
 * PVGUEST_HWGEN_SLEEP_AFTER).
 */
#ifdef PVGUEST_HWGEN_SLEEP_AFTER
#define pvguest_add_hwgenerator_randomness(buf, len, entropy) \
	add_hwgenerator_randomness(buf, len, entropy, true)
#else
#define pvguest_add_hwgenerator_randomness(buf, len, entropy) \
	add_hwgenerator_randomness(buf, len, entropy)
#endif

/*
 * virtio_coalesce: in 6.1 net_dim's profile count was private to
 * lib/dim/net_dim.c (compat.mk probe PVGUEST_NET_DIM_PRIVATE_PROFILES).
 */
#ifdef PVGUEST_NET_DIM_PRIVATE_PROFILES
#define NET_DIM_PARAMS_NUM_PROFILES 5
#endif

/*
 * vm_flags_clear() (v6.3): before it, vma->vm_flags is written directly.
 * Callers include <linux/mm.h>.
 */
#ifdef PVGUEST_HAVE_VM_FLAGS_CLEAR
#define pvguest_vm_flags_clear(vma, flags) vm_flags_clear(vma, flags)
#else
#define pvguest_vm_flags_clear(vma, flags) ((vma)->vm_flags &= ~(flags))
#endif

#endif /* _PVGUEST_COMPAT_H */
