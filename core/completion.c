/* completion.c - the bash completion script, written from the option table. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "completion.h"
#include "config_space.h"
#include "context.h"
#include "family.h"
#include "output.h"
#include "util.h"

/* Prints the [SECTION] names of one repos/ file, each followed by a space. */
static int print_sections(FILE *out, const char *path, struct xs_log *log)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return xs_fail(log, errno, "%s: cannot read the suite definitions: %s", path, strerror(errno));
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	while ((len = getline(&line, &cap, f)) > 0) {
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == ' '))
			line[--len] = 0;
		if (len > 2 && line[0] == '[' && line[len - 1] == ']')
			fprintf(out, "%.*s ", (int)len - 2, line + 1);
	}
	fclose(f);
	return 0;
}

static int namecmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int is_conf(const struct dirent *e)
{
	size_t n = strlen(e->d_name);
	return n > 5 && !strcmp(e->d_name + n - 5, ".conf");
}

/* The suites of every DATADIR/repos/\*.conf, in file and then section order. */
static int print_suites(FILE *out, const char *datadir, struct xs_log *log)
{
	_cleanup_free_ char *dir = xs_asprintf("%s/repos", datadir);
	struct dirent **names;
	int n = scandir(dir, &names, is_conf, namecmp);
	if (n < 0)
		return xs_fail(log, errno, "%s: cannot list the suite definitions: %s (set XSTRAP_DATADIR to the directory holding repos/)",
			       dir, strerror(errno));
	int r = 0;
	for (int i = 0; i < n; i++) {
		_cleanup_free_ char *path = xs_asprintf("%s/%s", dir, names[i]->d_name);
		if (!r)
			r = print_sections(out, path, log);
		free(names[i]);
	}
	free(names);
	return r;
}

enum opt_kind { ALL, TAKES_ARG, ARG_FILE, ARG_DIR };

/* The options of one kind, each as a user types it, space-separated. */
static void print_opts(FILE *out, const struct xs_completion_opt *opts, size_t n, enum opt_kind kind)
{
	for (size_t i = 0; i < n; i++) {
		const struct xs_completion_opt *o = &opts[i];
		const char *arg = o->arg ? o->arg : "";
		const char *last = strrchr(arg, ':'); /* STAGE:FILE ends in a file */
		last = last ? last + 1 : arg;
		bool want = kind == ALL || (kind == TAKES_ARG && o->arg) ||
			    (kind == ARG_FILE && !strcmp(last, "FILE")) || (kind == ARG_DIR && !strcmp(arg, "DIR"));
		if (!want)
			continue;
		fprintf(out, "--%s%s ", o->name, kind == ALL && o->arg ? "=" : "");
		if (o->short_name && kind != ARG_FILE && kind != ARG_DIR)
			fprintf(out, "-%c ", o->short_name);
	}
}

/* The part of the script that does not depend on the table. "--opt=val"
 * arrives as "--opt" "=" "val" while '=' is in COMP_WORDBREAKS (bash's
 * default), as one word otherwise; getopt also takes "--opt val". */
static const char script_body[] =
	"\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev= opt= pfx= words= i w n=0 sub=\n"
	"\t((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD-1]}\n"
	"\tCOMPREPLY=()\n"
	"\tif [[ $cur == = ]]; then\n"
	"\t\topt=$prev cur=\n"
	"\telif [[ $prev == = ]] && ((COMP_CWORD > 1)); then\n"
	"\t\topt=${COMP_WORDS[COMP_CWORD-2]}\n"
	"\telif [[ $cur == --*=* ]]; then\n"
	"\t\topt=${cur%%=*} pfx=${cur%%=*}= cur=${cur#*=}\n"
	"\telif [[ \" $arg_opts \" == *\" $prev \"* ]]; then\n"
	"\t\topt=$prev\n"
	"\tfi\n"
	"\tif [[ -n $opt ]]; then\n"
	"\t\tcase \" $file_opts $dir_opts \" in\n"
	"\t\t*\" $opt \"*)\n"
	"\t\t\tcompopt -o filenames 2>/dev/null\n"
	"\t\t\tif [[ \" $dir_opts \" == *\" $opt \"* ]]; then\n"
	"\t\t\t\tCOMPREPLY=($(compgen -P \"$pfx\" -d -- \"$cur\"))\n"
	"\t\t\telif [[ $opt == --hook && $cur != *:* ]]; then\n"
	"\t\t\t\tCOMPREPLY=($(compgen -P \"$pfx\" -S : -W \"$stages\" -- \"$cur\"))\n"
	"\t\t\t\tcompopt -o nospace 2>/dev/null\n"
	"\t\t\telse\n"
	"\t\t\t\tCOMPREPLY=($(compgen -P \"$pfx\" -f -- \"$cur\"))\n"
	"\t\t\tfi\n"
	"\t\t\treturn\n"
	"\t\t\t;;\n"
	"\t\tesac\n"
	"\t\tcase $opt in\n"
	"\t\t--variant) words=$variants ;;\n"
	"\t\t--format) words=$formats ;;\n"
	"\t\t--repo-type) words=$repo_types ;;\n"
	"\t\t--mode) words=$modes ;;\n"
	"\t\tesac\n"
	"\t\tCOMPREPLY=($(compgen -P \"$pfx\" -W \"$words\" -- \"$cur\"))\n"
	"\t\treturn\n"
	"\tfi\n"
	"\tif [[ $cur == -* ]]; then\n"
	"\t\tCOMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
	"\t\t[[ ${#COMPREPLY[@]} == 1 && $COMPREPLY == *= ]] && compopt -o nospace 2>/dev/null\n"
	"\t\treturn\n"
	"\tfi\n"
	"\t# Which positional argument is this: skip options and their values.\n"
	"\tfor ((i = 1; i < COMP_CWORD; i++)); do\n"
	"\t\tw=${COMP_WORDS[i]}\n"
	"\t\tif [[ $w == -* ]]; then\n"
	"\t\t\tif [[ ${COMP_WORDS[i+1]} == = ]]; then\n"
	"\t\t\t\t((i += 2))\n"
	"\t\t\telif [[ $w != *=* && \" $arg_opts \" == *\" $w \"* ]]; then\n"
	"\t\t\t\t((i++))\n"
	"\t\t\tfi\n"
	"\t\telif ((n == 0)) && [[ -z $sub && \" $subcommands \" == *\" $w \"* ]]; then\n"
	"\t\t\tsub=$w\n"
	"\t\telse\n"
	"\t\t\t((n++))\n"
	"\t\tfi\n"
	"\tdone\n"
	"\tif ((n == 0)); then\n"
	"\t\twords=$suites\n"
	"\t\t[[ -z $sub ]] && words=\"$subcommands $words\"\n"
	"\t\tCOMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
	"\telif ((n == 1)) && [[ -z $sub ]]; then\n"
	"\t\tcompopt -o filenames 2>/dev/null\n"
	"\t\tCOMPREPLY=($(compgen -d -- \"$cur\"))\n"
	"\tfi\n"
	"}\n"
	"complete -F _xstrap xstrap\n";

int xs_completion_bash(FILE *out, const struct xs_completion_opt *opts, size_t n_opts,
		       const char *const *subcommands, const char *datadir, struct xs_log *log)
{
	fputs("# bash completion for xstrap, written by `xstrap --bash-completion`\n"
	      "# shellcheck shell=bash\n"
	      "_xstrap()\n{\n\tlocal opts='",
	      out);
	print_opts(out, opts, n_opts, ALL);
	fputs("'\n\tlocal arg_opts='", out);
	print_opts(out, opts, n_opts, TAKES_ARG);
	fputs("'\n\tlocal file_opts='", out);
	print_opts(out, opts, n_opts, ARG_FILE);
	fputs("'\n\tlocal dir_opts='", out);
	print_opts(out, opts, n_opts, ARG_DIR);
	fputs("'\n\tlocal subcommands='", out);
	for (size_t i = 0; subcommands[i]; i++)
		fprintf(out, "%s ", subcommands[i]);
	fputs("'\n\tlocal variants='", out);
	for (int v = XS_VARIANT_EXTRACT; v <= XS_VARIANT_STANDARD; v++)
		fprintf(out, "%s ", xs_variant_name((enum xs_variant)v));
	fputs("'\n\tlocal formats='", out);
	for (int f = XS_OUT_DIR; f <= XS_OUT_EXT4; f++)
		fprintf(out, "%s ", xs_format_name((enum xs_format_kind)f));
	fputs("squashfs'\n\tlocal repo_types='", out);
	_cleanup_free_ char *families = xs_family_names();
	for (const char *c = families; *c; c++)
		if (*c != ',')
			fputc(*c, out);
	fputs(" '\n\tlocal modes='", out);
	for (int m = XS_MODE_AUTO; xs_mode_name((enum xs_mode)m); m++)
		fprintf(out, "%s ", xs_mode_name((enum xs_mode)m));
	fputs("'\n\tlocal stages='", out);
	for (size_t i = 0; xs_stages[i]; i++)
		fprintf(out, "%s ", xs_stages[i]);
	fputs("'\n\tlocal suites='", out);
	int r = print_suites(out, datadir, log);
	if (r < 0)
		return r;
	fputs("'\n", out);
	fputs(script_body, out);
	return ferror(out) ? xs_fail(log, EIO, "writing the completion script: %s", strerror(errno)) : 0;
}
