/* SPDX-License-Identifier: MIT */
/*
 * Host scaffolding for the hypercall layer (kernel/hypercall.c): a few VMs
 * built as vm_create() builds them, minus the hardware. Each is a stub VM
 * (tests/unit/stub_kernel.h) carrying tern's real vPIC, vIOAPIC, vLAPICs,
 * routing and doorbells (tests/unit/real_chips.c), named for inter-VM
 * doorbells and registered (kernel/intervm.c, kernel/vm_registry.c), with
 * real struct vcpu objects (kernel/vcpu.h: only gpr[], vm, id and hc_buf
 * matter here) and its own guest RAM (tests/unit/fake_guest_ram.c).
 *
 * This file also supplies the kernel/vm.h services the hypercalls use that
 * the stubs do not: vm_id(), vm_running(), vm_console_write() (recorded per
 * VM) and shm_query() (kernel/shm.h; answers from the regions the config
 * lists, as kernel/shm.c would). Single-threaded; one set of VMs at a time.
 */
#ifndef TERN_TEST_FAKE_HC_VMS_H
#define TERN_TEST_FAKE_HC_VMS_H

#include <tern/hypercall.h>
#include "kernel/config.h"
#include "kernel/lib/types.h"
#include "irq/routing.h"

struct vm;
struct vcpu;

#define HCVM_MAX          4
#define HCVM_MAX_VCPUS    40         /* enough for a PV IPI past the 32-bit cluster */
#define HCVM_MAX_SHM      3
#define HCVM_CONSOLE_MAX  (64 * 1024)

struct hcvm_config {
	u64 ram_size;                         /* bytes of RAM from gpa 0 (> 0; any size) */
	unsigned nr_vcpus;                    /* 1..HCVM_MAX_VCPUS */
	bool control;                         /* vm=...,control */
	bool limits;                          /* apply lim before the doorbells are made */
	struct irq_routing_limits lim;
	unsigned nr_doorbells;                /* doorbell= tokens this VM owns */
	struct doorbell_config doorbells[CONFIG_MAX_VM_DOORBELLS];
	unsigned nr_shm;                      /* shm= regions it maps (0..HCVM_MAX_SHM) */
};

struct hcvm {
	struct vm *vm;
	unsigned id;                          /* its vm= position and registry id */
	bool control;
	unsigned nr_vcpus;
	struct vcpu *vcpu[HCVM_MAX_VCPUS];
	u8 *ram;                              /* exactly ram_size bytes (ASan sees any overrun) */
	u64 ram_size;
	unsigned nr_shm;
	struct tern_shm_info shm[HCVM_MAX_SHM];
	size_t console_len;                   /* bytes vm_console_write() was given */
	char console[HCVM_CONSOLE_MAX];       /* the first HCVM_CONSOLE_MAX of them */
};

extern struct hcvm hcvms[HCVM_MAX];
extern unsigned hcvm_count;

/*
 * Build nr VMs, VM i from cfg[i]: chips and default routing, limits,
 * intervm_vm_init() with its doorbells, registry (ids 0..nr-1). Returns 0,
 * or the first error (and builds nothing: everything made is undone).
 */
int hcvm_setup(unsigned nr, const struct hcvm_config *cfg);

/* Undo hcvm_setup(). */
void hcvm_teardown(void);

/*
 * Hypercall nr from vCPU vcpu of VM vm with RBX, RCX, RDX, RSI = a0..a3,
 * as arch/x86/exit_vmcall.c does it for a CPL-0 caller in 64-bit mode
 * (hcvm_call) or in long_mode (hcvm_call_mode; false: 32-bit or 16-bit
 * code; vcpu_long_mode() answers it): hypercall_dispatch(). Returns what
 * goes back in RAX.
 */
s64 hcvm_call(unsigned vm, unsigned vcpu, u64 nr, u64 a0, u64 a1, u64 a2, u64 a3);
s64 hcvm_call_mode(unsigned vm, unsigned vcpu, bool long_mode, u64 nr, u64 a0, u64 a1, u64 a2,
		   u64 a3);

/* The hcvm of a struct vm (NULL for a VM not made here). */
struct hcvm *hcvm_of(const struct vm *vm);

#endif
