/* pkg_rpm.h - .rpm packages: lead, signature header, main header and the
 * cpio payload (libarchive), verified and unpacked straight into the target.
 *
 * The cpio payload carries no owners, capabilities or %ghost/%config flags:
 * those come from the main header, which is kept (struct xs_rpminfo) for
 * the configure stage (owners by name, scriptlets, the rpmdb). */
#ifndef XS_PKG_RPM_H
#define XS_PKG_RPM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "context.h"
#include "txn.h"

/* header tags (rpmtag.h) */
enum {
	XS_RPMTAG_NAME = 1000,
	XS_RPMTAG_VERSION = 1001,
	XS_RPMTAG_RELEASE = 1002,
	XS_RPMTAG_EPOCH = 1003,
	XS_RPMTAG_ARCH = 1022,
	XS_RPMTAG_PREIN = 1023,
	XS_RPMTAG_POSTIN = 1024,
	XS_RPMTAG_FILESIZES = 1028,
	XS_RPMTAG_FILEMODES = 1030,
	XS_RPMTAG_FILERDEVS = 1033,
	XS_RPMTAG_FILEMTIMES = 1034,
	XS_RPMTAG_FILELINKTOS = 1036,
	XS_RPMTAG_FILEFLAGS = 1037,
	XS_RPMTAG_FILEUSERNAME = 1039,
	XS_RPMTAG_FILEGROUPNAME = 1040,
	XS_RPMTAG_TRIGGERSCRIPTS = 1065,
	XS_RPMTAG_TRIGGERNAME = 1066,
	XS_RPMTAG_TRIGGERVERSION = 1067,
	XS_RPMTAG_TRIGGERFLAGS = 1068,
	XS_RPMTAG_TRIGGERINDEX = 1069,
	XS_RPMTAG_PREINPROG = 1085,
	XS_RPMTAG_POSTINPROG = 1086,
	XS_RPMTAG_TRIGGERSCRIPTPROG = 1092,
	XS_RPMTAG_FILEDEVICES = 1095,
	XS_RPMTAG_FILEINODES = 1096,
	XS_RPMTAG_DIRINDEXES = 1116,
	XS_RPMTAG_BASENAMES = 1117,
	XS_RPMTAG_DIRNAMES = 1118,
	XS_RPMTAG_PAYLOADFORMAT = 1124,
	XS_RPMTAG_PAYLOADCOMPRESSOR = 1125,
	XS_RPMTAG_PRETRANS = 1151,
	XS_RPMTAG_POSTTRANS = 1152,
	XS_RPMTAG_PRETRANSPROG = 1153,
	XS_RPMTAG_POSTTRANSPROG = 1154,
	XS_RPMTAG_LONGFILESIZES = 5008,
	XS_RPMTAG_FILECAPS = 5010,
	XS_RPMTAG_FILETRIGGERSCRIPTS = 5066,
	XS_RPMTAG_FILETRIGGERSCRIPTPROG = 5067,
	XS_RPMTAG_FILETRIGGERNAME = 5069,
	XS_RPMTAG_FILETRIGGERINDEX = 5070,
	XS_RPMTAG_FILETRIGGERFLAGS = 5072,
	XS_RPMTAG_FILETRIGGERPRIORITIES = 5084,
	XS_RPMTAG_TRANSFILETRIGGERSCRIPTS = 5076,
	XS_RPMTAG_TRANSFILETRIGGERSCRIPTPROG = 5077,
	XS_RPMTAG_TRANSFILETRIGGERNAME = 5079,
	XS_RPMTAG_TRANSFILETRIGGERINDEX = 5080,
	XS_RPMTAG_TRANSFILETRIGGERFLAGS = 5082,
	XS_RPMTAG_TRANSFILETRIGGERPRIORITIES = 5085,
	XS_RPMTAG_SIZE = 1009,
	XS_RPMTAG_LONGSIZE = 5009,
	XS_RPMTAG_PAYLOADDIGEST = 5092,
	XS_RPMTAG_PAYLOADDIGESTALGO = 5093,
};

/* signature header tags */
enum {
	XS_RPMSIG_DSA = 267,
	XS_RPMSIG_RSA = 268,
	XS_RPMSIG_SHA256 = 273,
	XS_RPMSIG_PGP = 1002,
	XS_RPMSIG_GPG = 1005,
};

enum {
	XS_RPMFILE_CONFIG = 1 << 0,
	XS_RPMFILE_GHOST = 1 << 6,
};

enum { XS_RPMSENSE_TRIGGERIN = 1 << 16 };

/* A header as it lies in memory: the index and the data store, bounds
 * checked once by xs_rpmhdr_parse. */
struct xs_rpmhdr {
	const unsigned char *blob; /* from the 8-byte magic */
	size_t len;		   /* magic + 8 + index + store */
	uint32_t il, dl;
	const unsigned char *index, *store;
};

/* Parses a header at P (AVAIL bytes available). Returns 0 or -EBADMSG
 * with *why set to a static explanation. */
int xs_rpmhdr_parse(const unsigned char *p, size_t avail, struct xs_rpmhdr *h, const char **why);
/* The first string of TAG (STRING, I18NSTRING or STRING_ARRAY), or NULL. */
const char *xs_rpmhdr_str(const struct xs_rpmhdr *h, uint32_t tag);
/* The strings of TAG in a new array of *n pointers into the header
 * (caller frees the array only); NULL and *n = 0 when absent. */
const char **xs_rpmhdr_strv(const struct xs_rpmhdr *h, uint32_t tag, size_t *n);
/* Integer element I of TAG (INT8/16/32/64), or DEF when absent. */
uint64_t xs_rpmhdr_int(const struct xs_rpmhdr *h, uint32_t tag, size_t i, uint64_t def);
size_t xs_rpmhdr_count(const struct xs_rpmhdr *h, uint32_t tag);
/* Binary data of TAG (BIN), or NULL. */
const unsigned char *xs_rpmhdr_bin(const struct xs_rpmhdr *h, uint32_t tag, size_t *len);

/* One entry of a header as stored: its type, count and raw (big-endian)
 * data of LEN bytes. */
struct xs_rpmentry {
	uint32_t type, count;
	const unsigned char *data;
	size_t len;
};
/* TAG's entry in H; false when absent. */
bool xs_rpmhdr_entry(const struct xs_rpmhdr *h, uint32_t tag, struct xs_rpmentry *e);

/* What extraction keeps of a package for the configure stage. */
struct xs_rpmfile {
	char *path; /* "/usr/bin/x" as the header names it */
	const char *user, *group; /* into the header */
	const char *caps;	  /* "" or NULL when none */
	mode_t mode;
	uint32_t flags;
};

struct xs_rpminfo {
	unsigned char *hdrblob; /* a copy of the main header */
	struct xs_rpmhdr hdr;
	unsigned char *sigblob; /* the lead and signature header, for the rpmdb stub */
	size_t siglen;
	struct xs_rpmfile *files;
	size_t nfiles;
	char signer[64]; /* fingerprint of the key that signed it, "" unverified */
	/* the mode the package's "/" entry gives the target's root (0 when it
	 * has none): applied at the end of the build, not while it runs */
	mode_t root_mode;
	/* a streamed payload (p->stream): where it starts in the file and
	 * its SHA256 from the verified header ("" when none is checked) */
	uint64_t payload_off;
	char payload_sha256[XS_SHA256_HEX];
};

void xs_rpminfo_free(struct xs_rpminfo *ri);
/* P's rpm record (p->family_data), set by xs_rpm_decode. */
static inline struct xs_rpminfo *xs_rpm(const struct xs_pkg *p)
{
	return p->family_data;
}
/* Whether a file owner's name in a header is root (absent counts as root). */
bool xs_rpm_is_root(const char *name);

struct xs_verifier;
/* Reads P's file, checks its header digest, signature (with V; NULL when
 * --no-verify) and payload digest, keeps the header in xs_rpm(p) and the
 * decompressed cpio payload in *cpio. Run by parallel workers. */
int xs_rpm_decode(struct xs_log *log, struct xs_verifier *v, struct xs_pkg *p, struct xs_buf *cpio);
/* (xs_rpm_decode_within: a package read whole whose SHA256 is not
 * p->sha256 gives -ESTALE with p->found_sha256 set and no message, as
 * xs_deb_decode_within does.)
 * xs_rpm_decode in bounded memory: a package whose files add up to more
 * than LIMIT bytes (the header's size) is verified in a streaming pass and
 * left in the file (p->stream; xs_rpm_write streams it from there),
 * unless only the old signature over header and payload vouches for it. */
int xs_rpm_decode_within(struct xs_log *log, struct xs_verifier *v, struct xs_pkg *p, struct xs_buf *cpio,
			 uint64_t limit);
/* Lays the payload down in the target behind ROOTFD, with mode, mtime and
 * capabilities from the header; owners other than root are left to the
 * configure stage (they may not exist before the package's %pre). */
/* Sets file capabilities (rpm's text form, "cap_net_raw=ep") on REL. */
int xs_rpm_set_caps(int rootfd, const char *rel, const char *text);
int xs_rpm_write(struct xs_log *log, int rootfd, struct xs_pkg *p, const struct xs_buf *cpio);

#endif
