-- /etc/machine-id is a random number systemd's postinst (or
-- systemd-machine-id-setup in a scriptlet) drew at build time: every guest
-- made from one image would share it. For a reproducible root it is left
-- empty, as mmdebstrap leaves it and machine-id(5) asks of images: an
-- empty file makes systemd draw a fresh one at first boot. dbus's own copy
-- (/var/lib/dbus/machine-id) is removed; dbus falls back to /etc's.
return {
	classes = { "REPRODUCIBLE" },
	run = function(x)
		if x.exists("/etc/machine-id") then
			x.write("/etc/machine-id", "", "0444")
		end
		x.remove("/var/lib/dbus/machine-id")
	end,
}
