/* SPDX-License-Identifier: GPL-2.0 */
/* pvclock: what the module's parts share. */
#ifndef _PVCLOCK_H
#define _PVCLOCK_H

#include <linux/types.h>

struct pvclock_snap;
struct pvclock_guard;

u64 pvclock_now(void);
bool pvclock_this_cpu_snap(struct pvclock_snap *s);
extern struct pvclock_guard pvclock_bench_guard;
const struct pvclock_vcpu_time_info *pvclock_this_cpu_rec(void);

void pvclock_debugfs_init(void);
void pvclock_debugfs_exit(void);

/* ptp.c; called with pvclock_cs_mutex held */
void pvclock_ptp_update(void);
void pvclock_ptp_unregister(void);
int pvclock_ptp_index(void);

#endif /* _PVCLOCK_H */
