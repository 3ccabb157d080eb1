/* SPDX-License-Identifier: MIT */
/*
 * GSI routing: which interrupt controller pins (or which MSI message) a
 * global system interrupt number reaches. The table is the kernel form of
 * TERN_HC_SET_GSI_ROUTING (KVM_SET_GSI_ROUTING semantics): it is never
 * edited in place but rebuilt whole, published with one release store and
 * freed after a grace period (kernel/rcu.h), so injectors on any CPU walk
 * it without a lock. docs/routing.md describes the design and the errors.
 *
 * Locking: every writer (routing update, doorbell assign/deassign, limits)
 * takes the VM's routing writer lock, which comes first in the irq lock
 * order (routing writer -> vPIC -> vIOAPIC -> vLAPIC). Readers take
 * rcu_read_lock() only. Functions that wait for a grace period (marked
 * "may wait" below) must be called with no spinlock held and outside any
 * RCU read section.
 */
#ifndef TERN_IRQ_ROUTING_H
#define TERN_IRQ_ROUTING_H

#include <tern/hypercall.h>
#include "irq/irq.h"
#include "irq/msi.h"
#include "kernel/lib/types.h"

#define IRQCHIP_NUM_PINS          24    /* pins of the largest chip (the IOAPIC): chip[][] width */
#define IRQCHIP_PIC_PINS          8     /* pins of one 8259 (master or slave) */
#define IRQCHIP_IOAPIC_PINS       24
#define IRQ_ROUTING_MAX_GSI       1024  /* default and ceiling of a VM's GSI limit */
#define IRQ_ROUTING_MAX_ENTRIES   4096  /* default and ceiling of a VM's entries per request */
#define IRQ_ROUTING_DEFAULT_GSIS    24  /* the PC wiring routes GSI 0..23 */
#define IRQ_ROUTING_DEFAULT_ENTRIES 38  /* 15 PIC pins + 23 IOAPIC pins */

struct vm;
struct irq_route_entry;

/* A route's injector: the PIC pin setter, the IOAPIC pin setter or MSI delivery. */
typedef int (*irq_route_set_fn)(const struct irq_route_entry *e, struct vm *vm,
				unsigned irq_source_id, int level, bool line_status);

/*
 * One route of a GSI (KVM's kvm_kernel_irq_routing_entry). For a PIC slave
 * pin, irqchip.pin holds the vPIC pin 8..15 (the request says 0..7), so
 * set() passes it to vpic_set_irq unchanged.
 */
struct irq_route_entry {
	u32 gsi;
	u32 type;                    /* TERN_IRQ_ROUTING_IRQCHIP or _MSI */
	irq_route_set_fn set;
	union {
		struct {
			unsigned irqchip;    /* TERN_IRQCHIP_* */
			unsigned pin;
		} irqchip;
		struct msi_route msi;    /* the request's words and their decode */
	};
	struct irq_route_entry *link;  /* next route of the same GSI; NULL ends map[gsi] */
};

/*
 * The published table (KVM's kvm_irq_routing_table). chip[c][p] is the GSI
 * wired to pin p of chip c, or -1; map[gsi] heads the GSI's routes for
 * gsi < nr_rt_entries (highest routed GSI + 1). Immutable once published.
 * The route entries live in the same allocation, after map[].
 */
struct irq_routing_table {
	int chip[TERN_NR_IRQCHIPS][IRQCHIP_NUM_PINS];
	u32 nr_rt_entries;
	struct irq_route_entry *map[];
};

/*
 * Why irq_set_routing() refused a request. Each rule has its own reason;
 * the errno is what a guest sees (see docs/routing.md for the table).
 */
enum irq_route_reject {
	IRQ_ROUTE_OK = 0,
	IRQ_ROUTE_ERR_NO_STATE,          /* -TERN_ENODEV: irq_routing_init_default() never ran */
	IRQ_ROUTE_ERR_REQUEST_FLAGS,     /* -TERN_EINVAL: request flags != 0 */
	IRQ_ROUTE_ERR_TOO_MANY,          /* -TERN_E2BIG: nr above the VM's entry limit */
	IRQ_ROUTE_ERR_NULL,              /* -TERN_EFAULT: nr > 0 and no entries */
	IRQ_ROUTE_ERR_GSI,               /* -TERN_ERANGE: gsi >= the VM's GSI limit */
	IRQ_ROUTE_ERR_TYPE_UNSUPPORTED,  /* -TERN_EOPNOTSUPP: s390 adapter or Hyper-V SINT */
	IRQ_ROUTE_ERR_TYPE_UNKNOWN,      /* -TERN_ENOSYS: any other type */
	IRQ_ROUTE_ERR_ENTRY_FLAGS,       /* -TERN_EINVAL: irqchip flags != 0, MSI flags not 0/VALID_DEVID */
	IRQ_ROUTE_ERR_IRQCHIP,           /* -TERN_ENOENT: irqchip >= TERN_NR_IRQCHIPS (no such chip) */
	IRQ_ROUTE_ERR_PIN,               /* -TERN_ERANGE: pin >= the chip's pin count */
	IRQ_ROUTE_ERR_DUP_CHIP,          /* -TERN_EEXIST: a GSI routed to one chip twice */
	IRQ_ROUTE_ERR_MSI_SHARED,        /* -TERN_EBUSY: an MSI route is not its GSI's only route */
	IRQ_ROUTE_ERR_NOMEM,             /* -TERN_ENOMEM */
	IRQ_ROUTE_ERR_COUNT,
};

/* Where a request failed: the reason and the index of the offending entry (or -1). */
struct irq_route_error {
	enum irq_route_reject reason;
	int index;
};

/* Per-VM limits (the config's knobs); see irq_routing_set_limits(). */
struct irq_routing_limits {
	u32 max_gsi;        /* GSIs 0..max_gsi-1 are routable */
	u32 max_entries;    /* entries per routing request */
	u32 max_doorbells;  /* doorbells bound at once */
};

/*
 * Create the VM's routing state (writer lock, limits, irq source ids,
 * doorbell set) if absent and install the PC wiring: GSI n (0..15, n != 2)
 * -> PIC pin n, GSI 0 -> IOAPIC pin 2, GSI n (1..23, n != 2) -> IOAPIC
 * pin n, GSI 2 unrouted. Returns 0, -TERN_ENOMEM. May wait.
 */
int irq_routing_init_default(struct vm *vm);

/*
 * Replace the VM's whole table by nr entries (KVM_SET_GSI_ROUTING). On any
 * violation returns its -TERN_Exxx, fills *err (may be NULL) and leaves the
 * old table in force, untouched. On success the new table is published,
 * every doorbell's cached route is rewritten, and the old table is freed
 * after a grace period. entries are read only (the caller copied them out
 * of the guest). May wait.
 */
int irq_set_routing_ex(struct vm *vm, const struct tern_irq_routing_entry *entries, u32 nr,
		       u32 flags, struct irq_route_error *err);

/* irq_set_routing_ex() without the reason. */
int irq_set_routing(struct vm *vm, const struct tern_irq_routing_entry *entries, u32 nr, u32 flags);

/* A short fixed name for a rejection reason ("gsi out of range"...); never NULL. */
const char *irq_route_reject_str(enum irq_route_reject reason);

/*
 * Set the VM's limits for later requests (the table in force is kept).
 * -TERN_ERANGE when a limit is above its ceiling (IRQ_ROUTING_MAX_GSI,
 * IRQ_ROUTING_MAX_ENTRIES, DOORBELL_SLOTS) or below what the default
 * table needs (IRQ_ROUTING_DEFAULT_GSIS / _ENTRIES); -TERN_ENODEV before init.
 */
int irq_routing_set_limits(struct vm *vm, const struct irq_routing_limits *lim);

/* The VM's current limits; zeroes before init. */
void irq_routing_get_limits(struct vm *vm, struct irq_routing_limits *out);

/*
 * Tear down the VM's routing and doorbells: deassigns every doorbell,
 * unpublishes and frees the table and the state. Injectors racing with it
 * see -TERN_ENOENT/-TERN_ENODEV, never freed memory. May wait.
 */
void irq_routing_destroy(struct vm *vm);

/*
 * Drive GSI gsi to level on behalf of source_id (lock-free; any CPU, any
 * model lock held that comes before vPIC in the lock order: none in
 * practice). Calls every route's set(). Returns the largest non-negative
 * set() result (>0: delivered somewhere, 0: masked or coalesced), or
 * -TERN_ENOENT when the GSI has no route, -TERN_EINVAL for gsi beyond the
 * VM's GSI limit or source_id >= IRQ_SOURCE_ID_MAX, the chips' error when
 * every route failed. An MSI route ignores level 0 (it is an edge).
 */
int set_irq(struct vm *vm, unsigned source_id, u32 gsi, int level);

/*
 * A new irq source id for a device that drives shared lines (ids from
 * IRQ_SOURCE_FIRST_FREE to IRQ_SOURCE_ID_MAX-1). -TERN_ENOSPC when all are
 * taken, -TERN_ENODEV before irq_routing_init_default().
 */
int irq_source_alloc(struct vm *vm);

/*
 * Give back an id from irq_source_alloc(): first releases every chip pin
 * the source may still assert, then frees the id. Fixed or unallocated ids
 * are ignored.
 */
void irq_source_free(struct vm *vm, unsigned id);

/*
 * EOI hook: the guest acknowledged pin of irqchip (TERN_IRQCHIP_*; for the
 * vPIC, pin is the vPIC pin 0..15, a slave pin 0..7 is also accepted). The
 * vPIC/vIOAPIC call it without their lock held, before re-evaluating a
 * still-asserted line. Maps the pin to its GSI through the current table
 * and runs that GSI's resampler: de-asserts the resampled line once and
 * signals each resample doorbell. Bad chips/pins are ignored.
 */
void irq_ack_notify(struct vm *vm, unsigned irqchip, unsigned pin);

/*
 * Readable text of the routing table and the doorbells, in the style of a
 * crash dump (docs/routing.md shows an example). Always NUL-terminates when
 * len > 0; returns the bytes written without the NUL (truncated output is
 * cut at len - 1).
 */
int irq_dump(struct vm *vm, char *buf, size_t len);

#endif
