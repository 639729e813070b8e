-- eth0 of a Debian-family Xen guest: DHCP, or a static address from options:
--   --set ip=ADDR/PREFIX  --set gateway=ADDR  --set dns=ADDR[,ADDR...]
-- Written for whichever tool the target has: ifupdown's
-- /etc/network/interfaces, else a systemd-networkd .network file (the unit
-- enabled as `systemctl enable` would). The RPM family's ifcfg file is
-- 80-network-ifcfg.lua's. eth0 is the name 50-udev.lua keeps.

local network = require("xstrap.network")
local resolv_conf = network.resolv_conf

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

return {
	classes = { "XEN_DOMU", "DEBIAN" },
	match = "all",
	run = function(x)
		local st = network.options(x)
		if x.installed("ifupdown") or x.isdir("/etc/network") then
			ifupdown(x, st)
			return
		end
		local dir = x.unit_dir("systemd-networkd.service")
		if dir then
			networkd(x, st, dir)
			return
		end
		x.warn("eth0 is not configured: the target has neither ifupdown nor systemd-networkd")
		resolv_conf(x, st)
	end,
}
