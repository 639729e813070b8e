-- The read-only-root adjustments of an NFSROOT, after fai-make-nfsroot's
-- (create_nfsroot, setup_ssh): many clients boot the same root at once,
-- each through live-boot's overlay (boot=live) or read-only over NFS, so
-- nothing in it may belong to one machine or be written at boot.
--   /etc/fstab         no entries: live-boot writes the client's own (the
--                      overlay root, tmpfs) into the overlay at boot;
--   /etc/mtab          the kernel's list (-> ../proc/self/mounts);
--   /etc/hostname, /etc/resolv.conf
--                      removed: each client gets its name and name servers
--                      by DHCP, and live-boot writes them at boot;
--   /etc/machine-id    empty, so each client draws its own at boot
--                      (/var/lib/dbus/machine-id removed);
--   udev's 70-persistent-net.rules removed: it would pin the build's NICs;
--   /etc/network/interfaces  the loopback only (live-boot adds the NIC it
--                      booted from);
--   /var/tmp           emptied (fai-make-nfsroot leaves its logs there);
--   /live/filesystem.dir -> ..
--                      live-boot's netboot=nfs mounts SERVER:PATH as its
--                      medium and boots the images in its /live: a
--                      directory named *.dir counts as one, so this
--                      relative link (resolved by the client, inside the
--                      mount) makes the nfsroot itself the image, under
--                      live-boot's overlay. fetch=URL ignores it;
--   fai-abort.service  masked: fai-nfsroot's init script opens a shell and
--                      reboots when init goes past rcS, which under FAI's
--                      sysvinit (rcS is fai) means the install aborted;
--                      under systemd every boot goes past it;
--   root's ssh access  only with --ssh-key (option ssh_key, a host file that
--                      xstrap reads and checks, option ssh_keys): its keys
--                      become /root/.ssh/authorized_keys. No
--                      password is set; root's stays locked.
-- /.THIS_IS_THE_FAI_NFSROOT is written before configure
-- (hooks/extract/10-nfsroot.lua). Runs after 70-hostname.lua.
return {
	classes = { "NFSROOT" },
	run = function(x)
		x.write("/etc/fstab", "# an nfsroot (written by xstrap): live-boot adds the client's mounts at boot\n")
		x.symlink("/etc/mtab", "../proc/self/mounts")
		x.remove("/etc/hostname")
		x.remove("/etc/resolv.conf")
		x.write("/etc/machine-id", "", 292) -- 0444
		x.remove("/var/lib/dbus/machine-id")
		x.remove("/etc/udev/rules.d/70-persistent-net.rules")
		x.write("/etc/network/interfaces", "auto lo\niface lo inet loopback\n")
		if x.exists("/etc/init.d/fai-abort") then
			x.symlink("/etc/systemd/system/fai-abort.service", "/dev/null")
		end
		x.mkdir("/live")
		x.symlink("/live/filesystem.dir", "..")
		for _, name in ipairs(x.list("/var/tmp")) do
			x.remove("/var/tmp/" .. name)
		end
		local key = x.opt("ssh_key", "")
		if key ~= "" then
			-- xstrap read and checked the file (core/out/nfsroot.c)
			local text = x.opt("ssh_keys", "")
			if text == "" then
				error("--ssh-key=" .. key .. ": no public key was read from it")
			end
			x.mkdir("/root/.ssh", 448) -- 0700
			x.write("/root/.ssh/authorized_keys", text, 384) -- 0600
			x.log("nfsroot: root logs in over ssh with the keys of " .. key)
		end
	end,
}
