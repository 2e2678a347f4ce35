// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: a guest writing arbitrary mailbox contents, request after request. */
#include <stdlib.h>
#include <string.h>

#include "../pvhostd.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct pvhost_mailbox *mb = malloc(sizeof(*mb));
	struct pvhostd_mailbox m;
	size_t chunk;

	memset(mb, 0, sizeof(*mb));
	pvhostd_mailbox_init(&m, mb);
	while (size) {
		chunk = size < 64 ? size : 64;
		memcpy(mb, data, chunk);	/* seq, op, len and more */
		if (size > 64)
			memcpy(mb->payload, data + 64,
			       size - 64 < 128 ? size - 64 : 128);
		/* a response length must never exceed the payload */
		if (pvhostd_mailbox_serve(&m, 1) &&
		    mb->len > PVHOST_MAILBOX_PAYLOAD)
			abort();
		data += chunk;
		size -= chunk;
	}
	free(mb);
	return 0;
}
