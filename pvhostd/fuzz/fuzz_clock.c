// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: a guest sending arbitrary CALIBRATE requests, mixed with
 * simulated rate changes. The records must stay whole: an even version,
 * a nonzero multiplier once published, every vCPU the same.
 */
#include <stdlib.h>
#include <string.h>

#include "../pvhostd.h"

static u64 region[(1 << 20) / sizeof(u64)];	/* aligned for every field */

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct pvhost_calibrate cal = { 0 };
	struct pvhostd_layout lay;
	struct pvhostd_clock c;
	struct pvhost_vcpu *v;
	u64 now = 1000000000ULL, step;
	u32 i;

	if (pvhostd_layout_plan(sizeof(region), 2, &lay))
		abort();
	pvhostd_layout_write(region, &lay, 1);
	pvhostd_clock_init(&c, region, &lay);
	v = pvhostd_at(region, lay.vcpu_offset);
	while (size >= 20) {
		memcpy(&cal.tsc_before, data, 8);
		memcpy(&cal.tsc_after, data + 8, 8);
		step = (u64)data[16] << 24 | (u64)data[17] << 16 | data[18] << 8;
		now += step;
		if (data[19] == 0xff)
			pvhostd_clock_simulate(&c, (s32)(step % 200001) - 100000);
		pvhostd_clock_calibrate(&c, &cal, now);
		pvhostd_clock_pairing_update(&c, now, 1, 2);
		if (v[0].clock.version & 1 ||
		    (c.published && !v[0].clock.tsc_to_system_mul) ||
		    memcmp(&v[0].clock, &v[1].clock, sizeof(v[0].clock)))
			abort();
		for (i = 0; i < sizeof(v[0].reserved); i++)
			if (v[0].reserved[i])
				abort();
		data += 20;
		size -= 20;
	}
	return 0;
}
