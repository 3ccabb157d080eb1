/* SPDX-License-Identifier: MIT */
/*
 * Event trace: per-CPU ring buffers of fixed-size records (TSC, CPU, VM,
 * vCPU, type, four u64 arguments), enabled by category from the command
 * line (`trace=irq,exit,doorbell`), off by default.
 *
 * Cost when off: every hook is one load of the global trace_mask and one
 * predictable branch (TRACE() below). irq/ models include this header and
 * call TRACE(); host tests link a no-op trace_irq() (tests/unit/stub_kernel.c).
 *
 * Dump format (docs/tooling.md; tools/timeline parses it), one tern line each:
 *   trace-begin N
 *   T <tsc> <cpu> <vm|-> <vcpu|-> <type> <a0> <a1> <a2> <a3>     (N of them, oldest first)
 *   trace-end
 * tsc and ids in decimal, arguments in hex with 0x.
 *
 * Layout: kernel/trace.c holds the ring, the category parser and the
 * formatter (host-tested); kernel/trace_hooks.c the kernel glue (rings per
 * CPU, trace_irq(), the console dump).
 */
#ifndef TERN_TRACE_H
#define TERN_TRACE_H

#include "kernel/lib/types.h"

/* Categories: bits of trace_mask. */
#define TRACE_CAT_EXIT      BIT(0)   /* VM exits and entries */
#define TRACE_CAT_IRQ       BIT(1)   /* set_irq, routing, vLAPIC, injection, EOI, IPIs */
#define TRACE_CAT_DOORBELL  BIT(2)   /* doorbell rings and deassigns */
#define TRACE_CAT_STATS     BIT(7)   /* not a trace category: exit statistics want the exit hooks */
#define TRACE_CAT_SHIFT     8        /* a record type carries its category bit above this */

#define TRACE_TYPE(cat, n)  (((cat) << TRACE_CAT_SHIFT) | (n))
#define TRACE_TYPE_CAT(t)   ((u32)(t) >> TRACE_CAT_SHIFT)

/*
 * Record types and their arguments (a0..a3; unused ones are 0). The vCPU
 * field is the vCPU the event concerns (the target for accepts/injections).
 */
enum trace_type {
	TR_EXIT         = TRACE_TYPE(TRACE_CAT_EXIT, 1),     /* reason, qualification, rip */
	TR_ENTRY        = TRACE_TYPE(TRACE_CAT_EXIT, 2),     /* reason handled, handler ticks, rc */
	TR_SET_IRQ      = TRACE_TYPE(TRACE_CAT_IRQ, 1),      /* source id, gsi, level */
	TR_ROUTE        = TRACE_TYPE(TRACE_CAT_IRQ, 2),      /* gsi, type (1 irqchip, 2 msi), chip|addr, pin|data */
	TR_IOAPIC       = TRACE_TYPE(TRACE_CAT_IRQ, 3),      /* pin, vector, dest, level-triggered */
	TR_LAPIC_ACCEPT = TRACE_TYPE(TRACE_CAT_IRQ, 4),      /* vector, level-triggered, delivery mode */
	TR_INJECT       = TRACE_TYPE(TRACE_CAT_IRQ, 5),      /* vector, method (enum trace_inject) */
	TR_EOI          = TRACE_TYPE(TRACE_CAT_IRQ, 6),      /* vector, level (TMR), virtualized (APICv) */
	TR_REMOTE_IRR   = TRACE_TYPE(TRACE_CAT_IRQ, 7),      /* vector, vIOAPIC pins whose Remote IRR cleared */
	TR_ACK          = TRACE_TYPE(TRACE_CAT_IRQ, 8),      /* chip, pin, gsi (-1 unrouted): the EOI hook */
	TR_IPI          = TRACE_TYPE(TRACE_CAT_IRQ, 9),      /* vector, delivery mode, dest, shorthand */
	TR_KICK         = TRACE_TYPE(TRACE_CAT_IRQ, 10),     /* woke a halted vCPU (the vcpu field) */
	TR_DB_RING      = TRACE_TYPE(TRACE_CAT_DOORBELL, 1), /* doorbell id, gsi, resample */
	TR_DB_ASSIGN    = TRACE_TYPE(TRACE_CAT_DOORBELL, 2), /* doorbell id, gsi, flags, resample id */
	TR_DB_DEASSIGN  = TRACE_TYPE(TRACE_CAT_DOORBELL, 3), /* doorbell id, gsi */
	TR_RESAMPLE     = TRACE_TYPE(TRACE_CAT_DOORBELL, 4), /* gsi: line released, resample doorbells signalled */
};

/* TR_INJECT a1: how the vector reaches the guest. */
enum trace_inject {
	TRACE_INJECT_ENTRY = 0,     /* VM-entry interruption-information field */
	TRACE_INJECT_WINDOW = 1,    /* pending, interrupt-window exiting requested */
	TRACE_INJECT_VID = 2,       /* virtual-interrupt delivery (RVI) */
	TRACE_INJECT_EXTINT = 3,    /* entry field, vector from the vPIC (INTA) */
};

#define TRACE_NO_VECTOR 0x100     /* TR_INJECT a0 while the vector is unknown (vPIC, before INTA) */
#define TRACE_ARGS      4
#define TRACE_NO_ID     0xffffu   /* vm or vcpu field of a record without one */
#define TRACE_LINE_MAX  160

struct trace_rec {
	u64 tsc;
	u64 a[TRACE_ARGS];
	u16 type;
	u16 cpu;
	u16 vm;
	u16 vcpu;
};

/* One CPU's ring: written only by its CPU; records[head & mask] is next. */
struct trace_ring {
	struct trace_rec *recs;
	u64 mask;           /* capacity - 1, capacity a power of two */
	u64 head;           /* records ever written */
};

/* Enabled categories (TRACE_CAT_*); 0 = everything off. */
extern u32 trace_mask;

#ifdef TERN_NO_TRACE
/* A measurement build (make CC="gcc -DTERN_NO_TRACE"): every hook compiled out. */
static inline bool trace_on(u32 cat)
{
	(void)cat;
	return false;
}
#else
/* True when any of the categories in cat is on: the one branch of a hook. */
static inline bool trace_on(u32 cat)
{
	/* a plain read: one "testb $cat, trace_mask" the compiler may fuse; writers are rare */
	return unlikely(trace_mask & cat);
}
#endif

struct vm;

/*
 * Record an event of vm (NULL: none) concerning vcpu (-1: none) on the
 * calling CPU. Called through TRACE(), only when its category is on.
 */
void trace_irq(struct vm *vm, int vcpu, unsigned type, u64 a0, u64 a1, u64 a2, u64 a3);

/* A trace hook: costs one load and one not-taken branch while the category is off. */
#define TRACE(type, vm, vcpu, a0, a1, a2, a3)                                           \
	do {                                                                            \
		if (trace_on(TRACE_TYPE_CAT(type)))                                     \
			trace_irq((vm), (int)(vcpu), (type), (u64)(a0), (u64)(a1),      \
				  (u64)(a2), (u64)(a3));                                \
	} while (0)

/* ---- the ring and the format (kernel/trace.c) ---- */

/*
 * Parse a category list ("irq,exit,doorbell"; "" = none) into *mask.
 * Returns 0, or -TERN_EINVAL for an unknown or empty name.
 */
int trace_parse(const char *list, u32 *mask);

/*
 * Make a ring over bytes of mem: the largest power-of-two number of
 * records that fits. Returns 0, or -TERN_EINVAL when not even one fits.
 */
int trace_ring_init(struct trace_ring *r, void *mem, size_t bytes);

/* Append one record, overwriting the oldest when full. Single writer per ring. */
void trace_ring_put(struct trace_ring *r, const struct trace_rec *rec);

/* Records the ring holds now (at most its capacity). */
u64 trace_ring_count(const struct trace_ring *r);

/* Records overwritten since the ring was made. */
u64 trace_ring_lost(const struct trace_ring *r);

/* The record type's name as dumped ("exit", "set_irq"...); "?" when unknown. */
const char *trace_type_name(unsigned type);

/* Format one record as its dump line (without "tern: "); returns fmt_snprintf's count. */
int trace_format(const struct trace_rec *rec, char *buf, size_t len);

/* Receives each dump line (no "tern: " prefix, no newline). */
typedef void (*trace_line_fn)(void *ctx, const char *line);

/*
 * Emit the records of nr rings merged oldest first (by TSC, ties by ring
 * order): "trace-begin N", N record lines, "trace-end". The rings must not
 * be written meanwhile. Returns N.
 */
u64 trace_dump_rings(const struct trace_ring *rings, unsigned nr, trace_line_fn emit, void *ctx);

/* Forget every record of the ring (head back to 0). */
void trace_ring_clear(struct trace_ring *r);

/* ---- kernel glue (kernel/trace_hooks.c) ---- */

/*
 * Enable the categories of a command-line list: allocate a ring per online
 * CPU and set trace_mask. Returns 0, -TERN_EINVAL (bad list), -TERN_ENOMEM.
 */
int trace_setup(const char *list);

/* Dump every CPU's records to the console in the format above (tracing paused meanwhile). */
void trace_dump(void);

/* True when trace_setup() enabled at least one category. */
bool trace_configured(void);

#endif
