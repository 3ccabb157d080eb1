/* SPDX-License-Identifier: MIT */
/*
 * Virtual 8259A pair as wired in a PC: master at 0x20/0x21, slave at
 * 0xa0/0xa1 cascaded on master IR2, PIIX edge/level control (ELCR) at
 * 0x4d0/0x4d1. Pins 0-7 are the master's IR0-7, pins 8-15 the slave's;
 * irq_ack_notify() receives the same numbers (TERN_IRQCHIP_PIC_SLAVE with
 * pin 8-15), after the lock is dropped, whenever an ISR bit ends.
 * The INTR output goes to the BSP (vCPU 0). See docs/irq-pic-ioapic.md.
 */
#ifndef TERN_IRQ_VPIC_H
#define TERN_IRQ_VPIC_H

#include "kernel/lib/types.h"

struct vm;

#define VPIC_NR_PINS          16

#define VPIC_MASTER_CMD_PORT  0x20
#define VPIC_MASTER_DATA_PORT 0x21
#define VPIC_SLAVE_CMD_PORT   0xa0
#define VPIC_SLAVE_DATA_PORT  0xa1
#define VPIC_ELCR_MASTER_PORT 0x4d0
#define VPIC_ELCR_SLAVE_PORT  0x4d1

/*
 * Allocate the vPIC pair in its power-on state (both chips initialised as a
 * PC BIOS leaves them: vectors 0x08/0x70, cascade, 8086 mode, edge, all
 * masked) and store it in vm_irq(vm)->vpic. Does not register ports.
 * -TERN_EEXIST if the VM already has one, -TERN_ENOMEM.
 */
int vpic_create(struct vm *vm);

/* Free the vPIC and clear vm_irq(vm)->vpic; no-op when there is none. */
void vpic_destroy(struct vm *vm);

/*
 * Source source_id (< IRQ_SOURCE_ID_MAX) drives pin (0-15) to level; the
 * pin's line is the OR of its sources. Returns 1 when this call latched a
 * new request into IRR on a pin its chip's IMR leaves unmasked, 0 when it
 * did not (line released, held high, request already pending, masked:
 * a masked pin still latches IRR as the 8259A does), -TERN_EINVAL on a bad
 * pin or source, -TERN_ENODEV without a vPIC. Kicks vCPU 0 when INTR rises.
 */
int vpic_set_irq(struct vm *vm, unsigned pin, unsigned source_id, int level);

/*
 * pio_handler_t for ports 0x20-0x21, 0xa0-0xa1 and 0x4d0-0x4d1; opaque is the
 * struct vm. Accesses of size 2 or 4 are split into byte accesses to
 * port, port+1, ... (as a PC bus does); a byte outside these six ports reads
 * 0xff and ignores writes. -TERN_EINVAL for a size other than 1, 2, 4.
 */
int vpic_pio(void *opaque, unsigned vcpu_id, u16 port, unsigned size, bool in, u32 *val);

/* The master's INTR output: an unmasked request outranks what is in service. */
bool vpic_intr_pending(struct vm *vm);

/*
 * Interrupt acknowledge cycle: returns the vector of the highest-priority
 * request and moves it IRR->ISR (ISR untouched in auto-EOI mode), going
 * through the slave for its cascade input; when the request went away
 * returns the spurious IR7 vector of the chip that lost it (master base+7,
 * or slave base+7 with master IR2 in service). -TERN_ENODEV without a vPIC.
 */
int vpic_intr_ack(struct vm *vm);

/*
 * Write a human-readable state dump into buf (always NUL-terminated when
 * len > 0). Returns the number of characters stored, excluding the NUL.
 */
int vpic_dump(struct vm *vm, char *buf, size_t len);

#endif
