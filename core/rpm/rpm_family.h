/* rpm_family.h - the rpm family's entry in the family table. */
#ifndef XS_RPM_FAMILY_H
#define XS_RPM_FAMILY_H

#include "family.h"

extern const struct xs_family xs_family_rpm;

#endif
