/* SPDX-License-Identifier: MIT */
/* Host tests of isa-debug-exit (drivers/debug_exit.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "drivers/debug_exit.h"
#include "tests/unit/fake_vm_services.h"
#include "tests/unit/stub_kernel.h"

static void test_write_widths(void **state)
{
	struct vm *vm = stub_vm_new(1);
	struct debug_exit *d = NULL;

	(void)state;
	fake_vm_reset();
	assert_int_equal(debug_exit_create(vm, DEBUG_EXIT_PORT, DEBUG_EXIT_SIZE, &d), 0);
	assert_int_equal(fake.pio[0].base, 0xf4);
	assert_int_equal(fake.pio[0].count, 4);

	fake_out(vm, 0xf4, 1, 0);
	assert_int_equal(fake.exit_calls, 1);
	assert_int_equal(fake.exit_status, 1);          /* guest passed */
	assert_ptr_equal(fake.exit_vm, vm);
	fake_out(vm, 0xf4, 1, 1);
	assert_int_equal(fake.exit_status, 3);
	/* only the access width counts: garbage above it is ignored */
	fake_out(vm, 0xf4, 1, 0xabcd0002);
	assert_int_equal(fake.exit_status, 5);
	fake_out(vm, 0xf4, 2, 0xabcd0102);
	assert_int_equal(fake.exit_status, 0x205);
	fake_out(vm, 0xf4, 4, 0x10);
	assert_int_equal(fake.exit_status, 0x21);
	/* any port of the range */
	fake_out(vm, 0xf7, 1, 0x7f);
	assert_int_equal(fake.exit_status, 0xff);
	assert_int_equal(fake.exit_calls, 6);
	/* reads return 0 and do not exit */
	assert_int_equal(fake_in(vm, 0xf4, 4), 0);
	assert_int_equal(fake.exit_calls, 6);
	/* the port right after the range is not claimed */
	assert_int_equal(fake_in(vm, 0xf8, 1), 0xff);
	debug_exit_destroy(d);
	stub_vm_free(vm);
}

static void test_status_arithmetic(void **state)
{
	(void)state;
	assert_int_equal(debug_exit_status(0, 1), 1);
	assert_int_equal(debug_exit_status(0x1ff, 1), 0x1ff);      /* (0xff << 1) | 1 */
	assert_int_equal(debug_exit_status(0xffff, 2), 0x1ffff);
	/* 32-bit values wrap as QEMU's int exit() argument does */
	assert_int_equal(debug_exit_status(0xffffffffu, 4), -1);
	assert_int_equal(debug_exit_status(0x80000000u, 4), 1);
}

static void test_create_errors(void **state)
{
	struct vm *vm = stub_vm_new(1);
	struct debug_exit *d = NULL;

	(void)state;
	fake_vm_reset();
	assert_int_equal(debug_exit_create(vm, 0xf4, 0, &d), -TERN_EINVAL);
	fake.pio_fail_at = 1;
	assert_int_equal(debug_exit_create(vm, 0xf4, 4, &d), -TERN_ENOMEM);
	assert_null(d);
	debug_exit_destroy(NULL);
	stub_vm_free(vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_widths),
		cmocka_unit_test(test_status_arithmetic),
		cmocka_unit_test(test_create_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
