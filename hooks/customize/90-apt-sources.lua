-- The guest's own apt sources point at the mirror the build used, so
-- `apt-get update` works in it from the first boot. A file:// mirror is a
-- path on the build host, meaningless in the guest: then nothing is added;
-- nor in a root without apt (e.g. --variant=extract of a few packages).
-- An entry already there (one-line or deb822 format, for this mirror and
-- suite) is not repeated.
local function norm(uri)
	return (uri:gsub("/+$", ""))
end

-- one_line_has(text, mirror, suite): a "deb [opts] URI SUITE ..." line
local function one_line_has(text, mirror, suite)
	for line in text:gmatch("[^\n]+") do
		local rest = line:match("^%s*deb%s+(.*)$")
		if rest then
			rest = rest:gsub("^%[[^%]]*%]%s*", "")
			local uri, dist = rest:match("^(%S+)%s+(%S+)")
			if uri and norm(uri) == mirror and dist == suite then
				return true
			end
		end
	end
	return false
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
	if one_line_has(x.read("/etc/apt/sources.list") or "", mirror, suite) then
		return true
	end
	for _, name in ipairs(x.list("/etc/apt/sources.list.d")) do
		local text = x.read("/etc/apt/sources.list.d/" .. name) or ""
		if name:match("%.list$") and one_line_has(text, mirror, suite) then
			return true
		end
		if name:match("%.sources$") and deb822_has(text, mirror, suite) then
			return true
		end
	end
	return false
end

return {
	run = function(x)
		if x.family ~= "debian" or not x.installed("apt") then
			return
		end
		local mirror = norm(x.mirror or "")
		if mirror == "" or mirror:match("^file:") then
			return
		end
		if configured(x, mirror, x.suite) then
			return
		end
		local text = x.read("/etc/apt/sources.list") or ""
		local sep = (text ~= "" and text:sub(-1) ~= "\n") and "\n" or ""
		x.mkdir("/etc/apt")
		x.append("/etc/apt/sources.list", sep .. "deb " .. mirror .. " " .. x.suite .. " main\n")
	end,
}
