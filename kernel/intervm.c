/* SPDX-License-Identifier: MIT */
/*
 * Inter-VM doorbells (kernel/intervm.h): the rules of who may do what,
 * applied to the registry and the doorbell grants. Every lookup of another
 * VM happens inside an RCU read section (kernel/vm_registry.h).
 */
#include "irq/doorbell.h"
#include "kernel/intervm.h"
#include "kernel/rcu.h"
#include "kernel/vm.h"
#include "kernel/vm_registry.h"

#define U32_LIMIT 0xffffffffull

/* Create one command-line doorbell on vm and grant it to its ringers. */
static int create_doorbell(struct vm *vm, const struct doorbell_config *d)
{
	int id = doorbell_assign(vm, d->gsi, 0, 0);

	for (u32 r = 0; id > 0 && r < CONFIG_MAX_VMS; r++) {
		if (d->ringers & BIT(r)) {
			int rc = doorbell_grant(vm, (u32)id, r);

			if (rc)
				return rc;
		}
	}
	return id < 0 ? id : 0;
}

int intervm_vm_init(struct vm *vm, u32 id, const struct vm_config *cfg)
{
	doorbell_set_vm_id(vm, id);
	for (unsigned i = 0; i < cfg->nr_doorbells; i++) {
		int rc = create_doorbell(vm, &cfg->doorbells[i]);

		if (rc)
			return rc;
	}
	return 0;
}

int intervm_ring(struct vm *caller, u64 owner_id, u64 db_id)
{
	struct vm *owner;
	int rc;

	if (owner_id > U32_LIMIT || db_id > U32_LIMIT)
		return -TERN_ENOENT;
	rcu_read_lock();
	owner = vm_registry_lookup((u32)owner_id);
	rc = owner ? doorbell_ring_from(caller, owner, (u32)db_id) : -TERN_ENOENT;
	rcu_read_unlock();
	return rc < 0 ? rc : 0;
}

/* Whom caller counts as when finding doorbells: any (control), itself, or nobody. */
static u32 finder_id(struct vm *caller)
{
	u32 id;

	if (vm_registry_is_control(caller))
		return DOORBELL_VM_ID_ANY;
	return vm_registry_id(caller, &id) ? DOORBELL_VM_ID_NONE : id;
}

int intervm_find(struct vm *caller, u64 owner_id, u64 gsi)
{
	struct vm *owner;
	int rc;

	if (gsi > U32_LIMIT)
		return -TERN_EINVAL;
	if (owner_id > U32_LIMIT)
		return -TERN_ENOENT;
	rcu_read_lock();
	owner = vm_registry_lookup((u32)owner_id);
	rc = owner ? doorbell_find(owner, (u32)gsi, finder_id(caller)) : -TERN_ENOENT;
	rcu_read_unlock();
	return rc;
}

/* The checks grant and revoke share; 0 when the arguments may be acted on. */
static int rights_check(struct vm *caller, u64 owner_id, u64 db_id, u64 ringer_id)
{
	if (!vm_registry_is_control(caller))
		return -TERN_EPERM;
	if (owner_id > U32_LIMIT || db_id > U32_LIMIT || ringer_id > U32_LIMIT)
		return -TERN_EINVAL;
	if (owner_id == ringer_id)
		return -TERN_EINVAL;
	return 0;
}

/* Grant (grant true) or revoke, inside a read section; -TERN_ENOENT for unknown VMs. */
static int rights_change(u32 owner_id, u32 db_id, u32 ringer_id, bool grant)
{
	struct vm *owner = vm_registry_lookup(owner_id);

	if (!owner || !vm_registry_lookup(ringer_id))
		return -TERN_ENOENT;
	return grant ? doorbell_grant(owner, db_id, ringer_id) :
		       doorbell_revoke(owner, db_id, ringer_id);
}

static int rights_update(struct vm *caller, u64 owner_id, u64 db_id, u64 ringer_id, bool grant)
{
	int rc = rights_check(caller, owner_id, db_id, ringer_id);

	if (rc)
		return rc;
	rcu_read_lock();
	rc = rights_change((u32)owner_id, (u32)db_id, (u32)ringer_id, grant);
	rcu_read_unlock();
	if (!rc && !grant)
		synchronize_rcu();   /* no ring that found the grant is still running */
	return rc;
}

int intervm_grant(struct vm *caller, u64 owner_id, u64 db_id, u64 ringer_id)
{
	return rights_update(caller, owner_id, db_id, ringer_id, true);
}

int intervm_revoke(struct vm *caller, u64 owner_id, u64 db_id, u64 ringer_id)
{
	return rights_update(caller, owner_id, db_id, ringer_id, false);
}

/* Running VMs not in `asleep`: the ones that can act by themselves. */
static u64 awake_vms(u64 asleep)
{
	u64 awake = 0;

	for (u32 id = 0; id < VM_REGISTRY_SIZE; id++) {
		struct vm *r = vm_registry_lookup(id);

		if (r && vm_running(r) && !(asleep & BIT64(id)))
			awake |= BIT64(id);
	}
	return awake;
}

bool intervm_may_be_rung(struct vm *vm, u64 asleep)
{
	u64 awake, grew;

	rcu_read_lock();
	awake = awake_vms(asleep);
	/* a sleeping VM that an awake one may ring can wake, and ring others in turn */
	do {
		grew = 0;
		for (u32 id = 0; id < VM_REGISTRY_SIZE; id++) {
			struct vm *r = (asleep & ~awake & BIT64(id)) ? vm_registry_lookup(id) : NULL;

			if (r && (doorbell_remote_ringers(r) & awake))
				grew |= BIT64(id);
		}
		awake |= grew;
	} while (grew);
	rcu_read_unlock();
	return (doorbell_remote_ringers(vm) & awake) != 0;
}
