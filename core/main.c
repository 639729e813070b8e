/* main.c - the command line: options, subcommands, exit codes. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config_space.h"
#include "context.h"
#include "family.h"
#include "fetch.h"
#include "stages.h"
#include "run.h"
#include "util.h"
#include "version.h"

static const char usage[] =
	"Usage: xstrap [OPTIONS] SUITE TARGET [MIRROR]\n"
	"       xstrap plan [OPTIONS] SUITE [MIRROR]\n"
	"       xstrap classes [OPTIONS] SUITE     print the class set only\n"
	"\n"
	"Builds a Debian root filesystem for SUITE (bookworm, trixie, sid, ...) in the\n"
	"directory TARGET from MIRROR (default: the host's apt sources), verifying\n"
	"every signature and checksum. `plan` prints the package set only. An rpm\n"
	"distribution (centos-stream9, rocky9, alma9, fedora42, ... in repos/rpm.conf)\n"
	"is read from its repositories below MIRROR, its tree on a mirror.\n"
	"\n"
	"Options:\n"
	"  --variant=NAME     minbase, required, important (default; also \"-\"), buildd,\n"
	"                     standard, essential, custom (only --include) or extract\n"
	"                     (unpack --include packages, configure nothing)\n"
	"  --include=A,B      also install these packages\n"
	"  --exclude=A,B      never install these packages\n"
	"  --components=A,B   archive components (default: main)\n"
	"  --arch=ARCH        Debian architecture (default: the host's)\n"
	"  --keyring=FILE     OpenPGP key file (armored or binary) that signs the archive;\n"
	"                     repeatable (default: the suite's key in repos/keys; for an\n"
	"                     rpm distribution, in /etc/pki/rpm-gpg or distribution-gpg-keys)\n"
	"  --cache-dir=DIR    package and index cache (default /var/cache/xstrap)\n"
	"  --format=FMT       dir (default) or tar (TARGET is then a tar file,\n"
	"                     reproducible under SOURCE_DATE_EPOCH)\n"
	"  --repo-type=TYPE   apt or rpm-md (default: as SUITE is defined; an unknown\n"
	"                     SUITE with rpm-md takes MIRROR as the one URL holding\n"
	"                     repodata/; rpm-md resolves only so far: xstrap plan)\n"
	"  --updates          Debian: also install from SUITE-updates and SUITE-security\n"
	"                     (as repos/debian.conf defines them); the newest version wins\n"
	"  --security-mirror=URL  where SUITE-security lives (default: the suite's\n"
	"                     security-mirror, else ../debian-security beside MIRROR)\n"
	"  --source='deb [signed-by=KEYFILE] URI SUITE COMPONENT...'\n"
	"                     Debian: an extra apt source, verified with KEYFILE only\n"
	"                     (default: the suite's key); repeatable\n"
	"  --sources-file=FILE  Debian: extra apt sources, deb822 or one-line; repeatable\n"
	"  --enable-repo=A,B  rpm distributions: also load these repositories (CRB, ...)\n"
	"  --disable-repo=A,B rpm distributions: do not load these (\"*\": all so far)\n"
	"  --recommends       install Recommends (rpm: weak dependencies) too\n"
	"  --[no-]merged-usr  /bin, /sbin, /lib as links into /usr (default: as\n"
	"                     debootstrap does for the suite and variant)\n"
	"  --no-verify        do NOT check signatures and checksums (dangerous)\n"
	"  --json             plan: print the package set as JSON\n"
	"  --class=A,B        add classes (e.g. XEN_DOMU) for class-gated hooks\n"
	"  --config-space=DIR a site's classes/, hooks/STAGE/, packages/, files/\n"
	"                     (after the built-in one; same file name replaces)\n"
	"  --hook=STAGE:FILE  run FILE (.lua, or an executable given TARGET) at STAGE:\n"
	"                     setup, extract, configure, customize or cleanup\n"
	"  --set=NAME=VALUE   an option for hooks (x.opt): swap, ip, gateway, dns...\n"
	"  --hostname=NAME    the guest's host name\n"
	"  --list-hooks       print the classes and the hooks that would run, and why\n"
	"  -j, --jobs=N       parallel extraction workers (default 2)\n"
	"  -q, --quiet        print errors only\n"
	"  -v, --verbose      print timings and script output\n"
	"  -h, --help         this text\n"
	"  -V, --version      the version\n";

enum {
	OPT_VARIANT = 256, OPT_INCLUDE, OPT_EXCLUDE, OPT_COMPONENTS, OPT_ARCH, OPT_KEYRING,
	OPT_CACHE, OPT_NOVERIFY, OPT_JSON, OPT_FORMAT, OPT_RECOMMENDS, OPT_MERGED, OPT_UNMERGED,
	OPT_CLASS, OPT_CONFIG_SPACE, OPT_HOOK, OPT_SET, OPT_HOSTNAME, OPT_LIST_HOOKS, OPT_REPO_TYPE,
	OPT_ENABLE_REPO, OPT_DISABLE_REPO, OPT_UPDATES, OPT_SECURITY_MIRROR, OPT_SOURCE, OPT_SOURCES_FILE,
};

static const struct option longopts[] = {
	{ "variant", required_argument, NULL, OPT_VARIANT },
	{ "include", required_argument, NULL, OPT_INCLUDE },
	{ "exclude", required_argument, NULL, OPT_EXCLUDE },
	{ "components", required_argument, NULL, OPT_COMPONENTS },
	{ "arch", required_argument, NULL, OPT_ARCH },
	{ "keyring", required_argument, NULL, OPT_KEYRING },
	{ "cache-dir", required_argument, NULL, OPT_CACHE },
	{ "no-verify", no_argument, NULL, OPT_NOVERIFY },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "recommends", no_argument, NULL, OPT_RECOMMENDS },
	{ "merged-usr", no_argument, NULL, OPT_MERGED },
	{ "no-merged-usr", no_argument, NULL, OPT_UNMERGED },
	{ "class", required_argument, NULL, OPT_CLASS },
	{ "config-space", required_argument, NULL, OPT_CONFIG_SPACE },
	{ "hook", required_argument, NULL, OPT_HOOK },
	{ "set", required_argument, NULL, OPT_SET },
	{ "hostname", required_argument, NULL, OPT_HOSTNAME },
	{ "list-hooks", no_argument, NULL, OPT_LIST_HOOKS },
	{ "repo-type", required_argument, NULL, OPT_REPO_TYPE },
	{ "enable-repo", required_argument, NULL, OPT_ENABLE_REPO },
	{ "enablerepo", required_argument, NULL, OPT_ENABLE_REPO }, /* dnf's spelling */
	{ "disable-repo", required_argument, NULL, OPT_DISABLE_REPO },
	{ "disablerepo", required_argument, NULL, OPT_DISABLE_REPO },
	{ "updates", no_argument, NULL, OPT_UPDATES },
	{ "security-mirror", required_argument, NULL, OPT_SECURITY_MIRROR },
	{ "source", required_argument, NULL, OPT_SOURCE },
	{ "sources-file", required_argument, NULL, OPT_SOURCES_FILE },
	{ "jobs", required_argument, NULL, 'j' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static void on_signal(int sig)
{
	/* The chroot child runs in its own mount namespace: killing it is all
	 * the cleanup the host needs. */
	xs_target_kill_children();
	static const char msg[] = "\nxstrap: interrupted\n";
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(128 + sig);
	_exit(128 + sig);
}

static char *find_datadir(void)
{
	const char *env = getenv("XSTRAP_DATADIR");
	if (env && *env)
		return xs_strdup(env);
	/* run from the build tree: build/xstrap next to repos/ */
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = 0;
		for (int up = 0; up < 2; up++) {
			char *slash = strrchr(exe, '/');
			if (!slash)
				break;
			*slash = 0;
			_cleanup_free_ char *probe = xs_asprintf("%s/repos/debian.conf", exe);
			if (!access(probe, R_OK))
				return xs_strdup(exe);
		}
	}
	return xs_strdup(XS_DATADIR);
}

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

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "xstrap: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'xstrap --help'.\n");
	return 2;
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
	bool plan = false, classes = false;
	ctx.rootfd = -1;
	if (argc > 1 && (!strcmp(argv[1], "plan") || !strcmp(argv[1], "classes"))) {
		plan = true;
		classes = argv[1][0] == 'c';
		argv[1] = argv[0];
		argv++;
		argc--;
	}
	int c;
	while ((c = getopt_long(argc, argv, "qvhVj:", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_VARIANT:
			if (xs_variant_parse(optarg, &o->variant) < 0)
				return xs_opts_free(o), usage_error("unknown variant \"%s\" (expected minbase, required, important, buildd, standard, essential, custom or extract)", optarg);
			break;
		case OPT_INCLUDE: xs_strlist_add_split(&o->include, optarg); break;
		case OPT_EXCLUDE: xs_strlist_add_split(&o->exclude, optarg); break;
		case OPT_COMPONENTS: xs_strlist_add_split(&o->components, optarg); break;
		case OPT_ARCH: free(o->arch); o->arch = xs_strdup(optarg); break;
		case OPT_KEYRING: xs_strlist_add(&o->keyrings, optarg); break;
		case OPT_CACHE: free(o->cache_dir); o->cache_dir = xs_strdup(optarg); break;
		case OPT_NOVERIFY: o->no_verify = true; break;
		case OPT_JSON: o->json = true; break;
		case OPT_RECOMMENDS: o->recommends = true; break;
		case OPT_MERGED: o->merged_usr_opt = 1; break;
		case OPT_UNMERGED: o->merged_usr_opt = 0; break;
		case OPT_CLASS: xs_strlist_add_split(&o->classes, optarg); break;
		case OPT_CONFIG_SPACE: xs_strlist_add(&o->config_spaces, optarg); break;
		case OPT_HOOK: {
			const char *colon = strchr(optarg, ':');
			static const char *const stages[] = { "setup", "extract", "configure", "customize", "cleanup" };
			bool ok = false;
			for (size_t k = 0; colon && k < 5; k++)
				ok |= strlen(stages[k]) == (size_t)(colon - optarg) && !strncmp(stages[k], optarg, colon - optarg);
			if (!ok || !colon[1])
				return xs_opts_free(o), usage_error("--hook %s: expected STAGE:FILE with STAGE one of setup, extract, configure, customize, cleanup", optarg);
			xs_strlist_add(&o->hook_files, optarg);
			break;
		}
		case OPT_SET:
			if (!strchr(optarg, '=') || optarg[0] == '=')
				return xs_opts_free(o), usage_error("--set: expected NAME=VALUE, found \"%s\"", optarg);
			xs_strlist_add(&o->sets, optarg);
			break;
		case OPT_HOSTNAME: free(o->hostname); o->hostname = xs_strdup(optarg); break;
		case OPT_LIST_HOOKS: o->list_hooks = true; break;
		case OPT_UPDATES: o->updates = true; break;
		case OPT_SECURITY_MIRROR: free(o->security_mirror); o->security_mirror = xs_strdup(optarg); break;
		case OPT_SOURCE: xs_strlist_add(&o->sources, optarg); break;
		case OPT_SOURCES_FILE: xs_strlist_add(&o->sources_files, optarg); break;
		case OPT_REPO_TYPE:
			if (!xs_family_find(optarg)) {
				_cleanup_free_ char *names = xs_family_names();
				fprintf(stderr, "xstrap: --repo-type: expected one of %s, found \"%s\"\nTry 'xstrap --help'.\n",
					names, optarg);
				return xs_opts_free(o), 2;
			}
			free(o->repo_type);
			o->repo_type = xs_strdup(optarg);
			break;
		case OPT_ENABLE_REPO:
		case OPT_DISABLE_REPO: {
			struct xs_strlist names = { 0 };
			xs_strlist_add_split(&names, optarg);
			for (size_t i = 0; i < names.n; i++) {
				_cleanup_free_ char *choice = xs_asprintf("%c%s", c == OPT_ENABLE_REPO ? '+' : '-', names.v[i]);
				xs_strlist_add(&o->repo_choices, choice);
			}
			xs_strlist_free(&names);
			break;
		}
		case OPT_FORMAT:
			if (!strcmp(optarg, "dir") || !strcmp(optarg, "directory"))
				o->format = XS_OUT_DIR;
			else if (!strcmp(optarg, "tar"))
				o->format = XS_OUT_TAR;
			else
				return xs_opts_free(o), usage_error("unknown format \"%s\" (expected dir or tar)", optarg);
			break;
		case 'j':
			ctx.jobs = atoi(optarg);
			if (ctx.jobs < 1 || ctx.jobs > 16)
				return xs_opts_free(o), usage_error("--jobs: expected 1 to 16, found \"%s\"", optarg);
			break;
		case 'q': level = XS_QUIET; break;
		case 'v': level = XS_VERBOSE; break;
		case 'h': fputs(usage, stdout); return 0;
		case 'V': printf("xstrap %s\n", XS_VERSION); return 0;
		default: fputs("Try 'xstrap --help'.\n", stderr); return 2;
		}
	}
	int need = plan ? 1 : 2;
	int left = argc - optind;
	if (left < need || left > need + 1)
		return xs_opts_free(o), usage_error("%s", classes ? "expected: xstrap classes [OPTIONS] SUITE"
					 : plan ? "expected: xstrap plan [OPTIONS] SUITE [MIRROR]"
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

	int r = xs_prepare(&ctx);
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
	} else if (!r)
		r = xs_build(&ctx);
	xs_release(&ctx);
	xs_config_free(&ctx);
	if (r < 0)
		fprintf(stderr, "xstrap: error: %s\n", ctx.log.err[0] ? ctx.log.err : strerror(-r));
	xs_opts_free(o);
	return r < 0 ? 1 : 0;
}
