-- ldconfig's /var/cache/ldconfig/aux-cache records each library's inode,
-- device and ctime, so it differs between any two builds; ldconfig only
-- uses it to go faster and writes it again on its next run. Removed for a
-- reproducible root, as mmdebstrap does. /etc/ld.so.cache itself is
-- deterministic and stays.
return {
	classes = { "REPRODUCIBLE" },
	run = function(x)
		x.remove("/var/cache/ldconfig/aux-cache")
	end,
}
