/* SPDX-License-Identifier: MIT */
/* Basic types and compiler helpers; the same in tern and in host tests. */
#ifndef TERN_LIB_TYPES_H
#define TERN_LIB_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <tern/errno.h>

typedef uint8_t  u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t   s8;
typedef int16_t  s16;
typedef int32_t  s32;
typedef int64_t  s64;

#define ARRAY_SIZE(a)    (sizeof(a) / sizeof((a)[0]))
#define BIT(n)           (1u << (n))
#define BIT64(n)         (1ull << (n))
#define ALIGN_UP(x, a)   (((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define MIN(a, b)        ((a) < (b) ? (a) : (b))
#define MAX(a, b)        ((a) > (b) ? (a) : (b))
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

#define likely(x)        __builtin_expect(!!(x), 1)
#define unlikely(x)      __builtin_expect(!!(x), 0)
#define __packed         __attribute__((packed))
#define __aligned(n)     __attribute__((aligned(n)))
#define __noreturn       __attribute__((noreturn))
#define __unused         __attribute__((unused))
#define __printf(a, b)   __attribute__((format(printf, a, b)))
/* For a small helper of a hot path that GCC would call once it has two callers. */
#define ALWAYS_INLINE    inline __attribute__((always_inline))
#define STATIC_ASSERT(c) _Static_assert(c, #c)

#define KiB (1024ull)
#define MiB (1024ull * KiB)
#define GiB (1024ull * MiB)

#endif
