/* SPDX-License-Identifier: MIT */
/* vCPU objects: creation, halting and waking (vcpu_kick of irq/irq.h). */
#include "arch/x86/vmx.h"
#include "kernel/lib/atomic.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/vm_impl.h"

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
	if (vmx_vcpu_init(v)) {
		pr_err("vm%u: VMX setup of vCPU %u failed", vm->id, id);
		kfree(v);
		return NULL;
	}
	return v;
}

void vcpu_destroy(struct vcpu *v)
{
	if (!v)
		return;
	vmx_vcpu_destroy(v);
	kfree(v);
}

void vcpu_halt(struct vcpu *v)
{
	WRITE_ONCE(v->wake, false);
	v->state = VCPU_HALTED;
}

bool vcpu_has_pending_event(struct vcpu *v)
{
	return READ_ONCE(v->wake);
}

/*
 * One physical CPU runs every vCPU for now, so a kick only has to mark the
 * vCPU awake; the scheduler sees it at its next pass.
 */
void vcpu_kick(struct vm *vm, unsigned vcpu_id)
{
	if (vcpu_id >= vm->nr_vcpus)
		return;
	store_release(&vm->vcpus[vcpu_id]->wake, true);
}
