/* SPDX-License-Identifier: GPL-2.0 */
/* local64_t on a 64-bit kernel: a local_t. */
#ifndef _SHIM_ASM_LOCAL64_H
#define _SHIM_ASM_LOCAL64_H

#include <linux/atomic.h>
#include <asm/local.h>

typedef struct {
	local_t a;
} local64_t;

#define local64_read(l)		local_read(&(l)->a)
#define local64_set(l, i)	WRITE_ONCE((l)->a.a, (i))
#define local64_cmpxchg(l, o, n) local_cmpxchg(&(l)->a, (o), (n))

#endif
