/* SPDX-License-Identifier: MIT */
/* Host tests of the guest ACPI tables (drivers/acpi_tables.c): every table parsed back. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "drivers/acpi_tables.h"
#include "kernel/vm.h"
#include "tests/unit/fake_vm_services.h"
#include "tests/unit/stub_kernel.h"

#define RAM_SIZE (2 * MiB)

static u8 *ram;

void *vm_gpa_to_hva(struct vm *vm, u64 gpa, u64 len)
{
	(void)vm;
	if (gpa > RAM_SIZE || len > RAM_SIZE - gpa)
		return NULL;
	return ram + gpa;
}

int vm_copy_to_guest(struct vm *vm, u64 gpa, const void *src, u64 len)
{
	void *p = vm_gpa_to_hva(vm, gpa, len);

	if (!p)
		return -TERN_EFAULT;
	memcpy(p, src, len);
	return 0;
}

static u32 rd32(u64 gpa) { u32 v; memcpy(&v, ram + gpa, 4); return v; }
static u64 rd64(u64 gpa) { u64 v; memcpy(&v, ram + gpa, 8); return v; }
static u16 rd16(u64 gpa) { u16 v; memcpy(&v, ram + gpa, 2); return v; }

static u8 sum(u64 gpa, u32 len)
{
	u8 s = 0;

	for (u32 i = 0; i < len; i++)
		s += ram[gpa + i];
	return s;
}

/* Check a table's header and checksum; returns its length. */
static u32 check_table(u64 gpa, const char *sig)
{
	u32 len;

	assert_true(gpa >= ACPI_TABLES_BASE && gpa < ACPI_TABLES_BASE + ACPI_TABLES_MAX_SIZE);
	assert_memory_equal(ram + gpa, sig, 4);
	len = rd32(gpa + 4);
	assert_true(len >= 36);
	assert_true(gpa + len <= ACPI_TABLES_BASE + ACPI_TABLES_MAX_SIZE);
	assert_int_equal(sum(gpa, len), 0);
	assert_memory_equal(ram + gpa + 10, "TERN  ", 6);
	return len;
}

static int setup(void **state)
{
	(void)state;
	fake_vm_reset();
	ram = calloc(1, RAM_SIZE);
	assert_non_null(ram);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(ram);
	return 0;
}

static u64 build(unsigned vcpus)
{
	u64 rsdp = 0;

	fake.nr_vcpus = vcpus;
	assert_int_equal(acpi_tables_build(NULL, ACPI_TABLES_BASE, &rsdp), 0);
	return rsdp;
}

/* Find a table by signature through the XSDT. */
static u64 find(u64 rsdp, const char *sig)
{
	u64 xsdt = rd64(rsdp + 24);
	u32 len = rd32(xsdt + 4);

	for (u32 off = 36; off < len; off += 8)
		if (!memcmp(ram + rd64(xsdt + off), sig, 4))
			return rd64(xsdt + off);
	fail_msg("no %s", sig);
	return 0;
}

static void test_rsdp_xsdt_rsdt(void **state)
{
	u64 rsdp = build(1);

	(void)state;
	assert_int_equal(rsdp, ACPI_TABLES_BASE);
	assert_true(rsdp % 16 == 0);
	assert_memory_equal(ram + rsdp, "RSD PTR ", 8);
	assert_int_equal(sum(rsdp, 20), 0);
	assert_int_equal(ram[rsdp + 15], 2);            /* revision */
	assert_int_equal(rd32(rsdp + 20), 36);          /* length */
	assert_int_equal(sum(rsdp, 36), 0);             /* extended checksum */
	u64 xsdt = rd64(rsdp + 24), rsdt = rd32(rsdp + 16);
	assert_int_equal(check_table(xsdt, "XSDT"), 36 + 2 * 8);
	assert_int_equal(check_table(rsdt, "RSDT"), 36 + 2 * 4);
	/* both list the same tables */
	for (unsigned i = 0; i < 2; i++)
		assert_int_equal(rd64(xsdt + 36 + 8 * i), rd32(rsdt + 36 + 4 * i));
	find(rsdp, "FACP");
	find(rsdp, "APIC");
}

static void test_fadt(void **state)
{
	u64 rsdp = build(2), f = find(rsdp, "FACP");

	(void)state;
	assert_int_equal(check_table(f, "FACP"), 276);
	assert_int_equal(ram[f + 8], 6);                /* revision */
	assert_int_equal(rd16(f + 46), 9);              /* SCI_INT */
	assert_int_equal(rd32(f + 48), 0);              /* no SMI_CMD */
	assert_int_equal(rd32(f + 56), 0x600);          /* PM1a_EVT_BLK */
	assert_int_equal(rd32(f + 64), 0x604);          /* PM1a_CNT_BLK */
	assert_int_equal(rd32(f + 76), 0x608);          /* PM_TMR_BLK */
	assert_int_equal(ram[f + 88], 4);
	assert_int_equal(ram[f + 89], 2);
	assert_int_equal(ram[f + 91], 4);
	assert_int_equal(ram[f + 108], 0x32);           /* century */
	assert_int_equal(rd16(f + 109) & 3, 1);         /* LEGACY_DEVICES, no 8042 */
	u32 flags = rd32(f + 112);
	assert_true(flags & (1u << 10));                /* RESET_REG_SUP */
	assert_false(flags & (1u << 8));                /* TMR_VAL_EXT: 24-bit */
	assert_false(flags & (1u << 20));               /* not HW_REDUCED */
	assert_int_equal(ram[f + 116], 1);              /* RESET_REG in I/O space */
	assert_int_equal(ram[f + 117], 8);
	assert_int_equal(rd64(f + 120), 0xcf9);
	assert_int_equal(ram[f + 128], 6);
	/* X_ blocks agree with the 32-bit ones */
	assert_int_equal(rd64(f + 148 + 4), 0x600);
	assert_int_equal(ram[f + 148 + 1], 32);
	assert_int_equal(rd64(f + 172 + 4), 0x604);
	assert_int_equal(ram[f + 172 + 1], 16);
	assert_int_equal(rd64(f + 208 + 4), 0x608);
	assert_int_equal(ram[f + 208 + 1], 32);
	/* DSDT and FACS */
	u64 dsdt = rd64(f + 140);
	assert_int_equal(rd32(f + 40), dsdt);
	u32 dlen = check_table(dsdt, "DSDT");
	/* the AML names \_S5_ with the sleep type the PM device expects */
	bool found = false;
	for (u32 i = 36; i + 4 <= dlen; i++)
		if (!memcmp(ram + dsdt + i, "_S5_", 4)) {
			assert_int_equal(ram[dsdt + i + 4], 0x12);      /* PackageOp */
			assert_int_equal(ram[dsdt + i + 8], 5);         /* SLP_TYPa */
			found = true;
		}
	assert_true(found);
	u64 facs = rd64(f + 132);
	assert_int_equal(rd32(f + 36), facs);
	assert_true(facs % 64 == 0);
	assert_memory_equal(ram + facs, "FACS", 4);
	assert_int_equal(rd32(facs + 4), 64);
}

static void check_madt(unsigned vcpus)
{
	u64 rsdp = build(vcpus), m = find(rsdp, "APIC");
	u32 len = check_table(m, "APIC");
	unsigned lapics = 0, ioapics = 0, isos = 0, nmis = 0;

	assert_int_equal(rd32(m + 36), 0xfee00000);
	assert_int_equal(rd32(m + 40) & 1, 1);          /* PCAT_COMPAT */
	for (u32 off = 44; off < len; off += ram[m + off + 1]) {
		u8 type = ram[m + off], elen = ram[m + off + 1];

		assert_true(elen >= 2 && off + elen <= len);
		switch (type) {
		case 0:
			assert_int_equal(elen, 8);
			assert_int_equal(ram[m + off + 2], lapics);   /* UID */
			assert_int_equal(ram[m + off + 3], lapics);   /* APIC ID */
			assert_int_equal(rd32(m + off + 4) & 1, 1);
			lapics++;
			break;
		case 1:
			assert_int_equal(elen, 12);
			assert_int_equal(ram[m + off + 2], vcpus);    /* no clash with a LAPIC ID */
			assert_int_equal(rd32(m + off + 4), 0xfec00000);
			assert_int_equal(rd32(m + off + 8), 0);
			ioapics++;
			break;
		case 2:
			assert_int_equal(elen, 10);
			assert_int_equal(ram[m + off + 2], 0);
			if (ram[m + off + 3] == 0) {
				assert_int_equal(rd32(m + off + 4), 2);
				assert_int_equal(rd16(m + off + 8), 0);
			} else {
				assert_int_equal(ram[m + off + 3], 9);
				assert_int_equal(rd32(m + off + 4), 9);
				assert_int_equal(rd16(m + off + 8), 0x0d);   /* level, active high */
			}
			isos++;
			break;
		case 4:
			assert_int_equal(elen, 6);
			assert_int_equal(ram[m + off + 2], 0xff);
			assert_int_equal(ram[m + off + 5], 1);         /* LINT1 */
			nmis++;
			break;
		default:
			fail_msg("unexpected MADT entry %u", type);
		}
	}
	assert_int_equal(lapics, vcpus);
	assert_int_equal(ioapics, 1);
	assert_int_equal(isos, 2);
	assert_int_equal(nmis, 1);
}

static void test_madt_vcpu_counts(void **state)
{
	(void)state;
	check_madt(1);
	check_madt(4);
	check_madt(64);
	check_madt(ACPI_MAX_VCPUS);
}

static void test_errors(void **state)
{
	u64 rsdp = 0x1234;

	(void)state;
	fake.nr_vcpus = 1;
	assert_int_equal(acpi_tables_build(NULL, ACPI_TABLES_BASE + 8, &rsdp), -TERN_EINVAL);
	assert_int_equal(acpi_tables_build(NULL, RAM_SIZE - 0x1000, &rsdp), -TERN_EFAULT);
	assert_int_equal(acpi_tables_build(NULL, 0xfffff000ull, &rsdp), -TERN_EINVAL);
	fake.nr_vcpus = 0;
	assert_int_equal(acpi_tables_build(NULL, ACPI_TABLES_BASE, &rsdp), -TERN_EINVAL);
	fake.nr_vcpus = ACPI_MAX_VCPUS + 1;
	assert_int_equal(acpi_tables_build(NULL, ACPI_TABLES_BASE, &rsdp), -TERN_EINVAL);
	assert_int_equal(rsdp, 0x1234);   /* untouched on failure */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rsdp_xsdt_rsdt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fadt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_madt_vcpu_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
