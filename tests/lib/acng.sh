#!/bin/bash
# tests/lib/acng.sh start|stop|url|status — a private apt-cacher-ng for tests
# and benchmarks.
#
#   start   start apt-cacher-ng on 127.0.0.1:$XSTRAP_ACNG_PORT (3142) as a
#           daemon whose Debian backend is the host's mirror (read from the
#           host's apt sources, see tests/lib/mirror.bash); reuse one that
#           already answers there; wait until it answers
#   stop    stop the daemon this script started (pid file in the state dir)
#   url     print the proxy URL, http://127.0.0.1:PORT
#   status  exit 0 when something answers on the port
#
# State lives in ${XSTRAP_ACNG_DIR:-/var/cache/xstrap-test-acng}: cache/ (the
# package cache, kept between runs on purpose), etc/acng.conf, log/, run/pid.
#
# Why not the packaged service: out of the box apt-cacher-ng's Debian
# backend list names hosts this machine may not reach (every request then
# answers "503 Host not found"), and the package does not start the daemon
# when installed under a policy-rc.d. So this script writes its own config
# with the backend remapped to the host's mirror.
#
# Clients use http_proxy=$(tests/lib/acng.sh url), with the mirror URL as is.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/lib/mirror.bash
. "$here/mirror.bash"

port=${XSTRAP_ACNG_PORT:-3142}
dir=${XSTRAP_ACNG_DIR:-/var/cache/xstrap-test-acng}
url="http://127.0.0.1:$port"
pidfile=$dir/run/apt-cacher-ng.pid

die() { echo "acng.sh: $*" >&2; exit 1; }

answering() {
	# The report page is served locally by apt-cacher-ng itself; no backend
	# is involved, so this works offline too.
	curl -s -o /dev/null --max-time 2 --noproxy '*' "$url/acng-report.html"
}

find_daemon() {
	command -v apt-cacher-ng 2>/dev/null && return
	local d
	for d in /usr/sbin /usr/local/sbin /sbin; do
		[ -x "$d/apt-cacher-ng" ] && { echo "$d/apt-cacher-ng"; return; }
	done
	return 1
}

start() {
	if answering; then
		return 0
	fi
	local bin mirror hostpath support
	bin=$(find_daemon) || die "apt-cacher-ng is not installed"
	mirror=$(host_mirror)
	[ -n "$mirror" ] || die "no Debian mirror configured in the host's apt sources"
	case $mirror in
	http://*|https://*) ;;
	*) die "mirror $mirror is not an HTTP(S) URL; apt-cacher-ng cannot proxy it" ;;
	esac
	hostpath=${mirror#*://}
	support=/usr/lib/apt-cacher-ng
	[ -d "$support" ] || support=/usr/share/apt-cacher-ng
	mkdir -p "$dir/cache" "$dir/log" "$dir/etc" "$dir/run" || die "cannot create $dir"
	rm -f "$pidfile"
	# Requests for any known Debian mirror (deb_mirrors.gz), for /debian, or
	# for the host's own mirror prefix all go to the host's mirror and share
	# one cache.
	cat > "$dir/etc/acng.conf" <<EOF
# written by tests/lib/acng.sh; rewritten at every start
CacheDir: $dir/cache
LogDir: $dir/log
SupportDir: $support
Port: $port
BindAddress: 127.0.0.1
PidFile: $pidfile
ForeGround: 0
Remap-debrep: file:deb_mirror*.gz /debian $hostpath ; $mirror/
ReportPage: acng-report.html
ExThreshold: 4
EOF
	# The daemon must not inherit any descriptor beyond 0-2: bats' fd 3 or
	# the test runner's tee pipe held open by it keeps bats (and CI) waiting
	# forever after the last test.
	(
		for fd in /proc/$BASHPID/fd/*; do
			fd=${fd##*/}
			[ "$fd" -gt 2 ] && eval "exec $fd>&-"
		done
		exec "$bin" -c "$dir/etc" </dev/null >>"$dir/log/start.log" 2>&1
	) || die "apt-cacher-ng failed to start; see $dir/log/"
	local _
	for _ in $(seq 100); do
		answering && return 0
		sleep 0.1
	done
	die "apt-cacher-ng does not answer on $url after 10 s; see $dir/log/"
}

stop() {
	[ -s "$pidfile" ] || return 0
	local pid i
	pid=$(cat "$pidfile")
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill "$pid"
		for _ in $(seq 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
	fi
	rm -f "$pidfile"
}

case ${1:-} in
start) start ;;
stop) stop ;;
url) echo "$url" ;;
status) answering ;;
*) echo "usage: $0 start|stop|url|status" >&2; exit 2 ;;
esac
