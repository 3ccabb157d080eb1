/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the VM registry (kernel/vm_registry.c) and the inter-VM
 * doorbell rules (kernel/intervm.c) over the real doorbells and routing
 * with fake chips: three VMs, vm2 the control VM.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "irq/doorbell.h"
#include "irq/routing.h"
#include "kernel/intervm.h"
#include "kernel/limits.h"
#include "kernel/vm.h"
#include "kernel/vm_registry.h"
#include "tests/unit/fake_chips.h"
#include "tests/unit/stub_kernel.h"

#define NR_VMS       3
#define CONTROL      2u
#define GSI          40u
#define OTHER_GSI    41u
#define MSI_LO       0xfee00000u
#define MSI_DATA     0x4061u
#define NO_VM        7u
#define HUGE         (1ull << 32)

static struct vm *vms[NR_VMS];
static struct vm *stopped;    /* vm_running() is false for this one */

bool vm_running(const struct vm *vm)
{
	return vm != stopped;
}

/* vm_config asking for one doorbell on GSI with these ringers. */
static struct vm_config one_doorbell(u32 gsi, u32 ringers)
{
	struct vm_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.nr_doorbells = 1;
	cfg.doorbells[0] = (struct doorbell_config){ gsi, ringers };
	return cfg;
}

/* vm0, vm1, vm2 (control), registered; vm1 owns a command-line doorbell on GSI for vm0. */
static int setup(void **state)
{
	struct vm_config none, owned = one_doorbell(GSI, BIT(0));

	(void)state;
	memset(&none, 0, sizeof(none));
	fake_chips_reset();
	stopped = NULL;
	for (u32 i = 0; i < NR_VMS; i++) {
		vms[i] = stub_vm_new(1);
		if (!vms[i] || irq_routing_init_default(vms[i]))
			return -1;
		if (intervm_vm_init(vms[i], i, i == 1 ? &owned : &none))
			return -1;
		if (vm_registry_add(vms[i], i, i == CONTROL ? VM_REGISTRY_CONTROL : 0))
			return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (u32 i = 0; i < NR_VMS; i++) {
		vm_registry_remove(vms[i]);
		irq_routing_destroy(vms[i]);
		stub_vm_free(vms[i]);
	}
	return 0;
}

static u64 rings(struct vm *vm, int id)
{
	struct tern_doorbell_info info;

	assert_int_equal(doorbell_query(vm, (u32)id, &info), 0);
	return info.rings;
}

static void route_msi(struct vm *vm, u32 gsi)
{
	struct tern_irq_routing_entry e = { .gsi = gsi, .type = TERN_IRQ_ROUTING_MSI };

	e.u.msi.address_lo = MSI_LO;
	e.u.msi.data = MSI_DATA;
	assert_int_equal(irq_set_routing(vm, &e, 1, 0), 0);
}

static void test_registry(void **state)
{
	struct vm *extra = stub_vm_new(1);
	u32 id = 99;

	(void)state;
	assert_ptr_equal(vm_registry_lookup(1), vms[1]);
	assert_null(vm_registry_lookup(NO_VM));
	assert_null(vm_registry_lookup(0xffffffffu));
	assert_int_equal(vm_registry_id(vms[1], &id), 0);
	assert_int_equal(id, 1);
	assert_int_equal(vm_registry_id(extra, &id), -TERN_ENOENT);
	assert_true(vm_registry_is_control(vms[CONTROL]));
	assert_false(vm_registry_is_control(vms[0]));
	assert_false(vm_registry_is_control(NULL));
	assert_int_equal(vm_registry_add(NULL, 5, 0), -TERN_EINVAL);
	assert_int_equal(vm_registry_add(extra, 5, 0x2), -TERN_EINVAL);
	assert_int_equal(vm_registry_add(extra, VM_REGISTRY_SIZE, 0), -TERN_ERANGE);
	assert_int_equal(vm_registry_add(extra, 1, 0), -TERN_EEXIST);          /* id taken */
	assert_int_equal(vm_registry_add(vms[0], 5, 0), -TERN_EEXIST);         /* vm0 already in */
	assert_int_equal(vm_registry_add(extra, 5, VM_REGISTRY_CONTROL), -TERN_EINVAL);  /* 2nd control */
	assert_null(vm_registry_lookup(5));                                    /* no partial add */
	assert_int_equal(vm_registry_add(extra, 5, 0), 0);
	assert_ptr_equal(vm_registry_lookup(5), extra);
	vm_registry_remove(extra);
	vm_registry_remove(extra);   /* not registered: nothing */
	assert_null(vm_registry_lookup(5));
	vm_registry_remove(vms[CONTROL]);
	assert_false(vm_registry_is_control(vms[CONTROL]));
	assert_int_equal(vm_registry_add(extra, 5, VM_REGISTRY_CONTROL), 0);   /* the seat is free */
	vm_registry_remove(extra);
	assert_int_equal(vm_registry_add(vms[CONTROL], CONTROL, VM_REGISTRY_CONTROL), 0);
	stub_vm_free(extra);
}

static void test_command_line_doorbell(void **state)
{
	struct vm_config two = one_doorbell(OTHER_GSI, BIT(0) | BIT(2));
	int id = doorbell_find(vms[1], GSI, DOORBELL_VM_ID_ANY), id2;

	(void)state;
	assert_true(id > 0);
	assert_int_equal(doorbell_remote_ringers(vms[1]), BIT64(0));
	/* A second init adds its doorbells and grants every ringer listed. */
	assert_int_equal(intervm_vm_init(vms[1], 1, &two), 0);
	id2 = doorbell_find(vms[1], OTHER_GSI, 2);
	assert_true(id2 > 0 && id2 != id);
	assert_int_equal(doorbell_find(vms[1], OTHER_GSI, 0), id2);
	assert_int_equal(doorbell_remote_ringers(vms[1]), BIT64(0) | BIT64(2));
	/* An impossible GSI fails and says why. */
	two = one_doorbell(LIMIT_VM_GSIS, BIT(0));
	assert_int_equal(intervm_vm_init(vms[0], 0, &two), -TERN_ERANGE);
}

static void test_ring(void **state)
{
	int id = doorbell_find(vms[1], GSI, DOORBELL_VM_ID_ANY);
	int other = doorbell_assign(vms[1], OTHER_GSI, 0, 0);

	(void)state;
	route_msi(vms[1], GSI);
	assert_int_equal(intervm_ring(vms[0], 1, (u64)id), 0);          /* granted */
	assert_int_equal(fake_chips.nr_msi, 1);
	assert_int_equal(fake_chips.msi[0].data, MSI_DATA);
	assert_int_equal(intervm_ring(vms[1], 1, (u64)id), 0);          /* its own */
	assert_int_equal(rings(vms[1], id), 2);
	/* Not granted: -EPERM, nothing delivered, nothing counted. */
	assert_int_equal(intervm_ring(vms[CONTROL], 1, (u64)id), -TERN_EPERM);
	assert_int_equal(intervm_ring(vms[0], 1, (u64)other), -TERN_EPERM);
	assert_int_equal(rings(vms[1], other), 0);
	assert_int_equal(rings(vms[1], id), 2);
	assert_int_equal(fake_chips.nr_msi, 2);
	/* Unknown VMs and ids. */
	assert_int_equal(intervm_ring(vms[0], NO_VM, (u64)id), -TERN_ENOENT);
	assert_int_equal(intervm_ring(vms[0], HUGE + 1, (u64)id), -TERN_ENOENT);
	assert_int_equal(intervm_ring(vms[0], 1, HUGE + (u64)id), -TERN_ENOENT);
	assert_int_equal(intervm_ring(vms[0], 1, 0), -TERN_ENOENT);
	assert_int_equal(intervm_ring(vms[0], 1, 0x7fffffff), -TERN_ENOENT);   /* no such doorbell */
	assert_int_equal(fake_chips.nr_msi, 2);
}

static void test_find(void **state)
{
	int id = doorbell_find(vms[1], GSI, DOORBELL_VM_ID_ANY);
	int other = doorbell_assign(vms[1], OTHER_GSI, 0, 0);

	(void)state;
	assert_int_equal(intervm_find(vms[0], 1, GSI), id);              /* granted */
	assert_int_equal(intervm_find(vms[0], 1, OTHER_GSI), -TERN_ENOENT);  /* not revealed */
	assert_int_equal(intervm_find(vms[1], 1, OTHER_GSI), other);     /* its own */
	assert_int_equal(intervm_find(vms[CONTROL], 1, OTHER_GSI), other);  /* control: any */
	assert_int_equal(intervm_find(vms[CONTROL], 1, GSI + 100), -TERN_ENOENT);
	assert_int_equal(intervm_find(vms[0], NO_VM, GSI), -TERN_ENOENT);
	assert_int_equal(intervm_find(vms[0], HUGE, GSI), -TERN_ENOENT);
	assert_int_equal(intervm_find(vms[0], 1, HUGE + GSI), -TERN_EINVAL);
}

static void test_grant_revoke(void **state)
{
	int other = doorbell_assign(vms[1], OTHER_GSI, 0, 0);
	u64 before = doorbell_remote_ringers(vms[1]);

	(void)state;
	/* Only the control VM; the others learn nothing, whatever they pass. */
	assert_int_equal(intervm_grant(vms[0], 1, (u64)other, 0), -TERN_EPERM);
	assert_int_equal(intervm_grant(vms[1], 1, (u64)other, 0), -TERN_EPERM);
	assert_int_equal(intervm_grant(vms[0], HUGE, HUGE, HUGE), -TERN_EPERM);
	assert_int_equal(intervm_revoke(vms[0], 1, (u64)other, 0), -TERN_EPERM);
	/* Bad arguments from the control VM. */
	assert_int_equal(intervm_grant(vms[CONTROL], HUGE + 1, (u64)other, 0), -TERN_EINVAL);
	assert_int_equal(intervm_grant(vms[CONTROL], 1, HUGE + (u64)other, 0), -TERN_EINVAL);
	assert_int_equal(intervm_grant(vms[CONTROL], 1, (u64)other, HUGE), -TERN_EINVAL);
	assert_int_equal(intervm_grant(vms[CONTROL], 1, (u64)other, 1), -TERN_EINVAL);  /* its owner */
	assert_int_equal(intervm_grant(vms[CONTROL], NO_VM, (u64)other, 0), -TERN_ENOENT);
	assert_int_equal(intervm_grant(vms[CONTROL], 1, (u64)other, NO_VM), -TERN_ENOENT);
	assert_int_equal(intervm_grant(vms[CONTROL], 1, (u64)other + 1, 0), -TERN_ENOENT);
	assert_int_equal(doorbell_remote_ringers(vms[1]), before);   /* no error changed anything */
	assert_int_equal(intervm_ring(vms[0], 1, (u64)other), -TERN_EPERM);
	/* Grant, ring, revoke. */
	assert_int_equal(intervm_grant(vms[CONTROL], 1, (u64)other, 0), 0);
	assert_int_equal(intervm_grant(vms[CONTROL], 1, (u64)other, 0), 0);   /* idempotent */
	assert_int_equal(intervm_ring(vms[0], 1, (u64)other), 0);
	assert_int_equal(intervm_find(vms[0], 1, OTHER_GSI), other);
	assert_int_equal(intervm_revoke(vms[CONTROL], 1, (u64)other, 0), 0);
	assert_int_equal(intervm_ring(vms[0], 1, (u64)other), -TERN_EPERM);
	assert_int_equal(intervm_revoke(vms[CONTROL], 1, (u64)other, 0), -TERN_ENOENT);
	assert_int_equal(rings(vms[1], other), 1);
	/* The control VM may grant itself, and revoke a command-line grant. */
	assert_int_equal(intervm_grant(vms[CONTROL], 1, (u64)other, CONTROL), 0);
	assert_int_equal(intervm_ring(vms[CONTROL], 1, (u64)other), 0);
	assert_int_equal(intervm_revoke(vms[CONTROL], 1,
					(u64)doorbell_find(vms[1], GSI, DOORBELL_VM_ID_ANY), 0), 0);
	assert_int_equal(doorbell_remote_ringers(vms[1]), BIT64(CONTROL));
}

static void test_may_be_rung(void **state)
{
	(void)state;
	assert_false(intervm_may_be_rung(vms[0], 0));   /* nobody holds a grant on vm0 */
	assert_true(intervm_may_be_rung(vms[1], 0));    /* vm0 may ring vm1 */
	stopped = vms[0];
	assert_false(intervm_may_be_rung(vms[1], 0));   /* ... but vm0 has ended */
	stopped = NULL;
	vm_registry_remove(vms[0]);
	assert_false(intervm_may_be_rung(vms[1], 0));   /* ... or is not there */
	assert_int_equal(vm_registry_add(vms[0], 0, 0), 0);
	assert_true(intervm_may_be_rung(vms[1], 0));
	/* vm0 sleeps too: vm1 waits for a VM that waits as well */
	assert_false(intervm_may_be_rung(vms[1], BIT64(0) | BIT64(1)));
	assert_false(intervm_may_be_rung(vms[1], BIT64(0)));
}

/* A chain: vm2 (awake) may ring vm0, which may ring vm1; vm0 and vm1 sleep. */
static void test_may_be_rung_through_a_chain(void **state)
{
	int id = doorbell_assign(vms[0], OTHER_GSI, 0, 0);

	(void)state;
	assert_true(id > 0);
	assert_int_equal(intervm_grant(vms[CONTROL], 0, (u64)id, CONTROL), 0);
	assert_true(intervm_may_be_rung(vms[0], BIT64(0) | BIT64(1)));
	assert_true(intervm_may_be_rung(vms[1], BIT64(0) | BIT64(1)));
	/* vm2 sleeps as well: no one left to start the chain */
	assert_false(intervm_may_be_rung(vms[1], BIT64(0) | BIT64(1) | BIT64(2)));
	assert_false(intervm_may_be_rung(vms[0], BIT64(0) | BIT64(1) | BIT64(2)));
	stopped = vms[CONTROL];
	assert_false(intervm_may_be_rung(vms[1], BIT64(0) | BIT64(1)));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_registry),
		T(test_command_line_doorbell),
		T(test_ring),
		T(test_find),
		T(test_grant_revoke),
		T(test_may_be_rung),
		T(test_may_be_rung_through_a_chain),
	};

	return cmocka_run_group_tests_name("intervm", tests, NULL, NULL);
}
