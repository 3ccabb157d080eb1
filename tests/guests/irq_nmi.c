/* SPDX-License-Identifier: MIT */
/*
 * irq_nmi: NMIs sent through the ICR (self shorthand and physical
 * destination 0) arrive on vector 2, also with RFLAGS.IF = 0, one per IPI.
 */
#include "lib/guest.h"
#include "lib/irqtest.h"

#define WAIT_TICKS 200000u

static bool wait_nmi_cli(u32 n)
{
	u64 start = rdtsc();

	while (irq_count[VEC_NMI] < n && rdtsc() - start < WAIT_TICKS)
		__asm__ __volatile__("pause");
	return irq_count[VEC_NMI] >= n;
}

void guest_main(void)
{
	irq_init(true, IRQ_EOI_NONE);
	lapic_enable();
	lapic_write(LAPIC_ICR_HI, 0);
	lapic_write(LAPIC_ICR_LO, ICR_SELF | ICR_DM_NMI | ICR_LEVEL_ASSERT);
	check(wait_nmi_cli(1), "self-NMI (shorthand self) arrives on vector 2 with IF=0");
	lapic_write(LAPIC_ICR_LO, ICR_DM_NMI | ICR_LEVEL_ASSERT);   /* physical, APIC ID 0 */
	check(wait_nmi_cli(2), "NMI to APIC ID 0 arrives");
	lapic_write(LAPIC_ICR_LO, ICR_SELF | ICR_DM_NMI | ICR_LEVEL_ASSERT);
	lapic_write(LAPIC_ICR_LO, ICR_SELF | ICR_DM_NMI | ICR_LEVEL_ASSERT);
	check(irq_wait(VEC_NMI, 3, WAIT_TICKS), "NMIs sent back to back arrive (at least one)");
	check_eq(irq_total, irq_count[VEC_NMI], "nothing but NMIs arrived");
	check_eq(lapic_read(LAPIC_ISR + 0x00), 0, "an NMI leaves no ISR bit");
}
