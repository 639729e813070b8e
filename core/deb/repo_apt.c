/* repo_apt.c - Debian archives: verified Release files and Packages indices into libsolv. */
#include "repo_apt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <solv/pool.h>
#include <solv/repo.h>
#include <solv/repo_deb.h>
#include <solv/repo_solv.h>
#include <solv/repo_write.h>
#include <solv/solv_xfopen.h>

#include "cache.h"
#include "pkg_deb.h"
#include "fetch.h"
#include "verify.h"

int xs_key_priority(void *pool) { return pool_str2id(pool, "xstrap:priority", 1); }
int xs_key_section(void *pool) { return pool_str2id(pool, "xstrap:section", 1); }
int xs_key_essential(void *pool) { return pool_str2id(pool, "xstrap:essential", 1); }
int xs_key_stanza_off(void *pool) { return pool_str2id(pool, "xstrap:stanza_off", 1); }
int xs_key_stanza_len(void *pool) { return pool_str2id(pool, "xstrap:stanza_len", 1); }

time_t xs_release_time(const char *s)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	const char *p = strptime(s, "%a, %d %b %Y %H:%M:%S", &tm);
	if (!p)
		p = strptime(s, "%d %b %Y %H:%M:%S", &tm);
	if (!p)
		return 0;
	p += strspn(p, " ");
	if (*p && strcmp(p, "UTC") && strcmp(p, "GMT") && strcmp(p, "+0000") && strcmp(p, "Z"))
		return 0; /* archives always use UTC; anything else is not understood */
	return timegm(&tm);
}

void xs_release_free(struct xs_release *rel)
{
	free(rel->suite);
	free(rel->codename);
	xs_strlist_free(&rel->architectures);
	xs_strlist_free(&rel->components);
	for (size_t i = 0; i < rel->nfiles; i++)
		free(rel->files[i].path);
	free(rel->files);
	memset(rel, 0, sizeof(*rel));
}

const struct xs_release_file *xs_release_find(const struct xs_release *rel, const char *path)
{
	for (size_t i = 0; i < rel->nfiles; i++)
		if (!strcmp(rel->files[i].path, path))
			return &rel->files[i];
	return NULL;
}

int xs_release_parse(const char *text, struct xs_release *rel, const char *name,
		     struct xs_log *log)
{
	memset(rel, 0, sizeof(*rel));
	bool in_sha256 = false;
	size_t cap = 0;
	int lineno = 0;
	for (const char *p = text; p && *p;) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		_cleanup_free_ char *line = xs_strndup(p, len);
		p = eol ? eol + 1 : NULL;
		lineno++;
		if (line[0] == ' ' || line[0] == '\t') {
			if (!in_sha256)
				continue;
			char hex[80], path[4096];
			unsigned long long size;
			if (sscanf(line, " %79s %llu %4095s", hex, &size, path) != 3 || strlen(hex) != 64) {
				xs_release_free(rel);
				return xs_fail(log, EBADMSG,
					       "%s: line %d: expected \" SHA256 SIZE PATH\" in the SHA256 list, found \"%s\"",
					       name, lineno, line);
			}
			if (rel->nfiles == cap) {
				cap = cap ? cap * 2 : 64;
				rel->files = xs_realloc(rel->files, cap * sizeof(*rel->files));
			}
			struct xs_release_file *f = &rel->files[rel->nfiles++];
			f->path = xs_strdup(path);
			f->size = size;
			memcpy(f->sha256, hex, 65);
			continue;
		}
		in_sha256 = false;
		char *colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = 0;
		char *val = colon + 1;
		val += strspn(val, " \t");
		/* the fields that say which release this is, once each: a
		 * second one would make the answer depend on which one is read */
		if ((!strcmp(line, "Suite") && rel->suite) || (!strcmp(line, "Codename") && rel->codename) ||
		    (!strcmp(line, "Date") && rel->date) || (!strcmp(line, "Valid-Until") && rel->valid_until)) {
			xs_release_free(rel);
			return xs_fail(log, EBADMSG, "%s: line %d: a second %s field (expected one); refusing the release",
				       name, lineno, line);
		}
		if (!strcmp(line, "SHA256"))
			in_sha256 = true;
		else if (!strcmp(line, "Suite"))
			rel->suite = xs_strdup(val);
		else if (!strcmp(line, "Codename"))
			rel->codename = xs_strdup(val);
		else if (!strcmp(line, "Architectures"))
			xs_strlist_add_split(&rel->architectures, val);
		else if (!strcmp(line, "Acquire-By-Hash"))
			rel->by_hash = !strcmp(val, "yes");
		else if (!strcmp(line, "NotAutomatic"))
			rel->not_automatic = !strcmp(val, "yes");
		else if (!strcmp(line, "ButAutomaticUpgrades"))
			rel->but_automatic_upgrades = !strcmp(val, "yes");
		else if (!strcmp(line, "Components"))
			xs_strlist_add_split(&rel->components, val);
		else if (!strcmp(line, "Date") || !strcmp(line, "Valid-Until")) {
			time_t t = xs_release_time(val);
			if (!t) {
				xs_release_free(rel);
				return xs_fail(log, EBADMSG, "%s: %s: expected a date like \"Sat, 10 Jun 2023 09:21:21 UTC\", found \"%s\"",
					       name, line, val);
			}
			if (line[0] == 'D')
				rel->date = t;
			else
				rel->valid_until = t;
		}
	}
	if (!rel->nfiles) {
		xs_release_free(rel);
		return xs_fail(log, EBADMSG, "%s: expected a SHA256 list of indices, found none", name);
	}
	return 0;
}

static void source_free(struct xs_apt_source *src)
{
	free(src->uri);
	free(src->suite);
	free(src->origin);
	free(src->signed_by);
	xs_strlist_free(&src->components);
	xs_strlist_free(&src->keyrings);
	xs_strlist_free(&src->names);
	xs_strlist_free(&src->signers);
	xs_release_free(&src->rel);
}

void xs_apt_free(struct xs_apt *apt)
{
	for (size_t i = 0; i < apt->nsrc; i++)
		source_free(&apt->src[i]);
	free(apt->src);
	for (size_t i = 0; i < apt->nidx; i++) {
		free(apt->idx[i].component);
		free(apt->idx[i].text_path);
		if (apt->idx[i].text_fd >= 0)
			close(apt->idx[i].text_fd);
	}
	free(apt->idx);
	memset(apt, 0, sizeof(*apt));
}

struct xs_apt_source *xs_apt_add_source(struct xs_apt *apt, const char *uri, const char *suite,
					const struct xs_strlist *components,
					const struct xs_strlist *keyrings, const char *origin)
{
	apt->src = xs_realloc(apt->src, (apt->nsrc + 1) * sizeof(*apt->src));
	struct xs_apt_source *src = &apt->src[apt->nsrc++];
	memset(src, 0, sizeof(*src));
	size_t ul = strlen(uri);
	while (ul > 1 && uri[ul - 1] == '/')
		ul--;
	src->uri = xs_strndup(uri, ul);
	src->suite = xs_strdup(suite);
	src->origin = xs_strdup(origin);
	for (size_t i = 0; components && i < components->n; i++)
		xs_strlist_add(&src->components, components->v[i]);
	for (size_t i = 0; keyrings && i < keyrings->n; i++)
		xs_strlist_add(&src->keyrings, keyrings->v[i]);
	return src;
}

const struct xs_apt_source *xs_apt_source_of(const struct xs_apt *apt, const void *repo)
{
	for (size_t i = 0; i < apt->nidx; i++)
		if (apt->idx[i].repo == repo)
			return &apt->src[apt->idx[i].source];
	return NULL;
}

/* Puts "ORIGIN: " before the error the verifier recorded, so the user
 * learns which source failed. */
static void name_source_in_error(struct xs_log *log, const struct xs_apt_source *src)
{
	if (!log->err[0])
		return;
	_cleanup_free_ char *msg =
		src->keyrings.n ? xs_asprintf("%s, verified with %s only: %s", src->origin, src->keyrings.v[0], log->err)
				: xs_asprintf("%s: %s", src->origin, log->err);
	snprintf(log->err, sizeof(log->err), "%s", msg);
}

/* InRelease, or Release + Release.gpg of SRC; the verified text lands in
 * *text. SRC's own keys, else the suite's. */
static int fetch_release(struct xs_ctx *ctx, const struct xs_apt_source *src, const char *base,
			 struct xs_buf *text)
{
	struct xs_log *log = &ctx->log;
	struct xs_verifier *v = NULL;
	struct xs_buf inrel = { 0 }, rel = { 0 }, sig = { 0 };
	_cleanup_free_ char *u_in = xs_asprintf("%s/InRelease", base);
	_cleanup_free_ char *u_rel = xs_asprintf("%s/Release", base);
	_cleanup_free_ char *u_sig = xs_asprintf("%s/Release.gpg", base);
	const struct xs_strlist *keys = src->keyrings.n ? &src->keyrings : &ctx->o.keyrings;
	int r;

	if (!ctx->o.no_verify && (r = xs_verifier_new(&v, keys, log)) < 0) {
		name_source_in_error(log, src);
		goto out;
	}
	if (v)
		xs_verifier_pin(v, &src->signers);
	struct xs_transfer t = { .url = u_in, .mem = &inrel, .missing_ok = true };
	r = xs_fetch_one(log, &t);
	if (r == 0) {
		if (v)
			r = xs_verify_clearsigned(v, u_in, inrel.data, inrel.len, text, log);
		else {
			/* --no-verify: strip the armour without judging it. */
			const char *b = strstr(inrel.data, "\n\n");
			const char *e = strstr(inrel.data, "\n-----BEGIN PGP SIGNATURE");
			if (b && e && e > b)
				xs_buf_add(text, b + 2, e - b - 1);
			else
				xs_buf_add(text, inrel.data, inrel.len);
		}
		goto verified;
	}
	if (r != -ENOENT)
		goto out;
	struct xs_transfer t2 = { .url = u_rel, .mem = &rel, .missing_ok = true };
	r = xs_fetch_one(log, &t2);
	if (r == -ENOENT) {
		r = xs_fail(log, ENOENT, "%s: suite \"%s\" not found: neither %s nor %s exists (is the suite name right? is %s a Debian archive?)",
			    src->origin, src->suite, u_in, u_rel, src->uri);
		goto out;
	}
	if (r)
		goto out;
	if (v) {
		struct xs_transfer t3 = { .url = u_sig, .mem = &sig, .missing_ok = true };
		r = xs_fetch_one(log, &t3);
		if (r == -ENOENT)
			r = xs_fail(log, EBADMSG, "%s: the Release file is not signed (no InRelease, no Release.gpg); refusing it (--no-verify skips this check)",
				    u_rel);
		if (r)
			goto out;
		r = xs_verify_detached(v, u_sig, rel.data, rel.len, sig.data, sig.len, log);
	}
	if (!r)
		xs_buf_add(text, rel.data, rel.len);
verified:
	if (r)
		name_source_in_error(log, src);
out:
	xs_verifier_free(v);
	xs_buf_free(&inrel);
	xs_buf_free(&rel);
	xs_buf_free(&sig);
	return r;
}

/* The extra fields libsolv's deb parser does not keep. The k-th stanza
 * with a Package field became the k-th solvable of the repo. */
static int add_extra_keys(Repo *repo, Repodata *data, const char *text, size_t len,
			  const char *name, struct xs_log *log)
{
	Pool *pool = repo->pool;
	Id kprio = xs_key_priority(pool), ksect = xs_key_section(pool);
	Id kess = xs_key_essential(pool), koff = xs_key_stanza_off(pool), klen = xs_key_stanza_len(pool);
	Id p = repo->start;
	const char *s = text, *end = text + len;
	size_t dropped = 0;
	while (s < end) {
		/* TEXT is a read-only mapping of the file: what was read leaves
		 * memory as it goes, so a 50 MB index never sits in it whole */
		size_t done = (size_t)(s - text) & ~(size_t)((8u << 20) - 1);
		if (done > dropped) {
			madvise((char *)text + dropped, done - dropped, MADV_DONTNEED);
			dropped = done;
		}
		const char *e = s;
		/* a stanza ends at an empty line */
		for (;;) {
			const char *nl = memchr(e, '\n', end - e);
			if (!nl) {
				e = end;
				break;
			}
			e = nl + 1;
			if (e >= end || *e == '\n')
				break;
		}
		const char *pkgname = NULL;
		size_t pkglen = 0;
		for (const char *l = s; l < e;) {
			const char *nl = memchr(l, '\n', e - l);
			size_t ll = nl ? (size_t)(nl - l) : (size_t)(e - l);
#define FIELD(f) (ll > sizeof(f) - 1 && !strncmp(l, f, sizeof(f) - 1))
#define VALUE(f) (l + sizeof(f) - 1 + strspn(l + sizeof(f) - 1, " \t"))
			if (FIELD("Package:")) {
				pkgname = VALUE("Package:");
				pkglen = l + ll - pkgname;
			}
			l += ll + 1;
		}
		if (pkgname) {
			for (; p < repo->end && pool->solvables[p].repo != repo; p++)
				;
			Solvable *sv = p < repo->end ? pool->solvables + p : NULL;
			const char *sn = sv ? pool_id2str(pool, sv->name) : "";
			if (!sv || strlen(sn) != pkglen || strncmp(sn, pkgname, pkglen))
				return xs_fail(log, EBADMSG, "%s: stanza for \"%.*s\" at byte %zu does not line up with the parsed index",
					       name, (int)pkglen, pkgname, (size_t)(s - text));
			for (const char *l = s; l < e;) {
				const char *nl = memchr(l, '\n', e - l);
				size_t ll = nl ? (size_t)(nl - l) : (size_t)(e - l);
				_cleanup_free_ char *v = NULL;
				if (FIELD("Priority:")) {
					v = xs_strndup(VALUE("Priority:"), l + ll - VALUE("Priority:"));
					repodata_set_poolstr(data, p, kprio, v);
				} else if (FIELD("Section:")) {
					v = xs_strndup(VALUE("Section:"), l + ll - VALUE("Section:"));
					repodata_set_poolstr(data, p, ksect, v);
				} else if (FIELD("Essential:")) {
					if (!strncmp(VALUE("Essential:"), "yes", 3))
						repodata_set_void(data, p, kess);
				} else if (FIELD("Size:")) {
					repodata_set_num(data, p, SOLVABLE_DOWNLOADSIZE,
							 strtoull(VALUE("Size:"), NULL, 10));
				}
				l += ll + 1;
			}
#undef FIELD
#undef VALUE
			repodata_set_num(data, p, koff, s - text);
			repodata_set_num(data, p, klen, e - s);
			p++;
		}
		s = e;
		while (s < end && *s == '\n')
			s++;
	}
	return 0;
}

/* libsolv 0.7.23's Packages parser copies a stanza's first checksum into a
 * buffer sized for SHA256: a SHA384 or SHA512 field before any other
 * checksum overflows it (found by tests/fuzz/fuzz_packages). xstrap reads
 * only SHA256, so libsolv gets a copy where those fields' tags are renamed
 * (same length, so stanza offsets stay true). Tags compare as libsolv's
 * do, without case, at the start of a line. Returns TEXT or the copy. */
static const char *hide_long_checksums(const char *text, size_t len, char **copy)
{
	*copy = NULL;
	for (const char *l = text, *end = text + len; l < end;) {
		const char *nl = memchr(l, '\n', end - l);
		size_t ll = nl ? (size_t)(nl - l) : (size_t)(end - l);
		if (ll >= 7 && (!strncasecmp(l, "SHA384:", 7) || !strncasecmp(l, "SHA512:", 7))) {
			if (!*copy) {
				*copy = xs_malloc(len);
				memcpy(*copy, text, len);
			}
			(*copy)[l - text] = 'X';
		}
		l += ll + 1;
	}
	return *copy ? *copy : text;
}

int xs_apt_add_packages(void *repo, const char *text, size_t len, const char *name, struct xs_log *log)
{
	Repo *rp = repo;
	if (!len)
		return 0;
	/* text has no NUL: libsolv's C-string scanning then sees the lines
	 * hide_long_checksums sees (a NUL let a SHA384 line through) */
	const char *nul = memchr(text, 0, len);
	if (nul)
		return xs_fail(log, EBADMSG, "%s: a NUL byte at offset %zu; a Packages index is text; refusing it", name,
			       (size_t)(nul - text));
	_cleanup_free_ char *copy = NULL;
	FILE *m = fmemopen((void *)hide_long_checksums(text, len, &copy), len, "r");
	if (!m)
		return xs_fail(log, errno, "%s: %s", name, strerror(errno));
	repo_add_debpackages(rp, m, REPO_NO_INTERNALIZE);
	fclose(m);
	Repodata *data = repo_last_repodata(rp);
	int r = add_extra_keys(rp, data, text, len, name, log);
	repodata_internalize(data);
	return r;
}

/* The index as a user knows it, for messages: "fixture main/binary-amd64/Packages.xz". */
static char *index_name(const struct xs_apt_source *src, const struct xs_release_file *rf)
{
	return xs_asprintf("%s %s", src->suite, rf->path);
}

/* Puts the index, as the user knows it, before the error the fetch
 * recorded (which names only the URL, a by-hash one perhaps). */
static void name_index_in_error(struct xs_log *log, const struct xs_apt_source *src, const struct xs_index *ix,
				const struct xs_release_file *rf, const char *arch, bool by_hash)
{
	if (!log->err[0])
		return;
	_cleanup_free_ char *name = index_name(src, rf);
	_cleanup_free_ char *msg = xs_asprintf("index %s (component %s, architecture %s%s): %s", name, ix->component,
					       arch, by_hash ? ", fetched by hash" : "", log->err);
	snprintf(log->err, sizeof(log->err), "%s", msg);
}

/* Opens the regular file PATH (never through a symlink) and hashes it;
 * returns the fd, or -errno. */
static int open_hashed(const char *path, char hex[XS_SHA256_HEX])
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EBADMSG;
	}
	int r = xs_sha256_fd(fd, hex);
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

/* Decompresses the verified index RAW_FD (named RAW, for its compression)
 * into a new file that becomes TEXT, in bounded memory, hashing what it
 * writes into HEX. Returns the new file's fd (the descriptor every later
 * read of the text uses), or -errno with the message in LOG. */
static int decompress_to(int raw_fd, const char *raw, const char *text, char hex[XS_SHA256_HEX], struct xs_log *log)
{
	_cleanup_free_ char *tmp = xs_asprintf("%s.tmp.%d", text, getpid());
	unlink(tmp);
	int out = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (out < 0)
		return xs_fail(log, errno, "%s: cannot create: %s", tmp, strerror(errno));
	int in_fd = lseek(raw_fd, 0, SEEK_SET) == 0 ? dup(raw_fd) : -1;
	FILE *in = in_fd < 0 ? NULL : solv_xfopen_fd(raw, in_fd, "r");
	if (!in) {
		if (in_fd >= 0)
			close(in_fd);
		close(out);
		unlink(tmp);
		return xs_fail(log, EIO, "%s: cannot open the index: %s", raw, strerror(errno));
	}
	struct xs_digest *d = xs_digest_new_sha256();
	char chunk[1 << 16];
	size_t n, len = 0;
	bool bad = false;
	while (!bad && (n = fread(chunk, 1, sizeof(chunk), in)) > 0) {
		bad = xs_write_all(out, chunk, n) < 0;
		xs_digest_add(d, chunk, n);
		len += n;
	}
	bad |= ferror(in) != 0;
	fclose(in);
	xs_digest_final(d, hex);
	if (bad || !len || rename(tmp, text) < 0) {
		close(out);
		unlink(tmp);
		return xs_fail(log, EBADMSG, "%s: cannot decompress the index into %s", raw, text);
	}
	return out;
}

/* Maps the file FD read-only; *len its size. */
static const char *map_text(int fd, size_t *len)
{
	struct stat st;
	if (fstat(fd, &st) < 0 || !st.st_size)
		return NULL;
	void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED)
		return NULL;
	*len = (size_t)st.st_size;
	return m;
}

/* The cached text and parsed pool of index RF, when both are the ones
 * the signed Release names (PLAIN: its entry for the uncompressed
 * Packages): the text is hashed whole, the pool checked against its sum.
 * 1 loaded, 0 not (fetch and parse). */
static int load_cached_index(struct xs_ctx *ctx, const struct xs_apt_source *src, struct xs_index *ix,
			     const struct xs_release_file *plain, const char *solv)
{
	char have[XS_SHA256_HEX];
	int fd = open_hashed(ix->text_path, have);
	if (fd == -ENOENT)
		return 0;
	if (fd >= 0 && !strcmp(have, plain->sha256)) {
		if (xs_solv_load(ix->repo, solv, plain->sha256, &ctx->log) == 0) {
			ix->text_fd = fd;
			return 1;
		}
		close(fd);
		return 0;
	}
	if (fd >= 0)
		close(fd);
	_cleanup_free_ char *name = index_name(src, plain);
	xs_warn(&ctx->log, "%s: the cached index %s is not the one the signed Release names (expected SHA256 %s, found %s); discarded, fetching it again",
		name, ix->text_path, plain->sha256, fd >= 0 ? have : "(not a regular file)");
	unlink(ix->text_path);
	return 0;
}

/* The compressed index RAW, fetched (or found in the cache) and checked
 * against RF's signed digest through the descriptor it returns; a cached
 * file that differs is discarded and fetched once more. */
static int fetch_index(struct xs_ctx *ctx, const struct xs_apt_source *src, struct xs_index *ix,
		       const struct xs_release_file *rf, const char *url, const char *raw)
{
	struct xs_log *log = &ctx->log;
	bool by_hash = false;
	for (int attempt = 0;; attempt++) {
		struct xs_transfer t = { .url = url, .dest = raw, .sha256 = rf->sha256, .size = rf->size };
		if (ctx->o.no_verify)
			t.sha256 = NULL;
		int r = -ENOENT;
		_cleanup_free_ char *hashed = NULL;
		if (src->rel.by_hash) {
			/* by-hash: immune to a mirror update between InRelease and the
			 * index, and cacheable by proxies; the plain name is the fallback */
			const char *slash = strrchr(url, '/');
			hashed = xs_asprintf("%.*s/by-hash/SHA256/%s", (int)(slash - url), url, rf->sha256);
			struct xs_transfer th = t;
			th.url = hashed;
			th.missing_ok = true;
			r = xs_fetch_one(log, &th);
			by_hash = r != -ENOENT;
			t.from_cache = th.from_cache;
			if (r == -ENOENT)
				xs_debug(log, "%s: not on the mirror, using %s", hashed, url);
		}
		if (r == -ENOENT)
			r = xs_fetch_one(log, &t);
		if (r) {
			name_index_in_error(log, src, ix, rf, ctx->o.arch, by_hash);
			return r;
		}
		char have[XS_SHA256_HEX];
		int fd = open_hashed(raw, have);
		if (fd < 0)
			return xs_fail(log, -fd, "%s: cannot read %s: %s", url, raw, strerror(-fd));
		if (ctx->o.no_verify || !strcmp(have, rf->sha256))
			return fd;
		close(fd);
		_cleanup_free_ char *name = index_name(src, rf);
		if (attempt || !t.from_cache) {
			xs_fail(log, EBADMSG, "%s: SHA256 mismatch: expected %s, found %s in %s (changed after it was fetched and verified)",
				url, rf->sha256, have, raw);
			name_index_in_error(log, src, ix, rf, ctx->o.arch, by_hash);
			return -EBADMSG;
		}
		xs_warn(log, "%s: the cached file %s is not the one the signed Release names (expected SHA256 %s, found %s); discarded, fetching it again",
			name, raw, rf->sha256, have);
		unlink(raw);
	}
}

static int load_index(struct xs_ctx *ctx, const struct xs_apt_source *src, struct xs_index *ix,
		      const struct xs_release_file *rf, const struct xs_release_file *plain, const char *url)
{
	struct xs_log *log = &ctx->log;
	Pool *pool = ctx->pool;
	const char *ext = strrchr(rf->path, '.');
	if (!ext || strchr(ext, '/'))
		ext = "";
	/* Unverified indices never enter (or come from) the verified cache. */
	bool verified = !ctx->o.no_verify;
	_cleanup_free_ char *dir = xs_cache_dir(ctx, "index", true);
	_cleanup_free_ char *raw = xs_asprintf("%s/%s%s", dir, rf->sha256, ext);
	/* the text and its pool are named by the signed digest of the
	 * uncompressed index when the Release gives one (then they can be
	 * checked on every read), else by the compressed one's */
	const char *key = plain ? plain->sha256 : rf->sha256;
	_cleanup_free_ char *solv = xs_asprintf("%s/%s.solv", dir, key);
	ix->text_path = xs_asprintf("%s/%s.txt", dir, key);
	_cleanup_free_ char *repo_name = xs_asprintf("%s/%s", src->suite, ix->component);
	Repo *repo = repo_create(pool, repo_name);
	ix->repo = repo;
	repo->appdata = ix;
	/* apt's pins: 500 for a suite, 100 for ButAutomaticUpgrades (backports),
	 * 1 for NotAutomatic (experimental): a version from a lower one is
	 * chosen only when nothing else has the package or the user names it */
	repo->priority = !src->rel.not_automatic ? 0 : src->rel.but_automatic_upgrades ? -1 : -2;

	if (!verified) {
		unlink(raw);
		unlink(solv);
	}
	int r = xs_fetch_check_dir(log, dir);
	if (r < 0)
		return r;
	if (verified && plain && load_cached_index(ctx, src, ix, plain, solv)) {
		xs_debug(log, "%s: loaded from cache %s", url, solv);
		return 0;
	}
	int raw_fd = fetch_index(ctx, src, ix, rf, url, raw);
	if (raw_fd < 0)
		return raw_fd;
	char text_sha[XS_SHA256_HEX];
	ix->text_fd = decompress_to(raw_fd, raw, ix->text_path, text_sha, log);
	close(raw_fd);
	if (ix->text_fd < 0)
		return ix->text_fd;
	if (verified && plain && strcmp(text_sha, plain->sha256)) {
		_cleanup_free_ char *name = index_name(src, plain);
		unlink(ix->text_path);
		return xs_fail(log, EBADMSG, "index %s (component %s, architecture %s): %s decompresses to SHA256 %s, expected %s as the signed Release names; refusing it",
			       name, ix->component, ctx->o.arch, url, text_sha, plain->sha256);
	}
	size_t len = 0;
	const char *text = map_text(ix->text_fd, &len);
	if (!text) {
		int r = xs_fail(log, errno ? errno : EIO, "%s: cannot read %s: %s", url, ix->text_path, strerror(errno));
		unlink(ix->text_path);
		return r;
	}
	r = xs_apt_add_packages(repo, text, len, url, log);
	munmap((void *)text, len);
	if (r < 0) {
		unlink(ix->text_path);
		return r;
	}
	if (verified && (r = xs_solv_write(solv, repo, text_sha)) < 0)
		xs_warn(log, "%s: cannot cache the parsed index: %s", dir, strerror(-r));
	return 0;
}

static const char *const index_exts[] = { ".xz", ".gz", "" };

/* NAME is SRC's suite or one of its names from repos/debian.conf. */
static bool is_named(const struct xs_apt_source *src, const char *name)
{
	return name && (!strcmp(name, src->suite) || xs_strlist_has(&src->names, name));
}

/* How far a Release's Date may lie ahead of this host's clock: the
 * archive's signing host and a build host without NTP (a fresh domU, a
 * VM restored from a snapshot) disagree by minutes, not by more. A Date
 * further ahead is no release the archive has made yet. */
#define DATE_SKEW (10 * 60)

static void format_date(time_t t, char *buf, size_t size)
{
	struct tm tm;
	strftime(buf, size, "%a, %d %b %Y %H:%M:%S UTC", gmtime_r(&t, &tm));
}

/* SRC's Release Date: not in the future, and not older than the newest
 * this cache has seen for the suite at that mirror (a rollback to a
 * release with known holes), which it then remembers. */
static int check_date(struct xs_ctx *ctx, const struct xs_apt_source *src, const char *relname)
{
	struct xs_log *log = &ctx->log;
	time_t date = src->rel.date, now = time(NULL);
	char when[64], seen_when[64];
	if (!date)
		return 0; /* no Date field: nothing to compare (Debian's archives always give one) */
	format_date(date, when, sizeof(when));
	if (date > now + DATE_SKEW)
		return xs_fail(log, EBADMSG, "%s: Date %s lies in the future (more than %d minutes ahead of this host's clock); refusing it (is the clock right?)",
			       relname, when, DATE_SKEW / 60);
	_cleanup_free_ char *key = xs_asprintf("%s %s", src->uri, src->suite);
	long long seen = 0;
	int r = xs_cache_newest(ctx, key, (long long)date, &seen, log);
	if (r < 0 || seen <= (long long)date)
		return r;
	format_date((time_t)seen, seen_when, sizeof(seen_when));
	if (!ctx->o.allow_older_metadata)
		return xs_fail(log, ESTALE,
			       "%s: Date %s is older than the %s this cache saw for %s at %s: a rollback to an older release (a stale or replaying mirror); refusing it (--allow-older-metadata takes it)",
			       relname, when, seen_when, src->suite, src->uri);
	xs_warn(log, "%s: Date %s is older than the %s seen before; taken (--allow-older-metadata)", relname, when,
		seen_when);
	return 0;
}

/* The Release of SRC: signed, fresh, the suite asked for, with ARCH. */
static int load_release(struct xs_ctx *ctx, struct xs_apt_source *src, const char *base)
{
	struct xs_log *log = &ctx->log;
	struct xs_buf text = { 0 };
	_cleanup_free_ char *relname = xs_asprintf("%s/InRelease", base);
	int r = fetch_release(ctx, src, base, &text);
	if (!r)
		r = xs_release_parse(text.data, &src->rel, relname, log);
	xs_buf_free(&text);
	if (r < 0)
		return r;
	const struct xs_release *rel = &src->rel;
	time_t now = time(NULL);
	if (rel->valid_until && rel->valid_until < now && !ctx->o.no_verify) {
		char when[64];
		strftime(when, sizeof(when), "%a, %d %b %Y %H:%M:%S UTC", gmtime(&rel->valid_until));
		return xs_fail(log, EKEYEXPIRED,
			       "%s: Valid-Until %s has passed: the metadata is expired (a stale or replayed mirror); refusing it",
			       relname, when);
	}
	/* A signed Release of another suite (trixie's served for bookworm,
	 * bookworm's where bookworm-security was asked) is refused. */
	const char *cn = rel->codename, *sn = rel->suite;
	if ((cn || sn) && !is_named(src, cn) && !is_named(src, sn) && !ctx->o.no_verify) {
		_cleanup_free_ char *aliases = xs_strlist_join(&src->names, ", ");
		return xs_fail(log, EBADMSG, "%s: expected suite or codename \"%s\"%s%s%s (%s), found suite \"%s\", codename \"%s\"; refusing it",
			       relname, src->suite, *aliases ? " (or " : "", aliases, *aliases ? ")" : "", src->origin,
			       sn ? sn : "", cn ? cn : "");
	}
	if (!ctx->o.no_verify && (r = check_date(ctx, src, relname)) < 0)
		return r;
	if (rel->architectures.n && !xs_strlist_has(&rel->architectures, ctx->o.arch))
		return xs_fail(log, EINVAL, "%s: architecture %s is not in the archive (it has: %s%s)", relname,
			       ctx->o.arch, rel->architectures.v[0], rel->architectures.n > 1 ? ", ..." : "");
	return 0;
}

/* Each component of SRC (its Release loaded): its index as the signed
 * Release names it. */
static int load_source(struct xs_ctx *ctx, struct xs_apt *apt, size_t si)
{
	struct xs_log *log = &ctx->log;
	struct xs_apt_source *src = &apt->src[si];
	_cleanup_free_ char *base = xs_asprintf("%s/dists/%s", src->uri, src->suite);
	int r = 0;
	for (size_t c = 0; c < src->components.n; c++) {
		const char *comp = src->components.v[c];
		const struct xs_release_file *rf = NULL;
		_cleanup_free_ char *stem = xs_asprintf("%s/binary-%s/Packages", comp, ctx->o.arch);
		for (size_t e = 0; e < 3 && !rf; e++) {
			_cleanup_free_ char *p = xs_asprintf("%s%s", stem, index_exts[e]);
			rf = xs_release_find(&src->rel, p);
		}
		if (!rf)
			return xs_fail(log, ENOENT, "%s/InRelease: lists no %s index (component \"%s\", architecture %s); check --components and --arch",
				       base, stem, comp, ctx->o.arch);
		struct xs_index *ix = &apt->idx[apt->nidx++];
		ix->text_fd = -1;
		ix->component = xs_strdup(comp);
		ix->source = si;
		_cleanup_free_ char *url = xs_asprintf("%s/%s", base, rf->path);
		if ((r = load_index(ctx, src, ix, rf, xs_release_find(&src->rel, stem), url)) < 0)
			return r;
	}
	return 0;
}

int xs_apt_load(struct xs_ctx *ctx, const struct xs_suite *suite, struct xs_apt *apt)
{
	(void)suite;
	if (!apt->nsrc)
		xs_apt_add_source(apt, ctx->o.mirror, ctx->o.suite, &ctx->o.components, NULL,
				  ctx->o.suite);
	/* libsolv repos point at their index: the array never moves */
	size_t total = 0;
	for (size_t i = 0; i < apt->nsrc; i++)
		total += apt->src[i].components.n;
	apt->idx = xs_calloc(total ? total : 1, sizeof(*apt->idx));
	/* every source's Release first: a missing or badly signed one stops
	 * the build before any index is downloaded */
	for (size_t i = 0; i < apt->nsrc; i++) {
		_cleanup_free_ char *base = xs_asprintf("%s/dists/%s", apt->src[i].uri, apt->src[i].suite);
		int r = load_release(ctx, &apt->src[i], base);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < apt->nsrc; i++) {
		int r = load_source(ctx, apt, i);
		if (r < 0)
			return r;
	}
	pool_addfileprovides(ctx->pool);
	pool_createwhatprovides(ctx->pool);
	return 0;
}

int xs_apt_stanza(const struct xs_apt *apt, const struct xs_pkg *p, struct xs_buf *out)
{
	const struct xs_debinfo *d = xs_deb_c(p);
	const struct xs_index *ix = &apt->idx[d->repo_index];
	/* the descriptor that was verified, never the name again */
	if (ix->text_fd < 0)
		return -EBADF;
	char *tmp = xs_malloc(d->stanza_len);
	ssize_t n = pread(ix->text_fd, tmp, d->stanza_len, d->stanza_off);
	if (n != (ssize_t)d->stanza_len) {
		free(tmp);
		return -EIO;
	}
	xs_buf_add(out, tmp, n);
	free(tmp);
	return 0;
}
