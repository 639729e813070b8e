/* main.c - the command line: options, subcommands, exit codes. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "completion.h"
#include "config_space.h"
#include "context.h"
#include "family.h"
#include "fetch.h"
#include "output.h"
#include "stages.h"
#include "run.h"
#include "swap.h"
#include "target.h"
#include "userns.h"
#include "util.h"
#include "version.h"

/* Every option, declared once: getopt's table and --help are built from
 * this. An entry with no help text is an alias, not listed. */
struct cli;
struct cli_opt {
	const char *name;
	char short_name;   /* 0: none */
	const char *arg;   /* the value's name in --help; NULL: takes none */
	enum { SET_STR, ADD, ADD_CSV, SET_TRUE, CALL } how;
	size_t off;        /* SET_STR, ADD, ADD_CSV, SET_TRUE: the field in struct xs_opts */
	int (*call)(struct cli *, const struct cli_opt *, const char *arg);
	const char *help;  /* lines after the first are indented */
	const char *shown; /* --help's spelling, when not --NAME[=ARG] */
};

struct cli {
	struct xs_ctx *ctx;
	enum xs_level level;
	bool help, version, completion;
	bool nfsroot_only; /* an option of xstrap nfsroot was given */
};

/* The log's sink: stderr, status lines redrawn in place on a terminal. */
struct stderr_sink {
	bool status_open;
};

static void to_stderr(void *data, enum xs_log_kind kind, const char *text)
{
	struct stderr_sink *s = data;
	if (s->status_open) {
		fputs("\r\033[K", stderr);
		s->status_open = false;
	}
	switch (kind) {
	case XS_LOG_PROGRESS:
		fputs(text, stderr);
		s->status_open = true;
		return;
	case XS_LOG_PROGRESS_END:
		return;
	case XS_LOG_INFO:
		break;
	case XS_LOG_DEBUG:
		fputs("xstrap: ", stderr);
		break;
	case XS_LOG_WARN:
		fputs("xstrap: warning: ", stderr);
		break;
	}
	fputs(text, stderr);
	fputc('\n', stderr);
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

/* The package set: "NAME VERSION ARCH" lines, or --json. */
static void print_plan(const struct xs_ctx *ctx, const struct xs_txn *txn, FILE *out)
{
	if (!ctx->o.json) {
		for (size_t i = 0; i < txn->n; i++)
			fprintf(out, "%s %s %s\n", txn->v[i].name, txn->v[i].version, txn->v[i].arch);
		return;
	}
	const struct xs_family *f = ctx->family;
	fprintf(out, "[");
	for (size_t i = 0; i < txn->n; i++) {
		const struct xs_pkg *p = &txn->v[i];
		const struct {
			const char *key, *value;
		} str[] = {
			{ "name", p->name }, { "version", p->version }, { "arch", p->arch },
		}, more[] = {
			{ "filename", p->filename }, { "url", p->url },
			{ "priority", f->pkg_field ? f->pkg_field(p, "priority") : NULL },
		};
		fprintf(out, "%s\n {", i ? "," : "");
		for (size_t k = 0; k < 3; k++) {
			fprintf(out, "%s\"%s\": ", k ? ", " : "", str[k].key);
			json_str(out, str[k].value);
		}
		fprintf(out, ", \"size\": %llu, \"sha256\": ", (unsigned long long)p->size);
		json_str(out, p->sha256);
		for (size_t k = 0; k < 3; k++) {
			fprintf(out, ", \"%s\": ", more[k].key);
			json_str(out, more[k].value);
		}
		fprintf(out, "}");
	}
	fprintf(out, "\n]\n");
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("xstrap: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputs("\nTry 'xstrap --help'.\n", stderr);
	va_end(ap);
	return 2;
}

static int opt_variant(struct cli *c, const struct cli_opt *d, const char *arg)
{
	(void)d;
	if (xs_variant_parse(arg, &c->ctx->o.variant) < 0)
		return usage_error("--variant: expected minbase, required, important, buildd, standard, essential, custom or extract, found \"%s\"", arg);
	return 0;
}

static int opt_mode(struct cli *c, const struct cli_opt *d, const char *arg)
{
	(void)d;
	for (int m = XS_MODE_AUTO; xs_mode_name((enum xs_mode)m); m++)
		if (!strcmp(arg, xs_mode_name((enum xs_mode)m))) {
			c->ctx->o.mode = (enum xs_mode)m;
			return 0;
		}
	return usage_error("--mode: expected root, unshare or auto, found \"%s\"", arg);
}

static int opt_format(struct cli *c, const struct cli_opt *d, const char *arg)
{
	(void)d;
	c->ctx->o.squashfs = !strcmp(arg, "squashfs");
	if (c->ctx->o.squashfs) {
		c->nfsroot_only = true;
		c->ctx->o.format = XS_OUT_DIR;
		return 0;
	}
	if (xs_format_parse(arg, &c->ctx->o.format) < 0)
		return usage_error("--format: expected dir, tar, ext2, ext3 or ext4 (xstrap nfsroot: dir or squashfs), found \"%s\"", arg);
	return 0;
}

/* the options of xstrap nfsroot: a string, and the mark that one was given */
static int opt_nfsroot(struct cli *c, const struct cli_opt *d, const char *arg)
{
	struct xs_opts *o = &c->ctx->o;
	char **field = !strcmp(d->name, "export") ? &o->export_dir
		     : !strcmp(d->name, "nfs-server") ? &o->nfs_server
		     : !strcmp(d->name, "nfs-path") ? &o->nfs_path
		     : !strcmp(d->name, "fetch-url") ? &o->fetch_url
		     : !strcmp(d->name, "append") ? &o->append : &o->ssh_key;
	if (!*arg)
		return usage_error("--%s: expected a value, found an empty one", d->name);
	if (!strcmp(d->name, "nfs-path") && arg[0] != '/')
		return usage_error("--nfs-path: expected an absolute path (the server's export), found \"%s\"", arg);
	free(*field);
	*field = xs_strdup(arg);
	c->nfsroot_only = true;
	return 0;
}

static int opt_size(struct cli *c, const struct cli_opt *d, const char *arg)
{
	(void)d;
	if (xs_parse_size(arg, &c->ctx->o.fs_size) < 0 || c->ctx->o.fs_size < (1u << 20))
		return usage_error("--size: expected a size of at least 1M, as bytes with an optional K, M, G or T (e.g. 2G), found \"%s\"", arg);
	return 0;
}

static int opt_repo_type(struct cli *c, const struct cli_opt *d, const char *arg)
{
	(void)d;
	if (!xs_family_find(arg)) {
		_cleanup_free_ char *names = xs_family_names();
		return usage_error("--repo-type: expected one of %s, found \"%s\"", names, arg);
	}
	free(c->ctx->o.repo_type);
	c->ctx->o.repo_type = xs_strdup(arg);
	return 0;
}

static int opt_merged_usr(struct cli *c, const struct cli_opt *d, const char *arg)
{
	(void)arg;
	c->ctx->o.merged_usr_opt = strcmp(d->name, "merged-usr") == 0;
	return 0;
}

/* --enable-repo=A,B / --disable-repo=A,B: one ordered list of +NAME, -NAME */
static int opt_repo_choice(struct cli *c, const struct cli_opt *d, const char *arg)
{
	struct xs_strlist names = { 0 };
	xs_strlist_add_split(&names, arg);
	char sign = strstr(d->name, "enable") ? '+' : '-';
	for (size_t i = 0; i < names.n; i++) {
		_cleanup_free_ char *choice = xs_asprintf("%c%s", sign, names.v[i]);
		xs_strlist_add(&c->ctx->o.repo_choices, choice);
	}
	xs_strlist_free(&names);
	return 0;
}

static int opt_hook(struct cli *c, const struct cli_opt *d, const char *arg)
{
	(void)d;
	const char *colon = strchr(arg, ':');
	bool ok = false;
	for (size_t k = 0; colon && xs_stages[k]; k++)
		ok |= strlen(xs_stages[k]) == (size_t)(colon - arg) &&
		      !strncmp(xs_stages[k], arg, colon - arg);
	if (!ok || !colon[1])
		return usage_error("--hook %s: expected STAGE:FILE with STAGE one of setup, extract, configure, customize, cleanup", arg);
	xs_strlist_add(&c->ctx->o.hook_files, arg);
	return 0;
}

static int opt_set(struct cli *c, const struct cli_opt *d, const char *arg)
{
	(void)d;
	if (!strchr(arg, '=') || arg[0] == '=')
		return usage_error("--set: expected NAME=VALUE, found \"%s\"", arg);
	xs_strlist_add(&c->ctx->o.sets, arg);
	return 0;
}

/* --NAME=N with LO <= N <= HI: 0, or the usage error's status */
static int parse_count(const struct cli_opt *d, const char *arg, long lo, long hi, long *n)
{
	char *end;
	*n = strtol(arg, &end, 10);
	if (end == arg || *end || *n < lo || *n > hi)
		return usage_error("--%s: expected %ld to %ld, found \"%s\"", d->name, lo, hi, arg);
	return 0;
}

static int opt_jobs(struct cli *c, const struct cli_opt *d, const char *arg)
{
	long n;
	int r = parse_count(d, arg, 1, 16, &n);
	if (!r)
		c->ctx->jobs = (int)n;
	return r;
}

static int opt_level(struct cli *c, const struct cli_opt *d, const char *arg)
{
	(void)arg;
	c->level = d->short_name == 'q' ? XS_QUIET : XS_VERBOSE;
	return 0;
}

static int opt_help(struct cli *c, const struct cli_opt *d, const char *arg)
{
	(void)arg;
	if (d->short_name == 'h')
		c->help = true;
	else if (d->short_name == 'V')
		c->version = true;
	else
		c->completion = true;
	return 0;
}

/* --swap=SIZE[:PATH]: a swap image for xvdb; it implies --set swap=/dev/xvdb
 * for the fstab hook unless a --set swap= names another device */
static int opt_swap(struct cli *c, const struct cli_opt *d, const char *arg)
{
	(void)d;
	struct xs_opts *o = &c->ctx->o;
	const char *colon = strchr(arg, ':');
	_cleanup_free_ char *size = colon ? xs_strndup(arg, colon - arg) : xs_strdup(arg);
	if (xs_parse_size(size, &o->swap_size) < 0 || !o->swap_size)
		return usage_error("--swap: expected SIZE[:PATH] with SIZE like 512M or 1G, found \"%s\"", arg);
	if (colon && !colon[1])
		return usage_error("--swap: expected a PATH after \"%.*s:\", found nothing", (int)(colon - arg), arg);
	free(o->swap_path);
	o->swap_path = colon ? xs_strdup(colon + 1) : NULL;
	return 0;
}

/* --memory=SIZE: MiB, as xen-tools takes it ("512", "512M", "2G") */
static int opt_memory(struct cli *c, const struct cli_opt *d, const char *arg)
{
	(void)d;
	uint64_t bytes;
	char *end;
	unsigned long long mb = strtoull(arg, &end, 10);
	if (end != arg && !*end)
		bytes = (uint64_t)mb << 20; /* a bare number is MiB, as in xl.cfg */
	else if (xs_parse_size(arg, &bytes) < 0)
		bytes = 0;
	if (bytes < (32u << 20) || (bytes >> 20) > 0xffffffu)
		return usage_error("--memory: expected the guest's memory like 512M or 2G (at least 32M), found \"%s\"", arg);
	c->ctx->o.memory_mb = (unsigned)(bytes >> 20);
	return 0;
}

static int opt_vcpus(struct cli *c, const struct cli_opt *d, const char *arg)
{
	long n;
	int r = parse_count(d, arg, 1, 512, &n);
	if (!r)
		c->ctx->o.vcpus = (unsigned)n;
	return r;
}

/* --mac=MAC: six hex pairs separated by colons */
static int opt_mac(struct cli *c, const struct cli_opt *d, const char *arg)
{
	(void)d;
	bool ok = strlen(arg) == 17;
	for (int i = 0; ok && i < 17; i++)
		ok = i % 3 == 2 ? arg[i] == ':' : isxdigit((unsigned char)arg[i]);
	if (!ok)
		return usage_error("--mac: expected a MAC like 00:16:3e:12:34:56, found \"%s\"", arg);
	free(c->ctx->o.mac);
	c->ctx->o.mac = xs_strdup(arg);
	return 0;
}

#define O(field) offsetof(struct xs_opts, field)

static const struct cli_opt options[] = {
	{ "variant", 0, "NAME", CALL, 0, opt_variant,
	  "minbase, required, important (default; also \"-\"), buildd,\n"
	  "standard, essential, custom (only --include) or extract\n"
	  "(unpack --include packages, configure nothing)", NULL },
	{ "include", 0, "A,B", ADD_CSV, O(include), NULL,
	  "also install these packages: NAME, NAME=VERSION, NAME/SUITE,\n"
	  "'glob*', 'NAME>=VERSION'; rpm: NAME.ARCH, NAME-VERSION, @GROUP", NULL },
	{ "exclude", 0, "A,B", ADD_CSV, O(exclude), NULL, "never install these packages", NULL },
	{ "components", 0, "A,B", ADD_CSV, O(components), NULL, "archive components (default: main)", NULL },
	{ "arch", 0, "ARCH", SET_STR, O(arch), NULL,
	  "Debian architecture (default: the host's); a foreign one's\n"
	  "scripts run through qemu-user (binfmt_misc, qemu-user-static)", NULL },
	{ "mode", 0, "MODE", CALL, 0, opt_mode,
	  "root (chroot as root), unshare (as a normal user, in a user\n"
	  "namespace with its /etc/subuid and /etc/subgid ids) or auto\n"
	  "(default: root when run as root, else unshare)", NULL },
	{ "keyring", 0, "FILE", ADD, O(keyrings), NULL,
	  "OpenPGP key file (armored or binary) that signs the archive;\n"
	  "repeatable (default: the suite's key in repos/keys; for an\n"
	  "rpm distribution, in /etc/pki/rpm-gpg or distribution-gpg-keys)", NULL },
	{ "cache-dir", 0, "DIR", SET_STR, O(cache_dir), NULL,
	  "package and index cache (default /var/cache/xstrap; not root:\n"
	  "$XDG_CACHE_HOME/xstrap)", NULL },
	{ "format", 0, "FMT", CALL, 0, opt_format,
	  "dir (default), tar (TARGET is then a tar file) or ext2,\n"
	  "ext3, ext4 (TARGET is an image file or a block device);\n"
	  "tar and images are reproducible under SOURCE_DATE_EPOCH;\n"
	  "nfsroot: squashfs (also DIR/filesystem.squashfs, booted by\n"
	  "live-boot's fetch=URL instead of NFS)", NULL },
	{ "size", 0, "SIZE", CALL, 0, opt_size,
	  "the image's size, e.g. 2G (K, M, G, T); default: the\n"
	  "content plus a quarter (64M at least), or the device's", NULL },
	{ "fs-label", 0, "LABEL", SET_STR, O(fs_label), NULL,
	  "the image's filesystem label (default: the host name)", NULL },
	{ "repo-type", 0, "TYPE", CALL, 0, opt_repo_type,
	  "the package family: apt (deb) or rpm-md (rpm) (default:\n"
	  "as SUITE is defined; an unknown SUITE with rpm-md takes\n"
	  "MIRROR as the one URL holding repodata/)", NULL },
	{ "updates", 0, NULL, SET_TRUE, O(updates), NULL,
	  "Debian: also install from SUITE-updates and SUITE-security\n"
	  "(as repos/debian.conf defines them); the newest version wins", NULL },
	{ "security-mirror", 0, "URL", SET_STR, O(security_mirror), NULL,
	  "where SUITE-security lives (default: the suite's\n"
	  "security-mirror, else ../debian-security beside MIRROR)", NULL },
	{ "source", 0, "'deb [signed-by=KEYFILE] URI SUITE COMPONENT...'", ADD, O(sources), NULL,
	  "Debian: an extra apt source, verified with KEYFILE only\n"
	  "(default: the suite's key); repeatable", NULL },
	{ "sources-file", 0, "FILE", ADD, O(sources_files), NULL,
	  "Debian: extra apt sources, deb822 or one-line; rpm: a\n"
	  "dnf .repo file (baseurl=, gpgkey=file://); repeatable", NULL },
	{ "repo", 0, "NAME,URL[,KEYFILE]", ADD, O(rpm_repos), NULL,
	  "rpm: an extra repository (EPEL's kind) at URL, verified\n"
	  "with KEYFILE only (default: the distribution's key);\n"
	  "the guest gets /etc/yum.repos.d/NAME.repo; repeatable", NULL },
	{ "enable-repo", 0, "A,B", CALL, 0, opt_repo_choice,
	  "rpm distributions: also load these repositories (CRB, ...)", NULL },
	{ "enablerepo", 0, "A,B", CALL, 0, opt_repo_choice, NULL, NULL }, /* dnf's spelling */
	{ "disable-repo", 0, "A,B", CALL, 0, opt_repo_choice,
	  "rpm distributions: do not load these (\"*\": all so far)", NULL },
	{ "disablerepo", 0, "A,B", CALL, 0, opt_repo_choice, NULL, NULL },
	{ "recommends", 0, NULL, SET_TRUE, O(recommends), NULL,
	  "install Recommends (rpm: weak dependencies) too", NULL },
	{ "merged-usr", 0, NULL, CALL, 0, opt_merged_usr,
	  "/bin, /sbin, /lib as links into /usr (default: as\n"
	  "debootstrap does for the suite and variant)", "--[no-]merged-usr" },
	{ "no-merged-usr", 0, NULL, CALL, 0, opt_merged_usr, NULL, NULL },
	{ "no-verify", 0, NULL, SET_TRUE, O(no_verify), NULL,
	  "do NOT check signatures and checksums (dangerous)", NULL },
	{ "allow-older-metadata", 0, NULL, SET_TRUE, O(allow_older_metadata), NULL,
	  "take a signed Release (repomd.xml) older than the newest\n"
	  "this cache has seen from that mirror (a rollback)", NULL },
	{ "json", 0, NULL, SET_TRUE, O(json), NULL, "plan: print the package set as JSON", NULL },
	{ "class", 0, "A,B", ADD_CSV, O(classes), NULL, "add classes (e.g. XEN_DOMU) for class-gated hooks", NULL },
	{ "config-space", 0, "DIR", ADD, O(config_spaces), NULL,
	  "a site's classes/, hooks/STAGE/, packages/, files/\n"
	  "(after the built-in one; same file name replaces)", NULL },
	{ "hook", 0, "STAGE:FILE", CALL, 0, opt_hook,
	  "run FILE (.lua, or an executable given TARGET) at STAGE:\n"
	  "setup, extract, configure, customize or cleanup", NULL },
	{ "set", 0, "NAME=VALUE", CALL, 0, opt_set,
	  "an option for hooks (x.opt): swap, ip, gateway, dns...", NULL },
	{ "hostname", 0, "NAME", SET_STR, O(hostname), NULL, "the guest's host name", NULL },
	{ "swap", 0, "SIZE[:PATH]", CALL, 0, opt_swap,
	  "a swap image for /dev/xvdb, sparse (default PATH: beside\n"
	  "TARGET, its .img/.tar dropped, plus -swap.img); implies\n"
	  "--set swap=/dev/xvdb", NULL },
	{ "xen-config", 0, "FILE", SET_STR, O(xen_config), NULL,
	  "write an xl domU config for the guest (name, memory, vcpus,\n"
	  "disks, vif, pygrub or --xen-kernel-dir's kernel)", NULL },
	{ "xen-kernel-dir", 0, "DIR", SET_STR, O(xen_kernel_dir), NULL,
	  "copy the guest's kernel and initrd to DIR and boot them\n"
	  "directly (kernel=, ramdisk=) instead of with pygrub", NULL },
	{ "memory", 0, "SIZE", CALL, 0, opt_memory, "--xen-config: the guest's memory (default 512M)", NULL },
	{ "vcpus", 0, "N", CALL, 0, opt_vcpus, "--xen-config: virtual CPUs (default 1)", NULL },
	{ "mac", 0, "MAC", CALL, 0, opt_mac,
	  "--xen-config: the vif's MAC (default: 00:16:3e and three\n"
	  "bytes derived from the host name)", NULL },
	{ "bridge", 0, "NAME", SET_STR, O(bridge), NULL, "--xen-config: the vif's bridge (default: xl's)", NULL },
	{ "export", 0, "DIR", CALL, 0, opt_nfsroot,
	  "nfsroot: the kernel and initrd for eliloader\n"
	  "(dists/SUITE/main/installer-ARCH/current/images/netboot/\n"
	  "xen/) and PXE/iPXE (tftp/), cmdline, exports, xen.cfg", NULL },
	{ "nfs-server", 0, "HOST", CALL, 0, opt_nfsroot,
	  "nfsroot: the server clients mount the root from (default:\n"
	  "this host's name)", NULL },
	{ "nfs-path", 0, "PATH", CALL, 0, opt_nfsroot,
	  "nfsroot: the root's path on that server (default: TARGET)", NULL },
	{ "fetch-url", 0, "URL", CALL, 0, opt_nfsroot,
	  "nfsroot --format=squashfs: where clients fetch it (default:\n"
	  "http://HOST/filesystem.squashfs)", NULL },
	{ "append", 0, "ARGS", CALL, 0, opt_nfsroot,
	  "nfsroot: more kernel arguments (FAI_ACTION=install ...)", NULL },
	{ "ssh-key", 0, "FILE", CALL, 0, opt_nfsroot,
	  "nfsroot: OpenSSH public keys for root's authorized_keys\n"
	  "(and openssh-server); no password is ever set", NULL },
	{ "list-hooks", 0, NULL, SET_TRUE, O(list_hooks), NULL,
	  "print the classes and the hooks that would run, and why", NULL },
	{ "jobs", 'j', "N", CALL, 0, opt_jobs, "parallel extraction workers (default 2)", NULL },
	{ "quiet", 'q', NULL, CALL, 0, opt_level, "print errors only", NULL },
	{ "verbose", 'v', NULL, CALL, 0, opt_level, "print timings and script output", NULL },
	{ "help", 'h', NULL, CALL, 0, opt_help, "this text", NULL },
	{ "version", 'V', NULL, CALL, 0, opt_help, "the version", NULL },
	{ "bash-completion", 0, NULL, CALL, 0, opt_help,
	  "print a bash completion script for these options and\n"
	  "the suites in repos/ (make install installs it)", NULL },
};
#define N_OPTIONS (sizeof(options) / sizeof(options[0]))

static const char *const subcommands[] = { "plan", "classes", "nfsroot", NULL };

static const char usage_head[] =
	"Usage: xstrap [OPTIONS] SUITE TARGET [MIRROR]\n"
	"       xstrap plan [OPTIONS] SUITE [MIRROR]\n"
	"       xstrap classes [OPTIONS] SUITE     print the class set only\n"
	"       xstrap nfsroot [OPTIONS] SUITE TARGET [MIRROR] --export=DIR\n"
	"\n"
	"Builds a root filesystem for SUITE in the directory TARGET from its\n"
	"distribution's repositories, verifying every signature and checksum:\n"
	"a Debian suite (bookworm, trixie, sid, ...) from MIRROR (default: the\n"
	"host's apt sources), or an rpm distribution (centos-stream9, rocky9,\n"
	"alma9, fedora42, ... in repos/rpm.conf) from its repositories below\n"
	"MIRROR, its tree on a mirror. `plan` prints the package set only.\n"
	"`nfsroot` builds a network-install client's root (class NFSROOT,\n"
	"FAI's nfsroot) and exports its kernel, initrd and boot configs.\n"
	"\n"
	"Options:\n";

#define HELP_COL 21

static void print_help(FILE *f)
{
	fputs(usage_head, f);
	for (size_t i = 0; i < N_OPTIONS; i++) {
		const struct cli_opt *d = &options[i];
		if (!d->help)
			continue;
		char head[64];
		int n;
		if (d->shown)
			n = snprintf(head, sizeof(head), "  %s", d->shown);
		else
			n = snprintf(head, sizeof(head), "  %s%c%s--%s%s%s", d->short_name ? "-" : "",
				     d->short_name ? d->short_name : ' ', d->short_name ? ", " : "", d->name,
				     d->arg ? "=" : "", d->arg ? d->arg : "");
		if (!d->short_name && !d->shown) /* "  --name", not "   --name" */
			memmove(head + 2, head + 3, strlen(head + 3) + 1), n--;
		fputs(head, f);
		if (n >= HELP_COL)
			fprintf(f, "\n%*s", HELP_COL, "");
		else
			fprintf(f, "%*s", HELP_COL - n, "");
		for (const char *s = d->help; *s;) {
			size_t len = strcspn(s, "\n");
			fwrite(s, 1, len, f);
			fputc('\n', f);
			s += len;
			if (*s == '\n' && *++s)
				fprintf(f, "%*s", HELP_COL, "");
		}
	}
}

/* Applies one parsed option; 0, or the exit status of a usage error. */
static int apply_option(struct cli *c, const struct cli_opt *d, const char *arg)
{
	char *field = (char *)&c->ctx->o + d->off;
	switch (d->how) {
	case SET_STR:
		free(*(char **)field);
		*(char **)field = xs_strdup(arg);
		return 0;
	case ADD:
		xs_strlist_add((struct xs_strlist *)field, arg);
		return 0;
	case ADD_CSV:
		xs_strlist_add_split((struct xs_strlist *)field, arg);
		return 0;
	case SET_TRUE:
		*(bool *)field = true;
		return 0;
	case CALL:
		return d->call(c, d, arg);
	}
	return 2;
}

/* getopt_long over the table. 0, or an exit status (2: usage error). */
static int parse_options(struct cli *c, int argc, char **argv)
{
	struct option longopts[N_OPTIONS + 1];
	char shortopts[2 * N_OPTIONS + 1];
	size_t ns = 0;
	for (size_t i = 0; i < N_OPTIONS; i++) {
		longopts[i] = (struct option){ options[i].name, options[i].arg ? required_argument : no_argument,
					       NULL, 256 + (int)i };
		if (options[i].short_name) {
			shortopts[ns++] = options[i].short_name;
			if (options[i].arg)
				shortopts[ns++] = ':';
		}
	}
	longopts[N_OPTIONS] = (struct option){ 0 };
	shortopts[ns] = 0;
	int key;
	while ((key = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		const struct cli_opt *d = NULL;
		if (key >= 256 && key < 256 + (int)N_OPTIONS)
			d = &options[key - 256];
		for (size_t i = 0; !d && key > 0 && i < N_OPTIONS; i++)
			if (options[i].short_name == key)
				d = &options[i];
		if (!d) {
			fputs("Try 'xstrap --help'.\n", stderr);
			return 2;
		}
		int r = apply_option(c, d, optarg);
		if (r)
			return r;
	}
	return 0;
}

static void on_signal(int sig)
{
	/* The chroot child runs in its own mount namespace: killing it is all
	 * the cleanup the host needs. */
	xs_target_kill_children();
	/* temporary keyrings, the tar work tree: nothing of them is left */
	xs_cleanup_run();
	static const char msg[] = "\nxstrap: interrupted\n";
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(128 + sig);
	_exit(128 + sig);
}

/* A data directory is known by its repos/debian.conf. */
static bool is_datadir(const char *dir)
{
	_cleanup_free_ char *probe = xs_asprintf("%s/repos/debian.conf", dir);
	return !access(probe, R_OK);
}

/* Where repos/, classes/, hooks/ and lua/ are: $XSTRAP_DATADIR; else found
 * from the running binary, installed (BIN/../share/xstrap, wherever the
 * tree was installed or copied to) or in the build tree (build/xstrap
 * below the sources); else the directory compiled in from PREFIX. */
static char *find_datadir(void)
{
	const char *env = getenv("XSTRAP_DATADIR");
	if (env && *env)
		return xs_strdup(env);
	_cleanup_free_ char *bin = realpath("/proc/self/exe", NULL);
	char *slash = bin ? strrchr(bin, '/') : NULL;
	if (slash) {
		*slash = 0;
		_cleanup_free_ char *installed = xs_asprintf("%s/../share/xstrap", bin);
		if (is_datadir(installed))
			return realpath(installed, NULL) ?: xs_strdup(installed);
		for (int up = 0; up < 2 && slash; up++) {
			if (is_datadir(bin))
				return xs_strdup(bin);
			if ((slash = strrchr(bin, '/')))
				*slash = 0;
		}
	}
	return xs_strdup(XS_DATADIR);
}

/* --bash-completion: the script for this table and the suites in repos/. */
static int print_completion(struct xs_ctx *ctx)
{
	struct xs_completion_opt opts[N_OPTIONS];
	for (size_t i = 0; i < N_OPTIONS; i++)
		opts[i] = (struct xs_completion_opt){ options[i].name, options[i].short_name, options[i].arg };
	ctx->o.datadir = find_datadir();
	int r = xs_completion_bash(stdout, opts, N_OPTIONS, subcommands, ctx->o.datadir, &ctx->log);
	if (r < 0)
		fprintf(stderr, "xstrap: error: %s\n", ctx->log.err);
	xs_opts_free(&ctx->o);
	return r < 0 ? 1 : 0;
}

/* --mode: root stays as it is, unshare moves into a user namespace */
static int enter_mode(struct xs_ctx *ctx)
{
	enum xs_mode m = ctx->o.mode;
	if (m == XS_MODE_AUTO)
		m = geteuid() == 0 ? XS_MODE_ROOT : XS_MODE_UNSHARE;
	if (m == XS_MODE_ROOT && geteuid() != 0)
		return xs_fail(&ctx->log, EPERM, "--mode=root needs root (chroot, device nodes, owners); run as root, or use --mode=unshare");
	return m == XS_MODE_UNSHARE ? xs_userns_enter(&ctx->log) : 0;
}

int main(int argc, char **argv)
{
	struct xs_ctx ctx;
	memset(&ctx, 0, sizeof(ctx));
	struct xs_opts *o = &ctx.o;
	enum xs_level level = XS_NORMAL;
	o->variant = XS_VARIANT_IMPORTANT;
	o->merged_usr_opt = -1;
	ctx.jobs = 2;
	bool plan = false, classes = false, nfsroot = false;
	ctx.rootfd = -1;
	for (size_t i = 0; argc > 1 && subcommands[i]; i++)
		if (!strcmp(argv[1], subcommands[i]))
			plan = true;
	if (plan && !strcmp(argv[1], "nfsroot")) {
		nfsroot = true;
		plan = false;
		argv[1] = argv[0];
		argv++;
		argc--;
	} else if (plan) {
		classes = argv[1][0] == 'c';
		argv[1] = argv[0];
		argv++;
		argc--;
	}
	struct cli cli = { .ctx = &ctx, .level = XS_NORMAL };
	int r = parse_options(&cli, argc, argv);
	if (!r && cli.completion)
		return print_completion(&ctx);
	if (r || cli.help || cli.version) {
		if (!r && cli.help)
			print_help(stdout);
		else if (!r)
			printf("xstrap %s\n", XS_VERSION);
		xs_opts_free(o);
		return r;
	}
	level = cli.level;
	if (cli.nfsroot_only && !nfsroot)
		return xs_opts_free(o), usage_error("--export, --nfs-server, --nfs-path, --fetch-url, --append, --ssh-key and --format=squashfs are for xstrap nfsroot");
	if (nfsroot && o->format != XS_OUT_DIR)
		return xs_opts_free(o), usage_error("xstrap nfsroot: --format=%s: expected dir or squashfs (the root is a directory clients mount)", xs_format_name(o->format));
	if (nfsroot) {
		o->nfsroot = true;
		xs_strlist_add(&o->classes, "NFSROOT");
	}
	if (o->ssh_key) {
		/* before the class scripts: classes/20-nfsroot.lua adds
		 * openssh-server, hooks/customize/75-nfsroot.lua reads the file */
		_cleanup_free_ char *abs = xs_absolute(o->ssh_key);
		_cleanup_free_ char *set = xs_asprintf("ssh_key=%s", abs);
		xs_strlist_add(&o->sets, set);
	}
	int need = plan ? 1 : 2;
	int left = argc - optind;
	if (left < need || left > need + 1)
		return xs_opts_free(o), usage_error("%s", classes ? "expected: xstrap classes [OPTIONS] SUITE"
					 : plan ? "expected: xstrap plan [OPTIONS] SUITE [MIRROR]"
					 : nfsroot ? "expected: xstrap nfsroot [OPTIONS] SUITE TARGET [MIRROR] --export=DIR"
						: "expected: xstrap [OPTIONS] SUITE TARGET [MIRROR]");
	o->suite = xs_strdup(argv[optind++]);
	if (!plan)
		o->target = xs_strdup(argv[optind++]);
	if (optind < argc)
		o->mirror = xs_strdup(argv[optind++]);
	o->datadir = find_datadir();
	if (!o->hostname)
		o->hostname = xs_strdup("debian"); /* as Debian's installer suggests */
	xs_log_init(&ctx.log, level);
	struct stderr_sink sink = { 0 };
	xs_log_set_sink(&ctx.log, to_stderr, &sink, isatty(STDERR_FILENO));

	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	xs_fetch_global_init();

	r = xs_prepare(&ctx);
	if (!r && o->list_hooks)
		r = xs_config_list_hooks(&ctx, stdout);
	else if (!r && classes)
		for (size_t i = 0; i < o->classes.n; i++)
			printf("%s\n", o->classes.v[i]);
	else if (!r && plan) {
		struct xs_txn txn = { 0 };
		if (!(r = xs_plan(&ctx, &txn)))
			print_plan(&ctx, &txn, stdout);
		xs_txn_free(&txn);
	} else if (!r && !(r = enter_mode(&ctx))) {
		r = xs_build(&ctx);
		if (!r && o->format == XS_OUT_DIR)
			xs_userns_note_dir(&ctx.log, o->target);
	}
	xs_release(&ctx);
	xs_config_free(&ctx);
	if (r < 0)
		fprintf(stderr, "xstrap: error: %s\n", ctx.log.err[0] ? ctx.log.err : strerror(-r));
	xs_opts_free(o);
	return r < 0 ? 1 : 0;
}
