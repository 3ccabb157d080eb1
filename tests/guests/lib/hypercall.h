/* SPDX-License-Identifier: MIT */
/*
 * tern hypercalls from a 32-bit guest: VMCALL with EAX = number and
 * EBX, ECX, EDX, ESI = arguments (include/tern/hypercall.h); the result
 * comes back in EAX (negative = -TERN_Exxx). Outside tern VMCALL raises #UD:
 * use hypercall_safe() there.
 */
#ifndef GUEST_HYPERCALL_H
#define GUEST_HYPERCALL_H

#include <tern/errno.h>
#include <tern/hypercall.h>
#include "kernel/lib/types.h"

static inline s32 hypercall4(u32 nr, u32 a0, u32 a1, u32 a2, u32 a3)
{
	s32 ret;

	__asm__ __volatile__("vmcall"
			     : "=a"(ret)
			     : "a"(nr), "b"(a0), "c"(a1), "d"(a2), "S"(a3)
			     : "memory");
	return ret;
}

static inline s32 hypercall0(u32 nr) { return hypercall4(nr, 0, 0, 0, 0); }
static inline s32 hypercall1(u32 nr, u32 a0) { return hypercall4(nr, a0, 0, 0, 0); }
static inline s32 hypercall2(u32 nr, u32 a0, u32 a1) { return hypercall4(nr, a0, a1, 0, 0); }

/*
 * A hypercall that survives a fault: returns -1 and stores the result in
 * *ret, or the exception vector (VEC_UD where there is no hypervisor).
 */
int hypercall_safe(u32 nr, u32 a0, u32 a1, u32 a2, u32 a3, s32 *ret);

#endif
