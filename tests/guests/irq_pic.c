/* SPDX-License-Identifier: MIT */
/*
 * irq_pic: legacy 8259 mode. pc-testdev line n -> PIC pin n -> the
 * programmed vector base, through the vLAPIC's LINT0 in ExtINT mode and
 * with the APIC hardware-disabled; the slave through the cascade; a masked
 * pin stays quiet; a new vector base takes effect.
 */
#include "lib/guest.h"
#include "lib/irqtest.h"

#define LVT_EXTINT    (7u << 8)
#define WAIT_TICKS    300000u
#define PIN_MASTER    3
#define PIN_SLAVE     9
#define PIN_MASKED    4

static bool pulse_arrives(unsigned pin, unsigned vector, u32 n)
{
	testdev_irq(pin, 1);
	testdev_irq(pin, 0);
	return irq_wait(vector, n, WAIT_TICKS);
}

static void via_lint0(void)
{
	lapic_enable();
	lapic_write(LAPIC_LVT_LINT0, LVT_EXTINT);
	pic_init(0x20, 0x28, (1u << PIN_MASTER) | (1u << 2) | (1u << PIN_SLAVE));
	check(pulse_arrives(PIN_MASTER, 0x20 + PIN_MASTER, 1), "LINT0 ExtINT: master pin %u -> vector 0x%x",
	      PIN_MASTER, 0x20 + PIN_MASTER);
	check(pulse_arrives(PIN_SLAVE, 0x28 + PIN_SLAVE - 8, 1), "LINT0 ExtINT: slave pin %u -> vector 0x%x",
	      PIN_SLAVE, 0x28 + PIN_SLAVE - 8);
	testdev_irq(PIN_MASKED, 1);
	testdev_irq(PIN_MASKED, 0);
	irq_spin(WAIT_TICKS);
	check_eq(irq_count[0x20 + PIN_MASKED], 0, "masked PIC pin stays quiet");
	lapic_write(LAPIC_LVT_LINT0, LVT_EXTINT | LVT_MASKED);
	testdev_irq(PIN_MASTER, 1);
	testdev_irq(PIN_MASTER, 0);
	irq_spin(WAIT_TICKS);
	check_eq(irq_count[0x20 + PIN_MASTER], 1, "masked LINT0 keeps the PIC out");
	/* the request latched in IRR is delivered once LINT0 opens again */
	lapic_write(LAPIC_LVT_LINT0, LVT_EXTINT);
	check(irq_wait(0x20 + PIN_MASTER, 2, WAIT_TICKS), "latched request delivered after LINT0 unmask");
}

static void apic_disabled(void)
{
	wrmsr(MSR_APIC_BASE, 0xfee00000u | (1u << 8));   /* EN = 0 */
	pic_init(0x30, 0x38, 1u << PIN_MASTER);
	check(pulse_arrives(PIN_MASTER, 0x30 + PIN_MASTER, 1), "APIC disabled: pin %u -> new base vector 0x%x",
	      PIN_MASTER, 0x30 + PIN_MASTER);
	check(pulse_arrives(PIN_MASTER, 0x30 + PIN_MASTER, 2), "and again on the next edge");
}

void guest_main(void)
{
	irq_init(false, IRQ_EOI_PIC);
	via_lint0();
	apic_disabled();
}
