/* SPDX-License-Identifier: MIT */
/*
 * struct vm: private to kernel/ and arch/x86/. Devices and models use the
 * services of kernel/vm.h, kernel/io.h and irq/irq.h instead.
 */
#ifndef TERN_VM_IMPL_H
#define TERN_VM_IMPL_H

#include "irq/irq.h"
#include "kernel/config.h"
#include "kernel/limits.h"
#include "kernel/lib/spinlock.h"
#include "kernel/lib/types.h"
#include "kernel/vcpu.h"
#include "kernel/vm.h"

#define VM_RAM_BLOCK_ORDER 9                   /* guest RAM comes in 2 MiB blocks */
#define VM_RAM_BLOCK       (2 * MiB)
#define VM_RAM_MIN         (2 * MiB)
#define VM_CONSOLE_LINE    256                 /* longest prefixed line before a forced break */
#define VM_STATUS_ERROR    255                 /* what tern reports for a VM it stopped */

/* Why a VM's vCPUs stop (struct vm exit_requested); the first request wins. */
enum vm_stop {
	VM_STOP_NONE,
	VM_STOP_EXIT,      /* the VM ends with exit_status */
	VM_STOP_RESET,     /* a warm reset: rebuilt and started again (vm_reboot) */
};

struct io_maps;

/* A page where tern traps xAPIC accesses (kernel/vm.c, vm_lapic_window). */
struct lapic_window {
	struct vm *vm;
	u64 base;
};

struct vm {
	struct vm_irq irq;                         /* first: vm_irq() (irq/irq.h) is a cast */
	unsigned id;
	char name[64];                             /* the kernel's module name */
	u64 ram_size;                              /* bytes, a multiple of VM_RAM_BLOCK */
	u64 low_ram_end;                           /* RAM in [0, low_ram_end) */
	unsigned nr_blocks;
	u8 **blocks;                               /* host address of each 2 MiB block, in gpa order */
	void *ept_root;                            /* EPT PML4 (arch/x86/ept.c) */
	u64 eptp;
	void *apic_access_page;                    /* APIC virtualization: mapped at 0xfee00000 */
	struct io_maps *io;
	spinlock_t lapic_lock;                     /* guards the windows below */
	unsigned nr_lapic_windows;
	struct lapic_window lapic_windows[LIMIT_LAPIC_WINDOWS];
	unsigned nr_vcpus;
	struct vcpu *vcpus[TERN_MAX_VCPUS];
	u32 timer_gen;                             /* bumped when a timer deadline may move earlier */
	spinlock_t stop_lock;                      /* the first stop request and its status */
	u8 exit_requested;                         /* VM_STOP_*: vCPUs stop at their next exit */
	bool reboot_ready;                         /* a reset's vCPUs are all parked (kernel/sched.c) */
	unsigned reboots;                          /* warm resets so far */
	u32 nr_parked;                             /* vCPUs whose CPU saw the request (kernel/sched.c) */
	int exit_status;
	bool ended;                                /* every vCPU stopped, status final */
	bool routing;                              /* irq_routing_init_default() succeeded */
	bool platform;                             /* pc_platform_init() succeeded */
	bool prefix_console;                       /* several VMs: "[vmN] " whole lines */
	unsigned nr_shm;                           /* shared regions mapped (kernel/shm.c) */
	struct shm_config shm[CONFIG_MAX_SHM];     /* in gpa order */
	spinlock_t console_lock;
	size_t line_len;
	/* bytes written since the console's backlog was last calm (console_calm_epoch()) */
#define VM_CONSOLE_BURST (8u * 1024u)
	u32 console_epoch;
	u32 console_burst;
	char line[VM_CONSOLE_LINE];
};

STATIC_ASSERT(offsetof(struct vm, irq) == 0);

/*
 * Create VM id from its configuration: RAM, EPT, vCPUs, devices, and the
 * loaded guest. NULL on failure (a one-line reason is logged).
 */
struct vm *vm_create(unsigned id, const struct vm_config *cfg, const struct boot_info *bi,
		     bool prefix_console);

/* Mark vm ended (all vCPUs stopped) and flush its console line. */
void vm_end(struct vm *vm);

/*
 * A guest timer (vLAPIC, PIT, RTC) may have been reprogrammed or fired:
 * vCPUs recompute their deadline before the next entry.
 */
static inline void vm_timers_changed(struct vm *vm)
{
	__atomic_store_n(&vm->timer_gen, vm->timer_gen + 1, __ATOMIC_RELEASE);
}

/*
 * vm_gpa_to_hva() for the exit paths: a range inside one low RAM block is
 * resolved inline (the common case: code and page tables), the rest by
 * vm_gpa_to_hva(). NULL when [gpa, gpa + len) is not RAM in one piece.
 * len must not exceed VM_RAM_BLOCK.
 */
static inline void *vm_ram_ptr(struct vm *vm, u64 gpa, u64 len)
{
	if (likely(gpa < vm->low_ram_end && (gpa & (VM_RAM_BLOCK - 1)) <= VM_RAM_BLOCK - len)) {
		u8 *block = vm->blocks[gpa / VM_RAM_BLOCK];

		if (!block)
			__builtin_unreachable();   /* every block of RAM is allocated: no NULL test */
		return block + (gpa & (VM_RAM_BLOCK - 1));
	}
	return vm_gpa_to_hva(vm, gpa, len);
}

/* True once vm_request_exit()/vm_stop_error()/vm_request_reset() was called. */
static inline bool vm_exit_requested(const struct vm *vm)
{
	return __atomic_load_n(&vm->exit_requested, __ATOMIC_ACQUIRE) != VM_STOP_NONE;
}

/* True when the stop is a warm reset (vm_request_reset()). */
static inline bool vm_reset_requested(const struct vm *vm)
{
	return __atomic_load_n(&vm->exit_requested, __ATOMIC_ACQUIRE) == VM_STOP_RESET;
}

/*
 * Rebuild a VM whose vCPUs are all parked and unloaded after a reset: its
 * devices, interrupt controllers, routing and command-line doorbells anew,
 * RAM zeroed, every vCPU back to its reset state, the guest loaded again
 * from cfg's modules; the RTC's battery-backed CMOS and clock and the
 * shared-memory regions survive. On the calling CPU, which the vCPUs are
 * then unloaded from for their home CPUs. 0, or an error (logged; the VM
 * cannot run on).
 */
int vm_reboot(struct vm *vm, const struct vm_config *cfg, const struct boot_info *bi);

/* Let the rebooted VM's vCPUs run again (its stop request cleared). */
void vm_restart(struct vm *vm);

#endif
