/* out_tar.h - a reproducible pax tar of a finished root, from its walk:
 * sorted names, numeric owners, mtimes clamped to SOURCE_DATE_EPOCH (no
 * atime or ctime), hard links kept, and xattrs, file capabilities
 * (SCHILY.xattr.security.capability) and POSIX ACLs (SCHILY.acl.*). */
#ifndef XS_OUT_TAR_H
#define XS_OUT_TAR_H

#include <time.h>

#include "log.h"
#include "out_walk.h"

/* Writes TARPATH.tmp and renames it to TARPATH; CLAMP 0: no clamping. */
int xs_write_tar(struct xs_log *log, const struct xs_walk *w, const char *tarpath, time_t clamp);

#endif
