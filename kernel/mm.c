/* SPDX-License-Identifier: MIT */
/*
 * Physical memory: a buddy allocator over the free RAM of the memory map
 * (naturally aligned 2^order page blocks: guest RAM takes 2 MiB blocks, the
 * VMX code single pages), and kzalloc() on top of it: power-of-two size
 * classes carved from pages, larger requests straight from the buddy.
 *
 * One byte of metadata per page frame says what the frame is (head of a
 * free block, of an allocated block, a slab page); free blocks link through
 * their own first bytes. One lock guards it all; zeroing happens outside.
 */
#include "kernel/mm.h"
#include "kernel/multiboot2.h"
#include "kernel/lib/list.h"
#include "kernel/lib/spinlock.h"
#include "kernel/lib/string.h"
#include "kernel/log.h"
#ifndef TERN_HOST
#include "arch/x86/x86.h"
#endif

#define MM_MAX_ORDER     18              /* 1 GiB blocks */
#define MM_RANGES_MAX    512
#define LOW_MEMORY_END   (1 * MiB)       /* firmware and AP start-up live below */

/* Page metadata byte: type in the top two bits, order or class below. */
#define PM_TYPE_MASK     0xc0
#define PM_NONE          0x00            /* not managed, or inside a block */
#define PM_FREE          0x40            /* head of a free block */
#define PM_PAGES         0x80            /* head of a page_alloc() block */
#define PM_SLAB          0xc0            /* page of kzalloc() objects */
#define PM_KZALLOC       0x20            /* with PM_PAGES: a large kzalloc() */
#define PM_ORDER_MASK    0x1f

#define SLAB_MIN_SHIFT   4               /* 16-byte objects: kzalloc's alignment */
#define SLAB_MAX_SHIFT   11              /* 2 KiB; larger goes to page_alloc */
#define SLAB_CLASSES     (SLAB_MAX_SHIFT - SLAB_MIN_SHIFT + 1)

STATIC_ASSERT(MM_MAX_ORDER <= PM_ORDER_MASK);

static spinlock_t mm_lock = SPINLOCK_INIT;
static struct list_head free_lists[MM_MAX_ORDER + 1];
static u8 *page_meta;                   /* indexed by pfn - base_pfn */
static u64 base_pfn, end_pfn;
static u64 nr_free;
static void *slab_free[SLAB_CLASSES];   /* singly linked through each object */

static struct mem_range ranges[MM_RANGES_MAX];
static unsigned nr_ranges;
static u64 high_limit;                  /* ranges at or above were not freed yet */

static void zero_bytes(void *p, size_t len)
{
#ifdef TERN_HOST
	memset(p, 0, len);
#else
	if (IS_ALIGNED(len, sizeof(u64)))
		rep_stosq(p, 0, len / sizeof(u64));
	else
		memset(p, 0, len);
#endif
}

static u64 addr_pfn(const void *p)
{
	return virt_to_phys(p) >> PAGE_SHIFT;
}

static void *pfn_addr(u64 pfn)
{
	return phys_to_virt(pfn << PAGE_SHIFT);
}

static bool pfn_managed(u64 pfn)
{
	return page_meta && pfn >= base_pfn && pfn < end_pfn;
}

static u8 *meta(u64 pfn)
{
	return &page_meta[pfn - base_pfn];
}

/* ---------------------------------------------------------------- ranges */

static int range_add(u64 start, u64 end)
{
	if (start >= end)
		return 0;
	if (nr_ranges >= MM_RANGES_MAX)
		return -TERN_ENOSPC;
	ranges[nr_ranges].start = start;
	ranges[nr_ranges].end = end;
	ranges[nr_ranges].type = MEM_USABLE;
	nr_ranges++;
	return 0;
}

/* Remove [start, end) from the free ranges, splitting where it falls inside one. */
static int range_remove(u64 start, u64 end)
{
	start = ALIGN_DOWN(start, PAGE_SIZE);
	end = end > UINT64_MAX - PAGE_SIZE ? ALIGN_DOWN(UINT64_MAX, PAGE_SIZE)
					   : ALIGN_UP(end, PAGE_SIZE);
	for (unsigned i = 0; i < nr_ranges; i++) {
		struct mem_range *r = &ranges[i];
		u64 tail_start = end, tail_end = r->end;

		if (end <= r->start || start >= r->end)
			continue;
		if (start <= r->start && end >= r->end) {
			ranges[i--] = ranges[--nr_ranges];
			continue;
		}
		if (start > r->start) {
			r->end = start;
			if (tail_start < tail_end && range_add(tail_start, tail_end))
				return -TERN_ENOSPC;
		} else {
			r->start = end;
		}
	}
	return 0;
}

static int ranges_build(const struct mem_map *map, const struct mem_range *excl, unsigned nexcl)
{
	int ret = 0;

	nr_ranges = 0;
	for (unsigned i = 0; i < map->nr && !ret; i++)
		if (map->r[i].type == MEM_USABLE)
			ret = range_add(ALIGN_UP(map->r[i].start, PAGE_SIZE),
					ALIGN_DOWN(map->r[i].end, PAGE_SIZE));
	/* Overlapping entries: anything not usable wins. */
	for (unsigned i = 0; i < map->nr && !ret; i++)
		if (map->r[i].type != MEM_USABLE)
			ret = range_remove(map->r[i].start, map->r[i].end);
	for (unsigned i = 0; i < nexcl && !ret; i++)
		ret = range_remove(excl[i].start, excl[i].end);
	return ret;
}

/* ---------------------------------------------------------------- buddy */

static void buddy_insert(u64 pfn, unsigned order)
{
	*meta(pfn) = PM_FREE | order;
	list_add(pfn_addr(pfn), &free_lists[order]);
}

/* Free a block, merging it with its free buddies. Caller holds mm_lock. */
static void buddy_free(u64 pfn, unsigned order)
{
	nr_free += 1ull << order;
	while (order < MM_MAX_ORDER) {
		u64 buddy = pfn ^ (1ull << order);

		if (!pfn_managed(buddy) || *meta(buddy) != (PM_FREE | order))
			break;
		list_del(pfn_addr(buddy));
		*meta(buddy) = PM_NONE;
		pfn = MIN(pfn, buddy);
		order++;
	}
	buddy_insert(pfn, order);
}

/* Take a block of 2^order pages; 0 when none. Caller holds mm_lock. */
static u64 buddy_alloc(unsigned order, u8 type)
{
	unsigned o = order;
	struct list_head *blk;
	u64 pfn;

	while (o <= MM_MAX_ORDER && list_empty(&free_lists[o]))
		o++;
	if (o > MM_MAX_ORDER)
		return 0;
	blk = free_lists[o].next;
	list_del(blk);
	pfn = addr_pfn(blk);
	while (o > order) {
		o--;
		buddy_insert(pfn + (1ull << o), o);
	}
	*meta(pfn) = type;
	nr_free -= 1ull << order;
	return pfn;
}

/* Free [start, end) page by page in the largest aligned blocks that fit. */
static void free_range(u64 start, u64 end)
{
	u64 pfn = start >> PAGE_SHIFT, last = end >> PAGE_SHIFT;

	while (pfn < last) {
		unsigned order = 0;

		while (order < MM_MAX_ORDER && IS_ALIGNED(pfn, 1ull << (order + 1)) &&
		       pfn + (1ull << (order + 1)) <= last)
			order++;
		buddy_free(pfn, order);
		pfn += 1ull << order;
	}
}

/* Metadata for [base_pfn, end_pfn) from the first free range below limit that holds it. */
static int meta_place(u64 limit)
{
	u64 lo = UINT64_MAX, hi = 0, bytes;

	for (unsigned i = 0; i < nr_ranges; i++) {
		lo = MIN(lo, ranges[i].start >> PAGE_SHIFT);
		hi = MAX(hi, ranges[i].end >> PAGE_SHIFT);
	}
	if (hi <= lo)
		return -TERN_ENOMEM;
	bytes = ALIGN_UP(hi - lo, PAGE_SIZE);
	for (unsigned i = 0; i < nr_ranges; i++) {
		u64 at = ranges[i].start;

		if (ranges[i].end - at < bytes || at + bytes > limit)
			continue;
		page_meta = phys_to_virt(at);
		zero_bytes(page_meta, bytes);
		base_pfn = lo;
		end_pfn = hi;
		return range_remove(at, at + bytes);
	}
	return -TERN_ENOMEM;
}

static void free_ranges_in(u64 lo, u64 hi)
{
	spin_lock(&mm_lock);
	for (unsigned i = 0; i < nr_ranges; i++) {
		u64 s = MAX(ranges[i].start, lo), e = MIN(ranges[i].end, hi);

		if (s < e)
			free_range(s, e);
	}
	spin_unlock(&mm_lock);
}

int mm_init(const struct mem_map *map, const struct mem_range *excl, unsigned nexcl,
	    u64 mapped_limit)
{
	int ret;

	page_meta = NULL;
	nr_free = 0;
	memset(slab_free, 0, sizeof(slab_free));
	for (unsigned o = 0; o <= MM_MAX_ORDER; o++)
		list_init(&free_lists[o]);
	ret = ranges_build(map, excl, nexcl);
	if (!ret)
		ret = range_remove(0, LOW_MEMORY_END);
	if (!ret)
		ret = meta_place(mapped_limit);
	if (ret)
		return ret;
	high_limit = mapped_limit;
	free_ranges_in(0, mapped_limit);
	return 0;
}

int mm_add_high(void)
{
	if (!page_meta)
		return -TERN_EINVAL;
	free_ranges_in(high_limit, UINT64_MAX);
	high_limit = UINT64_MAX;
	return 0;
}

void *page_alloc(unsigned order)
{
	u64 pfn;

	if (order > MM_MAX_ORDER)
		return NULL;
	spin_lock(&mm_lock);
	pfn = page_meta ? buddy_alloc(order, PM_PAGES | order) : 0;
	spin_unlock(&mm_lock);
	if (!pfn)
		return NULL;
	zero_bytes(pfn_addr(pfn), PAGE_SIZE << order);
	return pfn_addr(pfn);
}

/* Free a block whose head metadata must equal expect. */
static void pages_free_checked(void *p, unsigned order, u8 expect, const char *who)
{
	u64 pfn = addr_pfn(p);
	bool ok;

	spin_lock(&mm_lock);
	ok = order <= MM_MAX_ORDER && IS_ALIGNED(virt_to_phys(p), PAGE_SIZE << order) &&
	     pfn_managed(pfn) && *meta(pfn) == expect;
	if (ok)
		buddy_free(pfn, order);
	spin_unlock(&mm_lock);
	if (!ok)
		pr_err("%s: %p (order %u) was not allocated that way; ignored", who, p, order);
}

void page_free(void *p, unsigned order)
{
	if (!p)
		return;
	pages_free_checked(p, order, (u8)(PM_PAGES | order), "page_free");
}

u64 page_free_count(void)
{
	u64 n;

	spin_lock(&mm_lock);
	n = nr_free;
	spin_unlock(&mm_lock);
	return n;
}

/* ---------------------------------------------------------------- kzalloc */

static unsigned size_order(size_t size)
{
	unsigned order = 0;

	while ((PAGE_SIZE << order) < size)
		order++;
	return order;
}

static unsigned slab_class(size_t size)
{
	unsigned shift = SLAB_MIN_SHIFT;

	while ((1ull << shift) < size)
		shift++;
	return shift - SLAB_MIN_SHIFT;
}

/* Carve a fresh page into objects of class cls. Caller holds mm_lock. */
static bool slab_refill(unsigned cls)
{
	size_t obj = 1ull << (cls + SLAB_MIN_SHIFT);
	u64 pfn = buddy_alloc(0, PM_SLAB | cls);
	u8 *page;

	if (!pfn)
		return false;
	page = pfn_addr(pfn);
	for (size_t off = 0; off < PAGE_SIZE; off += obj) {
		*(void **)(page + off) = slab_free[cls];
		slab_free[cls] = page + off;
	}
	return true;
}

static void *kzalloc_large(size_t size)
{
	unsigned order = size_order(size);
	u64 pfn;

	if (order > MM_MAX_ORDER)
		return NULL;
	spin_lock(&mm_lock);
	pfn = page_meta ? buddy_alloc(order, PM_PAGES | PM_KZALLOC | order) : 0;
	spin_unlock(&mm_lock);
	if (!pfn)
		return NULL;
	zero_bytes(pfn_addr(pfn), PAGE_SIZE << order);
	return pfn_addr(pfn);
}

void *kzalloc(size_t size)
{
	unsigned cls;
	void *obj = NULL;

	if (size > (1ull << SLAB_MAX_SHIFT))
		return kzalloc_large(size);
	cls = slab_class(size);
	spin_lock(&mm_lock);
	if (page_meta && (slab_free[cls] || slab_refill(cls))) {
		obj = slab_free[cls];
		slab_free[cls] = *(void **)obj;
	}
	spin_unlock(&mm_lock);
	if (obj)
		zero_bytes(obj, 1ull << (cls + SLAB_MIN_SHIFT));
	return obj;
}

void kfree(void *p)
{
	u64 pfn = addr_pfn(p);
	u8 m;

	if (!p)
		return;
	spin_lock(&mm_lock);
	m = pfn_managed(pfn) ? *meta(pfn) : PM_NONE;
	if ((m & PM_TYPE_MASK) == PM_SLAB) {
		unsigned cls = m & PM_ORDER_MASK;

		if (IS_ALIGNED(virt_to_phys(p), 1ull << (cls + SLAB_MIN_SHIFT))) {
			*(void **)p = slab_free[cls];
			slab_free[cls] = p;
			spin_unlock(&mm_lock);
			return;
		}
	}
	spin_unlock(&mm_lock);
	if ((m & PM_TYPE_MASK) == PM_PAGES && (m & PM_KZALLOC)) {
		pages_free_checked(p, m & PM_ORDER_MASK, m, "kfree");
		return;
	}
	pr_err("kfree: %p was not from kzalloc; ignored", p);
}
