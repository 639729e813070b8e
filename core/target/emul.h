/* emul.h - foreign architectures: the host's own, and whether binfmt_misc
 * runs another one's programs through an emulator that works in a chroot. */
#ifndef XS_EMUL_H
#define XS_EMUL_H

#include <stdbool.h>

#include "context.h"

#define XS_BINFMT_DIR "/proc/sys/fs/binfmt_misc"

/* The Debian name of the architecture this host runs (uname), amd64 when
 * unknown. */
const char *xs_host_arch(void);

/* ARCH (a Debian name) runs on this host without emulation. */
bool xs_arch_is_native(const char *arch);

/* 0 when programs of ARCH run here: natively, or through an enabled
 * binfmt_misc entry for its ELF binaries with the F (fix-binary) flag (the
 * kernel opened the interpreter when it was registered, so it works inside
 * the target's chroot). Otherwise one line that names what to install or
 * enable, and -ENOEXEC (-ENOTSUP for an architecture xstrap does not know).
 * $XSTRAP_BINFMT_DIR replaces /proc/sys/fs/binfmt_misc (tests). */
int xs_emul_check(struct xs_log *log, const char *arch);

#endif
