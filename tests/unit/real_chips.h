/* SPDX-License-Identifier: MIT */
/* Integration-test scaffolding: a fake VM carrying tern's real interrupt models. */
#ifndef TERN_TEST_REAL_CHIPS_H
#define TERN_TEST_REAL_CHIPS_H

#include "kernel/lib/types.h"

struct vm;

/* A stub VM with nr_vcpus software-enabled vLAPICs, the vPIC, the vIOAPIC and the default routing. */
struct vm *real_chips_vm_new(unsigned nr_vcpus);
/* Tear down what real_chips_vm_new() made. */
void real_chips_vm_free(struct vm *vm);

/* vIOAPIC register reg through IOREGSEL/IOWIN (asserting the accesses succeed). */
void real_ioapic_write(struct vm *vm, u8 reg, u32 val);
u32 real_ioapic_read(struct vm *vm, u8 reg);

#endif
