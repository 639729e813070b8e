/* output.c - the output stage: staging directory, then directory, tar or image. */
#include "output.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "out_ext.h"
#include "out_tar.h"
#include "out_walk.h"
#include "util.h"

static const char *const format_names[] = {
	[XS_OUT_DIR] = "dir", [XS_OUT_TAR] = "tar", [XS_OUT_EXT2] = "ext2",
	[XS_OUT_EXT3] = "ext3", [XS_OUT_EXT4] = "ext4",
};

int xs_format_parse(const char *s, enum xs_format_kind *out)
{
	if (!strcmp(s, "directory")) {
		*out = XS_OUT_DIR;
		return 0;
	}
	for (size_t i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++)
		if (!strcmp(s, format_names[i])) {
			*out = i;
			return 0;
		}
	return -EINVAL;
}

const char *xs_format_name(enum xs_format_kind f)
{
	return format_names[f];
}

bool xs_format_is_image(enum xs_format_kind f)
{
	return f == XS_OUT_EXT2 || f == XS_OUT_EXT3 || f == XS_OUT_EXT4;
}

int xs_parse_size(const char *s, uint64_t *bytes)
{
	char *end;
	if (!*s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	unsigned long long n = strtoull(s, &end, 10);
	if (errno)
		return -ERANGE;
	unsigned shift = 0;
	if (*end) {
		const char *units = "KMGT", *u = strchr(units, *end >= 'a' ? *end - 32 : *end);
		if (!u || !*u)
			return -EINVAL;
		shift = 10 * (u - units + 1);
		end++;
		if (!strcmp(end, "iB") || !strcmp(end, "B"))
			end += strlen(end);
	}
	if (*end)
		return -EINVAL;
	if (n > (UINT64_MAX >> 1) >> shift)
		return -ERANGE;
	*bytes = (uint64_t)n << shift;
	return 0;
}

time_t xs_source_date_epoch(void)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	if (!sde || !*sde)
		return 0;
	char *end;
	long long t = strtoll(sde, &end, 10);
	return *end || t <= 0 ? 0 : (time_t)t;
}

/* 16 bytes that name this build when SOURCE_DATE_EPOCH is set (the same
 * epoch, label and host name give the same bytes), else random ones. */
static void derive_id(struct xs_ctx *ctx, const char *what, unsigned char out[16])
{
	time_t sde = xs_source_date_epoch();
	if (!sde) {
		size_t got = 0;
		while (got < 16) {
			ssize_t n = getrandom(out + got, 16 - got, 0);
			if (n > 0)
				got += n;
		}
	} else {
		_cleanup_free_ char *seed = xs_asprintf("xstrap %s\n%lld\n%s\n%s\n", what, (long long)sde,
							ctx->o.fs_label, ctx->o.hostname ? ctx->o.hostname : "");
		char hex[XS_SHA256_HEX];
		xs_sha256_mem(seed, strlen(seed), hex);
		for (int i = 0; i < 16; i++)
			sscanf(hex + 2 * i, "%2hhx", &out[i]);
	}
	out[6] = (out[6] & 0x0f) | 0x40; /* shaped as a random (version 4) UUID */
	out[8] = (out[8] & 0x3f) | 0x80;
}

/* An image's target: a block device, or a file to be (re)placed. */
static int check_image_target(struct xs_ctx *ctx, bool *device)
{
	const char *t = ctx->o.target;
	struct stat st;
	*device = false;
	if (stat(t, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return xs_fail(&ctx->log, EISDIR, "%s: is a directory; --format=%s writes an image file or a block device there (give a file name, or --format=dir)",
				       t, xs_format_name(ctx->o.format));
		if (S_ISBLK(st.st_mode)) {
			uint64_t size = ctx->o.fs_size;
			*device = true;
			return xs_ext_device_size(&ctx->log, t, &size);
		}
		if (!S_ISREG(st.st_mode))
			return xs_fail(&ctx->log, EINVAL, "%s: neither a regular file nor a block device; --format=%s needs one of them",
				       t, xs_format_name(ctx->o.format));
	}
	_cleanup_free_ char *dir = xs_strdup(t);
	char *slash = strrchr(dir, '/');
	const char *parent = slash ? (slash == dir ? "/" : (*slash = 0, dir)) : ".";
	if (access(parent, W_OK) < 0)
		return xs_fail(&ctx->log, errno, "%s: cannot write the image into %s: %s", t, parent, strerror(errno));
	return 0;
}

/* The staging tree of an archive or image build: removed on a signal too
 * (xs_cleanup_add), one per process. */
static int staging_slot = -1;

int xs_output_prepare(struct xs_ctx *ctx, char **root)
{
	struct xs_opts *o = &ctx->o;
	*root = NULL;
	if (!xs_format_is_image(o->format) && (o->fs_size || o->fs_label))
		return xs_fail(&ctx->log, EINVAL, "--size and --fs-label are for images (--format=ext2, ext3 or ext4), not --format=%s",
			       xs_format_name(o->format));
	if (o->format == XS_OUT_DIR) {
		*root = xs_strdup(o->target);
		return 0;
	}
	bool device = false;
	if (xs_format_is_image(o->format)) {
		int r = check_image_target(ctx, &device);
		if (r < 0)
			return r;
		if (!o->fs_label)
			o->fs_label = xs_strndup(o->hostname ? o->hostname : "root", 16);
		if (strlen(o->fs_label) > 16)
			return xs_fail(&ctx->log, EINVAL, "--fs-label=%s: a label holds at most 16 bytes", o->fs_label);
		unsigned char uuid[16];
		char text[37];
		derive_id(ctx, "filesystem uuid", uuid);
		xs_uuid_format(uuid, text);
		free(o->fs_uuid);
		o->fs_uuid = xs_strdup(text);
	}
	o->output = xs_strdup(o->target);
	if (device) {
		/* never next to a device node: in $TMPDIR or /var/tmp */
		const char *tmp = getenv("TMPDIR");
		char *dir = xs_asprintf("%s/xstrap-XXXXXX", tmp && *tmp ? tmp : "/var/tmp");
		if (!mkdtemp(dir) || chmod(dir, 0755) < 0) {
			int r = xs_fail(&ctx->log, errno, "%s: cannot create a staging directory: %s", dir, strerror(errno));
			free(dir);
			return r;
		}
		*root = dir;
	} else {
		*root = xs_asprintf("%s.xstrap-tmp", o->target);
		xs_rm_rf(*root);
	}
	staging_slot = xs_cleanup_add(*root);
	return 0;
}

int xs_output_write(struct xs_ctx *ctx, const char *root)
{
	struct xs_opts *o = &ctx->o;
	if (o->format == XS_OUT_DIR)
		return 0;
	time_t sde = xs_source_date_epoch();
	struct xs_walk w;
	double t0 = xs_now();
	int r = xs_walk_tree(&ctx->log, root, &w);
	if (r < 0)
		return r;
	xs_debug(&ctx->log, "output: walked %zu entries in %.2f s", w.n, xs_now() - t0);
	t0 = xs_now();
	if (o->format == XS_OUT_TAR) {
		r = xs_write_tar(&ctx->log, &w, o->output, sde);
	} else {
		struct xs_ext_params p = {
			.version = o->format == XS_OUT_EXT2 ? 2 : o->format == XS_OUT_EXT3 ? 3 : 4,
			.size = o->fs_size,
			.label = o->fs_label,
			.now = sde ? sde : time(NULL),
			.clamp = sde,
		};
		if (xs_uuid_parse(o->fs_uuid, p.uuid) < 0)
			r = xs_fail(&ctx->log, EINVAL, "internal: bad filesystem UUID %s", o->fs_uuid);
		derive_id(ctx, "directory hash seed", p.hash_seed);
		if (!r)
			r = xs_write_ext(&ctx->log, &w, o->output, &p);
	}
	xs_debug(&ctx->log, "output: %s written in %.2f s", xs_format_name(o->format), xs_now() - t0);
	xs_walk_free(&w);
	return r;
}

void xs_output_discard(struct xs_ctx *ctx, const char *root)
{
	if (ctx->o.format != XS_OUT_DIR && root) {
		xs_rm_rf(root);
		xs_cleanup_drop(staging_slot);
		staging_slot = -1;
	}
}
