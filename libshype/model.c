// SPDX-License-Identifier: LGPL-2.1
/*
 * The policy model: freeing it, and the "kind:name" form of resources.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "shype.h"

#define STR_(x) #x
#define STR(x)	STR_(x)

void shype_errors_free(struct shype_errors *e)
{
	free(e->v);
	e->v = NULL;
	e->n = 0;
}

void shype_model_free(struct shype_model *m)
{
	size_t i;

	if (!m)
		return;
	free(m->name);
	for (i = 0; i < m->n_ste_types; i++)
		free(m->ste_types[i]);
	free(m->ste_types);
	for (i = 0; i < m->n_chwall_types; i++)
		free(m->chwall_types[i]);
	free(m->chwall_types);
	for (i = 0; i < m->n_sets; i++)
		free(m->sets[i].types);
	free(m->sets);
	for (i = 0; i < m->n_labels; i++) {
		free(m->labels[i].name);
		free(m->labels[i].ste);
		free(m->labels[i].chwall);
	}
	free(m->labels);
	for (i = 0; i < m->n_resources; i++)
		free(m->resources[i].name);
	free(m->resources);
	free(m);
}

static const struct {
	const char *prefix;
	unsigned int kind;
	const char *rule;
} kinds[] = {
	{ "shm:", SHYPE_RES_SHM,
	  "a shm: resource is an absolute path of printable ASCII without spaces, at most " STR(
		  SHYPE_RESOURCE_NAME_MAX) " bytes" },
	{ "net:", SHYPE_RES_NET,
	  "a net: resource is an interface name of 1 to " STR(
		  SHYPE_NET_NAME_MAX) " characters of A-Z a-z 0-9 _ . - other than . and .." },
	{ "vsock:", SHYPE_RES_VSOCK,
	  "a vsock: resource is a guest CID in decimal without leading zeros, from 3 to 4294967294" },
	{ "file:", SHYPE_RES_FILE,
	  "a file: resource is an absolute path of printable ASCII without spaces, at most " STR(
		  SHYPE_RESOURCE_NAME_MAX) " bytes" },
};

int shype_resource_parse(const char *s, unsigned int *kind, const char **name,
			 const char **why)
{
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		size_t n = strlen(kinds[i].prefix);

		if (strncmp(s, kinds[i].prefix, n))
			continue;
		if (!shype_resource_name_valid(kinds[i].kind, s + n,
					       strlen(s + n))) {
			*why = kinds[i].rule;
			return -EINVAL;
		}
		*kind = kinds[i].kind;
		*name = s + n;
		return 0;
	}
	*why = strchr(s, ':') ?
		       "unknown resource kind; the kinds are shm:, net:, vsock: and file:" :
		       "a resource is written KIND:NAME, as in shm:/dev/shm/x, net:br0, vsock:3 or file:/var/lib/images/x.img";
	return -EINVAL;
}
