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

/*
 * The calls outside tern's table (KVM's): -TERN_KVM_ENOSYS for an unknown
 * nr. nr and mask as hypercall_dispatch() has them.
 */
s64 hypercall_dispatch_other(struct vcpu *v, u64 nr, u64 mask);

/*
 * Does the caller's mode matter to hypercall nr with v's registers? Only
 * when an upper half of RAX, RBX, RCX, RDX or RSI is set (outside 64-bit
 * mode they do not count), or for KVM_HC_SEND_IPI (its bitmap words are
 * 32 bits wide outside 64-bit mode). Lets the exit path skip reading the
 * mode for everything else.
 */
static inline bool hypercall_mode_matters(const struct vcpu *v, u64 nr)
{
	return ((nr | v->gpr[GPR_RBX] | v->gpr[GPR_RCX] | v->gpr[GPR_RDX] | v->gpr[GPR_RSI]) >> 32) ||
	       (u32)nr == KVM_HC_SEND_IPI;
}

/*
 * Run hypercall nr for v with the arguments in its RBX, RCX, RDX, RSI; an
 * unknown nr returns -TERN_KVM_ENOSYS. long_mode: the caller is in 64-bit
 * mode; outside it only the low 32 bits of nr and of each argument count
 * (the SDM leaves the upper halves undefined there; KVM truncates them
 * too). The caller has already refused CPL > 0. Inline: it sits on the
 * VMCALL exit path.
 */
static inline s64 hypercall_dispatch(struct vcpu *v, u64 nr, bool long_mode)
{
	u64 mask = long_mode ? ~0ull : 0xffffffffull;
	u64 idx = (nr & mask) - TERN_HC_BASE;   /* wraps to a huge index below the base */
	hypercall_fn_t fn;

	if (likely(idx < HYPERCALL_TABLE_SIZE) && (fn = hypercall_table[idx]))
		return fn(v, v->gpr[GPR_RBX] & mask, v->gpr[GPR_RCX] & mask, v->gpr[GPR_RDX] & mask,
			  v->gpr[GPR_RSI] & mask);
	return hypercall_dispatch_other(v, nr & mask, mask);
}

#endif
