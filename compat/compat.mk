# SPDX-License-Identifier: GPL-2.0
#
# Kernel-version drift between the supported kernels (6.1 .. 6.12), probed
# from the target kernel's tree rather than from its version number.
# Included from the top-level Kbuild; $(pvguest_root) is the checkout.

pvguest_compat_ccflags := -include $(pvguest_root)/compat/compat.h

# <kunit/visibility.h> (VISIBLE_IF_KUNIT, EXPORT_SYMBOL_IF_KUNIT) appeared in
# v6.2 and was backported to 6.1.y; a 6.1 tree without it gets the shim,
# which only needs to work with CONFIG_KUNIT off. The shim directory comes
# after the kernel's include path, so a tree that has the header uses its own.
# Probe added 2026-11-25.
ifeq ($(wildcard $(srctree)/include/kunit/visibility.h),)
pvguest_compat_ccflags += -I$(pvguest_root)/compat/shim
endif

# add_hwgenerator_randomness(buf, len, entropy, sleep_after): v6.2 added the
# fourth argument. Probe added 2026-11-25.
ifneq ($(shell grep -s 'add_hwgenerator_randomness.*sleep_after' $(srctree)/include/linux/random.h),)
pvguest_compat_ccflags += -DPVGUEST_HWGEN_SLEEP_AFTER
endif

# NET_DIM_PARAMS_NUM_PROFILES moved from lib/dim/net_dim.c to <linux/dim.h>
# after 6.1 (6.12 has it). virtio_coalesce maps net_dim's profiles onto its
# levels; the count is 5 in both. The ethtool set_coalesce/get_coalesce signatures
# and net_dim() itself are the same in 6.1 and 6.12: no probe needed.
# Probe added 2026-12-03.
ifeq ($(shell grep -s 'define NET_DIM_PARAMS_NUM_PROFILES' $(srctree)/include/linux/dim.h),)
pvguest_compat_ccflags += -DPVGUEST_NET_DIM_PRIVATE_PROFILES
endif

# vm_flags_clear(): v6.3 made vma->vm_flags read-only and added the helpers.
# Probe added 2026-12-04.
ifneq ($(shell grep -s 'static inline void vm_flags_clear' $(srctree)/include/linux/mm.h),)
pvguest_compat_ccflags += -DPVGUEST_HAVE_VM_FLAGS_CLEAR
endif
