/* SPDX-License-Identifier: MIT */
/* Host tests of QEMU's pc-testdev contract (drivers/pc_testdev.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "drivers/pc_testdev.h"
#include "irq/irq_source.h"
#include "tests/unit/fake_vm_services.h"
#include "tests/unit/stub_kernel.h"

#define IOMEM 0xff000000ull

static struct vm *vm;
static struct pc_testdev *dev;

static int setup(void **state)
{
	(void)state;
	fake_vm_reset();
	vm = stub_vm_new(1);
	assert_int_equal(pc_testdev_create(vm, &dev), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	pc_testdev_destroy(dev);
	stub_vm_free(vm);
	return 0;
}

static void test_registrations(void **state)
{
	(void)state;
	assert_int_equal(fake.nr_pio, 2);
	assert_int_equal(fake.pio[0].base, 0xe0);
	assert_int_equal(fake.pio[0].count, 12);
	assert_int_equal(fake.pio[1].base, 0x2000);
	assert_int_equal(fake.pio[1].count, 24);
	assert_int_equal(fake.nr_mmio, 1);
	assert_int_equal(fake.mmio[0].base, IOMEM);
	assert_int_equal(fake.mmio[0].len, 0x10000);
}

static void test_scratch_widths(void **state)
{
	(void)state;
	assert_int_equal(fake_in(vm, 0xe0, 4), 0);
	fake_out(vm, 0xe0, 4, 0x12345678);
	assert_int_equal(fake_in(vm, 0xe0, 4), 0x12345678);
	fake_out(vm, 0xe2, 2, 0xabcd);
	assert_int_equal(fake_in(vm, 0xe0, 4), 0xabcd5678);
	fake_out(vm, 0xe1, 1, 0x99);
	assert_int_equal(fake_in(vm, 0xe0, 4), 0xabcd9978);
	assert_int_equal(fake_in(vm, 0xe3, 1), 0xab);
	assert_int_equal(fake_in(vm, 0xe1, 2), 0xcd99);
	assert_int_equal(fake_in(vm, 0xe0, 2), 0x9978);
	/* an access running past 0xe3 keeps only its bytes inside the register */
	fake_out(vm, 0xe3, 2, 0x1122);
	assert_int_equal(fake_in(vm, 0xe0, 4), 0x22cd9978);
	assert_int_equal(fake_in(vm, 0xe2, 4), 0x22cd);
}

static void test_byte_aliases(void **state)
{
	(void)state;
	fake_out(vm, 0xe0, 4, 0x44332211);
	assert_int_equal(fake_in(vm, 0xe8, 1), 0x11);
	assert_int_equal(fake_in(vm, 0xe9, 1), 0x22);
	assert_int_equal(fake_in(vm, 0xea, 1), 0x33);
	assert_int_equal(fake_in(vm, 0xeb, 1), 0x44);
	fake_out(vm, 0xea, 1, 0xee);
	assert_int_equal(fake_in(vm, 0xe0, 4), 0x44ee2211);
	fake_out(vm, 0xe8, 4, 0xcafef00d);
	assert_int_equal(fake_in(vm, 0xe0, 4), 0xcafef00d);
	assert_int_equal(fake_in(vm, 0xe8, 4), 0xcafef00d);
}

static void test_flush_port_is_a_no_op(void **state)
{
	(void)state;
	fake_out(vm, 0xe0, 4, 0x01020304);
	fake_out(vm, 0xe4, 4, 0x00100000);
	fake_out(vm, 0xe4, 1, 0xff);
	assert_int_equal(fake_in(vm, 0xe4, 4), 0);
	assert_int_equal(fake_in(vm, 0xe0, 4), 0x01020304);
	assert_int_equal(fake.nr_irq_calls, 0);
}

static void test_irq_lines(void **state)
{
	(void)state;
	fake_out(vm, 0x2000 + 10, 1, 1);
	assert_int_equal(fake.nr_irq_calls, 1);
	assert_int_equal(fake.irq_calls[0].source_id, IRQ_SOURCE_USER);
	assert_int_equal(fake.irq_calls[0].gsi, 10);
	assert_int_equal(fake.irq_calls[0].level, 1);
	assert_ptr_equal(fake.irq_calls[0].vm, vm);
	fake_out(vm, 0x2000 + 23, 1, 0x80);           /* any non-zero value is 1 */
	assert_int_equal(fake_irq_level(23), 1);
	fake_out(vm, 0x2000 + 23, 1, 0);
	assert_int_equal(fake_irq_level(23), 0);
	fake_out(vm, 0x2000, 1, 0x100);               /* only the byte counts */
	assert_int_equal(fake_irq_level(0), 0);
	assert_int_equal(fake.nr_irq_calls, 4);
	/* wider writes and reads are not line changes */
	fake_out(vm, 0x2001, 2, 1);
	fake_out(vm, 0x2001, 4, 1);
	assert_int_equal(fake_in(vm, 0x2001, 1), 0);
	assert_int_equal(fake.nr_irq_calls, 4);
	/* 0x2018 is past the 24 lines: unclaimed */
	assert_int_equal(fake_in(vm, 0x2018, 1), 0xff);
}

static void test_irq_error_is_returned(void **state)
{
	u32 v = 1;

	(void)state;
	fake.set_irq_ret = -TERN_EINVAL;
	assert_int_equal(fake_pio(vm, 0x2005, 1, false, &v), -TERN_EINVAL);
	fake.set_irq_ret = 2;                        /* delivered to two chips: fine */
	assert_int_equal(fake_pio(vm, 0x2005, 1, false, &v), 0);
	fake.set_irq_ret = -TERN_ENOENT;             /* GSI 2 has no route by default */
	assert_int_equal(fake_pio(vm, 0x2002, 1, false, &v), 0);
	assert_int_equal(fake_last_irq(2)->level, 1);
}

static void test_iomem_round_trip(void **state)
{
	u64 v;

	(void)state;
	v = 0x1122334455667788ull;
	assert_int_equal(fake_mmio(vm, IOMEM, 8, true, &v), 0);
	v = 0;
	assert_int_equal(fake_mmio(vm, IOMEM, 8, false, &v), 0);
	assert_int_equal(v, 0x1122334455667788ull);
	fake_mmio(vm, IOMEM + 2, 2, false, &v);
	assert_int_equal(v, 0x5566);
	v = 0xaa;
	fake_mmio(vm, IOMEM + 7, 1, true, &v);
	fake_mmio(vm, IOMEM + 4, 4, false, &v);
	assert_int_equal(v, 0xaa223344);
	v = 0xdeadbeef;
	fake_mmio(vm, IOMEM + 0x1001, 4, true, &v); /* unaligned */
	fake_mmio(vm, IOMEM + 0x1000, 8, false, &v);
	assert_int_equal(v, 0xdeadbeef00ull);
	/* starts zeroed */
	fake_mmio(vm, IOMEM + 0x8000, 8, false, &v);
	assert_int_equal(v, 0);
}

static void test_iomem_end_of_region(void **state)
{
	u64 v = 0x0807060504030201ull;

	(void)state;
	/* an access running past the end keeps only the bytes inside */
	assert_int_equal(fake_mmio(vm, IOMEM + 0xfffc, 8, true, &v), 0);
	v = ~0ull;
	assert_int_equal(fake_mmio(vm, IOMEM + 0xfffc, 8, false, &v), 0);
	assert_int_equal(v, 0x04030201);
	assert_int_equal(fake_mmio(vm, IOMEM + 0xffff, 1, false, &v), 0);
	assert_int_equal(v, 0x04);
	/* the handler itself refuses offsets beyond the region */
	v = 1;
	assert_int_equal(fake.mmio[0].fn(fake.mmio[0].opaque, 0, 0x10000, 4, true, &v), 0);
	assert_int_equal(fake.mmio[0].fn(fake.mmio[0].opaque, 0, ~0ull, 8, false, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(fake_mmio(vm, IOMEM + 0x10000, 1, false, &v), -TERN_ENODEV);
}

static void test_create_errors(void **state)
{
	struct vm *v2 = stub_vm_new(1);
	struct pc_testdev *d = NULL;

	(void)state;
	for (int n = 1; n <= 2; n++) {
		fake_vm_reset();
		fake.pio_fail_at = n;
		assert_int_equal(pc_testdev_create(v2, &d), -TERN_ENOMEM);
	}
	fake_vm_reset();
	fake.mmio_fail_at = 1;
	assert_int_equal(pc_testdev_create(v2, &d), -TERN_ENOMEM);
	/* RAM reaching over the region: mmio_register refuses */
	fake_vm_reset();
	fake.ram_size = 8 * GiB;
	assert_int_equal(pc_testdev_create(v2, &d), -TERN_EINVAL);
	assert_null(d);
	stub_vm_free(v2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_registrations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scratch_widths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_byte_aliases, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flush_port_is_a_no_op, setup, teardown),
		cmocka_unit_test_setup_teardown(test_irq_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_irq_error_is_returned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_iomem_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_iomem_end_of_region, setup, teardown),
		cmocka_unit_test(test_create_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
