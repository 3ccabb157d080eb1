/* SPDX-License-Identifier: MIT */
/* Host tests of the 8254 PIT and port 0x61 (drivers/pit.c). The stub TSC runs at 1 GHz. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "drivers/pit.h"
#include "tests/unit/fake_vm_services.h"
#include "tests/unit/stub_kernel.h"


static struct vm *vm;
static struct pit *pit;

/* TSC ticks (ns) for n PIT ticks, rounded up. */
static u64 ticks_ns(u64 n)
{
	return (n * 1000000000ull + PIT_HZ - 1) / PIT_HZ;
}

static int setup(void **state)
{
	(void)state;
	fake_vm_reset();
	stub_clock = 1000000;
	vm = stub_vm_new(1);
	assert_int_equal(pit_create(vm, &pit), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	pit_destroy(pit);
	stub_vm_free(vm);
	return 0;
}

static void program(unsigned ch, unsigned mode, u16 count)
{
	fake_out(vm, 0x43, 1, (ch << 6) | (3 << 4) | (mode << 1));
	fake_out(vm, 0x40 + ch, 1, count & 0xff);
	fake_out(vm, 0x40 + ch, 1, count >> 8);
}

static u16 latch_read(unsigned ch)
{
	u16 lo, hi;

	fake_out(vm, 0x43, 1, ch << 6);   /* counter latch */
	lo = fake_in(vm, 0x40 + ch, 1);
	hi = fake_in(vm, 0x40 + ch, 1);
	return lo | hi << 8;
}

static unsigned edges(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < fake.nr_irq_calls; i++)
		if (fake.irq_calls[i].gsi == PIT_GSI && fake.irq_calls[i].level)
			n++;
	return n;
}

static void test_registration(void **state)
{
	(void)state;
	assert_int_equal(fake.nr_pio, 2);
	assert_int_equal(fake.pio[0].base, 0x40);
	assert_int_equal(fake.pio[0].count, 4);
	assert_int_equal(fake.pio[1].base, 0x61);
	/* a second PIT for the same VM is refused */
	struct pit *other;
	assert_int_equal(pit_create(vm, &other), -TERN_EBUSY);
	assert_int_equal(pit_next_deadline(vm), 0);   /* nothing programmed */
}

static void test_mode2_periodic_irq(void **state)
{
	u64 d;

	(void)state;
	program(0, 2, 1193);   /* ~1 kHz */
	d = pit_next_deadline(vm);
	assert_int_equal(d, stub_clock + ticks_ns(1193));
	pit_check(vm, d - 1);
	assert_int_equal(edges(), 0);
	pit_check(vm, d);
	assert_int_equal(edges(), 1);
	/* assert then de-assert, from the PIT's own source */
	assert_int_equal(fake.irq_calls[0].level, 1);
	assert_int_equal(fake.irq_calls[1].level, 0);
	assert_int_equal(fake.irq_calls[0].source_id, fake.irq_calls[1].source_id);
	assert_true(fake.irq_calls[0].source_id >= 2);
	/* the next period */
	assert_int_equal(pit_next_deadline(vm), 1000000 + ticks_ns(2 * 1193));
}

static void test_coalesce(void **state)
{
	u64 start = stub_clock;

	(void)state;
	program(0, 2, 100);
	/* one whole second passes unseen: one edge, not ~12000 */
	pit_check(vm, start + 1000000000ull);
	assert_int_equal(edges(), 1);
	u64 d = pit_next_deadline(vm);
	assert_true(d > start + 1000000000ull);
	assert_true(d <= start + 1000000000ull + ticks_ns(100));
	pit_check(vm, start + 1000000000ull);   /* nothing more at the same time */
	assert_int_equal(edges(), 1);
}

static void test_mode0_oneshot(void **state)
{
	u64 start = stub_clock;

	(void)state;
	program(0, 0, 1000);
	/* count runs down: after 400 ticks the latch reads 600 */
	stub_clock = start + ticks_ns(400);
	assert_int_equal(latch_read(0), 600);
	pit_check(vm, stub_clock);
	assert_int_equal(edges(), 0);
	pit_check(vm, start + ticks_ns(1000));
	assert_int_equal(edges(), 1);
	assert_int_equal(pit_next_deadline(vm), 0);   /* one-shot */
	pit_check(vm, start + ticks_ns(100000));
	assert_int_equal(edges(), 1);
}

static void test_lobyte_hibyte_access(void **state)
{
	(void)state;
	/* channel 1, LSB only, mode 2 */
	fake_out(vm, 0x43, 1, (1 << 6) | (1 << 4) | (2 << 1));
	fake_out(vm, 0x41, 1, 0x80);
	assert_int_equal(fake_in(vm, 0x41, 1), 0x80);   /* LSB of the count */
	/* MSB only */
	fake_out(vm, 0x43, 1, (1 << 6) | (2 << 4) | (2 << 1));
	fake_out(vm, 0x41, 1, 0x12);
	assert_int_equal(fake_in(vm, 0x41, 1), 0x12);   /* 0x1200: MSB read back */
	/* lo-hi unlatched reads alternate LSB, MSB */
	program(1, 2, 0x3456);
	assert_int_equal(fake_in(vm, 0x41, 1), 0x56);
	assert_int_equal(fake_in(vm, 0x41, 1), 0x34);
}

static void test_latch_holds(void **state)
{
	u64 start = stub_clock;

	(void)state;
	program(0, 2, 5000);
	stub_clock = start + ticks_ns(1000);
	fake_out(vm, 0x43, 1, 0x00);
	stub_clock = start + ticks_ns(2000);
	/* a second latch command before the read does not replace the first */
	fake_out(vm, 0x43, 1, 0x00);
	assert_int_equal(fake_in(vm, 0x40, 1), 4000 & 0xff);
	assert_int_equal(fake_in(vm, 0x40, 1), 4000 >> 8);
	assert_int_equal(latch_read(0), 3000);
}

static void test_read_back(void **state)
{
	(void)state;
	program(2, 0, 100);        /* gate low: not counting */
	/* read-back: status and count of channel 2 */
	fake_out(vm, 0x43, 1, 0xc0 | (1 << 3));
	u8 st = fake_in(vm, 0x42, 1);
	assert_int_equal(st & 0x80, 0);          /* OUT low in mode 0 */
	assert_int_equal(st & 0x40, 0);          /* count loaded */
	assert_int_equal((st >> 4) & 3, 3);      /* lo-hi */
	assert_int_equal((st >> 1) & 7, 0);      /* mode 0 */
	assert_int_equal(fake_in(vm, 0x42, 1), 100);
	assert_int_equal(fake_in(vm, 0x42, 1), 0);
	/* status only, after a new control word: null count set */
	fake_out(vm, 0x43, 1, 0x80 | (3 << 4) | (3 << 1));
	fake_out(vm, 0x43, 1, 0xc0 | (1 << 5) | (1 << 3));
	st = fake_in(vm, 0x42, 1);
	assert_int_equal(st & 0x40, 0x40);
	assert_int_equal((st >> 1) & 7, 3);
	assert_int_equal(st & 0x80, 0x80);       /* mode 3 OUT starts high */
}

static void test_port61_channel2(void **state)
{
	u64 start = stub_clock;

	(void)state;
	/* the calibration loop Linux runs: gate on, mode 0, wait for OUT2 */
	fake_out(vm, 0x61, 1, 0x00);
	program(2, 0, 0xffff);
	stub_clock = start + ticks_ns(1000);
	assert_int_equal(latch_read(2), 0xffff);       /* gate low: frozen */
	fake_out(vm, 0x61, 1, 0x01);
	u64 gate_on = stub_clock;
	stub_clock = gate_on + ticks_ns(100);
	assert_int_equal(latch_read(2), 0xffff - 100);
	assert_int_equal(fake_in(vm, 0x61, 1) & 0x20, 0);
	stub_clock = gate_on + ticks_ns(0xffff);
	assert_int_equal(fake_in(vm, 0x61, 1) & 0x21, 0x21);   /* OUT2 high, gate bit reads back */
	/* channel 2 never raises IRQ0 */
	pit_check(vm, stub_clock);
	assert_int_equal(edges(), 0);
	/* only bits 0-3 are writable; 6-7 read 0 */
	fake_out(vm, 0x61, 1, 0xff);
	assert_int_equal(fake_in(vm, 0x61, 1) & 0xcf, 0x0f);
}

static void test_refresh_toggles(void **state)
{
	(void)state;
	u8 a = fake_in(vm, 0x61, 1) & 0x10;
	stub_clock += ticks_ns(18);
	u8 b = fake_in(vm, 0x61, 1) & 0x10;
	stub_clock += ticks_ns(18);
	u8 c = fake_in(vm, 0x61, 1) & 0x10;
	assert_int_not_equal(a, b);
	assert_int_equal(a, c);
}

static void test_mode3_square_wave(void **state)
{
	u64 start = stub_clock;

	(void)state;
	fake_out(vm, 0x61, 1, 0x01);
	start = stub_clock;
	program(2, 3, 100);
	stub_clock = start + ticks_ns(10);
	assert_int_equal(fake_in(vm, 0x61, 1) & 0x20, 0x20);   /* first half high */
	stub_clock = start + ticks_ns(60);
	assert_int_equal(fake_in(vm, 0x61, 1) & 0x20, 0);      /* second half low */
	/* channel 0 in mode 3 fires once per period */
	program(0, 3, 100);
	pit_check(vm, stub_clock + ticks_ns(100));
	assert_int_equal(edges(), 1);
}

static void test_bcd(void **state)
{
	u64 start = stub_clock;

	(void)state;
	fake_out(vm, 0x43, 1, (3 << 4) | (2 << 1) | 1);   /* ch0, lo-hi, mode 2, BCD */
	fake_out(vm, 0x40, 1, 0x00);
	fake_out(vm, 0x40, 1, 0x10);                      /* 1000 decimal */
	stub_clock = start + ticks_ns(1);
	assert_int_equal(latch_read(0), 0x0999);
	assert_int_equal(pit_next_deadline(vm), start + ticks_ns(1000));
}

static void test_mode4_strobe(void **state)
{
	u64 start = stub_clock;

	(void)state;
	program(0, 4, 50);
	assert_int_equal(pit_next_deadline(vm), start + ticks_ns(51));
	pit_check(vm, start + ticks_ns(51));
	assert_int_equal(edges(), 1);
	assert_int_equal(pit_next_deadline(vm), 0);
}

static void test_hostile_writes(void **state)
{
	(void)state;
	/* data before any control word of a fresh channel, odd sizes, odd modes */
	fake_out(vm, 0x40, 4, 0xffffffff);
	fake_out(vm, 0x43, 2, 0xffff);     /* read-back of nothing latched... */
	fake_out(vm, 0x43, 1, 0x3e);       /* mode 7 = mode 3 */
	fake_out(vm, 0x43, 1, 0xc0 | 0x3e);
	fake_in(vm, 0x40, 4);
	fake_in(vm, 0x43, 1);
	program(0, 2, 1);                  /* count 1 in mode 2 (illegal on the chip) */
	pit_check(vm, stub_clock + 10000);
	assert_true(edges() <= 1);
	/* a 1.19 MHz request: edges stay >= 60 ticks (~50 us) apart */
	u64 d1 = pit_next_deadline(vm);
	pit_check(vm, d1);
	assert_true(pit_next_deadline(vm) - d1 >= ticks_ns(59));
	program(0, 2, 7);
	pit_check(vm, stub_clock + ticks_ns(7));
	assert_true(pit_next_deadline(vm) >= stub_clock + ticks_ns(60));
	program(0, 2, 0);                  /* 0 means 65536 */
	assert_int_equal(pit_next_deadline(vm), stub_clock + ticks_ns(65536));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_registration, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mode2_periodic_irq, setup, teardown),
		cmocka_unit_test_setup_teardown(test_coalesce, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mode0_oneshot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lobyte_hibyte_access, setup, teardown),
		cmocka_unit_test_setup_teardown(test_latch_holds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_port61_channel2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refresh_toggles, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mode3_square_wave, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bcd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mode4_strobe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_writes, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
