/* SPDX-License-Identifier: MIT */
/* The Linux boot protocol's 64-bit entry as VMX guest state (docs/linux.md). */
#ifndef TERN_ARCH_X86_VCPU_ENTRY_LINUX_H
#define TERN_ARCH_X86_VCPU_ENTRY_LINUX_H

struct vcpu;
struct linux_entry;

/*
 * Set v's guest state from e before its first run: 64-bit mode (IA-32e mode
 * entry control, EFER.LME/LMA, CR0.PG, CR4.PAE), CR3, the loader's GDT, CS
 * and the data segments from e's selectors, a busy 64-bit TSS in TR, an
 * unusable LDTR, RIP/RSP/RFLAGS, RSI = boot_params, the other GPRs 0.
 * 0 or -TERN_EIO (the VMCS could not be made current).
 */
int vmx_vcpu_set_linux_entry(struct vcpu *v, const struct linux_entry *e);

#endif
