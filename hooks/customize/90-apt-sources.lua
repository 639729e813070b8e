-- The apt sources of a Debian-family guest point at the mirror the build
-- used, so `apt-get update` works in it from the first boot. A file://
-- mirror is a path on the build host, meaningless in the guest: then
-- nothing is added; nor in a root without apt (e.g. --variant=extract of a
-- few packages). An entry already there (one-line or deb822 format, for
-- this mirror and suite) is not repeated.
local function norm(uri)
	return (uri:gsub("/+$", ""))
end

-- one_line_has(x, path, mirror, suite): a "deb [opts] URI SUITE ..." line
local function one_line_has(x, path, mirror, suite)
	return x.has_line(path, function(line)
		local rest = line:match("^%s*deb%s+(.*)$")
		if not rest then
			return false
		end
		local uri, dist = rest:gsub("^%[[^%]]*%]%s*", ""):match("^(%S+)%s+(%S+)")
		return uri ~= nil and norm(uri) == mirror and dist == suite
	end)
end

-- deb822_has(text, mirror, suite): a stanza with Types: deb, the mirror
-- among its URIs and the suite among its Suites (continuation lines ignored,
-- as apt's own sources rarely use them for these fields)
local function deb822_has(text, mirror, suite)
	for stanza in (text .. "\n\n"):gmatch("(.-)\n%s*\n") do
		local f = {}
		for line in stanza:gmatch("[^\n]+") do
			local k, v = line:match("^([%w-]+):%s*(.*)$")
			if k then
				f[k:lower()] = " " .. v .. " "
			end
		end
		local enabled = not (f.enabled and f.enabled:match("^%s*[Nn]o"))
		if enabled and f.types and f.types:find(" deb ", 1, true) and f.uris and f.suites then
			local uri_ok = false
			for u in f.uris:gmatch("%S+") do
				uri_ok = uri_ok or norm(u) == mirror
			end
			if uri_ok and f.suites:find(" " .. suite .. " ", 1, true) then
				return true
			end
		end
	end
	return false
end

local function configured(x, mirror, suite)
	if one_line_has(x, "/etc/apt/sources.list", mirror, suite) then
		return true
	end
	for _, name in ipairs(x.list("/etc/apt/sources.list.d")) do
		local path = "/etc/apt/sources.list.d/" .. name
		if name:match("%.list$") and one_line_has(x, path, mirror, suite) then
			return true
		end
		if name:match("%.sources$") and deb822_has(x.read(path) or "", mirror, suite) then
			return true
		end
	end
	return false
end

return {
	classes = { "DEBIAN" },
	run = function(x)
		if not x.installed("apt") then
			return
		end
		local mirror = norm(x.mirror or "")
		if mirror == "" or mirror:match("^file:") then
			return
		end
		if configured(x, mirror, x.suite) then
			return
		end
		x.mkdir("/etc/apt")
		x.add_line("/etc/apt/sources.list", "deb " .. mirror .. " " .. x.suite .. " main")
	end,
}
