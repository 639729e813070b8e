-- /etc/fstab of a Xen guest whose root filesystem fills a whole virtual
-- disk: no partition table, so root is /dev/xvda (not /dev/xvda1), and
-- swap, when the guest has a swap disk (--set swap=/dev/xvdb), is that
-- whole disk too. --set root=DEV names another root device; 40-pygrub.lua
-- puts the same device on the kernel line.
return {
	classes = { "XEN_DOMU" },
	run = function(x)
		local root = x.opt("root", "/dev/xvda")
		local swap = x.opt("swap", "")
		local lines = {
			"# /etc/fstab: static file system information (written by xstrap).",
			"# <file system> <mount point> <type> <options> <dump> <pass>",
			root .. " / ext4 errors=remount-ro 0 1",
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
