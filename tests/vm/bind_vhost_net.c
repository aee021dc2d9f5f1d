// SPDX-License-Identifier: GPL-2.0
/*
 * bind_vhost_net - VHOST_NET_SET_BACKEND: a VM uses its backend's network,
 * the resource "net:NAME": the tap's bridge if it has one, a macvtap's
 * lower device, else the tap itself.  The VM must share an STE type with
 * the network's label, if it has one, and with every VM on that network.
 */
#include <net/if.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <linux/vhost.h>
#include <netinet/in.h>

#include "harness.h"
#include "shype_util.h"

#define NET_JSON                                                            \
	"{ \"name\": \"%s\", \"version\": \"1.0\","                         \
	"  \"ste\": { \"types\": [\"Order\", \"Advertising\"] },"           \
	"  \"chwall\": { \"types\": [\"Order\", \"Advertising\"] },"        \
	"  \"labels\": {"                                                   \
	"    \"order\": { \"ste\": [\"Order\"], \"chwall\": [\"Order\"] }," \
	"    \"advertising\": { \"ste\": [\"Advertising\"],"                \
	"                       \"chwall\": [\"Advertising\"] } },"         \
	"  \"resources\": { \"net:br-order\": \"order\","                   \
	"                   \"net:br-ads\": \"advertising\","               \
	"                   \"net:br-vault\": \"advertising\","             \
	"                   \"net:tap-ads\": \"advertising\","              \
	"                   \"net:tap-vault\": \"advertising\" } }"

static int load_net_policy(const char *name)
{
	size_t len;
	void *blob;
	int err = compile_json(&blob, &len, NET_JSON, name);

	if (err)
		return err;
	err = load_blob(blob, len, SHYPE_LOAD_FORCE, NULL, 0);
	free(blob);
	return err;
}

/* A bridge ioctl on an ordinary socket; 0 or -errno. */
static int br_ioctl(unsigned long nr, const char *br, const char *ifname)
{
	struct ifreq ifr = { 0 };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (s < 0)
		return -errno;
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", br);
	if (ifname)
		ifr.ifr_ifindex = if_nametoindex(ifname);
	if (ioctl(s, nr, nr == SIOCBRADDBR ? (void *)br : (void *)&ifr))
		err = -errno;
	close(s);
	return err;
}

static int br_make(const char *br)
{
	int err = br_ioctl(SIOCBRADDBR, br, NULL);

	return err == -EEXIST ? 0 : err;
}

static int br_addif(const char *br, const char *ifname)
{
	return br_ioctl(SIOCBRADDIF, br, ifname);
}

static int br_delif(const char *br, const char *ifname)
{
	return br_ioctl(SIOCBRDELIF, br, ifname);
}

/* A new tap @name (gone when the fd closes), on bridge @br if not NULL. */
static int tap_make(const char *name, const char *br)
{
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI };
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr)) {
		close(fd);
		return -errno;
	}
	if (br && (br_make(br) || br_addif(br, name))) {
		close(fd);
		return -EIO;
	}
	return fd;
}

/* A macvtap @name over @lower, opened; -errno on failure. */
static int macvtap_make(const char *name, const char *lower)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
		char attrs[256];
	} req = { 0 };
	struct {
		struct nlmsghdr nh;
		struct nlmsgerr err;
	} ack;
	struct rtattr *rta, *info;
	int s, err, idx = if_nametoindex(lower);
	char dev[32];

#define ADD_ATTR(type, data, len)                                             \
	do {                                                                  \
		rta = (void *)((char *)&req + NLMSG_ALIGN(req.nh.nlmsg_len)); \
		rta->rta_type = (type);                                       \
		rta->rta_len = RTA_LENGTH(len);                               \
		memcpy(RTA_DATA(rta), (data), (len));                         \
		req.nh.nlmsg_len = NLMSG_ALIGN(req.nh.nlmsg_len) +            \
				   RTA_ALIGN(rta->rta_len);                   \
	} while (0)

	if (!idx)
		return -ENODEV;
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifi));
	req.nh.nlmsg_type = RTM_NEWLINK;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL |
			     NLM_F_ACK;
	req.ifi.ifi_family = AF_UNSPEC;
	ADD_ATTR(IFLA_IFNAME, name, strlen(name) + 1);
	ADD_ATTR(IFLA_LINK, &idx, sizeof(idx));
	ADD_ATTR(IFLA_LINKINFO, "", 0);
	info = rta;
	ADD_ATTR(IFLA_INFO_KIND, "macvtap", 8);
	info->rta_len = (char *)&req + req.nh.nlmsg_len - (char *)info;
#undef ADD_ATTR

	s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (s < 0)
		return -errno;
	if (send(s, &req, req.nh.nlmsg_len, 0) < 0 ||
	    recv(s, &ack, sizeof(ack), 0) < (ssize_t)sizeof(ack)) {
		err = -errno;
		close(s);
		return err;
	}
	close(s);
	if (ack.nh.nlmsg_type == NLMSG_ERROR && ack.err.error)
		return ack.err.error;
	snprintf(dev, sizeof(dev), "/dev/tap%u", if_nametoindex(name));
	s = open(dev, O_RDWR | O_CLOEXEC);
	return s < 0 ? -errno : s;
}

/* Delete the link @name; 0 or -errno. */
static int link_del(const char *name)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
	} req = { 0 };
	int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	int err = 0;

	if (s < 0)
		return -errno;
	req.nh.nlmsg_len = sizeof(req);
	req.nh.nlmsg_type = RTM_DELLINK;
	req.nh.nlmsg_flags = NLM_F_REQUEST;
	req.ifi.ifi_index = if_nametoindex(name);
	if (send(s, &req, sizeof(req), 0) < 0)
		err = -errno;
	close(s);
	return err;
}

/* Rename the link @from, which is down, to @to; 0 or -errno. */
static int link_rename(const char *from, const char *to)
{
	struct ifreq ifr = { 0 };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (s < 0)
		return -errno;
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", from);
	snprintf(ifr.ifr_newname, IFNAMSIZ, "%s", to);
	if (ioctl(s, SIOCSIFNAME, &ifr))
		err = -errno;
	close(s);
	return err;
}

/*
 * /dev/vhost-net owned by this process, with its two queues' rings set
 * up, as VHOST_NET_SET_BACKEND requires.
 */
static int vhost_net_ready(void)
{
	struct vhost_memory mem = { .nregions = 0 };
	char *ring = mmap(NULL, 1 << 16, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int dev = open("/dev/vhost-net", O_RDWR | O_CLOEXEC);
	unsigned int i;

	if (dev < 0 && errno == ENOENT)
		SKIP("no /dev/vhost-net");
	ASSERT_GE(dev, 0);
	ASSERT_TRUE(ring != MAP_FAILED);
	ASSERT_EQ(ioctl(dev, VHOST_SET_OWNER, NULL), 0);
	ASSERT_EQ(ioctl(dev, VHOST_SET_MEM_TABLE, &mem), 0);
	for (i = 0; i < 2; i++) {
		struct vhost_vring_state num = { .index = i, .num = 64 };
		char *base = ring + i * (1 << 15);
		struct vhost_vring_addr addr = {
			.index = i,
			.desc_user_addr = (unsigned long)base,
			.avail_user_addr = (unsigned long)base + 4096,
			.used_user_addr = (unsigned long)base + 8192,
		};

		ASSERT_EQ(ioctl(dev, VHOST_SET_VRING_NUM, &num), 0);
		ASSERT_EQ(ioctl(dev, VHOST_SET_VRING_ADDR, &addr), 0);
	}
	return dev;
}

static int set_backend(int dev, unsigned int queue, int fd)
{
	struct vhost_vring_file f = { .index = queue, .fd = fd };

	return ioctl(dev, VHOST_NET_SET_BACKEND, &f) ? -errno : 0;
}

/* Policy @name loaded, enforced; a VM of cgroup /@cg here; its vhost-net. */
static int setup(const char *name, const char *cg, const char *label)
{
	int vm;

	ASSERT_EQ(load_net_policy(name), 0);
	ASSERT_EQ(write_file(SFS "/mode", "enforce"), 0);
	ASSERT_EQ(br_make("br-order"), 0);
	ASSERT_EQ(br_make("br-ads"), 0);
	ASSERT_EQ(cg_label(cg, label), 0);
	ASSERT_EQ(cg_enter(cg), 0);
	vm = vm_create_here();
	ASSERT_GE(vm, 0);
	return vhost_net_ready();
}

static int bound(const char *net, const char *label)
{
	char name[64];

	snprintf(name, sizeof(name), "class=net name=%s ", net);
	return file_has(SFS "/bindings", name, label, NULL);
}

TEST(net_backend_allowed_on_own_coalition_bridge)
{
	int dev = setup("net-1", "order", "order");
	int tap = tap_make("tap-o1", "br-order");

	ASSERT_GE(tap, 0);
	EXPECT_EQ(set_backend(dev, 0, tap), 0);
	EXPECT_EQ(set_backend(dev, 1, tap), 0);
	EXPECT_EQ(bound("br-order", "(order)"), 1);
	/* Removing one queue's backend leaves the other's. */
	EXPECT_EQ(set_backend(dev, 0, -1), 0);
	EXPECT_EQ(bound("br-order", "(order)"), 1);
	EXPECT_EQ(set_backend(dev, 1, -1), 0);
	EXPECT_EQ(bound("br-order", NULL), 0);
	/* So do a reset of its owner and closing it. */
	EXPECT_EQ(set_backend(dev, 1, tap), 0);
	EXPECT_EQ(bound("br-order", "(order)"), 1);
	EXPECT_EQ(ioctl(dev, VHOST_RESET_OWNER, NULL), 0);
	EXPECT_EQ(bound("br-order", NULL), 0);
	close(dev);
	dev = vhost_net_ready();
	EXPECT_EQ(set_backend(dev, 1, tap), 0);
	EXPECT_EQ(bound("br-order", "(order)"), 1);
	close(dev);
	EXPECT_EQ(bound("br-order", NULL), 0);
}

TEST(net_backend_denied_on_other_coalition_bridge)
{
	int dev = setup("net-2", "order", "order");
	int tap = tap_make("tap-o2", "br-ads");
	long long seq = audit_last();

	ASSERT_GE(tap, 0);
	EXPECT_EQ(set_backend(dev, 0, tap), -EACCES);
	EXPECT_EQ(audit_since(seq, "op=net_backend result=denied",
			      "(order) pid="),
		  1);
	EXPECT_EQ(audit_since(seq, "op=net_backend",
			      "reason=ste class=net label=advertising "
			      "name=br-ads"),
		  1);
	EXPECT_EQ(bound("br-ads", NULL), 0);
	/* The same tap off that bridge is its own network. */
	ASSERT_EQ(br_delif("br-ads", "tap-o2"), 0);
	EXPECT_EQ(set_backend(dev, 0, tap), 0);
	EXPECT_EQ(bound("tap-o2", "(order)"), 1);
	close(dev);
}

TEST(net_backend_tap_alone_is_its_own_network)
{
	int dev = setup("net-3", "order", "order");
	int tap = tap_make("tap-o3", NULL), ads = tap_make("tap-ads", NULL);
	long long seq = audit_last();

	ASSERT_GE(tap, 0);
	ASSERT_GE(ads, 0);
	EXPECT_EQ(set_backend(dev, 0, tap), 0);
	EXPECT_EQ(bound("tap-o3", "(order)"), 1);
	/* "net:tap-ads" is labelled advertising. */
	EXPECT_EQ(set_backend(dev, 1, ads), -EACCES);
	EXPECT_EQ(audit_since(seq, "op=net_backend result=denied",
			      "label=advertising name=tap-ads"),
		  1);
	/* A new backend replaces the queue's old one. */
	EXPECT_EQ(set_backend(dev, 1, tap), 0);
	EXPECT_EQ(set_backend(dev, 0, -1), 0);
	EXPECT_EQ(bound("tap-o3", "(order)"), 1);
	close(dev);
	EXPECT_EQ(bound("tap-o3", NULL), 0);
}

/*
 * A VMM in cgroup /@cg with a backend on a new tap @tap on bridge @br;
 * reports set_backend()'s result, then holds on until @*ctl is closed.
 */
static int vmm_on(const char *cg, const char *tap, const char *br, int *ctl)
{
	int res[2], hold[2], err;
	pid_t pid;
	char c;

	ASSERT_EQ(pipe(res), 0);
	ASSERT_EQ(pipe(hold), 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int vm, dev, fd;

		close(hold[1]);
		err = -ENOTRECOVERABLE;
		vm = cg_enter(cg) ? -1 : vm_create_here();
		dev = vm < 0 ? -1 : vhost_net_ready();
		fd = dev < 0 ? -1 : tap_make(tap, br);
		if (fd >= 0)
			err = set_backend(dev, 0, fd);
		if (write(res[1], &err, sizeof(err)) != sizeof(err))
			_exit(1);
		while (read(hold[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(res[1]);
	close(hold[0]);
	ASSERT_EQ(read(res[0], &err, sizeof(err)), (ssize_t)sizeof(err));
	close(res[0]);
	*ctl = hold[1];
	return err;
}

TEST(net_backend_second_coalition_denied_on_shared_bridge)
{
	int dev = setup("net-4", "ads", "advertising");
	int tap = tap_make("tap-a4", "br-x"), ctl;
	long long seq;

	ASSERT_GE(tap, 0);
	ASSERT_EQ(cg_label("order", "order"), 0);
	ASSERT_EQ(cg_label("order2", "order"), 0);
	/* Two Order VMs share the unlabelled bridge. */
	ASSERT_EQ(vmm_on("order", "tap-o4", "br-x", &ctl), 0);
	ASSERT_EQ(vmm_on("order2", "tap-p4", "br-x", &ctl), 0);
	EXPECT_EQ(bound("br-x", "(order),"), 1);
	seq = audit_last();
	EXPECT_EQ(set_backend(dev, 0, tap), -EACCES);
	EXPECT_EQ(audit_since(seq, "op=net_backend result=denied",
			      "(advertising) pid="),
		  1);
	EXPECT_EQ(audit_since(seq, "op=net_backend",
			      "(order) class=net name=br-x"),
		  1);
	EXPECT_EQ(bound("br-x", "(advertising)"), 0);
	close(dev);
}

/*
 * A backend's binding lasts as long as the device has it, also past the
 * VM of its process: another coalition may not join that network
 * meanwhile.
 */
TEST(net_backend_outlives_vm_while_device_open)
{
	int vm, dev, tap, ctl;
	long long seq;

	ASSERT_EQ(load_net_policy("net-9"), 0);
	ASSERT_EQ(write_file(SFS "/mode", "enforce"), 0);
	ASSERT_EQ(cg_label("order", "order"), 0);
	ASSERT_EQ(cg_label("order2", "order"), 0);
	ASSERT_EQ(cg_label("ads", "advertising"), 0);
	ASSERT_EQ(cg_enter("order"), 0);
	vm = vm_create_here();
	ASSERT_GE(vm, 0);
	dev = vhost_net_ready();
	tap = tap_make("tap-o9", "br-y");
	ASSERT_GE(tap, 0);
	ASSERT_EQ(set_backend(dev, 0, tap), 0);
	close(vm);
	EXPECT_EQ(bound("br-y", "(order)"), 1);
	seq = audit_last();
	EXPECT_EQ(vmm_on("ads", "tap-a9", "br-y", &ctl), -EACCES);
	close(ctl);
	EXPECT_EQ(audit_since(seq, "op=net_backend result=denied",
			      "(order) class=net name=br-y"),
		  1);
	/* The control: Order may join it. */
	EXPECT_EQ(vmm_on("order2", "tap-p9", "br-y", &ctl), 0);
	close(ctl);
	close(dev);
	close(tap);
}

TEST(net_backend_permissive_logs_and_allows)
{
	int dev = setup("net-5", "order", "order");
	int tap = tap_make("tap-o5", "br-ads");
	long long seq = audit_last();

	ASSERT_GE(tap, 0);
	ASSERT_EQ(write_file(SFS "/mode", "permissive"), 0);
	EXPECT_EQ(set_backend(dev, 0, tap), 0);
	ASSERT_EQ(write_file(SFS "/mode", "enforce"), 0);
	EXPECT_EQ(audit_since(seq, "op=net_backend result=permitted",
			      "name=br-ads"),
		  1);
	EXPECT_EQ(bound("br-ads", "(order)"), 1);
	close(dev);
}

TEST(net_backend_enslaving_bound_tap_refused)
{
	int dev = setup("net-6", "order", "order");
	int tap = tap_make("tap-o6", NULL);
	long long seq;

	ASSERT_GE(tap, 0);
	ASSERT_EQ(set_backend(dev, 0, tap), 0);
	seq = audit_last();
	EXPECT_EQ(br_addif("br-ads", "tap-o6"), -EACCES);
	EXPECT_EQ(audit_since(seq, "op=net_backend result=denied",
			      "label=advertising name=br-ads"),
		  1);
	EXPECT_EQ(bound("tap-o6", "(order)"), 1);
	/* Its own coalition's bridge: the binding moves there, and back. */
	EXPECT_EQ(br_addif("br-order", "tap-o6"), 0);
	EXPECT_EQ(bound("br-order", "(order)"), 1);
	EXPECT_EQ(bound("tap-o6", NULL), 0);
	EXPECT_EQ(br_delif("br-order", "tap-o6"), 0);
	EXPECT_EQ(bound("tap-o6", "(order)"), 1);
	EXPECT_EQ(bound("br-order", NULL), 0);
	/* Unbound taps are free to move. */
	EXPECT_EQ(set_backend(dev, 0, -1), 0);
	EXPECT_EQ(br_addif("br-ads", "tap-o6"), 0);
	EXPECT_EQ(br_delif("br-ads", "tap-o6"), 0);
	close(dev);
}

TEST(net_backend_raw_packet_socket_refused)
{
	int dev = setup("net-7", "order", "order");
	int raw = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	int udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	long long seq = audit_last();

	ASSERT_GE(raw, 0);
	ASSERT_GE(udp, 0);
	EXPECT_EQ(set_backend(dev, 0, raw), -EACCES);
	EXPECT_EQ(audit_since(seq, "op=net_backend result=denied",
			      "reason=raw_socket"),
		  1);
	/* vhost's own refusals pass through. */
	EXPECT_EQ(set_backend(dev, 0, udp), -ENOTSOCK);
	EXPECT_EQ(set_backend(dev, 2, -1), -ENOBUFS);
	close(dev);
}

TEST(net_backend_macvtap_uses_its_lower_device)
{
	int dev = setup("net-8", "order", "order");
	int ads = macvtap_make("mvt-ads", "br-ads");
	int ord = macvtap_make("mvt-order", "br-order");
	long long seq = audit_last();

	if (ads == -EOPNOTSUPP || ads == -ENODEV)
		SKIP("no macvtap: %s", strerror(-ads));
	ASSERT_GE(ads, 0);
	ASSERT_GE(ord, 0);
	EXPECT_EQ(set_backend(dev, 0, ads), -EACCES);
	EXPECT_EQ(audit_since(seq, "op=net_backend result=denied",
			      "label=advertising name=br-ads"),
		  1);
	EXPECT_EQ(set_backend(dev, 0, ord), 0);
	EXPECT_EQ(bound("br-order", "(order)"), 1);
	close(dev);
	EXPECT_EQ(bound("br-order", NULL), 0);
	close(ads);
	close(ord);
	EXPECT_EQ(link_del("mvt-ads"), 0);
	EXPECT_EQ(link_del("mvt-order"), 0);
}

/*
 * A policy's net: label belongs to the device that had the name when the
 * policy loaded, or when the device was made: renamed, it keeps it.
 */
TEST(net_label_follows_renamed_interface)
{
	int dev, tap, tap2, tap3;
	long long seq;

	link_del("br-moved");
	link_del("br-vault");
	ASSERT_EQ(br_make("br-vault"), 0); /* named when the policy loads */
	dev = setup("net-9", "order", "order");
	ASSERT_EQ(link_rename("br-vault", "br-moved"), 0);
	tap = tap_make("tap-o9", "br-moved");
	ASSERT_GE(tap, 0);
	seq = audit_last();
	EXPECT_EQ(set_backend(dev, 0, tap), -EACCES);
	EXPECT_EQ(audit_since(seq, "op=net_backend result=denied",
			      "label=advertising name=br-moved"),
		  1);
	/* A tap made under a labelled name keeps the label once renamed. */
	tap2 = tap_make("tap-vault", NULL);
	ASSERT_GE(tap2, 0);
	ASSERT_EQ(link_rename("tap-vault", "tap-o9x"), 0);
	EXPECT_EQ(set_backend(dev, 1, tap2), -EACCES);
	EXPECT_EQ(audit_since(seq, "op=net_backend result=denied",
			      "label=advertising name=tap-o9x"),
		  1);
	/* A new bridge made under the labelled name has the label too. */
	ASSERT_EQ(br_make("br-vault"), 0);
	tap3 = tap_make("tap-o9y", "br-vault");
	ASSERT_GE(tap3, 0);
	EXPECT_EQ(set_backend(dev, 1, tap3), -EACCES);
	EXPECT_EQ(audit_since(seq, "op=net_backend result=denied",
			      "label=advertising name=br-vault"),
		  1);
	/* An unlabelled tap is usable under its new name. */
	ASSERT_EQ(br_delif("br-moved", "tap-o9"), 0);
	ASSERT_EQ(link_rename("tap-o9", "tap-o9z"), 0);
	EXPECT_EQ(set_backend(dev, 0, tap), 0);
	EXPECT_EQ(bound("tap-o9z", "(order)"), 1);
	close(dev);
	close(tap);
	close(tap2);
	close(tap3);
	EXPECT_EQ(link_del("br-moved"), 0);
	EXPECT_EQ(link_del("br-vault"), 0);
}

/*
 * Renaming a network that a VM is bound to moves its binding to the new
 * name, where another coalition may not join it; a rename that the VM
 * may not follow (to a name labelled for another coalition) is refused.
 */
TEST(net_bindings_follow_renamed_bridge)
{
	int dev = setup("net-10", "ads", "advertising");
	int tap, ctl;
	long long seq;

	link_del("br-y10");
	ASSERT_EQ(cg_label("order", "order"), 0);
	ASSERT_EQ(vmm_on("order", "tap-o10", "br-x10", &ctl), 0);
	EXPECT_EQ(bound("br-x10", "(order)"), 1);
	ASSERT_EQ(link_rename("br-x10", "br-y10"), 0);
	EXPECT_EQ(bound("br-y10", "(order)"), 1);
	tap = tap_make("tap-a10", "br-y10");
	ASSERT_GE(tap, 0);
	seq = audit_last();
	EXPECT_EQ(set_backend(dev, 0, tap), -EACCES);
	EXPECT_EQ(audit_since(seq, "op=net_backend result=denied",
			      "(order) class=net name=br-y10"),
		  1);
	seq = audit_last();
	EXPECT_EQ(link_rename("br-y10", "tap-vault"), -EACCES);
	EXPECT_EQ(audit_since(seq, "op=net_backend result=denied",
			      "label=advertising name=tap-vault"),
		  1);
	EXPECT_EQ(bound("br-y10", "(order)"), 1);
	close(ctl);
	close(dev);
	close(tap);
	EXPECT_EQ(link_del("br-y10"), 0);
}

TEST_HARNESS_MAIN
