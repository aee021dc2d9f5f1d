// SPDX-License-Identifier: GPL-2.0
/*
 * Neither shype.ko nor a module it hooks can be removed, not even by force
 * (rmmod -f, delete_module() with O_TRUNC: Debian's kernels are built with
 * CONFIG_MODULE_FORCE_UNLOAD=y).  shype records that it uses each of them,
 * and itself, as the module loader records that a module uses another's
 * symbols, and delete_module() refuses to remove a module in use with
 * EWOULDBLOCK, forced or not.  kvm_amd (or kvm_intel), which holds no
 * hooked function, still unloads and loads again, and KVM stays mediated.
 *
 * The test of shype itself comes last: without the fix, shype.ko goes and
 * the next KVM_CREATE_VM runs into its freed hooks, which ends the test
 * host.
 */
#include <sys/eventfd.h>

#include "harness.h"
#include "module_util.h"
#include "shype_util.h"

/* The modules that hold hooked functions (kmod/hook.c's tables), and shype. */
static const char *const hooked[] = {
	"kvm", "vhost",	    "vhost_vsock", "vsock", "vfio",
	"tun", "vhost_net", "tap",	   "shype",
};

/* KVM's vendor module here: kvm_amd under TCG's SVM, else kvm_intel. */
static const char *vendor(void)
{
	if (module_loaded("kvm_amd"))
		return "kvm_amd";
	if (module_loaded("kvm_intel"))
		return "kvm_intel";
	SKIP("neither kvm_amd nor kvm_intel is loaded");
	return NULL;
}

/*
 * KVM is mediated: with order and advertising sharing no STE type (and no
 * Chinese Wall between them), an advertising VM's ioeventfd on an eventfd
 * that an order VM's irqfd holds is refused.
 */
static void expect_kvm_mediated(void)
{
	struct kvm_ioeventfd io = {
		.addr = 0x10,
		.len = 2,
		.flags = KVM_IOEVENTFD_FLAG_PIO,
	};
	char why[1024];
	int efd, ctl, vm, err;
	pid_t order;

	err = load_fig2("module-unload", "1.0", "", "deny", why, sizeof(why));
	if (err)
		TH_LOG("policy load: %s", why);
	ASSERT_EQ(err, 0);
	ASSERT_EQ(write_file(SFS "/mode", "enforce"), 0);
	ASSERT_EQ(cg_label("mu_order", "order"), 0);
	ASSERT_EQ(cg_label("mu_ads", "advertising"), 0);
	efd = eventfd(0, EFD_CLOEXEC);
	ASSERT_GE(efd, 0);
	order = vm_bound_to("mu_order", efd, &ctl);
	ASSERT_EQ(cg_enter("mu_ads"), 0);
	vm = vm_create_here();
	ASSERT_GE(vm, 0);
	io.fd = efd;
	EXPECT_EQ(ioctl(vm, KVM_IOEVENTFD, &io), -1);
	EXPECT_EQ(errno, EACCES);
	close(vm);
	close(ctl);
	waitpid(order, NULL, 0);
	close(efd);
	ASSERT_EQ(cg_enter(""), 0);
}

TEST(lsmod_names_shype_among_the_users_of_every_hooked_module)
{
	char who[256];
	size_t i;

	for (i = 0; i < sizeof(hooked) / sizeof(hooked[0]); i++) {
		ASSERT_EQ(module_users(hooked[i], who, sizeof(who)), 0);
		TH_LOG("%s used by %s", hooked[i], who);
		EXPECT_TRUE(strstr(who, "shype,") != NULL);
	}
}

TEST(forced_unload_of_hooked_modules_refused)
{
	size_t i;

	for (i = 0; i < sizeof(hooked) / sizeof(hooked[0]); i++) {
		if (!strcmp(hooked[i], "shype") || !strcmp(hooked[i], "kvm"))
			continue; /* the tests below */
		TH_LOG("rmmod -f %s", hooked[i]);
		EXPECT_EQ(rmmod(hooked[i], 1), -EWOULDBLOCK);
		EXPECT_TRUE(module_loaded(hooked[i]));
	}
}

TEST(forced_unload_of_kvm_refused_and_vendor_module_reloads_mediated)
{
	const char *v = vendor();
	int err;

	/* No hook in the vendor module: it unloads when no VM runs. */
	ASSERT_EQ(rmmod(v, 0), 0);
	err = rmmod("kvm", 1);
	EXPECT_EQ(err, -EWOULDBLOCK);
	EXPECT_TRUE(module_loaded("kvm"));
	if (!err) /* the hole: kvm went; what does it load as? */
		EXPECT_EQ(insmod("kvm", ""), 0);
	ASSERT_EQ(insmod(v, ""), 0);
	expect_kvm_mediated();
}

TEST(vendor_module_unloads_by_force_when_no_vm_runs_and_kvm_stays_mediated)
{
	const char *v = vendor();

	ASSERT_EQ(rmmod(v, 1), 0);
	ASSERT_EQ(insmod(v, ""), 0);
	expect_kvm_mediated();
}

TEST(forced_unload_of_shype_refused)
{
	EXPECT_EQ(rmmod("shype", 0), -EWOULDBLOCK);
	EXPECT_EQ(rmmod("shype", 1), -EWOULDBLOCK);
	ASSERT_TRUE(module_loaded("shype"));
	/* Still deciding. */
	expect_kvm_mediated();
}

TEST_HARNESS_MAIN
