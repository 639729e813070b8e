-- The Xen front-end drivers for the virtual disk and network card on the
-- RPM family: modprobe aliases, where initrd builders read
-- scsi_hostadapter to add the disk driver (the Debian family lists them in
-- /etc/modules: 30-modules.lua).
return {
	classes = { "XEN_DOMU", "RPM" },
	match = "all",
	run = function(x)
		x.mkdir("/etc/modprobe.d")
		x.write("/etc/modprobe.d/xen.conf",
			"# Xen front-end drivers (written by xstrap)\n"
			.. "alias scsi_hostadapter xen-blkfront\n"
			.. "alias eth0 xen-netfront\n")
	end,
}
