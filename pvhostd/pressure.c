// SPDX-License-Identifier: GPL-2.0
/*
 * Memory-pressure gauge. The level is the larger of two ramps:
 *
 *   psi  = ramp(PSI "some" avg10, psi_lo .. psi_hi)
 *   mem  = ramp(1000 - MemAvailable/MemTotal permille, used_lo .. used_hi)
 *   level = max(psi, mem)
 *
 * where ramp() is 0 at or below lo, PVHOST_PRESSURE_ONE at or above hi,
 * and linear in between. It is published with the odd/even seq protocol.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pvhostd.h"

/* "avg10=12.34" → 1234; parses at most two decimals. */
static int parse_hundredths(const char *s, u32 *out)
{
	unsigned long whole = 0, frac = 0;
	int digits = 0;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	while (*s >= '0' && *s <= '9') {
		whole = whole * 10 + (*s++ - '0');
		if (whole > 100)
			return -ERANGE;
	}
	if (*s == '.') {
		s++;
		while (*s >= '0' && *s <= '9') {
			if (digits < 2)
				frac = frac * 10 + (*s - '0');
			digits++;
			s++;
		}
	}
	while (digits < 2) {
		frac *= 10;
		digits++;
	}
	*out = whole * 100 + frac;
	return *out <= 10000 ? 0 : -ERANGE;
}

static int psi_line(const char *text, const char *kind, u32 *out)
{
	const char *line = text, *avg;
	size_t klen = strlen(kind);

	while (line && *line) {
		if (!strncmp(line, kind, klen) && line[klen] == ' ') {
			avg = strstr(line, "avg10=");
			if (!avg)
				return -EINVAL;
			return parse_hundredths(avg + 6, out);
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return -ENOENT;
}

/**
 * pvhostd_psi_parse - read avg10 of /proc/pressure/memory
 * @text: the file's contents, NUL-terminated
 * @some: "some avg10", hundredths of a percent
 * @full: "full avg10", hundredths of a percent; 0 if the line is absent
 * Return: 0 or a negative errno
 */
int pvhostd_psi_parse(const char *text, u32 *some, u32 *full)
{
	int ret = psi_line(text, "some", some);

	if (ret)
		return ret;
	ret = psi_line(text, "full", full);
	if (ret == -ENOENT) {
		*full = 0;
		ret = 0;
	}
	return ret;
}

static int meminfo_kb(const char *text, const char *key, u64 *kb)
{
	const char *p = strstr(text, key);
	char *end;

	while (p && p != text && p[-1] != '\n')
		p = strstr(p + 1, key);
	if (!p)
		return -ENOENT;
	p += strlen(key);
	while (*p == ' ')
		p++;
	if (*p < '0' || *p > '9')
		return -EINVAL;
	*kb = strtoull(p, &end, 10);
	return 0;
}

/**
 * pvhostd_meminfo_parse - MemAvailable / MemTotal from /proc/meminfo
 * @text: the file's contents, NUL-terminated
 * @avail_permille: the ratio x 1000, 0..1000
 * Return: 0 or a negative errno
 */
int pvhostd_meminfo_parse(const char *text, u32 *avail_permille)
{
	u64 total, avail;

	if (meminfo_kb(text, "MemTotal:", &total) ||
	    meminfo_kb(text, "MemAvailable:", &avail))
		return -EINVAL;
	if (!total || total > UINT64_MAX / 1000)
		return -EINVAL;
	if (avail > total)
		avail = total;
	*avail_permille = (u32)(avail * 1000 / total);
	return 0;
}

/**
 * pvhostd_pressure_scale - the ramp from @lo to @hi
 * @x: the input
 * @lo: at or below it, 0
 * @hi: at or above it, PVHOST_PRESSURE_ONE; must be > @lo
 * Return: 0..PVHOST_PRESSURE_ONE
 */
u32 pvhostd_pressure_scale(u32 x, u32 lo, u32 hi)
{
	if (x <= lo)
		return 0;
	if (x >= hi || hi <= lo)
		return PVHOST_PRESSURE_ONE;
	return (u32)((u64)(x - lo) * PVHOST_PRESSURE_ONE / (hi - lo));
}

/**
 * pvhostd_pressure_level - the gauge for one sample
 * @cfg: the two ramps
 * @s: the sample
 * Return: 0..PVHOST_PRESSURE_ONE
 */
u32 pvhostd_pressure_level(const struct pvhostd_pressure_cfg *cfg,
			   const struct pvhostd_pressure_sample *s)
{
	u32 used = 1000 - (s->avail_permille > 1000 ? 1000 :
				s->avail_permille);
	u32 psi = pvhostd_pressure_scale(s->psi_some, cfg->psi_lo,
					      cfg->psi_hi);
	u32 mem = pvhostd_pressure_scale(used, cfg->used_lo, cfg->used_hi);

	return psi > mem ? psi : mem;
}

/**
 * pvhostd_pressure_parse_range - parse "LO:HI" percentages
 * @arg: e.g. "10:60" or "80.5:98"
 * @scale: 100 for hundredths of a percent, 10 for permille
 * @lo: LO x @scale
 * @hi: HI x @scale
 * Return: 0, or -EINVAL unless 0 <= LO < HI <= 100
 */
int pvhostd_pressure_parse_range(const char *arg, u32 scale,
				 u32 *lo, u32 *hi)
{
	char *end;
	double l, h;

	l = strtod(arg, &end);
	if (end == arg || *end != ':')
		return -EINVAL;
	arg = end + 1;
	h = strtod(arg, &end);
	if (end == arg || *end)
		return -EINVAL;
	if (!(l >= 0 && l < h && h <= 100))
		return -EINVAL;
	*lo = (u32)(l * scale + 0.5);
	*hi = (u32)(h * scale + 0.5);
	return *lo < *hi ? 0 : -EINVAL;
}

/**
 * pvhostd_pressure_publish - write the gauge with the seq protocol
 * @p: the gauge in the region
 * @level: 0..PVHOST_PRESSURE_ONE
 * @s: the sample it came from
 * @source: 0 host data, 1 set by command
 * @now_ns: host CLOCK_MONOTONIC
 */
void pvhostd_pressure_publish(struct pvhost_pressure *p, u32 level,
			      const struct pvhostd_pressure_sample *s,
			      u32 source, u64 now_ns)
{
	/* a guest scribbling on seq only confuses its own reader */
	u32 seq = PVHOSTD_LOAD(p->seq) | 1;

	PVHOSTD_STORE(p->seq, seq);
	PVHOSTD_FENCE();
	p->level = level;
	p->updated_ns = now_ns;
	p->psi_some_avg10 = s->psi_some;
	p->psi_full_avg10 = s->psi_full;
	p->mem_available_permille = s->avail_permille;
	p->source = source;
	PVHOSTD_STORE(p->seq, seq + 1);
}

/**
 * pvhostd_read_text - read a small text file, NUL-terminated
 * @path: the file
 * @buf: the text, truncated to @size - 1 bytes
 * @size: bytes in @buf
 * Return: 0 or -errno
 */
int pvhostd_read_text(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

/**
 * pvhostd_pressure_sample_from - read PSI and meminfo from given files
 * @s: the sample; s->psi says whether the PSI file was there and parsed,
 *     and its figures read 0 where it was not
 * @psi_path: the memory PSI file
 * @meminfo_path: the meminfo file
 * Return: 0, or -EIO if meminfo is unusable
 */
int pvhostd_pressure_sample_from(struct pvhostd_pressure_sample *s,
				 const char *psi_path,
				 const char *meminfo_path)
{
	char buf[8192];

	s->psi_some = 0;
	s->psi_full = 0;
	s->psi = !pvhostd_read_text(psi_path, buf, sizeof(buf)) &&
		 !pvhostd_psi_parse(buf, &s->psi_some, &s->psi_full);
	if (!s->psi) {
		s->psi_some = 0;
		s->psi_full = 0;
	}
	if (pvhostd_read_text(meminfo_path, buf, sizeof(buf)))
		return -EIO;
	return pvhostd_meminfo_parse(buf, &s->avail_permille) ? -EIO : 0;
}

/**
 * pvhostd_pressure_sample_host - read the host's PSI and meminfo
 * @s: the sample, as pvhostd_pressure_sample_from()
 * Return: 0, or -EIO if /proc/meminfo is unusable
 */
int pvhostd_pressure_sample_host(struct pvhostd_pressure_sample *s)
{
	return pvhostd_pressure_sample_from(s, "/proc/pressure/memory",
					    "/proc/meminfo");
}
