/* SPDX-License-Identifier: MIT */
/* Host tests of the freestanding helpers in kernel/lib. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "kernel/lib/bitmap.h"
#include "kernel/lib/format.h"
#include "kernel/lib/list.h"
#include "kernel/lib/spinlock.h"
#include "kernel/lib/string.h"

static void test_format_integers(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(fmt_snprintf(buf, sizeof(buf), "%d|%5d|%-4d|%05d", -42, 7, 3, -12), 20);
	assert_string_equal(buf, "-42|    7|3   |-0012");
	fmt_snprintf(buf, sizeof(buf), "%x %X %08llx %lu", 0xbeefu, 0xabcu, 0x12345ull, 18446744073709551615ul);
	assert_string_equal(buf, "beef ABC 00012345 18446744073709551615");
	fmt_snprintf(buf, sizeof(buf), "%hhx %hx %zu %o", 0x1ff, 0x1ffff, (size_t)99, 8);
	assert_string_equal(buf, "ff ffff 99 10");
	fmt_snprintf(buf, sizeof(buf), "%#x %#X %#o %#x %#06x", 0x2au, 0xabu, 8u, 0u, 0x2au);
	assert_string_equal(buf, "0x2a 0XAB 010 0 0x002a");
	fmt_snprintf(buf, sizeof(buf), "%lld", (long long)INT64_MIN);
	assert_string_equal(buf, "-9223372036854775808");
}

static void test_format_strings_and_truncation(void **state)
{
	char buf[8];

	(void)state;
	assert_int_equal(fmt_snprintf(buf, sizeof(buf), "%s-%c", "abcdefgh", 'z'), 10);
	assert_string_equal(buf, "abcdefg");
	fmt_snprintf(buf, sizeof(buf), "%.3s%%", "abcdef");
	assert_string_equal(buf, "abc%");
	const char *volatile nothing = NULL;  /* hidden from the format checker */

	fmt_snprintf(buf, sizeof(buf), "%s", nothing);
	assert_string_equal(buf, "(null)");
	assert_int_equal(fmt_snprintf(NULL, 0, "%d", 12345), 5);
	fmt_snprintf(buf, sizeof(buf), "%*d", 4, 1);
	assert_string_equal(buf, "   1");
}

static void test_parse_u64(void **state)
{
	u64 v = 0;

	(void)state;
	assert_int_equal(parse_u64("1234", 4, &v, false), 0);
	assert_int_equal(v, 1234);
	assert_int_equal(parse_u64("0x1F", 4, &v, false), 0);
	assert_int_equal(v, 31);
	assert_int_equal(parse_u64("010", 3, &v, false), 0);
	assert_int_equal(v, 8);
	assert_int_equal(parse_u64("32M", 3, &v, true), 0);
	assert_int_equal(v, 32 * 1024 * 1024);
	assert_int_equal(parse_u64("32M", 3, &v, false), -TERN_EINVAL);
	assert_int_equal(parse_u64("", 0, &v, true), -TERN_EINVAL);
	assert_int_equal(parse_u64("12a", 3, &v, false), -TERN_EINVAL);
	assert_int_equal(parse_u64("099", 3, &v, false), -TERN_EINVAL);
	assert_int_equal(parse_u64("18446744073709551616", 20, &v, false), -TERN_ERANGE);
	assert_int_equal(parse_u64("17179869184G", 12, &v, true), -TERN_ERANGE);
}

static void test_bitmap(void **state)
{
	DECLARE_BITMAP(map, 256) = { 0 };

	(void)state;
	assert_int_equal(bitmap_find_last(map, 256), -1);
	assert_int_equal(bitmap_find_first(map, 256), -1);
	bitmap_set(map, 3);
	bitmap_set(map, 200);
	assert_true(bitmap_test(map, 200));
	assert_int_equal(bitmap_find_last(map, 256), 200);
	assert_int_equal(bitmap_find_first(map, 256), 3);
	assert_true(bitmap_test_and_clear_atomic(map, 200));
	assert_false(bitmap_test_and_clear_atomic(map, 200));
	assert_false(bitmap_test_and_set_atomic(map, 64));
	assert_int_equal(bitmap_find_last(map, 256), 64);
	assert_int_equal(bitmap_find_first_zero(map, 256), 0);
	bitmap_clear(map, 3);
	assert_int_equal(bitmap_find_first(map, 256), 64);
}

struct item {
	int v;
	struct list_head link;
};

static void test_list(void **state)
{
	struct list_head head = LIST_HEAD_INIT(head);
	struct item a = { 1, { 0 } }, b = { 2, { 0 } }, c = { 3, { 0 } }, *it, *tmp;
	int sum = 0, order = 0;

	(void)state;
	assert_true(list_empty(&head));
	list_add_tail(&a.link, &head);
	list_add_tail(&b.link, &head);
	list_add(&c.link, &head);
	list_for_each_entry(it, &head, link)
		order = order * 10 + it->v;
	assert_int_equal(order, 312);
	list_for_each_entry_safe(it, tmp, &head, link) {
		sum += it->v;
		list_del(&it->link);
	}
	assert_int_equal(sum, 6);
	assert_true(list_empty(&head));
}

static void test_spinlock(void **state)
{
	spinlock_t l = SPINLOCK_INIT;

	(void)state;
	assert_false(spin_is_locked(&l));
	spin_lock(&l);
	assert_true(spin_is_locked(&l));
	assert_false(spin_trylock(&l));
	spin_unlock(&l);
	assert_true(spin_trylock(&l));
	spin_unlock(&l);
	assert_false(spin_is_locked(&l));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_integers),
		cmocka_unit_test(test_format_strings_and_truncation),
		cmocka_unit_test(test_parse_u64),
		cmocka_unit_test(test_bitmap),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_spinlock),
	};

	return cmocka_run_group_tests_name("lib", tests, NULL, NULL);
}
