-- A login prompt on the Xen console, hvc0 (xvc0 on the old xenolinux
-- kernels): a serial getty under systemd, an inittab line under sysvinit,
-- and both names in /etc/securetty where the target still has that file
-- (bookworm's login no longer ships it), so root may log in there.
local function has_line(text, pred)
	for line in (text or ""):gmatch("[^\n]+") do
		if pred(line) then
			return true
		end
	end
	return false
end

-- append_line(x, path, line): add LINE, starting a new line if the file
-- does not end with one.
local function append_line(x, path, line)
	local text = x.read(path) or ""
	local sep = (text ~= "" and text:sub(-1) ~= "\n") and "\n" or ""
	x.append(path, sep .. line .. "\n")
end

-- Where the packages' units are, first place first: bookworm's in
-- /lib/systemd/system (through the merged-/usr link); later suites have
-- them only under /usr/lib, as the RPM family has since /usr was merged.
-- There /lib is only a link, and the link goes where `systemctl enable`
-- would point it: /usr/lib/systemd/system.
local UNIT_DIRS = {
	debian = { "/lib/systemd/system", "/usr/lib/systemd/system" },
	rpm = { "/usr/lib/systemd/system", "/lib/systemd/system" },
}

local function enable_serial_getty(x)
	for _, dir in ipairs(UNIT_DIRS[x.family] or UNIT_DIRS.debian) do
		local unit = dir .. "/serial-getty@.service"
		if x.exists(unit) then
			local wants = "/etc/systemd/system/getty.target.wants"
			x.mkdir(wants)
			-- what `systemctl enable serial-getty@hvc0` would create
			x.symlink(wants .. "/serial-getty@hvc0.service", unit)
			return true
		end
	end
	return false
end

local function inittab_getty(x)
	local inittab = x.read("/etc/inittab")
	if not inittab then
		return false
	end
	local present = has_line(inittab, function(l)
		return not l:match("^%s*#") and l:find("getty", 1, true) and l:find("hvc0", 1, true)
	end)
	if not present then
		append_line(x, "/etc/inittab", "co:2345:respawn:/sbin/getty 38400 hvc0")
	end
	return true
end

local function securetty(x)
	local text = x.read("/etc/securetty")
	if not text then
		return
	end
	for _, tty in ipairs({ "hvc0", "xvc0" }) do
		if not has_line(text, function(l) return l:match("^%s*(.-)%s*$") == tty end) then
			append_line(x, "/etc/securetty", tty)
			text = x.read("/etc/securetty")
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
