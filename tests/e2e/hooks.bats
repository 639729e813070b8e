#!/usr/bin/env bats
# The config space at work on a real build: an --variant=extract root of the
# fixture repository (tests/fixtures/mkrepo.sh), customized by the built-in
# hooks and by the site config space tests/fixtures/config-space (a class, a
# per-class package list, a file template, a hook that overrides a built-in,
# hooks in three stages). Also: --list-hooks, executable --hook files, a
# failing hook, and a hook that tries to write outside the target.
# No network; root is not needed.

bats_require_minimum_version 1.5.0
load ../lib/common

setup_file() {
	common_setup_file
}

setup() {
	common_setup
	T=$BATS_TEST_TMPDIR/target
	SITE=$XSTRAP_TOP/tests/fixtures/config-space
	BAD=$XSTRAP_TOP/tests/fixtures/config-space-bad
	ESCAPE=$XSTRAP_TOP/tests/fixtures/config-space-escape
}

teardown() {
	rm -f /tmp/xstrap-hook-probe
}

# build [OPTIONS]: an extract root of hello-fixture in $T as guest web1
build() {
	run --separate-stderr xs --variant=extract --include=hello-fixture --keyring="$KEYRING" \
		--hostname=web1 "$@" fixture "$T" "$FIXTURE_URL"
}

# site_build [OPTIONS]: build with the site config space, as a WEBSERVER Xen guest
site_build() {
	build --config-space="$SITE" --set role=web --class=XEN_DOMU "$@"
}

# list_hooks [OPTIONS]: what --list-hooks prints for such a build; must succeed
list_hooks() {
	run --separate-stderr xs --list-hooks --variant=extract --include=hello-fixture \
		--keyring="$KEYRING" --hostname=web1 "$@" fixture "$T" "$FIXTURE_URL"
	assert_status 0
}

# line_of REGEX: number of the first line of $output matching REGEX (ERE)
line_of() {
	local n
	n=$(grep -nE -- "$1" <<<"$output" | head -n 1 | cut -d: -f1)
	if [ -z "$n" ]; then
		echo "no line of the output matches /$1/:" >&2
		echo "$output" >&2
		return 1
	fi
	echo "$n"
}

@test "site config space: class, package list, file and overriding hook all take effect" {
	site_build
	assert_status 0
	# class script -> WEBSERVER -> packages/WEBSERVER.lua brought alt-b
	assert_same_file "$fixture_dir/src/alt-b/usr/share/alt/b" "$T/usr/share/alt/b"
	[ ! -e "$T/usr/share/alt/a" ]
	# files/etc/motd/WEBSERVER -> /etc/motd
	assert_same_file "$SITE/files/etc/motd/WEBSERVER" "$T/etc/motd"
	# the site's 10-fstab.lua ran instead of the built-in one
	assert_eq "# site fstab for web1" "$(head -n 1 "$T/etc/fstab")" "first line of /etc/fstab"
	refute grep -q xvda "$T/etc/fstab"
	# the built-ins the site did not override still ran (XEN_DOMU, and always)
	has_line "$T/etc/modules" xen-blkfront
	has_line "$T/etc/modules" xen-netfront
	assert_eq web1 "$(cat "$T/etc/hostname")" "/etc/hostname"
	has_line "$T/etc/hosts" "127.0.1.1 web1"
	has_line "$T/etc/hosts" "127.0.0.1 localhost"
	# the site's 95-site.lua ran after the built-in 70-hostname.lua, saw
	# both classes; the cleanup hook ran after it
	has_line "$T/etc/site-marker" "hostname at 95: web1"
	has_line "$T/etc/site-marker" "webserver: true"
	grep -qE '^classes: .*\bXEN_DOMU\b' "$T/etc/site-marker"
	grep -qE '^classes: .*\bWEBSERVER\b' "$T/etc/site-marker"
	assert_eq "customize: site hook ran" "$(head -n 1 "$T/etc/site-marker")" "first line of /etc/site-marker"
	assert_eq "cleanup: site hook ran" "$(tail -n 1 "$T/etc/site-marker")" "last line of /etc/site-marker"
	# no kernel in this root: pygrub warns and writes nothing
	[ ! -e "$T/boot/grub/menu.lst" ]
	assert_stderr_has 'no kernel in /boot'
	# a file:// mirror is a host path: not written into the guest's sources
	if [ -e "$T/etc/apt/sources.list" ]; then
		refute grep -q 'file:' "$T/etc/apt/sources.list"
	fi
}

@test "site config space without its class: no package, no file; the override still replaces the built-in" {
	build --config-space="$SITE" --class=XEN_DOMU
	assert_status 0
	[ ! -e "$T/usr/share/alt/b" ]
	[ ! -e "$T/etc/motd" ]
	# the site's 10-fstab.lua is gated by WEBSERVER: neither it nor the
	# built-in it replaces ran
	refute grep -q 'site fstab' "$T/etc/fstab"
	refute grep -q xvda "$T/etc/fstab"
	has_line "$T/etc/site-marker" "webserver: false"
	has_line "$T/etc/modules" xen-blkfront
}

@test "built-in Xen hooks in an extract root: fstab with swap, modules, hostname; none without XEN_DOMU" {
	build --class=XEN_DOMU --set swap=/dev/xvdb
	assert_status 0
	has_line "$T/etc/fstab" "/dev/xvda / ext4 errors=remount-ro 0 1"
	has_line "$T/etc/fstab" "proc /proc proc defaults 0 0"
	has_line "$T/etc/fstab" "/dev/xvdb none swap sw 0 0"
	has_line "$T/etc/modules" xen-blkfront
	has_line "$T/etc/modules" xen-netfront
	assert_eq 1 "$(grep -cx xen-blkfront "$T/etc/modules")" "xen-blkfront lines"
	assert_eq web1 "$(cat "$T/etc/hostname")" "/etc/hostname"

	rm -rf "$T"
	build
	assert_status 0
	# the gated hooks did not run; the ungated hostname hook did
	refute grep -q xvda "$T/etc/fstab"
	[ ! -e "$T/etc/modules" ]
	assert_eq web1 "$(cat "$T/etc/hostname")" "/etc/hostname"
}

@test "--set swap is optional: no swap line without it" {
	build --class=XEN_DOMU
	assert_status 0
	has_line "$T/etc/fstab" "/dev/xvda / ext4 errors=remount-ro 0 1"
	refute grep -q swap "$T/etc/fstab"
}

@test "--list-hooks: stages in order, the site's 10-fstab.lua in place of the built-in, and why each runs" {
	list_hooks --config-space="$SITE" --set role=web --class=XEN_DOMU
	# nothing was built
	[ ! -e "$T/etc" ]
	local setup customize cleanup
	local extract configure
	setup=$(line_of '^setup:$')
	extract=$(line_of '^extract:$')
	configure=$(line_of '^configure:$')
	customize=$(line_of '^customize:$')
	cleanup=$(line_of '^cleanup:$')
	[ "$setup" -lt "$extract" ]
	[ "$extract" -lt "$configure" ]
	[ "$configure" -lt "$customize" ]
	[ "$customize" -lt "$cleanup" ]
	# the class set comes first
	[ "$(line_of '^classes: .*\bWEBSERVER\b')" -lt "$setup" ]
	# the site's setup hook is listed under setup, the cleanup hook under cleanup
	local s c
	s=$(line_of 'hooks/setup/50-site-setup\.lua')
	c=$(line_of 'hooks/cleanup/50-site-cleanup\.lua')
	[ "$setup" -lt "$s" ]
	[ "$s" -lt "$customize" ]
	[ "$c" -gt "$cleanup" ]
	# customize: name order, built-in and site interleaved
	local prev=$customize n f
	for f in "$SITE/hooks/customize/10-fstab.lua" "hooks/customize/20-console.lua" \
		"hooks/customize/30-modprobe-aliases.lua" "hooks/customize/30-modules.lua" \
		"hooks/customize/40-pygrub.lua" "hooks/customize/50-udev.lua" \
		"hooks/customize/60-cruft.lua" "hooks/customize/70-hostname.lua" \
		"hooks/customize/80-network-ifcfg.lua" "hooks/customize/80-network.lua" \
		"hooks/customize/90-apt-sources.lua" "$SITE/hooks/customize/95-site.lua"; do
		n=$(line_of "$(sed 's/[.[\*^$]/\\&/g' <<<"$f")")
		if [ "$n" -le "$prev" ]; then
			echo "$f is listed out of order (line $n, previous $prev):" >&2
			echo "$output" >&2
			return 1
		fi
		prev=$n
	done
	[ "$prev" -lt "$cleanup" ]
	# the built-in 10-fstab.lua does not run (it may be named as overridden)
	if grep -F "$XSTRAP_TOP/hooks/customize/10-fstab.lua" <<<"$output" | grep -viq overrid; then
		echo "the built-in 10-fstab.lua is listed as running:" >&2
		echo "$output" >&2
		return 1
	fi
	# why: the class that selected each gated hook, and the ungated ones
	grep -E 'customize/10-fstab\.lua' <<<"$output" | grep -q WEBSERVER
	grep -E 'hooks/customize/20-console\.lua' <<<"$output" | grep -q XEN_DOMU
	grep -E 'hooks/setup/50-site-setup\.lua' <<<"$output" | grep -q WEBSERVER
	[ -z "$(grep -E 'hooks/customize/70-hostname\.lua' <<<"$output" | grep XEN_DOMU)" ]
	grep -E 'hooks/customize/70-hostname\.lua' <<<"$output" | grep -q 'every build'
	# the family is a class: the Debian family's hooks run, the RPM family's not
	grep -E 'hooks/customize/30-modules\.lua' <<<"$output" | grep -q 'runs: classes XEN_DOMU DEBIAN (all set)'
	grep -E 'hooks/customize/30-modprobe-aliases\.lua' <<<"$output" |
		grep -q 'skipped: class RPM is not set (it needs all of XEN_DOMU RPM)'
	grep -E 'hooks/customize/80-network-ifcfg\.lua' <<<"$output" | grep -q 'skipped: class RPM is not set'
	grep -E 'hooks/customize/90-apt-sources\.lua' <<<"$output" | grep -q 'runs: class DEBIAN'
	# the override is marked as such
	grep -E 'customize/10-fstab\.lua' <<<"$output" | grep -q 'replaces'
}

@test "--list-hooks: hooks gated by a class that is not set are shown as skipped" {
	list_hooks
	local f
	for f in 10-fstab 20-console 30-modprobe-aliases 30-modules 40-pygrub 50-udev 60-cruft \
		80-network-ifcfg 80-network; do
		grep -E "hooks/customize/$f\.lua" <<<"$output" | grep -q skipped
	done
	# of a hook that needs all of its classes, the one missing is named
	grep -E 'hooks/customize/30-modules\.lua' <<<"$output" |
		grep -q 'skipped: class XEN_DOMU is not set (it needs all of XEN_DOMU DEBIAN)'
	grep -E 'hooks/customize/70-hostname\.lua' <<<"$output" | grep -q 'every build'
	grep -E 'hooks/customize/90-apt-sources\.lua' <<<"$output" | grep -q 'runs: class DEBIAN'
}

@test "match = \"all\": a hook runs only when every one of its classes is set" {
	local lua=$BATS_TEST_TMPDIR/web-guest.lua
	printf 'return { classes = { "XEN_DOMU", "WEBSERVER" }, match = "all",\n\trun = function(x) x.write("/etc/web-guest", "ran\\n") end }\n' >"$lua"
	build --class=XEN_DOMU --hook "customize:$lua"
	assert_status 0
	[ ! -e "$T/etc/web-guest" ]
	list_hooks --class=XEN_DOMU --hook "customize:$lua"
	grep -F "$lua" <<<"$output" | grep -q 'skipped: class WEBSERVER is not set (it needs all of XEN_DOMU WEBSERVER)'

	rm -rf "$T"
	build --class=XEN_DOMU,WEBSERVER --hook "customize:$lua"
	assert_status 0
	assert_eq ran "$(cat "$T/etc/web-guest")" "/etc/web-guest"
	list_hooks --class=XEN_DOMU,WEBSERVER --hook "customize:$lua"
	grep -F "$lua" <<<"$output" | grep -q 'runs: classes XEN_DOMU WEBSERVER (all set)'
	# without match (or with match = "any") one of them is enough
	sed -i 's/match = "all"/match = "any"/' "$lua"
	rm -rf "$T"
	build --class=WEBSERVER --hook "customize:$lua"
	assert_status 0
	assert_eq ran "$(cat "$T/etc/web-guest")" "/etc/web-guest"
}

@test "match other than \"any\" or \"all\" stops the build naming the hook and what it found" {
	local lua=$BATS_TEST_TMPDIR/both.lua
	printf 'return { classes = { "XEN_DOMU" }, match = "both", run = function(x) end }\n' >"$lua"
	build --class=XEN_DOMU --hook "customize:$lua"
	assert_status 1
	assert_error_line 'both\.lua: expected match = "any" or "all".*found "both"'
}

@test "a failing hook stops the build with the script's path, line 3 and its message" {
	build --config-space="$BAD"
	assert_status 1
	assert_stderr_has 'config-space-bad/hooks/customize/10-fail\.lua:3:'
	assert_stderr_has 'boom'
	assert_error_line 'boom'
	# the hooks after it did not run
	[ ! -e "$T/etc/hostname" ]
}

@test "a hook cannot write outside the target through a symlink it planted" {
	record_host_state
	rm -f /tmp/xstrap-hook-escape*
	printf 'host file\n' >/tmp/xstrap-hook-probe
	build --config-space="$ESCAPE"
	assert_status 0
	local found
	found=$(compgen -G '/tmp/xstrap-hook-escape*' || true)
	if [ -n "$found" ]; then
		echo "hook writes escaped the target: $found" >&2
		cat "$T/escape-report" >&2 || true
		return 1
	fi
	assert_no_escape "$T"
	# the write through /evil -> / landed in the target's own /tmp
	assert_eq x "$(cat "$T/tmp/xstrap-hook-escape")" "$T/tmp/xstrap-hook-escape"
	# reads through the link did not see the host's file
	has_line "$T/escape-report" "read via link: nil"
	has_line "$T/escape-report" "exists via link: false"
	# the planted links are still links in the target
	[ -L "$T/evil" ]
	[ -L "$T/evil-rel" ]
}

@test "--hook STAGE:EXECUTABLE: run on the host with the target and XSTRAP_* variables" {
	local hook=$BATS_TEST_TMPDIR/record-env
	cat >"$hook" <<EOF
#!/bin/sh
{
	echo "arg=\$1"
	echo "nargs=\$#"
	env | grep '^XSTRAP_' | grep -v '^XSTRAP_\(TOP\|FIXTURES\|HOST_ROOT\)=' | LC_ALL=C sort
} >>"$BATS_TEST_TMPDIR/env.\$XSTRAP_STAGE"
mkdir -p "\$1/etc" && touch "\$1/etc/exec-hook-\$XSTRAP_STAGE"
EOF
	chmod +x "$hook"
	build --class=XEN_DOMU --hook "customize:$hook" --hook "setup:$hook"
	assert_status 0
	local e=$BATS_TEST_TMPDIR/env.customize
	[ -f "$e" ]
	grep -qx "arg=$T" "$e"
	grep -qx "nargs=1" "$e"
	grep -qx "XSTRAP_TARGET=$T" "$e"
	grep -qx "XSTRAP_STAGE=customize" "$e"
	grep -qx "XSTRAP_SUITE=fixture" "$e"
	grep -qx "XSTRAP_ARCH=amd64" "$e"
	grep -qx "XSTRAP_HOSTNAME=web1" "$e"
	grep -qE '^XSTRAP_CLASSES=(.* )?XEN_DOMU( .*)?$' "$e"
	grep -qE '^XSTRAP_CLASSES=(.* )?DEFAULT( .*)?$' "$e"
	grep -qE '^XSTRAP_CLASSES=(.* )?WEB1( .*)?$' "$e"
	[ -e "$T/etc/exec-hook-customize" ]
	grep -qx "XSTRAP_STAGE=setup" "$BATS_TEST_TMPDIR/env.setup"
}

@test "--hook STAGE:FILE.lua runs a Lua hook; a failing executable hook stops the build" {
	local lua=$BATS_TEST_TMPDIR/extra.lua
	printf 'return { run = function(x) x.write("/etc/extra-hook", x.suite .. "\\n") end }\n' >"$lua"
	build --hook "customize:$lua"
	assert_status 0
	assert_eq fixture "$(cat "$T/etc/extra-hook")" "/etc/extra-hook"

	local fail=$BATS_TEST_TMPDIR/fail-hook
	printf '#!/bin/sh\necho "hook says no" >&2\nexit 7\n' >"$fail"
	chmod +x "$fail"
	rm -rf "$T"
	build --hook "customize:$fail"
	assert_status 1
	assert_stderr_has 'fail-hook'
}

@test "x.include from a hook is refused: the package set is already chosen" {
	local lua=$BATS_TEST_TMPDIR/late.lua
	printf 'return { run = function(x)\n\tx.include({ "alt-a" })\nend }\n' >"$lua"
	build --hook "customize:$lua"
	assert_status 1
	assert_stderr_has 'late\.lua:2:'
	assert_stderr_has 'too late|already'
}

@test "an unknown stage in --hook is a usage error" {
	run --separate-stderr xs --hook "no-such-stage:/bin/true" --variant=extract --keyring="$KEYRING" \
		fixture "$T" "$FIXTURE_URL"
	assert_status 2
	assert_stderr_has 'no-such-stage'
}

@test "without --hostname the guest is called debian: /etc/hostname, x.hostname, XSTRAP_HOSTNAME" {
	local hook=$BATS_TEST_TMPDIR/hostname-env lua=$BATS_TEST_TMPDIR/hostname.lua
	printf '#!/bin/sh\necho "$XSTRAP_HOSTNAME" >"%s/hostname.env"\n' "$BATS_TEST_TMPDIR" >"$hook"
	chmod +x "$hook"
	printf 'return { run = function(x) x.write("/x-hostname", tostring(x.hostname) .. "\\n") end }\n' >"$lua"
	run --separate-stderr xs --variant=extract --include=hello-fixture --keyring="$KEYRING" \
		--hook "customize:$hook" --hook "customize:$lua" fixture "$T" "$FIXTURE_URL"
	assert_status 0
	assert_eq debian "$(cat "$T/etc/hostname")" "/etc/hostname"
	assert_eq debian "$(cat "$T/x-hostname")" "x.hostname"
	assert_eq debian "$(cat "$BATS_TEST_TMPDIR/hostname.env")" "XSTRAP_HOSTNAME"
}

@test "x.template: a placeholder without a value stops the build naming it, the hook and the line" {
	local lua=$BATS_TEST_TMPDIR/tpl.lua
	printf 'return { run = function(x)\n\tx.template("/etc/tpl", "# a comment\\nroot=#ROOT#\\nkernel=#KERNEL#\\n", { ROOT = "/dev/xvda" })\nend }\n' >"$lua"
	build --hook "customize:$lua"
	assert_status 1
	assert_stderr_has 'tpl\.lua:2:'
	assert_stderr_has '#KERNEL#|KERNEL'
	[ ! -e "$T/etc/tpl" ]
	# with every value given, every placeholder is replaced and a lone # stays
	printf 'return { run = function(x)\n\tx.template("/etc/tpl", "# a comment\\nroot=#ROOT#\\nkernel=#KERNEL#\\n", { ROOT = "/dev/xvda", KERNEL = "/boot/vmlinuz" })\nend }\n' >"$lua"
	rm -rf "$T"
	build --hook "customize:$lua"
	assert_status 0
	assert_eq "$(printf '# a comment\nroot=/dev/xvda\nkernel=/boot/vmlinuz')" "$(cat "$T/etc/tpl")" "/etc/tpl"
}

# fake_guest KIND [OPTIONS]: a XEN_DOMU build of a root that
# tests/fixtures/hooks/fake-guest.lua made look like an installed guest
fake_guest() {
	local kind=$1
	shift
	build --class=XEN_DOMU --set fake="$kind" \
		--hook "setup:$XSTRAP_TOP/tests/fixtures/hooks/fake-guest.lua" "$@"
}

# resolves_in_target LINK: LINK (a host path in $T) points at a file of the target
resolves_in_target() {
	local to
	to=$(readlink "$1")
	case $to in
	/*) [ -f "$T$to" ] ;;
	*) [ -f "$(dirname "$1")/$to" ] ;;
	esac || { echo "$1 -> $to: not a file in the target" >&2; return 1; }
}

@test "sysvinit guest: inittab getty, securetty, static eth0, resolv.conf, hosts, menu.lst, udev" {
	fake_guest sysv --set ip=192.0.2.10/24 --set gateway=192.0.2.1 --set dns=192.0.2.53,192.0.2.54 \
		--set domain=example.org
	assert_status 0
	# console
	assert_eq 1 "$(grep -c 'hvc0' "$T/etc/inittab")" "hvc0 lines in /etc/inittab"
	has_line "$T/etc/inittab" "co:2345:respawn:/sbin/getty 38400 hvc0"
	has_line "$T/etc/inittab" "1:2345:respawn:/sbin/getty 38400 tty1"
	assert_eq "$(printf 'console\ntty1\nhvc0\nxvc0')" "$(cat "$T/etc/securetty")" "/etc/securetty"
	# network: ifupdown's file, static
	has_line "$T/etc/network/interfaces" "auto eth0"
	has_line "$T/etc/network/interfaces" "iface eth0 inet static"
	has_line "$T/etc/network/interfaces" " address 192.0.2.10/24"
	has_line "$T/etc/network/interfaces" " gateway 192.0.2.1"
	refute grep -q dhcp "$T/etc/network/interfaces"
	assert_eq "$(printf 'nameserver 192.0.2.53\nnameserver 192.0.2.54')" "$(cat "$T/etc/resolv.conf")" "/etc/resolv.conf"
	# hosts: the static address carries the name
	has_line "$T/etc/hosts" "192.0.2.10 web1.example.org web1"
	refute grep -q '127.0.1.1' "$T/etc/hosts"
	# pygrub: the newest kernel (10 > 9 as numbers), exactly this menu.lst
	cat >"$BATS_TEST_TMPDIR/menu.lst" <<'EOF2'
default 0
timeout 2

title Fixture Linux 1, kernel 6.1.0-10-amd64
root (hd0)
kernel /boot/vmlinuz-6.1.0-10-amd64 root=/dev/xvda ro console=hvc0 net.ifnames=0
initrd /boot/initrd.img-6.1.0-10-amd64
EOF2
	assert_same_file "$BATS_TEST_TMPDIR/menu.lst" "$T/boot/grub/menu.lst"
	# udev
	[ ! -e "$T/etc/udev/rules.d/70-persistent-net.rules" ]
	assert_eq /dev/null "$(readlink "$T/etc/systemd/network/99-default.link")" "99-default.link"
	# no systemd here: no getty link
	[ ! -e "$T/etc/systemd/system/getty.target.wants/serial-getty@hvc0.service" ]
}

@test "pygrub options: --set root, groot and console reach menu.lst and fstab" {
	fake_guest sysv --set root=/dev/xvda1 --set groot='(hd0,0)' --set console=xvc0
	assert_status 0
	grep -qx 'root (hd0,0)' "$T/boot/grub/menu.lst"
	grep -qx 'kernel /boot/vmlinuz-6.1.0-10-amd64 root=/dev/xvda1 ro console=xvc0 net.ifnames=0' "$T/boot/grub/menu.lst"
	has_line "$T/etc/fstab" "/dev/xvda1 / ext4 errors=remount-ro 0 1"
}

@test "systemd guest: serial-getty@hvc0 enabled, eth0 by systemd-networkd" {
	fake_guest systemd
	assert_status 0
	local link=$T/etc/systemd/system/getty.target.wants/serial-getty@hvc0.service
	[ -L "$link" ]
	resolves_in_target "$link"
	[ "$(basename "$(readlink "$link")")" = serial-getty@.service ]
	# no ifupdown: networkd's file, and the service enabled
	[ ! -e "$T/etc/network/interfaces" ]
	assert_eq "$(printf '[Match]\nName=eth0\n\n[Network]\nDHCP=yes')" \
		"$(cat "$T/etc/systemd/network/10-eth0.network")" "10-eth0.network"
	resolves_in_target "$T/etc/systemd/system/multi-user.target.wants/systemd-networkd.service"
	resolves_in_target "$T/etc/systemd/system/sockets.target.wants/systemd-networkd.socket"
	# no inittab, no securetty: none created
	[ ! -e "$T/etc/inittab" ]
	[ ! -e "$T/etc/securetty" ]
}

@test "pygrub: the newest kernel without its initrd stops the build naming the missing file" {
	fake_guest noinitrd
	assert_status 1
	assert_stderr_has '40-pygrub\.lua:[0-9]+:'
	assert_stderr_has '/boot/initrd\.img-6\.1\.0-10-amd64'
	[ ! -e "$T/boot/grub/menu.lst" ]
}

@test "a bad --set ip stops the build with an example of the expected form" {
	fake_guest sysv --set ip=192.0.2.10
	assert_status 1
	assert_stderr_has '80-network\.lua:[0-9]+:'
	assert_stderr_has 'ip=192\.0\.2\.10/24'
}

@test "the sandbox: a Lua hook that opens a host file with io is refused with its file and line; the file is untouched" {
	printf 'host file\n' >/tmp/xstrap-hook-probe
	local lua=$BATS_TEST_TMPDIR/io-open.lua
	cat >"$lua" <<'LUA'
return {
	run = function(x)
		local f = io.open("/tmp/xstrap-hook-probe", "w")
		f:write("overwritten by a hook\n")
		f:close()
	end,
}
LUA
	build --hook "customize:$lua"
	assert_status 1
	assert_stderr_has 'io-open\.lua:3:'
	assert_stderr_has 'io is not available'
	assert_eq 'host file' "$(cat /tmp/xstrap-hook-probe)" "/tmp/xstrap-hook-probe"
}

@test "the sandbox: x.run_host only for a hook that declares host = true" {
	local lua=$BATS_TEST_TMPDIR/host.lua
	printf 'return { run = function(x)\n\tx.run_host({ "touch", "%s/ran" })\nend }\n' "$BATS_TEST_TMPDIR" >"$lua"
	build --hook "customize:$lua"
	assert_status 1
	assert_stderr_has 'host\.lua:2:'
	assert_stderr_has 'x.run_host reaches the host'
	[ ! -e "$BATS_TEST_TMPDIR/ran" ]

	printf 'return { host = true, run = function(x)\n\tx.run_host({ "touch", "%s/ran" })\nend }\n' \
		"$BATS_TEST_TMPDIR" >"$lua"
	rm -rf "$T"
	build --hook "customize:$lua"
	assert_status 0
	[ -e "$BATS_TEST_TMPDIR/ran" ]
}

@test "an executable hook runs in its own UTS namespace: hostname there leaves the host's name as it was" {
	local host_name hook=$BATS_TEST_TMPDIR/rename-host
	host_name=$(hostname)
	cat >"$hook" <<'EOF2'
#!/bin/sh
hostname xstrap-evil-hook
hostname >"$1/hook-saw"
echo xstrap-evil-hook 2>"$1/proc-write" >/proc/sys/kernel/hostname || echo refused >>"$1/proc-write"
EOF2
	chmod +x "$hook"
	build --hook "customize:$hook"
	local now
	now=$(hostname)
	# a regression must not leave the test machine renamed
	[ "$now" = "$host_name" ] || hostname "$host_name"
	assert_eq "$host_name" "$now" "the host's name"
	assert_status 0
	assert_eq xstrap-evil-hook "$(cat "$T/hook-saw")" "hostname inside the hook"
	# /proc/sys is read-only for it
	grep -q 'refused' "$T/proc-write"
	grep -qi 'read-only' "$T/proc-write"
}

@test "the target is 0700 while it is built (setuid files land in it) and gets its own mode at the end" {
	local hook=$BATS_TEST_TMPDIR/record-mode
	printf '#!/bin/sh\nstat -c %%a "$1" >"%s/mode.$XSTRAP_STAGE"\n' "$BATS_TEST_TMPDIR" >"$hook"
	chmod +x "$hook"
	build --hook "extract:$hook" --hook "cleanup:$hook"
	assert_status 0
	assert_eq 700 "$(cat "$BATS_TEST_TMPDIR/mode.extract")" "the target's mode after extract"
	assert_eq 700 "$(cat "$BATS_TEST_TMPDIR/mode.cleanup")" "the target's mode in cleanup"
	# the setuid file of hello-fixture was in place while nobody could reach it
	[ -u "$T/usr/libexec/hello-fixture/suid-helper" ]
	assert_eq 755 "$(stat -c %a "$T")" "the target's final mode"
}
