/* SPDX-License-Identifier: MIT */
/*
 * irq_ioapic: IOAPIC redirection entries driven by pc-testdev lines (port
 * 0x2000 + n = GSI n = IOAPIC pin n). Edge: one interrupt per rising edge.
 * Level: Remote IRR set until the EOI, no repeat meanwhile, re-delivered
 * after the EOI while the line is still asserted, quiet once released.
 * A masked pin delivers nothing.
 */
#include "lib/guest.h"
#include "lib/irqtest.h"

#define PIN_EDGE      10
#define PIN_LEVEL     11
#define VEC_EDGE      0x60
#define VEC_LEVEL     0x61
#define REDIR_LEVEL   (1u << 15)
#define REDIR_RIRR    (1u << 14)
#define REDIR_MASKED  (1u << 16)
#define WAIT_TICKS    300000u

static void edge(void)
{
	irq_set_eoi(VEC_EDGE, IRQ_EOI_XAPIC);
	ioapic_write_redir(PIN_EDGE, VEC_EDGE, 0);
	check_eq(ioapic_read_redir_lo(PIN_EDGE), VEC_EDGE, "redirection entry reads back");
	testdev_irq(PIN_EDGE, 1);
	check(irq_wait(VEC_EDGE, 1, WAIT_TICKS), "edge: rising edge delivers vector 0x%x", VEC_EDGE);
	irq_spin(WAIT_TICKS);
	check_eq(irq_count[VEC_EDGE], 1, "edge: a held line delivers once");
	testdev_irq(PIN_EDGE, 0);
	testdev_irq(PIN_EDGE, 1);
	check(irq_wait(VEC_EDGE, 2, WAIT_TICKS), "edge: the next rising edge delivers again");
	testdev_irq(PIN_EDGE, 0);
}

static void level(void)
{
	irq_set_eoi(VEC_LEVEL, IRQ_EOI_NONE);
	ioapic_write_redir(PIN_LEVEL, VEC_LEVEL | REDIR_LEVEL, 0);
	testdev_irq(PIN_LEVEL, 1);
	check(irq_wait(VEC_LEVEL, 1, WAIT_TICKS), "level: asserted line delivers vector 0x%x", VEC_LEVEL);
	check(ioapic_read_redir_lo(PIN_LEVEL) & REDIR_RIRR, "level: Remote IRR set before the EOI");
	check(lapic_read(LAPIC_TMR + 0x10 * (VEC_LEVEL / 32)) & (1u << (VEC_LEVEL & 31)), "level: TMR bit set");
	irq_spin(WAIT_TICKS);
	check_eq(irq_count[VEC_LEVEL], 1, "level: no repeat while Remote IRR is set");
	lapic_write(LAPIC_EOI, 0);
	check(irq_wait(VEC_LEVEL, 2, WAIT_TICKS), "level: re-delivered after the EOI (line still high)");
	testdev_irq(PIN_LEVEL, 0);
	lapic_write(LAPIC_EOI, 0);
	check(!(ioapic_read_redir_lo(PIN_LEVEL) & REDIR_RIRR), "level: Remote IRR clear after the EOI");
	irq_spin(WAIT_TICKS);
	check_eq(irq_count[VEC_LEVEL], 2, "level: quiet once the line is released");
}

static void masked(void)
{
	ioapic_write_redir(PIN_EDGE, VEC_EDGE | REDIR_MASKED, 0);
	testdev_irq(PIN_EDGE, 1);
	irq_spin(WAIT_TICKS);
	testdev_irq(PIN_EDGE, 0);
	check_eq(irq_count[VEC_EDGE], 2, "a masked pin delivers nothing");
}

void guest_main(void)
{
	irq_init(false, IRQ_EOI_XAPIC);
	lapic_enable();
	edge();
	level();
	masked();
}
