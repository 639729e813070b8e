# tests/lib/boot.bash - boot a guest under QEMU's software emulation and
# wait for its login prompt on the serial console. For any test that boots
# what xstrap built (a Xen image's kernel on a virtio disk, an nfsroot...).
#
#   qemu_boot_to_login LOG TIMEOUT KERNEL INITRD APPEND [QEMU ARGS...]
#
# Runs qemu-system-x86_64 with TCG (no KVM: it hangs guests on these
# machines), 1 GiB of memory, no reboot, the serial console written to LOG,
# and the extra QEMU ARGS (the disk, the network). Returns 0 as soon as LOG
# shows "login:", 1 when QEMU exits first ("QEMU exited before login:") or
# TIMEOUT seconds pass, saying which on stderr with the console's last
# lines. QEMU is stopped in every case. Boots take 41-57 s when the machine
# is idle; give a timeout several times that.

# qemu_boot_to_login LOG TIMEOUT KERNEL INITRD APPEND [QEMU ARGS...]
qemu_boot_to_login() {
	local log=$1 timeout=$2 kernel=$3 initrd=$4 append=$5 pid t0=$SECONDS verdict=
	shift 5
	: >"$log"
	qemu-system-x86_64 -accel tcg -m 1024 -smp 1 -no-reboot \
		-display none -monitor none -serial "file:$log" \
		-kernel "$kernel" -initrd "$initrd" -append "$append" "$@" \
		</dev/null >"$log.qemu" 2>&1 &
	pid=$!
	while [ -z "$verdict" ]; do
		if grep -qa 'login:' "$log"; then
			verdict=login
		elif ! kill -0 "$pid" 2>/dev/null; then
			verdict="QEMU exited before login:"
		elif [ $((SECONDS - t0)) -ge "$timeout" ]; then
			verdict="no login: within $timeout s"
		else
			sleep 2
		fi
	done
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	# on bats' fd 3 (shown with the results) when there is one
	{ echo "# boot: $verdict after $((SECONDS - t0)) s" >&3; } 2>/dev/null ||
		echo "# boot: $verdict after $((SECONDS - t0)) s" >&2
	[ "$verdict" = login ] && return 0
	echo "$verdict; QEMU said:" >&2
	cat "$log.qemu" >&2
	echo "last lines of the console:" >&2
	tail -n 40 "$log" >&2
	return 1
}
