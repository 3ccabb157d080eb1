/* SPDX-License-Identifier: MIT */
/*
 * irq_x2apic: x2APIC mode through IA32_APIC_BASE; x2APIC MSRs #GP in xAPIC
 * mode; self-IPIs through SELF_IPI and ICR, EOI via MSR; illegal
 * IA32_APIC_BASE transitions, a base on RAM and EOI misuse raise #GP.
 */
#include "lib/guest.h"
#include "lib/irqtest.h"

#define VEC_SELF_IPI  0x50
#define VEC_ICR_SELF  0x51
#define VEC_ICR_DEST  0x52
#define WAIT_TICKS    200000u
#define APIC_ADDR     0xfee00000u
#define RAM_ADDR      0x00200000u
#define BSP_FLAG      (1u << 8)

static u64 base_xapic(void)  { return APIC_ADDR | BSP_FLAG | APIC_BASE_EN; }
static u64 base_x2apic(void) { return base_xapic() | APIC_BASE_EXTD; }

static void check_wrmsr_gp(u32 msr, u64 val, const char *what)
{
	check_eq(wrmsr_safe(msr, val), VEC_GP, "%s raises #GP", what);
}

static void xapic_mode_checks(void)
{
	u64 v;

	check_eq(rdmsr_safe(MSR_X2APIC(LAPIC_ID), &v), VEC_GP, "x2APIC ID MSR #GP in xAPIC mode");
	check_wrmsr_gp(MSR_APIC_BASE, APIC_ADDR | BSP_FLAG | APIC_BASE_EXTD,
		       "xAPIC -> EXTD without EN (invalid state)");
	check_eq(rdmsr(MSR_APIC_BASE), base_xapic(), "IA32_APIC_BASE unchanged after the #GP");
	/* a move is allowed where tern can trap the page (irq_apic_base), never onto RAM */
	check_wrmsr_gp(MSR_APIC_BASE, RAM_ADDR | BSP_FLAG | APIC_BASE_EN,
		       "moving the xAPIC base onto RAM");
	check_eq(rdmsr(MSR_APIC_BASE), base_xapic(), "IA32_APIC_BASE unchanged after the #GP");
}

static void enter_x2apic(void)
{
	check_eq(wrmsr_safe(MSR_APIC_BASE, base_x2apic()), -1, "xAPIC -> x2APIC accepted");
	check_eq(rdmsr(MSR_APIC_BASE), base_x2apic(), "IA32_APIC_BASE shows EXTD");
	check_eq(rdmsr(MSR_X2APIC(LAPIC_ID)), 0, "x2APIC ID of vCPU 0 is 0");
	check_eq(lapic_read(LAPIC_ID), 0xffffffffu, "xAPIC MMIO reads all ones in x2APIC mode");
	wrmsr(MSR_X2APIC(LAPIC_SVR), APIC_SVR_ENABLE | 0xff);
	wrmsr(MSR_X2APIC(LAPIC_TPR), 0);
}

static void self_ipis(void)
{
	wrmsr(MSR_X2APIC(LAPIC_SELF_IPI), VEC_SELF_IPI);
	check(irq_wait(VEC_SELF_IPI, 1, WAIT_TICKS), "self-IPI through SELF_IPI MSR arrives");
	wrmsr(MSR_X2APIC(LAPIC_ICR_LO), ICR_SELF | ICR_LEVEL_ASSERT | VEC_ICR_SELF);
	check(irq_wait(VEC_ICR_SELF, 1, WAIT_TICKS), "self-IPI through ICR (shorthand self) arrives");
	wrmsr(MSR_X2APIC(LAPIC_ICR_LO), ICR_LEVEL_ASSERT | VEC_ICR_DEST);   /* dest 0 in bits 63:32 */
	check(irq_wait(VEC_ICR_DEST, 1, WAIT_TICKS), "IPI to x2APIC ID 0 through ICR arrives");
	check_eq(rdmsr(MSR_X2APIC(LAPIC_ISR + 0x20)), 0, "ISR empty after the MSR EOIs");
}

static void eoi_misuse(void)
{
	u64 v;

	check_wrmsr_gp(MSR_X2APIC(LAPIC_EOI), 1, "non-zero EOI");
	check_eq(rdmsr_safe(MSR_X2APIC(LAPIC_EOI), &v), VEC_GP, "reading EOI raises #GP");
	check_eq(rdmsr_safe(MSR_X2APIC(LAPIC_SELF_IPI), &v), VEC_GP, "reading SELF_IPI raises #GP");
	check_wrmsr_gp(MSR_X2APIC(LAPIC_ID), 5, "writing the x2APIC ID");
}

static void leave_x2apic(void)
{
	check_wrmsr_gp(MSR_APIC_BASE, base_xapic(), "x2APIC -> xAPIC directly");
	check_eq(wrmsr_safe(MSR_APIC_BASE, APIC_ADDR | BSP_FLAG), -1, "x2APIC -> disabled accepted");
	check(!(cpuid(1).edx & (1u << 9)), "CPUID.1:EDX.APIC clear while disabled");
	check_eq(wrmsr_safe(MSR_APIC_BASE, base_xapic()), -1, "disabled -> xAPIC accepted");
	check(cpuid(1).edx & (1u << 9), "CPUID.1:EDX.APIC set again");
}

void guest_main(void)
{
	irq_init(false, IRQ_EOI_X2APIC);
	xapic_mode_checks();
	enter_x2apic();
	self_ipis();
	eoi_misuse();
	leave_x2apic();
}
