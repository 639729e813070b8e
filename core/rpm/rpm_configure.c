/* rpm_configure.c - rpm's configure stage: scriptlets, triggers, owners and the rpmdb. */
#include "rpm_configure.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <solv/evr.h>
#include <solv/pool.h>

#include "pkg_rpm.h"
#include "rpmdb_sqlite.h"
#include "rpmlua.h"
#include "run.h"
#include "target.h"
#include "util.h"
#include "verify.h"

#define STAGE "var/tmp/xstrap-rpm"

enum { SENSE_LESS = 1 << 1, SENSE_GREATER = 1 << 2, SENSE_EQUAL = 1 << 3 };

/* rpm's own scriptlet environment */
const char *const xs_rpm_env[] = { "PATH=/sbin:/bin:/usr/sbin:/usr/bin", "LANG=C", NULL };

struct lua_job {
	char *name, *script;
	int arg1, arg2;
};

static int lua_step(void *arg)
{
	struct lua_job *j = arg;
	return xs_rpmlua_run(j->name, j->script, j->arg1, j->arg2);
}

/* Steps for one namespace, with what each one is, for the messages. */
struct batch {
	struct xs_target_step *steps;
	char **labels;
	size_t n, cap;
	unsigned serial; /* names the staged script files */
};

struct rpmrun {
	struct xs_ctx *ctx;
	int rootfd;
	const struct xs_txn *txn;
	int logfd;
	char **env; /* the scriptlets' */
	struct batch b;
	unsigned serial;
	size_t nsteps;
};

static void batch_free(struct batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		struct xs_target_step *s = &b->steps[i];
		if (s->argv) {
			for (char **a = s->argv; *a; a++)
				free(*a);
			free(s->argv);
		}
		if (s->fn) {
			struct lua_job *j = s->arg;
			free(j->name);
			free(j->script);
			free(j);
		}
		free((char *)s->stdin_path);
		free(b->labels[i]);
	}
	free(b->steps);
	free(b->labels);
	memset(b, 0, sizeof(*b));
}

static struct xs_target_step *batch_add(struct batch *b, char *label)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 32;
		b->steps = xs_realloc(b->steps, b->cap * sizeof(*b->steps));
		b->labels = xs_realloc(b->labels, b->cap * sizeof(*b->labels));
	}
	memset(&b->steps[b->n], 0, sizeof(b->steps[0]));
	b->labels[b->n] = label;
	return &b->steps[b->n++];
}

static int run_batch(struct rpmrun *rr)
{
	struct batch *b = &rr->b;
	struct xs_log *log = &rr->ctx->log;
	if (!b->n)
		return 0;
	rr->nsteps += b->n;
	struct xs_step_report *rep = NULL;
	size_t nrep = 0;
	int status = 0;
	int r = xs_target_run_steps(log, rr->ctx->o.target, b->steps, b->n, rr->logfd, &rep, &nrep, &status);
	for (size_t i = 0; i < nrep && r >= 0; i++) {
		const char *what = rep[i].index < b->n ? b->labels[rep[i].index] : "a step";
		bool fatal = rep[i].index < b->n && !b->steps[rep[i].index].may_fail;
		char tail[1200];
		xs_script_log_tail(rr->logfd, tail, sizeof(tail));
		if (fatal)
			r = xs_fail(log, EIO, "%s failed with exit status %d; its last output: %s", what, rep[i].code,
				    tail);
		else
			xs_warn(log, "%s failed with exit status %d (rpm goes on too); last output: %s", what,
				rep[i].code, tail);
	}
	if (!r && status && !nrep)
		r = xs_fail(log, EIO, "the scriptlets in %s stopped with status %d", rr->ctx->o.target, status);
	free(rep);
	batch_free(b);
	return !r && status ? -EIO : r;
}

/* Adds a scriptlet: BODY run by PROG (rpm's -p; "/bin/sh" by default,
 * "<lua>" for rpm's Lua) with $1 $2 as rpm passes them. */
static int add_script(struct rpmrun *rr, char *label, const char *const *prog, size_t nprog,
		      const char *body, int arg1, int arg2, char *stdin_path, bool may_fail)
{
	struct xs_log *log = &rr->ctx->log;
	if (nprog && !strcmp(prog[0], "<lua>")) {
		struct xs_target_step *s = batch_add(&rr->b, label);
		struct lua_job *j = xs_calloc(1, sizeof(*j));
		j->name = xs_strdup(label);
		j->script = xs_strdup(body ? body : "");
		j->arg1 = arg1;
		j->arg2 = arg2;
		s->fn = lua_step;
		s->arg = j;
		s->stdin_path = stdin_path;
		s->may_fail = may_fail;
		return 0;
	}
	char **argv = xs_calloc(nprog + 5, sizeof(*argv));
	size_t k = 0;
	if (!nprog)
		argv[k++] = xs_strdup("/bin/sh");
	for (size_t i = 0; i < nprog; i++)
		argv[k++] = xs_strdup(prog[i]);
	if (body) {
		_cleanup_free_ char *rel = xs_asprintf(STAGE "/script-%u", ++rr->serial);
		int r = xs_target_write(rr->rootfd, rel, body, strlen(body), 0700);
		if (r < 0) {
			for (size_t i = 0; i < k; i++)
				free(argv[i]);
			free(argv);
			free(stdin_path);
			r = xs_fail(log, -r, "cannot stage %s in the target: %s", label, strerror(-r));
			free(label);
			return r;
		}
		argv[k++] = xs_asprintf("/%s", rel);
		if (arg1 >= 0)
			argv[k++] = xs_asprintf("%d", arg1);
		if (arg2 >= 0)
			argv[k++] = xs_asprintf("%d", arg2);
	}
	struct xs_target_step *s = batch_add(&rr->b, label);
	s->argv = argv;
	s->envp = rr->env;
	s->stdin_path = stdin_path;
	s->may_fail = may_fail;
	return 0;
}

/* The scriptlet of TAG/PROGTAG in P, when it has one. */
static int add_tag_script(struct rpmrun *rr, const struct xs_pkg *p, uint32_t tag, uint32_t progtag,
			  const char *what, bool may_fail)
{
	const struct xs_rpmhdr *h = &xs_rpm(p)->hdr;
	const char *body = xs_rpmhdr_str(h, tag);
	size_t nprog = 0;
	_cleanup_free_ const char **prog = xs_rpmhdr_strv(h, progtag, &nprog);
	if (!body && !nprog)
		return 0;
	return add_script(rr, xs_asprintf("the %s scriptlet of %s", what, p->name), prog, nprog, body, 1, -1,
			  NULL, may_fail);
}

/* --- owners ----------------------------------------------------------- */

struct idmap {
	char **names;
	unsigned *ids;
	size_t n;
};

static void idmap_free(struct idmap *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->names[i]);
	free(m->names);
	free(m->ids);
	memset(m, 0, sizeof(*m));
}

/* name:x:ID:... lines of the target's passwd or group */
static void idmap_load(int rootfd, const char *rel, struct idmap *m)
{
	idmap_free(m);
	int fd = xs_target_open(rootfd, rel, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	struct xs_buf b = { 0 };
	char chunk[8192];
	ssize_t got;
	while ((got = read(fd, chunk, sizeof(chunk))) > 0)
		xs_buf_add(&b, chunk, got);
	close(fd);
	xs_buf_add(&b, "", 1);
	for (char *line = b.data, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		char *c1 = strchr(line, ':');
		char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		m->names = xs_realloc(m->names, (m->n + 1) * sizeof(*m->names));
		m->ids = xs_realloc(m->ids, (m->n + 1) * sizeof(*m->ids));
		m->names[m->n] = xs_strndup(line, c1 - line);
		m->ids[m->n++] = (unsigned)strtoul(c2 + 1, NULL, 10);
	}
	xs_buf_free(&b);
}

static bool idmap_find(const struct idmap *m, const char *name, unsigned *id)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->names[i], name)) {
			*id = m->ids[i];
			return true;
		}
	return false;
}

/* The owners of P's files that are not root, now that its %pre ran:
 * chown clears set-id bits and capabilities, so mode and caps follow. */
static int fix_owners(struct rpmrun *rr, const struct xs_pkg *p)
{
	struct xs_log *log = &rr->ctx->log;
	struct idmap users = { 0 }, groups = { 0 };
	idmap_load(rr->rootfd, "etc/passwd", &users);
	idmap_load(rr->rootfd, "etc/group", &groups);
	int r = 0;
	for (size_t i = 0; i < xs_rpm(p)->nfiles && !r; i++) {
		const struct xs_rpmfile *f = &xs_rpm(p)->files[i];
		if ((xs_rpm_is_root(f->user) && xs_rpm_is_root(f->group)) || (f->flags & XS_RPMFILE_GHOST))
			continue;
		unsigned uid = 0, gid = 0;
		if (!xs_rpm_is_root(f->user) && !idmap_find(&users, f->user, &uid))
			xs_warn(log, "%s: user %s does not exist - using root (for %s)", p->name, f->user, f->path);
		if (!xs_rpm_is_root(f->group) && !idmap_find(&groups, f->group, &gid))
			xs_warn(log, "%s: group %s does not exist - using root (for %s)", p->name, f->group, f->path);
		const char *rel = f->path + strspn(f->path, "/");
		const char *base;
		_cleanup_close_ int dfd = xs_target_parent(rr->rootfd, rel, false, &base);
		/* %pre (or a scriptlet before it) may have put a symlink there */
		int e = dfd < 0 ? dfd : xs_target_set_owner_mode(dfd, base, uid, gid, f->mode & 07777);
		if (e < 0) {
			r = xs_fail(log, -e, "%s: cannot give %s to %s:%s (mode %04o): %s", p->name, f->path,
				    f->user, f->group, f->mode & 07777, strerror(-e));
			break;
		}
		if (!r && f->caps && *f->caps && (r = xs_rpm_set_caps(rr->rootfd, rel, f->caps)) < 0)
			r = xs_fail(log, -r, "%s: cannot set capabilities \"%s\" on %s: %s", p->name, f->caps,
				    f->path, strerror(-r));
	}
	idmap_free(&users);
	idmap_free(&groups);
	return r;
}

static bool needs_fixup(const struct xs_pkg *p)
{
	for (size_t i = 0; i < xs_rpm(p)->nfiles; i++)
		if (!xs_rpm_is_root(xs_rpm(p)->files[i].user) || !xs_rpm_is_root(xs_rpm(p)->files[i].group))
			return true;
	return false;
}

/* --- triggers --------------------------------------------------------- */

static bool version_matches(Pool *pool, const char *evr, uint32_t flags, const char *want)
{
	if (!(flags & (SENSE_LESS | SENSE_GREATER | SENSE_EQUAL)) || !want || !*want)
		return true;
	int c = pool_evrcmp_str(pool, evr, want, EVRCMP_MATCH_RELEASE);
	return (c < 0 && (flags & SENSE_LESS)) || (c == 0 && (flags & SENSE_EQUAL)) ||
	       (c > 0 && (flags & SENSE_GREATER));
}

/* OWNER's %triggerin scripts that TARGET (by name and version) sets off. */
static int add_triggers(struct rpmrun *rr, Pool *pool, const struct xs_pkg *owner, const struct xs_pkg *target)
{
	const struct xs_rpmhdr *h = &xs_rpm(owner)->hdr;
	size_t nn = 0, nv = 0, ns = 0, np = 0;
	_cleanup_free_ const char **names = xs_rpmhdr_strv(h, XS_RPMTAG_TRIGGERNAME, &nn);
	if (!nn)
		return 0;
	_cleanup_free_ const char **vers = xs_rpmhdr_strv(h, XS_RPMTAG_TRIGGERVERSION, &nv);
	_cleanup_free_ const char **scripts = xs_rpmhdr_strv(h, XS_RPMTAG_TRIGGERSCRIPTS, &ns);
	_cleanup_free_ const char **progs = xs_rpmhdr_strv(h, XS_RPMTAG_TRIGGERSCRIPTPROG, &np);
	/* rpm runs each matching script once, however many conditions match */
	_cleanup_free_ bool *done = xs_calloc(ns ? ns : 1, sizeof(*done));
	for (size_t i = 0; i < nn; i++) {
		uint32_t flags = (uint32_t)xs_rpmhdr_int(h, XS_RPMTAG_TRIGGERFLAGS, i, 0);
		size_t idx = (size_t)xs_rpmhdr_int(h, XS_RPMTAG_TRIGGERINDEX, i, i);
		if (!(flags & XS_RPMSENSE_TRIGGERIN) || strcmp(names[i], target->name) || idx >= ns || done[idx])
			continue;
		if (!version_matches(pool, target->version, flags, i < nv ? vers[i] : NULL))
			continue;
		done[idx] = true;
		const char *prog = idx < np ? progs[idx] : "/bin/sh";
		int r = add_script(rr, xs_asprintf("the %%triggerin scriptlet of %s (on %s)", owner->name, target->name),
				   &prog, 1, scripts[idx], 1, 1, NULL, true);
		if (r < 0)
			return r;
	}
	return 0;
}

/* File triggers: a script of OWNER runs once with the paths under its
 * prefixes on stdin, highest priority first. %transfiletriggerin sees the
 * whole transaction after %posttrans; %filetriggerin runs after each
 * package's %post, for the files of that package (and, when the package
 * with the trigger is the one just installed, for those before it). */
struct ftags {
	uint32_t scripts, prog, name, index, flags, prio;
	const char *what;
};

static const struct ftags trans_ftags = {
	XS_RPMTAG_TRANSFILETRIGGERSCRIPTS, XS_RPMTAG_TRANSFILETRIGGERSCRIPTPROG, XS_RPMTAG_TRANSFILETRIGGERNAME,
	XS_RPMTAG_TRANSFILETRIGGERINDEX,   XS_RPMTAG_TRANSFILETRIGGERFLAGS,	   XS_RPMTAG_TRANSFILETRIGGERPRIORITIES,
	"%transfiletriggerin",
};
static const struct ftags pkg_ftags = {
	XS_RPMTAG_FILETRIGGERSCRIPTS, XS_RPMTAG_FILETRIGGERSCRIPTPROG, XS_RPMTAG_FILETRIGGERNAME,
	XS_RPMTAG_FILETRIGGERINDEX,   XS_RPMTAG_FILETRIGGERFLAGS,      XS_RPMTAG_FILETRIGGERPRIORITIES,
	"%filetriggerin",
};

struct ftrig {
	const struct xs_pkg *p;
	size_t idx;
	long prio;
	size_t order;
	size_t from, to; /* the packages whose files it sees: txn->v[from..to) */
};

static int cmp_ftrig(const void *a, const void *b)
{
	const struct ftrig *x = a, *y = b;
	if (x->prio != y->prio)
		return x->prio > y->prio ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static void ftrig_add(struct ftrig **v, size_t *n, const struct ftags *t, const struct xs_pkg *p, size_t from,
		      size_t to)
{
	size_t ns = xs_rpmhdr_count(&xs_rpm(p)->hdr, t->scripts);
	for (size_t k = 0; k < ns; k++) {
		*v = xs_realloc(*v, (*n + 1) * sizeof(**v));
		(*v)[*n] = (struct ftrig){ p, k, (long)(int32_t)xs_rpmhdr_int(&xs_rpm(p)->hdr, t->prio, k, 1000000), *n,
					   from, to };
		(*n)++;
	}
}

static int ftrig_run(struct rpmrun *rr, const struct ftags *t, struct ftrig *v, size_t n)
{
	const struct xs_txn *txn = rr->txn;
	if (n)
		qsort(v, n, sizeof(*v), cmp_ftrig);
	int r = 0;
	for (size_t i = 0; i < n && !r; i++) {
		const struct xs_rpmhdr *h = &xs_rpm(v[i].p)->hdr;
		size_t nn = 0, ns = 0, np = 0;
		_cleanup_free_ const char **names = xs_rpmhdr_strv(h, t->name, &nn);
		_cleanup_free_ const char **scripts = xs_rpmhdr_strv(h, t->scripts, &ns);
		_cleanup_free_ const char **progs = xs_rpmhdr_strv(h, t->prog, &np);
		struct xs_buf list = { 0 };
		for (size_t q = v[i].from; q < v[i].to; q++) {
			const struct xs_rpminfo *ri = xs_rpm(&txn->v[q]);
			for (size_t f = 0; f < ri->nfiles; f++)
				for (size_t k = 0; k < nn; k++) {
					uint32_t fl = (uint32_t)xs_rpmhdr_int(h, t->flags, k, 0);
					if ((size_t)xs_rpmhdr_int(h, t->index, k, k) == v[i].idx &&
					    (fl & XS_RPMSENSE_TRIGGERIN) && xs_str_startswith(ri->files[f].path, names[k])) {
						xs_buf_add(&list, ri->files[f].path, strlen(ri->files[f].path));
						xs_buf_add(&list, "\n", 1);
						break;
					}
				}
		}
		if (list.len && v[i].idx < ns) {
			_cleanup_free_ char *rel = xs_asprintf(STAGE "/files-%u", ++rr->serial);
			r = xs_target_write(rr->rootfd, rel, list.data, list.len, 0600);
			const char *prog = v[i].idx < np ? progs[v[i].idx] : "/bin/sh";
			if (!r)
				r = add_script(rr, xs_asprintf("the %s scriptlet of %s", t->what, v[i].p->name), &prog, 1,
					       scripts[v[i].idx], 1, -1, xs_asprintf("/%s", rel), true);
		}
		xs_buf_free(&list);
	}
	free(v);
	return r;
}

static int add_trans_file_triggers(struct rpmrun *rr)
{
	struct ftrig *v = NULL;
	size_t n = 0;
	for (size_t i = 0; i < rr->txn->n; i++)
		ftrig_add(&v, &n, &trans_ftags, &rr->txn->v[i], 0, rr->txn->n);
	return ftrig_run(rr, &trans_ftags, v, n);
}

/* After package I's %post: the installed packages' %filetriggerin on its
 * files, and its own on the files of the packages before it. */
static int add_pkg_file_triggers(struct rpmrun *rr, size_t i)
{
	struct ftrig *v = NULL;
	size_t n = 0;
	for (size_t k = 0; k < i; k++)
		ftrig_add(&v, &n, &pkg_ftags, &rr->txn->v[k], i, i + 1);
	ftrig_add(&v, &n, &pkg_ftags, &rr->txn->v[i], 0, i + 1);
	return ftrig_run(rr, &pkg_ftags, v, n);
}

/* --- the rpmdb -------------------------------------------------------- */

static bool target_has(int rootfd, const char *rel)
{
	int fd = xs_target_open(rootfd, rel, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* The keys that signed the packages go into the rpmdb as gpg-pubkey
 * entries, as dnf imports them, so the guest's own dnf trusts them. */
static int import_keys(struct rpmrun *rr)
{
	struct xs_ctx *ctx = rr->ctx;
	struct xs_rpm_keys keys = { 0 };
	int r = xs_rpm_signing_keys(ctx, rr->txn, true, &keys);
	for (size_t i = 0; i < keys.n && !r; i++) {
		const char *fpr = keys.fprs.v[i];
		_cleanup_free_ char *rel = xs_asprintf(STAGE "/key-%zu.asc", i + 1);
		if ((r = xs_target_write(rr->rootfd, rel, keys.v[i].data, keys.v[i].len, 0644)) < 0) {
			r = xs_fail(&ctx->log, -r, "cannot stage key %s in the target: %s", fpr, strerror(-r));
			break;
		}
		char **argv = xs_calloc(4, sizeof(*argv));
		argv[0] = xs_strdup("/usr/bin/rpm");
		argv[1] = xs_strdup("--import");
		argv[2] = xs_asprintf("/%s", rel);
		struct xs_target_step *s = batch_add(&rr->b, xs_asprintf("rpm --import of key %s in the target", fpr));
		s->argv = argv;
		s->envp = rr->env;
		s->may_fail = true; /* the root works without; its dnf would ask */
	}
	xs_rpm_keys_free(&keys);
	return r;
}

/* /dev as the filesystem package left it, as dnf --installroot leaves it:
 * the nodes made for the scriptlets go again, unless a package owns them.
 * The cleanup stage calls it, after the customize hooks, whose x.run
 * and x.purge (rpm -e, with %preun scriptlets) need them as much. */
void xs_rpm_remove_dev(struct xs_ctx *ctx, int rootfd, const struct xs_txn *txn)
{
	(void)ctx;
	static const char *const names[] = { "null", "zero", "full", "random", "urandom", "tty", "console",
					     "ptmx", "fd", "stdin", "stdout", "stderr", "pts", "shm" };
	_cleanup_close_ int dev = xs_target_open(rootfd, "dev", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dev < 0)
		return;
	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		_cleanup_free_ char *path = xs_asprintf("/dev/%s", names[k]);
		bool owned = false;
		for (size_t i = 0; txn && i < txn->n && !owned; i++)
			for (size_t f = 0; xs_rpm(&txn->v[i]) && f < xs_rpm(&txn->v[i])->nfiles && !owned; f++)
				owned = !strcmp(xs_rpm(&txn->v[i])->files[f].path, path);
		if (owned)
			continue;
		if (unlinkat(dev, names[k], 0) < 0 && errno == EISDIR)
			unlinkat(dev, names[k], AT_REMOVEDIR);
	}
}

/* rpm -e of NAMES by the target's own rpm: its database, its %preun and
 * %postun scriptlets and triggers, its refusal when an installed package
 * still requires one of them. */
int xs_rpm_erase(struct xs_ctx *ctx, int rootfd, const struct xs_strlist *names)
{
	if (!names->n)
		return 0;
	if (!target_has(rootfd, "usr/bin/rpm"))
		return xs_fail(&ctx->log, ENOENT, "cannot remove %s: the target has no /usr/bin/rpm", names->v[0]);
	char **argv = xs_calloc(names->n + 3, sizeof(*argv));
	argv[0] = "/usr/bin/rpm";
	argv[1] = "-e";
	for (size_t i = 0; i < names->n; i++)
		argv[i + 2] = names->v[i];
	char **env = xs_env_new(xs_rpm_env);
	int status = 0;
	int r = xs_target_run(&ctx->log, ctx->o.target, argv, env, -1, &status);
	xs_env_free(env);
	free(argv);
	if (!r && status)
		r = xs_fail(&ctx->log, EIO, "rpm -e in the target failed (exit status %d)", status);
	return r;
}

static int register_db(struct rpmrun *rr)
{
	struct xs_log *log = &rr->ctx->log;
	const struct xs_txn *txn = rr->txn;
	if (!target_has(rr->rootfd, "usr/bin/rpm"))
		return xs_rpmdb_write_own(rr->ctx, rr->rootfd, txn);
	/* no --dbpath: the target's rpm knows where its database lives
	 * (/var/lib/rpm, /usr/lib/sysimage/rpm) and in which format */
	char **argv = xs_calloc(txn->n + 20, sizeof(*argv));
	size_t k = 0;
	static const char *const fixed[] = { "/usr/bin/rpm", "-i", "--justdb", "--nodeps",
					     "--noscripts", "--notriggers", "--nosignature", "--nodigest",
					     "--ignorearch", "--ignoreos", "--ignoresize", "--replacepkgs",
					     "--replacefiles" };
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		argv[k++] = xs_strdup(fixed[i]);
	int r = 0;
	for (size_t i = 0; i < txn->n && !r; i++) {
		/* header only: rpm --justdb never reads the payload */
		const struct xs_rpminfo *ri = xs_rpm(&txn->v[i]);
		_cleanup_free_ char *rel = xs_asprintf(STAGE "/db/%04zu.rpm", i);
		struct xs_buf stub = { 0 };
		xs_buf_add(&stub, ri->sigblob, ri->siglen);
		xs_buf_add(&stub, ri->hdrblob, ri->hdr.len);
		r = xs_target_write(rr->rootfd, rel, stub.data, stub.len, 0600);
		xs_buf_free(&stub);
		if (r < 0)
			r = xs_fail(log, -r, "cannot stage headers in %s/%s: %s", rr->ctx->o.target, STAGE, strerror(-r));
		argv[k++] = xs_asprintf("/%s", rel);
	}
	if (!r) {
		struct xs_target_step *s = batch_add(&rr->b, xs_strdup("rpm --justdb in the target"));
		s->argv = argv;
		s->envp = rr->env;
		if ((r = import_keys(rr)) < 0)
			return r;
		return run_batch(rr);
	}
	for (size_t i = 0; i < k; i++)
		free(argv[i]);
	free(argv);
	return r;
}

int xs_configure_rpm(struct xs_ctx *ctx, int rootfd, const struct xs_txn *txn)
{
	struct xs_log *log = &ctx->log;
	int r;
	if ((r = xs_setup_dev(log, rootfd)) < 0)
		return r;
	_cleanup_close_ int logfd = xs_script_log_open(log);
	if (logfd < 0)
		return logfd;
	struct rpmrun rr = { .ctx = ctx, .rootfd = rootfd, .txn = txn,
			     .logfd = ctx->log.level >= XS_VERBOSE ? -1 : logfd };
	/* /var/tmp as rpm makes it when no package did (0755), the staging
	 * directory below it private */
	if ((r = xs_target_mkdir_p(rootfd, "var/tmp", 0755)) < 0 ||
	    (r = xs_target_mkdir_p(rootfd, STAGE, 0700)) < 0)
		return xs_fail(log, -r, "cannot create /%s in the target: %s", STAGE, strerror(-r));
	rr.env = xs_env_new(xs_rpm_env);
	Pool *pool = pool_create();
	pool_setdisttype(pool, DISTTYPE_RPM);
	xs_info(log, "Configuring %zu packages", txn->n);
	/* every %pretrans first */
	for (size_t i = 0; i < txn->n && !r; i++)
		r = add_tag_script(&rr, &txn->v[i], XS_RPMTAG_PRETRANS, XS_RPMTAG_PRETRANSPROG, "%pretrans", true);
	if (!r)
		r = run_batch(&rr);
	if (!r)
		r = register_db(&rr);
	for (size_t i = 0; i < txn->n && !r; i++) {
		const struct xs_pkg *p = &txn->v[i];
		r = add_tag_script(&rr, p, XS_RPMTAG_PREIN, XS_RPMTAG_PREINPROG, "%pre", false);
		if (!r && needs_fixup(p)) {
			/* the owners may be the ones %pre just created */
			if (!(r = run_batch(&rr)))
				r = fix_owners(&rr, p);
		}
		if (!r)
			r = add_tag_script(&rr, p, XS_RPMTAG_POSTIN, XS_RPMTAG_POSTINPROG, "%post", true);
		/* triggers set off by P (its own included), then P's on those before it */
		for (size_t k = 0; k <= i && !r; k++)
			r = add_triggers(&rr, pool, &txn->v[k], p);
		for (size_t k = 0; k < i && !r; k++)
			r = add_triggers(&rr, pool, p, &txn->v[k]);
		if (!r)
			r = add_pkg_file_triggers(&rr, i);
	}
	for (size_t i = 0; i < txn->n && !r; i++)
		r = add_tag_script(&rr, &txn->v[i], XS_RPMTAG_POSTTRANS, XS_RPMTAG_POSTTRANSPROG, "%posttrans", true);
	if (!r)
		r = add_trans_file_triggers(&rr);
	if (!r)
		r = run_batch(&rr);
	batch_free(&rr.b);
	xs_env_free(rr.env);
	pool_free(pool);
	xs_debug(log, "ran %zu steps in the target", rr.nsteps);
	/* through the root fd: a symlink in the target never leads this out */
	const char *base;
	_cleanup_close_ int dfd = xs_target_parent(rootfd, STAGE, false, &base);
	if (dfd >= 0)
		xs_rm_rf_at(dfd, base);
	return r;
}
