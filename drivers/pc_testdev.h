/* SPDX-License-Identifier: MIT */
/*
 * QEMU's pc-testdev, the test device kvm-unit-tests and tern's guests use:
 *   0x2000 + n (n = 0..23)  1-byte write: interrupt line n = !!value, raised
 *                           as source IRQ_SOURCE_USER; other widths and reads
 *                           do nothing (reads return 0). set_irq() errors
 *                           stop the VM, except -TERN_ENOENT (no route).
 *   0xe0-0xe3               32-bit scratch register; an access of any width
 *                           reads/writes the bytes it covers (bytes past 0xe3
 *                           are dropped, read as 0).
 *   0xe4-0xe7               page-flush: a 32-bit write is accepted and does
 *                           nothing (tern has no host page to flush); reads 0.
 *   0xe8-0xeb               the scratch register again, byte by byte.
 *   MMIO 0xff000000 + 64 KiB  memory: reads return what was written (1, 2,
 *                           4 or 8 bytes, little-endian; bytes past the end
 *                           are dropped, read as 0). Starts zeroed.
 */
#ifndef TERN_DRIVERS_PC_TESTDEV_H
#define TERN_DRIVERS_PC_TESTDEV_H

#include "kernel/lib/types.h"

#define PC_TESTDEV_SCRATCH_PORT  0xe0
#define PC_TESTDEV_FLUSH_PORT    0xe4
#define PC_TESTDEV_BYTE_PORT     0xe8
#define PC_TESTDEV_REG_PORTS     4
#define PC_TESTDEV_IRQ_PORT      0x2000
#define PC_TESTDEV_NR_IRQS       24
#define PC_TESTDEV_IOMEM_BASE    0xff000000ull
#define PC_TESTDEV_IOMEM_SIZE    0x10000ull

struct vm;
struct pc_testdev;

/*
 * Create the device for vm and register its ports and its MMIO region.
 * Returns 0 and stores the instance in *out, or -TERN_ENOMEM, or what
 * pio_register()/mmio_register() returned.
 */
int pc_testdev_create(struct vm *vm, struct pc_testdev **out);

/* Free an instance (NULL is ignored); only once its VM no longer runs. */
void pc_testdev_destroy(struct pc_testdev *dev);

#endif
