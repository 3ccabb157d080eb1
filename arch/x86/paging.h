/* SPDX-License-Identifier: MIT */
/*
 * tern's own page tables (host, not EPT): an identity map of RAM and of
 * the device windows tern uses. One set of tables shared by every CPU.
 */
#ifndef TERN_ARCH_PAGING_H
#define TERN_ARCH_PAGING_H

#include "kernel/lib/types.h"

struct mem_map;
struct mem_range;

#define HOST_LAPIC_BASE    0xfee00000ull
#define HOST_LAPIC_SIZE    0x1000ull
#define HOST_IOAPIC_BASE   0xfec00000ull
#define HOST_IOAPIC_SIZE   0x100000ull   /* room for several IOAPICs */

/*
 * Build the final tables and switch to them: usable and ACPI RAM from map
 * and the ranges in extra (boot information, modules, low memory) as
 * read-write no-execute; tern's image with .text read-only executable,
 * .rodata read-only, data no-execute; the boot stack guard and page 0 not
 * mapped; the host LAPIC and IOAPIC windows uncached. Enables EFER.NXE
 * when the CPU has it. Needs page_alloc(). Returns 0 or -TERN_ENOMEM.
 */
int paging_init(const struct mem_map *map, const struct mem_range *extra, unsigned nextra);

/*
 * Identity-map [phys, phys+len) uncached, read-write, no-execute (a host
 * device window). Safe while other CPUs run unless it splits a large page
 * they use. Returns 0, -TERN_EINVAL or -TERN_ENOMEM.
 */
int paging_map_mmio(u64 phys, u64 len);

/*
 * Unmap the 4 KiB page at va (a stack guard) on this CPU's view; other
 * CPUs must not have used the page. Returns 0 or -TERN_ENOMEM.
 */
int paging_unmap_page(u64 va);

/*
 * Hardening checks (the boot self-check line): how many present leaves are
 * both writable and executable (W^X holds when 0; ~0 before paging_init),
 * and the flags of the leaf mapping va (PTE_* bits, 0 when not mapped).
 */
u64 paging_count_wx(void);
u64 paging_leaf_flags(u64 va);

/* The physical address of the top-level table (what CR3 holds), for VMX host state. */
u64 paging_root(void);

#endif
