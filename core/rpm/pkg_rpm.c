/* pkg_rpm.c - .rpm packages: headers, signatures and the cpio payload, verified and unpacked. */
#include "pkg_rpm.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "target.h"
#include "util.h"
#include "verify.h"
#include "writer.h"

enum { T_NULL, T_CHAR, T_INT8, T_INT16, T_INT32, T_INT64, T_STRING, T_BIN, T_STRING_ARRAY, T_I18NSTRING };

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static const unsigned char header_magic[4] = { 0x8e, 0xad, 0xe8, 0x01 };
static const unsigned char lead_magic[4] = { 0xed, 0xab, 0xee, 0xdb };

static size_t type_size(uint32_t type)
{
	switch (type) {
	case T_CHAR:
	case T_INT8:
	case T_BIN:
		return 1;
	case T_INT16:
		return 2;
	case T_INT32:
		return 4;
	case T_INT64:
		return 8;
	default:
		return 0;
	}
}

/* rpm's region tags (HEADERIMAGE, HEADERSIGNATURES, HEADERIMMUTABLE): the
 * first entry may be one; its data is the trailer at the end of the store. */
static bool is_region_tag(uint32_t tag)
{
	return tag >= 61 && tag <= 63;
}

/* Checks one index entry of H against the store; *END is where the previous
 * entry's data ended. As rpm does (hdrblobVerifyInfo), every entry but the
 * region tag must start at or after that end and be aligned for its type, so
 * entries neither overlap nor repeat and the string scan below reads each
 * byte of the store at most once: the work is bounded by il + dl. */
static int check_entry(const struct xs_rpmhdr *h, uint32_t i, uint32_t *end, const char **why)
{
	const unsigned char *e = h->index + (size_t)i * 16;
	uint32_t tag = be32(e), type = be32(e + 4), off = be32(e + 8), count = be32(e + 12);
	bool region = i == 0 && is_region_tag(tag);
	if (type > T_I18NSTRING || off > h->dl) {
		*why = "corrupt header index";
		return -EBADMSG;
	}
	size_t sz = type_size(type);
	if (sz > 1 && off % sz) {
		*why = "misaligned header entry";
		return -EBADMSG;
	}
	if (!region && off < *end) {
		*why = "overlapping or unsorted header entries";
		return -EBADMSG;
	}
	uint64_t stop = off;
	if (sz) {
		stop += (uint64_t)count * sz;
		if (stop > h->dl) {
			*why = "header entry beyond its data";
			return -EBADMSG;
		}
	} else if (type == T_STRING || type == T_STRING_ARRAY || type == T_I18NSTRING) {
		if (type == T_STRING && count != 1 && i > 0) {
			*why = "corrupt header string";
			return -EBADMSG;
		}
		/* every string must end inside the store */
		const unsigned char *s = h->store + off, *z = s, *lim = h->store + h->dl;
		for (uint32_t k = 0; k < count; k++) {
			z = memchr(s, 0, lim - s);
			if (!z) {
				*why = "unterminated header string";
				return -EBADMSG;
			}
			s = z + 1;
		}
		stop = s - h->store;
	}
	if (!region)
		*end = (uint32_t)stop;
	return 0;
}

int xs_rpmhdr_parse(const unsigned char *p, size_t avail, struct xs_rpmhdr *h, const char **why)
{
	memset(h, 0, sizeof(*h));
	if (avail < 16) {
		*why = "truncated header";
		return -EBADMSG;
	}
	if (memcmp(p, header_magic, 4)) {
		*why = "bad header magic";
		return -EBADMSG;
	}
	uint32_t il = be32(p + 8), dl = be32(p + 12);
	if (il > 0xffff || dl > (256u << 20)) {
		*why = "header too large";
		return -EBADMSG;
	}
	size_t len = 16 + (size_t)il * 16 + dl;
	if (len > avail) {
		*why = "truncated header";
		return -EBADMSG;
	}
	h->blob = p;
	h->len = len;
	h->il = il;
	h->dl = dl;
	h->index = p + 16;
	h->store = p + 16 + (size_t)il * 16;
	uint32_t end = 0;
	for (uint32_t i = 0; i < il; i++) {
		int r = check_entry(h, i, &end, why);
		if (r < 0) {
			memset(h, 0, sizeof(*h));
			return r;
		}
	}
	return 0;
}

static bool find(const struct xs_rpmhdr *h, uint32_t tag, uint32_t *type, const unsigned char **data,
		 uint32_t *count)
{
	if (!h || !h->index)
		return false;
	for (uint32_t i = 0; i < h->il; i++) {
		const unsigned char *e = h->index + (size_t)i * 16;
		if (be32(e) != tag)
			continue;
		*type = be32(e + 4);
		*data = h->store + be32(e + 8);
		*count = be32(e + 12);
		return true;
	}
	return false;
}

bool xs_rpmhdr_entry(const struct xs_rpmhdr *h, uint32_t tag, struct xs_rpmentry *e)
{
	if (!find(h, tag, &e->type, &e->data, &e->count))
		return false;
	size_t sz = type_size(e->type);
	if (sz) {
		e->len = (size_t)e->count * sz;
		return true;
	}
	/* strings: xs_rpmhdr_parse checked that each ends inside the store */
	const unsigned char *s = e->data;
	for (uint32_t k = 0; k < e->count; k++)
		s += strlen((const char *)s) + 1;
	e->len = (size_t)(s - e->data);
	return true;
}

const char *xs_rpmhdr_str(const struct xs_rpmhdr *h, uint32_t tag)
{
	uint32_t type, count;
	const unsigned char *d;
	if (!find(h, tag, &type, &d, &count))
		return NULL;
	if (type != T_STRING && type != T_STRING_ARRAY && type != T_I18NSTRING)
		return NULL;
	return count ? (const char *)d : NULL;
}

const char **xs_rpmhdr_strv(const struct xs_rpmhdr *h, uint32_t tag, size_t *n)
{
	uint32_t type, count;
	const unsigned char *d;
	*n = 0;
	if (!find(h, tag, &type, &d, &count) || !count ||
	    (type != T_STRING && type != T_STRING_ARRAY && type != T_I18NSTRING))
		return NULL;
	const char **v = xs_calloc(count, sizeof(*v));
	const char *s = (const char *)d;
	for (uint32_t i = 0; i < count; i++) {
		v[i] = s;
		s += strlen(s) + 1;
	}
	*n = count;
	return v;
}

size_t xs_rpmhdr_count(const struct xs_rpmhdr *h, uint32_t tag)
{
	uint32_t type, count;
	const unsigned char *d;
	return find(h, tag, &type, &d, &count) ? count : 0;
}

uint64_t xs_rpmhdr_int(const struct xs_rpmhdr *h, uint32_t tag, size_t i, uint64_t def)
{
	uint32_t type, count;
	const unsigned char *d;
	if (!find(h, tag, &type, &d, &count) || i >= count)
		return def;
	switch (type) {
	case T_CHAR:
	case T_INT8:
		return d[i];
	case T_INT16:
		return (uint64_t)d[2 * i] << 8 | d[2 * i + 1];
	case T_INT32:
		return be32(d + 4 * i);
	case T_INT64:
		return (uint64_t)be32(d + 8 * i) << 32 | be32(d + 8 * i + 4);
	default:
		return def;
	}
}

const unsigned char *xs_rpmhdr_bin(const struct xs_rpmhdr *h, uint32_t tag, size_t *len)
{
	uint32_t type, count;
	const unsigned char *d;
	if (!find(h, tag, &type, &d, &count) || type != T_BIN)
		return NULL;
	*len = count;
	return d;
}

void xs_rpminfo_free(struct xs_rpminfo *ri)
{
	if (!ri)
		return;
	for (size_t i = 0; i < ri->nfiles; i++)
		free(ri->files[i].path);
	free(ri->files);
	free(ri->hdrblob);
	free(ri->sigblob);
	free(ri);
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* The file table: names from DIRNAMES/BASENAMES/DIRINDEXES, the rest from
 * the per-file arrays; every array must have one element per file. */
static int load_files(struct xs_log *log, const char *what, struct xs_rpminfo *ri)
{
	const struct xs_rpmhdr *h = &ri->hdr;
	size_t nb, nd, nu, ng, nc;
	_cleanup_free_ const char **bases = xs_rpmhdr_strv(h, XS_RPMTAG_BASENAMES, &nb);
	_cleanup_free_ const char **dirs = xs_rpmhdr_strv(h, XS_RPMTAG_DIRNAMES, &nd);
	_cleanup_free_ const char **users = xs_rpmhdr_strv(h, XS_RPMTAG_FILEUSERNAME, &nu);
	_cleanup_free_ const char **groups = xs_rpmhdr_strv(h, XS_RPMTAG_FILEGROUPNAME, &ng);
	_cleanup_free_ const char **caps = xs_rpmhdr_strv(h, XS_RPMTAG_FILECAPS, &nc);
	if (!nb)
		return 0;
	if (xs_rpmhdr_count(h, XS_RPMTAG_DIRINDEXES) != nb || xs_rpmhdr_count(h, XS_RPMTAG_FILEMODES) != nb ||
	    nu != nb || ng != nb || (nc && nc != nb))
		return xs_fail(log, EBADMSG, "%s: the header's file lists disagree in length (%zu names); refusing the package",
			       what, nb);
	ri->files = xs_calloc(nb, sizeof(*ri->files));
	ri->nfiles = nb;
	for (size_t i = 0; i < nb; i++) {
		struct xs_rpmfile *f = &ri->files[i];
		uint64_t di = xs_rpmhdr_int(h, XS_RPMTAG_DIRINDEXES, i, UINT64_MAX);
		if (di >= nd)
			return xs_fail(log, EBADMSG, "%s: file %s has no directory in the header", what, bases[i]);
		f->path = xs_asprintf("%s%s", dirs[di], bases[i]);
		f->user = users[i];
		f->group = groups[i];
		f->caps = nc ? caps[i] : NULL;
		f->mode = (mode_t)xs_rpmhdr_int(h, XS_RPMTAG_FILEMODES, i, 0);
		f->flags = (uint32_t)xs_rpmhdr_int(h, XS_RPMTAG_FILEFLAGS, i, 0);
	}
	return 0;
}

static int hexcmp_sha256(const void *data, size_t len, const char *want, char got[XS_SHA256_HEX])
{
	struct xs_digest *d = xs_digest_new_sha256();
	xs_digest_add(d, data, len);
	xs_digest_final(d, got);
	return strcasecmp(got, want);
}

/* The length of the header whose 16-byte intro is at P. */
static size_t header_len(const unsigned char *p)
{
	uint32_t il = be32(p + 8), dl = be32(p + 12);
	if (il > 0xffff || dl > (256u << 20))
		return 16; /* xs_rpmhdr_parse says why */
	return 16 + (size_t)il * 16 + dl;
}

/* Reads FD from where it is into F until F holds WANT bytes or the file
 * ends (1 then, 0 before). */
static int read_upto(int fd, struct xs_buf *f, size_t want)
{
	while (f->len < want) {
		char buf[1 << 16];
		size_t n = want - f->len < sizeof(buf) ? want - f->len : sizeof(buf);
		ssize_t k = read(fd, buf, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		if (k == 0)
			return 1;
		xs_buf_add(f, buf, (size_t)k);
	}
	return 0;
}

/* The lead and both headers of the file FD (at its start) into F (a short
 * file leaves what there is, for xs_rpmhdr_parse to refuse). */
static int read_headers(int fd, struct xs_buf *f)
{
	size_t want = 96 + 16;
	for (int step = 0; step < 3; step++) {
		int r = read_upto(fd, f, want);
		if (r)
			return r < 0 ? r : 0;
		const unsigned char *b = (const unsigned char *)f->data;
		if (step == 0) {
			size_t sig_end = 96 + header_len(b + 96);
			want = sig_end + (8 - sig_end % 8) % 8 + 16;
		} else if (step == 1)
			want = want - 16 + header_len(b + want - 16);
	}
	return 0;
}

/* The header must describe the package the solver chose from the signed
 * metadata: a validly signed but different package (an older release with
 * known holes, another architecture) served under its name is refused. */
static int check_identity(struct xs_log *log, const char *label, const struct xs_pkg *p,
			  const struct xs_rpmhdr *h)
{
	const char *name = xs_rpmhdr_str(h, XS_RPMTAG_NAME), *arch = xs_rpmhdr_str(h, XS_RPMTAG_ARCH);
	const char *ver = xs_rpmhdr_str(h, XS_RPMTAG_VERSION), *rel = xs_rpmhdr_str(h, XS_RPMTAG_RELEASE);
	_cleanup_free_ char *evr = xs_asprintf("%llu:%s-%s",
					       (unsigned long long)xs_rpmhdr_int(h, XS_RPMTAG_EPOCH, 0, 0),
					       ver ? ver : "", rel ? rel : "");
	const struct {
		const char *what, *chosen, *found;
	} f[] = {
		{ "name", p->name, name },
		{ "epoch:version-release", p->version, evr },
		{ "architecture", p->arch, arch },
	};
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (!f[i].chosen || !f[i].found || strcmp(f[i].chosen, f[i].found))
			return xs_fail(log, EBADMSG,
				       "%s: the package's header gives %s \"%s\", the repository metadata \"%s\" (a different package was served under this name); refusing it",
				       label, f[i].what, f[i].found ? f[i].found : "(none)",
				       f[i].chosen ? f[i].chosen : "(none)");
	return 0;
}

int xs_rpm_decode(struct xs_log *log, struct xs_verifier *v, struct xs_pkg *p, struct xs_buf *cpio)
{
	int r = xs_rpm_decode_within(log, v, p, cpio, UINT64_MAX);
	return r == -ESTALE ? xs_cache_pkg_changed(log, p) : r;
}

/* Whether P (its headers in F) streams: its files exceed LIMIT and its
 * payload can be verified without holding it (a SHA256 in the signed
 * header, or no verification at all). */
static bool streams(struct xs_verifier *v, const struct xs_buf *f, uint64_t limit)
{
	const unsigned char *b = (const unsigned char *)f->data;
	struct xs_rpmhdr sig, hdr;
	const char *why;
	if (f->len < 96 + 16 || xs_rpmhdr_parse(b + 96, f->len - 96, &sig, &why) < 0)
		return false;
	size_t off = 96 + sig.len;
	off += (8 - off % 8) % 8;
	if (off > f->len || xs_rpmhdr_parse(b + off, f->len - off, &hdr, &why) < 0)
		return false;
	uint64_t size = xs_rpmhdr_int(&hdr, XS_RPMTAG_LONGSIZE, 0, xs_rpmhdr_int(&hdr, XS_RPMTAG_SIZE, 0, 0));
	if (size <= limit)
		return false;
	size_t len;
	return !v || ((xs_rpmhdr_bin(&sig, XS_RPMSIG_RSA, &len) || xs_rpmhdr_bin(&sig, XS_RPMSIG_DSA, &len)) &&
		      xs_rpmhdr_str(&hdr, XS_RPMTAG_PAYLOADDIGEST) &&
		      xs_rpmhdr_int(&hdr, XS_RPMTAG_PAYLOADDIGESTALGO, 0, 8) == 8);
}

int xs_rpm_decode_within(struct xs_log *log, struct xs_verifier *v, struct xs_pkg *p, struct xs_buf *cpio,
			 uint64_t limit)
{
	struct xs_buf f = { 0 };
	const char *what = p->cache_path;
	_cleanup_free_ char *label = xs_asprintf("%s (%s)", base_name(p->filename && *p->filename ? p->filename : p->cache_path),
						 p->name);
	/* opened once: every pass reads this descriptor, never the name
	 * again, and a symlink in the cache is never one of its files */
	_cleanup_close_ int fd = open(p->cache_path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	int r = fd < 0 ? -errno : read_headers(fd, &f);
	p->stream = !r && streams(v, &f, limit);
	p->found_sha256[0] = 0;
	xs_cache_pkg_drop_fd(p);
	if (!r && !p->stream) {
		r = read_upto(fd, &f, SIZE_MAX);
		r = r < 0 ? r : 0;
		/* the file as the signed metadata names it, before anything of
		 * it counts (a second signed build of the same NEVRA differs) */
		char got[XS_SHA256_HEX];
		if (!r && p->sha256[0] && (xs_sha256_mem(f.data ? f.data : "", f.len, got), strcmp(got, p->sha256))) {
			memcpy(p->found_sha256, got, sizeof(got));
			xs_buf_free(&f);
			return -ESTALE;
		}
	}
	if (r < 0) {
		xs_buf_free(&f);
		return xs_fail(log, -r, "%s: %s", what, strerror(-r));
	}
	const unsigned char *b = (const unsigned char *)f.data;
	const char *why = NULL;
	struct xs_rpmhdr sig, hdr;
	struct archive *a = NULL;
	struct xs_rpminfo *ri = NULL;
	if (f.len < 96 || memcmp(b, lead_magic, 4)) {
		r = xs_fail(log, EBADMSG, "%s: not an rpm package (no rpm lead)", label);
		goto out;
	}
	if (xs_rpmhdr_parse(b + 96, f.len - 96, &sig, &why) < 0) {
		r = xs_fail(log, EBADMSG, "%s: signature header: %s", label, why);
		goto out;
	}
	size_t off = 96 + sig.len;
	off += (8 - off % 8) % 8;
	if (off > f.len || xs_rpmhdr_parse(b + off, f.len - off, &hdr, &why) < 0) {
		r = xs_fail(log, EBADMSG, "%s: header: %s", label, why ? why : "truncated");
		goto out;
	}
	const unsigned char *payload = hdr.blob + hdr.len;
	uint64_t payload_off = (uint64_t)(payload - b);
	size_t plen = p->stream ? 0 : f.len - (payload - b);
	char got[XS_SHA256_HEX];
	if (v) {
		const char *hsum = xs_rpmhdr_str(&sig, XS_RPMSIG_SHA256);
		if (hsum && hexcmp_sha256(hdr.blob, hdr.len, hsum, got)) {
			r = xs_fail(log, EBADMSG, "%s: header SHA256 mismatch: expected %s, found %s", label, hsum, got);
			goto out;
		}
		size_t slen = 0, llen = 0;
		const unsigned char *s = xs_rpmhdr_bin(&sig, XS_RPMSIG_RSA, &slen);
		if (!s)
			s = xs_rpmhdr_bin(&sig, XS_RPMSIG_DSA, &slen);
		/* the old signature over header and payload */
		const unsigned char *legacy = xs_rpmhdr_bin(&sig, XS_RPMSIG_PGP, &llen);
		if (!legacy)
			legacy = xs_rpmhdr_bin(&sig, XS_RPMSIG_GPG, &llen);
		if (s)
			r = xs_verify_detached(v, label, (const char *)hdr.blob, hdr.len, (const char *)s, slen, log);
		else if (legacy)
			r = xs_verify_detached(v, label, (const char *)hdr.blob, f.len - (hdr.blob - b),
					       (const char *)legacy, llen, log);
		else
			r = xs_fail(log, EBADMSG, "%s: the package is not signed; refusing it (--no-verify skips this check)",
				    label);
		if (r < 0)
			goto out;
		const char *psum = xs_rpmhdr_str(&hdr, XS_RPMTAG_PAYLOADDIGEST);
		uint64_t algo = xs_rpmhdr_int(&hdr, XS_RPMTAG_PAYLOADDIGESTALGO, 0, 8);
		if (psum && algo == 8) {
			if (p->stream) {
				/* a pass of its own, before any byte lands in the
				 * target: the payload against the signed header's
				 * digest and, with the headers read above, the whole
				 * file against the signed metadata's */
				struct xs_cache_reader *rd;
				char got_file[XS_SHA256_HEX];
				if ((r = xs_cache_reader_open_fd(fd, payload_off, psum, &rd)) < 0) {
					r = xs_fail(log, -r, "%s: %s", label, strerror(-r));
					goto out;
				}
				if (p->sha256[0])
					xs_cache_reader_whole_file(rd, b, payload_off, p->sha256);
				/* the writer reads the bytes checked here, not the name */
				xs_cache_reader_keep_fd(rd, p);
				r = xs_cache_reader_close_file(rd, got, got_file);
				if (r == -ESTALE) {
					memcpy(p->found_sha256, got_file, sizeof(got_file));
					xs_cache_pkg_drop_fd(p);
					goto out;
				}
				if (r < 0) {
					r = xs_fail(log, -r, "%s: payload SHA256 mismatch: expected %s, found %s", label,
						    psum, got);
					goto out;
				}
			} else if (hexcmp_sha256(payload, plen, psum, got)) {
				r = xs_fail(log, EBADMSG, "%s: payload SHA256 mismatch: expected %s, found %s", label,
					    psum, got);
				goto out;
			}
		} else if (s) {
			/* A header-only signature vouches for the payload only
			 * through the header's SHA256 of it; without one (rpm <
			 * 4.14), only the old signature over both can. */
			r = legacy ? xs_verify_detached(v, label, (const char *)hdr.blob, f.len - (hdr.blob - b),
							(const char *)legacy, llen, log)
				   : xs_fail(log, EBADMSG,
					     "%s: the signed header has no SHA256 digest of the payload, so the payload cannot be verified; refusing the package (--no-verify skips this check)",
					     label);
			if (r < 0)
				goto out;
		}
	}
	if ((r = check_identity(log, label, p, &hdr)) < 0)
		goto out;
	const char *fmt = xs_rpmhdr_str(&hdr, XS_RPMTAG_PAYLOADFORMAT);
	if (fmt && strcmp(fmt, "cpio")) {
		r = xs_fail(log, ENOTSUP, "%s: payload format \"%s\" is not supported (expected cpio)", label, fmt);
		goto out;
	}
	ri = xs_calloc(1, sizeof(*ri));
	ri->siglen = hdr.blob - b;
	ri->sigblob = xs_malloc(ri->siglen);
	memcpy(ri->sigblob, b, ri->siglen);
	ri->hdrblob = xs_malloc(hdr.len);
	memcpy(ri->hdrblob, hdr.blob, hdr.len);
	xs_rpmhdr_parse(ri->hdrblob, hdr.len, &ri->hdr, &why);
	if ((r = load_files(log, label, ri)) < 0)
		goto out;
	if (p->stream) {
		ri->payload_off = payload_off;
		const char *psum = v ? xs_rpmhdr_str(&ri->hdr, XS_RPMTAG_PAYLOADDIGEST) : NULL;
		snprintf(ri->payload_sha256, sizeof(ri->payload_sha256), "%s", psum ? psum : "");
		goto done;
	}
	/* the payload: any compression libarchive knows, decompressed whole */
	a = archive_read_new();
	archive_read_support_filter_all(a);
	archive_read_support_format_raw(a);
	struct archive_entry *e;
	if (archive_read_open_memory(a, payload, plen) != ARCHIVE_OK ||
	    archive_read_next_header(a, &e) != ARCHIVE_OK) {
		r = xs_fail(log, EBADMSG, "%s: cannot open the payload: %s", label, archive_error_string(a));
		goto out;
	}
	const void *buf;
	size_t size;
	la_int64_t pos;
	int ar;
	while ((ar = archive_read_data_block(a, &buf, &size, &pos)) == ARCHIVE_OK)
		xs_buf_add(cpio, buf, size);
	if (ar != ARCHIVE_EOF) {
		r = xs_fail(log, EBADMSG, "%s: payload: %s", label, archive_error_string(a));
		goto out;
	}
done:
	if (v)
		snprintf(ri->signer, sizeof(ri->signer), "%s", xs_verifier_signer(v));
	p->family_data = ri;
	ri = NULL;
	r = 0;
out:
	if (a)
		archive_read_free(a);
	xs_rpminfo_free(ri);
	xs_buf_free(&f);
	return r;
}

static int cmp_path(const void *a, const void *b, void *arg)
{
	const struct xs_rpmfile *f = arg;
	return strcmp(f[*(const size_t *)a].path, f[*(const size_t *)b].path);
}

bool xs_rpm_is_root(const char *name)
{
	return !name || !strcmp(name, "root");
}

int xs_rpm_set_caps(int rootfd, const char *rel, const char *text)
{
	int fd = xs_target_open(rootfd, rel, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return fd;
	cap_t c = cap_from_text(text);
	int r = 0;
	if (!c)
		r = -EINVAL;
	else if (cap_set_fd(fd, c) < 0)
		r = -errno;
	if (c)
		cap_free(c);
	close(fd);
	return r;
}

/* Writes the data of entry E into the existing REL (a hard link whose
 * data came with a later link, as in rpm's cpio). */
static int write_data(struct xs_log *log, int rootfd, struct xs_pkg *p, struct archive *a, const char *rel,
		      time_t mtime)
{
	int fd = xs_target_open(rootfd, rel, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return xs_fail(log, -fd, "%s: cannot open /%s in the target: %s", p->name, rel, strerror(-fd));
	const void *buf;
	size_t size;
	la_int64_t off;
	int r, err = 0;
	while ((r = archive_read_data_block(a, &buf, &size, &off)) == ARCHIVE_OK)
		if (pwrite(fd, buf, size, off) != (ssize_t)size) {
			err = errno ? errno : EIO;
			break;
		}
	struct timespec ts[2] = { { mtime, 0 }, { mtime, 0 } };
	futimens(fd, ts);
	close(fd);
	if (err || r < ARCHIVE_OK)
		return xs_fail(log, err ? err : EBADMSG, "%s: cannot write /%s: %s", p->name, rel,
			       err ? strerror(err) : archive_error_string(a));
	return 0;
}

int xs_rpm_write(struct xs_log *log, int rootfd, struct xs_pkg *p, const struct xs_buf *cpio)
{
	struct xs_rpminfo *ri = xs_rpm(p);
	if (!ri)
		return xs_fail(log, EINVAL, "%s: not decoded", p->name);
	size_t n = ri->nfiles;
	_cleanup_free_ size_t *by_path = xs_calloc(n ? n : 1, sizeof(*by_path));
	_cleanup_free_ bool *seen = xs_calloc(n ? n : 1, sizeof(*seen));
	for (size_t i = 0; i < n; i++)
		by_path[i] = i;
	qsort_r(by_path, n, sizeof(*by_path), cmp_path, ri->files);
	struct archive *a = archive_read_new();
	archive_read_support_format_cpio(a);
	struct xs_writer *w = xs_writer_new(rootfd, NULL);
	struct archive_entry *e;
	int r = 0, ar = ARCHIVE_EOF;
	/* streamed: the payload from the file, its SHA256 checked in the same pass */
	struct xs_cache_reader *rd = NULL;
	if (p->stream) {
		archive_read_support_filter_all(a);
		r = xs_cache_reader_open_pkg(p, ri->payload_off, *ri->payload_sha256 ? ri->payload_sha256 : NULL,
					 &rd);
		if (r < 0)
			r = xs_fail(log, -r, "%s: %s", p->cache_path, strerror(-r));
		else if (xs_cache_reader_archive(rd, a) < 0)
			r = xs_fail(log, EBADMSG, "%s: payload: %s", p->cache_path, archive_error_string(a));
	} else if (archive_read_open_memory(a, cpio->data, cpio->len) != ARCHIVE_OK)
		r = xs_fail(log, EBADMSG, "%s: payload: %s", p->cache_path, archive_error_string(a));
	while (!r && (ar = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *raw = archive_entry_pathname(e);
		_cleanup_free_ char *rel = xs_target_normalize(raw ? raw : "");
		if (!rel) {
			r = xs_fail(log, EPERM, "%s: payload entry \"%s\" leaves the target (\"..\"); refusing the package",
				    p->name, raw);
			break;
		}
		_cleanup_free_ char *abs = xs_asprintf("/%s", rel);
		/* binary search by path in the header's file list */
		size_t lo = 0, hi = n, idx = SIZE_MAX;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			int c = strcmp(ri->files[by_path[mid]].path, abs);
			if (!c) {
				idx = by_path[mid];
				break;
			}
			if (c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (idx == SIZE_MAX) {
			r = xs_fail(log, EBADMSG, "%s: payload entry %s is not in the package header; refusing the package",
				    p->name, abs);
			break;
		}
		struct xs_rpmfile *f = &ri->files[idx];
		seen[idx] = true;
		if ((f->mode & S_IFMT) != (archive_entry_mode(e) & S_IFMT)) {
			r = xs_fail(log, EBADMSG, "%s: %s: the payload's file type (0%o) differs from the header's (0%o)",
				    p->name, abs, archive_entry_mode(e) & S_IFMT, f->mode & S_IFMT);
			break;
		}
		/* the header has the truth: mode and mtime; owners are names,
		 * resolved after %pre in the configure stage */
		archive_entry_set_mode(e, f->mode);
		archive_entry_set_uid(e, 0);
		archive_entry_set_gid(e, 0);
		archive_entry_set_mtime(e, (time_t)xs_rpmhdr_int(&ri->hdr, XS_RPMTAG_FILEMTIMES, idx, 0), 0);
		if (!*rel) {
			/* the root directory itself (filesystem's "/"): its mode,
			 * for the end of the build (the root is 0700 until then) */
			if (S_ISDIR(f->mode))
				ri->root_mode = f->mode & 07777;
			continue;
		}
		bool hl_data = archive_entry_hardlink(e) && archive_entry_size(e) > 0;
		if ((r = xs_writer_entry(log, w, p, a, e)) < 0)
			break;
		if (hl_data && (r = write_data(log, rootfd, p, a, rel, archive_entry_mtime(e))) < 0)
			break;
		if (S_ISDIR(f->mode)) {
			/* rpm sets a directory's mode even when it exists already */
			int fd = xs_target_open(rootfd, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd >= 0) {
				fchmod(fd, f->mode & 07777);
				close(fd);
			}
		}
		if (f->caps && *f->caps && xs_rpm_is_root(f->user) && xs_rpm_is_root(f->group) &&
		    (r = xs_rpm_set_caps(rootfd, rel, f->caps)) < 0) {
			r = xs_fail(log, -r, "%s: cannot set capabilities \"%s\" on %s: %s", p->name, f->caps, abs,
				    strerror(-r));
			break;
		}
	}
	if (!r && ar != ARCHIVE_EOF)
		r = xs_fail(log, EBADMSG, "%s: payload: %s", p->cache_path, archive_error_string(a));
	for (size_t i = 0; i < n && !r; i++)
		if (!seen[i] && !(ri->files[i].flags & XS_RPMFILE_GHOST))
			r = xs_fail(log, EBADMSG, "%s: %s is in the header but not in the payload; refusing the package",
				    p->name, ri->files[i].path);
	if (rd) {
		char got[XS_SHA256_HEX];
		int c = xs_cache_reader_close(rd, got);
		xs_cache_pkg_drop_fd(p);
		if (!r && c < 0)
			r = xs_fail(log, -c, "%s: payload %s while it was unpacked: expected SHA256 %s, found %s; the target is incomplete",
				    p->cache_path, c == -EBADMSG ? "changed" : strerror(-c), ri->payload_sha256, got);
	}
	xs_writer_free(w);
	archive_read_free(a);
	return r;
}
