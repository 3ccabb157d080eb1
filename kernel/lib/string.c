/* SPDX-License-Identifier: MIT */
#include "kernel/lib/string.h"

#ifndef TERN_HOST
/*
 * memcpy/memset with string instructions, eight bytes at a time then the
 * tail (DF is clear in C code): a byte loop costs several instructions a
 * byte, and tern copies whole guest images (a 14 MiB Linux kernel took
 * about a second of tern's boot under Bochs). Words are 8 bytes, 4 in the
 * 32-bit guests that share this file.
 */
#ifdef __x86_64__
#define REP_MOVS_WORD "rep movsq"
#define REP_STOS_WORD "rep stosq"
#else   /* the 32-bit test guests build this file too */
#define REP_MOVS_WORD "rep movsl"
#define REP_STOS_WORD "rep stosl"
#endif
#define BYTES_ONES (~0ul / 0xff)   /* 0x0101...01 in a word */

void *memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;
	size_t words = n / sizeof(long), rest = n % sizeof(long);

	__asm__ __volatile__(REP_MOVS_WORD : "+D"(d), "+S"(src), "+c"(words) : : "memory");
	__asm__ __volatile__("rep movsb" : "+D"(d), "+S"(src), "+c"(rest) : : "memory");
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	u8 *d = dst;
	const u8 *s = src;

	if (d == s || n == 0)
		return dst;
	if (d < s) {
		while (n--)
			*d++ = *s++;
	} else {
		while (n--)
			d[n] = s[n];
	}
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	void *d = dst;
	unsigned long pattern = (u8)c * BYTES_ONES;
	size_t words = n / sizeof(long), rest = n % sizeof(long);

	__asm__ __volatile__(REP_STOS_WORD : "+D"(d), "+c"(words) : "a"(pattern) : "memory");
	__asm__ __volatile__("rep stosb" : "+D"(d), "+c"(rest) : "a"(pattern) : "memory");
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const u8 *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (u8)*a - (u8)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (u8)*a - (u8)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}
#endif

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 99;
}

static u64 suffix_multiplier(char c)
{
	switch (c) {
	case 'k': case 'K': return KiB;
	case 'm': case 'M': return MiB;
	case 'g': case 'G': return GiB;
	default: return 0;
	}
}

int parse_u64(const char *s, size_t len, u64 *out, bool allow_suffix)
{
	unsigned base = 10;
	size_t i = 0;
	u64 v = 0, mult = 1;

	if (len == 0)
		return -TERN_EINVAL;
	if (allow_suffix && len > 1) {
		u64 m = suffix_multiplier(s[len - 1]);

		if (m) {
			mult = m;
			len--;
		}
	}
	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	} else if (len > 1 && s[0] == '0') {
		base = 8;
		i = 1;
	}
	for (; i < len; i++) {
		int d = digit_value(s[i]);

		if (d >= (int)base)
			return -TERN_EINVAL;
		if (v > (UINT64_MAX - (u64)d) / base)
			return -TERN_ERANGE;
		v = v * base + (u64)d;
	}
	if (v > UINT64_MAX / mult)
		return -TERN_ERANGE;
	*out = v * mult;
	return 0;
}
