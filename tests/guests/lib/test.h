/* SPDX-License-Identifier: MIT */
/*
 * The guests' test framework (TAP-like): each check prints
 * "ok N - what" or "not ok N - what"; test_exit() prints "1..N" and a
 * summary and ends the VM through isa-debug-exit (port 0xf4): value 0
 * (status 1) when every check passed, 1 (status 3) otherwise.
 */
#ifndef GUEST_TEST_H
#define GUEST_TEST_H

#include "kernel/lib/types.h"

#define DEBUG_EXIT_PORT   0xf4
#define TEST_EXIT_PASS    0
#define TEST_EXIT_FAIL    1

/* Record one check; returns cond. */
bool check(bool cond, const char *fmt, ...) __printf(2, 3);

/* One check that got == want (as 64-bit values); prints both when they differ. */
bool check_eq_u64(u64 got, u64 want, const char *fmt, ...) __printf(3, 4);
#define check_eq(got, want, ...) check_eq_u64((u64)(got), (u64)(want), __VA_ARGS__)

/* A diagnostic line: "# ..." */
void note(const char *fmt, ...) __printf(1, 2);

/* Checks so far, and how many failed. */
unsigned test_count(void);
unsigned test_failures(void);

/* End the test: pass if no check failed (and at least one ran). */
__noreturn void test_exit(void);

/* Record a failure ("not ok N - why") and end the test at once. */
__noreturn void test_abort(const char *why);

/* Write value to isa-debug-exit and stop. */
__noreturn void guest_exit(u32 value);

#endif
