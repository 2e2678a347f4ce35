// SPDX-License-Identifier: GPL-2.0
/*
 * Control protocol parser. A client sends one line, at most
 * PVHOSTD_CTL_MAX bytes, words separated by spaces:
 *
 *   status
 *   pressure set <0..1>
 *   pressure auto
 *   entropy fault zeros|repeat|replay|none
 *   clock status
 *   clock rate <ppm>       simulate a guest TSC rate change
 *   hostile <mode>|off     (modes in hostile.c)
 *   numa status|hints
 *   numa policy allow|deny
 *   vcpu status            per vCPU: thread, state, preemption, boost
 *   vcpu lock-hint-max <ms> --lock-hint-max-ms from now on, 0..10000
 *
 * Anything else is rejected with a reason; the parser takes raw bytes
 * (no NUL terminator needed) so that a fuzzer can call it directly.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pvhostd.h"

#define MAX_WORDS	4

struct words {
	char buf[PVHOSTD_CTL_MAX + 1];
	char *w[MAX_WORDS];
	int n;
};

static int split_words(const char *buf, size_t len, struct words *ws,
		       const char **err)
{
	char *p;
	size_t i;

	if (len && buf[len - 1] == '\n')
		len--;
	if (len > PVHOSTD_CTL_MAX) {
		*err = "command too long";
		return -EINVAL;
	}
	for (i = 0; i < len; i++) {
		if ((unsigned char)buf[i] < 0x20 || (unsigned char)buf[i] > 0x7e) {
			*err = "bad character in command";
			return -EINVAL;
		}
	}
	memcpy(ws->buf, buf, len);
	ws->buf[len] = '\0';
	ws->n = 0;
	for (p = strtok(ws->buf, " "); p; p = strtok(NULL, " ")) {
		if (ws->n == MAX_WORDS) {
			*err = "too many words";
			return -EINVAL;
		}
		ws->w[ws->n++] = p;
	}
	if (!ws->n) {
		*err = "empty command";
		return -EINVAL;
	}
	return 0;
}

static int parse_level(const char *s, u32 *level, const char **err)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || !isfinite(v) || v < 0 || v > 1) {
		*err = "level must be a number from 0 to 1";
		return -EINVAL;
	}
	*level = (u32)(v * PVHOST_PRESSURE_ONE + 0.5);
	return 0;
}

static int parse_pressure(struct words *ws, struct pvhostd_ctl_cmd *cmd,
			  const char **err)
{
	if (ws->n == 2 && !strcmp(ws->w[1], "auto")) {
		cmd->op = PVHOSTD_CTL_PRESSURE_AUTO;
		return 0;
	}
	if (ws->n == 3 && !strcmp(ws->w[1], "set")) {
		cmd->op = PVHOSTD_CTL_PRESSURE_SET;
		return parse_level(ws->w[2], &cmd->level, err);
	}
	*err = "usage: pressure set <0..1> | pressure auto";
	return -EINVAL;
}

static int parse_entropy(struct words *ws, struct pvhostd_ctl_cmd *cmd,
			 const char **err)
{
	enum pvhostd_entropy_fault f;

	if (ws->n == 3 && !strcmp(ws->w[1], "fault")) {
		for (f = PVHOSTD_ENTROPY_GOOD; f <= PVHOSTD_ENTROPY_REPLAY; f++) {
			if (!strcmp(ws->w[2], pvhostd_entropy_fault_name(f))) {
				cmd->op = PVHOSTD_CTL_ENTROPY_FAULT;
				cmd->fault = f;
				return 0;
			}
		}
	}
	*err = "usage: entropy fault zeros|repeat|replay|none";
	return -EINVAL;
}

static int parse_clock(struct words *ws, struct pvhostd_ctl_cmd *cmd,
		       const char **err)
{
	long v;
	char *end;

	if (ws->n == 2 && !strcmp(ws->w[1], "status")) {
		cmd->op = PVHOSTD_CTL_CLOCK_STATUS;
		return 0;
	}
	if (ws->n == 3 && !strcmp(ws->w[1], "rate")) {
		errno = 0;
		v = strtol(ws->w[2], &end, 10);
		if (errno || end == ws->w[2] || *end || !v ||
		    v < -PVHOSTD_CLOCK_SIM_PPM_MAX ||
		    v > PVHOSTD_CLOCK_SIM_PPM_MAX) {
			*err = "ppm must be a nonzero integer from -100000 to 100000";
			return -EINVAL;
		}
		cmd->op = PVHOSTD_CTL_CLOCK_RATE;
		cmd->ppm = (s32)v;
		return 0;
	}
	*err = "usage: clock status | clock rate <ppm>";
	return -EINVAL;
}

static int parse_hostile(struct words *ws, struct pvhostd_ctl_cmd *cmd,
			 const char **err)
{
	if (ws->n == 2 && !pvhostd_hostile_parse(ws->w[1], &cmd->hostile)) {
		cmd->op = PVHOSTD_CTL_HOSTILE;
		return 0;
	}
	*err = "usage: hostile <mode>|off (modes: pvhostd --help)";
	return -EINVAL;
}

static int parse_numa(struct words *ws, struct pvhostd_ctl_cmd *cmd,
		      const char **err)
{
	if (ws->n == 2 && !strcmp(ws->w[1], "status")) {
		cmd->op = PVHOSTD_CTL_NUMA_STATUS;
		return 0;
	}
	if (ws->n == 2 && !strcmp(ws->w[1], "hints")) {
		cmd->op = PVHOSTD_CTL_NUMA_HINTS;
		return 0;
	}
	if (ws->n == 3 && !strcmp(ws->w[1], "policy") &&
	    (!strcmp(ws->w[2], "allow") || !strcmp(ws->w[2], "deny"))) {
		cmd->op = PVHOSTD_CTL_NUMA_POLICY;
		cmd->deny = !strcmp(ws->w[2], "deny");
		return 0;
	}
	*err = "usage: numa status | numa hints | numa policy allow|deny";
	return -EINVAL;
}

static int parse_vcpu(struct words *ws, struct pvhostd_ctl_cmd *cmd,
		      const char **err)
{
	unsigned long v;
	char *end;

	if (ws->n == 2 && !strcmp(ws->w[1], "status")) {
		cmd->op = PVHOSTD_CTL_VCPU_STATUS;
		return 0;
	}
	if (ws->n == 3 && !strcmp(ws->w[1], "lock-hint-max")) {
		errno = 0;
		v = strtoul(ws->w[2], &end, 10);
		if (errno || end == ws->w[2] || *end || ws->w[2][0] == '-' ||
		    v > PVHOSTD_HINT_MAX_MS) {
			*err = "ms must be an integer from 0 to 10000";
			return -EINVAL;
		}
		cmd->op = PVHOSTD_CTL_VCPU_HINT_MAX;
		cmd->hint_max_ms = (u32)v;
		return 0;
	}
	*err = "usage: vcpu status | vcpu lock-hint-max <ms>";
	return -EINVAL;
}

/**
 * pvhostd_ctl_parse - parse one control command
 * @buf: the bytes received, not NUL-terminated; one trailing newline is
 *	allowed
 * @len: their number
 * @cmd: the command
 * @err: on failure, a static reason for the client
 * Return: 0 or -EINVAL
 */
int pvhostd_ctl_parse(const char *buf, size_t len, struct pvhostd_ctl_cmd *cmd,
		      const char **err)
{
	struct words ws;

	memset(cmd, 0, sizeof(*cmd));
	if (split_words(buf, len, &ws, err))
		return -EINVAL;
	if (!strcmp(ws.w[0], "status") && ws.n == 1) {
		cmd->op = PVHOSTD_CTL_STATUS;
		return 0;
	}
	if (!strcmp(ws.w[0], "pressure"))
		return parse_pressure(&ws, cmd, err);
	if (!strcmp(ws.w[0], "entropy"))
		return parse_entropy(&ws, cmd, err);
	if (!strcmp(ws.w[0], "clock"))
		return parse_clock(&ws, cmd, err);
	if (!strcmp(ws.w[0], "hostile"))
		return parse_hostile(&ws, cmd, err);
	if (!strcmp(ws.w[0], "numa"))
		return parse_numa(&ws, cmd, err);
	if (!strcmp(ws.w[0], "vcpu"))
		return parse_vcpu(&ws, cmd, err);
	*err = "unknown command (status, pressure, entropy, clock, hostile, numa, vcpu)";
	return -EINVAL;
}

/**
 * pvhostd_ctl_is_fault - is this command fault injection
 * @op: the command
 *
 * Entropy faults, hostile modes and simulated clock rates make the host
 * misbehave on purpose: only a test build (pvhostd-test) carries them out.
 * Return: true for those
 */
bool pvhostd_ctl_is_fault(enum pvhostd_ctl_op op)
{
	return op == PVHOSTD_CTL_ENTROPY_FAULT || op == PVHOSTD_CTL_HOSTILE ||
	       op == PVHOSTD_CTL_CLOCK_RATE;
}
