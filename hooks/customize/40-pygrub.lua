-- A grub-legacy /boot/grub/menu.lst for pygrub, the boot loader the Xen
-- toolstack runs in dom0: it opens the guest's disk, reads menu.lst and
-- boots the kernel and initrd named there. Only the newest installed kernel
-- gets an entry.
--
-- Variables in the template, FAI-style (#NAME#):
--   ROOT_PARTITION  --set root=DEV, default /dev/xvda (as 10-fstab.lua)
--   GROOT           --set groot=..., default (hd0): the whole disk, no
--                   partition table (pygrub itself ignores the line)
--   CONSOLE         --set console=..., default hvc0
--   KERNEL, INITRD, TITLE  from the kernel found in /boot
--
-- net.ifnames=0 keeps the first NIC eth0 even when the initramfs's udev
-- loads xen-netfront and names it before the root's own rules (see
-- 50-udev.lua) could apply.
--
-- update-grub is not run: grub-legacy's update-grub is gone since
-- Debian 7, and grub2's would write a grub.cfg, which pygrub prefers to
-- this menu.lst.
local MENU_LST = [[
default 0
timeout 2

title #TITLE#
root #GROOT#
kernel #KERNEL# root=#ROOT_PARTITION# ro console=#CONSOLE# net.ifnames=0
initrd #INITRD#
]]

local function newest_kernel(x)
	local best
	for _, name in ipairs(x.list("/boot")) do
		local ver = name:match("^vmlinuz%-(.+)$")
		-- digit runs compared as numbers: 6.1.0-10-amd64 after 6.1.0-9-amd64
		if ver and (not best or x.version_less(best, ver)) then
			best = ver
		end
	end
	return best
end

local function os_name(x)
	local rel = x.read("/etc/os-release") or x.read("/usr/lib/os-release") or ""
	local name = rel:match("\nPRETTY_NAME=\"?([^\"\n]*)") or rel:match("^PRETTY_NAME=\"?([^\"\n]*)")
	return (name and name ~= "") and name or "Linux"
end

return {
	classes = { "XEN_DOMU" },
	run = function(x)
		local family = x.by_class(require("xstrap.families"))
		local ver = newest_kernel(x)
		if not ver then
			x.warn("no kernel in /boot (/boot/vmlinuz-*): /boot/grub/menu.lst not written; "
				.. "pygrub cannot boot this guest (add --include=" .. family.kernel_package(x) .. ")")
			return
		end
		local initrd = family.initrd(ver)
		if not x.exists(initrd) then
			error("kernel /boot/vmlinuz-" .. ver .. " has no initrd: expected " .. initrd
				.. " (is an initramfs generator such as initramfs-tools or dracut installed?)")
		end
		x.mkdir("/boot/grub")
		x.template("/boot/grub/menu.lst", MENU_LST, {
			TITLE = os_name(x) .. ", kernel " .. ver,
			GROOT = x.opt("groot", "(hd0)"),
			KERNEL = "/boot/vmlinuz-" .. ver,
			INITRD = initrd,
			ROOT_PARTITION = x.opt("root", "/dev/xvda"),
			CONSOLE = x.opt("console", "hvc0"),
		})
		x.log("pygrub: /boot/grub/menu.lst boots " .. ver)
		if x.exists("/usr/sbin/update-grub") then
			x.log("pygrub: /usr/sbin/update-grub is in the target; not run (grub2's would write a grub.cfg that pygrub prefers to menu.lst)")
		end
		if x.exists("/boot/grub/grub.cfg") then
			x.warn("/boot/grub/grub.cfg exists in the target: pygrub reads it instead of menu.lst")
		end
	end,
}
