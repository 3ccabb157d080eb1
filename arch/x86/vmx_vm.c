/* SPDX-License-Identifier: MIT */
/*
 * Per-VM VMX state: the EPT over the VM's RAM blocks, and over the
 * shared-memory regions kernel/shm.c maps. Runs of host-contiguous blocks
 * are mapped together so 1 GiB pages appear where the allocator happened
 * to hand out aligned gigabytes.
 */
#include "arch/x86/apicv.h"
#include "arch/x86/ept.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_caps.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/vm_impl.h"

static u64 block_gpa(const struct vm *vm, unsigned i)
{
	u64 rel = (u64)i * VM_RAM_BLOCK;

	return rel < vm->low_ram_end ? rel : VM_HIGH_RAM_BASE + (rel - vm->low_ram_end);
}

/* Blocks i and i+1 can share one mapping: contiguous on both sides. */
static bool blocks_join(const struct vm *vm, unsigned i)
{
	return vm->blocks[i] + VM_RAM_BLOCK == vm->blocks[i + 1] &&
	       block_gpa(vm, i) + VM_RAM_BLOCK == block_gpa(vm, i + 1);
}

int vmx_vm_init(struct vm *vm)
{
	struct ept_sizes sizes = { vmx_caps.ept_2m, vmx_caps.ept_1g };
	u64 *root = ept_create();
	u64 counts[3];
	int rc;

	if (!root)
		return -TERN_ENOMEM;
	vm->ept_root = root;
	for (unsigned i = 0; i < vm->nr_blocks;) {
		unsigned first = i;

		while (i + 1 < vm->nr_blocks && blocks_join(vm, i))
			i++;
		i++;
		rc = ept_map(root, block_gpa(vm, first), virt_to_phys(vm->blocks[first]),
			     (u64)(i - first) * VM_RAM_BLOCK, &sizes);
		if (rc)
			return rc;
	}
	rc = apicv_vm_init(vm);
	if (rc)
		return rc;
	vm->eptp = ept_pointer(root);
	ept_count(root, counts);
	pr_debug("vm%u: EPT maps %llu 1G, %llu 2M, %llu 4K pages", vm->id,
		 (unsigned long long)counts[2], (unsigned long long)counts[1],
		 (unsigned long long)counts[0]);
	return 0;
}

int vmx_vm_map(struct vm *vm, u64 gpa, void *host, u64 len)
{
	struct ept_sizes sizes = { vmx_caps.ept_2m, vmx_caps.ept_1g };

	return ept_map(vm->ept_root, gpa, virt_to_phys(host), len, &sizes);
}

void vmx_vm_destroy(struct vm *vm)
{
	apicv_vm_destroy(vm);
	ept_destroy(vm->ept_root);
	vm->ept_root = NULL;
}
