/* SPDX-License-Identifier: MIT */
/* kernel/limits.h: the free-memory floor kept back from guest-driven allocations. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "kernel/limits.h"

u64 page_free_count(void)
{
	return 0;   /* not used: the tests call the pure rule */
}

static void test_nothing_at_or_below_the_floor(void **state)
{
	(void)state;
	assert_false(limits_alloc_allowed(0, 1));
	assert_false(limits_alloc_allowed(LIMIT_FREE_PAGES_FLOOR, 1));
	assert_false(limits_alloc_allowed(LIMIT_FREE_PAGES_FLOOR, 0));
}

static void test_allocations_may_use_pages_above_the_floor_only(void **state)
{
	(void)state;
	assert_true(limits_alloc_allowed(LIMIT_FREE_PAGES_FLOOR + 1, 1));
	assert_true(limits_alloc_allowed(LIMIT_FREE_PAGES_FLOOR + 1, PAGE_SIZE));
	assert_false(limits_alloc_allowed(LIMIT_FREE_PAGES_FLOOR + 1, PAGE_SIZE + 1));
	assert_true(limits_alloc_allowed(LIMIT_FREE_PAGES_FLOOR + 2, PAGE_SIZE + 1));
	assert_false(limits_alloc_allowed(LIMIT_FREE_PAGES_FLOOR + 10, 11 * PAGE_SIZE));
	assert_true(limits_alloc_allowed(LIMIT_FREE_PAGES_FLOOR + 10, 10 * PAGE_SIZE));
}

static void test_huge_requests_do_not_wrap(void **state)
{
	(void)state;
	assert_false(limits_alloc_allowed(LIMIT_FREE_PAGES_FLOOR + 1000, ~0ull));
	assert_false(limits_alloc_allowed(LIMIT_FREE_PAGES_FLOOR + 1, ~0ull - PAGE_SIZE));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nothing_at_or_below_the_floor),
		cmocka_unit_test(test_allocations_may_use_pages_above_the_floor_only),
		cmocka_unit_test(test_huge_requests_do_not_wrap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
