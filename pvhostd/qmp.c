// SPDX-License-Identifier: GPL-2.0
/*
 * QMP message parser: one line from QEMU's monitor (a JSON object ending
 * in CR LF) into what pvhostd needs of it. The greeting, a plain return,
 * an error, an asynchronous event, or the return of query-cpus-fast as a
 * cpu-index -> thread-id table. The monitor is another process: a reply
 * that is not exactly what QEMU sends is an error, never trusted in part.
 * No daemon state here, so the unit tests and the fuzzer call it directly.
 */
#include <errno.h>
#include <string.h>
#include <json-c/json.h>

#include "pvhostd.h"

#define QMP_JSON_DEPTH	8	/* a cpu entry nests 3 deep */

static int parse_cpu(struct json_object *cpu, struct pvhostd_qmp_msg *m)
{
	struct json_object *idx, *tid;
	s64 i, t;
	u32 k;

	if (!json_object_is_type(cpu, json_type_object) ||
	    !json_object_object_get_ex(cpu, "cpu-index", &idx) ||
	    !json_object_object_get_ex(cpu, "thread-id", &tid) ||
	    !json_object_is_type(idx, json_type_int) ||
	    !json_object_is_type(tid, json_type_int))
		return -EINVAL;
	i = json_object_get_int64(idx);
	t = json_object_get_int64(tid);
	if (i < 0 || i >= PVHOST_MAX_VCPUS || t <= 0 || t > PVHOSTD_TID_MAX)
		return -ERANGE;
	if (m->tid[i])
		return -EEXIST;		/* the same vCPU twice */
	for (k = 0; k < PVHOST_MAX_VCPUS; k++)
		if (m->tid[k] == (pid_t)t)
			return -EEXIST;	/* two vCPUs on one thread */
	m->tid[i] = (pid_t)t;
	if ((u32)i + 1 > m->nr_vcpus)
		m->nr_vcpus = (u32)i + 1;
	return 0;
}

static int parse_cpus(struct json_object *arr, struct pvhostd_qmp_msg *m)
{
	size_t n = json_object_array_length(arr), i;
	int ret;

	if (!n || n > PVHOST_MAX_VCPUS)
		return -ERANGE;
	for (i = 0; i < n; i++) {
		ret = parse_cpu(json_object_array_get_idx(arr, i), m);
		if (ret)
			return ret;
	}
	m->kind = PVHOSTD_QMP_CPUS;
	return 0;
}

static int classify(struct json_object *o, struct pvhostd_qmp_msg *m)
{
	struct json_object *v;

	if (!json_object_is_type(o, json_type_object))
		return -EINVAL;
	if (json_object_object_get_ex(o, "QMP", &v)) {
		if (!json_object_is_type(v, json_type_object))
			return -EINVAL;
		m->kind = PVHOSTD_QMP_GREETING;
		return 0;
	}
	if (json_object_object_get_ex(o, "event", &v)) {
		if (!json_object_is_type(v, json_type_string))
			return -EINVAL;
		m->kind = PVHOSTD_QMP_EVENT;
		return 0;
	}
	if (json_object_object_get_ex(o, "error", &v)) {
		m->kind = PVHOSTD_QMP_ERROR;
		return 0;
	}
	if (!json_object_object_get_ex(o, "return", &v))
		return -EINVAL;
	if (json_object_is_type(v, json_type_array))
		return parse_cpus(v, m);
	if (!json_object_is_type(v, json_type_object))
		return -EINVAL;
	m->kind = PVHOSTD_QMP_RETURN;
	return 0;
}

/**
 * pvhostd_qmp_parse - parse one QMP message
 * @buf: the bytes of one message, without its line end; not NUL-terminated
 * @len: their number
 * @m: the message; for PVHOSTD_QMP_CPUS, the thread table
 *
 * A cpus table is whole or rejected: every cpu-index below
 * PVHOST_MAX_VCPUS and once only, every thread-id in 1..PVHOSTD_TID_MAX
 * and once only.
 * Return: 0, or -EINVAL (not a QMP message), -ERANGE, -EEXIST, -ENOMEM
 */
int pvhostd_qmp_parse(const char *buf, size_t len, struct pvhostd_qmp_msg *m)
{
	struct json_tokener *tok;
	struct json_object *o;
	int ret = -EINVAL;

	memset(m, 0, sizeof(*m));
	if (!len || len > PVHOSTD_QMP_LINE_MAX || memchr(buf, '\0', len))
		return -EINVAL;
	tok = json_tokener_new_ex(QMP_JSON_DEPTH);
	if (!tok)
		return -ENOMEM;
	o = json_tokener_parse_ex(tok, buf, (int)len);
	if (o && json_tokener_get_error(tok) == json_tokener_success &&
	    json_tokener_get_parse_end(tok) == len)
		ret = classify(o, m);
	json_object_put(o);
	json_tokener_free(tok);
	if (ret)
		memset(m, 0, sizeof(*m));
	return ret;
}

/**
 * pvhostd_qmp_kind_name - for logs and status
 * @kind: a PVHOSTD_QMP_* kind
 * Return: a static string
 */
const char *pvhostd_qmp_kind_name(enum pvhostd_qmp_kind kind)
{
	switch (kind) {
	case PVHOSTD_QMP_GREETING:
		return "greeting";
	case PVHOSTD_QMP_RETURN:
		return "return";
	case PVHOSTD_QMP_CPUS:
		return "cpus";
	case PVHOSTD_QMP_ERROR:
		return "error";
	case PVHOSTD_QMP_EVENT:
		return "event";
	}
	return "?";
}
