/* SPDX-License-Identifier: MIT */
/*
 * Hypercall table. tern's own calls sit at TERN_HC_BASE + index; to add
 * one, write its function and put it in hypercall_table[] (and document it in
 * docs/hypercall.md). Every guest pointer goes through vm_copy_*_guest.
 * Only the kernel/vm.h services and struct vcpu are used (not struct vm's
 * insides), so the same file builds on the host against fakes
 * (tests/unit/test_hypercall.c, tests/fuzz/fuzz_hypercall.c).
 */
#include <tern/hypercall.h>

#include "irq/doorbell.h"
#include "irq/irq_source.h"
#include "irq/routing.h"
#include "irq/vlapic.h"
#include "kernel/hypercall.h"
#include "kernel/intervm.h"
#include "kernel/limits.h"
#include "kernel/mm.h"
#include "kernel/shm.h"
#include "kernel/vm.h"

#define TERN_HC_CONSOLE_MAX LIMIT_HC_CONSOLE_BYTES
#define TERN_HC_DUMP_MAX    VCPU_HC_BUF_SIZE   /* IRQ_DUMP writes at most this much */

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

/* RBX = gpa of struct tern_irq_routing: header, nr checked, entries copied, then applied. */
static s64 hc_set_gsi_routing(struct vcpu *v, u64 gpa, u64 a1, u64 a2, u64 a3)
{
	struct tern_irq_routing hdr;
	struct tern_irq_routing_entry *e = NULL;
	struct irq_routing_limits lim;
	u64 size;
	int rc;

	if (vm_copy_from_guest(v->vm, &hdr, gpa, sizeof(hdr)))
		return -TERN_EFAULT;
	irq_routing_get_limits(v->vm, &lim);
	if (hdr.nr > lim.max_entries || hdr.nr > IRQ_ROUTING_MAX_ENTRIES)
		return -TERN_E2BIG;
	size = (u64)hdr.nr * sizeof(*e);
	if (hdr.nr) {
		if (!limits_guest_alloc_ok(size))
			return -TERN_ENOMEM;   /* tern's reserve is not for guests */
		e = kzalloc(size);
		if (!e)
			return -TERN_ENOMEM;
		if (vm_copy_from_guest(v->vm, e, gpa + sizeof(hdr), size)) {
			kfree(e);
			return -TERN_EFAULT;
		}
	}
	rc = irq_set_routing(v->vm, e, hdr.nr, hdr.flags);
	kfree(e);
	return rc;
}

/* RBX = gsi, RCX = level: the IRQ_SOURCE_USER line of that GSI. */
static s64 hc_irq_line(struct vcpu *v, u64 gsi, u64 level, u64 a2, u64 a3)
{
	int rc;

	if (gsi > 0xffffffffull)
		return -TERN_EINVAL;
	rc = set_irq(v->vm, IRQ_SOURCE_USER, (u32)gsi, level != 0);
	return rc < 0 ? rc : 0;
}

/* RBX = gsi, RCX = flags, RDX = resample id -> the new doorbell id. */
static s64 hc_doorbell_assign(struct vcpu *v, u64 gsi, u64 flags, u64 resample_id, u64 a3)
{
	if (gsi > 0xffffffffull || flags > 0xffffffffull || resample_id > 0xffffffffull)
		return -TERN_EINVAL;
	return doorbell_assign(v->vm, (u32)gsi, (u32)flags, (u32)resample_id);
}

static s64 hc_doorbell_deassign(struct vcpu *v, u64 id, u64 a1, u64 a2, u64 a3)
{
	if (id > 0xffffffffull)
		return -TERN_ENOENT;
	return doorbell_deassign(v->vm, (u32)id);
}

static s64 hc_doorbell_ring(struct vcpu *v, u64 id, u64 a1, u64 a2, u64 a3)
{
	int rc;

	if (id > 0xffffffffull)
		return -TERN_ENOENT;
	rc = doorbell_ring(v->vm, (u32)id);
	return rc < 0 ? rc : 0;
}

/* RBX = id, RCX = gpa of struct tern_doorbell_info. */
static s64 hc_doorbell_query(struct vcpu *v, u64 id, u64 gpa, u64 a2, u64 a3)
{
	struct tern_doorbell_info info;
	int rc;

	if (id > 0xffffffffull)
		return -TERN_ENOENT;
	rc = doorbell_query(v->vm, (u32)id, &info);
	if (rc)
		return rc;
	return vm_copy_to_guest(v->vm, gpa, &info, sizeof(info)) ? -TERN_EFAULT : 0;
}

/* RBX = gpa, RCX = len: NUL-terminated text, at most TERN_HC_DUMP_MAX bytes -> its length. */
static s64 hc_irq_dump(struct vcpu *v, u64 gpa, u64 len, u64 a2, u64 a3)
{
	int n;

	STATIC_ASSERT(sizeof(v->hc_buf) >= TERN_HC_DUMP_MAX);
	if (len == 0)
		return 0;
	len = MIN(len, (u64)TERN_HC_DUMP_MAX);
	n = irq_dump(v->vm, (char *)v->hc_buf, len);
	if (n < 0)
		return n;
	if ((u64)n >= len)
		n = (int)len - 1;
	return vm_copy_to_guest(v->vm, gpa, v->hc_buf, (u64)n + 1) ? -TERN_EFAULT : n;
}

/* ---------------------------------------------------------------- between VMs */

static s64 hc_vm_self(struct vcpu *v, u64 a0, u64 a1, u64 a2, u64 a3)
{
	return vm_id(v->vm);
}

/* RBX = vm id, RCX = doorbell id. */
static s64 hc_doorbell_ring_vm(struct vcpu *v, u64 vm_id, u64 id, u64 a2, u64 a3)
{
	return intervm_ring(v->vm, vm_id, id);
}

/* RBX = vm id, RCX = gsi -> a doorbell id this VM may ring. */
static s64 hc_doorbell_find(struct vcpu *v, u64 vm_id, u64 gsi, u64 a2, u64 a3)
{
	return intervm_find(v->vm, vm_id, gsi);
}

/* RBX = owner vm id, RCX = doorbell id, RDX = ringer vm id; the control VM only. */
static s64 hc_doorbell_grant(struct vcpu *v, u64 owner, u64 id, u64 ringer, u64 a3)
{
	return intervm_grant(v->vm, owner, id, ringer);
}

static s64 hc_doorbell_revoke(struct vcpu *v, u64 owner, u64 id, u64 ringer, u64 a3)
{
	return intervm_revoke(v->vm, owner, id, ringer);
}

/* RBX = index, RCX = gpa of struct tern_shm_info. */
static s64 hc_shm_query(struct vcpu *v, u64 index, u64 gpa, u64 a2, u64 a3)
{
	struct tern_shm_info info;
	int rc = shm_query(v->vm, index, &info);

	if (rc)
		return rc;
	return vm_copy_to_guest(v->vm, gpa, &info, sizeof(info)) ? -TERN_EFAULT : 0;
}

const hypercall_fn_t hypercall_table[HYPERCALL_TABLE_SIZE] = {
	[TERN_HC_NULL - TERN_HC_BASE] = hc_null,
	[TERN_HC_VERSION - TERN_HC_BASE] = hc_version,
	[TERN_HC_CONSOLE_WRITE - TERN_HC_BASE] = hc_console_write,
	[TERN_HC_SET_GSI_ROUTING - TERN_HC_BASE] = hc_set_gsi_routing,
	[TERN_HC_IRQ_LINE - TERN_HC_BASE] = hc_irq_line,
	[TERN_HC_DOORBELL_ASSIGN - TERN_HC_BASE] = hc_doorbell_assign,
	[TERN_HC_DOORBELL_DEASSIGN - TERN_HC_BASE] = hc_doorbell_deassign,
	[TERN_HC_DOORBELL_RING - TERN_HC_BASE] = hc_doorbell_ring,
	[TERN_HC_DOORBELL_QUERY - TERN_HC_BASE] = hc_doorbell_query,
	[TERN_HC_IRQ_DUMP - TERN_HC_BASE] = hc_irq_dump,
	[TERN_HC_VM_SELF - TERN_HC_BASE] = hc_vm_self,
	[TERN_HC_DOORBELL_RING_VM - TERN_HC_BASE] = hc_doorbell_ring_vm,
	[TERN_HC_DOORBELL_FIND - TERN_HC_BASE] = hc_doorbell_find,
	[TERN_HC_DOORBELL_GRANT - TERN_HC_BASE] = hc_doorbell_grant,
	[TERN_HC_DOORBELL_REVOKE - TERN_HC_BASE] = hc_doorbell_revoke,
	[TERN_HC_SHM_QUERY - TERN_HC_BASE] = hc_shm_query,
};

s64 hypercall_dispatch_wide(struct vcpu *v, u64 nr)
{
	u64 mask = vcpu_long_mode(v) ? ~0ull : 0xffffffffull;
	u64 idx = (nr & mask) - TERN_HC_BASE;
	hypercall_fn_t fn;

	if (idx < HYPERCALL_TABLE_SIZE && (fn = hypercall_table[idx]))
		return fn(v, v->gpr[GPR_RBX] & mask, v->gpr[GPR_RCX] & mask, v->gpr[GPR_RDX] & mask,
			  v->gpr[GPR_RSI] & mask);
	return hypercall_dispatch_other(v, nr & mask);
}

s64 hypercall_dispatch_other(struct vcpu *v, u64 nr)
{
	/* bitmap words as wide as the caller's registers, as KVM has them */
	if (nr == KVM_HC_SEND_IPI) {
		bool wide = vcpu_long_mode(v);
		u64 mask = wide ? ~0ull : 0xffffffffull;

		return vlapic_pv_send_ipi(v->vm, v->id, v->gpr[GPR_RBX] & mask, v->gpr[GPR_RCX] & mask,
					  (u32)v->gpr[GPR_RDX], v->gpr[GPR_RSI] & mask, wide ? 64 : 32);
	}
	return -TERN_KVM_ENOSYS;
}
