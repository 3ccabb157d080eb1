/* SPDX-License-Identifier: MIT */
/*
 * A host buffer standing in for a VM's guest RAM: the kernel/vm.h memory
 * services (vm_gpa_to_hva and the copies) served from it, for loader tests
 * and fuzzers. The test points these two at its buffer before each run.
 * Tests with several VMs give each its own buffer with fake_guest_ram_set();
 * a VM never set uses the two globals.
 */
#ifndef TERN_TEST_FAKE_GUEST_RAM_H
#define TERN_TEST_FAKE_GUEST_RAM_H

#include "kernel/lib/types.h"

struct vm;

#define FAKE_GUEST_RAM_VMS 8

extern u8 *fake_guest_ram;        /* guest-physical 0 */
extern u64 fake_guest_ram_size;   /* bytes of RAM from there */

/* vm's RAM is [ram, ram + size) from guest-physical 0; ram NULL forgets vm. */
void fake_guest_ram_set(struct vm *vm, u8 *ram, u64 size);

#endif
