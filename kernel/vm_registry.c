/* SPDX-License-Identifier: MIT */
/*
 * The VM registry (kernel/vm_registry.h): one slot per VM id. Writers
 * (VM creation and destruction, rare) take a lock; readers only load the
 * RCU-published slot pointers.
 */
#include "kernel/lib/spinlock.h"
#include "kernel/rcu.h"
#include "kernel/vm_registry.h"

static struct vm *slots[VM_REGISTRY_SIZE];   /* RCU */
static struct vm *control_vm;                /* RCU: the one VM with VM_REGISTRY_CONTROL */
static spinlock_t registry_lock = SPINLOCK_INIT;

/* Slot of vm, or -1. Readers and writers. */
static int slot_of(const struct vm *vm)
{
	for (unsigned i = 0; vm && i < VM_REGISTRY_SIZE; i++)
		if (rcu_dereference(slots[i]) == vm)
			return (int)i;
	return -1;
}

/* The checks of vm_registry_add, lock held. */
static int add_check(struct vm *vm, u32 id, unsigned flags)
{
	if (!vm || (flags & ~VM_REGISTRY_CONTROL))
		return -TERN_EINVAL;
	if (id >= VM_REGISTRY_SIZE)
		return -TERN_ERANGE;
	if (slots[id] || slot_of(vm) >= 0)
		return -TERN_EEXIST;
	if ((flags & VM_REGISTRY_CONTROL) && control_vm)
		return -TERN_EINVAL;
	return 0;
}

int vm_registry_add(struct vm *vm, u32 id, unsigned flags)
{
	int rc;

	spin_lock(&registry_lock);
	rc = add_check(vm, id, flags);
	if (!rc) {
		if (flags & VM_REGISTRY_CONTROL)
			rcu_assign_pointer(control_vm, vm);
		rcu_assign_pointer(slots[id], vm);
	}
	spin_unlock(&registry_lock);
	return rc;
}

void vm_registry_remove(struct vm *vm)
{
	int slot;

	spin_lock(&registry_lock);
	slot = slot_of(vm);
	if (slot >= 0) {
		rcu_assign_pointer(slots[slot], NULL);
		if (control_vm == vm)
			rcu_assign_pointer(control_vm, NULL);
	}
	spin_unlock(&registry_lock);
}

struct vm *vm_registry_lookup(u32 id)
{
	return id < VM_REGISTRY_SIZE ? rcu_dereference(slots[id]) : NULL;
}

int vm_registry_id(const struct vm *vm, u32 *id)
{
	int slot = slot_of(vm);

	if (slot < 0)
		return -TERN_ENOENT;
	*id = (u32)slot;
	return 0;
}

bool vm_registry_is_control(const struct vm *vm)
{
	return vm && rcu_dereference(control_vm) == vm;
}
