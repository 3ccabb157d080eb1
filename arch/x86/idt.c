/* SPDX-License-Identifier: MIT */
#include "arch/x86/idt.h"
#include "arch/x86/gdt.h"
#include "arch/x86/x86.h"
#include "kernel/lib/atomic.h"

/* 64-bit interrupt gate (SDM Vol. 3 6.14.1). */
#define GATE_TYPE_INTERRUPT 0xe   /* IF cleared on entry: tern runs with interrupts off */
#define GATE_PRESENT        0x80
#define GATE_IST_MASK       0x7

struct idt_gate {
	u16 offset_lo;
	u16 selector;
	u8 ist;
	u8 type_attr;
	u16 offset_mid;
	u32 offset_hi;
	u32 reserved;
} __packed;

STATIC_ASSERT(sizeof(struct idt_gate) == 16);

static struct idt_gate idt[TRAP_VECTORS] __aligned(16);
static trap_handler_t handlers[TRAP_VECTORS];

static unsigned vector_ist(unsigned vector)
{
	switch (vector) {
	case EXC_DF:
		return IST_DOUBLE_FAULT;
	case EXC_NMI:
		return IST_NMI;
	case EXC_MC:
		return IST_MACHINE_CHECK;
	default:
		return 0;   /* stay on the current stack */
	}
}

void idt_init(void)
{
	for (unsigned v = 0; v < TRAP_VECTORS; v++) {
		u64 target = trap_stub_table[v];
		struct idt_gate *g = &idt[v];

		g->offset_lo = (u16)target;
		g->selector = GDT_SEL_KERN_CS;
		g->ist = (u8)(vector_ist(v) & GATE_IST_MASK);
		g->type_attr = GATE_PRESENT | GATE_TYPE_INTERRUPT;
		g->offset_mid = (u16)(target >> 16);
		g->offset_hi = (u32)(target >> 32);
		g->reserved = 0;
	}
}

void idt_load(void)
{
	struct desc_ptr idtr = {
		.limit = sizeof(idt) - 1,
		.base = (u64)(uintptr_t)idt,
	};

	lidt(&idtr);
}

int idt_set_handler(unsigned vector, trap_handler_t fn)
{
	if (vector >= TRAP_VECTORS)
		return -TERN_EINVAL;
	store_release(&handlers[vector], fn);
	return 0;
}

trap_handler_t idt_handler(unsigned vector)
{
	if (vector >= TRAP_VECTORS)
		return NULL;
	return load_acquire(&handlers[vector]);
}
