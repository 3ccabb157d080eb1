/* SPDX-License-Identifier: MIT */
/*
 * tern's GDT: one per CPU (a TSS descriptor is per CPU), the same layout
 * everywhere. Selectors are usable from assembly.
 */
#ifndef TERN_ARCH_GDT_H
#define TERN_ARCH_GDT_H

#ifdef __ASSEMBLY__
#define X86_DESC_BIT(shift, val) ((val) << (shift))
#else
#define X86_DESC_BIT(shift, val) ((u64)(val) << (shift))
#endif

#define GDT_SEL_NULL     0x00
#define GDT_SEL_KERN_CS  0x08   /* 64-bit ring-0 code */
#define GDT_SEL_KERN_DS  0x10   /* ring-0 data (also SS) */
#define GDT_SEL_TSS      0x18   /* 16-byte 64-bit TSS descriptor */
#define GDT_ENTRIES      5
#define GDT_SEL_INDEX(sel) ((sel) >> 3)   /* drop RPL and TI */

/* Segment descriptor fields (SDM Vol. 3 3.4.5), usable from assembly. */
#define DESC_LIMIT_LO_FLAT  0xffff                /* limit[15:0] of a flat segment */
#define DESC_LIMIT_HI_FLAT  X86_DESC_BIT(48, 0xf) /* limit[19:16] */
#define DESC_TYPE_DATA_RW   X86_DESC_BIT(40, 0x2)
#define DESC_TYPE_CODE_XR   X86_DESC_BIT(40, 0xa)
#define DESC_TYPE_TSS_AVAIL X86_DESC_BIT(40, 0x9)
#define DESC_S_CODE_DATA    X86_DESC_BIT(44, 1)
#define DESC_PRESENT        X86_DESC_BIT(47, 1)
#define DESC_LONG           X86_DESC_BIT(53, 1)
#define DESC_DB_32BIT       X86_DESC_BIT(54, 1)
#define DESC_GRAN_4K        X86_DESC_BIT(55, 1)
#define DESC_FLAT           (DESC_LIMIT_LO_FLAT | DESC_LIMIT_HI_FLAT | DESC_GRAN_4K | \
			     DESC_PRESENT | DESC_S_CODE_DATA)
/* Flat limits keep the descriptors valid for 32-bit code and VMX host-state checks. */
#define GDT_DESC_KERN_CODE  (DESC_FLAT | DESC_TYPE_CODE_XR | DESC_LONG)
#define GDT_DESC_KERN_DATA  (DESC_FLAT | DESC_TYPE_DATA_RW | DESC_DB_32BIT)

/* Interrupt stack table slots (1-based, as the IDT gate's IST field uses them). */
#define IST_DOUBLE_FAULT 1
#define IST_NMI          2
#define IST_MACHINE_CHECK 3
#define IST_COUNT        3
#define IST_STACK_SIZE   8192

#ifndef __ASSEMBLY__

#include "kernel/lib/types.h"

/* The 64-bit TSS: tern uses only the IST pointers (no ring change, no I/O bitmap). */
struct tss64 {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} __packed;

struct gdt_cpu {
	u64 gdt[GDT_ENTRIES] __aligned(16);
	struct tss64 tss __aligned(16);
};

/*
 * Fill cpu's GDT and TSS (ist_tops[i] = top of the stack for IST slot i+1),
 * load GDTR and TR and reload CS/DS/ES/SS. FS and GS are left alone so the
 * GS base (this_cpu()) survives.
 */
void gdt_init_cpu(struct gdt_cpu *cpu, const u64 ist_tops[IST_COUNT]);

#endif /* !__ASSEMBLY__ */
#endif
