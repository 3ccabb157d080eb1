/* SPDX-License-Identifier: MIT */
/*
 * Little- and big-endian loads and stores at any alignment: the byte layouts
 * of boot-loader structures, ACPI tables, setup headers and device registers.
 * Byte by byte, so they never fault or break strict aliasing.
 */
#ifndef TERN_LIB_ENDIAN_H
#define TERN_LIB_ENDIAN_H

#include "kernel/lib/types.h"

/* The bytes-long little-endian number at p (bytes <= 8). */
static inline u64 get_le(const void *p, unsigned bytes)
{
	const u8 *b = p;
	u64 v = 0;

	for (unsigned i = 0; i < bytes; i++)
		v |= (u64)b[i] << (8 * i);
	return v;
}

/* Store the low bytes of v at p, little-endian (bytes <= 8). */
static inline void put_le(void *p, u64 v, unsigned bytes)
{
	u8 *b = p;

	for (unsigned i = 0; i < bytes; i++)
		b[i] = (u8)(v >> (8 * i));
}

/* Store the low bytes of v at p, big-endian (bytes <= 8). */
static inline void put_be(void *p, u64 v, unsigned bytes)
{
	u8 *b = p;

	for (unsigned i = 0; i < bytes; i++)
		b[bytes - 1 - i] = (u8)(v >> (8 * i));
}

static inline u16 get_le16(const void *p) { return (u16)get_le(p, 2); }
static inline u32 get_le32(const void *p) { return (u32)get_le(p, 4); }
static inline u64 get_le64(const void *p) { return get_le(p, 8); }
static inline void put_le16(void *p, u16 v) { put_le(p, v, 2); }
static inline void put_le32(void *p, u32 v) { put_le(p, v, 4); }
static inline void put_le64(void *p, u64 v) { put_le(p, v, 8); }

#endif
