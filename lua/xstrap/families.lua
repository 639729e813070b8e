-- What the built-in hooks need to know that differs between package
-- families, keyed by the family's class (every build has DEBIAN or RPM).
-- A hook reads its family's entry with x.by_class(require("xstrap.families"))
-- and never asks which family it runs on; a new family is one more entry
-- here, plus hooks of its own gated by its class.
return {
	DEBIAN = {
		-- Where packages put systemd units, first place first: bookworm's
		-- in /lib/systemd/system (reached through the merged-/usr link, the
		-- path `systemctl enable` links to); later suites have them only
		-- under /usr/lib.
		unit_dirs = { "/lib/systemd/system", "/usr/lib/systemd/system" },
		-- the package that brings a kernel, for a hint when none is installed
		kernel_package = function(x) return "linux-image-" .. x.arch end,
		-- the initrd the family's generator (initramfs-tools) writes
		initrd = function(version) return "/boot/initrd.img-" .. version end,
		-- A build without --hostname: the guest is called "debian", as
		-- Debian's installer suggests, and /etc/hostname says so.
		unnamed = { hostname = "debian", write = true },
	},
	RPM = {
		-- /usr/lib since /usr was merged; /lib is only a link there, and
		-- the link goes where `systemctl enable` would point it.
		unit_dirs = { "/usr/lib/systemd/system", "/lib/systemd/system" },
		kernel_package = function() return "kernel" end,
		-- dracut's name
		initrd = function(version) return "/boot/initramfs-" .. version .. ".img" end,
		-- Like dnf --installroot, no /etc/hostname unless a name was chosen
		-- (or the root is a Xen guest: then "localhost").
		unnamed = { hostname = "localhost", write = false },
	},
}
