// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: a guest writing arbitrary cons values between fills; ASan
 * catches any write outside the exactly-sized ring.
 */
#include <stdlib.h>
#include <string.h>

#include "../pvhostd.h"

#define RING	64U

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct pvhostd_entropy e;
	u8 *area = malloc(sizeof(struct pvhost_entropy) + RING);
	struct pvhost_entropy *ring = (struct pvhost_entropy *)area;
	u32 cons;

	memset(area, 0, sizeof(struct pvhost_entropy) + RING);
	pvhostd_entropy_init(&e, area, RING);
	if (size)
		pvhostd_entropy_set_fault(&e, data[0] % 4);
	while (size >= 5) {
		memcpy(&cons, data + 1, 4);
		ring->cons = cons;
		if (pvhostd_entropy_fill(&e) > RING)
			abort();
		if (data[0] & 0x80)
			pvhostd_entropy_set_fault(&e, data[0] % 4);
		data += 5;
		size -= 5;
	}
	free(area);
	return 0;
}
