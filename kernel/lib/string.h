/* SPDX-License-Identifier: MIT */
/* The C string functions tern uses. Host builds (TERN_HOST) take libc's. */
#ifndef TERN_LIB_STRING_H
#define TERN_LIB_STRING_H

#include "kernel/lib/types.h"

#ifdef TERN_HOST
#include <string.h>
#else
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
#endif

/*
 * Parse an unsigned number in base 10, or base 16 with 0x, or base 8 with a
 * leading 0; an optional K/M/G suffix multiplies when allow_suffix. Returns 0
 * and stores the value, or -TERN_EINVAL when s[0..len) is not entirely a number,
 * -TERN_ERANGE on overflow.
 */
int parse_u64(const char *s, size_t len, u64 *out, bool allow_suffix);

#endif
