/* SPDX-License-Identifier: MIT */
/*
 * QEMU's firmware configuration device (fw_cfg), port interface, no DMA.
 *   0x510  selector: a write of any width selects item (value & 0xffff)
 *          and rewinds the data offset to 0; reads return 0.
 *   0x511  data: each byte read returns the next byte of the selected item
 *          (0 past its end); a wider read returns that many consecutive
 *          bytes, the first in the low bits. Writes are ignored.
 * Items: 0x00 signature "QEMU"; 0x01 ID = 1 (traditional interface, no
 * DMA); 0x03 RAM size (u64 LE, vm_ram_size); 0x05 and 0x0f CPUs (u16 LE,
 * vm_nr_vcpus); 0x19 file directory (u32 BE count, then per file
 * { u32 size BE, u16 select BE, u16 reserved, char name[56] }); files at
 * 0x20 + n in the order they were added. Other selectors (and any with
 * bit 15, the architecture-local range) read as zeros; bit 14 (write
 * channel) is ignored.
 */
#ifndef TERN_DRIVERS_FW_CFG_H
#define TERN_DRIVERS_FW_CFG_H

#include "kernel/lib/types.h"

#define FW_CFG_PORT_SEL     0x510
#define FW_CFG_PORT_DATA    0x511
#define FW_CFG_NR_PORTS     2

#define FW_CFG_MAX_FILES    32
#define FW_CFG_MAX_FILE_PATH 56   /* bytes of a name, its NUL included */
#define FW_CFG_MAX_FILE_SIZE (16 * MiB)

struct vm;
struct fw_cfg;

/*
 * Create the device for vm on ports 0x510-0x511 and register it.
 * Returns 0 and stores the instance in *out, or -TERN_ENOMEM, or what
 * pio_register() returned.
 */
int fw_cfg_create(struct vm *vm, struct fw_cfg **out);

/* Free an instance and its files (NULL is ignored); only once its VM no longer runs. */
void fw_cfg_destroy(struct fw_cfg *fw);

/*
 * Add a file (a copy of data[0..len)) to an instance's directory. Returns its
 * select key (>= 0x20), or -TERN_EINVAL (empty name, or 56 bytes or longer),
 * -TERN_EEXIST (name taken), -TERN_ENOSPC (FW_CFG_MAX_FILES reached),
 * -TERN_E2BIG (len > FW_CFG_MAX_FILE_SIZE), -TERN_ENOMEM.
 */
int fw_cfg_add_file_to(struct fw_cfg *fw, const char *name, const void *data, u32 len);

/* fw_cfg_add_file_to() on vm's instance; -TERN_ENODEV when vm has none. */
int fw_cfg_add_file(struct vm *vm, const char *name, const void *data, u32 len);

#endif
