// SPDX-License-Identifier: GPL-2.0
/*
 * Bind point of vhost-net: VHOST_NET_SET_BACKEND.  A backend is a tap (tun
 * driver) or a macvtap/ipvtap, and the VM uses its network, the resource
 * "net:NAME": the device's master (a bridge, a bond) if it has one, else a
 * macvtap's lower device, else the device itself.  VMs on one network
 * share it: they must share an STE type with each other, and with the
 * network's label if it has one.
 *
 * The outer hook, vhost_net_ioctl(), says which device sets a backend.
 * vhost then looks the fd up twice (as a raw socket, then as a tap), and
 * the inner hooks decide on what each lookup found, so swapping the fd
 * from another thread changes nothing:
 * - sockfd_lookup(): a raw AF_PACKET socket.  Refused while a policy is
 *   loaded (reason=raw_socket): bind() moves it to another interface at
 *   any time, and unbound it sees them all.
 * - tun_get_socket(): a tap.  tun exports nothing that leads from its file
 *   to its net_device, so shype asks tun: the file's show_fdinfo() calls
 *   tun_get_iff() under RTNL with the device held, and that hook decides.
 * - tap_get_socket(): a macvtap; struct tap_queue is public (if_tap.h).
 * Both decide under RTNL, which orders the decision against link changes.
 * A network that cannot be determined (a tap without a device, a device
 * in another network namespace) is refused while a policy is loaded.
 * vhost_vq_init_access() names the queue, also when the backend is
 * removed (fd -1); the binding replaces the queue's old one when vhost
 * succeeds.  Closing the device or VHOST_RESET_OWNER releases them all.
 *
 * Later changes: a netdevice notifier refuses to enslave a bound device to
 * a master whose network one of its VMs may not use, and moves the
 * bindings to the device's new network when a link is made or undone.
 * A policy's label of "net:NAME" belongs to the device that had the name
 * when the policy was loaded, or when the device was made or renamed to
 * it (names.c): a renamed network keeps its label.  Renaming a device
 * that a bound VM's network names moves the bindings to the new name,
 * decided as new ones: a denial refuses the rename.
 *
 * Not covered (a bound VM keeps its decision on the old network):
 * - unlinking (nomaster, deletion of the bridge): it cannot be refused;
 *   the bindings move to the device's own network, with an audit line if
 *   that is denied;
 * - moving a bound device to another network namespace;
 * - a tun device deleted and a new one made on the same file (TUNSETIFF);
 * - traffic between networks: routing, OVS (every port's master is
 *   "ovs-system"), tc/XDP redirects, VLANs on one bridge, masters of
 *   masters (only the device's own master is its network);
 * - raw sockets while no policy is loaded: they are not recorded.
 *
 * Lock order: vhost's dev and vq mutexes, RTNL, shype_lock.
 */
#define pr_fmt(fmt) "shype: " fmt

#include <linux/fs.h>
#include <linux/hash.h>
#include <linux/if_tap.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/vhost.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "hook.h"
#include "shype.h"

#define OP SHYPE_OP_NET_BACKEND

/**
 * struct backend - a vhost-net queue's backend device, bound or being so
 * @list: in backends
 * @vdev: the vhost-net device
 * @mm: its owner's address space, whose VM is bound
 * @slot: the queue (see hook_vhost_vq_init_access())
 * @token: while the operation that set it may still fail, its number
 * @netdev: the tap or macvtap (dereferenced only under RTNL); NULL once
 *	it is unregistered
 * @net: the network the binding names
 */
struct backend {
	struct list_head list;
	const void *vdev;
	const struct mm_struct *mm;
	u32 slot;
	u64 token;
	struct net_device *netdev;
	char net[IFNAMSIZ];
};

/* Under shype_lock. */
static LIST_HEAD(backends);

/*
 * Backends of one device are set one at a time, so that their bindings
 * are committed in vhost's order; hashed, so that a device stuck in vhost
 * delays few others.
 */
static struct mutex set_locks[32];

static struct mutex *set_lock(const void *vdev)
{
	return &set_locks[hash_ptr(vdev, ilog2(ARRAY_SIZE(set_locks)))];
}

/**
 * struct net_bind - a VHOST_NET_SET_BACKEND in progress
 * @c: the bind context (@c.dev is the vhost-net device)
 * @tun: the tap socket whose device tun_get_iff() is to name, or NULL
 * @tun_done: tun_get_iff() decided on it, with the result @tun_err
 * @tun_err: see @tun_done
 * @slot_known: vhost named the queue (in vhost_vq_init_access())
 */
struct net_bind {
	struct shype_bind_ctx c;
	struct socket *tun;
	bool tun_done;
	int tun_err;
	bool slot_known;
};

/* Current's SET_BACKEND; every context of OP is a net_bind. */
static struct net_bind *net_bind_current(void)
{
	struct shype_bind_ctx *c = shype_bind_current();

	return c && c->op == OP ? container_of(c, struct net_bind, c) : NULL;
}

/* @dev's network: its master, else its lower device (macvtap), else it. */
static void network(struct net_device *dev, char *name)
{
	struct net_device *up = netdev_master_upper_dev_get(dev);
	struct list_head *iter;

	if (!up) {
		iter = dev->adj_list.lower.next;
		up = netdev_lower_get_next(dev, &iter);
	}
	strscpy(name, (up ?: dev)->name, IFNAMSIZ);
}

/* Decide whether the VM of @nb may use @dev's network; under RTNL. */
static int decide(struct net_bind *nb, struct net_device *dev)
{
	struct backend *be;
	struct shype_vm *vm;
	char net[IFNAMSIZ];
	int err;

	ASSERT_RTNL();
	/* Policies name devices of the initial namespace. */
	if (!net_eq(dev_net(dev), &init_net))
		return shype_vm_refuse(NULL, OP, "reason=netns");
	network(dev, net);
	be = kzalloc(sizeof(*be), GFP_KERNEL_ACCOUNT);
	if (!be)
		return -ENOMEM;
	mutex_lock(&shype_lock);
	vm = shype_vm_of_mm(nb->c.mm);
	err = shype_bind_named(vm, OP, SHYPE_RES_NET, net, nb->c.dev, 0,
			       nb->c.token);
	if (!err && vm) {
		be->vdev = nb->c.dev;
		be->mm = nb->c.mm;
		be->token = nb->c.token;
		be->netdev = dev;
		strscpy(be->net, net, sizeof(be->net));
		list_add_tail(&be->list, &backends);
		be = NULL;
	}
	mutex_unlock(&shype_lock);
	kfree(be);
	return err;
}

/* Forget every backend of @vdev, or (@all false) the one set on @slot. */
static void drop(const void *vdev, bool all, u32 slot)
{
	struct backend *be, *tmp;

	lockdep_assert_held(&shype_lock);
	list_for_each_entry_safe(be, tmp, &backends, list) {
		if (be->vdev != vdev ||
		    (!all && (be->token || be->slot != slot)))
			continue;
		list_del(&be->list);
		kfree(be);
	}
}

/* The operation of @nb is over: its backends are @nb's queue's, or not. */
static void backends_end(struct net_bind *nb, bool commit)
{
	struct backend *be, *tmp;

	mutex_lock(&shype_lock);
	if (commit)
		drop(nb->c.dev, false, nb->c.slot);
	list_for_each_entry_safe(be, tmp, &backends, list) {
		if (be->vdev != nb->c.dev || be->token != nb->c.token)
			continue;
		if (commit) {
			be->token = 0;
			be->slot = nb->c.slot;
		} else {
			list_del(&be->list);
			kfree(be);
		}
	}
	mutex_unlock(&shype_lock);
}

/* @vdev goes away or loses its owner: so do its backends. */
static void release(const void *vdev)
{
	mutex_lock(&shype_lock);
	shype_bind_dev_release(vdev);
	drop(vdev, true, 0);
	mutex_unlock(&shype_lock);
}

static long (*orig_vhost_net_ioctl)(struct file *f, unsigned int ioctl,
				    unsigned long arg);

/*
 * VHOST_NET_SET_BACKEND: decided in the lookups below.  A denial there
 * makes vhost fail with its own error (ENOTSOCK), which shype_bind_end()
 * turns back into EACCES.
 */
static long set_backend(struct file *f, unsigned int ioctl, unsigned long arg)
{
	struct net_bind nb;
	long ret;

	shype_bind_begin_dev(&nb.c, OP, f->private_data, 0);
	nb.tun = NULL;
	nb.tun_done = false;
	nb.tun_err = 0;
	nb.slot_known = false;
	ret = orig_vhost_net_ioctl(f, ioctl, arg);
	/* The queue's backend changed only if vhost named the queue. */
	nb.c.unchanged = !nb.slot_known;
	ret = shype_bind_end(&nb.c, ret);
	backends_end(&nb, !ret && nb.slot_known);
	return ret;
}

static long hook_vhost_net_ioctl(struct file *f, unsigned int ioctl,
				 unsigned long arg)
{
	long ret;

	if (ioctl != VHOST_NET_SET_BACKEND && ioctl != VHOST_RESET_OWNER)
		return orig_vhost_net_ioctl(f, ioctl, arg);
	mutex_lock(set_lock(f->private_data));
	if (ioctl == VHOST_NET_SET_BACKEND) {
		ret = set_backend(f, ioctl, arg);
	} else {
		/* The owner's reset drops the backends. */
		ret = orig_vhost_net_ioctl(f, ioctl, arg);
		if (!ret)
			release(f->private_data);
	}
	mutex_unlock(set_lock(f->private_data));
	return ret;
}

static int (*orig_vhost_net_release)(struct inode *inode, struct file *f);

/* The device goes away: so do its backends' bindings. */
static int hook_vhost_net_release(struct inode *inode, struct file *f)
{
	release(f->private_data);
	return orig_vhost_net_release(inode, f);
}

struct vhost_virtqueue;

static int (*orig_vhost_vq_init_access)(struct vhost_virtqueue *vq);

/*
 * vhost has switched the queue @vq to the new backend (or to none).  The
 * queue is known by its offset in the device: its index is in vhost's
 * private layout, and re-reading it from user memory would race.
 */
static int hook_vhost_vq_init_access(struct vhost_virtqueue *vq)
{
	struct net_bind *nb = net_bind_current();

	if (nb) {
		nb->c.slot = (unsigned long)vq - (unsigned long)nb->c.dev;
		nb->slot_known = true;
	}
	return orig_vhost_vq_init_access(vq);
}

static struct socket *(*orig_sockfd_lookup)(int fd, int *err);

/* A raw AF_PACKET socket, the kind that vhost accepts, is refused. */
static struct socket *hook_sockfd_lookup(int fd, int *err)
{
	struct socket *sock = orig_sockfd_lookup(fd, err);
	struct net_bind *nb;
	int e;

	if (!sock)
		return sock;
	nb = net_bind_current();
	if (!nb || sock->sk->sk_family != AF_PACKET ||
	    sock->sk->sk_type != SOCK_RAW)
		return sock;
	e = shype_vm_refuse(NULL, OP, "reason=raw_socket");
	if (!e)
		return sock;
	sockfd_put(sock);
	*err = e;
	nb->c.err = e;
	return NULL;
}

struct tun_struct;

static void (*orig_tun_get_iff)(struct tun_struct *tun, struct ifreq *ifr);

/*
 * tun names the device of the tap being set as backend: called under RTNL
 * with @tun held, from the show_fdinfo() of hook_tun_get_socket().  @tun
 * is the device's private area; its name leads to the device, which must
 * have that very area.
 */
static void hook_tun_get_iff(struct tun_struct *tun, struct ifreq *ifr)
{
	struct net_bind *nb = net_bind_current();
	struct net_device *dev;

	orig_tun_get_iff(tun, ifr);
	if (!nb || !nb->tun)
		return;
	dev = __dev_get_by_name(sock_net(nb->tun->sk), ifr->ifr_name);
	nb->tun = NULL;
	nb->tun_done = true;
	if (dev && netdev_priv(dev) == (void *)tun)
		nb->tun_err = decide(nb, dev);
	else
		nb->tun_err = shype_vm_refuse(NULL, OP, "reason=no_device");
}

static struct socket *(*orig_tun_get_socket)(struct file *file);

static struct socket *hook_tun_get_socket(struct file *file)
{
	struct socket *sock = orig_tun_get_socket(file);
	struct net_bind *nb;
	struct seq_file m;
	int err;

	if (IS_ERR(sock))
		return sock;
	nb = net_bind_current();
	if (!nb)
		return sock;
	/* Ask tun for the device; see hook_tun_get_iff(). */
	memset(&m, 0, sizeof(m));
	nb->tun = sock;
	nb->tun_done = false;
	if (file->f_op->show_fdinfo)
		file->f_op->show_fdinfo(&m, file);
	nb->tun = NULL;
	/* A tap that has no device (any more) has no network. */
	err = nb->tun_done ? nb->tun_err :
			     shype_vm_refuse(NULL, OP, "reason=no_device");
	if (!err)
		return sock;
	nb->c.err = err;
	return ERR_PTR(err);
}

static struct socket *(*orig_tap_get_socket)(struct file *file);

static struct socket *hook_tap_get_socket(struct file *file)
{
	struct socket *sock = orig_tap_get_socket(file);
	struct tap_queue *q;
	struct net_bind *nb;
	struct tap_dev *tap;
	int err;

	if (IS_ERR(sock))
		return sock;
	nb = net_bind_current();
	if (!nb)
		return sock;
	q = container_of(sock, struct tap_queue, sock);
	/* Its device goes only under RTNL, and then clears q->tap. */
	rtnl_lock();
	tap = rtnl_dereference(q->tap);
	if (tap)
		err = decide(nb, tap->dev);
	else
		err = shype_vm_refuse(NULL, OP, "reason=no_device");
	rtnl_unlock();
	if (!err)
		return sock;
	nb->c.err = err;
	return ERR_PTR(err);
}

/*
 * May @vm, bound through @be, use the network @net?  Decided as for a new
 * binding, which is then forgotten.  Under RTNL and shype_lock.
 */
static int may_bind(const struct backend *be, struct shype_vm *vm,
		    const char *net)
{
	u64 token = shype_bind_token();
	int err;

	err = shype_bind_named(vm, OP, SHYPE_RES_NET, net, be->vdev, be->slot,
			       token);
	shype_bind_token_end(vm, token, false, NULL, 0);
	return err;
}

/* May the VMs bound through @dev use @upper's network?  Under RTNL. */
static int may_link(struct net_device *dev, struct net_device *upper)
{
	struct backend *be;
	struct shype_vm *vm;
	int err = 0;

	mutex_lock(&shype_lock);
	list_for_each_entry(be, &backends, list) {
		vm = be->netdev == dev ? shype_vm_of_mm(be->mm) : NULL;
		if (!vm)
			continue;
		err = may_bind(be, vm, upper->name);
		if (err)
			break;
	}
	mutex_unlock(&shype_lock);
	return err;
}

/*
 * A device was renamed: may each VM whose network's name changed with it
 * use the network under its new name?  Under RTNL.
 */
static int may_rename(void)
{
	struct backend *be;
	struct shype_vm *vm;
	char net[IFNAMSIZ];
	int err = 0;

	mutex_lock(&shype_lock);
	list_for_each_entry(be, &backends, list) {
		if (!be->netdev)
			continue;
		network(be->netdev, net);
		vm = strcmp(be->net, net) ? shype_vm_of_mm(be->mm) : NULL;
		if (!vm)
			continue;
		err = may_bind(be, vm, net);
		if (err)
			break;
	}
	mutex_unlock(&shype_lock);
	return err;
}

/*
 * @dev's links changed (@dev NULL: a device was renamed, any backend's):
 * bindings through it move to its network now.  An unlink cannot be
 * refused; if the new network is denied, the bindings stay on the old one
 * (audited).  A binding still in progress gains one on the new network and
 * keeps the old until its queue is released.
 */
static void relink(struct net_device *dev)
{
	struct backend *be;
	struct shype_vm *vm;
	char net[IFNAMSIZ];
	u64 token;

	mutex_lock(&shype_lock);
	list_for_each_entry(be, &backends, list) {
		if (!be->netdev || (dev && be->netdev != dev))
			continue;
		network(be->netdev, net);
		if (!strcmp(be->net, net))
			continue;
		vm = shype_vm_of_mm(be->mm);
		if (!vm)
			continue;
		token = be->token ?: shype_bind_token();
		if (shype_bind_named(vm, OP, SHYPE_RES_NET, net, be->vdev,
				     be->slot, token))
			continue;
		if (!be->token)
			shype_bind_token_end(vm, token, true, be->vdev,
					     be->slot);
		strscpy(be->net, net, sizeof(be->net));
	}
	mutex_unlock(&shype_lock);
}

/* @dev is unregistered: its address may be reused. */
static void unregistered(struct net_device *dev)
{
	struct backend *be;

	mutex_lock(&shype_lock);
	list_for_each_entry(be, &backends, list)
		if (be->netdev == dev)
			be->netdev = NULL;
	mutex_unlock(&shype_lock);
}

static int netdev_notify(struct notifier_block *nb, unsigned long event,
			 void *ptr)
{
	struct netdev_notifier_changeupper_info *info = ptr;
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	int err = 0;

	switch (event) {
	case NETDEV_PRECHANGEUPPER:
		if (info->linking && info->master)
			err = may_link(dev, info->upper_dev);
		break;
	case NETDEV_CHANGEUPPER:
		relink(dev);
		break;
	case NETDEV_CHANGENAME:
		/* A refusal makes the kernel rename it back. */
		err = may_rename();
		if (err)
			break;
		shype_names_netdev(dev, event);
		relink(NULL);
		break;
	case NETDEV_REGISTER:
		shype_names_netdev(dev, event);
		break;
	case NETDEV_UNREGISTER:
		unregistered(dev);
		shype_names_netdev(dev, event);
		break;
	}
	return notifier_from_errno(err);
}

static struct notifier_block netdev_nb = {
	.notifier_call = netdev_notify,
};

/**
 * shype_net_init() - watch the links of network devices
 *
 * Return: 0, or the error of register_netdevice_notifier().
 */
int shype_net_init(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(set_locks); i++)
		mutex_init(&set_locks[i]);
	return register_netdevice_notifier(&netdev_nb);
}

/**
 * shype_net_exit() - stop watching them (shype's load failed)
 */
void shype_net_exit(void)
{
	unregister_netdevice_notifier(&netdev_nb);
}

static struct shype_hook net_hooks[] = {
	SHYPE_HOOK("vhost_net", vhost_net_ioctl),
	SHYPE_HOOK("vhost_net", vhost_net_release),
	SHYPE_HOOK("vhost", vhost_vq_init_access),
	SHYPE_HOOK(NULL, sockfd_lookup),
	SHYPE_HOOK("tun", tun_get_socket),
	SHYPE_HOOK("tun", tun_get_iff),
	SHYPE_HOOK("tap", tap_get_socket),
};

const struct shype_hook_table shype_net_table = {
	.hooks = net_hooks,
	.nr = ARRAY_SIZE(net_hooks),
};
