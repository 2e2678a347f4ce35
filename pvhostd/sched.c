// SPDX-License-Identifier: GPL-2.0
/*
 * What the host scheduler says about a thread: /proc/PID/task/TID/stat
 * (its state letter) and .../schedstat (run and wait nanoseconds). Pure
 * parsers, no daemon state, for the unit tests and the fuzzer.
 */
#include <errno.h>
#include <string.h>

#include "pvhostd.h"

/**
 * pvhostd_stat_state - the state letter of a /proc/.../stat line
 * @text: the file's bytes, not NUL-terminated
 * @len: their number
 * @state: the letter (R, S, D, T, t, X, Z, P, I)
 *
 * The second field, (comm), may hold spaces and parentheses: the state is
 * the first field after the last ')'.
 * Return: 0 or -EINVAL
 */
int pvhostd_stat_state(const char *text, size_t len, char *state)
{
	const char *p = NULL;
	size_t i, rest;

	for (i = 0; i < len; i++)
		if (text[i] == ')')
			p = text + i;
	if (!p)
		return -EINVAL;
	rest = len - (size_t)(p - text);	/* ") X ..." */
	if (rest < 3 || p[1] != ' ' || !p[2] || !strchr("RSDTtXZPI", p[2]))
		return -EINVAL;
	if (rest > 3 && p[3] != ' ' && p[3] != '\n')
		return -EINVAL;
	*state = p[2];
	return 0;
}

static int parse_u64(const char **pp, const char *end, u64 *out)
{
	const char *p = *pp;
	u64 v = 0;

	if (p >= end || *p < '0' || *p > '9')
		return -EINVAL;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - (u64)(*p - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (u64)(*p - '0');
	}
	*pp = p;
	*out = v;
	return 0;
}

/**
 * pvhostd_schedstat_parse - parse /proc/.../schedstat
 * @text: the file's bytes, not NUL-terminated
 * @len: their number
 * @s: run_ns (se.sum_exec_runtime), wait_ns (sched_info.run_delay) and
 *	slices (sched_info.pcount)
 *
 * The format is "%llu %llu %lu\n" (fs/proc/base.c); anything else is
 * rejected.
 * Return: 0 or -EINVAL, -ERANGE
 */
int pvhostd_schedstat_parse(const char *text, size_t len,
			    struct pvhostd_sched_sample *s)
{
	const char *p = text, *end = text + len;
	u64 v[3];
	int i, ret;

	for (i = 0; i < 3; i++) {
		if (i) {
			if (p >= end || *p != ' ')
				return -EINVAL;
			p++;
		}
		ret = parse_u64(&p, end, &v[i]);
		if (ret)
			return ret;
	}
	if (p < end && *p == '\n')
		p++;
	if (p != end)
		return -EINVAL;
	s->run_ns = v[0];
	s->wait_ns = v[1];
	s->slices = v[2];
	return 0;
}
