/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "kernel/clock.h"
#include "kernel/log.h"
#include "kernel/lib/string.h"
#include "kernel/mm.h"
#include "kernel/trace.h"
#include "tests/unit/stub_kernel.h"

u64 stub_clock = 1000000;
unsigned stub_log_lines;
u64 stub_free_pages = 1u << 20;
bool (*stub_kzalloc_hook)(size_t size);

u64 clock_now(void)
{
	return __atomic_load_n(&stub_clock, __ATOMIC_RELAXED);
}

u64 clock_tsc_khz(void)
{
	return 1000000;  /* 1 GHz: one tick per nanosecond keeps test arithmetic readable */
}

void log_printf(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	__atomic_add_fetch(&stub_log_lines, 1, __ATOMIC_RELAXED);
	if (!getenv("TERN_TEST_VERBOSE"))
		return;
	va_start(ap, fmt);
	fprintf(stderr, "tern[%d]: ", (int)level);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void *kzalloc(size_t size)
{
	if (stub_kzalloc_hook && !stub_kzalloc_hook(size))
		return NULL;
	return calloc(1, size ? size : 1);
}

void kfree(void *p)
{
	free(p);
}

void *page_alloc(unsigned order)
{
	size_t size = PAGE_SIZE << order;
	void *p = aligned_alloc(size, size);

	if (p)
		memset(p, 0, size);
	return p;
}

void page_free(void *p, unsigned order)
{
	(void)order;
	free(p);
}

u64 page_free_count(void)
{
	return stub_free_pages;
}

struct vm *stub_vm_new(unsigned nr_vcpus)
{
	struct vm *vm = calloc(1, sizeof(*vm));

	if (vm)
		vm->irq.nr_vcpus = nr_vcpus;
	return vm;
}

void stub_vm_free(struct vm *vm)
{
	free(vm);
}

int stub_lapic_window_ret;
u64 stub_lapic_window_base;

int vm_lapic_window(struct vm *vm, u64 base)
{
	(void)vm;
	stub_lapic_window_base = base;
	return stub_lapic_window_ret;
}

void vcpu_kick(struct vm *vm, unsigned vcpu_id)
{
	if (vcpu_id < TERN_MAX_VCPUS)
		__atomic_add_fetch(&vm->kicks[vcpu_id], 1, __ATOMIC_RELAXED);
}

/* Counted as a kick: the models' tests see the same count either way. */
void vcpu_kick_irr(struct vm *vm, unsigned vcpu_id, u8 vector)
{
	(void)vector;
	vcpu_kick(vm, vcpu_id);
}

/*
 * The event trace (kernel/trace.h) as irq/ models see it: off. Weak, so a
 * test of kernel/trace.c itself links the real definitions instead.
 */
__attribute__((weak)) u32 trace_mask;

__attribute__((weak)) void trace_irq(struct vm *vm, int vcpu, unsigned type, u64 a0, u64 a1,
				     u64 a2, u64 a3)
{
	(void)vm; (void)vcpu; (void)type; (void)a0; (void)a1; (void)a2; (void)a3;
}
