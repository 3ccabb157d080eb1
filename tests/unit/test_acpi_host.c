/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the host ACPI reader (drivers/acpi_host.c): RSDP checks
 * and the legacy scan, RSDT/XSDT walks, MADT parsing, all on synthetic
 * tables in a fake physical memory. The fake acpi_host_map() refuses
 * anything outside that memory, and ASan catches any read past what was
 * handed out.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "drivers/acpi_host.h"

#define FAKE_MEM      0x110000u     /* [0, 1 MiB + 64 KiB) of fake physical memory */
#define EBDA_PHYS     0x9fc00u
#define BIOS_RSDP     0xf0010u
#define RSDP_PHYS     0x7000u
#define RSDT_PHYS     0x100000u
#define XSDT_PHYS     0x101000u
#define MADT_PHYS     0x102000u
#define MADT2_PHYS    0x104000u
#define OTHER_PHYS    0x106000u
#define SDT_HDR       36
#define MADT_HDR      44

static u8 *mem;
static u64 fake_ebda;
static unsigned maps;

const void *acpi_host_map(u64 phys, u64 len)
{
	maps++;
	if (len == 0 || phys >= FAKE_MEM || len > FAKE_MEM - phys)
		return NULL;
	return mem + phys;
}

u64 acpi_host_ebda(void)
{
	return fake_ebda;
}

static void put32(u8 *p, u32 v) { memcpy(p, &v, 4); }
static void put64(u8 *p, u64 v) { memcpy(p, &v, 8); }

static u8 sum(const u8 *p, size_t n)
{
	u8 s = 0;

	while (n--)
		s = (u8)(s + *p++);
	return s;
}

/* ---- builders ---- */

static void sdt_header(u8 *t, const char *sig, u32 len)
{
	memcpy(t, sig, 4);
	put32(t + 4, len);
	t[8] = 1;
	memcpy(t + 10, "TERNFW", 6);
}

static void sdt_fix(u8 *t)
{
	u32 len;

	memcpy(&len, t + 4, 4);
	t[9] = 0;
	t[9] = (u8)-sum(t, len);
}

/* A MADT at t: header, then sub-tables appended with madt_add*; madt_done fixes length and checksum. */
static u32 madt_len;

static void madt_begin(u8 *t, u32 lapic, u32 flags)
{
	memset(t, 0, 4096);
	sdt_header(t, "APIC", MADT_HDR);
	put32(t + 36, lapic);
	put32(t + 40, flags);
	madt_len = MADT_HDR;
}

static u8 *madt_add(u8 *t, u8 type, u8 len)
{
	u8 *e = t + madt_len;

	e[0] = type;
	e[1] = len;
	madt_len += len;
	return e;
}

static void madt_lapic(u8 *t, u8 uid, u8 id, u32 flags)
{
	u8 *e = madt_add(t, MADT_TYPE_LOCAL_APIC, 8);

	e[2] = uid;
	e[3] = id;
	put32(e + 4, flags);
}

static void madt_x2apic(u8 *t, u32 id, u32 flags, u32 uid)
{
	u8 *e = madt_add(t, MADT_TYPE_LOCAL_X2APIC, 16);

	put32(e + 4, id);
	put32(e + 8, flags);
	put32(e + 12, uid);
}

static void madt_ioapic(u8 *t, u8 id, u32 addr, u32 gsi)
{
	u8 *e = madt_add(t, MADT_TYPE_IO_APIC, 12);

	e[2] = id;
	put32(e + 4, addr);
	put32(e + 8, gsi);
}

static void madt_done(u8 *t)
{
	put32(t + 4, madt_len);
	sdt_fix(t);
}

static void make_rsdp(u64 at, u8 rev, u32 rsdt, u64 xsdt)
{
	u8 *p = mem + at;

	memset(p, 0, 36);
	memcpy(p, "RSD PTR ", 8);
	memcpy(p + 9, "TERNFW", 6);
	p[15] = rev;
	put32(p + 16, rsdt);
	p[8] = (u8)-sum(p, 20);
	if (rev >= 2) {
		put32(p + 20, 36);
		put64(p + 24, xsdt);
		p[32] = (u8)-sum(p, 36);
	}
}

static void make_rsdt(const u32 *entries, unsigned n)
{
	u8 *t = mem + RSDT_PHYS;

	sdt_header(t, "RSDT", SDT_HDR + 4 * n);
	for (unsigned i = 0; i < n; i++)
		put32(t + SDT_HDR + 4 * i, entries[i]);
	sdt_fix(t);
}

static void make_xsdt(const u64 *entries, unsigned n)
{
	u8 *t = mem + XSDT_PHYS;

	sdt_header(t, "XSDT", SDT_HDR + 8 * n);
	for (unsigned i = 0; i < n; i++)
		put64(t + SDT_HDR + 8 * i, entries[i]);
	sdt_fix(t);
}

/* A 4-CPU machine: RSDP rev 2 -> XSDT and RSDT -> FACP-like table, MADT. */
static void make_machine(void)
{
	u8 *m = mem + MADT_PHYS, *o = mem + OTHER_PHYS;
	u32 r[2] = { OTHER_PHYS, MADT_PHYS };
	u64 x[2] = { OTHER_PHYS, MADT_PHYS };

	sdt_header(o, "FACP", SDT_HDR);
	sdt_fix(o);
	madt_begin(m, 0xfee00000, 1);
	for (u8 i = 0; i < 4; i++)
		madt_lapic(m, i, i, 1);
	madt_ioapic(m, 2, 0xfec00000, 0);
	madt_done(m);
	make_rsdt(r, 2);
	make_xsdt(x, 2);
	make_rsdp(RSDP_PHYS, 2, RSDT_PHYS, XSDT_PHYS);
}

static int setup(void **state)
{
	mem = calloc(1, FAKE_MEM);
	fake_ebda = 0;
	maps = 0;
	return mem ? 0 : -1;
}

static int teardown(void **state)
{
	free(mem);
	return 0;
}

/* Parse the MADT built at MADT_PHYS from an exact-size heap copy (ASan sees overreads). */
static int parse_copy(u32 len, struct acpi_host_info *info)
{
	u8 *copy = malloc(len ? len : 1);
	int ret;

	memcpy(copy, mem + MADT_PHYS, len);
	ret = acpi_madt_parse(copy, len, info);
	free(copy);
	return ret;
}

/* ---- MADT ---- */

static void test_madt_cpus_and_ioapics(void **state)
{
	u8 *m = mem + MADT_PHYS;
	struct acpi_host_info info;

	madt_begin(m, 0xfee00000, 1);
	madt_lapic(m, 0, 0, 1);
	madt_lapic(m, 1, 2, 0);           /* disabled */
	madt_lapic(m, 2, 4, 3);           /* enabled (online-capable bit also set) */
	madt_ioapic(m, 8, 0xfec00000, 0);
	madt_ioapic(m, 9, 0xfec01000, 24);
	madt_x2apic(m, 300, 1, 7);
	madt_x2apic(m, 301, 2, 8);        /* online capable only: not enabled */
	madt_done(m);
	assert_int_equal(parse_copy(madt_len, &info), 0);
	assert_int_equal(info.nr_cpus, 3);
	assert_int_equal(info.cpus[0].apic_id, 0);
	assert_int_equal(info.cpus[1].apic_id, 4);
	assert_int_equal(info.cpus[1].uid, 2);
	assert_int_equal(info.cpus[2].apic_id, 300);
	assert_int_equal(info.cpus[2].uid, 7);
	assert_int_equal(info.nr_disabled, 2);
	assert_int_equal(info.nr_dropped, 0);
	assert_int_equal(info.nr_ioapics, 2);
	assert_int_equal(info.ioapics[1].id, 9);
	assert_int_equal(info.ioapics[1].addr, 0xfec01000);
	assert_int_equal(info.ioapics[1].gsi_base, 24);
	assert_true(info.has_8259);
	assert_int_equal(info.lapic_phys, 0xfee00000);
}

static void test_madt_duplicates_and_placeholder_ids(void **state)
{
	u8 *m = mem + MADT_PHYS;
	struct acpi_host_info info;

	madt_begin(m, 0xfee00000, 0);
	madt_lapic(m, 0, 0, 1);
	madt_lapic(m, 1, 0xff, 1);        /* 0xff: described by an x2APIC entry */
	madt_x2apic(m, 0, 1, 0);          /* the same CPU again */
	madt_x2apic(m, 1, 1, 1);
	madt_done(m);
	assert_int_equal(parse_copy(madt_len, &info), 0);
	assert_int_equal(info.nr_cpus, 2);
	assert_int_equal(info.cpus[1].apic_id, 1);
	assert_false(info.has_8259);
}

static void test_madt_too_many_cpus(void **state)
{
	u8 *m = mem + MADT_PHYS;
	struct acpi_host_info info;

	madt_begin(m, 0xfee00000, 0);
	for (unsigned i = 0; i < ACPI_HOST_MAX_CPUS + 6; i++)
		madt_x2apic(m, i, 1, i);
	madt_done(m);
	assert_int_equal(parse_copy(madt_len, &info), 0);
	assert_int_equal(info.nr_cpus, ACPI_HOST_MAX_CPUS);
	assert_int_equal(info.nr_dropped, 6);
}

static void test_madt_lapic_override_and_unknown_types(void **state)
{
	u8 *m = mem + MADT_PHYS, *e;
	struct acpi_host_info info;

	madt_begin(m, 0xfee00000, 0);
	e = madt_add(m, 2, 10);           /* interrupt source override: skipped */
	e[2] = 0;
	madt_add(m, 0x7f, 3);             /* unknown type, odd length: skipped */
	e = madt_add(m, MADT_TYPE_LAPIC_ADDR_OVERRIDE, 12);
	put64(e + 4, 0x123456789000ull);
	madt_lapic(m, 0, 0, 1);
	madt_done(m);
	assert_int_equal(parse_copy(madt_len, &info), 0);
	assert_int_equal(info.lapic_phys, 0x123456789000ull);
	assert_int_equal(info.nr_cpus, 1);
}

static void test_madt_bad_checksum_and_signature(void **state)
{
	u8 *m = mem + MADT_PHYS;
	struct acpi_host_info info;

	madt_begin(m, 0xfee00000, 0);
	madt_lapic(m, 0, 0, 1);
	madt_done(m);
	m[20] ^= 1;
	assert_int_equal(parse_copy(madt_len, &info), -TERN_EINVAL);
	m[20] ^= 1;
	m[0] = 'X';
	sdt_fix(m);
	assert_int_equal(parse_copy(madt_len, &info), -TERN_EINVAL);
	assert_int_equal(acpi_madt_parse(NULL, 100, &info), -TERN_EINVAL);
}

static void test_madt_truncated(void **state)
{
	u8 *m = mem + MADT_PHYS;
	struct acpi_host_info info;

	madt_begin(m, 0xfee00000, 0);
	madt_lapic(m, 0, 0, 1);
	madt_lapic(m, 1, 1, 1);
	madt_done(m);
	/* the header claims more than the caller could map */
	assert_int_equal(parse_copy(madt_len - 1, &info), -TERN_EINVAL);
	assert_int_equal(parse_copy(MADT_HDR - 1, &info), -TERN_EINVAL);
	assert_int_equal(parse_copy(10, &info), -TERN_EINVAL);
	/* a length smaller than the MADT header */
	put32(m + 4, SDT_HDR);
	sdt_fix(m);
	assert_int_equal(parse_copy(madt_len, &info), -TERN_EINVAL);
}

static void test_madt_bad_subtables(void **state)
{
	u8 *m = mem + MADT_PHYS, *e;
	struct acpi_host_info info;

	/* zero-length entry: must not loop forever */
	madt_begin(m, 0xfee00000, 0);
	madt_lapic(m, 0, 0, 1);
	madt_add(m, MADT_TYPE_LOCAL_APIC, 0);
	madt_len += 6;
	madt_done(m);
	assert_int_equal(parse_copy(madt_len, &info), -TERN_EINVAL);

	/* a local APIC entry shorter than its type needs */
	madt_begin(m, 0xfee00000, 0);
	e = madt_add(m, MADT_TYPE_LOCAL_APIC, 6);
	e[3] = 1;
	madt_done(m);
	assert_int_equal(parse_copy(madt_len, &info), -TERN_EINVAL);

	/* an x2APIC entry running past the table's end */
	madt_begin(m, 0xfee00000, 0);
	madt_lapic(m, 0, 0, 1);
	madt_x2apic(m, 5, 1, 5);
	madt_len -= 4;
	madt_done(m);
	assert_int_equal(parse_copy(madt_len, &info), -TERN_EINVAL);

	/* one byte left over: not even a sub-table header */
	madt_begin(m, 0xfee00000, 0);
	madt_lapic(m, 0, 0, 1);
	madt_len += 1;
	madt_done(m);
	assert_int_equal(parse_copy(madt_len, &info), -TERN_EINVAL);
}

/* Random corruption of a valid MADT (checksum fixed up): never a crash or an overread. */
static void test_madt_random_corruption(void **state)
{
	u8 *m = mem + MADT_PHYS;
	struct acpi_host_info info;
	u32 len;

	srand(6);
	for (unsigned round = 0; round < 20000; round++) {
		madt_begin(m, 0xfee00000, 1);
		madt_lapic(m, 0, 0, 1);
		madt_x2apic(m, 1, 1, 1);
		madt_ioapic(m, 0, 0xfec00000, 0);
		madt_lapic(m, 2, 2, 1);
		madt_done(m);
		len = madt_len;
		for (unsigned k = 0; k < 1 + (unsigned)rand() % 4; k++)
			m[SDT_HDR + (unsigned)rand() % (len - SDT_HDR)] = (u8)rand();
		if (rand() % 4 == 0)
			put32(m + 4, (u32)rand() % (len + 8));
		sdt_fix(m);
		(void)parse_copy(len, &info);
		if (!parse_copy(len, &info))
			assert_true(info.nr_cpus <= ACPI_HOST_MAX_CPUS);
	}
}

/* ---- RSDP ---- */

static void test_rsdp_versions(void **state)
{
	u64 rsdt, xsdt;

	make_rsdp(RSDP_PHYS, 0, 0x1234, 0);
	assert_int_equal(acpi_rsdp_check(mem + RSDP_PHYS, 20, &rsdt, &xsdt), 0);
	assert_int_equal(rsdt, 0x1234);
	assert_int_equal(xsdt, 0);
	assert_int_equal(acpi_rsdp_check(mem + RSDP_PHYS, 19, &rsdt, &xsdt), -TERN_EINVAL);

	make_rsdp(RSDP_PHYS, 2, 0x1234, 0x123456789000ull);
	assert_int_equal(acpi_rsdp_check(mem + RSDP_PHYS, 36, &rsdt, &xsdt), 0);
	assert_int_equal(xsdt, 0x123456789000ull);
	assert_int_equal(acpi_rsdp_check(mem + RSDP_PHYS, 35, &rsdt, &xsdt), -TERN_EINVAL);
}

static void test_rsdp_bad(void **state)
{
	u8 *p = mem + RSDP_PHYS;
	u64 rsdt, xsdt;

	make_rsdp(RSDP_PHYS, 0, 0x1234, 0);
	p[16] ^= 1;                       /* v1 checksum */
	assert_int_equal(acpi_rsdp_check(p, 20, &rsdt, &xsdt), -TERN_EINVAL);
	make_rsdp(RSDP_PHYS, 0, 0x1234, 0);
	p[0] = 'r';
	assert_int_equal(acpi_rsdp_check(p, 20, &rsdt, &xsdt), -TERN_EINVAL);

	make_rsdp(RSDP_PHYS, 2, 0x1234, 0x5000);
	p[24] ^= 1;                       /* extended checksum only */
	assert_int_equal(acpi_rsdp_check(p, 36, &rsdt, &xsdt), -TERN_EINVAL);

	make_rsdp(RSDP_PHYS, 2, 0x1234, 0x5000);
	put32(p + 20, 20);                /* length below the v2 size */
	p[32] = 0;
	p[32] = (u8)-sum(p, 36);
	assert_int_equal(acpi_rsdp_check(p, 36, &rsdt, &xsdt), -TERN_EINVAL);

	make_rsdp(RSDP_PHYS, 2, 0x1234, 0x5000);
	put32(p + 20, 40);                /* more than is readable */
	p[32] = 0;
	p[32] = (u8)-sum(p, 36);
	assert_int_equal(acpi_rsdp_check(p, 36, &rsdt, &xsdt), -TERN_EINVAL);
	assert_int_equal(acpi_rsdp_check(NULL, 36, &rsdt, &xsdt), -TERN_EINVAL);
}

static void test_rsdp_scan(void **state)
{
	u64 phys;

	assert_int_equal(acpi_rsdp_scan(&phys), -TERN_ENOENT);

	make_rsdp(BIOS_RSDP + 8, 0, RSDT_PHYS, 0);   /* not on a 16-byte boundary */
	assert_int_equal(acpi_rsdp_scan(&phys), -TERN_ENOENT);

	make_rsdp(BIOS_RSDP, 0, RSDT_PHYS, 0);
	assert_int_equal(acpi_rsdp_scan(&phys), 0);
	assert_int_equal(phys, BIOS_RSDP);

	fake_ebda = EBDA_PHYS;
	make_rsdp(EBDA_PHYS + 0x40, 2, RSDT_PHYS, XSDT_PHYS);
	assert_int_equal(acpi_rsdp_scan(&phys), 0);
	assert_int_equal(phys, EBDA_PHYS + 0x40);

	/* a broken copy in the EBDA: the BIOS area's good one wins */
	mem[EBDA_PHYS + 0x40 + 8] ^= 1;
	assert_int_equal(acpi_rsdp_scan(&phys), 0);
	assert_int_equal(phys, BIOS_RSDP);

	/* an EBDA pointer into the BIOS area itself is not believed */
	fake_ebda = 0xfffff;
	assert_int_equal(acpi_rsdp_scan(&phys), 0);
	assert_int_equal(phys, BIOS_RSDP);
}

/* ---- root tables ---- */

static void test_find_through_xsdt(void **state)
{
	u64 phys;
	u32 len;

	make_machine();
	assert_int_equal(acpi_find_table(RSDP_PHYS, "APIC", &phys, &len), 0);
	assert_int_equal(phys, MADT_PHYS);
	assert_int_equal(len, MADT_HDR + 4 * 8 + 12);
	assert_int_equal(acpi_find_table(RSDP_PHYS, "FACP", &phys, &len), 0);
	assert_int_equal(phys, OTHER_PHYS);
	assert_int_equal(acpi_find_table(RSDP_PHYS, "HPET", &phys, &len), -TERN_ENOENT);
}

static void test_find_falls_back_to_rsdt(void **state)
{
	u64 x[1] = { MADT2_PHYS };
	u64 phys;
	u32 len;

	make_machine();
	mem[XSDT_PHYS + 10] ^= 1;         /* XSDT checksum broken */
	assert_int_equal(acpi_find_table(RSDP_PHYS, "APIC", &phys, &len), 0);
	assert_int_equal(phys, MADT_PHYS);

	/* a valid XSDT that does not list it: no fallback (only a bad XSDT falls back) */
	make_xsdt(x, 0);
	assert_int_equal(acpi_find_table(RSDP_PHYS, "APIC", &phys, &len), -TERN_ENOENT);

	/* revision 0: RSDT only */
	make_rsdp(RSDP_PHYS, 0, RSDT_PHYS, 0);
	assert_int_equal(acpi_find_table(RSDP_PHYS, "APIC", &phys, &len), 0);
	assert_int_equal(phys, MADT_PHYS);
}

static void test_find_skips_bad_entries(void **state)
{
	u64 x[4] = { 0, 0x7fffffffffffull, MADT2_PHYS, MADT_PHYS };
	u8 *bad = mem + MADT2_PHYS;
	u64 phys;
	u32 len;

	make_machine();
	/* MADT2: right signature, broken checksum: skipped for the good one after it */
	madt_begin(bad, 0xfee00000, 0);
	madt_lapic(bad, 0, 0, 1);
	madt_done(bad);
	bad[12] ^= 1;
	make_xsdt(x, 4);
	assert_int_equal(acpi_find_table(RSDP_PHYS, "APIC", &phys, &len), 0);
	assert_int_equal(phys, MADT_PHYS);

	/* only the bad one: reported as malformed, and the RSDT is tried next */
	make_xsdt(x, 3);
	make_rsdt(NULL, 0);
	assert_int_equal(acpi_find_table(RSDP_PHYS, "APIC", &phys, &len), -TERN_EINVAL);
}

static void test_find_distrusts_lengths(void **state)
{
	u8 *x = mem + XSDT_PHYS, *m = mem + MADT_PHYS;
	u64 phys;
	u32 len;

	make_machine();
	/* an XSDT claiming to be huge: refused (the RSDT still works) */
	put32(x + 4, ACPI_TABLE_MAX + 1);
	assert_int_equal(acpi_find_table(RSDP_PHYS, "APIC", &phys, &len), 0);
	make_rsdt(NULL, 0);
	assert_int_equal(acpi_find_table(RSDP_PHYS, "APIC", &phys, &len), -TERN_EINVAL);
	/* one claiming less than a header */
	put32(x + 4, SDT_HDR - 1);
	assert_int_equal(acpi_find_table(RSDP_PHYS, "APIC", &phys, &len), -TERN_EINVAL);

	/* a MADT whose length runs past the end of memory */
	make_machine();
	put32(m + 4, FAKE_MEM);
	assert_int_equal(acpi_find_table(RSDP_PHYS, "APIC", &phys, &len), -TERN_EINVAL);

	/* a table right at the end of memory with a header that would cross it */
	make_machine();
	put64(x + SDT_HDR + 8, FAKE_MEM - 10);
	sdt_fix(x);
	assert_int_equal(acpi_find_table(RSDP_PHYS, "APIC", &phys, &len), -TERN_ENOENT);

	/* an RSDP nobody can map */
	assert_int_equal(acpi_find_table(FAKE_MEM + 0x1000, "APIC", &phys, &len), -TERN_EINVAL);
}

static void test_host_read(void **state)
{
	struct acpi_host_info info;

	make_machine();
	assert_int_equal(acpi_host_read(RSDP_PHYS, &info), 0);
	assert_int_equal(info.nr_cpus, 4);
	assert_int_equal(info.cpus[3].apic_id, 3);
	assert_int_equal(info.nr_ioapics, 1);

	/* no RSDP from the boot loader: found by the scan */
	assert_int_equal(acpi_host_read(0, &info), -TERN_ENOENT);
	make_rsdp(BIOS_RSDP, 2, RSDT_PHYS, XSDT_PHYS);
	assert_int_equal(acpi_host_read(0, &info), 0);
	assert_int_equal(info.nr_cpus, 4);
	assert_true(maps > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_madt_cpus_and_ioapics, setup, teardown),
		cmocka_unit_test_setup_teardown(test_madt_duplicates_and_placeholder_ids, setup, teardown),
		cmocka_unit_test_setup_teardown(test_madt_too_many_cpus, setup, teardown),
		cmocka_unit_test_setup_teardown(test_madt_lapic_override_and_unknown_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_madt_bad_checksum_and_signature, setup, teardown),
		cmocka_unit_test_setup_teardown(test_madt_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_madt_bad_subtables, setup, teardown),
		cmocka_unit_test_setup_teardown(test_madt_random_corruption, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rsdp_versions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rsdp_bad, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rsdp_scan, setup, teardown),
		cmocka_unit_test_setup_teardown(test_find_through_xsdt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_find_falls_back_to_rsdt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_find_skips_bad_entries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_find_distrusts_lengths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_read, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
