/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "tests/unit/fake_lapic.h"

struct fake_lapic fake_lapic;

void fake_lapic_reset(void)
{
	memset(&fake_lapic, 0, sizeof(fake_lapic));
	fake_lapic.deliver_ret = 1;
}

const struct lapic_irq *fake_delivered(unsigned i)
{
	assert_true(i < fake_lapic.deliver_calls && i < FAKE_LAPIC_LOG);
	return &fake_lapic.delivered[i];
}

const struct fake_ack *fake_acked(unsigned i)
{
	assert_true(i < fake_lapic.ack_calls && i < FAKE_LAPIC_LOG);
	return &fake_lapic.acks[i];
}

int lapic_deliver(struct vm *vm, const struct lapic_irq *irq)
{
	if (fake_lapic.deliver_calls < FAKE_LAPIC_LOG)
		fake_lapic.delivered[fake_lapic.deliver_calls] = *irq;
	fake_lapic.deliver_calls++;
	return fake_lapic.deliver_ret;
}

bool vlapic_accepts_extint(struct vm *vm, unsigned vcpu_id)
{
	fake_lapic.extint_queries++;
	return fake_lapic.accepts_extint;
}

void irq_ack_notify(struct vm *vm, unsigned irqchip, unsigned pin)
{
	if (fake_lapic.ack_calls < FAKE_LAPIC_LOG)
		fake_lapic.acks[fake_lapic.ack_calls] = (struct fake_ack){ irqchip, pin };
	fake_lapic.ack_calls++;
	if (fake_lapic.ack_hook)
		fake_lapic.ack_hook(vm, irqchip, pin);
}
