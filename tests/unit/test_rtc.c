/* SPDX-License-Identifier: MIT */
/* Host tests of the CMOS RTC (drivers/rtc.c). The stub TSC runs at 1 GHz. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "drivers/rtc.h"
#include "tests/unit/fake_vm_services.h"
#include "tests/unit/stub_kernel.h"

#define SEC 1000000000ull

static struct vm *vm;
static struct rtc *rtc;
static u64 t0;

static int setup(void **state)
{
	(void)state;
	fake_vm_reset();
	fake.ram_size = 256 * MiB;
	fake.nr_vcpus = 2;
	stub_clock = 1000000;
	t0 = stub_clock;
	vm = stub_vm_new(2);
	assert_int_equal(rtc_create(vm, &rtc), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rtc_destroy(rtc);
	stub_vm_free(vm);
	return 0;
}

static u8 cmos_read(u8 idx)
{
	fake_out(vm, 0x70, 1, idx);
	return fake_in(vm, 0x71, 1);
}

static void cmos_write(u8 idx, u8 val)
{
	fake_out(vm, 0x70, 1, idx);
	fake_out(vm, 0x71, 1, val);
}

static void test_calendar(void **state)
{
	struct rtc_time tm;

	(void)state;
	rtc_time_from_unix(0, &tm);
	assert_int_equal(tm.year, 1970);
	assert_int_equal(tm.wday, 4);
	rtc_time_from_unix(RTC_EPOCH, &tm);
	assert_int_equal(tm.year, 2026);
	assert_int_equal(tm.month, 1);
	assert_int_equal(tm.day, 1);
	assert_int_equal(tm.wday, 4);   /* a Thursday */
	rtc_time_from_unix(951782400, &tm);   /* 2000-02-29, leap day */
	assert_int_equal(tm.month, 2);
	assert_int_equal(tm.day, 29);
	tm = (struct rtc_time){ .year = 2038, .month = 1, .day = 19, .hour = 3, .min = 14, .sec = 8 };
	assert_int_equal(rtc_time_to_unix(&tm), 2147483648ull);
}

static void test_time_bcd_and_binary(void **state)
{
	(void)state;
	/* 2026-01-01 00:00:00 + 1 h 2 min 3 s */
	stub_clock = t0 + 3723 * SEC;
	assert_int_equal(cmos_read(0x00), 0x03);
	assert_int_equal(cmos_read(0x02), 0x02);
	assert_int_equal(cmos_read(0x04), 0x01);
	assert_int_equal(cmos_read(0x07), 0x01);
	assert_int_equal(cmos_read(0x08), 0x01);
	assert_int_equal(cmos_read(0x09), 0x26);
	assert_int_equal(cmos_read(0x32), 0x20);
	assert_int_equal(cmos_read(0x06), 5);      /* Thursday = 5 (Sunday = 1) */
	stub_clock = t0 + 59 * SEC;
	assert_int_equal(cmos_read(0x00), 0x59);   /* BCD */
	cmos_write(0x0b, 0x06);                    /* binary, 24 h */
	assert_int_equal(cmos_read(0x00), 59);
	assert_int_equal(cmos_read(0x09), 26);
}

static void test_12_hour(void **state)
{
	(void)state;
	stub_clock = t0 + 13 * 3600 * SEC;   /* 13:00 */
	cmos_write(0x0b, 0x00);              /* BCD, 12 h */
	assert_int_equal(cmos_read(0x04), 0x80 | 0x01);   /* 1 PM */
	stub_clock = t0;
	assert_int_equal(cmos_read(0x04), 0x12);          /* midnight = 12 AM */
	/* write 11 PM in 12 h BCD, read back in 24 h */
	cmos_write(0x04, 0x80 | 0x11);
	cmos_write(0x0b, 0x02);
	assert_int_equal(cmos_read(0x04), 0x23);
}

static void test_set_freezes_and_writes(void **state)
{
	(void)state;
	cmos_write(0x0b, 0x82 | 0x10);   /* SET (+ UIE, which SET clears) */
	assert_int_equal(cmos_read(0x0b) & 0x10, 0);
	cmos_write(0x09, 0x99);
	cmos_write(0x32, 0x19);
	cmos_write(0x08, 0x12);
	cmos_write(0x07, 0x31);
	cmos_write(0x04, 0x23);
	cmos_write(0x02, 0x59);
	cmos_write(0x00, 0x58);
	stub_clock += 10 * SEC;          /* frozen while SET */
	assert_int_equal(cmos_read(0x00), 0x58);
	cmos_write(0x0b, 0x02);
	stub_clock += 2 * SEC;           /* runs again: rolls over into 2000 */
	assert_int_equal(cmos_read(0x00), 0x00);
	assert_int_equal(cmos_read(0x09), 0x00);
	assert_int_equal(cmos_read(0x32), 0x20);
	assert_int_equal(cmos_read(0x08), 0x01);
	/* hostile values are clamped, never crash */
	cmos_write(0x08, 0xff);
	cmos_write(0x07, 0x00);
	assert_int_equal(cmos_read(0x08), 0x12);
}

static void test_uip_window(void **state)
{
	(void)state;
	stub_clock = t0 + SEC - 100000;   /* 100 us before the update */
	assert_int_equal(cmos_read(0x0a) & 0x80, 0x80);
	stub_clock = t0 + SEC - 300000;   /* 300 us before */
	assert_int_equal(cmos_read(0x0a) & 0x80, 0);
	assert_int_equal(cmos_read(0x0a), 0x26);
	assert_int_equal(cmos_read(0x0d), 0x80);
}

static void test_periodic_interrupt(void **state)
{
	u64 d;

	(void)state;
	assert_int_equal(rtc_next_deadline(vm), 0);   /* nothing enabled */
	cmos_write(0x0a, 0x26);                       /* 1024 Hz from now */
	u64 start = stub_clock;
	cmos_write(0x0b, 0x42);                       /* PIE */
	d = rtc_next_deadline(vm);
	assert_int_equal(d, start + 976563);           /* 1/1024 s, rounded up */
	rtc_check(vm, d - 1);
	assert_int_equal(fake_irq_level(8), 0);
	rtc_check(vm, d);
	assert_int_equal(fake_irq_level(8), 1);
	assert_int_equal(rtc_next_deadline(vm), 0);   /* held until C is read */
	stub_clock = d + 10 * SEC;                    /* many periods: still one flag set */
	u8 c = cmos_read(0x0c);
	assert_int_equal(c & 0xc0, 0xc0);             /* IRQF | PF */
	assert_int_equal(fake_irq_level(8), 0);        /* read C releases IRQ 8 */
	assert_int_equal(cmos_read(0x0c), 0);          /* and clears */
	d = rtc_next_deadline(vm);
	assert_true(d > stub_clock && d <= stub_clock + 976563);
}

static void test_update_and_alarm(void **state)
{
	(void)state;
	cmos_write(0x0b, 0x02 | 0x20);   /* AIE */
	cmos_write(0x01, 0x05);          /* alarm at xx:xx:05 (BCD) */
	cmos_write(0x03, 0xc0);          /* any minute */
	cmos_write(0x05, 0xff);          /* any hour */
	assert_int_equal(rtc_next_deadline(vm), t0 + SEC);
	rtc_check(vm, t0 + SEC);
	assert_int_equal(fake_irq_level(8), 0);       /* UF set but UIE off, no alarm yet */
	stub_clock = t0 + SEC;
	/* UF (and PF: the 1024 Hz rate runs whether PIE is on or not), no AF */
	assert_int_equal(cmos_read(0x0c), 0x50);
	rtc_check(vm, t0 + 5 * SEC);
	assert_int_equal(fake_irq_level(8), 1);
	stub_clock = t0 + 5 * SEC;
	assert_int_equal(cmos_read(0x0c) & 0xb0, 0x80 | 0x20 | 0x10);
	/* update-ended interrupts */
	cmos_write(0x0b, 0x12);
	rtc_check(vm, t0 + 6 * SEC);
	assert_int_equal(fake_irq_level(8), 1);
	assert_true(fake_last_irq(8)->source_id >= 2);
}

static void test_nmi_mask_and_ram(void **state)
{
	(void)state;
	assert_false(rtc_nmi_masked(vm));
	fake_out(vm, 0x70, 1, 0x8f);
	assert_true(rtc_nmi_masked(vm));
	assert_int_equal(fake_in(vm, 0x71, 1), 0);     /* 0x0f shutdown status */
	cmos_write(0x40, 0xa5);
	assert_false(rtc_nmi_masked(vm));
	assert_int_equal(cmos_read(0x40), 0xa5);
	/* C and D are read only */
	cmos_write(0x0d, 0x00);
	assert_int_equal(cmos_read(0x0d), 0x80);
	/* memory sizes for 256 MiB, 2 vCPUs */
	assert_int_equal(cmos_read(0x15) | cmos_read(0x16) << 8, 640);
	assert_int_equal(cmos_read(0x17) | cmos_read(0x18) << 8, 0xffff);
	assert_int_equal(cmos_read(0x30) | cmos_read(0x31) << 8, 0xffff);
	assert_int_equal(cmos_read(0x34) | cmos_read(0x35) << 8, (256 - 16) * 16);
	assert_int_equal(cmos_read(0x5b), 0);
	assert_int_equal(cmos_read(0x5f), 1);
	unsigned sum = 0;
	for (unsigned i = 0x10; i <= 0x2d; i++)
		sum += cmos_read(i);
	assert_int_equal(cmos_read(0x2e) << 8 | cmos_read(0x2f), sum);
	/* a 32-bit access and index bits above 0x7f do not escape the array */
	fake_out(vm, 0x70, 4, 0xffffffff);
	fake_in(vm, 0x71, 4);
}

static void test_small_ram(void **state)
{
	(void)state;
	rtc_destroy(rtc);
	fake_vm_reset();
	fake.ram_size = 8 * MiB;
	assert_int_equal(rtc_create(vm, &rtc), 0);
	assert_int_equal(cmos_read(0x17) | cmos_read(0x18) << 8, 7 * 1024);
	assert_int_equal(cmos_read(0x34), 0);
	assert_int_equal(cmos_read(0x5f), 0);
	/* one RTC per VM */
	struct rtc *other;
	assert_int_equal(rtc_create(vm, &other), -TERN_EBUSY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_calendar),
		cmocka_unit_test_setup_teardown(test_time_bcd_and_binary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_12_hour, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_freezes_and_writes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uip_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_periodic_interrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_update_and_alarm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nmi_mask_and_ram, setup, teardown),
		cmocka_unit_test_setup_teardown(test_small_ram, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
