/* SPDX-License-Identifier: MIT */
/*
 * Which physical CPU runs which vCPU, and the loop each CPU runs.
 *
 * Placement is static: every vCPU has a home CPU for its whole life (its
 * VMCS stays there, so no VMCLEAR/VMPTRLD migration). A CPU with one vCPU
 * runs it without a time slice; a CPU with several time-shares them with
 * the VMX-preemption timer. A CPU with nothing ready halts (`hlt`) with
 * its LAPIC timer set to the nearest guest timer it is on duty for; a
 * kick from another CPU is a host IPI, which ends that `hlt` or forces a
 * VM exit.
 *
 * Timer duty: a CPU keeps the vLAPIC timers of the vCPUs it hosts, and the
 * PIT and RTC of every VM with a vCPU on it (whichever CPU's vCPU
 * reprograms them then sees the new deadline at once, without an IPI).
 */
#ifndef TERN_SCHED_H
#define TERN_SCHED_H

#include "kernel/config.h"
#include "kernel/lib/types.h"

struct vm;
struct vcpu;

/*
 * Place every vCPU of vms[0..nr) (NULL entries skipped) on a CPU: the
 * VM's pin= list where given, else the least loaded CPU, lowest id first.
 * Called once on the boot CPU after the VMs are created (their VMCSs are
 * still current there: those of vCPUs placed elsewhere are released).
 * Returns 0 or -TERN_ENOMEM (logged).
 */
int sched_setup(struct vm *const *vms, const struct tern_config *cfg, unsigned nr);

/*
 * Start the loop on every other CPU that has vCPUs, then run it on the
 * boot CPU, which also polls console input and calls vmm_all_ended()
 * once every VM has ended. Never returns.
 */
__noreturn void sched_run(void);

/*
 * Nearest deadline (absolute TSC, 0 none) among vm's timers that cpu is
 * on duty for: its vCPUs' vLAPIC timers, the PIT and the RTC.
 */
u64 sched_timer_deadline(struct vm *vm, unsigned cpu);

/*
 * True when every vCPU of vm is halted or waiting for SIPI with no event
 * posted, none of its timers is armed, and no other VM may ring it (or
 * only VMs that sleep the same way: intervm_may_be_rung()): no event can
 * ever come. Racy by design (other CPUs' vCPUs are read without a lock):
 * only a vCPU's own CPU clears its kicked flag, and only after finding no
 * event, so a true answer is stable.
 */
bool sched_vm_asleep_forever(struct vm *vm);

/*
 * Called by the loop of the CPU that parks the last vCPU of a VM whose
 * exit was requested (kernel/vmm.c): statistics, dumps, status.
 */
void vmm_vm_ended(struct vm *vm);

/*
 * On the boot CPU, in its loop: rebuild and restart every VM whose reset
 * parked all its vCPUs (struct vm reboot_ready); a VM that cannot be
 * rebuilt ends with status 255.
 */
void vmm_reboot_ready_vms(void);

/* True when every VM has ended; then vmm_all_ended() prints and powers off. */
bool vmm_all_done(void);
__noreturn void vmm_all_ended(void);

#endif
