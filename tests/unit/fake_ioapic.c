/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "tests/unit/fake_ioapic.h"

struct fake_ioapic fake_ioapic;

void fake_ioapic_reset(void)
{
	memset(&fake_ioapic, 0, sizeof(fake_ioapic));
}

void vioapic_eoi(struct vm *vm, u8 vector)
{
	if (fake_ioapic.eoi_calls < FAKE_IOAPIC_LOG)
		fake_ioapic.eoi_vectors[fake_ioapic.eoi_calls] = vector;
	fake_ioapic.eoi_calls++;
	if (fake_ioapic.eoi_hook)
		fake_ioapic.eoi_hook(vm, vector);
}
