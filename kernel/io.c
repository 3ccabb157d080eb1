/* SPDX-License-Identifier: MIT */
/*
 * Port and MMIO registries (kernel/io.h). Each map is a sorted array of
 * ranges searched by bisection. Registration builds a new array under the
 * maps' lock and publishes it with one release store, so dispatch (the exit
 * hot path, possibly on several CPUs) reads without a lock. Old arrays are
 * kept until the maps are destroyed: registrations are few, so this costs
 * little, needs no grace period, and lets a pointer to a range outlive the
 * array it was found in (the vCPUs' last-hit ranges, kernel/io.h).
 */
#include "kernel/io.h"
#include "kernel/lib/atomic.h"
#include "kernel/lib/bitmap.h"
#include "kernel/lib/spinlock.h"
#include "kernel/lib/string.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/vm.h"

#define PIO_PORTS 0x10000u
#define UNCLAIMED_LOG_MAX 16u   /* unclaimed ports reported per VM: a guest cannot flood the log */

struct io_table {
	struct io_table *retired_next;
	unsigned nr;
	struct io_range r[];
};

struct io_maps {
	spinlock_t lock;
	struct io_table *pio;
	struct io_table *mmio;
	struct io_table *retired;
	u32 pio_hint, mmio_hint;                  /* index of the last range hit: tried first */
	DECLARE_BITMAP(port_logged, PIO_PORTS);   /* unclaimed ports already reported */
	u32 nr_logged;                            /* how many (capped at UNCLAIMED_LOG_MAX) */
};

const struct io_range io_range_none = { .base = 0, .len = 0 };

struct io_maps *io_maps_create(void)
{
	struct io_maps *m = kzalloc(sizeof(*m));

	if (m)
		spin_lock_init(&m->lock);
	return m;
}

static void free_chain(struct io_table *t)
{
	while (t) {
		struct io_table *next = t->retired_next;

		kfree(t);
		t = next;
	}
}

void io_maps_destroy(struct io_maps *maps)
{
	if (!maps)
		return;
	kfree(maps->pio);
	kfree(maps->mmio);
	free_chain(maps->retired);
	kfree(maps);
}

/* Index of the last range whose base is <= addr, or -1. */
static int find_floor(const struct io_table *t, u64 addr)
{
	int lo = 0, hi = (int)t->nr - 1, found = -1;

	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;

		if (t->r[mid].base <= addr) {
			found = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	return found;
}

static inline const struct io_range *lookup(const struct io_table *t, u64 addr, u32 *hint)
{
	unsigned h;
	int i;

	if (!t)
		return NULL;
	/* a guest hits one device over and over: try the last range first (the
	 * hint is only an index, checked against this table, so a stale or racing
	 * value is harmless) */
	h = READ_ONCE(*hint);
	if (likely(h < t->nr) && io_range_has(&t->r[h], addr))
		return &t->r[h];
	i = find_floor(t, addr);
	if (i < 0 || !io_range_has(&t->r[i], addr))
		return NULL;
	WRITE_ONCE(*hint, (u32)i);
	return &t->r[i];
}

static bool overlaps(const struct io_table *t, u64 base, u64 end)
{
	if (!t)
		return false;
	for (unsigned i = 0; i < t->nr; i++)
		if (base < t->r[i].base + t->r[i].len && t->r[i].base < end)
			return true;
	return false;
}

/* Publish a copy of *slot with range inserted in order; the old copy is retired. */
static int insert_range(struct io_maps *m, struct io_table **slot, const struct io_range *range)
{
	struct io_table *old = *slot, *t;
	unsigned nr = old ? old->nr : 0, at = 0;

	if (overlaps(old, range->base, range->base + range->len))
		return -TERN_EEXIST;
	t = kzalloc(sizeof(*t) + (nr + 1) * sizeof(t->r[0]));
	if (!t)
		return -TERN_ENOMEM;
	while (at < nr && old->r[at].base < range->base)
		at++;
	if (old)
		memcpy(t->r, old->r, at * sizeof(t->r[0]));
	t->r[at] = *range;
	if (old)
		memcpy(&t->r[at + 1], &old->r[at], (nr - at) * sizeof(t->r[0]));
	t->nr = nr + 1;
	store_release(slot, t);
	if (old) {
		old->retired_next = m->retired;
		m->retired = old;
	}
	return 0;
}

static int register_range(struct vm *vm, bool pio, struct io_range *range)
{
	struct io_maps *m = vm_io_maps(vm);
	int rc;

	if (!m)
		return -TERN_EINVAL;
	spin_lock(&m->lock);
	rc = insert_range(m, pio ? &m->pio : &m->mmio, range);
	spin_unlock(&m->lock);
	return rc;
}

int pio_register(struct vm *vm, u16 base, u16 count, pio_handler_t fn, void *opaque)
{
	struct io_range r = { .base = base, .len = count, .fn.pio = fn, .opaque = opaque };

	if (count == 0 || (u32)base + count > PIO_PORTS || !fn)
		return -TERN_EINVAL;
	return register_range(vm, true, &r);
}

int mmio_register(struct vm *vm, u64 base, u64 len, mmio_handler_t fn, void *opaque)
{
	struct io_range r = { .base = base, .len = len, .fn.mmio = fn, .opaque = opaque };

	if (len == 0 || base + len < base || !fn)
		return -TERN_EINVAL;
	if (vm_range_has_ram(vm, base, len))
		return -TERN_EINVAL;
	return register_range(vm, false, &r);
}

static __attribute__((noinline, cold)) void report_unclaimed(struct vm *vm, struct io_maps *m, u16 port, unsigned size, bool in)
{
	u32 n;

	if (bitmap_test_and_set_atomic(m->port_logged, port))
		return;
	n = atomic_inc(&m->nr_logged) - 1;
	if (n == UNCLAIMED_LOG_MAX)
		pr_info("vm%u: more unclaimed ports: no longer reported", vm_id(vm));
	if (n >= UNCLAIMED_LOG_MAX)
		return;
	pr_info("vm%u: unclaimed port 0x%x (%s, %u byte%s); reads all ones, writes ignored",
		vm_id(vm), port, in ? "in" : "out", size, size == 1 ? "" : "s");
}

const struct io_range *pio_lookup(struct vm *vm, u16 port)
{
	struct io_maps *m = vm_io_maps(vm);

	return m ? lookup(load_acquire(&m->pio), port, &m->pio_hint) : NULL;
}

const struct io_range *mmio_lookup(struct vm *vm, u64 gpa)
{
	struct io_maps *m = vm_io_maps(vm);

	return m ? lookup(load_acquire(&m->mmio), gpa, &m->mmio_hint) : NULL;
}

int pio_dispatch(struct vm *vm, unsigned vcpu_id, u16 port, unsigned size, bool in, u32 *val)
{
	struct io_maps *m = vm_io_maps(vm);
	const struct io_range *r = pio_lookup(vm, port);

	if (likely(r))
		return r->fn.pio(r->opaque, vcpu_id, port, size, in, val);
	if (in)
		*val = size >= 4 ? ~0u : (1u << (8 * size)) - 1;
	if (m)
		report_unclaimed(vm, m, port, size, in);
	return 0;
}

int mmio_dispatch(struct vm *vm, unsigned vcpu_id, u64 gpa, unsigned size, bool write, u64 *val)
{
	const struct io_range *r = mmio_lookup(vm, gpa);

	if (!r)
		return -TERN_ENODEV;
	return r->fn.mmio(r->opaque, vcpu_id, gpa - r->base, size, write, val);
}
