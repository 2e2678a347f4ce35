// SPDX-License-Identifier: GPL-2.0
/*
 * pvctl: send one command to pvhostd's control socket and print the reply.
 * Exit status 0 for "ok", 1 for an error reply, 2 for no answer.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "pvhostd.h"

static const char usage[] =
"Usage: pvctl -c CONTROL_SOCKET COMMAND...\n"
"  status                                 features, generation, peer, counters\n"
"  pressure set <0..1>                    pin the gauge (source=1)\n"
"  pressure auto                          back to host data\n"
"  entropy fault zeros|repeat|replay|none inject an entropy fault, or stop\n"
"  clock status                           records, fit, epoch, counters\n"
"  clock rate <ppm>                       simulate a guest TSC rate change\n"
"  hostile <mode>|off                     misbehave (modes: pvhostd --help)\n"
"  vcpu status                            QMP, vCPU threads, preempted, boosts\n";

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

static int connect_to(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t len = strlen(path);
	int fd;

	if (len >= sizeof(sun.sun_path))
		return -1;
	memcpy(sun.sun_path, path, len + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		close(fd);
		return -1;
	}
	return fd;
}

static int relay_reply(int fd)
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
	return ok < 0 ? 2 : ok;
}

int main(int argc, char **argv)
{
	char line[PVHOSTD_CTL_MAX + 2];
	int fd, len;

	if (argc < 4 || strcmp(argv[1], "-c")) {
		fputs(usage, argc > 1 && !strcmp(argv[1], "--help") ?
		      stdout : stderr);
		return argc > 1 && !strcmp(argv[1], "--help") ? 0 : 2;
	}
	len = build_line(line, sizeof(line), argc - 3, argv + 3);
	if (len < 0) {
		fputs("pvctl: command too long\n", stderr);
		return 2;
	}
	fd = connect_to(argv[2]);
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
	len = relay_reply(fd);
	close(fd);
	return len;
}
