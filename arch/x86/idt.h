/* SPDX-License-Identifier: MIT */
/*
 * The host IDT: one table shared by every CPU. Every vector enters through
 * a stub in trap.S and trap_dispatch(); exceptions without a registered
 * handler are fatal, other vectors without one are logged and ignored.
 */
#ifndef TERN_ARCH_IDT_H
#define TERN_ARCH_IDT_H

#include "arch/x86/trap.h"
#include "kernel/lib/types.h"

/* Build the IDT (all 256 gates; #DF, NMI and #MC on their IST stacks). Once, on the BSP. */
void idt_init(void);

/* Load the IDT on the calling CPU (every CPU, after idt_init). */
void idt_load(void);

/*
 * Run fn for vector (0..255) from now on; fn == NULL restores the default.
 * Interrupt handlers acknowledge their own interrupt (LAPIC EOI).
 * Returns 0, or -TERN_EINVAL for a vector out of range.
 */
int idt_set_handler(unsigned vector, trap_handler_t fn);

/* The handler registered for vector, or NULL. */
trap_handler_t idt_handler(unsigned vector);

#endif
