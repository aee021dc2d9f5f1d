/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the tests that load and remove modules in the test host:
 * as insmod, rmmod [-f] and lsmod do, each returning 0 or -errno.
 */
#ifndef SHYPE_TESTS_VM_MODULE_UTIL_H
#define SHYPE_TESTS_VM_MODULE_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* delete_module(@name) as rmmod does; forced, as rmmod -f, when @force. */
static inline int rmmod(const char *name, int force)
{
	if (syscall(SYS_delete_module, name,
		    O_NONBLOCK | (force ? O_TRUNC : 0)))
		return -errno;
	return 0;
}

/* Load the module file @path with the parameters @params. */
static inline int insmod_path(const char *path, const char *params)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err;

	if (fd < 0)
		return -errno;
	err = syscall(SYS_finit_module, fd, params, 0) ? -errno : 0;
	close(fd);
	return err;
}

/* Load module @name from the file that init's /etc/shype/modules names. */
static inline int insmod(const char *name, const char *params)
{
	char line[512], *path = NULL;
	size_t n = strlen(name);
	FILE *f = fopen("/etc/shype/modules", "r");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, n) && line[n] == ' ') {
			path = line + n + 1;
			path[strcspn(path, "\n")] = '\0';
			break;
		}
	fclose(f);
	return path ? insmod_path(path, params) : -ENOENT;
}

/*
 * The users of module @name as lsmod shows them ("a,b," or "-") in @buf;
 * -ENOENT when it is not loaded.
 */
static inline int module_users(const char *name, char *buf, size_t size)
{
	char line[512], mod[64], who[256];
	FILE *f = fopen("/proc/modules", "r");
	int err = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %*u %*d %255s", mod, who) == 2 &&
		    !strcmp(mod, name)) {
			snprintf(buf, size, "%s", who);
			err = 0;
			break;
		}
	fclose(f);
	return err;
}

/* Is module @name loaded? */
static inline int module_loaded(const char *name)
{
	char buf[256];

	return !module_users(name, buf, sizeof(buf));
}

#endif /* SHYPE_TESTS_VM_MODULE_UTIL_H */
