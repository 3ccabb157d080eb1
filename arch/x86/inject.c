/* SPDX-License-Identifier: MIT */
/*
 * Event injection: exceptions tern raises, events whose delivery an exit
 * interrupted, NMI/INIT/SIPI from the vLAPIC, and external interrupts from
 * the vLAPIC or the vPIC (ExtINT), with the interrupt/NMI-window exits when
 * the guest cannot take them yet. Also the vCPU's timer deadline, which
 * the VMX-preemption timer enforces.
 */
#include "arch/x86/x86.h"
#include "arch/x86/apicv.h"
#include "arch/x86/inject.h"
#include "arch/x86/trap.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_caps.h"
#include "arch/x86/vmx_insn.h"
#include "drivers/pit.h"
#include "drivers/rtc.h"
#include "irq/vlapic.h"
#include "irq/vpic.h"
#include "kernel/clock.h"
#include "kernel/lib/atomic.h"
#include "kernel/percpu.h"
#include "kernel/sched.h"
#include "kernel/vm_impl.h"
#include "kernel/trace.h"

#define ENTRY_INFO_BITS    (INTR_INFO_VALID | INTR_INFO_ERROR_CODE | INTR_INFO_TYPE_MASK | \
			    INTR_INFO_VECTOR_MASK)
#define PREEMPT_TIMER_MAX  0xffffffffull

/* Vectors that push an error code (SDM Vol. 3A 6.15). */
static bool has_error_code(unsigned vector)
{
	switch (vector) {
	case EXC_DF: case EXC_TS: case EXC_NP: case EXC_SS: case EXC_GP: case EXC_PF:
	case EXC_AC: case EXC_CP:
		return true;
	default:
		return false;
	}
}

void inject_exception(struct vcpu *v, unsigned vector, u32 error_code)
{
	u32 info = (vector & INTR_INFO_VECTOR_MASK) |
		   (INTR_TYPE_HW_EXCEPTION << INTR_INFO_TYPE_SHIFT) | INTR_INFO_VALID;

	(void)v;
	if (has_error_code(vector)) {
		info |= INTR_INFO_ERROR_CODE;
		vmcs_write(VMCS_ENTRY_EXCEPTION_ERROR, error_code);
	}
	vmcs_write(VMCS_ENTRY_INTR_INFO, info);
}

void inject_gp(struct vcpu *v)
{
	inject_exception(v, EXC_GP, 0);
}

void inject_ud(struct vcpu *v)
{
	inject_exception(v, EXC_UD, 0);
}

static bool entry_queued(void)
{
	return vmcs_read(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID;
}

bool inject_reinject_vectoring(struct vcpu *v)
{
	u32 idt = (u32)vmcs_read(VMCS_IDT_VECTORING_INFO);
	unsigned type;

	if (entry_queued())
		return true;
	if (!(idt & INTR_INFO_VALID))
		return false;
	type = (idt & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT;
	if (idt & INTR_INFO_ERROR_CODE)
		vmcs_write(VMCS_ENTRY_EXCEPTION_ERROR, vmcs_read(VMCS_IDT_VECTORING_ERROR));
	if (type == INTR_TYPE_NMI)
		v->nmi_delivered = true;
	if (type == INTR_TYPE_SW_INTERRUPT || type == INTR_TYPE_PRIV_SW_EXC ||
	    type == INTR_TYPE_SW_EXCEPTION)
		vmcs_write(VMCS_ENTRY_INSN_LEN, vmcs_read(VMCS_EXIT_INSN_LEN));
	vmcs_write(VMCS_ENTRY_INTR_INFO, idt & ENTRY_INFO_BITS);
	return true;
}

static void proc_control(u32 bit, bool on)
{
	u64 old = vmcs_read(VMCS_PROC_CONTROLS);
	u64 val = on ? old | bit : old & ~(u64)bit;

	if (val != old)
		vmcs_write(VMCS_PROC_CONTROLS, val);
}

static void queue_event(unsigned type, unsigned vector)
{
	vmcs_write(VMCS_ENTRY_INTR_INFO, (vector & INTR_INFO_VECTOR_MASK) |
		   (type << INTR_INFO_TYPE_SHIFT) | INTR_INFO_VALID);
}

/* RFLAGS.IF=1 and no STI/MOV-SS shadow: an external interrupt may be injected. */
static bool intr_allowed(void)
{
	return (vmcs_read(VMCS_GUEST_RFLAGS) & RFLAGS_IF) &&
	       !(vmcs_read(VMCS_GUEST_INTERRUPTIBILITY) &
		 (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS));
}

static bool nmi_allowed(void)
{
	return !(vmcs_read(VMCS_GUEST_INTERRUPTIBILITY) &
		 (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS | INTERRUPTIBILITY_NMI));
}

/* INIT: the vLAPIC's INIT reset; an AP waits for SIPI, the BSP restarts at the reset vector. */
static int act_on_init(struct vcpu *v)
{
	v->events &= ~(VLAPIC_EV_INIT | VLAPIC_EV_NMI | VLAPIC_EV_EXTINT);
	vlapic_reset(v->vm, v->id, true);
	if (v->id == 0) {
		v->events &= ~VLAPIC_EV_SIPI;
		return vmx_vcpu_set_reset_state(v, false, 0);
	}
	v->state = VCPU_WAIT_SIPI;
	if (v->events & VLAPIC_EV_SIPI)
		WRITE_ONCE(v->kicked, true);   /* a SIPI that came with it: next pass */
	return VMX_RUN_YIELD;
}

/* SIPI: only in wait-for-SIPI; real mode at vector << 12. */
static int act_on_sipi(struct vcpu *v)
{
	v->events &= ~VLAPIC_EV_SIPI;
	if (v->state != VCPU_WAIT_SIPI)
		return 0;
	v->state = VCPU_RUNNABLE;
	return vmx_vcpu_set_reset_state(v, true, v->sipi_vector);
}

void inject_note_nmi_blocking(struct vcpu *v)
{
	if (!(vmcs_read(VMCS_GUEST_INTERRUPTIBILITY) & INTERRUPTIBILITY_NMI))
		v->nmi_delivered = false;
}

/*
 * Virtual-NMI blocking that tern did not cause: Bochs 2.7's VM entry masks
 * virtual NMIs when the VMCS says "blocked by NMI" but never unmasks them,
 * so after a VMCS switch one vCPU's blocking leaks into the next one's,
 * which saves it at its exit and would wait for an NMI window forever. On
 * hardware the bit is set only by an NMI tern delivered, whose IRET clears
 * it: with none outstanding (nmi_delivered), a set bit is the leak.
 */
static void drop_leaked_nmi_blocking(struct vcpu *v)
{
	u64 intr = vmcs_read(VMCS_GUEST_INTERRUPTIBILITY);

	if (!(intr & INTERRUPTIBILITY_NMI))
		v->nmi_delivered = false;
	else if (!v->nmi_delivered)
		vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, intr & ~(u64)INTERRUPTIBILITY_NMI);
}

static void inject_nmi(struct vcpu *v, bool *busy)
{
	bool vnmi = vmx_caps.pin & PIN_VIRTUAL_NMIS;

	if (vnmi)
		drop_leaked_nmi_blocking(v);
	if (!*busy && nmi_allowed()) {
		queue_event(INTR_TYPE_NMI, EXC_NMI);
		v->nmi_delivered = true;
		v->events &= ~VLAPIC_EV_NMI;
		if (vnmi)
			proc_control(PROC_NMI_WINDOW_EXITING, false);
		*busy = true;
		return;
	}
	/* without virtual NMIs there is no NMI window: poll at the interrupt window */
	if (vnmi)
		proc_control(PROC_NMI_WINDOW_EXITING, true);
	else
		proc_control(PROC_INTR_WINDOW_EXITING, true);
}

/* The vPIC's INTR (or an ExtINT message) reaches the vCPU. */
static bool extint_pending(struct vcpu *v)
{
	struct vm *vm = v->vm;

	return vlapic_accepts_extint(vm, v->id) &&
	       ((v->events & VLAPIC_EV_EXTINT) || vpic_intr_pending(vm));
}

/* The vector to inject next: the vLAPIC's (not with APIC virtualization), else the vPIC's ExtINT (-2), else -1. */
static int pending_intr(struct vcpu *v)
{
	int vec = v->apicv ? -1 : vlapic_pending_vector(v->vm, v->id);

	if (vec >= 0)
		return vec;
	return extint_pending(v) ? -2 : -1;
}

/*
 * Not able to inject vec (-2: the vPIC's, vector unknown) now: exit at the
 * interrupt window.
 */
static void wait_window(struct vcpu *v, int vec)
{
	TRACE(TR_INJECT, v->vm, v->id, vec < 0 ? TRACE_NO_VECTOR : vec, TRACE_INJECT_WINDOW, 0, 0);
	proc_control(PROC_INTR_WINDOW_EXITING, true);
}

/*
 * The vLAPIC's highest deliverable vector without APIC virtualization,
 * taken in the same call when the guest can take it. False when there is
 * none. After one of its vectors the vLAPIC has no other one to deliver
 * (in service, it lifts PPR to its own class, above everything left in
 * IRR): only the vPIC may need the window then.
 */
static bool inject_lapic_vector(struct vcpu *v, bool busy, bool nmi_poll)
{
	bool allowed = !busy && intr_allowed();
	int vec = vlapic_take_vector(v->vm, v->id, allowed);

	if (vec < 0)
		return false;
	if (!allowed) {
		wait_window(v, vec);
		return true;
	}
	queue_event(INTR_TYPE_EXTERNAL, (unsigned)vec);
	TRACE(TR_INJECT, v->vm, v->id, vec, TRACE_INJECT_ENTRY, 0, 0);
	proc_control(PROC_INTR_WINDOW_EXITING, nmi_poll || extint_pending(v));
	return true;
}

/*
 * External interrupts: the vLAPIC's (without APIC virtualization, which
 * delivers them itself), else the vPIC's ExtINT; injected now, or the
 * interrupt window requested.
 */
static void inject_intr(struct vcpu *v, bool busy)
{
	bool nmi_poll = (v->events & VLAPIC_EV_NMI) && !(vmx_caps.pin & PIN_VIRTUAL_NMIS);
	int vec;

	if (!v->apicv && inject_lapic_vector(v, busy, nmi_poll))
		return;
	if (!extint_pending(v)) {
		proc_control(PROC_INTR_WINDOW_EXITING, nmi_poll);
		return;
	}
	if (busy || !intr_allowed()) {
		wait_window(v, -2);
		return;
	}
	v->events &= ~VLAPIC_EV_EXTINT;
	vec = vpic_intr_ack(v->vm);
	if (vec < 0)
		return;
	queue_event(INTR_TYPE_EXTERNAL, (unsigned)vec);
	TRACE(TR_INJECT, v->vm, v->id, vec, TRACE_INJECT_EXTINT, 0, 0);
	/* another one may be waiting behind it, in the vPIC or the vLAPIC */
	proc_control(PROC_INTR_WINDOW_EXITING, nmi_poll || pending_intr(v) != -1);
}

static u64 earlier(u64 a, u64 b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	return MIN(a, b);
}

void inject_arm_deadline(struct vcpu *v)
{
	u64 now = rdtsc(), ticks = ~0ull;

	if (v->deadline)
		ticks = v->deadline > now ? v->deadline - now : 0;
	if (v->kick_backstop && !(vmcs_read(VMCS_GUEST_RFLAGS) & RFLAGS_IF))
		ticks = MIN(ticks, v->kick_backstop);
	ticks >>= vmx_caps.preempt_rate;
	vmcs_write(VMCS_PREEMPTION_TIMER, MIN(ticks, PREEMPT_TIMER_MAX));
}

/*
 * Nearest deadline the vCPU's preemption timer must catch: the timers its
 * CPU is on duty for (kernel/sched.h: the vLAPIC timers of the vCPUs it
 * hosts, a halted sibling's included, the PIT and the RTC) and the end of
 * the slice. Recomputed only when a timer moved (vm->timer_gen) or a new
 * slice began; the entry path arms the preemption timer from it.
 */
static void deadline_recompute(struct vcpu *v, u32 gen)
{
	struct vm *vm = v->vm;
	u64 d;
	bool want;

	v->timer_gen = gen;
	v->deadline_stale = false;
	d = earlier(sched_timer_deadline(vm, v->home_cpu), v->slice_end);
	want = (d || v->kick_backstop) && vmx_caps.preemption_timer;
	v->deadline = want ? d : 0;
	if (want != v->preempt_armed) {
		vmcs_write(VMCS_PIN_CONTROLS, vmx_caps.pin | (want ? PIN_PREEMPTION_TIMER : 0));
		v->preempt_armed = want;
	}
}

/* The check inline (every kick makes it), the recompute out of line. */
static ALWAYS_INLINE void deadline_update(struct vcpu *v)
{
	u32 gen = __atomic_load_n(&v->vm->timer_gen, __ATOMIC_ACQUIRE);

	if (gen != v->timer_gen || v->deadline_stale)
		deadline_recompute(v, gen);
}

void inject_timers_changed(struct vcpu *v)
{
	vm_timers_changed(v->vm);
	deadline_update(v);
}

void inject_lapic_timer_set(struct vcpu *v, u64 deadline)
{
	if (!deadline || (v->deadline && v->deadline <= deadline) || !vmx_caps.preemption_timer)
		return;
	v->deadline = deadline;
	if (!v->preempt_armed) {
		vmcs_write(VMCS_PIN_CONTROLS, vmx_caps.pin | PIN_PREEMPTION_TIMER);
		v->preempt_armed = true;
	}
}

void inject_check_timers(struct vm *vm, u64 now)
{
	bool fired = false;
	u64 d;

	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		d = vlapic_timer_deadline(vm, i);
		if (d && d <= now) {
			vlapic_timer_check(vm, i, now);
			fired = true;
		}
	}
	d = pit_next_deadline(vm);
	if (d && d <= now) {
		pit_check(vm, now);
		fired = true;
	}
	d = rtc_next_deadline(vm);
	if (d && d <= now) {
		rtc_check(vm, now);
		fired = true;
	}
	if (fired)
		vm_timers_changed(vm);
}

int inject_pending_events(struct vcpu *v)
{
	bool busy;
	int rc;

	/*
	 * The kick is consumed here, whoever calls: a stop request or a woken
	 * sibling behind it must not be lost with it (the exchange orders the
	 * clear before the two loads; kickers store those first).
	 */
	(void)atomic_xchg(&v->kicked, false);
	if (unlikely(vm_exit_requested(v->vm) || READ_ONCE(this_cpu()->resched))) {
		store_release(&v->kicked, true);   /* not acted on: the next entry looks again */
		return VMX_RUN_YIELD;
	}
	vcpu_collect_events(v);
	if (unlikely(v->events & VLAPIC_EV_INIT)) {
		rc = act_on_init(v);
		if (rc)
			return rc;
	}
	if (unlikely(v->events & VLAPIC_EV_SIPI)) {
		rc = act_on_sipi(v);
		if (rc)
			return rc;
	}
	busy = inject_reinject_vectoring(v);
	if (v->events & VLAPIC_EV_NMI)
		inject_nmi(v, &busy);
	if (v->apicv)
		apicv_sync(v);   /* the CPU delivers the vLAPIC's vectors itself */
	inject_intr(v, busy);
	deadline_update(v);
	return 0;
}
