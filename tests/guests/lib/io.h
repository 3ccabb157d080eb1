/* SPDX-License-Identifier: MIT */
/* Port I/O and MMIO accessors for test guests. */
#ifndef GUEST_IO_H
#define GUEST_IO_H

#include "kernel/lib/types.h"

static inline void outb(u16 port, u8 v)  { __asm__ __volatile__("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outw(u16 port, u16 v) { __asm__ __volatile__("outw %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outl(u16 port, u32 v) { __asm__ __volatile__("outl %0, %1" :: "a"(v), "Nd"(port)); }

static inline u8 inb(u16 port)
{
	u8 v;

	__asm__ __volatile__("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u16 inw(u16 port)
{
	u16 v;

	__asm__ __volatile__("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u32 inl(u16 port)
{
	u32 v;

	__asm__ __volatile__("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* MMIO through volatile pointers (the compiler picks the instruction form). */
static inline u8 mmio_read8(uintptr_t a)   { return *(volatile u8 *)a; }
static inline u16 mmio_read16(uintptr_t a) { return *(volatile u16 *)a; }
static inline u32 mmio_read32(uintptr_t a) { return *(volatile u32 *)a; }
static inline void mmio_write8(uintptr_t a, u8 v)   { *(volatile u8 *)a = v; }
static inline void mmio_write16(uintptr_t a, u16 v) { *(volatile u16 *)a = v; }
static inline void mmio_write32(uintptr_t a, u32 v) { *(volatile u32 *)a = v; }

#endif
