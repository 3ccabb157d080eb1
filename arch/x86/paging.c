/* SPDX-License-Identifier: MIT */
#include "arch/x86/paging.h"
#include "arch/x86/cpu.h"
#include "arch/x86/x86.h"
#include "boot/boot.h"
#include "kernel/lib/spinlock.h"
#include "kernel/mm.h"
#include "kernel/multiboot2.h"

#define PT_ENTRIES     512
#define PT_INDEX_BITS  9
#define PTE_ADDR_MASK  0x000ffffffffff000ull
#define LEVEL_PT       1
#define LEVEL_PD       2
#define LEVEL_PDPT     3
#define LEVEL_PML4     4
#define TABLE_FLAGS    (PTE_P | PTE_RW)   /* upper levels allow all; leaves restrict */

static u64 *root;
static u64 nx_bit;            /* PTE_NX, or 0 when the CPU lacks NX */
static spinlock_t lock = SPINLOCK_INIT;

static unsigned level_shift(unsigned level)
{
	return PAGE_SHIFT + (level - 1) * PT_INDEX_BITS;
}

static u64 level_size(unsigned level)
{
	return 1ull << level_shift(level);
}

static unsigned pt_index(u64 va, unsigned level)
{
	return (va >> level_shift(level)) & (PT_ENTRIES - 1);
}

static bool is_leaf(u64 e, unsigned level)
{
	return level == LEVEL_PT || (e & PTE_PS);
}

/* Replace the large-page leaf *e (at level) by a table of the next level mapping the same. */
static int split_leaf(u64 *e, unsigned level)
{
	u64 *t = page_alloc(0);
	u64 base = *e & PTE_ADDR_MASK & ~(level_size(level) - 1);
	u64 flags = *e & ~PTE_ADDR_MASK;

	if (!t)
		return -TERN_ENOMEM;
	if (level - 1 == LEVEL_PT)
		flags &= ~PTE_PS;   /* bit 7 of a 4 KiB entry is PAT */
	for (unsigned i = 0; i < PT_ENTRIES; i++)
		t[i] = (base + i * level_size(level - 1)) | flags;
	*e = virt_to_phys(t) | TABLE_FLAGS;
	return 0;
}

/* The entry for va at level, creating or splitting tables on the way. NULL: out of memory. */
static u64 *walk(u64 va, unsigned level)
{
	u64 *t = root;

	for (unsigned l = LEVEL_PML4; l > level; l--) {
		u64 *e = &t[pt_index(va, l)];

		if (!(*e & PTE_P)) {
			u64 *next = page_alloc(0);

			if (!next)
				return NULL;
			*e = virt_to_phys(next) | TABLE_FLAGS;
		} else if (is_leaf(*e, l) && split_leaf(e, l)) {
			return NULL;
		}
		t = phys_to_virt(*e & PTE_ADDR_MASK);
	}
	return &t[pt_index(va, level)];
}

/* The largest leaf level that fits at va for a mapping ending at end. */
static unsigned leaf_level(u64 va, u64 end)
{
	unsigned top = cpu_has_1g_pages() ? LEVEL_PDPT : LEVEL_PD;

	for (unsigned l = top; l > LEVEL_PT; l--)
		if (IS_ALIGNED(va, level_size(l)) && end - va >= level_size(l))
			return l;
	return LEVEL_PT;
}

/* Map [start, end) (page-aligned) to itself with leaf flags, overriding what was there. */
static int map_range(u64 start, u64 end, u64 flags)
{
	for (u64 va = start; va < end;) {
		unsigned level = leaf_level(va, end);
		u64 *e = walk(va, level);

		if (!e)
			return -TERN_ENOMEM;
		/* A finer table already there keeps its mappings: go one level down. */
		while (level > LEVEL_PT && (*e & PTE_P) && !is_leaf(*e, level)) {
			level--;
			e = walk(va, level);
			if (!e)
				return -TERN_ENOMEM;
		}
		*e = va | flags | (level > LEVEL_PT ? PTE_PS : 0);
		va += level_size(level);
	}
	return 0;
}

static int map_span(u64 start, u64 end, u64 flags)
{
	return map_range(ALIGN_DOWN(start, PAGE_SIZE), ALIGN_UP(end, PAGE_SIZE), flags);
}

static int unmap_page(u64 va)
{
	u64 *e = walk(va, LEVEL_PT);

	if (!e)
		return -TERN_ENOMEM;
	*e = 0;
	return 0;
}

static bool map_wanted(enum mem_type t)
{
	return t == MEM_USABLE || t == MEM_ACPI_RECLAIM || t == MEM_ACPI_NVS;
}

static int map_ram(const struct mem_map *map, const struct mem_range *extra, unsigned nextra)
{
	u64 data = PTE_P | PTE_RW | nx_bit;
	int ret = 0;

	for (unsigned i = 0; i < map->nr && !ret; i++)
		if (map_wanted(map->r[i].type))
			ret = map_span(map->r[i].start, map->r[i].end, data);
	for (unsigned i = 0; i < nextra && !ret; i++)
		ret = map_span(extra[i].start, extra[i].end, data);
	return ret;
}

static int map_image(void)
{
	u64 text = (u64)(uintptr_t)__image_start, text_end = (u64)(uintptr_t)__text_end;
	u64 ro_end = (u64)(uintptr_t)__rodata_end, end = (u64)(uintptr_t)__image_end;
	int ret;

	ret = map_span(text, text_end, PTE_P);
	if (!ret)
		ret = map_span(text_end, ro_end, PTE_P | nx_bit);
	if (!ret)
		ret = map_span(ro_end, end, PTE_P | PTE_RW | nx_bit);
	for (u64 g = 0; g < BOOT_GUARD_SIZE && !ret; g += PAGE_SIZE)
		ret = unmap_page((u64)(uintptr_t)boot_stack_guard + g);
	return ret;
}

static u64 mmio_flags(void)
{
	return PTE_P | PTE_RW | PTE_PCD | PTE_PWT | nx_bit;   /* PAT entry 3: uncached */
}

int paging_init(const struct mem_map *map, const struct mem_range *extra, unsigned nextra)
{
	int ret;

	root = page_alloc(0);
	if (!root)
		return -TERN_ENOMEM;
	if (cpu_has_nx()) {
		wrmsr(MSR_IA32_EFER, rdmsr(MSR_IA32_EFER) | EFER_NXE);
		nx_bit = PTE_NX;
	}
	ret = map_ram(map, extra, nextra);
	if (!ret)
		ret = map_image();
	if (!ret)
		ret = unmap_page(0);   /* NULL dereferences fault */
	if (!ret)
		ret = map_span(HOST_LAPIC_BASE, HOST_LAPIC_BASE + HOST_LAPIC_SIZE, mmio_flags());
	if (!ret)
		ret = map_span(HOST_IOAPIC_BASE, HOST_IOAPIC_BASE + HOST_IOAPIC_SIZE, mmio_flags());
	if (ret)
		return ret;
	write_cr3(virt_to_phys(root));
	return 0;
}

int paging_map_mmio(u64 phys, u64 len)
{
	int ret;

	if (!root || len == 0 || phys + len < phys)
		return -TERN_EINVAL;
	spin_lock(&lock);
	ret = map_span(phys, phys + len, mmio_flags());
	spin_unlock(&lock);
	write_cr3(read_cr3());
	return ret;
}

int paging_unmap_page(u64 va)
{
	int ret;

	if (!root)
		return -TERN_EINVAL;
	spin_lock(&lock);
	ret = unmap_page(ALIGN_DOWN(va, PAGE_SIZE));
	spin_unlock(&lock);
	invlpg((void *)(uintptr_t)va);
	return ret;
}

u64 paging_root(void)
{
	return virt_to_phys(root);
}

/* ---------------------------------------------------------------- checks */

static bool leaf_wx(u64 e)
{
	return (e & PTE_RW) && !(e & PTE_NX);
}

/* Writable and executable leaves under table t (at level), recursively. */
static u64 count_wx(const u64 *t, unsigned level)
{
	u64 n = 0;

	for (unsigned i = 0; i < PT_ENTRIES; i++) {
		u64 e = t[i];

		if (!(e & PTE_P))
			continue;
		if (is_leaf(e, level))
			n += leaf_wx(e);
		else
			n += count_wx(phys_to_virt(e & PTE_ADDR_MASK), level - 1);
	}
	return n;
}

u64 paging_count_wx(void)
{
	u64 n;

	if (!root)
		return ~0ull;
	spin_lock(&lock);
	n = count_wx(root, LEVEL_PML4);
	spin_unlock(&lock);
	return n;
}

/* The leaf mapping va, or 0 when va is not mapped. */
static u64 leaf_of(u64 va)
{
	const u64 *t = root;

	for (unsigned l = LEVEL_PML4; l >= LEVEL_PT; l--) {
		u64 e = t[pt_index(va, l)];

		if (!(e & PTE_P))
			return 0;
		if (is_leaf(e, l))
			return e;
		t = phys_to_virt(e & PTE_ADDR_MASK);
	}
	return 0;
}

u64 paging_leaf_flags(u64 va)
{
	u64 e;

	if (!root)
		return 0;
	spin_lock(&lock);
	e = leaf_of(va);
	spin_unlock(&lock);
	return e & ~PTE_ADDR_MASK;
}
