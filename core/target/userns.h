/* userns.h - unprivileged builds (--mode=unshare): xstrap itself enters a
 * user namespace, root there, with the caller's subordinate ids as the
 * guest's other users, and a private mount namespace. */
#ifndef XS_USERNS_H
#define XS_USERNS_H

#include <stdbool.h>

#include "context.h"

/* Moves the calling process into a new user namespace (the caller's uid
 * and gid become 0, its first /etc/subuid and /etc/subgid ranges become
 * 1..COUNT, through newuidmap/newgidmap) and a new mount namespace whose
 * mounts are private. Nothing outlives the process: the namespaces end with
 * it. Call before any thread starts. Returns 0, or -errno with one line
 * that says what is missing (subordinate ids, uidmap, user namespaces). */
int xs_userns_enter(struct xs_log *log);

/* xs_userns_enter succeeded: device nodes cannot be made, only bound. */
bool xs_userns_active(void);

/* For a directory output built in a user namespace: one line that says
 * whose ids own its files on disk. */
void xs_userns_note_dir(struct xs_log *log, const char *dir);

#endif
