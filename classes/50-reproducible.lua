-- REPRODUCIBLE: the build is asked to be reproducible, by
-- SOURCE_DATE_EPOCH in xstrap's environment (the reproducible-builds.org
-- convention mmdebstrap follows). The hooks in hooks/cleanup/ gated by this
-- class then remove or normalize what records the build's time or host
-- (logs, the ldconfig aux-cache, machine-id, ...); docs/compat.md lists
-- them with their reasons. Without SOURCE_DATE_EPOCH the root keeps all of
-- them, as debootstrap's does. --class=REPRODUCIBLE asks for the cleanup
-- alone, without a date.
local x = require("xstrap")

if x.source_date_epoch then
	return { "REPRODUCIBLE" }
end
return {}
