// SPDX-License-Identifier: GPL-2.0
/*
 * Hot-unplug of the virtio-net device while virtio_coalesce acts on it:
 * the host peer has QEMU unplug it (device_del over the lane's monitor);
 * the module must let go of it cleanly (the lane fails on any kernel
 * report) and stay loaded and unloadable. Runs last: the NIC is gone after.
 */
#include "kselftest_harness.h"
#include "vcoal.h"

TEST(unplug_while_attached)
{
	struct sockaddr_in peer;
	char name[64], p[512], reply[64] = "";
	int fd, i;
	ssize_t n;

	if (!vcoal_first_dev(name, sizeof(name)))
		SKIP(return, "no virtio-net device attached (%s empty or absent)", VCOAL_ROOT);
	if (vcoal_net_up(name, &peer))
		SKIP(return, "the lane gave the guest no network (pv.net unset)");
	ASSERT_EQ(0, vcoal_write(name, "level", "60"));
	ASSERT_EQ(0, vcoal_write(name, "mode", "adaptive"));
	/* Some traffic, so the sampler and the controller are busy. */
	vcoal_bulk_rx(&peer, 1);

	peer.sin_port = htons(5);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	ASSERT_GE(fd, 0);
	vcoal_timeout(fd, 5);
	ASSERT_EQ(0, connect(fd, (struct sockaddr *)&peer, sizeof(peer)));
	ASSERT_EQ(6, send(fd, "unplug", 6, 0));
	n = recv(fd, reply, sizeof(reply) - 1, 0);
	close(fd);
	if (n <= 0)
		SKIP(return, "the host peer does not answer unplug requests");
	reply[n] = '\0';
	if (strcmp(reply, "ok"))
		SKIP(return, "the host cannot unplug the NIC: %s", reply);

	snprintf(p, sizeof(p), VCOAL_ROOT "/%s", name);
	/*
	 * ACPI hotplug (q35's default for root ports) takes about a second
	 * here; pciehp would wait 5 s for a cancel. A loaded TCG host is
	 * slow: 20 s, within the harness's 30 s for the whole test.
	 */
	for (i = 0; i < 200 && !access(p, F_OK); i++)
		usleep(100000);
	TH_LOG("host answered %s; %s gone after %.1f s", reply, p, i / 10.0);
	if (!access(p, F_OK))
		system("dmesg | tail -15 >&2");
	EXPECT_NE(0, access(p, F_OK));
	snprintf(p, sizeof(p), "/sys/class/net/%s", name);
	EXPECT_NE(0, access(p, F_OK));
	EXPECT_EQ(0, access(VCOAL_ROOT, F_OK));
}

TEST_HARNESS_MAIN
