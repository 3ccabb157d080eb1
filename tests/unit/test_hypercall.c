/* SPDX-License-Identifier: MIT */
/*
 * Host tests of the hypercall layer (kernel/hypercall.c) through its entry
 * point hypercall_dispatch(), on three fake VMs (tests/unit/fake_hc_vms.c)
 * with the real interrupt models, routing, doorbells and inter-VM rules:
 *   vm0  64 KiB RAM, 2 vCPUs, doorbell=0:40:1 (vm1 may ring it), 2 shm regions
 *   vm1  16 KiB RAM, 1 vCPU, limits: 48 GSIs, 40 entries per request, 2 doorbells
 *   vm2   8 KiB RAM, 1 vCPU, the control VM
 * (test_pv_ipi_32bit: vm0 with 40 vCPUs). Every call's argument checks and error codes (docs/hypercall.md) are one
 * table; each refused call must leave every VM exactly as it was (routing,
 * doorbells, grants, counters, chips, guest RAM, console).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tern/errno.h>
#include <tern/hypercall.h>
#include "irq/doorbell.h"
#include "irq/routing.h"
#include "irq/vioapic.h"
#include "irq/vlapic.h"
#include "irq/vpic.h"
#include "kernel/limits.h"
#include "tests/unit/fake_hc_vms.h"
#include "tests/unit/stub_kernel.h"
#include "tests/unit/route_entries.h"

#define NR_VMS      3
#define CONTROL     2u
#define DB_GSI      40u          /* vm0's doorbell= doorbell, ringable by vm1 */
#define HI          (1ull << 32)
#define INFO        sizeof(struct tern_doorbell_info)
#define SHM_INFO    sizeof(struct tern_shm_info)
#define DUMP_LEN    (256 * 1024)
#define CHIPS_LEN   (64 * 1024)
#define MSI_LO      0xfee00000u

static u32 db0;                  /* vm0's doorbell= id */

static int setup(void **state)
{
	struct hcvm_config cfg[NR_VMS];

	(void)state;
	memset(cfg, 0, sizeof(cfg));
	cfg[0] = (struct hcvm_config){ .ram_size = 64 * 1024, .nr_vcpus = 2, .nr_doorbells = 1,
				       .nr_shm = 2 };
	cfg[0].doorbells[0] = (struct doorbell_config){ DB_GSI, BIT(1) };
	cfg[1] = (struct hcvm_config){ .ram_size = 16 * 1024, .nr_vcpus = 1, .limits = true,
				       .lim = { 48, 40, 2 } };
	cfg[2] = (struct hcvm_config){ .ram_size = 8 * 1024, .nr_vcpus = 1, .control = true };
	stub_free_pages = 1u << 20;
	stub_kzalloc_hook = NULL;
	if (hcvm_setup(NR_VMS, cfg))
		return -1;
	db0 = (u32)doorbell_find(hcvms[0].vm, DB_GSI, DOORBELL_VM_ID_ANY);
	return db0 > 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	hcvm_teardown();
	stub_free_pages = 1u << 20;
	stub_kzalloc_hook = NULL;
	return 0;
}

static s64 call(unsigned vm, u64 nr, u64 a0, u64 a1, u64 a2, u64 a3)
{
	return hcvm_call(vm, 0, nr, a0, a1, a2, a3);
}

static u64 ram_end(unsigned vm)
{
	return hcvms[vm].ram_size;
}

/* ---------------------------------------------------------------- the whole state */

#define RAM_MAX     (64 * 1024)

/* Everything a call could change, for every VM (static: a failed assert leaks nothing). */
struct world {
	char dump[NR_VMS][DUMP_LEN], chips[NR_VMS][CHIPS_LEN];
	u8 ram[NR_VMS][RAM_MAX];
	size_t console[NR_VMS];
};

static struct world before, now;

static void chips_text(unsigned vm, char *out)
{
	size_t n;

	vpic_dump(hcvms[vm].vm, out, CHIPS_LEN);
	n = strlen(out);
	vioapic_dump(hcvms[vm].vm, out + n, CHIPS_LEN - n);
	n = strlen(out);
	for (unsigned c = 0; c < hcvms[vm].nr_vcpus; c++) {
		const u8 *regs = vlapic_regs_page(hcvms[vm].vm, c);

		vlapic_dump(hcvms[vm].vm, c, out + n, CHIPS_LEN - n);
		n = strlen(out);
		for (unsigned off = 0; off < 4096 && n + 3 < CHIPS_LEN; off++, n += 2)
			snprintf(out + n, 3, "%02x", regs[off]);
	}
}

static void capture(struct world *w)
{
	for (unsigned i = 0; i < NR_VMS; i++) {
		assert_true(ram_end(i) <= RAM_MAX);
		irq_dump(hcvms[i].vm, w->dump[i], DUMP_LEN);
		chips_text(i, w->chips[i]);
		memcpy(w->ram[i], hcvms[i].ram, ram_end(i));
		w->console[i] = hcvms[i].console_len;
	}
}

/* Every VM as in `was`; name says which call is to blame. */
static void assert_unchanged(const struct world *was, const char *name)
{
	capture(&now);
	for (unsigned i = 0; i < NR_VMS; i++) {
		if (strcmp(was->dump[i], now.dump[i]))
			fail_msg("%s: vm%u's routing or doorbells changed", name, i);
		if (strcmp(was->chips[i], now.chips[i]))
			fail_msg("%s: vm%u's interrupt controllers changed", name, i);
		if (memcmp(was->ram[i], now.ram[i], ram_end(i)))
			fail_msg("%s: vm%u's guest RAM changed", name, i);
		if (was->console[i] != now.console[i])
			fail_msg("%s: vm%u's console got output", name, i);
	}
}

/* ---------------------------------------------------------------- routing requests */

/* A request written into vm's RAM at gpa (header, then nr entries). */
static void put_request(unsigned vm, u64 gpa, u32 nr, u32 flags,
			const struct tern_irq_routing_entry *e, u32 n_given)
{
	struct tern_irq_routing hdr = { .nr = nr, .flags = flags };

	assert_true(gpa + sizeof(hdr) + n_given * sizeof(*e) <= ram_end(vm));
	memcpy(hcvms[vm].ram + gpa, &hdr, sizeof(hdr));
	if (n_given)
		memcpy(hcvms[vm].ram + gpa + sizeof(hdr), e, n_given * sizeof(*e));
}

/* ---------------------------------------------------------------- refused calls */

struct hc_case {
	const char *name;
	unsigned vm;
	u64 nr, a0, a1, a2, a3;
	s64 want;
};

static void run_refused(const struct hc_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		s64 rc;

		capture(&before);
		rc = call(c[i].vm, c[i].nr, c[i].a0, c[i].a1, c[i].a2, c[i].a3);
		if (rc != c[i].want)
			fail_msg("%s: returned %lld, want %lld", c[i].name, (long long)rc,
				 (long long)c[i].want);
		assert_unchanged(&before, c[i].name);
	}
}

/* Requests at fixed places in vm0's RAM, for the SET_GSI_ROUTING cases. */
enum {
	R_FLAGS = 0x1000, R_TYPE = 0x1100, R_S390 = 0x1200, R_CHIP = 0x1300, R_PIN = 0x1400,
	R_PICPIN = 0x1500, R_GSI = 0x1600, R_DUP = 0x1700, R_SHARED = 0x1800,
	R_EFLAGS = 0x1900, R_MSIFLAGS = 0x1a00, R_BIG = 0x1b00, R_HV = 0x1c00,
};

static void put_bad_requests(void)
{
	struct tern_irq_routing_entry e[2];

	e[0] = route_chip(5, TERN_IRQCHIP_IOAPIC, 5);
	put_request(0, R_FLAGS, 1, 1, e, 1);
	e[0].type = 7;
	put_request(0, R_TYPE, 1, 0, e, 1);
	e[0].type = TERN_IRQ_ROUTING_S390_ADAPTER;
	put_request(0, R_S390, 1, 0, e, 1);
	e[0].type = TERN_IRQ_ROUTING_HV_SINT;
	put_request(0, R_HV, 1, 0, e, 1);
	e[0] = route_chip(5, 3, 5);
	put_request(0, R_CHIP, 1, 0, e, 1);
	e[0] = route_chip(5, TERN_IRQCHIP_IOAPIC, 24);
	put_request(0, R_PIN, 1, 0, e, 1);
	e[0] = route_chip(12, TERN_IRQCHIP_PIC_SLAVE, 8);
	put_request(0, R_PICPIN, 1, 0, e, 1);
	e[0] = route_chip(LIMIT_VM_GSIS, TERN_IRQCHIP_IOAPIC, 5);
	put_request(0, R_GSI, 1, 0, e, 1);
	e[0] = route_chip(5, TERN_IRQCHIP_IOAPIC, 5);
	e[1] = route_chip(5, TERN_IRQCHIP_IOAPIC, 6);
	put_request(0, R_DUP, 2, 0, e, 2);
	e[0] = route_msi(40, MSI_LO, 0, 0x41);
	e[1] = route_chip(40, TERN_IRQCHIP_IOAPIC, 7);
	put_request(0, R_SHARED, 2, 0, e, 2);
	e[0] = route_chip(5, TERN_IRQCHIP_IOAPIC, 5);
	e[0].flags = 1;
	put_request(0, R_EFLAGS, 1, 0, e, 1);
	e[0] = route_msi(40, MSI_LO, 0, 0x41);
	e[0].flags = 2;
	put_request(0, R_MSIFLAGS, 1, 0, e, 1);
	put_request(0, R_BIG, LIMIT_VM_ROUTE_ENTRIES + 1, 0, NULL, 0);
	/* vm1 (40 entries at most): 41, whatever they hold */
	put_request(1, 0, 41, 0, NULL, 0);
	/* vm0: a header whose one entry runs past the end of RAM */
	put_request(0, ram_end(0) - 8 - 47, 1, 0, NULL, 0);
}

static void test_refused_calls(void **state)
{
	u64 end0 = ram_end(0);
	s64 own1, stale, live0;

	(void)state;
	put_bad_requests();
	/* vm1 owns a doorbell nobody else may ring; a stale id from one deassigned */
	own1 = call(1, TERN_HC_DOORBELL_ASSIGN, 7, 0, 0, 0);
	assert_true(own1 > 0);
	stale = call(0, TERN_HC_DOORBELL_ASSIGN, 9, 0, 0, 0);
	assert_true(stale > 0);
	assert_int_equal(call(0, TERN_HC_DOORBELL_DEASSIGN, (u64)stale, 0, 0, 0), 0);
	/* ids are per VM (vm1's first one has the number of vm0's first): one vm1 has not */
	live0 = call(0, TERN_HC_DOORBELL_ASSIGN, 8, 0, 0, 0);
	assert_true(live0 > 0 && live0 != own1 && live0 != stale);
	{
		const struct hc_case table[] = {
		/* CONSOLE_WRITE */
		{ "console: len 4097", 0, TERN_HC_CONSOLE_WRITE, 0, 4097, 0, 0, -TERN_E2BIG },
		{ "console: len 2^32 + 1", 0, TERN_HC_CONSOLE_WRITE, 0, HI + 1, 0, 0, -TERN_E2BIG },
		{ "console: len ~0", 0, TERN_HC_CONSOLE_WRITE, 0, ~0ull, 0, 0, -TERN_E2BIG },
		{ "console: across RAM's end", 0, TERN_HC_CONSOLE_WRITE, end0 - 4, 5, 0, 0, -TERN_EFAULT },
		{ "console: at RAM's end", 0, TERN_HC_CONSOLE_WRITE, end0, 1, 0, 0, -TERN_EFAULT },
		{ "console: wraps", 0, TERN_HC_CONSOLE_WRITE, ~0ull - 1, 4, 0, 0, -TERN_EFAULT },
		{ "console: ends at 2^64", 0, TERN_HC_CONSOLE_WRITE, ~0ull, 1, 0, 0, -TERN_EFAULT },
		{ "console: high bits on a RAM gpa", 0, TERN_HC_CONSOLE_WRITE, HI, 4, 0, 0, -TERN_EFAULT },
		{ "console: shared memory", 0, TERN_HC_CONSOLE_WRITE, TERN_SHM_WINDOW_GPA, 4, 0, 0,
		  -TERN_EFAULT },
		/* SET_GSI_ROUTING */
		{ "routing: header across RAM's end", 0, TERN_HC_SET_GSI_ROUTING, end0 - 7, 0, 0, 0,
		  -TERN_EFAULT },
		{ "routing: header past RAM", 0, TERN_HC_SET_GSI_ROUTING, end0, 0, 0, 0, -TERN_EFAULT },
		{ "routing: header wraps", 0, TERN_HC_SET_GSI_ROUTING, ~0ull - 3, 0, 0, 0, -TERN_EFAULT },
		{ "routing: entries across RAM's end", 0, TERN_HC_SET_GSI_ROUTING, end0 - 8 - 47, 0, 0, 0,
		  -TERN_EFAULT },
		{ "routing: nr above 4096", 0, TERN_HC_SET_GSI_ROUTING, R_BIG, 0, 0, 0, -TERN_E2BIG },
		{ "routing: nr above the VM's limit", 1, TERN_HC_SET_GSI_ROUTING, 0, 0, 0, 0, -TERN_E2BIG },
		{ "routing: request flags", 0, TERN_HC_SET_GSI_ROUTING, R_FLAGS, 0, 0, 0, -TERN_EINVAL },
		{ "routing: unknown type", 0, TERN_HC_SET_GSI_ROUTING, R_TYPE, 0, 0, 0, -TERN_ENOSYS },
		{ "routing: s390 adapter", 0, TERN_HC_SET_GSI_ROUTING, R_S390, 0, 0, 0, -TERN_EOPNOTSUPP },
		{ "routing: Hyper-V SINT", 0, TERN_HC_SET_GSI_ROUTING, R_HV, 0, 0, 0, -TERN_EOPNOTSUPP },
		{ "routing: no such chip", 0, TERN_HC_SET_GSI_ROUTING, R_CHIP, 0, 0, 0, -TERN_ENOENT },
		{ "routing: IOAPIC pin 24", 0, TERN_HC_SET_GSI_ROUTING, R_PIN, 0, 0, 0, -TERN_ERANGE },
		{ "routing: PIC slave pin 8", 0, TERN_HC_SET_GSI_ROUTING, R_PICPIN, 0, 0, 0, -TERN_ERANGE },
		{ "routing: gsi 1024", 0, TERN_HC_SET_GSI_ROUTING, R_GSI, 0, 0, 0, -TERN_ERANGE },
		{ "routing: one chip twice", 0, TERN_HC_SET_GSI_ROUTING, R_DUP, 0, 0, 0, -TERN_EEXIST },
		{ "routing: MSI shared", 0, TERN_HC_SET_GSI_ROUTING, R_SHARED, 0, 0, 0, -TERN_EBUSY },
		{ "routing: irqchip flags", 0, TERN_HC_SET_GSI_ROUTING, R_EFLAGS, 0, 0, 0, -TERN_EINVAL },
		{ "routing: MSI flags", 0, TERN_HC_SET_GSI_ROUTING, R_MSIFLAGS, 0, 0, 0, -TERN_EINVAL },
		/* IRQ_LINE */
		{ "irq_line: gsi 2^32", 0, TERN_HC_IRQ_LINE, HI, 1, 0, 0, -TERN_EINVAL },
		{ "irq_line: gsi 2^32 + 4 (4 is routed)", 0, TERN_HC_IRQ_LINE, HI + 4, 1, 0, 0, -TERN_EINVAL },
		{ "irq_line: gsi 1024", 0, TERN_HC_IRQ_LINE, 1024, 1, 0, 0, -TERN_EINVAL },
		{ "irq_line: gsi 48 on vm1 (48 GSIs)", 1, TERN_HC_IRQ_LINE, 48, 1, 0, 0, -TERN_EINVAL },
		{ "irq_line: gsi 2 unrouted", 0, TERN_HC_IRQ_LINE, 2, 1, 0, 0, -TERN_ENOENT },
		{ "irq_line: gsi 30 unrouted", 0, TERN_HC_IRQ_LINE, 30, 0, 0, 0, -TERN_ENOENT },
		/* DOORBELL_ASSIGN */
		{ "assign: gsi 2^32", 0, TERN_HC_DOORBELL_ASSIGN, HI + 5, 0, 0, 0, -TERN_EINVAL },
		{ "assign: flags 2^32", 0, TERN_HC_DOORBELL_ASSIGN, 5, HI, 0, 0, -TERN_EINVAL },
		{ "assign: resample id 2^32", 0, TERN_HC_DOORBELL_ASSIGN, 5, TERN_DOORBELL_FLAG_RESAMPLE,
		  HI + 1, 0, -TERN_EINVAL },
		{ "assign: unknown flag", 0, TERN_HC_DOORBELL_ASSIGN, 5, 4, 0, 0, -TERN_EINVAL },
		{ "assign: RESAMPLE without an id", 0, TERN_HC_DOORBELL_ASSIGN, 5,
		  TERN_DOORBELL_FLAG_RESAMPLE, 0, 0, -TERN_EINVAL },
		{ "assign: an id without RESAMPLE", 0, TERN_HC_DOORBELL_ASSIGN, 5, 0, 3, 0, -TERN_EINVAL },
		{ "assign: gsi 1024", 0, TERN_HC_DOORBELL_ASSIGN, 1024, 0, 0, 0, -TERN_ERANGE },
		{ "assign: gsi 48 on vm1", 1, TERN_HC_DOORBELL_ASSIGN, 48, 0, 0, 0, -TERN_ERANGE },
		{ "assign: DEASSIGN | RESAMPLE", 0, TERN_HC_DOORBELL_ASSIGN, DB_GSI,
		  TERN_DOORBELL_FLAG_DEASSIGN | TERN_DOORBELL_FLAG_RESAMPLE, db0, 0, -TERN_EINVAL },
		{ "assign: DEASSIGN on the wrong gsi", 0, TERN_HC_DOORBELL_ASSIGN, DB_GSI + 1,
		  TERN_DOORBELL_FLAG_DEASSIGN, db0, 0, -TERN_ENOENT },
		{ "assign: DEASSIGN of an unknown id", 0, TERN_HC_DOORBELL_ASSIGN, DB_GSI,
		  TERN_DOORBELL_FLAG_DEASSIGN, db0 + 1, 0, -TERN_ENOENT },
		{ "assign: DEASSIGN of id + 2^32", 0, TERN_HC_DOORBELL_ASSIGN, DB_GSI,
		  TERN_DOORBELL_FLAG_DEASSIGN, db0 + HI, 0, -TERN_EINVAL },
		/* DEASSIGN, RING */
		{ "deassign: id 0", 0, TERN_HC_DOORBELL_DEASSIGN, 0, 0, 0, 0, -TERN_ENOENT },
		{ "deassign: id + 2^32", 0, TERN_HC_DOORBELL_DEASSIGN, db0 + HI, 0, 0, 0, -TERN_ENOENT },
		{ "deassign: a stale id", 0, TERN_HC_DOORBELL_DEASSIGN, (u64)stale, 0, 0, 0, -TERN_ENOENT },
		{ "deassign: another VM's id", 1, TERN_HC_DOORBELL_DEASSIGN, (u64)live0, 0, 0, 0,
		  -TERN_ENOENT },
		{ "ring: id ~0", 0, TERN_HC_DOORBELL_RING, ~0ull, 0, 0, 0, -TERN_ENOENT },
		{ "ring: id + 2^32", 0, TERN_HC_DOORBELL_RING, db0 + HI, 0, 0, 0, -TERN_ENOENT },
		{ "ring: a stale id", 0, TERN_HC_DOORBELL_RING, (u64)stale, 0, 0, 0, -TERN_ENOENT },
		{ "ring: another VM's id", 1, TERN_HC_DOORBELL_RING, (u64)live0, 0, 0, 0, -TERN_ENOENT },
		/* QUERY */
		{ "query: unknown id", 0, TERN_HC_DOORBELL_QUERY, db0 + 1, 0, 0, 0, -TERN_ENOENT },
		{ "query: id + 2^32", 0, TERN_HC_DOORBELL_QUERY, db0 + HI, 0, 0, 0, -TERN_ENOENT },
		{ "query: across RAM's end", 0, TERN_HC_DOORBELL_QUERY, db0, end0 - INFO + 1, 0, 0,
		  -TERN_EFAULT },
		{ "query: wraps", 0, TERN_HC_DOORBELL_QUERY, db0, ~0ull - 8, 0, 0, -TERN_EFAULT },
		/* IRQ_DUMP */
		{ "dump: past RAM", 0, TERN_HC_IRQ_DUMP, end0, 100, 0, 0, -TERN_EFAULT },
		{ "dump: text longer than the room to RAM's end", 0, TERN_HC_IRQ_DUMP, end0 - 10, 4096,
		  0, 0, -TERN_EFAULT },
		{ "dump: wraps", 0, TERN_HC_IRQ_DUMP, ~0ull - 15, ~0ull, 0, 0, -TERN_EFAULT },
		/* RING_VM */
		{ "ring_vm: vm 2^32", 1, TERN_HC_DOORBELL_RING_VM, HI, db0, 0, 0, -TERN_ENOENT },
		{ "ring_vm: unregistered vm 3", 1, TERN_HC_DOORBELL_RING_VM, 3, db0, 0, 0, -TERN_ENOENT },
		{ "ring_vm: vm 9 (beyond the registry)", 1, TERN_HC_DOORBELL_RING_VM, 9, db0, 0, 0,
		  -TERN_ENOENT },
		{ "ring_vm: id + 2^32", 1, TERN_HC_DOORBELL_RING_VM, 0, db0 + HI, 0, 0, -TERN_ENOENT },
		{ "ring_vm: unknown id", 1, TERN_HC_DOORBELL_RING_VM, 0, db0 + 1, 0, 0, -TERN_ENOENT },
		{ "ring_vm: not granted", 0, TERN_HC_DOORBELL_RING_VM, 1, (u64)own1, 0, 0, -TERN_EPERM },
		{ "ring_vm: the control VM, not granted", CONTROL, TERN_HC_DOORBELL_RING_VM, 0, db0, 0, 0,
		  -TERN_EPERM },
		/* FIND */
		{ "find: gsi 2^32", 1, TERN_HC_DOORBELL_FIND, 0, HI + DB_GSI, 0, 0, -TERN_EINVAL },
		{ "find: vm 2^32", 1, TERN_HC_DOORBELL_FIND, HI, DB_GSI, 0, 0, -TERN_ENOENT },
		{ "find: unregistered vm", 1, TERN_HC_DOORBELL_FIND, 5, DB_GSI, 0, 0, -TERN_ENOENT },
		{ "find: no doorbell on the gsi", 1, TERN_HC_DOORBELL_FIND, 0, DB_GSI + 1, 0, 0,
		  -TERN_ENOENT },
		{ "find: one it may not ring", 0, TERN_HC_DOORBELL_FIND, 1, 7, 0, 0, -TERN_ENOENT },
		/* GRANT, REVOKE */
		{ "grant: not the control VM", 0, TERN_HC_DOORBELL_GRANT, 0, db0, 2, 0, -TERN_EPERM },
		{ "grant: not the control VM, bad arguments too", 1, TERN_HC_DOORBELL_GRANT, HI, ~0ull, 1,
		  0, -TERN_EPERM },
		{ "grant: owner 2^32", CONTROL, TERN_HC_DOORBELL_GRANT, HI, db0, 2, 0, -TERN_EINVAL },
		{ "grant: id 2^32 + id", CONTROL, TERN_HC_DOORBELL_GRANT, 0, HI + db0, 2, 0, -TERN_EINVAL },
		{ "grant: ringer 2^32 + 2", CONTROL, TERN_HC_DOORBELL_GRANT, 0, db0, HI + 2, 0,
		  -TERN_EINVAL },
		{ "grant: ringer = owner", CONTROL, TERN_HC_DOORBELL_GRANT, 0, db0, 0, 0, -TERN_EINVAL },
		{ "grant: unregistered ringer", CONTROL, TERN_HC_DOORBELL_GRANT, 0, db0, 4, 0, -TERN_ENOENT },
		{ "grant: unregistered owner", CONTROL, TERN_HC_DOORBELL_GRANT, 6, db0, 1, 0, -TERN_ENOENT },
		{ "grant: unknown id", CONTROL, TERN_HC_DOORBELL_GRANT, 0, db0 + 1, 2, 0, -TERN_ENOENT },
		{ "grant: a stale id", CONTROL, TERN_HC_DOORBELL_GRANT, 0, (u64)stale, 2, 0, -TERN_ENOENT },
		{ "revoke: not the control VM", 1, TERN_HC_DOORBELL_REVOKE, 0, db0, 1, 0, -TERN_EPERM },
		{ "revoke: no such grant", CONTROL, TERN_HC_DOORBELL_REVOKE, 0, db0, 2, 0, -TERN_ENOENT },
		{ "revoke: ringer = owner", CONTROL, TERN_HC_DOORBELL_REVOKE, 0, db0, 0, 0, -TERN_EINVAL },
		{ "revoke: unknown id", CONTROL, TERN_HC_DOORBELL_REVOKE, 0, db0 + 1, 1, 0, -TERN_ENOENT },
		{ "revoke: id + 2^32", CONTROL, TERN_HC_DOORBELL_REVOKE, 0, db0 + HI, 1, 0, -TERN_EINVAL },
		/* SHM_QUERY */
		{ "shm: index past the last region", 0, TERN_HC_SHM_QUERY, 2, 0, 0, 0, -TERN_ENOENT },
		{ "shm: index 2^32", 0, TERN_HC_SHM_QUERY, HI, 0, 0, 0, -TERN_ENOENT },
		{ "shm: a VM with none", 1, TERN_HC_SHM_QUERY, 0, 0, 0, 0, -TERN_ENOENT },
		{ "shm: across RAM's end", 0, TERN_HC_SHM_QUERY, 1, end0 - SHM_INFO + 1, 0, 0, -TERN_EFAULT },
		{ "shm: into the region itself", 0, TERN_HC_SHM_QUERY, 0, TERN_SHM_WINDOW_GPA, 0, 0,
		  -TERN_EFAULT },
		/* KVM_HC_SEND_IPI */
		{ "pv ipi: logical destination", 0, KVM_HC_SEND_IPI, 1, 0, 0, 0x830, -TERN_EINVAL },
		{ "pv ipi: self shorthand", 0, KVM_HC_SEND_IPI, 1, 0, 0, 0x40030, -TERN_EINVAL },
		{ "pv ipi: all-but-self shorthand", 0, KVM_HC_SEND_IPI, 1, 0, 0, 0xc0030, -TERN_EINVAL },
		{ "pv ipi: lowest priority", 0, KVM_HC_SEND_IPI, 1, 0, 0, 0x130, -TERN_EINVAL },
		{ "pv ipi: INIT", 0, KVM_HC_SEND_IPI, 1, 0, 0, 0x500, -TERN_EINVAL },
		{ "pv ipi: SIPI", 0, KVM_HC_SEND_IPI, 1, 0, 0, 0x610, -TERN_EINVAL },
		/* unknown numbers */
		{ "nr 0", 0, 0, 0, 0, 0, 0, -TERN_KVM_ENOSYS },
		{ "nr 9 (KVM clock pairing)", 0, 9, 0, 0, 0, 0, -TERN_KVM_ENOSYS },
		{ "nr 11 (KVM sched yield)", 0, 11, 0, 0, 0, 0, -TERN_KVM_ENOSYS },
		{ "nr 10 + 2^32", 0, KVM_HC_SEND_IPI + HI, 1, 0, 0, 0x30, -TERN_KVM_ENOSYS },
		{ "nr base - 1", 0, TERN_HC_BASE - 1, 0, 0, 0, 0, -TERN_KVM_ENOSYS },
		{ "nr base + 3 (a hole)", 0, TERN_HC_BASE + 3, 0, 0, 0, 0, -TERN_KVM_ENOSYS },
		{ "nr base + 0x17 (a hole)", 0, TERN_HC_BASE + 0x17, 0, 0, 0, 0, -TERN_KVM_ENOSYS },
		{ "nr past the table", 0, TERN_HC_SHM_QUERY + 1, 0, 0, 0, 0, -TERN_KVM_ENOSYS },
		{ "nr NULL + 2^32", 0, TERN_HC_NULL + HI, 0, 0, 0, 0, -TERN_KVM_ENOSYS },
		{ "nr RING + 2^63", 0, TERN_HC_DOORBELL_RING + (1ull << 63), db0, 0, 0, 0,
		  -TERN_KVM_ENOSYS },
		{ "nr ~0", 0, ~0ull, 0, 0, 0, 0, -TERN_KVM_ENOSYS },
		};

		run_refused(table, ARRAY_SIZE(table));
	}
}

/* ---------------------------------------------------------------- calls that succeed */

static void test_simple_calls(void **state)
{
	(void)state;
	assert_int_equal(call(0, TERN_HC_NULL, 1, 2, 3, 4), 0);
	assert_int_equal(hcvm_call(0, 1, TERN_HC_NULL, 0, 0, 0, 0), 0);   /* from vCPU 1 */
	assert_int_equal(call(1, TERN_HC_VERSION, ~0ull, 0, 0, 0), TERN_HC_ABI_VERSION);
	for (unsigned i = 0; i < NR_VMS; i++)
		assert_int_equal(call(i, TERN_HC_VM_SELF, 0, 0, 0, 0), i);
}

static void test_console(void **state)
{
	u64 end = ram_end(0);
	u8 *ram = hcvms[0].ram;

	(void)state;
	memcpy(ram + 0x100, "hello", 5);
	assert_int_equal(call(0, TERN_HC_CONSOLE_WRITE, 0x100, 5, 0, 0), 5);
	assert_int_equal(hcvms[0].console_len, 5);
	assert_memory_equal(hcvms[0].console, "hello", 5);
	assert_int_equal(hcvms[1].console_len, 0);
	/* len 0 writes nothing, wherever it points */
	assert_int_equal(call(0, TERN_HC_CONSOLE_WRITE, ~0ull, 0, 0, 0), 0);
	assert_int_equal(call(0, TERN_HC_CONSOLE_WRITE, end, 0, 0, 0), 0);
	/* ending exactly at RAM's end, and the largest */
	memcpy(ram + end - 3, "end", 3);
	assert_int_equal(call(0, TERN_HC_CONSOLE_WRITE, end - 3, 3, 0, 0), 3);
	assert_memory_equal(hcvms[0].console + 5, "end", 3);
	assert_int_equal(call(0, TERN_HC_CONSOLE_WRITE, 0, 4096, 0, 0), 4096);
	assert_int_equal(hcvms[0].console_len, 5 + 3 + 4096);
}

static void test_irq_dump(void **state)
{
	char *want = calloc(1, DUMP_LEN);
	u8 *ram = hcvms[0].ram;
	int n;

	(void)state;
	assert_non_null(want);
	n = irq_dump(hcvms[0].vm, want, DUMP_LEN);
	assert_true(n > 16);
	memset(ram, 0xaa, 64);
	assert_int_equal(call(0, TERN_HC_IRQ_DUMP, 0, 0, 0, 0), 0);          /* len 0: nothing */
	assert_int_equal(ram[0], 0xaa);
	assert_int_equal(call(0, TERN_HC_IRQ_DUMP, ~0ull, 0, 0, 0), 0);
	assert_int_equal(call(0, TERN_HC_IRQ_DUMP, 0, 1, 0, 0), 0);          /* only the NUL */
	assert_int_equal(ram[0], 0);
	assert_int_equal(ram[1], 0xaa);
	assert_int_equal(call(0, TERN_HC_IRQ_DUMP, 8, 16, 0, 0), 15);        /* cut at len - 1 */
	assert_memory_equal(ram + 8, want, 15);
	assert_int_equal(ram[8 + 15], 0);
	assert_int_equal(ram[8 + 16], 0xaa);
	/* at most 4096 bytes, whatever len says; ending exactly at RAM's end */
	n = (int)MIN((size_t)n, (size_t)4095);
	assert_int_equal(call(0, TERN_HC_IRQ_DUMP, 0x100, ~0ull, 0, 0), n);
	assert_memory_equal(ram + 0x100, want, (size_t)n);
	assert_int_equal(ram[0x100 + n], 0);
	assert_int_equal(call(0, TERN_HC_IRQ_DUMP, ram_end(0) - 11, 11, 0, 0), 10);
	assert_memory_equal(ram + ram_end(0) - 11, want, 10);
	free(want);
}

static void test_routing(void **state)
{
	struct tern_irq_routing_entry e[3] = {
		route_chip(30, TERN_IRQCHIP_IOAPIC, 10),
		route_chip(30, TERN_IRQCHIP_PIC_MASTER, 3),
		route_msi(31, MSI_LO, 0, 0x4051),
	};
	const struct irq_routing_table *t;

	(void)state;
	put_request(0, 0x200, 3, 0, e, 3);
	assert_int_equal(call(0, TERN_HC_IRQ_LINE, 30, 1, 0, 0), -TERN_ENOENT);
	assert_int_equal(call(0, TERN_HC_SET_GSI_ROUTING, 0x200, 0, 0, 0), 0);
	t = vm_irq(hcvms[0].vm)->routing;
	assert_int_equal(t->nr_rt_entries, 32);
	assert_non_null(t->map[30]);
	assert_non_null(t->map[30]->link);
	assert_int_equal(t->map[31]->type, TERN_IRQ_ROUTING_MSI);
	assert_null(t->map[5]);
	assert_int_equal(call(0, TERN_HC_IRQ_LINE, 30, 1, 0, 0), 0);
	assert_int_equal(call(0, TERN_HC_IRQ_LINE, 30, 0, 0, 0), 0);
	assert_int_equal(call(0, TERN_HC_IRQ_LINE, 31, ~0ull, 0, 0), 0);     /* any non-zero level */
	assert_int_equal(call(0, TERN_HC_IRQ_LINE, 5, 1, 0, 0), -TERN_ENOENT);  /* the old route */
	/* other VMs keep theirs */
	assert_int_equal(call(1, TERN_HC_IRQ_LINE, 5, 1, 0, 0), 0);
	/* an MSI route tern cannot deliver: the line call says so */
	e[0] = route_msi(33, 0x12345000u, 0, 0x41);
	put_request(0, 0x300, 1, 0, e, 1);
	assert_int_equal(call(0, TERN_HC_SET_GSI_ROUTING, 0x300, 0, 0, 0), 0);
	assert_int_equal(call(0, TERN_HC_IRQ_LINE, 33, 1, 0, 0), -TERN_EINVAL);
	assert_int_equal(call(0, TERN_HC_IRQ_LINE, 33, 0, 0, 0), 0);         /* level 0: nothing sent */
	/* an empty request empties the table; the request's RAM is only read */
	put_request(0, ram_end(0) - 8, 0, 0, NULL, 0);
	assert_int_equal(call(0, TERN_HC_SET_GSI_ROUTING, ram_end(0) - 8, 0, 0, 0), 0);
	assert_int_equal(vm_irq(hcvms[0].vm)->routing->nr_rt_entries, 0);
	assert_int_equal(call(0, TERN_HC_IRQ_LINE, 33, 1, 0, 0), -TERN_ENOENT);
	/* vm1's 40-entry limit: 40 pass */
	{
		struct tern_irq_routing_entry many[40];

		for (u32 i = 0; i < 40; i++)
			many[i] = route_msi(i, MSI_LO, 0, 0x40 + i);
		put_request(1, 0x100, 40, 0, many, 40);
		assert_int_equal(call(1, TERN_HC_SET_GSI_ROUTING, 0x100, 0, 0, 0), 0);
	}
}

static void test_doorbells(void **state)
{
	struct tern_doorbell_info info;
	u64 end = ram_end(0);
	u8 *ram = hcvms[0].ram;
	s64 a, b, r;

	(void)state;
	a = call(0, TERN_HC_DOORBELL_ASSIGN, 9, 0, 0, 0);
	b = call(0, TERN_HC_DOORBELL_ASSIGN, 10, TERN_DOORBELL_FLAG_RESAMPLE, 5, 0);
	assert_true(a > 0 && b > 0 && a != b && a != db0 && b != db0);
	assert_int_equal(call(0, TERN_HC_DOORBELL_RING, (u64)a, 0, 0, 0), 0);
	assert_int_equal(call(0, TERN_HC_DOORBELL_RING, (u64)a, 0, 0, 0), 0);
	assert_int_equal(call(0, TERN_HC_DOORBELL_RING, (u64)b, 0, 0, 0), 0);
	/* QUERY writes exactly the struct, ending at RAM's end */
	memset(ram + end - INFO - 8, 0x5a, INFO + 8);
	assert_int_equal(call(0, TERN_HC_DOORBELL_QUERY, (u64)a, end - INFO, 0, 0), 0);
	memcpy(&info, ram + end - INFO, INFO);
	assert_int_equal(info.id, a);
	assert_int_equal(info.gsi, 9);
	assert_int_equal(info.flags, 0);
	assert_int_equal(info.rings, 2);
	assert_int_equal(ram[end - INFO - 1], 0x5a);
	assert_int_equal(call(0, TERN_HC_DOORBELL_QUERY, (u64)b, 0x40, 0, 0), 0);
	memcpy(&info, ram + 0x40, INFO);
	assert_int_equal(info.flags, TERN_DOORBELL_FLAG_RESAMPLE);
	assert_int_equal(info.resample_id, 5);
	assert_int_equal(info.rings, 1);
	/* DEASSIGN through ASSIGN's flags names the GSI and the id */
	assert_int_equal(call(0, TERN_HC_DOORBELL_ASSIGN, 10, TERN_DOORBELL_FLAG_DEASSIGN, (u64)b, 0), 0);
	assert_int_equal(call(0, TERN_HC_DOORBELL_RING, (u64)b, 0, 0, 0), -TERN_ENOENT);
	assert_int_equal(call(0, TERN_HC_DOORBELL_DEASSIGN, (u64)a, 0, 0, 0), 0);
	assert_int_equal(call(0, TERN_HC_DOORBELL_DEASSIGN, (u64)a, 0, 0, 0), -TERN_ENOENT);
	/* ids are not handed out again */
	r = call(0, TERN_HC_DOORBELL_ASSIGN, 9, 0, 0, 0);
	assert_true(r > 0 && r != a && r != b);
	/* vm1's limit of 2 */
	assert_true(call(1, TERN_HC_DOORBELL_ASSIGN, 1, 0, 0, 0) > 0);
	assert_true(call(1, TERN_HC_DOORBELL_ASSIGN, 47, 0, 0, 0) > 0);
	{

		capture(&before);
		assert_int_equal(call(1, TERN_HC_DOORBELL_ASSIGN, 3, 0, 0, 0), -TERN_ENOSPC);
		assert_unchanged(&before, "assign over vm1's limit");
	}
}

static void test_intervm(void **state)
{
	s64 own1 = call(1, TERN_HC_DOORBELL_ASSIGN, 7, 0, 0, 0);
	u64 rings_before;
	struct tern_doorbell_info info;

	(void)state;
	assert_true(own1 > 0);
	/* doorbell= let vm1 ring and find vm0's doorbell */
	assert_int_equal(call(1, TERN_HC_DOORBELL_FIND, 0, DB_GSI, 0, 0), db0);
	assert_int_equal(call(1, TERN_HC_DOORBELL_RING_VM, 0, db0, 0, 0), 0);
	assert_int_equal(doorbell_query(hcvms[0].vm, db0, &info), 0);
	assert_int_equal(info.rings, 1);
	/* a VM finds and rings its own; the control VM finds any, rings none ungranted */
	assert_int_equal(call(1, TERN_HC_DOORBELL_FIND, 1, 7, 0, 0), own1);
	assert_int_equal(call(1, TERN_HC_DOORBELL_RING_VM, 1, (u64)own1, 0, 0), 0);
	assert_int_equal(call(CONTROL, TERN_HC_DOORBELL_FIND, 1, 7, 0, 0), own1);
	assert_int_equal(call(0, TERN_HC_DOORBELL_FIND, 1, 7, 0, 0), -TERN_ENOENT);
	/* the control VM grants vm0 vm1's doorbell, then takes it back */
	assert_int_equal(call(CONTROL, TERN_HC_DOORBELL_GRANT, 1, (u64)own1, 0, 0), 0);
	assert_int_equal(call(CONTROL, TERN_HC_DOORBELL_GRANT, 1, (u64)own1, 0, 0), 0);   /* again: 0 */
	assert_int_equal(doorbell_remote_ringers(hcvms[1].vm), BIT64(0));
	assert_int_equal(call(0, TERN_HC_DOORBELL_FIND, 1, 7, 0, 0), own1);
	assert_int_equal(doorbell_query(hcvms[1].vm, (u32)own1, &info), 0);
	rings_before = info.rings;
	assert_int_equal(call(0, TERN_HC_DOORBELL_RING_VM, 1, (u64)own1, 0, 0), 0);
	assert_int_equal(doorbell_query(hcvms[1].vm, (u32)own1, &info), 0);
	assert_int_equal(info.rings, rings_before + 1);
	assert_int_equal(call(CONTROL, TERN_HC_DOORBELL_REVOKE, 1, (u64)own1, 0, 0), 0);
	assert_int_equal(call(0, TERN_HC_DOORBELL_RING_VM, 1, (u64)own1, 0, 0), -TERN_EPERM);
	assert_int_equal(call(CONTROL, TERN_HC_DOORBELL_REVOKE, 1, (u64)own1, 0, 0), -TERN_ENOENT);
	assert_int_equal(doorbell_remote_ringers(hcvms[1].vm), 0);
	/* a deassigned doorbell takes its grants along */
	assert_int_equal(call(CONTROL, TERN_HC_DOORBELL_GRANT, 1, (u64)own1, 2, 0), 0);
	assert_int_equal(call(1, TERN_HC_DOORBELL_DEASSIGN, (u64)own1, 0, 0, 0), 0);
	assert_int_equal(doorbell_remote_ringers(hcvms[1].vm), 0);
	assert_int_equal(call(CONTROL, TERN_HC_DOORBELL_REVOKE, 1, (u64)own1, 2, 0), -TERN_ENOENT);
}

static void test_shm_query(void **state)
{
	struct tern_shm_info info;
	u8 *ram = hcvms[0].ram;
	u64 at = ram_end(0) - SHM_INFO;

	(void)state;
	memset(ram + at - 1, 0x77, SHM_INFO + 1);
	assert_int_equal(call(0, TERN_HC_SHM_QUERY, 1, at, 0, 0), 0);
	memcpy(&info, ram + at, SHM_INFO);
	assert_memory_equal(&info, &hcvms[0].shm[1], SHM_INFO);
	assert_int_equal(info.gpa, TERN_SHM_WINDOW_GPA + 2 * MiB);
	assert_int_equal(ram[at - 1], 0x77);
}

static void test_send_ipi(void **state)
{
	(void)state;
	assert_int_equal(call(0, KVM_HC_SEND_IPI, 3, 0, 0, 0x31), 2);         /* vCPUs 0 and 1 */
	assert_int_equal(call(0, KVM_HC_SEND_IPI, 1, 0, 1, 0x32), 1);         /* APIC ID 1 */
	assert_int_equal(call(0, KVM_HC_SEND_IPI, ~0ull, ~0ull, 2, 0x33), 0); /* IDs 2..129: none */
	assert_int_equal(call(0, KVM_HC_SEND_IPI, 1, 0, 0xffffffffu, 0x34), 0);
	assert_int_equal(call(0, KVM_HC_SEND_IPI, 2, 0, 0, 0x400), 1);        /* NMI */
	assert_int_equal(call(1, KVM_HC_SEND_IPI, 3, 0, 0, 0x35), 1);         /* vm1 has one vCPU */
	/* RDX is a 32-bit APIC ID: the upper half is not looked at */
	assert_int_equal(call(0, KVM_HC_SEND_IPI, 1, 0, HI | 1, 0x36), 1);
}

/* ---------------------------------------------------------------- callers outside 64-bit mode */

#define STALE 0xdead000000000000ull   /* an upper half left over from 64-bit code */

static s64 call32(unsigned vm, unsigned vcpu, u64 nr, u64 a0, u64 a1, u64 a2, u64 a3)
{
	return hcvm_call_mode(vm, vcpu, false, nr, a0, a1, a2, a3);
}

/* Only the low halves of RAX, RBX, RCX, RDX, RSI count (as KVM: the SDM leaves the rest undefined). */
static void test_32bit_callers(void **state)
{
	struct tern_doorbell_info info;
	s64 id;

	(void)state;
	assert_int_equal(call32(1, 0, TERN_HC_VM_SELF | STALE, 0, 0, 0, 0), 1);
	assert_int_equal(call32(0, 1, TERN_HC_DOORBELL_RING, db0 | STALE, 0, 0, 0), 0);
	assert_int_equal(doorbell_query(hcvms[0].vm, db0, &info), 0);
	assert_int_equal(info.rings, 1);
	memcpy(hcvms[0].ram + 0x100, "hello", 5);
	assert_int_equal(call32(0, 0, TERN_HC_CONSOLE_WRITE, 0x100 | STALE, 5 | STALE, 0, 0), 5);
	assert_memory_equal(hcvms[0].console, "hello", 5);
	id = call32(0, 0, TERN_HC_DOORBELL_ASSIGN, 9 | STALE, STALE, STALE, STALE);
	assert_true(id > 0);
	assert_int_equal(call32(1, 0, TERN_HC_DOORBELL_RING_VM, STALE, db0 | STALE, 0, 0), 0);
	assert_int_equal(call32(CONTROL, 0, TERN_HC_DOORBELL_GRANT, 0, (u64)id | STALE, 2 | STALE, 0), 0);
	assert_int_equal(call32(0, 0, TERN_HC_DOORBELL_QUERY, (u64)id | STALE, 0x200 | STALE, 0, 0), 0);
	memcpy(&info, hcvms[0].ram + 0x200, INFO);
	assert_int_equal(info.gsi, 9);
	/* the same registers from 64-bit code mean other things */
	assert_int_equal(call(0, TERN_HC_DOORBELL_RING, db0 | STALE, 0, 0, 0), -TERN_ENOENT);
	assert_int_equal(call(0, TERN_HC_VM_SELF | STALE, 0, 0, 0, 0), -TERN_KVM_ENOSYS);
	/* a refused 32-bit call still changes nothing */
	capture(&before);
	assert_int_equal(call32(0, 0, TERN_HC_DOORBELL_RING, STALE, 0, 0, 0), -TERN_ENOENT);
	assert_int_equal(call32(0, 0, TERN_HC_CONSOLE_WRITE, ram_end(0) | STALE, 1, 0, 0), -TERN_EFAULT);
	assert_int_equal(call32(0, 0, TERN_HC_BASE + 3, 0, 0, 0, 0), -TERN_KVM_ENOSYS);
	assert_unchanged(&before, "refused 32-bit calls");
}

/* vm0 with 40 vCPUs (so APIC IDs 32..39 exist), vm1 and vm2 as usual. */
static int setup_many(void **state)
{
	struct hcvm_config cfg[NR_VMS];

	(void)state;
	memset(cfg, 0, sizeof(cfg));
	cfg[0] = (struct hcvm_config){ .ram_size = 64 * 1024, .nr_vcpus = 40 };
	cfg[1] = (struct hcvm_config){ .ram_size = 16 * 1024, .nr_vcpus = 1 };
	cfg[2] = (struct hcvm_config){ .ram_size = 8 * 1024, .nr_vcpus = 1, .control = true };
	return hcvm_setup(NR_VMS, cfg);
}

/* vCPUs of vm0 with vector pending in IRR. */
static u64 pending(u8 vector)
{
	u64 set = 0;

	for (unsigned c = 0; c < hcvms[0].nr_vcpus; c++) {
		const u8 *regs = vlapic_regs_page(hcvms[0].vm, c);
		u32 word;

		memcpy(&word, regs + 0x200 + (vector / 32) * 16, 4);
		if (word & BIT(vector % 32))
			set |= BIT64(c);
	}
	return set;
}

/*
 * KVM_HC_SEND_IPI from 32-bit code (Linux's i386 kvm_send_ipi_mask): each
 * bitmap word is 32 bits, RCX bit n is APIC ID min + 32 + n (KVM's
 * cluster_size); from 64-bit code min + 64 + n.
 */
static void test_pv_ipi_32bit(void **state)
{
	(void)state;
	assert_int_equal(call32(0, 0, KVM_HC_SEND_IPI, 1, 1, 0, 0x41), 2);
	assert_int_equal(pending(0x41), BIT64(0) | BIT64(32));
	assert_int_equal(call32(0, 3, KVM_HC_SEND_IPI, BIT64(1), BIT64(5), 2, 0x42), 2);
	assert_int_equal(pending(0x42), BIT64(3) | BIT64(39));
	/* a stale upper half is no destination */
	assert_int_equal(call32(0, 0, KVM_HC_SEND_IPI, 1 | BIT64(32), STALE, STALE, 0x43 | STALE), 1);
	assert_int_equal(pending(0x43), BIT64(0));
	/* 64-bit code: the high word starts at min + 64, bit 32 of the low word is ID 32 */
	assert_int_equal(call(0, KVM_HC_SEND_IPI, BIT64(32), 1, 0, 0x44), 1);
	assert_int_equal(pending(0x44), BIT64(32));
}

/* ---------------------------------------------------------------- memory */

static unsigned fail_next;    /* kzalloc calls to let through before failing one (0: fail none) */
static unsigned allocs;

static bool hook(size_t size)
{
	allocs++;
	assert_true(limits_alloc_allowed(stub_free_pages, size));   /* never below the floor */
	if (fail_next && !--fail_next)
		return false;
	return true;
}

static void test_memory_floor(void **state)
{
	struct tern_irq_routing_entry e[2] = { route_msi(34, MSI_LO, 0, 0x41), route_msi(35, MSI_LO, 0, 0x42) };

	(void)state;
	put_request(0, 0x400, 2, 0, e, 2);
	stub_kzalloc_hook = hook;
	/* at the floor: nothing a guest asks for is allocated */
	stub_free_pages = LIMIT_FREE_PAGES_FLOOR;
	capture(&before);
	allocs = 0;
	assert_int_equal(call(0, TERN_HC_DOORBELL_ASSIGN, 9, 0, 0, 0), -TERN_ENOMEM);
	assert_int_equal(call(0, TERN_HC_SET_GSI_ROUTING, 0x400, 0, 0, 0), -TERN_ENOMEM);
	assert_int_equal(allocs, 0);
	assert_unchanged(&before, "calls at the memory floor");
	/* the rest works: no allocation in them */
	assert_int_equal(call(0, TERN_HC_DOORBELL_RING, db0, 0, 0, 0), 0);
	assert_int_equal(call(0, TERN_HC_IRQ_LINE, 4, 1, 0, 0), 0);
	assert_int_equal(allocs, 0);
	/* one page above: small things fit */
	stub_free_pages = LIMIT_FREE_PAGES_FLOOR + 1;
	assert_true(call(0, TERN_HC_DOORBELL_ASSIGN, 9, 0, 0, 0) > 0);
	stub_free_pages = 1u << 20;
	/* an allocation failing part-way leaves everything as it was */
	for (unsigned k = 1; k <= 3; k++) {
		char name[64];

		snprintf(name, sizeof(name), "routing with allocation %u failing", k);
		s64 rc;

		capture(&before);
		fail_next = k;
		allocs = 0;
		rc = call(0, TERN_HC_SET_GSI_ROUTING, 0x400, 0, 0, 0);
		assert_int_equal(rc, allocs >= k ? -TERN_ENOMEM : 0);
		if (rc)
			assert_unchanged(&before, name);
		fail_next = 0;
	}
	capture(&before);
	fail_next = 1;
	assert_int_equal(call(0, TERN_HC_DOORBELL_ASSIGN, 11, TERN_DOORBELL_FLAG_RESAMPLE, 1, 0),
			 -TERN_ENOMEM);
	assert_unchanged(&before, "assign with its allocation failing");
	fail_next = 2;
	assert_int_equal(call(0, TERN_HC_DOORBELL_ASSIGN, 11, TERN_DOORBELL_FLAG_RESAMPLE, 1, 0),
			 -TERN_ENOMEM);
	fail_next = 0;
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_refused_calls),
		T(test_simple_calls),
		T(test_console),
		T(test_irq_dump),
		T(test_routing),
		T(test_doorbells),
		T(test_intervm),
		T(test_shm_query),
		T(test_send_ipi),
		T(test_memory_floor),
		T(test_32bit_callers),
		cmocka_unit_test_setup_teardown(test_pv_ipi_32bit, setup_many, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
