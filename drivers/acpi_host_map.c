/* SPDX-License-Identifier: MIT */
/*
 * tern's side of the ACPI reader's platform hooks: firmware tables may lie
 * in memory tern does not map (reserved ranges), so each range is mapped
 * (uncached, read-write, no-execute) before it is read. Boot-time only,
 * on the BSP, before other CPUs run.
 */
#include "drivers/acpi_host.h"
#include "arch/x86/paging.h"
#include "arch/x86/x86.h"
#include "kernel/mm.h"

#define BDA_EBDA_SEGMENT   0x40e   /* BIOS data area: the EBDA's real-mode segment */
#define REAL_MODE_SEG_SHIFT 4
#define LOW_MEMORY_END     0x100000ull

/* Every page of [phys, phys + len) is mapped already (RAM, tern's image). */
static bool mapped(u64 phys, u64 len)
{
	for (u64 p = ALIGN_DOWN(phys, PAGE_SIZE); p < phys + len; p += PAGE_SIZE)
		if (!(paging_leaf_flags(p) & PTE_P))
			return false;
	return true;
}

/*
 * A range tern maps already is read where it is: GRUB may put the RSDP
 * copy it hands over into the padding after tern's .text, and remapping
 * that page uncached and no-execute took tern's own code with it (a #PF
 * at the first call into the page, depending on where the linker put it).
 */
const void *acpi_host_map(u64 phys, u64 len)
{
	if (phys < PAGE_SIZE || len == 0 || phys + len < phys)
		return NULL;   /* page 0 stays unmapped: NULL must fault */
	if (!mapped(phys, len) && paging_map_mmio(phys, len))
		return NULL;
	return phys_to_virt(phys);
}

/* Page 0 is mapped just long enough to read one word of the BIOS data area. */
u64 acpi_host_ebda(void)
{
	u64 addr = BDA_EBDA_SEGMENT, ebda;

	if (paging_map_mmio(0, PAGE_SIZE))
		return 0;
	__asm__("" : "+r"(addr));   /* GCC takes a constant this low for a NULL offset */
	ebda = (u64)*(volatile u16 *)phys_to_virt(addr) << REAL_MODE_SEG_SHIFT;
	if (paging_unmap_page(0))
		return 0;
	return ebda < LOW_MEMORY_END ? ebda : 0;
}
