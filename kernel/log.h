/* SPDX-License-Identifier: MIT */
/*
 * tern's own log. Every line goes to the console prefixed "tern: " so a
 * runner can tell tern's lines from guest output. Host builds print to stderr.
 */
#ifndef TERN_LOG_H
#define TERN_LOG_H

#include "kernel/lib/types.h"

enum log_level {
	LOG_ERR,
	LOG_WARN,
	LOG_INFO,
	LOG_DEBUG,
};

/* Print one formatted line at a level (a trailing newline is added if missing). */
void log_printf(enum log_level level, const char *fmt, ...) __printf(2, 3);

/* Drop lines above level from now on (cmdline loglevel=; default LOG_INFO). */
void log_set_level(enum log_level level);

#define pr_err(...)   log_printf(LOG_ERR, __VA_ARGS__)
#define pr_warn(...)  log_printf(LOG_WARN, __VA_ARGS__)
#define pr_info(...)  log_printf(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) log_printf(LOG_DEBUG, __VA_ARGS__)

#endif
