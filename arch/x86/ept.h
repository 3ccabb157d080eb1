/* SPDX-License-Identifier: MIT */
/*
 * EPT: 4-level extended page tables mapping guest RAM (and the VM's shared-
 * memory regions) write-back; nothing else is mapped, so any other
 * guest-physical access is an EPT violation.
 */
#ifndef TERN_ARCH_X86_EPT_H
#define TERN_ARCH_X86_EPT_H

#include "kernel/lib/types.h"

#define EPT_READ            BIT64(0)
#define EPT_WRITE           BIT64(1)
#define EPT_EXEC            BIT64(2)
#define EPT_RWX             (EPT_READ | EPT_WRITE | EPT_EXEC)
#define EPT_MEMTYPE_SHIFT   3
#define EPT_MEMTYPE_WB      6ull
#define EPT_LARGE           BIT64(7)
#define EPT_ADDR_MASK       0x000ffffffffff000ull
#define EPT_LEVELS          4
#define EPT_ENTRIES         512
#define EPTP_WALK_SHIFT     3      /* EPTP bits 5:3 = page-walk length - 1 */

/* Page sizes a mapping may use. */
struct ept_sizes {
	bool use_2m;
	bool use_1g;
};

/* An empty EPT root (PML4); NULL when out of memory. */
u64 *ept_create(void);

/*
 * Map guest-physical [gpa, gpa+len) to host-physical [hpa, hpa+len), RWX,
 * write-back, with the largest pages alignment and sizes allow. All three
 * must be 4 KiB aligned. 0 or -TERN_ENOMEM / -TERN_EINVAL / -TERN_EEXIST.
 */
int ept_map(u64 *pml4, u64 gpa, u64 hpa, u64 len, const struct ept_sizes *sizes);

/* Free every table of the EPT (not the memory it maps). */
void ept_destroy(u64 *pml4);

/* The EPT pointer for the VMCS: root, write-back walks, 4 levels. */
u64 ept_pointer(const u64 *pml4);

/* Count of 4K, 2M and 1G leaves (for the boot log and tests). */
void ept_count(const u64 *pml4, u64 counts[3]);

#endif
