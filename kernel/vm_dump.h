/* SPDX-License-Identifier: MIT */
/* Printing a VM's model state as tern log lines (irqdump option, monitor). */
#ifndef TERN_VM_DUMP_H
#define TERN_VM_DUMP_H

#include "kernel/lib/types.h"

struct vm;

/* Print text (several lines) as tern lines "vmN: what: <line>". */
void vm_dump_lines(unsigned vm_id, const char *what, const char *text);

/* Print vm's routing table and doorbells, vPIC and vIOAPIC state. */
void vm_dump_irq_state(struct vm *vm);

/* Print vCPU vcpu's vLAPIC state; -TERN_ENOENT when vm has no such vCPU. */
int vm_dump_lapic(struct vm *vm, unsigned vcpu);

#endif
