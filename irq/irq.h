/* SPDX-License-Identifier: MIT */
/*
 * The interrupt side of a VM, as the models in irq/ see it.
 *
 * A struct vm embeds one struct vm_irq; the models reach each other
 * through it and never through the kernel's struct vm, so irq/ compiles
 * unchanged into tern and into host tests (which provide the two kernel
 * services below with a small stub).
 *
 * Lock order (never take them the other way round):
 *   routing writer lock -> vPIC lock -> vIOAPIC lock -> vLAPIC lock
 * and a model never calls into another model while holding its own lock
 * except in that direction.
 */
#ifndef TERN_IRQ_H
#define TERN_IRQ_H

#include "kernel/lib/types.h"

#define TERN_MAX_VCPUS        64
#define IRQ_SOURCE_ID_MAX     64   /* irq source ids 0..63; one bit each in a line state */

struct vm;
struct vpic;
struct vioapic;
struct vlapic;
struct irq_routing_table;
struct doorbell_set;

struct vm_irq {
	struct vpic *vpic;
	struct vioapic *vioapic;
	unsigned nr_vcpus;
	struct vlapic *vlapic[TERN_MAX_VCPUS];
	struct irq_routing_table *routing;   /* RCU-published; see irq/routing.h */
	struct doorbell_set *doorbells;
};

/* Services the kernel provides to irq/ (host tests stub them). */

/*
 * The interrupt state of a VM. Never NULL for a live VM. Every struct vm
 * (the kernel's and the host tests' stub) has its struct vm_irq as first
 * member, so this is a cast: the models look it up on every interrupt and
 * a call would make each of their small functions build a frame for it.
 */
static inline struct vm_irq *vm_irq(struct vm *vm)
{
	return (struct vm_irq *)vm;
}

/*
 * An event is pending for vCPU vcpu_id: wake it if halted, and if it is
 * running on another physical CPU make it exit so the event is seen on
 * its next entry. Callable from any CPU, with any model lock held.
 */
void vcpu_kick(struct vm *vm, unsigned vcpu_id);

/*
 * A kick that says what changed: the vLAPIC just set fixed vector in
 * vCPU vcpu_id's IRR and nothing else (no TMR change, no event). The
 * kernel may then update what the CPU delivers from directly (APICv's
 * RVI for the vCPU whose VMCS this CPU holds) instead of having the next
 * entry re-evaluate everything; otherwise it is vcpu_kick(). Same rules.
 */
void vcpu_kick_irr(struct vm *vm, unsigned vcpu_id, u8 vector);

#endif
