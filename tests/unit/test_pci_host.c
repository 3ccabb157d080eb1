/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the chipset ports: the PCI host bridge and 0xcf9
 * (drivers/pci_host.c), ports 0x80/0x92/0x60/0x64 (drivers/misc_ports.c) and
 * the ACPI PM registers (drivers/pm_timer.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "drivers/misc_ports.h"
#include "drivers/pci_host.h"
#include "drivers/pm_timer.h"
#include "tests/unit/fake_vm_services.h"
#include "tests/unit/stub_kernel.h"

static struct vm *vm;

static int setup(void **state)
{
	(void)state;
	fake_vm_reset();
	vm = stub_vm_new(1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	stub_vm_free(vm);
	return 0;
}

static u32 cfg_addr(unsigned bus, unsigned dev, unsigned fn, unsigned reg)
{
	return 0x80000000u | bus << 16 | dev << 11 | fn << 8 | reg;
}

static void test_host_bridge_ids(void **state)
{
	struct pci_host *ph;

	(void)state;
	assert_int_equal(pci_host_create(vm, &ph), 0);
	fake_out(vm, 0xcf8, 4, cfg_addr(0, 0, 0, 0));
	assert_int_equal(fake_in(vm, 0xcfc, 4), 0x12378086);
	assert_int_equal(fake_in(vm, 0xcfc, 2), 0x8086);
	assert_int_equal(fake_in(vm, 0xcfe, 2), 0x1237);
	assert_int_equal(fake_in(vm, 0xcfd, 1), 0x80);
	fake_out(vm, 0xcf8, 4, cfg_addr(0, 0, 0, 8));
	assert_int_equal(fake_in(vm, 0xcfc, 4) >> 8, 0x060000);
	fake_out(vm, 0xcf8, 4, cfg_addr(0, 0, 0, 0x0c));
	assert_int_equal(fake_in(vm, 0xcfe, 1), 0x00);   /* header type 0 */
	/* the address register reads back without its low bits */
	fake_out(vm, 0xcf8, 4, cfg_addr(0, 0, 0, 0x0c) | 3);
	assert_int_equal(fake_in(vm, 0xcf8, 4), cfg_addr(0, 0, 0, 0x0c));
	/* read only */
	fake_out(vm, 0xcf8, 4, cfg_addr(0, 0, 0, 0));
	fake_out(vm, 0xcfc, 4, 0);
	assert_int_equal(fake_in(vm, 0xcfc, 4), 0x12378086);
	pci_host_destroy(ph);
}

static void test_absent_and_disabled(void **state)
{
	struct pci_host *ph;

	(void)state;
	assert_int_equal(pci_host_create(vm, &ph), 0);
	fake_out(vm, 0xcf8, 4, cfg_addr(0, 1, 0, 0));
	assert_int_equal(fake_in(vm, 0xcfc, 4), 0xffffffff);
	fake_out(vm, 0xcfc, 4, 0x12345678);
	assert_int_equal(fake_in(vm, 0xcfc, 2), 0xffff);
	fake_out(vm, 0xcf8, 4, cfg_addr(0, 0, 1, 0));   /* function 1 */
	assert_int_equal(fake_in(vm, 0xcfc, 4), 0xffffffff);
	fake_out(vm, 0xcf8, 4, cfg_addr(1, 0, 0, 0));   /* bus 1 */
	assert_int_equal(fake_in(vm, 0xcfc, 4), 0xffffffff);
	/* enable bit clear: nothing answers, not even the bridge */
	fake_out(vm, 0xcf8, 4, 0);
	assert_int_equal(fake_in(vm, 0xcfc, 4), 0xffffffff);
	/* the byte write Linux's type-1 probe does to 0xcfb leaves the address alone */
	fake_out(vm, 0xcf8, 4, cfg_addr(0, 0, 0, 0));
	fake_out(vm, 0xcfb, 1, 0x01);
	assert_int_equal(fake_in(vm, 0xcf8, 4), cfg_addr(0, 0, 0, 0));
	assert_int_equal(fake.exit_calls, 0);
	pci_host_destroy(ph);
}

static void test_reset_control(void **state)
{
	struct pci_host *ph;

	(void)state;
	assert_int_equal(pci_host_create(vm, &ph), 0);
	fake_out(vm, 0xcf9, 1, 0x02);
	assert_int_equal(fake.reset_calls, 0);
	assert_int_equal(fake_in(vm, 0xcf9, 1), 0x02);
	fake_out(vm, 0xcf9, 1, 0x06);
	assert_int_equal(fake.reset_calls, 1);
	assert_ptr_equal(fake.reset_vm, vm);
	assert_string_equal(fake.reset_source, "port 0xcf9");
	fake_out(vm, 0xcf9, 1, 0x0e);
	assert_int_equal(fake.reset_calls, 2);
	assert_int_equal(fake.exit_calls, 0);   /* a reset, not an end */
	pci_host_destroy(ph);
}

static void test_misc_ports(void **state)
{
	struct misc_ports *mp;
	unsigned logs;

	(void)state;
	assert_int_equal(misc_ports_create(vm, &mp), 0);
	logs = stub_log_lines;
	fake_out(vm, 0x80, 1, 0x55);
	assert_int_equal(stub_log_lines, logs);           /* silently */
	assert_int_equal(fake_in(vm, 0x92, 1) & 0x02, 0x02);
	fake_out(vm, 0x92, 1, 0x00);                       /* A20 off: ignored */
	assert_int_equal(fake_in(vm, 0x92, 1) & 0x02, 0x02);
	assert_int_equal(fake.reset_calls, 0);
	/* keyboard controller: A20 through the output port, swallowed */
	assert_int_equal(fake_in(vm, 0x64, 1), 0x1c);
	fake_out(vm, 0x64, 1, 0xd1);
	fake_out(vm, 0x60, 1, 0xdd);
	fake_out(vm, 0x64, 1, 0xdf);
	assert_int_equal(fake_in(vm, 0x64, 1) & 0x01, 0);  /* no data */
	assert_int_equal(fake_in(vm, 0x60, 1), 0);
	assert_int_equal(fake.reset_calls, 0);
	fake_out(vm, 0x64, 1, 0xfe);
	assert_int_equal(fake.reset_calls, 1);
	assert_string_equal(fake.reset_source, "keyboard controller command 0xfe");
	fake_out(vm, 0x92, 1, 0x03);
	assert_int_equal(fake.reset_calls, 2);
	assert_string_equal(fake.reset_source, "port 0x92");
	assert_int_equal(fake.exit_calls, 0);
	/* the neighbours stay unclaimed */
	assert_int_equal(fake_in(vm, 0x62, 1), 0xff);
	assert_int_equal(fake_in(vm, 0x81, 1), 0xff);
	misc_ports_destroy(mp);
}

static void test_pm_timer(void **state)
{
	struct acpi_pm *pm;
	u32 a, b;

	(void)state;
	assert_int_equal(acpi_pm_create(vm, &pm), 0);
	a = fake_in(vm, 0x608, 4);
	stub_clock += 1000000;                 /* 1 ms at 1 GHz: 3579.545 ticks */
	b = fake_in(vm, 0x608, 4);
	assert_true(b - a == 3579 || b - a == 3580);
	stub_clock += 10ull * 1000000000;      /* 10 s: wraps at 24 bits */
	assert_true(fake_in(vm, 0x608, 4) <= 0xffffff);
	fake_out(vm, 0x608, 4, 0);             /* read only */
	/* SCI_EN reads 1: ACPI mode without an SMI command */
	assert_int_equal(fake_in(vm, 0x604, 2) & 1, 1);
	/* enable register keeps its value, status is write-1-to-clear of zeros */
	fake_out(vm, 0x602, 2, 0x0121);
	assert_int_equal(fake_in(vm, 0x602, 2), 0x0121);
	assert_int_equal(fake_in(vm, 0x600, 4), 0x01210000);
	/* sleep type S3 with SLP_EN: ignored; S5: powered off */
	fake_out(vm, 0x604, 2, (3 << 10) | (1 << 13));
	assert_int_equal(fake.exit_calls, 0);
	fake_out(vm, 0x604, 2, ACPI_SLP_TYP_S5 << 10);
	assert_int_equal(fake.exit_calls, 0);
	assert_int_equal(fake_in(vm, 0x604, 2), (ACPI_SLP_TYP_S5 << 10) | 1);
	fake_out(vm, 0x604, 2, (ACPI_SLP_TYP_S5 << 10) | (1 << 13));
	assert_int_equal(fake.exit_calls, 1);
	assert_int_equal(fake.exit_status, 0);
	acpi_pm_destroy(pm);
}

static void test_create_errors(void **state)
{
	struct pci_host *ph;
	struct misc_ports *mp;
	struct acpi_pm *pm;

	(void)state;
	fake.pio_fail_at = 1;
	assert_int_equal(pci_host_create(vm, &ph), -TERN_ENOMEM);
	fake.pio_calls = 0;
	fake.pio_fail_at = 3;
	assert_int_equal(misc_ports_create(vm, &mp), -TERN_ENOMEM);
	fake_vm_reset();
	fake.pio_fail_at = 1;
	assert_int_equal(acpi_pm_create(vm, &pm), -TERN_ENOMEM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_host_bridge_ids, setup, teardown),
		cmocka_unit_test_setup_teardown(test_absent_and_disabled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_control, setup, teardown),
		cmocka_unit_test_setup_teardown(test_misc_ports, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pm_timer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_errors, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
