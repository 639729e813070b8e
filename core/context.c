/* context.c - options and string lists of a run. */
#include "context.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

void xs_strlist_add(struct xs_strlist *l, const char *s)
{
	if (l->n + 1 >= l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = xs_realloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = xs_strdup(s);
	l->v[l->n] = NULL;
}

void xs_strlist_add_split(struct xs_strlist *l, const char *csv)
{
	const char *p = csv;
	while (*p) {
		/* "@Minimal Install": a comps name runs to the comma */
		size_t len = strcspn(p, *p == '@' ? "," : ", \t");
		while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len) {
			char *s = xs_strndup(p, len);
			if (!xs_strlist_has(l, s))
				xs_strlist_add(l, s);
			free(s);
		}
		p += len;
		p += strspn(p, ", \t");
	}
}

bool xs_strlist_has(const struct xs_strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], s))
			return true;
	return false;
}

char *xs_strlist_join(const struct xs_strlist *l, const char *sep)
{
	struct xs_buf b = { 0 };
	for (size_t i = 0; l && i < l->n; i++) {
		if (i)
			xs_buf_add(&b, sep, strlen(sep));
		xs_buf_add(&b, l->v[i], strlen(l->v[i]));
	}
	if (!b.data)
		return xs_strdup("");
	return b.data;
}

void xs_strlist_free(struct xs_strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void xs_opts_free(struct xs_opts *o)
{
	xs_strlist_free(&o->include);
	xs_strlist_free(&o->exclude);
	xs_strlist_free(&o->components);
	xs_strlist_free(&o->keyrings);
	xs_strlist_free(&o->classes);
	xs_strlist_free(&o->config_spaces);
	xs_strlist_free(&o->hook_files);
	xs_strlist_free(&o->sets);
	xs_strlist_free(&o->purge);
	xs_strlist_free(&o->repo_choices);
	free(o->repo_type);
	free(o->hostname);
	free(o->arch);
	free(o->cache_dir);
	free(o->suite);
	free(o->target);
	free(o->mirror);
	free(o->datadir);
	free(o->swap_path);
	free(o->xen_config);
	free(o->xen_kernel_dir);
	free(o->mac);
	free(o->export_dir);
	free(o->nfs_server);
	free(o->nfs_path);
	free(o->fetch_url);
	free(o->append);
	free(o->ssh_key);
	free(o->bridge);
	free(o->security_mirror);
	xs_strlist_free(&o->sources);
	xs_strlist_free(&o->sources_files);
	xs_strlist_free(&o->rpm_repos);
	free(o->fs_label);
	free(o->fs_uuid);
	free(o->output);
}

static const struct {
	const char *name;
	enum xs_variant v;
} variants[] = {
	{ "extract", XS_VARIANT_EXTRACT },     { "custom", XS_VARIANT_CUSTOM },
	{ "essential", XS_VARIANT_ESSENTIAL }, { "minbase", XS_VARIANT_MINBASE },
	{ "required", XS_VARIANT_REQUIRED },   { "important", XS_VARIANT_IMPORTANT },
	{ "-", XS_VARIANT_IMPORTANT },         { "debootstrap", XS_VARIANT_IMPORTANT },
	{ "buildd", XS_VARIANT_BUILDD },       { "standard", XS_VARIANT_STANDARD },
};

const char *xs_variant_name(enum xs_variant v)
{
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++)
		if (variants[i].v == v)
			return variants[i].name;
	return "?";
}

const char *xs_mode_name(enum xs_mode m)
{
	static const char *const names[] = { [XS_MODE_AUTO] = "auto", [XS_MODE_ROOT] = "root",
					     [XS_MODE_UNSHARE] = "unshare" };
	return (size_t)m < sizeof(names) / sizeof(names[0]) ? names[m] : NULL;
}

int xs_variant_parse(const char *s, enum xs_variant *out)
{
	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++)
		if (!strcmp(variants[i].name, s)) {
			*out = variants[i].v;
			return 0;
		}
	return -1;
}
