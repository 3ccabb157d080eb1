/* SPDX-License-Identifier: MIT */
/* Host tests of the virtual I/O APIC (irq/vioapic.c) against recording fakes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "irq/vioapic.h"
#include "tests/unit/fake_lapic.h"
#include "tests/unit/stub_kernel.h"
#include <tern/hypercall.h>

#define IOREGSEL 0x00
#define IOWIN    0x10
#define EOIREG   0x40

#define REG_ID   0x00
#define REG_VER  0x01
#define REG_ARB  0x02
#define REDTBL_LO(p) (0x10 + 2 * (p))
#define REDTBL_HI(p) (0x11 + 2 * (p))

/* Redirection entry fields as a guest writes them. */
#define DM(m)        ((u64)(m) << 8)
#define LOGICAL      BIT64(11)
#define DELIVS       BIT64(12)
#define ACTIVE_LOW   BIT64(13)
#define REMOTE_IRR   BIT64(14)
#define LEVEL        BIT64(15)
#define MASKED       BIT64(16)
#define DEST(d)      ((u64)(d) << 56)

static struct vm *vm;

static int setup(void **state)
{
	(void)state;
	fake_lapic_reset();
	vm = stub_vm_new(4);
	assert_non_null(vm);
	assert_int_equal(vioapic_create(vm), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vioapic_destroy(vm);
	assert_null(vm->irq.vioapic);
	stub_vm_free(vm);
	return 0;
}

static void mmio_w(u64 off, unsigned size, u64 v)
{
	assert_int_equal(vioapic_mmio(vm, 0, off, size, true, &v), 0);
}

static u64 mmio_r(u64 off, unsigned size)
{
	u64 v = 0xdeadbeefcafef00dull;

	assert_int_equal(vioapic_mmio(vm, 0, off, size, false, &v), 0);
	return v;
}

static void wr(u64 off, u32 v)
{
	mmio_w(off, 4, v);
}

static u32 rd(u64 off)
{
	u64 v = mmio_r(off, 4);

	assert_int_equal(v >> 32, 0);
	return (u32)v;
}

static void reg_w(u8 idx, u32 v)
{
	wr(IOREGSEL, idx);
	wr(IOWIN, v);
}

static u32 reg_r(u8 idx)
{
	wr(IOREGSEL, idx);
	return rd(IOWIN);
}

/* High half first, so an unmasking low half comes last as guests do. */
static void rte_w(unsigned pin, u64 v)
{
	reg_w(REDTBL_HI(pin), (u32)(v >> 32));
	reg_w(REDTBL_LO(pin), (u32)v);
}

static u64 rte_r(unsigned pin)
{
	return reg_r(REDTBL_LO(pin)) | (u64)reg_r(REDTBL_HI(pin)) << 32;
}

static void assert_delivery(unsigned i, u32 dest, u8 vector, u8 dm, bool logical, bool level)
{
	const struct lapic_irq *irq = fake_delivered(i);

	assert_int_equal(irq->dest, dest);
	assert_int_equal(irq->vector, vector);
	assert_int_equal(irq->delivery_mode, dm);
	assert_int_equal(irq->shorthand, LAPIC_SH_NONE);
	assert_int_equal(irq->dest_logical, logical);
	assert_int_equal(irq->level_trigger, level);
	assert_true(irq->assert);
	assert_int_equal(irq->src_vcpu, -1);
}

/* ------------------------------------------------------------ lifetime, registers */

static void test_create_twice_fails_and_missing_vioapic_is_tolerated(void **state)
{
	struct vm *bare = stub_vm_new(1);
	u64 v = 0;

	(void)state;
	assert_int_equal(vioapic_create(vm), -TERN_EEXIST);
	assert_int_equal(vioapic_set_irq(bare, 0, 0, 1), -TERN_ENODEV);
	assert_int_equal(vioapic_mmio(bare, 0, 0, 4, false, &v), -TERN_ENODEV);
	vioapic_eoi(bare, 0x30);
	vioapic_destroy(bare);
	stub_vm_free(bare);
	assert_int_equal(fake_lapic.ack_calls, 0);
}

static void test_reset_state_all_pins_masked_edge_high(void **state)
{
	(void)state;
	assert_int_equal(reg_r(REG_ID), 0);
	assert_int_equal(reg_r(REG_VER), 0x00170020);
	assert_int_equal(reg_r(REG_ARB), 0);
	for (unsigned pin = 0; pin < VIOAPIC_NR_PINS; pin++)
		assert_int_equal(rte_r(pin), MASKED);
	/* masked pins deliver nothing */
	for (unsigned pin = 0; pin < VIOAPIC_NR_PINS; pin++)
		assert_int_equal(vioapic_set_irq(vm, pin, 0, 1), 0);
	assert_int_equal(fake_lapic.deliver_calls, 0);
}

static void test_id_register_keeps_bits_24_to_27(void **state)
{
	(void)state;
	reg_w(REG_ID, 0xffffffff);
	assert_int_equal(reg_r(REG_ID), 0x0f000000);
	assert_int_equal(reg_r(REG_ARB), 0x0f000000);   /* arbitration ID follows */
	reg_w(REG_ID, 0x05000000);
	assert_int_equal(reg_r(REG_ID), 0x05000000);
	reg_w(REG_ID, 0x00ffffff);
	assert_int_equal(reg_r(REG_ID), 0);
}

static void test_ver_and_arb_are_read_only(void **state)
{
	(void)state;
	reg_w(REG_VER, 0);
	reg_w(REG_ARB, 0x0f000000);
	assert_int_equal(reg_r(REG_VER), 0x00170020);
	assert_int_equal(reg_r(REG_ARB), 0);
}

static void test_rte_writable_bits(void **state)
{
	(void)state;
	reg_w(REDTBL_LO(7), 0xffffffff);
	/* vector, mode, dest mode, polarity, trigger, mask; not 12, 14, 17-31 */
	assert_int_equal(reg_r(REDTBL_LO(7)), 0x0001afff);
	reg_w(REDTBL_HI(7), 0xffffffff);
	assert_int_equal(reg_r(REDTBL_HI(7)), 0xff000000);
	reg_w(REDTBL_HI(7), 0x12345678);
	assert_int_equal(reg_r(REDTBL_HI(7)), 0x12000000);
	/* the two halves are independent */
	reg_w(REDTBL_LO(7), 0x00010033);
	assert_int_equal(rte_r(7), DEST(0x12) | MASKED | 0x33);
	/* neighbours untouched */
	assert_int_equal(rte_r(6), MASKED);
	assert_int_equal(rte_r(8), MASKED);
	/* last entry reachable, first one past it is not */
	reg_w(REDTBL_HI(23), 0xab000000);
	assert_int_equal(reg_r(REDTBL_HI(23)), 0xab000000);
	reg_w(0x40, 0xffffffff);
	assert_int_equal(reg_r(0x40), 0);
}

static void test_remote_irr_and_delivery_status_are_read_only(void **state)
{
	(void)state;
	reg_w(REDTBL_LO(3), (u32)(LEVEL | REMOTE_IRR | DELIVS | 0x40));
	assert_int_equal(reg_r(REDTBL_LO(3)), (u32)(LEVEL | 0x40));
	vioapic_set_irq(vm, 3, 0, 1);
	assert_true(rte_r(3) & REMOTE_IRR);
	reg_w(REDTBL_LO(3), (u32)(LEVEL | 0x40));       /* writing 0 keeps it */
	assert_true(rte_r(3) & REMOTE_IRR);
	assert_false(rte_r(3) & DELIVS);                 /* delivery is synchronous */
	assert_int_equal(fake_lapic.deliver_calls, 1);
}

static void test_unimplemented_indexes_read_zero(void **state)
{
	static const u8 idx[] = { 0x03, 0x04, 0x0f, 0x40, 0x41, 0x80, 0xff };

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(idx); i++) {
		reg_w(idx[i], 0xffffffff);
		assert_int_equal(reg_r(idx[i]), 0);
	}
	for (unsigned pin = 0; pin < VIOAPIC_NR_PINS; pin++)
		assert_int_equal(rte_r(pin), MASKED);
	assert_int_equal(reg_r(REG_ID), 0);
}

static void test_ioregsel_holds_eight_bits(void **state)
{
	(void)state;
	wr(IOREGSEL, 0xabcd1234);
	assert_int_equal(rd(IOREGSEL), 0x34);
	wr(IOREGSEL, REG_VER);
	assert_int_equal(rd(IOWIN), 0x00170020);
	assert_int_equal(rd(IOWIN), 0x00170020);          /* reads have no side effect */
}

/* ------------------------------------------------------------ delivery */

static void test_edge_delivers_on_asserting_edge_only(void **state)
{
	(void)state;
	rte_w(4, DEST(1) | 0x31);
	assert_int_equal(vioapic_set_irq(vm, 4, 0, 1), 1);
	assert_int_equal(fake_lapic.deliver_calls, 1);
	assert_delivery(0, 1, 0x31, LAPIC_DM_FIXED, false, false);
	assert_int_equal(vioapic_set_irq(vm, 4, 0, 1), 0);   /* held high */
	assert_int_equal(vioapic_set_irq(vm, 4, 0, 0), 0);
	assert_int_equal(fake_lapic.deliver_calls, 1);
	assert_int_equal(vioapic_set_irq(vm, 4, 0, 1), 1);
	assert_int_equal(fake_lapic.deliver_calls, 2);
	assert_false(rte_r(4) & REMOTE_IRR);                  /* edge: never */
}

static void test_delivery_fields_passed_exactly(void **state)
{
	static const struct {
		u64 rte;
		u32 dest;
		u8 vector, dm;
		bool logical, level;
	} cases[] = {
		{ DEST(0x00) | DM(0) | 0x20, 0x00, 0x20, LAPIC_DM_FIXED, false, false },
		{ DEST(0xa5) | DM(1) | LOGICAL | 0x41, 0xa5, 0x41, LAPIC_DM_LOWEST, true, false },
		{ DEST(0xff) | DM(0) | LEVEL | 0xfe, 0xff, 0xfe, LAPIC_DM_FIXED, false, true },
		{ DEST(0x0f) | DM(1) | LEVEL | LOGICAL | 0x99, 0x0f, 0x99, LAPIC_DM_LOWEST, true, true },
		{ DEST(0x03) | DM(2) | 0x00, 0x03, 0x00, LAPIC_DM_SMI, false, false },
		{ DEST(0x02) | DM(4) | LEVEL | 0x77, 0x02, 0x77, LAPIC_DM_NMI, false, false },
		{ DEST(0x01) | DM(5) | 0x10, 0x01, 0x10, LAPIC_DM_INIT, false, false },
		{ DEST(0x80) | DM(7) | LOGICAL | LEVEL, 0x80, 0x00, LAPIC_DM_EXTINT, true, false },
	};

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		rte_w(i, cases[i].rte);
		assert_int_equal(vioapic_set_irq(vm, i, 5, 1), 1);
		assert_int_equal(fake_lapic.deliver_calls, i + 1);
		assert_delivery(i, cases[i].dest, cases[i].vector, cases[i].dm,
				cases[i].logical, cases[i].level);
		/* Remote IRR only for level fixed/lowest-priority messages */
		assert_int_equal(!!(rte_r(i) & REMOTE_IRR), cases[i].level);
	}
}

static void test_nmi_programmed_level_behaves_as_edge(void **state)
{
	(void)state;
	rte_w(2, DM(4) | LEVEL);
	assert_int_equal(vioapic_set_irq(vm, 2, 0, 1), 1);
	assert_int_equal(vioapic_set_irq(vm, 2, 0, 1), 0);   /* held: no repeat */
	vioapic_eoi(vm, 0);
	assert_int_equal(fake_lapic.deliver_calls, 1);
	vioapic_set_irq(vm, 2, 0, 0);
	assert_int_equal(vioapic_set_irq(vm, 2, 0, 1), 1);
	assert_false(rte_r(2) & REMOTE_IRR);
}

static void test_masked_edge_is_lost(void **state)
{
	(void)state;
	rte_w(6, MASKED | 0x50);
	assert_int_equal(vioapic_set_irq(vm, 6, 0, 1), 0);
	rte_w(6, 0x50);
	assert_int_equal(fake_lapic.deliver_calls, 0);        /* not held pending */
	vioapic_set_irq(vm, 6, 0, 0);
	assert_int_equal(vioapic_set_irq(vm, 6, 0, 1), 1);
}

static void test_level_sets_remote_irr_and_redelivers_after_eoi(void **state)
{
	(void)state;
	rte_w(9, LEVEL | DEST(2) | 0x61);
	assert_int_equal(vioapic_set_irq(vm, 9, 0, 1), 1);
	assert_true(rte_r(9) & REMOTE_IRR);
	assert_delivery(0, 2, 0x61, LAPIC_DM_FIXED, false, true);
	assert_int_equal(vioapic_set_irq(vm, 9, 0, 1), 0);    /* waits for EOI */
	assert_int_equal(vioapic_set_irq(vm, 9, 0, 0), 0);
	assert_int_equal(vioapic_set_irq(vm, 9, 0, 1), 0);
	assert_int_equal(fake_lapic.deliver_calls, 1);
	vioapic_eoi(vm, 0x61);
	assert_int_equal(fake_lapic.ack_calls, 1);
	assert_int_equal(fake_acked(0)->irqchip, TERN_IRQCHIP_IOAPIC);
	assert_int_equal(fake_acked(0)->pin, 9);
	/* still asserted: delivered again, Remote IRR set again */
	assert_int_equal(fake_lapic.deliver_calls, 2);
	assert_delivery(1, 2, 0x61, LAPIC_DM_FIXED, false, true);
	assert_true(rte_r(9) & REMOTE_IRR);
}

static void test_level_eoi_after_line_dropped_does_not_redeliver(void **state)
{
	(void)state;
	rte_w(9, LEVEL | 0x61);
	vioapic_set_irq(vm, 9, 0, 1);
	vioapic_set_irq(vm, 9, 0, 0);
	vioapic_eoi(vm, 0x61);
	assert_int_equal(fake_lapic.deliver_calls, 1);
	assert_false(rte_r(9) & REMOTE_IRR);
	assert_int_equal(fake_lapic.ack_calls, 1);
	assert_int_equal(vioapic_set_irq(vm, 9, 0, 1), 1);    /* a fresh assertion */
}

static u64 rirr_seen[VIOAPIC_NR_PINS];

static void snapshot_hook(struct vm *v, unsigned chip, unsigned pin)
{
	for (unsigned p = 0; p < VIOAPIC_NR_PINS; p++)
		rirr_seen[p] = rte_r(p) & REMOTE_IRR;
}

static void test_one_eoi_clears_two_pins_sharing_a_vector(void **state)
{
	(void)state;
	fake_lapic.ack_hook = snapshot_hook;
	rte_w(5, LEVEL | 0x40);
	rte_w(11, LEVEL | DEST(3) | 0x40);
	rte_w(12, LEVEL | 0x41);
	assert_int_equal(vioapic_set_irq(vm, 5, 0, 1), 1);
	assert_int_equal(vioapic_set_irq(vm, 11, 0, 1), 1);
	assert_int_equal(vioapic_set_irq(vm, 12, 0, 1), 1);
	vioapic_set_irq(vm, 11, 0, 0);
	vioapic_eoi(vm, 0x40);
	/* at notification time both were clear, the other vector untouched */
	assert_false(rirr_seen[5]);
	assert_false(rirr_seen[11]);
	assert_true(rirr_seen[12]);
	assert_true(rte_r(12) & REMOTE_IRR);
	assert_int_equal(fake_lapic.ack_calls, 2);
	assert_int_equal(fake_acked(0)->pin, 5);
	assert_int_equal(fake_acked(1)->pin, 11);
	/* only pin 5 is still asserted */
	assert_int_equal(fake_lapic.deliver_calls, 4);
	assert_delivery(3, 0, 0x40, LAPIC_DM_FIXED, false, true);
	assert_true(rte_r(5) & REMOTE_IRR);
	assert_false(rte_r(11) & REMOTE_IRR);
}

static void test_eoi_of_unrelated_vector_changes_nothing(void **state)
{
	(void)state;
	rte_w(1, LEVEL | 0x30);
	rte_w(2, 0x31);                                       /* edge, same-ish vector */
	vioapic_set_irq(vm, 1, 0, 1);
	vioapic_eoi(vm, 0x31);
	assert_true(rte_r(1) & REMOTE_IRR);
	assert_int_equal(fake_lapic.ack_calls, 0);            /* edge pins: no ack */
	assert_int_equal(fake_lapic.deliver_calls, 1);
}

static void test_masked_level_pin_delivers_on_unmask(void **state)
{
	(void)state;
	rte_w(14, LEVEL | MASKED | 0x70);
	assert_int_equal(vioapic_set_irq(vm, 14, 0, 1), 0);
	assert_int_equal(fake_lapic.deliver_calls, 0);
	rte_w(14, LEVEL | 0x70);
	assert_int_equal(fake_lapic.deliver_calls, 1);
	assert_delivery(0, 0, 0x70, LAPIC_DM_FIXED, false, true);
	assert_true(rte_r(14) & REMOTE_IRR);
	/* mask again while in service: EOI clears Remote IRR but does not deliver */
	rte_w(14, LEVEL | MASKED | 0x70);
	vioapic_eoi(vm, 0x70);
	assert_false(rte_r(14) & REMOTE_IRR);
	assert_int_equal(fake_lapic.deliver_calls, 1);
	assert_int_equal(fake_lapic.ack_calls, 1);
	rte_w(14, LEVEL | 0x70);
	assert_int_equal(fake_lapic.deliver_calls, 2);
}

static void test_unmask_of_dropped_level_line_delivers_nothing(void **state)
{
	(void)state;
	rte_w(14, LEVEL | MASKED | 0x70);
	vioapic_set_irq(vm, 14, 0, 1);
	vioapic_set_irq(vm, 14, 0, 0);
	rte_w(14, LEVEL | 0x70);
	assert_int_equal(fake_lapic.deliver_calls, 0);
}

static void test_switch_to_edge_clears_remote_irr(void **state)
{
	(void)state;
	rte_w(3, LEVEL | 0x33);
	vioapic_set_irq(vm, 3, 0, 1);
	assert_true(rte_r(3) & REMOTE_IRR);
	rte_w(3, 0x33);
	assert_false(rte_r(3) & REMOTE_IRR);
	/* back to level with the line still high: delivers again */
	rte_w(3, LEVEL | 0x33);
	assert_int_equal(fake_lapic.deliver_calls, 2);
	assert_true(rte_r(3) & REMOTE_IRR);
	/* switching to a non-level delivery mode counts as edge too */
	rte_w(3, LEVEL | DM(4) | 0x33);
	assert_false(rte_r(3) & REMOTE_IRR);
}

static void test_active_low_inverts_the_line(void **state)
{
	(void)state;
	/* edge, active low: the falling edge of the line asserts */
	rte_w(7, ACTIVE_LOW | MASKED | 0x57);
	vioapic_set_irq(vm, 7, 0, 1);                          /* idle high */
	rte_w(7, ACTIVE_LOW | 0x57);
	assert_int_equal(vioapic_set_irq(vm, 7, 0, 1), 0);
	assert_int_equal(vioapic_set_irq(vm, 7, 0, 0), 1);
	assert_int_equal(vioapic_set_irq(vm, 7, 0, 0), 0);
	assert_int_equal(vioapic_set_irq(vm, 7, 0, 1), 0);
	assert_int_equal(fake_lapic.deliver_calls, 1);

	/* level, active low: a line nobody drives high is asserted */
	rte_w(8, LEVEL | ACTIVE_LOW | 0x58);
	assert_int_equal(fake_lapic.deliver_calls, 2);
	assert_true(rte_r(8) & REMOTE_IRR);
	vioapic_set_irq(vm, 8, 2, 1);                          /* deasserts */
	vioapic_eoi(vm, 0x58);
	assert_int_equal(fake_lapic.deliver_calls, 2);
	assert_int_equal(vioapic_set_irq(vm, 8, 2, 0), 1);     /* asserts again */
	assert_int_equal(fake_lapic.deliver_calls, 3);
}

static void test_polarity_flip_reevaluates_level_pin(void **state)
{
	(void)state;
	rte_w(10, LEVEL | 0x5a);
	assert_int_equal(fake_lapic.deliver_calls, 0);         /* low line, active high */
	rte_w(10, LEVEL | ACTIVE_LOW | 0x5a);
	assert_int_equal(fake_lapic.deliver_calls, 1);         /* same line now asserted */
}

static void test_source_or_keeps_level_asserted(void **state)
{
	(void)state;
	rte_w(16, LEVEL | 0x90);
	assert_int_equal(vioapic_set_irq(vm, 16, 3, 1), 1);
	assert_int_equal(vioapic_set_irq(vm, 16, 7, 1), 0);
	vioapic_set_irq(vm, 16, 3, 0);                         /* 7 still holds it */
	vioapic_eoi(vm, 0x90);
	assert_int_equal(fake_lapic.deliver_calls, 2);
	vioapic_set_irq(vm, 16, 7, 0);
	vioapic_eoi(vm, 0x90);
	assert_int_equal(fake_lapic.deliver_calls, 2);
	assert_false(rte_r(16) & REMOTE_IRR);
}

static void test_source_or_on_edge_pin(void **state)
{
	(void)state;
	rte_w(17, 0x91);
	assert_int_equal(vioapic_set_irq(vm, 17, 3, 1), 1);
	assert_int_equal(vioapic_set_irq(vm, 17, 4, 1), 0);    /* line already high */
	assert_int_equal(vioapic_set_irq(vm, 17, 3, 0), 0);
	assert_int_equal(vioapic_set_irq(vm, 17, 4, 0), 0);
	assert_int_equal(vioapic_set_irq(vm, 17, 4, 1), 1);
}

static void test_no_acceptor_leaves_remote_irr_clear_and_retries(void **state)
{
	(void)state;
	fake_lapic.deliver_ret = 0;
	rte_w(18, LEVEL | DEST(9) | 0x92);
	assert_int_equal(vioapic_set_irq(vm, 18, 0, 1), 0);
	assert_false(rte_r(18) & REMOTE_IRR);
	fake_lapic.deliver_ret = 1;
	assert_int_equal(vioapic_set_irq(vm, 18, 0, 1), 1);
	assert_true(rte_r(18) & REMOTE_IRR);
	assert_int_equal(fake_lapic.deliver_calls, 2);
}

static void test_delivery_error_is_contained(void **state)
{
	unsigned logs = stub_log_lines;

	(void)state;
	fake_lapic.deliver_ret = -TERN_EINVAL;
	rte_w(19, LEVEL | 0x93);
	assert_int_equal(vioapic_set_irq(vm, 19, 0, 1), 0);
	assert_false(rte_r(19) & REMOTE_IRR);
	assert_true(stub_log_lines > logs);
}

static void test_reserved_delivery_modes_are_dropped(void **state)
{
	unsigned logs = stub_log_lines;

	(void)state;
	rte_w(20, DM(3) | 0x94);
	rte_w(21, DM(6) | LEVEL | 0x95);
	assert_int_equal(vioapic_set_irq(vm, 20, 0, 1), 0);
	assert_int_equal(vioapic_set_irq(vm, 21, 0, 1), 0);
	assert_int_equal(fake_lapic.deliver_calls, 0);
	assert_false(rte_r(21) & REMOTE_IRR);
	assert_int_equal(stub_log_lines, logs + 1);           /* warned once */
}

static void test_set_irq_rejects_bad_pin_and_source(void **state)
{
	(void)state;
	rte_w(0, 0x20);
	assert_int_equal(vioapic_set_irq(vm, VIOAPIC_NR_PINS, 0, 1), -TERN_EINVAL);
	assert_int_equal(vioapic_set_irq(vm, ~0u, 0, 1), -TERN_EINVAL);
	assert_int_equal(vioapic_set_irq(vm, 0, IRQ_SOURCE_ID_MAX, 1), -TERN_EINVAL);
	assert_int_equal(fake_lapic.deliver_calls, 0);
	assert_int_equal(vioapic_set_irq(vm, 0, IRQ_SOURCE_ID_MAX - 1, 1), 1);
}

/* ------------------------------------------------------------ EOI register, hooks */

static void test_directed_eoi_register(void **state)
{
	(void)state;
	rte_w(4, LEVEL | 0x44);
	vioapic_set_irq(vm, 4, 0, 1);
	vioapic_set_irq(vm, 4, 0, 0);
	wr(EOIREG, 0xffffff45);                               /* wrong vector */
	assert_true(rte_r(4) & REMOTE_IRR);
	wr(EOIREG, 0xffffff44);                               /* upper bits ignored */
	assert_false(rte_r(4) & REMOTE_IRR);
	assert_int_equal(fake_lapic.ack_calls, 1);
	assert_int_equal(rd(EOIREG), 0);                      /* write-only */
}

static void test_directed_eoi_narrow_writes(void **state)
{
	(void)state;
	rte_w(4, LEVEL | 0x44);
	vioapic_set_irq(vm, 4, 0, 1);
	vioapic_set_irq(vm, 4, 0, 0);
	mmio_w(EOIREG + 1, 1, 0x44);                          /* misses the vector byte */
	assert_true(rte_r(4) & REMOTE_IRR);
	mmio_w(EOIREG, 1, 0x44);
	assert_false(rte_r(4) & REMOTE_IRR);
}

static void drop_line_hook(struct vm *v, unsigned chip, unsigned pin)
{
	assert_int_equal(chip, TERN_IRQCHIP_IOAPIC);
	/* would deadlock if vioapic_eoi still held its lock */
	assert_int_equal(vioapic_set_irq(v, pin, 1, 0), 0);
}

static void test_ack_notify_without_lock_lets_resampler_drop_line(void **state)
{
	(void)state;
	fake_lapic.ack_hook = drop_line_hook;
	rte_w(13, LEVEL | 0x83);
	vioapic_set_irq(vm, 13, 1, 1);
	wr(EOIREG, 0x83);
	assert_int_equal(fake_lapic.ack_calls, 1);
	assert_int_equal(fake_lapic.deliver_calls, 1);        /* dropped: no re-delivery */
	assert_false(rte_r(13) & REMOTE_IRR);
}

static void reassert_hook(struct vm *v, unsigned chip, unsigned pin)
{
	/* resampler drops, the device is still pending and re-raises */
	vioapic_set_irq(v, pin, 1, 0);
	vioapic_set_irq(v, pin, 1, 1);
}

static void test_ack_hook_reassert_delivers_exactly_once(void **state)
{
	(void)state;
	fake_lapic.ack_hook = reassert_hook;
	rte_w(13, LEVEL | 0x83);
	vioapic_set_irq(vm, 13, 1, 1);
	vioapic_eoi(vm, 0x83);
	assert_int_equal(fake_lapic.deliver_calls, 2);
	assert_true(rte_r(13) & REMOTE_IRR);
}

/* ------------------------------------------------------------ access widths */

static void test_narrow_accesses_read_and_merge_bytes(void **state)
{
	(void)state;
	rte_w(2, DEST(0x5c) | MASKED | LEVEL | 0x7b);
	mmio_w(IOREGSEL, 1, REDTBL_LO(2));
	assert_int_equal(rd(IOREGSEL), REDTBL_LO(2));
	assert_int_equal(mmio_r(IOWIN, 1), 0x7b);
	assert_int_equal(mmio_r(IOWIN + 1, 1), (LEVEL >> 8) & 0xff);
	assert_int_equal(mmio_r(IOWIN + 2, 2), 0x0001);        /* mask bit 16 */
	mmio_w(IOWIN + 2, 2, 0x0000);                           /* unmask only */
	assert_int_equal(rte_r(2), DEST(0x5c) | LEVEL | 0x7b);
	mmio_w(IOREGSEL, 1, REDTBL_LO(2));
	mmio_w(IOWIN, 1, 0x7c);                                 /* vector only */
	assert_int_equal(rte_r(2), DEST(0x5c) | LEVEL | 0x7c);
	mmio_w(IOREGSEL + 1, 1, 0xff);                          /* IOREGSEL bits 8+ don't exist */
	assert_int_equal(rd(IOREGSEL), REDTBL_HI(2));          /* unchanged by that write */
}

static void test_qword_access_is_two_dwords(void **state)
{
	(void)state;
	mmio_w(IOREGSEL, 8, 0xffffffff00000001ull);            /* 0x04 half is empty */
	assert_int_equal(rd(IOREGSEL), REG_VER);
	assert_int_equal(mmio_r(IOWIN, 8), 0x00170020);
	assert_int_equal(mmio_r(IOREGSEL, 8), REG_VER);
}

static void test_bad_alignment_and_window_accesses_are_harmless(void **state)
{
	static const struct { u64 off; unsigned size; } bad[] = {
		{ 0x02, 4 }, { 0x03, 2 }, { 0x11, 4 }, { 0x04, 8 }, { 0x0c, 8 },
		{ 0xffc, 8 }, { 0x1000, 4 }, { 0x2000, 1 }, { ~0ull - 1, 4 }, { ~0ull, 8 },
	};
	u64 v;

	(void)state;
	wr(IOREGSEL, REG_ID);
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		v = 0x0f0f0f0f0f0f0f0full;
		assert_int_equal(vioapic_mmio(vm, 0, bad[i].off, bad[i].size, true, &v), 0);
		assert_int_equal(mmio_r(bad[i].off, bad[i].size), 0);
	}
	assert_int_equal(rd(IOREGSEL), REG_ID);
	assert_int_equal(rd(IOWIN), 0);
	v = 0;
	assert_int_equal(vioapic_mmio(vm, 0, 0, 3, false, &v), -TERN_EINVAL);
	assert_int_equal(vioapic_mmio(vm, 0, 0, 16, true, &v), -TERN_EINVAL);
	assert_int_equal(vioapic_mmio(vm, 0, 0, 0, true, &v), -TERN_EINVAL);
	assert_int_equal(vioapic_mmio(vm, 0, 0, 4, false, NULL), -TERN_EINVAL);
}

static void test_empty_offsets_read_zero_and_ignore_writes(void **state)
{
	static const u64 offs[] = { 0x04, 0x08, 0x14, 0x20, 0x30, 0x44, 0x80, 0xffc };

	(void)state;
	wr(IOREGSEL, REDTBL_LO(0));
	for (unsigned i = 0; i < ARRAY_SIZE(offs); i++) {
		wr(offs[i], 0);
		assert_int_equal(rd(offs[i]), 0);
	}
	assert_int_equal(rd(IOREGSEL), REDTBL_LO(0));
	assert_int_equal(rte_r(0), MASKED);
}

/* ------------------------------------------------------------ dump, hostile guest */

static void test_dump_lists_programmed_pins_and_truncates(void **state)
{
	char buf[1024], small[20];
	int n;

	(void)state;
	reg_w(REG_ID, 0x03000000);
	rte_w(9, LEVEL | DEST(1) | 0x61);
	vioapic_set_irq(vm, 9, 0, 1);
	n = vioapic_dump(vm, buf, sizeof(buf));
	assert_int_equal(n, (int)strlen(buf));
	assert_non_null(strstr(buf, "ioapic: id=3"));
	assert_non_null(strstr(buf, "pin  9:"));
	assert_non_null(strstr(buf, "vec=61"));
	assert_non_null(strstr(buf, "level"));
	assert_non_null(strstr(buf, "rirr"));
	assert_null(strstr(buf, "pin  8:"));
	n = vioapic_dump(vm, small, sizeof(small));
	assert_int_equal(n, (int)sizeof(small) - 1);
	assert_int_equal(strlen(small), sizeof(small) - 1);
}

static u32 rng_state = 777;

static u32 rnd(void)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return rng_state >> 8;
}

static void test_random_guest_never_breaks_invariants(void **state)
{
	static const unsigned sizes[] = { 1, 2, 4, 8 };

	(void)state;
	for (int i = 0; i < 200000; i++) {
		u32 r = rnd();
		u64 v = ((u64)rnd() << 40) ^ rnd();

		switch (r % 5) {
		case 0:
			assert_int_equal(vioapic_mmio(vm, 0, rnd() % 0x60, sizes[rnd() % 4],
						      (r >> 8) & 1, &v), 0);
			break;
		case 1:   /* mostly aim at the redirection table */
			wr(IOREGSEL, rnd() % 0x40);
			wr(IOWIN, (u32)v);
			break;
		case 2:
			assert_true(vioapic_set_irq(vm, rnd() % 24, rnd() % 3, rnd() & 1) >= 0);
			break;
		case 3:
			vioapic_eoi(vm, (u8)(rnd() % 8 ? v : 0));
			break;
		default:
			fake_lapic.deliver_ret = (int)(rnd() % 3) - 1;
			break;
		}
	}
	for (unsigned pin = 0; pin < VIOAPIC_NR_PINS; pin++) {
		u64 rte = rte_r(pin);
		unsigned dm = (rte >> 8) & 7;

		assert_int_equal(rte & ~(0xff0000000001ffffull | 0xff00000000000000ull), 0);
		assert_false(rte & DELIVS);
		if ((rte & REMOTE_IRR))
			assert_true((rte & LEVEL) && (dm == 0 || dm == 1));
	}
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_create_twice_fails_and_missing_vioapic_is_tolerated),
		T(test_reset_state_all_pins_masked_edge_high),
		T(test_id_register_keeps_bits_24_to_27),
		T(test_ver_and_arb_are_read_only),
		T(test_rte_writable_bits),
		T(test_remote_irr_and_delivery_status_are_read_only),
		T(test_unimplemented_indexes_read_zero),
		T(test_ioregsel_holds_eight_bits),
		T(test_edge_delivers_on_asserting_edge_only),
		T(test_delivery_fields_passed_exactly),
		T(test_nmi_programmed_level_behaves_as_edge),
		T(test_masked_edge_is_lost),
		T(test_level_sets_remote_irr_and_redelivers_after_eoi),
		T(test_level_eoi_after_line_dropped_does_not_redeliver),
		T(test_one_eoi_clears_two_pins_sharing_a_vector),
		T(test_eoi_of_unrelated_vector_changes_nothing),
		T(test_masked_level_pin_delivers_on_unmask),
		T(test_unmask_of_dropped_level_line_delivers_nothing),
		T(test_switch_to_edge_clears_remote_irr),
		T(test_active_low_inverts_the_line),
		T(test_polarity_flip_reevaluates_level_pin),
		T(test_source_or_keeps_level_asserted),
		T(test_source_or_on_edge_pin),
		T(test_no_acceptor_leaves_remote_irr_clear_and_retries),
		T(test_delivery_error_is_contained),
		T(test_reserved_delivery_modes_are_dropped),
		T(test_set_irq_rejects_bad_pin_and_source),
		T(test_directed_eoi_register),
		T(test_directed_eoi_narrow_writes),
		T(test_ack_notify_without_lock_lets_resampler_drop_line),
		T(test_ack_hook_reassert_delivers_exactly_once),
		T(test_narrow_accesses_read_and_merge_bytes),
		T(test_qword_access_is_two_dwords),
		T(test_bad_alignment_and_window_accesses_are_harmless),
		T(test_empty_offsets_read_zero_and_ignore_writes),
		T(test_dump_lists_programmed_pins_and_truncates),
		T(test_random_guest_never_breaks_invariants),
	};

	alarm(60);   /* a deadlock fails the run instead of hanging it */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
