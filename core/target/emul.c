/* emul.c - foreign architectures: which architecture the host runs, and
 * whether the kernel's binfmt_misc hands the target's ELF binaries to an
 * emulator (qemu-user) that works inside a chroot. */
#include "emul.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "util.h"

/* A Debian architecture: the uname machine that runs it natively and the
 * ELF header of its binaries (class, byte order, e_machine). */
static const struct arch {
	const char *name, *machine, *qemu; /* Debian's name, uname's, qemu's */
	unsigned char elf_class, elf_data;
	unsigned short elf_machine;
} arches[] = {
	{ "amd64", "x86_64", "x86_64", 2, 1, 62 },    { "i386", "i686", "i386", 1, 1, 3 },
	{ "arm64", "aarch64", "aarch64", 2, 1, 183 }, { "armhf", "armv7l", "arm", 1, 1, 40 },
	{ "armel", "armv5tel", "arm", 1, 1, 40 },     { "ppc64el", "ppc64le", "ppc64le", 2, 1, 21 },
	{ "ppc64", "ppc64", "ppc64", 2, 2, 21 },      { "s390x", "s390x", "s390x", 2, 2, 22 },
	{ "riscv64", "riscv64", "riscv64", 2, 1, 243 }, { "mips64el", "mips64", "mips64el", 2, 1, 8 },
	{ "mipsel", "mips", "mipsel", 1, 1, 8 },      { "loong64", "loongarch64", "loongarch64", 2, 1, 258 },
};

static const struct arch *find_arch(const char *name)
{
	for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
		if (!strcmp(arches[i].name, name))
			return &arches[i];
	return NULL;
}

const char *xs_host_arch(void)
{
	struct utsname u;
	if (uname(&u) == 0)
		for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++)
			if (!strcmp(u.machine, arches[i].machine))
				return arches[i].name;
	return "amd64";
}

bool xs_arch_is_native(const char *arch)
{
	const char *host = xs_host_arch();
	/* a 64-bit x86 kernel runs 32-bit x86 binaries itself */
	return !strcmp(arch, host) || (!strcmp(host, "amd64") && !strcmp(arch, "i386"));
}

/* The first 20 bytes of an ELF binary of A with type TYPE (2 EXEC, 3 DYN). */
static void elf_header(const struct arch *a, unsigned type, unsigned char h[20])
{
	memset(h, 0, 20);
	memcpy(h, "\177ELF", 4);
	h[4] = a->elf_class;
	h[5] = a->elf_data;
	h[6] = 1;
	int lo = a->elf_data == 1 ? 0 : 1;
	h[16 + lo] = (unsigned char)type;
	h[18 + lo] = (unsigned char)(a->elf_machine & 0xff);
	h[18 + !lo] = (unsigned char)(a->elf_machine >> 8);
}

static size_t unhex(const char *s, unsigned char *out, size_t max)
{
	size_t n = 0;
	unsigned v;
	while (n < max && sscanf(s, "%2x", &v) == 1) {
		out[n++] = (unsigned char)v;
		s += 2;
	}
	return n;
}

/* One binfmt_misc entry as /proc/sys/fs/binfmt_misc/NAME shows it. */
struct binfmt {
	bool enabled, fix_binary;
	long offset;
	unsigned char magic[128], mask[128];
	size_t nmagic, nmask;
	char *interpreter;
};

static bool read_binfmt(int dirfd, const char *name, struct binfmt *b)
{
	memset(b, 0, sizeof(*b));
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	FILE *f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return false;
	}
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) > 0) {
		line[strcspn(line, "\n")] = 0;
		if (!strcmp(line, "enabled"))
			b->enabled = true;
		else if (xs_str_startswith(line, "interpreter "))
			free(b->interpreter), b->interpreter = xs_strdup(line + 12);
		else if (xs_str_startswith(line, "flags:"))
			b->fix_binary = strchr(line + 6, 'F') != NULL;
		else if (xs_str_startswith(line, "offset "))
			b->offset = strtol(line + 7, NULL, 10);
		else if (xs_str_startswith(line, "magic "))
			b->nmagic = unhex(line + 6, b->magic, sizeof(b->magic));
		else if (xs_str_startswith(line, "mask "))
			b->nmask = unhex(line + 5, b->mask, sizeof(b->mask));
	}
	free(line);
	fclose(f);
	return true;
}

static bool binfmt_matches(const struct binfmt *b, const unsigned char h[20])
{
	if (b->offset != 0 || !b->nmagic || b->nmagic > 20)
		return false;
	for (size_t i = 0; i < b->nmagic; i++) {
		unsigned char m = i < b->nmask ? b->mask[i] : 0xff;
		if ((h[i] & m) != (b->magic[i] & m))
			return false;
	}
	return true;
}

int xs_emul_check(struct xs_log *log, const char *arch)
{
	if (xs_arch_is_native(arch))
		return 0;
	const struct arch *a = find_arch(arch);
	if (!a)
		return xs_fail(log, ENOTSUP, "--arch=%s: xstrap does not know how to run %s programs on this %s host (known: arm64, armhf, armel, i386, ppc64el, s390x, riscv64, mips64el, ...)",
			       arch, arch, xs_host_arch());
	const char *dir = XS_BINFMT_DIR;
	const char *env = getenv("XSTRAP_BINFMT_DIR"); /* tests */
	if (env && *env)
		dir = env;
	_cleanup_free_ char *hint = xs_asprintf("install qemu-user-static and binfmt-support, then run 'update-binfmts --enable qemu-%s'",
						a->qemu);
	_cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct binfmt st;
	if (dfd < 0 || !read_binfmt(dfd, "status", &st))
		return xs_fail(log, ENOEXEC, "--arch=%s needs emulation, but binfmt_misc is not mounted at %s: mount it ('mount -t binfmt_misc binfmt_misc %s'), %s",
			       arch, dir, dir, hint);
	free(st.interpreter);
	if (!st.enabled)
		return xs_fail(log, ENOEXEC, "--arch=%s needs emulation, but binfmt_misc is disabled (%s/status): %s", arch,
			       dir, hint);
	unsigned char exe[20], dyn[20];
	elf_header(a, 2, exe);
	elf_header(a, 3, dyn);
	DIR *d = fdopendir(dup(dfd));
	if (!d)
		return xs_fail(log, errno, "%s: %s", dir, strerror(errno));
	struct dirent *de;
	bool found = false, without_f = false;
	_cleanup_free_ char *nof = NULL;
	while ((de = readdir(d)) && !found) {
		struct binfmt b;
		if (de->d_name[0] == '.' || !strcmp(de->d_name, "status") || !strcmp(de->d_name, "register") ||
		    !read_binfmt(dfd, de->d_name, &b))
			continue;
		if (!b.enabled) {
			free(b.interpreter);
			continue;
		}
		if (binfmt_matches(&b, exe) && binfmt_matches(&b, dyn)) {
			if (b.fix_binary)
				found = true;
			else if (!without_f) {
				without_f = true;
				nof = xs_asprintf("%s (%s)", de->d_name, b.interpreter ? b.interpreter : "?");
			}
		}
		free(b.interpreter);
	}
	closedir(d);
	if (found)
		return 0;
	if (without_f)
		return xs_fail(log, ENOEXEC, "--arch=%s: the binfmt_misc entry %s lacks the F (fix-binary) flag, so it cannot run inside the target's chroot: install qemu-user-static (its entries have it) and run 'update-binfmts --enable qemu-%s'",
			       arch, nof, a->qemu);
	return xs_fail(log, ENOEXEC, "--arch=%s: this %s host cannot run %s programs (no enabled binfmt_misc entry for %s ELF binaries in %s): %s",
		       arch, xs_host_arch(), arch, a->machine, dir, hint);
}
