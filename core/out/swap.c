/* swap.c - Linux's swap header, written by hand: no library writes one
 * (util-linux's mkswap is a program, libblkid only reads). The layout is
 * the kernel's union swap_header (include/linux/swap.h): in the first
 * page, after 1024 bytes of boot block, version (1), last_page,
 * nr_badpages (0), the UUID and a 16-byte volume label; the magic
 * "SWAPSPACE2" ends the page. */
#include "swap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

enum {
	OFF_VERSION = 1024,
	OFF_LAST_PAGE = 1028,
	OFF_NR_BADPAGES = 1032,
	OFF_UUID = 1036,
	OFF_LABEL = 1052,
	LABEL_MAX = 16,
	MIN_PAGES = 10, /* mkswap refuses fewer */
};

static const char magic[] = "SWAPSPACE2";

static void put_u32(uint8_t *p, uint32_t v, bool big_endian)
{
	for (int i = 0; i < 4; i++)
		p[big_endian ? 3 - i : i] = (uint8_t)(v >> (8 * i));
}

void xs_swap_uuid(const char *name, const char *sde, uint8_t uuid[16])
{
	if (sde) {
		_cleanup_free_ char *seed = xs_asprintf("xstrap swap uuid\n%s\n%s", name, sde);
		char hex[XS_SHA256_HEX];
		xs_sha256_mem(seed, strlen(seed), hex);
		for (int i = 0; i < 16; i++) {
			char byte[3] = { hex[2 * i], hex[2 * i + 1], 0 };
			uuid[i] = (uint8_t)strtoul(byte, NULL, 16);
		}
		uuid[6] = (uuid[6] & 0x0f) | 0x80; /* version 8: custom, name-derived */
	} else {
		if (getrandom(uuid, 16, 0) != 16) /* never short for 16 bytes */
			memset(uuid, 0x5a, 16);
		uuid[6] = (uuid[6] & 0x0f) | 0x40; /* version 4: random */
	}
	uuid[8] = (uuid[8] & 0x3f) | 0x80; /* the RFC variant */
}

int xs_swap_write(struct xs_log *log, const char *path, uint64_t size, const char *label,
		  const uint8_t uuid[16], bool big_endian)
{
	uint64_t pages = size / XS_SWAP_PAGE;
	if (pages < MIN_PAGES)
		return xs_fail(log, EINVAL, "--swap: %llu bytes is too small for a swap image %s (expected at least %u KiB)",
			       (unsigned long long)size, path, MIN_PAGES * XS_SWAP_PAGE / 1024);
	if (pages - 1 > UINT32_MAX)
		return xs_fail(log, EINVAL, "--swap: %llu bytes is too large for a swap image %s (at most 16 TiB)",
			       (unsigned long long)size, path);
	struct stat st;
	bool blockdev = stat(path, &st) == 0 && S_ISBLK(st.st_mode);
	if (blockdev && (uint64_t)st.st_size < pages * XS_SWAP_PAGE)
		return xs_fail(log, ENOSPC, "--swap: %s holds %llu bytes, less than the %llu asked for",
			       path, (unsigned long long)st.st_size, (unsigned long long)(pages * XS_SWAP_PAGE));
	if (!blockdev && unlink(path) < 0 && errno != ENOENT)
		return xs_fail(log, errno, "--swap: cannot replace %s: %s", path, strerror(errno));
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (blockdev ? 0 : O_EXCL), 0600);
	if (fd < 0)
		return xs_fail(log, errno, "--swap: cannot create %s: %s", path, strerror(errno));
	uint8_t page[XS_SWAP_PAGE] = { 0 };
	put_u32(page + OFF_VERSION, 1, big_endian);
	put_u32(page + OFF_LAST_PAGE, (uint32_t)(pages - 1), big_endian);
	put_u32(page + OFF_NR_BADPAGES, 0, big_endian);
	memcpy(page + OFF_UUID, uuid, 16);
	if (label)
		strncpy((char *)page + OFF_LABEL, label, LABEL_MAX - 1);
	memcpy(page + XS_SWAP_PAGE - (sizeof(magic) - 1), magic, sizeof(magic) - 1);
	/* the rest stays a hole: a sparse file costs one page on the host */
	if ((!blockdev && ftruncate(fd, (off_t)(pages * XS_SWAP_PAGE)) < 0) ||
	    pwrite(fd, page, sizeof(page), 0) != (ssize_t)sizeof(page) || fsync(fd) < 0)
		return xs_fail(log, errno ? errno : EIO, "--swap: cannot write %s: %s", path,
			       strerror(errno ? errno : EIO));
	return 0;
}
