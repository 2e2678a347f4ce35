// SPDX-License-Identifier: GPL-2.0
/*
 * pvhc sysfs ABI and module parameter selftests.
 *
 * Checks /sys/kernel/pvhc against Documentation/ABI/testing/sysfs-kernel-pvhc
 * and, where the lane states what the host is (PV_EXPECT_BACKEND,
 * PV_EXPECT_HYPERVISOR, PV_EXPECT_GUEST_TYPE), that pvhc detected it. With
 * PV_MODULE_PATH naming pvhc.ko, it also reloads the module to check the
 * deny parameter, good and bad.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "pv_module.h"
#include "pv_sysfs.h"

#define PVHC_SYSFS "/sys/kernel/pvhc"

static const char * const features[] = {
	"preempted", "yield", "kick", "boost", "clock", "clock_pairing",
	"numa_hint", "numa_info", "pressure", "entropy", "lock_hint",
};

static const char * const top_files[] = {
	"backend", "hypervisor", "guest_type", "features", "backends",
};

static int read_attr(const char *name, char *buf, size_t len)
{
	char path[256];

	snprintf(path, sizeof(path), PVHC_SYSFS "/%s", name);
	return pv_read_line(path, buf, len);
}

/* Is @word one of the space-separated words of @list? */
static int has_word(const char *list, const char *word)
{
	size_t wl = strlen(word);
	const char *p = list;

	while ((p = strstr(p, word))) {
		if ((p == list || p[-1] == ' ') && (p[wl] == ' ' || p[wl] == '\0'))
			return 1;
		p += wl;
	}
	return 0;
}

static int in_set(const char *v, const char * const *set, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(v, set[i]))
			return 1;
	return 0;
}

TEST(layout)
{
	char path[256], buf[512];
	struct stat st;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(top_files); i++) {
		snprintf(path, sizeof(path), PVHC_SYSFS "/%s", top_files[i]);
		ASSERT_EQ(0, stat(path, &st)) TH_LOG("%s: %s", path, strerror(errno));
		EXPECT_EQ(0444u, st.st_mode & 0777) TH_LOG("%s mode %o", path, st.st_mode & 0777);
		EXPECT_EQ(0, pv_read_line(path, buf, sizeof(buf)))
			TH_LOG("%s is not one line", path);
	}
	for (i = 0; i < ARRAY_SIZE(features); i++) {
		snprintf(path, sizeof(path), PVHC_SYSFS "/feature/%s", features[i]);
		ASSERT_EQ(0, pv_read_line(path, buf, sizeof(buf))) TH_LOG("%s", path);
		EXPECT_NE(0, buf[0]) TH_LOG("%s is empty", path);
	}
}

TEST(values_are_known)
{
	static const char * const hvs[] = { "kvm", "xen", "other", "none" };
	static const char * const types[] = { "pv", "hvm", "pvh", "none" };
	char backend[64], backends[256], hv[64], type[64], feats[512];
	char *w, *save = NULL;
	int xen_only;

	ASSERT_EQ(0, read_attr("backend", backend, sizeof(backend)));
	ASSERT_EQ(0, read_attr("backends", backends, sizeof(backends)));
	ASSERT_EQ(0, read_attr("hypervisor", hv, sizeof(hv)));
	ASSERT_EQ(0, read_attr("guest_type", type, sizeof(type)));
	ASSERT_EQ(0, read_attr("features", feats, sizeof(feats)));

	EXPECT_TRUE(in_set(hv, hvs, ARRAY_SIZE(hvs))) TH_LOG("hypervisor '%s'", hv);
	EXPECT_TRUE(in_set(type, types, ARRAY_SIZE(types))) TH_LOG("guest_type '%s'", type);
	/* Bare metal has no guest type; a guest always has one. */
	EXPECT_EQ(!strcmp(hv, "none"), !strcmp(type, "none"));
	/* pv and pvh exist only on Xen. */
	xen_only = !strcmp(type, "pv") || !strcmp(type, "pvh");
	EXPECT_TRUE(!xen_only || !strcmp(hv, "xen"))
		TH_LOG("guest_type %s on hypervisor %s", type, hv);

	/* The active backend is the first registered one, or none. */
	if (backends[0]) {
		size_t n = strcspn(backends, " ");

		EXPECT_EQ(strlen(backend), n);
		EXPECT_EQ(0, strncmp(backend, backends, n)) TH_LOG("%s vs %s", backend, backends);
	} else {
		EXPECT_STREQ("none", backend);
	}

	for (w = strtok_r(feats, " ", &save); w; w = strtok_r(NULL, " ", &save))
		EXPECT_TRUE(in_set(w, features, ARRAY_SIZE(features)))
			TH_LOG("feature '%s'", w ?: "");
}

TEST(features_match_sources)
{
	char feats[512], backends[256], src[64], name[64];
	size_t i;

	ASSERT_EQ(0, read_attr("features", feats, sizeof(feats)));
	ASSERT_EQ(0, read_attr("backends", backends, sizeof(backends)));
	for (i = 0; i < ARRAY_SIZE(features); i++) {
		snprintf(name, sizeof(name), "feature/%s", features[i]);
		ASSERT_EQ(0, read_attr(name, src, sizeof(src)));
		if (has_word(feats, features[i])) {
			EXPECT_TRUE(has_word(backends, src))
				TH_LOG("%s served by unregistered '%s'", features[i], src);
		} else {
			EXPECT_STREQ("none", src)
				TH_LOG("%s absent but served by '%s'", features[i], src);
		}
	}
}

static void expect_attr(struct __test_metadata *_metadata, const char *env,
			const char *attr)
{
	const char *want = getenv(env);
	char got[64];

	if (!want || !*want)
		SKIP(return, "lane states no %s", env);
	ASSERT_EQ(0, read_attr(attr, got, sizeof(got)));
	EXPECT_STREQ(want, got);
}

TEST(detected_backend)
{
	expect_attr(_metadata, "PV_EXPECT_BACKEND", "backend");
}

TEST(detected_hypervisor)
{
	expect_attr(_metadata, "PV_EXPECT_HYPERVISOR", "hypervisor");
}

TEST(detected_guest_type)
{
	expect_attr(_metadata, "PV_EXPECT_GUEST_TYPE", "guest_type");
}

TEST(read_only)
{
	char path[256];
	size_t i;
	int fd;

	for (i = 0; i < ARRAY_SIZE(top_files); i++) {
		snprintf(path, sizeof(path), PVHC_SYSFS "/%s", top_files[i]);
		fd = open(path, O_WRONLY);
		EXPECT_EQ(-1, fd) TH_LOG("%s opened for writing", path);
		if (fd >= 0) {
			close(fd);
			continue;
		}
		EXPECT_EQ(EACCES, errno) TH_LOG("%s: %s", path, strerror(errno));
	}
}

/* Module reload: unload pvhc, load it with @params; returns 0 or errno. */
static int load_pvhc(const char *ko, const char *params)
{
	return -pv_module_load(ko, params);
}

static int unload_pvhc(void)
{
	return -pv_module_unload("pvhc");
}

FIXTURE(reload) {
	const char *ko;
	char backend[64];
	char hypervisor[64];
};

FIXTURE_SETUP(reload)
{
	self->ko = getenv("PV_MODULE_PATH");
	if (!self->ko || access(self->ko, R_OK))
		SKIP(return, "PV_MODULE_PATH does not name pvhc.ko");
	ASSERT_EQ(0, read_attr("backend", self->backend, sizeof(self->backend)));
	ASSERT_EQ(0, read_attr("hypervisor", self->hypervisor, sizeof(self->hypervisor)));
	ASSERT_EQ(0, unload_pvhc()) TH_LOG("rmmod pvhc: %s", strerror(errno));
}

FIXTURE_TEARDOWN(reload)
{
	char now[64];

	if (!self->ko || access(PVHC_SYSFS, F_OK) == 0)
		return;
	/* Leave pvhc loaded as we found it, with the same detection. */
	ASSERT_EQ(0, load_pvhc(self->ko, ""));
	ASSERT_EQ(0, read_attr("backend", now, sizeof(now)));
	EXPECT_STREQ(self->backend, now);
}

TEST_F(reload, deny_active_backend)
{
	char params[96], now[64], src[64], name[64];
	size_t i;

	/* Deny what was active (or kvm when nothing was): it must not serve. */
	snprintf(params, sizeof(params), "deny=%s",
		 strcmp(self->backend, "none") ? self->backend : "kvm");
	ASSERT_EQ(0, load_pvhc(self->ko, params));
	ASSERT_EQ(0, read_attr("backend", now, sizeof(now)));
	EXPECT_TRUE(!strcmp(self->backend, "none") || strcmp(self->backend, now))
		TH_LOG("denied %s still active", self->backend);
	for (i = 0; i < ARRAY_SIZE(features); i++) {
		snprintf(name, sizeof(name), "feature/%s", features[i]);
		ASSERT_EQ(0, read_attr(name, src, sizeof(src)));
		EXPECT_STRNE(params + 5, src) TH_LOG("denied backend serves %s", features[i]);
	}
	/* Detection is not a backend: it still reports the hypervisor. */
	ASSERT_EQ(0, read_attr("hypervisor", now, sizeof(now)));
	EXPECT_STREQ(self->hypervisor, now);
	ASSERT_EQ(0, unload_pvhc());
}

TEST_F(reload, deny_list)
{
	ASSERT_EQ(0, load_pvhc(self->ko, "deny=kvm,xen,pvhost"));
	ASSERT_EQ(0, unload_pvhc());
}

TEST_F(reload, deny_rejects_bad_input)
{
	static const char * const bad[] = {
		"deny=nosuch", "deny=kvm,nosuch", "deny=,", "deny=kvm,,xen",
		"deny=KVM", "deny=kvm;xen", "deny=kvm/xen",
		"deny=kvmkvmkvmkvmkvmkvmkvmkvmkvmkvmkvmkvmkvmkvmkvmkvmkvm",
	};
	size_t i;
	int loaded;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(EINVAL, load_pvhc(self->ko, bad[i])) TH_LOG("'%s' accepted", bad[i]);
		/* A rejected load leaves nothing behind. */
		loaded = access(PVHC_SYSFS, F_OK) == 0;
		EXPECT_FALSE(loaded) TH_LOG("'%s' left pvhc loaded", bad[i]);
		if (loaded)
			unload_pvhc();
	}
}

TEST_HARNESS_MAIN
