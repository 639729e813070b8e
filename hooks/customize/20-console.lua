-- A login prompt on the Xen console, hvc0 (xvc0 on the old xenolinux
-- kernels): a serial getty under systemd, an inittab line under sysvinit,
-- and both names in /etc/securetty where the target still has that file
-- (bookworm's login no longer ships it), so root may log in there.
local function enable_serial_getty(x)
	local dir = x.unit_dir("serial-getty@.service")
	if not dir then
		return false
	end
	local wants = "/etc/systemd/system/getty.target.wants"
	x.mkdir(wants)
	-- what `systemctl enable serial-getty@hvc0` would create
	x.symlink(wants .. "/serial-getty@hvc0.service", dir .. "/serial-getty@.service")
	return true
end

local function inittab_getty(x)
	if not x.read("/etc/inittab") then
		return false
	end
	local present = x.has_line("/etc/inittab", function(l)
		return not l:match("^%s*#") and l:find("getty", 1, true) and l:find("hvc0", 1, true)
	end)
	if not present then
		x.add_line("/etc/inittab", "co:2345:respawn:/sbin/getty 38400 hvc0")
	end
	return true
end

local function securetty(x)
	if not x.read("/etc/securetty") then
		return
	end
	for _, tty in ipairs({ "hvc0", "xvc0" }) do
		if not x.has_line("/etc/securetty", function(l) return l:match("^%s*(.-)%s*$") == tty end) then
			x.add_line("/etc/securetty", tty)
		end
	end
end

return {
	classes = { "XEN_DOMU" },
	run = function(x)
		local systemd = enable_serial_getty(x)
		local sysv = inittab_getty(x)
		if not systemd and not sysv then
			x.warn("no getty set up on hvc0: the target has neither systemd's serial-getty@.service nor /etc/inittab")
		end
		securetty(x)
	end,
}
