-- The module every class script and hook sees as require("xstrap") and as
-- the argument of a hook's run function. The C core (xstrap.core) does the
-- work; this file adds the small conveniences scripts keep needing.
local core = require("xstrap.core")

local M = setmetatable({}, { __index = core })

-- True when the target file has exactly this line.
function M.has_line(path, line)
	local text = core.read(path)
	if not text then return false end
	for l in text:gmatch("[^\n]*") do
		if l == line then return true end
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

return M
