/* SPDX-License-Identifier: MIT */
/*
 * Cross-CPU calls through per-CPU one-slot mailboxes. A slot goes
 * FREE -> CLAIMED (a caller won it and fills it) -> POSTED (visible to the
 * owner) -> FREE (the owner took fn/arg out, before running fn, so the
 * next caller need not wait for fn). A waiting caller gets told through a
 * flag on its own stack.
 */
#include "arch/x86/ipi.h"
#include "arch/x86/idt.h"
#include "arch/x86/smp.h"
#include "arch/x86/x86.h"
#include "drivers/lapic_host.h"
#include "kernel/rcu.h"
#include "kernel/clock.h"
#include "kernel/lib/atomic.h"
#include "kernel/log.h"
#include "kernel/percpu.h"

#define US_PER_MS 1000

enum mailbox_state { MB_FREE, MB_CLAIMED, MB_POSTED };

struct mailbox {
	u32 state;
	void (*fn)(void *);
	void *arg;
	bool *done;
	bool idle;      /* its CPU is halted in the idle loop */
} __aligned(64);

static struct mailbox mailboxes[PCPU_MAX];

static unsigned self_id(void)
{
	return this_cpu()->id;
}

static bool cpu_online(unsigned cpu)
{
	return cpu < PCPU_MAX && load_acquire(&pcpus[cpu].online);
}

void smp_poll(void)
{
	struct mailbox *mb = &mailboxes[self_id()];
	void (*fn)(void *);
	void *arg;
	bool *done;

	if (load_acquire(&mb->state) != MB_POSTED)
		return;
	fn = mb->fn;
	arg = mb->arg;
	done = mb->done;
	store_release(&mb->state, MB_FREE);
	fn(arg);
	if (done)
		store_release(done, true);
}

void ipi_idle_enter(void)
{
	WRITE_ONCE(mailboxes[self_id()].idle, true);
}

void ipi_idle_exit(void)
{
	WRITE_ONCE(mailboxes[self_id()].idle, false);
}

static void call_handler(struct trap_frame *f)
{
	lapic_eoi();
	if (!READ_ONCE(mailboxes[self_id()].idle))
		smp_poll();
}

static void kick_handler(struct trap_frame *f)
{
	lapic_eoi();
}

/* Spurious interrupts are not in service: no EOI. */
static void spurious_handler(struct trap_frame *f)
{
}

int ipi_init(void)
{
	int ret = idt_set_handler(IPI_CALL_VECTOR, call_handler);

	if (!ret)
		ret = idt_set_handler(IPI_KICK_VECTOR, kick_handler);
	if (!ret)
		ret = idt_set_handler(LAPIC_SPURIOUS_VECTOR, spurious_handler);
	return ret;
}

static int send_call_ipi(unsigned cpu)
{
	return lapic_send_ipi(smp_cpu_apic_id(cpu), IPI_CALL_VECTOR);
}

/* Claim cpu's slot (serving our own meanwhile), fill it, post it, send the IPI. */
static int post(unsigned cpu, void (*fn)(void *), void *arg, bool *done)
{
	struct mailbox *mb = &mailboxes[cpu];

	for (;;) {
		u32 expected = MB_FREE;

		if (atomic_cmpxchg(&mb->state, &expected, MB_CLAIMED))
			break;
		smp_poll();
		cpu_relax();
	}
	mb->fn = fn;
	mb->arg = arg;
	mb->done = done;
	store_release(&mb->state, MB_POSTED);
	return send_call_ipi(cpu);
}

/* Spin until *done, serving our own mailbox, re-sending the IPI now and then. */
static void wait_done(unsigned cpu, bool *done)
{
	u64 resend = clock_tsc_khz() * IPI_RESEND_US / US_PER_MS;
	u64 next = rdtsc() + resend;

	while (!load_acquire(done)) {
		smp_poll();
		cpu_relax();
		if (rdtsc() > next) {
			if (send_call_ipi(cpu))
				pr_warn("cpu%u: cannot send an IPI to cpu%u", self_id(), cpu);
			next = rdtsc() + resend;
		}
	}
}

int smp_call(unsigned cpu, void (*fn)(void *), void *arg, bool wait)
{
	bool done = false;
	int ret;

	if (!fn || !cpu_online(cpu))
		return -TERN_EINVAL;
	if (cpu == self_id()) {
		fn(arg);
		return 0;
	}
	ret = post(cpu, fn, arg, wait ? &done : NULL);
	if (wait)
		wait_done(cpu, &done);
	return ret;
}

void smp_run_on_all(void (*fn)(void *), void *arg)
{
	bool done[PCPU_MAX];
	unsigned self = self_id(), n = smp_nr_cpus();

	for (unsigned cpu = 0; cpu < n; cpu++) {
		done[cpu] = cpu == self || !cpu_online(cpu);
		if (!done[cpu] && post(cpu, fn, arg, &done[cpu]))
			pr_warn("cpu%u: IPI to cpu%u failed; waiting for it to poll", self, cpu);
	}
	fn(arg);
	for (unsigned cpu = 0; cpu < n; cpu++)
		wait_done(cpu, &done[cpu]);
}

void smp_kick(unsigned cpu)
{
	if (cpu == self_id() || !cpu_online(cpu))
		return;
	if (lapic_send_ipi(smp_cpu_apic_id(cpu), IPI_KICK_VECTOR))
		pr_warn("cpu%u: cannot kick cpu%u", self_id(), cpu);
}

/* RCU's writer wants cpu to pass a VM entry or idle soon: a kick forces its VM exit. */
void rcu_kick_cpu(unsigned cpu)
{
	smp_kick(cpu);
}
