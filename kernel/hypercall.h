/* SPDX-License-Identifier: MIT */
/*
 * Hypercall dispatch (ABI: include/tern/hypercall.h, docs/hypercall.md).
 * arch/x86 decodes VMCALL, checks CPL and calls this; the result goes back
 * to the guest in RAX.
 */
#ifndef TERN_HYPERCALL_H_KERNEL
#define TERN_HYPERCALL_H_KERNEL

#include "kernel/lib/types.h"

struct vcpu;

/* One hypercall with its arguments (RBX, RCX, RDX, RSI): returns >= 0 or -TERN_Exxx. */
typedef s64 (*hypercall_fn_t)(struct vcpu *v, u64 a0, u64 a1, u64 a2, u64 a3);

/*
 * Run hypercall nr for v with the arguments in its RBX, RCX, RDX, RSI; an
 * unknown nr returns -TERN_KVM_ENOSYS. The caller has already refused CPL > 0.
 */
s64 hypercall_dispatch(struct vcpu *v, u64 nr);

#endif
