/* out_walk.h - one sorted walk of a finished root, read once and shared by
 * the output writers (tar, ext2/3/4): per entry its stat, symlink target,
 * extended attributes (file capabilities and POSIX ACLs are xattrs:
 * security.capability, system.posix_acl_access/default) and which entry
 * holds the first name of its inode. Entries come in a stable order: the
 * root first, then depth first with the names of each directory sorted
 * bytewise, every directory before what it holds. */
#ifndef XS_OUT_WALK_H
#define XS_OUT_WALK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "log.h"

struct xs_xattr {
	char *name;
	void *value;
	size_t len;
};

struct xs_walk_entry {
	char *path;        /* relative to the root, no leading "./"; "" is the root */
	const char *name;  /* the last component, inside path */
	size_t parent;     /* index of the directory holding it (the root: 0) */
	struct stat st;
	char *link;        /* a symlink's target, else NULL */
	struct xs_xattr *xattrs; /* sorted by name */
	size_t nxattrs;
	size_t first;      /* index of the first entry naming the same inode (itself if none) */
	uint32_t nlink;    /* names of this inode inside the tree (directories: st_nlink) */
};

struct xs_walk {
	struct xs_walk_entry *v;
	size_t n, cap;
	int rootfd;        /* the root, open while the walk lives */
	uint64_t data_bytes; /* bytes of regular files, each inode once */
};

/* Walks ROOT; no symlink is followed. */
int xs_walk_tree(struct xs_log *log, const char *root, struct xs_walk *w);
void xs_walk_free(struct xs_walk *w);

/* Opens entry I (a regular file) for reading; -errno on failure. */
int xs_walk_open(const struct xs_walk *w, size_t i);

/* The xattr NAME of entry E, or NULL. */
const struct xs_xattr *xs_walk_xattr(const struct xs_walk_entry *e, const char *name);

#endif
