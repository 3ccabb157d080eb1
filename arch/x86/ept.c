/* SPDX-License-Identifier: MIT */
#include "arch/x86/ept.h"
#include "kernel/mm.h"

#define EPT_LEVEL_SHIFT(level) (PAGE_SHIFT + 9 * (level))   /* level 0 = PT ... 3 = PML4 */
#define EPT_INDEX(gpa, level)  (((gpa) >> EPT_LEVEL_SHIFT(level)) & (EPT_ENTRIES - 1))
#define EPT_LEAF_FLAGS         (EPT_RWX | (EPT_MEMTYPE_WB << EPT_MEMTYPE_SHIFT))

u64 *ept_create(void)
{
	return page_alloc(0);
}

/* The table below entry *e, allocated when missing. */
static u64 *next_table(u64 *e)
{
	u64 *t;

	if (*e & EPT_LARGE)
		return NULL;
	if (*e & EPT_RWX)
		return phys_to_virt(*e & EPT_ADDR_MASK);
	t = page_alloc(0);
	if (t)
		*e = virt_to_phys(t) | EPT_RWX;
	return t;
}

/* The largest leaf level (0: 4K, 1: 2M, 2: 1G) usable at gpa/hpa for rem bytes. */
static unsigned leaf_level(u64 gpa, u64 hpa, u64 rem, const struct ept_sizes *sizes)
{
	for (unsigned level = 2; level > 0; level--) {
		u64 size = 1ull << EPT_LEVEL_SHIFT(level);
		bool allowed = level == 2 ? sizes->use_1g : sizes->use_2m;

		if (allowed && IS_ALIGNED(gpa, size) && IS_ALIGNED(hpa, size) && rem >= size)
			return level;
	}
	return 0;
}

static int map_one(u64 *pml4, u64 gpa, u64 hpa, unsigned leaf)
{
	u64 *t = pml4;

	for (unsigned level = EPT_LEVELS - 1; level > leaf; level--) {
		t = next_table(&t[EPT_INDEX(gpa, level)]);
		if (!t)
			return -TERN_ENOMEM;
	}
	if (t[EPT_INDEX(gpa, leaf)])
		return -TERN_EEXIST;
	t[EPT_INDEX(gpa, leaf)] = hpa | EPT_LEAF_FLAGS | (leaf ? EPT_LARGE : 0);
	return 0;
}

int ept_map(u64 *pml4, u64 gpa, u64 hpa, u64 len, const struct ept_sizes *sizes)
{
	if (!IS_ALIGNED(gpa | hpa | len, PAGE_SIZE) || gpa + len < gpa)
		return -TERN_EINVAL;
	while (len) {
		unsigned leaf = leaf_level(gpa, hpa, len, sizes);
		u64 size = 1ull << EPT_LEVEL_SHIFT(leaf);
		int rc = map_one(pml4, gpa, hpa, leaf);

		if (rc)
			return rc;
		gpa += size;
		hpa += size;
		len -= size;
	}
	return 0;
}

static void walk(const u64 *t, unsigned level, u64 counts[3], bool free_tables)
{
	for (unsigned i = 0; i < EPT_ENTRIES; i++) {
		if (!(t[i] & EPT_RWX))
			continue;
		if (level == 0 || (t[i] & EPT_LARGE)) {
			if (counts)
				counts[level]++;
			continue;
		}
		walk(phys_to_virt(t[i] & EPT_ADDR_MASK), level - 1, counts, free_tables);
	}
	if (free_tables)
		page_free((void *)t, 0);
}

void ept_destroy(u64 *pml4)
{
	if (pml4)
		walk(pml4, EPT_LEVELS - 1, NULL, true);
}

void ept_count(const u64 *pml4, u64 counts[3])
{
	u64 all[EPT_LEVELS] = { 0 };

	walk(pml4, EPT_LEVELS - 1, all, false);
	for (unsigned i = 0; i < 3; i++)
		counts[i] = all[i];
}

u64 ept_pointer(const u64 *pml4)
{
	return virt_to_phys(pml4) | EPT_MEMTYPE_WB | ((u64)(EPT_LEVELS - 1) << EPTP_WALK_SHIFT);
}
