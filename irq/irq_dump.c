/* SPDX-License-Identifier: MIT */
/*
 * irq_dump(): the routing table and the doorbells as text, shaped like the
 * crash(8) dumps in the design notes so the two read alike. The doorbell
 * list is walked under the writer lock (it is not an RCU list); the table
 * cannot change meanwhile for the same reason.
 */
#include <stdarg.h>

#include "irq/routing.h"
#include "irq/routing_internal.h"
#include "kernel/lib/format.h"

struct dump_buf {
	char *buf;
	size_t len;
	size_t pos;   /* bytes written, excluding the NUL */
};

static void __printf(2, 3) put(struct dump_buf *d, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (d->pos + 1 >= d->len)
		return;
	va_start(ap, fmt);
	n = fmt_vsnprintf(d->buf + d->pos, d->len - d->pos, fmt, ap);
	va_end(ap);
	if (n > 0)
		d->pos += MIN((size_t)n, d->len - d->pos - 1);
}

static void dump_chip_row(struct dump_buf *d, const int *pins)
{
	put(d, "{");
	for (unsigned p = 0; p < IRQCHIP_NUM_PINS; p++)
		put(d, "%s%d", p ? ", " : "", pins[p]);
	put(d, "}");
}

static void dump_entry(struct dump_buf *d, const struct irq_route_entry *e)
{
	put(d, "{ gsi = %u, type = %u, set = %s, ", e->gsi, e->type, irq_route_set_name(e->set));
	if (e->type == TERN_IRQ_ROUTING_MSI)
		put(d, "msi = { address_lo = 0x%x, address_hi = 0x%x, data = 0x%x, flags = 0x%x, devid = %u } }",
		    e->msi.address_lo, e->msi.address_hi, e->msi.data, e->msi.flags, e->msi.devid);
	else
		put(d, "irqchip = { irqchip = %u, pin = %u } }", e->irqchip.irqchip, e->irqchip.pin);
}

static void dump_table(struct dump_buf *d, const struct irq_routing_table *t)
{
	if (!t) {
		put(d, "struct irq_routing_table = NULL\n");
		return;
	}
	put(d, "struct irq_routing_table {\n  chip = {");
	for (unsigned c = 0; c < TERN_NR_IRQCHIPS; c++) {
		put(d, "%s", c ? ", " : "");
		dump_chip_row(d, t->chip[c]);
	}
	put(d, "},\n  nr_rt_entries = %u,\n", t->nr_rt_entries);
	for (u32 gsi = 0; gsi < t->nr_rt_entries; gsi++) {
		for (const struct irq_route_entry *e = t->map[gsi]; e; e = e->link) {
			put(d, "  map[%u]: ", gsi);
			dump_entry(d, e);
			put(d, "\n");
		}
	}
	put(d, "}\n");
}

/* "  grants = { vm1, vm3 },": the other VMs that may ring db (nothing when none). */
static void dump_grants(struct dump_buf *d, struct doorbell *db)
{
	bool any = false;

	for (unsigned i = 0; i < DOORBELL_MAX_GRANTS; i++) {
		u32 g = READ_ONCE(db->grants[i]);

		if (!g)
			continue;
		put(d, "%svm%u", any ? ", " : "  grants = { ", g - 1);
		any = true;
	}
	if (any)
		put(d, " },\n");
}

static void dump_doorbell(struct dump_buf *d, struct doorbell *db)
{
	const struct irq_route_entry *e = &db->entry.e;   /* stable: writers hold the lock we hold */

	put(d, "struct doorbell {\n  id = %u, gsi = %u, flags = 0x%x, resample_id = %u, source_id = %u,\n",
	    db->id, db->gsi, db->flags, db->resample_id, db->source_id);
	put(d, "  irq_entry = ");
	if (e->type)
		dump_entry(d, e);
	else
		put(d, "none");
	put(d, ",\n  irq_entry_sc = { sequence = %u },\n", db->entry_seq);
	if (db->resampler)
		put(d, "  resampler = { gsi = %u, pending = %u, acks = %llu },\n", db->resampler->gsi,
		    READ_ONCE(db->resampler->pending),
		    (unsigned long long)READ_ONCE(db->resampler->acks));
	else
		put(d, "  resampler = none,\n");
	dump_grants(d, db);
	put(d, "  rings = %llu, deliveries = %llu, resamples = %llu\n}\n",
	    (unsigned long long)READ_ONCE(db->rings), (unsigned long long)READ_ONCE(db->deliveries),
	    (unsigned long long)READ_ONCE(db->resamples));
}

int irq_dump(struct vm *vm, char *buf, size_t len)
{
	struct dump_buf d = { .buf = buf, .len = buf ? len : 0, .pos = 0 };
	struct doorbell_set *s = irq_routing_state(vm);
	struct doorbell *db;

	if (d.len)
		buf[0] = '\0';
	if (!s) {
		put(&d, "irq routing: not initialised\n");
		return (int)d.pos;
	}
	spin_lock(&s->lock);
	dump_table(&d, vm_irq(vm)->routing);
	put(&d, "doorbells = %u (limit %u)\n", s->count, s->limits.max_doorbells);
	list_for_each_entry(db, &s->list, link)
		dump_doorbell(&d, db);
	spin_unlock(&s->lock);
	return (int)d.pos;
}
