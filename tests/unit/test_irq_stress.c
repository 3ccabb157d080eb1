/* SPDX-License-Identifier: MIT */
/*
 * Concurrency stress of routing + doorbells: host threads stand in for
 * CPUs. Ringers ring MSI doorbells in loops; a router replaces the whole
 * table again and again, alternating two MSI messages per GSI; a third
 * thread deassigns half the doorbells (and binds new ones into the freed
 * slots) while the rings go on. The fake msi_deliver checks that every
 * message is one a published table holds (never A's address with B's
 * data) and that no doorbell delivers after its deassign returned; the
 * counts prove that no successful ring was lost. Every other ring goes to
 * the doorbell about to be deassigned, so frees race with rings in flight;
 * after each table change the router waits until every ringer has rung
 * every doorbell, so both tables are seen. The ringers start before
 * and stop after every routing change and deassign, so all of them race
 * with rings.
 * Built under ASan+UBSan (test_irq_stress) and TSan (test_irq_stress_tsan).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>
#include <sched.h>

#include "irq/doorbell.h"
#include "irq/routing.h"
#include "kernel/rcu.h"
#include "tests/unit/fake_chips.h"
#include "tests/unit/stub_kernel.h"
#include "tests/unit/stub_rcu_cpu.h"

#define NR_DB          16
#define NR_RINGERS     3
#define MIN_RINGS      20000        /* per ringer, whatever the other threads do */
#define MAX_RINGS      20000000     /* per ringer: a runaway guard, far above what the writers need */
#define ROUTE_ROUNDS   100
#define NR_DEASSIGN    (NR_DB / 2)
#define GSI_BASE       32u
#define SPARE_GSI_BASE 64u          /* unrouted: a stale ring landing here would return 0 */
#define MSI_LO_A       0xfee00000u
#define MSI_HI_A       0x0u
#define MSI_DATA_A     0x4020u
#define MSI_LO_B       0xfee0f000u
#define MSI_HI_B       0x1u
#define MSI_DATA_B     0x40a0u
#define EQS_EVERY      64           /* a ringer "enters the guest" this often */
#define RINGER_CPU0    1
#define ROUTER_CPU     (RINGER_CPU0 + NR_RINGERS)
#define DEASSIGN_CPU   (ROUTER_CPU + 1)

struct ringer {
	unsigned cpu;
	u64 progress;              /* iterations done (atomic) */
	u64 ok[NR_DB];             /* rings that returned 1 */
	u64 gone[NR_DB];           /* rings that returned -TERN_ENOENT */
	u64 early_gone;            /* ENOENT before its deassign began */
	u64 late_ring;             /* delivered though its deassign had returned */
	u64 bad;                   /* any other answer */
	int stopped;               /* the thread has finished ringing */
};

static struct vm *vm;
static u32 ids[NR_DB];
static int deassigning[NR_DB];
static int deassigned[NR_DB];
static u64 delivered[NR_DB];       /* counted by the fake msi_deliver */
static u64 mixed, late, from_a, from_b;
static unsigned victim = NR_DB;    /* the doorbell being deassigned (NR_DB: none yet) */
static int writers_done;
static struct ringer ringers[NR_RINGERS];
static struct tern_irq_routing_entry table_a[NR_DB], table_b[NR_DB];
static int router_errors, deassign_errors;

static bool get(const int *f)
{
	return __atomic_load_n(f, __ATOMIC_ACQUIRE) != 0;
}

/* Which doorbell a message belongs to, or -1 when it matches neither table. */
static int msi_owner(u32 lo, u32 hi, u32 data)
{
	if (lo == MSI_LO_A && hi == MSI_HI_A && data - MSI_DATA_A < NR_DB)
		return (int)(data - MSI_DATA_A);
	if (lo == MSI_LO_B && hi == MSI_HI_B && data - MSI_DATA_B < NR_DB)
		return (int)(data - MSI_DATA_B);
	return -1;
}

static int stress_msi(struct vm *v, u32 lo, u32 hi, u32 data)
{
	int i = msi_owner(lo, hi, data);

	if (i < 0) {
		__atomic_add_fetch(&mixed, 1, __ATOMIC_RELAXED);
		return 1;
	}
	if ((unsigned)i == __atomic_load_n(&victim, __ATOMIC_RELAXED))
		sched_yield();   /* a slow ring: widen the window a deassign must wait out */
	if (get(&deassigned[i]))
		__atomic_add_fetch(&late, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(lo == MSI_LO_A ? &from_a : &from_b, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&delivered[i], 1, __ATOMIC_RELAXED);
	return 1;
}

static void make_tables(void)
{
	for (u32 i = 0; i < NR_DB; i++) {
		table_a[i] = (struct tern_irq_routing_entry){ .gsi = GSI_BASE + i, .type = TERN_IRQ_ROUTING_MSI };
		table_a[i].u.msi.address_lo = MSI_LO_A;
		table_a[i].u.msi.address_hi = MSI_HI_A;
		table_a[i].u.msi.data = MSI_DATA_A + i;
		table_b[i] = table_a[i];
		table_b[i].u.msi.address_lo = MSI_LO_B;
		table_b[i].u.msi.address_hi = MSI_HI_B;
		table_b[i].u.msi.data = MSI_DATA_B + i;
	}
}

static void ring_once(struct ringer *r, unsigned j)
{
	bool was_gone = get(&deassigned[j]);
	int ret = doorbell_ring(vm, ids[j]);

	if (ret == 1) {
		r->ok[j]++;
		r->late_ring += was_gone;
	} else if (ret == -TERN_ENOENT) {
		r->gone[j]++;
		r->early_gone += !get(&deassigning[j]);
	} else {
		r->bad++;
	}
}

static void *ringer_thread(void *arg)
{
	struct ringer *r = arg;

	stub_rcu_set_cpu(r->cpu);
	rcu_cpu_online(r->cpu);
	for (u64 it = 0; it < MAX_RINGS && (it < MIN_RINGS || !get(&writers_done)); it++) {
		unsigned v = __atomic_load_n(&victim, __ATOMIC_RELAXED);

		ring_once(r, (it & 1) && v < NR_DB ? v : (unsigned)((it * 7 + r->cpu) % NR_DB));
		__atomic_store_n(&r->progress, it + 1, __ATOMIC_RELEASE);
		if (it % EQS_EVERY == 0) {
			rcu_eqs_enter(r->cpu);
			sched_yield();   /* more threads than host CPUs: let the writers run */
			rcu_eqs_exit(r->cpu);
		} else {
			rcu_quiescent(r->cpu);
		}
	}
	__atomic_store_n(&r->stopped, 1, __ATOMIC_RELEASE);
	rcu_cpu_offline(r->cpu);
	return NULL;
}

/* Every ringer has started ringing. */
static bool ringers_running(void)
{
	for (unsigned i = 0; i < NR_RINGERS; i++)
		if (!__atomic_load_n(&ringers[i].progress, __ATOMIC_ACQUIRE))
			return false;
	return true;
}

static unsigned route_round;   /* rounds done (atomic) */

/* Wait on cpu until every ringer has done at least n more iterations. */
static void wait_rings(unsigned cpu, u64 n)
{
	u64 start[NR_RINGERS];

	for (unsigned i = 0; i < NR_RINGERS; i++)
		start[i] = __atomic_load_n(&ringers[i].progress, __ATOMIC_ACQUIRE);
	for (unsigned i = 0; i < NR_RINGERS; i++) {
		while (__atomic_load_n(&ringers[i].progress, __ATOMIC_ACQUIRE) < start[i] + n &&
		       !get(&ringers[i].stopped)) {
			rcu_quiescent(cpu);
			sched_yield();
		}
	}
}

static void *router_thread(void *arg)
{
	(void)arg;
	stub_rcu_set_cpu(ROUTER_CPU);
	rcu_cpu_online(ROUTER_CPU);
	while (!ringers_running())
		rcu_quiescent(ROUTER_CPU);
	for (unsigned round = 1; round <= ROUTE_ROUNDS; round++) {
		if (irq_set_routing(vm, round % 2 ? table_b : table_a, NR_DB, 0))
			__atomic_add_fetch(&router_errors, 1, __ATOMIC_RELAXED);
		__atomic_store_n(&route_round, round, __ATOMIC_RELEASE);
		/* a ring in flight counts once, then each ringer rings all doorbells */
		wait_rings(ROUTER_CPU, 2 * NR_DB + 2);
	}
	rcu_cpu_offline(ROUTER_CPU);
	return NULL;
}

/* Deassign doorbell j once the router is (j + 1) / (NR_DEASSIGN + 1) of the way through. */
static void *deassign_thread(void *arg)
{
	(void)arg;
	stub_rcu_set_cpu(DEASSIGN_CPU);
	rcu_cpu_online(DEASSIGN_CPU);
	for (unsigned j = 0; j < NR_DEASSIGN; j++) {
		while (__atomic_load_n(&route_round, __ATOMIC_ACQUIRE) <
		       ROUTE_ROUNDS * (j + 1) / (NR_DEASSIGN + 1)) {
			rcu_quiescent(DEASSIGN_CPU);
			sched_yield();
		}
		__atomic_store_n(&victim, j, __ATOMIC_RELAXED);
		wait_rings(DEASSIGN_CPU, EQS_EVERY);   /* the ringers are hammering j */
		__atomic_store_n(&deassigning[j], 1, __ATOMIC_RELEASE);
		if (doorbell_deassign(vm, ids[j]))
			__atomic_add_fetch(&deassign_errors, 1, __ATOMIC_RELAXED);
		__atomic_store_n(&deassigned[j], 1, __ATOMIC_RELEASE);
		/* the freed slot gets a new doorbell: stale rings must not reach it */
		if (doorbell_assign(vm, SPARE_GSI_BASE + j, 0, 0) <= 0)
			__atomic_add_fetch(&deassign_errors, 1, __ATOMIC_RELAXED);
		rcu_quiescent(DEASSIGN_CPU);
	}
	rcu_cpu_offline(DEASSIGN_CPU);
	return NULL;
}

static void test_ring_reroute_deassign(void **state)
{
	pthread_t rt[NR_RINGERS], router, deassigner;
	u64 grace = rcu_grace_periods();
	u64 ok_total = 0, gone_total = 0, rings_total = 0;

	(void)state;
	fake_chips_reset();
	make_tables();
	vm = stub_vm_new(1);
	assert_int_equal(irq_routing_init_default(vm), 0);
	assert_int_equal(irq_set_routing(vm, table_a, NR_DB, 0), 0);
	for (u32 i = 0; i < NR_DB; i++) {
		int id = doorbell_assign(vm, GSI_BASE + i, 0, 0);

		assert_true(id > 0);
		ids[i] = (u32)id;
	}
	__atomic_store_n(&fake_chips.msi_hook, stress_msi, __ATOMIC_RELEASE);

	for (unsigned i = 0; i < NR_RINGERS; i++) {
		ringers[i].cpu = RINGER_CPU0 + i;
		assert_int_equal(pthread_create(&rt[i], NULL, ringer_thread, &ringers[i]), 0);
	}
	assert_int_equal(pthread_create(&router, NULL, router_thread, NULL), 0);
	assert_int_equal(pthread_create(&deassigner, NULL, deassign_thread, NULL), 0);
	assert_int_equal(pthread_join(router, NULL), 0);
	assert_int_equal(pthread_join(deassigner, NULL), 0);
	__atomic_store_n(&writers_done, 1, __ATOMIC_RELEASE);
	for (unsigned i = 0; i < NR_RINGERS; i++) {
		assert_int_equal(pthread_join(rt[i], NULL), 0);
		assert_true(ringers[i].progress < MAX_RINGS);   /* they outlived the writers */
		rings_total += ringers[i].progress;
	}

	assert_int_equal(router_errors, 0);
	assert_int_equal(deassign_errors, 0);
	assert_int_equal(mixed, 0);        /* every message came whole from one table */
	assert_int_equal(fake_chips.msi_bad_decode, 0);  /* and its decode with it */
	assert_int_equal(late, 0);         /* nothing delivered after a deassign returned */
	assert_true(from_a > 0 && from_b > 0);  /* rings went out under both tables */
	for (unsigned i = 0; i < NR_RINGERS; i++) {
		assert_int_equal(ringers[i].bad, 0);
		assert_int_equal(ringers[i].early_gone, 0);
		assert_int_equal(ringers[i].late_ring, 0);
	}
	for (unsigned j = 0; j < NR_DB; j++) {
		u64 ok = 0, gone = 0;

		for (unsigned i = 0; i < NR_RINGERS; i++) {
			ok += ringers[i].ok[j];
			gone += ringers[i].gone[j];
		}
		assert_int_equal(delivered[j], ok);   /* each successful ring delivered exactly once */
		if (j >= NR_DEASSIGN) {
			struct tern_doorbell_info info;

			assert_int_equal(gone, 0);
			assert_int_equal(doorbell_query(vm, ids[j], &info), 0);
			assert_int_equal(info.rings, ok);
			assert_int_equal(info.deliveries, ok);
			assert_int_equal(info.route_seq, 2 + 2 * ROUTE_ROUNDS);
		}
		ok_total += ok;
		gone_total += gone;
	}
	assert_int_equal(ok_total + gone_total, rings_total);
	print_message("rings %llu (stale %llu), via table A %llu, via B %llu, grace periods %llu\n",
		      (unsigned long long)rings_total, (unsigned long long)gone_total,
		      (unsigned long long)from_a, (unsigned long long)from_b,
		      (unsigned long long)(rcu_grace_periods() - grace));
	assert_true(rcu_grace_periods() >= grace + ROUTE_ROUNDS + NR_DEASSIGN);

	__atomic_store_n(&fake_chips.msi_hook, NULL, __ATOMIC_RELEASE);
	irq_routing_destroy(vm);
	stub_vm_free(vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring_reroute_deassign),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
