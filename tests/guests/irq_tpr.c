/* SPDX-License-Identifier: MIT */
/*
 * irq_tpr: the task priority masks vectors of its class and below: a
 * class-4 self-IPI waits in IRR while TPR = 0x50, a class-6 one passes,
 * and lowering TPR releases the waiting one. PPR follows TPR. Then a
 * KVM_HC_SEND_IPI to APIC ID 0 delivers its vector.
 */
#include "lib/guest.h"
#include "lib/irqtest.h"
#include <tern/errno.h>

#define VEC_LOW    0x45
#define VEC_HIGH   0x65
#define VEC_PV     0x66
#define WAIT_TICKS 200000u

static void self_ipi(unsigned vector)
{
	lapic_write(LAPIC_ICR_LO, ICR_SELF | ICR_LEVEL_ASSERT | vector);
}

void guest_main(void)
{
	irq_init(false, IRQ_EOI_XAPIC);
	lapic_enable();
	lapic_write(LAPIC_TPR, 0x50);
	check_eq(lapic_read(LAPIC_PPR), 0x50, "PPR = TPR = 0x50");
	self_ipi(VEC_LOW);
	irq_spin(WAIT_TICKS);
	check_eq(irq_count[VEC_LOW], 0, "class-4 vector 0x%x held back by TPR 0x50", VEC_LOW);
	check(lapic_read(LAPIC_IRR + 0x20) & (1u << (VEC_LOW & 31)), "it waits in IRR");
	self_ipi(VEC_HIGH);
	check(irq_wait(VEC_HIGH, 1, WAIT_TICKS), "class-6 vector 0x%x passes", VEC_HIGH);
	check_eq(irq_count[VEC_LOW], 0, "the class-4 one still waits");
	lapic_write(LAPIC_TPR, 0x40);
	irq_spin(WAIT_TICKS);
	check_eq(irq_count[VEC_LOW], 0, "TPR 0x40 still masks class 4");
	lapic_write(LAPIC_TPR, 0x30);
	check(irq_wait(VEC_LOW, 1, WAIT_TICKS), "TPR 0x30 releases vector 0x%x", VEC_LOW);
	check_eq(lapic_read(LAPIC_PPR), 0x30, "PPR back to TPR after the EOI");
	check_eq(hypercall4(KVM_HC_SEND_IPI, 1, 0, 0, VEC_PV), 1, "KVM_HC_SEND_IPI reaches 1 vCPU");
	check(irq_wait(VEC_PV, 1, WAIT_TICKS), "and delivers vector 0x%x", VEC_PV);
	check_eq(hypercall4(KVM_HC_SEND_IPI, 1, 0, 0, VEC_PV | ICR_SELF), -TERN_EINVAL,
		 "KVM_HC_SEND_IPI with a shorthand: -EINVAL");
}
