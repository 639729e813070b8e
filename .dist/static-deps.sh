#!/bin/sh
# .dist/static-deps.sh DIR [LIBRARY...] — the static archives `make static`
# needs and Debian does not ship in a usable form, built from Debian's own
# source packages into DIR/{include,lib}; LIBRARY is any of libsolv, curl,
# libarchive (default: all three):
#
#   libsolv     Debian ships no libsolv.a/libsolvext.a at all.
#   libcurl     Debian's libcurl.a needs GSSAPI (MIT krb5), LDAP, RTMP,
#               SSH, PSL and nghttp2, of which krb5 and OpenLDAP ship no
#               static archive: built with HTTP, HTTPS and FILE only (the
#               protocols xstrap's fetch enables), OpenSSL and zlib.
#   libarchive  Debian's libarchive.a drags in libxml2 and with it ICU's
#               30 MB data archive (its format table references the xar
#               writer): built without xml2/expat, ACL, OpenSSL and nettle.
#
# The sources come through apt ("apt-get source", signature-checked against
# the host's archive keyring) from the deb-src twins of the host's own apt
# entries, with a private apt state under DIR/apt: the host's apt
# configuration is not changed. The versions are the host's candidates.
# CC and CFLAGS from the environment reach cmake; BUILD_TYPE is cmake's
# build type (default Release; `make fuzz-build` builds libsolv with its
# sanitizer flags and None, so that they alone decide). A library is
# rebuilt when any of these or its options change.
# Needs apt-get, dpkg-source (dpkg-dev), cmake, and the -dev packages of
# zlib, bzip2, xz, zstd, lz4, expat and OpenSSL (tests/lib/deps.sh static).
set -eu
dir=${1:?usage: $0 DIR [libsolv|curl|libarchive...]}
shift
[ $# -gt 0 ] || set -- libsolv curl libarchive
libs=$*
for l in $libs; do
	case $l in libsolv | curl | libarchive) ;; *) echo "static-deps: unknown library $l" >&2; exit 2 ;; esac
done
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
jobs=${JOBS:-2}
build_type=${BUILD_TYPE:-Release}

# --- sources (once per library) -------------------------------------------
apt=$dir/apt
missing=""
for l in $libs; do
	[ -e "$dir/src/.done-$l" ] || missing="$missing $l"
done
if [ -n "$missing" ]; then
	rm -rf "$apt"
	mkdir -p "$apt/parts" "$apt/lists/partial" "$apt/cache/archives/partial" "$dir/src"
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f" >>"$apt/parts/host.list"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		sed 's/^Types:.*/Types: deb-src/' "$f" >"$apt/parts/$(basename "$f")"
	done
	set -- -o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$apt/parts" \
		-o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache" \
		-o APT::Sandbox::User=root -q
	# A third-party entry without sources fails its part of the update; what
	# matters is that the packages are found below.
	apt-get "$@" update >"$dir/apt.log" 2>&1 || echo "static-deps: apt-get update reported errors (see $dir/apt.log)" >&2
	for l in $missing; do
		rm -rf "$dir/src/$l"
		mkdir -p "$dir/src/$l"
		(cd "$dir/src/$l" && apt-get "$@" source "$l" >>"$dir/apt.log" 2>&1) || {
			echo "static-deps: apt-get source $l failed (the host's apt entries need a deb-src twin on the mirror); see $dir/apt.log" >&2
			exit 1
		}
		if [ "$l" = curl ]; then
			# curl: Debian's patch series applies its GnuTLS and NSS flavour
			# patches last; the OpenSSL flavour is the tree without them.
			curl_src=$(echo "$dir"/src/curl/curl-*/)
			for p in 99_nss 90_gnutls; do
				patch -s -R -p1 -d "$curl_src" <"$curl_src/debian/patches/$p.patch"
			done
		fi
		touch "$dir/src/.done-$l"
	done
fi

# cmake_build NAME SRCDIR [OPTION...]: configure, build and install one
# library, unless it was built with the same options already.
cmake_build() {
	name=$1 src=$2
	shift 2
	stamp="CC=${CC:-} CFLAGS=${CFLAGS:-} BUILD_TYPE=$build_type $*"
	[ "$(cat "$dir/.done-$name" 2>/dev/null)" != "$stamp" ] || return 0
	echo "  STATIC  $name"
	rm -f "$dir/.done-$name"
	cmake -S "$src" -B "$dir/obj/$name" -DCMAKE_BUILD_TYPE="$build_type" \
		-DCMAKE_INSTALL_PREFIX="$dir" -DCMAKE_INSTALL_LIBDIR=lib \
		-DCMAKE_POSITION_INDEPENDENT_CODE=ON "$@" >"$dir/$name.log" 2>&1 &&
		cmake --build "$dir/obj/$name" -j "$jobs" >>"$dir/$name.log" 2>&1 &&
		cmake --install "$dir/obj/$name" >>"$dir/$name.log" 2>&1 || {
		echo "static-deps: building $name failed; see $dir/$name.log" >&2
		exit 1
	}
	rm -rf "$dir/obj/$name"
	echo "$stamp" >"$dir/.done-$name"
}

# wanted LIBRARY: whether LIBRARY is among those asked for
wanted() {
	case " $libs " in *" $1 "*) return 0 ;; esac
	return 1
}

# libsolv as Debian configures it, less what needs librpm (rpmdb, rpm
# headers), Perl, Python and the repository types xstrap does not read.
if wanted libsolv; then
	cmake_build libsolv "$(echo "$dir"/src/libsolv/libsolv-*/)" \
		-DDISABLE_SHARED=1 -DENABLE_STATIC=1 -DMULTI_SEMANTICS=1 -DDEBIAN=1 \
		-DENABLE_RPMMD=1 -DENABLE_DEBIAN=1 -DENABLE_COMPS=1 -DENABLE_COMPLEX_DEPS=1 \
		-DENABLE_LZMA_COMPRESSION=1 -DENABLE_BZIP2_COMPRESSION=1 -DENABLE_ZSTD_COMPRESSION=1 \
		-DENABLE_RPMDB=0 -DENABLE_RPMPKG=0 -DENABLE_PUBKEY=0 -DWITH_LIBXML2=0 \
		-DENABLE_PERL=0 -DENABLE_PYTHON=0 -DENABLE_RUBY=0 -DENABLE_TCL=0
fi

if wanted curl; then
	cmake_build curl "$(echo "$dir"/src/curl/curl-*/)" \
		-DBUILD_SHARED_LIBS=OFF -DBUILD_CURL_EXE=OFF -DBUILD_TESTING=OFF -DENABLE_MANUAL=OFF \
		-DCURL_USE_OPENSSL=ON -DCURL_DISABLE_LDAP=ON -DCURL_DISABLE_LDAPS=ON \
		-DCURL_USE_LIBSSH2=OFF -DCURL_USE_LIBSSH=OFF -DUSE_NGHTTP2=OFF -DCURL_BROTLI=OFF \
		-DCURL_ZSTD=OFF -DUSE_LIBIDN2=OFF -DCURL_USE_GSSAPI=OFF -DUSE_LIBRTMP=OFF \
		-DCURL_DISABLE_DICT=ON -DCURL_DISABLE_GOPHER=ON -DCURL_DISABLE_IMAP=ON \
		-DCURL_DISABLE_POP3=ON -DCURL_DISABLE_SMTP=ON -DCURL_DISABLE_RTSP=ON \
		-DCURL_DISABLE_TELNET=ON -DCURL_DISABLE_TFTP=ON -DCURL_DISABLE_SMB=ON \
		-DCURL_DISABLE_MQTT=ON -DCURL_DISABLE_FTP=ON -DCURL_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt \
		-DCURL_CA_PATH=/etc/ssl/certs
fi

if wanted libarchive; then
	cmake_build libarchive "$(echo "$dir"/src/libarchive/libarchive-*/)" \
		-DENABLE_TAR=OFF -DENABLE_CPIO=OFF -DENABLE_CAT=OFF -DENABLE_TEST=OFF \
		-DENABLE_LIBXML2=OFF -DENABLE_EXPAT=OFF -DENABLE_OPENSSL=OFF -DENABLE_NETTLE=OFF \
		-DENABLE_MBEDTLS=OFF -DENABLE_LIBB2=OFF -DENABLE_LZO=OFF -DENABLE_PCREPOSIX=OFF \
		-DENABLE_ACL=OFF -DENABLE_CNG=OFF -DENABLE_LIBGCC=OFF \
		-DENABLE_LZ4=ON -DENABLE_LZMA=ON -DENABLE_ZSTD=ON -DENABLE_ZLIB=ON -DENABLE_BZip2=ON
	# libarchive installs its shared library too; the static link must not see it.
	rm -f "$dir"/lib/libarchive.so*
fi
