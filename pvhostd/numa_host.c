// SPDX-License-Identifier: GPL-2.0
/*
 * NUMA serving in the daemon: the host's real data and actions behind
 * numa.c. A hint pins the hinted vCPU threads to the chosen host node's
 * CPUs (sched_setaffinity) and prefers that node for the guest node's
 * backing file (mbind); the tick samples where each vCPU thread last ran
 * and where each guest node's memory lives, and republishes the topology
 * when either changed.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include <linux/mempolicy.h>

#include "daemon.h"

static int numa_affinity(void *ctx, u32 vcpu, u32 host_node)
{
	struct pvhostd *d = ctx;
	pid_t tid = pvhostd_vcpu_tid(d, vcpu);
	struct pvhostd_vcpu_host *h;
	cpu_set_t *set;
	size_t size;
	u32 cpu;
	int ret = 0;

	if (tid <= 0 || host_node >= d->topo.nr_nodes ||
	    !pvhostd_vcpu_thread_ok(d, vcpu))
		return -ESRCH;
	h = &d->s.vh[vcpu];
	size = CPU_ALLOC_SIZE(PVHOSTD_MAX_CPUS);
	/* What the operator gave the thread, kept before the first change. */
	if (!h->aff_orig) {
		h->aff_orig = CPU_ALLOC(PVHOSTD_MAX_CPUS);
		if (!h->aff_orig)
			return -ENOMEM;
		if (sched_getaffinity(tid, size, h->aff_orig)) {
			ret = -errno;
			CPU_FREE(h->aff_orig);
			h->aff_orig = NULL;
			return ret;
		}
	}
	set = CPU_ALLOC(PVHOSTD_MAX_CPUS);
	if (!set)
		return -ENOMEM;
	CPU_ZERO_S(size, set);
	for (cpu = 0; cpu < PVHOSTD_MAX_CPUS; cpu++)
		if (d->topo.cpus[host_node][cpu / 64] >> (cpu % 64) & 1)
			CPU_SET_S(cpu, size, set);
	/* Narrowed, never widened: none of its CPUs on that node, refused. */
	CPU_AND_S(size, set, set, h->aff_orig);
	if (!CPU_COUNT_S(size, set))
		ret = -EPERM;
	else if (sched_setaffinity(tid, size, set))
		ret = -errno;
	CPU_FREE(set);
	return ret;
}

/**
 * pvhostd_numa_restore_affinity - give each vCPU thread back the affinity
 *	it had before the guest's hints changed it
 * @d: the daemon
 *
 * At the end of a session and when the thread table changes; a thread
 * that is gone is left alone.
 */
void pvhostd_numa_restore_affinity(struct pvhostd *d)
{
	size_t size = CPU_ALLOC_SIZE(PVHOSTD_MAX_CPUS);
	struct pvhostd_vcpu_host *h;
	u32 i;

	for (i = 0; i < PVHOST_MAX_VCPUS; i++) {
		h = &d->s.vh[i];
		if (!h->aff_orig)
			continue;
		if (pvhostd_vcpu_thread_ok(d, i) &&
		    sched_setaffinity(d->s.vcpu_tid[i], size, h->aff_orig))
			pvhostd_log("vCPU %u: affinity not restored: %s", i,
				    strerror(errno));
		CPU_FREE(h->aff_orig);
		h->aff_orig = NULL;
	}
}

/*
 * Open a guest node's RAM file for this session, and keep it only if the
 * guest's QEMU maps that very file (device and inode in its maps): the
 * path is the operator's, the file behind it could be anyone's.
 */
static int memdev_open_checked(struct pvhostd *d, struct pvhostd_memdev *m)
{
	static char maps[1 << 20];
	char path[64];
	struct stat st;
	ssize_t n, len = 0;
	int fd, ret;

	if (m->map)
		return 0;
	ret = pvhostd_memdev_open(m);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)d->s.qemu_pid);
	fd = d->s.qemu_pid > 0 ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	ret = fd < 0 ? -errno : 0;
	while (fd >= 0 && (n = read(fd, maps + len, sizeof(maps) - 1 - len)) > 0)
		len += n;
	if (fd >= 0)
		close(fd);
	maps[len] = '\0';
	if (!ret && (fstat(m->fd, &st) || !pvhostd_maps_has(maps, st.st_dev, st.st_ino)))
		ret = -ENOENT;	/* not mapped by QEMU, or not yet */
	if (ret) {
		if (ret != m->refused)
			pvhostd_log("numa: %s: %s", m->path,
				    ret == -ENOENT ? "not a file the guest's QEMU maps (yet)" :
				    strerror(-ret));
		m->refused = ret;
		pvhostd_memdev_close(m);
		return ret;
	}
	m->refused = 0;
	return 0;
}

static int numa_memory(void *ctx, u32 guest_node, u32 host_node)
{
	struct pvhostd *d = ctx;
	struct pvhostd_memdev *m;
	int ret;

	if (guest_node >= d->nr_memdev)
		return -ENODEV;
	m = &d->memdev[guest_node];
	ret = memdev_open_checked(d, m);
	if (!ret)
		ret = pvhostd_memdev_bind(m, host_node);
	/* Cut short under us: drop it, the next hint maps it again. */
	if (ret == -ESTALE)
		pvhostd_memdev_close(m);
	if (ret)
		pvhostd_log("numa: guest node %u (%s) to host node %u: %s",
			    guest_node, m->path, host_node, strerror(-ret));
	return ret;
}

static const struct pvhostd_numa_ops numa_ops = {
	.affinity = numa_affinity,
	.memory = numa_memory,
};

/**
 * pvhostd_numa_setup - read the host topology at start
 * @d: the daemon
 * Return: 0, or -1 if --memdev was given and the topology is unusable
 */
int pvhostd_numa_setup(struct pvhostd *d)
{
	u32 i;
	int ret;

	for (i = 0; i < d->nr_memdev; i++) {
		d->memdev[i].fd = -1;
		d->memdev[i].bound = PVHOST_NUMA_NODE_UNKNOWN;
	}
	if (!d->nr_memdev)
		return 0;
	ret = pvhostd_topo_parse(d->opt.node_root, &d->topo);
	if (ret) {
		pvhostd_log("numa: host topology from %s: %s",
			    d->opt.node_root, strerror(-ret));
		return -1;
	}
	d->topo_ok = true;
	pvhostd_log("numa: %u host nodes, %u guest nodes with backing files",
		    d->topo.nr_nodes, d->nr_memdev);
	return 0;
}

/**
 * pvhostd_numa_features - what the NUMA part adds to the header
 * @d: the daemon
 * Return: PVHOST_F_NUMA_HINT | PVHOST_F_NUMA_TOPO with --memdev, else 0
 */
u64 pvhostd_numa_features(const struct pvhostd *d)
{
	return d->topo_ok ? PVHOST_F_NUMA_HINT | PVHOST_F_NUMA_TOPO : 0;
}

/**
 * pvhostd_numa_start - serve the NUMA area of a freshly laid-out region
 * @d: the daemon
 */
void pvhostd_numa_start(struct pvhostd *d)
{
	struct pvhostd_session *s = &d->s;
	u32 i;

	memset(&s->numa, 0, sizeof(s->numa));
	if (!(s->lay.features & PVHOST_F_NUMA_TOPO))
		return;
	s->numa.ops = &numa_ops;
	s->numa.ctx = d;
	s->numa.deny = d->numa_deny;
	for (i = 0; i < d->nr_memdev; i++)
		memdev_open_checked(d, &d->memdev[i]);
	pvhostd_numa_init(&s->numa, pvhostd_at(s->base, s->lay.numa_offset),
			  s->lay.nr_vcpus, d->nr_memdev, &d->topo);
	pvhostd_numa_tick(d);
}

/**
 * pvhostd_numa_serve_queue - answer queued hints, bounded
 * @d: the daemon
 */
void pvhostd_numa_serve_queue(struct pvhostd *d)
{
	if (d->s.sock < 0 || !d->s.numa.area ||
	    pvhostd_hostile_serve(d, PVHOSTD_PART_NUMA))
		return;
	if (pvhostd_numa_serve(&d->s.numa, PVHOSTD_NUMA_BUDGET))
		pvhostd_session_raise(d, PVHOST_VEC_NUMA);
}

/* Where a vCPU thread last ran, or UNKNOWN. */
static u32 vcpu_node(struct pvhostd *d, u32 vcpu)
{
	char path[64], buf[1024];
	pid_t tid = pvhostd_vcpu_tid(d, vcpu);
	FILE *f;
	size_t n;
	int cpu;

	if (tid <= 0)
		return PVHOST_NUMA_NODE_UNKNOWN;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)tid,
		 (int)tid);
	f = fopen(path, "re");
	if (!f)
		return PVHOST_NUMA_NODE_UNKNOWN;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	cpu = pvhostd_thread_cpu(buf);
	return cpu < 0 ? PVHOST_NUMA_NODE_UNKNOWN :
	       pvhostd_topo_cpu_node(&d->topo, (u32)cpu);
}

/**
 * pvhostd_numa_tick - refresh where vCPUs run and memory lives
 * @d: the daemon
 *
 * Republishes the topology when anything changed, then answers hints
 * whose doorbell was lost.
 */
void pvhostd_numa_tick(struct pvhostd *d)
{
	struct pvhostd_numa *n = &d->s.numa;
	bool changed = false;
	u32 i, v;

	if (d->s.sock < 0 || !n->area ||
	    pvhostd_hostile_serve(d, PVHOSTD_PART_NUMA))
		return;
	for (i = 0; i < n->nr_vcpus; i++) {
		v = vcpu_node(d, i);
		changed |= v != n->vcpu_node[i];
		n->vcpu_node[i] = v;
	}
	for (i = 0; i < d->nr_memdev; i++) {
		memdev_open_checked(d, &d->memdev[i]);
		v = pvhostd_memdev_where(&d->memdev[i]);
		changed |= v != n->mem_node[i];
		n->mem_node[i] = v;
	}
	if (changed)
		pvhostd_numa_publish(n);
	pvhostd_numa_serve_queue(d);
}

/**
 * pvhostd_numa_close - unmap the backing files (the session ended: the
 *	next guest's QEMU maps its own)
 * @d: the daemon
 */
void pvhostd_numa_close(struct pvhostd *d)
{
	u32 i;

	for (i = 0; i < d->nr_memdev; i++)
		pvhostd_memdev_close(&d->memdev[i]);
}

static void say_cpus(char *buf, size_t len, const u64 *mask, u32 nbits)
{
	size_t off = 0;
	u32 a = 0, b;

	buf[0] = '\0';
	while (a < nbits) {
		if (!(mask[a / 64] >> (a % 64) & 1)) {
			a++;
			continue;
		}
		for (b = a; b + 1 < nbits && mask[(b + 1) / 64] >> ((b + 1) % 64) & 1; b++)
			;
		off += snprintf(buf + off, off < len ? len - off : 0,
				a == b ? "%s%u" : "%s%u-%u", off ? "," : "",
				a, b);
		a = b + 1;
	}
	if (!off)
		snprintf(buf, len, "none");
}

/* The affinity of a thread as a CPU list, or "unknown". */
static void say_affinity(char *buf, size_t len, pid_t tid)
{
	u64 mask[PVHOSTD_CPU_WORDS] = { 0 };
	size_t size = CPU_ALLOC_SIZE(PVHOSTD_MAX_CPUS);
	cpu_set_t *set = CPU_ALLOC(PVHOSTD_MAX_CPUS);
	u32 cpu;

	snprintf(buf, len, "unknown");
	if (!set)
		return;
	if (tid > 0 && !sched_getaffinity(tid, size, set)) {
		for (cpu = 0; cpu < PVHOSTD_MAX_CPUS; cpu++)
			if (CPU_ISSET_S(cpu, size, set))
				mask[cpu / 64] |= 1ULL << (cpu % 64);
		say_cpus(buf, len, mask, PVHOSTD_MAX_CPUS);
	}
	CPU_FREE(set);
}

static void say_node(char *buf, size_t len, u32 node)
{
	if (node == PVHOST_NUMA_NODE_UNKNOWN)
		snprintf(buf, len, "unknown");
	else
		snprintf(buf, len, "%u", node);
}

/**
 * pvhostd_numa_say_status - "pvctl numa status"
 * @d: the daemon
 * @say: appends a line to the reply
 * @r: the reply
 */
void pvhostd_numa_say_status(struct pvhostd *d,
			     void (*say)(void *r, const char *line), void *r)
{
	const struct pvhostd_numa *n = &d->s.numa;
	char line[512], a[256], b[32];
	u32 i, j;
	size_t off;
	int mode;

	snprintf(line, sizeof(line), "numa=%s\npolicy=%s\n",
		 d->topo_ok ? "served" : "off", d->numa_deny ? "deny" : "allow");
	say(r, line);
	if (!d->topo_ok)
		return;
	snprintf(line, sizeof(line), "nr_host_nodes=%u\nnr_nodes=%u\n",
		 d->topo.nr_nodes, d->nr_memdev);
	say(r, line);
	for (i = 0; i < d->topo.nr_nodes; i++) {
		say_cpus(a, sizeof(a), d->topo.cpus[i], PVHOSTD_MAX_CPUS);
		off = snprintf(line, sizeof(line), "host_node%u cpus=%s distance=",
			       i, a);
		for (j = 0; j < d->topo.nr_nodes && off < sizeof(line); j++)
			off += snprintf(line + off, sizeof(line) - off, "%s%u",
					j ? "," : "", d->topo.distance[i][j]);
		if (off < sizeof(line) - 1)
			snprintf(line + off, sizeof(line) - off, "\n");
		say(r, line);
	}
	for (i = 0; i < d->nr_memdev; i++) {
		struct pvhostd_memdev *m = &d->memdev[i];
		u32 pnode;

		mode = pvhostd_memdev_policy(m, &pnode);
		say_node(a, sizeof(a), n->area ? n->mem_node[i] :
			 PVHOST_NUMA_NODE_UNKNOWN);
		say_node(b, sizeof(b), pnode);
		snprintf(line, sizeof(line),
			 "node%u file=%s open=%d memory_on=%s policy=%s policy_node=%s moved=%llu stuck=%llu resident=%llu binds=%llu rebinds=%llu\n",
			 i, m->path, !!m->map, a,
			 mode == MPOL_PREFERRED ? "preferred" :
			 mode == MPOL_BIND ? "bind" :
			 mode == MPOL_DEFAULT ? "default" :
			 mode < 0 ? "unknown" : "other", b,
			 (unsigned long long)m->moved,
			 (unsigned long long)m->stuck,
			 (unsigned long long)m->resident,
			 (unsigned long long)m->binds,
			 (unsigned long long)m->rebinds);
		say(r, line);
	}
	if (d->s.sock < 0 || !n->area) {
		say(r, "peer=none\n");
		return;
	}
	for (i = 0; i < n->nr_vcpus; i++) {
		pid_t tid = pvhostd_vcpu_tid(d, i);

		say_node(b, sizeof(b), n->vcpu_node[i]);
		say_affinity(a, sizeof(a), tid);
		snprintf(line, sizeof(line), "vcpu%u tid=%d host_node=%s affinity=%s\n",
			 i, (int)tid, b, a);
		say(r, line);
	}
	snprintf(line, sizeof(line),
		 "hints=%llu\napplied=%llu\npartial=%llu\nrejected=%llu\nlost=%llu\npublished=%llu\n",
		 (unsigned long long)n->hints, (unsigned long long)n->applied,
		 (unsigned long long)n->partial,
		 (unsigned long long)n->rejected, (unsigned long long)n->lost,
		 (unsigned long long)n->published);
	say(r, line);
}

/**
 * pvhostd_numa_say_hints - "pvctl numa hints": the latest hints, oldest first
 * @d: the daemon
 * @say: appends a line to the reply
 * @r: the reply
 */
void pvhostd_numa_say_hints(struct pvhostd *d,
			    void (*say)(void *r, const char *line), void *r)
{
	const struct pvhostd_numa *n = &d->s.numa;
	const struct pvhostd_hint_rec *h;
	char line[256], cpus[128], node[16];
	u32 i, first;

	first = n->log_head > PVHOSTD_NUMA_LOG ?
		n->log_head - PVHOSTD_NUMA_LOG : 0;
	for (i = first; i < n->log_head; i++) {
		h = &n->log[i % PVHOSTD_NUMA_LOG];
		say_cpus(cpus, sizeof(cpus), h->hint.cpus, PVHOST_MAX_VCPUS);
		say_node(node, sizeof(node), h->host_node);
		snprintf(line, sizeof(line),
			 "hint slot=%u id=%u node=%u cpus=%s flags=%#x status=%s reason=%s host_node=%s\n",
			 h->slot, h->hint.id, h->hint.node, cpus, h->hint.flags,
			 pvhostd_numa_status_name(h->status),
			 pvhostd_numa_reason_name(h->reason), node);
		say(r, line);
	}
}
