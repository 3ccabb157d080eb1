/* SPDX-License-Identifier: MIT */
/* The Multiboot v1 information the loader passed (EBX at entry). */
#ifndef GUEST_MULTIBOOT_H
#define GUEST_MULTIBOOT_H

#include "kernel/lib/types.h"

#define MB_BOOT_MAGIC       0x2badb002u
#define MB_INFO_MEM         BIT(0)
#define MB_INFO_CMDLINE     BIT(2)
#define MB_INFO_MODS        BIT(3)
#define MB_INFO_MMAP        BIT(6)
#define MB_INFO_LOADER_NAME BIT(9)
#define MB_MMAP_AVAILABLE   1

struct mb_info {
	u32 flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
	u32 syms[4];
	u32 mmap_length, mmap_addr, drives_length, drives_addr, config_table;
	u32 boot_loader_name, apm_table;
} __packed;

struct mb_module {
	u32 mod_start, mod_end, string, reserved;
} __packed;

struct mb_mmap_entry {
	u32 size;              /* bytes after this field */
	u64 base, length;
	u32 type;
} __packed;

/* Record what the loader passed (guest_start does it). */
void mb_init(u32 magic, u32 info);
/* The magic the guest was entered with, and the info (NULL if the magic was wrong). */
u32 mb_magic(void);
const struct mb_info *mb_info(void);
/* The command line ("" when none). */
const char *mb_cmdline(void);
/* The boot loader's name ("" when none). */
const char *mb_loader_name(void);
/* KiB of memory below 1 MiB / from 1 MiB to the first hole (0 when not given). */
u32 mb_mem_lower_kib(void);
u32 mb_mem_upper_kib(void);
/* Memory map entries: the i-th, or NULL past the end. */
const struct mb_mmap_entry *mb_mmap_entry(unsigned i);
/* Modules: the i-th, or NULL past the end. */
const struct mb_module *mb_module(unsigned i);
/*
 * The value of "key=VALUE" in the command line (up to the next space), copied
 * into buf; false when the key is absent.
 */
bool mb_cmdline_arg(const char *key, char *buf, size_t len);
/* "key=N" as a number (decimal or 0x hex), or def when absent or not a number. */
u32 mb_cmdline_u32(const char *key, u32 def);

#endif
