/* SPDX-License-Identifier: MIT */
/*
 * Hypercall table. tern's own calls sit at TERN_HC_BASE + index; to add
 * one, write its function and put it in tern_calls[] (and document it in
 * docs/hypercall.md). Every guest pointer goes through vm_copy_*_guest.
 */
#include <tern/hypercall.h>

#include "kernel/hypercall.h"
#include "kernel/vm_impl.h"

#define TERN_HC_CONSOLE_MAX 4096u

static s64 hc_null(struct vcpu *v, u64 a0, u64 a1, u64 a2, u64 a3)
{
	return 0;
}

static s64 hc_version(struct vcpu *v, u64 a0, u64 a1, u64 a2, u64 a3)
{
	return TERN_HC_ABI_VERSION;
}

/* RBX = gpa, RCX = len (<= 4096): copied whole first, so a bad range prints nothing. */
static s64 hc_console_write(struct vcpu *v, u64 gpa, u64 len, u64 a2, u64 a3)
{
	STATIC_ASSERT(sizeof(v->hc_buf) >= TERN_HC_CONSOLE_MAX);
	if (len > TERN_HC_CONSOLE_MAX)
		return -TERN_E2BIG;
	if (vm_copy_from_guest(v->vm, v->hc_buf, gpa, len))
		return -TERN_EFAULT;
	vm_console_write(v->vm, (const char *)v->hc_buf, len);
	return (s64)len;
}

static const hypercall_fn_t tern_calls[] = {
	[TERN_HC_NULL - TERN_HC_BASE] = hc_null,
	[TERN_HC_VERSION - TERN_HC_BASE] = hc_version,
	[TERN_HC_CONSOLE_WRITE - TERN_HC_BASE] = hc_console_write,
};

__attribute__((optimize("omit-frame-pointer"))) s64 hypercall_dispatch(struct vcpu *v, u64 nr)
{
	u64 idx = nr - TERN_HC_BASE;

	if (nr >= TERN_HC_BASE && idx < ARRAY_SIZE(tern_calls) && tern_calls[idx])
		return tern_calls[idx](v, v->gpr[GPR_RBX], v->gpr[GPR_RCX], v->gpr[GPR_RDX],
				       v->gpr[GPR_RSI]);
	return -TERN_KVM_ENOSYS;
}
