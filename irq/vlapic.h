/* SPDX-License-Identifier: MIT */
/*
 * Virtual local APIC (xAPIC and x2APIC), one per vCPU, and the one
 * interrupt delivery function used by the vIOAPIC, MSI and IPIs.
 *
 * The APIC ID is the vcpu_id, read-only in both modes (the xAPIC ID register
 * is writable only on some CPU models; the SDM tells software not to).
 * Every vCPU argument is a vcpu_id; a vcpu_id without a vLAPIC (never
 * created, out of range) is tolerated by every function: queries answer
 * "nothing" (-1, 0, false) and commands return -TERN_EINVAL or do nothing.
 * Design notes: docs/irq-lapic.md.
 */
#ifndef TERN_IRQ_VLAPIC_H
#define TERN_IRQ_VLAPIC_H

#include "kernel/lib/types.h"
#include "irq/irq.h"

/* ------------------------------------------------------------ delivery */

enum lapic_delivery_mode {
	LAPIC_DM_FIXED = 0,
	LAPIC_DM_LOWEST = 1,
	LAPIC_DM_SMI = 2,
	LAPIC_DM_NMI = 4,
	LAPIC_DM_INIT = 5,
	LAPIC_DM_SIPI = 6,
	LAPIC_DM_EXTINT = 7,
};

enum lapic_shorthand {
	LAPIC_SH_NONE = 0,
	LAPIC_SH_SELF = 1,
	LAPIC_SH_ALL = 2,
	LAPIC_SH_ALL_BUT_SELF = 3,
};

/* xAPIC and x2APIC physical broadcast destinations. */
#define LAPIC_XAPIC_BROADCAST   0xffu
#define LAPIC_X2APIC_BROADCAST  0xffffffffu

struct lapic_irq {
	u32 dest;            /* 8-bit xAPIC or 32-bit x2APIC destination */
	u8 vector;
	u8 delivery_mode;    /* enum lapic_delivery_mode */
	u8 shorthand;        /* enum lapic_shorthand */
	bool dest_logical;
	bool level_trigger;
	bool assert;
	int src_vcpu;        /* -1 when not an IPI */
};

/*
 * Deliver one interrupt message to the vLAPICs it addresses. Returns the
 * number of vCPUs that accepted it (0 when nobody matched, the message was
 * ignored (SMI, INIT level de-assert) or coalesced with a pending one), or
 * -TERN_EINVAL for a reserved delivery mode/shorthand or a SELF shorthand
 * without a source vCPU. Callable with any lock above the vLAPIC's held.
 */
int lapic_deliver(struct vm *vm, const struct lapic_irq *irq);

/*
 * KVM_HC_SEND_IPI: send the ICR's vector/delivery mode (fixed or NMI) to
 * the APIC IDs min_apic_id + n for every bit n set in bitmap_low and
 * min_apic_id + cluster + n for every bit n set in bitmap_high, n below
 * cluster: the bits of one bitmap word, 64 for a caller in 64-bit mode and
 * 32 otherwise (KVM's cluster size; bits above it are ignored). Returns how
 * many vCPUs accepted it, or -TERN_EINVAL for a logical destination, a
 * shorthand or another mode.
 */
long vlapic_pv_send_ipi(struct vm *vm, unsigned src_vcpu, u64 bitmap_low,
			u64 bitmap_high, u32 min_apic_id, u64 icr, unsigned cluster);

/* ------------------------------------------------------------ lifetime */

/*
 * Create vCPU vcpu_id's vLAPIC in power-on state (APIC ID = vcpu_id,
 * xAPIC mode at 0xfee00000, BSP flag on vCPU 0) and publish it in
 * vm_irq(vm)->vlapic[vcpu_id]. -TERN_EINVAL for vcpu_id >= nr_vcpus,
 * -TERN_EEXIST when it exists, -TERN_ENOMEM.
 */
int vlapic_create(struct vm *vm, unsigned vcpu_id);

/* Unpublish and free; the VM must no longer deliver to or run that vCPU. */
void vlapic_destroy(struct vm *vm, unsigned vcpu_id);

/*
 * Reset: power-on (init=false: IA32_APIC_BASE and every register to their
 * reset values, pending events dropped) or INIT (init=true: IA32_APIC_BASE,
 * the mode and the APIC ID are kept, every other register is reset; the
 * vCPU loop calls this when it acts on VLAPIC_EV_INIT).
 */
void vlapic_reset(struct vm *vm, unsigned vcpu_id, bool init);

/* ------------------------------------------------------------ APIC virtualization */

/*
 * The 4 KiB page holding the registers in the architectural xAPIC layout
 * (page-aligned, lives as long as the vLAPIC): arch/x86 may use it as the
 * virtual-APIC page. NULL when there is no such vLAPIC.
 */
void *vlapic_regs_page(struct vm *vm, unsigned vcpu_id);

/*
 * Virtual-interrupt delivery on/off for this vCPU. When on, the CPU moves
 * IRR->ISR and virtualizes EOIs of edge vectors itself: arch/x86 sets RVI
 * from vlapic_highest_irr() and SVI from vlapic_highest_isr() on entry,
 * programs vlapic_eoi_exit_bitmap(), and reports EOI-induced exits with
 * vlapic_eoi_virtualized(); it no longer calls vlapic_pending_vector()/
 * vlapic_accept_vector().
 */
void vlapic_set_apicv(struct vm *vm, unsigned vcpu_id, bool on);
bool vlapic_apicv(struct vm *vm, unsigned vcpu_id);

/* Vectors whose EOI must exit (the TMR: level vectors the vIOAPIC waits for). */
void vlapic_eoi_exit_bitmap(struct vm *vm, unsigned vcpu_id, u64 bitmap[4]);

/*
 * The CPU already cleared ISR bit vector (EOI virtualization) and exited
 * because of the EOI-exit bitmap: finish the EOI (TMR -> vioapic_eoi).
 */
void vlapic_eoi_virtualized(struct vm *vm, unsigned vcpu_id, u8 vector);

/* Highest vector set in IRR / ISR, or -1 when none (for RVI / SVI). */
int vlapic_highest_irr(struct vm *vm, unsigned vcpu_id);
int vlapic_highest_isr(struct vm *vm, unsigned vcpu_id);

/*
 * What APIC virtualization loads into the VMCS before an entry, read in
 * one lookup and without the lock: the CPU edits IRR/ISR while the guest
 * runs anyway, and whatever tern changes kicks the vCPU, which reads a
 * fresh state before its next entry.
 */
struct vlapic_apicv_state {
	u64 base;          /* the xAPIC window (IA32_APIC_BASE address bits) */
	bool enabled;      /* IA32_APIC_BASE.EN */
	bool x2apic;       /* enabled in x2APIC mode */
	int irr;           /* highest IRR vector (RVI), -1 none */
	int isr;           /* highest ISR vector (SVI), -1 none */
	u32 lvt_timer;     /* the LVT timer register */
	u32 tmr_gen;       /* changes whenever a TMR bit does: vlapic_eoi_exit_bitmap() moved */
};

/* Fill *st; a missing vLAPIC reads as disabled with nothing pending (tmr_gen 0). */
void vlapic_apicv_state(struct vm *vm, unsigned vcpu_id, struct vlapic_apicv_state *st);

/* ------------------------------------------------------------ register interface */

#ifndef MSR_IA32_APIC_BASE   /* arch/x86/x86.h has it too */
#define MSR_IA32_APIC_BASE       0x1bu
#endif
#define MSR_IA32_TSC_DEADLINE    0x6e0u
#define MSR_X2APIC_FIRST         0x800u
#define MSR_X2APIC_LAST          0x8ffu

#define APIC_BASE_BSP            BIT64(8)
#define APIC_BASE_EXTD           BIT64(10)
#define APIC_BASE_EN             BIT64(11)
#define APIC_DEFAULT_BASE        0xfee00000ull
#define APIC_MMIO_SIZE           0x1000ull

/* Register offsets in the xAPIC page; x2APIC MSR = 0x800 + (offset >> 4). */
enum apic_reg {
	APIC_REG_ID       = 0x020,
	APIC_REG_LVR      = 0x030,   /* version */
	APIC_REG_TPR      = 0x080,
	APIC_REG_APR      = 0x090,
	APIC_REG_PPR      = 0x0a0,
	APIC_REG_EOI      = 0x0b0,
	APIC_REG_RRD      = 0x0c0,
	APIC_REG_LDR      = 0x0d0,
	APIC_REG_DFR      = 0x0e0,
	APIC_REG_SVR      = 0x0f0,
	APIC_REG_ISR      = 0x100,   /* 8 registers, 16 bytes apart */
	APIC_REG_TMR      = 0x180,
	APIC_REG_IRR      = 0x200,
	APIC_REG_ESR      = 0x280,
	APIC_REG_LVT_CMCI = 0x2f0,
	APIC_REG_ICR_LO   = 0x300,
	APIC_REG_ICR_HI   = 0x310,
	APIC_REG_LVT_TIMER = 0x320,
	APIC_REG_LVT_THERMAL = 0x330,
	APIC_REG_LVT_PERF = 0x340,
	APIC_REG_LVT_LINT0 = 0x350,
	APIC_REG_LVT_LINT1 = 0x360,
	APIC_REG_LVT_ERROR = 0x370,
	APIC_REG_TMICT    = 0x380,   /* timer initial count */
	APIC_REG_TMCCT    = 0x390,   /* timer current count */
	APIC_REG_TDCR     = 0x3e0,   /* timer divide configuration */
	APIC_REG_SELF_IPI = 0x3f0,   /* x2APIC only */
};

#define APIC_MSR(reg)            (MSR_X2APIC_FIRST + ((reg) >> 4))

/* A register that programs the timer: a write may move its deadline. */
static inline bool vlapic_timer_reg(unsigned off)
{
	return off == APIC_REG_LVT_TIMER || off == APIC_REG_TMICT || off == APIC_REG_TDCR;
}

/* The same for MSRs: IA32_TSC_DEADLINE and the x2APIC timer registers. */
static inline bool vlapic_timer_msr(u32 msr)
{
	return msr == MSR_IA32_TSC_DEADLINE ||
	       (msr >= MSR_X2APIC_FIRST && msr <= MSR_X2APIC_LAST &&
		vlapic_timer_reg((msr - MSR_X2APIC_FIRST) << 4));
}

/* Version: 0x14 (integrated APIC), max LVT entry 5, no directed EOI. */
#define APIC_VERSION_VALUE       0x00050014u

#define APIC_SVR_VECTOR          0xffu
#define APIC_SVR_ENABLE          BIT(8)
#define APIC_SVR_FOCUS_DISABLE   BIT(9)

/* LVT fields. */
#define APIC_LVT_VECTOR          0xffu
#define APIC_LVT_DM_SHIFT        8
#define APIC_LVT_DM_MASK         (7u << APIC_LVT_DM_SHIFT)
#define APIC_LVT_DELIVERY_STATUS BIT(12)
#define APIC_LVT_POLARITY        BIT(13)
#define APIC_LVT_REMOTE_IRR      BIT(14)
#define APIC_LVT_LEVEL           BIT(15)
#define APIC_LVT_MASKED          BIT(16)
#define APIC_LVT_TIMER_SHIFT     17
#define APIC_LVT_TIMER_MASK      (3u << APIC_LVT_TIMER_SHIFT)
#define APIC_TIMER_ONESHOT       0u
#define APIC_TIMER_PERIODIC      1u
#define APIC_TIMER_TSC_DEADLINE  2u

/* ICR (low word; the x2APIC MSR carries the destination in bits 63:32). */
#define APIC_ICR_VECTOR          0xffu
#define APIC_ICR_DM_SHIFT        8
#define APIC_ICR_DM_MASK         (7u << APIC_ICR_DM_SHIFT)
#define APIC_ICR_DEST_LOGICAL    BIT(11)
#define APIC_ICR_BUSY            BIT(12)   /* delivery status: always reads idle */
#define APIC_ICR_ASSERT          BIT(14)
#define APIC_ICR_LEVEL           BIT(15)
#define APIC_ICR_SH_SHIFT        18
#define APIC_ICR_SH_MASK         (3u << APIC_ICR_SH_SHIFT)
#define APIC_ICR_XAPIC_DEST_SHIFT 24       /* in ICR_HI */

/* ESR bits. */
#define APIC_ESR_SEND_CS         BIT(0)
#define APIC_ESR_RECV_CS         BIT(1)
#define APIC_ESR_SEND_ACCEPT     BIT(2)
#define APIC_ESR_RECV_ACCEPT     BIT(3)
#define APIC_ESR_REDIRECTABLE_IPI BIT(4)
#define APIC_ESR_SEND_ILLEGAL    BIT(5)
#define APIC_ESR_RECV_ILLEGAL    BIT(6)
#define APIC_ESR_ILLEGAL_REG     BIT(7)

#define APIC_DFR_FLAT            0xffffffffu
#define APIC_DFR_CLUSTER         0x0fffffffu

/*
 * xAPIC MMIO (an mmio_handler_t; opaque = vm, vcpu_id picks the vLAPIC).
 * Accesses must be 4 bytes wide at a 16-byte-aligned offset; any other
 * width or alignment reads as 0 and writes are dropped (returns 0), a
 * reserved offset additionally records "illegal register address" in ESR.
 * In x2APIC mode or when hardware-disabled, reads return all ones and
 * writes are dropped. Returns -TERN_EINVAL only for a missing vLAPIC.
 */
int vlapic_mmio(void *opaque, unsigned vcpu_id, u64 offset, unsigned size,
		bool write, u64 *val);

/*
 * IA32_APIC_BASE, IA32_TSC_DEADLINE and the x2APIC MSRs 0x800-0x8ff.
 * Returns 0, or -TERN_EINVAL where the hardware raises #GP (the caller
 * injects it): x2APIC MSRs outside x2APIC mode, reserved or absent MSRs,
 * reading EOI/SELF_IPI, writing read-only registers, non-zero reserved
 * bits, a non-zero EOI, an illegal IA32_APIC_BASE transition, or a base
 * move vm_lapic_window() refuses (onto RAM, shared memory or a device).
 */
int vlapic_rdmsr(struct vm *vm, unsigned vcpu_id, u32 msr, u64 *val);
int vlapic_wrmsr(struct vm *vm, unsigned vcpu_id, u32 msr, u64 val);

/*
 * The x2APIC EOI MSR (0x80b) written with val: vlapic_wrmsr's effect on
 * the interrupts' most frequent write without its general decoding (and
 * without the timer expiry check, which an EOI does not need). Returns
 * -TERN_EINVAL where the CPU raises #GP (not in x2APIC mode, val != 0),
 * else 0. Like every EOI (also through vlapic_mmio/vlapic_wrmsr), it
 * kicks the vCPU only when that lets a pending vector through or APIC
 * virtualization's SVI must follow the ISR, so callers need not kick; a
 * level vector's EOI reaches the vIOAPIC, which kicks if it re-delivers.
 */
int vlapic_x2apic_eoi(struct vm *vm, unsigned vcpu_id, u64 val);

/* IA32_APIC_BASE.EN (CPUID.1:EDX.APIC follows it). */
bool vlapic_hw_enabled(struct vm *vm, unsigned vcpu_id);
/* IA32_APIC_BASE.EXTD (and EN). */
bool vlapic_x2apic_mode(struct vm *vm, unsigned vcpu_id);
/* The xAPIC page's guest-physical address (IA32_APIC_BASE bits 12 and up). */
u64 vlapic_base(struct vm *vm, unsigned vcpu_id);

/* CR8 = TPR[7:4]; setting it updates PPR. */
void vlapic_set_cr8(struct vm *vm, unsigned vcpu_id, u64 cr8);
u64 vlapic_get_cr8(struct vm *vm, unsigned vcpu_id);

/* ------------------------------------------------------------ acceptance and injection */

/*
 * Accept a fixed interrupt into IRR (TMR = level): safe from any CPU.
 * Returns true when the vector was newly set in IRR (the target is
 * kicked); false for a coalesced vector, a software- or hardware-disabled
 * APIC, or an illegal vector 0-15 (recorded as "received illegal vector"
 * in ESR, which may raise the LVT error interrupt).
 */
bool vlapic_set_intr(struct vm *vm, unsigned vcpu_id, u8 vector, bool level);

/*
 * Accept one message already addressed to this vCPU (the per-target half
 * of lapic_deliver). Returns 1 when accepted, 0 when ignored or coalesced.
 */
int vlapic_accept_irq(struct vm *vm, unsigned vcpu_id, const struct lapic_irq *irq);

/* Highest IRR vector whose priority class is above PPR's, or -1. */
int vlapic_pending_vector(struct vm *vm, unsigned vcpu_id);

/* The CPU took vector: IRR -> ISR, PPR updated. */
void vlapic_accept_vector(struct vm *vm, unsigned vcpu_id, u8 vector);

/*
 * vlapic_pending_vector(), and with take the CPU takes that vector at
 * once (vlapic_accept_vector()): one lock for an injection, not two.
 */
int vlapic_take_vector(struct vm *vm, unsigned vcpu_id, bool take);

/* Events the vCPU loop consumes (bits returned by vlapic_take_events). */
#define VLAPIC_EV_NMI     BIT(0)
#define VLAPIC_EV_INIT    BIT(1)
#define VLAPIC_EV_SIPI    BIT(2)   /* *sipi_vector holds the start-up vector */
#define VLAPIC_EV_EXTINT  BIT(3)   /* an ExtINT message: take the vector from the vPIC */

/* Take (and clear) the pending events; sipi_vector may be NULL. */
unsigned vlapic_take_events(struct vm *vm, unsigned vcpu_id, u8 *sipi_vector);

/*
 * The vPIC's INTR reaches this vCPU: its vLAPIC is hardware-disabled, or
 * LVT LINT0 is unmasked with delivery mode ExtINT.
 */
bool vlapic_accepts_extint(struct vm *vm, unsigned vcpu_id);

/* Current processor priority (PPR), 0 when there is no vLAPIC. */
u8 vlapic_ppr(struct vm *vm, unsigned vcpu_id);

/* Hardware-enabled and SVR.APIC-enable set: fixed interrupts are accepted. */
bool vlapic_sw_enabled(struct vm *vm, unsigned vcpu_id);

/*
 * Does this vLAPIC (enabled, in its own mode: xAPIC or x2APIC; physical
 * or logical with its LDR/DFR) belong to irq's destination? Shorthands
 * are not looked at.
 */
bool vlapic_match_dest(struct vm *vm, unsigned vcpu_id, const struct lapic_irq *irq);

/* ------------------------------------------------------------ timer */

/*
 * Shortest period of a periodic timer, in microseconds of TSC time
 * (LIMIT_LAPIC_PERIOD_MIN_US from kernel/limits.h): a shorter count runs
 * at this period, so a guest cannot livelock its vCPU in timer exits.
 * Host tests that check small-period arithmetic set it to 0.
 */
extern u32 vlapic_period_floor_us;

/* Absolute TSC of the next timer expiry, 0 when the timer is not armed. */
u64 vlapic_timer_deadline(struct vm *vm, unsigned vcpu_id);

/* Fire the timer if it expired at or before now (periodic: reload). */
void vlapic_timer_check(struct vm *vm, unsigned vcpu_id, u64 now);

/* ------------------------------------------------------------ debug */

/* Text summary of the registers into buf; returns the length written (or needed). */
int vlapic_dump(struct vm *vm, unsigned vcpu_id, char *buf, size_t len);

#endif
