// SPDX-License-Identifier: GPL-2.0
/*
 * The state a restarted pvhostd takes its guest back with: the text of
 * the state file, and the names of the session's descriptors in the file
 * descriptor store. Pure: restart.c does the reading, the writing and the
 * checks against the descriptors themselves.
 *
 * The file, one record a line, in this order:
 *
 *	pvhostd-state 1
 *	generation G
 *	region SIZE NR_VCPUS
 *	shm DEV INO
 *	qemu PID
 *	vcpu IDX TID START NICE|- MASK|-	(zero or more, IDX ascending)
 *	end
 *
 * NICE is the thread's nice before a boost still applied, MASK its
 * affinity before a NUMA hint narrowed it, as comma-separated 64-bit hex
 * words, lowest CPUs first. The file is written by pvhostd but read as
 * untrusted: anything else, out of range or out of order is refused.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvhostd.h"

#define STATE_MAGIC	"pvhostd-state 1"

static int put(char *buf, size_t len, size_t *at, const char *fmt, ...)
	__printf(4, 5);

static int put(char *buf, size_t len, size_t *at, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + *at, len - *at, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len - *at)
		return -ENOSPC;
	*at += (size_t)n;
	return 0;
}

static int put_mask(char *buf, size_t len, size_t *at, const u64 *mask)
{
	int last = PVHOSTD_CPU_WORDS - 1, i, ret = 0;

	while (last > 0 && !mask[last])
		last--;
	for (i = 0; i <= last && !ret; i++)
		ret = put(buf, len, at, "%s%llx", i ? "," : "",
			  (unsigned long long)mask[i]);
	return ret;
}

/**
 * pvhostd_state_format - the state file's text
 * @st: the state
 * @buf: out, NUL-terminated
 * @len: room in @buf
 * Return: the length, or -ENOSPC
 */
int pvhostd_state_format(const struct pvhostd_state *st, char *buf,
			 size_t len)
{
	const struct pvhostd_state_vcpu *v;
	size_t at = 0;
	u32 i;
	int ret;

	if (!len)
		return -ENOSPC;
	ret = put(buf, len, &at,
		  STATE_MAGIC "\ngeneration %u\nregion %u %u\nshm %llu %llu\nqemu %d\n",
		  st->generation, st->region_size, st->nr_vcpus,
		  (unsigned long long)st->shm_dev,
		  (unsigned long long)st->shm_ino, (int)st->qemu_pid);
	for (i = 0; i < PVHOST_MAX_VCPUS && !ret; i++) {
		v = &st->v[i];
		if (!v->boosted && !v->aff)
			continue;
		ret = put(buf, len, &at, "vcpu %u %d %llu ", i, (int)v->tid,
			  (unsigned long long)v->start);
		if (!ret)
			ret = v->boosted ? put(buf, len, &at, "%d ", v->nice_orig) :
			      put(buf, len, &at, "- ");
		if (!ret)
			ret = v->aff ? put_mask(buf, len, &at, v->aff_orig) :
			      put(buf, len, &at, "-");
		if (!ret)
			ret = put(buf, len, &at, "\n");
	}
	if (!ret)
		ret = put(buf, len, &at, "end\n");
	return ret ? ret : (int)at;
}

/* A decimal or hex number of the line, then one space or the end. */
static int take_u64(const char **p, int base, u64 max, u64 *out)
{
	unsigned long long v;
	char *end;

	if (**p < '0' || **p > (base == 16 ? 'f' : '9') ||
	    (**p > '9' && **p < 'a'))
		return -EINVAL;
	errno = 0;
	v = strtoull(*p, &end, base);
	if (errno || end == *p || v > max)
		return -EINVAL;
	*p = end;
	*out = v;
	return 0;
}

static int take_sep(const char **p, char sep)
{
	if (**p != sep)
		return -EINVAL;
	(*p)++;
	return 0;
}

static int take_word(const char **p, const char *word)
{
	size_t n = strlen(word);

	if (strncmp(*p, word, n) || (*p)[n] != ' ')
		return -EINVAL;
	*p += n + 1;
	return 0;
}

static int take_nice(const char **p, struct pvhostd_state_vcpu *v)
{
	bool neg = **p == '-' && (*p)[1] != ' ';
	u64 x;

	if (**p == '-' && !neg) {
		(*p)++;
		return 0;
	}
	if (neg)
		(*p)++;
	if (take_u64(p, 10, 20, &x))
		return -EINVAL;
	v->nice_orig = neg ? -(int)x : (int)x;
	if (v->nice_orig > 19)
		return -EINVAL;
	v->boosted = true;
	return 0;
}

static int take_mask(const char **p, struct pvhostd_state_vcpu *v)
{
	bool any = false;
	u32 i;

	if (**p == '-') {
		(*p)++;
		return 0;
	}
	for (i = 0; i < PVHOSTD_CPU_WORDS; i++) {
		if (take_u64(p, 16, UINT64_MAX, &v->aff_orig[i]))
			return -EINVAL;
		any |= v->aff_orig[i] != 0;
		if (**p != ',')
			break;
		(*p)++;
	}
	if (i == PVHOSTD_CPU_WORDS || !any)	/* too long, or no CPU */
		return -EINVAL;
	v->aff = true;
	return 0;
}

static int take_vcpu(const char **p, struct pvhostd_state *st, int *last)
{
	struct pvhostd_state_vcpu *v;
	u64 idx, tid, start;

	if (take_word(p, "vcpu") || take_u64(p, 10, PVHOST_MAX_VCPUS - 1, &idx) ||
	    (int)idx <= *last || take_sep(p, ' ') ||
	    take_u64(p, 10, INT32_MAX, &tid) || !tid || take_sep(p, ' ') ||
	    take_u64(p, 10, UINT64_MAX, &start) || take_sep(p, ' '))
		return -EINVAL;
	v = &st->v[idx];
	v->tid = (pid_t)tid;
	v->start = start;
	if (take_nice(p, v) || take_sep(p, ' ') || take_mask(p, v) ||
	    take_sep(p, '\n'))
		return -EINVAL;
	if (!v->boosted && !v->aff)
		return -EINVAL;	/* nothing to give back: never written */
	*last = (int)idx;
	return 0;
}

/**
 * pvhostd_state_parse - read a state file's text
 * @buf: the text; need not be NUL-terminated
 * @len: its length, at most PVHOSTD_STATE_MAX
 * @st: out; left zeroed but for what was read when refused
 *
 * Return: 0, or -EINVAL for anything but a whole, well-formed file
 * whose layout pvhostd_layout_plan() accepts.
 */
int pvhostd_state_parse(const char *buf, size_t len, struct pvhostd_state *st)
{
	static char text[PVHOSTD_STATE_MAX + 1];
	struct pvhostd_layout lay;
	u64 gen, size, nr, dev, ino, pid;
	const char *p = text;
	int last = -1;

	memset(st, 0, sizeof(*st));
	if (len > PVHOSTD_STATE_MAX || memchr(buf, '\0', len))
		return -EINVAL;
	memcpy(text, buf, len);
	text[len] = '\0';
	if (strncmp(p, STATE_MAGIC "\n", sizeof(STATE_MAGIC)))
		return -EINVAL;
	p += sizeof(STATE_MAGIC);
	if (take_word(&p, "generation") || take_u64(&p, 10, UINT32_MAX, &gen) ||
	    take_sep(&p, '\n') ||
	    take_word(&p, "region") || take_u64(&p, 10, UINT32_MAX, &size) ||
	    take_sep(&p, ' ') || take_u64(&p, 10, PVHOST_MAX_VCPUS, &nr) ||
	    take_sep(&p, '\n') ||
	    take_word(&p, "shm") || take_u64(&p, 10, UINT64_MAX, &dev) ||
	    take_sep(&p, ' ') || take_u64(&p, 10, UINT64_MAX, &ino) ||
	    take_sep(&p, '\n') ||
	    take_word(&p, "qemu") || take_u64(&p, 10, INT32_MAX, &pid) ||
	    take_sep(&p, '\n'))
		goto bad;
	if (pvhostd_layout_plan((u32)size, (u32)nr, &lay) || !ino || !pid)
		goto bad;
	st->generation = (u32)gen;
	st->region_size = (u32)size;
	st->nr_vcpus = (u32)nr;
	st->shm_dev = dev;
	st->shm_ino = ino;
	st->qemu_pid = (pid_t)pid;
	while (!strncmp(p, "vcpu ", 5))
		if (take_vcpu(&p, st, &last))
			goto bad;
	if (strcmp(p, "end\n"))
		goto bad;
	return 0;
bad:
	memset(st, 0, sizeof(*st));
	return -EINVAL;
}

/**
 * pvhostd_fd_name - a session descriptor's name in the fd store
 * @slot: PVHOSTD_FD_*
 * @buf: out
 * @len: room in @buf (16 is enough)
 */
void pvhostd_fd_name(u32 slot, char *buf, size_t len)
{
	if (slot == PVHOSTD_FD_SOCK)
		snprintf(buf, len, "pvhost-sock");
	else if (slot == PVHOSTD_FD_SHM)
		snprintf(buf, len, "pvhost-shm");
	else if (slot < PVHOSTD_FD_GUEST0)
		snprintf(buf, len, "pvhost-host%u", slot - PVHOSTD_FD_HOST0);
	else
		snprintf(buf, len, "pvhost-guest%u", slot - PVHOSTD_FD_GUEST0);
}

/**
 * pvhostd_fd_names - sort the descriptors handed back by their names
 * @names: each descriptor's name (LISTEN_FDNAMES)
 * @fds: the descriptors
 * @n: how many
 * @slot_fd: out, PVHOSTD_NR_FDS descriptors by PVHOSTD_FD_* slot
 *
 * Return: 0 when every slot has exactly one descriptor and no name is
 * foreign; -EINVAL otherwise (@slot_fd then means nothing).
 */
int pvhostd_fd_names(const char *const *names, const int *fds, int n,
		     int *slot_fd)
{
	char name[24];
	u32 slot;
	int i;

	for (slot = 0; slot < PVHOSTD_NR_FDS; slot++)
		slot_fd[slot] = -1;
	if (n != PVHOSTD_NR_FDS)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (!names[i] || fds[i] < 0)
			return -EINVAL;
		for (slot = 0; slot < PVHOSTD_NR_FDS; slot++) {
			pvhostd_fd_name(slot, name, sizeof(name));
			if (!strcmp(names[i], name))
				break;
		}
		if (slot == PVHOSTD_NR_FDS || slot_fd[slot] >= 0)
			return -EINVAL;
		slot_fd[slot] = fds[i];
	}
	return 0;
}
