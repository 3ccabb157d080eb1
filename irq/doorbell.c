/* SPDX-License-Identifier: MIT */
/*
 * Doorbells (irq/doorbell.h). Writers (assign, deassign, grants, routing
 * updates) hold the VM's routing writer lock; rings and EOIs only read,
 * inside an RCU read section, so a doorbell is freed only after a grace
 * period that follows its unpublishing.
 *
 * An id is (generation << DOORBELL_SLOT_BITS) | slot: the slot finds the
 * doorbell in O(1), the generation makes a stale id miss after the slot is
 * reused.
 */
#include "irq/doorbell.h"
#include "irq/irq_source.h"
#include "irq/msi.h"
#include "irq/routing.h"
#include "irq/routing_internal.h"
#include "kernel/limits.h"
#include "kernel/lib/string.h"
#include "kernel/mm.h"
#include "kernel/trace.h"

#define DOORBELL_GEN_LIMIT  (1u << (31 - DOORBELL_SLOT_BITS))  /* ids stay positive ints */
#define DOORBELL_SLOT_MASK  (DOORBELL_SLOTS - 1)

/* ---------------------------------------------------------------- cached route */

/* Writer side of irq_entry_sc: odd while the words change. Writer lock held. */
static void cache_write(struct doorbell *db, const struct irq_route_entry *src)
{
	union route_entry_words w;
	u32 seq = db->entry_seq;

	memset(&w, 0, sizeof(w));
	if (src) {
		w.e = *src;
		w.e.link = NULL;  /* the copy belongs to no table */
	}
	WRITE_ONCE(db->entry_seq, seq + 1);
	smp_wmb();  /* odd is visible before any word changes */
	for (size_t i = 0; i < ROUTE_ENTRY_WORDS; i++)
		WRITE_ONCE(db->entry.w[i], w.w[i]);
	store_release(&db->entry_seq, seq + 2);
}

/*
 * Reader side, one attempt: copy the words straight into the caller's
 * copy, unrolled. True when they were read between two equal even counts.
 */
static ALWAYS_INLINE bool cache_try_read(struct doorbell *db, union route_entry_words *out)
{
	u32 seq = load_acquire(&db->entry_seq);

	if (seq & 1)
		return false;
#pragma GCC unroll 8
	for (size_t i = 0; i < ROUTE_ENTRY_WORDS; i++)
		out->w[i] = READ_ONCE(db->entry.w[i]);
	smp_rmb();  /* the words are read before the count is checked again */
	return READ_ONCE(db->entry_seq) == seq;
}

/* A ring that met a rewrite: retry until a whole copy was read. */
static __attribute__((noinline, cold)) void cache_read_retry(struct doorbell *db,
							    union route_entry_words *out)
{
	while (!cache_try_read(db, out))
		cpu_relax();
}

/*
 * Every ring runs this. The first attempt is straight-line code (no retry
 * loop around it, so no addresses kept across iterations); a copy that
 * raced a rewrite is read again, whole, in cache_read_retry().
 */
static bool cache_read(struct doorbell *db, union route_entry_words *out)
{
	if (unlikely(!cache_try_read(db, out)))
		cache_read_retry(db, out);
	return out->e.type != 0;
}

void doorbells_route_update(struct doorbell_set *s, const struct irq_routing_table *t)
{
	struct doorbell *db;

	list_for_each_entry(db, &s->list, link)
		cache_write(db, irq_route_single(t, db->gsi));
}

/* ---------------------------------------------------------------- lookup */

/* Inside a read section, or with the writer lock held. */
static struct doorbell *doorbell_lookup(struct doorbell_set *s, u32 id)
{
	struct doorbell *db;

	if (!id)
		return NULL;
	db = rcu_dereference(s->slots[id & DOORBELL_SLOT_MASK]);
	return db && db->id == id ? db : NULL;
}

static int free_slot(struct doorbell_set *s)
{
	for (unsigned slot = 0; slot < DOORBELL_SLOTS; slot++)
		if (!s->slots[slot])
			return (int)slot;
	return -TERN_ENOSPC;
}

static u32 next_id(struct doorbell_set *s, unsigned slot)
{
	u32 gen = s->slot_gen[slot] + 1;

	if (gen >= DOORBELL_GEN_LIMIT)
		gen = 1;
	s->slot_gen[slot] = gen;
	return (gen << DOORBELL_SLOT_BITS) | slot;
}

/* ---------------------------------------------------------------- resamplers */

/* Inside a read section, or with the writer lock held. */
static struct resampler *resampler_find(struct doorbell_set *s, u32 gsi)
{
	struct resampler *r;

	list_for_each_entry_rcu(r, &s->resamplers, link)
		if (r->gsi == gsi)
			return r;
	return NULL;
}

/* The GSI's resampler, made from *spare if there is none yet. Writer lock held. */
static struct resampler *resampler_get(struct doorbell_set *s, u32 gsi, struct resampler **spare)
{
	struct resampler *r = resampler_find(s, gsi);

	if (r)
		return r;
	r = *spare;
	*spare = NULL;
	r->gsi = gsi;
	list_init(&r->doorbells);
	list_add_tail_rcu(&r->link, &s->resamplers);
	return r;
}

static const struct resample_notifier *notifier_find(struct doorbell_set *s, u32 resample_id)
{
	for (unsigned i = 0; i < DOORBELL_MAX_NOTIFIERS; i++) {
		const struct resample_notifier *n = rcu_dereference(s->notifiers[i]);

		if (n && n->resample_id == resample_id)
			return n;
	}
	return NULL;
}

static void doorbell_signal(struct doorbell_set *s, struct doorbell *db)
{
	const struct resample_notifier *n;

	atomic_inc(&db->resamples);
	n = notifier_find(s, db->resample_id);
	if (n)
		n->fn(n->ctx);
}

void doorbell_resample_ack(struct vm *vm, struct doorbell_set *s, u32 gsi)
{
	struct resampler *r = resampler_find(s, gsi);
	struct doorbell *db;

	if (!r)
		return;
	TRACE(TR_RESAMPLE, vm, -1, gsi, 0, 0, 0);
	__atomic_store_n(&r->pending, 0, __ATOMIC_RELAXED);
	atomic_inc(&r->acks);
	set_irq(vm, IRQ_SOURCE_RESAMPLER, gsi, 0);
	list_for_each_entry_rcu(db, &r->doorbells, resampler_link)
		doorbell_signal(s, db);
}

/* After the GSI's last resampler went away: release the line it may hold. */
static void resampler_release_line(struct vm *vm, struct doorbell_set *s, u32 gsi)
{
	spin_lock(&s->lock);
	if (!resampler_find(s, gsi))  /* a newer resampler owns the line now */
		set_irq(vm, IRQ_SOURCE_RESAMPLER, gsi, 0);
	spin_unlock(&s->lock);
}

/* ---------------------------------------------------------------- assign / deassign */

static int check_assign(struct doorbell_set *s, u32 gsi, u32 flags, u32 resample_id)
{
	bool resample = flags & TERN_DOORBELL_FLAG_RESAMPLE;

	if (flags & ~(TERN_DOORBELL_FLAG_DEASSIGN | TERN_DOORBELL_FLAG_RESAMPLE))
		return -TERN_EINVAL;
	if (resample != (resample_id != 0))
		return -TERN_EINVAL;
	if (gsi >= READ_ONCE(s->limits.max_gsi))
		return -TERN_ERANGE;
	return 0;
}

/* Bind db (filled in) into s. Writer lock held; *spare may be consumed. */
static int doorbell_bind(struct vm *vm, struct doorbell_set *s, struct doorbell *db,
			 struct resampler **spare)
{
	int slot;

	if (s->count >= READ_ONCE(s->limits.max_doorbells))
		return -TERN_ENOSPC;
	slot = free_slot(s);
	if (slot < 0)
		return slot;
	if (!(db->flags & TERN_DOORBELL_FLAG_RESAMPLE) && !s->pulse_source) {
		int src = irq_source_alloc_in(s);

		if (src < 0)
			return src;
		s->pulse_source = (unsigned)src;
	}
	db->id = next_id(s, (unsigned)slot);
	db->source_id = s->pulse_source;
	cache_write(db, irq_route_single(vm_irq(vm)->routing, db->gsi));
	if (db->flags & TERN_DOORBELL_FLAG_RESAMPLE) {
		db->resampler = resampler_get(s, db->gsi, spare);
		list_add_tail_rcu(&db->resampler_link, &db->resampler->doorbells);
	}
	list_add_tail(&db->link, &s->list);
	s->count++;
	rcu_assign_pointer(s->slots[slot], db);
	return (int)db->id;
}

static int doorbell_deassign_matching(struct vm *vm, u32 gsi, u32 flags, u32 id)
{
	struct tern_doorbell_info info;
	int r;

	if (flags != TERN_DOORBELL_FLAG_DEASSIGN)  /* no RESAMPLE, no unknown bits */
		return -TERN_EINVAL;
	r = doorbell_query(vm, id, &info);
	if (r)
		return r;
	if (info.gsi != gsi)
		return -TERN_ENOENT;
	return doorbell_deassign(vm, id);
}

int doorbell_assign(struct vm *vm, u32 gsi, u32 flags, u32 resample_id)
{
	struct doorbell_set *s = irq_routing_state(vm);
	struct resampler *spare = NULL;
	struct doorbell *db;
	int r;

	if (!s)
		return -TERN_ENODEV;
	if (flags & TERN_DOORBELL_FLAG_DEASSIGN)
		return doorbell_deassign_matching(vm, gsi, flags, resample_id);
	r = check_assign(s, gsi, flags, resample_id);
	if (r)
		return r;
	if (!limits_guest_alloc_ok(sizeof(*db) + sizeof(*spare)))
		return -TERN_ENOMEM;   /* tern's reserve is not for guests */
	db = kzalloc(sizeof(*db));
	if (db && (flags & TERN_DOORBELL_FLAG_RESAMPLE))
		spare = kzalloc(sizeof(*spare));  /* allocated outside the lock, used if the GSI has none */
	if (!db || ((flags & TERN_DOORBELL_FLAG_RESAMPLE) && !spare)) {
		kfree(db);
		return -TERN_ENOMEM;
	}
	db->gsi = gsi;
	db->flags = flags;
	db->resample_id = resample_id;
	spin_lock(&s->lock);
	r = doorbell_bind(vm, s, db, &spare);
	spin_unlock(&s->lock);
	kfree(spare);
	if (r < 0)
		kfree(db);
	else
		TRACE(TR_DB_ASSIGN, vm, -1, r, gsi, flags, resample_id);
	return r;
}

/* Unpublish db; returns its resampler if db was the last user. Writer lock held. */
static struct resampler *doorbell_unbind(struct doorbell_set *s, struct doorbell *db)
{
	struct resampler *r = db->resampler;

	rcu_assign_pointer(s->slots[db->id & DOORBELL_SLOT_MASK], NULL);
	list_del(&db->link);
	s->count--;
	if (!r)
		return NULL;
	list_del_rcu(&db->resampler_link);
	if (!list_empty(&r->doorbells))
		return NULL;
	list_del_rcu(&r->link);
	return r;
}

int doorbell_deassign(struct vm *vm, u32 id)
{
	struct doorbell_set *s = irq_routing_state(vm);
	struct resampler *dead;
	struct doorbell *db;

	if (!s)
		return -TERN_ENODEV;
	spin_lock(&s->lock);
	db = doorbell_lookup(s, id);
	if (!db) {
		spin_unlock(&s->lock);
		return -TERN_ENOENT;
	}
	dead = doorbell_unbind(s, db);
	spin_unlock(&s->lock);
	TRACE(TR_DB_DEASSIGN, vm, -1, id, db->gsi, 0, 0);
	synchronize_rcu();  /* every ring that found db has finished */
	if (dead) {
		resampler_release_line(vm, s, dead->gsi);
		kfree(dead);
	}
	kfree(db);
	return 0;
}

void doorbells_free_all(struct doorbell_set *s)
{
	struct doorbell *db, *tmp;
	struct resampler *r, *rtmp;

	list_for_each_entry_safe(db, tmp, &s->list, link)
		kfree(db);
	list_for_each_entry_safe(r, rtmp, &s->resamplers, link)
		kfree(r);
	for (unsigned i = 0; i < DOORBELL_MAX_NOTIFIERS; i++)
		kfree(s->notifiers[i]);
}

/* ---------------------------------------------------------------- ringing */

/* Level-triggered: hold the line until the guest EOIs it. */
static int ring_resample(struct vm *vm, struct doorbell *db)
{
	__atomic_store_n(&db->resampler->pending, 1, __ATOMIC_RELAXED);
	return set_irq(vm, IRQ_SOURCE_RESAMPLER, db->gsi, 1);
}

/* Edge: one message, or a pulse on the pin(s). */
static int ring_pulse(struct vm *vm, struct doorbell *db)
{
	union route_entry_words copy;
	const struct irq_route_entry *e = &copy.e;
	int r;

	if (cache_read(db, &copy)) {
		TRACE(TR_ROUTE, vm, -1, db->gsi, e->type,
		      e->type == TERN_IRQ_ROUTING_MSI ? e->msi.address_lo : e->irqchip.irqchip,
		      e->type == TERN_IRQ_ROUTING_MSI ? e->msi.data : e->irqchip.pin);
		/* an MSI's set() is msi_set: level 1 delivers the kept message, 0 does nothing */
		if (e->type == TERN_IRQ_ROUTING_MSI)
			return msi_route_deliver(vm, &e->msi);
		r = e->set(e, vm, db->source_id, 1, false);
		e->set(e, vm, db->source_id, 0, false);
		return r;
	}
	r = set_irq(vm, db->source_id, db->gsi, 1);
	set_irq(vm, db->source_id, db->gsi, 0);
	return r;
}

/* Inside a read section. */
static int doorbell_fire(struct vm *vm, struct doorbell *db)
{
	int r;

	atomic_inc(&db->rings);
	TRACE(TR_DB_RING, vm, -1, db->id, db->gsi, db->resampler != NULL, 0);
	r = db->resampler ? ring_resample(vm, db) : ring_pulse(vm, db);
	if (r <= 0)
		return 0;
	atomic_inc(&db->deliveries);
	return 1;
}

int doorbell_ring(struct vm *vm, u32 id)
{
	struct doorbell_set *s;
	struct doorbell *db;
	int r;

	rcu_read_lock();
	s = irq_routing_state(vm);
	db = s ? doorbell_lookup(s, id) : NULL;
	if (db)
		r = doorbell_fire(vm, db);
	else
		r = s ? -TERN_ENOENT : -TERN_ENODEV;
	rcu_read_unlock();
	return r;
}

int doorbell_query(struct vm *vm, u32 id, struct tern_doorbell_info *out)
{
	struct doorbell_set *s;
	struct doorbell *db;
	int r = 0;

	if (!out)
		return -TERN_EINVAL;
	rcu_read_lock();
	s = irq_routing_state(vm);
	db = s ? doorbell_lookup(s, id) : NULL;
	if (db) {
		memset(out, 0, sizeof(*out));
		out->id = db->id;
		out->gsi = db->gsi;
		out->flags = db->flags;
		out->resample_id = db->resample_id;
		out->rings = READ_ONCE(db->rings);
		out->deliveries = READ_ONCE(db->deliveries);
		out->route_seq = load_acquire(&db->entry_seq);
		out->resamples = READ_ONCE(db->resamples);
	} else {
		r = s ? -TERN_ENOENT : -TERN_ENODEV;
	}
	rcu_read_unlock();
	return r;
}

/* ---------------------------------------------------------------- resample notify */

static int notifier_slot(struct doorbell_set *s, u32 resample_id, bool want_free)
{
	int free = -1;

	for (unsigned i = 0; i < DOORBELL_MAX_NOTIFIERS; i++) {
		struct resample_notifier *n = s->notifiers[i];

		if (n && n->resample_id == resample_id)
			return (int)i;
		if (!n && free < 0)
			free = (int)i;
	}
	if (!want_free)
		return -TERN_ENOENT;
	return free >= 0 ? free : -TERN_ENOSPC;
}

int doorbell_set_resample_notify(struct vm *vm, u32 resample_id, void (*fn)(void *ctx), void *ctx)
{
	struct doorbell_set *s = irq_routing_state(vm);
	struct resample_notifier *n = NULL, *old;
	int slot;

	if (!s)
		return -TERN_ENODEV;
	if (!resample_id)
		return -TERN_EINVAL;
	if (fn) {
		n = kzalloc(sizeof(*n));
		if (!n)
			return -TERN_ENOMEM;
		n->resample_id = resample_id;
		n->fn = fn;
		n->ctx = ctx;
	}
	spin_lock(&s->lock);
	slot = notifier_slot(s, resample_id, fn != NULL);
	if (slot < 0) {
		spin_unlock(&s->lock);
		kfree(n);
		return slot;
	}
	old = s->notifiers[slot];
	rcu_assign_pointer(s->notifiers[slot], n);
	spin_unlock(&s->lock);
	synchronize_rcu();  /* no EOI still calls the old callback */
	kfree(old);
	return 0;
}

/* ---------------------------------------------------------------- cross-VM */

/*
 * A grant entry holds the ringer's VM id + 1, so a zeroed doorbell has no
 * grants; entries are read lock-free (READ_ONCE) by rings and written
 * under the writer lock.
 */
#define GRANT_FREE 0u

void doorbell_set_vm_id(struct vm *vm, u32 vm_id)
{
	struct doorbell_set *s = irq_routing_state(vm);

	if (s)
		WRITE_ONCE(s->vm_id, vm_id);
}

/* Index of vm_id's grant in db, or -1. */
static int grant_index(struct doorbell *db, u32 vm_id)
{
	for (unsigned i = 0; i < DOORBELL_MAX_GRANTS; i++)
		if (READ_ONCE(db->grants[i]) == vm_id + 1)
			return (int)i;
	return -1;
}

static bool doorbell_granted(struct doorbell *db, u32 vm_id)
{
	return vm_id < DOORBELL_VM_ID_LIMIT && grant_index(db, vm_id) >= 0;
}

/* Add vm_id to db's grants. Writer lock held. */
static int grant_add(struct doorbell *db, u32 vm_id)
{
	if (grant_index(db, vm_id) >= 0)
		return 0;
	for (unsigned i = 0; i < DOORBELL_MAX_GRANTS; i++) {
		if (db->grants[i] == GRANT_FREE) {
			store_release(&db->grants[i], vm_id + 1);
			return 0;
		}
	}
	return -TERN_ENOSPC;
}

int doorbell_grant(struct vm *owner, u32 id, u32 ringer_vm_id)
{
	struct doorbell_set *s = irq_routing_state(owner);
	struct doorbell *db;
	int r;

	if (!s)
		return -TERN_ENODEV;
	if (ringer_vm_id >= DOORBELL_VM_ID_LIMIT)
		return -TERN_ERANGE;
	spin_lock(&s->lock);
	db = doorbell_lookup(s, id);
	r = db ? grant_add(db, ringer_vm_id) : -TERN_ENOENT;
	spin_unlock(&s->lock);
	return r;
}

int doorbell_revoke(struct vm *owner, u32 id, u32 ringer_vm_id)
{
	struct doorbell_set *s = irq_routing_state(owner);
	struct doorbell *db;
	int r = -TERN_ENOENT, at;

	if (!s)
		return -TERN_ENODEV;
	if (ringer_vm_id >= DOORBELL_VM_ID_LIMIT)
		return -TERN_ENOENT;
	spin_lock(&s->lock);
	db = doorbell_lookup(s, id);
	at = db ? grant_index(db, ringer_vm_id) : -1;
	if (at >= 0) {
		WRITE_ONCE(db->grants[at], GRANT_FREE);
		r = 0;
	}
	spin_unlock(&s->lock);
	return r;
}

/* May VM who ring db? Its owner (owner_id) and the VMs granted. Inside a read section. */
static bool may_ring(struct doorbell *db, u32 owner_id, u32 who)
{
	if (who == DOORBELL_VM_ID_ANY)
		return true;
	return (who == owner_id && owner_id != DOORBELL_VM_ID_NONE) || doorbell_granted(db, who);
}

int doorbell_find(struct vm *owner, u32 gsi, u32 ringer_vm_id)
{
	struct doorbell_set *s;
	int r = -TERN_ENOENT;

	rcu_read_lock();
	s = irq_routing_state(owner);
	for (unsigned slot = 0; s && slot < DOORBELL_SLOTS && r < 0; slot++) {
		struct doorbell *db = rcu_dereference(s->slots[slot]);

		if (db && db->gsi == gsi && may_ring(db, READ_ONCE(s->vm_id), ringer_vm_id))
			r = (int)db->id;
	}
	rcu_read_unlock();
	return s ? r : -TERN_ENODEV;
}

/* Bitmap of the VMs other than own_id granted on db. */
static u64 doorbell_ringer_mask(struct doorbell *db, u32 own_id)
{
	u64 mask = 0;

	for (unsigned i = 0; i < DOORBELL_MAX_GRANTS; i++) {
		u32 g = READ_ONCE(db->grants[i]);

		if (g != GRANT_FREE && g - 1 != own_id)
			mask |= BIT64(g - 1);
	}
	return mask;
}

u64 doorbell_remote_ringers(struct vm *owner)
{
	struct doorbell_set *s;
	u64 mask = 0;

	rcu_read_lock();
	s = irq_routing_state(owner);
	for (unsigned slot = 0; s && slot < DOORBELL_SLOTS; slot++) {
		struct doorbell *db = rcu_dereference(s->slots[slot]);

		if (db)
			mask |= doorbell_ringer_mask(db, READ_ONCE(s->vm_id));
	}
	rcu_read_unlock();
	return mask;
}

static u32 ringer_vm_id(struct vm *ringer)
{
	struct doorbell_set *rs = irq_routing_state(ringer);

	return rs ? READ_ONCE(rs->vm_id) : DOORBELL_VM_ID_NONE;
}

int doorbell_ring_from(struct vm *ringer, struct vm *owner, u32 id)
{
	struct doorbell_set *s;
	struct doorbell *db;
	u32 who;
	int r;

	if (ringer == owner)
		return doorbell_ring(owner, id);
	rcu_read_lock();
	who = ringer_vm_id(ringer);
	s = irq_routing_state(owner);
	db = s ? doorbell_lookup(s, id) : NULL;
	if (!db)
		r = s ? -TERN_ENOENT : -TERN_ENODEV;
	else if (!doorbell_granted(db, who))
		r = -TERN_EPERM;
	else
		r = doorbell_fire(owner, db);
	rcu_read_unlock();
	return r;
}
