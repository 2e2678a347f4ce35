/* SPDX-License-Identifier: GPL-2.0 */
/* Loading and unloading a module from a selftest, as insmod and rmmod do. */
#ifndef _PV_MODULE_H
#define _PV_MODULE_H

#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Load the module file @ko with @params: 0 or -errno. */
static inline int pv_module_load(const char *ko, const char *params)
{
	int fd, ret = 0;

	fd = open(ko, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (syscall(SYS_finit_module, fd, params, 0))
		ret = -errno;
	close(fd);
	return ret;
}

/* Unload the module @name, failing at once if it is in use: 0 or -errno. */
static inline int pv_module_unload(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK) ? -errno : 0;
}

/* Unload @name, then load @ko with @params: 0 or -errno. */
static inline int pv_module_reload(const char *name, const char *ko,
				   const char *params)
{
	int ret = pv_module_unload(name);

	return ret ? ret : pv_module_load(ko, params);
}

#endif
