-- Removes the cruft (lua/xstrap/cruft.lua: services a Xen guest has no use
-- for) that got in although classes/70-xen-domu-cruft.lua kept it out at
-- resolve time, e.g. pulled by a package the site asked for, or because a
-- site emptied that exclude list. Not in an NFSROOT, which needs the NFS
-- client (classes/70-xen-domu-cruft.lua says why).
return {
	classes = { "XEN_DOMU" },
	run = function(x)
		if x.ifclass("NFSROOT") then
			return
		end
		local found = {}
		for _, name in ipairs(x.by_class(require("xstrap.cruft")) or {}) do
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
