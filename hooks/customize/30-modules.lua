-- The Xen front-end drivers for the virtual disk and network card, loaded
-- at boot through /etc/modules (the Debian family; the RPM family's
-- equivalent is 30-modprobe-aliases.lua). A module already listed, even
-- with a comment after it, is not listed twice.
local MODULES = { "xen-blkfront", "xen-netfront" }

local MODULES_HEADER = [[
# /etc/modules: kernel modules to load at boot time.
#
# One module name per line; lines beginning with "#" are ignored.
]]

return {
	classes = { "XEN_DOMU", "DEBIAN" },
	match = "all",
	run = function(x)
		if not x.read("/etc/modules") then
			x.write("/etc/modules", MODULES_HEADER)
		end
		for _, m in ipairs(MODULES) do
			local listed = x.has_line("/etc/modules", function(l)
				return l:match("^%s*([^#%s]+)") == m
			end)
			if not listed then
				x.add_line("/etc/modules", m)
			end
		end
	end,
}
