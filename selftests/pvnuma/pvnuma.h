/* SPDX-License-Identifier: GPL-2.0 */
/* What pvnuma's selftests share: its sysfs directory and its hint list. */
#ifndef _PVNUMA_SELFTEST_H
#define _PVNUMA_SELFTEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pv_sysfs.h"

#define DIR		"/sys/kernel/pvnuma"
#define HINTS_LEN	8192	/* /sys/kernel/pvnuma/hints at most */

/* The id of the user hint "node=@node cpus=@cpus" in DIR/hints, or 0. */
static inline unsigned int pvnuma_user_hint(int node, const char *cpus)
{
	char hints[HINTS_LEN], want[96], *p, *end;

	if (pv_read_all(DIR "/hints", hints, sizeof(hints)))
		return 0;
	snprintf(want, sizeof(want), " user node=%d cpus=%s ", node, cpus);
	for (p = hints; *p; p = *end ? end + 1 : end) {
		end = strchrnul(p, '\n');
		if (memmem(p, end - p, want, strlen(want)))
			return strtoul(p, NULL, 10);
	}
	return 0;
}

#endif
