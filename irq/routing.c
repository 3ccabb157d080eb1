/* SPDX-License-Identifier: MIT */
/*
 * The GSI routing table (irq/routing.h). A table is built whole from a
 * request, checked, published with one release store under the routing
 * writer lock and never changed again; the table it replaced is freed
 * after a grace period. Injectors (set_irq, irq_ack_notify) only read.
 */
#include "irq/irq_source.h"
#include "irq/msi.h"
#include "irq/routing.h"
#include "irq/routing_internal.h"
#include "irq/vioapic.h"
#include "irq/vpic.h"
#include "kernel/limits.h"
#include "kernel/lib/bitmap.h"
#include "kernel/lib/string.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/trace.h"

#define PIC_SLAVE_PIN_BASE IRQCHIP_PIC_PINS  /* vPIC pins 8..15 are the slave's */
#define GSI_UNROUTED       (-1)
#define PC_CASCADE_GSI     2                 /* the PIC cascade: never routed */
#define PC_PIC_GSIS        16
#define PC_IOAPIC_GSI0_PIN 2                 /* the timer's GSI 0 sits on IOAPIC pin 2 */

/* ---------------------------------------------------------------- set() */

static int pic_set(const struct irq_route_entry *e, struct vm *vm, unsigned irq_source_id,
		   int level, bool line_status)
{
	return vpic_set_irq(vm, e->irqchip.pin, irq_source_id, level);
}

static int ioapic_set(const struct irq_route_entry *e, struct vm *vm, unsigned irq_source_id,
		      int level, bool line_status)
{
	return vioapic_set_irq(vm, e->irqchip.pin, irq_source_id, level);
}

/* An MSI is an edge: releasing its "line" has nothing to do. */
static int msi_set(const struct irq_route_entry *e, struct vm *vm, unsigned irq_source_id,
		   int level, bool line_status)
{
	if (!level)
		return 0;
	return msi_route_deliver(vm, &e->msi);
}

const char *irq_route_set_name(irq_route_set_fn fn)
{
	if (fn == pic_set)
		return "pic_set";
	if (fn == ioapic_set)
		return "ioapic_set";
	if (fn == msi_set)
		return "msi_set";
	return "?";
}

/* ---------------------------------------------------------------- rejections */

static const struct {
	int err;
	const char *what;
} reject_info[IRQ_ROUTE_ERR_COUNT] = {
	[IRQ_ROUTE_OK]                   = { 0, "ok" },
	[IRQ_ROUTE_ERR_NO_STATE]         = { -TERN_ENODEV, "routing not initialised" },
	[IRQ_ROUTE_ERR_REQUEST_FLAGS]    = { -TERN_EINVAL, "request flags not zero" },
	[IRQ_ROUTE_ERR_TOO_MANY]         = { -TERN_E2BIG, "too many entries" },
	[IRQ_ROUTE_ERR_NULL]             = { -TERN_EFAULT, "no entries array" },
	[IRQ_ROUTE_ERR_GSI]              = { -TERN_ERANGE, "gsi out of range" },
	[IRQ_ROUTE_ERR_TYPE_UNSUPPORTED] = { -TERN_EOPNOTSUPP, "route type not supported" },
	[IRQ_ROUTE_ERR_TYPE_UNKNOWN]     = { -TERN_ENOSYS, "unknown route type" },
	[IRQ_ROUTE_ERR_ENTRY_FLAGS]      = { -TERN_EINVAL, "entry flags invalid" },
	[IRQ_ROUTE_ERR_IRQCHIP]          = { -TERN_ENOENT, "no such irqchip" },
	[IRQ_ROUTE_ERR_PIN]              = { -TERN_ERANGE, "pin out of range" },
	[IRQ_ROUTE_ERR_DUP_CHIP]         = { -TERN_EEXIST, "gsi routed to a chip twice" },
	[IRQ_ROUTE_ERR_MSI_SHARED]       = { -TERN_EBUSY, "msi route shares its gsi" },
	[IRQ_ROUTE_ERR_NOMEM]            = { -TERN_ENOMEM, "out of memory" },
};

const char *irq_route_reject_str(enum irq_route_reject reason)
{
	if ((unsigned)reason >= IRQ_ROUTE_ERR_COUNT)
		return "?";
	return reject_info[reason].what;
}

static int reject(struct irq_route_error *err, enum irq_route_reject reason, int index)
{
	err->reason = reason;
	err->index = index;
	pr_debug("irq routing rejected: %s (entry %d)", reject_info[reason].what, index);
	return reject_info[reason].err;
}

/* ---------------------------------------------------------------- building */

static unsigned chip_pins(unsigned irqchip)
{
	return irqchip == TERN_IRQCHIP_IOAPIC ? IRQCHIP_IOAPIC_PINS : IRQCHIP_PIC_PINS;
}

static enum irq_route_reject check_entry(const struct tern_irq_routing_entry *ue,
					 const struct irq_routing_limits *lim)
{
	switch (ue->type) {
	case TERN_IRQ_ROUTING_IRQCHIP:
		if (ue->flags)
			return IRQ_ROUTE_ERR_ENTRY_FLAGS;
		if (ue->u.irqchip.irqchip >= TERN_NR_IRQCHIPS)
			return IRQ_ROUTE_ERR_IRQCHIP;
		if (ue->u.irqchip.pin >= chip_pins(ue->u.irqchip.irqchip))
			return IRQ_ROUTE_ERR_PIN;
		break;
	case TERN_IRQ_ROUTING_MSI:
		if (ue->flags & ~TERN_MSI_VALID_DEVID)
			return IRQ_ROUTE_ERR_ENTRY_FLAGS;
		break;
	case TERN_IRQ_ROUTING_S390_ADAPTER:
	case TERN_IRQ_ROUTING_HV_SINT:
		return IRQ_ROUTE_ERR_TYPE_UNSUPPORTED;
	default:
		return IRQ_ROUTE_ERR_TYPE_UNKNOWN;
	}
	if (ue->gsi >= lim->max_gsi)
		return IRQ_ROUTE_ERR_GSI;
	return IRQ_ROUTE_OK;
}

static struct irq_route_entry *table_entries(struct irq_routing_table *t)
{
	return (struct irq_route_entry *)&t->map[t->nr_rt_entries];
}

static struct irq_routing_table *table_alloc(u32 nr_rt_entries, u32 nr)
{
	size_t size = sizeof(struct irq_routing_table) +
		      (size_t)nr_rt_entries * sizeof(struct irq_route_entry *) +
		      (size_t)nr * sizeof(struct irq_route_entry);
	struct irq_routing_table *t;

	if (!limits_guest_alloc_ok(size))   /* a guest's request never eats tern's reserve */
		return NULL;
	t = kzalloc(size);
	if (!t)
		return NULL;
	t->nr_rt_entries = nr_rt_entries;
	for (unsigned c = 0; c < TERN_NR_IRQCHIPS; c++)
		for (unsigned p = 0; p < IRQCHIP_NUM_PINS; p++)
			t->chip[c][p] = GSI_UNROUTED;
	return t;
}

/* Fill e from a checked request entry. */
static void entry_from_request(struct irq_route_entry *e, const struct tern_irq_routing_entry *ue)
{
	e->gsi = ue->gsi;
	e->type = ue->type;
	if (ue->type == TERN_IRQ_ROUTING_MSI) {
		e->set = msi_set;
		e->msi.address_lo = ue->u.msi.address_lo;
		e->msi.address_hi = ue->u.msi.address_hi;
		e->msi.data = ue->u.msi.data;
		e->msi.flags = ue->flags;
		e->msi.devid = ue->u.msi.devid;
		msi_route_decode(&e->msi);   /* once here, not at every ring */
		return;
	}
	e->irqchip.irqchip = ue->u.irqchip.irqchip;
	e->irqchip.pin = ue->u.irqchip.pin;
	if (e->irqchip.irqchip == TERN_IRQCHIP_PIC_SLAVE)
		e->irqchip.pin += PIC_SLAVE_PIN_BASE;
	e->set = e->irqchip.irqchip == TERN_IRQCHIP_IOAPIC ? ioapic_set : pic_set;
}

/* KVM's sharing rules: one route per chip per GSI, and an MSI route alone. */
static enum irq_route_reject check_sharing(const struct irq_route_entry *head,
					   const struct irq_route_entry *e)
{
	for (const struct irq_route_entry *o = head; o; o = o->link) {
		if (o->type == TERN_IRQ_ROUTING_MSI || e->type == TERN_IRQ_ROUTING_MSI)
			return IRQ_ROUTE_ERR_MSI_SHARED;
		if (o->irqchip.irqchip == e->irqchip.irqchip)
			return IRQ_ROUTE_ERR_DUP_CHIP;
	}
	return IRQ_ROUTE_OK;
}

/* Append e to map[e->gsi] (request order) and record its chip pin. */
static enum irq_route_reject table_insert(struct irq_routing_table *t, struct irq_route_entry *e)
{
	struct irq_route_entry **tail = &t->map[e->gsi];
	enum irq_route_reject why = check_sharing(*tail, e);

	if (why != IRQ_ROUTE_OK)
		return why;
	while (*tail)
		tail = &(*tail)->link;
	*tail = e;
	if (e->type == TERN_IRQ_ROUTING_IRQCHIP)
		t->chip[e->irqchip.irqchip][e->irqchip.pin] = (int)e->gsi;
	return IRQ_ROUTE_OK;
}

static int check_request(const struct tern_irq_routing_entry *entries, u32 nr, u32 flags,
			 const struct irq_routing_limits *lim, u32 *nr_rt, struct irq_route_error *err)
{
	u32 top = 0;

	if (flags)
		return reject(err, IRQ_ROUTE_ERR_REQUEST_FLAGS, -1);
	if (nr > lim->max_entries)
		return reject(err, IRQ_ROUTE_ERR_TOO_MANY, -1);
	if (nr && !entries)
		return reject(err, IRQ_ROUTE_ERR_NULL, -1);
	for (u32 i = 0; i < nr; i++) {
		enum irq_route_reject why = check_entry(&entries[i], lim);

		if (why != IRQ_ROUTE_OK)
			return reject(err, why, (int)i);
		top = MAX(top, entries[i].gsi + 1);
	}
	*nr_rt = top;
	return 0;
}

static int build_table(const struct tern_irq_routing_entry *entries, u32 nr, u32 flags,
		       const struct irq_routing_limits *lim, struct irq_routing_table **out,
		       struct irq_route_error *err)
{
	struct irq_routing_table *t;
	struct irq_route_entry *e;
	u32 nr_rt = 0;
	int r = check_request(entries, nr, flags, lim, &nr_rt, err);

	if (r)
		return r;
	t = table_alloc(nr_rt, nr);
	if (!t)
		return reject(err, IRQ_ROUTE_ERR_NOMEM, -1);
	e = table_entries(t);
	for (u32 i = 0; i < nr; i++) {
		enum irq_route_reject why;

		entry_from_request(&e[i], &entries[i]);
		why = table_insert(t, &e[i]);
		if (why != IRQ_ROUTE_OK) {
			kfree(t);
			return reject(err, why, (int)i);
		}
	}
	*out = t;
	return 0;
}

const struct irq_route_entry *irq_route_single(const struct irq_routing_table *t, u32 gsi)
{
	const struct irq_route_entry *e;

	if (!t || gsi >= t->nr_rt_entries)
		return NULL;
	e = t->map[gsi];
	return e && !e->link ? e : NULL;
}

/* ---------------------------------------------------------------- publishing */

int irq_set_routing_ex(struct vm *vm, const struct tern_irq_routing_entry *entries, u32 nr,
		       u32 flags, struct irq_route_error *err)
{
	struct irq_route_error ignored;
	struct doorbell_set *s = irq_routing_state(vm);
	struct irq_routing_limits lim;
	struct irq_routing_table *t = NULL, *old;
	int r;

	if (!err)
		err = &ignored;
	err->reason = IRQ_ROUTE_OK;
	err->index = -1;
	if (!s)
		return reject(err, IRQ_ROUTE_ERR_NO_STATE, -1);
	irq_routing_get_limits(vm, &lim);
	r = build_table(entries, nr, flags, &lim, &t, err);
	if (r)
		return r;
	spin_lock(&s->lock);
	old = vm_irq(vm)->routing;
	rcu_assign_pointer(vm_irq(vm)->routing, t);
	doorbells_route_update(s, t);
	spin_unlock(&s->lock);
	synchronize_rcu();
	kfree(old);
	return 0;
}

int irq_set_routing(struct vm *vm, const struct tern_irq_routing_entry *entries, u32 nr, u32 flags)
{
	return irq_set_routing_ex(vm, entries, nr, flags, NULL);
}

static struct tern_irq_routing_entry pc_route(u32 gsi, u32 irqchip, u32 pin)
{
	struct tern_irq_routing_entry ue;

	memset(&ue, 0, sizeof(ue));
	ue.gsi = gsi;
	ue.type = TERN_IRQ_ROUTING_IRQCHIP;
	ue.u.irqchip.irqchip = irqchip;
	ue.u.irqchip.pin = pin;
	return ue;
}

/* The PC wiring; returns the number of entries (IRQ_ROUTING_DEFAULT_ENTRIES). */
static u32 pc_default_routes(struct tern_irq_routing_entry *out)
{
	u32 n = 0;

	for (u32 gsi = 0; gsi < PC_PIC_GSIS; gsi++) {
		if (gsi == PC_CASCADE_GSI)
			continue;
		if (gsi < IRQCHIP_PIC_PINS)
			out[n++] = pc_route(gsi, TERN_IRQCHIP_PIC_MASTER, gsi);
		else
			out[n++] = pc_route(gsi, TERN_IRQCHIP_PIC_SLAVE, gsi - IRQCHIP_PIC_PINS);
	}
	for (u32 gsi = 0; gsi < IRQCHIP_IOAPIC_PINS; gsi++) {
		if (gsi == PC_CASCADE_GSI)
			continue;
		out[n++] = pc_route(gsi, TERN_IRQCHIP_IOAPIC, gsi ? gsi : PC_IOAPIC_GSI0_PIN);
	}
	return n;
}

static struct doorbell_set *state_create(void)
{
	struct doorbell_set *s = kzalloc(sizeof(*s));

	if (!s)
		return NULL;
	spin_lock_init(&s->lock);
	s->limits.max_gsi = LIMIT_VM_GSIS;
	s->limits.max_entries = LIMIT_VM_ROUTE_ENTRIES;
	s->limits.max_doorbells = LIMIT_VM_DOORBELLS;
	s->sources = BIT64(IRQ_SOURCE_FIRST_FREE) - 1;  /* the fixed ids are never handed out */
	s->vm_id = DOORBELL_VM_ID_NONE;
	list_init(&s->list);
	list_init(&s->resamplers);
	return s;
}

int irq_routing_init_default(struct vm *vm)
{
	struct tern_irq_routing_entry routes[IRQ_ROUTING_DEFAULT_ENTRIES];
	u32 n;

	if (!irq_routing_state(vm)) {
		struct doorbell_set *s = state_create();

		if (!s)
			return -TERN_ENOMEM;
		rcu_assign_pointer(vm_irq(vm)->doorbells, s);
	}
	n = pc_default_routes(routes);
	return irq_set_routing(vm, routes, n, 0);
}

void irq_routing_destroy(struct vm *vm)
{
	struct doorbell_set *s = irq_routing_state(vm);
	struct irq_routing_table *t;

	if (!s)
		return;
	spin_lock(&s->lock);
	t = vm_irq(vm)->routing;
	rcu_assign_pointer(vm_irq(vm)->routing, NULL);
	rcu_assign_pointer(vm_irq(vm)->doorbells, NULL);
	spin_unlock(&s->lock);
	synchronize_rcu();
	doorbells_free_all(s);
	kfree(t);
	kfree(s);
}

/* ---------------------------------------------------------------- limits */

int irq_routing_set_limits(struct vm *vm, const struct irq_routing_limits *lim)
{
	struct doorbell_set *s = irq_routing_state(vm);

	if (!s)
		return -TERN_ENODEV;
	if (!lim || lim->max_gsi > IRQ_ROUTING_MAX_GSI || lim->max_gsi < IRQ_ROUTING_DEFAULT_GSIS ||
	    lim->max_entries > IRQ_ROUTING_MAX_ENTRIES ||
	    lim->max_entries < IRQ_ROUTING_DEFAULT_ENTRIES || lim->max_doorbells > DOORBELL_SLOTS)
		return -TERN_ERANGE;
	spin_lock(&s->lock);
	WRITE_ONCE(s->limits.max_gsi, lim->max_gsi);
	WRITE_ONCE(s->limits.max_entries, lim->max_entries);
	WRITE_ONCE(s->limits.max_doorbells, lim->max_doorbells);
	spin_unlock(&s->lock);
	return 0;
}

void irq_routing_get_limits(struct vm *vm, struct irq_routing_limits *out)
{
	struct doorbell_set *s = irq_routing_state(vm);

	memset(out, 0, sizeof(*out));
	if (!s)
		return;
	out->max_gsi = READ_ONCE(s->limits.max_gsi);
	out->max_entries = READ_ONCE(s->limits.max_entries);
	out->max_doorbells = READ_ONCE(s->limits.max_doorbells);
}

/* ---------------------------------------------------------------- injection */

/* Fold one set() result into the running answer: the best non-negative wins. */
static int fold_result(int acc, bool *any_ok, int r)
{
	if (r >= 0) {
		acc = *any_ok ? MAX(acc, r) : r;
		*any_ok = true;
	} else if (!*any_ok) {
		acc = r;
	}
	return acc;
}

/* The trace's view of a route: irqchip number or MSI address, pin or MSI data. */
static u64 route_trace_target(const struct irq_route_entry *e)
{
	return e->type == TERN_IRQ_ROUTING_MSI ? e->msi.address_lo : e->irqchip.irqchip;
}

static u64 route_trace_pin(const struct irq_route_entry *e)
{
	return e->type == TERN_IRQ_ROUTING_MSI ? e->msi.data : e->irqchip.pin;
}

static int route_gsi(struct vm *vm, const struct irq_routing_table *t, unsigned source_id,
		     u32 gsi, int level)
{
	int acc = -TERN_ENOENT;
	bool any_ok = false;

	if (!t || gsi >= t->nr_rt_entries)
		return -TERN_ENOENT;
	for (const struct irq_route_entry *e = t->map[gsi]; e; e = e->link) {
		TRACE(TR_ROUTE, vm, -1, gsi, e->type, route_trace_target(e), route_trace_pin(e));
		acc = fold_result(acc, &any_ok, e->set(e, vm, source_id, level, false));
	}
	return acc;
}

int set_irq(struct vm *vm, unsigned source_id, u32 gsi, int level)
{
	struct doorbell_set *s;
	int r;

	if (source_id >= IRQ_SOURCE_ID_MAX)
		return -TERN_EINVAL;
	TRACE(TR_SET_IRQ, vm, -1, source_id, gsi, level, 0);
	rcu_read_lock();
	s = irq_routing_state(vm);
	if (!s)
		r = -TERN_ENOENT;
	else if (gsi >= READ_ONCE(s->limits.max_gsi))
		r = -TERN_EINVAL;
	else
		r = route_gsi(vm, rcu_dereference(vm_irq(vm)->routing), source_id, gsi, level);
	rcu_read_unlock();
	return r;
}

void irq_ack_notify(struct vm *vm, unsigned irqchip, unsigned pin)
{
	const struct irq_routing_table *t;
	struct doorbell_set *s;

	if (irqchip >= TERN_NR_IRQCHIPS)
		return;
	if (irqchip == TERN_IRQCHIP_PIC_SLAVE && pin < PIC_SLAVE_PIN_BASE)
		pin += PIC_SLAVE_PIN_BASE;
	if (pin >= IRQCHIP_NUM_PINS)
		return;
	rcu_read_lock();
	s = irq_routing_state(vm);
	t = rcu_dereference(vm_irq(vm)->routing);
	TRACE(TR_ACK, vm, -1, irqchip, pin, t ? (s64)t->chip[irqchip][pin] : -1, 0);
	if (s && t && t->chip[irqchip][pin] != GSI_UNROUTED)
		doorbell_resample_ack(vm, s, (u32)t->chip[irqchip][pin]);
	rcu_read_unlock();
}

/* ---------------------------------------------------------------- irq source ids */

int irq_source_alloc_in(struct doorbell_set *s)
{
	u64 used = __atomic_load_n(&s->sources, __ATOMIC_RELAXED);

	for (;;) {
		int id = bitmap_find_first_zero(&used, IRQ_SOURCE_ID_MAX);

		if (id < 0)
			return -TERN_ENOSPC;
		if (atomic_cmpxchg(&s->sources, &used, used | BIT64(id)))
			return id;
	}
}

int irq_source_alloc(struct vm *vm)
{
	struct doorbell_set *s = irq_routing_state(vm);

	return s ? irq_source_alloc_in(s) : -TERN_ENODEV;
}

/* Drop id's assertion on every routed chip pin, so a later owner of the id starts clean. */
static void irq_source_release_lines(struct vm *vm, unsigned id)
{
	const struct irq_routing_table *t;

	rcu_read_lock();
	t = rcu_dereference(vm_irq(vm)->routing);
	for (u32 gsi = 0; t && gsi < t->nr_rt_entries; gsi++)
		for (const struct irq_route_entry *e = t->map[gsi]; e; e = e->link)
			if (e->type == TERN_IRQ_ROUTING_IRQCHIP)
				e->set(e, vm, id, 0, false);
	rcu_read_unlock();
}

void irq_source_free(struct vm *vm, unsigned id)
{
	struct doorbell_set *s = irq_routing_state(vm);

	if (!s || id < IRQ_SOURCE_FIRST_FREE || id >= IRQ_SOURCE_ID_MAX)
		return;
	if (!(__atomic_load_n(&s->sources, __ATOMIC_RELAXED) & BIT64(id)))
		return;
	irq_source_release_lines(vm, id);
	atomic_and(&s->sources, ~BIT64(id));
}

STATIC_ASSERT(LIMIT_VM_GSIS <= IRQ_ROUTING_MAX_GSI && LIMIT_VM_GSIS >= IRQ_ROUTING_DEFAULT_GSIS);
STATIC_ASSERT(LIMIT_VM_ROUTE_ENTRIES <= IRQ_ROUTING_MAX_ENTRIES);
STATIC_ASSERT(LIMIT_VM_DOORBELLS <= DOORBELL_SLOTS);
