// SPDX-License-Identifier: GPL-2.0
/*
 * Unloading virtio_coalesce while it acts on a device puts the device's
 * settings back as it found them; loaded again, it attaches again.
 */
#include <fcntl.h>

#include "kselftest_harness.h"
#include "pv_module.h"
#include "vcoal.h"

TEST(unload_restores)
{
	const char *ko = getenv("PV_MODULE_PATH");
	char name[64], again[64];
	int ret;

	if (!vcoal_first_dev(name, sizeof(name)))
		SKIP(return, "no virtio-net device attached (%s empty or absent)", VCOAL_ROOT);
	if (!ko)
		SKIP(return, "PV_MODULE_PATH not set: cannot reload the module");
	ASSERT_EQ(0, vcoal_write(name, "mode", "off"));
	ASSERT_EQ(0, vcoal_net_write(name, "napi_defer_hard_irqs", 4));
	ASSERT_EQ(0, vcoal_net_write(name, "gro_flush_timeout", 54321));
	ASSERT_EQ(0, vcoal_write(name, "level", "100"));
	ASSERT_EQ(0, vcoal_write(name, "mode", "fixed"));
	ASSERT_EQ(200000, vcoal_net_ll(name, "gro_flush_timeout"));

	ret = pv_module_unload("virtio_coalesce");
	ASSERT_EQ(0, ret) TH_LOG("rmmod virtio_coalesce: %s", strerror(-ret));
	EXPECT_EQ(4, vcoal_net_ll(name, "napi_defer_hard_irqs"));
	EXPECT_EQ(54321, vcoal_net_ll(name, "gro_flush_timeout"));
	EXPECT_NE(0, access(VCOAL_ROOT, F_OK));

	ret = pv_module_load(ko, "");
	ASSERT_EQ(0, ret) TH_LOG("insmod %s: %s", ko, strerror(-ret));
	ASSERT_NE(NULL, vcoal_first_dev(again, sizeof(again)));
	EXPECT_STREQ(name, again);
	/* Attached again, idle: nothing changed. */
	EXPECT_EQ(54321, vcoal_net_ll(name, "gro_flush_timeout"));
	vcoal_net_write(name, "napi_defer_hard_irqs", 0);
	vcoal_net_write(name, "gro_flush_timeout", 0);
}

TEST_HARNESS_MAIN
