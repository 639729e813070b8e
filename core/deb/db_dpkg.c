/* db_dpkg.c - /var/lib/dpkg written from the transaction and the manifests. */
#include "db_dpkg.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "pkg_deb.h"
#include "target.h"

char *xs_dpkg_info_name(const struct xs_pkg *p)
{
	return xs_deb_c(p)->multiarch_same ? xs_asprintf("%s:%s", p->name, p->arch) : xs_strdup(p->name);
}

static const char *conffile_md5(const struct xs_pkg *p, const char *path)
{
	const char *rel = path + strspn(path, "/");
	for (size_t i = 0; i < p->manifest.n; i++)
		if (!strcmp(p->manifest.v[i].path, rel) && p->manifest.v[i].md5[0])
			return p->manifest.v[i].md5;
	return "newconffile";
}

void xs_dpkg_status_para(const struct xs_pkg *p, const char *status, struct xs_buf *out)
{
	const struct xs_ctrlfile *c = xs_pkg_ctrl(p, "control");
	const char *text = c ? c->data : "";
	bool status_done = false;
	/* dpkg records the archive's Priority/Section (from available) for what
	 * it configured before debootstrap wrote that file, i.e. phase 1, and
	 * the .deb's own for the packages unpacked after it. */
	const struct xs_debinfo *deb = xs_deb_c(p);
	bool archive = deb->phase <= 1;
	for (const char *l = text; *l;) {
		const char *nl = strchr(l, '\n');
		size_t ll = nl ? (size_t)(nl - l) : strlen(l);
		if (!ll) /* stray blank line would end the paragraph */
			;
		else if (archive && deb->priority && !strncmp(l, "Priority:", 9))
			xs_buf_printf(out, "Priority: %s\n", deb->priority);
		else if (archive && deb->section && !strncmp(l, "Section:", 8))
			xs_buf_printf(out, "Section: %s\n", deb->section);
		else {
			xs_buf_add(out, l, ll);
			xs_buf_add(out, "\n", 1);
		}
		if (!status_done && !strncmp(l, "Package:", 8)) {
			xs_buf_printf(out, "Status: %s\n", status);
			status_done = true;
		}
		l = nl ? nl + 1 : l + ll;
	}
	const struct xs_ctrlfile *cf = xs_pkg_ctrl(p, "conffiles");
	if (cf && cf->len) {
		bool any = false;
		for (const char *l = cf->data; *l;) {
			const char *nl = strchr(l, '\n');
			size_t ll = nl ? (size_t)(nl - l) : strlen(l);
			size_t pl = 0;
			const char *pp = xs_deb_conffile_path(l, ll, &pl);
			_cleanup_free_ char *path = pp ? xs_strndup(pp, pl) : NULL;
			/* the flags, in their order, after the digest as dpkg writes them */
			struct xs_buf flags = { 0 };
			for (const char *w = l; path && w < l + ll;) {
				size_t wl = strcspn(w, " \t\n");
				if (w + wl > l + ll)
					wl = l + ll - w;
				if (wl && w != pp) {
					xs_buf_add(&flags, " ", 1);
					xs_buf_add(&flags, w, wl);
				}
				w += wl + 1;
			}
			l = nl ? nl + 1 : l + ll;
			if (!path) {
				xs_buf_free(&flags);
				continue;
			}
			if (!any)
				xs_buf_addstr(out, "Conffiles:\n");
			any = true;
			xs_buf_printf(out, " %s %s%.*s\n", path, conffile_md5(p, path), (int)flags.len,
				      flags.data ? flags.data : "");
			xs_buf_free(&flags);
		}
	}
	xs_buf_add(out, "\n", 1);
}

static void list_file(const struct xs_pkg *p, struct xs_buf *out)
{
	for (size_t i = 0; i < p->manifest.n; i++) {
		const char *path = p->manifest.v[i].path;
		if (!*path)
			xs_buf_addstr(out, "/.\n");
		else
			xs_buf_printf(out, "/%s\n", path);
	}
}

/* Trigger interests: dpkg records them itself only when it unpacks. */
struct interest {
	char *trigger; /* a name, or an absolute path for file triggers */
	struct xs_buf who;
};

static void add_interests(const struct xs_pkg *p, const char *info, struct interest **v, size_t *n,
			  struct xs_buf *file_triggers)
{
	const struct xs_ctrlfile *t = xs_pkg_ctrl(p, "triggers");
	if (!t)
		return;
	for (const char *l = t->data; *l;) {
		const char *nl = strchr(l, '\n');
		size_t ll = nl ? (size_t)(nl - l) : strlen(l);
		_cleanup_free_ char *line = xs_strndup(l, ll);
		l = nl ? nl + 1 : l + ll;
		char *kw = strtok(line, " \t");
		char *name = kw ? strtok(NULL, " \t") : NULL;
		if (!kw || !name || kw[0] == '#' || !xs_str_startswith(kw, "interest"))
			continue;
		const char *suffix = !strcmp(kw, "interest-noawait") ? "/noawait" : "";
		if (name[0] == '/') {
			xs_buf_printf(file_triggers, "%s %s%s\n", name, info, suffix);
			continue;
		}
		size_t k;
		for (k = 0; k < *n && strcmp((*v)[k].trigger, name); k++)
			;
		if (k == *n) {
			*v = xs_realloc(*v, (*n + 1) * sizeof(**v));
			(*v)[k].trigger = xs_strdup(name);
			memset(&(*v)[k].who, 0, sizeof((*v)[k].who));
			(*n)++;
		}
		xs_buf_printf(&(*v)[k].who, "%s%s\n", info, suffix);
	}
}

static int by_index_position(const void *a, const void *b)
{
	const struct xs_debinfo *p = xs_deb_c(*(const struct xs_pkg *const *)a);
	const struct xs_debinfo *q = xs_deb_c(*(const struct xs_pkg *const *)b);
	if (p->repo_index != q->repo_index)
		return p->repo_index < q->repo_index ? -1 : 1;
	return p->stanza_off < q->stanza_off ? -1 : p->stanza_off > q->stanza_off;
}

/* The archive's stanzas of every package, in index order, as debootstrap
 * writes dpkg's available file. */
static void available_file(struct xs_log *log, const struct xs_apt *apt, const struct xs_txn *txn,
			   struct xs_buf *out)
{
	const struct xs_pkg **v = xs_calloc(txn->n, sizeof(*v));
	for (size_t i = 0; i < txn->n; i++)
		v[i] = &txn->v[i];
	qsort(v, txn->n, sizeof(*v), by_index_position);
	for (size_t i = 0; i < txn->n; i++) {
		if (!xs_deb_c(v[i])->stanza_len)
			continue;
		if (xs_apt_stanza(apt, v[i], out) < 0) {
			xs_warn(log, "%s: cannot read its Packages stanza for dpkg's available file", v[i]->name);
			continue;
		}
		if (out->len && out->data[out->len - 1] != '\n')
			xs_buf_add(out, "\n", 1);
		xs_buf_add(out, "\n", 1);
	}
	free(v);
}

static int put(struct xs_log *log, int rootfd, const char *rel, const void *d, size_t len, mode_t mode)
{
	int r = xs_target_write(rootfd, rel, d, len, mode);
	if (r < 0)
		return xs_fail(log, -r, "cannot write /%s in the target: %s", rel, strerror(-r));
	return 0;
}

/* P's info files: its control members (but control) and its .list. */
static int write_info(struct xs_log *log, int rootfd, const struct xs_pkg *p)
{
	int r = 0;
	_cleanup_free_ char *info = xs_dpkg_info_name(p);
	const struct xs_debinfo *deb = xs_deb_c(p);
	for (size_t k = 0; k < deb->nctrl && !r; k++) {
		const struct xs_ctrlfile *c = &deb->ctrl[k];
		if (!strcmp(c->name, "control"))
			continue;
		_cleanup_free_ char *rel = xs_asprintf("var/lib/dpkg/info/%s.%s", info, c->name);
		r = put(log, rootfd, rel, c->data, c->len, c->mode & 0777);
	}
	struct xs_buf list = { 0 };
	list_file(p, &list);
	_cleanup_free_ char *lrel = xs_asprintf("var/lib/dpkg/info/%s.list", info);
	if (!r)
		r = put(log, rootfd, lrel, list.data ? list.data : "", list.len, 0644);
	xs_buf_free(&list);
	return r;
}

/* The trigger interests of the packages of phases up to PHASE, as dpkg
 * holds them once it has unpacked those: it records them in unpack order,
 * and debootstrap unpacks its core packages first, then the other
 * required ones, then each later round (the transaction is in phase
 * order). */
static int write_interests(struct xs_log *log, int rootfd, const struct xs_txn *txn, int phase)
{
	static const char *const core_first[] = { "base-passwd", "base-files", "dpkg", "libc6",
						  "perl-base", "mawk", "debconf", NULL };
	struct xs_buf ftrig = { 0 };
	struct interest *ints = NULL;
	size_t nints = 0;
	int r = 0;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < txn->n; i++) {
			const struct xs_pkg *p = &txn->v[i];
			bool core = false;
			for (size_t k = 0; core_first[k]; k++)
				core |= !strcmp(core_first[k], p->name);
			if (core != (pass == 0) || xs_deb_c(p)->phase > phase)
				continue;
			_cleanup_free_ char *info = xs_dpkg_info_name(p);
			add_interests(p, info, &ints, &nints, &ftrig);
		}
	if (ftrig.len)
		r = put(log, rootfd, "var/lib/dpkg/triggers/File", ftrig.data, ftrig.len, 0644);
	for (size_t k = 0; k < nints; k++) {
		_cleanup_free_ char *rel = xs_asprintf("var/lib/dpkg/triggers/%s", ints[k].trigger);
		if (!r && !strchr(ints[k].trigger, '/'))
			r = put(log, rootfd, rel, ints[k].who.data, ints[k].who.len, 0644);
		free(ints[k].trigger);
		xs_buf_free(&ints[k].who);
	}
	free(ints);
	xs_buf_free(&ftrig);
	return r;
}

int xs_dpkg_write_db(struct xs_log *log, int rootfd, const struct xs_apt *apt,
		     const struct xs_txn *txn)
{
	static const char *const dirs[] = { "var/lib/dpkg/info", "var/lib/dpkg/updates",
					    "var/lib/dpkg/triggers", "var/lib/dpkg/alternatives",
					    "var/lib/dpkg/parts" };
	int r = 0;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if ((r = xs_target_mkdir_p(rootfd, dirs[i], 0755)) < 0)
			return xs_fail(log, -r, "cannot create /%s in the target: %s", dirs[i], strerror(-r));
	struct xs_buf status = { 0 }, avail = { 0 };
	for (size_t i = 0; i < txn->n && !r; i++) {
		const struct xs_pkg *p = &txn->v[i];
		if (xs_deb_c(p)->phase > 1)
			continue; /* not unpacked yet: xs_dpkg_add_phase */
		xs_dpkg_status_para(p, "install ok unpacked", &status);
		r = write_info(log, rootfd, p);
	}
	if (!r)
		r = write_interests(log, rootfd, txn, 1);
	if (!r && apt)
		available_file(log, apt, txn, &avail);
	if (!r)
		r = put(log, rootfd, "var/lib/dpkg/status", status.data, status.len, 0644);
	if (!r)
		r = put(log, rootfd, "var/lib/dpkg/available", avail.data ? avail.data : "", avail.len, 0644);
	if (!r)
		r = put(log, rootfd, "var/lib/dpkg/info/format", "1\n", 2, 0644);
	if (!r)
		r = put(log, rootfd, "var/lib/dpkg/triggers/Unincorp", "", 0, 0644);
	xs_buf_free(&status);
	xs_buf_free(&avail);
	return r;
}

int xs_dpkg_add_phase(struct xs_log *log, int rootfd, const struct xs_txn *txn, int phase)
{
	struct xs_buf status = { 0 };
	_cleanup_close_ int fd = xs_target_open(rootfd, "var/lib/dpkg/status", O_RDONLY);
	if (fd < 0)
		return xs_fail(log, -fd, "cannot read /var/lib/dpkg/status in the target: %s", strerror(-fd));
	char chunk[65536];
	ssize_t n;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		xs_buf_add(&status, chunk, n);
	if (status.len && status.data[status.len - 1] != '\n')
		xs_buf_add(&status, "\n", 1);
	if (status.len)
		xs_buf_add(&status, "\n", 1);
	int r = 0;
	for (size_t i = 0; i < txn->n && !r; i++)
		if (xs_deb_c(&txn->v[i])->phase == phase) {
			xs_dpkg_status_para(&txn->v[i], "install ok unpacked", &status);
			r = write_info(log, rootfd, &txn->v[i]);
		}
	if (!r)
		r = write_interests(log, rootfd, txn, phase);
	if (!r)
		r = put(log, rootfd, "var/lib/dpkg/status", status.data, status.len, 0644);
	xs_buf_free(&status);
	return r;
}
