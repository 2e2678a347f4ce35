/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fallback for kernels without <kunit/visibility.h> (see
 * compat/compat.mk). Such kernels cannot run the KUnit tests, so the
 * internals simply stay static and unexported.
 */
#ifndef _KUNIT_VISIBILITY_H
#define _KUNIT_VISIBILITY_H

#if IS_ENABLED(CONFIG_KUNIT)
#error "CONFIG_KUNIT is set but the kernel lacks <kunit/visibility.h>"
#endif

#define PVGUEST_KUNIT_NO_EXPORT(...)
#define VISIBLE_IF_KUNIT static
#define EXPORT_SYMBOL_IF_KUNIT PVGUEST_KUNIT_NO_EXPORT

#endif /* _KUNIT_VISIBILITY_H */
