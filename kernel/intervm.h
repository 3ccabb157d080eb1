/* SPDX-License-Identifier: MIT */
/*
 * Inter-VM doorbells (docs/intervm.md): who may ring, find, grant and
 * revoke another VM's doorbells, on top of the VM registry
 * (kernel/vm_registry.h) and the doorbell grants (irq/doorbell.h).
 *
 * The intervm_* calls take the guest's raw 64-bit hypercall arguments and
 * validate them: ids and GSIs are 32-bit, VM ids name registered VMs.
 * Bad input returns an error and changes nothing.
 */
#ifndef TERN_KERNEL_INTERVM_H
#define TERN_KERNEL_INTERVM_H

#include "kernel/config.h"
#include "kernel/lib/types.h"

struct vm;

/*
 * vm's side of the links, at its creation (routing state initialised):
 * name it id for doorbell grants, create the doorbells cfg->doorbells
 * asks for (bound to their GSIs, flags 0) and grant them to their ringers.
 * 0 or the first doorbell error (-TERN_ENOSPC, -TERN_ENOMEM, ...).
 */
int intervm_vm_init(struct vm *vm, u32 id, const struct vm_config *cfg);

/*
 * caller rings doorbell db_id of VM owner_id: 0 (also when masked or
 * coalesced), -TERN_ENOENT (no such VM or doorbell), -TERN_EPERM (no
 * grant). A VM may ring its own doorbells this way too.
 */
int intervm_ring(struct vm *caller, u64 owner_id, u64 db_id);

/*
 * The id of VM owner_id's doorbell on gsi that caller may ring (its own
 * VM: any; the control VM: any), or -TERN_ENOENT (no such VM, or no such
 * doorbell caller may ring); -TERN_EINVAL gsi above 32 bits.
 */
int intervm_find(struct vm *caller, u64 owner_id, u64 gsi);

/*
 * Let VM ringer_id ring doorbell db_id of VM owner_id (grant), or take it
 * back (revoke). Only the control VM: any other caller gets -TERN_EPERM
 * before anything else is looked at. Then -TERN_EINVAL (an argument above
 * 32 bits, or ringer == owner: a VM always rings its own), -TERN_ENOENT
 * (no such VM or doorbell; revoke: no such grant), -TERN_ENOSPC (grant:
 * the doorbell's grants are full). A revoke returns once no ring that
 * found the grant is still running.
 */
int intervm_grant(struct vm *caller, u64 owner_id, u64 db_id, u64 ringer_id);
int intervm_revoke(struct vm *caller, u64 owner_id, u64 db_id, u64 ringer_id);

/*
 * Could another VM still ring one of vm's doorbells? asleep: bit i set for
 * every VM i whose vCPUs all sleep with nothing that could wake them but
 * a ring. A running VM (vm_running()) outside asleep may ring, and so may
 * a sleeping one that such a VM may ring (directly or through a chain).
 * For the scheduler: a VM whose vCPUs all halt waiting for such a ring is
 * not "nothing can wake them"; VMs that only wait for each other are.
 */
bool intervm_may_be_rung(struct vm *vm, u64 asleep);

#endif
