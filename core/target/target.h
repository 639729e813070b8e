/* target.h - the target is a jail: every write goes through a root fd with
 * RESOLVE_IN_ROOT, so neither "../", absolute names nor symlinks planted by
 * earlier packages lead outside it. */
#ifndef XS_TARGET_H
#define XS_TARGET_H

#include <stdbool.h>
#include <sys/types.h>

#include "context.h"

/* Normalizes an archive path ("./usr/bin/x", "/etc/y") to a relative path
 * ("usr/bin/x"); "." and "./" become "". Returns NULL when a component is
 * ".." (such an entry would leave the target). Caller frees. */
char *xs_target_normalize(const char *path);

/* Opens the directory that will hold REL (relative, normalized), resolved
 * inside ROOTFD, creating missing parents (mode 0755, owner root) when
 * CREATE. *base receives a pointer into REL at the last component. */
int xs_target_parent(int rootfd, const char *rel, bool create, const char **base);

/* Opens REL inside the root with FLAGS (O_PATH, O_RDONLY, ...). */
int xs_target_open(int rootfd, const char *rel, int flags);

/* Writes a whole file inside the target, replacing what is there. */
int xs_target_write(int rootfd, const char *rel, const void *data, size_t len, mode_t mode);
int xs_target_mkdir_p(int rootfd, const char *rel, mode_t mode);
int xs_target_symlink(int rootfd, const char *rel, const char *to);
int xs_target_unlink(int rootfd, const char *rel);

/* Gives BASE in DFD (a directory opened inside the root) the owner
 * UID:GID (none when UID is -1) and, unless BASE is a symlink, MODE, all
 * through one O_PATH|O_NOFOLLOW descriptor: a symlink that a script or a
 * later package put there is changed itself, never what it points to. */
int xs_target_set_owner_mode(int dfd, const char *base, uid_t uid, gid_t gid, mode_t mode);

#endif
