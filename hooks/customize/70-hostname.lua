-- /etc/hostname for every build (not only Xen guests): --hostname. Without
-- one, the family decides (lua/xstrap/families.lua, "unnamed"): Debian's
-- guest is called "debian"; the RPM family's gets no /etc/hostname, as dnf
-- --installroot writes none, unless it is a Xen guest ("localhost").
--
-- /etc/hosts follows Debian's installer: the name on 127.0.1.1 when the
-- address comes from DHCP, on the static address when one is given (--set
-- ip=ADDR/PREFIX), with the domain first when --set domain=DOMAIN is given.
-- It is written for a Xen guest and whenever a name was chosen; a plain
-- build under the default name keeps the /etc/hosts its packages made
-- (netbase's, or none in minbase), as debootstrap's root has it.
local function valid_hostname(name)
	-- RFC 1123 labels: letters, digits, hyphens; no leading hyphen
	if #name == 0 or #name > 253 then
		return false
	end
	for label in (name .. "."):gmatch("([^.]*)%.") do
		if #label == 0 or #label > 63 or not label:match("^[%w][%w-]*$") or label:match("-$") then
			return false
		end
	end
	return true
end

return {
	run = function(x)
		local unnamed = x.by_class(require("xstrap.families")).unnamed
		local name = x.hostname or "debian"
		-- "debian" is what xstrap calls a guest without --hostname
		if name == "debian" then
			if not unnamed.write and not x.ifclass("XEN_DOMU") then
				return
			end
			name = unnamed.hostname
		end
		if not valid_hostname(name) then
			error("hostname \"" .. name .. "\" is not a valid host name "
				.. "(letters, digits and hyphens, dot-separated labels of at most 63): give another with --hostname")
		end
		local short = name:match("^[^.]+")
		local domain = x.opt("domain", "")
		local names = short
		if domain ~= "" then
			names = short .. "." .. domain .. " " .. short
		elseif short ~= name then
			names = name .. " " .. short
		end
		local ip = x.opt("ip", "")
		local addr = ip ~= "dhcp" and ip:match("^[^/]+") or "127.0.1.1"
		x.write("/etc/hostname", short .. "\n")
		if name == unnamed.hostname and not x.ifclass("XEN_DOMU") then
			return
		end
		x.write("/etc/hosts", table.concat({
			"127.0.0.1 localhost",
			addr .. " " .. names,
			"",
			"# The following lines are desirable for IPv6 capable hosts",
			"::1     localhost ip6-localhost ip6-loopback",
			"ff02::1 ip6-allnodes",
			"ff02::2 ip6-allrouters",
		}, "\n") .. "\n")
	end,
}
