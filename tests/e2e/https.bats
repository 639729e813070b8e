#!/usr/bin/env bats
# https mirrors: xstrap checks the server's certificate against the host's CA
# certificates ($SSL_CERT_FILE or $CURL_CA_BUNDLE, else the first bundle of
# Debian, Fedora/EL, SUSE or Alpine that exists), not only against the path
# libcurl was built with, so that the static binary works on any host.
# The fixture repository is served over https on 127.0.0.1 with a
# certificate made here (openssl) that no system bundle trusts.

bats_require_minimum_version 1.5.0
load ../lib/common

setup_file() {
	common_setup_file
	command -v openssl >/dev/null || return 0
	local d=$BATS_FILE_TMPDIR
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
		-addext subjectAltName=IP:127.0.0.1 -keyout "$d/key.pem" -out "$d/cert.pem" 2>/dev/null
	# the log exists before the server starts: the loop below may read it
	# before the background child has opened it
	: >"$d/https.log"
	# fd 3 is bats's: a background child holding it would keep bats waiting
	python3 -u -c '
import functools, http.server, ssl, sys
root, cert, key = sys.argv[1:4]
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=root)
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
server.socket = ctx.wrap_socket(server.socket, server_side=True)
print("port", server.server_address[1])
server.serve_forever()
' "$fixture_dir" "$d/cert.pem" "$d/key.pem" >"$d/https.log" 2>&1 3>&- &
	echo $! >>"$d/http.pids"
	local port= _
	for _ in $(seq 100); do
		port=$(sed -n 's/^port \([0-9]*\)$/\1/p' "$d/https.log")
		[ -z "$port" ] || break
		sleep 0.05
	done
	[ -n "$port" ] || { cat "$d/https.log" >&2; return 1; }
	export HTTPS_URL=https://127.0.0.1:$port/repo CERT=$d/cert.pem
}

teardown_file() {
	stop_http
}

setup() {
	common_setup
	command -v openssl >/dev/null || skip "openssl is not installed (it makes the test certificate)"
}

# plan_https BINARY: plan the fixture over https with the test's private cache
plan_https() {
	"$1" plan --cache-dir="$CACHE" --variant=extract --keyring="$KEYRING" \
		--include=hello-fixture fixture "$HTTPS_URL"
}

@test "https: a mirror whose CA is in \$SSL_CERT_FILE is fetched and verified" {
	SSL_CERT_FILE=$CERT run --separate-stderr plan_https "$XSTRAP"
	assert_status 0
	[[ "$output" == *"hello-fixture"* ]]
}

@test "https: a certificate the host's CA bundle does not trust is refused, naming the URL" {
	run --separate-stderr env -u SSL_CERT_FILE -u CURL_CA_BUNDLE "$XSTRAP" plan --cache-dir="$CACHE" \
		--variant=extract --keyring="$KEYRING" --include=hello-fixture fixture "$HTTPS_URL"
	assert_status 1
	assert_error_line "127\.0\.0\.1:[0-9]+/repo"
	assert_stderr_has "certificate"
}

@test "https: the static binary takes the CA from \$SSL_CERT_FILE too" {
	local static=$XSTRAP_TOP/build-static/xstrap
	[ -x "$static" ] || skip "no static binary: build-static/xstrap (make static; static.bats builds it)"
	[ "$static" -nt "$XSTRAP" ] || skip "build-static/xstrap is older than $XSTRAP: stale (make static; static.bats rebuilds it)"
	SSL_CERT_FILE=$CERT run --separate-stderr plan_https "$static"
	assert_status 0
	[[ "$output" == *"hello-fixture"* ]]
}
