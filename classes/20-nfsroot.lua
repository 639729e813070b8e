-- NFSROOT: the root is a network-install client's root filesystem, the
-- kind FAI's fai-make-nfsroot builds (`xstrap nfsroot` sets the class).
-- Install clients boot a kernel and initrd over the network and mount
-- this root over NFS, or fetch it as a squashfs over HTTP, with
-- live-boot's overlay making it writable in memory. The package set is
-- what that needs:
--   * live-boot (boot=live: netboot=nfs, fetch=URL) and initramfs-tools,
--     which builds the initrd inside the root;
--   * nfs-common, the NFS client, and busybox, whose wget and udhcpc the
--     initrd's HTTP fetch uses;
--   * the family's kernel package (linux-image-ARCH);
--   * FAI's client side, fai-client and fai-nfsroot;
--   * openssh-server when the build was given a key (--ssh-key, option
--     ssh_key): the installer is reachable as root by that key only.
-- hooks/extract/10-nfsroot.lua and hooks/customize/
-- 75-nfsroot.lua do the rest. RPM distributions are refused: their initrd
-- generator is dracut, and an nfsroot of theirs needs dracut's NFS and
-- live modules (dracut-network, dracut-live) set up, which xstrap does
-- not do yet.
local x = require("xstrap")

if not x.ifclass("NFSROOT") then
	return {}
end
if not x.ifclass("DEBIAN") then
	error("NFSROOT: an nfsroot of " .. x.suite .. " is not supported yet: its initrd is dracut's, "
		.. "and xstrap does not set up dracut's NFS root and live modules (dracut-network, dracut-live); "
		.. "build a Debian suite's nfsroot (e.g. bookworm)")
end
local family = x.by_class(require("xstrap.families"))
x.include({ "live-boot", "initramfs-tools", "nfs-common", "busybox",
	family.kernel_package(x), "fai-client", "fai-nfsroot" })
if x.opt("ssh_key", "") ~= "" then
	x.include({ "openssh-server" })
end
return {}
