/* SPDX-License-Identifier: GPL-2.0 */
/* A minimal TAP producer for the host unit tests. */
#ifndef PVHOSTD_TAP_H
#define PVHOSTD_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tap_n, tap_failed;

#define TAP_OK(cond, ...) tap_ok(!!(cond), #cond, __FILE__, __LINE__, __VA_ARGS__)

static void __printf(5, 6) tap_ok(int pass, const char *expr, const char *file,
				  int line, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	printf("%sok %d - ", pass ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!pass) {
		tap_failed++;
		printf("#   failed: %s at %s:%d\n", expr, file, line);
	}
}

static int tap_done(void)
{
	printf("1..%d\n", tap_n);
	printf("# %d passed, %d failed, %d total\n", tap_n - tap_failed,
	       tap_failed, tap_n);
	return tap_failed ? 1 : 0;
}

#endif /* PVHOSTD_TAP_H */
