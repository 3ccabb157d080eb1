/* SPDX-License-Identifier: MIT */
/* Host tests of the doorbell page (drivers/doorbell_page.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <tern/hypercall.h>
#include "drivers/doorbell_page.h"
#include "irq/doorbell.h"
#include "tests/unit/fake_vm_services.h"
#include "tests/unit/stub_kernel.h"

#define RING   (TERN_DOORBELL_PAGE_GPA + TERN_DOORBELL_REG_RING)
#define STATUS (TERN_DOORBELL_PAGE_GPA + TERN_DOORBELL_REG_STATUS)

static struct vm *setup(struct doorbell_page **page)
{
	struct vm *vm = stub_vm_new(2);

	fake_vm_reset();
	fake.ring_ok_id = 7;   /* the only doorbell that exists */
	assert_int_equal(doorbell_page_create(vm, page), 0);
	return vm;
}

static u64 mmio_read(struct vm *vm, u64 gpa, unsigned size, unsigned vcpu)
{
	u64 v = ~0ull;

	(void)vcpu;
	assert_int_equal(fake_mmio(vm, gpa, size, false, &v), 0);
	return v;
}

static void test_registers_its_page(void **state)
{
	struct doorbell_page *page;
	struct vm *vm = setup(&page);

	(void)state;
	assert_int_equal(fake.nr_mmio, 1);
	assert_int_equal(fake.mmio[0].base, TERN_DOORBELL_PAGE_GPA);
	assert_int_equal(fake.mmio[0].len, TERN_DOORBELL_PAGE_SIZE);
	doorbell_page_destroy(page);
	stub_vm_free(vm);
}

static void test_ring_write_rings_that_id(void **state)
{
	struct doorbell_page *page;
	struct vm *vm = setup(&page);
	u64 id = 7;

	(void)state;
	assert_int_equal(fake_mmio(vm, RING, 4, true, &id), 0);
	assert_int_equal(fake.rings, 1);
	assert_int_equal(fake.last_ring_id, 7);
	assert_ptr_equal(fake.last_ring_vm, vm);
	assert_int_equal(mmio_read(vm, STATUS, 4, 0), 0);
	doorbell_page_destroy(page);
	stub_vm_free(vm);
}

static void test_status_reports_the_error(void **state)
{
	struct doorbell_page *page;
	struct vm *vm = setup(&page);
	u64 id = 99;

	(void)state;
	assert_int_equal(fake_mmio(vm, RING, 4, true, &id), 0);
	assert_int_equal(fake.rings, 1);
	assert_int_equal((u32)mmio_read(vm, STATUS, 4, 0), (u32)-TERN_ENOENT);
	id = 7;
	assert_int_equal(fake_mmio(vm, RING, 4, true, &id), 0);
	assert_int_equal(mmio_read(vm, STATUS, 4, 0), 0);   /* the newest result only */
	doorbell_page_destroy(page);
	stub_vm_free(vm);
}

static void test_other_accesses_do_nothing(void **state)
{
	struct doorbell_page *page;
	struct vm *vm = setup(&page);
	u64 id = 7;

	(void)state;
	assert_int_equal(fake_mmio(vm, RING, 2, true, &id), 0);        /* not a whole register */
	assert_int_equal(fake_mmio(vm, RING, 8, true, &id), 0);
	assert_int_equal(fake_mmio(vm, STATUS, 4, true, &id), 0);      /* STATUS is read-only */
	assert_int_equal(fake_mmio(vm, TERN_DOORBELL_PAGE_GPA + 0x100, 4, true, &id), 0);
	assert_int_equal(fake.rings, 0);
	assert_int_equal(mmio_read(vm, RING, 4, 0), 0);                /* RING reads 0 */
	assert_int_equal(mmio_read(vm, TERN_DOORBELL_PAGE_GPA + 0xffc, 4, 0), 0);
	assert_int_equal(mmio_read(vm, STATUS, 1, 0), 0);
	doorbell_page_destroy(page);
	stub_vm_free(vm);
}

static void test_create_fails_cleanly(void **state)
{
	struct doorbell_page *page = NULL;
	struct vm *vm = stub_vm_new(1);

	(void)state;
	fake_vm_reset();
	fake.mmio_fail_at = 1;
	assert_int_equal(doorbell_page_create(vm, &page), -TERN_ENOMEM);
	assert_null(page);
	stub_vm_free(vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registers_its_page),
		cmocka_unit_test(test_ring_write_rings_that_id),
		cmocka_unit_test(test_status_reports_the_error),
		cmocka_unit_test(test_other_accesses_do_nothing),
		cmocka_unit_test(test_create_fails_cleanly),
	};

	return cmocka_run_group_tests_name("doorbell_page", tests, NULL, NULL);
}
