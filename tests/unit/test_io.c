/* SPDX-License-Identifier: MIT */
/* Host tests of the port and MMIO registries (kernel/io.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "kernel/io.h"
#include "kernel/vm.h"
#include "tests/unit/stub_kernel.h"

#define TEST_RAM_END (64 * MiB)

static struct io_maps *test_maps;

/* The kernel/vm.c services io.c needs, for the one fake VM of these tests. */
struct io_maps *vm_io_maps(struct vm *vm)
{
	(void)vm;
	return test_maps;
}

bool vm_range_has_ram(struct vm *vm, u64 base, u64 len)
{
	(void)vm;
	return base < TEST_RAM_END && len > 0;
}

unsigned vm_id(const struct vm *vm)
{
	(void)vm;
	return 0;
}

struct access {
	unsigned calls;
	void *opaque;
	u64 where;
	unsigned size;
	bool write;
	u64 val;
};

static int pio_record(void *opaque, unsigned vcpu_id, u16 port, unsigned size, bool in, u32 *val)
{
	struct access *a = opaque;

	a->calls++;
	a->where = port;
	a->size = size;
	a->write = !in;
	if (in)
		*val = 0x5a5a5a5a;
	else
		a->val = *val;
	return 0;
}

static int pio_fail(void *opaque, unsigned vcpu_id, u16 port, unsigned size, bool in, u32 *val)
{
	return -TERN_EIO;
}

static int mmio_record(void *opaque, unsigned vcpu_id, u64 offset, unsigned size, bool write,
		       u64 *val)
{
	struct access *a = opaque;

	a->calls++;
	a->where = offset;
	a->size = size;
	a->write = write;
	if (write)
		a->val = *val;
	else
		*val = 0x1122334455667788ull;
	return 0;
}

static int setup(void **state)
{
	*state = stub_vm_new(1);
	test_maps = io_maps_create();
	stub_log_lines = 0;
	return test_maps && *state ? 0 : -1;
}

static int teardown(void **state)
{
	io_maps_destroy(test_maps);
	test_maps = NULL;
	stub_vm_free(*state);
	return 0;
}

static void test_pio_routes_to_owner(void **state)
{
	struct vm *vm = *state;
	struct access uart = { 0 }, pic = { 0 };
	u32 v = 0;

	assert_int_equal(pio_register(vm, 0x3f8, 8, pio_record, &uart), 0);
	assert_int_equal(pio_register(vm, 0x20, 2, pio_record, &pic), 0);
	v = 'A';
	assert_int_equal(pio_dispatch(vm, 0, 0x3f8, 1, false, &v), 0);
	assert_int_equal(uart.calls, 1);
	assert_int_equal(uart.val, 'A');
	assert_true(uart.write);
	assert_int_equal(pio_dispatch(vm, 0, 0x3ff, 1, true, &v), 0);
	assert_int_equal(uart.calls, 2);
	assert_int_equal(uart.where, 0x3ff);
	assert_int_equal(v, 0x5a5a5a5a);
	assert_int_equal(pio_dispatch(vm, 0, 0x21, 1, true, &v), 0);
	assert_int_equal(pic.calls, 1);
	assert_int_equal(uart.calls, 2);
}

static void test_pio_unclaimed_all_ones_logged_once(void **state)
{
	struct vm *vm = *state;
	u32 v = 0;

	assert_int_equal(pio_dispatch(vm, 0, 0x80, 1, true, &v), 0);
	assert_int_equal(v, 0xff);
	assert_int_equal(pio_dispatch(vm, 0, 0x80, 2, true, &v), 0);
	assert_int_equal(v, 0xffff);
	assert_int_equal(pio_dispatch(vm, 0, 0x80, 4, true, &v), 0);
	assert_int_equal(v, 0xffffffffu);
	v = 7;
	assert_int_equal(pio_dispatch(vm, 0, 0x80, 1, false, &v), 0);
	assert_int_equal(stub_log_lines, 1);
	assert_int_equal(pio_dispatch(vm, 0, 0x81, 1, false, &v), 0);
	assert_int_equal(stub_log_lines, 2);
	for (int i = 0; i < 100; i++)
		pio_dispatch(vm, 0, 0x81, 1, true, &v);
	assert_int_equal(stub_log_lines, 2);
}

static void test_pio_register_rejects(void **state)
{
	struct vm *vm = *state;
	struct access a = { 0 };

	assert_int_equal(pio_register(vm, 0x60, 5, pio_record, &a), 0);
	assert_int_equal(pio_register(vm, 0x64, 1, pio_record, &a), -TERN_EEXIST);
	assert_int_equal(pio_register(vm, 0x5f, 2, pio_record, &a), -TERN_EEXIST);
	assert_int_equal(pio_register(vm, 0x65, 1, pio_record, &a), 0);
	assert_int_equal(pio_register(vm, 0x5f, 1, pio_record, &a), 0);
	assert_int_equal(pio_register(vm, 0x100, 0, pio_record, &a), -TERN_EINVAL);
	assert_int_equal(pio_register(vm, 0xfff0, 0x20, pio_record, &a), -TERN_EINVAL);
	assert_int_equal(pio_register(vm, 0xfff0, 0x10, pio_record, &a), 0);
	assert_int_equal(pio_register(vm, 0x200, 1, NULL, &a), -TERN_EINVAL);
}

static void test_pio_handler_error_propagates(void **state)
{
	struct vm *vm = *state;
	u32 v = 0;

	assert_int_equal(pio_register(vm, 0xf4, 1, pio_fail, NULL), 0);
	assert_int_equal(pio_dispatch(vm, 0, 0xf4, 1, false, &v), -TERN_EIO);
}

static void test_mmio_routes_with_offset(void **state)
{
	struct vm *vm = *state;
	struct access ioapic = { 0 }, hpet = { 0 };
	u64 v = 0xabcd;

	assert_int_equal(mmio_register(vm, 0xfec00000, 0x1000, mmio_record, &ioapic), 0);
	assert_int_equal(mmio_register(vm, 0xfed00000, 0x400, mmio_record, &hpet), 0);
	assert_int_equal(mmio_dispatch(vm, 0, 0xfec00010, 4, true, &v), 0);
	assert_int_equal(ioapic.calls, 1);
	assert_int_equal(ioapic.where, 0x10);
	assert_int_equal(ioapic.val, 0xabcd);
	assert_int_equal(mmio_dispatch(vm, 0, 0xfed003ff, 1, false, &v), 0);
	assert_int_equal(hpet.where, 0x3ff);
	assert_int_equal(v, 0x1122334455667788ull);
	assert_int_equal(mmio_dispatch(vm, 0, 0xfed00400, 4, false, &v), -TERN_ENODEV);
	assert_int_equal(mmio_dispatch(vm, 0, 0xfebfffff, 4, false, &v), -TERN_ENODEV);
	assert_int_equal(mmio_dispatch(vm, 0, 0, 4, false, &v), -TERN_ENODEV);
}

static void test_mmio_register_rejects(void **state)
{
	struct vm *vm = *state;
	struct access a = { 0 };

	assert_int_equal(mmio_register(vm, 0x1000, 0x1000, mmio_record, &a), -TERN_EINVAL);
	assert_int_equal(mmio_register(vm, TEST_RAM_END - 1, 2, mmio_record, &a), -TERN_EINVAL);
	assert_int_equal(mmio_register(vm, 0xfee00000, 0, mmio_record, &a), -TERN_EINVAL);
	assert_int_equal(mmio_register(vm, ~0ull - 10, 100, mmio_record, &a), -TERN_EINVAL);
	assert_int_equal(mmio_register(vm, 0xfee00000, 0x1000, mmio_record, &a), 0);
	assert_int_equal(mmio_register(vm, 0xfee00fff, 1, mmio_record, &a), -TERN_EEXIST);
	assert_int_equal(mmio_register(vm, 0xfedfffff, 2, mmio_record, &a), -TERN_EEXIST);
	assert_int_equal(mmio_register(vm, 0xfee01000, 1, mmio_record, &a), 0);
}

/* Many registrations in random order stay sorted and each address finds its owner. */
static void test_many_ranges_bisect(void **state)
{
	struct vm *vm = *state;
	static struct access dev[64];
	u32 v;

	for (unsigned i = 0; i < 64; i++) {
		unsigned k = (i * 37) % 64;

		assert_int_equal(pio_register(vm, (u16)(0x1000 + k * 4), 3, pio_record, &dev[k]), 0);
	}
	for (unsigned k = 0; k < 64; k++) {
		assert_int_equal(pio_dispatch(vm, 0, (u16)(0x1000 + k * 4 + 2), 1, true, &v), 0);
		assert_int_equal(dev[k].calls, 1);
		/* the gap port after each range is unclaimed */
		assert_int_equal(pio_dispatch(vm, 0, (u16)(0x1000 + k * 4 + 3), 1, true, &v), 0);
		assert_int_equal(v, 0xff);
		assert_int_equal(dev[k].calls, 1);
	}
}

/*
 * The exit paths keep a pointer to the last range they hit: it must stay
 * valid and keep meaning the same handler after later registrations (which
 * copy the array), and lookups must agree with dispatch.
 */
static void test_range_pointer_survives_registrations(void **state)
{
	struct vm *vm = *state;
	struct access uart = { 0 }, other = { 0 }, dev = { 0 };
	const struct io_range *r, *m;
	u32 v = 'x';
	u64 mv = 0;

	assert_null(pio_lookup(vm, 0x3f8));
	assert_false(io_range_has(&io_range_none, 0));
	assert_false(io_range_has(&io_range_none, 0x3f8));
	assert_int_equal(pio_register(vm, 0x3f8, 8, pio_record, &uart), 0);
	assert_int_equal(mmio_register(vm, 0xfed00000, 0x400, mmio_record, &dev), 0);
	r = pio_lookup(vm, 0x3fd);
	m = mmio_lookup(vm, 0xfed00010);
	assert_non_null(r);
	assert_non_null(m);
	assert_true(io_range_has(r, 0x3f8) && io_range_has(r, 0x3ff));
	assert_false(io_range_has(r, 0x3f7) || io_range_has(r, 0x400));
	assert_true(io_range_has(m, 0xfed003ff) && !io_range_has(m, 0xfed00400));
	for (unsigned i = 0; i < 40; i++) {   /* each one copies the arrays */
		assert_int_equal(pio_register(vm, (u16)(0x100 + 2 * i), 1, pio_record, &other), 0);
		assert_int_equal(mmio_register(vm, 0xe0000000ull + 0x1000ull * i, 0x100, mmio_record,
					       &other), 0);
	}
	assert_true(io_range_has(r, 0x3fd));
	assert_ptr_equal(r->opaque, &uart);
	assert_int_equal(r->fn.pio(r->opaque, 0, 0x3f8, 1, false, &v), 0);
	assert_int_equal(uart.calls, 1);
	assert_int_equal(uart.val, 'x');
	assert_ptr_equal(m->opaque, &dev);
	assert_int_equal(m->fn.mmio(m->opaque, 0, 0xfed00010 - m->base, 4, false, &mv), 0);
	assert_int_equal(dev.where, 0x10);
	/* the current table's copy holds the same handler */
	assert_ptr_equal(pio_lookup(vm, 0x3fd)->opaque, &uart);
	assert_true(pio_lookup(vm, 0x3fd)->fn.pio == r->fn.pio);
	assert_int_equal(other.calls, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pio_routes_to_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pio_unclaimed_all_ones_logged_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pio_register_rejects, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pio_handler_error_propagates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mmio_routes_with_offset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mmio_register_rejects, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_ranges_bisect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_range_pointer_survives_registrations, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
