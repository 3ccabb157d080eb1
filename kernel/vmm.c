/* SPDX-License-Identifier: MIT */
/*
 * vmm_main(): VMX on every CPU, the configured VMs created, their vCPUs
 * placed and run (kernel/sched.c), each VM's end reported, the final status
 * line, power-off.
 */
#include "arch/x86/apicv.h"
#include "arch/x86/ipi.h"
#include "arch/x86/smp.h"
#include "arch/x86/vmx.h"
#include "arch/x86/x86.h"
#include "kernel/config.h"
#include "kernel/console_input.h"
#include "kernel/lib/atomic.h"
#include "kernel/lib/format.h"
#include "kernel/lib/spinlock.h"
#include "kernel/log.h"
#include "kernel/percpu.h"
#include "kernel/rcu.h"
#include "kernel/sched.h"
#include "kernel/stats.h"
#include "kernel/trace.h"
#include "kernel/vm_dump.h"
#include "kernel/vm_impl.h"

#define EXIT_LINE_MAX       (16 + CONFIG_MAX_VMS * 16)

/* The host's legacy 8259s: tern uses none of their interrupts. */
#define HOST_PIC_MASTER_DATA 0x21
#define HOST_PIC_SLAVE_DATA  0xa1
#define HOST_PIC_MASK_ALL    0xff

static struct vm *vms[CONFIG_MAX_VMS];
static unsigned nr_vms;
static int status[CONFIG_MAX_VMS];
static bool irqdump;
static const struct tern_config *config;   /* what a reboot rebuilds a VM from */
static const struct boot_info *boot;
static spinlock_t end_lock = SPINLOCK_INIT;

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

/* The VM's end (on the CPU that parked its last vCPU): dumps, statistics, status. */
void vmm_vm_ended(struct vm *vm)
{
	spin_lock(&end_lock);   /* the reports use shared scratch, and must not interleave */
	if (irqdump)
		irq_dump_vm(vm, "end");
	if (stats_enabled())
		stats_print_vm(vm);
	vm_end(vm);
	status[vm->id] = vm->exit_status;
	if (vm->exit_status == 0)
		pr_debug("vm%u: ended", vm->id);
	spin_unlock(&end_lock);
}

/* A reboot that failed midway: the VM is half rebuilt, so it ends without the dumps. */
static void end_failed_reboot(struct vm *vm)
{
	spin_lock(&end_lock);
	vm->exit_status = VM_STATUS_ERROR;
	vm_end(vm);
	status[vm->id] = VM_STATUS_ERROR;
	spin_unlock(&end_lock);
}

void vmm_reboot_ready_vms(void)
{
	for (unsigned i = 0; i < nr_vms; i++) {
		struct vm *vm = vms[i];

		if (!vm || !load_acquire(&vm->reboot_ready))
			continue;
		vm->reboot_ready = false;
		vm->reboots++;
		if (vm_reboot(vm, &config->vms[i], boot))
			end_failed_reboot(vm);
		else
			vm_restart(vm);
	}
}

bool vmm_all_done(void)
{
	for (unsigned i = 0; i < nr_vms; i++)
		if (vms[i] && !load_acquire(&vms[i]->ended))
			return false;
	return true;
}

__noreturn void vmm_all_ended(void)
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

/* VMX on one CPU (smp_call): its result in results[cpu]. */
static void vmx_on_cpu(void *results)
{
	((int *)results)[this_cpu()->id] = vmx_cpu_init();
}

/*
 * VMX root operation on every CPU, the boot CPU first (it reads the
 * capabilities the others then check against): the boot CPU's result. An
 * AP that fails is left out of vCPU placement (kernel/sched.c looks at
 * pcpu.vmx).
 */
static int vmx_on_all(void)
{
	int results[PCPU_MAX] = { 0 };

	vmx_on_cpu(results);
	if (results[0])
		return results[0];
	for (unsigned cpu = 1; cpu < smp_nr_cpus(); cpu++) {
		if (smp_call(cpu, vmx_on_cpu, results, true))
			results[cpu] = -TERN_EIO;
		if (results[cpu])
			pr_warn("cpu%u: no VMX (error %d): it runs no vCPU", cpu, results[cpu]);
	}
	return 0;
}

__noreturn void vmm_main(const struct boot_info *bi, const struct tern_config *cfg)
{
	int rc = vmx_on_all();

	nr_vms = cfg->nr_vms;
	if (rc == -TERN_ENODEV)
		no_vmx();
	if (rc) {
		/* the reason is logged; no VM can run, and the runner wants a status */
		for (unsigned i = 0; i < cfg->nr_vms; i++)
			status[i] = VM_STATUS_ERROR;
		vmm_all_ended();
	}
	rcu_cpu_online(rcu_this_cpu());
	outb(HOST_PIC_MASTER_DATA, HOST_PIC_MASK_ALL);
	outb(HOST_PIC_SLAVE_DATA, HOST_PIC_MASK_ALL);
	irqdump = cfg->irqdump;
	config = cfg;
	boot = bi;
	apicv_set_allowed(!cfg->apicv_off);
	if (cfg->nr_vms == 0)
		pr_warn("no vm= on the command line: nothing to run");
	if (cfg->stats)
		stats_enable();
	if (trace_setup(cfg->trace))
		pr_warn("trace=%s: no memory for the trace; tracing off", cfg->trace);
	create_vms(bi, cfg);
	console_input_attach(vms, cfg->nr_vms);
	if (sched_setup(vms, cfg, cfg->nr_vms)) {
		for (unsigned i = 0; i < cfg->nr_vms; i++)
			status[i] = VM_STATUS_ERROR;
		vmm_all_ended();
	}
	sched_run();
}
