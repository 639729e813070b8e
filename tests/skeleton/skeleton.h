/* skeleton.h - a test-only package family ("skel") that walks the whole
 * struct xs_family interface with the least a family needs: a repository
 * that is one INDEX file and plain tar packages. docs/design.md's
 * "Adding a package family" checklist is what this file needed. */
#ifndef XS_SKELETON_H
#define XS_SKELETON_H

#include "family.h"

/* The repository format, one package a line:
 *   NAME VERSION FILE SHA256 SIZE [REQUIRES...]
 * FILE is an uncompressed tar below the repository's URL. */
extern const struct xs_family xs_family_skel;

#endif
