/* deb_family.h - the Debian family's entry in the family table. */
#ifndef XS_DEB_FAMILY_H
#define XS_DEB_FAMILY_H

#include "family.h"

extern const struct xs_family xs_family_deb;

#endif
