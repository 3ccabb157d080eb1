/* SPDX-License-Identifier: MIT */
/* Host tests of the Linux boot protocol loader (kernel/loader_linux.c) with synthetic bzImages. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <tern/hypercall.h>
#include "drivers/acpi_tables.h"
#include "kernel/loader_linux.h"
#include "kernel/vm.h"
#include "tests/unit/fake_vm_services.h"
#include "tests/unit/stub_kernel.h"

/* Guest RAM backing: the low 64 MiB, and a window just below the low RAM end. */
#define LOW_BACKING   (64 * MiB)
#define WIN_SIZE      (16 * MiB)

static u8 *low, *win;
static u64 win_base;

static u8 *backing(u64 gpa, u64 len)
{
	if (gpa + len < gpa || gpa + len > fake.ram_size)
		return NULL;
	if (gpa + len <= LOW_BACKING)
		return low + gpa;
	if (gpa >= win_base && gpa + len <= win_base + WIN_SIZE)
		return win + (gpa - win_base);
	return NULL;
}

void *vm_gpa_to_hva(struct vm *vm, u64 gpa, u64 len)
{
	(void)vm;
	return backing(gpa, len);
}

int vm_copy_to_guest(struct vm *vm, u64 gpa, const void *src, u64 len)
{
	u8 *p = backing(gpa, len);

	(void)vm;
	if (!p)
		return -TERN_EFAULT;
	memcpy(p, src, len);
	return 0;
}

static u8 *g(u64 gpa) { u8 *p = backing(gpa, 1); assert_non_null(p); return p; }
static u16 g16(u64 gpa) { u16 v; memcpy(&v, g(gpa), 2); return v; }
static u32 g32(u64 gpa) { u32 v; memcpy(&v, g(gpa), 4); return v; }
static u64 g64(u64 gpa) { u64 v; memcpy(&v, g(gpa), 8); return v; }

static void set_ram(u64 size)
{
	fake.ram_size = size;
	u64 top = MIN(MIN(size, VM_LOW_RAM_MAX), 0x80000000ull);   /* initrd_addr_max + 1 */

	win_base = top > WIN_SIZE ? top - WIN_SIZE : 0;
	memset(win, 0, WIN_SIZE);
}

/* ------------------------------------------------------------ synthetic bzImage */

#define SETUP_SECTS   4
#define SETUP_SIZE    ((SETUP_SECTS + 1) * 512)
#define PM_SIZE       (64 * KiB)
#define IMAGE_SIZE    (SETUP_SIZE + PM_SIZE)
#define INIT_SIZE     (1 * MiB)
#define PREF_ADDRESS  0x1000000ull

static u8 image[IMAGE_SIZE];

static void p16(unsigned off, u16 v) { memcpy(image + off, &v, 2); }
static void p32(unsigned off, u32 v) { memcpy(image + off, &v, 4); }
static void p64(unsigned off, u64 v) { memcpy(image + off, &v, 8); }

static void make_image(void)
{
	memset(image, 0, sizeof(image));
	image[0x1f1] = SETUP_SECTS;
	p32(0x1f4, PM_SIZE / 16);                /* syssize */
	p16(0x1fe, 0xaa55);
	image[0x200] = 0xeb;                     /* jmp short past the header */
	image[0x201] = 0x6a;                     /* to 0x26c */
	memcpy(image + 0x202, "HdrS", 4);
	p16(0x206, 0x020f);
	image[0x211] = 0x01;                     /* LOADED_HIGH */
	p32(0x22c, 0x7fffffff);                  /* initrd_addr_max */
	p32(0x230, 0x200000);                    /* kernel_alignment */
	image[0x234] = 1;                        /* relocatable */
	p16(0x236, 0x3);                         /* XLF_KERNEL_64 | CAN_BE_LOADED_ABOVE_4G */
	p32(0x238, 2047);                        /* cmdline_size */
	p64(0x258, PREF_ADDRESS);
	p32(0x260, INIT_SIZE);
	for (unsigned i = SETUP_SIZE; i < IMAGE_SIZE; i++)
		image[i] = (u8)(i * 7);
}

static int setup(void **state)
{
	(void)state;
	fake_vm_reset();
	low = calloc(1, LOW_BACKING);
	win = calloc(1, WIN_SIZE);
	assert_non_null(low);
	assert_non_null(win);
	set_ram(64 * MiB);
	make_image();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(low);
	free(win);
	return 0;
}

static const char initrd[] = "070701 pretend this is a cpio archive";
static const char cmdline[] = "console=ttyS0 tern.test=1";

static void load_ok(struct linux_entry *e)
{
	assert_int_equal(linux_load(NULL, image, IMAGE_SIZE, initrd, sizeof(initrd), cmdline, e), 0);
}

static void test_good_image(void **state)
{
	struct linux_entry e;
	const u64 bp = LINUX_BOOT_PARAMS_GPA;

	(void)state;
	load_ok(&e);
	assert_int_equal(e.kernel_gpa, PREF_ADDRESS);
	assert_int_equal(e.rip, PREF_ADDRESS + 0x200);
	assert_int_equal(e.rsi, bp);
	assert_memory_equal(g(PREF_ADDRESS), image + SETUP_SIZE, PM_SIZE);
	/* the setup header copied, then the loader's fields */
	assert_memory_equal(g(bp + 0x202), "HdrS", 4);
	assert_int_equal(g16(bp + 0x206), 0x020f);
	assert_int_equal(*g(bp + 0x210), 0xff);              /* type_of_loader */
	assert_int_equal(g32(bp + 0x230), 0x200000);
	assert_int_equal(*g(bp + 0x1ef), 0);                 /* sentinel clear */
	/* command line */
	assert_int_equal(g32(bp + 0x228), LINUX_CMDLINE_GPA);
	assert_int_equal(g32(bp + 0x0c8), 0);
	assert_string_equal((char *)g(LINUX_CMDLINE_GPA), cmdline);
	/* initrd: page aligned, high, above the kernel, content intact */
	u64 rd = g32(bp + 0x218);
	assert_int_equal(rd, e.initrd_gpa);
	assert_int_equal(g32(bp + 0x21c), sizeof(initrd));
	assert_int_equal(g32(bp + 0x0c0), 0);
	assert_true(rd % 4096 == 0);
	assert_true(rd >= PREF_ADDRESS + INIT_SIZE);
	assert_true(rd + sizeof(initrd) <= 64 * MiB);
	assert_true(rd + 4096 > 64 * MiB - sizeof(initrd));  /* as high as it goes */
	assert_memory_equal(g(rd), initrd, sizeof(initrd));
	/* ACPI */
	assert_int_equal(g64(bp + 0x070), ACPI_TABLES_BASE);
	assert_int_equal(e.rsdp_gpa, ACPI_TABLES_BASE);
	assert_memory_equal(g(ACPI_TABLES_BASE), "RSD PTR ", 8);
}

static void test_e820(void **state)
{
	struct linux_entry e;
	const u64 t = LINUX_BOOT_PARAMS_GPA + 0x2d0;
	static const u64 want[][3] = {
		{ 0, 0x9fc00, 1 }, { 0x9fc00, 0x400, 2 }, { 0xe0000, 0x20000, 2 },
		{ 0x100000, 63 * MiB, 1 },
	};

	(void)state;
	load_ok(&e);
	assert_int_equal(*g(LINUX_BOOT_PARAMS_GPA + 0x1e8), 4);
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(g64(t + 20 * i), want[i][0]);
		assert_int_equal(g64(t + 20 * i + 8), want[i][1]);
		assert_int_equal(g32(t + 20 * i + 16), want[i][2]);
	}
	/* the tables and the boot structures lie in reserved or below-1 MiB areas */
	assert_true(ACPI_TABLES_BASE >= 0xe0000 && ACPI_TABLES_BASE + ACPI_TABLES_MAX_SIZE <= 0x100000);
}

static void test_e820_shm(void **state)
{
	struct linux_entry e;
	const u64 t = LINUX_BOOT_PARAMS_GPA + 0x2d0;

	(void)state;
	fake.nr_shm = 2;
	fake.shm_gpa[0] = TERN_SHM_WINDOW_GPA;
	fake.shm_size[0] = 64 * KiB;
	fake.shm_gpa[1] = TERN_SHM_WINDOW_GPA + 2 * MiB;
	fake.shm_size[1] = 4 * MiB;
	load_ok(&e);
	assert_int_equal(*g(LINUX_BOOT_PARAMS_GPA + 0x1e8), 6);
	for (unsigned i = 0; i < 2; i++) {
		assert_int_equal(g64(t + 20 * (4 + i)), fake.shm_gpa[i]);
		assert_int_equal(g64(t + 20 * (4 + i) + 8), fake.shm_size[i]);
		assert_int_equal(g32(t + 20 * (4 + i) + 16), 2);   /* reserved */
	}
}

static void test_e820_high_ram(void **state)
{
	struct linux_entry e;
	const u64 t = LINUX_BOOT_PARAMS_GPA + 0x2d0;

	(void)state;
	set_ram(5 * GiB);
	load_ok(&e);
	assert_int_equal(*g(LINUX_BOOT_PARAMS_GPA + 0x1e8), 5);
	assert_int_equal(g64(t + 20 * 3 + 8), VM_LOW_RAM_MAX - 0x100000);
	assert_int_equal(g64(t + 20 * 4), 4 * GiB);
	assert_int_equal(g64(t + 20 * 4 + 8), 5 * GiB - VM_LOW_RAM_MAX);
	/* initrd as high as initrd_addr_max (2 GiB - 1) allows */
	assert_true(e.initrd_gpa + sizeof(initrd) <= 0x80000000ull);
	assert_true(e.initrd_gpa >= 0x80000000ull - 8192);
}

/* Walk the guest's 4-level tables for va; returns the physical address or ~0. */
static u64 walk(u64 cr3, u64 va)
{
	u64 pml4e = g64(cr3 + ((va >> 39) & 511) * 8);
	u64 pdpte, pde;

	if (!(pml4e & 1))
		return ~0ull;
	pdpte = g64((pml4e & ~0xfffull) + ((va >> 30) & 511) * 8);
	if (!(pdpte & 1))
		return ~0ull;
	pde = g64((pdpte & ~0xfffull) + ((va >> 21) & 511) * 8);
	if (!(pde & 1) || !(pde & 0x80) || !(pde & 2))
		return ~0ull;
	return (pde & ~0x1fffffull & 0xfffffffffffull) | (va & 0x1fffff);
}

static void test_cpu_state(void **state)
{
	struct linux_entry e;

	(void)state;
	load_ok(&e);
	assert_int_equal(e.cr0 & 0x80000001u, 0x80000001u);
	assert_int_equal(e.cr4 & 0x20, 0x20);
	assert_int_equal(e.efer & 0x500, 0x500);
	assert_int_equal(e.rflags, 0x2);
	assert_int_equal(e.cr3 & 0xfff, 0);
	static const u64 vas[] = { 0, 0x2000, LINUX_CMDLINE_GPA, PREF_ADDRESS + 0x200,
				   0x3ffffff, 0xfee00000, 0xffffffff };
	for (unsigned i = 0; i < ARRAY_SIZE(vas); i++)
		assert_int_equal(walk(e.cr3, vas[i]), vas[i]);
	assert_int_equal(walk(e.cr3, 4 * GiB), ~0ull);
	/* GDT: __BOOT_CS long-mode code, __BOOT_DS flat data */
	assert_int_equal(e.cs, 0x10);
	assert_int_equal(e.ds, 0x18);
	assert_int_equal(e.gdt_limit, 4 * 8 - 1);
	u64 cs = g64(e.gdt_base + 0x10), ds = g64(e.gdt_base + 0x18);
	assert_true(cs & (1ull << 53));                  /* L */
	assert_false(cs & (1ull << 54));                 /* not D */
	assert_true(cs & (1ull << 43));                  /* code */
	assert_true(cs & (1ull << 47));                  /* present */
	assert_false(ds & (1ull << 43));                 /* data */
	assert_true(ds & (1ull << 41));                  /* writable */
	assert_int_equal(e.cs_ar, 0xa09b);
	assert_int_equal(e.ds_ar, 0xc093);
	assert_true(e.rsp > 0x9000 && e.rsp <= 0xa000);
}

static void expect_refused(int err)
{
	struct linux_entry e;
	unsigned logs = stub_log_lines;

	assert_int_equal(linux_load(NULL, image, IMAGE_SIZE, initrd, sizeof(initrd), cmdline, &e), err);
	assert_int_equal(stub_log_lines, logs + 1);      /* one line says why */
}

static void test_bad_headers(void **state)
{
	(void)state;
	p16(0x1fe, 0x55aa);
	expect_refused(-TERN_ENOEXEC);
	make_image();
	memcpy(image + 0x202, "HdrT", 4);
	expect_refused(-TERN_ENOEXEC);
	make_image();
	p16(0x206, 0x020b);
	expect_refused(-TERN_ENOEXEC);
	make_image();
	image[0x211] = 0;
	expect_refused(-TERN_ENOEXEC);
	make_image();
	image[0x234] = 0;
	expect_refused(-TERN_ENOEXEC);
	make_image();
	p16(0x236, 0x2);
	expect_refused(-TERN_ENOEXEC);
	make_image();
	p32(0x230, 0x300000);                    /* not a power of two */
	expect_refused(-TERN_ENOEXEC);
	make_image();
	p32(0x1f4, 0);
	expect_refused(-TERN_ENOEXEC);
	make_image();
	p32(0x1f4, PM_SIZE / 16 + 1);            /* one paragraph past the end */
	expect_refused(-TERN_ENOEXEC);
	make_image();
	image[0x1f1] = 0;                        /* 0 means 4 sectors: the same image */
	struct linux_entry e;
	assert_int_equal(linux_load(NULL, image, IMAGE_SIZE, NULL, 0, NULL, &e), 0);
	assert_int_equal(e.initrd_gpa, 0);
	assert_int_equal(*(char *)g(LINUX_CMDLINE_GPA), 0);
}

static void test_truncated(void **state)
{
	struct linux_entry e;

	(void)state;
	assert_int_equal(linux_load(NULL, image, IMAGE_SIZE - 1, NULL, 0, "", &e), -TERN_ENOEXEC);
	assert_int_equal(linux_load(NULL, image, 0x300, NULL, 0, "", &e), -TERN_ENOEXEC);
	assert_int_equal(linux_load(NULL, image, 0, NULL, 0, "", &e), -TERN_ENOEXEC);
}

static void test_initrd_does_not_fit(void **state)
{
	struct linux_entry e;
	size_t big = 48 * MiB;
	u8 *rd = calloc(1, big);

	(void)state;
	assert_non_null(rd);
	/* 64 MiB RAM, kernel ends at 17 MiB: 48 MiB no longer fits */
	assert_int_equal(linux_load(NULL, image, IMAGE_SIZE, rd, big, "", &e), -TERN_ENOSPC);
	assert_int_equal(linux_load(NULL, image, IMAGE_SIZE, rd, 40 * MiB, "", &e), 0);
	/* initrd_addr_max below the kernel's end */
	p32(0x22c, 0x00ffffff);
	assert_int_equal(linux_load(NULL, image, IMAGE_SIZE, initrd, sizeof(initrd), "", &e),
			 -TERN_ENOSPC);
	free(rd);
}

static void test_cmdline_limits(void **state)
{
	struct linux_entry e;
	char *line = malloc(4096);

	(void)state;
	memset(line, 'x', 4095);
	line[2048] = 0;                          /* cmdline_size + 1 characters */
	assert_int_equal(linux_load(NULL, image, IMAGE_SIZE, NULL, 0, line, &e), -TERN_E2BIG);
	line[2047] = 0;                          /* exactly cmdline_size (NUL not counted) */
	assert_int_equal(linux_load(NULL, image, IMAGE_SIZE, NULL, 0, line, &e), 0);
	assert_int_equal(strlen((char *)g(LINUX_CMDLINE_GPA)), 2047);
	free(line);
}

static void test_small_ram(void **state)
{
	struct linux_entry e;

	(void)state;
	/* 8 MiB: pref_address does not fit, the kernel goes to the first 2 MiB boundary */
	set_ram(8 * MiB);
	assert_int_equal(linux_load(NULL, image, IMAGE_SIZE, initrd, sizeof(initrd), "", &e), 0);
	assert_int_equal(e.kernel_gpa, 2 * MiB);
	assert_int_equal(e.rip, 2 * MiB + 0x200);
	assert_memory_equal(g(2 * MiB), image + SETUP_SIZE, 64);
	/* 2.5 MiB: not even there */
	set_ram(2 * MiB + 512 * KiB);
	assert_int_equal(linux_load(NULL, image, IMAGE_SIZE, NULL, 0, "", &e), -TERN_ENOSPC);
}

static void test_old_protocol_no_rsdp_field(void **state)
{
	struct linux_entry e;

	(void)state;
	p16(0x206, 0x020c);                      /* 2.12: no acpi_rsdp_addr yet */
	load_ok(&e);
	assert_int_equal(g64(LINUX_BOOT_PARAMS_GPA + 0x070), 0);
	assert_memory_equal(g(ACPI_TABLES_BASE), "RSD PTR ", 8);   /* still found by the scan */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_good_image, setup, teardown),
		cmocka_unit_test_setup_teardown(test_e820, setup, teardown),
		cmocka_unit_test_setup_teardown(test_e820_high_ram, setup, teardown),
		cmocka_unit_test_setup_teardown(test_e820_shm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cpu_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_headers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_initrd_does_not_fit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cmdline_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_small_ram, setup, teardown),
		cmocka_unit_test_setup_teardown(test_old_protocol_no_rsdp_field, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
