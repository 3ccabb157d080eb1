/* SPDX-License-Identifier: MIT */
/*
 * struct vcpu: one virtual CPU. kernel/ and arch/x86/ only. The exit stub
 * (arch/x86/vmx_entry.S) saves the guest's GPRs into gpr[], which must stay
 * the first member.
 */
#ifndef TERN_VCPU_H
#define TERN_VCPU_H

#include "arch/x86/insn.h"
#include "arch/x86/vmcs_fields.h"
#include "kernel/lib/types.h"

struct vm;
struct io_range;

enum vcpu_state {
	VCPU_RUNNABLE,
	VCPU_HALTED,      /* HLT with IF=1: sleeps until vcpu_kick() */
	VCPU_WAIT_SIPI,   /* an AP before its start-up IPI */
	VCPU_STOPPED,
};

/* MSRs tern does not use itself: passed through, swapped only when another vCPU runs here. */
enum vcpu_swapped_msr {
	SWAP_KERNEL_GS_BASE,
	SWAP_STAR,
	SWAP_LSTAR,
	SWAP_CSTAR,
	SWAP_FMASK,
	SWAP_TSC_AUX,     /* RDTSCP/RDPID read it: Linux keeps its CPU number there */
	SWAP_MSR_COUNT,
};

#define VCPU_MTRR_VAR_COUNT   8
#define VCPU_MTRR_FIXED_COUNT 11
#define VCPU_HC_BUF_SIZE      4096
#define VCPU_MMIO_INSNS       4      /* MMIO instructions kept decoded (a power of two) */

/* The virtual MTRRs guests read and write (no effect: EPT maps RAM write-back). */
struct vcpu_mtrr {
	u64 def_type;
	u64 fixed[VCPU_MTRR_FIXED_COUNT];
	u64 var[VCPU_MTRR_VAR_COUNT * 2];   /* base, mask pairs */
};

struct vcpu {
	u64 gpr[GPR_COUNT];         /* guest GPRs; gpr[GPR_RSP] is unused (the VMCS has RSP) */
	struct vm *vm;
	unsigned id;
	enum vcpu_state state;
	/* kicked and preempt_armed: one 16-bit word for the exit stub (VCPU_EXIT_FLAGS) */
	bool kicked;                /* an interrupt event arrived: re-evaluate before entry */
	bool preempt_armed;         /* the preemption-timer pin control is on */
	bool launched;              /* VMLAUNCH done: next entry is VMRESUME */
	bool apicv;                 /* APIC virtualization (virtual-interrupt delivery) in use */
	u8 apicv_mode;              /* the vLAPIC mode the controls are set for (arch/x86/apicv.c) */
	u64 eoi_exit[4];            /* the EOI-exit bitmap last written */
	u32 eoi_exit_gen;           /* the vLAPIC's tmr_gen it was written at */
	u32 lvtt_shadow;            /* LVT timer before the CPU's virtualized write (APIC-write exits) */
	u8 sipi_vector;             /* start-up vector of a pending SIPI */
	unsigned events;            /* VLAPIC_EV_* taken from the vLAPIC, not yet acted on */
	u64 deadline;               /* nearest timer deadline (absolute TSC), 0 none */
	u32 timer_gen;              /* vm->timer_gen the deadline was computed at */
	bool deadline_stale;        /* recompute the deadline at the next entry (new slice) */
	u64 slice_end;              /* end of the time slice (absolute TSC), 0 none */
	u16 vpid;
	int cpu;                    /* physical CPU whose VMCS cache holds it, -1 none */
	unsigned home_cpu;          /* the physical CPU that runs it (kernel/sched.c) */
	bool parked;                /* its VM is ending and its CPU will not run it again */
	void *vmcs;
	u64 *msr_bitmap;
	void *fpu;                  /* XSAVE/FXSAVE area, valid while switched out */
	unsigned fpu_order;
	u64 xcr0;
	u64 swapped_msr[SWAP_MSR_COUNT];
	u64 misc_enable;
	u64 cr8;                    /* the TPR value until a vLAPIC takes CR8 over */
	struct vcpu_mtrr mtrr;
	u32 pending_exception;      /* INTR_INFO word to inject at the next entry, 0 none */
	u32 pending_error_code;
	/*
	 * TSC ticks: entered with RFLAGS.IF=0, exit at least this often (0:
	 * never). Set when other CPUs may kick it: Bochs 2.7 applies the
	 * external-interrupt-exiting rule only once the guest changes IF, so
	 * a vCPU entered with IF=0 ignores kick IPIs until it does.
	 */
	u64 kick_backstop;
	bool halt_if;               /* RFLAGS.IF when it halted */
	bool nmi_delivered;         /* tern injected an NMI whose IRET it has not seen yet */
	bool console_wait;          /* off its CPU until the console's backlog is calm (kernel/vm.c) */
	/*
	 * The port and MMIO ranges this vCPU hit last (kernel/io.h): the exit
	 * paths call their handlers directly when the next access falls inside.
	 * Never NULL (io_range_none after create and reset, when the maps they
	 * pointed into are rebuilt).
	 */
	const struct io_range *io_pio;
	const struct io_range *io_mmio;
	u32 io_val;                 /* the value of the port access in progress (arch/x86/exit_io.c) */
	/*
	 * MMIO instructions decoded lately, by their linear address's low bits
	 * (arch/x86/exit_ept.c). Each entry is checked against the bytes at RIP
	 * when used, so none is ever stale, and a reset need not clear them.
	 */
	struct insn_cached mmio_insn[VCPU_MMIO_INSNS];
	u64 exits[EXIT_REASON_MAX]; /* exits by basic reason */
	u8 hc_buf[VCPU_HC_BUF_SIZE];/* bounce buffer of the console hypercall */
};

STATIC_ASSERT(offsetof(struct vcpu, gpr) == 0);

/* Allocate vCPU id of vm and its VMX state. NULL when out of memory (logged). */
struct vcpu *vcpu_create(struct vm *vm, unsigned id);
/*
 * v as vcpu_create() left it, for a warm reset of its VM: VMX state
 * (vmx_vcpu_reset(), so v's VMCS ends up current on the calling CPU),
 * registers, events, timers. Not its placement or statistics. 0 or the
 * VMX error.
 */
int vcpu_reset(struct vcpu *v);
/* Free a vCPU from vcpu_create (NULL is ignored). */
void vcpu_destroy(struct vcpu *v);

/*
 * True when v has an event that ends a halt: an NMI, INIT or SIPI, or (with
 * RFLAGS.IF=1 at the HLT) a deliverable interrupt from its vLAPIC or the
 * vPIC's ExtINT. Looked at only after a kick since it halted.
 */
bool vcpu_has_pending_event(struct vcpu *v);

/* Halt v until an event of vcpu_has_pending_event() (HLT). if_set: RFLAGS.IF at the HLT. */
void vcpu_halt(struct vcpu *v, bool if_set);

/*
 * v, in an exit on its own CPU, flooded the console: it leaves the CPU at
 * the end of this exit and runs again once the backlog is calm.
 */
void vcpu_console_wait(struct vcpu *v);

/* Take the vLAPIC's pending NMI/INIT/SIPI/ExtINT events into v->events. */
void vcpu_collect_events(struct vcpu *v);

/*
 * Is v running 64-bit code (EFER.LMA with CS.L)? During v's exit only (its
 * VMCS is the current one): arch/x86/exit_vmcall.c.
 */
bool vcpu_long_mode(struct vcpu *v);

#endif
