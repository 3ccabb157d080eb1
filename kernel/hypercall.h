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

#define HYPERCALL_NR_ARGS 4   /* RBX, RCX, RDX, RSI */

/* One hypercall: returns >= 0 or -TERN_Exxx (the guest's RAX). */
typedef s64 (*hypercall_fn_t)(struct vcpu *v, const u64 args[HYPERCALL_NR_ARGS]);

/*
 * Run hypercall nr for v with args; an unknown nr returns -TERN_KVM_ENOSYS.
 * The caller has already refused CPL > 0.
 */
s64 hypercall_dispatch(struct vcpu *v, u64 nr, const u64 args[HYPERCALL_NR_ARGS]);

#endif
