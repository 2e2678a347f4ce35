/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvnuma internals: the logic KUnit reaches (hint building, parsing of
 * sysfs input, the placement score) and the hooks of the re-send test.
 */
#ifndef _PVNUMA_H
#define _PVNUMA_H

#include <linux/nodemask.h>
#include <linux/pvhc.h>
#include <linux/types.h>

/* Explicit hints the user may hold at once: the default and the limit. */
#define PVNUMA_USER_DEFAULT	8
#define PVNUMA_USER_LIMIT	64
/* Longest line hint_add and hint_remove accept. */
#define PVNUMA_INPUT_MAX	256
/* Placement score of a node whose placement is unknown. */
#define PVNUMA_SCORE_UNKNOWN	-1

/* What pvnuma knows of a hint it keeps. */
enum pvnuma_state {
	PVNUMA_UNSENT,		/* not with the host: no backend, or to retry */
	PVNUMA_PENDING,		/* queued, the host has not answered */
	PVNUMA_APPLIED,
	PVNUMA_PARTIAL,
	PVNUMA_REJECTED,
	PVNUMA_ERROR,		/* the backend refused it; not retried */
	PVNUMA_STATE_NR
};

extern const char * const pvnuma_state_names[PVNUMA_STATE_NR];

int pvnuma_auto_build(const int *cpu_node, unsigned int nr_cpus,
		      struct pvhc_numa_hint *hints, unsigned int max);
int pvnuma_parse_hint(const char *buf, size_t len, const nodemask_t *nodes,
		      const unsigned long *cpus, unsigned int nr_cpus,
		      struct pvhc_numa_hint *out, const char **why);
int pvnuma_parse_id(const char *buf, size_t len, unsigned int *id,
		    const char **why);
int pvnuma_node_score(const struct pvhc_numa_info *info,
		      const unsigned long *cpus, unsigned int guest_node,
		      u32 *best_host);
int pvnuma_state_of(int status);

/* For the re-send test: run the queued work now; the hints pvnuma keeps. */
void pvnuma_flush(void);
int pvnuma_snapshot(struct pvhc_numa_hint *hints, int *states,
		    unsigned int max);

#endif /* _PVNUMA_H */
