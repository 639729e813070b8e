-- The module every class script and hook sees as require("xstrap") and as
-- the argument of a hook's run function. The C core (xstrap.core) does the
-- work; this file adds the small conveniences scripts keep needing.
local core = require("xstrap.core")

local M = setmetatable({}, { __index = core })

-- True when the target file has exactly this line, or, given a function,
-- a line for which it returns true.
function M.has_line(path, line)
	local text = core.read(path)
	if not text then return false end
	local match = type(line) == "function" and line or function(l) return l == line end
	for l in text:gmatch("[^\n]*") do
		if match(l) then return true end
	end
	return false
end

-- Appends LINE to PATH unless it is already there (creating the file).
function M.add_line(path, line)
	if M.has_line(path, line) then return false end
	local text = core.read(path)
	if text and #text > 0 and text:sub(-1) ~= "\n" then
		core.append(path, "\n")
	end
	core.append(path, line .. "\n")
	return true
end

-- Compares version strings the way people expect ("5.10" < "6.1", "6.1.2" > "6.1").
function M.version_less(a, b)
	local function parts(s)
		local t = {}
		for num, str in s:gmatch("(%d*)(%D*)") do
			if num ~= "" then t[#t + 1] = tonumber(num) end
			if str ~= "" then t[#t + 1] = str end
		end
		return t
	end
	local pa, pb = parts(a), parts(b)
	for i = 1, math.max(#pa, #pb) do
		local x, y = pa[i], pb[i]
		if x == nil then return true end
		if y == nil then return false end
		if type(x) ~= type(y) then x, y = tostring(x), tostring(y) end
		if x ~= y then return x < y end
	end
	return false
end

-- The value of BYCLASS for the class set last among its keys (the order
-- FAI's fcopy uses), or nil: data that differs by class, the family's
-- (DEBIAN, RPM) above all, without asking which one the build is.
function M.by_class(byclass)
	local classes = core.classes()
	for i = #classes, 1, -1 do
		local v = byclass[classes[i]]
		if v ~= nil then return v end
	end
	return nil
end

-- The directory of the target's systemd unit UNIT (e.g.
-- "serial-getty@.service") among the family's unit directories, first
-- place first (lua/xstrap/families.lua), or nil.
function M.unit_dir(unit)
	for _, dir in ipairs(M.by_class(require("xstrap.families")).unit_dirs) do
		if core.exists(dir .. "/" .. unit) then return dir end
	end
	return nil
end

return M
