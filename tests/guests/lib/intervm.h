/* SPDX-License-Identifier: MIT */
/* Inter-VM hypercalls in test guests (docs/intervm.md): doorbells of other VMs, shared memory. */
#ifndef GUEST_INTERVM_H
#define GUEST_INTERVM_H

#include "lib/hypercall.h"

/* This VM's id (the position of its vm= token). */
static inline s32 vm_self(void) { return hypercall0(TERN_HC_VM_SELF); }

/* Ring doorbell id of VM vm: 0, -TERN_EPERM (no grant), -TERN_ENOENT. */
static inline s32 ring_vm(u32 vm, u32 id) { return hypercall2(TERN_HC_DOORBELL_RING_VM, vm, id); }

/* The id of VM vm's doorbell on gsi that this VM may ring, or -TERN_ENOENT. */
static inline s32 doorbell_find(u32 vm, u32 gsi) { return hypercall2(TERN_HC_DOORBELL_FIND, vm, gsi); }

/* Control VM only: let VM ringer ring doorbell id of VM owner, or take it back. */
static inline s32 doorbell_grant(u32 owner, u32 id, u32 ringer)
{
	return hypercall4(TERN_HC_DOORBELL_GRANT, owner, id, ringer, 0);
}

static inline s32 doorbell_revoke(u32 owner, u32 id, u32 ringer)
{
	return hypercall4(TERN_HC_DOORBELL_REVOKE, owner, id, ringer, 0);
}

/* The index-th shared region of this VM: 0, -TERN_ENOENT, -TERN_EFAULT. */
static inline s32 shm_query(u32 index, struct tern_shm_info *out)
{
	return hypercall2(TERN_HC_SHM_QUERY, index, (u32)(uintptr_t)out);
}

#endif
