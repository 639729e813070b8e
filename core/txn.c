/* txn.c - the transaction and its packages: lookup and freeing. */
#include "txn.h"

#include <string.h>
#include <unistd.h>

#include "family.h"

static void manifest_free(struct xs_manifest *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].path);
		free(m->v[i].link);
	}
	free(m->v);
	memset(m, 0, sizeof(*m));
}

void xs_txn_free(struct xs_txn *t)
{
	for (size_t i = 0; i < t->n; i++) {
		struct xs_pkg *p = &t->v[i];
		free(p->name);
		free(p->version);
		free(p->arch);
		free(p->filename);
		free(p->url);
		free(p->cache_path);
		manifest_free(&p->manifest);
		if (p->has_cache_fd) /* a build that stopped before writing it */
			close(p->cache_fd);
		if (p->family_data && t->family && t->family->pkg_free)
			t->family->pkg_free(p);
	}
	free(t->v);
	memset(t, 0, sizeof(*t));
}

struct xs_pkg *xs_txn_find(const struct xs_txn *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->v[i].name, name))
			return &t->v[i];
	return NULL;
}
