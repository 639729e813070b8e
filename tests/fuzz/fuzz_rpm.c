/* fuzz_rpm.c - the rpm reader: lead, signature header, main header (index
 * checks, file table) and payload, without a key (--no-verify) so that
 * everything past the signature is reached; the package record is made
 * to agree with the header so the identity check lets it through. */
#include "fuzz.h"
#include "pkg_rpm.h"

static char *dup_or_empty(const char *s)
{
	return xs_strdup(s ? s : "");
}

/* The record the solver would have made for the header at B (LEN bytes). */
static void identity_from(const uint8_t *b, size_t len, struct xs_pkg *p)
{
	struct xs_rpmhdr sig, hdr;
	const char *why;
	if (len < 96 || xs_rpmhdr_parse(b + 96, len - 96, &sig, &why) < 0)
		return;
	size_t off = 96 + sig.len;
	off += (8 - off % 8) % 8;
	if (off > len || xs_rpmhdr_parse(b + off, len - off, &hdr, &why) < 0)
		return;
	free(p->name);
	p->name = dup_or_empty(xs_rpmhdr_str(&hdr, XS_RPMTAG_NAME));
	p->arch = dup_or_empty(xs_rpmhdr_str(&hdr, XS_RPMTAG_ARCH));
	const char *v = xs_rpmhdr_str(&hdr, XS_RPMTAG_VERSION), *r = xs_rpmhdr_str(&hdr, XS_RPMTAG_RELEASE);
	p->version = xs_asprintf("%llu:%s-%s", (unsigned long long)xs_rpmhdr_int(&hdr, XS_RPMTAG_EPOCH, 0, 0),
				 v ? v : "", r ? r : "");
	size_t n = 0;
	free(xs_rpmhdr_strv(&hdr, XS_RPMTAG_BASENAMES, &n));
	xs_rpmhdr_bin(&sig, XS_RPMSIG_RSA, &n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_pkg f;
	if (fuzz_pkg_open(&f, data, size) < 0)
		return 0;
	identity_from(data, size, f.p);
	struct xs_buf cpio = { 0 };
	xs_rpm_decode(&f.log, NULL, f.p, &cpio);
	xs_buf_free(&cpio);
	xs_rpminfo_free(f.p->family_data);
	f.p->family_data = NULL;
	fuzz_pkg_close(&f);
	return 0;
}
