/* SPDX-License-Identifier: MIT */
/*
 * vmm_main(): VMX on, the configured VMs created and run, the final status
 * line, power-off. One physical CPU for now: a round robin over runnable
 * vCPUs on the BSP, switching at exits (the VMX preemption timer ends a
 * slice when more than one vCPU is runnable).
 */
#include "arch/x86/vmx.h"
#include "arch/x86/x86.h"
#include "kernel/config.h"
#include "kernel/lib/format.h"
#include "kernel/log.h"
#include "kernel/rcu.h"
#include "kernel/vm_impl.h"

#define VMM_TIMESLICE_TICKS 2000000ull   /* TSC ticks per slice when vCPUs share the CPU */
#define EXIT_LINE_MAX       (16 + CONFIG_MAX_VMS * 16)

/* The host's legacy 8259s: tern uses none of their interrupts. */
#define HOST_PIC_MASTER_DATA 0x21
#define HOST_PIC_SLAVE_DATA  0xa1
#define HOST_PIC_MASK_ALL    0xff

static struct vm *vms[CONFIG_MAX_VMS];
static int status[CONFIG_MAX_VMS];

static void no_vmx(void)
{
	pr_err("no VMX on this CPU: use an Intel host with nested KVM (make run EMU=qemu) or "
	       "Bochs (make run EMU=bochs)");
	machine_poweroff();
}

static void create_vms(const struct boot_info *bi, const struct tern_config *cfg)
{
	for (unsigned i = 0; i < cfg->nr_vms; i++) {
		const struct vm_config *c = &cfg->vms[i];

		vms[i] = vm_create(i, c, bi, cfg->nr_vms > 1);
		if (!vms[i]) {
			status[i] = VM_STATUS_ERROR;
			continue;
		}
		pr_info("vm%u: %s, %llu MiB, %u vCPU%s", i, c->kernel,
			(unsigned long long)(vms[i]->ram_size / MiB), vms[i]->nr_vcpus,
			vms[i]->nr_vcpus == 1 ? "" : "s");
	}
}

static bool vcpu_ready(struct vcpu *v)
{
	if (v->state == VCPU_HALTED && vcpu_has_pending_event(v))
		v->state = VCPU_RUNNABLE;
	return v->state == VCPU_RUNNABLE;
}

static unsigned count_ready(unsigned nr_vms)
{
	unsigned n = 0;

	for (unsigned i = 0; i < nr_vms; i++)
		for (unsigned j = 0; vms[i] && !vms[i]->ended && j < vms[i]->nr_vcpus; j++)
			n += vcpu_ready(vms[i]->vcpus[j]);
	return n;
}

static void end_vm(unsigned i)
{
	vm_end(vms[i]);
	status[i] = vms[i]->exit_status;
	if (vms[i]->exit_status == 0)
		pr_debug("vm%u: ended", i);
}

/* One pass over every vCPU; returns false when no VM is left. */
static bool schedule_pass(unsigned nr_vms)
{
	u64 slice = count_ready(nr_vms) > 1 ? VMM_TIMESLICE_TICKS : 0;
	bool alive = false;

	for (unsigned i = 0; i < nr_vms; i++) {
		struct vm *vm = vms[i];

		if (!vm || vm->ended)
			continue;
		for (unsigned j = 0; j < vm->nr_vcpus && !vm_exit_requested(vm); j++)
			if (vcpu_ready(vm->vcpus[j]))
				vmx_vcpu_run(vm->vcpus[j], slice);
		if (vm_exit_requested(vm))
			end_vm(i);
		else
			alive = true;
	}
	rcu_quiescent(rcu_this_cpu());
	return alive;
}

static __noreturn void finish(unsigned nr_vms)
{
	char line[EXIT_LINE_MAX];
	int n = fmt_snprintf(line, sizeof(line), "exit:");

	for (unsigned i = 0; i < nr_vms && n < (int)sizeof(line); i++)
		n += fmt_snprintf(line + n, sizeof(line) - n, " vm%u=%d", i, status[i]);
	pr_info("%s", line);
	machine_poweroff();
}

__noreturn void vmm_main(const struct boot_info *bi, const struct tern_config *cfg)
{
	int rc = vmx_cpu_init();

	if (rc == -TERN_ENODEV)
		no_vmx();
	if (rc) {
		/* the reason is logged; no VM can run, and the runner wants a status */
		for (unsigned i = 0; i < cfg->nr_vms; i++)
			status[i] = VM_STATUS_ERROR;
		finish(cfg->nr_vms);
	}
	rcu_cpu_online(rcu_this_cpu());
	outb(HOST_PIC_MASTER_DATA, HOST_PIC_MASK_ALL);
	outb(HOST_PIC_SLAVE_DATA, HOST_PIC_MASK_ALL);
	if (cfg->nr_vms == 0)
		pr_warn("no vm= on the command line: nothing to run");
	create_vms(bi, cfg);
	while (schedule_pass(cfg->nr_vms))
		;
	finish(cfg->nr_vms);
}
