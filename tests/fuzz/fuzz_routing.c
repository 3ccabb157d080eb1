/* SPDX-License-Identifier: MIT */
/*
 * GSI routing and doorbells (irq/routing.c, irq/doorbell.c, irq/irq_dump.c)
 * against the recording fake chips (tests/unit/fake_chips.c), single
 * threaded. Operations: irq_set_routing_ex with arbitrary requests (mostly
 * near-valid: small GSIs, real chips and pins, a few MSIs, occasional bad
 * types/flags/pins), set_irq on any GSI by any source, irq_ack_notify on
 * any chip/pin, doorbell assign / deassign (both calls) / ring / query,
 * irq source alloc/free and limit changes.
 *
 * Invariants (irq/routing.h, irq/doorbell.h, KVM_SET_GSI_ROUTING rules):
 *  - a request is accepted exactly when the shadow validator says so
 *    (flags 0, nr within the limit, every entry of a known type with valid
 *    flags/chip/pin/GSI, one route per chip per GSI, an MSI route alone);
 *    a rejection returns the errno of its reason, names an entry index in
 *    range (or -1), and leaves the table pointer and irq_dump() text exactly
 *    as they were;
 *  - an accepted request is published as given: nr_rt_entries = top GSI + 1,
 *    each map[gsi] holds that GSI's entries in request order (slave pins
 *    shifted to 8-15), chip[][] names the last GSI routed to each pin;
 *  - set_irq: -TERN_EINVAL for source >= 64 or GSI beyond the limit,
 *    -TERN_ENOENT for an unrouted GSI, else >= 0 with one chip call per
 *    pin route (an MSI route only for level 1);
 *  - doorbell ids are > 0 and never reused; ring/query/deassign of a
 *    live id succeed and of any other id give -TERN_ENOENT; a query reports
 *    the binding and counts every ring; irq_dump always NUL-terminates.
 */
#include <tern/errno.h>
#include <tern/hypercall.h>
#include "irq/doorbell.h"
#include "irq/irq_source.h"
#include "irq/routing.h"
#include "tests/fuzz/fuzz.h"
#include "tests/unit/fake_chips.h"
#include "tests/unit/stub_kernel.h"

#define MAX_OPS   120
#define MAX_REQ   14
#define MAX_DB    48
#define DUMP_LEN  32768

struct db_shadow {
	u32 id, gsi, flags, resample_id;
	u64 rings;
	bool live;
};

static struct db_shadow dbs[MAX_DB];
static unsigned nr_dbs;
static char dump_a[DUMP_LEN], dump_b[DUMP_LEN];

static int reason_errno(enum irq_route_reject r)
{
	switch (r) {
	case IRQ_ROUTE_ERR_NO_STATE:         return -TERN_ENODEV;
	case IRQ_ROUTE_ERR_REQUEST_FLAGS:    return -TERN_EINVAL;
	case IRQ_ROUTE_ERR_TOO_MANY:         return -TERN_E2BIG;
	case IRQ_ROUTE_ERR_NULL:             return -TERN_EFAULT;
	case IRQ_ROUTE_ERR_GSI:              return -TERN_ERANGE;
	case IRQ_ROUTE_ERR_TYPE_UNSUPPORTED: return -TERN_EOPNOTSUPP;
	case IRQ_ROUTE_ERR_TYPE_UNKNOWN:     return -TERN_ENOSYS;
	case IRQ_ROUTE_ERR_ENTRY_FLAGS:      return -TERN_EINVAL;
	case IRQ_ROUTE_ERR_IRQCHIP:          return -TERN_ENOENT;
	case IRQ_ROUTE_ERR_PIN:              return -TERN_ERANGE;
	case IRQ_ROUTE_ERR_DUP_CHIP:         return -TERN_EEXIST;
	case IRQ_ROUTE_ERR_MSI_SHARED:       return -TERN_EBUSY;
	case IRQ_ROUTE_ERR_NOMEM:            return -TERN_ENOMEM;
	default:                             return 1;   /* never an errno */
	}
}

static unsigned pins_of(u32 chip)
{
	return chip == TERN_IRQCHIP_IOAPIC ? 24 : 8;
}

/* The shadow validator: KVM's rules as irq/routing.h states them. */
static bool request_valid(const struct tern_irq_routing_entry *e, u32 nr, u32 flags,
			  const struct irq_routing_limits *lim)
{
	if (flags || nr > lim->max_entries)
		return false;
	for (u32 i = 0; i < nr; i++) {
		if (e[i].type == TERN_IRQ_ROUTING_IRQCHIP) {
			if (e[i].flags || e[i].u.irqchip.irqchip >= TERN_NR_IRQCHIPS ||
			    e[i].u.irqchip.pin >= pins_of(e[i].u.irqchip.irqchip))
				return false;
		} else if (e[i].type == TERN_IRQ_ROUTING_MSI) {
			if (e[i].flags & ~TERN_MSI_VALID_DEVID)
				return false;
		} else {
			return false;
		}
		if (e[i].gsi >= lim->max_gsi)
			return false;
		for (u32 j = 0; j < i; j++) {
			if (e[j].gsi != e[i].gsi)
				continue;
			if (e[i].type == TERN_IRQ_ROUTING_MSI || e[j].type == TERN_IRQ_ROUTING_MSI)
				return false;
			if (e[i].u.irqchip.irqchip == e[j].u.irqchip.irqchip)
				return false;
		}
	}
	return true;
}

static void check_table(struct vm *vm, const struct tern_irq_routing_entry *req, u32 nr)
{
	const struct irq_routing_table *t = vm->irq.routing;
	int chip[TERN_NR_IRQCHIPS][IRQCHIP_NUM_PINS];
	u32 top = 0, seen = 0;

	FUZZ_CHECK(t != NULL, "no table");
	memset(chip, 0xff, sizeof(chip));
	for (u32 i = 0; i < nr; i++) {
		top = req[i].gsi + 1 > top ? req[i].gsi + 1 : top;
		if (req[i].type == TERN_IRQ_ROUTING_IRQCHIP)
			chip[req[i].u.irqchip.irqchip][req[i].u.irqchip.pin +
				(req[i].u.irqchip.irqchip == TERN_IRQCHIP_PIC_SLAVE ? 8 : 0)] =
				(int)req[i].gsi;
	}
	FUZZ_CHECK(t->nr_rt_entries == top, "nr_rt_entries %u, want %u", t->nr_rt_entries, top);
	FUZZ_CHECK(!memcmp(chip, t->chip, sizeof(chip)), "chip[][] differs from the request");
	for (u32 g = 0; g < t->nr_rt_entries; g++) {
		const struct irq_route_entry *r = t->map[g];

		for (u32 i = 0; i < nr; i++) {
			if (req[i].gsi != g)
				continue;
			FUZZ_CHECK(r != NULL, "gsi %u: route %u missing", g, i);
			FUZZ_CHECK(r->gsi == g && r->type == req[i].type && r->set, "gsi %u route %u", g, i);
			if (r->type == TERN_IRQ_ROUTING_MSI)
				FUZZ_CHECK(r->msi.address_lo == req[i].u.msi.address_lo &&
					   r->msi.address_hi == req[i].u.msi.address_hi &&
					   r->msi.data == req[i].u.msi.data && r->msi.flags == req[i].flags,
					   "gsi %u msi route differs", g);
			else
				FUZZ_CHECK(r->irqchip.irqchip == req[i].u.irqchip.irqchip &&
					   r->irqchip.pin == req[i].u.irqchip.pin +
					   (r->irqchip.irqchip == TERN_IRQCHIP_PIC_SLAVE ? 8 : 0),
					   "gsi %u chip route differs", g);
			r = r->link;
			seen++;
		}
		FUZZ_CHECK(r == NULL, "gsi %u has extra routes", g);
	}
	FUZZ_CHECK(seen == nr, "%u routes published of %u", seen, nr);
}

static void build_request(struct fuzz_in *in, struct tern_irq_routing_entry *e, u32 nr)
{
	for (u32 i = 0; i < nr; i++) {
		u8 b = fin_u8(in);

		memset(&e[i], 0, sizeof(e[i]));
		e[i].gsi = b & 0x80 ? fin_u16(in) : b % 40;
		switch (fin_u8(in) % 16) {
		case 0: case 1: case 2:
			e[i].type = TERN_IRQ_ROUTING_MSI;
			e[i].u.msi.address_lo = 0xfee00000u | (u32)(fin_u8(in) & 3) << 12;
			e[i].u.msi.data = 0x20u + fin_u8(in);
			e[i].u.msi.devid = fin_u8(in);
			e[i].flags = fin_u8(in) % 8 == 0 ? fin_u8(in) : (fin_u8(in) & TERN_MSI_VALID_DEVID);
			break;
		case 3:
			e[i].type = fin_u8(in);
			break;
		default:
			e[i].type = TERN_IRQ_ROUTING_IRQCHIP;
			e[i].u.irqchip.irqchip = fin_u8(in) % 4 == 3 ? fin_u8(in) : fin_u8(in) % 3;
			e[i].u.irqchip.pin = fin_u8(in) % 26;
			e[i].flags = fin_u8(in) % 32 == 0;
			break;
		}
	}
}

static struct db_shadow *db_find(u32 id)
{
	for (unsigned i = 0; i < nr_dbs; i++)
		if (dbs[i].id == id)
			return &dbs[i];
	return NULL;
}

static u32 pick_db_id(struct fuzz_in *in)
{
	u8 b = fin_u8(in);

	if (nr_dbs && b < 0xe0)
		return dbs[b % nr_dbs].id;
	return b & 0x1f;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct vm *vm = stub_vm_new(1);
	struct tern_irq_routing_entry req[MAX_REQ];
	unsigned sources[8], nr_sources = 0;

	fake_chips_reset();
	if (!vm || irq_routing_init_default(vm))
		abort();
	nr_dbs = 0;
	for (unsigned op = 0; op < MAX_OPS && fin_more(&in); op++) {
		struct irq_routing_limits lim;

		irq_routing_get_limits(vm, &lim);
		switch (fin_u8(&in) % 12) {
		case 0: case 1: {     /* irq_set_routing */
			u32 nr = fin_u8(&in) % (MAX_REQ + 1);
			u32 flags = fin_u8(&in) % 32 == 0 ? 1 : 0;
			struct irq_route_error err;
			const struct irq_routing_table *old = vm->irq.routing;
			bool valid;
			int rc;

			build_request(&in, req, nr);
			valid = request_valid(req, nr, flags, &lim);
			irq_dump(vm, dump_a, sizeof(dump_a));
			rc = irq_set_routing_ex(vm, req, nr, flags, &err);
			if (rc) {
				FUZZ_CHECK(!valid, "valid request rejected: %d (%s, entry %d)", rc,
					   irq_route_reject_str(err.reason), err.index);
				FUZZ_CHECK(rc == reason_errno(err.reason), "rc %d for reason %d", rc,
					   err.reason);
				FUZZ_CHECK(err.index >= -1 && err.index < (int)nr, "index %d", err.index);
				FUZZ_CHECK(vm->irq.routing == old, "rejected request replaced the table");
				irq_dump(vm, dump_b, sizeof(dump_b));
				FUZZ_CHECK(!strcmp(dump_a, dump_b), "rejected request changed the dump");
			} else {
				FUZZ_CHECK(valid, "invalid request accepted");
				FUZZ_CHECK(err.reason == IRQ_ROUTE_OK, "reason set on success");
				check_table(vm, req, nr);
			}
			break;
		}
		case 2: case 3: {     /* set_irq */
			u8 b = fin_u8(&in);
			unsigned src = b & 0x80 ? fin_u8(&in) : (nr_sources && (b & 0x40) ?
				       sources[b % nr_sources] : b % 3);
			u32 gsi = fin_u8(&in) & 0x80 ? fin_u16(&in) : fin_u8(&in) % 40;
			int level = fin_u8(&in) & 1;
			const struct irq_routing_table *t = vm->irq.routing;
			unsigned calls = fake_chips.pic.calls + fake_chips.ioapic.calls;
			unsigned want_calls = 0, msis = fake_chips.nr_msi;
			bool routed = t && gsi < t->nr_rt_entries && t->map[gsi];
			int rc = set_irq(vm, src, gsi, level);

			if (routed)
				for (const struct irq_route_entry *r = t->map[gsi]; r; r = r->link)
					want_calls += r->type == TERN_IRQ_ROUTING_IRQCHIP;
			if (src >= IRQ_SOURCE_ID_MAX || gsi >= lim.max_gsi)
				FUZZ_CHECK(rc == -TERN_EINVAL, "set_irq(%u, %u) = %d", src, gsi, rc);
			else if (!routed)
				FUZZ_CHECK(rc == -TERN_ENOENT, "unrouted gsi %u: %d", gsi, rc);
			else
				FUZZ_CHECK(rc >= 0 && fake_chips.pic.calls + fake_chips.ioapic.calls ==
					   calls + want_calls && (level || fake_chips.nr_msi == msis),
					   "set_irq(%u, %u, %d) = %d, %u chip calls for %u pin routes", src,
					   gsi, level, rc, fake_chips.pic.calls + fake_chips.ioapic.calls -
					   calls, want_calls);
			break;
		}
		case 4: {             /* EOI hook */
			u8 chip = fin_u8(&in);

			irq_ack_notify(vm, chip & 0x80 ? chip : chip % 3, fin_u8(&in) % 30);
			break;
		}
		case 5: case 6: {     /* doorbell_assign */
			u8 b = fin_u8(&in);
			u32 gsi = b & 0x80 ? fin_u16(&in) : b % 40;
			u8 f = fin_u8(&in);
			u32 flags = f % 4 == 3 ? fin_u8(&in) : (f & 2) ? TERN_DOORBELL_FLAG_RESAMPLE : 0;
			u32 rid = (flags & TERN_DOORBELL_FLAG_RESAMPLE) ? 1 + (f >> 4) % 4 :
				  (f & 0x80) ? 1 : 0;
			int rc;

			if (flags == TERN_DOORBELL_FLAG_DEASSIGN) {
				rid = pick_db_id(&in);
				if (db_find(rid) && (f & 0x40))
					gsi = db_find(rid)->gsi;
			}
			rc = doorbell_assign(vm, gsi, flags, rid);
			if (flags == TERN_DOORBELL_FLAG_DEASSIGN) {
				struct db_shadow *d = db_find(rid);

				if (!rc) {
					FUZZ_CHECK(d && d->live && d->gsi == gsi, "deassigned %u (gsi %u) "
						   "that was not live there", rid, gsi);
					d->live = false;
				} else {
					FUZZ_CHECK(rc < 0, "deassign rc %d", rc);
				}
				break;
			}
			if (rc > 0) {
				FUZZ_CHECK(!db_find((u32)rc), "doorbell id %d reused", rc);
				FUZZ_CHECK(gsi < lim.max_gsi && !(flags & ~TERN_DOORBELL_FLAG_RESAMPLE) &&
					   !!(flags & TERN_DOORBELL_FLAG_RESAMPLE) == (rid != 0),
					   "assign(gsi %u, flags %x, rid %u) accepted", gsi, flags, rid);
				if (nr_dbs < MAX_DB)
					dbs[nr_dbs++] = (struct db_shadow){ (u32)rc, gsi, flags, rid, 0, true };
			} else {
				FUZZ_CHECK(rc == -TERN_EINVAL || rc == -TERN_ERANGE || rc == -TERN_ENOSPC,
					   "assign rc %d", rc);
			}
			break;
		}
		case 7: {             /* doorbell_deassign */
			u32 id = pick_db_id(&in);
			struct db_shadow *d = db_find(id);
			int rc = doorbell_deassign(vm, id);

			FUZZ_CHECK(rc == ((d && d->live) ? 0 : -TERN_ENOENT), "deassign(%u) = %d", id, rc);
			if (d)
				d->live = false;
			break;
		}
		case 8: case 9: {     /* ring */
			u32 id = pick_db_id(&in);
			struct db_shadow *d = db_find(id);
			int rc = doorbell_ring(vm, id);

			if (d && d->live) {
				FUZZ_CHECK(rc == 0 || rc == 1, "ring(%u) = %d", id, rc);
				d->rings++;
			} else {
				FUZZ_CHECK(rc == -TERN_ENOENT, "ring of dead id %u = %d", id, rc);
			}
			break;
		}
		case 10: {            /* query */
			u32 id = pick_db_id(&in);
			struct db_shadow *d = db_find(id);
			struct tern_doorbell_info info;
			int rc = doorbell_query(vm, id, &info);

			if (d && d->live)
				FUZZ_CHECK(rc == 0 && info.id == id && info.gsi == d->gsi &&
					   info.flags == d->flags && info.resample_id == d->resample_id &&
					   info.rings == d->rings && info.deliveries <= info.rings,
					   "query(%u) = %d: gsi %u flags %x rid %u rings %llu/%llu", id, rc,
					   info.gsi, info.flags, info.resample_id,
					   (unsigned long long)info.rings, (unsigned long long)d->rings);
			else
				FUZZ_CHECK(rc == -TERN_ENOENT, "query of dead id %u = %d", id, rc);
			break;
		}
		default: {            /* sources and limits */
			u8 b = fin_u8(&in);

			if (b < 0x60) {
				int id = irq_source_alloc(vm);

				FUZZ_CHECK(id == -TERN_ENOSPC || (id >= IRQ_SOURCE_FIRST_FREE &&
					   id < IRQ_SOURCE_ID_MAX), "source id %d", id);
				for (unsigned i = 0; id >= 0 && i < nr_sources; i++)
					FUZZ_CHECK(sources[i] != (unsigned)id, "source id %d handed out twice", id);
				if (id >= 0 && nr_sources < 8)
					sources[nr_sources++] = (unsigned)id;
			} else if (b < 0xc0) {
				if (nr_sources) {
					unsigned k = b % nr_sources;

					irq_source_free(vm, sources[k]);
					sources[k] = sources[nr_sources - 1];
					nr_sources--;
				}
			} else {
				struct irq_routing_limits nl = {
					.max_gsi = 24 + fin_u8(&in) % 40,
					.max_entries = 38 + fin_u8(&in) % 16,
					.max_doorbells = fin_u8(&in) % 40,
				};
				int rc = irq_routing_set_limits(vm, &nl);
				struct irq_routing_limits got;

				irq_routing_get_limits(vm, &got);
				if (!rc)
					FUZZ_CHECK(!memcmp(&got, &nl, sizeof(nl)), "limits not applied");
				else
					FUZZ_CHECK(rc == -TERN_ERANGE && !memcmp(&got, &lim, sizeof(lim)),
						   "set_limits rc %d changed them", rc);
			}
			break;
		}
		}
		if (op % 16 == 15) {
			int n = irq_dump(vm, dump_a, sizeof(dump_a));

			FUZZ_CHECK(n >= 0 && (size_t)n < sizeof(dump_a) && dump_a[n] == '\0',
				   "irq_dump returned %d", n);
		}
	}
	irq_routing_destroy(vm);
	stub_vm_free(vm);
	return 0;
}
