// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: arbitrary bytes as the restart state file. What is accepted
 * is within its bounds, and formats back to a file that parses the same.
 */
#include <stdlib.h>
#include <string.h>

#include "../pvhostd.h"

static struct pvhostd_state st, again;
static char text[PVHOSTD_STATE_MAX + 1];

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	u32 i;
	int n;

	if (pvhostd_state_parse((const char *)data, size, &st))
		return 0;
	if (!st.qemu_pid || !st.shm_ino || !st.nr_vcpus ||
	    st.nr_vcpus > PVHOST_MAX_VCPUS)
		abort();
	for (i = 0; i < PVHOST_MAX_VCPUS; i++)
		if ((st.v[i].boosted || st.v[i].aff) &&
		    (st.v[i].tid <= 0 || st.v[i].nice_orig < -20 ||
		     st.v[i].nice_orig > 19))
			abort();
	n = pvhostd_state_format(&st, text, sizeof(text));
	if (n < 0 || pvhostd_state_parse(text, (size_t)n, &again) ||
	    memcmp(&st, &again, sizeof(st)))
		abort();
	return 0;
}
