/* SPDX-License-Identifier: MIT */
/*
 * Host stand-ins for the kernel services irq/ and drivers/ use: a fake VM
 * holding a struct vm_irq, a settable clock, and a record of vCPU kicks.
 */
#ifndef TERN_TEST_STUB_KERNEL_H
#define TERN_TEST_STUB_KERNEL_H

#include "irq/irq.h"
#include "kernel/lib/types.h"

struct vm {
	struct vm_irq irq;               /* first, as in tern: vm_irq() is a cast */
	unsigned kicks[TERN_MAX_VCPUS];  /* vcpu_kick() calls per vCPU */
};
STATIC_ASSERT(offsetof(struct vm, irq) == 0);

/* A zeroed fake VM with nr_vcpus set; the test creates the models it needs. */
struct vm *stub_vm_new(unsigned nr_vcpus);
void stub_vm_free(struct vm *vm);

/* The fake clock clock_now() returns; starts at 1,000,000. */
extern u64 stub_clock;
/* vm_lapic_window(): what it returns, and the base it was last asked for. */
extern int stub_lapic_window_ret;
extern u64 stub_lapic_window_base;
/* Log lines printed so far (tests can assert a warning was given). */
extern unsigned stub_log_lines;
/* What page_free_count() answers (default 1 << 20, far above LIMIT_FREE_PAGES_FLOOR). */
extern u64 stub_free_pages;
/*
 * When set, kzalloc() asks it before each allocation: false makes that one
 * fail (NULL), to reach the -TERN_ENOMEM paths; a test can also check each
 * allocation against the memory floor there (kernel/limits.h).
 */
extern bool (*stub_kzalloc_hook)(size_t size);

#endif
