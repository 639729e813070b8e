/* family.c - the table of package families and the choice of one. */
#include "family.h"

#include <errno.h>
#include <string.h>

#include "deb_family.h"
#include "rpm_family.h"
#include "util.h"

static const struct xs_family *table[8] = { &xs_family_deb, &xs_family_rpm };

static size_t count(void)
{
	size_t n = 0;
	while (n < sizeof(table) / sizeof(table[0]) && table[n])
		n++;
	return n;
}

int xs_family_register(const struct xs_family *f)
{
	size_t n = count();
	for (size_t i = 0; i < n; i++)
		if (table[i] == f)
			return 0;
	if (n == sizeof(table) / sizeof(table[0]))
		return -ENOSPC;
	table[n] = f;
	return 0;
}

const struct xs_family *xs_family_find(const char *name)
{
	for (size_t i = 0; i < count(); i++) {
		if (!strcmp(table[i]->name, name))
			return table[i];
		for (const char *const *a = table[i]->aliases; a && *a; a++)
			if (!strcmp(*a, name))
				return table[i];
	}
	return NULL;
}

char *xs_family_names(void)
{
	struct xs_buf b = { 0 };
	xs_buf_addstr(&b, "");
	for (size_t i = 0; i < count(); i++) {
		xs_buf_printf(&b, "%s%s", i ? ", " : "", table[i]->name);
		for (const char *const *a = table[i]->aliases; a && *a; a++)
			xs_buf_printf(&b, ", %s", *a);
	}
	return b.data;
}

int xs_family_choose(struct xs_ctx *ctx, bool *known)
{
	*known = false;
	const struct xs_family *want = ctx->o.repo_type ? xs_family_find(ctx->o.repo_type) : NULL;
	if (ctx->o.repo_type && !want) {
		_cleanup_free_ char *names = xs_family_names();
		return xs_fail(&ctx->log, EINVAL, "--repo-type: expected one of %s, found \"%s\"", names,
			       ctx->o.repo_type);
	}
	for (size_t i = 0; i < count(); i++) {
		const struct xs_family *f = table[i];
		if ((want && f != want) || !f->lookup)
			continue;
		int r = f->lookup(ctx, ctx->suite);
		if (r == 0) {
			ctx->family = f;
			*known = true;
			return 0;
		}
		if (r != -ENOENT)
			return r;
	}
	ctx->family = want ? want : table[0];
	return 0;
}
