/* SPDX-License-Identifier: MIT */
/*
 * isa-debug-exit, as QEMU's -device isa-debug-exit,iobase=0xf4,iosize=0x04:
 * a write of value v (of any width, to any port of the range) ends the VM
 * with exit status (v << 1) | 1. Reads return 0.
 */
#ifndef TERN_DRIVERS_DEBUG_EXIT_H
#define TERN_DRIVERS_DEBUG_EXIT_H

#include "kernel/lib/types.h"

#define DEBUG_EXIT_PORT  0xf4
#define DEBUG_EXIT_SIZE  4

struct vm;
struct debug_exit;

/*
 * Create a debug-exit device on ports [base, base + size) of vm and register
 * it. Returns 0 and stores the instance in *out, or -TERN_EINVAL (size 0),
 * -TERN_ENOMEM, or what pio_register() returned.
 */
int debug_exit_create(struct vm *vm, u16 base, u16 size, struct debug_exit **out);

/* Free an instance (NULL is ignored); only once its VM no longer runs. */
void debug_exit_destroy(struct debug_exit *dev);

/*
 * The exit status a written value gives: the value is taken as is, masked
 * to the access width, and (v << 1) | 1 is computed in 32 bits, the width of
 * QEMU's exit() argument.
 */
int debug_exit_status(u32 value, unsigned size);

#endif
