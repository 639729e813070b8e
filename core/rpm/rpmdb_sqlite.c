/* rpmdb_sqlite.c - rpm's sqlite database (rpm >= 4.16: EL9, EL10, Fedora),
 * written with libsqlite3 when the target has no rpm to write it.
 *
 * The format was learnt from rpm 4.16-4.20 (lib/backend/sqlite.c, lib/rpmdb.c,
 * lib/package.c, lib/psm.c) and checked against what the host's rpm 4.18
 * writes for the same packages (tests/e2e/rpmdb.bats). */
#include "rpmdb_sqlite.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <solv/chksum.h>
#include <solv/pool.h>
#include <solv/pool_parserpmrichdep.h>
#include <solv/util.h>
#include <sqlite3.h>

#include "repo_rpmmd.h"
#include "rpm_repos.h"
#include "suites.h"
#include "target.h"
#include "verify.h"
#include "util.h"

enum { T_CHAR = 1, T_INT32 = 4, T_INT64 = 5, T_STRING = 6, T_BIN = 7, T_STRING_ARRAY = 8, T_I18NSTRING = 9 };

enum {
	TAG_SIGMD5 = 261,
	TAG_SHA1HEADER = 269,
	TAG_NAME = 1000,
	TAG_INSTALLTIME = 1008,
	TAG_GROUP = 1016,
	TAG_FILESTATES = 1029,
	TAG_PROVIDENAME = 1047,
	TAG_REQUIREFLAGS = 1048,
	TAG_REQUIRENAME = 1049,
	TAG_CONFLICTNAME = 1054,
	TAG_TRIGGERNAME = 1066,
	TAG_OBSOLETENAME = 1090,
	TAG_PREFIXES = 1098,
	TAG_INSTPREFIXES = 1099,
	TAG_BASENAMES = 1117,
	TAG_DIRNAMES = 1118,
	TAG_INSTALLCOLOR = 1127,
	TAG_INSTALLTID = 1128,
	TAG_RECOMMENDNAME = 5046,
	TAG_SUGGESTNAME = 5049,
	TAG_SUPPLEMENTNAME = 5052,
	TAG_ENHANCENAME = 5055,
	TAG_FILETRIGGERNAME = 5069,
	TAG_FILETRIGGERINDEX = 5070,
	TAG_TRANSFILETRIGGERNAME = 5079,
	TAG_TRANSFILETRIGGERINDEX = 5080,
};

uint32_t xs_rpmdb_color(const char *arch)
{
	static const char *const multilib[] = { "x86_64", "amd64", "aarch64", "ppc64", "ppc64le", "ppc64p7",
						"s390x", "sparc64", "riscv64", "loongarch64", "mips64",
						"mips64el", "mips64r6", "mips64r6el" };
	for (size_t i = 0; i < sizeof(multilib) / sizeof(multilib[0]); i++)
		if (!strcmp(arch, multilib[i]))
			return 3;
	return strcmp(arch, "ia64") ? 0 : 2;
}

/* --- the installed header ----------------------------------------------- */

/* The signature header's tags rpm merges into the main header when it
 * reads a package (rpm >= 4.16): signature tag, header tag, its type, the
 * count it must have (0: any), and whether the main header may carry the
 * tag itself when the signature header does not. */
static const struct sigtag {
	uint32_t stag, htag, type, count;
	bool either;
} sigtags[] = {
	{ 1000, 257, T_INT32, 1, false },	 /* SIZE -> SIGSIZE */
	{ 1002, 259, T_BIN, 0, false },		 /* PGP -> SIGPGP */
	{ 1004, TAG_SIGMD5, T_BIN, 16, false },	 /* MD5 -> SIGMD5 */
	{ 1005, 262, T_BIN, 0, false },		 /* GPG -> SIGGPG */
	{ 1007, 1046, T_INT32, 1, true },	 /* PAYLOADSIZE -> ARCHIVESIZE */
	{ 274, 5090, T_STRING_ARRAY, 0, true },	 /* FILESIGNATURES */
	{ 275, 5091, T_INT32, 1, true },	 /* FILESIGNATURELENGTH */
	{ 276, 276, T_STRING_ARRAY, 0, false },	 /* VERITYSIGNATURES */
	{ 277, 277, T_INT32, 1, false },	 /* VERITYSIGNATUREALGO */
	{ 269, TAG_SHA1HEADER, T_STRING, 1, false },
	{ 273, 273, T_STRING, 1, false },	 /* SHA256HEADER */
	{ 267, 267, T_BIN, 0, false },		 /* DSAHEADER */
	{ 268, 268, T_BIN, 0, false },		 /* RSAHEADER */
	{ 270, 270, T_INT64, 1, false },	 /* LONGSIGSIZE */
	{ 271, 271, T_INT64, 1, false },	 /* LONGARCHIVESIZE */
};

struct newtag {
	uint32_t tag, type, count;
	const void *data; /* big-endian, as stored */
	size_t len;
};

static int cmp_newtag(const void *a, const void *b)
{
	const struct newtag *x = a, *y = b;
	return x->tag < y->tag ? -1 : x->tag > y->tag;
}

static void put_be32(unsigned char *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static size_t align_of(uint32_t type)
{
	return type == T_INT32 ? 4 : type == T_INT64 ? 8 : type == 3 ? 2 : 1;
}

/* A header blob (no magic): IL entries at INDEX and DL bytes at STORE as
 * they are, then ADD sorted by tag, each one's data aligned for its type
 * (rpm's headerExport of a header read with tags added). */
static int append_tags(const unsigned char *index, uint32_t il, const unsigned char *store, uint32_t dl,
		       struct newtag *add, size_t n, struct xs_buf *out)
{
	if (n)
		qsort(add, n, sizeof(add[0]), cmp_newtag);
	struct xs_buf data = { 0 };
	xs_buf_add(&data, store, dl);
	_cleanup_free_ unsigned char *more = xs_malloc(n ? n * 16 : 1);
	for (size_t i = 0; i < n; i++) {
		size_t a = align_of(add[i].type);
		while (data.len % a)
			xs_buf_add(&data, "", 1);
		put_be32(more + i * 16, add[i].tag);
		put_be32(more + i * 16 + 4, add[i].type);
		put_be32(more + i * 16 + 8, (uint32_t)data.len);
		put_be32(more + i * 16 + 12, add[i].count);
		xs_buf_add(&data, add[i].data, add[i].len);
	}
	unsigned char head[8];
	put_be32(head, il + (uint32_t)n);
	put_be32(head + 4, (uint32_t)data.len);
	out->len = 0;
	xs_buf_add(out, head, 8);
	xs_buf_add(out, index, (size_t)il * 16);
	xs_buf_add(out, more, n * 16);
	xs_buf_add(out, data.data, data.len);
	xs_buf_free(&data);
	return 0;
}

int xs_rpmdb_header(const struct xs_rpminfo *ri, uint32_t tid, uint32_t installtime, uint32_t color,
		    struct xs_buf *out, const char **why)
{
	const struct xs_rpmhdr *h = &ri->hdr;
	struct xs_rpmhdr sig = { 0 }; /* none kept: nothing to merge */
	if (ri->siglen && (ri->siglen <= 96 || xs_rpmhdr_parse(ri->sigblob + 96, ri->siglen - 96, &sig, why) < 0)) {
		*why = "a bad signature header";
		return -EBADMSG;
	}
	struct xs_rpmentry e;
	if (!h->il || !xs_rpmhdr_entry(h, 63, &e)) {
		*why = "a header without an immutable region (rpm < 4 package)";
		return -EBADMSG;
	}
	struct newtag add[sizeof(sigtags) / sizeof(sigtags[0]) + 5];
	size_t n = 0;
	for (size_t i = 0; i < sizeof(sigtags) / sizeof(sigtags[0]); i++) {
		const struct sigtag *t = &sigtags[i];
		bool in_sig = xs_rpmhdr_entry(&sig, t->stag, &e);
		struct xs_rpmentry mine;
		if (xs_rpmhdr_entry(h, t->htag, &mine)) {
			if (t->either && !in_sig)
				continue;
			*why = "a signature tag both in the signature and the main header";
			return -EBADMSG;
		}
		if (!in_sig)
			continue;
		if (e.type != t->type || e.count < 1 || e.count > 16 * 1024 * 1024 || (t->count && e.count != t->count)) {
			*why = "a signature tag of the wrong type or size";
			return -EBADMSG;
		}
		add[n++] = (struct newtag){ t->htag, e.type, e.count, e.data, e.len };
	}
	/* what rpm adds when it installs: every file NORMAL (0), as on a fresh
	 * install of all languages and documentation */
	size_t nfiles = xs_rpmhdr_count(h, TAG_BASENAMES);
	_cleanup_free_ unsigned char *states = xs_calloc(nfiles ? nfiles : 1, 1);
	if (nfiles)
		add[n++] = (struct newtag){ TAG_FILESTATES, T_CHAR, (uint32_t)nfiles, states, nfiles };
	unsigned char ints[3][4];
	put_be32(ints[0], tid);
	put_be32(ints[1], installtime);
	put_be32(ints[2], color);
	add[n++] = (struct newtag){ TAG_INSTALLTID, T_INT32, 1, ints[0], 4 };
	add[n++] = (struct newtag){ TAG_INSTALLTIME, T_INT32, 1, ints[1], 4 };
	add[n++] = (struct newtag){ TAG_INSTALLCOLOR, T_INT32, 1, ints[2], 4 };
	if (xs_rpmhdr_entry(h, TAG_PREFIXES, &e) && !xs_rpmhdr_count(h, TAG_INSTPREFIXES))
		add[n++] = (struct newtag){ TAG_INSTPREFIXES, e.type, e.count, e.data, e.len };
	return append_tags(h->index, h->il, h->store, h->dl, add, n, out);
}

/* --- gpg-pubkey ----------------------------------------------------------- */

/* The rpm version the gpg-pubkey entries name (RPMVERSION, the armor's
 * Version: line): the rpm whose format this writer follows. */
#define RPMDB_RPMVERSION "4.18.0"

/* rpm's base64 (rpmBase64Encode): lines of 64 characters, each ended by a
 * newline. No library at hand here has a public encoder. */
static void base64_lines(struct xs_buf *b, const unsigned char *p, size_t n)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t col = 0;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
		char q[4] = { a[v >> 18 & 63], a[v >> 12 & 63], i + 1 < n ? a[v >> 6 & 63] : '=', i + 2 < n ? a[v & 63] : '=' };
		xs_buf_add(b, q, 4);
		if ((col += 4) == 64) {
			xs_buf_add(b, "\n", 1);
			col = 0;
		}
	}
	if (col)
		xs_buf_add(b, "\n", 1);
}

/* OpenPGP's armor checksum (RFC 4880, 6.1) */
static uint32_t crc24(const unsigned char *p, size_t n)
{
	uint32_t crc = 0xB704CE;
	for (size_t i = 0; i < n; i++) {
		crc ^= (uint32_t)p[i] << 16;
		for (int k = 0; k < 8; k++) {
			crc <<= 1;
			if (crc & 0x1000000)
				crc ^= 0x1864CFB;
		}
	}
	return crc & 0xFFFFFF;
}

static void add_str(struct newtag *t, uint32_t tag, uint32_t type, const char *s)
{
	*t = (struct newtag){ tag, type, 1, s, strlen(s) + 1 };
}

/* rpm's armor of KEY (B64: its base64 lines), NUL-terminated. */
static void armor_key(const unsigned char *key, size_t len, const char *b64, struct xs_buf *out)
{
	uint32_t crc = crc24(key, len);
	unsigned char c3[3] = { crc >> 16, crc >> 8, crc };
	xs_buf_addstr(out, "-----BEGIN PGP PUBLIC KEY BLOCK-----\nVersion: rpm-" RPMDB_RPMVERSION "\n\n");
	xs_buf_addstr(out, b64);
	xs_buf_addstr(out, "=");
	base64_lines(out, c3, 3);
	xs_buf_add(out, "-----END PGP PUBLIC KEY BLOCK-----\n", strlen("-----END PGP PUBLIC KEY BLOCK-----\n") + 1);
}

/* A header made of the N tags T, as rpm --import stores it: the tags
 * sealed in an immutable region (its tag first, its trailer after the
 * data), then the region's SHA1 and SHA256 and the import time TID. */
static void seal_and_stamp(struct newtag *t, size_t n, uint32_t tid, struct xs_buf *out)
{
	struct xs_buf plain = { 0 }, region = { 0 };
	append_tags((const unsigned char *)"", 0, (const unsigned char *)"", 0, t, n, &plain);
	uint32_t dl = (uint32_t)(plain.len - 8 - n * 16), il = (uint32_t)n + 1;
	unsigned char entry[16], trailer[16], head[8];
	put_be32(entry, 63); /* HEADERIMMUTABLE */
	put_be32(entry + 4, T_BIN);
	put_be32(entry + 8, dl);
	put_be32(entry + 12, 16);
	memcpy(trailer, entry, 8);
	put_be32(trailer + 8, (uint32_t)-(int32_t)(il * 16));
	put_be32(trailer + 12, 16);
	put_be32(head, il);
	put_be32(head + 4, dl + 16);
	xs_buf_add(&region, "\x8e\xad\xe8\x01\0\0\0\0", 8);
	xs_buf_add(&region, head, 8);
	xs_buf_add(&region, entry, 16);
	xs_buf_add(&region, plain.data + 8, plain.len - 8 - dl);
	xs_buf_add(&region, plain.data + plain.len - dl, dl);
	xs_buf_add(&region, trailer, 16);
	char sha1[41], sha256[65];
	Chksum *c1 = solv_chksum_create(REPOKEY_TYPE_SHA1), *c256 = solv_chksum_create(REPOKEY_TYPE_SHA256);
	solv_chksum_add(c1, region.data, (int)region.len);
	solv_chksum_add(c256, region.data, (int)region.len);
	solv_bin2hex(solv_chksum_get(c1, NULL), 20, sha1);
	solv_bin2hex(solv_chksum_get(c256, NULL), 32, sha256);
	solv_chksum_free(c1, NULL);
	solv_chksum_free(c256, NULL);
	unsigned char ints[2][4];
	put_be32(ints[0], tid);
	put_be32(ints[1], tid);
	struct newtag stamp[4];
	add_str(&stamp[0], TAG_SHA1HEADER, T_STRING, sha1);
	add_str(&stamp[1], 273, T_STRING, sha256); /* SHA256HEADER */
	stamp[2] = (struct newtag){ TAG_INSTALLTIME, T_INT32, 1, ints[0], 4 };
	stamp[3] = (struct newtag){ TAG_INSTALLTID, T_INT32, 1, ints[1], 4 };
	const unsigned char *r = (const unsigned char *)region.data + 16;
	append_tags(r, il, r + (size_t)il * 16, dl + 16, stamp, 4, out);
	xs_buf_free(&plain);
	xs_buf_free(&region);
}

int xs_rpmdb_pubkey_header(const unsigned char *key, size_t len, const struct xs_keyinfo *k, uint32_t tid,
			   struct xs_buf *out, const char **why)
{
	size_t nk = k->nparts;
	if (!nk || !k->part[0].v4) {
		*why = "not an OpenPGP v4 public key";
		return -EBADMSG;
	}
	const char *userid = k->userid ? k->userid : "none";
	struct xs_buf b64 = { 0 }, armor = { 0 }, names = { 0 }, vers = { 0 };
	base64_lines(&b64, key, len);
	xs_buf_add(&b64, "", 1);
	armor_key(key, len, b64.data, &armor);
	/* provides: the user id, the short and long key id, and each subkey's ids */
	size_t nprov = 0;
	_cleanup_free_ char *summary = xs_asprintf("%s public key", userid);
	for (size_t i = 0; i < nk; i++) {
		_cleanup_free_ char *v = xs_asprintf("4:%s-%x", k->part[i].keyid, k->part[i].created);
		for (int form = i ? 1 : 0; form < 3; form++) {
			_cleanup_free_ char *pn = xs_asprintf("gpg(%s)", form == 0	? userid
									 : form == 1 ? k->part[i].keyid + 8
										     : k->part[i].keyid);
			xs_buf_add(&names, pn, strlen(pn) + 1);
			xs_buf_add(&vers, v, strlen(v) + 1);
			nprov++;
		}
	}
	_cleanup_free_ unsigned char *flags = xs_malloc(nprov * 4);
	for (size_t i = 0; i < nprov; i++)
		put_be32(flags + i * 4, 1u << 26 | 1u << 3); /* KEYRING | EQUAL */
	char release[9];
	snprintf(release, sizeof(release), "%x", k->part[0].created);
	unsigned char created[4], zero[4] = { 0 };
	put_be32(created, k->part[0].created);
	struct newtag t[17];
	size_t n = 0;
	t[n++] = (struct newtag){ 266, T_STRING_ARRAY, 1, b64.data, b64.len }; /* PUBKEYS */
	add_str(&t[n++], TAG_NAME, T_STRING, "gpg-pubkey");
	add_str(&t[n++], 1001, T_STRING, k->part[0].keyid + 8);			  /* VERSION */
	add_str(&t[n++], 1002, T_STRING, release);				  /* RELEASE */
	add_str(&t[n++], 1004, T_I18NSTRING, summary);				  /* SUMMARY */
	t[n++] = (struct newtag){ 1005, T_I18NSTRING, 1, armor.data, armor.len }; /* DESCRIPTION */
	t[n++] = (struct newtag){ 1006, T_INT32, 1, created, 4 };		  /* BUILDTIME */
	add_str(&t[n++], 1007, T_STRING, "localhost");				  /* BUILDHOST */
	t[n++] = (struct newtag){ 1009, T_INT32, 1, zero, 4 };			  /* SIZE */
	add_str(&t[n++], 1014, T_STRING, "pubkey");				  /* LICENSE */
	add_str(&t[n++], 1015, T_STRING, userid);				  /* PACKAGER */
	add_str(&t[n++], TAG_GROUP, T_I18NSTRING, "Public Keys");
	add_str(&t[n++], 1044, T_STRING, "(none)"); /* SOURCERPM */
	t[n++] = (struct newtag){ TAG_PROVIDENAME, T_STRING_ARRAY, (uint32_t)nprov, names.data, names.len };
	add_str(&t[n++], 1064, T_STRING, RPMDB_RPMVERSION); /* RPMVERSION */
	t[n++] = (struct newtag){ 1112, T_INT32, (uint32_t)nprov, flags, nprov * 4 };		 /* PROVIDEFLAGS */
	t[n++] = (struct newtag){ 1113, T_STRING_ARRAY, (uint32_t)nprov, vers.data, vers.len }; /* PROVIDEVERSION */

	seal_and_stamp(t, n, tid, out);
	xs_buf_free(&b64);
	xs_buf_free(&armor);
	xs_buf_free(&names);
	xs_buf_free(&vers);
	return 0;
}

/* --- the index tables ----------------------------------------------------- */

/* rpm's index tables in the order rpm fills them; KEYIDX/HNUMIDX: the
 * indexes rpm creates (on string keys; on hnum for array tags). */
static const struct dbindex {
	const char *name;
	uint32_t tag;
	bool blob, keyidx, hnumidx;
} dbindexes[] = {
	{ "Name", TAG_NAME, false, true, false },
	{ "Basenames", TAG_BASENAMES, false, true, true },
	{ "Group", TAG_GROUP, false, true, false },
	{ "Requirename", TAG_REQUIRENAME, false, true, true },
	{ "Providename", TAG_PROVIDENAME, false, true, true },
	{ "Conflictname", TAG_CONFLICTNAME, false, true, true },
	{ "Obsoletename", TAG_OBSOLETENAME, false, true, true },
	{ "Triggername", TAG_TRIGGERNAME, false, true, true },
	{ "Dirnames", TAG_DIRNAMES, false, true, true },
	{ "Installtid", TAG_INSTALLTID, true, false, false },
	{ "Sigmd5", TAG_SIGMD5, true, false, false },
	{ "Sha1header", TAG_SHA1HEADER, false, true, false },
	{ "Filetriggername", TAG_FILETRIGGERNAME, false, true, true },
	{ "Transfiletriggername", TAG_TRANSFILETRIGGERNAME, false, true, true },
	{ "Recommendname", TAG_RECOMMENDNAME, false, true, true },
	{ "Suggestname", TAG_SUGGESTNAME, false, true, true },
	{ "Supplementname", TAG_SUPPLEMENTNAME, false, true, true },
	{ "Enhancename", TAG_ENHANCENAME, false, true, true },
};

/* requires only %pre/%post/%pretrans/%posttrans, rpmlib() or keyring
 * needs: rpm leaves them out of Requirename (isTransientReq) */
static bool transient_require(uint32_t flags)
{
	const uint32_t install_only = 1u << 9 | 1u << 10 | 1u << 24 | 1u << 26 | 1u << 7 | 1u << 5;
	const uint32_t erase_only = 1u << 11 | 1u << 12, meta = 1u << 29;
	return (flags & install_only) && !(flags & erase_only) && !(flags & meta);
}

/* The names in a rich dependency as rpm indexes them: those in a
 * condition (if/unless) negated with '!', an else branch's condition both
 * ways. */
static void rich_walk(Pool *pool, Id id, bool neg, struct xs_strlist *out)
{
	if (!ISRELDEP(id)) {
		const char *name = pool_id2str(pool, id);
		if (*name && strncmp(name, "rpmlib(", 7)) {
			_cleanup_free_ char *s = xs_asprintf("%c%s", neg ? '!' : ' ', name);
			xs_strlist_add(out, s);
		}
		return;
	}
	Reldep *rd = GETRELDEP(pool, id);
	switch (rd->flags) {
	case REL_AND:
	case REL_OR:
	case REL_WITH:
	case REL_WITHOUT:
		rich_walk(pool, rd->name, neg, out);
		rich_walk(pool, rd->evr, neg, out);
		break;
	case REL_COND:
	case REL_UNLESS:
		rich_walk(pool, rd->name, neg, out);
		if (ISRELDEP(rd->evr) && GETRELDEP(pool, rd->evr)->flags == REL_ELSE) {
			Reldep *el = GETRELDEP(pool, rd->evr);
			rich_walk(pool, el->name, !neg, out);
			rich_walk(pool, el->name, neg, out);
			rich_walk(pool, el->evr, neg, out);
		} else
			rich_walk(pool, rd->evr, !neg, out);
		break;
	default: /* name with a version */
		if (rd->flags < 8)
			rich_walk(pool, rd->name, neg, out);
		break;
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct writer {
	sqlite3 *db;
	sqlite3_stmt *ins[sizeof(dbindexes) / sizeof(dbindexes[0])];
	Pool *pool;
};

static int put_key(struct writer *w, size_t t, const void *key, size_t len, int64_t hnum, uint32_t idx)
{
	sqlite3_stmt *st = w->ins[t];
	int rc;
	if (dbindexes[t].blob)
		rc = sqlite3_bind_blob(st, 1, key, (int)len, SQLITE_TRANSIENT);
	else
		rc = sqlite3_bind_text(st, 1, key, (int)len, SQLITE_TRANSIENT);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 2, hnum);
	if (rc == SQLITE_OK)
		rc = sqlite3_bind_int64(st, 3, idx);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE || rc == SQLITE_OK ? 0 : rc;
}

static int put_rich(struct writer *w, size_t t, const char *dep, int64_t hnum, uint32_t idx)
{
	Id id = pool_parserpmrichdep(w->pool, dep);
	if (!id)
		return 0; /* rpm indexes what it cannot parse by the whole string only */
	struct xs_strlist names = { 0 };
	rich_walk(w->pool, id, false, &names);
	if (names.n)
		qsort(names.v, names.n, sizeof(*names.v), cmp_str);
	int rc = 0;
	for (size_t i = 0; i < names.n && !rc; i++) {
		if (i && !strcmp(names.v[i - 1], names.v[i]))
			continue;
		const char *k = names.v[i][0] == ' ' ? names.v[i] + 1 : names.v[i];
		rc = put_key(w, t, k, strlen(k), hnum, idx);
	}
	xs_strlist_free(&names);
	return rc;
}

static bool rich_tag(uint32_t tag)
{
	return tag == TAG_REQUIRENAME || tag == TAG_CONFLICTNAME || tag == TAG_SUGGESTNAME ||
	       tag == TAG_SUPPLEMENTNAME || tag == TAG_RECOMMENDNAME || tag == TAG_ENHANCENAME;
}

/* The keys of header H (stored as HNUM) in index table T. */
static int index_header(struct writer *w, size_t t, const struct xs_rpmhdr *h, int64_t hnum)
{
	uint32_t tag = dbindexes[t].tag;
	struct xs_rpmentry e;
	if (dbindexes[t].blob) {
		if (!xs_rpmhdr_entry(h, tag, &e))
			return 0;
		if (tag == TAG_INSTALLTID) { /* rpm's key is the number in host order */
			uint32_t v = (uint32_t)xs_rpmhdr_int(h, tag, 0, 0);
			return put_key(w, t, &v, sizeof(v), hnum, 0);
		}
		return put_key(w, t, e.data, e.len, hnum, 0);
	}
	size_t n = 0;
	_cleanup_free_ const char **v = xs_rpmhdr_strv(h, tag, &n);
	if (!n && tag == TAG_GROUP) /* rpm's legacy default */
		return put_key(w, t, "Unknown", 7, hnum, 0);
	if (tag == TAG_GROUP && n > 1)
		n = 1; /* an I18NSTRING is indexed by its first (C locale) string */
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		uint32_t idx = (uint32_t)i;
		if (tag == TAG_REQUIRENAME && transient_require((uint32_t)xs_rpmhdr_int(h, TAG_REQUIREFLAGS, i, 0)))
			continue;
		if (tag == TAG_TRIGGERNAME) {
			bool dup = false;
			for (size_t j = 0; j < i && !dup; j++)
				dup = !strcmp(v[i], v[j]);
			if (dup)
				continue;
		}
		if (tag == TAG_FILETRIGGERNAME || tag == TAG_TRANSFILETRIGGERNAME)
			idx = (uint32_t)xs_rpmhdr_int(h, tag == TAG_FILETRIGGERNAME ? TAG_FILETRIGGERINDEX
										: TAG_TRANSFILETRIGGERINDEX,
						      i, 0);
		rc = put_key(w, t, v[i], strlen(v[i]), hnum, idx);
		if (!rc && v[i][0] == '(' && rich_tag(tag))
			rc = put_rich(w, t, v[i], hnum, idx);
	}
	return rc;
}

static int create_schema(sqlite3 *db, char **err)
{
	int rc = sqlite3_exec(db,
			      "PRAGMA journal_mode = WAL;"
			      "CREATE TABLE IF NOT EXISTS 'Packages' (hnum INTEGER PRIMARY KEY AUTOINCREMENT,"
			      "blob BLOB NOT NULL);",
			      NULL, NULL, err);
	for (size_t t = 0; t < sizeof(dbindexes) / sizeof(dbindexes[0]) && rc == SQLITE_OK; t++) {
		const struct dbindex *d = &dbindexes[t];
		char *sql = sqlite3_mprintf("CREATE TABLE IF NOT EXISTS '%q' (key '%q' NOT NULL, hnum INTEGER NOT NULL, "
					    "idx INTEGER NOT NULL, FOREIGN KEY (hnum) REFERENCES 'Packages'(hnum));",
					    d->name, d->blob ? "BLOB" : "TEXT");
		rc = sqlite3_exec(db, sql, NULL, NULL, err);
		sqlite3_free(sql);
		if (rc == SQLITE_OK && d->keyidx) {
			sql = sqlite3_mprintf("CREATE INDEX IF NOT EXISTS '%q_key_idx' ON '%q'(key ASC)", d->name, d->name);
			rc = sqlite3_exec(db, sql, NULL, NULL, err);
			sqlite3_free(sql);
		}
		if (rc == SQLITE_OK && d->hnumidx) {
			sql = sqlite3_mprintf("CREATE INDEX IF NOT EXISTS '%q_hnum_idx' ON '%q'(hnum ASC)", d->name,
					      d->name);
			rc = sqlite3_exec(db, sql, NULL, NULL, err);
			sqlite3_free(sql);
		}
	}
	return rc;
}

/* Stores BLOB as a new row of Packages and its keys in every index. */
static int put_header(struct writer *w, sqlite3_stmt *pkg, const struct xs_buf *blob, int *rc, struct xs_log *log,
		      const char *what)
{
	*rc = sqlite3_bind_blob(pkg, 1, blob->data, (int)blob->len, SQLITE_STATIC);
	if (*rc == SQLITE_OK && (*rc = sqlite3_step(pkg)) == SQLITE_DONE)
		*rc = SQLITE_OK;
	sqlite3_reset(pkg);
	if (*rc != SQLITE_OK)
		return 0;
	int64_t hnum = sqlite3_last_insert_rowid(w->db);
	/* the keys come from the header as stored: its merged and added tags too */
	struct xs_buf full = { 0 };
	xs_buf_add(&full, "\x8e\xad\xe8\x01\0\0\0\0", 8);
	xs_buf_add(&full, blob->data, blob->len);
	struct xs_rpmhdr h;
	const char *why = NULL;
	int r = 0;
	if (xs_rpmhdr_parse((unsigned char *)full.data, full.len, &h, &why) < 0)
		r = xs_fail(log, EBADMSG, "%s: its rpmdb header does not parse: %s", what, why);
	for (size_t t = 0; t < sizeof(dbindexes) / sizeof(dbindexes[0]) && *rc == SQLITE_OK && !r; t++)
		*rc = index_header(w, t, &h, hnum);
	xs_buf_free(&full);
	return r;
}

static int fill(struct writer *w, const struct xs_rpm_keys *keys, const struct xs_txn *txn, const char *arch,
		uint32_t tid, struct xs_log *log, const char *file)
{
	char *err = NULL;
	int rc = create_schema(w->db, &err);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(w->db, "BEGIN", NULL, NULL, &err);
	if (rc != SQLITE_OK) {
		int r = xs_fail(log, EIO, "%s: cannot create rpm's tables: %s", file, err ? err : sqlite3_errstr(rc));
		sqlite3_free(err);
		return r;
	}
	sqlite3_stmt *pkg = NULL;
	rc = sqlite3_prepare_v2(w->db, "INSERT INTO 'Packages' VALUES (NULL, ?)", -1, &pkg, NULL);
	for (size_t t = 0; t < sizeof(dbindexes) / sizeof(dbindexes[0]) && rc == SQLITE_OK; t++) {
		char *sql = sqlite3_mprintf("INSERT INTO '%q' VALUES (?, ?, ?)", dbindexes[t].name);
		rc = sqlite3_prepare_v2(w->db, sql, -1, &w->ins[t], NULL);
		sqlite3_free(sql);
	}
	uint32_t color = xs_rpmdb_color(arch);
	struct xs_buf blob = { 0 };
	int r = 0;
	/* the keys first, as dnf imports them before its transaction */
	for (size_t i = 0; keys && i < keys->n && rc == SQLITE_OK && !r; i++) {
		const char *why = NULL;
		if ((r = xs_rpmdb_pubkey_header((const unsigned char *)keys->v[i].data, keys->v[i].len, &keys->info[i], tid,
						&blob, &why)) < 0)
			r = xs_fail(log, -r, "key %s: cannot make its gpg-pubkey entry: %s", keys->fprs.v[i], why);
		else
			r = put_header(w, pkg, &blob, &rc, log, "gpg-pubkey");
	}
	for (size_t i = 0; i < txn->n && rc == SQLITE_OK && !r; i++) {
		const struct xs_rpminfo *ri = xs_rpm(&txn->v[i]);
		const char *why = NULL;
		if ((r = xs_rpmdb_header(ri, tid, tid, color, &blob, &why)) < 0)
			r = xs_fail(log, -r, "%s: cannot make its rpmdb header: %s", txn->v[i].name, why);
		else
			r = put_header(w, pkg, &blob, &rc, log, txn->v[i].name);
	}
	xs_buf_free(&blob);
	sqlite3_finalize(pkg);
	for (size_t t = 0; t < sizeof(dbindexes) / sizeof(dbindexes[0]); t++) {
		sqlite3_finalize(w->ins[t]);
		w->ins[t] = NULL;
	}
	if (!r && rc == SQLITE_OK)
		rc = sqlite3_exec(w->db, "COMMIT; PRAGMA optimize; PRAGMA wal_checkpoint = TRUNCATE", NULL, NULL, &err);
	if (!r && rc != SQLITE_OK)
		r = xs_fail(log, EIO, "%s: cannot write the rpm database: %s", file,
			    err ? err : sqlite3_errmsg(w->db));
	sqlite3_free(err);
	return r;
}

int xs_rpmdb_sqlite_write(struct xs_log *log, int rootfd, const char *dbpath, const struct xs_rpm_keys *keys,
			  const struct xs_txn *txn, const char *arch, uint32_t tid)
{
	/* sqlite opens by path; the target is only written through the root
	 * fd, so the database is made in a private directory first */
	const char *tmp = getenv("TMPDIR");
	_cleanup_free_ char *dir = xs_asprintf("%s/xstrap-rpmdb.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		return xs_fail(log, errno, "cannot create a directory for the rpm database in %s: %s",
			       tmp && *tmp ? tmp : "/tmp", strerror(errno));
	int slot = xs_cleanup_add(dir);
	_cleanup_free_ char *file = xs_asprintf("%s/rpmdb.sqlite", dir);
	struct writer w = { 0 };
	int r = 0;
	int rc = sqlite3_open_v2(file, &w.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK)
		r = xs_fail(log, EIO, "%s: cannot create: %s", file, sqlite3_errstr(rc));
	if (!r) {
		w.pool = pool_create();
		pool_setdisttype(w.pool, DISTTYPE_RPM);
		r = fill(&w, keys, txn, arch, tid, log, file);
		pool_free(w.pool);
	}
	if (w.db && (rc = sqlite3_close(w.db)) != SQLITE_OK && !r)
		r = xs_fail(log, EIO, "%s: cannot close: %s", file, sqlite3_errstr(rc));
	struct xs_buf data = { 0 };
	if (!r && (r = xs_read_file(file, &data)) < 0)
		r = xs_fail(log, -r, "%s: cannot read it back: %s", file, strerror(-r));
	const char *rel = dbpath + strspn(dbpath, "/");
	_cleanup_free_ char *dest = xs_asprintf("%s/rpmdb.sqlite", rel);
	_cleanup_free_ char *lock = xs_asprintf("%s/.rpm.lock", rel);
	if (!r && ((r = xs_target_mkdir_p(rootfd, rel, 0755)) < 0 ||
		   (r = xs_target_write(rootfd, dest, data.data, data.len, 0644)) < 0 ||
		   (r = xs_target_write(rootfd, lock, "", 0, 0644)) < 0))
		r = xs_fail(log, -r, "cannot write %s/rpmdb.sqlite in the target: %s", dbpath, strerror(-r));
	xs_buf_free(&data);
	xs_rm_rf(dir);
	xs_cleanup_drop(slot);
	return r;
}

void xs_rpm_keys_free(struct xs_rpm_keys *k)
{
	for (size_t i = 0; i < k->n; i++) {
		xs_buf_free(&k->v[i]);
		xs_keyinfo_free(&k->info[i]);
	}
	free(k->v);
	free(k->info);
	xs_strlist_free(&k->fprs);
	memset(k, 0, sizeof(*k));
}

int xs_rpm_signing_keys(struct xs_ctx *ctx, const struct xs_txn *txn, bool armor, struct xs_rpm_keys *out)
{
	struct xs_verifier *v = NULL;
	struct xs_strlist files = { 0 }; /* the distribution's keys and the extra repositories' */
	int r = 0;
	for (size_t i = 0; i < txn->n && !r; i++) {
		const char *fpr = xs_rpm(&txn->v[i])->signer;
		if (!*fpr || xs_strlist_has(&out->fprs, fpr))
			continue;
		if (!v && ((r = xs_rpm_all_keyfiles(&ctx->o, &files, &ctx->log)) < 0 ||
			   (r = xs_verifier_new(&v, &files, &ctx->log)) < 0))
			break;
		xs_strlist_add(&out->fprs, fpr);
		out->v = xs_realloc(out->v, (out->n + 1) * sizeof(*out->v));
		out->info = xs_realloc(out->info, (out->n + 1) * sizeof(*out->info));
		memset(&out->v[out->n], 0, sizeof(*out->v));
		memset(&out->info[out->n], 0, sizeof(*out->info));
		struct xs_buf *key = &out->v[out->n];
		struct xs_keyinfo *info = &out->info[out->n++];
		r = armor ? xs_verifier_export(v, fpr, key, &ctx->log) : xs_verifier_export_binary(v, fpr, key, &ctx->log);
		if (!r)
			r = xs_verifier_key_info(v, fpr, info, &ctx->log);
	}
	xs_verifier_free(v);
	xs_strlist_free(&files);
	return r;
}

int xs_rpmdb_write_own(struct xs_ctx *ctx, int rootfd, const struct xs_txn *txn)
{
	const struct xs_suite *s = ctx->suite;
	const char *dbpath = s && s->rpmdb ? s->rpmdb : "/var/lib/rpm";
	const char *backend = s && s->rpmdb_backend ? s->rpmdb_backend : "sqlite";
	if (strcmp(backend, "sqlite"))
		return xs_fail(&ctx->log, ENOTSUP,
			       "%s: its rpm keeps the package database in the \"%s\" format, which xstrap does not write, and the package set has no rpm to write it; add rpm to the packages (--include=rpm)",
			       s && s->name ? s->name : ctx->o.suite, backend);
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	char *end = NULL;
	unsigned long long when = sde && *sde ? strtoull(sde, &end, 10) : 0;
	uint32_t tid = end && !*end && when <= UINT32_MAX ? (uint32_t)when : (uint32_t)time(NULL);
	struct xs_rpm_keys keys = { 0 };
	int r = xs_rpm_signing_keys(ctx, txn, false, &keys);
	if (!r) {
		xs_info(&ctx->log, "Writing the rpm database (%s, sqlite): the target has no rpm", dbpath);
		r = xs_rpmdb_sqlite_write(&ctx->log, rootfd, dbpath, &keys, txn,
					  ctx->o.arch ? xs_rpm_arch(ctx->o.arch) : "", tid);
	}
	xs_rpm_keys_free(&keys);
	return r;
}
