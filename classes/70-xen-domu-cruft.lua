-- Cruft kept out of every Xen guest at resolve time (why: hooks/customize/
-- 60-cruft.lua, which also removes what got in anyway). Names of both
-- families are listed; a name the archive does not have is ignored.
-- A site turns this off with its own classes/70-xen-domu-cruft.lua, or
-- adds to it with packages/XEN_DOMU.lua in its config space.
local x = require("xstrap")

if x.ifclass("XEN_DOMU") then
	x.exclude({
		-- Debian
		"avahi-daemon", "pcscd", "nfs-common", "cups-daemon",
		-- RPM family
		"avahi", "pcsc-lite", "nfs-utils",
		-- both
		"smartmontools", "bluez", "rpcbind", "portmap", "cups", "autofs", "gpm",
	})
end
return {}
