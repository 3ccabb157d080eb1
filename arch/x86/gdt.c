/* SPDX-License-Identifier: MIT */
#include "arch/x86/gdt.h"
#include "arch/x86/x86.h"

/* TSS descriptor layout beyond the common fields (SDM Vol. 3 7.2.3). */
#define DESC_LIMIT_LO_MASK  0xffffull
#define DESC_LIMIT_HI_SHIFT 48     /* limit[19:16] -> bits 51:48 */
#define DESC_BASE_LO_SHIFT  16     /* base[23:0] -> bits 39:16 */
#define DESC_BASE_MID_SHIFT 56     /* base[31:24] -> bits 63:56 */

static u64 seg_limit_bits(u64 limit)
{
	return (limit & DESC_LIMIT_LO_MASK) |
	       (((limit >> 16) & 0xf) << DESC_LIMIT_HI_SHIFT);
}

static void tss_descriptor(u64 *slot, const struct tss64 *tss)
{
	u64 base = (u64)(uintptr_t)tss;

	slot[0] = seg_limit_bits(sizeof(*tss) - 1) |
		  ((base & 0xffffffull) << DESC_BASE_LO_SHIFT) |
		  (((base >> 24) & 0xff) << DESC_BASE_MID_SHIFT) |
		  DESC_TYPE_TSS_AVAIL | DESC_PRESENT;
	slot[1] = base >> 32;   /* base[63:32] in the second half */
}

/*
 * Reload CS by a far return and DS/ES/SS with the kernel selector. FS and GS
 * stay as they are: loading them would clear the GS base this_cpu() uses.
 */
static void reload_segments(void)
{
	__asm__ __volatile__("pushq %[cs]\n\t"
			     "leaq 1f(%%rip), %%rax\n\t"
			     "pushq %%rax\n\t"
			     "lretq\n"
			     "1:\n\t"
			     "movw %w[ds], %%ax\n\t"
			     "movw %%ax, %%ds\n\t"
			     "movw %%ax, %%es\n\t"
			     "movw %%ax, %%ss\n\t"
			     :
			     : [cs] "i"(GDT_SEL_KERN_CS), [ds] "i"(GDT_SEL_KERN_DS)
			     : "rax", "memory");
}

void gdt_init_cpu(struct gdt_cpu *cpu, const u64 ist_tops[IST_COUNT])
{
	struct desc_ptr gdtr = {
		.limit = sizeof(cpu->gdt) - 1,
		.base = (u64)(uintptr_t)cpu->gdt,
	};

	cpu->gdt[0] = 0;
	cpu->gdt[GDT_SEL_INDEX(GDT_SEL_KERN_CS)] = GDT_DESC_KERN_CODE;
	cpu->gdt[GDT_SEL_INDEX(GDT_SEL_KERN_DS)] = GDT_DESC_KERN_DATA;
	for (unsigned i = 0; i < IST_COUNT; i++)
		cpu->tss.ist[i] = ist_tops[i];
	cpu->tss.iomap_base = sizeof(cpu->tss);   /* no I/O bitmap */
	tss_descriptor(&cpu->gdt[GDT_SEL_INDEX(GDT_SEL_TSS)], &cpu->tss);

	lgdt(&gdtr);
	reload_segments();
	ltr(GDT_SEL_TSS);
}
