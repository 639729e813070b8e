-- What the network hooks (hooks/customize/80-network*.lua) share: eth0's
-- settings from the options, and /etc/resolv.conf.
local M = {}

-- The static settings of eth0, or nil for DHCP:
--   --set ip=ADDR/PREFIX  --set gateway=ADDR  --set dns=ADDR[,ADDR...]
function M.options(x)
	local ip = x.opt("ip", "")
	if ip == "" or ip == "dhcp" then
		return nil
	end
	local addr, prefix = ip:match("^([^/]+)/(%d+)$")
	if not addr then
		-- level 2: the error names the hook's line that asked
		error("--set ip=" .. ip .. ": give the address with its prefix length, e.g. ip=192.0.2.10/24", 2)
	end
	local dns = {}
	for a in x.opt("dns", ""):gmatch("[^,%s]+") do
		dns[#dns + 1] = a
	end
	return { ip = ip, addr = addr, prefix = tonumber(prefix), gateway = x.opt("gateway", ""), dns = dns }
end

-- /etc/resolv.conf naming the static settings' DNS servers, if any
function M.resolv_conf(x, st)
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

return M
