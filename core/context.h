/* context.h - the state one xstrap run carries through every stage. */
#ifndef XS_CONTEXT_H
#define XS_CONTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "log.h"

struct s_Pool;

enum xs_variant {
	XS_VARIANT_EXTRACT,   /* mmdebstrap's: unpack only, nothing configured */
	XS_VARIANT_CUSTOM,    /* only --include */
	XS_VARIANT_ESSENTIAL, /* Essential: yes */
	XS_VARIANT_MINBASE,   /* required + apt */
	XS_VARIANT_REQUIRED,  /* Priority: required (mmdebstrap's "required") */
	XS_VARIANT_IMPORTANT, /* required + important (debootstrap's default) */
	XS_VARIANT_BUILDD,    /* required + apt + build-essential */
	XS_VARIANT_STANDARD,  /* required + important + standard */
};

/* --mode: auto is root when run as root, unshare otherwise */
enum xs_mode { XS_MODE_AUTO, XS_MODE_ROOT, XS_MODE_UNSHARE };

enum xs_format_kind { XS_OUT_DIR, XS_OUT_TAR, XS_OUT_EXT2, XS_OUT_EXT3, XS_OUT_EXT4 };

struct xs_strlist {
	char **v;
	size_t n, cap;
};

struct xs_opts {
	enum xs_variant variant;
	enum xs_format_kind format;
	enum xs_mode mode;
	struct xs_strlist include, exclude, components, keyrings;
	struct xs_strlist classes;       /* --class, then what class scripts add */
	struct xs_strlist config_spaces; /* --config-space, after the built-in one */
	struct xs_strlist hook_files;    /* --hook STAGE:FILE */
	struct xs_strlist sets;          /* --set NAME=VALUE, for x.opt() */
	struct xs_strlist purge;         /* packages hooks asked to purge */
	char *hostname;
	bool list_hooks;
	char *repo_type; /* --repo-type: a family's name; NULL: as the suite is defined */
	struct xs_strlist repo_choices;     /* --enable-repo +NAME, --disable-repo -NAME, in order */
	char *arch;
	char *cache_dir;
	char *suite;
	char *target;
	char *mirror;
	char *datadir; /* repos/ lives here */
	bool no_verify;
	bool allow_older_metadata;    /* a Release (repomd.xml) older than one seen before is taken */
	bool recommends;
	bool json;
	bool merged_usr;
	int merged_usr_opt; /* --merged-usr 1, --no-merged-usr 0, default -1 */
	bool keep_policy;
	/* a Xen guest's host side (core/xen_config.c) */
	uint64_t swap_size;    /* --swap=SIZE[:PATH] in bytes; 0: no swap image */
	char *swap_path;       /* its file: PATH, or beside the target */
	char *xen_config;      /* --xen-config=FILE: the xl domU config */
	char *xen_kernel_dir;  /* --xen-kernel-dir=DIR: kernel and initrd copied here (no pygrub) */
	unsigned memory_mb;    /* --memory, 0: the default */
	unsigned vcpus;        /* --vcpus, 0: one */
	char *mac;             /* --mac; NULL: derived from the host name */
	char *bridge;          /* --bridge; NULL: xl's default */
	/* xstrap nfsroot (core/out/nfsroot.c) */
	bool nfsroot;          /* the subcommand: class NFSROOT, the export */
	bool squashfs;         /* --format=squashfs: also DIR/filesystem.squashfs, booted by fetch= */
	char *export_dir;      /* --export=DIR: kernel, initrd and boot configs */
	char *nfs_server;      /* --nfs-server; NULL: this host's name */
	char *nfs_path;        /* --nfs-path; NULL: the target's absolute path */
	char *fetch_url;       /* --fetch-url; NULL: http://SERVER/filesystem.squashfs */
	char *append;          /* --append: more kernel arguments */
	char *ssh_key;         /* --ssh-key=FILE: root's authorized_keys */
	bool updates;                 /* --updates: the suite's -updates and -security too */
	char *security_mirror;        /* --security-mirror: where -security lives */
	struct xs_strlist sources;    /* --source 'deb [signed-by=K] URI SUITE COMP...' */
	struct xs_strlist sources_files; /* --sources-file: deb822 or one-line files; rpm: .repo files */
	struct xs_strlist rpm_repos;  /* --repo NAME,URL[,KEYFILE]: extra rpm-md repositories */
	/* --format=ext2|ext3|ext4 */
	uint64_t fs_size; /* --size in bytes; 0: automatic (or a block device's size) */
	char *fs_label;   /* --fs-label; default: the hostname (16 bytes at most) */
	char *fs_uuid;    /* the image's UUID, known before the customize stage */
	char *output;     /* a tar or image: TARGET as given (target is then the staging directory) */
};

struct xs_txn;
struct xs_config;
struct xs_extraction;
struct xs_family;
struct xs_suite;

struct xs_ctx {
	struct xs_opts o;
	struct xs_log log;
	const struct xs_family *family; /* chosen once, by xs_prepare */
	void *family_state;             /* the family's own, freed by it */
	struct xs_suite *suite;         /* the suite's definition (empty when unknown) */
	struct s_Pool *pool;
	int jobs; /* parallel extraction workers */
	/* A package whose payload unpacks to more than this is not decoded
	 * into memory: the writer streams it from the cached file (decode sets
	 * p->stream). Set by the extract stage. */
	uint64_t stream_above;
	/* the extraction under way (extract.h), between start and finish */
	struct xs_extraction *extraction;
	/* for class scripts and hooks */
	struct xs_config *config;
	const struct xs_txn *txn; /* once resolved */
	int rootfd;               /* once the target is open, else -1 */
	/* The mode the target's root gets at the end of a successful build
	 * (it is 0700 until then): the directory's own, or what a package's
	 * "/" entry says (rpm's filesystem: 0555). */
	mode_t root_mode;
	const char *stage;        /* the stage whose hooks run */
};

void xs_strlist_add(struct xs_strlist *l, const char *s);
/* Adds each word of CSV (split at commas and blanks; a word that starts
 * with @, a comps group or environment, runs to the next comma: "@Minimal
 * Install"), each once. */
void xs_strlist_add_split(struct xs_strlist *l, const char *csv);
bool xs_strlist_has(const struct xs_strlist *l, const char *s);
void xs_strlist_free(struct xs_strlist *l);
/* The items of L with SEP between them, allocated ("" when none). */
char *xs_strlist_join(const struct xs_strlist *l, const char *sep);

void xs_opts_free(struct xs_opts *o);
const char *xs_variant_name(enum xs_variant v);
/* "auto", "root", "unshare"; NULL past XS_MODE_UNSHARE. */
const char *xs_mode_name(enum xs_mode m);
int xs_variant_parse(const char *s, enum xs_variant *out);

#endif
