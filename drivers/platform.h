/* SPDX-License-Identifier: MIT */
/*
 * The emulated PC platform of a VM: the devices every VM gets.
 *   COM1 16550A UART   0x3f8-0x3ff, GSI 4          (drivers/uart16550.h)
 *   isa-debug-exit     0xf4-0xf7                   (drivers/debug_exit.h)
 *   fw_cfg             0x510-0x511                 (drivers/fw_cfg.h)
 *   pc-testdev         0xe0-0xeb, 0x2000-0x2017, MMIO 0xff000000 + 64 KiB
 *                                                  (drivers/pc_testdev.h)
 * Each VM's instances are found by vm_id(vm) (0 .. CONFIG_MAX_VMS - 1).
 */
#ifndef TERN_DRIVERS_PLATFORM_H
#define TERN_DRIVERS_PLATFORM_H

#include "kernel/lib/types.h"

struct vm;
struct uart16550;
struct fw_cfg;

/*
 * Create and register all emulated devices of vm. Returns 0, or
 * -TERN_EINVAL (vm_id out of range), -TERN_EBUSY (vm_id already has a
 * platform), -TERN_ENOMEM, or a device's creation error; on failure the
 * devices created so far are freed and the VM must not run (kernel/io.h
 * has no unregister: its maps may still name them).
 */
int pc_platform_init(struct vm *vm);

/*
 * Free vm's devices (nothing if it has none); only once the VM no longer
 * runs, and before irq_routing_destroy() (COM1 gives its irq source back).
 */
void pc_platform_destroy(struct vm *vm);

/* vm's COM1 and fw_cfg instances, valid until pc_platform_destroy(); NULL when vm has none. */
struct uart16550 *pc_platform_com1(struct vm *vm);
struct fw_cfg *pc_platform_fw_cfg(struct vm *vm);

#endif
