/* SPDX-License-Identifier: MIT */
/*
 * Console input (kernel/console_input.h) and what the monitor's commands
 * do in tern (struct monitor_ops of kernel/monitor.h).
 */
#include "kernel/console_input.h"
#include <tern/errno.h>
#include "drivers/uart16550.h"
#include "drivers/uart_host.h"
#include "irq/routing.h"
#include "irq/vioapic.h"
#include "irq/vlapic.h"
#include "irq/vpic.h"
#include "kernel/console.h"
#include "kernel/log.h"
#include "kernel/monitor.h"
#include "kernel/stats.h"
#include "kernel/trace.h"
#include "kernel/vm_dump.h"
#include "kernel/vm_impl.h"

#define NO_BYTE      (-1)
#define POLL_MAX     64        /* bytes handled per poll: bounded time in the scheduler */

static struct vm *const *vms;
static unsigned nr_vms;
static struct monitor mon;
static int held = NO_BYTE;     /* guest input the full receive FIFO refused, retried first */
static bool quitting;          /* the monitor stopped every VM */

static struct vm *vm_at(unsigned i)
{
	return i < nr_vms ? vms[i] : NULL;
}

static void to_guest(void *ctx, u8 byte)
{
	struct vm *vm = vm_at(0);

	(void)ctx;
	if (!vm || vm->ended)
		return;
	if (uart16550_receive(vm, byte) == -TERN_ENOSPC)
		held = byte;
}

static void raw(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	console_write(s, n);
}

static void line(void *ctx, const char *text)
{
	(void)ctx;
	pr_info("%s", text);
}

static unsigned count_vms(void *ctx)
{
	(void)ctx;
	return nr_vms;
}

static const char *state_name(const struct vcpu *v)
{
	static const char *const names[] = {
		[VCPU_RUNNABLE] = "runnable", [VCPU_HALTED] = "halted",
		[VCPU_WAIT_SIPI] = "wait-for-SIPI", [VCPU_STOPPED] = "stopped",
	};

	return (unsigned)v->state < ARRAY_SIZE(names) ? names[v->state] : "?";
}

static u64 vcpu_exit_count(const struct vcpu *v)
{
	u64 n = 0;

	for (unsigned r = 0; r < EXIT_REASON_MAX; r++)
		n += v->exits[r];
	return n;
}

static void list_vms(void *ctx)
{
	(void)ctx;
	for (unsigned i = 0; i < nr_vms; i++) {
		struct vm *vm = vms[i];

		if (!vm) {
			pr_info("vm%u: not started", i);
			continue;
		}
		pr_info("vm%u: %s, %llu MiB, %u vCPU%s, %s", i, vm->name,
			(unsigned long long)(vm->ram_size / MiB), vm->nr_vcpus,
			vm->nr_vcpus == 1 ? "" : "s", vm->ended ? "ended" : "running");
		for (unsigned j = 0; j < vm->nr_vcpus; j++)
			pr_info("vm%u: vCPU %u: %s on cpu%u, %llu exits", i, j,
				state_name(vm->vcpus[j]), vm->vcpus[j]->home_cpu,
				(unsigned long long)vcpu_exit_count(vm->vcpus[j]));
	}
}

static int irqdump(void *ctx, unsigned i)
{
	struct vm *vm = vm_at(i);

	(void)ctx;
	if (!vm)
		return -TERN_ENOENT;
	vm_dump_irq_state(vm);
	return 0;
}

static int lapic(void *ctx, unsigned i, unsigned vcpu)
{
	struct vm *vm = vm_at(i);

	(void)ctx;
	if (!vm)
		return -TERN_ENOENT;
	return vm_dump_lapic(vm, vcpu);
}

static int stats(void *ctx, unsigned i)
{
	struct vm *vm = vm_at(i);

	(void)ctx;
	if (!vm)
		return -TERN_ENOENT;
	stats_print_vm(vm);
	return 0;
}

static void trace(void *ctx)
{
	(void)ctx;
	trace_dump();
}

static void quit(void *ctx)
{
	(void)ctx;
	quitting = true;
	for (unsigned i = 0; i < nr_vms; i++)
		if (vms[i] && !vms[i]->ended)
			vm_request_exit(vms[i], 0);
}

static const struct monitor_ops ops = {
	.to_guest = to_guest,
	.raw = raw,
	.line = line,
	.vms = list_vms,
	.irqdump = irqdump,
	.lapic = lapic,
	.stats = stats,
	.nr_vms = count_vms,
	.trace = trace,
	.quit = quit,
};

void console_input_attach(struct vm *const *table, unsigned nr)
{
	vms = table;
	nr_vms = nr;
	monitor_init(&mon, &ops, NULL);
}

/* Feed the waiting bytes to the monitor; stop early when the guest's FIFO is full. */
static void drain(void)
{
	if (held != NO_BYTE) {
		int b = held;

		held = NO_BYTE;
		to_guest(NULL, (u8)b);
		if (held != NO_BYTE)
			return;                  /* the guest still has no room */
	}
	for (unsigned n = 0; n < POLL_MAX; n++) {
		int c = uart_host_getc();

		if (c < 0)
			return;
		monitor_feed(&mon, (u8)c);
		if (held != NO_BYTE)
			return;
	}
}

bool console_input_poll(void)
{
	if (mon.ops)
		drain();
	return quitting;
}
