// SPDX-License-Identifier: GPL-2.0
/*
 * shypectl: the parts of a libvirt domain's XML that shype reads or
 * writes: its <shype:label>, its <resource><partition>, the shared
 * resources its devices name, and the files they open.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "domain.h"

static xmlDocPtr parse(const char *xml)
{
	return xmlReadMemory(xml, strlen(xml), "domain.xml", NULL,
			     XML_PARSE_NONET | XML_PARSE_NOERROR |
				     XML_PARSE_NOWARNING);
}

/* The string value of XPath @expr at @node, trimmed; NULL if empty. */
static char *xstr(xmlXPathContextPtr ctx, xmlNodePtr node, const char *expr)
{
	xmlXPathObjectPtr o;
	char *s = NULL, *b, *e;

	ctx->node = node;
	o = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
	if (!o)
		return NULL;
	if (o->type == XPATH_STRING && o->stringval)
		s = strdup((const char *)o->stringval);
	else if (o->type == XPATH_NODESET && o->nodesetval &&
		 o->nodesetval->nodeNr)
		s = (char *)xmlNodeGetContent(o->nodesetval->nodeTab[0]);
	xmlXPathFreeObject(o);
	if (!s)
		return NULL;
	for (b = s; *b == ' ' || *b == '\n' || *b == '\t'; b++)
		;
	e = b + strlen(b);
	while (e > b && (e[-1] == ' ' || e[-1] == '\n' || e[-1] == '\t'))
		e--;
	*e = '\0';
	memmove(s, b, e - b + 1);
	if (!*s) {
		free(s);
		return NULL;
	}
	return s;
}

static int add_res(struct dom_info *d, unsigned int kind, const char *fmt,
		   const char *name, const char *device, const char *network)
{
	struct dom_resource *v, *r;

	v = realloc(d->res, (d->n_res + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	d->res = v;
	r = &v[d->n_res];
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	if (asprintf(&r->name, fmt, name) < 0)
		return -ENOMEM;
	r->device = strdup(device);
	r->network = network ? strdup(network) : NULL;
	d->n_res++;
	if (!r->device || (network && !r->network))
		return -ENOMEM;
	return 0;
}

/* The resources of /domain/devices/@what, by @f on each node. */
static int each(xmlXPathContextPtr ctx, const char *expr,
		int (*f)(xmlXPathContextPtr, xmlNodePtr, struct dom_info *),
		struct dom_info *d)
{
	xmlXPathObjectPtr o;
	int i, err = 0;

	ctx->node = xmlDocGetRootElement(ctx->doc);
	o = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
	if (!o)
		return -ENOMEM;
	for (i = 0; !err && o->nodesetval && i < o->nodesetval->nodeNr; i++)
		err = f(ctx, o->nodesetval->nodeTab[i], d);
	xmlXPathFreeObject(o);
	return err;
}

/* <shmem name='x'>: QEMU maps /dev/shm/x (ivshmem-plain, or doorbell
 * without a server). */
static int shmem(xmlXPathContextPtr ctx, xmlNodePtr n, struct dom_info *d)
{
	char *name = xstr(ctx, n, "string(@name)");
	char *model = xstr(ctx, n, "string(model/@type)");
	char dev[128];
	int err = 0;

	snprintf(dev, sizeof(dev), "shmem %s", model ? model : "ivshmem-plain");
	if (name)
		err = add_res(d, SHYPE_RES_SHM, "/dev/shm/%s", name, dev, NULL);
	free(name);
	free(model);
	return err;
}

/*
 * <memory model='nvdimm|virtio-pmem'> on a file, mapped shared: the
 * kernel binds the file behind the memslot (a private mapping, which
 * another VM cannot see, is not bound).  Its access defaults to the
 * domain's <memoryBacking><access>.
 */
static int memory(xmlXPathContextPtr ctx, xmlNodePtr n, struct dom_info *d)
{
	char *path = xstr(ctx, n, "string(source/path)");
	char *model = xstr(ctx, n, "string(@model)");
	char *access = xstr(ctx, n, "string(@access)");
	char dev[128];
	int err = 0;

	if (!access)
		access = xstr(ctx, n,
			      "string(/domain/memoryBacking/access/@mode)");
	snprintf(dev, sizeof(dev), "memory %s", model ? model : "?");
	if (path && access && !strcmp(access, "shared"))
		err = add_res(d, SHYPE_RES_SHM, "%s", path, dev, NULL);
	free(path);
	free(model);
	free(access);
	return err;
}

static int interface(xmlXPathContextPtr ctx, xmlNodePtr n, struct dom_info *d)
{
	char *type = xstr(ctx, n, "string(@type)");
	char *bridge = xstr(ctx, n, "string(source/@bridge)");
	char *net = xstr(ctx, n, "string(source/@network)");
	char *tap = xstr(ctx, n, "string(target/@dev)");
	char *lower = xstr(ctx, n, "string(source/@dev)");
	char dev[128];
	int err = 0;

	snprintf(dev, sizeof(dev), "interface %s", type ? type : "?");
	/* A running domain's XML names the bridge of its network too. */
	if (bridge)
		err = add_res(d, SHYPE_RES_NET, "%s", bridge, dev, net);
	else if (net)
		err = add_res(d, SHYPE_RES_NET, "%s", "", dev, net);
	else if (lower && type && !strcmp(type, "direct"))
		/* A macvtap's network is its lower device. */
		err = add_res(d, SHYPE_RES_NET, "%s", lower, dev, NULL);
	else if (tap)
		err = add_res(d, SHYPE_RES_NET, "%s", tap, dev, NULL);
	free(lower);
	free(type);
	free(bridge);
	free(net);
	free(tap);
	return err;
}

static int vsock(xmlXPathContextPtr ctx, xmlNodePtr n, struct dom_info *d)
{
	char *cid = xstr(ctx, n, "string(cid/@address)");
	int err = 0;

	if (cid)
		err = add_res(d, SHYPE_RES_VSOCK, "%s", cid, "vsock", NULL);
	free(cid);
	return err;
}

static int add_file(struct dom_info *d, const char *path, const char *device,
		    enum dom_file_type type, bool write, bool own)
{
	struct dom_file *v, *f;

	v = realloc(d->files, (d->n_files + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	d->files = v;
	f = &v[d->n_files++];
	f->path = strdup(path);
	f->device = strdup(device);
	f->type = type;
	f->write = write;
	f->own = own;
	return f->path && f->device ? 0 : -ENOMEM;
}

/* The first child element of @n named @name, or NULL. */
static xmlNodePtr first_child(xmlNodePtr n, const char *name)
{
	xmlNodePtr c;

	for (c = n->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    !xmlStrcmp(c->name, (const xmlChar *)name))
			return c;
	return NULL;
}

static bool has_child(xmlNodePtr n, const char *name)
{
	return first_child(n, name) != NULL;
}

/*
 * The backing chain of a disk, as a running domain's XML gives it: QEMU
 * opens each backing file read-only.
 */
static int backing(xmlXPathContextPtr ctx, xmlNodePtr n, struct dom_info *d,
		   const char *dev)
{
	char device[160], *type, *path;
	int err = 0, depth;

	/* A chain is as long as the XML; 64 levels are QEMU's own limit too. */
	for (depth = 0; !err && depth < 64; depth++) {
		n = first_child(n, "backingStore");
		if (!n)
			break;
		type = xstr(ctx, n, "string(@type)");
		path = xstr(ctx, n, "string(source/@file | source/@dev)");
		snprintf(device, sizeof(device), "%s backing", dev);
		if (path && type &&
		    (!strcmp(type, "file") || !strcmp(type, "block")))
			err = add_file(d, path, device,
				       !strcmp(type, "file") ? DOM_FILE :
							       DOM_BLOCK,
				       false, false);
		free(type);
		free(path);
	}
	return err;
}

/*
 * <disk type='file|block'>: its image or device, read-only with
 * <readonly/> (a CD-ROM); a disk that is neither read-only nor
 * <shareable/> is the domain's own.
 */
static int disk(xmlXPathContextPtr ctx, xmlNodePtr n, struct dom_info *d)
{
	char *type = xstr(ctx, n, "string(@type)");
	char *kind = xstr(ctx, n, "string(@device)");
	char *target = xstr(ctx, n, "string(target/@dev)");
	char *path = NULL, dev[128];
	bool ro = has_child(n, "readonly"), shared = has_child(n, "shareable");
	int err = 0;

	snprintf(dev, sizeof(dev), "%s %s", kind ? kind : "disk",
		 target ? target : "?");
	if (type && !strcmp(type, "file"))
		path = xstr(ctx, n, "string(source/@file)");
	else if (type && !strcmp(type, "block"))
		path = xstr(ctx, n, "string(source/@dev)");
	if (path)
		err = add_file(d, path, dev,
			       !strcmp(type, "file") ? DOM_FILE : DOM_BLOCK,
			       !ro, !ro && !shared);
	if (!err)
		err = backing(ctx, n, d, dev);
	free(type);
	free(kind);
	free(target);
	free(path);
	return err;
}

/* <filesystem type='mount'>: the directory it exports to the guest. */
static int filesystem(xmlXPathContextPtr ctx, xmlNodePtr n, struct dom_info *d)
{
	char *type = xstr(ctx, n, "string(@type)");
	char *dir = xstr(ctx, n, "string(source/@dir)");
	char *target = xstr(ctx, n, "string(target/@dir)");
	char dev[160];
	int err = 0;

	snprintf(dev, sizeof(dev), "filesystem %s", target ? target : "?");
	if (dir && (!type || !strcmp(type, "mount")))
		err = add_file(d, dir, dev, DOM_DIR, !has_child(n, "readonly"),
			       false);
	free(type);
	free(dir);
	free(target);
	return err;
}

/* <serial|console|parallel|channel type='file'>: QEMU writes its output. */
static int chardev(xmlXPathContextPtr ctx, xmlNodePtr n, struct dom_info *d)
{
	char *type = xstr(ctx, n, "string(@type)");
	char *path = xstr(ctx, n, "string(source/@path)");
	int err = 0;

	if (path && type && !strcmp(type, "file"))
		err = add_file(d, path, (const char *)n->name, DOM_FILE, true,
			       false);
	free(type);
	free(path);
	return err;
}

/* <os><loader> (read-only unless readonly='no') and <nvram>, the domain's. */
static int firmware(xmlXPathContextPtr ctx, xmlNodePtr root, struct dom_info *d)
{
	char *loader = xstr(ctx, root, "string(/domain/os/loader)");
	char *ro = xstr(ctx, root, "string(/domain/os/loader/@readonly)");
	char *nvram = xstr(ctx, root, "string(/domain/os/nvram)");
	int err = 0;

	if (loader)
		err = add_file(d, loader, "loader", DOM_FILE,
			       ro && !strcmp(ro, "no"), false);
	if (!err && nvram)
		err = add_file(d, nvram, "nvram", DOM_FILE, true, true);
	free(loader);
	free(ro);
	free(nvram);
	return err;
}

int dom_info_parse(const char *xml, struct dom_info *d, const char **why)
{
	xmlXPathContextPtr ctx = NULL;
	xmlDocPtr doc;
	xmlNodePtr root;
	int err = -ENOMEM;

	memset(d, 0, sizeof(*d));
	doc = parse(xml);
	root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (!root || xmlStrcmp(root->name, (const xmlChar *)"domain")) {
		*why = "not a libvirt domain's XML";
		err = -EINVAL;
		goto out;
	}
	*why = "out of memory";
	ctx = xmlXPathNewContext(doc);
	if (!ctx ||
	    xmlXPathRegisterNs(ctx, (const xmlChar *)"s",
			       (const xmlChar *)SHYPE_LIBVIRT_NS) ||
	    xmlXPathRegisterNs(ctx, (const xmlChar *)"p",
			       (const xmlChar *)SHYPE_LIBVIRT_POLICY_NS))
		goto out;
	d->name = xstr(ctx, root, "string(/domain/name)");
	d->label = xstr(ctx, root,
			"string(/domain/metadata/s:" SHYPE_LIBVIRT_ELEMENT ")");
#define POLICY "string(/domain/metadata/p:" SHYPE_LIBVIRT_POLICY_ELEMENT "/@"
	d->policy.name = xstr(ctx, root, POLICY "name)");
	d->policy.version = xstr(ctx, root, POLICY "version)");
	d->policy.digest = xstr(ctx, root, POLICY "digest)");
#undef POLICY
	d->partition = xstr(ctx, root, "string(/domain/resource/partition)");
	if (!d->name) {
		*why = "the domain's XML has no <name>";
		err = -EINVAL;
		goto out;
	}
	err = each(ctx, "/domain/devices/shmem", shmem, d);
	if (!err)
		err = each(ctx, "/domain/devices/interface", interface, d);
	if (!err)
		err = each(ctx, "/domain/devices/vsock", vsock, d);
	if (!err)
		err = each(ctx, "/domain/devices/memory", memory, d);
	if (!err)
		err = each(ctx, "/domain/devices/disk", disk, d);
	if (!err)
		err = each(ctx, "/domain/devices/filesystem", filesystem, d);
	if (!err)
		err = each(
			ctx,
			"/domain/devices/serial | /domain/devices/console |"
			" /domain/devices/parallel | /domain/devices/channel",
			chardev, d);
	if (!err)
		err = firmware(ctx, root, d);
out:
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	if (err)
		dom_info_free(d);
	return err;
}

char *network_status_bridge(const char *name)
{
	const char *dir = getenv("SHYPE_LIBVIRT_NETWORK_STATUS");
	xmlXPathContextPtr ctx;
	char path[PATH_MAX];
	char *br = NULL;
	xmlDocPtr doc;

	/* libvirt's status directory of the system instance's networks. */
	if (!dir || !*dir)
		dir = "/run/libvirt/network";
	if (!*name || *name == '.' || strchr(name, '/') ||
	    snprintf(path, sizeof(path), "%s/%s.xml", dir, name) >=
		    (int)sizeof(path))
		return NULL;
	doc = xmlReadFile(path, NULL,
			  XML_PARSE_NONET | XML_PARSE_NOERROR |
				  XML_PARSE_NOWARNING);
	ctx = doc ? xmlXPathNewContext(doc) : NULL;
	if (ctx)
		br = xstr(ctx, xmlDocGetRootElement(doc),
			  "string(/networkstatus/network/bridge/@name)");
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	return br;
}

void dom_info_free(struct dom_info *d)
{
	size_t i;

	for (i = 0; i < d->n_res; i++) {
		free(d->res[i].name);
		free(d->res[i].device);
		free(d->res[i].network);
	}
	free(d->res);
	for (i = 0; i < d->n_files; i++) {
		free(d->files[i].path);
		free(d->files[i].device);
	}
	free(d->files);
	free(d->name);
	free(d->label);
	free(d->partition);
	free(d->policy.name);
	free(d->policy.version);
	free(d->policy.digest);
	memset(d, 0, sizeof(*d));
}

/* The first child element of @parent named @name, made if missing. */
static xmlNodePtr child(xmlNodePtr parent, const char *name)
{
	xmlNodePtr c;

	for (c = parent->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    !xmlStrcmp(c->name, (const xmlChar *)name))
			return c;
	return xmlNewChild(parent, NULL, (const xmlChar *)name, NULL);
}

char *dom_xml_set_partition(const char *xml, const char *partition)
{
	xmlDocPtr doc = parse(xml);
	xmlNodePtr root, part;
	xmlChar *mem = NULL;
	char *out = NULL;
	int len = 0;

	root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (!root)
		goto out;
	part = child(child(root, "resource"), "partition");
	if (!part)
		goto out;
	xmlNodeSetContent(part, (const xmlChar *)partition);
	xmlDocDumpMemory(doc, &mem, &len);
	if (mem)
		out = strdup((const char *)mem);
	xmlFree(mem);
out:
	xmlFreeDoc(doc);
	return out;
}
