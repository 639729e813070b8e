#!/usr/bin/env bats
# The class set: the built-in classes, --class, a site's class scripts, and
# XENSERVER detection (classes/60-detect-xenserver.lua) against fake host
# facts. `xstrap classes [OPTIONS] SUITE` prints the set, one per line,
# without touching the network; XSTRAP_HOST_ROOT points x.host_read and
# x.host_dmesg at a fake /sys, /proc and kernel log.

bats_require_minimum_version 1.5.0
load ../lib/common

setup() {
	HOST=$BATS_TEST_TMPDIR/host
	mkdir -p "$HOST/sys/hypervisor" "$HOST/sys/class/dmi/id" "$HOST/proc/xen"
	: >"$HOST/dmesg"
	export XSTRAP_HOST_ROOT=$HOST
	SITE=$XSTRAP_TOP/tests/fixtures/config-space
	[ -x "$XSTRAP" ] || { echo "the binary under test is missing: $XSTRAP (run make)" >&2; return 1; }
}

# classes_of [OPTIONS]: the class set of a bookworm amd64 build; must succeed
classes_of() {
	run --separate-stderr "$XSTRAP" classes --arch=amd64 "$@" bookworm
	assert_status 0
}

# has_class NAME / lacks_class NAME: in the last classes_of output
has_class() {
	if ! grep -qx -- "$1" <<<"$output"; then
		echo "class $1 is not in the set:" >&2
		echo "$output" >&2
		return 1
	fi
}

lacks_class() {
	if grep -qx -- "$1" <<<"$output"; then
		echo "class $1 is in the set but should not be:" >&2
		echo "$output" >&2
		return 1
	fi
}

# host_file PATH TEXT: a file of the fake host
host_file() {
	mkdir -p "$(dirname "$HOST/$1")"
	printf '%s\n' "$2" >"$HOST/$1"
}

# the DMI strings of a guest of the given vendor and product
dmi() {
	host_file sys/class/dmi/id/sys_vendor "$1"
	host_file sys/class/dmi/id/product_name "$2"
	host_file sys/class/dmi/id/bios_vendor "$3"
}

@test "built-in classes: DEFAULT, family, suite, architecture, hostname, then --class" {
	classes_of --hostname=web1 --class=XEN_DOMU,EXTRA_ONE --class=EXTRA_TWO
	for c in DEFAULT DEBIAN BOOKWORM AMD64 WEB1 XEN_DOMU EXTRA_ONE EXTRA_TWO; do
		has_class "$c"
	done
	# one class per line, each once
	refute grep -vE '^[A-Za-z0-9_-]+$' <<<"$output"
	assert_eq "" "$(sort <<<"$output" | uniq -d)" "classes listed twice"
	# the built-ins come first, in the documented order
	assert_eq "DEFAULT DEBIAN BOOKWORM AMD64 WEB1" "$(head -n 5 <<<"$output" | tr '\n' ' ' | sed 's/ $//')" \
		"the first five classes"
	# an empty fake host is no Xen guest
	lacks_class XENSERVER
}

@test "the default hostname gives the class DEBIAN once, and no XEN_DOMU unless asked for" {
	classes_of
	has_class DEBIAN
	assert_eq 1 "$(grep -cx DEBIAN <<<"$output")" "DEBIAN lines"
	lacks_class XEN_DOMU
}

@test "XENSERVER: the PV kernel line in dmesg" {
	host_file dmesg "[    0.000000] Booting paravirtualized kernel on Xen
[    0.000000] Xen version: 4.7.6 (preserve-AD)"
	classes_of
	has_class XENSERVER
}

@test "XENSERVER: the HVM guest's 'Booting paravirtualized kernel on Xen HVM' line" {
	host_file dmesg "[    0.000000] Hypervisor detected: Xen HVM
[    0.020000] Booting paravirtualized kernel on Xen HVM"
	classes_of
	has_class XENSERVER
}

@test "XENSERVER: an ACPI table line of Xen's HVM firmware in dmesg" {
	host_file dmesg "[    0.000000] ACPI: RSDP 0x00000000000EA020 000024 (v02 Xen   )
[    0.000000] ACPI: XSDT 0x00000000FC00A7C0 000054 (v01 Xen    HVM      00000000 HVML 00000000)"
	classes_of
	has_class XENSERVER
}

@test "XENSERVER: DMI strings naming Citrix or XenServer" {
	dmi "Xen" "HVM domU" "Citrix Systems, Inc."
	classes_of
	has_class XENSERVER
	rm -rf "$HOST/sys/class/dmi/id"
	dmi "Some Vendor" "XenServer HVM guest" "Some BIOS"
	classes_of
	has_class XENSERVER
}

@test "XENSERVER: /sys/hypervisor/type xen with the DMI system vendor Xen" {
	host_file sys/hypervisor/type xen
	dmi "Xen" "HVM domU" "Xen"
	classes_of
	has_class XENSERVER
}

@test "not XENSERVER: a KVM guest (QEMU DMI, KVM kernel lines)" {
	dmi "QEMU" "Standard PC (Q35 + ICH9, 2009)" "SeaBIOS"
	host_file dmesg "[    0.000000] Hypervisor detected: KVM
[    0.000000] ACPI: RSDP 0x00000000000F5A10 000014 (v00 BOCHS )
[    0.040000] Booting paravirtualized kernel on KVM"
	classes_of
	lacks_class XENSERVER
}

@test "not XENSERVER: /sys/hypervisor/type xen alone, on hardware DMI" {
	host_file sys/hypervisor/type xen
	dmi "Dell Inc." "PowerEdge R640" "Dell Inc."
	classes_of
	lacks_class XENSERVER
}

@test "not XENSERVER: a dom0, although its kernel prints the PV line" {
	host_file sys/hypervisor/type xen
	host_file proc/xen/capabilities control_d
	dmi "Dell Inc." "PowerEdge R640" "Dell Inc."
	host_file dmesg "[    0.000000] Booting paravirtualized kernel on Xen"
	classes_of
	lacks_class XENSERVER
}

@test "not XENSERVER: 'ACPI:', 'Xen' and 'HVM' on different dmesg lines" {
	host_file dmesg "[    0.000000] ACPI: Early table checksum verification disabled
[    1.000000] xen: not running on Xen
[    2.000000] HVM: nothing"
	classes_of
	lacks_class XENSERVER
}

@test "a site class script adds WEBSERVER for --set role=web only" {
	classes_of --config-space="$SITE" --set role=web
	has_class WEBSERVER
	classes_of --config-space="$SITE" --set role=db
	lacks_class WEBSERVER
	classes_of --config-space="$SITE"
	lacks_class WEBSERVER
}

@test "a site class script replaces the built-in of the same name" {
	local site=$BATS_TEST_TMPDIR/site
	mkdir -p "$site/classes"
	printf 'return { "SITE_DETECTED" }\n' >"$site/classes/60-detect-xenserver.lua"
	host_file dmesg "[    0.000000] Booting paravirtualized kernel on Xen"
	classes_of --config-space="$site"
	has_class SITE_DETECTED
	lacks_class XENSERVER
}

@test "class scripts run in name order across both spaces and see earlier classes" {
	local site=$BATS_TEST_TMPDIR/site
	mkdir -p "$site/classes"
	# 65 sorts after the built-in 60-detect-xenserver.lua
	cat >"$site/classes/65-after-detect.lua" <<'EOF'
local x = require("xstrap")
if x.ifclass("XENSERVER") then return { "SAW_XENSERVER" } end
return { "NO_XENSERVER" }
EOF
	cat >"$site/classes/05-first.lua" <<'EOF'
local x = require("xstrap")
x.addclass("FROM_ADDCLASS")
return { "FIRST" }
EOF
	host_file dmesg "[    0.000000] Booting paravirtualized kernel on Xen"
	classes_of --config-space="$site"
	has_class SAW_XENSERVER
	has_class FIRST
	has_class FROM_ADDCLASS
	lacks_class NO_XENSERVER
	# FIRST (05) is set before XENSERVER (60), which is before SAW_XENSERVER (65)
	local first xen saw
	first=$(grep -nx FIRST <<<"$output" | cut -d: -f1)
	xen=$(grep -nx XENSERVER <<<"$output" | cut -d: -f1)
	saw=$(grep -nx SAW_XENSERVER <<<"$output" | cut -d: -f1)
	[ "$first" -lt "$xen" ]
	[ "$xen" -lt "$saw" ]
}

@test "a failing class script stops with its path, line and message" {
	local site=$BATS_TEST_TMPDIR/site
	mkdir -p "$site/classes"
	printf -- '-- line 1\nlocal x = require("xstrap")\nerror("cannot classify this host")\n' \
		>"$site/classes/70-broken.lua"
	run --separate-stderr "$XSTRAP" classes --config-space="$site" bookworm
	assert_status 1
	assert_stderr_has '70-broken\.lua:3:'
	assert_stderr_has 'cannot classify this host'
}

@test "a class script that returns something other than a list of names is refused" {
	local site=$BATS_TEST_TMPDIR/site
	mkdir -p "$site/classes"
	printf 'return "WEBSERVER"\n' >"$site/classes/70-not-a-list.lua"
	run --separate-stderr "$XSTRAP" classes --config-space="$site" bookworm
	assert_status 1
	assert_stderr_has '70-not-a-list\.lua'
}
