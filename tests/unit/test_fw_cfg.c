/* SPDX-License-Identifier: MIT */
/* Host tests of the fw_cfg device (drivers/fw_cfg.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>

#include "drivers/fw_cfg.h"
#include "drivers/platform.h"
#include "kernel/lib/string.h"
#include "tests/unit/fake_vm_services.h"
#include "tests/unit/stub_kernel.h"

#define SEL  0x510
#define DATA 0x511

static struct vm *vm;
static struct fw_cfg *fw;

/* The platform lookup fw_cfg_add_file() uses, answered by this test. */
struct fw_cfg *pc_platform_fw_cfg(struct vm *v)
{
	(void)v;
	return fw;
}

static int setup(void **state)
{
	(void)state;
	fake_vm_reset();
	fake.ram_size = 0x123456789aull;
	fake.nr_vcpus = 3;
	vm = stub_vm_new(3);
	assert_int_equal(fw_cfg_create(vm, &fw), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fw_cfg_destroy(fw);
	fw = NULL;
	stub_vm_free(vm);
	return 0;
}

static void select_key(u16 key)
{
	fake_out(vm, SEL, 2, key);
}

static void read_bytes(u8 *buf, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = (u8)fake_in(vm, DATA, 1);
}

static u64 read_le(unsigned n)
{
	u8 b[8];
	u64 v = 0;

	read_bytes(b, n);
	for (unsigned i = 0; i < n; i++)
		v |= (u64)b[i] << (8 * i);
	return v;
}

static u64 read_be(unsigned n)
{
	u8 b[8];
	u64 v = 0;

	read_bytes(b, n);
	for (unsigned i = 0; i < n; i++)
		v = (v << 8) | b[i];
	return v;
}

static void test_registers_two_ports(void **state)
{
	(void)state;
	assert_int_equal(fake.nr_pio, 1);
	assert_int_equal(fake.pio[0].base, 0x510);
	assert_int_equal(fake.pio[0].count, 2);
}

static void test_signature_and_id(void **state)
{
	char sig[5] = { 0 };

	(void)state;
	select_key(0x00);
	read_bytes((u8 *)sig, 4);
	assert_string_equal(sig, "QEMU");
	assert_int_equal(read_le(4), 0);             /* past the end: zeros */
	select_key(0x00);                            /* re-selecting rewinds */
	assert_int_equal(fake_in(vm, DATA, 1), 'Q');
	select_key(0x01);
	assert_int_equal(read_le(4), 1);             /* traditional interface, no DMA */
}

static void test_ram_and_cpus(void **state)
{
	(void)state;
	select_key(0x03);
	assert_int_equal(read_le(8), 0x123456789aull);
	assert_int_equal(read_le(1), 0);
	select_key(0x05);
	assert_int_equal(read_le(2), 3);
	select_key(0x0f);
	assert_int_equal(read_le(2), 3);
}

static void test_selector_widths(void **state)
{
	(void)state;
	fake_out(vm, SEL, 1, 0x03);                  /* byte write */
	assert_int_equal(read_le(8), 0x123456789aull);
	fake_out(vm, SEL, 4, 0xffff0005);            /* dword: the low 16 bits */
	assert_int_equal(read_le(2), 3);
	fake_out(vm, SEL, 4, 0x00010000);            /* selects key 0 */
	assert_int_equal(fake_in(vm, DATA, 1), 'Q');
	assert_int_equal(fake_in(vm, SEL, 2), 0);    /* selector reads 0 */
}

static void test_wide_data_reads(void **state)
{
	(void)state;
	select_key(0x00);
	assert_int_equal(fake_in(vm, DATA, 4), 0x554d4551);   /* "QEMU", first byte low */
	select_key(0x00);
	assert_int_equal(fake_in(vm, DATA, 2), 0x4551);
	assert_int_equal(fake_in(vm, DATA, 4), 0x554d);       /* two bytes left */
	fake_out(vm, DATA, 1, 0x42);                          /* data writes ignored */
	select_key(0x00);
	assert_int_equal(fake_in(vm, DATA, 1), 'Q');
}

static void test_unknown_keys_read_zero(void **state)
{
	(void)state;
	static const u16 keys[] = { 0x02, 0x04, 0x0e, 0x18, 0x20, 0x3fff, 0x8000, 0x8003, 0xffff };

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		select_key(keys[i]);
		assert_int_equal(read_le(8), 0);
	}
	/* the write-channel bit is ignored for reads */
	select_key(0x4000);
	assert_int_equal(fake_in(vm, DATA, 1), 'Q');
}

static void test_empty_directory(void **state)
{
	(void)state;
	select_key(0x19);
	assert_int_equal(read_be(4), 0);
	assert_int_equal(read_le(8), 0);
}

static void test_files_and_directory(void **state)
{
	static const char table[] = "ACPI-ish blob";
	char name[57] = { 0 };
	u8 buf[16];

	(void)state;
	assert_int_equal(fw_cfg_add_file(vm, "etc/acpi/tables", table, sizeof(table)), 0x20);
	assert_int_equal(fw_cfg_add_file_to(fw, "etc/empty", NULL, 0), 0x21);
	select_key(0x19);
	assert_int_equal(read_be(4), 2);
	assert_int_equal(read_be(4), sizeof(table));
	assert_int_equal(read_be(2), 0x20);
	assert_int_equal(read_be(2), 0);
	read_bytes((u8 *)name, 56);
	assert_string_equal(name, "etc/acpi/tables");
	for (int i = 15; i < 56; i++)
		assert_int_equal(name[i], 0);
	assert_int_equal(read_be(4), 0);
	assert_int_equal(read_be(2), 0x21);
	assert_int_equal(read_be(2), 0);
	read_bytes((u8 *)name, 56);
	assert_string_equal(name, "etc/empty");
	assert_int_equal(read_le(4), 0);             /* end of the directory */

	select_key(0x20);
	read_bytes(buf, sizeof(table));
	assert_memory_equal(buf, table, sizeof(table));
	assert_int_equal(fake_in(vm, DATA, 1), 0);
	select_key(0x21);
	assert_int_equal(fake_in(vm, DATA, 1), 0);
}

static void test_add_file_copies_data(void **state)
{
	char data[4] = { 1, 2, 3, 4 };

	(void)state;
	assert_int_equal(fw_cfg_add_file_to(fw, "f", data, sizeof(data)), 0x20);
	data[0] = 9;
	select_key(0x20);
	assert_int_equal(fake_in(vm, DATA, 4), 0x04030201);
}

static void test_add_file_errors(void **state)
{
	char longname[64];
	char name[16];

	(void)state;
	memset(longname, 'a', sizeof(longname));
	longname[56] = '\0';
	assert_int_equal(fw_cfg_add_file_to(fw, longname, "x", 1), -TERN_EINVAL);
	longname[55] = '\0';                         /* 55 chars + NUL fits */
	assert_int_equal(fw_cfg_add_file_to(fw, longname, "x", 1), 0x20);
	assert_int_equal(fw_cfg_add_file_to(fw, "", "x", 1), -TERN_EINVAL);
	assert_int_equal(fw_cfg_add_file_to(fw, NULL, "x", 1), -TERN_EINVAL);
	assert_int_equal(fw_cfg_add_file_to(fw, "n", NULL, 1), -TERN_EINVAL);
	assert_int_equal(fw_cfg_add_file_to(fw, longname, "y", 1), -TERN_EEXIST);
	assert_int_equal(fw_cfg_add_file_to(fw, "big", "y", FW_CFG_MAX_FILE_SIZE + 1), -TERN_E2BIG);
	for (int i = 1; i < FW_CFG_MAX_FILES; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		assert_int_equal(fw_cfg_add_file_to(fw, name, "z", 1), 0x20 + i);
	}
	assert_int_equal(fw_cfg_add_file_to(fw, "one-too-many", "z", 1), -TERN_ENOSPC);
	select_key(0x19);
	assert_int_equal(read_be(4), FW_CFG_MAX_FILES);
	/* the last file is reachable and its neighbour past the end is not */
	select_key(0x20 + FW_CFG_MAX_FILES - 1);
	assert_int_equal(fake_in(vm, DATA, 1), 'z');
	select_key(0x20 + FW_CFG_MAX_FILES);
	assert_int_equal(fake_in(vm, DATA, 1), 0);
}

static void test_no_platform(void **state)
{
	struct fw_cfg *saved = fw;

	(void)state;
	fw = NULL;
	assert_int_equal(fw_cfg_add_file(vm, "x", "x", 1), -TERN_ENODEV);
	fw = saved;
}

static void test_create_error(void **state)
{
	struct vm *v2 = stub_vm_new(1);
	struct fw_cfg *f = NULL;

	(void)state;
	fake_vm_reset();
	fake.pio_fail_at = 1;
	assert_int_equal(fw_cfg_create(v2, &f), -TERN_ENOMEM);
	assert_null(f);
	fw_cfg_destroy(NULL);
	stub_vm_free(v2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_registers_two_ports, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signature_and_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ram_and_cpus, setup, teardown),
		cmocka_unit_test_setup_teardown(test_selector_widths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wide_data_reads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_keys_read_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_directory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_files_and_directory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_file_copies_data, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_file_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_platform, setup, teardown),
		cmocka_unit_test(test_create_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
