-- The Xen front-end drivers for the virtual disk and network card, loaded
-- at boot: /etc/modules on Debian, modprobe aliases on the RPM family
-- (where initrd builders read scsi_hostadapter to add the disk driver).
local DEBIAN_MODULES = { "xen-blkfront", "xen-netfront" }

local MODULES_HEADER = [[
# /etc/modules: kernel modules to load at boot time.
#
# One module name per line; lines beginning with "#" are ignored.
]]

local function debian(x)
	local text = x.read("/etc/modules")
	if not text then
		x.write("/etc/modules", MODULES_HEADER)
		text = MODULES_HEADER
	end
	local have = {}
	for line in text:gmatch("[^\n]+") do
		local name = line:match("^%s*([^#%s]+)")
		if name then
			have[name] = true
		end
	end
	local add = {}
	for _, m in ipairs(DEBIAN_MODULES) do
		if not have[m] then
			add[#add + 1] = m
		end
	end
	if #add > 0 then
		local sep = (text ~= "" and text:sub(-1) ~= "\n") and "\n" or ""
		x.append("/etc/modules", sep .. table.concat(add, "\n") .. "\n")
	end
end

local function rpm(x)
	x.mkdir("/etc/modprobe.d")
	x.write("/etc/modprobe.d/xen.conf",
		"# Xen front-end drivers (written by xstrap)\n"
		.. "alias scsi_hostadapter xen-blkfront\n"
		.. "alias eth0 xen-netfront\n")
end

return {
	classes = { "XEN_DOMU" },
	run = function(x)
		if x.family == "rpm" then
			rpm(x)
		else
			debian(x)
		end
	end,
}
