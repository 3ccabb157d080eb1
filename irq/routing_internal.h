/* SPDX-License-Identifier: MIT */
/*
 * Private to irq/routing.c, irq/doorbell.c and irq/irq_dump.c (and white-box
 * tests): the per-VM routing state and the doorbell objects.
 *
 * struct vm_irq has two slots for this part: ->routing (the published table)
 * and ->doorbells, which points at struct doorbell_set: the VM's whole
 * routing control block (writer lock, limits, irq source ids, doorbells),
 * created by irq_routing_init_default() and published with RCU so a ring
 * racing irq_routing_destroy() never touches freed memory.
 */
#ifndef TERN_IRQ_ROUTING_INTERNAL_H
#define TERN_IRQ_ROUTING_INTERNAL_H

#include "irq/doorbell.h"
#include "irq/irq.h"
#include "irq/routing.h"
#include "kernel/lib/list.h"
#include "kernel/lib/spinlock.h"
#include "kernel/rcu.h"

#define ROUTE_ENTRY_WORDS (sizeof(struct irq_route_entry) / sizeof(u64))
STATIC_ASSERT(sizeof(struct irq_route_entry) % sizeof(u64) == 0);

/* A route copied word by word, so a racing reader never tears a word. */
union route_entry_words {
	struct irq_route_entry e;
	u64 w[ROUTE_ENTRY_WORDS];
};

/* The EOI side shared by every RESAMPLE doorbell of one GSI. */
struct resampler {
	struct list_head link;       /* in doorbell_set.resamplers (RCU) */
	struct list_head doorbells;  /* its doorbells via resampler_link (RCU) */
	u32 gsi;
	u32 pending;                 /* asserted by a ring, not EOIed yet (atomic) */
	u64 acks;                    /* EOIs handled (atomic) */
};

struct doorbell {
	struct list_head link;            /* in doorbell_set.list (writer lock) */
	struct list_head resampler_link;  /* in resampler.doorbells (RCU) */
	struct resampler *resampler;      /* NULL unless RESAMPLE */
	u32 id;
	u32 gsi;
	u32 flags;
	u32 resample_id;
	unsigned source_id;               /* pulses of a non-RESAMPLE doorbell */
	union route_entry_words entry;    /* irq_entry: type 0 when the GSI has not exactly one route */
	u32 entry_seq;                    /* irq_entry_sc: odd while being rewritten */
	u32 grants[DOORBELL_MAX_GRANTS];  /* VM id + 1 of each VM that may ring it; 0 = free entry */
	u64 rings;                        /* counters: atomic */
	u64 deliveries;
	u64 resamples;
};

struct resample_notifier {
	u32 resample_id;
	void (*fn)(void *ctx);
	void *ctx;
};

struct doorbell_set {
	spinlock_t lock;                  /* the routing writer lock */
	struct irq_routing_limits limits; /* READ_ONCE by readers */
	u64 sources;                      /* allocated irq source ids (atomic bitmap) */
	unsigned pulse_source;            /* shared by non-RESAMPLE doorbells; 0 until needed */
	u32 vm_id;                        /* DOORBELL_VM_ID_NONE until named */
	u32 count;                        /* doorbells bound */
	struct list_head list;            /* every doorbell (writer lock) */
	struct list_head resamplers;      /* RCU */
	struct doorbell *slots[DOORBELL_SLOTS];           /* RCU: id -> doorbell */
	u32 slot_gen[DOORBELL_SLOTS];                     /* generation of each slot's last id */
	struct resample_notifier *notifiers[DOORBELL_MAX_NOTIFIERS];  /* RCU */
};

/* The VM's routing state, or NULL (acquire load: usable in a read section or by writers). */
static inline struct doorbell_set *irq_routing_state(struct vm *vm)
{
	return rcu_dereference(vm_irq(vm)->doorbells);
}

/* The GSI's only route, or NULL when it has none or several. */
const struct irq_route_entry *irq_route_single(const struct irq_routing_table *t, u32 gsi);

/* "pic_set", "ioapic_set", "msi_set" or "?" for a route's set(). */
const char *irq_route_set_name(irq_route_set_fn fn);

/* Allocate an irq source id from s (no release of lines); -TERN_ENOSPC. */
int irq_source_alloc_in(struct doorbell_set *s);

/* Rewrite every doorbell's cached route from t; writer lock held. */
void doorbells_route_update(struct doorbell_set *s, const struct irq_routing_table *t);

/* EOI of gsi: run its resampler, if any; inside a read section. */
void doorbell_resample_ack(struct vm *vm, struct doorbell_set *s, u32 gsi);

/* Free every doorbell, resampler and notifier of an unpublished set after a grace period. */
void doorbells_free_all(struct doorbell_set *s);

#endif
