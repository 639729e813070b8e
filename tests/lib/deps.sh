#!/bin/sh
# Installs what xstrap needs to build (deps.sh build), to build and run its
# tests (deps.sh check), or to build a static xstrap (deps.sh static) on
# Debian, when run as root and something is missing.
set -e
build_pkgs="build-essential pkg-config libsolv-dev libsolvext-dev libcurl4-openssl-dev
 libarchive-dev libgpgme-dev libext2fs-dev liblua5.4-dev libcap-dev libsqlite3-dev libssl-dev gpg ca-certificates"
# make static: the static archives Debian ships, and what builds libsolv,
# libcurl and libarchive from Debian's sources (.dist/static-deps.sh);
# `make fuzz-build` (check) builds libsolv the same way, with clang.
static_pkgs="$build_pkgs dpkg-dev cmake zlib1g-dev libbz2-dev liblzma-dev libzstd-dev
 liblz4-dev libexpat1-dev libssl-dev"
check_pkgs="$build_pkgs $static_pkgs libcmocka-dev bats dpkg-dev apt-utils debootstrap mmdebstrap
 apt-cacher-ng python3 xz-utils zstd curl libcap2-bin time
 dnf python3-dnf rpm createrepo-c busybox-static debhelper lintian openssl
 e2fsprogs attr acl libxen-dev xen-utils-4.17 qemu-system-x86 util-linux clang libclang-rt-14-dev
 squashfs-tools nfs-ganesha nfs-ganesha-vfs rpcbind openssh-client
 qemu-user-static binfmt-support arch-test uidmap"
case "$1" in
build) want=$build_pkgs ;;
check) want=$check_pkgs ;;
static) want=$static_pkgs ;;
*) echo "usage: $0 build|check|static" >&2; exit 2 ;;
esac
missing=""
for p in $want; do
	dpkg-query -W -f '${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing Debian packages:$missing (run as root, or install them)" >&2
	exit 1
fi
echo "deps.sh: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
# apt-cacher-ng must not start from its maintainer script: the tests start
# their own, bound to 127.0.0.1 and pointed at the host's mirror.
printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d.xstrap
[ -e /usr/sbin/policy-rc.d ] || { cp /usr/sbin/policy-rc.d.xstrap /usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; rmpol=1; }
apt-get install -y -q --no-install-recommends $missing >/dev/null
[ -z "${rmpol:-}" ] || rm -f /usr/sbin/policy-rc.d
rm -f /usr/sbin/policy-rc.d.xstrap
