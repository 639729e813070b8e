-- What an NFSROOT needs after every package is unpacked and before any is
-- configured:
--
-- /.THIS_IS_THE_FAI_NFSROOT, which fai-make-nfsroot touches and FAI's
-- scripts test for: fai-nfsroot's preinst refuses to install without it.
--
-- The initramfs settings, so that initramfs-tools' trigger builds the one
-- initrd with them (no second update-initramfs run):
--   BOOT=nfs        the initrd's default boot script mounts the root over
--                   NFS (root=/dev/nfs nfsroot=SERVER:PATH), and mkinitramfs
--                   adds the NFS client and the network drivers;
--   MODULES=netboot the network drivers and the filesystems (NFS among
--                   them) of every machine, not the build host's alone,
--                   and no disk drivers, which a client booted from the
--                   network loads from the root (a smaller initrd, faster
--                   to fetch and unpack);
--   BUSYBOX=y       live-boot's fetch=URL downloads with busybox's wget;
--   COMPRESS=gzip   the netboot layout's name is initrd.gz, and older
--                   loaders (eliloader, pxelinux) take gzip.
-- boot=live on the kernel command line runs live-boot's script instead,
-- whose netboot=nfs and fetch=URL modes are in the same initrd.
return {
	classes = { "NFSROOT" },
	run = function(x)
		x.write("/.THIS_IS_THE_FAI_NFSROOT", "")
		x.write("/etc/initramfs-tools/conf.d/xstrap-nfsroot", table.concat({
			"# written by xstrap (hooks/extract/10-nfsroot.lua): an nfsroot's initrd",
			"BOOT=nfs",
			"MODULES=netboot",
			"BUSYBOX=y",
			"COMPRESS=gzip",
			"",
		}, "\n"))
	end,
}
