/* config_space.h - the FAI-style config space: class scripts, per-class package
 * lists, file templates and stage hooks, built-in first, then each
 * --config-space (a script of the same name replaces the earlier one),
 * then --hook files. */
#ifndef XS_CONFIG_SPACE_H
#define XS_CONFIG_SPACE_H

#include <stdio.h>

#include "context.h"

extern const char *const xs_stages[]; /* setup extract configure customize cleanup, NULL */

/* Finds every script and runs the class scripts: fills ctx->o.classes and
 * applies packages/CLASS.lua to --include/--exclude. */
int xs_config_load(struct xs_ctx *ctx);
void xs_config_free(struct xs_ctx *ctx);
/* Runs the hooks of STAGE whose classes are set (customize first copies
 * files/PATH/CLASS into the target). */
int xs_config_run_stage(struct xs_ctx *ctx, const char *stage);
/* Prints, per stage, every hook in order, where it comes from and whether
 * (and why) it runs. */
int xs_config_list_hooks(struct xs_ctx *ctx, FILE *out);

#endif
