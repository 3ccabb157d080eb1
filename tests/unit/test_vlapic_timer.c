/* SPDX-License-Identifier: MIT */
/* vLAPIC timer: one-shot, periodic, TSC-deadline; divider; current count. */
#include "kernel/clock.h"
#include "kernel/limits.h"
#include "tests/unit/test_vlapic.h"

#define VEC 0x30

static const struct { u32 tdcr; u64 div; } dividers[] = {
	{ 0x0, 2 }, { 0x1, 4 }, { 0x2, 8 }, { 0x3, 16 },
	{ 0x8, 32 }, { 0x9, 64 }, { 0xa, 128 }, { 0xb, 1 },
};

static struct vm *timer_vm(u32 lvt, u32 tdcr)
{
	struct vm *vm = tv_vm(1);

	vlapic_period_floor_us = 0;   /* small-period arithmetic below; the floor has its own test */
	sw_enable(vm, 0);
	mmio_wr(vm, 0, APIC_REG_LVT_TIMER, lvt);
	mmio_wr(vm, 0, APIC_REG_TDCR, tdcr);
	return vm;
}

/* Take and retire the timer vector, so the next expiry shows as a new IRR bit. */
static void ack_timer(struct vm *vm)
{
	assert_int_equal(vlapic_pending_vector(vm, 0), VEC);
	vlapic_accept_vector(vm, 0, VEC);
	mmio_wr(vm, 0, APIC_REG_EOI, 0);
}

static void test_one_shot_fires_exactly_at_count_times_divider(void **state)
{
	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(dividers); i++) {
		struct vm *vm = timer_vm(VEC, dividers[i].tdcr);
		u64 deadline = T0 + 1000 * dividers[i].div;

		mmio_wr(vm, 0, APIC_REG_TMICT, 1000);
		assert_int_equal(vlapic_timer_deadline(vm, 0), deadline);
		vlapic_timer_check(vm, 0, deadline - 1);
		assert_false(irr_bit(vm, 0, VEC));
		vlapic_timer_check(vm, 0, deadline);
		assert_true(irr_bit(vm, 0, VEC));
		assert_false(tmr_bit(vm, 0, VEC));                   /* timer interrupts are edge */
		assert_int_equal(vlapic_timer_deadline(vm, 0), 0);   /* one-shot: done */
		assert_int_equal(vm->kicks[0], 1);
		tv_free(vm);
	}
}

static void test_current_count_counts_down_at_tsc_over_divider(void **state)
{
	struct vm *vm = timer_vm(VEC, 0x1);                          /* divide by 4 */

	(void)state;
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_TMCCT), 0);           /* not started */
	mmio_wr(vm, 0, APIC_REG_TMICT, 1000);
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_TMCCT), 1000);
	stub_clock = T0 + 3;
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_TMCCT), 1000);
	stub_clock = T0 + 4;
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_TMCCT), 999);
	stub_clock = T0 + 2000;
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_TMCCT), 500);
	stub_clock = T0 + 3999;
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_TMCCT), 1);
	assert_false(irr_bit(vm, 0, VEC));
	stub_clock = T0 + 4000;
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_TMCCT), 0);           /* the read saw it expire */
	assert_true(irr_bit(vm, 0, VEC));
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_TMICT), 1000);        /* initial count stays */
	tv_free(vm);
}

static void test_periodic_reloads_without_drift(void **state)
{
	struct vm *vm = timer_vm((APIC_TIMER_PERIODIC << APIC_LVT_TIMER_SHIFT) | VEC, 0xb);

	(void)state;
	mmio_wr(vm, 0, APIC_REG_TMICT, 100);
	assert_int_equal(vlapic_timer_deadline(vm, 0), T0 + 100);
	vlapic_timer_check(vm, 0, T0 + 107);                            /* seen 7 ticks late */
	assert_true(irr_bit(vm, 0, VEC));
	assert_int_equal(vlapic_timer_deadline(vm, 0), T0 + 200);       /* not T0 + 207 */
	ack_timer(vm);
	vlapic_timer_check(vm, 0, T0 + 199);
	assert_false(irr_bit(vm, 0, VEC));
	vlapic_timer_check(vm, 0, T0 + 200);
	assert_true(irr_bit(vm, 0, VEC));
	assert_int_equal(vlapic_timer_deadline(vm, 0), T0 + 300);
	ack_timer(vm);
	stub_clock = T0 + 250;
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_TMCCT), 50);
	tv_free(vm);
}

static void test_periodic_missed_periods_coalesce_into_one_interrupt(void **state)
{
	struct vm *vm = timer_vm((APIC_TIMER_PERIODIC << APIC_LVT_TIMER_SHIFT) | VEC, 0x0);

	(void)state;
	mmio_wr(vm, 0, APIC_REG_TMICT, 50);                            /* period 100 */
	vlapic_timer_check(vm, 0, T0 + 705);
	assert_true(irr_bit(vm, 0, VEC));
	assert_int_equal(vm->kicks[0], 1);
	assert_int_equal(vlapic_timer_deadline(vm, 0), T0 + 800);
	vlapic_timer_check(vm, 0, T0 + 800);
	assert_int_equal(vlapic_timer_deadline(vm, 0), T0 + 900);
	assert_int_equal(vm->kicks[0], 1);                              /* coalesced in IRR */
	tv_free(vm);
}

/* A periodic count shorter than the floor runs at the floor (no livelock in timer exits). */
static void test_periodic_period_has_a_floor(void **state)
{
	struct vm *vm = timer_vm((APIC_TIMER_PERIODIC << APIC_LVT_TIMER_SHIFT) | VEC, 0xb);
	u64 floor = clock_tsc_khz() * LIMIT_LAPIC_PERIOD_MIN_US / 1000;

	(void)state;
	vlapic_period_floor_us = LIMIT_LAPIC_PERIOD_MIN_US;
	mmio_wr(vm, 0, APIC_REG_TMICT, 4);
	assert_int_equal(vlapic_timer_deadline(vm, 0), T0 + floor);
	vlapic_timer_check(vm, 0, T0 + floor + 1);
	assert_true(irr_bit(vm, 0, VEC));
	assert_int_equal(vlapic_timer_deadline(vm, 0), T0 + 2 * floor);
	mmio_wr(vm, 0, APIC_REG_LVT_TIMER, VEC);                        /* one-shot: no floor */
	mmio_wr(vm, 0, APIC_REG_TMICT, 4);
	assert_int_equal(vlapic_timer_deadline(vm, 0), T0 + 4);
	vlapic_period_floor_us = 0;
	tv_free(vm);
}

static void test_masked_timer_counts_and_expires_silently(void **state)
{
	struct vm *vm = timer_vm(APIC_LVT_MASKED | VEC, 0x0);

	(void)state;
	mmio_wr(vm, 0, APIC_REG_TMICT, 10);
	assert_int_equal(vlapic_timer_deadline(vm, 0), T0 + 20);
	stub_clock = T0 + 10;
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_TMCCT), 5);
	vlapic_timer_check(vm, 0, T0 + 20);
	assert_false(irr_bit(vm, 0, VEC));
	assert_int_equal(vlapic_timer_deadline(vm, 0), 0);
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_TMCCT), 0);
	assert_int_equal(vm->kicks[0], 0);
	/* masked periodic keeps reloading */
	mmio_wr(vm, 0, APIC_REG_LVT_TIMER, APIC_LVT_MASKED | (APIC_TIMER_PERIODIC << 17) | VEC);
	stub_clock = T0 + 100;
	mmio_wr(vm, 0, APIC_REG_TMICT, 10);
	vlapic_timer_check(vm, 0, T0 + 120);
	assert_int_equal(vlapic_timer_deadline(vm, 0), T0 + 140);
	assert_false(irr_bit(vm, 0, VEC));
	/* unmasking mid-count makes the next expiry interrupt */
	mmio_wr(vm, 0, APIC_REG_LVT_TIMER, (APIC_TIMER_PERIODIC << 17) | VEC);
	assert_int_equal(vlapic_timer_deadline(vm, 0), T0 + 140);
	vlapic_timer_check(vm, 0, T0 + 140);
	assert_true(irr_bit(vm, 0, VEC));
	tv_free(vm);
}

static void test_initial_count_write_restarts_and_zero_stops(void **state)
{
	struct vm *vm = timer_vm(VEC, 0x0);

	(void)state;
	mmio_wr(vm, 0, APIC_REG_TMICT, 1000);
	stub_clock = T0 + 500;
	mmio_wr(vm, 0, APIC_REG_TMICT, 1000);
	assert_int_equal(vlapic_timer_deadline(vm, 0), T0 + 2500);
	mmio_wr(vm, 0, APIC_REG_TMICT, 0);
	assert_int_equal(vlapic_timer_deadline(vm, 0), 0);
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_TMCCT), 0);
	vlapic_timer_check(vm, 0, T0 + 100000);
	assert_false(irr_bit(vm, 0, VEC));
	/* the largest count and divider do not overflow */
	mmio_wr(vm, 0, APIC_REG_TDCR, 0xa);
	mmio_wr(vm, 0, APIC_REG_TMICT, 0xffffffff);
	assert_int_equal(vlapic_timer_deadline(vm, 0), T0 + 500 + 0xffffffffull * 128);
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_TMCCT), 0xffffffff);
	tv_free(vm);
}

static void test_mode_change_disarms_mask_change_does_not(void **state)
{
	struct vm *vm = timer_vm((APIC_TIMER_PERIODIC << APIC_LVT_TIMER_SHIFT) | VEC, 0x0);

	(void)state;
	mmio_wr(vm, 0, APIC_REG_TMICT, 100);
	mmio_wr(vm, 0, APIC_REG_LVT_TIMER, APIC_LVT_MASKED | (APIC_TIMER_PERIODIC << 17) | VEC);
	assert_int_equal(vlapic_timer_deadline(vm, 0), T0 + 200);
	mmio_wr(vm, 0, APIC_REG_LVT_TIMER, (APIC_TIMER_PERIODIC << 17) | 0x31);   /* new vector */
	assert_int_equal(vlapic_timer_deadline(vm, 0), T0 + 200);
	mmio_wr(vm, 0, APIC_REG_LVT_TIMER, VEC);                        /* -> one-shot */
	assert_int_equal(vlapic_timer_deadline(vm, 0), 0);
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_TMCCT), 0);
	mmio_wr(vm, 0, APIC_REG_TMICT, 100);
	mmio_wr(vm, 0, APIC_REG_LVT_TIMER, (APIC_TIMER_TSC_DEADLINE << 17) | VEC);
	assert_int_equal(vlapic_timer_deadline(vm, 0), 0);
	tv_free(vm);
}

static void test_divider_change_keeps_remaining_count(void **state)
{
	struct vm *vm = timer_vm(VEC, 0x0);                             /* divide by 2 */

	(void)state;
	mmio_wr(vm, 0, APIC_REG_TMICT, 1000);
	stub_clock = T0 + 1000;
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_TMCCT), 500);
	mmio_wr(vm, 0, APIC_REG_TDCR, 0x2);                             /* divide by 8 */
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_TMCCT), 500);
	assert_int_equal(vlapic_timer_deadline(vm, 0), T0 + 1000 + 500 * 8);
	stub_clock = T0 + 1008;
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_TMCCT), 499);
	tv_free(vm);
}

static void test_tsc_deadline_fires_at_deadline_and_clears_msr(void **state)
{
	struct vm *vm = timer_vm(VEC, 0x0);

	(void)state;
	mmio_wr(vm, 0, APIC_REG_TMICT, 500);
	/* outside TSC-deadline mode the MSR reads 0 and ignores writes */
	msr_wr(vm, 0, MSR_IA32_TSC_DEADLINE, T0 + 10);
	assert_int_equal(msr_rd(vm, 0, MSR_IA32_TSC_DEADLINE), 0);
	assert_int_equal(vlapic_timer_deadline(vm, 0), T0 + 1000);
	mmio_wr(vm, 0, APIC_REG_LVT_TIMER, (APIC_TIMER_TSC_DEADLINE << 17) | VEC);
	assert_int_equal(vlapic_timer_deadline(vm, 0), 0);              /* the switch disarmed */
	mmio_wr(vm, 0, APIC_REG_TMICT, 77);                             /* ignored in this mode */
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_TMICT), 500);
	assert_int_equal(vlapic_timer_deadline(vm, 0), 0);
	msr_wr(vm, 0, MSR_IA32_TSC_DEADLINE, T0 + 1000);
	assert_int_equal(msr_rd(vm, 0, MSR_IA32_TSC_DEADLINE), T0 + 1000);
	assert_int_equal(vlapic_timer_deadline(vm, 0), T0 + 1000);
	assert_int_equal(mmio_rd(vm, 0, APIC_REG_TMCCT), 0);            /* always 0 here */
	vlapic_timer_check(vm, 0, T0 + 999);
	assert_false(irr_bit(vm, 0, VEC));
	vlapic_timer_check(vm, 0, T0 + 1000);
	assert_true(irr_bit(vm, 0, VEC));
	assert_int_equal(msr_rd(vm, 0, MSR_IA32_TSC_DEADLINE), 0);
	assert_int_equal(vlapic_timer_deadline(vm, 0), 0);
	tv_free(vm);
}

static void test_tsc_deadline_zero_disarms_and_past_fires_at_once(void **state)
{
	struct vm *vm = timer_vm((APIC_TIMER_TSC_DEADLINE << 17) | VEC, 0x0);

	(void)state;
	msr_wr(vm, 0, MSR_IA32_TSC_DEADLINE, T0 + 50);
	msr_wr(vm, 0, MSR_IA32_TSC_DEADLINE, 0);
	assert_int_equal(vlapic_timer_deadline(vm, 0), 0);
	vlapic_timer_check(vm, 0, T0 + 50);
	assert_false(irr_bit(vm, 0, VEC));
	msr_wr(vm, 0, MSR_IA32_TSC_DEADLINE, T0 - 5);
	assert_true(irr_bit(vm, 0, VEC));
	assert_int_equal(msr_rd(vm, 0, MSR_IA32_TSC_DEADLINE), 0);
	ack_timer(vm);
	msr_wr(vm, 0, MSR_IA32_TSC_DEADLINE, T0);                       /* "now" counts as past */
	assert_true(irr_bit(vm, 0, VEC));
	ack_timer(vm);
	/* a masked deadline timer disarms without an interrupt */
	mmio_wr(vm, 0, APIC_REG_LVT_TIMER, APIC_LVT_MASKED | (APIC_TIMER_TSC_DEADLINE << 17) | VEC);
	msr_wr(vm, 0, MSR_IA32_TSC_DEADLINE, T0 + 10);
	vlapic_timer_check(vm, 0, T0 + 10);
	assert_false(irr_bit(vm, 0, VEC));
	assert_int_equal(msr_rd(vm, 0, MSR_IA32_TSC_DEADLINE), 0);
	tv_free(vm);
}

static void test_tsc_deadline_in_x2apic_mode(void **state)
{
	struct vm *vm = tv_vm(1);

	(void)state;
	to_x2apic(vm, 0);
	msr_wr(vm, 0, APIC_MSR(APIC_REG_LVT_TIMER), (APIC_TIMER_TSC_DEADLINE << 17) | VEC);
	msr_wr(vm, 0, APIC_MSR(APIC_REG_TMICT), 10);                    /* ignored */
	assert_int_equal(msr_rd(vm, 0, APIC_MSR(APIC_REG_TMICT)), 0);
	msr_wr(vm, 0, MSR_IA32_TSC_DEADLINE, T0 + 3);
	assert_int_equal(msr_rd(vm, 0, APIC_MSR(APIC_REG_TMCCT)), 0);
	stub_clock = T0 + 3;
	assert_int_equal(msr_rd(vm, 0, APIC_MSR(APIC_REG_TPR)), 0);     /* any access runs the timer */
	assert_true(irr_bit(vm, 0, VEC));
	tv_free(vm);
}

static void test_software_disabled_apic_timer_is_masked(void **state)
{
	struct vm *vm = timer_vm(VEC, 0xb);

	(void)state;
	mmio_wr(vm, 0, APIC_REG_TMICT, 10);
	mmio_wr(vm, 0, APIC_REG_SVR, 0xff);
	vlapic_timer_check(vm, 0, T0 + 10);
	assert_false(irr_bit(vm, 0, VEC));
	assert_int_equal(vlapic_timer_deadline(vm, 0), 0);
	tv_free(vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_shot_fires_exactly_at_count_times_divider),
		cmocka_unit_test(test_current_count_counts_down_at_tsc_over_divider),
		cmocka_unit_test(test_periodic_reloads_without_drift),
		cmocka_unit_test(test_periodic_missed_periods_coalesce_into_one_interrupt),
		cmocka_unit_test(test_periodic_period_has_a_floor),
		cmocka_unit_test(test_masked_timer_counts_and_expires_silently),
		cmocka_unit_test(test_initial_count_write_restarts_and_zero_stops),
		cmocka_unit_test(test_mode_change_disarms_mask_change_does_not),
		cmocka_unit_test(test_divider_change_keeps_remaining_count),
		cmocka_unit_test(test_tsc_deadline_fires_at_deadline_and_clears_msr),
		cmocka_unit_test(test_tsc_deadline_zero_disarms_and_past_fires_at_once),
		cmocka_unit_test(test_tsc_deadline_in_x2apic_mode),
		cmocka_unit_test(test_software_disabled_apic_timer_is_masked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
