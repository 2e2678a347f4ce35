// SPDX-License-Identifier: GPL-2.0
/*
 * pvhost NUMA selftests, against a real pvhostd serving the lane's two
 * guest nodes from shared backing files: pvhc routes numa_hint and
 * numa_info to pvhost; the topology the guest reads is the one pvctl
 * shows on the host; a hint for guest node 1 with CPUs 2-3 is applied on
 * host node 0, and the host shows the vCPU threads' affinity and the
 * backing file's memory policy; hints for a node that does not exist and
 * hints under a host policy of deny are refused with the reason; many
 * hints in a row are all answered or refused with -EBUSY, never hang.
 *
 * The guest side is debugfs (/sys/kernel/debug/pvhost/<dev>/numa_info,
 * numa_hint), which goes through pvhc_numa_info(), pvhc_numa_hint() and
 * pvhc_numa_status(). Waits for the host's answers are bounded; no time
 * is asserted.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "pv_host.h"
#include "pv_sysfs.h"

#define DBG		"/sys/kernel/debug/pvhost"
#define ANSWER_TRIES	400	/* x 25 ms: the host ticks every 200 ms */
#define MANY		200

static int dbg_read(const char *dev, const char *name, char *buf, size_t len)
{
	char path[192];

	snprintf(path, sizeof(path), DBG "/%s/%s", dev, name);
	return pv_read_all(path, buf, len);
}

/* Submit a hint: "NODE CPULIST"; 0 or the write's -errno. */
static int hint(const char *dev, const char *text)
{
	char path[192];

	snprintf(path, sizeof(path), DBG "/%s/numa_hint", dev);
	return pv_write_str(path, text);
}

/* Wait (bounded) until the last hint is no longer pending; 0 when answered. */
static int answer(const char *dev, char *buf, size_t len)
{
	int i, ret = -ETIMEDOUT;

	for (i = 0; i < ANSWER_TRIES; i++) {
		ret = dbg_read(dev, "numa_hint", buf, len);
		if (ret)
			return ret;
		if (!strstr(buf, "status=pending"))
			return 0;
		usleep(25000);
	}
	return -ETIMEDOUT;
}

/* The text after "key=" up to the end of its word, in @out. */
static int field(const char *text, const char *key, char *out, size_t len)
{
	char pat[96];
	const char *p;
	size_t n;

	snprintf(pat, sizeof(pat), "%s=", key);
	for (p = strstr(text, pat); p; p = strstr(p + 1, pat))
		if (p == text || p[-1] == '\n' || p[-1] == ' ')
			break;
	if (!p)
		return -ENOENT;
	p += strlen(pat);
	n = strcspn(p, "\n\t ");
	if (n >= len)
		return -E2BIG;
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

/* The line of @text that starts with @prefix, in @out. */
static int line_of(const char *text, const char *prefix, char *out,
		   size_t len)
{
	const char *p;
	size_t n;

	for (p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (strncmp(p, prefix, strlen(prefix)))
			continue;
		n = strcspn(p, "\n");
		if (n >= len)
			return -E2BIG;
		memcpy(out, p, n);
		out[n] = '\0';
		return 0;
	}
	return -ENOENT;
}

FIXTURE(numa) {
	char dev[64];
	char host[8192];
	char buf[4096];
};

FIXTURE_SETUP(numa)
{
	if (!pv_host_require(_metadata, self->host, sizeof(self->host), "numa policy allow"))
		return;
	ASSERT_EQ(0, pv_pvhost_device(self->dev, sizeof(self->dev)));
}

FIXTURE_TEARDOWN(numa)
{
	if (pv_want_host())
		pv_host_ctl(NULL, 0, "numa policy allow");
}

TEST_F(numa, pvhc_routes_numa_to_pvhost)
{
	char buf[64];

	ASSERT_EQ(0, pv_read_line("/sys/kernel/pvhc/feature/numa_hint", buf,
				  sizeof(buf)));
	EXPECT_STREQ("pvhost", buf);
	ASSERT_EQ(0, pv_read_line("/sys/kernel/pvhc/feature/numa_info", buf,
				  sizeof(buf)));
	EXPECT_STREQ("pvhost", buf);
}

TEST_F(numa, info_matches_host)
{
	char g[64], h[64], gl[512], hl[512], key[32];
	unsigned long nodes, i;

	ASSERT_EQ(0, dbg_read(self->dev, "numa_info", self->buf,
			      sizeof(self->buf)));
	ASSERT_EQ(0, pv_host_ctl(self->host, sizeof(self->host), "numa status"))
		TH_LOG("%s", self->host);
	TH_LOG("guest:\n%s", self->buf);
	ASSERT_EQ(0, field(self->buf, "nr_host_nodes", g, sizeof(g)));
	ASSERT_EQ(0, field(self->host, "nr_host_nodes", h, sizeof(h)))
		TH_LOG("%s", self->host);
	EXPECT_STREQ(h, g);
	ASSERT_EQ(0, field(self->host, "nr_nodes", h, sizeof(h)));
	EXPECT_STREQ("2", h) TH_LOG("the lane has two guest nodes");
	nodes = strtoul(g, NULL, 10);
	ASSERT_LT(0UL, nodes);
	for (i = 0; i < nodes; i++) {
		snprintf(key, sizeof(key), "host_node%lu ", i);
		ASSERT_EQ(0, line_of(self->buf, key, gl, sizeof(gl)));
		ASSERT_EQ(0, line_of(self->host, key, hl, sizeof(hl)));
		ASSERT_EQ(0, field(gl, "distance", g, sizeof(g)));
		ASSERT_EQ(0, field(hl, "distance", h, sizeof(h)));
		EXPECT_STREQ(h, g) TH_LOG("%s", key);
	}
	ASSERT_EQ(0, field(self->buf, "nr_vcpus", g, sizeof(g)));
	EXPECT_STREQ("4", g);
	for (i = 0; i < 4; i++) {
		snprintf(key, sizeof(key), "vcpu%lu ", i);
		ASSERT_EQ(0, line_of(self->buf, key, gl, sizeof(gl)));
		ASSERT_EQ(0, line_of(self->host, key, hl, sizeof(hl)));
		ASSERT_EQ(0, field(gl, "host_node", g, sizeof(g)));
		ASSERT_EQ(0, field(hl, "host_node", h, sizeof(h)));
		/* a known node may change between the two reads; unknown not */
		EXPECT_EQ(!strcmp(h, "unknown"), !strcmp(g, "unknown"))
			TH_LOG("%s guest %s host %s", key, g, h);
		if (strcmp(g, "unknown"))
			EXPECT_LT(strtoul(g, NULL, 10), nodes);
	}
}

TEST_F(numa, hint_node1_cpus_2_3_applied_on_host_node0)
{
	char v[64], line[512], cpus0[128];
	int tid, i;

	ASSERT_EQ(0, hint(self->dev, "1 2-3"));
	ASSERT_EQ(0, answer(self->dev, self->buf, sizeof(self->buf)));
	TH_LOG("guest: %s", self->buf);
	ASSERT_EQ(0, pv_host_ctl(self->host, sizeof(self->host), "numa status"));
	TH_LOG("host:\n%s", self->host);
	ASSERT_EQ(0, line_of(self->host, "vcpu2 ", line, sizeof(line)));
	ASSERT_EQ(0, field(line, "tid", v, sizeof(v)));
	tid = atoi(v);
	ASSERT_EQ(0, field(self->buf, "host_node", v, sizeof(v)));
	EXPECT_STREQ("0", v);
	if (tid > 0) {
		ASSERT_EQ(0, field(self->buf, "status", v, sizeof(v)));
		EXPECT_STREQ("applied", v);
		ASSERT_EQ(0, line_of(self->host, "host_node0 ", line,
				     sizeof(line)));
		ASSERT_EQ(0, field(line, "cpus", cpus0, sizeof(cpus0)));
		for (i = 2; i <= 3; i++) {
			char key[16];

			snprintf(key, sizeof(key), "vcpu%d ", i);
			ASSERT_EQ(0, line_of(self->host, key, line,
					     sizeof(line)));
			ASSERT_EQ(0, field(line, "affinity", v, sizeof(v)));
			EXPECT_STREQ(cpus0, v) TH_LOG("%s", line);
		}
	} else {
		/* no vCPU thread ids from QEMU: the memory part only */
		ASSERT_EQ(0, field(self->buf, "status", v, sizeof(v)));
		EXPECT_STREQ("partial", v);
		ASSERT_EQ(0, field(self->buf, "reason", v, sizeof(v)));
		EXPECT_STREQ("affinity", v);
	}
	ASSERT_EQ(0, line_of(self->host, "node1 ", line, sizeof(line)));
	ASSERT_EQ(0, field(line, "policy", v, sizeof(v)));
	EXPECT_STREQ("preferred", v) TH_LOG("%s", line);
	ASSERT_EQ(0, field(line, "policy_node", v, sizeof(v)));
	EXPECT_STREQ("0", v);
	ASSERT_EQ(0, field(line, "stuck", v, sizeof(v)));
	EXPECT_STREQ("0", v);
	ASSERT_EQ(0, pv_host_ctl(self->host, sizeof(self->host), "numa hints"));
	EXPECT_NE(NULL, strstr(self->host, "node=1 cpus=2-3"))
		TH_LOG("%s", self->host);
}

TEST_F(numa, hint_for_missing_node_refused)
{
	char v[64];
	int ret;

	/* beyond any MAX_NUMNODES: pvhc refuses it */
	EXPECT_EQ(-EINVAL, hint(self->dev, "100000 0"));
	/* a node pvhc takes but the host has no memory for */
	ret = hint(self->dev, "9 0");
	if (ret) {
		EXPECT_EQ(-EINVAL, ret);
		return;
	}
	ASSERT_EQ(0, answer(self->dev, self->buf, sizeof(self->buf)));
	ASSERT_EQ(0, field(self->buf, "status", v, sizeof(v)));
	EXPECT_STREQ("rejected", v) TH_LOG("%s", self->buf);
	ASSERT_EQ(0, field(self->buf, "reason", v, sizeof(v)));
	EXPECT_STREQ("no_node", v);
}

TEST_F(numa, malformed_hints_einval)
{
	static const char *const bad[] = {
		"", "x", "1", "1 ", "-1 0", "1 x", "1 0-", "0 300", "0 3-1",
		"4294967296 0",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		EXPECT_EQ(-EINVAL, hint(self->dev, bad[i]))
			TH_LOG("case %u", i);
}

TEST_F(numa, policy_deny_rejected)
{
	char v[64];

	ASSERT_EQ(0, pv_host_ctl(self->host, sizeof(self->host),
				 "numa policy deny"));
	ASSERT_EQ(0, hint(self->dev, "0 0-1"));
	ASSERT_EQ(0, answer(self->dev, self->buf, sizeof(self->buf)));
	ASSERT_EQ(0, field(self->buf, "status", v, sizeof(v)));
	EXPECT_STREQ("rejected", v) TH_LOG("%s", self->buf);
	ASSERT_EQ(0, field(self->buf, "reason", v, sizeof(v)));
	EXPECT_STREQ("policy", v);
	ASSERT_EQ(0, pv_host_ctl(self->host, sizeof(self->host),
				 "numa policy allow"));
	ASSERT_EQ(0, hint(self->dev, "0 0-1"));
	ASSERT_EQ(0, answer(self->dev, self->buf, sizeof(self->buf)));
	ASSERT_EQ(0, field(self->buf, "reason", v, sizeof(v)));
	EXPECT_STRNE("policy", v) TH_LOG("%s", self->buf);
}

TEST_F(numa, many_hints_never_hang)
{
	char text[32], v[64];
	int i, ret, ok = 0, busy = 0, other = 0;

	for (i = 0; i < MANY; i++) {
		snprintf(text, sizeof(text), "%d %d", i & 1, i & 3);
		ret = hint(self->dev, text);
		if (!ret)
			ok++;
		else if (ret == -EBUSY)
			busy++;
		else
			other++;
	}
	TH_LOG("%d hints: %d queued, %d refused with -EBUSY", MANY, ok, busy);
	EXPECT_EQ(0, other);
	EXPECT_LT(0, ok);
	/* the last one queued is answered */
	ASSERT_EQ(0, answer(self->dev, self->buf, sizeof(self->buf)));
	ASSERT_EQ(0, field(self->buf, "status", v, sizeof(v)));
	EXPECT_STRNE("pending", v);
	ASSERT_EQ(0, dbg_read(self->dev, "numa_invalid", v, sizeof(v)));
	EXPECT_STREQ("0\n", v);
}

TEST_HARNESS_MAIN
