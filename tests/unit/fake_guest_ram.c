/* SPDX-License-Identifier: MIT */
#include "kernel/lib/string.h"
#include "kernel/vm.h"
#include "tests/unit/fake_guest_ram.h"

u8 *fake_guest_ram;
u64 fake_guest_ram_size;

void *vm_gpa_to_hva(struct vm *vm, u64 gpa, u64 len)
{
	(void)vm;
	if (gpa + len < gpa || gpa >= fake_guest_ram_size || len > fake_guest_ram_size - gpa)
		return NULL;
	return fake_guest_ram + gpa;
}

int vm_copy_to_guest(struct vm *vm, u64 gpa, const void *src, u64 len)
{
	void *p = vm_gpa_to_hva(vm, gpa, len);

	if (!p)
		return -TERN_EFAULT;
	memcpy(p, src, len);
	return 0;
}

int vm_copy_from_guest(struct vm *vm, void *dst, u64 gpa, u64 len)
{
	void *p = vm_gpa_to_hva(vm, gpa, len);

	if (!p)
		return -TERN_EFAULT;
	memcpy(dst, p, len);
	return 0;
}
