/* SPDX-License-Identifier: MIT */
#include "kernel/lib/format.h"
#include "lib/printf.h"
#include "lib/serial.h"

/* Several CPUs may print (lib/smp.h): one whole printf at a time, so lines do not interleave. */
static volatile u32 print_lock;

int vprintf(const char *fmt, va_list ap)
{
	char buf[PRINTF_MAX];
	int n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);

	while (__atomic_exchange_n(&print_lock, 1, __ATOMIC_ACQUIRE))
		__asm__ __volatile__("pause");
	serial_write(buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
	__atomic_store_n(&print_lock, 0, __ATOMIC_RELEASE);
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
