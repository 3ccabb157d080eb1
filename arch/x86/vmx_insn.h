/* SPDX-License-Identifier: MIT */
/*
 * The VMX instructions as inline functions. Each returns true on success
 * (neither VMfailInvalid, CF=1, nor VMfailValid, ZF=1).
 */
#ifndef TERN_ARCH_VMX_INSN_H
#define TERN_ARCH_VMX_INSN_H

#include "arch/x86/vmcs_fields.h"
#include "kernel/lib/types.h"

/* INVEPT / INVVPID types. */
enum vmx_invept_type {
	INVEPT_SINGLE_CONTEXT = 1,
	INVEPT_ALL_CONTEXTS   = 2,
};

enum vmx_invvpid_type {
	INVVPID_ADDRESS        = 0,
	INVVPID_SINGLE_CONTEXT = 1,
	INVVPID_ALL_CONTEXTS   = 2,
};

static inline bool vmxon(u64 phys)
{
	bool fail;

	__asm__ __volatile__("vmxon %1; setna %0" : "=qm"(fail) : "m"(phys) : "cc", "memory");
	return !fail;
}

static inline bool vmclear(u64 phys)
{
	bool fail;

	__asm__ __volatile__("vmclear %1; setna %0" : "=qm"(fail) : "m"(phys) : "cc", "memory");
	return !fail;
}

static inline bool vmptrld(u64 phys)
{
	bool fail;

	__asm__ __volatile__("vmptrld %1; setna %0" : "=qm"(fail) : "m"(phys) : "cc", "memory");
	return !fail;
}

static inline u64 vmcs_read(enum vmcs_field field)
{
	u64 v;

	__asm__ __volatile__("vmread %1, %0" : "=rm"(v) : "r"((u64)field) : "cc");
	return v;
}

static inline bool vmcs_write(enum vmcs_field field, u64 val)
{
	bool fail;

	__asm__ __volatile__("vmwrite %1, %2; setna %0"
			     : "=qm"(fail) : "rm"(val), "r"((u64)field) : "cc", "memory");
	return !fail;
}

/*
 * VMWRITE whose status nobody looks at: a guest-state field of the current
 * VMCS, which cannot fail (the exit paths' RIP and interruptibility updates).
 */
static inline void vmcs_write_nofail(enum vmcs_field field, u64 val)
{
	__asm__ __volatile__("vmwrite %0, %1" : : "rm"(val), "r"((u64)field) : "cc", "memory");
}

static inline bool invept(enum vmx_invept_type type, u64 eptp)
{
	struct { u64 eptp, reserved; } desc = { eptp, 0 };
	bool fail;

	__asm__ __volatile__("invept %1, %2; setna %0"
			     : "=qm"(fail) : "m"(desc), "r"((u64)type) : "cc", "memory");
	return !fail;
}

static inline bool invvpid(enum vmx_invvpid_type type, u16 vpid, u64 gva)
{
	struct { u64 vpid, gva; } desc = { vpid, gva };
	bool fail;

	__asm__ __volatile__("invvpid %1, %2; setna %0"
			     : "=qm"(fail) : "m"(desc), "r"((u64)type) : "cc", "memory");
	return !fail;
}

#endif
