// SPDX-License-Identifier: GPL-2.0
/*
 * virtio_coalesce on a real virtio-net device with traffic to the lane's
 * host peer over tap: the knob's input checks, interrupts per packet at
 * levels 0, 50 and 100, traffic at every level and mode, settings put
 * back on mode off, and the module yielding to a value the user set.
 */
#include "kselftest_harness.h"
#include "vcoal.h"

FIXTURE(dev) {
	char name[64];
	struct sockaddr_in peer;
	long long defer0, flush0;
	int notf;
};

FIXTURE_SETUP(dev)
{
	char mech[32];

	if (!vcoal_first_dev(self->name, sizeof(self->name)))
		SKIP(return, "no virtio-net device attached (%s empty or absent)", VCOAL_ROOT);
	ASSERT_EQ(0, vcoal_read(self->name, "mechanism", mech, sizeof(mech)));
	self->notf = !strcmp(mech, "notf_coal");
	ASSERT_EQ(0, vcoal_write(self->name, "mode", "off"));
	self->defer0 = vcoal_net_ll(self->name, "napi_defer_hard_irqs");
	self->flush0 = vcoal_net_ll(self->name, "gro_flush_timeout");
	ASSERT_GE(self->defer0, 0);
	ASSERT_GE(self->flush0, 0);
}

FIXTURE_TEARDOWN(dev)
{
	if (!self->name[0])
		return;
	vcoal_write(self->name, "mode", "off");
	vcoal_net_write(self->name, "napi_defer_hard_irqs", self->defer0);
	vcoal_net_write(self->name, "gro_flush_timeout", self->flush0);
}

/* Bad input is refused and changes nothing. */
TEST_F(dev, bad_input)
{
	static const char * const bad_levels[] = { "101", "-1", "abc", "\n", "50x", "4294967296" };
	static const char * const bad_modes[] = { "Fixed", "\n", "on", "fixed adaptive" };
	char buf[32];
	unsigned int i;

	ASSERT_EQ(0, vcoal_write(self->name, "level", "40"));
	for (i = 0; i < ARRAY_SIZE(bad_levels); i++)
		EXPECT_EQ(-EINVAL, vcoal_write(self->name, "level", bad_levels[i]));
	EXPECT_EQ(40, vcoal_read_ll(self->name, "level"));
	for (i = 0; i < ARRAY_SIZE(bad_modes); i++)
		EXPECT_EQ(-EINVAL, vcoal_write(self->name, "mode", bad_modes[i]));
	ASSERT_EQ(0, vcoal_read(self->name, "mode", buf, sizeof(buf)));
	EXPECT_STREQ("off", buf);
	EXPECT_EQ(-EINVAL, vcoal_write(self->name, "target_us", "0"));
	EXPECT_EQ(-EINVAL, vcoal_write(self->name, "target_us", "100001"));
	EXPECT_EQ(0, vcoal_write(self->name, "target_us", "75"));
	EXPECT_EQ(75, vcoal_read_ll(self->name, "target_us"));
	/* Nothing was written to the device. */
	EXPECT_EQ(self->defer0, vcoal_net_ll(self->name, "napi_defer_hard_irqs"));
	EXPECT_EQ(self->flush0, vcoal_net_ll(self->name, "gro_flush_timeout"));
}

/* Fixed levels reach the device as the documented mapping; off puts back. */
TEST_F(dev, mapping_and_restore)
{
	static const int levels[] = { 1, 10, 50, 100, 0 };
	unsigned int i;

	if (self->notf)
		SKIP(return, "device coalescing (notf_coal): deferral not used");
	/* Settings of the user's, before the module acts. */
	ASSERT_EQ(0, vcoal_net_write(self->name, "napi_defer_hard_irqs", 2));
	ASSERT_EQ(0, vcoal_net_write(self->name, "gro_flush_timeout", 12345));
	ASSERT_EQ(0, vcoal_write(self->name, "mode", "fixed"));
	for (i = 0; i < ARRAY_SIZE(levels); i++) {
		char v[16];

		snprintf(v, sizeof(v), "%d", levels[i]);
		ASSERT_EQ(0, vcoal_write(self->name, "level", v));
		EXPECT_EQ(levels[i], vcoal_read_ll(self->name, "current_level"));
		EXPECT_EQ((levels[i] + 9) / 10, vcoal_net_ll(self->name, "napi_defer_hard_irqs"));
		EXPECT_EQ(levels[i] * 2000LL, vcoal_net_ll(self->name, "gro_flush_timeout"));
	}
	ASSERT_EQ(0, vcoal_write(self->name, "mode", "off"));
	EXPECT_EQ(2, vcoal_net_ll(self->name, "napi_defer_hard_irqs"));
	EXPECT_EQ(12345, vcoal_net_ll(self->name, "gro_flush_timeout"));
}

/* A value the user sets while the module acts is theirs: it yields. */
TEST_F(dev, yields_to_user)
{
	char buf[32];
	int i;

	if (self->notf)
		SKIP(return, "device coalescing (notf_coal): deferral not used");
	ASSERT_EQ(0, vcoal_write(self->name, "level", "30"));
	ASSERT_EQ(0, vcoal_write(self->name, "mode", "fixed"));
	ASSERT_EQ(60000, vcoal_net_ll(self->name, "gro_flush_timeout"));
	ASSERT_EQ(0, vcoal_net_write(self->name, "gro_flush_timeout", 999));
	for (i = 0; i < 50; i++) {
		usleep(100000);
		ASSERT_EQ(0, vcoal_read(self->name, "state", buf, sizeof(buf)));
		if (!strcmp(buf, "yielded"))
			break;
	}
	EXPECT_STREQ("yielded", buf);
	/* A level written now is stored, not applied. */
	EXPECT_EQ(0, vcoal_write(self->name, "level", "90"));
	EXPECT_EQ(999, vcoal_net_ll(self->name, "gro_flush_timeout"));
	/* Off leaves the user's value alone. */
	ASSERT_EQ(0, vcoal_write(self->name, "mode", "off"));
	EXPECT_EQ(999, vcoal_net_ll(self->name, "gro_flush_timeout"));
	/* Writing the mode takes the device back, saving what is there now. */
	ASSERT_EQ(0, vcoal_write(self->name, "mode", "fixed"));
	EXPECT_EQ(180000, vcoal_net_ll(self->name, "gro_flush_timeout"));
	ASSERT_EQ(0, vcoal_write(self->name, "mode", "off"));
	EXPECT_EQ(999, vcoal_net_ll(self->name, "gro_flush_timeout"));
	EXPECT_GE(vcoal_read_ll(self->name, "yields"), 1);
}

struct vcoal_run {
	double ipp;		/* interrupts per packet */
	long long bytes;
	int rr_ok;
};

static void vcoal_measure(const char *dev, const struct sockaddr_in *peer,
			  struct vcoal_run *r)
{
	long long i0, p0, i1, p1;

	i0 = vcoal_read_ll(dev, "interrupts");
	p0 = vcoal_read_ll(dev, "packets");
	r->bytes = vcoal_bulk_rx(peer, 3);
	/* The counters are sampled every sample_ms (100 ms by default). */
	usleep(300000);
	i1 = vcoal_read_ll(dev, "interrupts");
	p1 = vcoal_read_ll(dev, "packets");
	r->ipp = p1 > p0 ? (double)(i1 - i0) / (p1 - p0) : -1;
	r->rr_ok = vcoal_rr(peer, 50, NULL);
}

/* Real traffic: it flows at every level and mode, fewer interrupts as the level rises. */
TEST_F(dev, traffic)
{
	static const char * const levels[] = { "0", "50", "100" };
	struct vcoal_run r[3], a;
	unsigned int i;

	if (vcoal_net_up(self->name, &self->peer))
		SKIP(return, "the lane gave the guest no network (pv.net unset)");
	if (vcoal_rr(&self->peer, 3, NULL) == 0)
		SKIP(return, "no answer from the host peer %s", inet_ntoa(self->peer.sin_addr));
	ASSERT_EQ(0, vcoal_write(self->name, "mode", "fixed"));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, vcoal_write(self->name, "level", levels[i]));
		vcoal_measure(self->name, &self->peer, &r[i]);
		TH_LOG("level %s: %.4f interrupts/packet, %lld bytes in 3 s, %d/50 echoes",
		       levels[i], r[i].ipp, r[i].bytes, r[i].rr_ok);
		EXPECT_GT(r[i].bytes, 0);
		EXPECT_GE(r[i].rr_ok, 45);
		EXPECT_GT(r[i].ipp, 0);
	}
	/*
	 * Fewer interrupts per packet at 100 than at 0. The middle level is
	 * logged, not ordered: one 3 s sample under TCG does not place it
	 * (runs saw 0.0184 at 50 against 0.0375 at 100, and 0.0774 at 50
	 * against 0.0576 at 0, each with fewer bytes moved at 50).
	 */
	EXPECT_LT(r[2].ipp, r[0].ipp);

	ASSERT_EQ(0, vcoal_write(self->name, "mode", "adaptive"));
	vcoal_measure(self->name, &self->peer, &a);
	TH_LOG("adaptive: level %lld, %.4f interrupts/packet, %lld bytes, %d/50 echoes",
	       vcoal_read_ll(self->name, "current_level"), a.ipp, a.bytes, a.rr_ok);
	EXPECT_GT(a.bytes, 0);
	EXPECT_GE(a.rr_ok, 45);

	ASSERT_EQ(0, vcoal_write(self->name, "target_us", "20"));
	ASSERT_EQ(0, vcoal_write(self->name, "mode", "target"));
	vcoal_measure(self->name, &self->peer, &a);
	TH_LOG("target 20 us: level %lld, estimate %lld ns, %.4f interrupts/packet",
	       vcoal_read_ll(self->name, "current_level"),
	       vcoal_read_ll(self->name, "delay_estimate_ns"), a.ipp);
	TH_LOG("target 20 us: %lld bytes, %d/50 echoes", a.bytes, a.rr_ok);
	EXPECT_GT(a.bytes, 0);
	EXPECT_GE(a.rr_ok, 45);
	EXPECT_LE(vcoal_read_ll(self->name, "current_level"), 100);

	ASSERT_EQ(0, vcoal_write(self->name, "mode", "off"));
	EXPECT_EQ(self->defer0, vcoal_net_ll(self->name, "napi_defer_hard_irqs"));
	EXPECT_EQ(self->flush0, vcoal_net_ll(self->name, "gro_flush_timeout"));
	EXPECT_GE(vcoal_read_ll(self->name, "mode_changes"), 4);
}

TEST_HARNESS_MAIN
