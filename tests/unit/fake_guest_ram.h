/* SPDX-License-Identifier: MIT */
/*
 * A host buffer standing in for a VM's guest RAM: the kernel/vm.h memory
 * services (vm_gpa_to_hva and the copies) served from it, for loader tests
 * and fuzzers. The test points these two at its buffer before each run.
 */
#ifndef TERN_TEST_FAKE_GUEST_RAM_H
#define TERN_TEST_FAKE_GUEST_RAM_H

#include "kernel/lib/types.h"

extern u8 *fake_guest_ram;        /* guest-physical 0 */
extern u64 fake_guest_ram_size;   /* bytes of RAM from there */

#endif
