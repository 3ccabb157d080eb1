/* SPDX-License-Identifier: MIT */
/* Host tests of the PC platform assembly (drivers/platform.c) with the real devices. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "drivers/fw_cfg.h"
#include "drivers/platform.h"
#include "drivers/uart16550.h"
#include "kernel/config.h"
#include "tests/unit/fake_vm_services.h"
#include "tests/unit/stub_kernel.h"

static void test_init_registers_every_device(void **state)
{
	struct vm *vm = stub_vm_new(1);

	(void)state;
	fake_vm_reset();
	assert_null(pc_platform_com1(vm));
	assert_int_equal(uart16550_receive(vm, 'x'), -TERN_ENODEV);
	assert_int_equal(pc_platform_init(vm), 0);
	assert_non_null(pc_platform_com1(vm));
	assert_non_null(pc_platform_fw_cfg(vm));

	/* every device answers on its ports */
	fake_out(vm, 0x3ff, 1, 0x5a);
	assert_int_equal(fake_in(vm, 0x3ff, 1), 0x5a);
	assert_int_equal(fake_in(vm, 0x3fd, 1), 0x60);
	fake_out(vm, 0x3f8, 1, 'k');
	assert_string_equal(fake.console, "k");
	fake_out(vm, 0x510, 2, 0);
	assert_int_equal(fake_in(vm, 0x511, 4), 0x554d4551);
	fake_out(vm, 0xe0, 4, 0xfeedface);
	assert_int_equal(fake_in(vm, 0xe8, 4), 0xfeedface);
	u64 v = 0x77;

	assert_int_equal(fake_mmio(vm, 0xff000010, 1, true, &v), 0);
	v = 0;
	assert_int_equal(fake_mmio(vm, 0xff000010, 1, false, &v), 0);
	assert_int_equal(v, 0x77);
	fake_out(vm, 0xf4, 1, 0);
	assert_int_equal(fake.exit_status, 1);

	/* console input reaches COM1, files reach fw_cfg */
	assert_int_equal(uart16550_receive(vm, 'r'), 0);
	assert_int_equal(fake_in(vm, 0x3fd, 1), 0x61);
	assert_int_equal(fake_in(vm, 0x3f8, 1), 'r');
	assert_int_equal(fw_cfg_add_file(vm, "etc/x", "abc", 3), 0x20);

	/* a second init for the same VM id is refused */
	assert_int_equal(pc_platform_init(vm), -TERN_EEXIST);

	pc_platform_destroy(vm);
	assert_null(pc_platform_com1(vm));
	assert_null(pc_platform_fw_cfg(vm));
	assert_int_equal(fw_cfg_add_file(vm, "etc/y", "abc", 3), -TERN_ENODEV);
	pc_platform_destroy(vm);                 /* twice: harmless */
	stub_vm_free(vm);
}

static void test_two_vms_have_their_own_devices(void **state)
{
	struct vm *a = stub_vm_new(1), *b = stub_vm_new(1);

	(void)state;
	fake_vm_reset();
	fake.id = 0;
	assert_int_equal(pc_platform_init(a), 0);
	struct uart16550 *ua = pc_platform_com1(a);

	/* the fake keeps one VM's maps: start a fresh record for VM 1 */
	fake_vm_reset();
	fake.id = 1;
	assert_int_equal(pc_platform_init(b), 0);
	assert_ptr_not_equal(pc_platform_com1(b), ua);
	pc_platform_destroy(b);
	fake.id = 0;
	assert_ptr_equal(pc_platform_com1(a), ua);
	pc_platform_destroy(a);
	stub_vm_free(a);
	stub_vm_free(b);
}

static void test_bad_vm_id(void **state)
{
	struct vm *vm = stub_vm_new(1);

	(void)state;
	fake_vm_reset();
	fake.id = CONFIG_MAX_VMS;
	assert_int_equal(pc_platform_init(vm), -TERN_EINVAL);
	assert_int_equal(fake.pio_calls, 0);
	assert_null(pc_platform_com1(vm));
	assert_null(pc_platform_fw_cfg(vm));
	pc_platform_destroy(vm);
	stub_vm_free(vm);
}

static void test_init_failure_at_each_step(void **state)
{
	struct vm *vm = stub_vm_new(1);

	(void)state;
	/* pio registrations: debug-exit, uart, fw_cfg, testdev x2; then testdev mmio */
	for (int n = 1; n <= 5; n++) {
		fake_vm_reset();
		fake.pio_fail_at = n;
		assert_int_equal(pc_platform_init(vm), -TERN_ENOMEM);
		assert_null(pc_platform_com1(vm));
	}
	fake_vm_reset();
	fake.mmio_fail_at = 1;
	assert_int_equal(pc_platform_init(vm), -TERN_ENOMEM);
	assert_null(pc_platform_com1(vm));
	/* and after all that, it still works (ASan checks nothing leaked or double-freed) */
	fake_vm_reset();
	assert_int_equal(pc_platform_init(vm), 0);
	pc_platform_destroy(vm);
	stub_vm_free(vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_registers_every_device),
		cmocka_unit_test(test_two_vms_have_their_own_devices),
		cmocka_unit_test(test_bad_vm_id),
		cmocka_unit_test(test_init_failure_at_each_step),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
