// SPDX-License-Identifier: GPL-2.0
/*
 * NUMA serving: the host topology from sysfs, the guest's hint queue, and
 * the guest RAM backing files whose memory policy a hint changes.
 *
 * The guest fills a hint slot and sets it QUEUED; each field is loaded
 * once into a private copy, validated, then applied through callbacks (the
 * daemon's set vCPU thread affinity and bind the memory; the unit tests
 * and the fuzzer record what was asked). The answer replaces QUEUED only if
 * the slot still says QUEUED, so a guest rewriting a slot under the host
 * loses its own hint and nothing else. At most a budget of slots is
 * answered per wake-up: a guest flooding the queue only waits longer.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/mempolicy.h>

#include "pvhostd.h"

static bool bit_test(const u64 *map, u32 bit)
{
	return map[bit / 64] >> (bit % 64) & 1;
}

static void bit_set(u64 *map, u32 bit)
{
	map[bit / 64] |= 1ULL << (bit % 64);
}

/**
 * pvhostd_cpulist_parse - parse a sysfs CPU list ("0-3,8,10-11")
 * @s: the text; one trailing newline is allowed, an empty list is valid
 * @mask: PVHOSTD_CPU_WORDS words, set to the CPUs listed
 * @nbits: CPUs at or above this are rejected
 * Return: the number of CPUs, or -EINVAL
 */
int pvhostd_cpulist_parse(const char *s, u64 *mask, u32 nbits)
{
	unsigned long a, b, i;
	int n = 0;
	char *end;

	memset(mask, 0, PVHOSTD_CPU_WORDS * sizeof(u64));
	if (*s == '\n' && !s[1])
		return 0;
	while (*s) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		errno = 0;
		a = strtoul(s, &end, 10);
		b = a;
		if (errno)
			return -EINVAL;
		s = end;
		if (*s == '-') {
			if (s[1] < '0' || s[1] > '9')
				return -EINVAL;
			b = strtoul(s + 1, &end, 10);
			if (errno)
				return -EINVAL;
			s = end;
		}
		if (a > b || b >= nbits || b >= PVHOSTD_MAX_CPUS)
			return -EINVAL;
		for (i = a; i <= b; i++) {
			if (!bit_test(mask, i))
				n++;
			bit_set(mask, i);
		}
		if (*s == ',')
			s++;
		else if (*s == '\n' && !s[1])
			break;
		else if (*s)
			return -EINVAL;
	}
	return n;
}

/* "10 21 21 10\n": one row of the SLIT, @nr entries of 10..254. */
static int distance_parse(const char *s, u32 nr, u8 *row)
{
	unsigned long v;
	char *end;
	u32 i;

	for (i = 0; i < nr; i++) {
		while (*s == ' ')
			s++;
		errno = 0;
		v = strtoul(s, &end, 10);
		if (errno || end == s || v < 10 || v > 254)
			return -EINVAL;
		row[i] = (u8)v;
		s = end;
	}
	while (*s == ' ' || *s == '\n')
		s++;
	return *s ? -EINVAL : 0;
}

/**
 * pvhostd_topo_parse - read the host topology from a sysfs node directory
 * @root: /sys/devices/system/node, or a fake tree for the tests
 * @t: the topology
 *
 * Nodes are the nodeN directories; their ids must run from 0 without a
 * hole, each has a cpulist and a distance row with one entry per node,
 * 10 on the diagonal and 11..254 elsewhere.
 * Return: 0, -ENOENT without nodes, -EINVAL for anything malformed.
 */
int pvhostd_topo_parse(const char *root, struct pvhostd_topo *t)
{
	char path[PATH_MAX], buf[4096];
	u64 seen = 0;
	struct dirent *de;
	unsigned long id;
	char *end;
	u32 i, j;
	DIR *dir;
	int ret;

	memset(t, 0, sizeof(*t));
	dir = opendir(root);
	if (!dir)
		return -ENOENT;
	while ((de = readdir(dir))) {
		if (strncmp(de->d_name, "node", 4) || de->d_name[4] < '0' ||
		    de->d_name[4] > '9')
			continue;
		id = strtoul(de->d_name + 4, &end, 10);
		if (*end || id >= PVHOST_MAX_NODES) {
			closedir(dir);
			return -EINVAL;
		}
		seen |= 1ULL << id;
	}
	closedir(dir);
	if (!seen)
		return -ENOENT;
	if (seen & (seen + 1))		/* not 0..n-1 */
		return -EINVAL;
	t->nr_nodes = (u32)__builtin_popcountll(seen);
	for (i = 0; i < t->nr_nodes; i++) {
		snprintf(path, sizeof(path), "%s/node%u/cpulist", root, i);
		ret = pvhostd_read_text(path, buf, sizeof(buf));
		if (ret)
			return ret == -ENOENT ? -EINVAL : ret;
		ret = pvhostd_cpulist_parse(buf, t->cpus[i], PVHOSTD_MAX_CPUS);
		if (ret < 0)
			return ret;
		t->nr_cpus[i] = (u32)ret;
		snprintf(path, sizeof(path), "%s/node%u/distance", root, i);
		ret = pvhostd_read_text(path, buf, sizeof(buf));
		if (ret)
			return ret == -ENOENT ? -EINVAL : ret;
		if (distance_parse(buf, t->nr_nodes, t->distance[i]))
			return -EINVAL;
	}
	for (i = 0; i < t->nr_nodes; i++)
		for (j = 0; j < t->nr_nodes; j++)
			if (i == j ? t->distance[i][j] != 10 :
			    t->distance[i][j] == 10)
				return -EINVAL;
	return 0;
}

/**
 * pvhostd_topo_cpu_node - the host node of a CPU
 * @t: the topology
 * @cpu: a CPU number
 * Return: the node, or PVHOST_NUMA_NODE_UNKNOWN
 */
u32 pvhostd_topo_cpu_node(const struct pvhostd_topo *t, u32 cpu)
{
	u32 n;

	if (cpu >= PVHOSTD_MAX_CPUS)
		return PVHOST_NUMA_NODE_UNKNOWN;
	for (n = 0; n < t->nr_nodes; n++)
		if (bit_test(t->cpus[n], cpu))
			return n;
	return PVHOST_NUMA_NODE_UNKNOWN;
}

/**
 * pvhostd_hint_load - copy a hint slot, each field loaded once
 * @slot: the slot in shared memory
 * @h: the private copy
 */
void pvhostd_hint_load(const struct pvhost_numa_hint *slot,
		       struct pvhostd_hint *h)
{
	u32 i;

	h->id = PVHOSTD_LOAD(slot->id);
	h->node = PVHOSTD_LOAD(slot->node);
	h->flags = PVHOSTD_LOAD(slot->flags);
	for (i = 0; i < 4; i++)
		h->cpus[i] = PVHOSTD_LOAD(slot->cpus[i]);
}

/**
 * pvhostd_hint_check - validate a hint and apply the host's policy
 * @h: the private copy
 * @nr_vcpus: the guest's vCPUs
 * @nr_guest_nodes: guest nodes with a backing file (--memdev)
 * @deny: host policy refuses every hint
 * Return: PVHOST_REASON_NONE to go on, else why the hint is rejected:
 * INVALID (id 0, flags set, no vCPU, a vCPU >= @nr_vcpus), NO_NODE (node
 * without a backing file), POLICY.
 */
u32 pvhostd_hint_check(const struct pvhostd_hint *h, u32 nr_vcpus,
		       u32 nr_guest_nodes, bool deny)
{
	bool any = false;
	u32 v;

	if (!h->id || h->flags)
		return PVHOST_REASON_INVALID;
	for (v = 0; v < PVHOST_MAX_VCPUS; v++) {
		if (!bit_test(h->cpus, v))
			continue;
		if (v >= nr_vcpus)
			return PVHOST_REASON_INVALID;
		any = true;
	}
	if (!any)
		return PVHOST_REASON_INVALID;
	if (h->node >= nr_guest_nodes)
		return PVHOST_REASON_NO_NODE;
	return deny ? PVHOST_REASON_POLICY : PVHOST_REASON_NONE;
}

/**
 * pvhostd_numa_choose - the host node a hint is applied to
 * @t: the host topology
 * @h: a valid hint
 * @vcpu_node: the host node each vCPU thread last ran on, or UNKNOWN
 * @nr_vcpus: entries in @vcpu_node
 * @mem_node: where the hinted guest node's memory lives now, or UNKNOWN
 *
 * Memory is the dearer thing to move: the node that holds the guest
 * node's memory wins if it has CPUs; else the node most of the hinted
 * vCPUs last ran on (ties to the lower id); else the lowest node with
 * CPUs.
 * Return: a host node, or PVHOST_NUMA_NODE_UNKNOWN if no node has CPUs.
 */
u32 pvhostd_numa_choose(const struct pvhostd_topo *t,
			const struct pvhostd_hint *h, const u32 *vcpu_node,
			u32 nr_vcpus, u32 mem_node)
{
	u32 votes[PVHOST_MAX_NODES] = { 0 };
	u32 v, n, best = PVHOST_NUMA_NODE_UNKNOWN;

	if (mem_node < t->nr_nodes && t->nr_cpus[mem_node])
		return mem_node;
	for (v = 0; v < nr_vcpus && v < PVHOST_MAX_VCPUS; v++)
		if (bit_test(h->cpus, v) && vcpu_node[v] < t->nr_nodes &&
		    t->nr_cpus[vcpu_node[v]])
			votes[vcpu_node[v]]++;
	for (n = 0; n < t->nr_nodes; n++)
		if (votes[n] && (best == PVHOST_NUMA_NODE_UNKNOWN ||
				 votes[n] > votes[best]))
			best = n;
	if (best != PVHOST_NUMA_NODE_UNKNOWN)
		return best;
	for (n = 0; n < t->nr_nodes; n++)
		if (t->nr_cpus[n])
			return n;
	return PVHOST_NUMA_NODE_UNKNOWN;
}

/**
 * pvhostd_numa_init - serve a NUMA area
 * @n: the state, zeroed here except for @n->ops, @n->ctx and @n->deny
 * @area: the area in a freshly laid-out region
 * @nr_vcpus: the guest's vCPUs
 * @nr_guest_nodes: guest nodes with a backing file
 * @t: the host topology; kept, must outlive @n
 */
void pvhostd_numa_init(struct pvhostd_numa *n, void *area, u32 nr_vcpus,
		       u32 nr_guest_nodes, const struct pvhostd_topo *t)
{
	u32 i;

	n->area = area;
	n->topo = t;
	n->nr_vcpus = nr_vcpus;
	n->nr_guest_nodes = nr_guest_nodes;
	n->seq = 0;
	for (i = 0; i < PVHOST_MAX_VCPUS; i++)
		n->vcpu_node[i] = PVHOST_NUMA_NODE_UNKNOWN;
	for (i = 0; i < PVHOST_MAX_NODES; i++)
		n->mem_node[i] = PVHOST_NUMA_NODE_UNKNOWN;
	pvhostd_numa_publish(n);
}

/**
 * pvhostd_numa_publish - write the topology under the seq protocol
 * @n: the state; everything published comes from its private copies
 */
void pvhostd_numa_publish(struct pvhostd_numa *n)
{
	struct pvhost_numa *a = n->area;
	const struct pvhostd_topo *t = n->topo;
	u32 i, j;

	if (!a)
		return;
	PVHOSTD_STORE(a->seq, ++n->seq);	/* odd: writing */
	PVHOSTD_FENCE();
	a->nr_nodes = n->nr_guest_nodes;
	a->nr_host_nodes = t->nr_nodes;
	for (i = 0; i < PVHOST_MAX_VCPUS; i++)
		a->vcpu_host_node[i] = i < n->nr_vcpus ? n->vcpu_node[i] :
				       PVHOST_NUMA_NODE_UNKNOWN;
	for (i = 0; i < PVHOST_MAX_NODES; i++) {
		for (j = 0; j < PVHOST_MAX_NODES; j++)
			a->distance[i][j] = i < t->nr_nodes && j < t->nr_nodes ?
					    t->distance[i][j] : 0;
		a->node_host_node[i] = i < n->nr_guest_nodes ? n->mem_node[i] :
				       PVHOST_NUMA_NODE_UNKNOWN;
	}
	PVHOSTD_STORE(a->seq, ++n->seq);	/* even: done */
	n->published++;
}

static void log_hint(struct pvhostd_numa *n, u32 slot,
		     const struct pvhostd_hint *h, u32 status, u32 reason,
		     u32 host_node)
{
	struct pvhostd_hint_rec *r = &n->log[n->log_head % PVHOSTD_NUMA_LOG];

	r->slot = slot;
	r->hint = *h;
	r->status = status;
	r->reason = reason;
	r->host_node = host_node;
	n->log_head++;
}

/* Apply a valid hint; returns the status, *reason the first failure. */
static u32 numa_apply(struct pvhostd_numa *n, const struct pvhostd_hint *h,
		      u32 host_node, u32 *reason)
{
	u32 v, done = 0, failed = 0;

	*reason = PVHOST_REASON_NONE;
	for (v = 0; v < n->nr_vcpus; v++) {
		if (!bit_test(h->cpus, v))
			continue;
		if (n->ops->affinity(n->ctx, v, host_node)) {
			failed++;
			if (!*reason)
				*reason = PVHOST_REASON_AFFINITY;
		} else {
			done++;
		}
	}
	if (n->ops->memory(n->ctx, h->node, host_node)) {
		failed++;
		if (!*reason)
			*reason = PVHOST_REASON_MEMORY;
	} else {
		done++;
		n->mem_node[h->node] = host_node;
	}
	if (!failed)
		return PVHOST_HINT_APPLIED;
	return done ? PVHOST_HINT_PARTIAL : PVHOST_HINT_REJECTED;
}

static void numa_answer(struct pvhostd_numa *n, u32 slot, u32 status,
			u32 reason, u32 host_node)
{
	struct pvhost_numa_hint *s = &n->area->hint[slot];
	u32 queued = PVHOST_HINT_QUEUED;

	s->reason = reason;
	s->host_node = host_node;
	/* reason and host_node before the status that says they are there */
	if (__atomic_compare_exchange_n(&s->status, &queued, status, false,
					__ATOMIC_RELEASE, __ATOMIC_RELAXED))
		n->answered++;
	else
		n->lost++;	/* the guest rewrote the slot meanwhile */
}

/**
 * pvhostd_numa_serve - answer queued hints
 * @n: the state
 * @budget: at most this many slots answered
 *
 * Slots are scanned from where the last call stopped, so that one slot
 * rewritten again and again cannot starve the others.
 * Return: the number of slots answered.
 */
u32 pvhostd_numa_serve(struct pvhostd_numa *n, u32 budget)
{
	u32 i, slot, status, reason, host_node, done = 0;
	struct pvhostd_hint h;

	if (!n->area)
		return 0;
	for (i = 0; i < PVHOST_NUMA_HINT_SLOTS && done < budget; i++) {
		slot = (n->next_slot + i) % PVHOST_NUMA_HINT_SLOTS;
		if (PVHOSTD_LOAD(n->area->hint[slot].status) !=
		    PVHOST_HINT_QUEUED)
			continue;
		pvhostd_hint_load(&n->area->hint[slot], &h);
		n->hints++;
		host_node = PVHOST_NUMA_NODE_UNKNOWN;
		reason = pvhostd_hint_check(&h, n->nr_vcpus,
					    n->nr_guest_nodes, n->deny);
		if (!reason) {
			host_node = pvhostd_numa_choose(n->topo, &h,
							n->vcpu_node,
							n->nr_vcpus,
							n->mem_node[h.node]);
			if (host_node == PVHOST_NUMA_NODE_UNKNOWN)
				reason = PVHOST_REASON_AFFINITY;
		}
		if (reason) {
			status = PVHOST_HINT_REJECTED;
			n->rejected++;
		} else {
			status = numa_apply(n, &h, host_node, &reason);
			if (status == PVHOST_HINT_APPLIED)
				n->applied++;
			else if (status == PVHOST_HINT_PARTIAL)
				n->partial++;
			else
				n->rejected++;
		}
		numa_answer(n, slot, status, reason, host_node);
		log_hint(n, slot, &h, status, reason, host_node);
		done++;
	}
	n->next_slot = (n->next_slot + i) % PVHOST_NUMA_HINT_SLOTS;
	return done;
}

/**
 * pvhostd_numa_status_name - a hint status for people
 * @status: PVHOST_HINT_*
 * Return: a static name
 */
const char *pvhostd_numa_status_name(u32 status)
{
	static const char *const names[] = {
		"free", "queued", "applied", "partial", "rejected",
	};

	return status < ARRAY_SIZE(names) ? names[status] : "invalid";
}

/**
 * pvhostd_numa_reason_name - a hint reason for people
 * @reason: PVHOST_REASON_*
 * Return: a static name
 */
const char *pvhostd_numa_reason_name(u32 reason)
{
	static const char *const names[] = {
		"none", "invalid", "no_node", "affinity", "memory", "policy",
	};

	return reason < ARRAY_SIZE(names) ? names[reason] : "invalid";
}

/**
 * pvhostd_memdev_parse - parse a --memdev argument, "NODE=PATH"
 * @arg: the argument
 * @node: the guest node, < PVHOST_MAX_NODES
 * @path: points into @arg
 * Return: 0 or -EINVAL
 */
int pvhostd_memdev_parse(const char *arg, u32 *node, const char **path)
{
	unsigned long v;
	char *end;

	if (*arg < '0' || *arg > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || *end != '=' || v >= PVHOST_MAX_NODES || !end[1])
		return -EINVAL;
	*node = (u32)v;
	*path = end + 1;
	return 0;
}

/*
 * The guest RAM backing of one guest node: QEMU creates the file
 * (memory-backend-file, share=on) and maps it; pvhostd maps it shared
 * too, never populating it. A shared mapping of a tmpfs file carries the
 * file's shared policy (mm/shmem.c shmem_set_policy()), so mbind() on our
 * mapping sets the policy QEMU's faults then follow.
 */

/**
 * pvhostd_memdev_open - map a backing file once it exists
 * @m: the memdev, with @m->path set
 * Return: 0 (or already open), -errno while QEMU has not created or sized it
 */
/*
 * A file QEMU truncates under us turns a read of a page past its new end
 * into SIGBUS. Reads of the mapping go through memdev_touch(), which
 * turns that into -EFAULT; a SIGBUS anywhere else is what it always was.
 */
static sigjmp_buf memdev_jmp;
static int memdev_guarded;	/* atomic: the handler reads it */

static void memdev_sigbus(int sig)
{
	if (__atomic_load_n(&memdev_guarded, __ATOMIC_SEQ_CST))
		siglongjmp(memdev_jmp, 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void memdev_guard_install(void)
{
	static bool installed;
	struct sigaction sa = { .sa_handler = memdev_sigbus };

	if (installed)
		return;
	sigemptyset(&sa.sa_mask);
	installed = !sigaction(SIGBUS, &sa, NULL);
}

/**
 * pvhostd_memdev_touch - read one byte of the mapping, surviving truncation
 * @m: an open memdev
 * @off: the offset, below @m->size
 * Return: 0, -EFAULT if the file no longer reaches there (SIGBUS caught),
 *	-EINVAL if @off is outside the mapping
 */
int pvhostd_memdev_touch(struct pvhostd_memdev *m, u64 off)
{
	if (!m->map || off >= m->size)
		return -EINVAL;
	memdev_guard_install();
	if (sigsetjmp(memdev_jmp, 1)) {
		__atomic_store_n(&memdev_guarded, 0, __ATOMIC_SEQ_CST);
		m->truncated++;
		return -EFAULT;
	}
	__atomic_store_n(&memdev_guarded, 1, __ATOMIC_SEQ_CST);
	(void)__atomic_load_n((const char *)m->map + off, __ATOMIC_SEQ_CST);
	__atomic_store_n(&memdev_guarded, 0, __ATOMIC_SEQ_CST);
	return 0;
}

/*
 * The file shrank since it was mapped (QEMU's RAM is never resized in
 * place): the mapping no longer matches it. Return: true if so.
 */
static bool memdev_shrank(struct pvhostd_memdev *m)
{
	struct stat st;

	return fstat(m->fd, &st) || (u64)st.st_size < m->size;
}

/**
 * pvhostd_maps_has - does a process map this file
 * @text: its /proc/PID/maps, NUL-terminated
 * @dev: the file's st_dev
 * @ino: the file's st_ino
 *
 * Each line is "start-end perms offset MAJ:MIN inode [path]", the device
 * in hex; the path is not trusted (it may be renamed or deleted).
 * Return: true if a line maps that device and inode
 */
bool pvhostd_maps_has(const char *text, dev_t dev, ino_t ino)
{
	const char *line = text;
	unsigned int maj, min;
	unsigned long long i;
	int n;

	while (line && *line) {
		n = 0;
		if (sscanf(line, "%*x-%*x %*4s %*x %x:%x %llu%n", &maj, &min, &i,
			   &n) == 3 && n > 0 && maj == major(dev) &&
		    min == minor(dev) && i == (unsigned long long)ino && ino)
			return true;
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return false;
}

int pvhostd_memdev_open(struct pvhostd_memdev *m)
{
	struct stat st;
	void *p;
	int fd;

	if (m->map)
		return 0;
	/* The operator's path, not a link someone put there meanwhile. */
	fd = open(m->path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || st.st_size < 4096 ||
	    (u64)st.st_size > PVHOSTD_MEMDEV_MAX) {
		close(fd);
		return -EAGAIN;
	}
	p = mmap(NULL, st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		close(fd);
		return -errno;
	}
	m->fd = fd;
	m->map = p;
	m->size = st.st_size;
	return 0;
}

static long sys_mbind(void *addr, unsigned long len, int mode,
		      const unsigned long *mask, unsigned long maxnode,
		      unsigned int flags)
{
	return syscall(SYS_mbind, addr, len, mode, mask, maxnode, flags);
}

/**
 * pvhostd_memdev_close - unmap a backing file, its policy back to default
 * @m: the memdev
 */
void pvhostd_memdev_close(struct pvhostd_memdev *m)
{
	if (!m->map)
		return;
	/*
	 * The policy set for the guest's hints is the file's and outlives
	 * this mapping: put the default back, as before the session.
	 */
	if (m->policy_set) {
		sys_mbind(m->map, m->size, MPOL_DEFAULT, NULL, 0, 0);
		m->policy_set = false;
		m->bound = PVHOST_NUMA_NODE_UNKNOWN;
	}
	munmap(m->map, m->size);
	close(m->fd);
	m->map = NULL;
	m->size = 0;
}

static long sys_get_mempolicy(int *mode, unsigned long *mask,
			      unsigned long maxnode, void *addr,
			      unsigned long flags)
{
	return syscall(SYS_get_mempolicy, mode, mask, maxnode, addr, flags);
}

static long sys_move_pages(int pid, unsigned long count, void **pages,
			   const int *nodes, int *status, int flags)
{
	return syscall(SYS_move_pages, pid, count, pages, nodes, status, flags);
}

/*
 * Count the resident pages of the file (page cache, mincore) by the node
 * they are on, reading one byte of each so that it is mapped here: only
 * pages QEMU already has, never a new one. Bounded by the file size.
 */
static int memdev_census(struct pvhostd_memdev *m, u32 node, u64 *on,
			 u64 *off)
{
	const long page = sysconf(_SC_PAGESIZE);
	u64 pages = m->size / page, i, k = 0;
	unsigned char *vec = malloc(pages ? pages : 1);
	void *batch[PVHOSTD_MEMDEV_BATCH];
	int status[PVHOSTD_MEMDEV_BATCH];
	const char *c;
	u64 j;

	*on = 0;
	*off = 0;
	if (!vec)
		return -ENOMEM;
	if (memdev_shrank(m)) {
		free(vec);
		return -ESTALE;
	}
	if (mincore(m->map, pages * page, vec)) {
		free(vec);
		return -errno;
	}
	for (i = 0; i <= pages; i++) {
		if (i < pages && vec[i] & 1) {
			c = (const char *)m->map + i * page;
			if (pvhostd_memdev_touch(m, i * page)) {
				free(vec);
				return -ESTALE;
			}
			batch[k++] = (void *)c;
		}
		if (k == PVHOSTD_MEMDEV_BATCH || (i == pages && k)) {
			if (sys_move_pages(0, k, batch, NULL, status, 0)) {
				free(vec);
				return -errno;
			}
			for (j = 0; j < k; j++) {
				if (status[j] < 0)
					continue;
				if ((u32)status[j] == node)
					(*on)++;
				else
					(*off)++;
			}
			k = 0;
		}
	}
	free(vec);
	return 0;
}

/*
 * Count, by node, the resident pages among PVHOSTD_MEMDEV_SAMPLES spread
 * over the file; only resident ones (mincore), so nothing is populated.
 * Return: how many were counted.
 */
static u32 memdev_sample(struct pvhostd_memdev *m, u32 *votes)
{
	const long page = sysconf(_SC_PAGESIZE);
	u64 pages = m->size / page, step;
	u32 i, n = 0;
	unsigned char res;
	int nid;
	char *p;

	memset(votes, 0, PVHOST_MAX_NODES * sizeof(*votes));
	if (!m->map || !pages)
		return 0;
	step = pages / PVHOSTD_MEMDEV_SAMPLES;
	if (!step)
		step = 1;
	for (i = 0; i < PVHOSTD_MEMDEV_SAMPLES && i * step < pages; i++) {
		p = (char *)m->map + i * step * page;
		if (mincore(p, page, &res) || !(res & 1))
			continue;
		if (sys_get_mempolicy(&nid, NULL, 0, p,
				      MPOL_F_NODE | MPOL_F_ADDR) ||
		    nid < 0 || nid >= PVHOST_MAX_NODES)
			continue;
		votes[nid]++;
		n++;
	}
	return n;
}

/**
 * pvhostd_memdev_bind - prefer a host node for a guest node's memory
 * @m: an open memdev
 * @node: the host node
 *
 * Sets MPOL_PREFERRED on the file's shared policy (future faults) and
 * moves the resident pages there (MPOL_MF_MOVE_ALL, or MPOL_MF_MOVE
 * without CAP_SYS_NICE). @m->moved and @m->stuck say what was moved and
 * what stayed elsewhere. Bound to @node already, with nothing stuck and
 * a sample of resident pages all there, it only counts a rebind.
 * Return: 0; -EIO if resident pages stayed on other nodes; -errno.
 */
int pvhostd_memdev_bind(struct pvhostd_memdev *m, u32 node)
{
	unsigned long mask[PVHOST_MAX_NODES / (8 * sizeof(long))] = { 0 };
	u32 votes[PVHOST_MAX_NODES];
	u64 on0, off0, on1, off1;
	int ret;

	if (!m->map)
		return -ENODEV;
	if (node >= PVHOST_MAX_NODES)
		return -EINVAL;
	if (memdev_shrank(m))
		return -ESTALE;
	/*
	 * Bound there already with nothing left behind: pages faulted since
	 * followed the policy; a sample all on @node is enough.
	 */
	if (m->binds && m->bound == node && !m->stuck &&
	    memdev_sample(m, votes) == votes[node]) {
		m->rebinds++;
		return 0;
	}
	ret = memdev_census(m, node, &on0, &off0);
	if (ret)
		return ret;
	mask[node / (8 * sizeof(long))] |= 1UL << (node % (8 * sizeof(long)));
	if (sys_mbind(m->map, m->size, MPOL_PREFERRED, mask,
		      PVHOST_MAX_NODES + 1, MPOL_MF_MOVE_ALL) &&
	    (errno != EPERM ||
	     sys_mbind(m->map, m->size, MPOL_PREFERRED, mask,
		       PVHOST_MAX_NODES + 1, MPOL_MF_MOVE)))
		return -errno;
	m->bound = node;
	m->policy_set = true;
	m->binds++;
	ret = memdev_census(m, node, &on1, &off1);
	if (ret)
		return ret;
	m->moved += off0 > off1 ? off0 - off1 : 0;
	m->stuck = off1;
	m->resident = on1 + off1;
	return off1 ? -EIO : 0;
}

/**
 * pvhostd_memdev_policy - the file's shared policy now
 * @m: an open memdev
 * @node: set to the first node of the policy's mask, or UNKNOWN
 * Return: the MPOL_* mode, or -errno
 */
int pvhostd_memdev_policy(struct pvhostd_memdev *m, u32 *node)
{
	unsigned long mask[PVHOST_MAX_NODES / (8 * sizeof(long))] = { 0 };
	int mode;
	u32 i;

	*node = PVHOST_NUMA_NODE_UNKNOWN;
	if (!m->map)
		return -ENODEV;
	if (sys_get_mempolicy(&mode, mask, PVHOST_MAX_NODES + 1, m->map,
			      MPOL_F_ADDR))
		return -errno;
	for (i = 0; i < PVHOST_MAX_NODES; i++) {
		if (mask[i / (8 * sizeof(long))] >> (i % (8 * sizeof(long))) & 1) {
			*node = i;
			break;
		}
	}
	return mode;
}

/**
 * pvhostd_memdev_where - where a guest node's memory lives
 * @m: an open memdev
 *
 * Samples PVHOSTD_MEMDEV_SAMPLES pages spread over the file.
 * Return: the node most resident sampled pages are on; the preferred node
 * of the policy when none is resident; else PVHOST_NUMA_NODE_UNKNOWN.
 */
u32 pvhostd_memdev_where(struct pvhostd_memdev *m)
{
	u32 votes[PVHOST_MAX_NODES];
	u32 best = PVHOST_NUMA_NODE_UNKNOWN, i, node;

	memdev_sample(m, votes);
	for (i = 0; i < PVHOST_MAX_NODES; i++)
		if (votes[i] && (best == PVHOST_NUMA_NODE_UNKNOWN ||
				 votes[i] > votes[best]))
			best = i;
	if (best == PVHOST_NUMA_NODE_UNKNOWN &&
	    pvhostd_memdev_policy(m, &node) == MPOL_PREFERRED)
		best = node;
	return best;
}

/**
 * pvhostd_thread_cpu - the CPU a thread last ran on
 * @stat: the text of /proc/PID/task/TID/stat
 *
 * Field 39 ("processor"), counted after the ")" that ends the command
 * name, which may itself hold spaces and parentheses.
 * Return: the CPU, or -EINVAL
 */
int pvhostd_thread_cpu(const char *stat)
{
	const char *p = strrchr(stat, ')');
	unsigned long cpu;
	char *end;
	int field = 2;

	if (!p)
		return -EINVAL;
	p++;
	while (*p && field < 39) {
		while (*p == ' ')
			p++;
		field++;
		if (field == 39)
			break;
		while (*p && *p != ' ')
			p++;
	}
	if (field != 39 || *p < '0' || *p > '9')
		return -EINVAL;
	errno = 0;
	cpu = strtoul(p, &end, 10);
	if (errno || (*end && *end != ' ' && *end != '\n') ||
	    cpu >= PVHOSTD_MAX_CPUS)
		return -EINVAL;
	return (int)cpu;
}
