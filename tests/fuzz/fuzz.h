/* SPDX-License-Identifier: MIT */
/*
 * Shared helpers of the libFuzzer targets (tests/fuzz/fuzz_*.c): a reader
 * that turns the fuzzer's bytes into a sequence of small choices, and
 * FUZZ_CHECK, which abort()s with the broken invariant when one fails.
 */
#ifndef TERN_FUZZ_H
#define TERN_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An invariant of the model under test; a failure is a finding. */
#define FUZZ_CHECK(cond, ...)                                                   \
	do {                                                                    \
		if (!(cond)) {                                                  \
			fprintf(stderr, "%s:%d: invariant failed: %s: ", __FILE__, \
				__LINE__, #cond);                               \
			fprintf(stderr, __VA_ARGS__);                           \
			fputc('\n', stderr);                                    \
			abort();                                                \
		}                                                               \
	} while (0)

/* Bytes consumed front to back; reads past the end give zeroes. */
struct fuzz_in {
	const uint8_t *p;
	size_t left;
};

static inline bool fin_more(const struct fuzz_in *in)
{
	return in->left > 0;
}

static inline uint8_t fin_u8(struct fuzz_in *in)
{
	if (!in->left)
		return 0;
	in->left--;
	return *in->p++;
}

static inline uint16_t fin_u16(struct fuzz_in *in)
{
	return (uint16_t)(fin_u8(in) | (unsigned)fin_u8(in) << 8);
}

static inline uint32_t fin_u32(struct fuzz_in *in)
{
	return fin_u16(in) | (uint32_t)fin_u16(in) << 16;
}

static inline uint64_t fin_u64(struct fuzz_in *in)
{
	return fin_u32(in) | (uint64_t)fin_u32(in) << 32;
}

/* One of n choices (n >= 1). */
static inline unsigned fin_pick(struct fuzz_in *in, unsigned n)
{
	return n <= 256 ? fin_u8(in) % n : fin_u16(in) % n;
}

/* 1, 2 or 4 (and 8 when wide): an access size, with an odd one now and then. */
static inline unsigned fin_size(struct fuzz_in *in, bool wide)
{
	static const unsigned sizes[] = { 1, 2, 4, 8, 4, 4, 3, 0 };
	unsigned s = sizes[fin_u8(in) % 8];

	return (!wide && s == 8) ? 4 : s;
}

#endif
