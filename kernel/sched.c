/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU run queues and the loop every CPU runs (kernel/sched.h). A run
 * queue is fixed at set-up and touched only by its own CPU, so it needs no
 * lock; what other CPUs do to its vCPUs goes through their kicked flags,
 * this CPU's resched flag and a host IPI (vcpu_kick()).
 */
#include "kernel/sched.h"
#include "arch/x86/idt.h"
#include "arch/x86/inject.h"
#include "arch/x86/ipi.h"
#include "arch/x86/smp.h"
#include "arch/x86/vmx.h"
#include "arch/x86/x86.h"
#include "drivers/lapic_host.h"
#include "drivers/pit.h"
#include "drivers/rtc.h"
#include "irq/vlapic.h"
#include "kernel/clock.h"
#include "kernel/console.h"
#include "kernel/console_input.h"
#include "kernel/intervm.h"
#include "kernel/lib/atomic.h"
#include "kernel/lib/format.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/percpu.h"
#include "kernel/rcu.h"
#include "kernel/smp_idle.h"
#include "kernel/vm_impl.h"
#include "kernel/vm_registry.h"

#define TIMESLICE_TICKS    2000000ull   /* TSC ticks per slice when vCPUs share a CPU */
#define MIN_SLICE_TICKS    20000ull     /* shortest slice when another VM's timer is near */
#define CONSOLE_POLL_US    1000         /* console input is looked at, and output sent, this often */
/*
 * With a vCPU waiting for the console, output is sent this often: a bit
 * more than a third of the time the UART's 16-byte FIFO takes at 115200
 * baud (1.39 ms), so the line stays nearly busy.
 */
#define CONSOLE_DRAIN_US   500
#define KICK_BACKSTOP_US   1000         /* struct vcpu's kick_backstop on SMP hosts */
#define US_PER_MS          1000
#define PLACEMENT_LINE     160

struct run_queue {
	struct vcpu **vcpus;   /* the vCPUs this CPU runs, in VM order */
	struct vm **vms;       /* the distinct VMs among them */
	unsigned nr;
	unsigned nr_vms;
};

static struct run_queue rqs[PCPU_MAX];
static unsigned nr_cpus;
static u64 console_poll_ticks;
static u64 console_drain_ticks;

static u64 earlier(u64 a, u64 b)
{
	return !a ? b : !b ? a : MIN(a, b);
}

#define ANY_CPU (-1)

/* Nearest deadline of vm's PIT, RTC and the vLAPIC timers of its vCPUs on cpu (or ANY_CPU). */
static u64 timers_deadline(struct vm *vm, int cpu)
{
	u64 d = earlier(pit_next_deadline(vm), rtc_next_deadline(vm));

	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		if (cpu == ANY_CPU || vm->vcpus[i]->home_cpu == (unsigned)cpu)
			d = earlier(d, vlapic_timer_deadline(vm, i));
	return d;
}

u64 sched_timer_deadline(struct vm *vm, unsigned cpu)
{
	return timers_deadline(vm, (int)cpu);
}

/* Every vCPU of vm sleeps with nothing posted, and none of its timers is armed. */
static bool vm_sleeps(struct vm *vm)
{
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = vm->vcpus[i];

		if (READ_ONCE(v->state) == VCPU_RUNNABLE || load_acquire(&v->kicked))
			return false;
	}
	return !timers_deadline(vm, ANY_CPU);
}

bool sched_vm_asleep_forever(struct vm *vm)
{
	u64 asleep = 0;

	if (!vm_sleeps(vm))
		return false;
	rcu_read_lock();
	for (u32 id = 0; id < VM_REGISTRY_SIZE; id++) {
		struct vm *r = vm_registry_lookup(id);

		if (r && vm_running(r) && vm_sleeps(r))
			asleep |= BIT64(id);
	}
	rcu_read_unlock();
	return !intervm_may_be_rung(vm, asleep);
}

/* ---- placement (boot CPU, before any vCPU runs) ---- */

/* CPUs in VMX root operation can run vCPUs (the boot CPU always is by now). */
static bool cpu_usable(unsigned cpu)
{
	return cpu < nr_cpus && pcpus[cpu].vmx;
}

/* The CPU for vCPU i of a VM: its pin= entry when that CPU is usable, else the least loaded. */
static unsigned pick_cpu(const struct vm_config *c, unsigned i, const unsigned *load)
{
	unsigned best = 0;

	if (i < c->nr_pins && cpu_usable(c->pin[i]))
		return c->pin[i];
	if (i < c->nr_pins)
		pr_warn("pin=: cpu%u is not online with VMX; placing the vCPU automatically",
			c->pin[i]);
	for (unsigned cpu = 1; cpu < nr_cpus; cpu++)
		if (cpu_usable(cpu) && load[cpu] < load[best])
			best = cpu;
	return best;
}

static void log_placement(const struct vm *vm)
{
	char line[PLACEMENT_LINE];
	int n = 0;

	for (unsigned i = 0; i < vm->nr_vcpus && n < (int)sizeof(line); i++)
		n += fmt_snprintf(line + n, sizeof(line) - n, " %u->cpu%u", i,
				  vm->vcpus[i]->home_cpu);
	pr_info("vm%u: vCPU placement:%s", vm->id, line);
}

static bool rq_has_vm(const struct run_queue *rq, const struct vm *vm)
{
	for (unsigned i = 0; i < rq->nr_vms; i++)
		if (rq->vms[i] == vm)
			return true;
	return false;
}

static void rq_add(struct run_queue *rq, struct vcpu *v)
{
	rq->vcpus[rq->nr++] = v;
	if (!rq_has_vm(rq, v->vm))
		rq->vms[rq->nr_vms++] = v->vm;
}

/* The run queues' arrays, sized by the load each CPU got. */
static int rq_alloc(const unsigned *load)
{
	for (unsigned cpu = 0; cpu < nr_cpus; cpu++) {
		if (!load[cpu])
			continue;
		rqs[cpu].vcpus = kzalloc(load[cpu] * sizeof(struct vcpu *));
		rqs[cpu].vms = kzalloc(load[cpu] * sizeof(struct vm *));
		if (!rqs[cpu].vcpus || !rqs[cpu].vms) {
			pr_err("out of memory for the run queue of cpu%u", cpu);
			return -TERN_ENOMEM;
		}
	}
	return 0;
}

int sched_setup(struct vm *const *vms, const struct tern_config *cfg, unsigned nr)
{
	unsigned load[PCPU_MAX] = { 0 };
	int rc;

	nr_cpus = MIN(smp_nr_cpus(), (unsigned)PCPU_MAX);
	console_poll_ticks = clock_tsc_khz() * CONSOLE_POLL_US / US_PER_MS;
	console_drain_ticks = clock_tsc_khz() * CONSOLE_DRAIN_US / US_PER_MS;
	for (unsigned i = 0; i < nr; i++)
		for (unsigned j = 0; vms[i] && j < vms[i]->nr_vcpus; j++) {
			unsigned cpu = pick_cpu(&cfg->vms[i], j, load);

			vms[i]->vcpus[j]->home_cpu = cpu;
			load[cpu]++;
		}
	rc = rq_alloc(load);
	if (rc)
		return rc;
	for (unsigned i = 0; i < nr; i++) {
		if (!vms[i])
			continue;
		for (unsigned j = 0; j < vms[i]->nr_vcpus; j++) {
			struct vcpu *v = vms[i]->vcpus[j];

			if (v->home_cpu != this_cpu()->id)
				vmx_vcpu_unload(v);
			if (nr_cpus > 1)
				v->kick_backstop = clock_tsc_khz() * KICK_BACKSTOP_US / US_PER_MS;
			rq_add(&rqs[v->home_cpu], v);
		}
		if (nr_cpus > 1)
			log_placement(vms[i]);
	}
	return 0;
}

/* ---- the loop (each CPU, on its own run queue) ---- */

/*
 * Runnable, or halted / waiting for SIPI with an event that ends the wait;
 * never while it waits for the console (kernel/vm.c).
 */
static bool vcpu_ready(struct vcpu *v)
{
	if (unlikely(v->console_wait)) {
		if (!console_calm())
			return false;
		v->console_wait = false;
	}
	if (v->state == VCPU_RUNNABLE)
		return true;
	if ((v->state != VCPU_HALTED && v->state != VCPU_WAIT_SIPI) || !load_acquire(&v->kicked))
		return false;
	if (!vcpu_has_pending_event(v)) {
		store_release(&v->kicked, false);   /* the next event kicks again */
		return false;
	}
	if (v->state == VCPU_HALTED)
		v->state = VCPU_RUNNABLE;
	return true;   /* a SIPI is acted on by inject_pending_events() */
}

/*
 * The VM is stopping: this CPU will not run v until it is restarted. The
 * last vCPU parked ends the VM, or, for a reset, hands it to the boot CPU
 * to rebuild (VMCSs unloaded here, where they are active).
 */
static void park(struct vcpu *v)
{
	struct vm *vm = v->vm;
	bool reset = vm_reset_requested(vm);

	if (reset)
		vmx_vcpu_unload(v);
	store_release(&v->parked, true);
	if (atomic_inc(&vm->nr_parked) != vm->nr_vcpus)
		return;
	if (reset)
		store_release(&vm->reboot_ready, true);
	else
		vmm_vm_ended(vm);
	smp_kick(0);   /* the boot CPU may be halted, waiting for the last VM to end */
}

/* Runnable here: its VM runs and it is not parked (a restarted VM unparks its vCPUs last). */
static bool vcpu_live(struct vcpu *v)
{
	return vm_running(v->vm) && !load_acquire(&v->parked);
}

static void park_ending(struct run_queue *rq)
{
	for (unsigned i = 0; i < rq->nr; i++)
		if (!rq->vcpus[i]->parked && vm_exit_requested(rq->vcpus[i]->vm))
			park(rq->vcpus[i]);
}

/* Expired timers of every VM with a vCPU here raise their interrupts. */
static void poll_timers(struct run_queue *rq, u64 now)
{
	for (unsigned i = 0; i < rq->nr_vms; i++)
		if (vm_running(rq->vms[i]))
			inject_check_timers(rq->vms[i], now);
}

static unsigned count_ready(struct run_queue *rq)
{
	unsigned n = 0;

	for (unsigned i = 0; i < rq->nr; i++)
		n += vcpu_live(rq->vcpus[i]) && vcpu_ready(rq->vcpus[i]);
	return n;
}

/* vCPUs here of VMs still running, ready or not. */
static unsigned count_live(struct run_queue *rq)
{
	unsigned n = 0;

	for (unsigned i = 0; i < rq->nr; i++)
		n += vcpu_live(rq->vcpus[i]);
	return n;
}

/* vCPUs here held back until the console's backlog is calm. */
static bool console_waiters(struct run_queue *rq)
{
	for (unsigned i = 0; i < rq->nr; i++)
		if (rq->vcpus[i]->console_wait)
			return true;
	return false;
}

/*
 * The slice of one run of v: none when it is the only live vCPU here;
 * else TIMESLICE_TICKS, cut short at the nearest timer this CPU keeps for
 * another VM (v's own VM's timers bound the run already). Computed per
 * run: a vCPU that never exits must never keep the CPU from the others.
 */
static u64 run_slice(struct run_queue *rq, unsigned cpu, const struct vm *vm, unsigned live)
{
	u64 now = clock_now(), next = 0, slice = TIMESLICE_TICKS;

	if (live <= 1)
		return 0;
	if (console_waiters(rq))   /* the passes between runs drain the console for them */
		slice = MIN(slice, console_drain_ticks);
	for (unsigned i = 0; i < rq->nr_vms; i++)
		if (rq->vms[i] != vm && vm_running(rq->vms[i]))
			next = earlier(next, sched_timer_deadline(rq->vms[i], cpu));
	if (next)
		slice = MIN(slice, next > now + MIN_SLICE_TICKS ? next - now : MIN_SLICE_TICKS);
	return slice;
}

static void timer_interrupt(struct trap_frame *f)
{
	(void)f;
	lapic_eoi();
}

/*
 * Interrupts stay off from the look at the run queue to the halt: a kick
 * IPI that arrived meanwhile is pending and ends the halt at once.
 */
static void halt_until(unsigned cpu, u64 deadline)
{
	if (deadline)
		lapic_timer_at(deadline);
	smp_halt_until_interrupt(cpu);
	if (deadline)
		lapic_timer_cancel();
}

/*
 * Nothing here is ready: sleep until the nearest timer this CPU keeps, a
 * kick, or (boot CPU) the next look at console input. A VM nothing can
 * ever wake is stopped by the CPU of its vCPU 0.
 */
static void idle(struct run_queue *rq, unsigned cpu)
{
	u64 next = 0, now;

	for (unsigned i = 0; i < rq->nr_vms; i++) {
		struct vm *vm = rq->vms[i];

		if (!vm_running(vm))
			continue;
		if (vm->vcpus[0]->home_cpu == cpu && sched_vm_asleep_forever(vm)) {
			vm_stop_error(vm, "every vCPU is halted and nothing can wake them");
			return;
		}
		next = earlier(next, sched_timer_deadline(vm, cpu));
	}
	now = clock_now();
	if (cpu == 0 || console_output_pending())   /* input to look at, output to send */
		next = earlier(next, now + (console_waiters(rq) ? console_drain_ticks : console_poll_ticks));
	if (next && next <= now)
		return;
	halt_until(cpu, next);
}

/*
 * After the pass's round: the vCPUs that yielded before their slice ended
 * (they woke a sibling here) get the rest of it, and the siblings woken
 * meanwhile run, again and again until the pass's time (a slice for each
 * live vCPU) is used up or nobody is ready. So kicking a vCPU of the same
 * CPU does not cost the kicker its turn beside a CPU-bound VM, and the
 * woken one still runs at once. Timers due meanwhile are fired each round.
 */
static void run_slice_rests(struct run_queue *rq, unsigned cpu, unsigned live, u64 pass_end)
{
	bool ran = true;

	while (ran) {
		ran = false;
		poll_timers(rq, clock_now());
		for (unsigned i = 0; i < rq->nr; i++) {
			struct vcpu *v = rq->vcpus[i];
			u64 now = clock_now(), rest = TIMESLICE_TICKS;

			if (now >= pass_end)
				return;
			if (!vcpu_live(v) || v->console_wait)
				continue;   /* a console waiter: the next pass looks again */
			if (v->state == VCPU_RUNNABLE) {
				if (!v->slice_end || now >= v->slice_end)
					continue;   /* it used its slice, or has not run this pass */
				rest = v->slice_end - now;
			} else if (!vcpu_ready(v)) {
				continue;
			}
			rest = MIN(rest, MIN(pass_end - now, run_slice(rq, cpu, v->vm, live)));
			WRITE_ONCE(this_cpu()->resched, false);
			vmx_vcpu_run(v, rest);
			ran = true;
		}
	}
}

/* One pass over this CPU's vCPUs. */
static void schedule_pass(struct run_queue *rq, unsigned cpu)
{
	unsigned live;
	u64 pass_start;

	smp_poll();
	console_pump();
	if (cpu == 0) {
		console_input_poll();
		vmm_reboot_ready_vms();
	}
	park_ending(rq);
	poll_timers(rq, clock_now());
	if (!count_ready(rq)) {
		idle(rq, cpu);
		return;
	}
	live = count_live(rq);
	pass_start = clock_now();
	for (unsigned i = 0; i < rq->nr; i++) {
		struct vcpu *v = rq->vcpus[i];

		if (!vcpu_live(v) || !vcpu_ready(v))
			continue;
		/* a wake-up from here on makes this run yield (kernel/vcpu.c) */
		WRITE_ONCE(this_cpu()->resched, false);
		vmx_vcpu_run(v, run_slice(rq, cpu, v->vm, live));
	}
	if (live > 1)
		run_slice_rests(rq, cpu, live, pass_start + live * TIMESLICE_TICKS);
	rcu_quiescent(cpu);
}

static __noreturn void cpu_loop(void *arg)
{
	unsigned cpu = this_cpu()->id;
	struct run_queue *rq = &rqs[cpu];

	(void)arg;
	lapic_timer_setup();
	for (;;) {
		schedule_pass(rq, cpu);
		if (cpu == 0 && vmm_all_done())
			vmm_all_ended();
	}
}

__noreturn void sched_run(void)
{
	if (idt_set_handler(LAPIC_TIMER_VECTOR, timer_interrupt))
		pr_warn("no handler for the idle timer: idle CPUs wake on kicks only");
	for (unsigned cpu = 1; cpu < nr_cpus; cpu++)
		if (rqs[cpu].nr && smp_call(cpu, (void (*)(void *))cpu_loop, NULL, false))
			pr_err("cpu%u: cannot start its vCPU loop", cpu);
	cpu_loop(NULL);
}
