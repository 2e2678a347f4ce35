/* SPDX-License-Identifier: GPL-2.0 */
/* No KUnit in userspace: nothing is exported. */
#define EXPORT_SYMBOL_IF_KUNIT(symbol)
#define VISIBLE_IF_KUNIT static
