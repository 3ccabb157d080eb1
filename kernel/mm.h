/* SPDX-License-Identifier: MIT */
/*
 * Memory services. tern identity-maps host physical memory, so a page's
 * physical address is also its pointer (phys_to_virt/virt_to_phys exist to
 * keep that assumption in one place). Host builds map these to calloc/free.
 */
#ifndef TERN_MM_H
#define TERN_MM_H

#include "kernel/lib/types.h"

#define PAGE_SHIFT 12
#define PAGE_SIZE  4096ull

/* Zeroed allocation of size bytes, 16-byte aligned; NULL when out of memory. */
void *kzalloc(size_t size);
/* Free what kzalloc returned; NULL is ignored. */
void kfree(void *p);

/* 2^order zeroed, naturally aligned 4 KiB pages; NULL when out of memory. */
void *page_alloc(unsigned order);
/* Free pages from page_alloc with the same order. */
void page_free(void *p, unsigned order);
/* Pages still free, for limits and statistics. */
u64 page_free_count(void);

/*
 * Boot-time setup (kernel/main.c only). mm_init() builds the allocator from
 * the memory map's usable RAM minus every non-usable range and excl[0..nexcl)
 * (tern's image, boot information, modules, low memory), but hands out only
 * RAM below mapped_limit, which the boot page tables cover. mm_add_high()
 * releases the rest once paging maps it. Both return 0 or -TERN_Exxx.
 */
struct mem_map;
struct mem_range;
int mm_init(const struct mem_map *map, const struct mem_range *excl, unsigned nexcl,
	    u64 mapped_limit);
int mm_add_high(void);

static inline u64 virt_to_phys(const void *p) { return (u64)(uintptr_t)p; }
static inline void *phys_to_virt(u64 pa) { return (void *)(uintptr_t)pa; }

#endif
