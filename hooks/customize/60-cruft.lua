-- Services a Xen guest has no use for (no mDNS, no disks to watch, no
-- smart cards, Bluetooth, printers, NFS or mouse on a virtual console):
-- each is a daemon to patch and an open port for nothing. classes/
-- 70-xen-domu-cruft.lua keeps them out at resolve time; this removes those that got
-- in anyway, e.g. pulled by a package the site asked for.
-- Keep the lists in step with classes/70-xen-domu-cruft.lua.
local CRUFT = {
	debian = { "avahi-daemon", "smartmontools", "pcscd", "bluez", "nfs-common",
		"rpcbind", "portmap", "cups", "cups-daemon", "autofs", "gpm" },
	rpm = { "avahi", "smartmontools", "pcsc-lite", "bluez", "nfs-utils",
		"rpcbind", "portmap", "cups", "autofs", "gpm" },
}

return {
	classes = { "XEN_DOMU" },
	run = function(x)
		local found = {}
		for _, name in ipairs(CRUFT[x.family] or CRUFT.debian) do
			if x.installed(name) then
				found[#found + 1] = name
			end
		end
		if #found > 0 then
			x.log("cruft: removing " .. table.concat(found, " "))
			x.purge(found)
		end
	end,
}
