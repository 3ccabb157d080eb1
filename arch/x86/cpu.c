/* SPDX-License-Identifier: MIT */
#include "arch/x86/cpu.h"
#include "arch/x86/gdt.h"
#include "arch/x86/idt.h"
#include "arch/x86/x86.h"
#include "boot/boot.h"
#include "kernel/percpu.h"

#define BSP_ID 0

static struct gdt_cpu bsp_gdt;
static u8 bsp_ist_stacks[IST_COUNT][IST_STACK_SIZE] __aligned(16);
static u32 ext_features_edx;

u32 cpu_apic_id(void)
{
	return cpuid(CPUID_LEAF_FEATURES, 0).ebx >> CPUID_1_EBX_APIC_ID_SHIFT;
}

static void read_features(void)
{
	if (cpuid(CPUID_LEAF_EXT_MAX, 0).eax >= CPUID_LEAF_EXT_FEATURES)
		ext_features_edx = cpuid(CPUID_LEAF_EXT_FEATURES, 0).edx;
}

bool cpu_has_nx(void)
{
	return ext_features_edx & CPUID_EXT_EDX_NX;
}

bool cpu_has_1g_pages(void)
{
	return ext_features_edx & CPUID_EXT_EDX_PDPE1GB;
}

void cpu_init_bsp(void)
{
	u64 ist_tops[IST_COUNT];

	read_features();
	for (unsigned i = 0; i < IST_COUNT; i++)
		ist_tops[i] = (u64)(uintptr_t)&bsp_ist_stacks[i][IST_STACK_SIZE];
	gdt_init_cpu(&bsp_gdt, ist_tops);
	idt_init();
	idt_load();
	/* VMX operation requires CR0.NE; tern never uses x87 error reporting otherwise. */
	write_cr0(read_cr0() | CR0_NE);
	/* Cannot fail for id 0; halt rather than run with a wrong this_cpu(). */
	if (percpu_init_cpu(BSP_ID, cpu_apic_id(), (u64)(uintptr_t)boot_stack_top))
		cpu_halt_forever();
}
