/* SPDX-License-Identifier: MIT */
/*
 * Hypercall dispatch (ABI: include/tern/hypercall.h, docs/hypercall.md).
 * arch/x86 decodes VMCALL, checks CPL and calls this; the result goes back
 * to the guest in RAX.
 */
#ifndef TERN_HYPERCALL_H_KERNEL
#define TERN_HYPERCALL_H_KERNEL

#include <tern/hypercall.h>
#include "kernel/lib/types.h"
#include "kernel/vcpu.h"

/* One hypercall with its arguments (RBX, RCX, RDX, RSI): returns >= 0 or -TERN_Exxx. */
typedef s64 (*hypercall_fn_t)(struct vcpu *v, u64 a0, u64 a1, u64 a2, u64 a3);

/* tern's own calls, indexed by nr - TERN_HC_BASE (NULL = none). */
#define HYPERCALL_TABLE_SIZE (TERN_HC_SHM_QUERY - TERN_HC_BASE + 1)
extern const hypercall_fn_t hypercall_table[HYPERCALL_TABLE_SIZE];

/* The calls outside tern's table (KVM's): -TERN_KVM_ENOSYS for an unknown nr. */
s64 hypercall_dispatch_other(struct vcpu *v, u64 nr);

/*
 * hypercall_dispatch() when an upper half of RAX, RBX, RCX, RDX or RSI is
 * set: asks the caller's mode (vcpu_long_mode()) and, outside 64-bit mode,
 * drops those halves.
 */
s64 hypercall_dispatch_wide(struct vcpu *v, u64 nr);

/*
 * Run hypercall nr for v with the arguments in its RBX, RCX, RDX, RSI; an
 * unknown nr returns -TERN_KVM_ENOSYS. Outside 64-bit mode only the low 32
 * bits of nr and of each argument count (the SDM leaves the upper halves
 * undefined there; KVM truncates them too): with every upper half clear
 * that changes nothing, so only then is the mode asked for. The caller has
 * already refused CPL > 0. Inline: it sits on the VMCALL exit path.
 */
static inline s64 hypercall_dispatch(struct vcpu *v, u64 nr)
{
	u64 a0 = v->gpr[GPR_RBX], a1 = v->gpr[GPR_RCX], a2 = v->gpr[GPR_RDX], a3 = v->gpr[GPR_RSI];
	u64 idx = nr - TERN_HC_BASE;   /* wraps to a huge index below the base */
	hypercall_fn_t fn;

	if (unlikely((nr | a0 | a1 | a2 | a3) >> 32))
		return hypercall_dispatch_wide(v, nr);
	if (likely(idx < HYPERCALL_TABLE_SIZE) && (fn = hypercall_table[idx]))
		return fn(v, a0, a1, a2, a3);
	return hypercall_dispatch_other(v, nr);
}

#endif
