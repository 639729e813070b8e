-- rpm keeps its sqlite database in WAL mode and leaves the WAL index
-- (rpmdb.sqlite-shm) behind, empty of data but stamped with the random
-- salts of the last write. For a reproducible root its bytes are zeroed,
-- the state sqlite reads as "index not built yet": it rebuilds the index
-- from the WAL, which rpm left empty, on the next open. The database
-- itself is reproducible once rpm runs under SOURCE_DATE_EPOCH (its
-- install time and transaction id then say that date).
return {
	classes = { "REPRODUCIBLE", "RPM" },
	match = "all",
	run = function(x)
		local shm = (x.rpmdb or "/var/lib/rpm") .. "/rpmdb.sqlite-shm"
		local old = x.read(shm)
		if old then
			x.write(shm, string.rep("\0", #old))
		end
	end,
}
