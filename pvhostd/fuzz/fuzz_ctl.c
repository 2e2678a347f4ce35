// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: arbitrary bytes on the control socket, and as host text files. */
#include <stdlib.h>
#include <string.h>

#include "../pvhostd.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct pvhostd_ctl_cmd cmd;
	const char *err = NULL;
	u32 a, b;
	char *text;

	if (!pvhostd_ctl_parse((const char *)data, size, &cmd, &err) &&
	    ((cmd.op == PVHOSTD_CTL_PRESSURE_SET &&
	      cmd.level > PVHOST_PRESSURE_ONE) ||
	     (cmd.op == PVHOSTD_CTL_HOSTILE &&
	      (unsigned int)cmd.hostile >= PVHOSTD_HOSTILE_NR)))
		abort();
	text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	pvhostd_psi_parse(text, &a, &b);
	pvhostd_meminfo_parse(text, &a);
	pvhostd_pressure_parse_range(text, 100, &a, &b);
	free(text);
	return 0;
}
