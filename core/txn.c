#include "txn.h"

#include <string.h>

#include "pkg_rpm.h"

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
		free(p->priority);
		free(p->section);
		for (size_t k = 0; k < p->nctrl; k++) {
			free(p->ctrl[k].name);
			free(p->ctrl[k].data);
		}
		free(p->ctrl);
		manifest_free(&p->manifest);
		xs_rpminfo_free(p->rpm);
	}
	free(t->v);
	memset(t, 0, sizeof(*t));
}

const struct xs_ctrlfile *xs_pkg_ctrl(const struct xs_pkg *p, const char *name)
{
	for (size_t k = 0; k < p->nctrl; k++)
		if (!strcmp(p->ctrl[k].name, name))
			return &p->ctrl[k];
	return NULL;
}

struct xs_pkg *xs_txn_find(const struct xs_txn *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->v[i].name, name))
			return &t->v[i];
	return NULL;
}
