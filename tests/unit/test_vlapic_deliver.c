/* SPDX-License-Identifier: MIT */
/* lapic_deliver(): destinations, shorthands, delivery modes; ICR; PV send-IPI. */
#include "tests/unit/test_vlapic.h"

/* Bit i set when vCPU i has vector pending in IRR. */
static u64 irr_set(struct vm *vm, u8 vector)
{
	u64 set = 0;

	for (unsigned i = 0; i < vm->irq.nr_vcpus; i++)
		if (irr_bit(vm, i, vector))
			set |= BIT64(i);
	return set;
}

static struct vm *enabled_vm(unsigned n)
{
	struct vm *vm = tv_vm(n);

	for (unsigned i = 0; i < n; i++)
		sw_enable(vm, i);
	return vm;
}

static struct lapic_irq fixed(u32 dest, bool logical, u8 vector)
{
	return (struct lapic_irq){ .dest = dest, .vector = vector, .dest_logical = logical,
				   .delivery_mode = LAPIC_DM_FIXED, .src_vcpu = -1 };
}

static void test_physical_xapic_destination_and_broadcast(void **state)
{
	struct vm *vm = enabled_vm(4);
	struct lapic_irq irq = fixed(2, false, 0x40);

	(void)state;
	assert_int_equal(lapic_deliver(vm, &irq), 1);
	assert_int_equal(irr_set(vm, 0x40), BIT64(2));
	assert_int_equal(vm->kicks[2], 1);
	assert_int_equal(vm->kicks[0] + vm->kicks[1] + vm->kicks[3], 0);
	irq = fixed(7, false, 0x41);                               /* nobody has ID 7 */
	assert_int_equal(lapic_deliver(vm, &irq), 0);
	assert_int_equal(irr_set(vm, 0x41), 0);
	irq = fixed(0x102, false, 0x41);                           /* no xAPIC is named 0x102 */
	assert_int_equal(lapic_deliver(vm, &irq), 0);
	irq = fixed(LAPIC_XAPIC_BROADCAST, false, 0x42);
	assert_int_equal(lapic_deliver(vm, &irq), 4);
	assert_int_equal(irr_set(vm, 0x42), 0xf);
	irq = fixed(LAPIC_X2APIC_BROADCAST, false, 0x43);
	assert_int_equal(lapic_deliver(vm, &irq), 4);
	assert_int_equal(irr_set(vm, 0x43), 0xf);
	irq = fixed(2, false, 0x40);                               /* coalesced: none accepted */
	assert_int_equal(lapic_deliver(vm, &irq), 0);
	tv_free(vm);
}

static void test_logical_flat_destination_uses_ldr_bits(void **state)
{
	struct vm *vm = enabled_vm(4);
	struct lapic_irq irq;

	(void)state;
	for (unsigned i = 0; i < 4; i++)
		mmio_wr(vm, i, APIC_REG_LDR, BIT(i) << 24);
	irq = fixed(0x05, true, 0x50);
	assert_int_equal(lapic_deliver(vm, &irq), 2);
	assert_int_equal(irr_set(vm, 0x50), BIT64(0) | BIT64(2));
	irq = fixed(0x00, true, 0x51);
	assert_int_equal(lapic_deliver(vm, &irq), 0);
	irq = fixed(0xf0, true, 0x52);                             /* no APIC owns bits 4-7 */
	assert_int_equal(lapic_deliver(vm, &irq), 0);
	irq = fixed(0xff, true, 0x53);
	assert_int_equal(lapic_deliver(vm, &irq), 4);
	/* an APIC with LDR 0 is in no logical group */
	mmio_wr(vm, 3, APIC_REG_LDR, 0);
	irq = fixed(0xff, true, 0x54);
	assert_int_equal(lapic_deliver(vm, &irq), 3);
	assert_int_equal(irr_set(vm, 0x54), 0x7);
	tv_free(vm);
}

static void test_logical_cluster_destination_matches_cluster_and_bits(void **state)
{
	struct vm *vm = enabled_vm(4);
	const u32 ldr[] = { 0x11, 0x12, 0x21, 0x22 };
	struct lapic_irq irq;

	(void)state;
	for (unsigned i = 0; i < 4; i++) {
		mmio_wr(vm, i, APIC_REG_DFR, APIC_DFR_CLUSTER);
		mmio_wr(vm, i, APIC_REG_LDR, ldr[i] << 24);
	}
	irq = fixed(0x13, true, 0x60);
	assert_int_equal(lapic_deliver(vm, &irq), 2);
	assert_int_equal(irr_set(vm, 0x60), 0x3);
	irq = fixed(0x21, true, 0x61);
	assert_int_equal(lapic_deliver(vm, &irq), 1);
	assert_int_equal(irr_set(vm, 0x61), BIT64(2));
	irq = fixed(0xf1, true, 0x62);                             /* cluster 0xf: every cluster */
	assert_int_equal(lapic_deliver(vm, &irq), 2);
	assert_int_equal(irr_set(vm, 0x62), BIT64(0) | BIT64(2));
	irq = fixed(0x31, true, 0x63);                             /* no such cluster */
	assert_int_equal(lapic_deliver(vm, &irq), 0);
	irq = fixed(0x14, true, 0x64);                             /* cluster 1, nobody has bit 2 */
	assert_int_equal(lapic_deliver(vm, &irq), 0);
	irq = fixed(0xff, true, 0x65);
	assert_int_equal(lapic_deliver(vm, &irq), 4);
	tv_free(vm);
}

static void test_x2apic_physical_and_cluster_destinations(void **state)
{
	struct vm *vm = tv_vm(20);
	struct lapic_irq irq;

	(void)state;
	for (unsigned i = 0; i < 20; i++)
		to_x2apic(vm, i);
	irq = fixed(17, false, 0x70);
	assert_int_equal(lapic_deliver(vm, &irq), 1);
	assert_int_equal(irr_set(vm, 0x70), BIT64(17));
	irq = fixed((1u << 16) | BIT(0) | BIT(1) | BIT(9), true, 0x71);   /* cluster 1: 16, 17 */
	assert_int_equal(lapic_deliver(vm, &irq), 2);
	assert_int_equal(irr_set(vm, 0x71), BIT64(16) | BIT64(17));
	irq = fixed(BIT(1) | BIT(15), true, 0x72);                 /* cluster 0: 1 and 15 */
	assert_int_equal(lapic_deliver(vm, &irq), 2);
	assert_int_equal(irr_set(vm, 0x72), BIT64(1) | BIT64(15));
	irq = fixed((2u << 16) | BIT(0), true, 0x73);              /* cluster 2 is empty */
	assert_int_equal(lapic_deliver(vm, &irq), 0);
	irq = fixed(LAPIC_X2APIC_BROADCAST, false, 0x74);
	assert_int_equal(lapic_deliver(vm, &irq), 20);
	irq = fixed(LAPIC_X2APIC_BROADCAST, true, 0x75);
	assert_int_equal(lapic_deliver(vm, &irq), 20);
	tv_free(vm);
}

static void test_x2apic_target_treats_0xff_as_broadcast_only_from_ioapic_or_msi(void **state)
{
	struct vm *vm = tv_vm(3);
	struct lapic_irq irq = fixed(0xff, false, 0x80);

	(void)state;
	for (unsigned i = 0; i < 3; i++)
		to_x2apic(vm, i);
	assert_int_equal(lapic_deliver(vm, &irq), 3);
	irq = fixed(0xff, false, 0x81);
	irq.src_vcpu = 0;                                          /* an x2APIC IPI to ID 0xff */
	assert_int_equal(lapic_deliver(vm, &irq), 0);
	tv_free(vm);
}

static void test_mixed_modes_each_target_matches_in_its_own_mode(void **state)
{
	struct vm *vm = enabled_vm(3);
	struct lapic_irq irq;

	(void)state;
	to_x2apic(vm, 2);
	irq = fixed(2, false, 0x90);
	assert_int_equal(lapic_deliver(vm, &irq), 1);
	assert_int_equal(irr_set(vm, 0x90), BIT64(2));
	irq = fixed(0xff, false, 0x91);
	assert_int_equal(lapic_deliver(vm, &irq), 3);
	tv_free(vm);
}

static void test_shorthands_self_all_and_all_but_self(void **state)
{
	struct vm *vm = enabled_vm(4);
	struct lapic_irq irq = fixed(0, false, 0xa0);

	(void)state;
	irq.src_vcpu = 2;
	irq.shorthand = LAPIC_SH_SELF;
	assert_int_equal(lapic_deliver(vm, &irq), 1);
	assert_int_equal(irr_set(vm, 0xa0), BIT64(2));
	irq.vector = 0xa1;
	irq.shorthand = LAPIC_SH_ALL;
	assert_int_equal(lapic_deliver(vm, &irq), 4);
	assert_int_equal(irr_set(vm, 0xa1), 0xf);
	irq.vector = 0xa2;
	irq.shorthand = LAPIC_SH_ALL_BUT_SELF;
	assert_int_equal(lapic_deliver(vm, &irq), 3);
	assert_int_equal(irr_set(vm, 0xa2), 0xb);
	/* the destination field is ignored with a shorthand */
	irq.vector = 0xa3;
	irq.dest = 0;
	irq.shorthand = LAPIC_SH_SELF;
	assert_int_equal(lapic_deliver(vm, &irq), 1);
	assert_int_equal(irr_set(vm, 0xa3), BIT64(2));
	/* ALL needs no source; SELF and ALL_BUT_SELF do */
	irq.src_vcpu = -1;
	irq.vector = 0xa4;
	irq.shorthand = LAPIC_SH_ALL;
	assert_int_equal(lapic_deliver(vm, &irq), 4);
	irq.shorthand = LAPIC_SH_SELF;
	assert_int_equal(lapic_deliver(vm, &irq), -TERN_EINVAL);
	irq.shorthand = LAPIC_SH_ALL_BUT_SELF;
	assert_int_equal(lapic_deliver(vm, &irq), -TERN_EINVAL);
	tv_free(vm);
}

static void test_reserved_mode_and_shorthand_are_rejected(void **state)
{
	struct vm *vm = enabled_vm(1);
	struct lapic_irq irq = fixed(0, false, 0x40);

	(void)state;
	irq.delivery_mode = 3;
	assert_int_equal(lapic_deliver(vm, &irq), -TERN_EINVAL);
	irq.delivery_mode = 8;
	assert_int_equal(lapic_deliver(vm, &irq), -TERN_EINVAL);
	irq.delivery_mode = LAPIC_DM_FIXED;
	irq.shorthand = 4;
	assert_int_equal(lapic_deliver(vm, &irq), -TERN_EINVAL);
	irq.shorthand = LAPIC_SH_SELF;
	irq.src_vcpu = TERN_MAX_VCPUS;
	assert_int_equal(lapic_deliver(vm, &irq), -TERN_EINVAL);
	assert_int_equal(lapic_deliver(NULL, &irq), -TERN_EINVAL);
	assert_int_equal(lapic_deliver(vm, NULL), -TERN_EINVAL);
	assert_int_equal(vlapic_highest_irr(vm, 0), -1);
	tv_free(vm);
}

static void test_lowest_priority_picks_lowest_ppr_then_lowest_id(void **state)
{
	struct vm *vm = enabled_vm(4);
	const u32 tpr[] = { 0x40, 0x20, 0x20, 0x30 };
	struct lapic_irq irq = fixed(0x0f, true, 0xb0);

	(void)state;
	for (unsigned i = 0; i < 4; i++) {
		mmio_wr(vm, i, APIC_REG_LDR, BIT(i) << 24);
		mmio_wr(vm, i, APIC_REG_TPR, tpr[i]);
	}
	irq.delivery_mode = LAPIC_DM_LOWEST;
	assert_int_equal(lapic_deliver(vm, &irq), 1);
	assert_int_equal(irr_set(vm, 0xb0), BIT64(1));             /* 1 and 2 tie: lower ID */
	/* PPR counts, not only TPR: an in-service vector raises vCPU 1 */
	assert_int_equal(vlapic_pending_vector(vm, 1), 0xb0);
	vlapic_accept_vector(vm, 1, 0xb0);
	irq.vector = 0xb1;
	assert_int_equal(lapic_deliver(vm, &irq), 1);
	assert_int_equal(irr_set(vm, 0xb1), BIT64(2));
	/* a software-disabled APIC is no candidate */
	mmio_wr(vm, 2, APIC_REG_SVR, 0xff);
	irq.vector = 0xb2;
	assert_int_equal(lapic_deliver(vm, &irq), 1);
	assert_int_equal(irr_set(vm, 0xb2), BIT64(3));
	/* only among the destination set */
	irq.dest = 0x01;
	irq.vector = 0xb3;
	assert_int_equal(lapic_deliver(vm, &irq), 1);
	assert_int_equal(irr_set(vm, 0xb3), BIT64(0));
	/* broadcast lowest priority still reaches exactly one */
	irq = fixed(0xff, false, 0xb4);
	irq.delivery_mode = LAPIC_DM_LOWEST;
	assert_int_equal(lapic_deliver(vm, &irq), 1);
	assert_int_equal(irr_set(vm, 0xb4), BIT64(3));
	/* nobody enabled in the set: nobody */
	irq = fixed(0x04, true, 0xb5);
	irq.delivery_mode = LAPIC_DM_LOWEST;
	assert_int_equal(lapic_deliver(vm, &irq), 0);
	tv_free(vm);
}

static void test_software_disabled_apic_takes_nmi_init_sipi_not_fixed(void **state)
{
	struct vm *vm = tv_vm(2);                                  /* SVR.enable clear */
	struct lapic_irq irq = fixed(1, false, 0x40);
	u8 sv = 0;

	(void)state;
	assert_int_equal(lapic_deliver(vm, &irq), 0);
	assert_int_equal(vlapic_highest_irr(vm, 1), -1);
	irq.delivery_mode = LAPIC_DM_NMI;
	assert_int_equal(lapic_deliver(vm, &irq), 1);
	irq.delivery_mode = LAPIC_DM_INIT;
	irq.level_trigger = true;
	irq.assert = true;
	assert_int_equal(lapic_deliver(vm, &irq), 1);
	irq.delivery_mode = LAPIC_DM_SIPI;
	irq.vector = 0x10;
	assert_int_equal(lapic_deliver(vm, &irq), 1);
	assert_int_equal(vlapic_take_events(vm, 1, &sv),
			 VLAPIC_EV_NMI | VLAPIC_EV_INIT | VLAPIC_EV_SIPI);
	assert_int_equal(sv, 0x10);
	assert_int_equal(vlapic_take_events(vm, 0, NULL), 0);
	tv_free(vm);
}

static void test_init_deassert_and_smi_are_ignored_extint_is_posted(void **state)
{
	struct vm *vm = enabled_vm(2);
	struct lapic_irq irq = fixed(LAPIC_XAPIC_BROADCAST, false, 0);

	(void)state;
	irq.delivery_mode = LAPIC_DM_INIT;
	irq.level_trigger = true;
	irq.assert = false;
	assert_int_equal(lapic_deliver(vm, &irq), 0);
	irq.delivery_mode = LAPIC_DM_SMI;
	irq.assert = true;
	assert_int_equal(lapic_deliver(vm, &irq), 0);
	assert_int_equal(vlapic_take_events(vm, 0, NULL), 0);
	assert_int_equal(vlapic_take_events(vm, 1, NULL), 0);
	assert_int_equal(vm->kicks[0] + vm->kicks[1], 0);
	irq.delivery_mode = LAPIC_DM_INIT;
	irq.level_trigger = false;                                 /* edge INIT is an INIT */
	assert_int_equal(lapic_deliver(vm, &irq), 2);
	assert_int_equal(vlapic_take_events(vm, 1, NULL), VLAPIC_EV_INIT);
	irq = fixed(0, false, 0);
	irq.delivery_mode = LAPIC_DM_EXTINT;
	assert_int_equal(lapic_deliver(vm, &irq), 1);
	assert_int_equal(vlapic_take_events(vm, 0, NULL), VLAPIC_EV_INIT | VLAPIC_EV_EXTINT);
	tv_free(vm);
}

static void test_hw_disabled_apic_receives_nothing(void **state)
{
	struct vm *vm = enabled_vm(2);
	struct lapic_irq irq = fixed(LAPIC_XAPIC_BROADCAST, false, 0x40);

	(void)state;
	msr_wr(vm, 1, MSR_IA32_APIC_BASE, APIC_DEFAULT_BASE);
	assert_int_equal(lapic_deliver(vm, &irq), 1);
	irq.delivery_mode = LAPIC_DM_NMI;
	assert_int_equal(lapic_deliver(vm, &irq), 1);
	irq.shorthand = LAPIC_SH_ALL;
	irq.delivery_mode = LAPIC_DM_INIT;
	assert_int_equal(lapic_deliver(vm, &irq), 1);
	assert_int_equal(vlapic_take_events(vm, 1, NULL), 0);
	assert_false(vlapic_match_dest(vm, 1, &irq));
	tv_free(vm);
}

/* Whether vCPU id's dump holds text ("dropped fixed=1 "...). */
static bool dump_has(struct vm *vm, unsigned id, const char *text)
{
	char buf[2048];

	vlapic_dump(vm, id, buf, sizeof(buf));
	return strstr(buf, text) != NULL;
}

/*
 * A physical message to one vCPU goes straight to its vLAPIC: the answers
 * must be the destination walk's (a disabled vLAPIC takes
 * nothing, and lowest priority still skips a software-disabled target).
 */
static void test_one_physical_target_answers_as_the_walk(void **state)
{
	struct vm *vm = tv_vm(4);
	struct lapic_irq irq = fixed(1, false, 0x40);

	(void)state;
	sw_enable(vm, 0);
	sw_enable(vm, 2);
	msr_wr(vm, 1, MSR_IA32_APIC_BASE, APIC_DEFAULT_BASE);   /* vCPU 1: hardware-disabled */
	assert_int_equal(lapic_deliver(vm, &irq), 0);
	irq.delivery_mode = LAPIC_DM_NMI;
	assert_int_equal(lapic_deliver(vm, &irq), 0);
	assert_int_equal(vlapic_take_events(vm, 1, NULL), 0);
	to_x2apic(vm, 2);                                       /* x2APIC: the same ID */
	irq = fixed(2, false, 0x41);
	assert_int_equal(lapic_deliver(vm, &irq), 1);
	assert_int_equal(irr_set(vm, 0x41), BIT64(2));
	irq = fixed(3, false, 0x43);                            /* vCPU 3: software-disabled */
	assert_int_equal(lapic_deliver(vm, &irq), 0);
	assert_true(dump_has(vm, 3, "dropped fixed=1 "));
	irq.delivery_mode = LAPIC_DM_LOWEST;                    /* arbitration: no target */
	assert_int_equal(lapic_deliver(vm, &irq), 0);
	assert_true(dump_has(vm, 3, "dropped fixed=1 "));
	assert_int_equal(irr_set(vm, 0x43), 0);
	tv_free(vm);
}

static void test_level_triggered_fixed_delivery_sets_tmr(void **state)
{
	struct vm *vm = enabled_vm(2);
	struct lapic_irq irq = fixed(1, false, 0x66);

	(void)state;
	irq.level_trigger = true;
	irq.assert = true;
	assert_int_equal(lapic_deliver(vm, &irq), 1);
	assert_true(tmr_bit(vm, 1, 0x66));
	assert_false(tmr_bit(vm, 0, 0x66));
	tv_free(vm);
}

static void test_xapic_icr_write_sends_ipi_and_reads_idle(void **state)
{
	struct vm *vm = enabled_vm(3);

	(void)state;
	mmio_wr(vm, 0, APIC_REG_ICR_HI, 2u << 24);
	mmio_wr(vm, 0, APIC_REG_ICR_LO, 0x4000 | 0x45);            /* fixed, physical, assert */
	assert_int_equal(irr_set(vm, 0x45), BIT64(2));
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_ICR_LO), 0x4045);  /* busy bit reads idle */
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_ICR_HI), 2u << 24);
	/* self, all-but-self shorthands through ICR */
	mmio_wr(vm, 1, APIC_REG_ICR_LO, (LAPIC_SH_SELF << APIC_ICR_SH_SHIFT) | 0x46);
	assert_int_equal(irr_set(vm, 0x46), BIT64(1));
	mmio_wr(vm, 1, APIC_REG_ICR_LO, (LAPIC_SH_ALL_BUT_SELF << APIC_ICR_SH_SHIFT) | 0x47);
	assert_int_equal(irr_set(vm, 0x47), BIT64(0) | BIT64(2));
	/* logical ICR: flat LDRs */
	mmio_wr(vm, 1, APIC_REG_LDR, 0x02000000);
	mmio_wr(vm, 2, APIC_REG_LDR, 0x04000000);
	mmio_wr(vm, 0, APIC_REG_ICR_HI, 0x06000000);
	mmio_wr(vm, 0, APIC_REG_ICR_LO, APIC_ICR_DEST_LOGICAL | 0x48);
	assert_int_equal(irr_set(vm, 0x48), BIT64(1) | BIT64(2));
	/* reserved bits of ICR low are dropped, not stored */
	mmio_wr(vm, 0, APIC_REG_ICR_LO, 0xfff31049);
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_ICR_LO), 0x49);
	tv_free(vm);
}

static void test_icr_init_sipi_sequence_reaches_ap(void **state)
{
	struct vm *vm = enabled_vm(2);
	u8 sv = 0;

	(void)state;
	mmio_wr(vm, 0, APIC_REG_ICR_HI, 1u << 24);
	mmio_wr(vm, 0, APIC_REG_ICR_LO, 0xc500);                    /* INIT level assert */
	mmio_wr(vm, 0, APIC_REG_ICR_LO, 0x8500);                    /* INIT level de-assert */
	assert_int_equal(vlapic_take_events(vm, 1, NULL), VLAPIC_EV_INIT);
	mmio_wr(vm, 0, APIC_REG_ICR_LO, 0x0608);                    /* SIPI vector 8 */
	assert_int_equal(vlapic_take_events(vm, 1, &sv), VLAPIC_EV_SIPI);
	assert_int_equal(sv, 0x08);
	assert_int_equal(vlapic_take_events(vm, 0, NULL), 0);
	tv_free(vm);
}

static void test_icr_illegal_vector_sets_send_and_receive_errors(void **state)
{
	struct vm *vm = enabled_vm(2);

	(void)state;
	mmio_wr(vm, 0, APIC_REG_ICR_HI, 1u << 24);
	mmio_wr(vm, 0, APIC_REG_ICR_LO, 0x4005);
	mmio_wr(vm, 0, APIC_REG_ESR, 0);
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_ESR), APIC_ESR_SEND_ILLEGAL);
	mmio_wr(vm, 1, APIC_REG_ESR, 0);
	assert_int_equal(mmio_rd(vm, 1, APIC_REG_ESR), APIC_ESR_RECV_ILLEGAL);
	assert_int_equal(vlapic_highest_irr(vm, 1), -1);
	/* NMI ignores the vector: no error */
	mmio_wr(vm, 0, APIC_REG_ICR_LO, 0x4405);
	mmio_wr(vm, 0, APIC_REG_ESR, 0);
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_ESR), 0);
	tv_free(vm);
}

static void test_x2apic_icr_and_self_ipi(void **state)
{
	struct vm *vm = tv_vm(4);

	(void)state;
	for (unsigned i = 0; i < 4; i++)
		to_x2apic(vm, i);
	msr_wr(vm, 0, APIC_MSR(APIC_REG_ICR_LO), (3ull << 32) | 0x4050);
	assert_int_equal(irr_set(vm, 0x50), BIT64(3));
	assert_int_equal(msr_rd(vm, 0, APIC_MSR(APIC_REG_ICR_LO)), (3ull << 32) | 0x4050);
	msr_wr(vm, 1, APIC_MSR(APIC_REG_ICR_LO), (BIT(0) | BIT(2) | 0ull) << 32 |
	       APIC_ICR_DEST_LOGICAL | 0x51);
	assert_int_equal(irr_set(vm, 0x51), BIT64(0) | BIT64(2));
	msr_wr(vm, 2, APIC_MSR(APIC_REG_SELF_IPI), 0x52);
	assert_int_equal(irr_set(vm, 0x52), BIT64(2));
	assert_false(tmr_bit(vm, 2, 0x52));
	msr_wr(vm, 2, APIC_MSR(APIC_REG_ICR_LO), (LAPIC_SH_SELF << APIC_ICR_SH_SHIFT) | 0x53);
	assert_int_equal(irr_set(vm, 0x53), BIT64(2));
	msr_wr(vm, 2, APIC_MSR(APIC_REG_SELF_IPI), 0x07);          /* illegal: error, no IRR */
	assert_false(irr_bit(vm, 2, 0x07));
	msr_wr(vm, 2, APIC_MSR(APIC_REG_ESR), 0);
	assert_int_equal(msr_rd(vm, 2, APIC_MSR(APIC_REG_ESR)), APIC_ESR_RECV_ILLEGAL);
	tv_free(vm);
}

static void test_pv_send_ipi_bitmaps_cover_min_id_plus_128(void **state)
{
	struct vm *vm = enabled_vm(64);

	(void)state;
	/* low bits 0, 2, 63 from min 1: vCPUs 1, 3, 64 (absent) */
	assert_int_equal(vlapic_pv_send_ipi(vm, 0, BIT64(0) | BIT64(2) | BIT64(63), 0, 1, 0x61, 64), 2);
	assert_int_equal(irr_set(vm, 0x61), BIT64(1) | BIT64(3));
	/* high word: bit n is min + 64 + n, beyond the 64 vCPUs (not vCPU n) */
	assert_int_equal(vlapic_pv_send_ipi(vm, 0, 0, BIT64(0) | BIT64(5), 0, 0x62, 64), 0);
	assert_int_equal(irr_set(vm, 0x62), 0);
	/* level/assert bits pass through: a level IPI sets TMR */
	assert_int_equal(vlapic_pv_send_ipi(vm, 0, BIT64(0), 0, 7, 0xc064, 64), 1);
	assert_true(tmr_bit(vm, 7, 0x64));
	tv_free(vm);
}

/* Outside 64-bit mode KVM's bitmap words are 32 bits: the high word starts at min + 32. */
static void test_pv_send_ipi_32bit_cluster(void **state)
{
	struct vm *vm = enabled_vm(64);

	(void)state;
	/* low bit 0 and high bit 0 from min 0: vCPUs 0 and 32; bits 32+ of each word ignored */
	assert_int_equal(vlapic_pv_send_ipi(vm, 0, BIT64(0) | BIT64(32), BIT64(0) | BIT64(33), 0,
					    0x65, 32), 2);
	assert_int_equal(irr_set(vm, 0x65), BIT64(0) | BIT64(32));
	/* from min 20: low bit 11 is vCPU 31, high bit 11 is vCPU 63 */
	assert_int_equal(vlapic_pv_send_ipi(vm, 0, BIT64(11), BIT64(11), 20, 0x66, 32), 2);
	assert_int_equal(irr_set(vm, 0x66), BIT64(31) | BIT64(63));
	/* a cluster other than 32 is taken as 64 */
	assert_int_equal(vlapic_pv_send_ipi(vm, 0, 0, BIT64(0), 0, 0x67, 0), 0);   /* ID 64 */
	assert_int_equal(irr_set(vm, 0x67), 0);
	tv_free(vm);
}

static void test_pv_send_ipi_high_bitmap_and_nmi(void **state)
{
	struct vm *vm = enabled_vm(64);

	(void)state;
	assert_int_equal(vlapic_pv_send_ipi(vm, 0, 0, BIT64(3), 0, 0x62, 64), 0);   /* ID 67: absent */
	assert_int_equal(vlapic_pv_send_ipi(vm, 0, BIT64(1), BIT64(3), 0xfffffff0u, 0x62, 64), 0);
	assert_int_equal(irr_set(vm, 0x62), 0);
	/* NMI mode */
	assert_int_equal(vlapic_pv_send_ipi(vm, 0, BIT64(5), 0, 0, 0x400, 64), 1);
	assert_int_equal(vlapic_take_events(vm, 5, NULL), VLAPIC_EV_NMI);
	/* logical, shorthand or another mode: -EINVAL and nothing sent */
	assert_int_equal(vlapic_pv_send_ipi(vm, 0, 1, 0, 0, 0x863, 64), -TERN_EINVAL);
	assert_int_equal(vlapic_pv_send_ipi(vm, 0, 1, 0, 0, 0x40063, 64), -TERN_EINVAL);
	assert_int_equal(vlapic_pv_send_ipi(vm, 0, 1, 0, 0, 0x563, 64), -TERN_EINVAL);
	assert_int_equal(vlapic_pv_send_ipi(vm, 0, 1, 0, 0, 0x163, 64), -TERN_EINVAL);
	assert_int_equal(vlapic_pv_send_ipi(NULL, 0, 1, 0, 0, 0x63, 64), -TERN_EINVAL);
	assert_int_equal(irr_set(vm, 0x63), 0);
	tv_free(vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_physical_xapic_destination_and_broadcast),
		cmocka_unit_test(test_logical_flat_destination_uses_ldr_bits),
		cmocka_unit_test(test_logical_cluster_destination_matches_cluster_and_bits),
		cmocka_unit_test(test_x2apic_physical_and_cluster_destinations),
		cmocka_unit_test(test_x2apic_target_treats_0xff_as_broadcast_only_from_ioapic_or_msi),
		cmocka_unit_test(test_mixed_modes_each_target_matches_in_its_own_mode),
		cmocka_unit_test(test_shorthands_self_all_and_all_but_self),
		cmocka_unit_test(test_reserved_mode_and_shorthand_are_rejected),
		cmocka_unit_test(test_lowest_priority_picks_lowest_ppr_then_lowest_id),
		cmocka_unit_test(test_software_disabled_apic_takes_nmi_init_sipi_not_fixed),
		cmocka_unit_test(test_init_deassert_and_smi_are_ignored_extint_is_posted),
		cmocka_unit_test(test_hw_disabled_apic_receives_nothing),
		cmocka_unit_test(test_one_physical_target_answers_as_the_walk),
		cmocka_unit_test(test_level_triggered_fixed_delivery_sets_tmr),
		cmocka_unit_test(test_xapic_icr_write_sends_ipi_and_reads_idle),
		cmocka_unit_test(test_icr_init_sipi_sequence_reaches_ap),
		cmocka_unit_test(test_icr_illegal_vector_sets_send_and_receive_errors),
		cmocka_unit_test(test_x2apic_icr_and_self_ipi),
		cmocka_unit_test(test_pv_send_ipi_bitmaps_cover_min_id_plus_128),
		cmocka_unit_test(test_pv_send_ipi_32bit_cluster),
		cmocka_unit_test(test_pv_send_ipi_high_bitmap_and_nmi),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
