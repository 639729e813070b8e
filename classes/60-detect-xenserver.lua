-- XENSERVER: xstrap itself runs inside a Xen guest of the kind XenServer
-- (Citrix Hypervisor, XCP-ng) provides, as in an FAI install run in the
-- guest. Sites use the class to pick the pygrub/partition layout that
-- toolstack expects; nothing built in depends on it.
--
-- What counts, any one of:
--   * the kernel's boot lines FAI's detect script has always used:
--     "Booting paravirtualized kernel on Xen" (PV, or "Xen HVM"/"Xen PVH")
--     and the ACPI table lines "ACPI: ... Xen ... HVM" of an HVM guest;
--   * DMI text naming the product: "XenServer", "Citrix" or "XCP-ng";
--   * /sys/hypervisor/type is "xen" and the DMI system vendor is "Xen",
--     which is what the toolstack's HVM firmware reports.
-- The dmesg lines and the vendor "Xen" are shared by every Xen guest, not
-- only XenServer's; FAI sites rely on that breadth, so it is kept. What is
-- not a guest at all is excluded: /sys/hypervisor/type alone, and a dom0
-- (/proc/xen/capabilities says "control_d"), whose kernel prints the same
-- "paravirtualized kernel on Xen" line. xstrap usually runs on a dom0 to
-- build guests; that build must not be classed XENSERVER.
--
-- Host files are read through x.host_read, so tests can fake them with
-- XSTRAP_HOST_ROOT.
local x = require("xstrap")

local function trim(s)
	return s and (s:gsub("^%s+", ""):gsub("%s+$", "")) or ""
end

local function dmi(field)
	return trim(x.host_read("/sys/class/dmi/id/" .. field))
end

local function is_dom0()
	local caps = x.host_read("/proc/xen/capabilities")
	return caps ~= nil and caps:find("control_d", 1, true) ~= nil
end

-- dmesg is matched line by line, as egrep does: ".*" must not join the
-- "ACPI:" of one line with the "HVM" of another.
local function dmesg_says_xen()
	for line in x.host_dmesg():gmatch("[^\n]+") do
		if line:find("Booting paravirtualized kernel on Xen", 1, true)
			or line:find("ACPI:.*Xen.*HVM") then
			return true
		end
	end
	return false
end

local function dmi_names_xenserver()
	for _, field in ipairs({ "sys_vendor", "bios_vendor", "product_name",
			"product_version", "bios_version", "chassis_vendor" }) do
		local v = dmi(field)
		if v:find("XenServer", 1, true) or v:find("Citrix", 1, true)
			or v:find("XCP-ng", 1, true) then
			return true
		end
	end
	return false
end

local function xen_hvm_firmware()
	return trim(x.host_read("/sys/hypervisor/type")) == "xen"
		and dmi("sys_vendor") == "Xen"
end

if is_dom0() then
	return {}
end
if dmesg_says_xen() or dmi_names_xenserver() or xen_hvm_firmware() then
	return { "XENSERVER" }
end
return {}
