/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include "kernel/lib/format.h"
#include "lib/io.h"
#include "lib/printf.h"
#include "lib/test.h"

#define WHAT_MAX 200

static unsigned nr_checks, nr_failed;

static bool report(bool cond, const char *fmt, va_list ap)
{
	char what[WHAT_MAX];
	unsigned n;

	fmt_vsnprintf(what, sizeof(what), fmt, ap);
	/* atomic: APs may check too (lib/smp.h) */
	n = __atomic_add_fetch(&nr_checks, 1, __ATOMIC_SEQ_CST);
	if (!cond)
		__atomic_add_fetch(&nr_failed, 1, __ATOMIC_SEQ_CST);
	printf("%sok %u - %s\n", cond ? "" : "not ", n, what);
	return cond;
}

bool check(bool cond, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(cond, fmt, ap);
	va_end(ap);
	return cond;
}

bool check_eq_u64(u64 got, u64 want, const char *fmt, ...)
{
	va_list ap;

	if (got != want)
		printf("# got 0x%llx, want 0x%llx\n", (unsigned long long)got, (unsigned long long)want);
	va_start(ap, fmt);
	report(got == want, fmt, ap);
	va_end(ap);
	return got == want;
}

void note(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

unsigned test_count(void)
{
	return nr_checks;
}

unsigned test_failures(void)
{
	return nr_failed;
}

__noreturn void guest_exit(u32 value)
{
	outl(DEBUG_EXIT_PORT, value);
	for (;;)
		__asm__ __volatile__("cli; hlt");
}

__noreturn void test_exit(void)
{
	bool pass = nr_failed == 0 && nr_checks > 0;

	printf("1..%u\n", nr_checks);
	printf("# %s: %u checks, %u failed\n", pass ? "PASS" : "FAIL", nr_checks, nr_failed);
	guest_exit(pass ? TEST_EXIT_PASS : TEST_EXIT_FAIL);
}

__noreturn void test_abort(const char *why)
{
	check(false, "%s", why);
	test_exit();
}
