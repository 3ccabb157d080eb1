/* SPDX-License-Identifier: MIT */
#include <stdlib.h>

#include "kernel/lib/string.h"
#include "kernel/vm.h"
#include "tests/unit/fake_guest_ram.h"

u8 *fake_guest_ram;
u64 fake_guest_ram_size;

static struct {
	struct vm *vm;
	u8 *ram;
	u64 size;
} per_vm[FAKE_GUEST_RAM_VMS];

void fake_guest_ram_set(struct vm *vm, u8 *ram, u64 size)
{
	unsigned i, free = FAKE_GUEST_RAM_VMS;

	for (i = 0; i < FAKE_GUEST_RAM_VMS && per_vm[i].vm != vm; i++)
		if (!per_vm[i].vm && free == FAKE_GUEST_RAM_VMS)
			free = i;
	if (i == FAKE_GUEST_RAM_VMS)
		i = free;
	if (i == FAKE_GUEST_RAM_VMS)
		abort();   /* more VMs than the table holds: a test bug */
	per_vm[i].vm = ram ? vm : NULL;
	per_vm[i].ram = ram;
	per_vm[i].size = ram ? size : 0;
}

void *vm_gpa_to_hva(struct vm *vm, u64 gpa, u64 len)
{
	u8 *ram = fake_guest_ram;
	u64 size = fake_guest_ram_size;

	for (unsigned i = 0; vm && i < FAKE_GUEST_RAM_VMS; i++) {
		if (per_vm[i].vm == vm) {
			ram = per_vm[i].ram;
			size = per_vm[i].size;
			break;
		}
	}
	if (gpa + len < gpa || gpa >= size || len > size - gpa)
		return NULL;
	return ram + gpa;
}

/* As kernel/vm.c: a copy of no bytes succeeds wherever it points. */
int vm_copy_to_guest(struct vm *vm, u64 gpa, const void *src, u64 len)
{
	void *p;

	if (!len)
		return 0;
	p = vm_gpa_to_hva(vm, gpa, len);
	if (!p)
		return -TERN_EFAULT;
	memcpy(p, src, len);
	return 0;
}

int vm_copy_from_guest(struct vm *vm, void *dst, u64 gpa, u64 len)
{
	void *p;

	if (!len)
		return 0;
	p = vm_gpa_to_hva(vm, gpa, len);
	if (!p)
		return -TERN_EFAULT;
	memcpy(dst, p, len);
	return 0;
}
