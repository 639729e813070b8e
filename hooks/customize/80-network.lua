-- eth0 of a Xen guest: DHCP, or a static address from options:
--   --set ip=ADDR/PREFIX  --set gateway=ADDR  --set dns=ADDR[,ADDR...]
-- Written for whichever tool the target has: ifupdown's
-- /etc/network/interfaces, else a systemd-networkd .network file (the unit
-- enabled as `systemctl enable` would), on the RPM family an ifcfg file.
-- eth0 is the name 50-udev.lua keeps.

-- options(x): the static settings, or nil for DHCP
local function options(x)
	local ip = x.opt("ip", "")
	if ip == "" or ip == "dhcp" then
		return nil
	end
	local addr, prefix = ip:match("^([^/]+)/(%d+)$")
	if not addr then
		error("--set ip=" .. ip .. ": give the address with its prefix length, e.g. ip=192.0.2.10/24")
	end
	local dns = {}
	for a in x.opt("dns", ""):gmatch("[^,%s]+") do
		dns[#dns + 1] = a
	end
	return { ip = ip, addr = addr, prefix = tonumber(prefix), gateway = x.opt("gateway", ""), dns = dns }
end

local function resolv_conf(x, st)
	if not st or #st.dns == 0 then
		return
	end
	local lines = {}
	for _, a in ipairs(st.dns) do
		lines[#lines + 1] = "nameserver " .. a
	end
	-- replace a link (e.g. to systemd-resolved's stub) by a plain file
	x.remove("/etc/resolv.conf")
	x.write("/etc/resolv.conf", table.concat(lines, "\n") .. "\n")
end

local function unit_dir(x, unit)
	for _, dir in ipairs({ "/lib/systemd/system", "/usr/lib/systemd/system" }) do
		if x.exists(dir .. "/" .. unit) then
			return dir
		end
	end
end

local function ifupdown(x, st)
	local lines = {
		"# eth0, the Xen guest's network card (written by xstrap).",
		"source /etc/network/interfaces.d/*",
		"",
		"auto lo",
		"iface lo inet loopback",
		"",
		"auto eth0",
	}
	if st then
		lines[#lines + 1] = "iface eth0 inet static"
		lines[#lines + 1] = "\taddress " .. st.ip
		if st.gateway ~= "" then
			lines[#lines + 1] = "\tgateway " .. st.gateway
		end
	else
		lines[#lines + 1] = "iface eth0 inet dhcp"
	end
	x.mkdir("/etc/network")
	x.write("/etc/network/interfaces", table.concat(lines, "\n") .. "\n")
	resolv_conf(x, st)
end

local function networkd(x, st, dir)
	local lines = { "[Match]", "Name=eth0", "", "[Network]" }
	if st then
		lines[#lines + 1] = "Address=" .. st.ip
		if st.gateway ~= "" then
			lines[#lines + 1] = "Gateway=" .. st.gateway
		end
		for _, a in ipairs(st.dns) do
			lines[#lines + 1] = "DNS=" .. a
		end
	else
		lines[#lines + 1] = "DHCP=yes"
	end
	x.mkdir("/etc/systemd/network")
	x.write("/etc/systemd/network/10-eth0.network", table.concat(lines, "\n") .. "\n")
	-- the [Install] section of systemd-networkd.service, by hand: no
	-- systemctl needs to run in the target
	local links = {
		{ "multi-user.target.wants", "systemd-networkd.service" },
		{ "sockets.target.wants", "systemd-networkd.socket" },
		{ "network-online.target.wants", "systemd-networkd-wait-online.service" },
	}
	for _, l in ipairs(links) do
		if x.exists(dir .. "/" .. l[2]) then
			x.mkdir("/etc/systemd/system/" .. l[1])
			x.symlink("/etc/systemd/system/" .. l[1] .. "/" .. l[2], dir .. "/" .. l[2])
		end
	end
	x.symlink("/etc/systemd/system/dbus-org.freedesktop.network1.service",
		dir .. "/systemd-networkd.service")
	if st then
		resolv_conf(x, st)
	end
end

local function ifcfg(x, st)
	local lines = { "DEVICE=eth0", "TYPE=Ethernet", "ONBOOT=yes" }
	if st then
		lines[#lines + 1] = "BOOTPROTO=none"
		lines[#lines + 1] = "IPADDR=" .. st.addr
		lines[#lines + 1] = "PREFIX=" .. st.prefix
		if st.gateway ~= "" then
			lines[#lines + 1] = "GATEWAY=" .. st.gateway
		end
		for i, a in ipairs(st.dns) do
			lines[#lines + 1] = "DNS" .. i .. "=" .. a
		end
	else
		lines[#lines + 1] = "BOOTPROTO=dhcp"
	end
	x.mkdir("/etc/sysconfig/network-scripts")
	x.write("/etc/sysconfig/network-scripts/ifcfg-eth0", table.concat(lines, "\n") .. "\n")
	resolv_conf(x, st)
end

return {
	classes = { "XEN_DOMU" },
	run = function(x)
		local st = options(x)
		if x.family == "rpm" then
			ifcfg(x, st)
			return
		end
		if x.installed("ifupdown") or x.isdir("/etc/network") then
			ifupdown(x, st)
			return
		end
		local dir = unit_dir(x, "systemd-networkd.service")
		if dir then
			networkd(x, st, dir)
			return
		end
		x.warn("eth0 is not configured: the target has neither ifupdown nor systemd-networkd")
		resolv_conf(x, st)
	end,
}
