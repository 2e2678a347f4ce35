/* SPDX-License-Identifier: GPL-2.0 */
/* x86: loads are not reordered with loads; a compiler barrier suffices. */
#include <linux/compiler.h>
/* Orders the compiler only, as the kernel's virt_rmb() on x86. */
#define virt_rmb()	barrier()
