/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the page allocator and kzalloc (kernel/mm.c) over a
 * 32 MiB heap block standing in for physical RAM.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/multiboot2.h"

#define RAM_SIZE   (32 * MiB)
#define RAM_PAGES  (RAM_SIZE / PAGE_SIZE)
#define META_PAGES 2                      /* one byte per page frame */
#define RSV_OFF    (8 * MiB)              /* reserved: 4 KiB + 100 bytes, unaligned end */
#define RSV_PAGES  2
#define EXCL_OFF   (20 * MiB)
#define EXCL_SIZE  (1 * MiB)
#define LIMIT_OFF  (24 * MiB)             /* "mapped" at first */
#define ALL_FREE   (RAM_PAGES - META_PAGES - RSV_PAGES - EXCL_SIZE / PAGE_SIZE)

static u8 *ram;
static unsigned errors;

void log_printf(enum log_level level, const char *fmt, ...)
{
	if (level == LOG_ERR)
		errors++;
	(void)fmt;
}

static u64 off(const void *p)
{
	return (u64)((const u8 *)p - ram);
}

static int setup(void **state)
{
	static struct mem_map map;
	struct mem_range excl = { (u64)(uintptr_t)ram + EXCL_OFF,
				  (u64)(uintptr_t)ram + EXCL_OFF + EXCL_SIZE, MEM_RESERVED };
	u64 base = (u64)(uintptr_t)ram;

	(void)state;
	map.nr = 2;
	map.r[0] = (struct mem_range){ base, base + RAM_SIZE, MEM_USABLE };
	map.r[1] = (struct mem_range){ base + RSV_OFF, base + RSV_OFF + PAGE_SIZE + 100, MEM_RESERVED };
	memset(ram, 0x5a, RAM_SIZE);   /* an allocator that forgets to zero shows */
	errors = 0;
	if (mm_init(&map, &excl, 1, base + LIMIT_OFF))
		return -1;
	return 0;
}

static void test_init_counts_and_high_memory(void **state)
{
	(void)state;
	assert_int_equal(page_free_count(),
			 LIMIT_OFF / PAGE_SIZE - META_PAGES - RSV_PAGES - EXCL_SIZE / PAGE_SIZE);
	/* Nothing above the limit yet: the largest block lies there. */
	assert_null(page_alloc(11));
	assert_int_equal(mm_add_high(), 0);
	assert_int_equal(page_free_count(), ALL_FREE);
	void *big = page_alloc(11);   /* 8 MiB: only [24 MiB, 32 MiB) is whole */
	assert_non_null(big);
	assert_int_equal(off(big), LIMIT_OFF);
	assert_null(page_alloc(11));
	assert_null(page_alloc(19));  /* above the largest order */
	page_free(big, 11);
	assert_int_equal(page_free_count(), ALL_FREE);
	assert_int_equal(errors, 0);
}

static bool in(u64 o, u64 start, u64 len)
{
	return o >= start && o < start + len;
}

static void test_exhaust_never_hands_out_reserved_and_merges_back(void **state)
{
	static void *pages[RAM_PAGES];
	unsigned n = 0;

	(void)state;
	assert_int_equal(mm_add_high(), 0);
	while ((pages[n] = page_alloc(0)) != NULL) {
		u64 o = off(pages[n]);

		assert_true(o < RAM_SIZE && o % PAGE_SIZE == 0);
		assert_false(in(o, 0, META_PAGES * PAGE_SIZE));
		assert_false(in(o, RSV_OFF, RSV_PAGES * PAGE_SIZE));
		assert_false(in(o, EXCL_OFF, EXCL_SIZE));
		assert_int_equal(((u64 *)pages[n])[PAGE_SIZE / 8 - 1], 0);
		n++;
	}
	assert_int_equal(n, ALL_FREE);
	assert_int_equal(page_free_count(), 0);
	assert_null(kzalloc(16));   /* slabs need a page too */
	/* Free in a scattered order; blocks must merge back to 8 MiB. */
	for (unsigned stride = 0; stride < 7; stride++)
		for (unsigned i = stride; i < n; i += 7)
			page_free(pages[i], 0);
	assert_int_equal(page_free_count(), ALL_FREE);
	void *big = page_alloc(11);
	assert_non_null(big);
	page_free(big, 11);
	assert_int_equal(errors, 0);
}

static void test_alignment_and_zeroing(void **state)
{
	(void)state;
	assert_int_equal(mm_add_high(), 0);
	for (unsigned order = 0; order <= 10; order++) {
		u8 *p = page_alloc(order);
		u64 size = PAGE_SIZE << order;

		assert_non_null(p);
		assert_int_equal((u64)(uintptr_t)p % size, 0);
		for (u64 i = 0; i < size; i += 512)
			assert_int_equal(p[i], 0);
		memset(p, 0xee, size);
		page_free(p, order);
		p = page_alloc(order);   /* the same dirty block comes back zeroed */
		assert_int_equal(p[size - 1], 0);
		page_free(p, order);
	}
	assert_int_equal(page_free_count(), ALL_FREE);
}

static void test_bad_frees_are_refused(void **state)
{
	u8 *p;

	(void)state;
	p = page_alloc(1);
	assert_non_null(p);
	page_free(p, 0);                 /* wrong order */
	assert_int_equal(errors, 1);
	page_free(p + PAGE_SIZE, 1);     /* misaligned */
	assert_int_equal(errors, 2);
	page_free(p, 1);
	assert_int_equal(errors, 2);
	page_free(p, 1);                 /* double free */
	assert_int_equal(errors, 3);
	page_free(NULL, 0);
	assert_int_equal(errors, 3);
	assert_int_equal(page_free_count(),
			 LIMIT_OFF / PAGE_SIZE - META_PAGES - RSV_PAGES - EXCL_SIZE / PAGE_SIZE);
}

static void test_kzalloc_classes(void **state)
{
	static const size_t sizes[] = { 0, 1, 15, 16, 17, 100, 1000, 2048, 2049, 4096, 5000, 70000 };
	void *p[ARRAY_SIZE(sizes)];
	u64 before;

	(void)state;
	before = page_free_count();
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		p[i] = kzalloc(sizes[i]);
		assert_non_null(p[i]);
		assert_int_equal((u64)(uintptr_t)p[i] % 16, 0);
		for (size_t b = 0; b < sizes[i]; b++)
			assert_int_equal(((u8 *)p[i])[b], 0);
		memset(p[i], 0xcc, sizes[i]);
	}
	/* Distinct, non-overlapping objects. */
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++)
		for (size_t j = 0; j < ARRAY_SIZE(sizes); j++)
			if (i != j)
				assert_true((u8 *)p[i] + sizes[i] <= (u8 *)p[j] ||
					    (u8 *)p[j] + sizes[j] <= (u8 *)p[i]);
	/* The last size needs 17 pages: an order-5 block from the buddy. */
	assert_int_equal((u64)(uintptr_t)p[11] % (32 * PAGE_SIZE), 0);
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++)
		kfree(p[i]);
	assert_int_equal(errors, 0);
	/* A freed object is reused, zeroed again. */
	void *q = kzalloc(100);
	assert_ptr_equal(q, p[5]);
	assert_int_equal(((u8 *)q)[99], 0);
	kfree(q);
	/* Large objects went back to the buddy; slab pages stay with their class. */
	assert_true(page_free_count() < before);
	assert_true(page_free_count() >= before - 8);
	kfree(NULL);
	assert_int_equal(errors, 0);
}

static void test_kfree_of_foreign_pointers(void **state)
{
	u8 *pages, *big, *obj;

	(void)state;
	pages = page_alloc(0);
	kfree(pages);                    /* page_alloc memory is not kzalloc's */
	assert_int_equal(errors, 1);
	big = kzalloc(3 * PAGE_SIZE);
	page_free(big, 2);               /* nor the other way round */
	assert_int_equal(errors, 2);
	kfree(big);
	obj = kzalloc(64);
	kfree(obj + 16);                 /* not an object start */
	assert_int_equal(errors, 3);
	kfree(obj);
	kfree(ram + RSV_OFF);            /* never managed */
	assert_int_equal(errors, 4);
	page_free(pages, 0);
	assert_int_equal(errors, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_init_counts_and_high_memory, setup),
		cmocka_unit_test_setup(test_exhaust_never_hands_out_reserved_and_merges_back, setup),
		cmocka_unit_test_setup(test_alignment_and_zeroing, setup),
		cmocka_unit_test_setup(test_bad_frees_are_refused, setup),
		cmocka_unit_test_setup(test_kzalloc_classes, setup),
		cmocka_unit_test_setup(test_kfree_of_foreign_pointers, setup),
	};
	int ret;

	ram = aligned_alloc(RAM_SIZE, RAM_SIZE);
	if (!ram)
		return 1;
	ret = cmocka_run_group_tests_name("mm", tests, NULL, NULL);
	free(ram);
	return ret;
}
