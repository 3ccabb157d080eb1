/* SPDX-License-Identifier: MIT */
/*
 * kvmclock math (arch/x86/kvm_pv.h): the mul/shift tern publishes must turn
 * TSC ticks into nanoseconds the way the guest computes them (a 64x32-bit
 * product shifted by 32) to within 1 ppb over a day, for TSC rates from
 * 1 MHz to 10 GHz; successive records must agree; versions stay even
 * outside an update and advance by 2.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "arch/x86/kvm_pv.h"

static const u64 rates_hz[] = {
	1000000, 3579545, 14318180, 25000000, 50000000, 100000000, 999999999, 1000000000,
	1000000001, 1999999999, 2000000000, 2000000001, 2400000000ull, 3499912000ull,
	3500000000ull, 4000000000ull, 5300000000ull, 10000000000ull,
};

/* What Linux's pvclock_scale_delta computes (128-bit product). */
static u64 guest_ns(u64 delta, struct pvclock_scale s)
{
	u64 d = s.shift >= 0 ? delta << s.shift : delta >> -s.shift;

	return (u64)(((unsigned __int128)d * s.mul) >> 32);
}

static u64 exact_ns(u64 ticks, u64 hz)
{
	return (u64)((unsigned __int128)ticks * PVCLOCK_NS_PER_SEC / hz);
}

static void test_scale_normalised(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rates_hz) / sizeof(rates_hz[0]); i++) {
		u64 hz = rates_hz[i];
		struct pvclock_scale s = pvclock_scale_for(hz);
		/* hz * 2^shift, times 2^31 so that a negative shift stays exact */
		unsigned __int128 scaled;
		unsigned __int128 one = (unsigned __int128)PVCLOCK_NS_PER_SEC << 31;

		if (s.shift < 0)
			scaled = ((unsigned __int128)hz << 31) >> -s.shift;
		else
			scaled = (unsigned __int128)hz << 31 << s.shift;
		/* mul keeps 31 significant bits, shift puts the rate in (1e9, 2e9] */
		assert_true(s.mul >= 0x80000000u);
		assert_true(scaled > one);
		assert_true(scaled <= 2 * one);
		assert_true(s.shift >= -PVCLOCK_MAX_SHIFT && s.shift <= PVCLOCK_MAX_SHIFT);
	}
}

static void test_scale_known_values(void **state)
{
	(void)state;
	/* 50 MHz (tern under Bochs): 20 ns a tick = 2^5 * 0.625 */
	struct pvclock_scale s = pvclock_scale_for(50000000);

	assert_int_equal(s.shift, 5);
	assert_int_equal(s.mul, 0xa0000000u);
	/* 1 GHz: shift 1, mul 1/2 */
	s = pvclock_scale_for(1000000000);
	assert_int_equal(s.shift, 1);
	assert_int_equal(s.mul, 0x80000000u);
	/* 2 GHz: shift 0, mul 1/2 */
	s = pvclock_scale_for(2000000000);
	assert_int_equal(s.shift, 0);
	assert_int_equal(s.mul, 0x80000000u);
	/* 4 GHz: shift -1, mul 1/2 */
	s = pvclock_scale_for(4000000000ull);
	assert_int_equal(s.shift, -1);
	assert_int_equal(s.mul, 0x80000000u);
}

static void test_scale_rejects_bad_rates(void **state)
{
	(void)state;
	assert_int_equal(pvclock_scale_for(0).mul, 0);
	assert_int_equal(pvclock_scale_for(PVCLOCK_MAX_TSC_HZ + 1).mul, 0);
	assert_int_not_equal(pvclock_scale_for(1).mul, 0);
}

/* |guest - exact| <= 1 ns + 1 ppb over 1 tick .. 1 day, at each rate. */
static void test_conversion_accuracy(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rates_hz) / sizeof(rates_hz[0]); i++) {
		u64 hz = rates_hz[i];
		struct pvclock_scale s = pvclock_scale_for(hz);

		for (u64 ticks = 1; ticks <= hz * 86400; ticks = ticks * 3 + 7) {
			u64 want = exact_ns(ticks, hz), got = guest_ns(ticks, s);
			u64 err = want > got ? want - got : got - want;

			assert_true(err <= 1 + want / PVCLOCK_NS_PER_SEC);
			/* tern's own 64-bit version gives exactly what the guest computes */
			assert_true(pvclock_scale_ticks(ticks, s) == got);
		}
	}
}

/* One record published at t0 and one at t1 give the same time at t2 (within 1 ns). */
static void test_records_agree(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rates_hz) / sizeof(rates_hz[0]); i++) {
		u64 hz = rates_hz[i];
		struct pvclock_scale s = pvclock_scale_for(hz);
		u64 epoch = 123456789, t0 = epoch + hz / 3, t1 = t0 + hz * 7 + 11, t2 = t1 + hz / 5;
		u64 at0 = pvclock_scale_ticks(t0 - epoch, s) + guest_ns(t2 - t0, s);
		u64 at1 = pvclock_scale_ticks(t1 - epoch, s) + guest_ns(t2 - t1, s);
		u64 diff = at0 > at1 ? at0 - at1 : at1 - at0;

		assert_true(diff <= 2);
	}
}

static void test_version_parity(void **state)
{
	struct pvclock_vcpu_time_info ti = { .version = 0x777 };   /* guest garbage */
	struct pvclock_scale s = pvclock_scale_for(50000000);
	u32 version = 0;

	(void)state;
	for (unsigned i = 1; i <= 5; i++) {
		pvclock_publish(&ti, &version, 1000 * i, 20000 * i, s, PVCLOCK_TSC_STABLE_BIT);
		assert_int_equal(ti.version, 2 * i);
		assert_int_equal(ti.version % 2, 0);
		assert_int_equal(ti.tsc_timestamp, 1000 * i);
		assert_int_equal(ti.system_time, 20000 * i);
		assert_int_equal(ti.tsc_to_system_mul, s.mul);
		assert_int_equal(ti.tsc_shift, s.shift);
		assert_int_equal(ti.flags, PVCLOCK_TSC_STABLE_BIT);
	}
	/* a counter left odd (an interrupted update) still ends even and larger */
	version = 13;
	pvclock_publish(&ti, &version, 1, 2, s, 0);
	assert_int_equal(ti.version, 14);
}

static void test_struct_layout(void **state)
{
	(void)state;
	assert_int_equal(offsetof(struct pvclock_vcpu_time_info, tsc_timestamp), 8);
	assert_int_equal(offsetof(struct pvclock_vcpu_time_info, system_time), 16);
	assert_int_equal(offsetof(struct pvclock_vcpu_time_info, tsc_to_system_mul), 24);
	assert_int_equal(offsetof(struct pvclock_vcpu_time_info, tsc_shift), 28);
	assert_int_equal(offsetof(struct pvclock_vcpu_time_info, flags), 29);
	assert_int_equal(offsetof(struct pvclock_wall_clock, sec), 4);
	assert_int_equal(offsetof(struct pvclock_wall_clock, nsec), 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scale_normalised),
		cmocka_unit_test(test_scale_known_values),
		cmocka_unit_test(test_scale_rejects_bad_rates),
		cmocka_unit_test(test_conversion_accuracy),
		cmocka_unit_test(test_records_agree),
		cmocka_unit_test(test_version_parity),
		cmocka_unit_test(test_struct_layout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
