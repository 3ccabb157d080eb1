/* SPDX-License-Identifier: MIT */
/* Host tests of the exit statistics tables and report (kernel/stats.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/stats.h"

#define MAX_LINES 64
static char lines[MAX_LINES][STATS_LINE_MAX];
static unsigned nr_lines;

static void capture(void *ctx, const char *line)
{
	(void)ctx;
	assert_true(nr_lines < MAX_LINES);
	snprintf(lines[nr_lines++], STATS_LINE_MAX, "%s", line);
}

static const char *name(u32 reason)
{
	switch (reason) {
	case 10: return "CPUID";
	case 18: return "VMCALL";
	case 30: return "IO_INSTRUCTION";
	default: return "OTHER";
	}
}

/* The captured line containing text, or NULL. */
static const char *find(const char *text)
{
	for (unsigned i = 0; i < nr_lines; i++)
		if (strstr(lines[i], text))
			return lines[i];
	return NULL;
}

static struct exit_stats *new_stats(void)
{
	struct exit_stats *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	return s;
}

static void test_account_counts_and_ticks(void **state)
{
	struct exit_stats *s = new_stats();

	(void)state;
	stats_account(s, 30, STATS_PORT, 0x3f8, 100);
	stats_account(s, 30, STATS_PORT, 0x3f8, 300);
	stats_account(s, 30, STATS_PORT, 0xf4, 50);
	stats_account(s, 10, STATS_NONE, 0, 40);
	stats_account(s, STATS_MAX_REASONS, STATS_PORT, 1, 1000);  /* ignored */
	assert_int_equal(s->count[30], 3);
	assert_int_equal(s->ticks[30], 450);
	assert_int_equal(s->count[10], 1);
	assert_int_equal(stats_total_count(s), 4);
	assert_int_equal(stats_total_ticks(s), 490);
	assert_int_equal(s->keys[STATS_PORT].used, 2);
	free(s);
}

static void test_top_sorted_by_count_then_key(void **state)
{
	struct exit_stats *s = new_stats();
	struct stats_key top[3];

	(void)state;
	for (u64 port = 1; port <= 5; port++)
		for (u64 i = 0; i < port % 3 + 1; i++)   /* counts: 2 3 1 2 3 */
			stats_account(s, 30, STATS_PORT, port, 10);
	assert_int_equal(stats_top(&s->keys[STATS_PORT], top, 3), 3);
	assert_int_equal(top[0].key, 2);
	assert_int_equal(top[0].count, 3);
	assert_int_equal(top[1].key, 5);
	assert_int_equal(top[2].key, 1);   /* ties with 4: lower key first */
	assert_int_equal(top[2].count, 2);
	assert_int_equal(stats_top(&s->keys[STATS_MSR], top, 3), 0);
	free(s);
}

static void test_full_table_spills_to_other(void **state)
{
	struct exit_stats *s = new_stats();

	(void)state;
	for (u64 k = 0; k < STATS_KEY_SLOTS + 5; k++)
		stats_account(s, 31, STATS_MSR, 0x800 + k, 2);
	assert_int_equal(s->keys[STATS_MSR].used, STATS_KEY_SLOTS);
	assert_int_equal(s->keys[STATS_MSR].other_count, 5);
	assert_int_equal(s->keys[STATS_MSR].other_ticks, 10);
	/* a key already in the table is still found when it is full */
	stats_account(s, 31, STATS_MSR, 0x800, 2);
	assert_int_equal(s->keys[STATS_MSR].other_count, 5);
	free(s);
}

static void test_merge_aggregates_vcpus(void **state)
{
	struct exit_stats *a = new_stats(), *b = new_stats(), *vm = new_stats();
	struct stats_key top[2];

	(void)state;
	stats_account(a, 18, STATS_HCALL, 7, 100);
	stats_account(b, 18, STATS_HCALL, 7, 200);
	stats_account(b, 18, STATS_HCALL, 9, 10);
	stats_merge(vm, a);
	stats_merge(vm, b);
	assert_int_equal(vm->count[18], 3);
	assert_int_equal(vm->ticks[18], 310);
	assert_int_equal(stats_top(&vm->keys[STATS_HCALL], top, 2), 2);
	assert_int_equal(top[0].key, 7);
	assert_int_equal(top[0].count, 2);
	assert_int_equal(top[0].ticks, 300);
	free(a);
	free(b);
	free(vm);
}

static void test_report_rows(void **state)
{
	struct exit_stats *s = new_stats();
	const char *row;

	(void)state;
	for (int i = 0; i < 3; i++)
		stats_account(s, 30, STATS_PORT, 0x3f8, 200);   /* 600 ticks */
	stats_account(s, 10, STATS_NONE, 0, 400);
	nr_lines = 0;
	stats_report(s, "vm0 test", name, capture, NULL);
	assert_string_equal(lines[0], "vm0 test: 4 exits, 1000 ticks in tern");
	assert_non_null(strstr(lines[1], "exit reason"));
	/* busiest first: IO 3 exits = 75.00 %, 60.00 % of the time, 200.0 avg */
	assert_non_null(strstr(lines[2], "IO_INSTRUCTION"));
	assert_non_null(strstr(lines[2], " 3 "));
	assert_non_null(strstr(lines[2], "75.00%"));
	assert_non_null(strstr(lines[2], "60.00%"));
	assert_non_null(strstr(lines[2], "200.0"));
	assert_non_null(strstr(lines[3], "CPUID"));
	assert_non_null(strstr(lines[3], "25.00%"));
	assert_non_null(strstr(lines[3], "400.0"));
	assert_non_null(find("I/O port"));
	row = find("0x3f8");
	assert_non_null(row);
	assert_non_null(strstr(row, "75.00%"));
	assert_null(find("MSR"));          /* empty tables are left out */
	free(s);
}

static void test_report_empty(void **state)
{
	struct exit_stats *s = new_stats();

	(void)state;
	nr_lines = 0;
	stats_report(s, "vm1", name, capture, NULL);
	assert_int_equal(nr_lines, 1);
	assert_string_equal(lines[0], "vm1: 0 exits, 0 ticks in tern");
	free(s);
}

static void test_report_average_decimals(void **state)
{
	struct exit_stats *s = new_stats();

	(void)state;
	stats_account(s, 18, STATS_NONE, 0, 10);
	stats_account(s, 18, STATS_NONE, 0, 11);
	stats_account(s, 18, STATS_NONE, 0, 11);   /* 32 / 3 = 10.6 (truncated) */
	nr_lines = 0;
	stats_report(s, "x", name, capture, NULL);
	assert_non_null(strstr(lines[2], "VMCALL"));
	assert_non_null(strstr(lines[2], "10.6"));
	assert_non_null(strstr(lines[2], "100.00%"));
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_account_counts_and_ticks),
		cmocka_unit_test(test_top_sorted_by_count_then_key),
		cmocka_unit_test(test_full_table_spills_to_other),
		cmocka_unit_test(test_merge_aggregates_vcpus),
		cmocka_unit_test(test_report_rows),
		cmocka_unit_test(test_report_empty),
		cmocka_unit_test(test_report_average_decimals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
