/* SPDX-License-Identifier: MIT */
/*
 * printf-style formatting without libc. Supports %d %i %u %x %X %o %c %s %p %%,
 * flags '-' '0' '#', a width (or '*'), a precision for %s, and the length
 * modifiers hh h l ll z. The output is always NUL-terminated when size > 0;
 * the return value is the length the full output would have had.
 */
#ifndef TERN_LIB_FORMAT_H
#define TERN_LIB_FORMAT_H

#include <stdarg.h>
#include "kernel/lib/types.h"

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

#endif
