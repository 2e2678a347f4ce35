// SPDX-License-Identifier: GPL-2.0
/*
 * pvnumactl: NUMA hints to the host from user space, in the style of
 * numactl, through pvnuma's files in /sys/kernel/pvnuma/.
 *
 *   pvnumactl run --cpunodebind N --membind N [--no-hint] -- CMD [ARG...]
 *   pvnumactl status
 *   pvnumactl hint add NODE CPULIST | hint remove ID | hint list
 *   pvnumactl follow-cpusets [--root DIR] [--interval SECONDS]
 *
 * The local policy is libnuma's (numa_run_on_node_mask(), numa_set_membind(),
 * inherited across exec as numactl does); the hint is a line written to
 * hint_add and withdrawn through hint_remove.
 *
 * A run's hint lives as long as the runs that use it: every run holds a
 * shared flock() on a file of its hint's own in RUNDIR; the run that made
 * the hint writes its id there, and the last run to leave (the one whose
 * conversion to an exclusive lock succeeds) withdraws it. A hint that was
 * there before any run (made by hand or by follow-cpusets) is used, never
 * withdrawn.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <numa.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PVNUMA_DIR	"/sys/kernel/pvnuma"
#define RUNDIR		"/run/pvnumactl"
#define HINT_CPUS	256	/* CPUs a hint can name (pvhc's bitmap) */
#define MAX_HINTS	64	/* pvnuma's max_user_hints limit */
#define HINTS_LEN	16384
#define LIST_LEN	1024	/* a CPU list as text */

/* Exit codes. */
enum {
	EX_OK,
	EX_FAIL,	/* the hint or the policy failed */
	EX_USAGE,	/* bad arguments */
	EX_NOPVNUMA,	/* pvnuma is not loaded */
};

static const char *prog = "pvnumactl";

static void msg(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* libnuma's own warnings would repeat ours, in its words: keep them quiet. */
void numa_warn(int num, char *fmt, ...)
{
}

void numa_error(char *where)
{
}

static const char help_text[] =
	"usage: pvnumactl run [--cpunodebind NODES] [--membind NODES] [--no-hint] -- CMD [ARG...]\n"
	"       pvnumactl status\n"
	"       pvnumactl hint add NODE CPULIST\n"
	"       pvnumactl hint remove ID\n"
	"       pvnumactl hint list\n"
	"       pvnumactl follow-cpusets [--root DIR] [--interval SECONDS]\n"
	"       pvnumactl --help\n"
	"\n"
	"Tells the host, through pvnuma (/sys/kernel/pvnuma), which vCPUs work\n"
	"with which guest node's memory, and shows where the guest's nodes run.\n"
	"\n"
	"run             run CMD with libnuma's CPU and memory policy for the nodes\n"
	"                given and, while it runs, the hint \"the CPUs of\n"
	"                --cpunodebind work with the memory of --membind\"; the hint\n"
	"                is withdrawn when the last run using it exits.\n"
	"status          the guest-to-host placement table and the hints.\n"
	"hint            add a hint (printing its id), remove one, list them.\n"
	"follow-cpusets  one hint per cgroup v2 cpuset with its own cpuset.cpus or\n"
	"                cpuset.mems, kept current (inotify, and a rescan every\n"
	"                --interval seconds, default 10); withdrawn on SIGTERM.\n"
	"\n"
	"Exit: 0 done, 1 the hint or policy failed, 2 bad arguments, 3 pvnuma not\n"
	"loaded; run exits with CMD's status. See pvnumactl(8).\n";

static void help(FILE *f)
{
	fputs(help_text, f);
}

/* sysfs: one write per call. 0 or -errno. */
static int sys_write(const char *name, const char *s)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), PVNUMA_DIR "/%s", name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	if (n < 0)
		n = -errno;
	close(fd);
	return n < 0 ? (int)n : 0;
}

/* A whole file into @buf, NUL-terminated: 0 or -errno. */
static int read_file(const char *path, char *buf, size_t len)
{
	size_t total = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (total < len - 1 &&
	       (n = read(fd, buf + total, len - 1 - total)) > 0)
		total += n;
	close(fd);
	buf[total] = '\0';
	return 0;
}

static int read_pvnuma(const char *name, char *buf, size_t len)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), PVNUMA_DIR "/%s", name);
	return read_file(path, buf, len);
}

static bool pvnuma_loaded(void)
{
	return access(PVNUMA_DIR "/hint_add", W_OK) == 0;
}

static void strip(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = '\0';
}

/* A CPU bitmask in the kernel's list format ("0-3,6"), at most @max CPUs. */
static void cpus_format(const struct bitmask *b, unsigned int max, char *s,
			size_t len)
{
	unsigned int i, j;
	size_t off = 0;

	s[0] = '\0';
	for (i = 0; i < max && i < b->size; i++) {
		if (!numa_bitmask_isbitset(b, i))
			continue;
		for (j = i; j + 1 < max && j + 1 < b->size &&
		     numa_bitmask_isbitset(b, j + 1); j++)
			;
		if (off < len)
			off += snprintf(s + off, len - off, "%s%u", off ? "," : "", i);
		if (j > i && off < len)
			off += snprintf(s + off, len - off, "-%u", j);
		i = j;
	}
}

static bool cpus_empty(const struct bitmask *b)
{
	return numa_bitmask_weight(b) == 0;
}

/*
 * The id of the user hint for @node and @cpus (list text) in the hints
 * file text @hints, or 0.
 */
static unsigned int find_hint(const char *hints, int node, const char *cpus)
{
	char want[LIST_LEN + 64];
	const char *p, *end;

	snprintf(want, sizeof(want), " user node=%d cpus=%s ", node, cpus);
	for (p = hints; *p; p = *end ? end + 1 : end) {
		end = strchrnul(p, '\n');
		if (memmem(p, end - p, want, strlen(want)))
			return strtoul(p, NULL, 10);
	}
	return 0;
}

/* Is hint @id in @hints the user hint for @node and @cpus? */
static bool hint_is(const char *hints, unsigned int id, int node,
		    const char *cpus)
{
	return id && find_hint(hints, node, cpus) == id;
}

/* Parse a decimal in [@min, @max]; false if anything else. */
static bool parse_uint(const char *s, unsigned long min, unsigned long max,
		       unsigned long *out)
{
	char *end;

	if (!*s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return !errno && !*end && *out >= min && *out <= max;
}

/* The online nodes, as text, for messages. */
static void nodes_online(char *s, size_t len)
{
	if (read_file("/sys/devices/system/node/online", s, len) || !*s)
		snprintf(s, len, "unknown");
	strip(s);
}

/* One guest node, checked: a number and online. -1 with a message if not. */
static int parse_node(const char *what, const char *s)
{
	char path[64], online[256];
	unsigned long node;

	if (!parse_uint(s, 0, INT_MAX, &node)) {
		msg("%s \"%s\": not a node number", what, s);
		return -1;
	}
	snprintf(path, sizeof(path), "/sys/devices/system/node/node%lu", node);
	if (node > (unsigned long)numa_max_node() || access(path, F_OK)) {
		nodes_online(online, sizeof(online));
		msg("%s %lu: the guest has no such node (its nodes: %s)", what,
		    node, online);
		return -1;
	}
	return node;
}

/* The error of a hint_add write, in words. */
static const char *add_error(int err)
{
	switch (err) {
	case -EINVAL:
		return "refused as invalid (the kernel log says why: dmesg | grep pvnuma)";
	case -EEXIST:
		return "the same hint is already held";
	case -ENOSPC:
		return "max_user_hints hints are held already";
	default:
		return strerror(-err);
	}
}

/*
 * Check a hint before it goes to hint_add, so that the user reads the
 * reason here rather than in the kernel log: 0, or -EINVAL with @why set.
 */
static int check_hint(int node, const struct bitmask *cpus, const char **why)
{
	char path[64];
	unsigned int i;
	int ret = 0;

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d", node);
	if (node < 0 || node > numa_max_node() || access(path, F_OK)) {
		*why = "the guest has no such node";
		ret = -EINVAL;
	} else if (cpus_empty(cpus)) {
		*why = "no CPU";
		ret = -EINVAL;
	}
	for (i = 0; !ret && i < cpus->size; i++) {
		if (!numa_bitmask_isbitset(cpus, i))
			continue;
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%u", i);
		if (i >= HINT_CPUS) {
			*why = "a hint names CPUs 0..255 only";
			ret = -EINVAL;
		} else if (access(path, F_OK)) {
			*why = "the guest has no such CPU";
			ret = -EINVAL;
		}
	}
	return ret;
}

/* Add a hint: its id (> 0), or -errno. */
static int hint_add(int node, const struct bitmask *cpus)
{
	char line[LIST_LEN + 32], list[LIST_LEN], *hints;
	unsigned int id;
	int ret;

	cpus_format(cpus, HINT_CPUS, list, sizeof(list));
	snprintf(line, sizeof(line), "%d %s\n", node, list);
	ret = sys_write("hint_add", line);
	if (ret)
		return ret;
	hints = malloc(HINTS_LEN);
	if (!hints)
		return -ENOMEM;
	ret = read_pvnuma("hints", hints, HINTS_LEN);
	id = ret ? 0 : find_hint(hints, node, list);
	free(hints);
	return id ? (int)id : -ENOENT;
}

static int hint_remove(unsigned int id)
{
	char s[16];

	snprintf(s, sizeof(s), "%u\n", id);
	return sys_write("hint_remove", s);
}

/* pvnumactl hint ... */
static int cmd_hint(int argc, char **argv)
{
	struct bitmask *cpus;
	unsigned long id;
	const char *why;
	char *hints;
	int node, ret;

	if (argc < 2) {
		help(stderr);
		return EX_USAGE;
	}
	if (!strcmp(argv[1], "list") && argc == 2) {
		hints = malloc(HINTS_LEN);
		if (!hints || read_pvnuma("hints", hints, HINTS_LEN)) {
			msg("pvnuma is not loaded (no " PVNUMA_DIR ")");
			free(hints);
			return EX_NOPVNUMA;
		}
		fputs(hints, stdout);
		free(hints);
		return EX_OK;
	}
	if (!strcmp(argv[1], "remove") && argc == 3) {
		if (!parse_uint(argv[2], 1, UINT_MAX, &id)) {
			msg("hint remove \"%s\": not a hint id (a positive number)",
			    argv[2]);
			return EX_USAGE;
		}
		if (!pvnuma_loaded()) {
			msg("pvnuma is not loaded (no " PVNUMA_DIR ")");
			return EX_NOPVNUMA;
		}
		ret = hint_remove(id);
		if (ret == -ENOENT)
			msg("hint remove %lu: no such hint", id);
		else if (ret == -EINVAL)
			msg("hint remove %lu: %s", id,
			    "an automatic hint (pvnuma's auto_hints=0 turns those off)");
		else if (ret)
			msg("hint remove %lu: %s", id, strerror(-ret));
		return ret ? EX_FAIL : EX_OK;
	}
	if (strcmp(argv[1], "add") || argc != 4) {
		help(stderr);
		return EX_USAGE;
	}
	node = parse_node("hint add: node", argv[2]);
	if (node < 0)
		return EX_USAGE;
	cpus = numa_parse_cpustring_all(argv[3]);
	if (!cpus) {
		msg("hint add: CPU list \"%s\": malformed, or a CPU the guest lacks",
		    argv[3]);
		return EX_USAGE;
	}
	if (check_hint(node, cpus, &why)) {
		msg("hint add %d %s: %s", node, argv[3], why);
		numa_bitmask_free(cpus);
		return EX_USAGE;
	}
	if (!pvnuma_loaded()) {
		msg("pvnuma is not loaded (no " PVNUMA_DIR ")");
		numa_bitmask_free(cpus);
		return EX_NOPVNUMA;
	}
	ret = hint_add(node, cpus);
	numa_bitmask_free(cpus);
	if (ret < 0) {
		msg("hint add %d %s: %s", node, argv[3], add_error(ret));
		return EX_FAIL;
	}
	printf("%d\n", ret);
	return EX_OK;
}

/* A "key=value" field of a placement line, or "unknown". */
static void field(const char *line, const char *key, char *out, size_t len)
{
	const char *p = strstr(line, key);
	size_t n;

	if (!p) {
		snprintf(out, len, "unknown");
		return;
	}
	p += strlen(key);
	n = strcspn(p, "\n ");
	snprintf(out, len, "%.*s", (int)n, p);
}

/* pvnumactl status */
static int cmd_status(void)
{
	char src[64], score[32], *buf, *p, *end;
	char node[16], cpus[256], vh[256], mh[32], sc[32];

	if (!pvnuma_loaded() || read_pvnuma("source", src, sizeof(src))) {
		msg("pvnuma is not loaded (no " PVNUMA_DIR ")");
		return EX_NOPVNUMA;
	}
	buf = malloc(HINTS_LEN);
	if (!buf)
		return EX_FAIL;
	strip(src);
	printf("hints go to: %s\n\n", src);
	printf("%-10s %-16s %-16s %-16s %s\n", "guest_node", "cpus",
	       "vcpu_host_nodes", "mem_host_node", "score");
	if (read_pvnuma("placement", buf, HINTS_LEN))
		buf[0] = '\0';
	for (p = buf; *p; p = *end ? end + 1 : end) {
		end = strchrnul(p, '\n');
		*end = '\0';
		field(p, "node=", node, sizeof(node));
		field(p, "cpus=", cpus, sizeof(cpus));
		field(p, "vcpu_host_nodes=", vh, sizeof(vh));
		field(p, "mem_host_node=", mh, sizeof(mh));
		field(p, "score=", sc, sizeof(sc));
		printf("%-10s %-16s %-16s %-16s %s\n", node, cpus, vh, mh, sc);
		if (!end[1])
			break;
		end[0] = '\n';
	}
	if (read_pvnuma("score", score, sizeof(score)))
		snprintf(score, sizeof(score), "unknown");
	strip(score);
	printf("\nscore: %s\n", score);
	if (!read_pvnuma("distance", buf, HINTS_LEN))
		printf("host distances:\n%s", buf);
	if (!read_pvnuma("hints", buf, HINTS_LEN))
		printf("\nhints:\n%s", buf);
	free(buf);
	return EX_OK;
}

/* A run's hint, shared with the other runs that use the same. */
struct run_hint {
	int lockfd;
	int node;
	char cpus[LIST_LEN];
};

/*
 * Take (or share) the hint of a run: -1 and no hint held if it could not
 * be had, with the reason said.
 */
static int run_hint_take(struct run_hint *rh, int node,
			 const struct bitmask *cpus, const char *rundir)
{
	char path[PATH_MAX], s[16];
	int ret;

	rh->node = node;
	cpus_format(cpus, HINT_CPUS, rh->cpus, sizeof(rh->cpus));
	if (mkdir(rundir, 0755) && errno != EEXIST) {
		msg("no hint: %s: %s", rundir, strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/node%d-cpus%s", rundir, node, rh->cpus);
	rh->lockfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (rh->lockfd < 0 || flock(rh->lockfd, LOCK_SH)) {
		msg("no hint: %s: %s", path, strerror(errno));
		if (rh->lockfd >= 0)
			close(rh->lockfd);
		return -1;
	}
	ret = hint_add(node, cpus);
	if (ret > 0) {
		snprintf(s, sizeof(s), "%d\n", ret);
		if (ftruncate(rh->lockfd, 0) ||
		    pwrite(rh->lockfd, s, strlen(s), 0) != (ssize_t)strlen(s))
			msg("hint %d: %s: %s (it stays when the command exits)",
			    ret, path, strerror(errno));
		return 0;
	}
	if (ret == -EEXIST)
		return 0;	/* another run's, or held by hand: shared */
	msg("no hint node=%d cpus=%s: %s", node, rh->cpus, add_error(ret));
	close(rh->lockfd);
	return -1;
}

/* Leave a run's hint: the last run out withdraws the hint a run made. */
static void run_hint_put(struct run_hint *rh)
{
	char s[16], *hints;
	unsigned long id;
	ssize_t n;

	if (flock(rh->lockfd, LOCK_EX | LOCK_NB))
		goto out;	/* others still use it */
	n = pread(rh->lockfd, s, sizeof(s) - 1, 0);
	s[n > 0 ? n : 0] = '\0';
	strip(s);
	hints = malloc(HINTS_LEN);
	if (hints && *s && parse_uint(s, 1, UINT_MAX, &id) &&
	    !read_pvnuma("hints", hints, HINTS_LEN) &&
	    hint_is(hints, id, rh->node, rh->cpus))
		hint_remove(id);
	free(hints);
	if (ftruncate(rh->lockfd, 0))
		msg("%s: %s", RUNDIR, strerror(errno));
out:
	close(rh->lockfd);
}

static struct bitmask *parse_nodes(const char *opt, const char *s)
{
	struct bitmask *b = numa_parse_nodestring(s);
	char online[256];

	if (!b) {
		nodes_online(online, sizeof(online));
		msg("%s \"%s\": not nodes of this guest (its nodes: %s)", opt, s,
		    online);
	}
	return b;
}

/* The single node of @b, or -1. */
static int single_node(const struct bitmask *b)
{
	int i;

	if (!b || numa_bitmask_weight(b) != 1)
		return -1;
	for (i = 0; i <= numa_max_node(); i++)
		if (numa_bitmask_isbitset(b, i))
			return i;
	return -1;
}

static pid_t run_child;

static void forward(int sig)
{
	if (run_child > 0)
		kill(run_child, sig);
}

/* pvnumactl run */
static int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cpunodebind", required_argument, NULL, 'N' },
		{ "membind", required_argument, NULL, 'm' },
		{ "no-hint", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct bitmask *cpunodes = NULL, *memnodes = NULL, *cpus = NULL;
	const char *rundir = getenv("PVNUMACTL_RUNDIR");
	struct sigaction sa = { .sa_handler = forward };
	struct run_hint rh;
	bool hint = true, have_hint = false;
	int c, node, i, status;

	if (!rundir || !*rundir)
		rundir = RUNDIR;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+N:m:h", opts, NULL)) != -1) {
		switch (c) {
		case 'N':
			numa_bitmask_free(cpunodes);
			cpunodes = parse_nodes("--cpunodebind", optarg);
			if (!cpunodes)
				return EX_USAGE;
			break;
		case 'm':
			numa_bitmask_free(memnodes);
			memnodes = parse_nodes("--membind", optarg);
			if (!memnodes)
				return EX_USAGE;
			break;
		case 'n':
			hint = false;
			break;
		case 'h':
			help(stdout);
			return EX_OK;
		default:
			help(stderr);
			return EX_USAGE;
		}
	}
	if (optind >= argc) {
		msg("run: no command (pvnumactl run [OPTIONS] -- CMD [ARG...])");
		return EX_USAGE;
	}
	if (!cpunodes && !memnodes) {
		msg("run: --cpunodebind or --membind, or both");
		return EX_USAGE;
	}

	/* The hint: the CPUs of --cpunodebind with the one node of --membind. */
	node = single_node(memnodes);
	if (node < 0 && !memnodes)
		node = single_node(cpunodes);
	if (hint && node < 0) {
		msg("no hint: a hint names one memory node, --membind names %d",
		    memnodes ? numa_bitmask_weight(memnodes) : 0);
		hint = false;
	}
	if (hint && !pvnuma_loaded()) {
		msg("no hint: pvnuma is not loaded (the policy is set all the same)");
		hint = false;
	}
	if (hint) {
		struct bitmask *nc = numa_allocate_cpumask();

		cpus = numa_allocate_cpumask();
		for (i = 0; i <= numa_max_node(); i++) {
			if (!numa_bitmask_isbitset(cpunodes ? cpunodes : memnodes, i) ||
			    numa_node_to_cpus(i, nc))
				continue;
			for (c = 0; c < (int)nc->size && c < HINT_CPUS; c++)
				if (numa_bitmask_isbitset(nc, c))
					numa_bitmask_setbit(cpus, c);
		}
		numa_bitmask_free(nc);
		if (cpus_empty(cpus))
			msg("no hint: the nodes of --cpunodebind have no CPU below %d",
			    HINT_CPUS);
		else
			have_hint = !run_hint_take(&rh, node, cpus, rundir);
	}

	run_child = fork();
	if (run_child < 0) {
		msg("fork: %s", strerror(errno));
		if (have_hint)
			run_hint_put(&rh);
		return EX_FAIL;
	}
	if (!run_child) {
		if (cpunodes && numa_run_on_node_mask(cpunodes)) {
			msg("--cpunodebind: %s", strerror(errno));
			_exit(EX_FAIL);
		}
		if (memnodes) {
			errno = 0;
			numa_set_membind(memnodes);
			if (errno) {
				msg("--membind: %s", strerror(errno));
				_exit(EX_FAIL);
			}
		}
		execvp(argv[optind], argv + optind);
		msg("%s: %s", argv[optind], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	/* The terminal's signals reach the command itself; others are passed on. */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	while (waitpid(run_child, &status, 0) < 0 && errno == EINTR)
		;
	if (have_hint)
		run_hint_put(&rh);
	numa_bitmask_free(cpus);
	numa_bitmask_free(cpunodes);
	numa_bitmask_free(memnodes);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* follow-cpusets */

/* A hint follow-cpusets wants or holds. */
struct want {
	int node;
	char cpus[LIST_LEN];
	char cgroup[256];	/* the first cgroup that asks for it */
	unsigned int id;	/* ours in pvnuma, 0 if not held by us */
	int err;		/* the last failure, said once */
	bool wanted;
};

struct follow {
	const char *root;
	int ino;
	struct want w[MAX_HINTS];
	int n;
	bool full_said;
	bool absent_said;
	char root_cpus[LIST_LEN];
	char root_mems[LIST_LEN];
};

static void cg_read(const char *dir, const char *name, char *buf, size_t len)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (read_file(path, buf, len))
		buf[0] = '\0';
	strip(buf);
}

static void want_hint(struct follow *f, const char *cg, int node,
		      const char *cpus)
{
	int i;

	for (i = 0; i < f->n; i++) {
		if (f->w[i].node == node && !strcmp(f->w[i].cpus, cpus)) {
			f->w[i].wanted = true;
			return;
		}
	}
	if (f->n == MAX_HINTS) {
		if (!f->full_said)
			msg("more than %d distinct cpusets: %s left out", MAX_HINTS, cg);
		f->full_said = true;
		return;
	}
	memset(&f->w[f->n], 0, sizeof(f->w[0]));
	f->w[f->n].node = node;
	snprintf(f->w[f->n].cpus, sizeof(f->w[0].cpus), "%s", cpus);
	snprintf(f->w[f->n].cgroup, sizeof(f->w[0].cgroup), "%s", cg);
	f->w[f->n].wanted = true;
	f->n++;
}

/* The hints one cpuset asks for: per memory node, its CPUs on that node. */
static void cpuset_hints(struct follow *f, const char *dir)
{
	char own_c[LIST_LEN], own_m[LIST_LEN], cpus[LIST_LEN], mems[LIST_LEN];
	char list[LIST_LEN];
	struct bitmask *c, *m, *nc, *h;
	const char *cg = dir + strlen(f->root);
	unsigned int i, j;

	cg_read(dir, "cpuset.cpus", own_c, sizeof(own_c));
	cg_read(dir, "cpuset.mems", own_m, sizeof(own_m));
	if (!*own_c && !*own_m)
		return;		/* not restricted here: inherited or none */
	cg_read(dir, "cpuset.cpus.effective", cpus, sizeof(cpus));
	cg_read(dir, "cpuset.mems.effective", mems, sizeof(mems));
	if (!*cpus || !*mems)
		return;
	if (!strcmp(cpus, f->root_cpus) && !strcmp(mems, f->root_mems))
		return;		/* restricts nothing */
	c = numa_parse_cpustring_all(cpus);
	m = numa_parse_nodestring(mems);
	nc = numa_allocate_cpumask();
	h = numa_allocate_cpumask();
	for (i = 0; c && m && i <= (unsigned int)numa_max_node(); i++) {
		if (!numa_bitmask_isbitset(m, i))
			continue;
		numa_bitmask_clearall(h);
		if (!numa_node_to_cpus(i, nc))
			for (j = 0; j < c->size && j < HINT_CPUS; j++)
				if (numa_bitmask_isbitset(c, j) &&
				    numa_bitmask_isbitset(nc, j))
					numa_bitmask_setbit(h, j);
		/* No CPU of the cpuset on that node: all its CPUs use it. */
		if (cpus_empty(h))
			for (j = 0; j < c->size && j < HINT_CPUS; j++)
				if (numa_bitmask_isbitset(c, j))
					numa_bitmask_setbit(h, j);
		cpus_format(h, HINT_CPUS, list, sizeof(list));
		if (*list)
			want_hint(f, *cg ? cg : "/", i, list);
	}
	numa_bitmask_free(h);
	numa_bitmask_free(nc);
	numa_bitmask_free(m);
	numa_bitmask_free(c);
}

/* Walk the cgroup tree: watch every directory, read every cpuset. */
static void scan(struct follow *f, const char *dir, int depth)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	if (inotify_add_watch(f->ino, dir, IN_CREATE | IN_DELETE | IN_MODIFY |
			      IN_MOVED_FROM | IN_MOVED_TO | IN_ONLYDIR) < 0 &&
	    errno == ENOSPC && !f->full_said)
		msg("inotify watches exhausted: relying on the rescan");
	if (depth)
		cpuset_hints(f, dir);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if (depth > 64)
			break;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		scan(f, path, depth + 1);
	}
	closedir(d);
}

/* Make pvnuma's user hints what the cpusets ask for. */
static void reconcile(struct follow *f)
{
	char *hints = malloc(HINTS_LEN);
	struct bitmask *cpus;
	struct want *w;
	bool loaded;
	int i, ret;

	if (!hints)
		return;
	for (i = 0; i < f->n; i++)
		f->w[i].wanted = false;
	cg_read(f->root, "cpuset.cpus.effective", f->root_cpus,
		sizeof(f->root_cpus));
	cg_read(f->root, "cpuset.mems.effective", f->root_mems,
		sizeof(f->root_mems));
	scan(f, f->root, 0);

	loaded = pvnuma_loaded() && !read_pvnuma("hints", hints, HINTS_LEN);
	if (!loaded && !f->absent_said)
		msg("pvnuma is not loaded: the hints wait for it");
	if (loaded && f->absent_said)
		msg("pvnuma is back: sending the hints");
	f->absent_said = !loaded;

	for (i = 0; i < f->n; i++) {
		w = &f->w[i];
		/* Ours no longer there (pvnuma reloaded, removed by hand). */
		if (w->id && (!loaded || !hint_is(hints, w->id, w->node, w->cpus)))
			w->id = 0;
		if (!w->wanted) {
			if (w->id && !hint_remove(w->id))
				msg("hint %u node=%d cpus=%s withdrawn: no cpuset asks for it now",
				    w->id, w->node, w->cpus);
			f->w[i--] = f->w[--f->n];
			continue;
		}
		if (w->id || !loaded || find_hint(hints, w->node, w->cpus))
			continue;	/* held by us, or by another */
		cpus = numa_parse_cpustring_all(w->cpus);
		ret = cpus ? hint_add(w->node, cpus) : -EINVAL;
		numa_bitmask_free(cpus);
		if (ret > 0) {
			w->id = ret;
			w->err = 0;
			msg("%s: hint %u node=%d cpus=%s", w->cgroup, w->id,
			    w->node, w->cpus);
		} else if (ret != -EEXIST && ret != w->err) {
			w->err = ret;
			msg("%s: hint node=%d cpus=%s: %s (tried again at each rescan)",
			    w->cgroup, w->node, w->cpus, add_error(ret));
		}
	}
	free(hints);
}

static void withdraw_all(struct follow *f)
{
	char *hints = malloc(HINTS_LEN);
	int i;

	if (hints && !read_pvnuma("hints", hints, HINTS_LEN))
		for (i = 0; i < f->n; i++)
			if (hint_is(hints, f->w[i].id, f->w[i].node, f->w[i].cpus))
				hint_remove(f->w[i].id);
	free(hints);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * Does a batch of inotify events concern cpusets: a cgroup made, removed
 * or moved, or a write to a cpuset file (not memory.events and the like,
 * which the kernel rewrites all the time)?
 */
static bool cpuset_events(const char *buf, ssize_t len)
{
	const struct inotify_event *ev;
	const char *p;

	for (p = buf; p + sizeof(*ev) <= buf + len; p += sizeof(*ev) + ev->len) {
		ev = (const struct inotify_event *)p;
		if (ev->mask & (IN_ISDIR | IN_Q_OVERFLOW | IN_DELETE_SELF))
			return true;
		if (ev->len && !strncmp(ev->name, "cpuset.", 7))
			return true;
	}
	return false;
}

/* pvnumactl follow-cpusets */
static int cmd_follow(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "interval", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	static struct follow f;
	union {
		struct inotify_event ev;
		char buf[4096];
	} u;
	char buf[PATH_MAX];
	struct signalfd_siginfo si;
	long long deadline, left;
	bool changed;
	ssize_t len;
	unsigned long interval = 10;
	struct pollfd pfd[2];
	sigset_t set;
	int c, sfd, ret;

	f.root = "/sys/fs/cgroup";
	optind = 1;
	while ((c = getopt_long(argc, argv, "r:i:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			f.root = optarg;
			break;
		case 'i':
			if (!parse_uint(optarg, 1, 3600, &interval)) {
				msg("--interval \"%s\": seconds from 1 to 3600", optarg);
				return EX_USAGE;
			}
			break;
		case 'h':
			help(stdout);
			return EX_OK;
		default:
			help(stderr);
			return EX_USAGE;
		}
	}
	if (optind != argc) {
		help(stderr);
		return EX_USAGE;
	}
	snprintf(buf, sizeof(buf), "%s/cgroup.controllers", f.root);
	if (access(buf, R_OK)) {
		msg("%s is not a cgroup v2 hierarchy (mount -t cgroup2 none %s)",
		    f.root, f.root);
		return EX_USAGE;
	}
	snprintf(buf, sizeof(buf), "%s/cpuset.cpus.effective", f.root);
	if (access(buf, R_OK))
		msg("%s has no cpuset controller: no hint until it has one", f.root);

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	f.ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (sfd < 0 || f.ino < 0) {
		msg("signalfd/inotify: %s", strerror(errno));
		return EX_FAIL;
	}
	msg("following the cpusets under %s (inotify, rescan every %lu s)",
	    f.root, interval);
	pfd[0] = (struct pollfd){ .fd = f.ino, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = sfd, .events = POLLIN };
	for (;;) {
		reconcile(&f);
		deadline = now_ms() + interval * 1000;
		do {
			left = deadline - now_ms();
			ret = poll(pfd, 2, left > 0 ? (int)left : 0);
			if (ret < 0 && errno != EINTR)
				goto out;
			if (pfd[1].revents & POLLIN)
				goto out;
			if (ret <= 0)
				break;	/* the periodic rescan */
			/* A burst (mkdir, then cpuset.cpus, then mems): one rescan. */
			usleep(100000);
			changed = false;
			while ((len = read(f.ino, u.buf, sizeof(u.buf))) > 0)
				changed |= cpuset_events(u.buf, len);
		} while (!changed);
	}
out:
	if (read(sfd, &si, sizeof(si)) == sizeof(si))
		msg("signal %u: withdrawing the hints", si.ssi_signo);
	withdraw_all(&f);
	return EX_OK;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		help(stderr);
		return EX_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		help(stdout);
		return EX_OK;
	}
	if (numa_available() < 0) {
		msg("the kernel has no NUMA support");
		return EX_FAIL;
	}
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "status") && argc == 2)
		return cmd_status();
	if (!strcmp(argv[1], "hint"))
		return cmd_hint(argc - 1, argv + 1);
	if (!strcmp(argv[1], "follow-cpusets"))
		return cmd_follow(argc - 1, argv + 1);
	msg("unknown command \"%s\"", argv[1]);
	help(stderr);
	return EX_USAGE;
}
