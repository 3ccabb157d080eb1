/* SPDX-License-Identifier: MIT */
/*
 * Private to kernel/cmdline.c and kernel/cmdline_links.c: the parser's
 * state and its helpers for rejecting a token with a one-line reason.
 */
#ifndef TERN_KERNEL_CMDLINE_INTERNAL_H
#define TERN_KERNEL_CMDLINE_INTERNAL_H

#include "kernel/config.h"
#include "kernel/lib/types.h"

struct cmdline_ctx {
	struct tern_config *cfg;
	const char *token;       /* the token being parsed, as decoded */
	char *err;
	size_t errlen;
	bool seen_stats, seen_irqdump, seen_trace, seen_loglevel, seen_apicv, seen_selftest;
};

/* Put "'TOKEN': reason" into the error buffer; returns -TERN_EINVAL. */
int cmdline_reject(struct cmdline_ctx *c, const char *fmt, ...) __printf(2, 3);

/* Length of the field at s up to the next sep or the end. */
size_t cmdline_field_len(const char *s, char sep);

/* Is t a token that names VMs by number (doorbell=, shm=)? Parsed after every vm=. */
bool cmdline_is_link_token(const char *t);

/* Parse a doorbell= or shm= token (cmdline_is_link_token() said yes). */
int cmdline_parse_link(struct cmdline_ctx *c, const char *t);

#endif
