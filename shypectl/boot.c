// SPDX-License-Identifier: GPL-2.0
/*
 * shypectl boot: start shype as shype.conf says, once at boot (shype.service
 * runs it before libvirtd).  Loads shype.ko with require_policy as
 * REQUIRE_POLICY says, sets the mode, loads POLICY (and writes the labels
 * of its file: rules to the files, as 'shypectl load' does) and gives the
 * run-time labels recorded in the state file again.  Any failure is an error exit
 * with a message that says what is now refused and how to fix it: shype
 * fails closed, and the libvirt hook refuses every domain until it runs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "main.h"

#define REASONS_MAX 8192

static int boot_help(int argc, char **argv)
{
	FILE *f = argc ? stdout : stderr;

	(void)argv;
	fprintf(f,
		"Usage: %1$s boot\n"
		"       %1$s boot help\n"
		"\n"
		"Starts shype as %2$s says (shype.service runs it).\n",
		bin_name, shype_conf_path());
	return argc ? EXIT_SUCCESS : EXIT_USAGE;
}

/* modprobe shype require_policy=0|1; $SHYPE_MODPROBE replaces modprobe. */
static int modprobe(bool require_policy)
{
	const char *prog = getenv("SHYPE_MODPROBE");
	char param[32];
	int status;
	pid_t pid;

	if (!prog || !*prog)
		prog = "/sbin/modprobe";
	snprintf(param, sizeof(param), "require_policy=%d", require_policy);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execl(prog, prog, "shype", param, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		p_err("'%s shype %s' failed (status %d): see 'journalctl -k'",
		      prog, param,
		      WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -EIO;
}

/* What a boot without a policy leaves, and how to fix it. */
static void no_policy(const struct shype_conf *c)
{
	fprintf(stderr,
		"shype: no policy is loaded from %s: %s; fix it, then 'systemctl restart shype.service'\n",
		c->policy,
		c->require_policy ? "every VM is refused until one is" :
				    "VMs are not mediated (REQUIRE_POLICY=no)");
}

/*
 * Load POLICY and label the files of its file: rules: 0; 1 when loaded but
 * some file could not be labelled; -1 when not loaded.
 */
static int load_policy(const struct shype_conf *c)
{
	static char reasons[REASONS_MAX];
	struct shype_file_result *files;
	size_t n, failed = 0;
	struct policy_file pf;
	char *line, *save;
	int err;

	if (policy_file_load(c->policy, &pf))
		return -1;
	err = shype_kernel_load(pf.blob, pf.len, 0, reasons, sizeof(reasons));
	if (err < 0) {
		p_err("policy %s refused: %s", c->policy,
		      policy_load_strerror(err, reasons));
		for (line = strtok_r(reasons, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save))
			fprintf(stderr, "  %s\n", line);
	} else {
		printf("shype: policy %s version %u.%u from %s, mode %s\n",
		       pf.pol.name, pf.pol.version_major, pf.pol.version_minor,
		       c->policy, shype_conf_mode_name(c->mode));
		failed = policy_label_files(&pf.pol, &files, &n);
		free(files);
		if (failed)
			p_err("policy %s is loaded, but %zu of its file labels could not be written",
			      pf.pol.name, failed);
	}
	policy_file_free(&pf);
	return err < 0 ? -1 : failed ? 1 : 0;
}

int do_boot(int argc, char **argv)
{
	const char *path = shype_conf_path();
	struct shype_status st;
	struct shype_conf c;
	struct shype_error e;
	int ret, err;

	ret = no_args(argc, argv, boot_help);
	if (ret >= 0)
		return ret;
	err = shype_conf_read(path, &c, &e);
	if (err == -EINVAL) {
		p_err("%s:%u: %s", path, e.line, e.msg);
		return EXIT_FAILURE;
	}
	if (err) {
		p_err("cannot read %s: %s", path, strerror(-err));
		return EXIT_FAILURE;
	}
	if (c.mode == SHYPE_CONF_OFF) {
		printf("shype: SHYPE=off in %s: shype.ko is not loaded, VMs are not mediated\n",
		       path);
		return EXIT_SUCCESS;
	}

	if (!shype_kernel_loaded() && modprobe(c.require_policy))
		return EXIT_FAILURE;
	if (!shype_kernel_loaded()) {
		p_err("shype.ko is not loaded (no %s)", shype_securityfs_dir());
		return EXIT_FAILURE;
	}
	err = shype_kernel_status(&st);
	if (err) {
		p_read_err(err, "status");
		return EXIT_FAILURE;
	}
	if (st.require_policy != c.require_policy)
		fprintf(stderr,
			"shype: note: shype.ko was loaded with require_policy=%d; REQUIRE_POLICY=%s applies from the next boot\n",
			st.require_policy, c.require_policy ? "yes" : "no");

	err = shype_kernel_set_mode(c.mode == SHYPE_CONF_PERMISSIVE);
	if (err) {
		p_kernel_err(err, "cannot set mode %s",
			     shype_conf_mode_name(c.mode));
		return EXIT_FAILURE;
	}
	ret = load_policy(&c);
	if (ret < 0) {
		no_policy(&c);
		return EXIT_FAILURE;
	}
	/* The policy decides VMs even when some file could not be labelled. */
	return state_restore() || ret ? EXIT_FAILURE : EXIT_SUCCESS;
}
