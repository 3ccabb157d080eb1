/* SPDX-License-Identifier: MIT */
/*
 * The VM registry: VM id -> struct vm, for everything that names another
 * VM by its number (inter-VM doorbells, docs/intervm.md). A VM's id is the
 * position of its vm= token. vm_create() adds a VM once it is complete;
 * a VM is never in the registry half-built.
 *
 * Lookups are lock-free: call them inside rcu_read_lock() and use the
 * pointer only until rcu_read_unlock(). Whoever frees a registered VM
 * removes it first and waits with synchronize_rcu() before the free.
 */
#ifndef TERN_KERNEL_VM_REGISTRY_H
#define TERN_KERNEL_VM_REGISTRY_H

#include "kernel/config.h"
#include "kernel/lib/types.h"

#define VM_REGISTRY_SIZE    CONFIG_MAX_VMS
#define VM_REGISTRY_CONTROL BIT(0)        /* the control VM: may grant doorbell rights */

struct vm;

/*
 * Register vm under id with flags (VM_REGISTRY_*). 0, or -TERN_EINVAL (vm
 * NULL, unknown flag, or a second control VM), -TERN_ERANGE (id >=
 * VM_REGISTRY_SIZE), -TERN_EEXIST (id taken, or vm registered already).
 */
int vm_registry_add(struct vm *vm, u32 id, unsigned flags);

/* Unregister vm (nothing when it is not registered); then synchronize_rcu() before freeing it. */
void vm_registry_remove(struct vm *vm);

/* The VM with this id, or NULL. Inside a read section. */
struct vm *vm_registry_lookup(u32 id);

/* vm's id in *id: 0, or -TERN_ENOENT when vm is not registered. */
int vm_registry_id(const struct vm *vm, u32 *id);

/* Is vm the registered control VM? */
bool vm_registry_is_control(const struct vm *vm);

#endif
