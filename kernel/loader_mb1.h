/* SPDX-License-Identifier: MIT */
/* Multiboot v1 formats and the pieces of the Multiboot loader (kernel/loader_mb1*.c). */
#ifndef TERN_LOADER_MB1_H
#define TERN_LOADER_MB1_H

#include "kernel/lib/types.h"
#include "kernel/loader.h"

#define MB1_HEADER_MAGIC     0x1badb002u
#define MB1_SEARCH_LIMIT     8192        /* the header lies in the first 8 KiB */
#define MB1_HEADER_ALIGN     4
#define MB1_HEADER_MIN       12          /* magic, flags, checksum */
#define MB1_MODULE_ALIGN     4096
#define MB1_MAX_MODULES      16

/* Header flags. Bits 0-15 are requirements a loader must honour or refuse. */
#define MB1_FLAG_PAGE_ALIGN   BIT(0)     /* modules page-aligned (always done) */
#define MB1_FLAG_MEMINFO      BIT(1)     /* mem_* and mmap wanted (always given) */
#define MB1_FLAG_VIDEO        BIT(2)     /* a video mode: tern has no display */
#define MB1_FLAG_AOUT_KLUDGE  BIT(16)    /* the address fields below are valid */
#define MB1_FLAGS_REQUIRED_MASK 0xffffu
#define MB1_FLAGS_SUPPORTED   (MB1_FLAG_PAGE_ALIGN | MB1_FLAG_MEMINFO)

struct mb1_header {
	u32 magic, flags, checksum;
	u32 header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr;
} __packed;

/* Boot information flags (which fields of struct mb1_info are valid). */
#define MB1_INFO_MEM          BIT(0)
#define MB1_INFO_CMDLINE      BIT(2)
#define MB1_INFO_MODS         BIT(3)
#define MB1_INFO_MMAP         BIT(6)
#define MB1_INFO_LOADER_NAME  BIT(9)

#define MB1_MEM_LOWER_KIB     640        /* conventional memory below the VGA hole */
#define MB1_LOW_HOLE_START    0xa0000ull
#define MB1_LOW_HOLE_END      0x100000ull
#define MB1_HIGH_HOLE_START   0xfec00000ull   /* IOAPIC, HPET, LAPIC, firmware */
#define MB1_HIGH_HOLE_END     0x100000000ull

#define MB1_MMAP_AVAILABLE    1
#define MB1_MMAP_RESERVED     2

struct mb1_info {
	u32 flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
	u32 syms[4];
	u32 mmap_length, mmap_addr, drives_length, drives_addr, config_table;
	u32 boot_loader_name, apm_table;
	u32 vbe_control_info, vbe_mode_info;
	u16 vbe_mode, vbe_interface_seg, vbe_interface_off, vbe_interface_len;
} __packed;

struct mb1_module {
	u32 mod_start, mod_end, string, reserved;
} __packed;

/* The size field counts the bytes after itself. */
struct mb1_mmap_entry {
	u32 size;
	u64 base, length;
	u32 type;
} __packed;

/* Where a module was put in guest RAM. */
struct mb1_placed {
	u64 start, end;
};

/*
 * Find a header with a valid checksum at a 4-byte boundary in the first
 * 8 KiB of data; 0 with the header and its file offset, else -TERN_ENOEXEC.
 */
int mb1_find_header(const u8 *data, u64 size, struct mb1_header *hdr, u64 *offset);

/*
 * Write the boot information (info struct, memory map, command line,
 * module list and names, loader name) into the information area and return
 * its guest-physical address in *info_gpa. -TERN_E2BIG when it does not fit.
 */
int mb1_build_info(struct vm *vm, const struct loader_image *img, const struct mb1_placed *placed,
		   u32 *info_gpa, char *err, size_t errlen);

#endif
