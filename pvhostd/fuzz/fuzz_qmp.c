// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: arbitrary bytes as a QMP reply line, and as the /proc stat
 * and schedstat text of a vCPU thread.
 */
#include <stdlib.h>

#include "../pvhostd.h"

static struct pvhostd_qmp_msg m;

static void check_table(void)
{
	u32 i, j;

	if (m.nr_vcpus > PVHOST_MAX_VCPUS)
		abort();
	for (i = 0; i < PVHOST_MAX_VCPUS; i++) {
		if (!m.tid[i])
			continue;
		if (i >= m.nr_vcpus || m.tid[i] < 0 || m.tid[i] > PVHOSTD_TID_MAX)
			abort();
		for (j = i + 1; j < PVHOST_MAX_VCPUS; j++)
			if (m.tid[j] == m.tid[i])
				abort();
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct pvhostd_sched_sample s;
	char st;
	int ret;

	ret = pvhostd_qmp_parse((const char *)data, size, &m);
	if (ret && (m.nr_vcpus || m.kind))
		abort();		/* a rejected reply leaves nothing */
	if (!ret && m.kind == PVHOSTD_QMP_CPUS)
		check_table();
	if (!pvhostd_stat_state((const char *)data, size, &st) && !st)
		abort();
	pvhostd_schedstat_parse((const char *)data, size, &s);
	return 0;
}
