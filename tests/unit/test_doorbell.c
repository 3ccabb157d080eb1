/* SPDX-License-Identifier: MIT */
/* Host tests of irq/doorbell.c: binding, rings, cached routes, resamplers, grants. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "irq/doorbell.h"
#include "irq/irq_source.h"
#include "irq/routing.h"
#include "irq/routing_internal.h"
#include "tests/unit/fake_chips.h"
#include "tests/unit/stub_kernel.h"
#include "tests/unit/route_entries.h"

#define MSI_LO_A     0xfee00000u
#define MSI_LO_B     0xfee01000u
#define MSI_DATA_A   0x4041u
#define MSI_DATA_B   0x4052u
#define MSI_GSI      40u
#define IOAPIC_GSI   17u      /* IOAPIC only in the PC wiring */
#define SHARED_GSI   5u       /* PIC pin 5 and IOAPIC pin 5 */
#define SLAVE_GSI    12u      /* PIC slave pin 4 (vPIC pin 12) and IOAPIC pin 12 */
#define RESAMPLE_ID  77u
#define CYCLES       5
#define VM_A_ID      0u
#define VM_B_ID      1u
#define DUMP_LEN     8192

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

/* A small table: GSI 17 on IOAPIC pin 17, plus one extra route. */
static void route_two(struct vm *vm, struct tern_irq_routing_entry extra)
{
	struct tern_irq_routing_entry e[2] = {
		route_chip(IOAPIC_GSI, TERN_IRQCHIP_IOAPIC, IOAPIC_GSI),
		extra,
	};

	assert_int_equal(irq_set_routing(vm, e, 2, 0), 0);
}

static struct tern_doorbell_info query(struct vm *vm, int id)
{
	struct tern_doorbell_info info;

	assert_int_equal(doorbell_query(vm, (u32)id, &info), 0);
	return info;
}

static struct doorbell *lookup(struct vm *vm, int id)
{
	return vm->irq.doorbells->slots[(u32)id & (DOORBELL_SLOTS - 1)];
}

/* ---------------------------------------------------------------- assign, ring, query */

static void test_msi_doorbell(void **state)
{
	struct vm *vm = *state;
	struct tern_doorbell_info info;
	int id;

	route_two(vm, route_msi(MSI_GSI, MSI_LO_A, 0, MSI_DATA_A));
	id = doorbell_assign(vm, MSI_GSI, 0, 0);
	assert_true(id > 0);
	info = query(vm, id);
	assert_int_equal(info.id, id);
	assert_int_equal(info.gsi, MSI_GSI);
	assert_int_equal(info.flags, 0);
	assert_int_equal(info.resample_id, 0);
	assert_int_equal(info.rings, 0);
	assert_int_equal(info.route_seq, 2);   /* the route was cached once, count even */
	for (int i = 0; i < 3; i++)
		assert_int_equal(doorbell_ring(vm, (u32)id), 1);
	assert_int_equal(fake_chips.nr_msi, 3);
	assert_int_equal(fake_chips.msi[2].address_lo, MSI_LO_A);
	assert_int_equal(fake_chips.msi[2].data, MSI_DATA_A);
	assert_int_equal(fake_chips.nr_log, 0);   /* never a pin */
	info = query(vm, id);
	assert_int_equal(info.rings, 3);
	assert_int_equal(info.deliveries, 3);
	/* a message nobody accepted still counts as a ring */
	fake_chips.msi_ret = 0;
	assert_int_equal(doorbell_ring(vm, (u32)id), 0);
	info = query(vm, id);
	assert_int_equal(info.rings, 4);
	assert_int_equal(info.deliveries, 3);
}

static void test_pin_doorbell_pulses(void **state)
{
	struct vm *vm = *state;
	int id = doorbell_assign(vm, IOAPIC_GSI, 0, 0);
	struct doorbell *db = lookup(vm, id);

	assert_true(id > 0);
	assert_int_equal(db->entry.e.type, TERN_IRQ_ROUTING_IRQCHIP);  /* one route: cached */
	assert_int_equal(doorbell_ring(vm, (u32)id), 1);
	assert_int_equal(fake_chips.nr_log, 2);
	assert_int_equal(fake_chips.log[0].pin, IOAPIC_GSI);
	assert_int_equal(fake_chips.log[0].level, 1);
	assert_int_equal(fake_chips.log[1].level, 0);
	assert_int_equal(fake_chips.log[0].source, fake_chips.log[1].source);
	assert_true(fake_chips.log[0].source >= IRQ_SOURCE_FIRST_FREE);  /* never the user's or the resampler's */
	assert_int_equal(fake_chips.ioapic.edges[IOAPIC_GSI], 1);
	assert_int_equal(fake_pin_level(FAKE_IOAPIC, IOAPIC_GSI), 0);
	/* a level held by another source is left alone by the pulse */
	assert_int_equal(set_irq(vm, IRQ_SOURCE_USER, IOAPIC_GSI, 1), 1);
	assert_int_equal(doorbell_ring(vm, (u32)id), 0);   /* coalesced */
	assert_int_equal(fake_pin_level(FAKE_IOAPIC, IOAPIC_GSI), 1);
	assert_int_equal(query(vm, id).deliveries, 1);
}

static void test_shared_gsi_doorbell_uses_table(void **state)
{
	struct vm *vm = *state;
	int id = doorbell_assign(vm, SHARED_GSI, 0, 0);

	assert_true(id > 0);
	assert_int_equal(lookup(vm, id)->entry.e.type, 0);   /* two routes: nothing cached */
	assert_int_equal(doorbell_ring(vm, (u32)id), 1);
	assert_int_equal(fake_chips.pic.edges[SHARED_GSI], 1);
	assert_int_equal(fake_chips.ioapic.edges[SHARED_GSI], 1);
	assert_int_equal(fake_pin_level(FAKE_PIC, SHARED_GSI), 0);
	assert_int_equal(fake_pin_level(FAKE_IOAPIC, SHARED_GSI), 0);
	/* an unrouted GSI: the ring counts, nothing is delivered */
	id = doorbell_assign(vm, 2, 0, 0);
	assert_int_equal(doorbell_ring(vm, (u32)id), 0);
	assert_int_equal(query(vm, id).rings, 1);
	assert_int_equal(query(vm, id).deliveries, 0);
}

static void test_reroute_updates_cache(void **state)
{
	struct vm *vm = *state;
	int id;
	struct doorbell *db;

	route_two(vm, route_chip(MSI_GSI, TERN_IRQCHIP_IOAPIC, 20));
	id = doorbell_assign(vm, MSI_GSI, 0, 0);
	db = lookup(vm, id);
	assert_int_equal(query(vm, id).route_seq, 2);
	assert_int_equal(db->entry.e.irqchip.pin, 20);
	assert_int_equal(doorbell_ring(vm, (u32)id), 1);
	assert_int_equal(fake_chips.ioapic.edges[20], 1);

	route_two(vm, route_msi(MSI_GSI, MSI_LO_B, 0, MSI_DATA_B));
	assert_int_equal(query(vm, id).route_seq, 4);
	assert_int_equal(db->entry.e.type, TERN_IRQ_ROUTING_MSI);
	assert_string_equal(irq_route_set_name(db->entry.e.set), "msi_set");
	assert_int_equal(db->entry.e.msi.address_lo, MSI_LO_B);
	assert_null(db->entry.e.link);
	assert_int_equal(doorbell_ring(vm, (u32)id), 1);
	assert_int_equal(fake_chips.nr_msi, 1);
	assert_int_equal(fake_chips.msi[0].data, MSI_DATA_B);
	assert_int_equal(fake_chips.ioapic.calls, 2);   /* only the first ring's pulse */

	/* a rejected update leaves the cache and its count alone */
	struct tern_irq_routing_entry bad = route_chip(MSI_GSI, TERN_IRQCHIP_IOAPIC, 99);

	assert_int_equal(irq_set_routing(vm, &bad, 1, 0), -TERN_ERANGE);
	assert_int_equal(query(vm, id).route_seq, 4);
	/* unrouting the GSI empties the cache */
	assert_int_equal(irq_set_routing(vm, NULL, 0, 0), 0);
	assert_int_equal(query(vm, id).route_seq, 6);
	assert_int_equal(db->entry.e.type, 0);
	assert_int_equal(doorbell_ring(vm, (u32)id), 0);
}

/* A ring racing a routing update waits for the whole new entry (irq_entry_sc). */
struct ring_ctl {
	struct vm *vm;
	u32 id;
	int ret;
};

static void *ring_thread(void *arg)
{
	struct ring_ctl *c = arg;

	c->ret = doorbell_ring(c->vm, c->id);
	return NULL;
}

static void test_ring_never_uses_half_written_entry(void **state)
{
	struct vm *vm = *state;
	struct ring_ctl c = { .vm = vm };
	struct doorbell *db;
	pthread_t t;
	u32 seq;

	route_two(vm, route_msi(MSI_GSI, MSI_LO_A, 0, MSI_DATA_A));
	c.id = (u32)doorbell_assign(vm, MSI_GSI, 0, 0);
	db = lookup(vm, (int)c.id);
	/* play a routing update stopped halfway: count odd, address new, data old */
	seq = db->entry_seq;
	__atomic_store_n(&db->entry_seq, seq + 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&db->entry.e.msi.address_lo, MSI_LO_B, __ATOMIC_SEQ_CST);
	assert_int_equal(pthread_create(&t, NULL, ring_thread, &c), 0);
	usleep(50 * 1000);
	assert_int_equal(__atomic_load_n(&fake_chips.nr_msi, __ATOMIC_SEQ_CST), 0);  /* still waiting */
	__atomic_store_n(&db->entry.e.msi.data, MSI_DATA_B, __ATOMIC_SEQ_CST);
	__atomic_store_n(&db->entry_seq, seq + 2, __ATOMIC_RELEASE);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(c.ret, 1);
	assert_int_equal(fake_chips.nr_msi, 1);
	assert_int_equal(fake_chips.msi[0].address_lo, MSI_LO_B);
	assert_int_equal(fake_chips.msi[0].data, MSI_DATA_B);
}

/* ---------------------------------------------------------------- ids and errors */

static void test_bad_ids(void **state)
{
	struct vm *vm = *state;
	struct tern_doorbell_info info;
	int id = doorbell_assign(vm, IOAPIC_GSI, 0, 0);
	int id2;

	assert_int_equal(doorbell_ring(vm, 0), -TERN_ENOENT);
	assert_int_equal(doorbell_ring(vm, (u32)id + 1), -TERN_ENOENT);
	assert_int_equal(doorbell_ring(vm, 0xffffffffu), -TERN_ENOENT);
	assert_int_equal(doorbell_query(vm, 12345, &info), -TERN_ENOENT);
	assert_int_equal(doorbell_query(vm, (u32)id, NULL), -TERN_EINVAL);
	assert_int_equal(doorbell_deassign(vm, 0), -TERN_ENOENT);
	assert_int_equal(doorbell_deassign(vm, (u32)id), 0);
	assert_int_equal(doorbell_deassign(vm, (u32)id), -TERN_ENOENT);   /* double deassign */
	assert_int_equal(doorbell_ring(vm, (u32)id), -TERN_ENOENT);
	/* the slot is reused under a new id; the stale one still misses */
	id2 = doorbell_assign(vm, IOAPIC_GSI, 0, 0);
	assert_true(id2 > 0);
	assert_int_not_equal(id2, id);
	assert_int_equal((u32)id2 & (DOORBELL_SLOTS - 1), (u32)id & (DOORBELL_SLOTS - 1));
	fake_chips_reset();
	assert_int_equal(doorbell_ring(vm, (u32)id), -TERN_ENOENT);
	assert_int_equal(fake_chips.nr_log, 0);
	assert_int_equal(doorbell_deassign(vm, (u32)id), -TERN_ENOENT);
	assert_int_equal(doorbell_ring(vm, (u32)id2), 1);
}

static void test_assign_flags(void **state)
{
	struct vm *vm = *state;
	int id;

	assert_int_equal(doorbell_assign(vm, 4, 1u << 2, 0), -TERN_EINVAL);
	assert_int_equal(doorbell_assign(vm, 4, TERN_DOORBELL_FLAG_RESAMPLE, 0), -TERN_EINVAL);
	assert_int_equal(doorbell_assign(vm, 4, 0, RESAMPLE_ID), -TERN_EINVAL);
	assert_int_equal(doorbell_assign(vm, IRQ_ROUTING_MAX_GSI, 0, 0), -TERN_ERANGE);
	assert_int_equal(doorbell_assign(vm, IRQ_ROUTING_MAX_GSI - 1, 0, 0) > 0, 1);
	/* KVM_IRQFD-style deassign through assign: the GSI must match */
	id = doorbell_assign(vm, 4, 0, 0);
	assert_int_equal(doorbell_assign(vm, 5, TERN_DOORBELL_FLAG_DEASSIGN, (u32)id), -TERN_ENOENT);
	assert_int_equal(doorbell_assign(vm, 4, TERN_DOORBELL_FLAG_DEASSIGN | TERN_DOORBELL_FLAG_RESAMPLE,
					 (u32)id), -TERN_EINVAL);
	assert_int_equal(doorbell_assign(vm, 4, TERN_DOORBELL_FLAG_DEASSIGN, (u32)id), 0);
	assert_int_equal(doorbell_ring(vm, (u32)id), -TERN_ENOENT);
	assert_int_equal(doorbell_assign(vm, 4, TERN_DOORBELL_FLAG_DEASSIGN, (u32)id), -TERN_ENOENT);
}

static void test_limits(void **state)
{
	struct vm *vm = *state;
	struct irq_routing_limits lim;
	int ids[4];

	irq_routing_get_limits(vm, &lim);
	lim.max_doorbells = 4;
	assert_int_equal(irq_routing_set_limits(vm, &lim), 0);
	for (int i = 0; i < 4; i++) {
		ids[i] = doorbell_assign(vm, 4, 0, 0);
		assert_true(ids[i] > 0);
		for (int j = 0; j < i; j++)
			assert_int_not_equal(ids[i], ids[j]);
	}
	assert_int_equal(doorbell_assign(vm, 4, 0, 0), -TERN_ENOSPC);
	assert_int_equal(doorbell_deassign(vm, (u32)ids[1]), 0);
	assert_true(doorbell_assign(vm, 4, 0, 0) > 0);
	assert_int_equal(doorbell_assign(vm, 4, 0, 0), -TERN_ENOSPC);
}

static void test_default_limit_and_sources(void **state)
{
	struct vm *vm = *state;
	int n = 0;

	while (doorbell_assign(vm, 4, 0, 0) > 0)
		n++;
	assert_int_equal(n, DOORBELL_MAX_DEFAULT);
	/* all of them share one pulse source id: the VM still has the rest */
	assert_int_equal(irq_source_alloc(vm), IRQ_SOURCE_FIRST_FREE + 1);
}

static void test_no_source_id_left(void **state)
{
	struct vm *vm = *state;

	while (irq_source_alloc(vm) >= 0)
		;
	assert_int_equal(doorbell_assign(vm, 4, 0, 0), -TERN_ENOSPC);
	/* a resample doorbell needs no pulse source */
	assert_true(doorbell_assign(vm, 4, TERN_DOORBELL_FLAG_RESAMPLE, RESAMPLE_ID) > 0);
}

static void test_not_initialised(void **state)
{
	struct vm *vm = stub_vm_new(1);
	struct tern_doorbell_info info;

	(void)state;
	assert_int_equal(doorbell_assign(vm, 4, 0, 0), -TERN_ENODEV);
	assert_int_equal(doorbell_deassign(vm, 1), -TERN_ENODEV);
	assert_int_equal(doorbell_ring(vm, 1), -TERN_ENODEV);
	assert_int_equal(doorbell_query(vm, 1, &info), -TERN_ENODEV);
	assert_int_equal(doorbell_grant(vm, 1, 3), -TERN_ENODEV);
	assert_int_equal(doorbell_revoke(vm, 1, 3), -TERN_ENODEV);
	assert_int_equal(doorbell_find(vm, 4, DOORBELL_VM_ID_ANY), -TERN_ENODEV);
	assert_int_equal(doorbell_remote_ringers(vm), 0);
	assert_int_equal(doorbell_set_resample_notify(vm, 1, NULL, NULL), -TERN_ENODEV);
	stub_vm_free(vm);
}

static void test_destroy_then_ring(void **state)
{
	struct vm *vm = *state;
	int id = doorbell_assign(vm, 4, 0, 0);

	assert_true(doorbell_assign(vm, 9, TERN_DOORBELL_FLAG_RESAMPLE, RESAMPLE_ID) > 0);
	irq_routing_destroy(vm);   /* frees bound doorbells and resamplers (ASan checks) */
	assert_int_equal(doorbell_ring(vm, (u32)id), -TERN_ENODEV);
	assert_int_equal(set_irq(vm, IRQ_SOURCE_USER, 4, 1), -TERN_ENOENT);
	assert_int_equal(irq_routing_init_default(vm), 0);   /* teardown destroys again */
}

/* ---------------------------------------------------------------- resampling */

static unsigned notify_calls;

static void count_notify(void *ctx)
{
	(*(unsigned *)ctx)++;
}

static void test_resample_cycle(void **state)
{
	struct vm *vm = *state;
	int id;

	notify_calls = 0;
	assert_int_equal(doorbell_set_resample_notify(vm, RESAMPLE_ID, count_notify, &notify_calls), 0);
	id = doorbell_assign(vm, IOAPIC_GSI, TERN_DOORBELL_FLAG_RESAMPLE, RESAMPLE_ID);
	assert_true(id > 0);
	assert_int_equal(query(vm, id).resample_id, RESAMPLE_ID);
	for (unsigned cycle = 1; cycle <= CYCLES; cycle++) {
		assert_int_equal(doorbell_ring(vm, (u32)id), 1);
		assert_int_equal(fake_pin_level(FAKE_IOAPIC, IOAPIC_GSI), 1);   /* left asserted */
		assert_int_equal(doorbell_ring(vm, (u32)id), 0);                /* same interrupt */
		assert_int_equal(lookup(vm, id)->resampler->pending, 1);
		assert_int_equal(fake_chips.ioapic.falls[IOAPIC_GSI], cycle - 1);
		irq_ack_notify(vm, TERN_IRQCHIP_IOAPIC, IOAPIC_GSI);
		assert_int_equal(fake_pin_level(FAKE_IOAPIC, IOAPIC_GSI), 0);
		assert_int_equal(fake_chips.ioapic.falls[IOAPIC_GSI], cycle);   /* de-asserted once */
		assert_int_equal(query(vm, id).resamples, cycle);
		assert_int_equal(notify_calls, cycle);
		assert_int_equal(lookup(vm, id)->resampler->pending, 0);
	}
	assert_int_equal(fake_chips.ioapic.edges[IOAPIC_GSI], CYCLES);   /* one interrupt per cycle */
	for (unsigned i = 0; i < MIN(fake_chips.nr_log, FAKE_CHIP_LOG); i++)
		assert_int_equal(fake_chips.log[i].source, IRQ_SOURCE_RESAMPLER);
	assert_int_equal(query(vm, id).rings, 2 * CYCLES);
	assert_int_equal(query(vm, id).deliveries, CYCLES);
}

static void test_resample_shared_by_gsi(void **state)
{
	struct vm *vm = *state;
	int a = doorbell_assign(vm, IOAPIC_GSI, TERN_DOORBELL_FLAG_RESAMPLE, RESAMPLE_ID);
	int b = doorbell_assign(vm, IOAPIC_GSI, TERN_DOORBELL_FLAG_RESAMPLE, RESAMPLE_ID + 1);
	int other = doorbell_assign(vm, 18, TERN_DOORBELL_FLAG_RESAMPLE, RESAMPLE_ID);
	unsigned before;

	assert_ptr_equal(lookup(vm, a)->resampler, lookup(vm, b)->resampler);
	assert_ptr_not_equal(lookup(vm, a)->resampler, lookup(vm, other)->resampler);
	assert_int_equal(doorbell_ring(vm, (u32)a), 1);
	irq_ack_notify(vm, TERN_IRQCHIP_IOAPIC, IOAPIC_GSI);
	assert_int_equal(query(vm, a).resamples, 1);
	assert_int_equal(query(vm, b).resamples, 1);       /* every doorbell of the GSI is told */
	assert_int_equal(query(vm, other).resamples, 0);
	/* the line stays with the remaining doorbell; the last one releases it */
	assert_int_equal(doorbell_ring(vm, (u32)b), 1);
	assert_int_equal(doorbell_deassign(vm, (u32)a), 0);
	assert_int_equal(fake_pin_level(FAKE_IOAPIC, IOAPIC_GSI), 1);
	before = fake_chips.ioapic.falls[IOAPIC_GSI];
	assert_int_equal(doorbell_deassign(vm, (u32)b), 0);
	assert_int_equal(fake_pin_level(FAKE_IOAPIC, IOAPIC_GSI), 0);
	assert_int_equal(fake_chips.ioapic.falls[IOAPIC_GSI], before + 1);
	/* no resampler left for the GSI: an EOI does nothing */
	fake_chips_reset();
	irq_ack_notify(vm, TERN_IRQCHIP_IOAPIC, IOAPIC_GSI);
	assert_int_equal(fake_chips.nr_log, 0);
}

static void test_ack_maps_chip_pins(void **state)
{
	struct vm *vm = *state;
	int master = doorbell_assign(vm, SHARED_GSI, TERN_DOORBELL_FLAG_RESAMPLE, RESAMPLE_ID);
	int slave = doorbell_assign(vm, SLAVE_GSI, TERN_DOORBELL_FLAG_RESAMPLE, RESAMPLE_ID);
	int timer = doorbell_assign(vm, 0, TERN_DOORBELL_FLAG_RESAMPLE, RESAMPLE_ID);

	assert_int_equal(doorbell_ring(vm, (u32)master), 1);
	assert_int_equal(fake_pin_level(FAKE_PIC, SHARED_GSI), 1);
	assert_int_equal(fake_pin_level(FAKE_IOAPIC, SHARED_GSI), 1);
	irq_ack_notify(vm, TERN_IRQCHIP_PIC_MASTER, SHARED_GSI);
	assert_int_equal(fake_pin_level(FAKE_PIC, SHARED_GSI), 0);     /* both chips released */
	assert_int_equal(fake_pin_level(FAKE_IOAPIC, SHARED_GSI), 0);
	assert_int_equal(query(vm, master).resamples, 1);
	/* the slave pin as vPIC pin 12 or as slave pin 4 */
	irq_ack_notify(vm, TERN_IRQCHIP_PIC_SLAVE, SLAVE_GSI);
	irq_ack_notify(vm, TERN_IRQCHIP_PIC_SLAVE, SLAVE_GSI - IRQCHIP_PIC_PINS);
	assert_int_equal(query(vm, slave).resamples, 2);
	/* GSI 0 sits on IOAPIC pin 2 */
	irq_ack_notify(vm, TERN_IRQCHIP_IOAPIC, 2);
	assert_int_equal(query(vm, timer).resamples, 1);
	/* unrouted pins and nonsense are ignored */
	irq_ack_notify(vm, TERN_IRQCHIP_IOAPIC, 0);
	irq_ack_notify(vm, TERN_IRQCHIP_PIC_MASTER, 2);
	irq_ack_notify(vm, TERN_NR_IRQCHIPS, 5);
	irq_ack_notify(vm, TERN_IRQCHIP_IOAPIC, IRQCHIP_NUM_PINS);
	irq_ack_notify(vm, TERN_IRQCHIP_PIC_MASTER, 0xffffffffu);
	assert_int_equal(query(vm, master).resamples, 1);
	assert_int_equal(query(vm, slave).resamples, 2);
	assert_int_equal(query(vm, timer).resamples, 1);
}

static void test_resample_notify_registry(void **state)
{
	struct vm *vm = *state;
	unsigned a = 0, b = 0;
	int id = doorbell_assign(vm, IOAPIC_GSI, TERN_DOORBELL_FLAG_RESAMPLE, RESAMPLE_ID);

	assert_int_equal(doorbell_set_resample_notify(vm, 0, count_notify, &a), -TERN_EINVAL);
	assert_int_equal(doorbell_set_resample_notify(vm, RESAMPLE_ID, NULL, NULL), -TERN_ENOENT);
	assert_int_equal(doorbell_set_resample_notify(vm, RESAMPLE_ID, count_notify, &a), 0);
	irq_ack_notify(vm, TERN_IRQCHIP_IOAPIC, IOAPIC_GSI);
	assert_int_equal(doorbell_set_resample_notify(vm, RESAMPLE_ID, count_notify, &b), 0);  /* replace */
	irq_ack_notify(vm, TERN_IRQCHIP_IOAPIC, IOAPIC_GSI);
	assert_int_equal(doorbell_set_resample_notify(vm, RESAMPLE_ID, NULL, NULL), 0);        /* remove */
	irq_ack_notify(vm, TERN_IRQCHIP_IOAPIC, IOAPIC_GSI);
	assert_int_equal(a, 1);
	assert_int_equal(b, 1);
	assert_int_equal(query(vm, id).resamples, 3);   /* the counter does not need a callback */
	for (u32 i = 0; i < DOORBELL_MAX_NOTIFIERS; i++)
		assert_int_equal(doorbell_set_resample_notify(vm, 1000 + i, count_notify, &a), 0);
	assert_int_equal(doorbell_set_resample_notify(vm, 2000, count_notify, &a), -TERN_ENOSPC);
}

/* ---------------------------------------------------------------- cross-VM */

/* A second VM with routing state and a name, for the cross-VM tests. */
static struct vm *other_vm(u32 vm_id)
{
	struct vm *other = stub_vm_new(1);

	assert_non_null(other);
	assert_int_equal(irq_routing_init_default(other), 0);
	doorbell_set_vm_id(other, vm_id);
	return other;
}

static void other_vm_free(struct vm *other)
{
	irq_routing_destroy(other);
	stub_vm_free(other);
}

static void test_grants(void **state)
{
	struct vm *owner = *state;
	struct vm *other = stub_vm_new(1);
	int id = doorbell_assign(owner, IOAPIC_GSI, 0, 0);

	assert_int_equal(irq_routing_init_default(other), 0);
	assert_int_equal(doorbell_ring_from(owner, owner, (u32)id), 1);      /* its own: always */
	assert_int_equal(doorbell_ring_from(other, owner, (u32)id), -TERN_EPERM);  /* unnamed ringer */
	doorbell_set_vm_id(owner, VM_A_ID);
	doorbell_set_vm_id(other, VM_B_ID);
	assert_int_equal(doorbell_ring_from(other, owner, (u32)id), -TERN_EPERM);  /* no grant */
	assert_int_equal(query(owner, id).rings, 1);   /* a refused ring is not counted */
	assert_int_equal(doorbell_grant(owner, (u32)id + 1, VM_B_ID), -TERN_ENOENT);
	assert_int_equal(doorbell_grant(owner, (u32)id, VM_B_ID), 0);
	assert_int_equal(doorbell_grant(owner, (u32)id, VM_B_ID), 0);   /* idempotent */
	assert_int_equal(doorbell_ring_from(other, owner, (u32)id), 1);
	assert_int_equal(doorbell_ring_from(other, owner, (u32)id + 1), -TERN_ENOENT);
	assert_int_equal(query(owner, id).rings, 2);
	for (u32 vm_id = 10; vm_id < 10 + DOORBELL_MAX_GRANTS - 1; vm_id++)
		assert_int_equal(doorbell_grant(owner, (u32)id, vm_id), 0);
	assert_int_equal(doorbell_grant(owner, (u32)id, 60), -TERN_ENOSPC);
	assert_int_equal(doorbell_grant(owner, (u32)id, DOORBELL_VM_ID_LIMIT), -TERN_ERANGE);
	assert_int_equal(doorbell_grant(owner, (u32)id, DOORBELL_VM_ID_NONE), -TERN_ERANGE);
	irq_routing_destroy(other);
	stub_vm_free(other);
}

static void test_revoke(void **state)
{
	struct vm *owner = *state;
	struct vm *other = other_vm(VM_B_ID);
	int id = doorbell_assign(owner, IOAPIC_GSI, 0, 0);
	int id2 = doorbell_assign(owner, IOAPIC_GSI, 0, 0);

	doorbell_set_vm_id(owner, VM_A_ID);
	assert_int_equal(doorbell_revoke(owner, (u32)id, VM_B_ID), -TERN_ENOENT);   /* never granted */
	assert_int_equal(doorbell_grant(owner, (u32)id, VM_B_ID), 0);
	assert_int_equal(doorbell_grant(owner, (u32)id2, VM_B_ID), 0);
	assert_int_equal(doorbell_revoke(owner, (u32)id, VM_B_ID), 0);
	assert_int_equal(doorbell_ring_from(other, owner, (u32)id), -TERN_EPERM);
	assert_int_equal(doorbell_ring_from(other, owner, (u32)id2), 1);      /* the other grant stays */
	assert_int_equal(doorbell_revoke(owner, (u32)id, VM_B_ID), -TERN_ENOENT);  /* already gone */
	assert_int_equal(doorbell_revoke(owner, (u32)id + 4096, VM_B_ID), -TERN_ENOENT);
	assert_int_equal(doorbell_revoke(owner, (u32)id, DOORBELL_VM_ID_NONE), -TERN_ENOENT);
	/* A freed entry is reused: all DOORBELL_MAX_GRANTS fit again after a revoke. */
	for (u32 vm_id = 10; vm_id < 10 + DOORBELL_MAX_GRANTS; vm_id++)
		assert_int_equal(doorbell_grant(owner, (u32)id, vm_id), 0);
	assert_int_equal(doorbell_grant(owner, (u32)id, VM_B_ID), -TERN_ENOSPC);
	assert_int_equal(doorbell_revoke(owner, (u32)id, 13), 0);
	assert_int_equal(doorbell_grant(owner, (u32)id, VM_B_ID), 0);
	assert_int_equal(doorbell_ring_from(other, owner, (u32)id), 1);
	/* Deassigning takes the grants with it; a new doorbell in the slot has none. */
	assert_int_equal(doorbell_deassign(owner, (u32)id), 0);
	id = doorbell_assign(owner, IOAPIC_GSI, 0, 0);
	assert_int_equal(doorbell_ring_from(other, owner, (u32)id), -TERN_EPERM);
	other_vm_free(other);
}

static void test_find(void **state)
{
	struct vm *owner = *state;
	int a, b, c;

	doorbell_set_vm_id(owner, VM_A_ID);
	a = doorbell_assign(owner, MSI_GSI, 0, 0);
	b = doorbell_assign(owner, MSI_GSI + 1, 0, 0);
	c = doorbell_assign(owner, MSI_GSI + 1, 0, 0);
	assert_int_equal(doorbell_grant(owner, (u32)c, VM_B_ID), 0);
	/* The owner finds its own, lowest slot first; the control VM finds any. */
	assert_int_equal(doorbell_find(owner, MSI_GSI, VM_A_ID), a);
	assert_int_equal(doorbell_find(owner, MSI_GSI + 1, VM_A_ID), b);
	assert_int_equal(doorbell_find(owner, MSI_GSI + 1, DOORBELL_VM_ID_ANY), b);
	/* Another VM finds only what it was granted, and learns nothing else. */
	assert_int_equal(doorbell_find(owner, MSI_GSI + 1, VM_B_ID), c);
	assert_int_equal(doorbell_find(owner, MSI_GSI, VM_B_ID), -TERN_ENOENT);
	assert_int_equal(doorbell_find(owner, MSI_GSI, DOORBELL_VM_ID_NONE), -TERN_ENOENT);
	assert_int_equal(doorbell_find(owner, MSI_GSI + 2, DOORBELL_VM_ID_ANY), -TERN_ENOENT);
	assert_int_equal(doorbell_revoke(owner, (u32)c, VM_B_ID), 0);
	assert_int_equal(doorbell_find(owner, MSI_GSI + 1, VM_B_ID), -TERN_ENOENT);
}

static void test_remote_ringers(void **state)
{
	struct vm *owner = *state;
	int a = doorbell_assign(owner, MSI_GSI, 0, 0);
	int b = doorbell_assign(owner, MSI_GSI, 0, 0);

	assert_int_equal(doorbell_remote_ringers(owner), 0);
	doorbell_set_vm_id(owner, 3);
	assert_int_equal(doorbell_grant(owner, (u32)a, 3), 0);   /* itself: not a remote ringer */
	assert_int_equal(doorbell_remote_ringers(owner), 0);
	assert_int_equal(doorbell_remote_ringers(owner), 0);
	assert_int_equal(doorbell_grant(owner, (u32)a, 1), 0);
	assert_int_equal(doorbell_grant(owner, (u32)b, 5), 0);
	assert_int_equal(doorbell_grant(owner, (u32)b, 1), 0);
	assert_int_not_equal(doorbell_remote_ringers(owner), 0);
	assert_int_equal(doorbell_remote_ringers(owner), BIT64(1) | BIT64(5));
	assert_int_equal(doorbell_revoke(owner, (u32)b, 5), 0);
	assert_int_equal(doorbell_remote_ringers(owner), BIT64(1));
	assert_int_equal(doorbell_deassign(owner, (u32)a), 0);
	assert_int_equal(doorbell_revoke(owner, (u32)b, 1), 0);
	assert_int_equal(doorbell_remote_ringers(owner), 0);
}

static void test_dump_doorbells(void **state)
{
	struct vm *vm = *state;
	char *buf = calloc(1, DUMP_LEN);
	int id = doorbell_assign(vm, IOAPIC_GSI, TERN_DOORBELL_FLAG_RESAMPLE, RESAMPLE_ID);
	char line[128];

	assert_int_equal(doorbell_ring(vm, (u32)id), 1);
	irq_dump(vm, buf, DUMP_LEN);
	snprintf(line, sizeof(line), "  id = %d, gsi = 17, flags = 0x2, resample_id = 77, source_id = 0,\n", id);
	assert_non_null(strstr(buf, line));
	assert_non_null(strstr(buf, "  irq_entry = { gsi = 17, type = 1, set = ioapic_set, "
				    "irqchip = { irqchip = 2, pin = 17 } },\n"));
	assert_non_null(strstr(buf, "  resampler = { gsi = 17, pending = 1, acks = 0 },\n"));
	assert_non_null(strstr(buf, "  rings = 1, deliveries = 1, resamples = 0\n"));
	assert_null(strstr(buf, "grants"));
	assert_int_equal(doorbell_grant(vm, (u32)id, 2), 0);
	assert_int_equal(doorbell_grant(vm, (u32)id, 5), 0);
	irq_dump(vm, buf, DUMP_LEN);
	assert_non_null(strstr(buf, "  resampler = { gsi = 17, pending = 1, acks = 0 },\n"
				    "  grants = { vm2, vm5 },\n  rings = 1"));
	irq_ack_notify(vm, TERN_IRQCHIP_IOAPIC, IOAPIC_GSI);
	irq_dump(vm, buf, DUMP_LEN);
	assert_non_null(strstr(buf, "  resampler = { gsi = 17, pending = 0, acks = 1 },\n"));
	assert_non_null(strstr(buf, "  rings = 1, deliveries = 1, resamples = 1\n"));
	free(buf);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_msi_doorbell),
		T(test_pin_doorbell_pulses),
		T(test_shared_gsi_doorbell_uses_table),
		T(test_reroute_updates_cache),
		T(test_ring_never_uses_half_written_entry),
		T(test_bad_ids),
		T(test_assign_flags),
		T(test_limits),
		T(test_default_limit_and_sources),
		T(test_no_source_id_left),
		cmocka_unit_test(test_not_initialised),
		T(test_destroy_then_ring),
		T(test_resample_cycle),
		T(test_resample_shared_by_gsi),
		T(test_ack_maps_chip_pins),
		T(test_resample_notify_registry),
		T(test_grants),
		T(test_revoke),
		T(test_find),
		T(test_remote_ringers),
		T(test_dump_doorbells),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
