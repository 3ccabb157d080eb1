/* SPDX-License-Identifier: MIT */
/*
 * Doorbells: the KVM_IRQFD equivalent. A doorbell binds an id to a GSI;
 * ringing it injects that GSI from whichever CPU rings, without a lock
 * and without an exit to anyone. Device models ring internally, a guest
 * through TERN_HC_DOORBELL_RING, another VM through doorbell_ring_from()
 * once granted. Each doorbell caches its GSI's route when the GSI has
 * exactly one (an MSI or a single pin): a routing update rewrites the copy
 * under a sequence count, and a ring retries until it reads a whole one.
 *
 * Rings: an MSI route sends the message; a pin route is pulsed (assert then
 * release, with a source id of the doorbells' own, so no other source's
 * level is disturbed). A RESAMPLE doorbell (level-triggered devices)
 * asserts the GSI with IRQ_SOURCE_RESAMPLER and leaves it asserted; when
 * the guest EOIs that GSI the line is released once and every resample
 * doorbell of the GSI is signalled (resamples counter + notify callback),
 * so the device can ring again if it still needs service. One resampler
 * per GSI is shared by all its RESAMPLE doorbells.
 *
 * All functions are callable from any CPU. Those marked "may wait" wait
 * for a grace period (kernel/rcu.h): no spinlock held, no read section.
 */
#ifndef TERN_IRQ_DOORBELL_H
#define TERN_IRQ_DOORBELL_H

#include <tern/hypercall.h>
#include "kernel/lib/types.h"

#define DOORBELL_SLOT_BITS       10
#define DOORBELL_SLOTS           (1u << DOORBELL_SLOT_BITS)  /* ceiling of a VM's doorbell limit */
#define DOORBELL_MAX_DEFAULT     256   /* a VM's default doorbell limit */
#define DOORBELL_MAX_GRANTS      8     /* VMs that may ring one doorbell */
#define DOORBELL_MAX_NOTIFIERS   32    /* resample ids with a callback, per VM */
#define DOORBELL_VM_ID_LIMIT     64    /* VM ids that can hold grants: 0..63 */
#define DOORBELL_VM_ID_NONE      0xffffffffu
#define DOORBELL_VM_ID_ANY       0xfffffffeu  /* doorbell_find(): whoever may ring it */

struct vm;

/*
 * Bind a new doorbell to gsi (< the VM's GSI limit; it need not be routed
 * yet). flags: 0, or TERN_DOORBELL_FLAG_RESAMPLE with resample_id != 0
 * naming the channel signalled on EOI. With TERN_DOORBELL_FLAG_DEASSIGN
 * alone, resample_id names the doorbell to remove and gsi must be its GSI
 * (KVM_IRQFD's combined call); returns 0 then.
 * Returns the new id (> 0), or: -TERN_EINVAL unknown flag bits, DEASSIGN
 * with RESAMPLE, RESAMPLE without an id or an id without RESAMPLE;
 * -TERN_ERANGE gsi beyond the limit; -TERN_ENOSPC the VM's doorbell limit
 * (or its irq source ids) exhausted; -TERN_ENOMEM; -TERN_ENODEV before
 * irq_routing_init_default(). Ids are not reused: a stale id never rings
 * a newer doorbell.
 */
int doorbell_assign(struct vm *vm, u32 gsi, u32 flags, u32 resample_id);

/*
 * Unbind doorbell id. Every ring that found it has completed when this
 * returns and none delivers afterwards (later rings get -TERN_ENOENT).
 * A resampled line left asserted by the GSI's last resample doorbell is
 * released. Returns 0, -TERN_ENOENT for an unknown (or already removed)
 * id, -TERN_ENODEV before init. May wait.
 */
int doorbell_deassign(struct vm *vm, u32 id);

/*
 * Ring doorbell id from this CPU (lock-free). Returns 1 if the interrupt
 * reached a target, 0 if it was masked, coalesced or the GSI is unrouted
 * (the ring still counts), -TERN_ENOENT for an unknown id, -TERN_ENODEV
 * before init.
 */
int doorbell_ring(struct vm *vm, u32 id);

/* Counters and binding of doorbell id into *out: 0, -TERN_ENOENT, -TERN_EINVAL (out NULL), -TERN_ENODEV. */
int doorbell_query(struct vm *vm, u32 id, struct tern_doorbell_info *out);

/*
 * Call fn(ctx) whenever a resample doorbell with this resample_id is
 * signalled (from the EOI-ing CPU, inside an RCU read section: fn must not
 * block or wait). fn NULL removes the callback. Returns 0, -TERN_EINVAL
 * (id 0), -TERN_ENOENT (removing an unset one), -TERN_ENOSPC
 * (DOORBELL_MAX_NOTIFIERS reached), -TERN_ENOMEM, -TERN_ENODEV. May wait.
 */
int doorbell_set_resample_notify(struct vm *vm, u32 resample_id, void (*fn)(void *ctx), void *ctx);

/*
 * Cross-VM rights. The kernel names each VM once with doorbell_set_vm_id()
 * (until then it can ring no other VM's doorbells). A VM may always ring
 * its own doorbells; another VM only with a grant on that doorbell.
 *
 * doorbell_grant(): let VM ringer_vm_id (< DOORBELL_VM_ID_LIMIT) ring the
 * owner's doorbell id. 0 (also when already granted), -TERN_ENOENT (no such
 * doorbell), -TERN_ERANGE (ringer id too large), -TERN_ENOSPC
 * (DOORBELL_MAX_GRANTS other VMs hold grants), -TERN_ENODEV.
 * doorbell_revoke(): take the grant back: later rings by that VM get
 * -TERN_EPERM; a ring that found the grant before may still be completing
 * until the caller's synchronize_rcu() (outside any read section) returns.
 * 0, or -TERN_ENOENT when the doorbell or the grant does not exist,
 * -TERN_ENODEV. Does not wait, so it may run inside a read section. A
 * deassigned doorbell takes its grants with it.
 * doorbell_ring_from(): ring owner's doorbell for ringer: doorbell_ring()'s
 * results, or -TERN_EPERM when ringer holds no grant (an unknown id is
 * -TERN_ENOENT, checked first).
 */
void doorbell_set_vm_id(struct vm *vm, u32 vm_id);
int doorbell_grant(struct vm *owner, u32 id, u32 ringer_vm_id);
int doorbell_revoke(struct vm *owner, u32 id, u32 ringer_vm_id);
int doorbell_ring_from(struct vm *ringer, struct vm *owner, u32 id);

/*
 * The id of the owner's doorbell bound to gsi that VM ringer_vm_id may
 * ring (the owner's own id: any of them; DOORBELL_VM_ID_ANY: any, for the
 * control VM), lowest slot first; -TERN_ENOENT when there is none (a
 * doorbell the ringer may not ring is not revealed), -TERN_ENODEV.
 */
int doorbell_find(struct vm *owner, u32 gsi, u32 ringer_vm_id);

/*
 * Which other VMs hold a grant on any of the owner's doorbells: bit i set
 * for VM id i (the owner's own id never). Lock-free; a snapshot. The
 * scheduler uses it so that a VM whose vCPUs all halt waiting for another
 * VM's ring is not stopped as "nothing can wake them".
 */
u64 doorbell_remote_ringers(struct vm *owner);

#endif
