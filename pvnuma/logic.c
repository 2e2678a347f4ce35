// SPDX-License-Identifier: GPL-2.0
/*
 * pvnuma: the decisions, apart from the kernel state they are made on, so
 * that KUnit can feed them any topology: which hints the topology implies,
 * what a user's line means, and how well a guest node is placed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/ctype.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/nodemask.h>
#include <linux/string.h>
#include <kunit/visibility.h>

#include "pvnuma.h"

const char * const pvnuma_state_names[PVNUMA_STATE_NR] = {
	[PVNUMA_UNSENT]		= "unsent",
	[PVNUMA_PENDING]	= "pending",
	[PVNUMA_APPLIED]	= "applied",
	[PVNUMA_PARTIAL]	= "partial",
	[PVNUMA_REJECTED]	= "rejected",
	[PVNUMA_ERROR]		= "error",
};
EXPORT_SYMBOL_IF_KUNIT(pvnuma_state_names);

/**
 * pvnuma_auto_build - the hints a topology implies: one per guest node
 * @cpu_node: the guest node of each CPU, negative for a CPU left out
 *            (offline)
 * @nr_cpus: entries of @cpu_node; CPUs from PVHC_NUMA_HINT_MAX_CPUS on
 *           cannot be named in a hint and are left out
 * @hints: filled with one hint per node that has a CPU, by node id
 * @max: room in @hints
 *
 * Return: the number of hints, or -ENOSPC if the nodes exceed @max.
 */
int pvnuma_auto_build(const int *cpu_node, unsigned int nr_cpus,
		      struct pvhc_numa_hint *hints, unsigned int max)
{
	nodemask_t nodes = NODE_MASK_NONE;
	unsigned int cpu, n = 0;
	int node;

	nr_cpus = min_t(unsigned int, nr_cpus, PVHC_NUMA_HINT_MAX_CPUS);
	for (cpu = 0; cpu < nr_cpus; cpu++)
		if (cpu_node[cpu] >= 0 && cpu_node[cpu] < MAX_NUMNODES)
			node_set(cpu_node[cpu], nodes);
	if (nodes_weight(nodes) > max)
		return -ENOSPC;
	for_each_node_mask(node, nodes) {
		memset(&hints[n], 0, sizeof(hints[n]));
		hints[n].node = node;
		for (cpu = 0; cpu < nr_cpus; cpu++)
			if (cpu_node[cpu] == node)
				__set_bit(cpu, hints[n].cpus);
		n++;
	}
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(pvnuma_auto_build);

/* Copy a sysfs write into @line without its one trailing newline. */
static int pvnuma_copy_line(const char *buf, size_t len, char *line,
			    const char **why)
{
	if (len && buf[len - 1] == '\n')
		len--;
	if (!len) {
		*why = "empty input";
		return -EINVAL;
	}
	if (len >= PVNUMA_INPUT_MAX) {
		*why = "input too long";
		return -EINVAL;
	}
	memcpy(line, buf, len);
	line[len] = '\0';
	if (strlen(line) != len) {
		*why = "NUL in input";
		return -EINVAL;
	}
	return 0;
}

/**
 * pvnuma_parse_hint - read "NODE CPULIST" (e.g. "1 2-3,6")
 * @buf: the user's bytes, one optional trailing newline
 * @len: their length
 * @nodes: the nodes a hint may name (the guest's online nodes)
 * @cpus: bitmap of the CPUs a hint may name
 * @nr_cpus: bits in @cpus
 * @out: the hint, on success
 * @why: on failure, what was wrong, for the log
 *
 * Return: 0, or -EINVAL for anything but one decimal node in @nodes, one
 * space, and a non-empty CPU list within @cpus.
 */
int pvnuma_parse_hint(const char *buf, size_t len, const nodemask_t *nodes,
		      const unsigned long *cpus, unsigned int nr_cpus,
		      struct pvhc_numa_hint *out, const char **why)
{
	char line[PVNUMA_INPUT_MAX];
	char *list, *p;
	unsigned int node, cpu;
	int ret;

	ret = pvnuma_copy_line(buf, len, line, why);
	if (ret)
		return ret;
	list = strchr(line, ' ');
	if (!list) {
		*why = "expected \"NODE CPULIST\"";
		return -EINVAL;
	}
	*list++ = '\0';
	for (p = list; *p; p++) {
		if (!isdigit(*p) && *p != ',' && *p != '-') {
			*why = "CPU list: only digits, ',' and '-'";
			return -EINVAL;
		}
	}
	if (!isdigit(line[0]) || kstrtouint(line, 10, &node)) {
		*why = "node is not a decimal number";
		return -EINVAL;
	}
	if (node >= MAX_NUMNODES || !node_isset(node, *nodes)) {
		*why = "no such online node";
		return -EINVAL;
	}
	memset(out, 0, sizeof(*out));
	out->node = node;
	if (!*list || bitmap_parselist(list, out->cpus, PVHC_NUMA_HINT_MAX_CPUS)) {
		*why = "malformed CPU list, or a CPU above 255";
		return -EINVAL;
	}
	if (bitmap_empty(out->cpus, PVHC_NUMA_HINT_MAX_CPUS)) {
		*why = "empty CPU list";
		return -EINVAL;
	}
	for_each_set_bit(cpu, out->cpus, PVHC_NUMA_HINT_MAX_CPUS) {
		if (cpu >= nr_cpus || !test_bit(cpu, cpus)) {
			*why = "unknown CPU";
			return -EINVAL;
		}
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(pvnuma_parse_hint);

/**
 * pvnuma_parse_id - read a hint id, a positive decimal number
 * @buf: the user's bytes, one optional trailing newline
 * @len: their length
 * @id: the id, on success
 * @why: on failure, what was wrong, for the log
 *
 * Return: 0 or -EINVAL.
 */
int pvnuma_parse_id(const char *buf, size_t len, unsigned int *id,
		    const char **why)
{
	char line[PVNUMA_INPUT_MAX];
	int ret;

	ret = pvnuma_copy_line(buf, len, line, why);
	if (ret)
		return ret;
	if (!isdigit(line[0]) || kstrtouint(line, 10, id) || !*id) {
		*why = "expected a hint id (a positive decimal number)";
		return -EINVAL;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(pvnuma_parse_id);

/**
 * pvnuma_node_score - how well one guest node is placed on the host
 * @info: the host topology, validated by pvhc
 * @cpus: the guest node's vCPUs (PVHC_NUMA_HINT_MAX_CPUS bits)
 * @guest_node: the guest node, for the host node of its memory
 * @best_host: the host node that holds most of the node, or
 *             PVHC_NUMA_NODE_UNKNOWN
 *
 * vCPUs and memory weigh half each: the score is the percentage of the
 * node's known vCPUs on the best host node, averaged with 100 if its
 * memory is there too and 0 if it is not. Only vCPUs whose host node is
 * known count. With no vCPU known, the score is unknown; with the memory
 * unknown, the vCPUs alone decide it.
 *
 * Return: 0..100, or PVNUMA_SCORE_UNKNOWN.
 */
int pvnuma_node_score(const struct pvhc_numa_info *info,
		      const unsigned long *cpus, unsigned int guest_node,
		      u32 *best_host)
{
	u32 count[PVHC_NUMA_MAX_NODES] = {};
	u32 nr_nodes, mem, h, known = 0, best = 0, w, best_w = 0;
	unsigned int cpu;

	*best_host = PVHC_NUMA_NODE_UNKNOWN;
	nr_nodes = min_t(u32, info->nr_nodes, PVHC_NUMA_MAX_NODES);
	for_each_set_bit(cpu, cpus, PVHC_NUMA_HINT_MAX_CPUS) {
		if (cpu >= info->nr_vcpus)
			break;
		h = info->vcpu_to_node[cpu];
		if (h < nr_nodes) {
			count[h]++;
			known++;
		}
	}
	mem = PVHC_NUMA_NODE_UNKNOWN;
	if (guest_node < info->nr_guest_nodes &&
	    guest_node < PVHC_NUMA_MAX_NODES &&
	    info->node_mem_node[guest_node] < nr_nodes)
		mem = info->node_mem_node[guest_node];
	if (!known) {
		*best_host = mem;
		return PVNUMA_SCORE_UNKNOWN;
	}
	for (h = 0; h < nr_nodes; h++) {
		w = count[h] + (h == mem ? known : 0);
		if (w > best_w) {
			best_w = w;
			best = h;
		}
	}
	*best_host = best;
	if (mem == PVHC_NUMA_NODE_UNKNOWN)
		return 100 * best_w / known;
	return 100 * best_w / (2 * known);
}
EXPORT_SYMBOL_IF_KUNIT(pvnuma_node_score);

/**
 * pvnuma_state_of - pvnuma's state for what pvhc_numa_status() returned
 * @status: an enum pvhc_numa_status or a -errno
 *
 * Return: the state, or -1 for a -errno (the caller decides).
 */
int pvnuma_state_of(int status)
{
	switch (status) {
	case PVHC_NUMA_PENDING:
		return PVNUMA_PENDING;
	case PVHC_NUMA_APPLIED:
		return PVNUMA_APPLIED;
	case PVHC_NUMA_PARTIAL:
		return PVNUMA_PARTIAL;
	case PVHC_NUMA_REJECTED:
		return PVNUMA_REJECTED;
	default:
		return -1;
	}
}
EXPORT_SYMBOL_IF_KUNIT(pvnuma_state_of);
