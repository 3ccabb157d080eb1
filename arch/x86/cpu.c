/* SPDX-License-Identifier: MIT */
#include "arch/x86/cpu.h"
#include "arch/x86/gdt.h"
#include "arch/x86/idt.h"
#include "arch/x86/paging.h"
#include "arch/x86/smp.h"
#include "arch/x86/trap.h"
#include "arch/x86/x86.h"
#include "boot/boot.h"
#include "kernel/config.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/percpu.h"

#define BSP_ID 0
#define CPUID_LEAF_MAX             0x00000000
#define CPUID_LEAF_STRUCT_EXT      0x00000007
#define CPUID_7_EBX_SMEP           X86_BIT(7)
#define CPUID_7_EBX_SMAP           X86_BIT(20)

static struct gdt_cpu bsp_gdt;
static u8 bsp_ist_stacks[IST_COUNT][IST_STACK_SIZE] __aligned(16);
static u32 ext_features_edx;
static u32 struct_ext_ebx;          /* CPUID.7.0:EBX */
static u64 hardened_cr4[PCPU_MAX];  /* CR4 as cpu_harden_this_cpu() left it, per CPU */

u32 cpu_apic_id(void)
{
	return cpuid(CPUID_LEAF_FEATURES, 0).ebx >> CPUID_1_EBX_APIC_ID_SHIFT;
}

static void read_features(void)
{
	if (cpuid(CPUID_LEAF_EXT_MAX, 0).eax >= CPUID_LEAF_EXT_FEATURES)
		ext_features_edx = cpuid(CPUID_LEAF_EXT_FEATURES, 0).edx;
	if (cpuid(CPUID_LEAF_MAX, 0).eax >= CPUID_LEAF_STRUCT_EXT)
		struct_ext_ebx = cpuid(CPUID_LEAF_STRUCT_EXT, 0).ebx;
}

bool cpu_has_nx(void)
{
	return ext_features_edx & CPUID_EXT_EDX_NX;
}

bool cpu_has_1g_pages(void)
{
	return ext_features_edx & CPUID_EXT_EDX_PDPE1GB;
}

bool cpu_has_smep(void)
{
	return struct_ext_ebx & CPUID_7_EBX_SMEP;
}

bool cpu_has_smap(void)
{
	return struct_ext_ebx & CPUID_7_EBX_SMAP;
}

/*
 * SMEP and SMAP: tern maps no user pages, so supervisor code can neither
 * run from nor (without STAC) touch one; a stray user-mode mapping or a
 * pointer into one faults instead of being followed.
 */
void cpu_harden_this_cpu(void)
{
	u64 cr4 = read_cr4();
	unsigned id = this_cpu()->id;

	if (cpu_has_smep())
		cr4 |= CR4_SMEP;
	if (cpu_has_smap())
		cr4 |= CR4_SMAP;
	write_cr4(cr4);
	if (id < PCPU_MAX)
		hardened_cr4[id] = read_cr4();
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
	cpu_harden_this_cpu();
	/* Cannot fail for id 0; halt rather than run with a wrong this_cpu(). */
	if (percpu_init_cpu(BSP_ID, cpu_apic_id(), (u64)(uintptr_t)boot_stack_top))
		cpu_halt_forever();
}

/* ------------------------------------------------------------ self-check */

static bool online(unsigned cpu)
{
	return cpu == BSP_ID || pcpus[cpu].online;
}

/* .text RX, .rodata R, data RW+NX, and no leaf anywhere both writable and executable. */
static bool wx_holds(void)
{
	u64 text = paging_leaf_flags((u64)(uintptr_t)__image_start);
	u64 ro = paging_leaf_flags((u64)(uintptr_t)__text_end);
	u64 data = paging_leaf_flags((u64)(uintptr_t)__rodata_end);

	return paging_count_wx() == 0 && (text & PTE_P) && !(text & (PTE_RW | PTE_NX)) &&
	       (ro & PTE_P) && !(ro & PTE_RW) && (ro & PTE_NX) &&
	       (data & PTE_P) && (data & PTE_RW) && (data & PTE_NX);
}

static bool cr4_on_all(u64 bit)
{
	for (unsigned cpu = 0; cpu < PCPU_MAX; cpu++)
		if (online(cpu) && !(hardened_cr4[cpu] & bit))
			return false;
	return true;
}

/* The guard page of cpu's stack (the BSP's from boot/, an AP's the lowest page of its block). */
u64 cpu_stack_guard(unsigned cpu)
{
	if (cpu == BSP_ID)
		return (u64)(uintptr_t)boot_stack_guard;
	if (cpu >= PCPU_MAX || !pcpus[cpu].online)
		return 0;
	return pcpus[cpu].stack_top - (PAGE_SIZE << AP_STACK_ORDER);
}

static bool guards_hold(void)
{
	for (unsigned g = 0; g < BOOT_GUARD_SIZE; g += PAGE_SIZE)
		if (paging_leaf_flags((u64)(uintptr_t)boot_stack_guard + g))
			return false;
	for (unsigned cpu = 1; cpu < PCPU_MAX; cpu++)
		if (pcpus[cpu].online && paging_leaf_flags(cpu_stack_guard(cpu)))
			return false;
	return true;
}

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

bool cpu_hardening_report(void)
{
	bool wx = wx_holds(), nx = rdmsr(MSR_IA32_EFER) & EFER_NXE;
	bool smep = cr4_on_all(CR4_SMEP), smap = cr4_on_all(CR4_SMAP), guards = guards_hold();

	pr_info("hardening: W^X %s, NX %s, SMEP %s, SMAP %s, stack guards %s", yes_no(wx),
		yes_no(nx), yes_no(smep), yes_no(smap), yes_no(guards));
	if (!wx)
		pr_warn("hardening: %llu leaves writable and executable",
			(unsigned long long)paging_count_wx());
	return wx && nx && smep && smap && guards;
}

int cpu_guard_owner(u64 addr)
{
	for (unsigned cpu = 0; cpu < PCPU_MAX; cpu++) {
		u64 g = cpu_stack_guard(cpu);
		u64 len = cpu == BSP_ID ? BOOT_GUARD_SIZE : PAGE_SIZE;

		if (g && addr >= g && addr - g < len)
			return (int)cpu;
	}
	return -1;
}

/* The self-test's #PF: tern's dump (which names the guard page), then a clean end. */
static void selftest_pf(struct trap_frame *f)
{
	trap_dump(f);
	pr_info("selftest: guard page fault caught: %s",
		cpu_guard_owner(read_cr2()) == BSP_ID ? "pass" : "FAIL (not the guard page)");
	pr_info("exit:");
	machine_poweroff();
}

__noreturn void cpu_selftest_guard(void)
{
	volatile const u8 *guard = (const u8 *)(uintptr_t)cpu_stack_guard(BSP_ID);

	if (idt_set_handler(EXC_PF, selftest_pf))
		pr_err("selftest: cannot claim #PF");

	pr_info("selftest: reading the stack guard page of cpu0 at 0x%llx: expect a page fault",
		(unsigned long long)(uintptr_t)guard);
	(void)*guard;
	pr_err("selftest: the stack guard page of cpu0 is mapped");
	cpu_halt_forever();
}
