/* SPDX-License-Identifier: MIT */
/* Host tests of the event trace's ring, parser and dump (kernel/trace.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <tern/errno.h>
#include "kernel/trace.h"

/* The dump's lines, captured. */
#define MAX_LINES 64
static char lines[MAX_LINES][TRACE_LINE_MAX];
static unsigned nr_lines;

/* Stand-ins for the glue's symbols (the test links kernel/trace.c only). */
u32 trace_mask;
void trace_irq(struct vm *vm, int vcpu, unsigned type, u64 a0, u64 a1, u64 a2, u64 a3)
{
	(void)vm; (void)vcpu; (void)type; (void)a0; (void)a1; (void)a2; (void)a3;
}

static void capture(void *ctx, const char *line)
{
	(void)ctx;
	assert_true(nr_lines < MAX_LINES);
	snprintf(lines[nr_lines++], TRACE_LINE_MAX, "%s", line);
}

static struct trace_rec rec(u64 tsc, unsigned type, u64 a0)
{
	struct trace_rec r = { .tsc = tsc, .type = (u16)type, .cpu = 0, .vm = 0, .vcpu = 0 };

	r.a[0] = a0;
	return r;
}

static void test_parse_categories(void **state)
{
	u32 m = 0xdead;

	(void)state;
	assert_int_equal(trace_parse("irq,exit,doorbell", &m), 0);
	assert_int_equal(m, TRACE_CAT_IRQ | TRACE_CAT_EXIT | TRACE_CAT_DOORBELL);
	assert_int_equal(trace_parse("exit", &m), 0);
	assert_int_equal(m, TRACE_CAT_EXIT);
	assert_int_equal(trace_parse("", &m), 0);
	assert_int_equal(m, 0);
	m = 7;
	assert_int_equal(trace_parse("irq,bogus", &m), -TERN_EINVAL);
	assert_int_equal(m, 7);            /* untouched on error */
	assert_int_equal(trace_parse("irq,", &m), -TERN_EINVAL);
	assert_int_equal(trace_parse("ir", &m), -TERN_EINVAL);
	assert_int_equal(trace_parse("irqs", &m), -TERN_EINVAL);
}

static void test_type_category_is_encoded(void **state)
{
	(void)state;
	assert_int_equal(TRACE_TYPE_CAT(TR_EXIT), TRACE_CAT_EXIT);
	assert_int_equal(TRACE_TYPE_CAT(TR_INJECT), TRACE_CAT_IRQ);
	assert_int_equal(TRACE_TYPE_CAT(TR_DB_RING), TRACE_CAT_DOORBELL);
	assert_string_equal(trace_type_name(TR_SET_IRQ), "set_irq");
	assert_string_equal(trace_type_name(TR_EOI), "eoi");
	assert_string_equal(trace_type_name(0x7777), "?");
}

static void test_ring_capacity_is_power_of_two(void **state)
{
	struct trace_rec mem[10];
	struct trace_ring r;

	(void)state;
	assert_int_equal(trace_ring_init(&r, mem, sizeof(mem)), 0);
	assert_int_equal(r.mask + 1, 8);
	assert_int_equal(trace_ring_init(&r, mem, sizeof(mem[0]) - 1), -TERN_EINVAL);
	assert_int_equal(trace_ring_init(&r, mem, sizeof(mem[0])), 0);
	assert_int_equal(r.mask + 1, 1);
}

static void test_ring_wraps_keeping_newest(void **state)
{
	struct trace_rec mem[4];
	struct trace_ring r;

	(void)state;
	trace_ring_init(&r, mem, sizeof(mem));
	for (u64 i = 0; i < 6; i++) {
		struct trace_rec x = rec(100 + i, TR_EXIT, i);

		trace_ring_put(&r, &x);
	}
	assert_int_equal(trace_ring_count(&r), 4);
	assert_int_equal(trace_ring_lost(&r), 2);
	nr_lines = 0;
	assert_int_equal(trace_dump_rings(&r, 1, capture, NULL), 4);
	assert_int_equal(nr_lines, 6);
	assert_string_equal(lines[0], "trace-begin 4");
	/* records 2..5 survive, oldest first */
	assert_string_equal(lines[1], "T 102 0 0 0 exit 0x2 0x0 0x0 0x0");
	assert_string_equal(lines[4], "T 105 0 0 0 exit 0x5 0x0 0x0 0x0");
	assert_string_equal(lines[5], "trace-end");
	trace_ring_clear(&r);
	assert_int_equal(trace_ring_count(&r), 0);
}

static void test_format_ids_and_args(void **state)
{
	struct trace_rec x = { .tsc = 123456789012ull, .type = TR_INJECT, .cpu = 1,
			       .vm = TRACE_NO_ID, .vcpu = 3,
			       .a = { 0x40, TRACE_INJECT_VID, 0, ~0ull } };
	char buf[TRACE_LINE_MAX];

	(void)state;
	trace_format(&x, buf, sizeof(buf));
	assert_string_equal(buf, "T 123456789012 1 - 3 inject 0x40 0x2 0x0 0xffffffffffffffff");
	x.vm = 2;
	x.vcpu = TRACE_NO_ID;
	trace_format(&x, buf, sizeof(buf));
	assert_string_equal(buf, "T 123456789012 1 2 - inject 0x40 0x2 0x0 0xffffffffffffffff");
}

static void test_dump_merges_cpus_by_tsc(void **state)
{
	struct trace_rec m0[8], m1[8];
	struct trace_ring r[2];
	const u64 t0[] = { 10, 30, 50 }, t1[] = { 20, 30, 60 };

	(void)state;
	trace_ring_init(&r[0], m0, sizeof(m0));
	trace_ring_init(&r[1], m1, sizeof(m1));
	for (unsigned i = 0; i < 3; i++) {
		struct trace_rec a = rec(t0[i], TR_SET_IRQ, i), b = rec(t1[i], TR_ACK, i);

		b.cpu = 1;
		trace_ring_put(&r[0], &a);
		trace_ring_put(&r[1], &b);
	}
	nr_lines = 0;
	assert_int_equal(trace_dump_rings(r, 2, capture, NULL), 6);
	assert_string_equal(lines[0], "trace-begin 6");
	assert_string_equal(lines[1], "T 10 0 0 0 set_irq 0x0 0x0 0x0 0x0");
	assert_string_equal(lines[2], "T 20 1 0 0 ack 0x0 0x0 0x0 0x0");
	/* a tie goes to the lower CPU */
	assert_string_equal(lines[3], "T 30 0 0 0 set_irq 0x1 0x0 0x0 0x0");
	assert_string_equal(lines[4], "T 30 1 0 0 ack 0x1 0x0 0x0 0x0");
	assert_string_equal(lines[5], "T 50 0 0 0 set_irq 0x2 0x0 0x0 0x0");
	assert_string_equal(lines[6], "T 60 1 0 0 ack 0x2 0x0 0x0 0x0");
	assert_string_equal(lines[7], "trace-end");
}

static void test_empty_dump(void **state)
{
	struct trace_rec m[2];
	struct trace_ring r;

	(void)state;
	trace_ring_init(&r, m, sizeof(m));
	nr_lines = 0;
	assert_int_equal(trace_dump_rings(&r, 1, capture, NULL), 0);
	assert_int_equal(nr_lines, 2);
	assert_string_equal(lines[0], "trace-begin 0");
	assert_string_equal(lines[1], "trace-end");
}

static void test_hook_branch_follows_mask(void **state)
{
	(void)state;
	trace_mask = 0;
	assert_false(trace_on(TRACE_CAT_IRQ));
	trace_mask = TRACE_CAT_DOORBELL;
	assert_false(trace_on(TRACE_CAT_IRQ));
	assert_true(trace_on(TRACE_CAT_DOORBELL));
	assert_true(trace_on(TRACE_TYPE_CAT(TR_DB_DEASSIGN)));
	trace_mask = 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_categories),
		cmocka_unit_test(test_type_category_is_encoded),
		cmocka_unit_test(test_ring_capacity_is_power_of_two),
		cmocka_unit_test(test_ring_wraps_keeping_newest),
		cmocka_unit_test(test_format_ids_and_args),
		cmocka_unit_test(test_dump_merges_cpus_by_tsc),
		cmocka_unit_test(test_empty_dump),
		cmocka_unit_test(test_hook_branch_follows_mask),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
