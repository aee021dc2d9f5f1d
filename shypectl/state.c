// SPDX-License-Identifier: GPL-2.0
/*
 * The run-time labels that shypectl gave (label set, resource label), kept
 * in a state file so that `shypectl boot` gives them again after a
 * reboot: the kernel forgets them.  One record a line,
 *
 *	cgroup PATH LABEL	(PATH from the cgroup v2 root)
 *	file PATH LABEL		(PATH absolute)
 *
 * neither PATH nor LABEL holds a space.  The file is rewritten whole under
 * a lock and renamed into place, so a reader sees the old or the new one.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "main.h"

#define STATE_FILE "/var/lib/shype/labels"
#define STATE_LINE (PATH_MAX + SHYPE_NAME_MAX + 16)

const char *state_path(void)
{
	const char *p = getenv("SHYPE_STATE");

	return p && *p ? p : STATE_FILE;
}

/* Write @text to @path through a temporary file and rename(). */
static int write_atomic(const char *path, const char *text, size_t len)
{
	char tmp[PATH_MAX];
	int fd, err = 0;
	ssize_t w;

	if (snprintf(tmp, sizeof(tmp), "%s.new", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	w = write(fd, text, len);
	if (w != (ssize_t)len)
		err = w < 0 ? -errno : -EIO;
	else if (fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

/* mkdir -p @dir */
static int mkdir_p(char *dir)
{
	char *s;

	for (s = dir + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST) {
			*s = '/';
			return -errno;
		}
		*s = '/';
	}
	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

int state_record(const char *kind, const char *path, const char *label)
{
	const char *file = state_path();
	char dir[PATH_MAX], line[STATE_LINE], k[16], p[PATH_MAX];
	char *text = NULL;
	size_t len = 0;
	FILE *in, *out;
	int dfd, err;

	snprintf(dir, sizeof(dir), "%s", file);
	dirname(dir);
	err = mkdir_p(dir);
	if (err)
		return err;
	/* One writer at a time: a lock on the directory. */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	if (flock(dfd, LOCK_EX)) {
		err = -errno;
		goto out_dir;
	}
	out = open_memstream(&text, &len);
	if (!out) {
		err = -errno;
		goto out_dir;
	}
	fprintf(out,
		"# shype's run-time labels, given again at boot by 'shypectl boot'.\n"
		"# Written by shypectl label set/unset, resource label/unlabel.\n");
	in = fopen(file, "re");
	if (!in && errno != ENOENT) {
		err = -errno;
		fclose(out);
		goto out_text;
	}
	while (in && fgets(line, sizeof(line), in)) {
		/* Keep every other record; this one is replaced. */
		if (sscanf(line, "%15s %4095s", k, p) == 2 && line[0] != '#' &&
		    (strcmp(k, kind) || strcmp(p, path)))
			fputs(line, out);
	}
	if (in)
		fclose(in);
	if (label)
		fprintf(out, "%s %s %s\n", kind, path, label);
	if (fclose(out)) {
		err = -ENOMEM;
		goto out_text;
	}
	err = write_atomic(file, text, len);
	/* The rename too must reach the disk before a reboot. */
	if (!err && fsync(dfd))
		err = -errno;
out_text:
	free(text);
out_dir:
	close(dfd);
	return err;
}

int state_note(const char *kind, const char *path, const char *label)
{
	int err = state_record(kind, path, label);

	if (err && label)
		p_err("the label is given but not recorded in %s, so a reboot forgets it: %s",
		      state_path(), strerror(-err));
	else if (err)
		p_err("the label is removed but still recorded in %s, so a reboot gives it again: %s",
		      state_path(), strerror(-err));
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}

int state_restore(void)
{
	const char *file = state_path();
	char line[STATE_LINE], k[16], p[PATH_MAX], l[SHYPE_NAME_MAX + 2];
	unsigned int n = 0, given = 0, failed = 0;
	FILE *in;
	int err;

	in = fopen(file, "re");
	if (!in) {
		if (errno == ENOENT)
			return 0;
		p_err("cannot read %s: %s", file, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), in)) {
		n++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "%15s %4095s %64s", k, p, l) != 3 ||
		    !shype_name_valid(l, strlen(l))) {
			p_err("%s:%u: not 'cgroup|file PATH LABEL'", file, n);
			failed++;
			continue;
		}
		if (!strcmp(k, "cgroup")) {
			/* It makes the cgroup, as label set does. */
			err = shype_kernel_label_set(p, l);
		} else if (!strcmp(k, "file")) {
			/*
			 * Gone since (a tmpfs file after a reboot): no inode
			 * keeps the label, and a new file of that name starts
			 * unlabelled, as before it was labelled.  Said, not
			 * fatal, or one lost file would refuse every VM.
			 */
			if (access(p, F_OK) && errno == ENOENT) {
				fprintf(stderr,
					"shype: %s:%u: file '%s' is gone: its label '%s' is not given again\n",
					file, n, p, l);
				continue;
			}
			err = shype_kernel_resource_set(p, l);
		} else {
			p_err("%s:%u: '%s' is not cgroup or file", file, n, k);
			failed++;
			continue;
		}
		/* A label the policy dropped since: said, not fatal. */
		if (err == -ESRCH) {
			fprintf(stderr,
				"shype: %s:%u: %s '%s' keeps no label: the active policy has no label '%s'\n",
				file, n, k, p, l);
			continue;
		}
		if (err) {
			p_err("%s:%u: cannot give %s '%s' label '%s': %s", file,
			      n, k, p, l, shype_kernel_strerror(err));
			failed++;
			continue;
		}
		given++;
	}
	fclose(in);
	if (given || failed)
		printf("shype: %u run-time label%s given again from %s%s\n",
		       given, given == 1 ? "" : "s", file,
		       failed ? ", some failed" : "");
	return failed ? -1 : 0;
}
