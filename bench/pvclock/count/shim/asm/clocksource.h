/* SPDX-License-Identifier: GPL-2.0 */
/* Nothing: the vDSO clock modes that <asm/pvclock.h> does not use here. */
