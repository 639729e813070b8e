-- IMAGE: the build writes a filesystem image (--format=ext2, ext3 or ext4)
-- rather than a directory or a tar. Hooks that only make sense for a root
-- that boots from its own filesystem (10-fstab.lua's root line by UUID)
-- are gated by it; x.fs_type, x.fs_uuid and x.fs_label describe the image.
local x = require("xstrap")

if x.fs_type then
	return { "IMAGE" }
end
return {}
