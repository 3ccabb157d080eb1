/* SPDX-License-Identifier: MIT */
/* vLAPIC acceptance, priority (TPR/PPR), EOI, APICv hooks, events. */
#include <pthread.h>

#include "tests/unit/test_vlapic.h"

/* Take the highest deliverable vector as the CPU would; -1 when none. */
static int inject(struct vm *vm, unsigned id)
{
	int v = vlapic_pending_vector(vm, id);

	if (v >= 0)
		vlapic_accept_vector(vm, id, (u8)v);
	return v;
}

static void test_fixed_interrupt_to_software_disabled_apic_is_dropped(void **state)
{
	struct vm *vm = tv_vm(1);

	(void)state;
	assert_false(vlapic_set_intr(vm, 0, 0x40, false));   /* SVR.enable clear at power-on */
	assert_int_equal(vlapic_highest_irr(vm, 0), -1);
	assert_int_equal(vm->kicks[0], 0);
	sw_enable(vm, 0);
	assert_true(vlapic_set_intr(vm, 0, 0x40, false));
	assert_int_equal(vm->kicks[0], 1);
	tv_free(vm);
}

static void test_set_intr_sets_irr_and_tmr_and_coalesces(void **state)
{
	struct vm *vm = tv_vm(2);

	(void)state;
	sw_enable(vm, 1);
	assert_true(vlapic_set_intr(vm, 1, 0x41, true));
	assert_true(irr_bit(vm, 1, 0x41));
	assert_true(tmr_bit(vm, 1, 0x41));
	assert_int_equal(mmio_rd(vm, 1, APIC_REG_IRR + 0x20), BIT(1));
	assert_int_equal(mmio_rd(vm, 1, APIC_REG_TMR + 0x20), BIT(1));
	assert_false(vlapic_set_intr(vm, 1, 0x41, true));      /* already pending */
	assert_int_equal(vm->kicks[1], 1);
	assert_int_equal(vm->kicks[0], 0);
	assert_true(vlapic_set_intr(vm, 1, 0xff, false));
	assert_false(tmr_bit(vm, 1, 0xff));
	assert_int_equal(mmio_rd(vm, 1, APIC_REG_IRR + 0x70), BIT(31));
	assert_true(vlapic_set_intr(vm, 1, 16, false));         /* lowest legal vector */
	assert_int_equal(mmio_rd(vm, 1, APIC_REG_IRR), BIT(16));
	/* an edge acceptance of a vector clears its TMR bit again */
	assert_int_equal(inject(vm, 1), 0xff);
	assert_int_equal(inject(vm, 1), -1);                     /* 0xff in service blocks 0x41 */
	mmio_wr(vm, 1, APIC_REG_EOI, 0);
	assert_int_equal(inject(vm, 1), 0x41);
	mmio_wr(vm, 1, APIC_REG_EOI, 0);
	assert_int_equal(fake_ioapic.eoi_calls, 1);
	assert_true(vlapic_set_intr(vm, 1, 0x41, false));
	assert_false(tmr_bit(vm, 1, 0x41));
	tv_free(vm);
}

static void test_illegal_vectors_0_to_15_are_dropped_and_recorded(void **state)
{
	struct vm *vm = tv_vm(1);

	(void)state;
	sw_enable(vm, 0);
	for (unsigned v = 0; v < 16; v++) {
		assert_false(vlapic_set_intr(vm, 0, (u8)v, false));
		mmio_wr(vm, 0, APIC_REG_ESR, 0);
		assert_int_equal(mmio_rd(vm, 0, APIC_REG_ESR), APIC_ESR_RECV_ILLEGAL);
	}
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_IRR), 0);
	assert_int_equal(vm->kicks[0], 0);
	tv_free(vm);
}

static void test_pending_vector_is_highest_irr_across_classes(void **state)
{
	struct vm *vm = tv_vm(1);
	const u8 vectors[] = { 0x31, 0xe0, 0x20, 0x9f, 0x5a, 0x5b, 0xef };
	const int order[] = { 0xef, 0xe0, 0x9f, 0x5b, 0x5a, 0x31, 0x20 };

	(void)state;
	sw_enable(vm, 0);
	assert_int_equal(vlapic_pending_vector(vm, 0), -1);
	for (unsigned i = 0; i < ARRAY_SIZE(vectors); i++)
		assert_true(vlapic_set_intr(vm, 0, vectors[i], false));
	assert_int_equal(vlapic_highest_irr(vm, 0), 0xef);
	/* each accepted vector is EOIed at once, so the order is pure IRR order */
	for (unsigned i = 0; i < ARRAY_SIZE(order); i++) {
		assert_int_equal(inject(vm, 0), order[i]);
		assert_true(isr_bit(vm, 0, (u8)order[i]));
		assert_false(irr_bit(vm, 0, (u8)order[i]));
		mmio_wr(vm, 0, APIC_REG_EOI, 0);
		assert_false(isr_bit(vm, 0, (u8)order[i]));
	}
	assert_int_equal(inject(vm, 0), -1);
	tv_free(vm);
}

static void test_in_service_class_blocks_same_and_lower_classes(void **state)
{
	struct vm *vm = tv_vm(1);

	(void)state;
	sw_enable(vm, 0);
	assert_true(vlapic_set_intr(vm, 0, 0x55, false));
	assert_int_equal(inject(vm, 0), 0x55);
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_PPR), 0x50);
	assert_true(vlapic_set_intr(vm, 0, 0x5f, false));        /* same class: must wait */
	assert_true(vlapic_set_intr(vm, 0, 0x41, false));        /* lower class: must wait */
	assert_int_equal(vlapic_pending_vector(vm, 0), -1);
	assert_true(vlapic_set_intr(vm, 0, 0x60, false));        /* higher class nests */
	assert_int_equal(inject(vm, 0), 0x60);
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_PPR), 0x60);
	assert_int_equal(vlapic_highest_isr(vm, 0), 0x60);
	/* EOI retires the highest in-service vector first */
	mmio_wr(vm, 0, APIC_REG_EOI, 0);
	assert_false(isr_bit(vm, 0, 0x60));
	assert_true(isr_bit(vm, 0, 0x55));
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_PPR), 0x50);
	assert_int_equal(vlapic_pending_vector(vm, 0), -1);
	mmio_wr(vm, 0, APIC_REG_EOI, 0);
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_PPR), 0);
	assert_int_equal(inject(vm, 0), 0x5f);
	mmio_wr(vm, 0, APIC_REG_EOI, 0);
	assert_int_equal(inject(vm, 0), 0x41);
	mmio_wr(vm, 0, APIC_REG_EOI, 0);
	assert_int_equal(vlapic_highest_isr(vm, 0), -1);
	tv_free(vm);
}

static void test_tpr_masks_classes_at_or_below_it(void **state)
{
	struct vm *vm = tv_vm(1);

	(void)state;
	sw_enable(vm, 0);
	mmio_wr(vm, 0, APIC_REG_TPR, 0x50);
	assert_true(vlapic_set_intr(vm, 0, 0x5f, false));
	assert_int_equal(vlapic_pending_vector(vm, 0), -1);
	assert_true(vlapic_set_intr(vm, 0, 0x60, false));
	assert_int_equal(vlapic_pending_vector(vm, 0), 0x60);
	vlapic_accept_vector(vm, 0, 0x60);
	mmio_wr(vm, 0, APIC_REG_EOI, 0);
	mmio_wr(vm, 0, APIC_REG_TPR, 0x4f);                      /* class 4: 0x5f now passes */
	assert_int_equal(vlapic_pending_vector(vm, 0), 0x5f);
	vlapic_set_cr8(vm, 0, 0xf);
	assert_int_equal(vlapic_pending_vector(vm, 0), -1);
	vlapic_set_cr8(vm, 0, 0);
	assert_int_equal(vlapic_pending_vector(vm, 0), 0x5f);
	tv_free(vm);
}

static void test_ppr_is_tpr_when_its_class_is_not_below_isr(void **state)
{
	struct vm *vm = tv_vm(1);

	(void)state;
	sw_enable(vm, 0);
	assert_true(vlapic_set_intr(vm, 0, 0x65, false));
	assert_int_equal(inject(vm, 0), 0x65);
	mmio_wr(vm, 0, APIC_REG_TPR, 0x20);
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_PPR), 0x60);
	mmio_wr(vm, 0, APIC_REG_TPR, 0x6a);                      /* same class: TPR wins */
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_PPR), 0x6a);
	mmio_wr(vm, 0, APIC_REG_TPR, 0x70);
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_PPR), 0x70);
	assert_int_equal(vlapic_ppr(vm, 0), 0x70);
	tv_free(vm);
}

static void test_accept_vector_not_pending_changes_nothing(void **state)
{
	struct vm *vm = tv_vm(1);

	(void)state;
	sw_enable(vm, 0);
	vlapic_accept_vector(vm, 0, 0x70);
	assert_false(isr_bit(vm, 0, 0x70));
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_PPR), 0);
	tv_free(vm);
}

static void test_eoi_of_level_vector_notifies_ioapic_once(void **state)
{
	struct vm *vm = tv_vm(1);

	(void)state;
	sw_enable(vm, 0);
	assert_true(vlapic_set_intr(vm, 0, 0x61, true));
	assert_true(vlapic_set_intr(vm, 0, 0x52, false));
	assert_int_equal(inject(vm, 0), 0x61);
	mmio_wr(vm, 0, APIC_REG_EOI, 0x1234);                    /* any xAPIC value is an EOI */
	assert_int_equal(fake_ioapic.eoi_calls, 1);
	assert_int_equal(fake_ioapic.eoi_vectors[0], 0x61);
	assert_int_equal(inject(vm, 0), 0x52);
	mmio_wr(vm, 0, APIC_REG_EOI, 0);                         /* edge: no notification */
	assert_int_equal(fake_ioapic.eoi_calls, 1);
	mmio_wr(vm, 0, APIC_REG_EOI, 0);                         /* nothing in service */
	assert_int_equal(fake_ioapic.eoi_calls, 1);
	tv_free(vm);
}

static void test_nested_level_eois_notify_in_isr_order_via_x2apic(void **state)
{
	struct vm *vm = tv_vm(1);

	(void)state;
	to_x2apic(vm, 0);
	assert_true(vlapic_set_intr(vm, 0, 0x31, true));
	assert_int_equal(inject(vm, 0), 0x31);
	assert_true(vlapic_set_intr(vm, 0, 0x92, true));
	assert_int_equal(inject(vm, 0), 0x92);
	assert_true(vlapic_set_intr(vm, 0, 0xa0, false));
	assert_int_equal(inject(vm, 0), 0xa0);
	for (int i = 0; i < 3; i++)
		msr_wr(vm, 0, APIC_MSR(APIC_REG_EOI), 0);
	assert_int_equal(fake_ioapic.eoi_calls, 2);
	assert_int_equal(fake_ioapic.eoi_vectors[0], 0x92);
	assert_int_equal(fake_ioapic.eoi_vectors[1], 0x31);
	tv_free(vm);
}

/* The vIOAPIC re-delivers from inside vioapic_eoi: the vLAPIC lock must be free. */
static void redeliver_hook(struct vm *vm, u8 vector)
{
	assert_true(vlapic_set_intr(vm, 0, vector, true));
}

static void test_vioapic_eoi_runs_without_vlapic_lock(void **state)
{
	struct vm *vm = tv_vm(1);

	(void)state;
	sw_enable(vm, 0);
	fake_ioapic.eoi_hook = redeliver_hook;
	assert_true(vlapic_set_intr(vm, 0, 0x70, true));
	assert_int_equal(inject(vm, 0), 0x70);
	mmio_wr(vm, 0, APIC_REG_EOI, 0);
	assert_int_equal(fake_ioapic.eoi_calls, 1);
	assert_true(irr_bit(vm, 0, 0x70));                        /* re-delivered, pending again */
	assert_false(isr_bit(vm, 0, 0x70));
	tv_free(vm);
}

static void test_apicv_eoi_exit_bitmap_and_virtualized_eoi(void **state)
{
	struct vm *vm = tv_vm(1);
	u64 bm[4];

	(void)state;
	sw_enable(vm, 0);
	vlapic_set_apicv(vm, 0, true);
	assert_true(vlapic_apicv(vm, 0));
	assert_true(vlapic_set_intr(vm, 0, 0x21, true));
	assert_true(vlapic_set_intr(vm, 0, 0x7f, true));
	assert_true(vlapic_set_intr(vm, 0, 0xc0, false));
	assert_true(vlapic_set_intr(vm, 0, 0xfe, true));
	vlapic_eoi_exit_bitmap(vm, 0, bm);
	assert_int_equal(bm[0], BIT64(0x21));
	assert_int_equal(bm[1], BIT64(0x7f - 64));
	assert_int_equal(bm[2], 0);                               /* 0xc0 is edge */
	assert_int_equal(bm[3], BIT64(0xfe - 192));
	assert_int_equal(vlapic_highest_irr(vm, 0), 0xfe);
	/* the CPU delivers 0x7f and virtualizes its EOI: clear ISR, then EOI exit */
	u8 *page = vlapic_regs_page(vm, 0);
	__atomic_fetch_and((u32 *)(page + APIC_REG_IRR + 0x30), ~BIT(31), __ATOMIC_SEQ_CST);
	vlapic_eoi_virtualized(vm, 0, 0x7f);
	assert_int_equal(fake_ioapic.eoi_calls, 1);
	assert_int_equal(fake_ioapic.eoi_vectors[0], 0x7f);
	vlapic_eoi_virtualized(vm, 0, 0xc0);                      /* edge: nothing to forward */
	assert_int_equal(fake_ioapic.eoi_calls, 1);
	/* SVI source: ISR set by the CPU is reported */
	__atomic_fetch_or((u32 *)(page + APIC_REG_ISR + 0x10), BIT(1), __ATOMIC_SEQ_CST);
	assert_int_equal(vlapic_highest_isr(vm, 0), 0x21);
	vlapic_eoi_virtualized(vm, 0, 0x21);
	assert_int_equal(vlapic_highest_isr(vm, 0), -1);
	assert_int_equal(fake_ioapic.eoi_vectors[1], 0x21);
	vlapic_set_apicv(vm, 0, false);
	assert_false(vlapic_apicv(vm, 0));
	tv_free(vm);
}

static void test_apicv_state_snapshot_and_tmr_generation(void **state)
{
	struct vm *vm = tv_vm(2);
	struct vlapic_apicv_state st;
	u32 gen;

	(void)state;
	vlapic_apicv_state(vm, TERN_MAX_VCPUS + 1, &st);          /* no such vLAPIC */
	assert_false(st.enabled);
	assert_int_equal(st.irr, -1);
	assert_int_equal(st.isr, -1);
	assert_int_equal(st.tmr_gen, 0);
	sw_enable(vm, 1);
	vlapic_apicv_state(vm, 1, &st);
	assert_true(st.enabled);
	assert_false(st.x2apic);
	assert_int_equal(st.base, APIC_DEFAULT_BASE);
	assert_int_equal(st.irr, -1);
	assert_int_equal(st.isr, -1);
	assert_int_equal(st.lvt_timer, APIC_LVT_MASKED);
	gen = st.tmr_gen;
	/* edge vectors leave the TMR (and its generation) alone */
	assert_true(vlapic_set_intr(vm, 1, 0x31, false));
	assert_true(vlapic_set_intr(vm, 1, 0x92, false));
	vlapic_apicv_state(vm, 1, &st);
	assert_int_equal(st.irr, 0x92);
	assert_int_equal(st.tmr_gen, gen);
	/* coalesced into a pending edge 0x31, a level 0x31 still changes the TMR:
	 * the vCPU is kicked so that its EOI-exit bitmap follows */
	assert_int_equal(vm->kicks[1], 2);
	assert_false(vlapic_set_intr(vm, 1, 0x31, true));
	assert_int_equal(vm->kicks[1], 3);
	assert_false(vlapic_set_intr(vm, 1, 0x31, true));         /* no change: no kick */
	assert_int_equal(vm->kicks[1], 3);
	vlapic_apicv_state(vm, 1, &st);
	assert_int_not_equal(st.tmr_gen, gen);
	assert_false(vlapic_set_intr(vm, 1, 0x31, false));      /* coalesced, TMR cleared */
	vlapic_apicv_state(vm, 1, &st);
	gen = st.tmr_gen;                                         /* 0x31 edge again */
	/* a level vector sets its TMR bit: the generation moves, once */
	assert_true(vlapic_set_intr(vm, 1, 0x55, true));
	vlapic_apicv_state(vm, 1, &st);
	assert_int_not_equal(st.tmr_gen, gen);
	gen = st.tmr_gen;
	assert_int_equal(inject(vm, 1), 0x92);
	assert_int_equal(inject(vm, 1), -1);                     /* 0x92 in service blocks the rest */
	vlapic_apicv_state(vm, 1, &st);
	assert_int_equal(st.irr, 0x55);
	assert_int_equal(st.isr, 0x92);
	assert_int_equal(st.tmr_gen, gen);
	mmio_wr(vm, 1, APIC_REG_EOI, 0);
	assert_int_equal(inject(vm, 1), 0x55);
	mmio_wr(vm, 1, APIC_REG_EOI, 0);                          /* level: to the vIOAPIC */
	/* TMR stays set until 0x55 is next accepted as edge, which moves it again */
	assert_true(vlapic_set_intr(vm, 1, 0x55, false));
	vlapic_apicv_state(vm, 1, &st);
	assert_int_not_equal(st.tmr_gen, gen);
	gen = st.tmr_gen;
	/* a reset clears the TMR with everything else */
	vlapic_reset(vm, 1, true);
	vlapic_apicv_state(vm, 1, &st);
	assert_int_not_equal(st.tmr_gen, gen);
	assert_int_equal(st.irr, -1);
	assert_int_equal(st.isr, -1);
	to_x2apic(vm, 0);
	vlapic_apicv_state(vm, 0, &st);
	assert_true(st.enabled);
	assert_true(st.x2apic);
	tv_free(vm);
}

/* An EOI kicks its vCPU only when that lets a pending vector through (or APICv must follow). */
static void test_x2apic_eoi_direct_path_kicks_only_when_needed(void **state)
{
	struct vm *vm = tv_vm(1);
	unsigned kicks;

	(void)state;
	sw_enable(vm, 0);
	assert_int_equal(vlapic_x2apic_eoi(vm, 0, 0), -TERN_EINVAL);   /* xAPIC mode: #GP */
	assert_int_equal(vlapic_x2apic_eoi(vm, 3, 0), -TERN_EINVAL);   /* no such vLAPIC */
	to_x2apic(vm, 0);
	assert_int_equal(vlapic_x2apic_eoi(vm, 0, 1), -TERN_EINVAL);   /* non-zero: #GP */
	kicks = vm->kicks[0];
	assert_int_equal(vlapic_x2apic_eoi(vm, 0, 0), 0);              /* nothing in service */
	assert_int_equal(vm->kicks[0], kicks);
	/* 0x61 in service blocks 0x52 and 0x5f: the EOI of 0x61 unblocks them */
	assert_true(vlapic_set_intr(vm, 0, 0x61, false));
	assert_int_equal(inject(vm, 0), 0x61);
	assert_true(vlapic_set_intr(vm, 0, 0x52, false));
	assert_true(vlapic_set_intr(vm, 0, 0x5f, true));
	assert_int_equal(inject(vm, 0), -1);
	kicks = vm->kicks[0];
	assert_int_equal(vlapic_x2apic_eoi(vm, 0, 0), 0);
	assert_int_equal(vm->kicks[0], kicks + 1);
	assert_false(isr_bit(vm, 0, 0x61));
	assert_int_equal(inject(vm, 0), 0x5f);
	/* 0x52 is in 0x5f's class: the EOI of 0x5f unblocks it; a level vector reaches the vIOAPIC */
	assert_int_equal(vlapic_x2apic_eoi(vm, 0, 0), 0);
	assert_int_equal(vm->kicks[0], kicks + 2);
	assert_int_equal(fake_ioapic.eoi_calls, 1);
	assert_int_equal(fake_ioapic.eoi_vectors[0], 0x5f);
	assert_int_equal(inject(vm, 0), 0x52);
	/* nothing left pending: no kick, unless APICv's SVI must follow the ISR */
	assert_true(vlapic_set_intr(vm, 0, 0x70, false));
	assert_int_equal(inject(vm, 0), 0x70);
	kicks = vm->kicks[0];
	assert_int_equal(vlapic_x2apic_eoi(vm, 0, 0), 0);              /* 0x70 */
	assert_int_equal(vm->kicks[0], kicks);
	assert_true(isr_bit(vm, 0, 0x52));
	vlapic_set_apicv(vm, 0, true);
	assert_int_equal(vlapic_x2apic_eoi(vm, 0, 0), 0);              /* 0x52: SVI moves */
	assert_int_equal(vm->kicks[0], kicks + 1);
	assert_int_equal(vlapic_highest_isr(vm, 0), -1);
	assert_int_equal(fake_ioapic.eoi_calls, 1);
	tv_free(vm);
}

static void test_xapic_eoi_kicks_only_when_needed(void **state)
{
	struct vm *vm = tv_vm(1);
	unsigned kicks;

	(void)state;
	sw_enable(vm, 0);
	assert_true(vlapic_set_intr(vm, 0, 0x81, false));
	assert_int_equal(inject(vm, 0), 0x81);
	kicks = vm->kicks[0];
	mmio_wr(vm, 0, APIC_REG_EOI, 0);                               /* nothing waits */
	assert_int_equal(vm->kicks[0], kicks);
	assert_true(vlapic_set_intr(vm, 0, 0x91, false));
	assert_int_equal(inject(vm, 0), 0x91);
	assert_true(vlapic_set_intr(vm, 0, 0x42, false));             /* blocked by 0x91 */
	kicks = vm->kicks[0];
	mmio_wr(vm, 0, APIC_REG_EOI, 0);
	assert_int_equal(vm->kicks[0], kicks + 1);
	assert_int_equal(inject(vm, 0), 0x42);
	tv_free(vm);
}

static void test_events_are_taken_once_with_sipi_vector(void **state)
{
	struct vm *vm = tv_vm(2);
	struct lapic_irq nmi = { .dest = 1, .delivery_mode = LAPIC_DM_NMI, .src_vcpu = -1 };
	struct lapic_irq sipi = { .dest = 1, .vector = 0x9a, .delivery_mode = LAPIC_DM_SIPI,
				  .src_vcpu = 0 };
	u8 sv = 0;

	(void)state;
	assert_int_equal(vlapic_take_events(vm, 1, &sv), 0);
	assert_int_equal(lapic_deliver(vm, &nmi), 1);
	assert_int_equal(lapic_deliver(vm, &sipi), 1);
	assert_int_equal(vm->kicks[1], 2);
	assert_int_equal(vlapic_take_events(vm, 1, &sv), VLAPIC_EV_NMI | VLAPIC_EV_SIPI);
	assert_int_equal(sv, 0x9a);
	assert_int_equal(vlapic_take_events(vm, 1, NULL), 0);
	assert_int_equal(vlapic_take_events(vm, 0, NULL), 0);
	assert_int_equal(lapic_deliver(vm, &nmi), 1);
	vlapic_reset(vm, 1, false);                               /* power-on drops events */
	assert_int_equal(vlapic_take_events(vm, 1, NULL), 0);
	tv_free(vm);
}

static void test_accepts_extint_follows_lint0_and_hw_enable(void **state)
{
	struct vm *vm = tv_vm(1);

	(void)state;
	assert_false(vlapic_accepts_extint(vm, 0));               /* LINT0 masked at reset */
	sw_enable(vm, 0);
	mmio_wr(vm, 0, APIC_REG_LVT_LINT0, LAPIC_DM_EXTINT << APIC_LVT_DM_SHIFT);
	assert_true(vlapic_accepts_extint(vm, 0));
	mmio_wr(vm, 0, APIC_REG_LVT_LINT0, (LAPIC_DM_EXTINT << APIC_LVT_DM_SHIFT) | APIC_LVT_MASKED);
	assert_false(vlapic_accepts_extint(vm, 0));
	mmio_wr(vm, 0, APIC_REG_LVT_LINT0, (LAPIC_DM_NMI << APIC_LVT_DM_SHIFT));
	assert_false(vlapic_accepts_extint(vm, 0));
	msr_wr(vm, 0, MSR_IA32_APIC_BASE, APIC_DEFAULT_BASE);
	assert_true(vlapic_accepts_extint(vm, 0));
	tv_free(vm);
}

struct setter {
	struct vm *vm;
	unsigned first;
};

static void *set_vectors(void *arg)
{
	struct setter *s = arg;

	for (unsigned round = 0; round < 200; round++)
		for (unsigned v = s->first; v < s->first + 60; v += 4)
			vlapic_set_intr(s->vm, 0, (u8)v, (v & 1) != 0);
	return NULL;
}

static void test_concurrent_set_intr_loses_no_vector(void **state)
{
	struct vm *vm = tv_vm(1);
	pthread_t th[4];
	struct setter s[4];

	(void)state;
	sw_enable(vm, 0);
	for (unsigned i = 0; i < 4; i++) {
		s[i] = (struct setter){ vm, 0x40 + i };
		assert_int_equal(pthread_create(&th[i], NULL, set_vectors, &s[i]), 0);
	}
	for (unsigned i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	for (unsigned v = 0x40; v < 0x7c; v++) {
		assert_true(irr_bit(vm, 0, (u8)v));
		assert_int_equal(tmr_bit(vm, 0, (u8)v), (v & 1) != 0);
	}
	assert_int_equal(vm->kicks[0], 0x7c - 0x40);              /* one kick per new vector */
	tv_free(vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixed_interrupt_to_software_disabled_apic_is_dropped),
		cmocka_unit_test(test_set_intr_sets_irr_and_tmr_and_coalesces),
		cmocka_unit_test(test_illegal_vectors_0_to_15_are_dropped_and_recorded),
		cmocka_unit_test(test_pending_vector_is_highest_irr_across_classes),
		cmocka_unit_test(test_in_service_class_blocks_same_and_lower_classes),
		cmocka_unit_test(test_tpr_masks_classes_at_or_below_it),
		cmocka_unit_test(test_ppr_is_tpr_when_its_class_is_not_below_isr),
		cmocka_unit_test(test_accept_vector_not_pending_changes_nothing),
		cmocka_unit_test(test_eoi_of_level_vector_notifies_ioapic_once),
		cmocka_unit_test(test_nested_level_eois_notify_in_isr_order_via_x2apic),
		cmocka_unit_test(test_vioapic_eoi_runs_without_vlapic_lock),
		cmocka_unit_test(test_apicv_eoi_exit_bitmap_and_virtualized_eoi),
		cmocka_unit_test(test_apicv_state_snapshot_and_tmr_generation),
		cmocka_unit_test(test_x2apic_eoi_direct_path_kicks_only_when_needed),
		cmocka_unit_test(test_xapic_eoi_kicks_only_when_needed),
		cmocka_unit_test(test_events_are_taken_once_with_sipi_vector),
		cmocka_unit_test(test_accepts_extint_follows_lint0_and_hw_enable),
		cmocka_unit_test(test_concurrent_set_intr_loses_no_vector),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
