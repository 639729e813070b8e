-- /etc/fstab of a guest whose root filesystem fills a whole virtual disk.
--
-- XEN_DOMU: no partition table, so root is /dev/xvda (not /dev/xvda1), and
-- swap, when the guest has a swap disk (--set swap=/dev/xvdb), is that
-- whole disk too. --set root=DEV names another root device; 40-pygrub.lua
-- puts the same device on the kernel line.
--
-- IMAGE without XEN_DOMU (--format=ext4 for some other hypervisor or a
-- disk): root by the image's UUID, which xstrap fixes before this hook runs
-- (x.fs_uuid), so the line holds whatever the disk is called in the guest.
return {
	classes = { "XEN_DOMU", "IMAGE" },
	run = function(x)
		local xen = x.ifclass("XEN_DOMU")
		local default = xen and "/dev/xvda" or (x.fs_uuid and ("UUID=" .. x.fs_uuid))
		local root = x.opt("root", default or "")
		if root == "" then
			error("class IMAGE without an image (--format=ext2, ext3 or ext4): "
				.. "name the root device with --set root=DEV")
		end
		local swap = x.opt("swap", "")
		local lines = {
			"# /etc/fstab: static file system information (written by xstrap).",
			"# <file system> <mount point> <type> <options> <dump> <pass>",
			root .. " / " .. (x.fs_type or "ext4") .. " errors=remount-ro 0 1",
			"proc /proc proc defaults 0 0",
		}
		if swap ~= "" then
			lines[#lines + 1] = swap .. " none swap sw 0 0"
		end
		x.write("/etc/fstab", table.concat(lines, "\n") .. "\n")
		-- the mount points the guest's init expects before anything mounts
		x.mkdir("/proc")
		x.mkdir("/sys")
	end,
}
