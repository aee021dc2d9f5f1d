// SPDX-License-Identifier: GPL-2.0
/*
 * libshype's libvirt conventions, as data tables: a label's metadata
 * element and partition, and a partition's cgroup in libvirt's two layouts
 * (systemd-machined slices, and libvirt's own ".partition" directories).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "testutil.h"

struct cgroup_case {
	const char *partition;
	bool systemd;
	int err;
	const char *cgroup;
};

static const struct cgroup_case cgroup_cases[] = {
	{ "/machine", true, 0, "/machine.slice" },
	{ "/machine", false, 0, "/machine" },
	{ "/machine/shype-order", true, 0,
	  "/machine.slice/machine-shype\\x2dorder.slice" },
	{ "/machine/shype-order", false, 0, "/machine/shype-order.partition" },
	{ "/machine/shype-vdisk_server", true, 0,
	  "/machine.slice/machine-shype\\x2dvdisk_server.slice" },
	{ "/machine/a/b", true, 0,
	  "/machine.slice/machine-a.slice/machine-a-b.slice" },
	{ "/machine/a/b", false, 0, "/machine/a.partition/b.partition" },
	{ "/prod/x.y", false, 0, "/prod.partition/x.y" },
	{ "/machine/.hidden", true, 0,
	  "/machine.slice/machine-\\x2ehidden.slice" },
	{ "machine", true, -EINVAL, NULL },
	{ "/", true, -EINVAL, NULL },
	{ "/machine//x", false, -EINVAL, NULL },
	{ "/machine/..", false, -EINVAL, NULL },
	{ "/machine/a b", true, -EINVAL, NULL },
};

static void partition_cgroups(void **state)
{
	char out[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cgroup_cases) / sizeof(cgroup_cases[0]); i++) {
		const struct cgroup_case *c = &cgroup_cases[i];
		int err = shype_libvirt_partition_cgroup(
			c->partition, c->systemd, out, sizeof(out));

		print_message("%s systemd=%d\n", c->partition, c->systemd);
		assert_int_equal(err, c->err);
		if (!err)
			assert_string_equal(out, c->cgroup);
	}
}

static void partition_cgroup_too_long(void **state)
{
	char out[16];

	(void)state;
	assert_int_equal(shype_libvirt_partition_cgroup("/machine/shype-order",
							true, out, sizeof(out)),
			 -ENAMETOOLONG);
}

static void label_partition_and_metadata(void **state)
{
	char out[128];

	(void)state;
	assert_int_equal(shype_libvirt_partition("order", out, sizeof(out)), 0);
	assert_string_equal(out, "/machine/shype-order");
	assert_string_equal(shype_libvirt_partition_label(out), "order");
	assert_null(shype_libvirt_partition_label("/machine"));
	assert_null(shype_libvirt_partition_label("/machine/shype-"));
	assert_null(shype_libvirt_partition_label("/machine/shype-a/b"));
	assert_int_equal(shype_libvirt_partition("a/b", out, sizeof(out)),
			 -EINVAL);
	assert_int_equal(shype_libvirt_metadata("order", out, sizeof(out)), 0);
	assert_string_equal(out, "<label>order</label>");
	assert_int_equal(shype_libvirt_metadata("<x>", out, sizeof(out)),
			 -EINVAL);
	assert_int_equal(shype_libvirt_metadata("order", out, 8),
			 -ENAMETOOLONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(partition_cgroups),
		cmocka_unit_test(partition_cgroup_too_long),
		cmocka_unit_test(label_partition_and_metadata),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
