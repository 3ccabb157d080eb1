/* SPDX-License-Identifier: MIT */
/*
 * Emulated 16550A UART (a VM's COM1 at 0x3f8, IRQ 4).
 *
 * Registers (offset from base; DLAB = LCR bit 7):
 *   0 RBR (read) / THR (write) / DLL (DLAB)   1 IER / DLM (DLAB)
 *   2 IIR (read) / FCR (write)                3 LCR
 *   4 MCR                                     5 LSR (writes ignored)
 *   6 MSR (writes ignored)                    7 SCR
 * Transmission is instant: THR bytes go to vm_console_write() (or, in
 * loopback, into the receive FIFO), so LSR always shows THRE|TEMT.
 * Receive: a 16-byte FIFO (1 byte with FIFOs disabled) fed by
 * uart16550_rx(); a byte arriving when it is full is lost and sets LSR.OE.
 * Interrupts as the datasheet prioritises them (RLS, RDA/timeout, THRE,
 * MSR), enabled by IER; like QEMU, MCR.OUT2 does not gate the line. Data
 * below the FIFO trigger level reports a character timeout at once (there
 * is no line timing). The line goes through set_irq(vm, own source, gsi);
 * a port access returns set_irq()'s errors except -TERN_ENOENT (unrouted).
 */
#ifndef TERN_DRIVERS_UART16550_H
#define TERN_DRIVERS_UART16550_H

#include "kernel/lib/types.h"

#define UART16550_COM1_BASE  0x3f8
#define UART16550_COM1_GSI   4
#define UART16550_NR_PORTS   8
#define UART16550_FIFO_SIZE  16

struct vm;
struct uart16550;

/*
 * Create a UART on ports [base, base + 8) of vm, raising gsi. Allocates an
 * irq source id. Returns 0 and stores the instance in *out, or
 * -TERN_ENOMEM, or what irq_source_alloc()/pio_register() returned.
 */
int uart16550_create(struct vm *vm, u16 base, u32 gsi, struct uart16550 **out);

/*
 * Free an instance and its irq source id (NULL is ignored); only once its
 * VM no longer runs, and before irq_routing_destroy().
 */
void uart16550_destroy(struct uart16550 *uart);

/*
 * A byte arrives on the serial line. Returns 0, -TERN_ENOSPC when the
 * receive FIFO was full (the byte is lost, LSR.OE is set, as on the chip),
 * or an error from set_irq() (-TERN_ENOENT, an unrouted GSI, is not one).
 */
int uart16550_rx(struct uart16550 *uart, u8 byte);

/*
 * Console input for vm's COM1 (the instance pc_platform_init() created).
 * Returns what uart16550_rx() returns, or -TERN_ENODEV when vm has none.
 */
int uart16550_receive(struct vm *vm, u8 byte);

#endif
