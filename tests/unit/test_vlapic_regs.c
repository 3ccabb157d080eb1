/* SPDX-License-Identifier: MIT */
/* vLAPIC register interface: xAPIC MMIO, x2APIC MSRs, IA32_APIC_BASE, reset. */
#include "tests/unit/test_vlapic.h"

static const unsigned all_lvts[] = {
	APIC_REG_LVT_CMCI, APIC_REG_LVT_TIMER, APIC_REG_LVT_THERMAL, APIC_REG_LVT_PERF,
	APIC_REG_LVT_LINT0, APIC_REG_LVT_LINT1, APIC_REG_LVT_ERROR,
};

/* Read ESR the architectural way: write (latch), then read. */
static u32 esr_latch(struct vm *vm, unsigned id)
{
	mmio_wr(vm, id, APIC_REG_ESR, 0);
	return mmio_rd(vm, id, APIC_REG_ESR);
}

static void test_power_on_state_of_bsp_and_ap(void **state)
{
	struct vm *vm = tv_vm(2);

	(void)state;
	assert_int_equal(msr_rd(vm, 0, MSR_IA32_APIC_BASE), 0xfee00000u | APIC_BASE_EN | APIC_BASE_BSP);
	assert_int_equal(msr_rd(vm, 1, MSR_IA32_APIC_BASE), 0xfee00000u | APIC_BASE_EN);
	assert_true(vlapic_hw_enabled(vm, 1));
	assert_false(vlapic_x2apic_mode(vm, 1));
	assert_false(vlapic_sw_enabled(vm, 1));
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_ID), 0);
	assert_int_equal(mmio_rd(vm, 1, APIC_REG_ID), 1u << 24);
	assert_int_equal(mmio_rd(vm, 1, APIC_REG_LVR), 0x00050014);
	assert_int_equal(mmio_rd(vm, 1, APIC_REG_SVR), 0xff);
	assert_int_equal(mmio_rd(vm, 1, APIC_REG_DFR), 0xffffffff);
	for (unsigned i = 0; i < ARRAY_SIZE(all_lvts); i++)
		assert_int_equal(mmio_rd(vm, 1, all_lvts[i]), APIC_LVT_MASKED);
	const unsigned zero[] = { APIC_REG_TPR, APIC_REG_APR, APIC_REG_PPR, APIC_REG_LDR,
				  APIC_REG_ESR, APIC_REG_ICR_LO, APIC_REG_ICR_HI, APIC_REG_TMICT,
				  APIC_REG_TMCCT, APIC_REG_TDCR, APIC_REG_RRD, APIC_REG_EOI };
	for (unsigned i = 0; i < ARRAY_SIZE(zero); i++)
		assert_int_equal(mmio_rd(vm, 1, zero[i]), 0);
	for (unsigned r = 0; r < 8; r++) {
		assert_int_equal(mmio_rd(vm, 1, APIC_REG_ISR + r * 16), 0);
		assert_int_equal(mmio_rd(vm, 1, APIC_REG_TMR + r * 16), 0);
		assert_int_equal(mmio_rd(vm, 1, APIC_REG_IRR + r * 16), 0);
	}
	assert_true(IS_ALIGNED((uintptr_t)vlapic_regs_page(vm, 1), 4096));
	assert_int_equal(esr_latch(vm, 1), 0);   /* reading all that raised no error */
	tv_free(vm);
}

static void test_create_rejects_duplicates_and_out_of_range(void **state)
{
	struct vm *vm = tv_vm(2);
	u64 val = 0;

	(void)state;
	assert_int_equal(vlapic_create(vm, 1), -TERN_EEXIST);
	assert_int_equal(vlapic_create(vm, 2), -TERN_EINVAL);
	assert_int_equal(vlapic_create(vm, TERN_MAX_VCPUS), -TERN_EINVAL);
	vlapic_destroy(vm, 1);
	assert_null(vm->irq.vlapic[1]);
	/* every entry point tolerates the missing vLAPIC */
	assert_int_equal(vlapic_mmio(vm, 1, APIC_REG_TPR, 4, false, &val), -TERN_EINVAL);
	assert_int_equal(vlapic_rdmsr(vm, 1, MSR_IA32_APIC_BASE, &val), -TERN_EINVAL);
	assert_int_equal(vlapic_wrmsr(vm, 1, MSR_IA32_APIC_BASE, 0), -TERN_EINVAL);
	assert_false(vlapic_set_intr(vm, 1, 0x40, false));
	assert_int_equal(vlapic_pending_vector(vm, 1), -1);
	assert_null(vlapic_regs_page(vm, 1));
	assert_int_equal(vlapic_timer_deadline(vm, 1), 0);
	assert_int_equal(vlapic_take_events(vm, 1, NULL), 0);
	assert_false(vlapic_hw_enabled(vm, 1));
	assert_false(vlapic_accepts_extint(vm, 1));
	assert_int_equal(vlapic_dump(vm, 1, NULL, 0), -TERN_EINVAL);
	assert_int_equal(vlapic_highest_irr(vm, TERN_MAX_VCPUS + 5), -1);
	vlapic_accept_vector(vm, 1, 0x40);
	vlapic_timer_check(vm, 1, T0);
	vlapic_reset(vm, 1, true);
	vlapic_eoi_virtualized(vm, 1, 0x40);
	assert_int_equal(vlapic_create(vm, 1), 0);   /* and can be created again */
	tv_free(vm);
}

static void test_xapic_read_only_registers_ignore_writes(void **state)
{
	struct vm *vm = tv_vm(2);
	const unsigned ro[] = { APIC_REG_ID, APIC_REG_LVR, APIC_REG_APR, APIC_REG_PPR,
				APIC_REG_RRD, APIC_REG_TMCCT, APIC_REG_ISR, APIC_REG_TMR + 0x70,
				APIC_REG_IRR + 0x30 };

	(void)state;
	sw_enable(vm, 1);
	for (unsigned i = 0; i < ARRAY_SIZE(ro); i++) {
		u32 before = mmio_rd(vm, 1, ro[i]);

		mmio_wr(vm, 1, ro[i], 0xa5a5a5a5);
		assert_int_equal(mmio_rd(vm, 1, ro[i]), before);
	}
	assert_int_equal(mmio_rd(vm, 1, APIC_REG_ID), 1u << 24);
	assert_int_equal(esr_latch(vm, 1), 0);   /* read-only is not "illegal register" */
	tv_free(vm);
}

static void test_xapic_writable_bits_per_register(void **state)
{
	struct vm *vm = tv_vm(1);

	(void)state;
	sw_enable(vm, 0);
	mmio_wr(vm, 0, APIC_REG_TPR, 0xffffffff);
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_TPR), 0xff);
	mmio_wr(vm, 0, APIC_REG_LDR, 0xffffffff);
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_LDR), 0xff000000);
	mmio_wr(vm, 0, APIC_REG_DFR, 0);
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_DFR), APIC_DFR_CLUSTER);
	mmio_wr(vm, 0, APIC_REG_DFR, 0x12345678);
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_DFR), 0x1fffffff);
	mmio_wr(vm, 0, APIC_REG_ICR_HI, 0xffffffff);
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_ICR_HI), 0xff000000);
	mmio_wr(vm, 0, APIC_REG_TDCR, 0xffffffff);
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_TDCR), 0xb);
	mmio_wr(vm, 0, APIC_REG_TMICT, 0xfedcba98);
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_TMICT), 0xfedcba98);
	/* LVTs: each keeps only its own fields; delivery status and remote IRR read 0 */
	mmio_wr(vm, 0, APIC_REG_LVT_TIMER, 0xffffffff & ~BIT(18));
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_LVT_TIMER), 0x300ff);
	mmio_wr(vm, 0, APIC_REG_LVT_THERMAL, 0xffffffff);
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_LVT_THERMAL), 0x107ff);
	mmio_wr(vm, 0, APIC_REG_LVT_PERF, 0xffffffff);
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_LVT_PERF), 0x107ff);
	mmio_wr(vm, 0, APIC_REG_LVT_CMCI, 0xffffffff);
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_LVT_CMCI), 0x107ff);
	mmio_wr(vm, 0, APIC_REG_LVT_LINT0, 0xffffffff);
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_LVT_LINT0), 0x1a7ff);
	mmio_wr(vm, 0, APIC_REG_LVT_LINT1, 0xffffffff);
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_LVT_LINT1), 0x1a7ff);
	mmio_wr(vm, 0, APIC_REG_LVT_ERROR, 0xffffffff);
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_LVT_ERROR), 0x100ff);
	mmio_wr(vm, 0, APIC_REG_LVT_LINT0, 0x00000725);
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_LVT_LINT0), 0x725);   /* unmasked ExtINT */
	mmio_wr(vm, 0, APIC_REG_SVR, 0xffffffff);
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_SVR), 0x3ff);   /* no EOI-broadcast suppression */
	tv_free(vm);
}

static void test_xapic_reserved_timer_mode_write_is_dropped(void **state)
{
	struct vm *vm = tv_vm(1);

	(void)state;
	sw_enable(vm, 0);
	mmio_wr(vm, 0, APIC_REG_LVT_TIMER, 0x20030);   /* periodic, vector 0x30 */
	mmio_wr(vm, 0, APIC_REG_LVT_TIMER, 0x60040);   /* mode 0b11: reserved */
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_LVT_TIMER), 0x20030);
	tv_free(vm);
}

static void test_xapic_reserved_offsets_record_illegal_register(void **state)
{
	struct vm *vm = tv_vm(1);
	const unsigned reserved[] = { 0x000, 0x010, 0x040, 0x070, 0x290, 0x2e0, 0x3a0, 0x3d0,
				      APIC_REG_SELF_IPI, 0x400, 0xff0 };

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(reserved); i++) {
		assert_int_equal(mmio_rd(vm, 0, reserved[i]), 0);
		assert_int_equal(esr_latch(vm, 0), APIC_ESR_ILLEGAL_REG);
		mmio_wr(vm, 0, reserved[i], 0x12345678);
		assert_int_equal(esr_latch(vm, 0), APIC_ESR_ILLEGAL_REG);
		assert_int_equal(esr_latch(vm, 0), 0);
	}
	tv_free(vm);
}

static void test_xapic_bad_width_or_alignment_reads_zero_and_drops_writes(void **state)
{
	struct vm *vm = tv_vm(1);
	const struct { u64 off; unsigned size; } bad[] = {
		{ APIC_REG_TPR, 1 }, { APIC_REG_TPR, 2 }, { APIC_REG_TPR, 8 }, { APIC_REG_TPR, 0 },
		{ APIC_REG_TPR + 4, 4 }, { APIC_REG_TPR + 1, 4 }, { 0x1000, 4 }, { ~0ull - 3, 4 },
	};

	(void)state;
	mmio_wr(vm, 0, APIC_REG_TPR, 0x20);
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		u64 val = 0x77;

		assert_int_equal(vlapic_mmio(vm, 0, bad[i].off, bad[i].size, true, &val), 0);
		val = 0x1234;
		assert_int_equal(vlapic_mmio(vm, 0, bad[i].off, bad[i].size, false, &val), 0);
		assert_int_equal(val, 0);
	}
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_TPR), 0x20);
	assert_int_equal(esr_latch(vm, 0), 0);
	tv_free(vm);
}

static void test_mmio_reads_all_ones_when_disabled_or_x2apic(void **state)
{
	struct vm *vm = tv_vm(2);
	u64 val;

	(void)state;
	msr_wr(vm, 0, MSR_IA32_APIC_BASE, APIC_DEFAULT_BASE | APIC_BASE_EN | APIC_BASE_EXTD);
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_ID), 0xffffffff);
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_LVR), 0xffffffff);
	mmio_wr(vm, 0, APIC_REG_TPR, 0x50);
	assert_int_equal(msr_rd(vm, 0, APIC_MSR(APIC_REG_TPR)), 0);   /* dropped */
	val = 0;
	assert_int_equal(vlapic_mmio(vm, 0, APIC_REG_TPR, 1, false, &val), 0);
	assert_int_equal(val, 0xff);
	assert_int_equal(vlapic_mmio(vm, 0, APIC_REG_TPR, 8, false, &val), 0);
	assert_int_equal(val, ~0ull);

	msr_wr(vm, 1, MSR_IA32_APIC_BASE, APIC_DEFAULT_BASE);   /* hardware-disable */
	assert_int_equal(mmio_rd(vm, 1, APIC_REG_TPR), 0xffffffff);
	assert_int_equal(vlapic_mmio(vm, 1, 0x2, 2, false, &val), 0);
	assert_int_equal(val, 0xffff);
	mmio_wr(vm, 1, APIC_REG_SVR, 0x1ff);
	msr_wr(vm, 1, MSR_IA32_APIC_BASE, APIC_DEFAULT_BASE | APIC_BASE_EN);
	assert_int_equal(mmio_rd(vm, 1, APIC_REG_SVR), 0xff);   /* the write went nowhere */
	tv_free(vm);
}

static void test_esr_write_latches_accumulated_errors(void **state)
{
	struct vm *vm = tv_vm(1);

	(void)state;
	sw_enable(vm, 0);
	assert_false(vlapic_set_intr(vm, 0, 5, false));          /* received illegal vector */
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_ESR), 0);       /* not visible before a write */
	(void)mmio_rd(vm, 0, 0x40);                               /* illegal register */
	mmio_wr(vm, 0, APIC_REG_ESR, 0xffffffff);                 /* the value written is ignored */
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_ESR), APIC_ESR_RECV_ILLEGAL | APIC_ESR_ILLEGAL_REG);
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_ESR), APIC_ESR_RECV_ILLEGAL | APIC_ESR_ILLEGAL_REG);
	mmio_wr(vm, 0, APIC_REG_ESR, 0);                          /* nothing new since */
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_ESR), 0);
	tv_free(vm);
}

static void test_esr_error_raises_lvt_error_interrupt(void **state)
{
	struct vm *vm = tv_vm(1);

	(void)state;
	sw_enable(vm, 0);
	mmio_wr(vm, 0, APIC_REG_LVT_ERROR, 0xfe);
	assert_false(vlapic_set_intr(vm, 0, 3, false));
	assert_true(irr_bit(vm, 0, 0xfe));
	assert_false(irr_bit(vm, 0, 3));
	/* an illegal error vector only records the error: no recursion, no IRR bit */
	mmio_wr(vm, 0, APIC_REG_LVT_ERROR, 0x02);
	assert_false(vlapic_set_intr(vm, 0, 4, false));
	assert_false(irr_bit(vm, 0, 2));
	assert_int_equal(esr_latch(vm, 0), APIC_ESR_RECV_ILLEGAL);
	tv_free(vm);
}

static void test_svr_software_disable_masks_every_lvt_until_rewritten(void **state)
{
	struct vm *vm = tv_vm(1);

	(void)state;
	sw_enable(vm, 0);
	mmio_wr(vm, 0, APIC_REG_LVT_LINT0, 0x700);
	mmio_wr(vm, 0, APIC_REG_LVT_TIMER, 0x20031);
	mmio_wr(vm, 0, APIC_REG_LVT_ERROR, 0xfe);
	assert_true(vlapic_accepts_extint(vm, 0));
	mmio_wr(vm, 0, APIC_REG_SVR, 0xff);                       /* software-disable */
	assert_false(vlapic_sw_enabled(vm, 0));
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_LVT_LINT0), 0x10700);
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_LVT_TIMER), 0x30031);
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_LVT_ERROR), 0x100fe);
	assert_false(vlapic_accepts_extint(vm, 0));
	mmio_wr(vm, 0, APIC_REG_LVT_LINT0, 0x700);                /* cannot unmask now */
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_LVT_LINT0), 0x10700);
	sw_enable(vm, 0);
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_LVT_LINT0), 0x10700);   /* stays masked */
	mmio_wr(vm, 0, APIC_REG_LVT_LINT0, 0x700);
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_LVT_LINT0), 0x700);
	tv_free(vm);
}

/* Relocation: the base moves when the glue traps the new page, and stays over INIT. */
static void test_apic_base_relocation(void **state)
{
	struct vm *vm = tv_vm(2);
	const u64 en = APIC_BASE_EN, moved = 0xfd000000ull;
	u64 val = 0;

	(void)state;
	stub_lapic_window_ret = 0;
	stub_lapic_window_base = 0;
	msr_wr(vm, 1, MSR_IA32_APIC_BASE, APIC_DEFAULT_BASE | en);   /* no move: no window asked */
	assert_int_equal(stub_lapic_window_base, 0);
	msr_wr(vm, 1, MSR_IA32_APIC_BASE, moved | en);
	assert_int_equal(stub_lapic_window_base, moved);
	assert_int_equal(msr_rd(vm, 1, MSR_IA32_APIC_BASE), moved | en);
	assert_int_equal(vlapic_base(vm, 1), moved);
	assert_int_equal(vlapic_base(vm, 0), APIC_DEFAULT_BASE);     /* per vCPU */
	/* the registers answer as before (the window is the glue's business) */
	assert_int_equal(vlapic_mmio(vm, 1, APIC_REG_ID, 4, false, &val), 0);
	assert_int_equal(val, 1u << 24);
	/* INIT keeps IA32_APIC_BASE; x2APIC keeps the base too */
	vlapic_reset(vm, 1, true);
	assert_int_equal(vlapic_base(vm, 1), moved);
	msr_wr(vm, 1, MSR_IA32_APIC_BASE, moved | en | APIC_BASE_EXTD);
	assert_int_equal(vlapic_base(vm, 1), moved);
	/* a move and an illegal transition at once: nothing changes, no window asked */
	stub_lapic_window_base = 0;
	assert_int_equal(vlapic_wrmsr(vm, 1, MSR_IA32_APIC_BASE, APIC_DEFAULT_BASE | en), -TERN_EINVAL);
	assert_int_equal(stub_lapic_window_base, 0);
	assert_int_equal(vlapic_base(vm, 1), moved);
	/* a refused move (RAM, a device) leaves the old base */
	msr_wr(vm, 1, MSR_IA32_APIC_BASE, moved);                    /* disabled, same base */
	stub_lapic_window_ret = -TERN_EINVAL;
	assert_int_equal(vlapic_wrmsr(vm, 1, MSR_IA32_APIC_BASE, 0x100000 | en), -TERN_EINVAL);
	assert_int_equal(msr_rd(vm, 1, MSR_IA32_APIC_BASE), moved);
	stub_lapic_window_ret = 0;
	msr_wr(vm, 1, MSR_IA32_APIC_BASE, APIC_DEFAULT_BASE | en);   /* and back home */
	assert_int_equal(vlapic_base(vm, 1), APIC_DEFAULT_BASE);
	/* power-on reset: the default base */
	msr_wr(vm, 1, MSR_IA32_APIC_BASE, moved | en);
	vlapic_reset(vm, 1, false);
	assert_int_equal(msr_rd(vm, 1, MSR_IA32_APIC_BASE), APIC_DEFAULT_BASE | en);
	tv_free(vm);
}

static void test_apic_base_transitions(void **state)
{
	struct vm *vm = tv_vm(2);
	const u64 b = APIC_DEFAULT_BASE, en = APIC_BASE_EN, x = APIC_BASE_EXTD;

	(void)state;
	/* xAPIC: to the invalid state (EXTD without EN) is illegal */
	assert_int_equal(vlapic_wrmsr(vm, 1, MSR_IA32_APIC_BASE, b | x), -TERN_EINVAL);
	msr_wr(vm, 1, MSR_IA32_APIC_BASE, b | en);                 /* same state: fine */
	msr_wr(vm, 1, MSR_IA32_APIC_BASE, b | en | x);             /* xAPIC -> x2APIC */
	assert_true(vlapic_x2apic_mode(vm, 1));
	msr_wr(vm, 1, MSR_IA32_APIC_BASE, b | en | x);             /* same state */
	assert_int_equal(vlapic_wrmsr(vm, 1, MSR_IA32_APIC_BASE, b | en), -TERN_EINVAL);
	assert_int_equal(vlapic_wrmsr(vm, 1, MSR_IA32_APIC_BASE, b | x), -TERN_EINVAL);
	assert_true(vlapic_x2apic_mode(vm, 1));                    /* failed writes change nothing */
	msr_wr(vm, 1, MSR_IA32_APIC_BASE, b);                      /* x2APIC -> disabled */
	assert_false(vlapic_hw_enabled(vm, 1));
	assert_false(vlapic_x2apic_mode(vm, 1));
	assert_int_equal(vlapic_wrmsr(vm, 1, MSR_IA32_APIC_BASE, b | en | x), -TERN_EINVAL);
	assert_int_equal(vlapic_wrmsr(vm, 1, MSR_IA32_APIC_BASE, b | x), -TERN_EINVAL);
	msr_wr(vm, 1, MSR_IA32_APIC_BASE, b);                      /* same state */
	msr_wr(vm, 1, MSR_IA32_APIC_BASE, b | en);                 /* disabled -> xAPIC */
	assert_true(vlapic_hw_enabled(vm, 1));
	assert_false(vlapic_x2apic_mode(vm, 1));
	msr_wr(vm, 1, MSR_IA32_APIC_BASE, b);                      /* xAPIC -> disabled */
	assert_false(vlapic_hw_enabled(vm, 1));
	msr_wr(vm, 1, MSR_IA32_APIC_BASE, b | en);
	/* reserved bits, a moved base, a base beyond 52 bits */
	assert_int_equal(vlapic_wrmsr(vm, 1, MSR_IA32_APIC_BASE, b | en | BIT(9)), -TERN_EINVAL);
	assert_int_equal(vlapic_wrmsr(vm, 1, MSR_IA32_APIC_BASE, b | en | 1), -TERN_EINVAL);
	assert_int_equal(vlapic_wrmsr(vm, 1, MSR_IA32_APIC_BASE, b | en | BIT64(52)), -TERN_EINVAL);
	stub_lapic_window_ret = -TERN_EEXIST;   /* the IOAPIC's page: the glue refuses */
	assert_int_equal(vlapic_wrmsr(vm, 1, MSR_IA32_APIC_BASE, 0xfec00000 | en), -TERN_EINVAL);
	assert_int_equal(stub_lapic_window_base, 0xfec00000);
	stub_lapic_window_ret = 0;
	assert_int_equal(msr_rd(vm, 1, MSR_IA32_APIC_BASE), b | en);
	/* the BSP flag is not the guest's to change */
	msr_wr(vm, 1, MSR_IA32_APIC_BASE, b | en | APIC_BASE_BSP);
	assert_int_equal(msr_rd(vm, 1, MSR_IA32_APIC_BASE), b | en);
	msr_wr(vm, 0, MSR_IA32_APIC_BASE, b | en);
	assert_int_equal(msr_rd(vm, 0, MSR_IA32_APIC_BASE), b | en | APIC_BASE_BSP);
	tv_free(vm);
}

static void test_x2apic_switch_gives_32bit_id_and_derived_ldr(void **state)
{
	struct vm *vm = tv_vm(20);

	(void)state;
	to_x2apic(vm, 17);
	assert_int_equal(msr_rd(vm, 17, APIC_MSR(APIC_REG_ID)), 17);
	assert_int_equal(msr_rd(vm, 17, APIC_MSR(APIC_REG_LDR)), (1u << 16) | BIT(1));
	to_x2apic(vm, 3);
	assert_int_equal(msr_rd(vm, 3, APIC_MSR(APIC_REG_LDR)), BIT(3));
	assert_int_equal(msr_rd(vm, 3, APIC_MSR(APIC_REG_LVR)), 0x00050014);
	/* the page holds the same: usable as a virtual-APIC page in x2APIC mode */
	const u32 *page = vlapic_regs_page(vm, 17);
	assert_int_equal(page[APIC_REG_ID / 4], 17);
	assert_int_equal(page[APIC_REG_LDR / 4], 0x10002);
	tv_free(vm);
}

static void test_x2apic_msrs_fault_outside_x2apic_mode(void **state)
{
	struct vm *vm = tv_vm(1);
	u64 val;

	(void)state;
	assert_int_equal(vlapic_rdmsr(vm, 0, APIC_MSR(APIC_REG_TPR), &val), -TERN_EINVAL);
	assert_int_equal(vlapic_wrmsr(vm, 0, APIC_MSR(APIC_REG_TPR), 0), -TERN_EINVAL);
	assert_int_equal(vlapic_rdmsr(vm, 0, APIC_MSR(APIC_REG_ID), &val), -TERN_EINVAL);
	assert_int_equal(vlapic_wrmsr(vm, 0, APIC_MSR(APIC_REG_EOI), 0), -TERN_EINVAL);
	assert_int_equal(vlapic_rdmsr(vm, 0, 0x7ff, &val), -TERN_EINVAL);
	assert_int_equal(vlapic_rdmsr(vm, 0, 0x900, &val), -TERN_EINVAL);
	msr_wr(vm, 0, MSR_IA32_APIC_BASE, APIC_DEFAULT_BASE);
	assert_int_equal(vlapic_rdmsr(vm, 0, APIC_MSR(APIC_REG_TPR), &val), -TERN_EINVAL);
	tv_free(vm);
}

static void test_x2apic_absent_and_write_only_registers_fault_on_read(void **state)
{
	struct vm *vm = tv_vm(1);
	const unsigned absent[] = { 0x800, 0x801, 0x804, 0x807, APIC_MSR(APIC_REG_APR),
				    APIC_MSR(APIC_REG_RRD), APIC_MSR(APIC_REG_DFR),
				    APIC_MSR(APIC_REG_ICR_HI), APIC_MSR(APIC_REG_EOI),
				    APIC_MSR(APIC_REG_SELF_IPI), 0x829, 0x82e, 0x83a, 0x83d, 0x840, 0x8ff };
	u64 val;

	(void)state;
	to_x2apic(vm, 0);
	for (unsigned i = 0; i < ARRAY_SIZE(absent); i++)
		assert_int_equal(vlapic_rdmsr(vm, 0, absent[i], &val), -TERN_EINVAL);
	tv_free(vm);
}

static void test_x2apic_read_only_and_absent_registers_fault_on_write(void **state)
{
	struct vm *vm = tv_vm(1);
	const unsigned ro[] = { APIC_MSR(APIC_REG_ID), APIC_MSR(APIC_REG_LVR), APIC_MSR(APIC_REG_PPR),
				APIC_MSR(APIC_REG_LDR), APIC_MSR(APIC_REG_APR), APIC_MSR(APIC_REG_RRD),
				APIC_MSR(APIC_REG_DFR), APIC_MSR(APIC_REG_ICR_HI), APIC_MSR(APIC_REG_TMCCT),
				0x810, 0x817, 0x818, 0x81f, 0x820, 0x827, 0x800, 0x83a, 0x8ff };

	(void)state;
	to_x2apic(vm, 0);
	for (unsigned i = 0; i < ARRAY_SIZE(ro); i++)
		assert_int_equal(vlapic_wrmsr(vm, 0, ro[i], 0), -TERN_EINVAL);
	assert_int_equal(msr_rd(vm, 0, APIC_MSR(APIC_REG_ID)), 0);
	tv_free(vm);
}

static void test_x2apic_reserved_bits_fault(void **state)
{
	struct vm *vm = tv_vm(1);
	const struct { u32 msr; u64 val; } bad[] = {
		{ APIC_MSR(APIC_REG_TPR), 0x100 },
		{ APIC_MSR(APIC_REG_TPR), 1ull << 32 },
		{ APIC_MSR(APIC_REG_SVR), BIT(12) },                 /* no directed EOI */
		{ APIC_MSR(APIC_REG_SVR), BIT(10) },
		{ APIC_MSR(APIC_REG_LVT_TIMER), BIT(19) },
		{ APIC_MSR(APIC_REG_LVT_TIMER), APIC_TIMER_ONESHOT | 0x100 },   /* no DM field */
		{ APIC_MSR(APIC_REG_LVT_TIMER), 3u << 17 },          /* reserved mode */
		{ APIC_MSR(APIC_REG_LVT_TIMER), APIC_LVT_DELIVERY_STATUS },
		{ APIC_MSR(APIC_REG_LVT_ERROR), 0x400 },
		{ APIC_MSR(APIC_REG_LVT_LINT0), APIC_LVT_REMOTE_IRR },
		{ APIC_MSR(APIC_REG_LVT_PERF), APIC_LVT_LEVEL },
		{ APIC_MSR(APIC_REG_LVT_CMCI), BIT(17) },
		{ APIC_MSR(APIC_REG_TDCR), BIT(2) },
		{ APIC_MSR(APIC_REG_ESR), 1 },
		{ APIC_MSR(APIC_REG_EOI), 1 },
		{ APIC_MSR(APIC_REG_EOI), 1ull << 40 },
		{ APIC_MSR(APIC_REG_SELF_IPI), 0x100 },
		{ APIC_MSR(APIC_REG_ICR_LO), APIC_ICR_BUSY | 0x40 },
		{ APIC_MSR(APIC_REG_ICR_LO), BIT(13) | 0x40 },
		{ APIC_MSR(APIC_REG_ICR_LO), BIT(16) | 0x40 },
		{ APIC_MSR(APIC_REG_ICR_LO), BIT(20) | 0x40 },
	};

	(void)state;
	to_x2apic(vm, 0);
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		int err = vlapic_wrmsr(vm, 0, bad[i].msr, bad[i].val);

		if (err != -TERN_EINVAL)
			fail_msg("msr %#x value %#llx: %d", bad[i].msr, (unsigned long long)bad[i].val, err);
	}
	assert_int_equal(msr_rd(vm, 0, APIC_MSR(APIC_REG_TPR)), 0);
	assert_int_equal(msr_rd(vm, 0, APIC_MSR(APIC_REG_LVT_TIMER)), APIC_LVT_MASKED);
	assert_int_equal(vlapic_highest_irr(vm, 0), -1);   /* no faulting ICR/SELF_IPI was sent */
	tv_free(vm);
}

static void test_x2apic_writable_registers_round_trip(void **state)
{
	struct vm *vm = tv_vm(1);

	(void)state;
	to_x2apic(vm, 0);
	msr_wr(vm, 0, APIC_MSR(APIC_REG_TPR), 0x5a);
	assert_int_equal(msr_rd(vm, 0, APIC_MSR(APIC_REG_TPR)), 0x5a);
	assert_int_equal(msr_rd(vm, 0, APIC_MSR(APIC_REG_PPR)), 0x5a);
	msr_wr(vm, 0, APIC_MSR(APIC_REG_SVR), 0x3ff);
	assert_int_equal(msr_rd(vm, 0, APIC_MSR(APIC_REG_SVR)), 0x3ff);
	msr_wr(vm, 0, APIC_MSR(APIC_REG_LVT_TIMER), 0x40030);
	assert_int_equal(msr_rd(vm, 0, APIC_MSR(APIC_REG_LVT_TIMER)), 0x40030);
	msr_wr(vm, 0, APIC_MSR(APIC_REG_LVT_LINT1), 0x1a400);
	assert_int_equal(msr_rd(vm, 0, APIC_MSR(APIC_REG_LVT_LINT1)), 0x1a400);
	msr_wr(vm, 0, APIC_MSR(APIC_REG_LVT_CMCI), 0x10031);
	assert_int_equal(msr_rd(vm, 0, APIC_MSR(APIC_REG_LVT_CMCI)), 0x10031);
	msr_wr(vm, 0, APIC_MSR(APIC_REG_TDCR), 0xa);
	assert_int_equal(msr_rd(vm, 0, APIC_MSR(APIC_REG_TDCR)), 0xa);
	msr_wr(vm, 0, APIC_MSR(APIC_REG_TMICT), 0);
	msr_wr(vm, 0, APIC_MSR(APIC_REG_ESR), 0);
	msr_wr(vm, 0, APIC_MSR(APIC_REG_EOI), 0);                  /* nothing in service: no-op */
	assert_int_equal(fake_ioapic.eoi_calls, 0);
	assert_int_equal(msr_rd(vm, 0, APIC_MSR(APIC_REG_ESR)), 0);
	assert_int_equal(msr_rd(vm, 0, APIC_MSR(APIC_REG_ISR)), 0);
	tv_free(vm);
}

static void test_hw_disable_then_reenable_resets_registers(void **state)
{
	struct vm *vm = tv_vm(2);

	(void)state;
	sw_enable(vm, 1);
	mmio_wr(vm, 1, APIC_REG_TPR, 0x20);
	mmio_wr(vm, 1, APIC_REG_LDR, 0x4000000);
	mmio_wr(vm, 1, APIC_REG_LVT_TIMER, 0x30);
	mmio_wr(vm, 1, APIC_REG_TMICT, 100);
	assert_true(vlapic_set_intr(vm, 1, 0x80, true));
	msr_wr(vm, 1, MSR_IA32_APIC_BASE, APIC_DEFAULT_BASE);
	assert_false(vlapic_hw_enabled(vm, 1));
	assert_true(vlapic_accepts_extint(vm, 1));                 /* INTR goes straight in */
	assert_false(vlapic_set_intr(vm, 1, 0x81, false));
	assert_int_equal(vlapic_timer_deadline(vm, 1), 0);
	msr_wr(vm, 1, MSR_IA32_APIC_BASE, APIC_DEFAULT_BASE | APIC_BASE_EN);
	assert_false(vlapic_accepts_extint(vm, 1));
	assert_int_equal(mmio_rd(vm, 1, APIC_REG_ID), 1u << 24);
	assert_int_equal(mmio_rd(vm, 1, APIC_REG_SVR), 0xff);
	assert_int_equal(mmio_rd(vm, 1, APIC_REG_TPR), 0);
	assert_int_equal(mmio_rd(vm, 1, APIC_REG_LDR), 0);
	assert_int_equal(mmio_rd(vm, 1, APIC_REG_LVT_TIMER), APIC_LVT_MASKED);
	assert_int_equal(mmio_rd(vm, 1, APIC_REG_TMICT), 0);
	assert_int_equal(vlapic_highest_irr(vm, 1), -1);
	assert_false(tmr_bit(vm, 1, 0x80));
	tv_free(vm);
}

static void test_init_reset_keeps_mode_and_id_power_on_does_not(void **state)
{
	struct vm *vm = tv_vm(6);

	(void)state;
	to_x2apic(vm, 5);
	msr_wr(vm, 5, APIC_MSR(APIC_REG_TPR), 0x40);
	assert_true(vlapic_set_intr(vm, 5, 0x40, false));
	vlapic_reset(vm, 5, true);
	assert_true(vlapic_x2apic_mode(vm, 5));
	assert_int_equal(msr_rd(vm, 5, APIC_MSR(APIC_REG_ID)), 5);
	assert_int_equal(msr_rd(vm, 5, APIC_MSR(APIC_REG_LDR)), BIT(5));
	assert_int_equal(msr_rd(vm, 5, APIC_MSR(APIC_REG_TPR)), 0);
	assert_int_equal(msr_rd(vm, 5, APIC_MSR(APIC_REG_SVR)), 0xff);
	assert_int_equal(vlapic_highest_irr(vm, 5), -1);
	vlapic_reset(vm, 5, false);
	assert_false(vlapic_x2apic_mode(vm, 5));
	assert_int_equal(msr_rd(vm, 5, MSR_IA32_APIC_BASE), APIC_DEFAULT_BASE | APIC_BASE_EN);
	assert_int_equal(mmio_rd(vm, 5, APIC_REG_ID), 5u << 24);

	/* xAPIC: INIT clears LDR/DFR; disabled: INIT keeps it disabled */
	sw_enable(vm, 4);
	mmio_wr(vm, 4, APIC_REG_LDR, 0x10000000);
	mmio_wr(vm, 4, APIC_REG_DFR, 0);
	vlapic_reset(vm, 4, true);
	assert_int_equal(mmio_rd(vm, 4, APIC_REG_LDR), 0);
	assert_int_equal(mmio_rd(vm, 4, APIC_REG_DFR), 0xffffffff);
	msr_wr(vm, 3, MSR_IA32_APIC_BASE, APIC_DEFAULT_BASE);
	vlapic_reset(vm, 3, true);
	assert_false(vlapic_hw_enabled(vm, 3));
	vlapic_reset(vm, 0, false);
	assert_int_equal(msr_rd(vm, 0, MSR_IA32_APIC_BASE),
			 APIC_DEFAULT_BASE | APIC_BASE_EN | APIC_BASE_BSP);
	tv_free(vm);
}

static void test_cr8_is_tpr_priority_class(void **state)
{
	struct vm *vm = tv_vm(1);

	(void)state;
	vlapic_set_cr8(vm, 0, 5);
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_TPR), 0x50);
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_PPR), 0x50);
	assert_int_equal(vlapic_get_cr8(vm, 0), 5);
	mmio_wr(vm, 0, APIC_REG_TPR, 0x7f);
	assert_int_equal(vlapic_get_cr8(vm, 0), 7);
	vlapic_set_cr8(vm, 0, 0x13);                              /* only CR8[3:0] exists */
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_TPR), 0x30);
	tv_free(vm);
}

static void test_apr_follows_tpr_isr_and_irr(void **state)
{
	struct vm *vm = tv_vm(1);

	(void)state;
	sw_enable(vm, 0);
	mmio_wr(vm, 0, APIC_REG_TPR, 0x35);
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_APR), 0x35);
	assert_true(vlapic_set_intr(vm, 0, 0x45, false));          /* IRR class above TPR's */
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_APR), 0x40);
	vlapic_accept_vector(vm, 0, 0x45);
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_APR), 0x40);      /* ISR class 4 */
	mmio_wr(vm, 0, APIC_REG_TPR, 0x4f);                        /* TPR class = ISR class */
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_APR), 0x40);
	mmio_wr(vm, 0, APIC_REG_TPR, 0x5f);
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_APR), 0x5f);
	tv_free(vm);
}

static void test_dump_describes_state_and_truncates_safely(void **state)
{
	struct vm *vm = tv_vm(1);
	char buf[1024], small[16];
	int n;

	(void)state;
	sw_enable(vm, 0);
	assert_true(vlapic_set_intr(vm, 0, 0x41, true));
	n = vlapic_dump(vm, 0, buf, sizeof(buf));
	assert_true(n > 0 && (size_t)n < sizeof(buf));
	assert_int_equal(strlen(buf), n);
	assert_non_null(strstr(buf, "vlapic0: xapic"));
	assert_non_null(strstr(buf, "svr=000001ff"));
	assert_non_null(strstr(buf, "irr 00000000 00000000 00000000 00000000 00000000 00000002"));
	assert_int_equal(vlapic_dump(vm, 0, small, sizeof(small)), n);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_int_equal(vlapic_dump(vm, 0, NULL, 0), n);
	tv_free(vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_power_on_state_of_bsp_and_ap),
		cmocka_unit_test(test_create_rejects_duplicates_and_out_of_range),
		cmocka_unit_test(test_xapic_read_only_registers_ignore_writes),
		cmocka_unit_test(test_xapic_writable_bits_per_register),
		cmocka_unit_test(test_xapic_reserved_timer_mode_write_is_dropped),
		cmocka_unit_test(test_xapic_reserved_offsets_record_illegal_register),
		cmocka_unit_test(test_xapic_bad_width_or_alignment_reads_zero_and_drops_writes),
		cmocka_unit_test(test_mmio_reads_all_ones_when_disabled_or_x2apic),
		cmocka_unit_test(test_esr_write_latches_accumulated_errors),
		cmocka_unit_test(test_esr_error_raises_lvt_error_interrupt),
		cmocka_unit_test(test_svr_software_disable_masks_every_lvt_until_rewritten),
		cmocka_unit_test(test_apic_base_transitions),
		cmocka_unit_test(test_apic_base_relocation),
		cmocka_unit_test(test_x2apic_switch_gives_32bit_id_and_derived_ldr),
		cmocka_unit_test(test_x2apic_msrs_fault_outside_x2apic_mode),
		cmocka_unit_test(test_x2apic_absent_and_write_only_registers_fault_on_read),
		cmocka_unit_test(test_x2apic_read_only_and_absent_registers_fault_on_write),
		cmocka_unit_test(test_x2apic_reserved_bits_fault),
		cmocka_unit_test(test_x2apic_writable_registers_round_trip),
		cmocka_unit_test(test_hw_disable_then_reenable_resets_registers),
		cmocka_unit_test(test_init_reset_keeps_mode_and_id_power_on_does_not),
		cmocka_unit_test(test_cr8_is_tpr_priority_class),
		cmocka_unit_test(test_apr_follows_tpr_isr_and_irr),
		cmocka_unit_test(test_dump_describes_state_and_truncates_safely),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
