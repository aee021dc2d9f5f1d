// SPDX-License-Identifier: LGPL-2.1
/*
 * The kernel interface: the files of /sys/kernel/security/shype/ (formats
 * in include/uapi/linux/shype.h), and the cgroups that carry VM labels.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "shype.h"

#define FIELDS_MAX 32

const char *shype_securityfs_dir(void)
{
	const char *dir = getenv("SHYPE_SECURITYFS");

	return dir && *dir ? dir : SHYPE_SECURITYFS_DIR;
}

const char *shype_cgroup_root(void)
{
	static char root[PATH_MAX];
	const char *env = getenv("SHYPE_CGROUP_ROOT");
	size_t n;

	if (!env || !*env || strlen(env) >= sizeof(root))
		return "/sys/fs/cgroup";
	strcpy(root, env);
	for (n = strlen(root); n > 1 && root[n - 1] == '/'; n--)
		root[n - 1] = '\0';
	return root;
}

bool shype_kernel_loaded(void)
{
	struct stat st;

	return !stat(shype_securityfs_dir(), &st) && S_ISDIR(st.st_mode);
}

const char *shype_kernel_strerror(int err)
{
	switch (-err) {
	case EPERM:
		return "needs CAP_MAC_ADMIN (run as root)";
	case EBUSY:
		return "another policy load is in progress";
	case ESTALE:
		return "a policy of the same name and a version not lower is active";
	case EEXIST:
		return "a policy of another name is active; use 'force' to replace it";
	case EACCES:
		return "the policy would deny running VMs:";
	case EBADMSG:
		return "the kernel finds the policy malformed";
	case EPROTONOSUPPORT:
		return "the kernel does not support the policy's ABI version";
	case E2BIG:
		return "the policy exceeds a limit of the kernel";
	case ESRCH:
		return "the active policy has no such VM label";
	case ENOENT:
		if (!shype_kernel_loaded())
			return "shype.ko is not loaded";
		break;
	}
	return strerror(-err);
}

/* Open shype's file @name; -EPERM also when its mode refuses us. */
static int sfs_open(const char *name, int flags)
{
	char path[PATH_MAX];
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", shype_securityfs_dir(),
		     name) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, flags | O_CLOEXEC);
	if (fd < 0)
		return errno == EACCES ? -EPERM : -errno;
	return fd;
}

/* Read all of shype's file @name into a malloc()ed, NUL-ended @text. */
static int sfs_read(const char *name, char **text)
{
	size_t len = 0, size = 4096;
	char *buf, *bigger;
	ssize_t n;
	int fd, err = 0;

	fd = sfs_open(name, O_RDONLY);
	if (fd < 0)
		return fd;
	buf = malloc(size);
	while (buf) {
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			break;
		}
		if (!n)
			break;
		len += n;
		if (len == size - 1) {
			bigger = realloc(buf, size * 2);
			if (!bigger) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = bigger;
			size *= 2;
		}
	}
	close(fd);
	if (!buf)
		return -ENOMEM;
	if (err) {
		free(buf);
		return err;
	}
	buf[len] = '\0';
	*text = buf;
	return 0;
}

/* Write @line to shype's file @name in one write(), as the kernel wants. */
static int sfs_write(const char *name, const char *line)
{
	size_t len = strlen(line);
	ssize_t n;
	int fd, err = 0;

	fd = sfs_open(name, O_WRONLY);
	if (fd < 0)
		return fd;
	n = write(fd, line, len);
	if (n < 0)
		err = -errno;
	else if ((size_t)n != len)
		err = -EIO;
	if (close(fd) && !err)
		err = -errno;
	return err;
}

int shype_fields_parse(char *line, struct shype_field *f, size_t max)
{
	char *save, *word, *eq;
	size_t n = 0;

	for (word = strtok_r(line, " ", &save); word;
	     word = strtok_r(NULL, " ", &save)) {
		eq = strchr(word, '=');
		if (!eq || eq == word)
			return -EBADMSG;
		if (n == max)
			return -E2BIG;
		*eq = '\0';
		f[n].key = word;
		f[n].value = eq + 1;
		n++;
	}
	return n;
}

/* The value of @key among @n fields, or NULL. */
static const char *field(const struct shype_field *f, int n, const char *key)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(f[i].key, key))
			return f[i].value;
	return NULL;
}

/* Decimal digits only, no sign, no overflow. */
static int parse_u64(const char *s, uint64_t *v)
{
	uint64_t x = 0;

	if (!s || !*s)
		return -EBADMSG;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || x > (UINT64_MAX - 9) / 10)
			return -EBADMSG;
		x = x * 10 + (*s - '0');
	}
	*v = x;
	return 0;
}

static int parse_uint(const char *s, unsigned int *v)
{
	uint64_t x;

	if (parse_u64(s, &x) || x > UINT_MAX)
		return -EBADMSG;
	*v = x;
	return 0;
}

/* "MAJOR.MINOR" */
static int parse_version(const char *s, struct shype_status *st)
{
	char buf[24], *dot;

	if (strlen(s) >= sizeof(buf))
		return -EBADMSG;
	strcpy(buf, s);
	dot = strchr(buf, '.');
	if (!dot)
		return -EBADMSG;
	*dot = '\0';
	if (parse_uint(buf, &st->version_major) ||
	    parse_uint(dot + 1, &st->version_minor))
		return -EBADMSG;
	return 0;
}

/* Copy a name field: "-" is "", longer than @size is malformed. */
static int copy_name(char *dst, size_t size, const char *s)
{
	if (!s || strlen(s) >= size)
		return -EBADMSG;
	strcpy(dst, strcmp(s, "-") ? s : "");
	return 0;
}

int shype_kernel_status(struct shype_status *st)
{
	struct shype_field f[FIELDS_MAX];
	const char *v;
	char *text, *nl;
	int n, err;

	err = sfs_read("status", &text);
	if (err)
		return err;
	memset(st, 0, sizeof(*st));
	nl = strchr(text, '\n');
	if (nl)
		*nl = '\0';
	n = shype_fields_parse(text, f, FIELDS_MAX);
	err = -EBADMSG;
	if (n < 0 ||
	    copy_name(st->policy, sizeof(st->policy), field(f, n, "policy")) ||
	    copy_name(st->digest, sizeof(st->digest), field(f, n, "digest")))
		goto out;
	v = field(f, n, "version");
	if (!v || (strcmp(v, "-") && parse_version(v, st)))
		goto out;
	v = field(f, n, "mode");
	if (!v || (strcmp(v, "enforce") && strcmp(v, "permissive")))
		goto out;
	st->permissive = !strcmp(v, "permissive");
	if (parse_uint(field(f, n, "vms"), &st->vms) ||
	    parse_uint(field(f, n, "hooks"), &st->hooks))
		goto out;
	/* Absent from modules older than the parameter. */
	v = field(f, n, "require_policy");
	if (v && strcmp(v, "0") && strcmp(v, "1"))
		goto out;
	st->require_policy = v && !strcmp(v, "1");
	err = 0;
out:
	free(text);
	return err;
}

int shype_kernel_mode(bool *permissive)
{
	char *text;
	size_t len;
	int err;

	err = sfs_read("mode", &text);
	if (err)
		return err;
	len = strcspn(text, "\n");
	text[len] = '\0';
	err = 0;
	if (!strcmp(text, "permissive"))
		*permissive = true;
	else if (!strcmp(text, "enforce"))
		*permissive = false;
	else
		err = -EBADMSG;
	free(text);
	return err;
}

int shype_kernel_set_mode(bool permissive)
{
	return sfs_write("mode", permissive ? "permissive\n" : "enforce\n");
}

/* Free @n records of @size bytes at @v, each with @rec_free if any. */
static void free_records(void *v, size_t n, size_t size,
			 void (*rec_free)(void *rec))
{
	size_t i;

	for (i = 0; rec_free && i < n; i++)
		rec_free((char *)v + i * size);
	free(v);
}

/*
 * Read shype's file @name and call @line_fn on the fields of each line;
 * @line_fn fills one record (zeroed first) of the array *@v of *@n records
 * of @size bytes.  On failure every record, the failing one too, is freed
 * with @rec_free (NULL: records own no memory), and *@v is NULL.
 */
static int read_records(const char *name, void **v, size_t *n, size_t size,
			int (*line_fn)(void *rec, struct shype_field *f,
				       int nf),
			void (*rec_free)(void *rec))
{
	struct shype_field f[FIELDS_MAX];
	char *text, *line, *save;
	size_t cap = 0;
	void *bigger, *rec;
	int nf, err;

	*v = NULL;
	*n = 0;
	err = sfs_read(name, &text);
	if (err)
		return err;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			bigger = realloc(*v, cap * size);
			if (!bigger) {
				err = -ENOMEM;
				break;
			}
			*v = bigger;
		}
		rec = (char *)*v + *n * size;
		memset(rec, 0, size);
		(*n)++;
		nf = shype_fields_parse(line, f, FIELDS_MAX);
		err = nf < 0 ? -EBADMSG : line_fn(rec, f, nf);
		if (err)
			break;
	}
	free(text);
	if (err) {
		free_records(*v, *n, size, rec_free);
		*v = NULL;
		*n = 0;
	}
	return err;
}

static int vm_line(void *rec, struct shype_field *f, int n)
{
	struct shype_vm_info *vm = rec;
	unsigned int pid;
	const char *state = field(f, n, "state");

	if (parse_u64(field(f, n, "vm"), &vm->id) ||
	    parse_uint(field(f, n, "pid"), &pid) || pid > INT_MAX ||
	    copy_name(vm->label, sizeof(vm->label), field(f, n, "label")) ||
	    (state && copy_name(vm->state, sizeof(vm->state), state)))
		return -EBADMSG;
	vm->pid = pid;
	return 0;
}

int shype_kernel_vms(struct shype_vm_info **vms, size_t *n)
{
	return read_records("vms", (void **)vms, n, sizeof(**vms), vm_line,
			    NULL);
}

/* "ID(LABEL),ID(LABEL)..." of the bindings file. */
static int bound_vms(struct shype_binding_info *b, const char *s)
{
	const char *p = s, *open, *close;
	struct shype_bound_vm *vm;
	char id[24];

	if (!s)
		return -EBADMSG;
	while (*p) {
		open = strchr(p, '(');
		close = open ? strchr(open, ')') : NULL;
		if (!close || open == p || (size_t)(open - p) >= sizeof(id) ||
		    (close[1] && close[1] != ','))
			return -EBADMSG;
		vm = realloc(b->vms, (b->n_vms + 1) * sizeof(*vm));
		if (!vm)
			return -ENOMEM;
		b->vms = vm;
		vm += b->n_vms;
		memcpy(id, p, open - p);
		id[open - p] = '\0';
		if (parse_u64(id, &vm->id) ||
		    (size_t)(close - open - 1) >= sizeof(vm->label))
			return -EBADMSG;
		memcpy(vm->label, open + 1, close - open - 1);
		vm->label[close - open - 1] = '\0';
		b->n_vms++;
		p = close[1] ? close + 2 : close + 1;
	}
	return 0;
}

/*
 * A path as the kernel escapes it (\ooo for spaces, controls, backslashes),
 * unescaped into a malloc()ed string; NULL when malformed or out of memory
 * (*@err says which).
 */
static char *unescape(const char *s, int *err)
{
	char *out = malloc(strlen(s) + 1), *o = out;
	unsigned int ch;

	*err = -ENOMEM;
	if (!out)
		return NULL;
	*err = -EBADMSG;
	for (; *s; s++) {
		if (*s != '\\') {
			*o++ = *s;
			continue;
		}
		if (s[1] < '0' || s[1] > '3' || s[2] < '0' || s[2] > '7' ||
		    s[3] < '0' || s[3] > '7') {
			free(out);
			return NULL;
		}
		ch = (s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0');
		if (!ch) {
			free(out);
			return NULL;
		}
		*o++ = ch;
		s += 3;
	}
	*o = '\0';
	*err = 0;
	return out;
}

static int binding_line(void *rec, struct shype_field *f, int n)
{
	struct shype_binding_info *b = rec;
	const char *path = field(f, n, "path") ?: field(f, n, "name");
	int err;

	if (parse_u64(field(f, n, "object"), &b->object) ||
	    copy_name(b->class, sizeof(b->class), field(f, n, "class")))
		return -EBADMSG;
	if (path) {
		b->path = unescape(path, &err);
		if (!b->path)
			return err;
	}
	return bound_vms(b, field(f, n, "vms"));
}

static void binding_free(void *rec)
{
	struct shype_binding_info *b = rec;

	free(b->path);
	free(b->vms);
}

void shype_binding_infos_free(struct shype_binding_info *v, size_t n)
{
	free_records(v, n, sizeof(*v), binding_free);
}

int shype_kernel_bindings(struct shype_binding_info **v, size_t *n)
{
	return read_records("bindings", (void **)v, n, sizeof(**v),
			    binding_line, binding_free);
}

static int cgroup_line(void *rec, struct shype_field *f, int n)
{
	struct shype_cgroup_entry *e = rec;
	const char *path = field(f, n, "cgroup");

	if (!path || *path != '/' || parse_u64(field(f, n, "id"), &e->id) ||
	    copy_name(e->label, sizeof(e->label), field(f, n, "label")))
		return -EBADMSG;
	e->path = strdup(path);
	return e->path ? 0 : -ENOMEM;
}

static void cgroup_free(void *rec)
{
	free(((struct shype_cgroup_entry *)rec)->path);
}

void shype_cgroup_entries_free(struct shype_cgroup_entry *v, size_t n)
{
	free_records(v, n, sizeof(*v), cgroup_free);
}

int shype_kernel_cgroups(struct shype_cgroup_entry **v, size_t *n)
{
	return read_records("cgroups", (void **)v, n, sizeof(**v), cgroup_line,
			    cgroup_free);
}

static int resource_line(void *rec, struct shype_field *f, int n)
{
	struct shype_resource_entry *e = rec;
	const char *res = field(f, n, "resource");
	int err;

	if (!res || strncmp(res, "shm:/", 5) ||
	    parse_u64(field(f, n, "inode"), &e->inode) ||
	    copy_name(e->label, sizeof(e->label), field(f, n, "label")))
		return -EBADMSG;
	e->path = unescape(res + 4, &err);
	return err;
}

static void resource_free(void *rec)
{
	free(((struct shype_resource_entry *)rec)->path);
}

void shype_resource_entries_free(struct shype_resource_entry *v, size_t n)
{
	free_records(v, n, sizeof(*v), resource_free);
}

int shype_kernel_resources(struct shype_resource_entry **v, size_t *n)
{
	return read_records("resources", (void **)v, n, sizeof(**v),
			    resource_line, resource_free);
}

static int stats_line(void *rec, struct shype_field *f, int n)
{
	struct shype_op_stats *s = rec;
	const char *op = field(f, n, "op");

	if (!op || !*op || strlen(op) >= sizeof(s->op) ||
	    parse_u64(field(f, n, "calls"), &s->calls) ||
	    parse_u64(field(f, n, "allowed"), &s->allowed) ||
	    parse_u64(field(f, n, "denied"), &s->denied))
		return -EBADMSG;
	strcpy(s->op, op);
	return 0;
}

int shype_kernel_stats(struct shype_op_stats **v, size_t *n)
{
	return read_records("stats", (void **)v, n, sizeof(**v), stats_line,
			    NULL);
}

/* Does the policy file @fd, after a load, read SHYPE_LOAD_UNCHANGED? */
static bool was_unchanged(int fd)
{
	char buf[sizeof(SHYPE_LOAD_UNCHANGED)];
	size_t got = 0;
	ssize_t n;

	/* One byte more than the line, to know it is all there is. */
	while (got < sizeof(buf)) {
		n = pread(fd, buf + got, sizeof(buf) - got, got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += n;
	}
	return got == strlen(SHYPE_LOAD_UNCHANGED) &&
	       !memcmp(buf, SHYPE_LOAD_UNCHANGED, got);
}

int shype_kernel_load(const void *blob, size_t len, uint32_t flags,
		      char *reasons, size_t size)
{
	struct shype_load_request req = {
		.magic = htole32(SHYPE_LOAD_MAGIC),
		.flags = htole32(flags),
	};
	size_t pre = flags ? sizeof(req) : 0, total = pre + len, done = 0;
	ssize_t n, got = 0;
	char *buf;
	int fd, err = 0;

	if (reasons && size)
		reasons[0] = '\0';
	buf = malloc(total);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, &req, pre);
	memcpy(buf + pre, blob, len);

	fd = sfs_open("policy", O_RDWR);
	if (fd < 0) {
		free(buf);
		return fd;
	}
	/* The kernel loads in the write() that completes the blob. */
	while (done < total) {
		n = write(fd, buf + done, total - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n ? -errno : -EIO;
			break;
		}
		done += n;
	}
	/* After a load the kernel found the blob active, it says so. */
	if (!err && was_unchanged(fd))
		err = 1;
	/* After a refusal the same open file reads back the reasons. */
	while (err < 0 && reasons && size > 1 && (size_t)got < size - 1) {
		n = pread(fd, reasons + got, size - 1 - got, got);
		if (n <= 0)
			break;
		got += n;
	}
	if (reasons && size)
		reasons[got] = '\0';
	close(fd);
	free(buf);
	return err;
}

int shype_cgroup_path(const char *arg, char *out, size_t size)
{
	const char *root = shype_cgroup_root(), *p = arg, *end;
	size_t rlen = strlen(root), n = 0, len;

	if (!*arg)
		return -EINVAL;
	if (strcmp(root, "/") && !strncmp(arg, root, rlen) &&
	    (arg[rlen] == '/' || !arg[rlen]))
		p = arg + rlen;
	for (; *p; p = end) {
		while (*p == '/')
			p++;
		end = p + strcspn(p, "/");
		len = end - p;
		if (!len)
			break;
		if ((len == 1 && p[0] == '.') ||
		    (len == 2 && p[0] == '.' && p[1] == '.'))
			return -EINVAL;
		if (n + 1 + len >= size)
			return -ENAMETOOLONG;
		out[n++] = '/';
		memcpy(out + n, p, len);
		n += len;
	}
	if (!n) {
		if (size < 2)
			return -ENAMETOOLONG;
		out[n++] = '/';
	}
	out[n] = '\0';
	for (p = out; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return -EINVAL;
	return 0;
}

/* @root + @path into @buf. */
static int under_root(char *buf, size_t size, const char *path)
{
	const char *root = shype_cgroup_root();

	if (!strcmp(path, "/"))
		path = "";
	if (snprintf(buf, size, "%s%s", strcmp(root, "/") ? root : "", path) >=
	    (int)size)
		return -ENAMETOOLONG;
	return 0;
}

int shype_kernel_label_get(const char *path, char label[SHYPE_NAME_MAX + 1],
			   char *from, size_t fromsize)
{
	struct shype_cgroup_entry *v;
	char cur[PATH_MAX], dir[PATH_MAX], *slash;
	struct stat st;
	size_t n, i;
	int err;

	label[0] = '\0';
	if (fromsize)
		from[0] = '\0';
	if (strlen(path) >= sizeof(cur))
		return -ENAMETOOLONG;
	strcpy(cur, path);
	err = shype_kernel_cgroups(&v, &n);
	if (err)
		return err;
	/* Up from @path, as the kernel walks: by cgroup id. */
	for (;;) {
		err = under_root(dir, sizeof(dir), cur);
		if (err)
			break;
		if (stat(dir, &st)) {
			err = -errno;
			break;
		}
		for (i = 0; i < n && v[i].id != (uint64_t)st.st_ino; i++)
			;
		if (i < n) {
			if (strlen(cur) >= fromsize) {
				err = -ENAMETOOLONG;
				break;
			}
			strcpy(label, v[i].label);
			strcpy(from, cur);
			break;
		}
		if (!strcmp(cur, "/"))
			break;
		/* The parent: "/a/b" to "/a", "/a" to "/". */
		slash = strrchr(cur, '/');
		if (slash == cur)
			slash++;
		*slash = '\0';
	}
	shype_cgroup_entries_free(v, n);
	return err;
}

int shype_pid_cgroup(int pid, char *path, size_t size)
{
	char name[64], line[PATH_MAX + 8];
	int err = -EBADMSG;
	FILE *f;

	snprintf(name, sizeof(name), "/proc/%d/cgroup", pid);
	f = fopen(name, "re");
	if (!f)
		return errno == ENOENT ? -ESRCH : -errno;
	/* cgroup v2's line is "0::PATH"; v1 hierarchies have other numbers. */
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "0::", 3))
			continue;
		if (strlen(line + 3) >= size) {
			err = -ENAMETOOLONG;
			break;
		}
		strcpy(path, line + 3);
		err = path[0] == '/' ? 0 : -EBADMSG;
		break;
	}
	fclose(f);
	return err;
}

int shype_kernel_pid_label(int pid, char label[SHYPE_NAME_MAX + 1], char *from,
			   size_t fromsize)
{
	struct shype_vm_info *vms;
	char path[PATH_MAX];
	size_t n, i;
	int err;

	label[0] = '\0';
	if (fromsize)
		from[0] = '\0';
	/* A VM it runs: its label is frozen, whatever its cgroup now. */
	err = shype_kernel_vms(&vms, &n);
	if (err)
		return err;
	for (i = 0; i < n && vms[i].pid != pid; i++)
		;
	if (i < n) {
		snprintf(label, SHYPE_NAME_MAX + 1, "%s", vms[i].label);
		if (fromsize)
			snprintf(from, fromsize, "vm=%" PRIu64, vms[i].id);
		free(vms);
		return 0;
	}
	free(vms);
	err = shype_pid_cgroup(pid, path, sizeof(path));
	if (err)
		return err;
	return shype_kernel_label_get(path, label, from, fromsize);
}

/* Is @path as shype_cgroup_path() makes them? */
static bool path_ok(const char *path)
{
	const char *p;

	if (path[0] != '/')
		return false;
	for (p = path; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return false;
	return true;
}

/* mkdir -p @root@path */
static int make_cgroup(const char *path)
{
	char dir[PATH_MAX], *p, c;
	int err;

	err = under_root(dir, sizeof(dir), path);
	if (err || !strcmp(path, "/"))
		return err;
	/* Each component after the root's, in turn. */
	for (p = dir + strlen(dir) - strlen(path) + 1;; p++) {
		if (*p && *p != '/')
			continue;
		c = *p;
		*p = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST)
			return errno == EACCES ? -EPERM : -errno;
		if (!c)
			return 0;
		*p = c;
	}
}

int shype_kernel_label_set(const char *path, const char *label)
{
	char *line;
	int err;

	if (!path_ok(path) || !shype_name_valid(label, strlen(label)))
		return -EINVAL;
	if (!shype_kernel_loaded())
		return -ENOENT;
	err = make_cgroup(path);
	if (err)
		return err;
	if (asprintf(&line, "label %s %s\n", path, label) < 0)
		return -ENOMEM;
	err = sfs_write("cgroups", line);
	free(line);
	return err;
}

int shype_kernel_label_clear(const char *path)
{
	char *line;
	int err;

	if (!path_ok(path))
		return -EINVAL;
	if (asprintf(&line, "unlabel %s\n", path) < 0)
		return -ENOMEM;
	err = sfs_write("cgroups", line);
	free(line);
	return err;
}

int shype_kernel_resource_set(const char *path, const char *label)
{
	char *line;
	int err;

	if (!path_ok(path) || !shype_name_valid(label, strlen(label)))
		return -EINVAL;
	if (asprintf(&line, "label %s %s\n", path, label) < 0)
		return -ENOMEM;
	err = sfs_write("resources", line);
	free(line);
	return err;
}

int shype_kernel_resource_clear(const char *path)
{
	char *line;
	int err;

	if (!path_ok(path))
		return -EINVAL;
	if (asprintf(&line, "unlabel %s\n", path) < 0)
		return -ENOMEM;
	err = sfs_write("resources", line);
	free(line);
	return err;
}

int shype_cgroup_enter(const char *path)
{
	char file[PATH_MAX], pid[24];
	int fd, err = 0, len;

	err = under_root(file, sizeof(file) - sizeof("/cgroup.procs"), path);
	if (err)
		return err;
	strcat(file, "/cgroup.procs");
	len = snprintf(pid, sizeof(pid), "%d\n", getpid());
	fd = open(file, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, pid, len) != len)
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	return err;
}

int shype_audit_open(struct shype_audit_reader *a)
{
	struct stat st;

	a->start = a->end = 0;
	a->fd = sfs_open("audit", O_RDONLY);
	if (a->fd < 0) {
		int err = a->fd;

		a->fd = -1;
		return err;
	}
	/* A regular file (a test's stand-in) is polled by sleeping. */
	a->regular = !fstat(a->fd, &st) && S_ISREG(st.st_mode);
	return 0;
}

/* Wait until the audit file may have more. */
static int audit_wait(struct shype_audit_reader *a)
{
	struct timespec ts = { 0, 200 * 1000 * 1000 };
	struct pollfd pfd = { .fd = a->fd, .events = POLLIN };

	if (a->regular ? nanosleep(&ts, NULL) : poll(&pfd, 1, -1) < 0)
		return -errno;
	return 0;
}

int shype_audit_next(struct shype_audit_reader *a, bool follow,
		     const char **line)
{
	char *nl;
	ssize_t n;
	int err;

	for (;;) {
		nl = memchr(a->buf + a->start, '\n', a->end - a->start);
		if (nl) {
			*nl = '\0';
			*line = a->buf + a->start;
			a->start = nl + 1 - a->buf;
			return 1;
		}
		memmove(a->buf, a->buf + a->start, a->end - a->start);
		a->end -= a->start;
		a->start = 0;
		if (a->end == sizeof(a->buf) - 1)
			return -EBADMSG; /* a line longer than any */
		n = read(a->fd, a->buf + a->end, sizeof(a->buf) - 1 - a->end);
		if (n < 0)
			return -errno;
		if (n > 0) {
			a->end += n;
			continue;
		}
		if (!follow) {
			if (!a->end)
				return 0;
			/* At the end, a last line without its newline. */
			a->buf[a->end] = '\0';
			*line = a->buf;
			a->start = a->end;
			return 1;
		}
		err = audit_wait(a);
		if (err)
			return err;
	}
}

void shype_audit_close(struct shype_audit_reader *a)
{
	if (a->fd >= 0)
		close(a->fd);
	a->fd = -1;
}
