/* SPDX-License-Identifier: MIT */
/*
 * vmm_main(): VMX on, the configured VMs created and run, the final status
 * line, power-off. One physical CPU for now: a round robin over runnable
 * vCPUs on the BSP, switching at exits (the VMX preemption timer ends a
 * slice when more than one vCPU is runnable).
 */
#include "arch/x86/x86.h"
#include "arch/x86/apicv.h"
#include "arch/x86/inject.h"
#include "arch/x86/vmx.h"
#include "drivers/pit.h"
#include "drivers/rtc.h"
#include "irq/routing.h"
#include "irq/vioapic.h"
#include "irq/vlapic.h"
#include "irq/vpic.h"
#include "kernel/clock.h"
#include "kernel/config.h"
#include "kernel/lib/atomic.h"
#include "kernel/lib/format.h"
#include "kernel/log.h"
#include "kernel/percpu.h"
#include "kernel/rcu.h"
#include "kernel/vm_dump.h"
#include "kernel/vm_impl.h"
#include "kernel/console_input.h"
#include "kernel/stats.h"
#include "kernel/trace.h"

#define VMM_TIMESLICE_TICKS 2000000ull   /* TSC ticks per slice when vCPUs share the CPU */
#define VMM_MIN_SLICE_TICKS 20000ull     /* shortest slice when another VM's timer is near */
#define EXIT_LINE_MAX       (16 + CONFIG_MAX_VMS * 16)

/* The host's legacy 8259s: tern uses none of their interrupts. */
#define HOST_PIC_MASTER_DATA 0x21
#define HOST_PIC_SLAVE_DATA  0xa1
#define HOST_PIC_MASK_ALL    0xff

static struct vm *vms[CONFIG_MAX_VMS];
static int status[CONFIG_MAX_VMS];
static bool irqdump;

/* The irqdump option: routing, doorbells, vPIC and vIOAPIC state of a VM. */
static void irq_dump_vm(struct vm *vm, const char *when)
{
	pr_info("vm%u: interrupt state at %s", vm->id, when);
	vm_dump_irq_state(vm);
}

static void no_vmx(void)
{
	pr_err("no VMX on this CPU: use an Intel host with nested KVM (make run EMU=qemu) or "
	       "Bochs (make run EMU=bochs)");
	pr_info("exit:");   /* the console protocol's last line: no VM ran */
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
		if (irqdump)
			irq_dump_vm(vms[i], "start");
	}
}

/* Runnable, or halted / waiting for SIPI with an event that ends the wait. */
static bool vcpu_ready(struct vcpu *v)
{
	if (v->state == VCPU_RUNNABLE)
		return true;
	if ((v->state != VCPU_HALTED && v->state != VCPU_WAIT_SIPI) || !READ_ONCE(v->kicked))
		return false;
	if (!vcpu_has_pending_event(v)) {
		WRITE_ONCE(v->kicked, false);   /* the next event kicks again */
		return false;
	}
	if (v->state == VCPU_HALTED)
		v->state = VCPU_RUNNABLE;
	return true;   /* a SIPI is acted on by inject_pending_events() */
}

static u64 earlier(u64 a, u64 b)
{
	return !a ? b : !b ? a : MIN(a, b);
}

/* Expired timers of every VM raise their interrupts. */
static void poll_timers(unsigned nr_vms, u64 now)
{
	for (unsigned i = 0; i < nr_vms; i++)
		if (vms[i] && !vms[i]->ended)
			inject_check_timers(vms[i], now);
}

/* Nearest timer deadline of a VM: vLAPIC timers, PIT, RTC; 0 none. */
static u64 vm_next_deadline(struct vm *vm)
{
	u64 d = earlier(pit_next_deadline(vm), rtc_next_deadline(vm));

	for (unsigned j = 0; j < vm->nr_vcpus; j++)
		d = earlier(d, vlapic_timer_deadline(vm, j));
	return d;
}

/* vCPUs of VMs still running, ready or not. */
static unsigned count_live(unsigned nr_vms)
{
	unsigned n = 0;

	for (unsigned i = 0; i < nr_vms; i++)
		if (vms[i] && !vms[i]->ended)
			n += vms[i]->nr_vcpus;
	return n;
}

/*
 * The slice of one run of a vCPU of vm: none when it is the only live vCPU;
 * else VMM_TIMESLICE_TICKS, cut short at the nearest timer of another VM
 * (the run's own VM's timers bound it already). Computed per run: a vCPU
 * woken during a pass, or beside halted ones, must never run unbounded, or
 * one that never exits keeps the CPU from every other VM (docs/security.md).
 */
static u64 run_slice(unsigned nr_vms, const struct vm *vm, unsigned live)
{
	u64 now = clock_now(), next = 0, slice = VMM_TIMESLICE_TICKS;

	if (live <= 1)
		return 0;
	for (unsigned i = 0; i < nr_vms; i++)
		if (vms[i] && vms[i] != vm && !vms[i]->ended)
			next = earlier(next, vm_next_deadline(vms[i]));
	if (next)
		slice = MIN(slice, next > now + VMM_MIN_SLICE_TICKS ? next - now : VMM_MIN_SLICE_TICKS);
	return slice;
}

/*
 * No vCPU can run: wait for the nearest timer (under Bochs the TSC is
 * deterministic, so a plain loop on it is exact). A VM with nothing that
 * could ever wake it is stopped.
 */
static void idle(unsigned nr_vms)
{
	u64 next = 0;

	for (unsigned i = 0; i < nr_vms; i++) {
		u64 d;

		if (!vms[i] || vms[i]->ended || vm_exit_requested(vms[i]))
			continue;
		d = vm_next_deadline(vms[i]);
		if (!d)
			vm_stop_error(vms[i], "every vCPU is halted and nothing can wake them");
		next = earlier(next, d);
	}
	while (next && clock_now() < next) {
		if (console_input_poll())
			break;   /* the monitor stopped the VMs */
		rcu_quiescent(this_cpu()->id);   /* a root-mode wait must not stall writers */
		__asm__ __volatile__("pause");
	}
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
	if (irqdump)
		irq_dump_vm(vms[i], "end");
	if (stats_enabled())
		stats_print_vm(vms[i]);
	vm_end(vms[i]);
	status[i] = vms[i]->exit_status;
	if (vms[i]->exit_status == 0)
		pr_debug("vm%u: ended", i);
}

/* One pass over every vCPU; returns false when no VM is left. */
static bool schedule_pass(unsigned nr_vms)
{
	unsigned live;
	bool alive = false;

	WRITE_ONCE(vcpu_resched, false);
	console_input_poll();
	poll_timers(nr_vms, clock_now());
	if (!count_ready(nr_vms))
		idle(nr_vms);
	live = count_live(nr_vms);

	for (unsigned i = 0; i < nr_vms; i++) {
		struct vm *vm = vms[i];

		if (!vm || vm->ended)
			continue;
		for (unsigned j = 0; j < vm->nr_vcpus && !vm_exit_requested(vm); j++)
			if (vcpu_ready(vm->vcpus[j]))
				vmx_vcpu_run(vm->vcpus[j], run_slice(nr_vms, vm, live));
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

	if (trace_configured())
		trace_dump();
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
	irqdump = cfg->irqdump;
	apicv_set_allowed(!cfg->apicv_off);
	if (cfg->nr_vms == 0)
		pr_warn("no vm= on the command line: nothing to run");
	if (cfg->stats)
		stats_enable();
	if (trace_setup(cfg->trace))
		pr_warn("trace=%s: no memory for the trace; tracing off", cfg->trace);
	create_vms(bi, cfg);
	console_input_attach(vms, cfg->nr_vms);
	while (schedule_pass(cfg->nr_vms))
		;
	finish(cfg->nr_vms);
}
