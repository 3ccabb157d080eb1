/* SPDX-License-Identifier: MIT */
/*
 * The host's ACPI tables, read once at boot: RSDP (from the boot loader,
 * else found in the EBDA or the BIOS area), RSDT/XSDT, and the MADT, which
 * lists the CPUs and I/O APICs. Every checksum and length is checked; a
 * length is never trusted beyond the bytes actually mapped. The parser is
 * plain C, also built into host tests, which supply the two platform
 * hooks at the end of this header.
 */
#ifndef TERN_DRIVERS_ACPI_HOST_H
#define TERN_DRIVERS_ACPI_HOST_H

#include "kernel/lib/types.h"

#define ACPI_HOST_MAX_CPUS    64     /* = PCPU_MAX: more enabled CPUs are counted, not kept */
#define ACPI_HOST_MAX_IOAPICS 8
#define ACPI_TABLE_MAX        (256 * 1024)   /* a larger header length is refused */

/* ACPI 6.x 5.2.12: MADT interrupt controller structure types tern reads. */
#define MADT_TYPE_LOCAL_APIC        0
#define MADT_TYPE_IO_APIC           1
#define MADT_TYPE_LAPIC_ADDR_OVERRIDE 5
#define MADT_TYPE_LOCAL_X2APIC      9

struct acpi_host_cpu {
	u32 apic_id;
	u32 uid;           /* ACPI processor UID */
};

struct acpi_host_ioapic {
	u32 id;
	u32 addr;          /* MMIO base */
	u32 gsi_base;
};

struct acpi_host_info {
	u64 lapic_phys;    /* LAPIC base, the 64-bit override applied */
	bool has_8259;     /* MADT PCAT_COMPAT: dual 8259s present */
	unsigned nr_cpus;  /* enabled CPUs kept in cpus[], MADT order, no duplicate ids */
	unsigned nr_dropped;   /* enabled CPUs beyond ACPI_HOST_MAX_CPUS */
	unsigned nr_disabled;  /* CPUs listed but not enabled (not started) */
	struct acpi_host_cpu cpus[ACPI_HOST_MAX_CPUS];
	unsigned nr_ioapics;
	struct acpi_host_ioapic ioapics[ACPI_HOST_MAX_IOAPICS];
};

/*
 * Parse a MADT of len bytes (the whole table, header included; len is
 * what the caller could map, the header's length must fit in it) into
 * out (zeroed first). Returns 0, or -TERN_EINVAL for a bad signature,
 * checksum, length or sub-table, with out unusable.
 */
int acpi_madt_parse(const void *madt, size_t len, struct acpi_host_info *out);

/*
 * Check an RSDP of avail readable bytes (20 bytes for revision 0, its
 * length field for 2 and later, both checksums) and return the RSDT and
 * XSDT addresses (xsdt 0 for revision 0). Returns 0 or -TERN_EINVAL.
 */
int acpi_rsdp_check(const void *rsdp, size_t avail, u64 *rsdt, u64 *xsdt);

/*
 * Find the RSDP the legacy way: the first KiB of the EBDA, then
 * 0xe0000-0xfffff, on 16-byte boundaries. Returns 0 with *phys set, or
 * -TERN_ENOENT.
 */
int acpi_rsdp_scan(u64 *phys);

/*
 * Find the table with signature sig (4 chars) through the RSDP at
 * rsdp_phys (XSDT preferred, RSDT if the XSDT is bad); checks the root
 * table and the found table's checksum. Returns 0 with *phys and *len
 * set, -TERN_ENOENT, or -TERN_EINVAL for a malformed table on the way.
 */
int acpi_find_table(u64 rsdp_phys, const char *sig, u64 *phys, u32 *len);

/*
 * Everything above: the RSDP at rsdp_phys (0: scan for it), its MADT,
 * parsed into out. Returns 0 or the first error.
 */
int acpi_host_read(u64 rsdp_phys, struct acpi_host_info *out);

/* ---- platform hooks (drivers/acpi_host_map.c in tern; the tests' fakes) ---- */

/* Make [phys, phys+len) readable; its address, or NULL when it cannot be. */
const void *acpi_host_map(u64 phys, u64 len);

/* The EBDA's physical address from the BIOS data area (segment at 0x40e << 4), 0 if none. */
u64 acpi_host_ebda(void);

#endif
