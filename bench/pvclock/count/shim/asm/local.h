/* SPDX-License-Identifier: GPL-2.0 */
/* local_t as arch/x86/include/asm/local.h has it: no lock prefix. */
#ifndef _SHIM_ASM_LOCAL_H
#define _SHIM_ASM_LOCAL_H

#include <linux/types.h>

typedef struct {
	long a;
} local_t;

static __always_inline void local_inc(local_t *l)
{
	__asm__ __volatile__("incq %0" : "+m" (l->a));
}

static __always_inline void local_add(long i, local_t *l)
{
	__asm__ __volatile__("addq %1, %0" : "+m" (l->a) : "ir" (i));
}

static __always_inline long local_read(const local_t *l)
{
	return READ_ONCE(l->a);
}

static __always_inline long local_cmpxchg(local_t *l, long old, long new)
{
	__asm__ __volatile__("cmpxchgq %2, %1"
			     : "+a" (old), "+m" (l->a) : "r" (new) : "memory");
	return old;
}

#endif
