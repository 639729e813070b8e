-- The one list of cruft: services a Xen guest has no use for (no mDNS, no
-- disks to watch, no smart cards, Bluetooth, printers, NFS or mouse on a
-- virtual console), each a daemon to patch and an open port for nothing.
-- classes/70-xen-domu-cruft.lua keeps them out at resolve time;
-- hooks/customize/60-cruft.lua removes those that got in anyway. Keyed by
-- the family's class: each family names the same software its own way.
return {
	DEBIAN = { "avahi-daemon", "smartmontools", "pcscd", "bluez", "nfs-common",
		"rpcbind", "portmap", "cups", "cups-daemon", "autofs", "gpm" },
	RPM = { "avahi", "smartmontools", "pcsc-lite", "bluez", "nfs-utils",
		"rpcbind", "portmap", "cups", "autofs", "gpm" },
}
