/* SPDX-License-Identifier: MIT */
/* vCPU objects: creation, halting and waking (vcpu_kick of irq/irq.h). */
#include "arch/x86/apicv.h"
#include "arch/x86/ipi.h"
#include "arch/x86/vmx.h"
#include "kernel/lib/atomic.h"
#include "irq/vlapic.h"
#include "irq/vpic.h"
#include "kernel/io.h"
#include "kernel/lib/string.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/percpu.h"
#include "kernel/vm_impl.h"
#include "kernel/trace.h"

struct vcpu *vcpu_create(struct vm *vm, unsigned id)
{
	struct vcpu *v = kzalloc(sizeof(*v));

	if (!v) {
		pr_err("vm%u: out of memory for vCPU %u", vm->id, id);
		return NULL;
	}
	v->vm = vm;
	v->id = id;
	v->cpu = -1;
	v->state = VCPU_RUNNABLE;
	v->io_pio = &io_range_none;
	v->io_mmio = &io_range_none;
	if (vmx_vcpu_init(v)) {
		pr_err("vm%u: VMX setup of vCPU %u failed", vm->id, id);
		kfree(v);
		return NULL;
	}
	return v;
}

int vcpu_reset(struct vcpu *v)
{
	int rc = vmx_vcpu_reset(v);

	if (rc)
		return rc;
	memset(v->gpr, 0, sizeof(v->gpr));
	v->state = VCPU_RUNNABLE;   /* the loader puts the APs into wait-for-SIPI */
	WRITE_ONCE(v->kicked, false);
	v->events = 0;
	v->sipi_vector = 0;
	v->lvtt_shadow = 0;
	v->deadline = 0;
	v->timer_gen = 0;
	v->deadline_stale = true;
	v->slice_end = 0;
	v->cr8 = 0;
	v->pending_exception = 0;
	v->pending_error_code = 0;
	v->halt_if = false;
	v->nmi_delivered = false;
	v->console_wait = false;
	v->io_pio = &io_range_none;   /* the VM's I/O maps were rebuilt */
	v->io_mmio = &io_range_none;
	return 0;
}

void vcpu_destroy(struct vcpu *v)
{
	if (!v)
		return;
	vmx_vcpu_destroy(v);
	kfree(v);
}

void vcpu_halt(struct vcpu *v, bool if_set)
{
	v->halt_if = if_set;
	v->state = VCPU_HALTED;
}

void vcpu_console_wait(struct vcpu *v)
{
	v->console_wait = true;
	WRITE_ONCE(v->kicked, true);   /* the exit path looks at kicked only */
}

/* Move the vLAPIC's NMI/INIT/SIPI/ExtINT events into v->events (kept until acted on). */
void vcpu_collect_events(struct vcpu *v)
{
	u8 sipi = 0;
	unsigned ev = vlapic_take_events(v->vm, v->id, &sipi);

	if (ev & VLAPIC_EV_SIPI)
		v->sipi_vector = sipi;
	v->events |= ev;
}

bool vcpu_has_pending_event(struct vcpu *v)
{
	struct vm *vm = v->vm;

	vcpu_collect_events(v);
	if (v->state == VCPU_WAIT_SIPI)
		return v->events & (VLAPIC_EV_SIPI | VLAPIC_EV_INIT);
	if (v->events & (VLAPIC_EV_NMI | VLAPIC_EV_INIT | VLAPIC_EV_SIPI))
		return true;
	if (!v->halt_if)
		return false;
	if (vlapic_pending_vector(vm, v->id) >= 0)
		return true;
	return vlapic_accepts_extint(vm, v->id) &&
	       ((v->events & VLAPIC_EV_EXTINT) || vpic_intr_pending(vm));
}

/*
 * A kick marks the vCPU for re-evaluation before its next entry. When it
 * sleeps, its CPU must pick it up: that CPU's running vCPU is asked to
 * yield. A CPU other than ours gets a host IPI, which ends its `hlt` or
 * forces a VM exit (external-interrupt exiting); sent always, since the
 * target may be between its last check and VM entry (the IPI then waits
 * in its LAPIC and exits the guest at once).
 */
void vcpu_kick(struct vm *vm, unsigned vcpu_id)
{
	struct vcpu *t;
	unsigned cpu;
	bool asleep;

	if (vcpu_id >= vm->nr_vcpus || !vm->vcpus[vcpu_id])
		return;
	t = vm->vcpus[vcpu_id];
	cpu = t->home_cpu;
	store_release(&t->kicked, true);
	asleep = READ_ONCE(t->state) != VCPU_RUNNABLE;
	TRACE(TR_KICK, vm, vcpu_id, asleep, cpu, 0, 0);
	if (asleep) {
		struct vcpu *cur = READ_ONCE(pcpus[cpu].current_vcpu);

		WRITE_ONCE(pcpus[cpu].resched, true);
		if (cur && cur != t)   /* its exit path looks at kicked only */
			store_release(&cur->kicked, true);
	}
	if (cpu != this_cpu()->id)
		smp_kick(cpu);
}

/*
 * The fast path of an interrupt: with virtual-interrupt delivery a new
 * IRR bit needs nothing but RVI, and when this CPU holds the vCPU's VMCS
 * (it is handling the vCPU's exit, or the vCPU is between runs here) and
 * the vCPU is running, RVI is written here and now: no kick, no
 * re-evaluation of every event source before the entry. Everything else
 * (another CPU's vCPU, a halted one, injection without APICv) is a kick.
 */
void vcpu_kick_irr(struct vm *vm, unsigned vcpu_id, u8 vector)
{
	struct vcpu *t = vcpu_id < vm->nr_vcpus ? vm->vcpus[vcpu_id] : NULL;

	if (t && t->apicv && t == this_cpu()->current_vcpu &&
	    READ_ONCE(t->state) == VCPU_RUNNABLE) {
		apicv_raise_rvi(t, vector);
		return;
	}
	vcpu_kick(vm, vcpu_id);
}
