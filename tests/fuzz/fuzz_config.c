/* fuzz_config.c - the config-space loader: the input, cut at lines
 * "--8<--", is a class script, a package list (packages/FUZZ.lua, for
 * --class=FUZZ) and a customize hook of one --config-space. The loader
 * scans the space, runs the class script and the package list in the
 * sandbox (the x.* calls have no target: rootfd is -1; host reads see an
 * empty XSTRAP_HOST_ROOT) and --list-hooks reads the hook's metadata
 * without running it. What is fuzzed is xstrap's side: the sandbox, the
 * instruction and memory limits, the returned tables' checks. */
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "config_space.h"
#include "context.h"
#include "deb_family.h"

static const char *const parts[] = { "classes/10-fuzz.lua", "packages/FUZZ.lua", "hooks/customize/10-fuzz.lua" };

/* The scratch space: DIR/space/{classes,packages,hooks/customize}, and
 * DIR/data (the built-in space) with the source tree's lua/ modules. */
static const char *setup_dirs(void)
{
	static char *dir;
	if (dir)
		return dir;
	dir = xs_strdup(fuzz_dir("space"));
	char *sub[] = { xs_asprintf("%s/space/classes", dir), xs_asprintf("%s/space/packages", dir),
			xs_asprintf("%s/space/hooks/customize", dir), xs_asprintf("%s/data", dir),
			xs_asprintf("%s/host", dir) };
	for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		xs_mkdir_p(sub[i], 0700);
		free(sub[i]);
	}
	const char *top = getenv("XSTRAP_TOP");
	char *lua = realpath(top ? top : ".", NULL);
	char *from = xs_asprintf("%s/lua", lua ? lua : ".");
	char *to = xs_asprintf("%s/data/lua", dir);
	if (symlink(from, to) < 0 && errno != EEXIST)
		abort();
	free(from);
	free(to);
	free(lua);
	char *host = xs_asprintf("%s/host", dir);
	setenv("XSTRAP_HOST_ROOT", host, 1);
	free(host);
	return dir;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *dir = setup_dirs();
	char *space = xs_asprintf("%s/space", dir);
	const uint8_t *p = data, *end = data + size;
	static const char cut[] = "\n--8<--\n";
	for (size_t i = 0; i < 3; i++) {
		const uint8_t *next = p < end ? memmem(p, end - p, cut, sizeof(cut) - 1) : NULL;
		const uint8_t *stop = next && i < 2 ? next : end;
		fuzz_put(space, parts[i], p, stop - p);
		p = stop < end ? stop + sizeof(cut) - 1 : end;
	}
	struct xs_ctx ctx = { 0 };
	xs_log_init(&ctx.log, XS_QUIET);
	ctx.o.suite = xs_strdup("bookworm");
	ctx.o.arch = xs_strdup("amd64");
	ctx.o.mirror = xs_strdup("http://mirror.invalid/debian");
	ctx.o.target = xs_asprintf("%s/target", dir);
	ctx.o.datadir = xs_asprintf("%s/data", dir);
	ctx.family = &xs_family_deb;
	ctx.rootfd = -1;
	xs_strlist_add(&ctx.o.config_spaces, space);
	xs_strlist_add(&ctx.o.classes, "FUZZ");
	if (!xs_config_load(&ctx)) {
		FILE *out = fopen("/dev/null", "we");
		if (out) {
			xs_config_list_hooks(&ctx, out);
			fclose(out);
		}
	}
	xs_config_free(&ctx);
	xs_opts_free(&ctx.o);
	free(space);
	return 0;
}
