-- eth0 of an RPM-family Xen guest: an ifcfg file for the network scripts,
-- DHCP or static from the same options as 80-network.lua (the Debian
-- family's): --set ip=ADDR/PREFIX, gateway=ADDR, dns=ADDR[,ADDR...].
local network = require("xstrap.network")

return {
	classes = { "XEN_DOMU", "RPM" },
	match = "all",
	run = function(x)
		local st = network.options(x)
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
		network.resolv_conf(x, st)
	end,
}
