/* out_tar.h - a reproducible tar of a finished root: sorted names, numeric
 * owners, mtimes clamped to SOURCE_DATE_EPOCH, hard links kept. */
#ifndef XS_OUT_TAR_H
#define XS_OUT_TAR_H

#include <time.h>

#include "context.h"

int xs_write_tar(struct xs_log *log, const char *root, const char *tarpath, time_t clamp);

#endif
