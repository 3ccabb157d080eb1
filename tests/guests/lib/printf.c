/* SPDX-License-Identifier: MIT */
#include "kernel/lib/format.h"
#include "lib/printf.h"
#include "lib/serial.h"

int vprintf(const char *fmt, va_list ap)
{
	char buf[PRINTF_MAX];
	int n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);

	serial_write(buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
	return n;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}
