/* SPDX-License-Identifier: MIT */
/* Host tests of the multiboot2 information parser (kernel/multiboot2.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/multiboot2.h"
#include "tests/unit/stub_kernel.h"

#define INFO_PHYS 0x10000ull   /* where the fake block pretends to live */

/* A multiboot2 information block under construction. */
static struct {
	u8 buf[16384] __aligned(8);
	u32 len;
} mbi;
static struct boot_info bi;
static struct mem_map map;
static char err[256];

static void mbi_begin(void)
{
	memset(&mbi, 0, sizeof(mbi));
	mbi.len = 8;
}

static u8 *mbi_tag(u32 type, u32 size)
{
	u8 *t = mbi.buf + mbi.len;

	memcpy(t, &type, 4);
	memcpy(t + 4, &size, 4);
	mbi.len += (size + 7) & ~7u;
	return t;
}

static void mbi_finish(void)
{
	mbi_tag(0, 8);
	memcpy(mbi.buf, &mbi.len, 4);
}

static void add_cmdline(const char *s)
{
	u8 *t = mbi_tag(1, (u32)(8 + strlen(s) + 1));

	strcpy((char *)t + 8, s);
}

static void add_module(u32 start, u32 end, const char *s)
{
	u8 *t = mbi_tag(3, (u32)(16 + strlen(s) + 1));

	memcpy(t + 8, &start, 4);
	memcpy(t + 12, &end, 4);
	strcpy((char *)t + 16, s);
}

struct e820 {
	u64 base, len;
	u32 type, reserved;
};

static void add_mmap(const struct e820 *e, unsigned n)
{
	u32 esize = sizeof(*e), version = 0;
	u8 *t = mbi_tag(6, 16 + n * esize);

	memcpy(t + 8, &esize, 4);
	memcpy(t + 12, &version, 4);
	memcpy(t + 16, e, n * esize);
}

static void add_default_mmap(void)
{
	static const struct e820 e[] = {
		{ 0, 0x9f000, 1, 0 },
		{ 0x100000, 0xff00000, 1, 0 },
		{ 0x5000000, 0, 2, 0 },          /* empty: dropped */
		{ 0xfec00000, 0x1000, 2, 0 },
		{ 0xfff0000, 0x10000, 3, 0 },
		{ 0x100000000ull, 0x40000000, 4, 0 },
		{ 0x200000000ull, 0x1000, 5, 0 },
		{ 0x300000000ull, 0x1000, 12, 0 },  /* unknown types are reserved */
	};

	add_mmap(e, 8);
}

/* A valid RSDP of the given revision (v2 = 36 bytes with extended checksum). */
static void make_rsdp(u8 *p, bool v2)
{
	u8 sum = 0;
	u32 len = 36;

	memset(p, 0, v2 ? 36 : 20);
	memcpy(p, "RSD PTR ", 8);
	memcpy(p + 9, "TERNAB", 6);
	p[15] = v2 ? 2 : 0;
	if (v2)
		memcpy(p + 20, &len, 4);
	for (int i = 0; i < 20; i++)
		sum = (u8)(sum + p[i]);
	p[8] = (u8)-sum;
	if (v2) {
		sum = 0;
		for (int i = 0; i < 36; i++)
			sum = (u8)(sum + p[i]);
		p[32] = (u8)-sum;
	}
}

static u8 *add_rsdp(bool v2)
{
	u8 *t = mbi_tag(v2 ? 15 : 14, v2 ? 8 + 36 : 8 + 20);

	make_rsdp(t + 8, v2);
	return t;
}

static int parse(void)
{
	return multiboot2_parse(mbi.buf, INFO_PHYS, &bi, &map, err, sizeof(err));
}

static void assert_rejected(const char *frag)
{
	assert_int_equal(parse(), -TERN_EINVAL);
	if (!strstr(err, frag))
		fail_msg("got reason '%s', expected '%s'", err, frag);
}

static void test_good_block(void **state)
{
	u8 *efi, *rsdp;
	u64 st = 0x7f000000;

	(void)state;
	mbi_begin();
	mbi_tag(2, 8 + 5);            /* boot loader name: ignored */
	add_cmdline("vm=demo.elf stats");
	add_module(0x200000, 0x201000, "demo.elf extra words");
	add_module(0x300000, 0x300000, "  lead.bin");
	add_module(0x400000, 0x400010, "");
	add_default_mmap();
	efi = mbi_tag(12, 16);
	memcpy(efi + 8, &st, 8);
	rsdp = add_rsdp(true);
	mbi_finish();

	assert_int_equal(parse(), 0);
	assert_string_equal(bi.cmdline, "vm=demo.elf stats");
	assert_int_equal(bi.nr_modules, 3);
	assert_string_equal(bi.modules[0].name, "demo.elf");
	assert_int_equal(bi.modules[0].start, 0x200000);
	assert_int_equal(bi.modules[0].end, 0x201000);
	assert_string_equal(bi.modules[1].name, "lead.bin");
	assert_int_equal(bi.modules[1].end - bi.modules[1].start, 0);
	assert_string_equal(bi.modules[2].name, "");
	assert_true(bi.uefi);
	assert_int_equal(bi.rsdp_phys, INFO_PHYS + (u64)(rsdp + 8 - mbi.buf));

	assert_int_equal(map.nr, 7);
	assert_int_equal(map.r[0].start, 0);
	assert_int_equal(map.r[0].end, 0x9f000);
	assert_int_equal(map.r[0].type, MEM_USABLE);
	assert_int_equal(map.r[2].type, MEM_RESERVED);
	assert_int_equal(map.r[3].type, MEM_ACPI_RECLAIM);
	assert_int_equal(map.r[4].type, MEM_ACPI_NVS);
	assert_int_equal(map.r[4].end, 0x140000000ull);
	assert_int_equal(map.r[5].type, MEM_BAD);
	assert_int_equal(map.r[6].type, MEM_RESERVED);
	assert_int_equal(multiboot2_info_size(mbi.buf), mbi.len);

	assert_ptr_equal(boot_module_find(&bi, "demo.elf"), &bi.modules[0]);
	assert_ptr_equal(boot_module_find(&bi, "lead.bin"), &bi.modules[1]);
	assert_null(boot_module_find(&bi, "demo"));
	assert_null(boot_module_find(&bi, ""));
	assert_null(boot_module_find(&bi, NULL));
}

static void test_bios_block_and_rsdp_choice(void **state)
{
	u8 *old, *bad;
	unsigned warnings;

	(void)state;
	mbi_begin();
	add_default_mmap();
	old = add_rsdp(false);
	mbi_finish();
	assert_int_equal(parse(), 0);
	assert_false(bi.uefi);
	assert_string_equal(bi.cmdline, "");
	assert_int_equal(bi.nr_modules, 0);
	assert_int_equal(bi.rsdp_phys, INFO_PHYS + (u64)(old + 8 - mbi.buf));

	/* The new (ACPI 2.0) copy wins over the old one, whatever the order. */
	mbi_begin();
	add_default_mmap();
	old = add_rsdp(true);
	add_rsdp(false);
	mbi_finish();
	assert_int_equal(parse(), 0);
	assert_int_equal(bi.rsdp_phys, INFO_PHYS + (u64)(old + 8 - mbi.buf));

	/* A corrupt copy is ignored with a warning; a good old one still counts. */
	mbi_begin();
	add_default_mmap();
	old = add_rsdp(false);
	bad = add_rsdp(true);
	bad[8 + 32] ^= 1;                /* extended checksum */
	mbi_finish();
	warnings = stub_log_lines;
	assert_int_equal(parse(), 0);
	assert_int_equal(stub_log_lines, warnings + 1);
	assert_int_equal(bi.rsdp_phys, INFO_PHYS + (u64)(old + 8 - mbi.buf));

	mbi_begin();
	add_default_mmap();
	bad = add_rsdp(false);
	memcpy(bad + 8, "RSD PTX ", 8);
	mbi_finish();
	assert_int_equal(parse(), 0);
	assert_int_equal(bi.rsdp_phys, 0);
}

static void test_block_framing(void **state)
{
	u32 v;

	(void)state;
	mbi_begin();
	add_default_mmap();
	mbi_finish();
	assert_int_equal(multiboot2_parse(mbi.buf, INFO_PHYS + 4, &bi, &map, err, sizeof(err)),
			 -TERN_EINVAL);
	assert_non_null(strstr(err, "not 8-byte aligned"));

	v = 8;
	memcpy(mbi.buf, &v, 4);
	assert_rejected("info block size 8 is invalid");
	v = 2 * 1024 * 1024;
	memcpy(mbi.buf, &v, 4);
	assert_rejected("info block size 2097152 is invalid");
	v = mbi.len - 4;
	memcpy(mbi.buf, &v, 4);
	assert_rejected("is invalid");

	/* Total size cutting off the end tag. */
	v = mbi.len - 8;
	memcpy(mbi.buf, &v, 4);
	assert_rejected("no end tag");

	/* A tag smaller than its header, and one running past the block. */
	mbi_begin();
	add_default_mmap();
	mbi_tag(1, 4);
	mbi_finish();
	assert_rejected("bad size 4");
	mbi_begin();
	add_default_mmap();
	mbi_finish();
	v = 4096;
	memcpy(mbi.buf + 8 + 4, &v, 4);   /* the mmap tag's size */
	assert_rejected("tag 6 at offset 8 has bad size 4096");
}

static void test_bad_cmdline_and_modules(void **state)
{
	char big[1100];
	u8 *t;

	(void)state;
	mbi_begin();
	add_default_mmap();
	t = mbi_tag(1, 8 + 4);
	memcpy(t + 8, "abcd", 4);         /* no NUL */
	mbi_finish();
	assert_rejected("not NUL-terminated");

	memset(big, 'c', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	mbi_begin();
	add_default_mmap();
	add_cmdline(big);
	mbi_finish();
	assert_rejected("command line is 1099 bytes, the limit is 1023");

	mbi_begin();
	add_default_mmap();
	add_cmdline("a");
	add_cmdline("b");
	mbi_finish();
	assert_rejected("two command line tags");

	mbi_begin();
	add_default_mmap();
	add_module(0x5000, 0x4000, "m");
	mbi_finish();
	assert_rejected("module 0 ends (0x4000) before it starts (0x5000)");

	mbi_begin();
	add_default_mmap();
	mbi_tag(3, 16);
	mbi_finish();
	assert_rejected("module tag of 16 bytes is too short");

	memset(big, 'n', 300);
	big[300] = '\0';
	mbi_begin();
	add_default_mmap();
	add_module(0x1000, 0x2000, big);
	mbi_finish();
	assert_rejected("module 0 name is longer than 255 bytes");

	mbi_begin();
	add_default_mmap();
	for (int i = 0; i <= CONFIG_MAX_BOOT_MODULES; i++)
		add_module(0x1000, 0x2000, "m");
	mbi_finish();
	assert_rejected("more than 32 modules");
}

static void test_bad_memory_map(void **state)
{
	struct e820 wrap = { 0xfffffffffffff000ull, 0x2000, 1, 0 };
	struct e820 many[MEMMAP_MAX + 1];
	u8 *t;
	u32 esize;

	(void)state;
	mbi_begin();
	add_cmdline("x");
	mbi_finish();
	assert_rejected("no memory map");

	mbi_begin();
	add_mmap(&wrap, 1);
	mbi_finish();
	assert_rejected("wraps around");

	mbi_begin();
	add_default_mmap();
	add_default_mmap();
	mbi_finish();
	assert_rejected("two memory map tags");

	mbi_begin();
	add_default_mmap();
	mbi_finish();
	t = mbi.buf + 8;
	esize = 20;
	memcpy(t + 8, &esize, 4);
	assert_rejected("entry size 20 is invalid");

	/* regression (found by fuzz_multiboot2): an entry size near 2^32 wrapped
	 * the loop bound and the parser read past the tag and the block */
	mbi_begin();
	add_default_mmap();
	mbi_finish();
	esize = 0xfffffff8u;
	memcpy(mbi.buf + 8 + 8, &esize, 4);
	(void)parse();
	assert_int_equal(map.nr, 0);

	for (unsigned i = 0; i < ARRAY_SIZE(many); i++)
		many[i] = (struct e820){ 0x100000ull * (i + 1), 0x1000, 1, 0 };
	mbi_begin();
	add_mmap(many, ARRAY_SIZE(many));
	mbi_finish();
	assert_rejected("more than 256 entries");
	mbi_begin();
	add_mmap(many, MEMMAP_MAX);
	mbi_finish();
	assert_int_equal(parse(), 0);
	assert_int_equal(map.nr, MEMMAP_MAX);

	/* Only zero-length entries: nothing usable to describe memory. */
	mbi_begin();
	wrap.len = 0;
	add_mmap(&wrap, 1);
	mbi_finish();
	assert_rejected("no memory map");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_block),
		cmocka_unit_test(test_bios_block_and_rsdp_choice),
		cmocka_unit_test(test_block_framing),
		cmocka_unit_test(test_bad_cmdline_and_modules),
		cmocka_unit_test(test_bad_memory_map),
	};

	return cmocka_run_group_tests_name("multiboot2", tests, NULL, NULL);
}
