#!/usr/bin/env python3
"""no-userns.py CMD [ARG...]: run CMD (as root) where user namespaces are
switched off, as user.max_user_namespaces=0 does it on a host.

The host's sysctl may not be writable (a container, or a kernel that
refuses it), so CMD runs in a user namespace of its own, every id mapped
to itself (so names, /etc/subuid and setpriv work as outside), whose own
user.max_user_namespaces is 0: creating a user namespace in it fails with
ENOSPC, exactly as on a host with the sysctl at 0. Exits with CMD's status.
"""
import ctypes
import os
import sys

CLONE_NEWUSER = 0x10000000

libc = ctypes.CDLL(None, use_errno=True)
ready_r, ready_w = os.pipe()
go_r, go_w = os.pipe()
pid = os.fork()
if pid == 0:
    if libc.unshare(CLONE_NEWUSER) != 0:
        sys.stderr.write("no-userns.py: unshare: %s\n" % os.strerror(ctypes.get_errno()))
        os._exit(126)
    os.write(ready_w, b"x")
    os.read(go_r, 1)
    with open("/proc/sys/user/max_user_namespaces", "w") as f:
        f.write("0\n")
    os.execvp(sys.argv[1], sys.argv[1:])
os.read(ready_r, 1)
for m in ("uid_map", "gid_map"):
    with open("/proc/%d/%s" % (pid, m), "w") as f:
        f.write("0 0 4294967295\n")
os.write(go_w, b"x")
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
