/* SPDX-License-Identifier: MIT */
/*
 * Guest-linear memory: walks the guest's own page tables (none, 32-bit,
 * PAE, 4-level) to reach guest-physical addresses. Used off the hot path
 * (string I/O, fetching an MMIO instruction). Only presence is checked:
 * the guest already passed its own permission checks to cause the exit.
 */
#ifndef TERN_ARCH_X86_VMX_GWALK_H
#define TERN_ARCH_X86_VMX_GWALK_H

#include "kernel/lib/types.h"

struct vcpu;

/* gva -> gpa with the guest's current paging mode; -TERN_EFAULT when not mapped. */
int gva_to_gpa(struct vcpu *v, u64 gva, u64 *gpa);

/* Copy len bytes at guest-linear gva from/to guest RAM, page by page; -TERN_EFAULT on a hole. */
int guest_read_linear(struct vcpu *v, u64 gva, void *dst, u64 len);
int guest_write_linear(struct vcpu *v, u64 gva, const void *src, u64 len);

#endif
