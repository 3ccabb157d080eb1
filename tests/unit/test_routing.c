/* SPDX-License-Identifier: MIT */
/* Host tests of irq/routing.c against recording fake chips (tests/unit/fake_chips.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "irq/doorbell.h"
#include "irq/irq_source.h"
#include "irq/routing.h"
#include "irq/routing_internal.h"
#include "tests/unit/fake_chips.h"
#include "tests/unit/stub_kernel.h"
#include "tests/unit/route_entries.h"

#define MSI_ADDR_LO   0xfee01000u
#define MSI_ADDR_HI   0x0u
#define MSI_DATA      0x4031u
#define MSI_DEVID     7u
#define MSI_GSI       30u
#define DUMP_LEN      16384

static const int pc_chip[TERN_NR_IRQCHIPS][IRQCHIP_NUM_PINS] = {
	{ 0, 1, -1, 3, 4, 5, 6, 7, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1 },
	{ -1, -1, -1, -1, -1, -1, -1, -1, 8, 9, 10, 11, 12, 13, 14, 15, -1, -1, -1, -1, -1, -1, -1, -1 },
	{ -1, 1, 0, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23 },
};

static int setup(void **state)
{
	struct vm *vm = stub_vm_new(1);

	fake_chips_reset();
	if (!vm || irq_routing_init_default(vm))
		return -1;
	*state = vm;
	return 0;
}

static int teardown(void **state)
{
	irq_routing_destroy(*state);
	stub_vm_free(*state);
	return 0;
}

static const struct irq_routing_table *table(struct vm *vm)
{
	return vm->irq.routing;
}

static void assert_route(const struct irq_route_entry *e, u32 gsi, u32 chip, u32 pin, const char *set)
{
	assert_non_null(e);
	assert_int_equal(e->gsi, gsi);
	assert_int_equal(e->type, TERN_IRQ_ROUTING_IRQCHIP);
	assert_int_equal(e->irqchip.irqchip, chip);
	assert_int_equal(e->irqchip.pin, pin);
	assert_string_equal(irq_route_set_name(e->set), set);
}

/* ---------------------------------------------------------------- default table */

static void test_default_table(void **state)
{
	struct vm *vm = *state;
	const struct irq_routing_table *t = table(vm);

	assert_non_null(t);
	assert_int_equal(t->nr_rt_entries, 24);
	assert_memory_equal(t->chip, pc_chip, sizeof(pc_chip));
	for (u32 gsi = 0; gsi < 24; gsi++) {
		const struct irq_route_entry *e = t->map[gsi];

		if (gsi == 2) {
			assert_null(e);
			continue;
		}
		if (gsi < 8) {
			assert_route(e, gsi, TERN_IRQCHIP_PIC_MASTER, gsi, "pic_set");
			e = e->link;
		} else if (gsi < 16) {
			assert_route(e, gsi, TERN_IRQCHIP_PIC_SLAVE, gsi, "pic_set");  /* vPIC pin 8..15 */
			e = e->link;
		}
		assert_route(e, gsi, TERN_IRQCHIP_IOAPIC, gsi ? gsi : 2, "ioapic_set");
		assert_null(e->link);
	}
}

static void test_default_limits(void **state)
{
	struct irq_routing_limits lim;

	irq_routing_get_limits(*state, &lim);
	assert_int_equal(lim.max_gsi, IRQ_ROUTING_MAX_GSI);
	assert_int_equal(lim.max_entries, IRQ_ROUTING_MAX_ENTRIES);
	assert_int_equal(lim.max_doorbells, DOORBELL_MAX_DEFAULT);
}

/* ---------------------------------------------------------------- validation */

/* A copy of a whole table allocation, to prove a rejected request changed nothing. */
struct table_snapshot {
	const struct irq_routing_table *ptr;
	size_t size;
	void *bytes;
};

static size_t table_size(const struct irq_routing_table *t)
{
	size_t nr = 0;

	for (u32 gsi = 0; gsi < t->nr_rt_entries; gsi++)
		for (const struct irq_route_entry *e = t->map[gsi]; e; e = e->link)
			nr++;
	return sizeof(*t) + t->nr_rt_entries * sizeof(t->map[0]) + nr * sizeof(struct irq_route_entry);
}

static struct table_snapshot snapshot(struct vm *vm)
{
	struct table_snapshot s = { .ptr = table(vm), .size = table_size(table(vm)) };

	s.bytes = malloc(s.size);
	memcpy(s.bytes, s.ptr, s.size);
	return s;
}

static void assert_unchanged(struct vm *vm, struct table_snapshot *s)
{
	assert_ptr_equal(table(vm), s->ptr);
	assert_memory_equal(table(vm), s->bytes, s->size);
	free(s->bytes);
}

static void expect_reject(struct vm *vm, const struct tern_irq_routing_entry *e, u32 nr, u32 flags,
			  int err, enum irq_route_reject reason, int index)
{
	struct table_snapshot snap = snapshot(vm);
	struct irq_route_error why = { .reason = IRQ_ROUTE_OK, .index = -7 };

	assert_int_equal(irq_set_routing_ex(vm, e, nr, flags, &why), err);
	assert_int_equal(why.reason, reason);
	assert_int_equal(why.index, index);
	assert_unchanged(vm, &snap);
}

static void test_reject_request_level(void **state)
{
	struct vm *vm = *state;
	struct tern_irq_routing_entry ok = route_chip(5, TERN_IRQCHIP_IOAPIC, 5);

	expect_reject(vm, &ok, 1, 1, -TERN_EINVAL, IRQ_ROUTE_ERR_REQUEST_FLAGS, -1);
	/* the count is checked before the array is touched */
	expect_reject(vm, &ok, IRQ_ROUTING_MAX_ENTRIES + 1, 0, -TERN_E2BIG, IRQ_ROUTE_ERR_TOO_MANY, -1);
	expect_reject(vm, NULL, 1, 0, -TERN_EFAULT, IRQ_ROUTE_ERR_NULL, -1);
}

static void test_reject_entry_rules(void **state)
{
	struct vm *vm = *state;
	struct tern_irq_routing_entry e[2];

	e[0] = route_chip(1, TERN_IRQCHIP_IOAPIC, 1);
	e[1] = route_chip(IRQ_ROUTING_MAX_GSI, TERN_IRQCHIP_IOAPIC, 3);
	expect_reject(vm, e, 2, 0, -TERN_ERANGE, IRQ_ROUTE_ERR_GSI, 1);
	e[1] = route_chip(3, TERN_IRQCHIP_IOAPIC, 3);
	e[1].type = TERN_IRQ_ROUTING_S390_ADAPTER;
	expect_reject(vm, e, 2, 0, -TERN_EOPNOTSUPP, IRQ_ROUTE_ERR_TYPE_UNSUPPORTED, 1);
	e[1].type = TERN_IRQ_ROUTING_HV_SINT;
	expect_reject(vm, e, 2, 0, -TERN_EOPNOTSUPP, IRQ_ROUTE_ERR_TYPE_UNSUPPORTED, 1);
	e[1].type = 0;
	expect_reject(vm, e, 2, 0, -TERN_ENOSYS, IRQ_ROUTE_ERR_TYPE_UNKNOWN, 1);
	e[1].type = 99;
	expect_reject(vm, e, 2, 0, -TERN_ENOSYS, IRQ_ROUTE_ERR_TYPE_UNKNOWN, 1);
	e[1] = route_chip(3, TERN_IRQCHIP_IOAPIC, 3);
	e[1].flags = TERN_MSI_VALID_DEVID;  /* only an MSI route may carry it */
	expect_reject(vm, e, 2, 0, -TERN_EINVAL, IRQ_ROUTE_ERR_ENTRY_FLAGS, 1);
	e[1] = route_msi(3, MSI_ADDR_LO, 0, MSI_DATA);
	e[1].flags = 2;
	expect_reject(vm, e, 2, 0, -TERN_EINVAL, IRQ_ROUTE_ERR_ENTRY_FLAGS, 1);
	e[1] = route_chip(3, TERN_NR_IRQCHIPS, 3);
	expect_reject(vm, e, 2, 0, -TERN_ENOENT, IRQ_ROUTE_ERR_IRQCHIP, 1);
	e[1] = route_chip(3, TERN_IRQCHIP_PIC_MASTER, IRQCHIP_PIC_PINS);
	expect_reject(vm, e, 2, 0, -TERN_ERANGE, IRQ_ROUTE_ERR_PIN, 1);
	e[1] = route_chip(3, TERN_IRQCHIP_PIC_SLAVE, IRQCHIP_PIC_PINS);
	expect_reject(vm, e, 2, 0, -TERN_ERANGE, IRQ_ROUTE_ERR_PIN, 1);
	e[1] = route_chip(3, TERN_IRQCHIP_IOAPIC, IRQCHIP_IOAPIC_PINS);
	expect_reject(vm, e, 2, 0, -TERN_ERANGE, IRQ_ROUTE_ERR_PIN, 1);
}

static void test_reject_sharing_rules(void **state)
{
	struct vm *vm = *state;
	struct tern_irq_routing_entry e[2];

	e[0] = route_chip(9, TERN_IRQCHIP_IOAPIC, 9);
	e[1] = route_chip(9, TERN_IRQCHIP_IOAPIC, 10);
	expect_reject(vm, e, 2, 0, -TERN_EEXIST, IRQ_ROUTE_ERR_DUP_CHIP, 1);
	e[1] = route_chip(9, TERN_IRQCHIP_PIC_MASTER, 1);
	e[0] = route_chip(9, TERN_IRQCHIP_PIC_MASTER, 2);
	expect_reject(vm, e, 2, 0, -TERN_EEXIST, IRQ_ROUTE_ERR_DUP_CHIP, 1);
	e[0] = route_chip(9, TERN_IRQCHIP_IOAPIC, 9);
	e[1] = route_msi(9, MSI_ADDR_LO, 0, MSI_DATA);
	expect_reject(vm, e, 2, 0, -TERN_EBUSY, IRQ_ROUTE_ERR_MSI_SHARED, 1);
	e[0] = route_msi(9, MSI_ADDR_LO, 0, MSI_DATA);
	e[1] = route_chip(9, TERN_IRQCHIP_IOAPIC, 9);
	expect_reject(vm, e, 2, 0, -TERN_EBUSY, IRQ_ROUTE_ERR_MSI_SHARED, 1);
	e[1] = route_msi(9, MSI_ADDR_LO, 0, MSI_DATA + 1);
	expect_reject(vm, e, 2, 0, -TERN_EBUSY, IRQ_ROUTE_ERR_MSI_SHARED, 1);
}

static void test_reject_per_vm_limits(void **state)
{
	struct vm *vm = *state;
	struct irq_routing_limits lim = { .max_gsi = 32, .max_entries = 40, .max_doorbells = 8 };
	struct tern_irq_routing_entry e[41];

	assert_int_equal(irq_routing_set_limits(vm, &lim), 0);
	e[0] = route_chip(32, TERN_IRQCHIP_IOAPIC, 3);
	expect_reject(vm, e, 1, 0, -TERN_ERANGE, IRQ_ROUTE_ERR_GSI, 0);
	for (unsigned i = 0; i < 41; i++)
		e[i] = route_msi(i, MSI_ADDR_LO, 0, MSI_DATA);
	expect_reject(vm, e, 41, 0, -TERN_E2BIG, IRQ_ROUTE_ERR_TOO_MANY, -1);
	e[0] = route_chip(31, TERN_IRQCHIP_IOAPIC, 3);
	assert_int_equal(irq_set_routing(vm, e, 1, 0), 0);
	assert_int_equal(table(vm)->nr_rt_entries, 32);
	/* limits beyond the ceilings or below the PC wiring are refused */
	lim.max_gsi = IRQ_ROUTING_MAX_GSI + 1;
	assert_int_equal(irq_routing_set_limits(vm, &lim), -TERN_ERANGE);
	lim.max_gsi = IRQ_ROUTING_DEFAULT_GSIS - 1;
	assert_int_equal(irq_routing_set_limits(vm, &lim), -TERN_ERANGE);
	lim.max_gsi = 32;
	lim.max_entries = IRQ_ROUTING_DEFAULT_ENTRIES - 1;
	assert_int_equal(irq_routing_set_limits(vm, &lim), -TERN_ERANGE);
	lim.max_entries = 40;
	lim.max_doorbells = DOORBELL_SLOTS + 1;
	assert_int_equal(irq_routing_set_limits(vm, &lim), -TERN_ERANGE);
	irq_routing_get_limits(vm, &lim);
	assert_int_equal(lim.max_gsi, 32);
	assert_int_equal(lim.max_doorbells, 8);
}

static void test_reject_reasons_distinct(void **state)
{
	(void)state;
	for (int a = 0; a < IRQ_ROUTE_ERR_COUNT; a++) {
		assert_string_not_equal(irq_route_reject_str(a), "?");
		for (int b = a + 1; b < IRQ_ROUTE_ERR_COUNT; b++)
			assert_string_not_equal(irq_route_reject_str(a), irq_route_reject_str(b));
	}
	assert_string_equal(irq_route_reject_str(IRQ_ROUTE_ERR_COUNT), "?");
}

static void test_not_initialised(void **state)
{
	struct vm *vm = stub_vm_new(1);
	struct tern_irq_routing_entry e = route_chip(1, TERN_IRQCHIP_IOAPIC, 1);
	struct irq_route_error why;

	(void)state;
	assert_int_equal(irq_set_routing_ex(vm, &e, 1, 0, &why), -TERN_ENODEV);
	assert_int_equal(why.reason, IRQ_ROUTE_ERR_NO_STATE);
	assert_int_equal(set_irq(vm, 0, 1, 1), -TERN_ENOENT);
	assert_int_equal(irq_source_alloc(vm), -TERN_ENODEV);
	irq_ack_notify(vm, TERN_IRQCHIP_IOAPIC, 1);  /* harmless */
	irq_routing_destroy(vm);
	assert_int_equal(fake_chips.nr_log, 0);
	stub_vm_free(vm);
}

/* ---------------------------------------------------------------- set_irq */

static void test_set_irq_fanout(void **state)
{
	struct vm *vm = *state;

	for (u32 gsi = 0; gsi < 24; gsi++) {
		unsigned ioapic_pin = gsi ? gsi : 2;

		fake_chips_reset();
		if (gsi == 2) {
			assert_int_equal(set_irq(vm, IRQ_SOURCE_USER, gsi, 1), -TERN_ENOENT);
			assert_int_equal(fake_chips.nr_log, 0);
			continue;
		}
		assert_int_equal(set_irq(vm, IRQ_SOURCE_USER, gsi, 1), 1);
		assert_int_equal(fake_chips.ioapic.calls, 1);
		assert_int_equal(fake_pin_level(FAKE_IOAPIC, ioapic_pin), 1);
		if (gsi < 16) {
			assert_int_equal(fake_chips.nr_log, 2);
			assert_int_equal(fake_chips.log[0].chip, FAKE_PIC);  /* request order: PIC first */
			assert_int_equal(fake_chips.log[0].pin, gsi);
			assert_int_equal(fake_chips.log[1].pin, ioapic_pin);
			assert_int_equal(fake_pin_level(FAKE_PIC, gsi), 1);
		} else {
			assert_int_equal(fake_chips.nr_log, 1);
			assert_int_equal(fake_chips.pic.calls, 0);
		}
		assert_int_equal(set_irq(vm, IRQ_SOURCE_USER, gsi, 1), 0);   /* coalesced */
		assert_int_equal(set_irq(vm, IRQ_SOURCE_USER, gsi, 0), 0);
		assert_int_equal(fake_pin_level(FAKE_IOAPIC, ioapic_pin), 0);
	}
}

static void test_set_irq_bad_arguments(void **state)
{
	struct vm *vm = *state;

	assert_int_equal(set_irq(vm, IRQ_SOURCE_USER, 24, 1), -TERN_ENOENT);      /* routable, unrouted */
	assert_int_equal(set_irq(vm, IRQ_SOURCE_USER, IRQ_ROUTING_MAX_GSI - 1, 1), -TERN_ENOENT);
	assert_int_equal(set_irq(vm, IRQ_SOURCE_USER, IRQ_ROUTING_MAX_GSI, 1), -TERN_EINVAL);
	assert_int_equal(set_irq(vm, IRQ_SOURCE_USER, 0xffffffffu, 1), -TERN_EINVAL);
	assert_int_equal(set_irq(vm, IRQ_SOURCE_ID_MAX, 4, 1), -TERN_EINVAL);
	assert_int_equal(fake_chips.nr_log, 0);
}

static void test_set_irq_chip_errors(void **state)
{
	struct vm *vm = *state;

	fake_chips.ioapic.err = -TERN_EIO;
	assert_int_equal(set_irq(vm, IRQ_SOURCE_USER, 4, 1), 1);          /* the PIC took it */
	assert_int_equal(set_irq(vm, IRQ_SOURCE_USER, 17, 1), -TERN_EIO); /* every route failed */
}

static void test_shared_line_or(void **state)
{
	struct vm *vm = *state;
	int a = irq_source_alloc(vm), b = irq_source_alloc(vm);

	assert_int_equal(a, IRQ_SOURCE_FIRST_FREE);
	assert_int_equal(b, IRQ_SOURCE_FIRST_FREE + 1);
	assert_int_equal(set_irq(vm, a, 20, 1), 1);
	assert_int_equal(set_irq(vm, b, 20, 1), 0);   /* already high */
	assert_int_equal(set_irq(vm, a, 20, 0), 0);
	assert_int_equal(fake_pin_level(FAKE_IOAPIC, 20), 1);  /* b still holds it */
	assert_int_equal(fake_chips.ioapic.falls[20], 0);
	assert_int_equal(set_irq(vm, b, 20, 0), 0);
	assert_int_equal(fake_pin_level(FAKE_IOAPIC, 20), 0);
	assert_int_equal(fake_chips.ioapic.edges[20], 1);
	assert_int_equal(fake_chips.ioapic.falls[20], 1);
}

static void test_irq_source_ids(void **state)
{
	struct vm *vm = *state;
	int ids[IRQ_SOURCE_ID_MAX];
	int n = 0, id;

	while ((id = irq_source_alloc(vm)) >= 0)
		ids[n++] = id;
	assert_int_equal(id, -TERN_ENOSPC);
	assert_int_equal(n, IRQ_SOURCE_ID_MAX - IRQ_SOURCE_FIRST_FREE);
	for (int i = 0; i < n; i++)
		assert_int_equal(ids[i], IRQ_SOURCE_FIRST_FREE + i);
	/* a freed source lets go of the lines it held */
	assert_int_equal(set_irq(vm, ids[5], 19, 1), 1);
	irq_source_free(vm, ids[5]);
	assert_int_equal(fake_pin_level(FAKE_IOAPIC, 19), 0);
	assert_int_equal(irq_source_alloc(vm), ids[5]);
	/* fixed and unallocated ids are ignored */
	fake_chips_reset();
	irq_source_free(vm, IRQ_SOURCE_USER);
	irq_source_free(vm, IRQ_SOURCE_RESAMPLER);
	irq_source_free(vm, IRQ_SOURCE_ID_MAX);
	assert_int_equal(fake_chips.nr_log, 0);
	assert_int_equal(irq_source_alloc(vm), -TERN_ENOSPC);
}

/* ---------------------------------------------------------------- MSI and replacing */

static void test_msi_route(void **state)
{
	struct vm *vm = *state;
	struct tern_irq_routing_entry e = route_msi(MSI_GSI, MSI_ADDR_LO, MSI_ADDR_HI, MSI_DATA);
	const struct irq_route_entry *r;

	e.flags = TERN_MSI_VALID_DEVID;
	e.u.msi.devid = MSI_DEVID;
	assert_int_equal(irq_set_routing(vm, &e, 1, 0), 0);
	assert_int_equal(table(vm)->nr_rt_entries, MSI_GSI + 1);
	r = table(vm)->map[MSI_GSI];
	assert_non_null(r);
	assert_null(r->link);
	assert_int_equal(r->type, TERN_IRQ_ROUTING_MSI);
	assert_string_equal(irq_route_set_name(r->set), "msi_set");
	assert_int_equal(r->msi.address_lo, MSI_ADDR_LO);
	assert_int_equal(r->msi.address_hi, MSI_ADDR_HI);
	assert_int_equal(r->msi.data, MSI_DATA);
	assert_int_equal(r->msi.flags, TERN_MSI_VALID_DEVID);
	assert_int_equal(r->msi.devid, MSI_DEVID);
	/* decoded once, at build: physical ID 1, fixed, edge, vector 0x31 */
	assert_int_equal(r->msi.decode_err, 0);
	assert_int_equal(r->msi.irq.dest, 1);
	assert_int_equal(r->msi.irq.vector, 0x31);
	assert_int_equal(r->msi.irq.delivery_mode, LAPIC_DM_FIXED);
	assert_false(r->msi.irq.dest_logical);
	assert_false(r->msi.irq.level_trigger);
	assert_true(r->msi.irq.assert);
	assert_int_equal(r->msi.irq.src_vcpu, -1);
	/* the whole old table went: nothing of the PC wiring is left */
	for (unsigned c = 0; c < TERN_NR_IRQCHIPS; c++)
		for (unsigned p = 0; p < IRQCHIP_NUM_PINS; p++)
			assert_int_equal(table(vm)->chip[c][p], -1);
	assert_int_equal(set_irq(vm, IRQ_SOURCE_USER, 4, 1), -TERN_ENOENT);

	fake_chips.msi_ret = 2;  /* reached two vCPUs */
	assert_int_equal(set_irq(vm, IRQ_SOURCE_USER, MSI_GSI, 1), 2);
	assert_int_equal(fake_chips.nr_msi, 1);
	assert_int_equal(fake_chips.msi[0].address_lo, MSI_ADDR_LO);
	assert_int_equal(fake_chips.msi[0].address_hi, MSI_ADDR_HI);
	assert_int_equal(fake_chips.msi[0].data, MSI_DATA);
	assert_int_equal(set_irq(vm, IRQ_SOURCE_USER, MSI_GSI, 0), 0);  /* an edge: level 0 ignored */
	assert_int_equal(fake_chips.nr_msi, 1);
	assert_int_equal(fake_chips.msi_bad_decode, 0);
}

/* A message that does not decode is kept with its error, and the ring gets it. */
static void test_msi_route_keeps_decode_error(void **state)
{
	struct vm *vm = *state;
	struct tern_irq_routing_entry e[2] = {
		route_msi(MSI_GSI, 0xfed00000u, 0, MSI_DATA),               /* not 0xfeeXXXXX */
		route_msi(MSI_GSI + 1, MSI_ADDR_LO, 0, MSI_DATA | 0x300u),  /* delivery mode 3 */
	};

	assert_int_equal(irq_set_routing(vm, e, 2, 0), 0);
	for (u32 i = 0; i < 2; i++) {
		const struct irq_route_entry *r = table(vm)->map[MSI_GSI + i];

		assert_int_equal(r->msi.decode_err, -TERN_EINVAL);
		assert_int_equal(set_irq(vm, IRQ_SOURCE_USER, MSI_GSI + i, 1), 1);  /* the fake's answer */
	}
	assert_int_equal(fake_chips.nr_msi, 2);
	assert_int_equal(fake_chips.msi_bad_decode, 0);
}

static void test_reroute_ioapic_to_msi(void **state)
{
	struct vm *vm = *state;
	struct tern_irq_routing_entry e[3] = {
		route_chip(4, TERN_IRQCHIP_PIC_MASTER, 4),
		route_chip(4, TERN_IRQCHIP_IOAPIC, 4),
		route_chip(5, TERN_IRQCHIP_IOAPIC, 5),
	};
	u64 grace = rcu_grace_periods();

	assert_int_equal(irq_set_routing(vm, e, 3, 0), 0);
	assert_int_equal(set_irq(vm, IRQ_SOURCE_USER, 5, 1), 1);
	assert_int_equal(set_irq(vm, IRQ_SOURCE_USER, 5, 0), 0);
	assert_int_equal(fake_chips.ioapic.calls, 2);
	e[2] = route_msi(5, MSI_ADDR_LO, 0, MSI_DATA);
	assert_int_equal(irq_set_routing(vm, e, 3, 0), 0);
	assert_int_equal(rcu_grace_periods(), grace + 2);  /* each old table waited for a grace period */
	assert_int_equal(set_irq(vm, IRQ_SOURCE_USER, 5, 1), 1);
	assert_int_equal(fake_chips.ioapic.calls, 2);
	assert_int_equal(fake_chips.nr_msi, 1);
	assert_int_equal(table(vm)->chip[TERN_IRQCHIP_IOAPIC][5], -1);
	assert_int_equal(table(vm)->chip[TERN_IRQCHIP_IOAPIC][4], 4);
	/* the empty table routes nothing */
	assert_int_equal(irq_set_routing(vm, NULL, 0, 0), 0);
	assert_int_equal(table(vm)->nr_rt_entries, 0);
	assert_int_equal(set_irq(vm, IRQ_SOURCE_USER, 4, 1), -TERN_ENOENT);
	assert_int_equal(irq_routing_init_default(vm), 0);  /* back to the PC wiring */
	assert_memory_equal(table(vm)->chip, pc_chip, sizeof(pc_chip));
}

/* ---------------------------------------------------------------- dump */

static void test_irq_dump(void **state)
{
	struct vm *vm = *state;
	char *buf = calloc(1, DUMP_LEN);
	char small[16];
	struct tern_irq_routing_entry e[2] = {
		route_chip(0, TERN_IRQCHIP_IOAPIC, 2),
		route_msi(28, 0xfee00000u, 0, 0x4022),
	};
	int n, id;

	assert_int_equal(irq_set_routing(vm, e, 2, 0), 0);
	id = doorbell_assign(vm, 28, 0, 0);
	assert_true(id > 0);
	assert_int_equal(doorbell_ring(vm, (u32)id), 1);
	n = irq_dump(vm, buf, DUMP_LEN);
	assert_int_equal(n, (int)strlen(buf));
	assert_non_null(strstr(buf, "struct irq_routing_table {\n  chip = {{-1, -1, -1,"));
	assert_non_null(strstr(buf, "{-1, -1, 0, -1, -1,"));   /* IOAPIC pin 2 -> GSI 0 */
	assert_non_null(strstr(buf, "  nr_rt_entries = 29,\n"));
	assert_non_null(strstr(buf, "  map[0]: { gsi = 0, type = 1, set = ioapic_set, "
				    "irqchip = { irqchip = 2, pin = 2 } }\n"));
	assert_non_null(strstr(buf, "  map[28]: { gsi = 28, type = 2, set = msi_set, msi = { address_lo = "
				    "0xfee00000, address_hi = 0x0, data = 0x4022, flags = 0x0, devid = 0 } }\n"));
	assert_non_null(strstr(buf, "doorbells = 1 (limit 256)\n"));
	assert_non_null(strstr(buf, "  irq_entry = { gsi = 28, type = 2, set = msi_set,"));
	assert_non_null(strstr(buf, "  irq_entry_sc = { sequence = 2 },\n"));
	assert_non_null(strstr(buf, "  resampler = none,\n"));
	assert_non_null(strstr(buf, "  rings = 1, deliveries = 1, resamples = 0\n"));
	/* truncation: cut at len - 1, always terminated */
	memset(small, 'x', sizeof(small));
	assert_int_equal(irq_dump(vm, small, sizeof(small)), (int)sizeof(small) - 1);
	assert_int_equal(small[sizeof(small) - 1], '\0');
	assert_memory_equal(small, buf, sizeof(small) - 1);
	assert_int_equal(irq_dump(vm, small, 1), 0);
	assert_int_equal(small[0], '\0');
	assert_int_equal(irq_dump(vm, NULL, 0), 0);
	free(buf);
}

static void test_irq_dump_default_chip_line(void **state)
{
	char *buf = calloc(1, DUMP_LEN);

	irq_dump(*state, buf, DUMP_LEN);
	assert_non_null(strstr(buf, "  chip = {{0, 1, -1, 3, 4, 5, 6, 7, -1, -1, -1, -1, -1, -1, -1, -1, "
				    "-1, -1, -1, -1, -1, -1, -1, -1}, {-1, -1, -1, -1, -1, -1, -1, -1, 8, 9, "
				    "10, 11, 12, 13, 14, 15, -1, -1, -1, -1, -1, -1, -1, -1}, {-1, 1, 0, 3, 4, "
				    "5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23}},\n"));
	assert_non_null(strstr(buf, "  nr_rt_entries = 24,\n"));
	assert_non_null(strstr(buf, "  map[12]: { gsi = 12, type = 1, set = pic_set, irqchip = { irqchip = 1, pin = 12 } }\n"));
	assert_null(strstr(buf, "map[2]:"));
	free(buf);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_default_table),
		T(test_default_limits),
		T(test_reject_request_level),
		T(test_reject_entry_rules),
		T(test_reject_sharing_rules),
		T(test_reject_per_vm_limits),
		cmocka_unit_test(test_reject_reasons_distinct),
		cmocka_unit_test(test_not_initialised),
		T(test_set_irq_fanout),
		T(test_set_irq_bad_arguments),
		T(test_set_irq_chip_errors),
		T(test_shared_line_or),
		T(test_irq_source_ids),
		T(test_msi_route),
		T(test_msi_route_keeps_decode_error),
		T(test_reroute_ioapic_to_msi),
		T(test_irq_dump),
		T(test_irq_dump_default_chip_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
