/* SPDX-License-Identifier: MIT */
/* Host tests of the Multiboot v1 loader (kernel/loader_mb1*.c, loader_elf.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>

#include <tern/hypercall.h>
#include "tests/unit/fake_guest_ram.h"
#include "kernel/lib/string.h"
#include "kernel/loader.h"
#include "kernel/loader_mb1.h"
#include "kernel/vm.h"
#include "tests/unit/stub_kernel.h"

#define RAM_SIZE   (8 * MiB)
#define RAM_POISON 0xaa
#define IMG_SIZE   0x4000
#define SEG_OFF    0x1000
#define SEG_PADDR  0x100000u
#define SEG_FILESZ 0x200u
#define SEG_MEMSZ  0x3000u
#define HDR_OFF    0x100u

static u8 *ram;
static u8 img[IMG_SIZE];
static char err[256];
static u64 shm_size;   /* one shared region at TERN_SHM_WINDOW_GPA when set */

/* The kernel/vm.h services the loader uses, over one flat fake RAM. */
unsigned vm_id(const struct vm *vm) { (void)vm; return 0; }
u64 vm_ram_size(const struct vm *vm) { (void)vm; return RAM_SIZE; }

bool vm_shm_region(struct vm *vm, unsigned i, u64 *gpa, u64 *size)
{
	(void)vm;
	if (i || !shm_size)
		return false;
	*gpa = TERN_SHM_WINDOW_GPA;
	*size = shm_size;
	return true;
}

struct elf32_ehdr_t {
	u8 ident[16];
	u16 type, machine;
	u32 version, entry, phoff, shoff, flags;
	u16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
} __packed;

struct elf32_phdr_t {
	u32 type, offset, vaddr, paddr, filesz, memsz, flags, align;
} __packed;

struct elf64_ehdr_t {
	u8 ident[16];
	u16 type, machine;
	u32 version;
	u64 entry, phoff, shoff;
	u32 flags;
	u16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
} __packed;

struct elf64_phdr_t {
	u32 type, flags;
	u64 offset, vaddr, paddr, filesz, memsz, align;
} __packed;

static struct elf32_ehdr_t *eh(void) { return (struct elf32_ehdr_t *)img; }
static struct elf32_phdr_t *ph(void) { return (struct elf32_phdr_t *)(img + sizeof(struct elf32_ehdr_t)); }
static struct mb1_header *mbh(void) { return (struct mb1_header *)(img + HDR_OFF); }

static void set_mb_header(u32 flags)
{
	mbh()->magic = MB1_HEADER_MAGIC;
	mbh()->flags = flags;
	mbh()->checksum = -(MB1_HEADER_MAGIC + flags);
}

/* A minimal i386 Multiboot ELF: one PT_LOAD with code bytes and a bss. */
static void build_elf32(void)
{
	memset(img, 0, sizeof(img));
	memcpy(eh()->ident, "\x7f" "ELF\x01\x01\x01", 7);
	eh()->type = 2;
	eh()->machine = 3;
	eh()->version = 1;
	eh()->entry = SEG_PADDR + 0x10;
	eh()->phoff = sizeof(struct elf32_ehdr_t);
	eh()->ehsize = sizeof(struct elf32_ehdr_t);
	eh()->phentsize = sizeof(struct elf32_phdr_t);
	eh()->phnum = 1;
	*ph() = (struct elf32_phdr_t){ 1, SEG_OFF, SEG_PADDR, SEG_PADDR, SEG_FILESZ, SEG_MEMSZ, 5, 0x1000 };
	for (unsigned i = 0; i < SEG_FILESZ; i++)
		img[SEG_OFF + i] = (u8)(i + 1);
	set_mb_header(MB1_FLAG_PAGE_ALIGN | MB1_FLAG_MEMINFO);
}

static int setup(void **state)
{
	(void)state;
	ram = malloc(RAM_SIZE);
	if (!ram)
		return -1;
	memset(ram, RAM_POISON, RAM_SIZE);
	shm_size = 0;
	fake_guest_ram = ram;
	fake_guest_ram_size = RAM_SIZE;
	build_elf32();
	err[0] = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(ram);
	return 0;
}

static int load(struct loader_entry *e, const char *cmdline, unsigned nmods,
		const struct loader_module *mods)
{
	struct loader_image li = { img, sizeof(img), cmdline, nmods, mods };

	return loader_mb1_load(NULL, &li, e, err, sizeof(err));
}

static void test_good_elf32_loads_and_zeroes_bss(void **state)
{
	struct loader_entry e;

	(void)state;
	assert_int_equal(load(&e, "console=ttyS0 x=1", 0, NULL), 0);
	assert_int_equal(e.eip, SEG_PADDR + 0x10);
	assert_int_equal(e.eax, MB1_BOOTLOADER_MAGIC);
	assert_int_equal(e.ebx, MB1_INFO_BASE);
	assert_memory_equal(ram + SEG_PADDR, img + SEG_OFF, SEG_FILESZ);
	for (unsigned i = SEG_FILESZ; i < SEG_MEMSZ; i++)
		assert_int_equal(ram[SEG_PADDR + i], 0);
	/* the byte after memsz is untouched */
	assert_int_equal(ram[SEG_PADDR + SEG_MEMSZ], RAM_POISON);
}

static void test_info_contents(void **state)
{
	struct loader_entry e;
	struct mb1_info *mi;
	struct mb1_mmap_entry *m;

	(void)state;
	assert_int_equal(load(&e, "hello world", 0, NULL), 0);
	mi = (struct mb1_info *)(ram + e.ebx);
	assert_int_equal(mi->flags & (MB1_INFO_MEM | MB1_INFO_CMDLINE | MB1_INFO_MMAP | MB1_INFO_MODS),
			 MB1_INFO_MEM | MB1_INFO_CMDLINE | MB1_INFO_MMAP | MB1_INFO_MODS);
	assert_int_equal(mi->mem_lower, 640);
	assert_int_equal(mi->mem_upper, (RAM_SIZE - MiB) / KiB);
	assert_string_equal((char *)ram + mi->cmdline, "hello world");
	assert_string_equal((char *)ram + mi->boot_loader_name, "tern");
	assert_int_equal(mi->mods_count, 0);
	assert_int_equal(mi->mmap_length, 4 * sizeof(*m));
	m = (struct mb1_mmap_entry *)(ram + mi->mmap_addr);
	assert_int_equal(m[0].size, 20);
	assert_int_equal(m[0].base, 0);
	assert_int_equal(m[0].length, 0xa0000);
	assert_int_equal(m[0].type, MB1_MMAP_AVAILABLE);
	assert_int_equal(m[1].base, 0xa0000);
	assert_int_equal(m[1].type, MB1_MMAP_RESERVED);
	assert_int_equal(m[2].base, MiB);
	assert_int_equal(m[2].length, RAM_SIZE - MiB);
	assert_int_equal(m[2].type, MB1_MMAP_AVAILABLE);
	assert_int_equal(m[3].base, 0xfec00000ull);
	assert_int_equal(m[3].base + m[3].length, 0x100000000ull);
	assert_int_equal(m[3].type, MB1_MMAP_RESERVED);
}

/* A shared-memory region is a reserved entry between low RAM and the high hole. */
static void test_info_mmap_shm(void **state)
{
	struct loader_entry e;
	struct mb1_info *mi;
	struct mb1_mmap_entry *m;

	(void)state;
	shm_size = 3 * MiB;
	assert_int_equal(load(&e, "", 0, NULL), 0);
	mi = (struct mb1_info *)(ram + e.ebx);
	assert_int_equal(mi->mmap_length, 5 * sizeof(*m));
	m = (struct mb1_mmap_entry *)(ram + mi->mmap_addr);
	assert_int_equal(m[2].base, MiB);
	assert_int_equal(m[3].size, 20);
	assert_int_equal(m[3].base, TERN_SHM_WINDOW_GPA);
	assert_int_equal(m[3].length, 3 * MiB);
	assert_int_equal(m[3].type, MB1_MMAP_RESERVED);
	assert_int_equal(m[4].base, 0xfec00000ull);
	assert_int_equal(mi->mem_upper, (RAM_SIZE - MiB) / KiB);   /* not RAM */
}

static void test_modules_placed_after_kernel(void **state)
{
	static const char data1[] = "module one";
	static u8 data2[5000];
	const struct loader_module mods[2] = {
		{ "one.bin", data1, sizeof(data1) }, { "two.bin", data2, sizeof(data2) },
	};
	struct loader_entry e;
	struct mb1_info *mi;
	struct mb1_module *mm;

	(void)state;
	memset(data2, 0x42, sizeof(data2));
	assert_int_equal(load(&e, "", 2, mods), 0);
	mi = (struct mb1_info *)(ram + e.ebx);
	assert_int_equal(mi->mods_count, 2);
	mm = (struct mb1_module *)(ram + mi->mods_addr);
	assert_true(mm[0].mod_start >= SEG_PADDR + SEG_MEMSZ);
	assert_int_equal(mm[0].mod_start % 4096, 0);
	assert_int_equal(mm[0].mod_end - mm[0].mod_start, sizeof(data1));
	assert_memory_equal(ram + mm[0].mod_start, data1, sizeof(data1));
	assert_string_equal((char *)ram + mm[0].string, "one.bin");
	assert_true(mm[1].mod_start >= mm[0].mod_end);
	assert_int_equal(mm[1].mod_start % 4096, 0);
	assert_memory_equal(ram + mm[1].mod_start, data2, sizeof(data2));
	assert_string_equal((char *)ram + mm[1].string, "two.bin");
}

static void test_elf64_loads(void **state)
{
	struct elf64_ehdr_t *h = (struct elf64_ehdr_t *)img;
	struct elf64_phdr_t *p = (struct elf64_phdr_t *)(img + sizeof(*h));
	struct loader_entry e;

	(void)state;
	memset(img, 0, HDR_OFF);
	memcpy(h->ident, "\x7f" "ELF\x02\x01\x01", 7);
	h->type = 2;
	h->machine = 62;
	h->entry = 0x200000;
	h->phoff = sizeof(*h);
	h->phentsize = sizeof(*p);
	h->phnum = 1;
	*p = (struct elf64_phdr_t){ 1, 5, SEG_OFF, 0xffffffff80200000ull, 0x200000, SEG_FILESZ, 0x1000, 0 };
	assert_int_equal(load(&e, "", 0, NULL), 0);
	assert_int_equal(e.eip, 0x200000);
	assert_memory_equal(ram + 0x200000, img + SEG_OFF, SEG_FILESZ);
	assert_int_equal(ram[0x200000 + SEG_FILESZ], 0);
}

static void test_aout_kludge(void **state)
{
	struct loader_entry e;

	(void)state;
	/* the file from offset 0 loads at 0x300000; header at file offset HDR_OFF */
	set_mb_header(MB1_FLAG_AOUT_KLUDGE);
	mbh()->header_addr = 0x300000 + HDR_OFF;
	mbh()->load_addr = 0x300000;
	mbh()->load_end_addr = 0x300000 + 0x2000;
	mbh()->bss_end_addr = 0x300000 + 0x5000;
	mbh()->entry_addr = 0x300000 + 0x1000;
	memset(img, 0x11, HDR_OFF);
	assert_int_equal(load(&e, "", 0, NULL), 0);
	assert_int_equal(e.eip, 0x301000);
	assert_memory_equal(ram + 0x300000, img, 0x2000);
	for (unsigned i = 0x2000; i < 0x5000; i++)
		assert_int_equal(ram[0x300000 + i], 0);
	assert_int_equal(ram[0x305000], RAM_POISON);
	/* load_end_addr 0 = the rest of the file */
	mbh()->load_end_addr = 0;
	mbh()->bss_end_addr = 0;
	assert_int_equal(load(&e, "", 0, NULL), 0);
	assert_memory_equal(ram + 0x300000, img, sizeof(img));
}

static void expect_reject(int want)
{
	struct loader_entry e;

	memset(ram, RAM_POISON, RAM_SIZE);
	err[0] = 0;
	assert_int_equal(load(&e, "", 0, NULL), want);
	assert_true(strlen(err) > 10);
}

static void test_rejects_bad_header(void **state)
{
	(void)state;
	mbh()->checksum++;
	expect_reject(-TERN_ENOEXEC);
	/* a valid header beyond the first 8 KiB does not count */
	build_elf32();
	memset(mbh(), 0, sizeof(struct mb1_header));
	memcpy(img + 0x2000, (const u32[]){ MB1_HEADER_MAGIC, 0, -MB1_HEADER_MAGIC }, 12);
	expect_reject(-TERN_ENOEXEC);
	/* a required feature tern lacks (a video mode) */
	build_elf32();
	set_mb_header(MB1_FLAG_VIDEO);
	expect_reject(-TERN_EOPNOTSUPP);
	/* not ELF and no a.out kludge */
	build_elf32();
	img[0] = 0;
	expect_reject(-TERN_ENOEXEC);
	/* wrong machine */
	build_elf32();
	eh()->machine = 40;
	expect_reject(-TERN_ENOEXEC);
}

static void test_rejects_bad_segments(void **state)
{
	(void)state;
	ph()->filesz = SEG_MEMSZ + 1;                /* filesz > memsz */
	expect_reject(-TERN_ENOEXEC);
	build_elf32();
	ph()->offset = IMG_SIZE - 0x10;              /* file data past the end */
	expect_reject(-TERN_ENOEXEC);
	build_elf32();
	ph()->paddr = RAM_SIZE - 0x1000;             /* bss runs past RAM */
	expect_reject(-TERN_ENOSPC);
	build_elf32();
	ph()->paddr = 0xfffff000;                    /* paddr + memsz wraps in 32 bits... */
	expect_reject(-TERN_ENOSPC);
	build_elf32();
	ph()->paddr = MB1_INFO_BASE + 0x100;         /* on top of the boot information */
	expect_reject(-TERN_ENOSPC);
	build_elf32();
	eh()->phoff = IMG_SIZE - 16;                 /* program headers past the file */
	expect_reject(-TERN_ENOEXEC);
	build_elf32();
	ph()->type = 4;                              /* nothing loadable */
	expect_reject(-TERN_ENOEXEC);
	build_elf32();
	eh()->entry = RAM_SIZE + 4;                  /* entry outside RAM */
	expect_reject(-TERN_ENOEXEC);
	build_elf32();
	eh()->phentsize = 8;
	expect_reject(-TERN_ENOEXEC);
}

static void test_rejects_truncated_file(void **state)
{
	struct loader_image li = { img, SEG_OFF + 0x10, "", 0, NULL };
	struct loader_entry e;

	(void)state;
	assert_int_equal(loader_mb1_load(NULL, &li, &e, err, sizeof(err)), -TERN_ENOEXEC);
	li.size = 40;   /* cut inside the ELF header, before the multiboot header */
	assert_int_equal(loader_mb1_load(NULL, &li, &e, err, sizeof(err)), -TERN_ENOEXEC);
	/* nothing was written to RAM by the failed loads */
	assert_int_equal(ram[SEG_PADDR], RAM_POISON);
}

static void test_rejects_bad_aout(void **state)
{
	(void)state;
	set_mb_header(MB1_FLAG_AOUT_KLUDGE);
	mbh()->header_addr = 0x300000 + HDR_OFF;
	mbh()->load_addr = 0x300000;
	mbh()->load_end_addr = 0x300000 + IMG_SIZE + 1;  /* past the file */
	mbh()->entry_addr = 0x300000;
	expect_reject(-TERN_ENOEXEC);
	mbh()->load_end_addr = 0x300000 + 0x100;
	mbh()->bss_end_addr = 0x300000 + 0x80;           /* bss ends before load end */
	expect_reject(-TERN_ENOEXEC);
	mbh()->bss_end_addr = 0;
	mbh()->load_addr = 0x300000 + HDR_OFF + 4;       /* load_addr after header_addr */
	expect_reject(-TERN_ENOEXEC);
	mbh()->load_addr = 0x300000 - HDR_OFF - 4;       /* would start before the file */
	expect_reject(-TERN_ENOEXEC);
}

static void test_rejects_modules_and_cmdline_overflow(void **state)
{
	static char huge[MB1_INFO_SIZE + 16];
	const struct loader_module big = { "big", ram, RAM_SIZE };
	struct loader_entry e;

	(void)state;
	assert_int_equal(load(&e, "", 1, &big), -TERN_ENOSPC);
	memset(huge, 'x', sizeof(huge) - 1);
	assert_int_equal(load(&e, huge, 0, NULL), -TERN_E2BIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_good_elf32_loads_and_zeroes_bss, setup, teardown),
		cmocka_unit_test_setup_teardown(test_info_contents, setup, teardown),
		cmocka_unit_test_setup_teardown(test_info_mmap_shm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_modules_placed_after_kernel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_elf64_loads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_aout_kludge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rejects_bad_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rejects_bad_segments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rejects_truncated_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rejects_bad_aout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rejects_modules_and_cmdline_overflow, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
