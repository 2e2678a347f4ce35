// SPDX-License-Identifier: GPL-2.0
/*
 * pvhostd: the host side of the pvhost channel. Speaks QEMU's ivshmem
 * server protocol on a UNIX socket (one guest per socket), lays out the
 * pvhost region (include/uapi/linux/pvhost.h) and serves the pressure
 * gauge, the entropy ring, the mailbox and the clock from one
 * single-threaded epoll loop; with --qmp, the vCPU thread table too.
 * A second socket takes control commands (see pvctl).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "daemon.h"

#ifndef PVHOSTD_VERSION
#define PVHOSTD_VERSION "unknown"
#endif

static const char usage[] =
"Usage: pvhostd -s SOCKET [options]\n"
"Serve the pvhost channel (ABI %d.%d) to one QEMU guest over ivshmem:\n"
"  qemu-system-x86_64 -chardev socket,id=ivs,path=SOCKET \\\n"
"                     -device ivshmem-doorbell,chardev=ivs,vectors=5\n"
"\n"
"  -s, --socket PATH        ivshmem server socket for the guest (required)\n"
"  -c, --control PATH       control socket (default SOCKET.ctl)\n"
"      --socket-mode MODE   the guest socket's mode, octal (default 0660)\n"
"      --socket-group GROUP its group, a name or gid (for example\n"
"                           libvirt-qemu); default the daemon's group\n"
"      --control-mode MODE  the control socket's mode (default 0600)\n"
"      --control-group GROUP  its group; default the daemon's\n"
"  -g, --generation-file P  where the region generation persists across\n"
"                           restarts (default SOCKET.generation)\n"
"      --state-file PATH    what a restarted pvhostd needs to take its guest\n"
"                           back, with the session's descriptors from\n"
"                           systemd's fd store (default SOCKET.state)\n"
"  -m, --size BYTES         region size, a power of 2 >= 1M; K/M/G suffix\n"
"                           (default 1M)\n"
"  -n, --vcpus N            vCPU records, 1..%d (default 1)\n"
"  -i, --interval MS        pressure refresh and ring top-up period,\n"
"                           10..60000 ms (default 1000)\n"
"      --psi-range LO:HI    PSI memory 'some' avg10 percent mapped to\n"
"                           pressure 0..1 (default 10:60)\n"
"      --mem-range LO:HI    memory in use percent, 100 - 100 x\n"
"                           MemAvailable/MemTotal, mapped to 0..1\n"
"                           (default 80:98)\n"
"      --memdev NODE=PATH   guest NUMA node NODE's RAM is the shared file\n"
"                           PATH (QEMU memory-backend-file,share=on): NUMA\n"
"                           hints and topology are served; nodes 0..N-1,\n"
"                           once each\n"
"      --node-root DIR      host topology (default /sys/devices/system/node)\n"
"      --qmp PATH           QEMU's QMP socket (-qmp unix:PATH,server=on,\n"
"                           wait=off): the vCPU thread ids, asked when a\n"
"                           guest connects, retried until QEMU answers\n"
"      --vcpu-names         the vCPU threads by their names instead (QEMU\n"
"                           -name ...,debug-threads=on, as libvirt starts\n"
"                           it: \"CPU n/KVM\" or \"CPU n/TCG\") in the QEMU\n"
"                           process the guest socket's peer is; rescanned\n"
"                           every second (CPU hotplug). No monitor needed\n"
"      --doorbell-rate N    services a second the guest's rings of each\n"
"                           vector may cost, 1..100000 (default 1000; a\n"
"                           burst of N/10, at least 16): faster rings wait\n"
"      --vcpu-poll-ms MS    vCPU thread sampling period with --qmp,\n"
"                           5..1000 ms, at least one host tick (default 10)\n"
"      --boost-max-ms MS    longest boost, 1..10000 ms (default 100); after\n"
"                           a boost of T ms a vCPU's requests are refused\n"
"                           for 3 T ms\n"
"      --lock-hint-max-ms MS\n"
"                           longest a guest's lock hint keeps its vCPU\n"
"                           thread's priority raised, 0..10000 ms (default\n"
"                           20; 0: observe and count only); after T ms\n"
"                           raised the hint is refused for 3 T ms\n"
"  -h, --help               this text\n"
"  -V, --version            the version and the ABI it serves\n"
"\n"
"Pressure level = max(ramp(psi_some_avg10, PSI range),\n"
"                     ramp(100 - available%%, mem range)),\n"
"ramp being 0 at or below LO, 1 at or above HI, linear in between.\n"
"Features served: pressure, entropy, mailbox, clock, clock_pairing;\n"
"with --qmp or --vcpu-names also preempted, boost and lock_hint. A vCPU is preempted when its thread\n"
"is runnable and got no CPU over the last poll period; a boost, or a lock\n"
"hint seen set, lowers the thread's nice by 5 (root or CAP_SYS_NICE;\n"
"otherwise refused and counted).\n"
"With --memdev also numa_hint, numa_topo. A NUMA hint pins the hinted vCPU\n"
"threads to one host node's CPUs and prefers that node for the guest\n"
"node's memory (mbind MPOL_PREFERRED, resident pages moved). The node: the\n"
"one holding the guest node's memory if it has CPUs, else the one most of\n"
"the hinted vCPUs last ran on, else the lowest node with CPUs.\n"
"The guest is ivshmem peer %d, pvhostd is peer %d (header.host_peer_id).\n"
"A second client while a guest is connected is refused: it is sent\n"
"protocol version -16 (-EBUSY) so that its QEMU stops with \"server sent\n"
"version -16, expecting 0\". Each new guest gets a fresh region and\n"
"generation + 1.\n"
"Either socket accepts root, the daemon's user and members of the\n"
"socket's group (SO_PEERCRED, supplementary groups from /proc); others are\n"
"refused and counted (status: peers_refused), whatever the mode let\n"
"through.\n"
"\n"
"Control (pvctl -c CONTROL COMMAND): status | pressure set <0..1> |\n"
"  pressure auto | entropy fault zeros|repeat|replay|none |\n"
"  clock status | clock rate <ppm> |\n"
"  hostile header|garbage|relayout|gauge-range|gauge-stuck|ring-back|\n"
"  ring-past|mailbox-silent|mailbox-malformed|flood|vcpu-stuck|\n"
"  numa-garbage|preempt-garbage|off |\n"
"  numa status | numa hints | numa policy allow|deny | vcpu status |\n"
"  vcpu lock-hint-max MS\n"
"SIGTERM/SIGINT: region state STOPPING, clean exit. SIGUSR2 (under\n"
"systemd, with FileDescriptorStoreMax=): exit 75 leaving the guest's session\n"
"in the fd store for the next pvhostd (an upgrade). SOCKET.lock holds the\n"
"instance lock: one pvhostd per socket.\n";

static void print_usage(FILE *f)
{
	fprintf(f, usage, PVHOST_ABI_MAJOR, PVHOST_ABI_MINOR, PVHOST_MAX_VCPUS,
		PVHOSTD_GUEST_PEER, PVHOSTD_HOST_PEER);
}

static int parse_u32(const char *arg, u32 min, u32 max,
		     u32 *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(arg, &end, 0);
	if (errno || end == arg || *end || v < min || v > max)
		return -EINVAL;
	*out = (u32)v;
	return 0;
}

static int parse_size(const char *arg, u32 *out)
{
	unsigned long long v, mul = 1;
	char *end;

	errno = 0;
	v = strtoull(arg, &end, 0);
	if (errno || end == arg)
		return -EINVAL;
	if (*end == 'K' || *end == 'k')
		mul = 1ULL << 10;
	else if (*end == 'M' || *end == 'm')
		mul = 1ULL << 20;
	else if (*end == 'G' || *end == 'g')
		mul = 1ULL << 30;
	if (mul != 1)
		end++;
	if (*end || v > UINT32_MAX / mul)
		return -EINVAL;
	*out = (u32)(v * mul);
	return 0;
}

static char *path_with(const char *base, const char *suffix)
{
	char *p = malloc(strlen(base) + strlen(suffix) + 1);

	if (p)
		sprintf(p, "%s%s", base, suffix);
	return p;
}

enum {
	OPT_PSI = 256, OPT_MEM, OPT_MEMDEV, OPT_NODE_ROOT, OPT_QMP,
	OPT_VCPU_POLL, OPT_BOOST_MAX, OPT_SOCK_MODE, OPT_SOCK_GROUP,
	OPT_CTL_MODE, OPT_CTL_GROUP, OPT_VCPU_NAMES, OPT_DOORBELL_RATE,
	OPT_STATE_FILE,
	OPT_HINT_MAX,
};

static const struct option long_opts[] = {
	{ "socket", required_argument, NULL, 's' },
	{ "control", required_argument, NULL, 'c' },
	{ "socket-mode", required_argument, NULL, OPT_SOCK_MODE },
	{ "socket-group", required_argument, NULL, OPT_SOCK_GROUP },
	{ "control-mode", required_argument, NULL, OPT_CTL_MODE },
	{ "control-group", required_argument, NULL, OPT_CTL_GROUP },
	{ "generation-file", required_argument, NULL, 'g' },
	{ "state-file", required_argument, NULL, OPT_STATE_FILE },
	{ "size", required_argument, NULL, 'm' },
	{ "vcpus", required_argument, NULL, 'n' },
	{ "interval", required_argument, NULL, 'i' },
	{ "psi-range", required_argument, NULL, OPT_PSI },
	{ "mem-range", required_argument, NULL, OPT_MEM },
	{ "memdev", required_argument, NULL, OPT_MEMDEV },
	{ "node-root", required_argument, NULL, OPT_NODE_ROOT },
	{ "qmp", required_argument, NULL, OPT_QMP },
	{ "vcpu-names", no_argument, NULL, OPT_VCPU_NAMES },
	{ "doorbell-rate", required_argument, NULL, OPT_DOORBELL_RATE },
	{ "vcpu-poll-ms", required_argument, NULL, OPT_VCPU_POLL },
	{ "boost-max-ms", required_argument, NULL, OPT_BOOST_MAX },
	{ "lock-hint-max-ms", required_argument, NULL, OPT_HINT_MAX },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static int parse_memdev(struct pvhostd *d, const char *arg)
{
	const char *path;
	u32 node;

	if (pvhostd_memdev_parse(arg, &node, &path) || node != d->nr_memdev)
		return -EINVAL;
	d->memdev[d->nr_memdev++].path = path;
	return 0;
}

static int parse_opt(struct pvhostd *d, int c, const char *arg)
{
	struct pvhostd_opts *o = &d->opt;
	struct pvhostd_pressure_cfg *p = &o->pcfg;

	switch (c) {
	case OPT_MEMDEV:
		return parse_memdev(d, arg);
	case OPT_NODE_ROOT:
		o->node_root = arg;
		return 0;
	case 's':
		o->socket_path = arg;
		return 0;
	case 'c':
		o->ctl_path = arg;
		return 0;
	case OPT_SOCK_MODE:
		return pvhostd_parse_mode(arg, &o->sock_perm.mode);
	case OPT_SOCK_GROUP:
		o->sock_perm.set_group = true;
		return pvhostd_parse_group(arg, &o->sock_perm.group);
	case OPT_CTL_MODE:
		return pvhostd_parse_mode(arg, &o->ctl_perm.mode);
	case OPT_CTL_GROUP:
		o->ctl_perm.set_group = true;
		return pvhostd_parse_group(arg, &o->ctl_perm.group);
	case 'g':
		o->gen_path = arg;
		return 0;
	case OPT_STATE_FILE:
		o->state_path = arg;
		return *arg ? 0 : -EINVAL;
	case 'm':
		return parse_size(arg, &o->region_size);
	case 'n':
		return parse_u32(arg, 1, PVHOST_MAX_VCPUS, &o->nr_vcpus);
	case 'i':
		return parse_u32(arg, 10, 60000, &o->interval_ms);
	case OPT_PSI:
		return pvhostd_pressure_parse_range(arg, 100, &p->psi_lo,
						    &p->psi_hi);
	case OPT_MEM:
		return pvhostd_pressure_parse_range(arg, 10, &p->used_lo,
						    &p->used_hi);
	case OPT_QMP:
		o->qmp_path = arg;
		return *arg ? 0 : -EINVAL;
	case OPT_VCPU_NAMES:
		o->vcpu_names = true;
		return 0;
	case OPT_DOORBELL_RATE:
		return parse_u32(arg, 1, 100000, &o->doorbell_rate);
	case OPT_VCPU_POLL:
		return parse_u32(arg, 5, 1000, &o->vcpu_poll_ms);
	case OPT_BOOST_MAX:
		return parse_u32(arg, 1, 10000, &o->boost.max_ms);
	case OPT_HINT_MAX:
		return parse_u32(arg, 0, PVHOSTD_HINT_MAX_MS, &o->hint.max_ms);
	default:
		return -EINVAL;
	}
}

/* Return: 0 to run, 1 to exit successfully (--help, -V), -1 on bad usage. */
static int parse_args(struct pvhostd *d, int argc, char **argv)
{
	struct pvhostd_opts *o = &d->opt;
	struct pvhostd_layout lay;
	int c;

	*o = (struct pvhostd_opts){
		.region_size = PVHOST_REGION_MIN, .nr_vcpus = 1,
		.interval_ms = 1000, .vcpu_poll_ms = 10, .doorbell_rate = 1000,
		.boost = { .max_ms = 100, .cooldown_x = 3 },
		.hint = { .max_ms = 20, .cooldown_x = 3 },
		.pcfg = { .psi_lo = 1000, .psi_hi = 6000,
			  .used_lo = 800, .used_hi = 980 },
		.node_root = "/sys/devices/system/node",
		.sock_perm = { .mode = 0660, .group = getegid() },
		.ctl_perm = { .mode = 0600, .group = getegid() },
	};
	while ((c = getopt_long(argc, argv, "s:c:g:m:n:i:hV", long_opts,
				NULL)) != -1) {
		if (c == 'h') {
			print_usage(stdout);
			return 1;
		}
		if (c == 'V') {
			printf("pvhostd %s (pvhost ABI %d.%d)\n", PVHOSTD_VERSION,
			       PVHOST_ABI_MAJOR, PVHOST_ABI_MINOR);
			return 1;
		}
		if (parse_opt(d, c, optarg)) {
			fprintf(stderr, "pvhostd: bad option -%c %s\n",
				c < 256 ? c : '-', optarg ? optarg : "");
			return -1;
		}
	}
	if (o->qmp_path && o->vcpu_names) {
		fprintf(stderr, "pvhostd: give --qmp or --vcpu-names, not both\n");
		return -1;
	}
	if (optind != argc || !o->socket_path) {
		print_usage(stderr);
		return -1;
	}
	if (pvhostd_layout_plan(o->region_size, o->nr_vcpus, &lay)) {
		fprintf(stderr, "pvhostd: region size must be a power of 2 from 1M to 1G\n");
		return -1;
	}
	if (!o->ctl_path)
		o->ctl_path = path_with(o->socket_path, ".ctl");
	if (!o->gen_path)
		o->gen_path = path_with(o->socket_path, ".generation");
	if (!o->state_path)
		o->state_path = path_with(o->socket_path, ".state");
	o->lock_path = path_with(o->socket_path, ".lock");
	return o->ctl_path && o->gen_path && o->state_path && o->lock_path ?
	       0 : -1;
}

static u32 generation_load(const char *path)
{
	unsigned int gen = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	if (fscanf(f, "%u", &gen) != 1)
		gen = 0;
	fclose(f);
	return gen;
}

static int signals_open(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR2);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -1;
	signal(SIGPIPE, SIG_IGN);
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

static int timer_open(u32 ms)
{
	struct itimerspec its = {
		.it_interval = { ms / 1000, (ms % 1000) * 1000000L },
		.it_value = { ms / 1000, (ms % 1000) * 1000000L },
	};
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);

	if (fd >= 0 && timerfd_settime(fd, 0, &its, NULL)) {
		close(fd);
		return -1;
	}
	return fd;
}

static int daemon_open(struct pvhostd *d)
{
	u32 i;

	d->listen_fd = -1;
	d->ctl_fd = -1;
	d->epfd = -1;
	d->sig_fd = -1;
	d->timer_fd = -1;
	d->vcpu_timer_fd = -1;
	d->throttle_fd = -1;
	d->qmp.fd = -1;
	d->qmp.state = d->opt.qmp_path ? PVHOSTD_QMPC_IDLE : PVHOSTD_QMPC_OFF;
	d->s.sock = -1;
	for (i = 0; i < PVHOSTD_CTL_CLIENTS; i++)
		d->ctl[i].fd = -1;
	d->lock_fd = pvhostd_lock(d->opt.lock_path);
	if (d->lock_fd < 0) {
		pvhostd_log("%s: %s", d->opt.lock_path,
			    d->lock_fd == -EBUSY ?
			    "another pvhostd serves this socket" :
			    strerror(-d->lock_fd));
		return -1;
	}
	d->generation = generation_load(d->opt.gen_path);
	if (pvhostd_numa_setup(d))
		return -1;
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	d->sig_fd = signals_open();
	d->timer_fd = timer_open(d->opt.interval_ms);
	d->listen_fd = pvhostd_listen_unix(d->opt.socket_path, &d->opt.sock_perm);
	if (d->listen_fd < 0) {
		pvhostd_log("%s: %s", d->opt.socket_path, strerror(-d->listen_fd));
		return -1;
	}
	d->ctl_fd = pvhostd_listen_unix(d->opt.ctl_path, &d->opt.ctl_perm);
	if (d->ctl_fd < 0) {
		pvhostd_log("%s: %s", d->opt.ctl_path, strerror(-d->ctl_fd));
		return -1;
	}
	d->throttle_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (d->throttle_fd < 0 ||
	    pvhostd_epoll_add(d, d->throttle_fd, TAG_THROTTLE, 0))
		return -1;
	if (d->opt.qmp_path || d->opt.vcpu_names) {
		d->vcpu_timer_fd = timerfd_create(CLOCK_MONOTONIC,
						  TFD_CLOEXEC | TFD_NONBLOCK);
		if (d->vcpu_timer_fd < 0 ||
		    pvhostd_epoll_add(d, d->vcpu_timer_fd, TAG_VCPU_TIMER, 0))
			return -1;
	}
	if (d->epfd < 0 || d->sig_fd < 0 || d->timer_fd < 0 ||
	    pvhostd_epoll_add(d, d->listen_fd, TAG_LISTEN, 0) ||
	    pvhostd_epoll_add(d, d->ctl_fd, TAG_CTL_LISTEN, 0) ||
	    pvhostd_epoll_add(d, d->sig_fd, TAG_SIGNAL, 0) ||
	    pvhostd_epoll_add(d, d->timer_fd, TAG_TIMER, 0))
		return -1;
	/* the instance lock is held: a guest handed back is ours alone */
	pvhostd_restart_adopt(d);
	return 0;
}

static void daemon_close(struct pvhostd *d)
{
	pvhostd_session_end(d, "pvhostd stopping");
	pvhostd_numa_close(d);
	pvhostd_ctl_close_all(d);
	if (d->listen_fd >= 0) {
		close(d->listen_fd);
		unlink(d->opt.socket_path);
	}
	if (d->ctl_fd >= 0) {
		close(d->ctl_fd);
		unlink(d->opt.ctl_path);
	}
	close(d->timer_fd);
	if (d->vcpu_timer_fd >= 0)
		close(d->vcpu_timer_fd);
	if (d->throttle_fd >= 0)
		close(d->throttle_fd);
	close(d->sig_fd);
	close(d->epfd);
	if (d->lock_fd >= 0)
		close(d->lock_fd);	/* the lock file stays: unlinking it races */
}

static void on_signal(struct pvhostd *d)
{
	struct signalfd_siginfo si;

	if (read(d->sig_fd, &si, sizeof(si)) != sizeof(si))
		return;
	if (si.ssi_signo == SIGHUP)
		return;
	if (si.ssi_signo == SIGUSR2) {
		if (!d->fdstore) {
			pvhostd_log("SIGUSR2: no fd store to hand the guest over in: ignored");
			return;
		}
		pvhostd_log("SIGUSR2: exiting, the guest left to the next pvhostd");
		d->handover = true;
		d->stopping = true;
		return;
	}
	pvhostd_log("signal %u: stopping", si.ssi_signo);
	d->stopping = true;
	if (d->s.base)
		pvhostd_region_set_state(d->s.base, PVHOST_STATE_STOPPING);
}

static void on_timer(struct pvhostd *d)
{
	u64 ticks;

	if (read(d->timer_fd, &ticks, sizeof(ticks)) != sizeof(ticks))
		return;
	pvhostd_session_tick(d);
	pvhostd_ctl_expire(d);
}

static void dispatch(struct pvhostd *d, u64 data)
{
	u32 idx = (u32)data;

	switch ((enum pvhostd_tag)(data >> 32)) {
	case TAG_LISTEN:
		pvhostd_session_accept(d);
		break;
	case TAG_CTL_LISTEN:
		pvhostd_ctl_accept(d);
		break;
	case TAG_SIGNAL:
		on_signal(d);
		break;
	case TAG_TIMER:
		on_timer(d);
		break;
	case TAG_GUEST:
		pvhostd_session_guest_input(d);
		break;
	case TAG_DOORBELL:
		pvhostd_session_doorbell(d, idx);
		break;
	case TAG_CTL_CLIENT:
		pvhostd_ctl_input(d, idx);
		break;
	case TAG_QMP:
		pvhostd_qmp_input(d);
		break;
	case TAG_VCPU_TIMER:
		pvhostd_vcpu_timer(d);
		break;
	case TAG_THROTTLE:
		pvhostd_session_throttle(d);
		break;
	}
}

/*
 * Events are dispatched one epoll_wait() batch at a time; a handler may
 * close fds a later event in the batch refers to, so every handler checks
 * that its object still exists.
 */
static int run(struct pvhostd *d)
{
	struct epoll_event ev[16];
	int n, i;

	while (!d->stopping) {
		n = epoll_wait(d->epfd, ev, 16, pvhostd_hostile_timeout(d));
		if (n < 0 && errno != EINTR) {
			pvhostd_log("epoll_wait: %s", strerror(errno));
			return -1;
		}
		for (i = 0; i < n && !d->stopping; i++)
			dispatch(d, ev[i].data.u64);
		pvhostd_hostile_flood(d);
		pvhostd_restart_save(d);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct pvhostd d;
	int ret = parse_args(&d, argc, argv);

	d.lock_fd = -1;
	d.pressure_inputs = -1;

	if (ret)
		return ret > 0 ? 0 : 2;
	if (daemon_open(&d)) {
		daemon_close(&d);
		return 1;
	}
	pvhostd_log("listening on %s (control %s), generation %u",
		    d.opt.socket_path, d.opt.ctl_path, d.generation);
	ret = run(&d);
	if (d.handover) {
		/*
		 * Everything as it is: the session's descriptors are in the
		 * store, the state file current, the boosts and affinities
		 * the next daemon's to give back.
		 */
		pvhostd_restart_save(&d);
		return PVHOSTD_EXIT_HANDOVER;
	}
	daemon_close(&d);
	return ret ? 1 : 0;
}
