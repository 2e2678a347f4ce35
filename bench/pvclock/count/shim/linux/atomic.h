/* SPDX-License-Identifier: GPL-2.0 */
/* atomic64_t as x86 has it: plain loads and stores, lock cmpxchg. */
#ifndef _SHIM_LINUX_ATOMIC_H
#define _SHIM_LINUX_ATOMIC_H

#include <linux/types.h>
#include <linux/compiler.h>

static __always_inline s64 atomic64_read(const atomic64_t *v)
{
	return READ_ONCE(v->counter);
}

static __always_inline void atomic64_set(atomic64_t *v, s64 i)
{
	WRITE_ONCE(v->counter, i);
}

static __always_inline bool atomic64_try_cmpxchg(atomic64_t *v, s64 *old,
						 s64 new)
{
	return __atomic_compare_exchange_n(&v->counter, old, new, false,
					   __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

#endif
