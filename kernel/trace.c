/* SPDX-License-Identifier: MIT */
/*
 * The event trace's ring, category parser and dump format (kernel/trace.h).
 * No kernel services: built unchanged into tern and into the host tests.
 */
#include "kernel/trace.h"
#include <tern/errno.h>
#include "kernel/lib/format.h"
#include "kernel/lib/string.h"

#define TRACE_DUMP_MAX_RINGS 64

struct trace_cat_name {
	const char *name;
	u32 bit;
};

static const struct trace_cat_name cat_names[] = {
	{ "exit", TRACE_CAT_EXIT },
	{ "irq", TRACE_CAT_IRQ },
	{ "doorbell", TRACE_CAT_DOORBELL },
};

struct trace_type_name {
	unsigned type;
	const char *name;
};

static const struct trace_type_name type_names[] = {
	{ TR_EXIT, "exit" },
	{ TR_ENTRY, "entry" },
	{ TR_SET_IRQ, "set_irq" },
	{ TR_ROUTE, "route" },
	{ TR_IOAPIC, "ioapic" },
	{ TR_LAPIC_ACCEPT, "accept" },
	{ TR_INJECT, "inject" },
	{ TR_EOI, "eoi" },
	{ TR_REMOTE_IRR, "remote_irr" },
	{ TR_ACK, "ack" },
	{ TR_IPI, "ipi" },
	{ TR_KICK, "kick" },
	{ TR_DB_RING, "db_ring" },
	{ TR_DB_ASSIGN, "db_assign" },
	{ TR_DB_DEASSIGN, "db_deassign" },
	{ TR_RESAMPLE, "resample" },
};

static int cat_bit(const char *s, size_t len, u32 *bit)
{
	for (size_t i = 0; i < ARRAY_SIZE(cat_names); i++) {
		if (strlen(cat_names[i].name) == len && !memcmp(cat_names[i].name, s, len)) {
			*bit = cat_names[i].bit;
			return 0;
		}
	}
	return -TERN_EINVAL;
}

int trace_parse(const char *list, u32 *mask)
{
	u32 m = 0;

	if (!*list) {
		*mask = 0;
		return 0;
	}
	for (;;) {
		const char *comma = strchr(list, ',');
		size_t len = comma ? (size_t)(comma - list) : strlen(list);
		u32 bit;

		if (cat_bit(list, len, &bit))
			return -TERN_EINVAL;
		m |= bit;
		if (!comma)
			break;
		list = comma + 1;
	}
	*mask = m;
	return 0;
}

int trace_ring_init(struct trace_ring *r, void *mem, size_t bytes)
{
	u64 cap = 1;

	if (bytes < sizeof(struct trace_rec))
		return -TERN_EINVAL;
	while (cap * 2 * sizeof(struct trace_rec) <= bytes)
		cap *= 2;
	r->recs = mem;
	r->mask = cap - 1;
	r->head = 0;
	return 0;
}

void trace_ring_put(struct trace_ring *r, const struct trace_rec *rec)
{
	u64 slot = __atomic_fetch_add(&r->head, 1, __ATOMIC_RELAXED);

	r->recs[slot & r->mask] = *rec;
}

u64 trace_ring_count(const struct trace_ring *r)
{
	return MIN(r->head, r->mask + 1);
}

u64 trace_ring_lost(const struct trace_ring *r)
{
	return r->head - trace_ring_count(r);
}

void trace_ring_clear(struct trace_ring *r)
{
	r->head = 0;
}

const char *trace_type_name(unsigned type)
{
	for (size_t i = 0; i < ARRAY_SIZE(type_names); i++)
		if (type_names[i].type == type)
			return type_names[i].name;
	return "?";
}

/* A vm/vcpu field: decimal, or "-" for none. */
static int format_id(char *buf, size_t len, u16 id)
{
	return id == TRACE_NO_ID ? fmt_snprintf(buf, len, "-") : fmt_snprintf(buf, len, "%u", id);
}

int trace_format(const struct trace_rec *rec, char *buf, size_t len)
{
	char vm[8], vcpu[8];

	format_id(vm, sizeof(vm), rec->vm);
	format_id(vcpu, sizeof(vcpu), rec->vcpu);
	return fmt_snprintf(buf, len, "T %llu %u %s %s %s 0x%llx 0x%llx 0x%llx 0x%llx",
			    (unsigned long long)rec->tsc, rec->cpu, vm, vcpu,
			    trace_type_name(rec->type), (unsigned long long)rec->a[0],
			    (unsigned long long)rec->a[1], (unsigned long long)rec->a[2],
			    (unsigned long long)rec->a[3]);
}

/* Index (within the ring) of the oldest record still held. */
static u64 ring_first(const struct trace_ring *r)
{
	return r->head - trace_ring_count(r);
}

/* The ring whose next record is oldest, or -1 when all are done. */
static int oldest_ring(const struct trace_ring *rings, const u64 *pos, unsigned nr)
{
	int best = -1;
	u64 best_tsc = 0;

	for (unsigned i = 0; i < nr; i++) {
		const struct trace_rec *rec;

		if (pos[i] >= rings[i].head)
			continue;
		rec = &rings[i].recs[pos[i] & rings[i].mask];
		if (best < 0 || rec->tsc < best_tsc) {
			best = (int)i;
			best_tsc = rec->tsc;
		}
	}
	return best;
}

u64 trace_dump_rings(const struct trace_ring *rings, unsigned nr, trace_line_fn emit, void *ctx)
{
	u64 pos[TRACE_DUMP_MAX_RINGS] = { 0 }, total = 0;
	char line[TRACE_LINE_MAX];
	int r;

	nr = MIN(nr, TRACE_DUMP_MAX_RINGS);
	for (unsigned i = 0; i < nr; i++) {
		pos[i] = ring_first(&rings[i]);
		total += trace_ring_count(&rings[i]);
	}
	fmt_snprintf(line, sizeof(line), "trace-begin %llu", (unsigned long long)total);
	emit(ctx, line);
	while ((r = oldest_ring(rings, pos, nr)) >= 0) {
		trace_format(&rings[r].recs[pos[r] & rings[r].mask], line, sizeof(line));
		emit(ctx, line);
		pos[r]++;
	}
	emit(ctx, "trace-end");
	return total;
}
