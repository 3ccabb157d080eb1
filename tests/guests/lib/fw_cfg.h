/* SPDX-License-Identifier: MIT */
/* Reading QEMU's fw_cfg through its ports (0x510 selector, 0x511 data). */
#ifndef GUEST_FW_CFG_H
#define GUEST_FW_CFG_H

#include "kernel/lib/types.h"

#define FW_CFG_PORT_SEL   0x510
#define FW_CFG_PORT_DATA  0x511
#define FW_CFG_SIGNATURE  0x00
#define FW_CFG_ID         0x01
#define FW_CFG_RAM_SIZE   0x03
#define FW_CFG_NB_CPUS    0x05
#define FW_CFG_MAX_CPUS   0x0f
#define FW_CFG_FILE_DIR   0x19
#define FW_CFG_FILE_FIRST 0x20
#define FW_CFG_NAME_LEN   56

/* Select an item and read len bytes of it from the start. */
void fw_cfg_read(u16 key, void *buf, size_t len);
/* Select an item and read a little-endian value of 1..8 bytes. */
u64 fw_cfg_read_le(u16 key, unsigned bytes);
/* True when the signature item reads "QEMU". */
bool fw_cfg_present(void);
/* Number of files in the directory. */
u32 fw_cfg_file_count(void);
/* Find a file by name: true with its select key and size. */
bool fw_cfg_find_file(const char *name, u16 *select, u32 *size);

#endif
