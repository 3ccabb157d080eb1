/* SPDX-License-Identifier: MIT */
/*
 * irq_apic_base: IA32_APIC_BASE relocation (SDM 10.4.5). The xAPIC page
 * moves to MOVED_BASE: its registers answer there (ID, version, TPR/PPR,
 * ISR), a self-IPI sent through the moved ICR arrives and its EOI at the
 * moved page clears ISR; the old page at 0xfee00000 reads all ones and
 * ignores writes. A base on RAM or on the IOAPIC's page raises #GP and
 * changes nothing. Moving back restores the default page; x2APIC mode from
 * a moved base leaves the page reading all ones.
 */
#include "lib/guest.h"
#include "lib/irqtest.h"

#define MOVED_BASE   0xfd000000u   /* no RAM, no device: free for the APIC */
#define RAM_BASE     0x00200000u
#define VEC_IPI      0x48
#define WAIT_TICKS   200000u
#define ALL_ONES     0xffffffffu
#define BASE_FLAGS   (APIC_BASE_EN | (1u << 8))   /* enabled, BSP */
#define ISR_WORD(v)  (LAPIC_ISR + ((v) / 32) * 0x10)
#define ISR_BIT(v)   (1u << ((v) % 32))

static u32 reg(u32 base, unsigned off)
{
	return mmio_read32(base + off);
}

static void set_reg(u32 base, unsigned off, u32 val)
{
	mmio_write32(base + off, val);
}

/* A self-IPI through base's ICR arrives once; the EOI at base clears its ISR bit. */
static void self_ipi_at(u32 base, const char *where)
{
	u32 before = irq_count[VEC_IPI];

	set_reg(base, LAPIC_ICR_LO, ICR_SELF | ICR_LEVEL_ASSERT | VEC_IPI);
	check(irq_wait(VEC_IPI, before + 1, WAIT_TICKS), "%s: self-IPI 0x%x arrived", where, VEC_IPI);
	check(reg(base, ISR_WORD(VEC_IPI)) & ISR_BIT(VEC_IPI), "%s: vector in service", where);
	set_reg(base, LAPIC_EOI, 0);
	check_eq(reg(base, ISR_WORD(VEC_IPI)) & ISR_BIT(VEC_IPI), 0, "%s: EOI cleared ISR", where);
}

static void refused(u32 base, const char *what)
{
	check_eq(wrmsr_safe(MSR_APIC_BASE, base | BASE_FLAGS), VEC_GP, "a base on %s: #GP", what);
	check_eq(rdmsr(MSR_APIC_BASE), MOVED_BASE | BASE_FLAGS, "and the base stays");
}

void guest_main(void)
{
	u32 version;

	irq_init(false, IRQ_EOI_NONE);   /* the EOIs are written by hand, at the right page */
	lapic_enable();
	version = reg(LAPIC_BASE, LAPIC_VER);
	check_eq(rdmsr(MSR_APIC_BASE), LAPIC_BASE | BASE_FLAGS, "IA32_APIC_BASE starts at 0x%x",
		 LAPIC_BASE);
	self_ipi_at(LAPIC_BASE, "default page");

	check_eq(wrmsr_safe(MSR_APIC_BASE, MOVED_BASE | BASE_FLAGS), -1, "move to 0x%x", MOVED_BASE);
	check_eq(rdmsr(MSR_APIC_BASE), MOVED_BASE | BASE_FLAGS, "IA32_APIC_BASE reads it back");
	check_eq(reg(MOVED_BASE, LAPIC_VER), version, "the version register answers at 0x%x",
		 MOVED_BASE);
	check_eq(reg(MOVED_BASE, LAPIC_ID), 0, "and the ID");
	check_eq(reg(LAPIC_BASE, LAPIC_VER), ALL_ONES, "the old page reads all ones");
	set_reg(LAPIC_BASE, LAPIC_TPR, 0x70);
	check_eq(reg(MOVED_BASE, LAPIC_TPR), 0, "a TPR write to the old page goes nowhere");
	set_reg(MOVED_BASE, LAPIC_TPR, 0x30);
	check_eq(reg(MOVED_BASE, LAPIC_PPR), 0x30, "TPR at the moved page sets PPR");
	set_reg(MOVED_BASE, LAPIC_TPR, 0);
	self_ipi_at(MOVED_BASE, "moved page");

	refused(RAM_BASE, "RAM");
	refused(IOAPIC_BASE, "the IOAPIC's page");

	check_eq(wrmsr_safe(MSR_APIC_BASE, LAPIC_BASE | BASE_FLAGS), -1, "move back to 0x%x",
		 LAPIC_BASE);
	check_eq(reg(LAPIC_BASE, LAPIC_VER), version, "the default page answers again");
	check_eq(reg(MOVED_BASE, LAPIC_VER), ALL_ONES, "and 0x%x reads all ones", MOVED_BASE);
	self_ipi_at(LAPIC_BASE, "default page again");

	check_eq(wrmsr_safe(MSR_APIC_BASE, MOVED_BASE | BASE_FLAGS), -1, "move again");
	check_eq(wrmsr_safe(MSR_APIC_BASE, MOVED_BASE | BASE_FLAGS | APIC_BASE_EXTD), -1,
		 "x2APIC mode from the moved base");
	check_eq(reg(MOVED_BASE, LAPIC_VER), ALL_ONES, "x2APIC mode: the page reads all ones");
	check_eq((u32)rdmsr(MSR_X2APIC(LAPIC_VER)), version, "the version is an MSR now");
}
