-- Logs that record when the build ran, line by line (dpkg's, apt's,
-- update-alternatives', and for the RPM family dnf's, yum's and hawkey's
-- when a hook ran them): removed for a reproducible root, as mmdebstrap
-- removes Debian's. The guest's tools create them again on first use.
local LOGS = {
	"/var/log/dpkg.log",
	"/var/log/alternatives.log",
	"/var/log/apt/history.log",
	"/var/log/apt/term.log",
	"/var/log/apt/eipp.log.xz",
	"/var/log/dnf.log",
	"/var/log/dnf.librepo.log",
	"/var/log/dnf.rpm.log",
	"/var/log/hawkey.log",
	"/var/log/yum.log",
}

return {
	classes = { "REPRODUCIBLE" },
	run = function(x)
		for _, path in ipairs(LOGS) do
			x.remove(path)
		end
	end,
}
