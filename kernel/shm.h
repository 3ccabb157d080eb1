/* SPDX-License-Identifier: MIT */
/*
 * Shared-memory regions between VMs (shm= on the command line,
 * docs/intervm.md). Each region is host memory allocated zeroed when the
 * first VM that maps it is created, mapped through EPT (write-back) at
 * the region's gpa into every VM listed, and freed when the last of them
 * is destroyed. A VM's EPT maps only its RAM, its devices' pages and the
 * regions it was given. tern's own guest-memory copies (hypercall
 * pointers) still accept RAM only.
 */
#ifndef TERN_KERNEL_SHM_H
#define TERN_KERNEL_SHM_H

#include <tern/hypercall.h>
#include "kernel/config.h"
#include "kernel/lib/types.h"

struct vm;

/*
 * Map every region of cfg->shm into vm (its EPT exists, it has not run).
 * 0, or -TERN_ENOMEM (logged, naming the region), -TERN_EINVAL (a region
 * outside the window, or one the same index was created with another
 * size), or the EPT's error. On failure the regions mapped so far stay
 * recorded: shm_vm_destroy() releases them.
 */
int shm_vm_init(struct vm *vm, const struct vm_config *cfg);

/* Drop vm's references to its regions (after its EPT is gone); frees the unused ones. */
void shm_vm_destroy(struct vm *vm);

/* The index-th region of vm (gpa order) into *out: 0, or -TERN_ENOENT. */
int shm_query(struct vm *vm, u64 index, struct tern_shm_info *out);

#endif
