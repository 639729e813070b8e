-- Keep the guest's first network card named eth0.
--
-- Old udev (before Debian 8) recorded every MAC address it saw in
-- 70-persistent-net.rules, written by the 75-persistent-net-generator
-- rules: a guest cloned from this root, or given a new MAC, then came up
-- with eth1. Both files are removed where an old target has them (current
-- suites ship neither; no empty override is planted, since that only
-- matters to a udev that no supported suite has).
--
-- systemd's udev names NICs by "predictable" policy instead (a Xen vif
-- becomes enX0). Masking 99-default.link with a link to /dev/null is the
-- documented way to keep the kernel's name; 40-pygrub.lua also passes
-- net.ifnames=0, which holds in the initramfs as well.
local REMOVE = {
	"/etc/udev/rules.d/70-persistent-net.rules",
	"/lib/udev/rules.d/75-persistent-net-generator.rules",
	"/usr/lib/udev/rules.d/75-persistent-net-generator.rules",
}

return {
	classes = { "XEN_DOMU" },
	run = function(x)
		for _, path in ipairs(REMOVE) do
			if x.exists(path) then
				x.remove(path)
				x.log("udev: removed " .. path)
			end
		end
		if x.exists("/lib/systemd/network/99-default.link")
			or x.exists("/usr/lib/systemd/network/99-default.link") then
			x.mkdir("/etc/systemd/network")
			x.symlink("/etc/systemd/network/99-default.link", "/dev/null")
		end
	end,
}
