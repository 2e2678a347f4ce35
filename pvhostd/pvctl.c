// SPDX-License-Identifier: GPL-2.0
/*
 * pvctl: send one command to pvhostd's control socket and print the reply.
 * Exit status 0 for "ok", 1 for an error reply, 2 for no answer (within
 * the timeout) or bad usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "pvhostd.h"

#ifndef PVHOSTD_VERSION
#define PVHOSTD_VERSION "unknown"
#endif

#define PVCTL_TIMEOUT_S	10	/* the longest silence: connecting, or replying */

static const char usage[] =
"Usage: pvctl [-t SECONDS] -c CONTROL_SOCKET COMMAND...\n"
"       pvctl --help | --version\n"
"  -t SECONDS                             give up when the daemon is silent\n"
"                                         this long (1..3600, default 10)\n"
"Commands:\n"
"  status                                 features, generation, peer, counters\n"
"  pressure set <0..1>                    pin the gauge (source=1)\n"
"  pressure auto                          back to host data\n"
"  entropy fault zeros|repeat|replay|none inject an entropy fault, or stop\n"
"  clock status                           records, fit, epoch, counters\n"
"  clock rate <ppm>                       simulate a guest TSC rate change\n"
"  numa status                            memdevs, host topology, counters\n"
"  numa hints                             hints received, what was applied\n"
"  numa policy allow|deny                 apply hints, or refuse them\n"
"  vcpu status                            QMP, vCPU threads, preempted, boosts\n"
"  vcpu lock-hint-max MS                  the lock-hint limit from now on\n"
"  hostile <mode>|off                     misbehave (modes: pvhostd --help)\n";

static int build_line(char *line, size_t size, int argc, char **argv)
{
	size_t len = 0, n;
	int i;

	for (i = 0; i < argc; i++) {
		n = strlen(argv[i]);
		if (len + n + 2 > size)
			return -1;
		memcpy(line + len, argv[i], n);
		len += n;
		line[len++] = i + 1 < argc ? ' ' : '\n';
	}
	line[len] = '\0';
	return (int)len;
}

static int connect_to(const char *path, int timeout_s)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = timeout_s };
	size_t len = strlen(path);
	int fd;

	if (len >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sun.sun_path, path, len + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	/* A daemon that accepts nothing, or answers nothing, is given up. */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The reply, to stdout, until the daemon closes or is silent @timeout_s. */
static int relay_reply(int fd, int timeout_s)
{
	char buf[4096];
	ssize_t n, total = 0;
	int ok = -1;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (!total)
			ok = !strncmp(buf, "ok", 2) ? 0 : 1;
		fwrite(buf, 1, n, stdout);
		total += n;
	}
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		fflush(stdout);
		fprintf(stderr, "pvctl: no %s within %d s\n",
			total ? "end of the reply" : "answer", timeout_s);
		return 2;
	}
	return ok < 0 ? 2 : ok;
}

int main(int argc, char **argv)
{
	char line[PVHOSTD_CTL_MAX + 2], *end;
	int fd, len, timeout_s = PVCTL_TIMEOUT_S;
	long t;

	if (argc == 2 && !strcmp(argv[1], "--help")) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc == 2 && (!strcmp(argv[1], "--version") ||
			  !strcmp(argv[1], "-V"))) {
		printf("pvctl %s\n", PVHOSTD_VERSION);
		return 0;
	}
	if (argc > 2 && !strcmp(argv[1], "-t")) {
		errno = 0;
		t = strtol(argv[2], &end, 10);
		if (errno || end == argv[2] || *end || t < 1 || t > 3600) {
			fprintf(stderr, "pvctl: -t %s: a number of seconds from 1 to 3600\n",
				argv[2]);
			return 2;
		}
		timeout_s = (int)t;
		argc -= 2;
		argv += 2;
	}
	if (argc < 4 || strcmp(argv[1], "-c")) {
		fputs(usage, stderr);
		return 2;
	}
	len = build_line(line, sizeof(line), argc - 3, argv + 3);
	if (len < 0) {
		fputs("pvctl: command too long\n", stderr);
		return 2;
	}
	fd = connect_to(argv[2], timeout_s);
	if (fd < 0) {
		perror(argv[2]);
		return 2;
	}
	if (write(fd, line, len) != len) {
		perror("pvctl: write");
		close(fd);
		return 2;
	}
	shutdown(fd, SHUT_WR);
	len = relay_reply(fd, timeout_s);
	close(fd);
	return len;
}
