/* SPDX-License-Identifier: MIT */
/*
 * Virtual 82093AA-style I/O APIC, version 0x20 (with the EOI register),
 * 24 pins, MMIO at 0xfec00000. Delivers through lapic_deliver().
 * Access rules and design choices: docs/irq-pic-ioapic.md.
 */
#ifndef TERN_IRQ_VIOAPIC_H
#define TERN_IRQ_VIOAPIC_H

#include "kernel/lib/types.h"

struct vm;

#define VIOAPIC_BASE      0xfec00000ull
#define VIOAPIC_MMIO_SIZE 0x1000ull
#define VIOAPIC_NR_PINS   24

/*
 * Allocate the vIOAPIC in its reset state (ID 0, every pin masked, edge,
 * active-high) and store it in vm_irq(vm)->vioapic. Does not register MMIO.
 * -TERN_EEXIST if the VM already has one, -TERN_ENOMEM.
 */
int vioapic_create(struct vm *vm);

/* Free the vIOAPIC and clear vm_irq(vm)->vioapic; no-op when there is none. */
void vioapic_destroy(struct vm *vm);

/*
 * Source source_id (< IRQ_SOURCE_ID_MAX) drives pin (0-23) to level, the
 * electrical level: the pin's line is the OR of its sources, and an
 * active-low pin is asserted while that line is low. Edge pins deliver on
 * the asserting edge, level pins while asserted with Remote IRR clear.
 * Returns 1 when this call delivered an interrupt that a vLAPIC accepted,
 * 0 otherwise (masked, no edge, Remote IRR set, nobody accepted),
 * -TERN_EINVAL on a bad pin or source, -TERN_ENODEV without a vIOAPIC.
 */
int vioapic_set_irq(struct vm *vm, unsigned pin, unsigned source_id, int level);

/*
 * mmio_handler_t for the 4 KiB window; opaque is the struct vm. IOREGSEL
 * at 0x00, IOWIN at 0x10, EOI at 0x40. An access of 1, 2 or 4 bytes inside
 * one aligned dword reads those bytes of the register or merges them into
 * it (read-modify-write); an 8-byte access at an 8-aligned offset is two
 * dword accesses; anything else (crossing a dword, beyond the window)
 * reads 0 and is dropped; other offsets read 0 and ignore writes. Returns
 * 0, or -TERN_EINVAL for a size other than 1, 2, 4, 8.
 */
int vioapic_mmio(void *opaque, unsigned vcpu_id, u64 offset, unsigned size,
		 bool write, u64 *val);

/*
 * Broadcast EOI of a level vector (from a vLAPIC, which must not hold its
 * own lock; also what a write to the EOI register does): clears Remote IRR
 * of every pin with that vector, calls irq_ack_notify(vm,
 * TERN_IRQCHIP_IOAPIC, pin) without the vIOAPIC lock for each of them that
 * is level-triggered or had Remote IRR set, then re-delivers any of those
 * whose line is still asserted.
 */
void vioapic_eoi(struct vm *vm, u8 vector);

/*
 * Write a human-readable state dump into buf (always NUL-terminated when
 * len > 0). Returns the number of characters stored, excluding the NUL.
 */
int vioapic_dump(struct vm *vm, char *buf, size_t len);

#endif
