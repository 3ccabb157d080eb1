/* SPDX-License-Identifier: MIT */
/* Bitmaps of u64 words; the atomic variants are safe against other CPUs. */
#ifndef TERN_LIB_BITMAP_H
#define TERN_LIB_BITMAP_H

#include "kernel/lib/atomic.h"

#define BITS_PER_WORD     64
#define BITMAP_WORDS(n)   (((n) + BITS_PER_WORD - 1) / BITS_PER_WORD)
#define DECLARE_BITMAP(name, n) u64 name[BITMAP_WORDS(n)]

static inline bool bitmap_test(const u64 *map, unsigned bit)
{
	return (map[bit / 64] >> (bit % 64)) & 1;
}

static inline void bitmap_set(u64 *map, unsigned bit)
{
	map[bit / 64] |= BIT64(bit % 64);
}

static inline void bitmap_clear(u64 *map, unsigned bit)
{
	map[bit / 64] &= ~BIT64(bit % 64);
}

/* Atomic set/clear; return the bit's previous value. */
static inline bool bitmap_test_and_set_atomic(u64 *map, unsigned bit)
{
	return (atomic_or(&map[bit / 64], BIT64(bit % 64)) >> (bit % 64)) & 1;
}

static inline bool bitmap_test_and_clear_atomic(u64 *map, unsigned bit)
{
	return (atomic_and(&map[bit / 64], ~BIT64(bit % 64)) >> (bit % 64)) & 1;
}

/* Index of the highest set bit below nbits, or -1 when none is set. */
static inline int bitmap_find_last(const u64 *map, unsigned nbits)
{
	for (int w = (int)BITMAP_WORDS(nbits) - 1; w >= 0; w--) {
		u64 v = READ_ONCE(map[w]);

		if (v)
			return w * 64 + 63 - __builtin_clzll(v);
	}
	return -1;
}

/* Index of the lowest set bit below nbits, or -1 when none is set. */
static inline int bitmap_find_first(const u64 *map, unsigned nbits)
{
	for (unsigned w = 0; w < BITMAP_WORDS(nbits); w++) {
		u64 v = READ_ONCE(map[w]);

		if (v) {
			unsigned bit = w * 64 + (unsigned)__builtin_ctzll(v);

			return bit < nbits ? (int)bit : -1;
		}
	}
	return -1;
}

/* Index of the lowest clear bit below nbits, or -1 when all are set. */
static inline int bitmap_find_first_zero(const u64 *map, unsigned nbits)
{
	for (unsigned bit = 0; bit < nbits; bit++)
		if (!bitmap_test(map, bit))
			return (int)bit;
	return -1;
}

#endif
