-- Cruft kept out of every Xen guest at resolve time: the family's names in
-- lua/xstrap/cruft.lua, the list hooks/customize/60-cruft.lua also removes
-- after install when some got in anyway. A name the archive does not have
-- is ignored. A site turns this off with its own classes/70-xen-domu-cruft.lua,
-- or adds to it with packages/XEN_DOMU.lua in its config space. An NFSROOT
-- (a network-install client, which may well be a Xen guest too) needs the
-- NFS client, so the list is not applied to it.
local x = require("xstrap")

if x.ifclass("XEN_DOMU") and not x.ifclass("NFSROOT") then
	x.exclude(x.by_class(require("xstrap.cruft")) or {})
end
return {}
