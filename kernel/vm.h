/* SPDX-License-Identifier: MIT */
/*
 * VM objects: the services a VM offers to devices and models. The struct
 * itself is private to kernel/ and arch/x86/ (kernel/vm_impl.h).
 */
#ifndef TERN_VM_H
#define TERN_VM_H

#include "kernel/lib/types.h"

struct vm;

/*
 * Guest-physical layout: RAM fills [0, VM_LOW_RAM_MAX); what does not fit
 * continues at VM_HIGH_RAM_BASE. [VM_LOW_RAM_MAX, 4 GiB) is the hole for
 * devices (PCI, IOAPIC at 0xfec00000, LAPIC at 0xfee00000, firmware).
 */
#define VM_LOW_RAM_MAX    0xc0000000ull
#define VM_HIGH_RAM_BASE  0x100000000ull

/* The VM's index (0 for the first VM on the command line). */
unsigned vm_id(const struct vm *vm);
/* Bytes of guest RAM (laid out as above). */
u64 vm_ram_size(const struct vm *vm);
/* Number of vCPUs. */
unsigned vm_nr_vcpus(const struct vm *vm);
/* Still running: not ended, and no end requested. */
bool vm_running(const struct vm *vm);

/*
 * Host pointer for guest-physical [gpa, gpa + len) when the whole range is
 * guest RAM (no wrap-around, no MMIO, no hole); NULL otherwise.
 */
void *vm_gpa_to_hva(struct vm *vm, u64 gpa, u64 len);
/*
 * The i-th shared-memory region of the VM (kernel/shm.h) in *gpa, *size:
 * true, or false past the last one. Loaders mark them in memory maps.
 */
bool vm_shm_region(struct vm *vm, unsigned i, u64 *gpa, u64 *size);

/*
 * A vLAPIC's xAPIC page moves to base (IA32_APIC_BASE): have tern trap
 * accesses there, for whichever vCPU's base it is (each vCPU sees only its
 * own page; elsewhere the window reads all ones). 0 (also when already
 * trapped), -TERN_EINVAL (base is RAM or shared memory), -TERN_EEXIST
 * (another device's page), -TERN_ENOSPC (LIMIT_LAPIC_WINDOWS bases used).
 * The vLAPIC refuses the move on an error (the guest gets #GP).
 */
int vm_lapic_window(struct vm *vm, u64 base);

/* Copy from/to guest RAM; -TERN_EFAULT when any byte lies outside RAM. */
int vm_copy_from_guest(struct vm *vm, void *dst, u64 gpa, u64 len);
int vm_copy_to_guest(struct vm *vm, u64 gpa, const void *src, u64 len);

/*
 * Guest console output (UART THR, console hypercall): raw bytes with one VM,
 * whole lines prefixed "[vmN] " with several.
 */
void vm_console_write(struct vm *vm, const char *buf, size_t len);

/*
 * End the VM with an exit status in QEMU's isa-debug-exit convention
 * ((code << 1) | 1; 0 = clean power-off). Its vCPUs stop at their next exit.
 */
void vm_request_exit(struct vm *vm, int status);

/*
 * A warm reset of the VM (port 0xcf9, 0x92, the keyboard controller): its
 * vCPUs stop, tern rebuilds it and boots the guest again (kernel/vm_impl.h
 * vm_reboot). Ignored once a stop was requested. source names the way for
 * the log.
 */
void vm_request_reset(struct vm *vm, const char *source);

/*
 * Stop the VM because of something it did wrong; logs the reason as one
 * line "vmN: <reason>" (callers do not add the prefix). Status 255.
 */
void vm_stop_error(struct vm *vm, const char *fmt, ...) __printf(2, 3);

#endif
