/* SPDX-License-Identifier: MIT */
/* printf to COM1 through kernel/lib/format.c (its formats; at most 512 bytes a call). */
#ifndef GUEST_PRINTF_H
#define GUEST_PRINTF_H

#include <stdarg.h>
#include "kernel/lib/types.h"

#define PRINTF_MAX 512

int printf(const char *fmt, ...) __printf(1, 2);
int vprintf(const char *fmt, va_list ap);

#endif
