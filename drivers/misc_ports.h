/* SPDX-License-Identifier: MIT */
/*
 * Small legacy PC ports every guest pokes, and the platform reset request.
 *   0x80  POST/debug port: writes ignored silently, reads return 0.
 *   0x92  system control port A: a write with bit 0 set (fast reset) asks
 *         for a reset; bit 1 (fast A20) always reads 1 and is never passed
 *         on (Bochs 2.7 would honour A20M inside VMX: docs/linux.md).
 *   0x60/0x64  a keyboard controller with nothing attached: 0x64 reads
 *         status 0x1c (system flag, last write was a command, not inhibited;
 *         output buffer empty), 0x60 reads 0. Command 0xfe (pulse reset)
 *         asks for a reset; 0xd1 (write output port) swallows the next data
 *         byte (so A20 never changes), as do the A20 commands 0xdd/0xdf;
 *         every other command and data byte is ignored.
 */
#ifndef TERN_DRIVERS_MISC_PORTS_H
#define TERN_DRIVERS_MISC_PORTS_H

#include "kernel/lib/types.h"

#define MISC_PORT_POST      0x80
#define MISC_PORT_SYSCTL_A  0x92
#define MISC_PORT_KBC_DATA  0x60
#define MISC_PORT_KBC_CMD   0x64

struct vm;
struct misc_ports;

/*
 * Create and register ports 0x80, 0x92, 0x60 and 0x64 of vm. Returns 0 and
 * the instance in *out, or -TERN_ENOMEM, or what pio_register() returned.
 */
int misc_ports_create(struct vm *vm, struct misc_ports **out);

/* Free an instance (NULL ignored); only once its VM no longer runs. */
void misc_ports_destroy(struct misc_ports *mp);

#endif
