/* SPDX-License-Identifier: MIT */
/*
 * Reading the multiboot2 boot information (multiboot2 spec section 3.6)
 * into struct boot_info and a memory map. The block comes from the boot
 * loader: its sizes and alignment are checked, never trusted.
 */
#ifndef TERN_MULTIBOOT2_H
#define TERN_MULTIBOOT2_H

#include "kernel/config.h"
#include "kernel/lib/types.h"

#define MEMMAP_MAX        256
#define MB2_INFO_MAX_SIZE (1024 * 1024)   /* larger is taken as corrupt */

enum mem_type {
	MEM_USABLE = 1,
	MEM_RESERVED,
	MEM_ACPI_RECLAIM,
	MEM_ACPI_NVS,
	MEM_BAD,
};

struct mem_range {
	u64 start;   /* physical, inclusive */
	u64 end;     /* physical, exclusive */
	enum mem_type type;
};

struct mem_map {
	unsigned nr;
	struct mem_range r[MEMMAP_MAX];
};

/*
 * Parse the information block at info (physical address info_phys, which
 * the RSDP address handed out in bi->rsdp_phys points into). Fills bi
 * (zeroed first) and map (the loader's memory map as given, empty ranges
 * dropped). Returns 0, or -TERN_EINVAL with a one-line reason in err.
 */
int multiboot2_parse(const void *info, u64 info_phys, struct boot_info *bi,
		     struct mem_map *map, char *err, size_t errlen);

/* The block's total size (first word); call after multiboot2_parse() succeeded. */
u32 multiboot2_info_size(const void *info);

#endif
