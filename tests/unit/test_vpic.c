/* SPDX-License-Identifier: MIT */
/* Host tests of the virtual 8259A pair (irq/vpic.c) against recording fakes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "irq/vpic.h"
#include "tests/unit/fake_lapic.h"
#include "tests/unit/stub_kernel.h"
#include <tern/hypercall.h>

#define M_CMD  VPIC_MASTER_CMD_PORT
#define M_DATA VPIC_MASTER_DATA_PORT
#define S_CMD  VPIC_SLAVE_CMD_PORT
#define S_DATA VPIC_SLAVE_DATA_PORT
#define M_ELCR VPIC_ELCR_MASTER_PORT
#define S_ELCR VPIC_ELCR_SLAVE_PORT

#define MBASE 0x20
#define SBASE 0x28

/* OCW encodings as a guest writes them. */
#define EOI             0x20
#define SPECIFIC_EOI(l) (0x60 | (l))
#define ROTATE_EOI      0xa0
#define ROTATE_SPEC(l)  (0xe0 | (l))
#define SET_PRIO(l)     (0xc0 | (l))
#define ROTATE_AEOI_SET 0x80
#define ROTATE_AEOI_CLR 0x00
#define READ_IRR        0x0a
#define READ_ISR        0x0b
#define POLL            0x0c
#define SMM_SET         0x68
#define SMM_RESET       0x48

static struct vm *vm;

static int setup(void **state)
{
	(void)state;
	fake_lapic_reset();
	vm = stub_vm_new(2);
	assert_non_null(vm);
	assert_int_equal(vpic_create(vm), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vpic_destroy(vm);
	assert_null(vm->irq.vpic);
	stub_vm_free(vm);
	return 0;
}

static void outb(u16 port, u8 v)
{
	u32 val = v;

	assert_int_equal(vpic_pio(vm, 0, port, 1, false, &val), 0);
}

static u8 inb(u16 port)
{
	u32 val = 0xdeadbeef;

	assert_int_equal(vpic_pio(vm, 0, port, 1, true, &val), 0);
	assert_int_equal(val >> 8, 0);   /* only the byte is returned */
	return (u8)val;
}

static u8 read_irr(u16 cmd)
{
	outb(cmd, READ_IRR);
	return inb(cmd);
}

static u8 read_isr(u16 cmd)
{
	u8 v;

	outb(cmd, READ_ISR);
	v = inb(cmd);
	outb(cmd, READ_IRR);
	return v;
}

/* The sequence Linux's init_8259A writes, with a chosen ICW4. */
static void init_chip(u16 cmd, u8 base, u8 icw3, u8 icw4)
{
	outb(cmd, 0x11);
	outb(cmd + 1, base);
	outb(cmd + 1, icw3);
	outb(cmd + 1, icw4);
}

static void init_pair(u8 master_icw4, u8 slave_icw4)
{
	init_chip(M_CMD, MBASE, 0x04, master_icw4);
	init_chip(S_CMD, SBASE, 0x02, slave_icw4);
	outb(M_DATA, 0x00);
	outb(S_DATA, 0x00);
}

static int setup_init(void **state)
{
	setup(state);
	init_pair(0x01, 0x01);
	fake_lapic_reset();
	return 0;
}

static void pulse(unsigned pin)
{
	vpic_set_irq(vm, pin, 0, 1);
	vpic_set_irq(vm, pin, 0, 0);
}

static void assert_ack(unsigned i, unsigned chip, unsigned pin)
{
	assert_int_equal(fake_acked(i)->irqchip, chip);
	assert_int_equal(fake_acked(i)->pin, pin);
}

/* ------------------------------------------------------------ lifetime, power-on */

static void test_create_twice_fails_and_missing_vpic_is_tolerated(void **state)
{
	struct vm *bare = stub_vm_new(1);
	u32 v = 0;

	(void)state;
	assert_int_equal(vpic_create(vm), -TERN_EEXIST);
	assert_int_equal(vpic_set_irq(bare, 0, 0, 1), -TERN_ENODEV);
	assert_int_equal(vpic_intr_ack(bare), -TERN_ENODEV);
	assert_false(vpic_intr_pending(bare));
	assert_int_equal(vpic_pio(bare, 0, M_CMD, 1, true, &v), -TERN_ENODEV);
	vpic_destroy(bare);   /* no-op */
	stub_vm_free(bare);
}

static void test_power_on_all_masked_bios_vectors(void **state)
{
	(void)state;
	assert_int_equal(inb(M_DATA), 0xff);
	assert_int_equal(inb(S_DATA), 0xff);
	assert_int_equal(inb(M_CMD), 0);     /* IRR */
	assert_int_equal(read_isr(M_CMD), 0);
	assert_int_equal(inb(M_ELCR), 0);
	assert_int_equal(inb(S_ELCR), 0);
	/* a masked pin still latches IRR but reports 0 and raises no INTR */
	assert_int_equal(vpic_set_irq(vm, 1, 0, 1), 0);
	assert_int_equal(read_irr(M_CMD), 0x02);
	assert_false(vpic_intr_pending(vm));
	assert_int_equal(vm->kicks[0], 0);
	/* unmask: BIOS vector base 0x08 */
	outb(M_DATA, 0xfd);
	assert_true(vpic_intr_pending(vm));
	assert_int_equal(vm->kicks[0], 1);
	assert_int_equal(vpic_intr_ack(vm), 0x09);
	/* slave at 0x70 through the cascade */
	outb(M_DATA, 0xfb);
	outb(S_DATA, 0xfe);
	assert_int_equal(vpic_set_irq(vm, 8, 0, 1), 1);
	outb(M_CMD, EOI);
	assert_int_equal(vpic_intr_ack(vm), 0x70);
}

/* ------------------------------------------------------------ ICW sequence */

static void test_icw_sequence_sets_vector_bases(void **state)
{
	(void)state;
	init_pair(0x01, 0x01);
	assert_int_equal(inb(M_DATA), 0);       /* OCW1 after the sequence */
	assert_int_equal(vpic_set_irq(vm, 1, 0, 1), 1);
	assert_int_equal(vpic_intr_ack(vm), MBASE + 1);
	outb(M_CMD, EOI);
	assert_int_equal(vpic_set_irq(vm, 14, 0, 1), 1);
	assert_int_equal(vpic_intr_ack(vm), SBASE + 6);
}

static void test_icw2_low_bits_ignored(void **state)
{
	(void)state;
	init_chip(M_CMD, 0x37, 0x04, 0x01);
	outb(M_DATA, 0);
	vpic_set_irq(vm, 0, 0, 1);
	assert_int_equal(vpic_intr_ack(vm), 0x30);
}

static void test_icw1_resets_imr_isr_priority_smm_and_read_select(void **state)
{
	(void)state;
	init_pair(0x01, 0x01);
	outb(M_DATA, 0x55);
	outb(M_CMD, SET_PRIO(3));                 /* IR4 highest */
	vpic_set_irq(vm, 3, 0, 1);
	outb(M_DATA, 0x00);
	assert_int_equal(vpic_intr_ack(vm), MBASE + 3);
	outb(M_CMD, SMM_SET);
	outb(M_CMD, READ_ISR);
	assert_int_equal(inb(M_CMD), 0x08);
	fake_lapic_reset();

	outb(M_CMD, 0x11);
	/* ISR cleared (and reported as ended), IRR reads selected again */
	assert_int_equal(fake_lapic.ack_calls, 1);
	assert_ack(0, TERN_IRQCHIP_PIC_MASTER, 3);
	assert_int_equal(inb(M_DATA), 0x00);      /* IMR cleared */
	assert_int_equal(inb(M_CMD), 0x00);       /* IRR (not ISR), edge latch gone */
	outb(M_DATA, MBASE);
	outb(M_DATA, 0x04);
	outb(M_DATA, 0x01);
	outb(M_CMD, READ_ISR);
	assert_int_equal(inb(M_CMD), 0x00);
	/* priority back to IR0 highest, SMM off: IR5 in service blocks IR6 */
	pulse(5);
	pulse(0);
	assert_int_equal(vpic_intr_ack(vm), MBASE + 0);
	outb(M_CMD, EOI);
	assert_int_equal(vpic_intr_ack(vm), MBASE + 5);
	outb(M_DATA, 0x20);                       /* mask IR5: SMM would now let IR6 in */
	pulse(6);
	assert_false(vpic_intr_pending(vm));
}

static void test_icw1_edge_sense_reset_needs_new_rising_edge(void **state)
{
	(void)state;
	init_pair(0x01, 0x01);
	vpic_set_irq(vm, 4, 0, 1);                /* latched and still high */
	init_chip(M_CMD, MBASE, 0x04, 0x01);
	outb(M_DATA, 0);
	assert_int_equal(read_irr(M_CMD), 0);
	assert_false(vpic_intr_pending(vm));
	assert_int_equal(vpic_set_irq(vm, 4, 0, 1), 0);   /* still high: no edge */
	vpic_set_irq(vm, 4, 0, 0);
	assert_int_equal(vpic_set_irq(vm, 4, 0, 1), 1);
}

static void test_icw1_keeps_level_requests(void **state)
{
	(void)state;
	init_pair(0x01, 0x01);
	outb(M_ELCR, 0x20);
	vpic_set_irq(vm, 5, 0, 1);
	init_chip(M_CMD, MBASE, 0x04, 0x01);
	assert_int_equal(read_irr(M_CMD), 0x20);
	outb(M_DATA, 0);
	assert_int_equal(vpic_intr_ack(vm), MBASE + 5);
}

static void test_single_mode_skips_icw3_and_owns_ir2(void **state)
{
	(void)state;
	outb(M_CMD, 0x13);                        /* SNGL | IC4 */
	outb(M_DATA, 0x40);
	outb(M_DATA, 0x01);                       /* ICW4, not ICW3 */
	outb(M_DATA, 0xf0);                       /* now OCW1 */
	assert_int_equal(inb(M_DATA), 0xf0);
	/* no cascade: IR2 answers with the master's own vector */
	assert_int_equal(vpic_set_irq(vm, 2, 0, 1), 1);
	assert_int_equal(vpic_intr_ack(vm), 0x42);
	assert_int_equal(read_isr(M_CMD), 0x04);
}

static void test_icw1_without_icw4_ends_after_icw3_and_warns(void **state)
{
	unsigned logs = stub_log_lines;

	(void)state;
	outb(M_CMD, 0x10);                        /* no IC4: MCS-80 mode */
	outb(M_DATA, 0x50);
	outb(M_DATA, 0x04);
	outb(M_DATA, 0xfe);                       /* OCW1 */
	assert_int_equal(inb(M_DATA), 0xfe);
	assert_true(stub_log_lines > logs);
	vpic_set_irq(vm, 0, 0, 1);
	assert_int_equal(vpic_intr_ack(vm), 0x50); /* still the 8086-style vector */
	/* warned once only */
	logs = stub_log_lines;
	outb(M_CMD, 0x10);
	assert_int_equal(stub_log_lines, logs);
}

static void test_icw1_mid_sequence_restarts(void **state)
{
	(void)state;
	outb(M_CMD, 0x11);
	outb(M_DATA, 0x90);
	outb(M_CMD, 0x11);                        /* restart before ICW3 */
	outb(M_DATA, 0x60);
	outb(M_DATA, 0x04);
	outb(M_DATA, 0x01);
	outb(M_DATA, 0xfe);
	assert_int_equal(inb(M_DATA), 0xfe);
	vpic_set_irq(vm, 0, 0, 1);
	assert_int_equal(vpic_intr_ack(vm), 0x60);
}

static void test_no_intr_while_initialising(void **state)
{
	(void)state;
	outb(M_CMD, 0x11);                        /* IMR now 0 */
	vpic_set_irq(vm, 3, 0, 1);
	assert_false(vpic_intr_pending(vm));
	outb(M_DATA, MBASE);
	outb(M_DATA, 0x04);
	assert_false(vpic_intr_pending(vm));
	outb(M_DATA, 0x01);
	assert_true(vpic_intr_pending(vm));
	assert_int_equal(vpic_intr_ack(vm), MBASE + 3);
}

/* ------------------------------------------------------------ OCW1, edge/level */

static void test_imr_masks_and_unmask_kicks_bsp_once(void **state)
{
	(void)state;
	outb(M_DATA, 0x08);
	assert_int_equal(vpic_set_irq(vm, 3, 0, 1), 0);   /* masked */
	assert_false(vpic_intr_pending(vm));
	assert_int_equal(vm->kicks[0], 0);
	outb(M_DATA, 0x00);
	assert_true(vpic_intr_pending(vm));
	assert_int_equal(vm->kicks[0], 1);
	assert_int_equal(vpic_set_irq(vm, 4, 0, 1), 1);   /* INTR already high */
	assert_int_equal(vm->kicks[0], 1);
	assert_int_equal(vm->kicks[1], 0);                /* only the BSP */
	assert_int_equal(inb(M_DATA), 0x00);
}

static void test_edge_latches_once_per_rising_edge(void **state)
{
	(void)state;
	assert_int_equal(vpic_set_irq(vm, 3, 0, 1), 1);
	assert_int_equal(vpic_set_irq(vm, 3, 0, 1), 0);   /* held high */
	assert_int_equal(vpic_intr_ack(vm), MBASE + 3);
	outb(M_CMD, EOI);
	assert_int_equal(vpic_set_irq(vm, 3, 0, 1), 0);   /* still high: no re-trigger */
	assert_false(vpic_intr_pending(vm));
	assert_int_equal(read_irr(M_CMD), 0);
	assert_int_equal(vpic_set_irq(vm, 3, 0, 0), 0);
	assert_int_equal(vpic_set_irq(vm, 3, 0, 1), 1);
	assert_true(vpic_intr_pending(vm));
}

static void test_edge_request_survives_line_drop(void **state)
{
	(void)state;
	pulse(6);
	assert_int_equal(read_irr(M_CMD), 0x40);
	assert_int_equal(vpic_intr_ack(vm), MBASE + 6);
	assert_int_equal(read_irr(M_CMD), 0);
	assert_int_equal(read_isr(M_CMD), 0x40);
}

static void test_edge_coalesces_while_pending(void **state)
{
	(void)state;
	assert_int_equal(vpic_set_irq(vm, 5, 0, 1), 1);
	vpic_set_irq(vm, 5, 0, 0);
	assert_int_equal(vpic_set_irq(vm, 5, 0, 1), 0);   /* already in IRR */
	assert_int_equal(vpic_intr_ack(vm), MBASE + 5);
	assert_false(vpic_intr_pending(vm));
}

static void test_level_irr_follows_line(void **state)
{
	(void)state;
	outb(M_ELCR, 0x08);
	assert_int_equal(vpic_set_irq(vm, 3, 0, 1), 1);
	assert_int_equal(read_irr(M_CMD), 0x08);
	assert_true(vpic_intr_pending(vm));
	assert_int_equal(vpic_set_irq(vm, 3, 0, 0), 0);
	assert_int_equal(read_irr(M_CMD), 0x00);
	assert_false(vpic_intr_pending(vm));
}

static void test_level_line_dropped_before_inta_gives_spurious_irq7(void **state)
{
	(void)state;
	outb(M_ELCR, 0x10);
	vpic_set_irq(vm, 4, 0, 1);
	assert_true(vpic_intr_pending(vm));
	vpic_set_irq(vm, 4, 0, 0);
	assert_int_equal(vpic_intr_ack(vm), MBASE + 7);
	assert_int_equal(read_isr(M_CMD), 0);     /* spurious sets no ISR bit */
	assert_int_equal(fake_lapic.ack_calls, 0);
}

static void test_ack_with_nothing_pending_is_spurious_irq7(void **state)
{
	(void)state;
	assert_int_equal(vpic_intr_ack(vm), MBASE + 7);
	assert_int_equal(read_isr(M_CMD), 0);
	/* a masked request is no request */
	outb(M_DATA, 0x02);
	vpic_set_irq(vm, 1, 0, 1);
	assert_int_equal(vpic_intr_ack(vm), MBASE + 7);
	assert_int_equal(read_irr(M_CMD), 0x02);
}

static void test_level_rerequests_after_eoi_while_high(void **state)
{
	(void)state;
	outb(M_ELCR, 0x08);
	vpic_set_irq(vm, 3, 0, 1);
	assert_int_equal(vpic_intr_ack(vm), MBASE + 3);
	assert_int_equal(read_irr(M_CMD), 0x08);  /* line still high */
	assert_false(vpic_intr_pending(vm));      /* but in service */
	outb(M_CMD, EOI);
	assert_true(vpic_intr_pending(vm));
	assert_int_equal(vpic_intr_ack(vm), MBASE + 3);
	outb(M_CMD, EOI);
	vpic_set_irq(vm, 3, 0, 0);
	assert_false(vpic_intr_pending(vm));
}

static void test_ltim_makes_every_pin_level(void **state)
{
	(void)state;
	outb(M_CMD, 0x19);                        /* LTIM | IC4 */
	outb(M_DATA, MBASE);
	outb(M_DATA, 0x04);
	outb(M_DATA, 0x01);
	outb(M_DATA, 0x00);
	vpic_set_irq(vm, 0, 0, 1);               /* ELCR can't make IR0 level; LTIM can */
	vpic_set_irq(vm, 0, 0, 0);
	assert_false(vpic_intr_pending(vm));
	assert_int_equal(read_irr(M_CMD), 0);
	assert_int_equal(inb(M_ELCR), 0);         /* ELCR itself unchanged */
}

static void test_elcr_fixed_edge_bits(void **state)
{
	(void)state;
	outb(M_ELCR, 0xff);
	outb(S_ELCR, 0xff);
	assert_int_equal(inb(M_ELCR), 0xf8);      /* IRQ0, 1, 2 edge */
	assert_int_equal(inb(S_ELCR), 0xde);      /* IRQ8, 13 edge */
	outb(M_ELCR, 0x00);
	assert_int_equal(inb(M_ELCR), 0x00);
	/* IRQ0 stays edge even with ELCR written all ones */
	outb(M_ELCR, 0xff);
	pulse(0);
	assert_int_equal(read_irr(M_CMD), 0x01);
}

static void test_elcr_switch_to_level_resyncs_irr(void **state)
{
	(void)state;
	pulse(5);                                 /* edge latched, line low */
	assert_int_equal(read_irr(M_CMD), 0x20);
	outb(M_ELCR, 0x20);                       /* level: IRR = line = low */
	assert_int_equal(read_irr(M_CMD), 0x00);
	vpic_set_irq(vm, 6, 0, 1);                /* edge latched, line high */
	outb(M_ELCR, 0x60);
	assert_int_equal(read_irr(M_CMD), 0x40);
	outb(M_ELCR, 0x00);                       /* back to edge: latch kept, no new edge */
	assert_int_equal(read_irr(M_CMD), 0x40);
	assert_int_equal(vpic_intr_ack(vm), MBASE + 6);
	assert_int_equal(read_irr(M_CMD), 0x00);
}

static void test_two_sources_or_on_level_pin(void **state)
{
	(void)state;
	outb(S_ELCR, 0x08);                       /* IRQ11 level */
	assert_int_equal(vpic_set_irq(vm, 11, 3, 1), 1);
	assert_int_equal(vpic_set_irq(vm, 11, 4, 1), 0);  /* already requested */
	assert_int_equal(vpic_set_irq(vm, 11, 3, 0), 0);
	assert_int_equal(read_irr(S_CMD), 0x08);  /* source 4 still asserts */
	assert_true(vpic_intr_pending(vm));
	vpic_set_irq(vm, 11, 4, 0);
	assert_int_equal(read_irr(S_CMD), 0x00);
	assert_int_equal(read_irr(M_CMD) & 0x04, 0x04);  /* master's edge latch remains */
}

static void test_two_sources_or_on_edge_pin(void **state)
{
	(void)state;
	assert_int_equal(vpic_set_irq(vm, 4, 2, 1), 1);
	assert_int_equal(vpic_intr_ack(vm), MBASE + 4);
	outb(M_CMD, EOI);
	assert_int_equal(vpic_set_irq(vm, 4, 9, 1), 0);   /* line already high: no edge */
	assert_int_equal(vpic_set_irq(vm, 4, 2, 0), 0);   /* 9 still holds it */
	assert_int_equal(vpic_set_irq(vm, 4, 2, 1), 0);
	vpic_set_irq(vm, 4, 2, 0);
	vpic_set_irq(vm, 4, 9, 0);
	assert_int_equal(vpic_set_irq(vm, 4, 2, 1), 1);   /* a real low->high */
}

static void test_set_irq_rejects_bad_pin_and_source(void **state)
{
	(void)state;
	assert_int_equal(vpic_set_irq(vm, 16, 0, 1), -TERN_EINVAL);
	assert_int_equal(vpic_set_irq(vm, ~0u, 0, 1), -TERN_EINVAL);
	assert_int_equal(vpic_set_irq(vm, 3, IRQ_SOURCE_ID_MAX, 1), -TERN_EINVAL);
	assert_int_equal(read_irr(M_CMD), 0);
	assert_int_equal(vpic_set_irq(vm, 3, IRQ_SOURCE_ID_MAX - 1, 1), 1);
}

/* ------------------------------------------------------------ priority, OCW2 */

static void test_fully_nested_priority(void **state)
{
	(void)state;
	pulse(3);
	assert_int_equal(vpic_intr_ack(vm), MBASE + 3);
	pulse(5);
	assert_false(vpic_intr_pending(vm));      /* lower than in-service 3 */
	pulse(3);
	assert_false(vpic_intr_pending(vm));      /* equal: not nested */
	pulse(1);
	assert_true(vpic_intr_pending(vm));       /* higher: nests */
	assert_int_equal(vpic_intr_ack(vm), MBASE + 1);
	assert_int_equal(read_isr(M_CMD), 0x0a);
	assert_false(vpic_intr_pending(vm));
}

static void test_nonspecific_eoi_clears_highest_and_notifies(void **state)
{
	(void)state;
	pulse(3);
	vpic_intr_ack(vm);
	pulse(1);
	vpic_intr_ack(vm);
	pulse(5);
	outb(M_CMD, EOI);
	assert_int_equal(read_isr(M_CMD), 0x08);
	assert_int_equal(fake_lapic.ack_calls, 1);
	assert_ack(0, TERN_IRQCHIP_PIC_MASTER, 1);
	assert_false(vpic_intr_pending(vm));      /* 3 still blocks 5 */
	outb(M_CMD, EOI);
	assert_int_equal(read_isr(M_CMD), 0x00);
	assert_ack(1, TERN_IRQCHIP_PIC_MASTER, 3);
	outb(M_CMD, EOI);                         /* nothing in service: no-op */
	assert_int_equal(fake_lapic.ack_calls, 2);
	assert_true(vpic_intr_pending(vm));       /* 5 waited */
}

static void test_specific_eoi_clears_named_level_only(void **state)
{
	(void)state;
	pulse(3);
	vpic_intr_ack(vm);
	pulse(1);
	vpic_intr_ack(vm);
	outb(M_CMD, SPECIFIC_EOI(3));
	assert_int_equal(read_isr(M_CMD), 0x02);
	assert_int_equal(fake_lapic.ack_calls, 1);
	assert_ack(0, TERN_IRQCHIP_PIC_MASTER, 3);
	outb(M_CMD, SPECIFIC_EOI(6));            /* not in service */
	assert_int_equal(read_isr(M_CMD), 0x02);
	assert_int_equal(fake_lapic.ack_calls, 1);
}

static void test_rotate_on_nonspecific_eoi(void **state)
{
	(void)state;
	pulse(4);
	assert_int_equal(vpic_intr_ack(vm), MBASE + 4);
	outb(M_CMD, ROTATE_EOI);                  /* 4 lowest: order 5 6 7 0 1 2 3 4 */
	assert_int_equal(read_isr(M_CMD), 0);
	assert_ack(0, TERN_IRQCHIP_PIC_MASTER, 4);
	pulse(4);
	pulse(0);
	pulse(6);
	assert_int_equal(vpic_intr_ack(vm), MBASE + 6);
	outb(M_CMD, ROTATE_EOI);                  /* 6 lowest: order 7 0 1 .. 6 */
	assert_int_equal(vpic_intr_ack(vm), MBASE + 0);
	outb(M_CMD, EOI);
	assert_int_equal(vpic_intr_ack(vm), MBASE + 4);
}

static void test_set_priority_command(void **state)
{
	(void)state;
	outb(M_CMD, SET_PRIO(3));                 /* IR4 highest, IR3 lowest */
	assert_int_equal(read_isr(M_CMD), 0);
	pulse(1);
	pulse(6);
	pulse(3);
	assert_int_equal(vpic_intr_ack(vm), MBASE + 6);
	/* in-service 6 blocks 1 and 3 (lower in the rotated order) */
	assert_false(vpic_intr_pending(vm));
	pulse(5);
	assert_int_equal(vpic_intr_ack(vm), MBASE + 5);
	outb(M_CMD, EOI);                         /* non-specific: highest = 5 */
	assert_int_equal(read_isr(M_CMD), 0x40);
	outb(M_CMD, EOI);
	assert_int_equal(vpic_intr_ack(vm), MBASE + 1);
	outb(M_CMD, EOI);
	assert_int_equal(vpic_intr_ack(vm), MBASE + 3);
}

static void test_rotate_on_specific_eoi(void **state)
{
	(void)state;
	pulse(2 + 3);
	vpic_intr_ack(vm);
	outb(M_CMD, ROTATE_SPEC(1));              /* 5 stays in service, 1 lowest */
	assert_int_equal(read_isr(M_CMD), 0x20);
	assert_int_equal(fake_lapic.ack_calls, 0);
	outb(M_CMD, ROTATE_SPEC(5));              /* ends 5, 5 lowest */
	assert_int_equal(read_isr(M_CMD), 0);
	assert_ack(0, TERN_IRQCHIP_PIC_MASTER, 5);
	pulse(5);
	pulse(7);
	pulse(0);
	assert_int_equal(vpic_intr_ack(vm), MBASE + 7);  /* order 6 7 0 .. 5 */
}

static void test_ocw2_nop_changes_nothing(void **state)
{
	(void)state;
	pulse(3);
	vpic_intr_ack(vm);
	outb(M_CMD, 0x40);
	assert_int_equal(read_isr(M_CMD), 0x08);
	assert_int_equal(fake_lapic.ack_calls, 0);
}

/* ------------------------------------------------------------ auto-EOI */

static void test_auto_eoi_sets_no_isr_and_notifies_at_inta(void **state)
{
	(void)state;
	init_pair(0x03, 0x01);
	pulse(3);
	assert_int_equal(vpic_intr_ack(vm), MBASE + 3);
	assert_int_equal(read_isr(M_CMD), 0);
	assert_int_equal(fake_lapic.ack_calls, 1);
	assert_ack(0, TERN_IRQCHIP_PIC_MASTER, 3);
	/* nothing in service: a lower request gets through at once */
	pulse(6);
	assert_true(vpic_intr_pending(vm));
	assert_int_equal(vpic_intr_ack(vm), MBASE + 6);
}

static void test_rotate_in_auto_eoi_mode(void **state)
{
	(void)state;
	init_pair(0x03, 0x01);
	outb(M_CMD, ROTATE_AEOI_SET);
	pulse(1);
	assert_int_equal(vpic_intr_ack(vm), MBASE + 1);   /* order now 2..7 0 1 */
	pulse(1);
	pulse(3);
	assert_int_equal(vpic_intr_ack(vm), MBASE + 3);   /* order now 4..7 0..3 */
	pulse(0);
	assert_int_equal(vpic_intr_ack(vm), MBASE + 0);   /* 0 beats 1; order 1..7 0 */
	outb(M_CMD, ROTATE_AEOI_CLR);
	pulse(7);
	assert_int_equal(vpic_intr_ack(vm), MBASE + 1);
	pulse(1);
	assert_int_equal(vpic_intr_ack(vm), MBASE + 1);   /* acking 1 did not rotate */
	assert_int_equal(vpic_intr_ack(vm), MBASE + 7);
	assert_int_equal(read_isr(M_CMD), 0);
}

/* ------------------------------------------------------------ OCW3 */

static void test_ocw3_read_register_select_persists(void **state)
{
	(void)state;
	pulse(3);
	pulse(5);
	vpic_intr_ack(vm);
	assert_int_equal(inb(M_CMD), 0x20);       /* default: IRR */
	outb(M_CMD, READ_ISR);
	assert_int_equal(inb(M_CMD), 0x08);
	assert_int_equal(inb(M_CMD), 0x08);       /* still ISR */
	outb(M_CMD, 0x08);                        /* OCW3 with RR = 0: no change */
	assert_int_equal(inb(M_CMD), 0x08);
	outb(M_CMD, READ_IRR);
	assert_int_equal(inb(M_CMD), 0x20);
	assert_int_equal(inb(M_DATA), 0x00);      /* data port always reads IMR */
}

static void test_poll_acknowledges_and_returns_level(void **state)
{
	(void)state;
	pulse(5);
	outb(M_CMD, POLL);
	assert_int_equal(inb(M_CMD), 0x85);
	assert_int_equal(read_isr(M_CMD), 0x20);
	assert_int_equal(read_irr(M_CMD), 0x00);
	/* the poll is consumed: next read is a plain register read */
	assert_int_equal(inb(M_CMD), 0x00);
	/* nothing requested: I bit clear, no ack */
	outb(M_CMD, EOI);
	outb(M_CMD, POLL);
	assert_int_equal(inb(M_CMD), 0x00);
	assert_int_equal(read_isr(M_CMD), 0x00);
}

static void test_poll_read_on_data_port_and_respects_priority(void **state)
{
	(void)state;
	pulse(2 + 4);
	pulse(1);
	outb(M_CMD, POLL);
	assert_int_equal(inb(M_DATA), 0x81);      /* the read, whichever port */
	assert_int_equal(inb(M_DATA), 0x00);      /* IMR again */
	outb(M_CMD, POLL);
	assert_int_equal(inb(M_CMD), 0x00);       /* 6 is below in-service 1 */
	outb(M_CMD, EOI);
	outb(M_CMD, POLL | READ_ISR);             /* poll wins over the register read */
	assert_int_equal(inb(M_CMD), 0x86);
	assert_int_equal(inb(M_CMD), 0x40);       /* and RR/RIS took effect */
}

static void test_special_mask_mode_allows_lower_priority(void **state)
{
	(void)state;
	pulse(3);
	assert_int_equal(vpic_intr_ack(vm), MBASE + 3);
	pulse(5);
	assert_false(vpic_intr_pending(vm));
	outb(M_DATA, 0x08);                       /* handler masks its own level */
	outb(M_CMD, SMM_SET);
	assert_true(vpic_intr_pending(vm));       /* 5 now allowed */
	assert_int_equal(vpic_intr_ack(vm), MBASE + 5);
	assert_int_equal(read_isr(M_CMD), 0x28);
	/* non-specific EOI in SMM skips the masked in-service level */
	outb(M_CMD, EOI);
	assert_int_equal(read_isr(M_CMD), 0x08);
	assert_ack(0, TERN_IRQCHIP_PIC_MASTER, 5);
	outb(M_CMD, SMM_RESET);
	pulse(6);
	assert_false(vpic_intr_pending(vm));      /* fully nested again: 3 blocks 6 */
	outb(M_CMD, 0x28);                        /* OCW3 without ESMM keeps SMM off */
	assert_false(vpic_intr_pending(vm));
}

static void test_special_mask_masked_level_never_requests(void **state)
{
	(void)state;
	outb(M_CMD, SMM_SET);
	outb(M_DATA, 0x10);
	pulse(4);
	assert_false(vpic_intr_pending(vm));
	outb(M_DATA, 0x00);
	assert_int_equal(vpic_intr_ack(vm), MBASE + 4);
}

/* ------------------------------------------------------------ cascade */

static void test_slave_interrupt_through_cascade(void **state)
{
	(void)state;
	assert_int_equal(vpic_set_irq(vm, 10, 0, 1), 1);
	assert_int_equal(read_irr(S_CMD), 0x04);
	assert_int_equal(read_irr(M_CMD), 0x04);  /* master IR2 from slave INT */
	assert_true(vpic_intr_pending(vm));
	assert_int_equal(vm->kicks[0], 1);
	assert_int_equal(vpic_intr_ack(vm), SBASE + 2);
	assert_int_equal(read_isr(S_CMD), 0x04);
	assert_int_equal(read_isr(M_CMD), 0x04);
	assert_int_equal(read_irr(M_CMD), 0x00);
	outb(S_CMD, EOI);
	outb(M_CMD, EOI);
	assert_int_equal(fake_lapic.ack_calls, 2);
	assert_ack(0, TERN_IRQCHIP_PIC_SLAVE, 10);
	assert_ack(1, TERN_IRQCHIP_PIC_MASTER, 2);
}

static void test_slave_blocked_by_master_imr_bit2(void **state)
{
	(void)state;
	outb(M_DATA, 0x04);
	assert_int_equal(vpic_set_irq(vm, 12, 0, 1), 1);  /* slave IMR lets it in */
	assert_false(vpic_intr_pending(vm));
	outb(M_DATA, 0x00);
	assert_int_equal(vpic_intr_ack(vm), SBASE + 4);
}

static void test_slave_masked_in_slave_imr(void **state)
{
	(void)state;
	outb(S_DATA, 0x10);
	assert_int_equal(vpic_set_irq(vm, 12, 0, 1), 0);
	assert_false(vpic_intr_pending(vm));
	assert_int_equal(read_irr(M_CMD), 0);
}

static void test_slave_in_service_blocks_lower_master_irqs(void **state)
{
	(void)state;
	pulse(9);
	assert_int_equal(vpic_intr_ack(vm), SBASE + 1);
	pulse(4);
	assert_false(vpic_intr_pending(vm));      /* master IR2 in service */
	pulse(15);
	assert_false(vpic_intr_pending(vm));      /* lower slave level */
	pulse(1);
	assert_int_equal(vpic_intr_ack(vm), MBASE + 1);
	outb(M_CMD, EOI);                         /* ends IR1 */
	outb(S_CMD, EOI);                         /* slave ends 9: slave INT rises for 15 */
	assert_false(vpic_intr_pending(vm));      /* master IR2 still in service */
	outb(M_CMD, EOI);
	assert_int_equal(vpic_intr_ack(vm), SBASE + 7);
	assert_int_equal(read_isr(S_CMD), 0x80);  /* a real IRQ15, not spurious */
}

static void test_higher_slave_irq_needs_sfnm_to_nest(void **state)
{
	(void)state;
	pulse(13);
	assert_int_equal(vpic_intr_ack(vm), SBASE + 5);
	pulse(9);
	assert_int_equal(read_irr(M_CMD) & 0x04, 0x04);
	assert_false(vpic_intr_pending(vm));      /* fully nested: IR2 in service */

	init_pair(0x11, 0x01);                    /* master SFNM */
	pulse(13);
	assert_int_equal(vpic_intr_ack(vm), SBASE + 5);
	pulse(9);
	assert_true(vpic_intr_pending(vm));
	assert_int_equal(vpic_intr_ack(vm), SBASE + 1);
	assert_int_equal(read_isr(S_CMD), 0x22);
	pulse(4);
	assert_false(vpic_intr_pending(vm));      /* SFNM still blocks lower master IRs */
	pulse(12);
	assert_false(vpic_intr_pending(vm));      /* and lower slave IRs */
}

static void test_vanished_slave_request_gives_spurious_irq15(void **state)
{
	(void)state;
	outb(S_ELCR, 0x08);                       /* IRQ11 level */
	vpic_set_irq(vm, 11, 0, 1);
	vpic_set_irq(vm, 11, 0, 0);
	assert_true(vpic_intr_pending(vm));       /* master IR2 latched the edge */
	assert_int_equal(vpic_intr_ack(vm), SBASE + 7);
	assert_int_equal(read_isr(S_CMD), 0x00);
	assert_int_equal(read_isr(M_CMD), 0x04);  /* the master did take IR2 */
	assert_int_equal(fake_lapic.ack_calls, 0);
	outb(M_CMD, EOI);
	assert_ack(0, TERN_IRQCHIP_PIC_MASTER, 2);
	assert_false(vpic_intr_pending(vm));
}

static void test_slave_auto_eoi_back_to_back_not_lost(void **state)
{
	(void)state;
	init_pair(0x01, 0x03);                    /* slave auto-EOI */
	pulse(9);
	pulse(10);
	assert_int_equal(vpic_intr_ack(vm), SBASE + 1);
	assert_int_equal(read_isr(S_CMD), 0);
	assert_ack(0, TERN_IRQCHIP_PIC_SLAVE, 9);
	assert_false(vpic_intr_pending(vm));      /* master IR2 in service */
	outb(M_CMD, EOI);
	assert_true(vpic_intr_pending(vm));       /* slave still asks for 10 */
	assert_int_equal(vpic_intr_ack(vm), SBASE + 2);
	outb(M_CMD, EOI);
	assert_false(vpic_intr_pending(vm));
}

static void test_slave_poll(void **state)
{
	(void)state;
	pulse(14);
	outb(M_CMD, POLL);
	assert_int_equal(inb(M_CMD), 0x82);
	outb(S_CMD, POLL);
	assert_int_equal(inb(S_CMD), 0x86);
	assert_int_equal(read_isr(S_CMD), 0x40);
	assert_int_equal(read_isr(M_CMD), 0x04);
	outb(S_CMD, EOI);
	outb(M_CMD, EOI);
	assert_false(vpic_intr_pending(vm));
	assert_int_equal(read_irr(M_CMD), 0);
}

static void test_slave_rotation_and_specific_eoi(void **state)
{
	(void)state;
	outb(S_CMD, SET_PRIO(4));                 /* slave IR5 highest */
	pulse(8);
	pulse(13);
	assert_int_equal(vpic_intr_ack(vm), SBASE + 5);
	outb(S_CMD, SPECIFIC_EOI(5));
	outb(M_CMD, SPECIFIC_EOI(2));
	assert_ack(0, TERN_IRQCHIP_PIC_SLAVE, 13);
	assert_ack(1, TERN_IRQCHIP_PIC_MASTER, 2);
	assert_int_equal(vpic_intr_ack(vm), SBASE + 0);
}

static void test_master_pin2_source_without_slave_request(void **state)
{
	(void)state;
	/* something driving master pin 2 directly while the slave is idle */
	assert_int_equal(vpic_set_irq(vm, 2, 0, 1), 1);
	assert_int_equal(vpic_intr_ack(vm), SBASE + 7);   /* the slave has nothing */
	assert_int_equal(read_isr(M_CMD), 0x04);
}

/* ------------------------------------------------------------ ack hook and lock */

static void resample_hook(struct vm *v, unsigned chip, unsigned pin)
{
	/* a resampler drops the line from inside the EOI notification */
	assert_int_equal(vpic_set_irq(v, pin, 1, 0), 0);
}

static void test_ack_notify_runs_without_lock_and_may_call_back(void **state)
{
	(void)state;
	outb(M_ELCR, 0x20);
	fake_lapic.ack_hook = resample_hook;
	vpic_set_irq(vm, 5, 1, 1);
	assert_int_equal(vpic_intr_ack(vm), MBASE + 5);
	outb(M_CMD, EOI);                         /* would deadlock if the lock were held */
	assert_int_equal(fake_lapic.ack_calls, 1);
	assert_false(vpic_intr_pending(vm));      /* the resampler's drop took effect */
	assert_int_equal(read_irr(M_CMD), 0);
}

static void test_resampled_slave_line_dropped_at_eoi_leaves_no_spurious(void **state)
{
	(void)state;
	outb(S_ELCR, 0x10);                       /* IRQ12 level, resampled */
	fake_lapic.ack_hook = resample_hook;
	vpic_set_irq(vm, 12, 1, 1);
	assert_int_equal(vpic_intr_ack(vm), SBASE + 4);
	outb(S_CMD, EOI);                         /* resampler drops the line in the ack */
	assert_ack(0, TERN_IRQCHIP_PIC_SLAVE, 12);
	assert_int_equal(read_irr(M_CMD), 0x00);  /* no stale edge latched on IR2 */
	outb(M_CMD, EOI);
	assert_false(vpic_intr_pending(vm));
}

/* ------------------------------------------------------------ port access widths */

static void test_wide_access_is_bytewise(void **state)
{
	u32 v;

	(void)state;
	pulse(3);
	outb(M_DATA, 0x5a);
	v = 0;
	assert_int_equal(vpic_pio(vm, 0, M_CMD, 2, true, &v), 0);
	assert_int_equal(v, 0x5a08);              /* IRR | IMR << 8 */
	v = 0x0000f808;                           /* 0x20 <- OCW3 no-op, 0x21 <- IMR */
	assert_int_equal(vpic_pio(vm, 0, M_CMD, 2, false, &v), 0);
	assert_int_equal(inb(M_DATA), 0xf8);
	v = 0;
	assert_int_equal(vpic_pio(vm, 0, M_ELCR, 4, true, &v), 0);
	assert_int_equal(v, 0xffff0000);          /* 0x4d2, 0x4d3 float */
	v = 0xffffffff;
	assert_int_equal(vpic_pio(vm, 0, M_ELCR, 4, false, &v), 0);
	assert_int_equal(inb(M_ELCR), 0xf8);
	assert_int_equal(inb(S_ELCR), 0xde);
	v = 0;
	assert_int_equal(vpic_pio(vm, 0, M_DATA, 2, true, &v), 0);
	assert_int_equal(v, 0xfff8);              /* 0x22 is not ours */
}

static void test_bad_sizes_rejected_without_side_effects(void **state)
{
	u32 v = 0x11;

	(void)state;
	assert_int_equal(vpic_pio(vm, 0, M_CMD, 3, false, &v), -TERN_EINVAL);
	assert_int_equal(vpic_pio(vm, 0, M_CMD, 0, false, &v), -TERN_EINVAL);
	assert_int_equal(vpic_pio(vm, 0, M_CMD, 8, true, &v), -TERN_EINVAL);
	assert_int_equal(vpic_pio(vm, 0, M_CMD, 1, true, NULL), -TERN_EINVAL);
	assert_int_equal(inb(M_DATA), 0x00);      /* no ICW1 happened */
	v = 0;
	assert_int_equal(vpic_pio(vm, 0, 0x80, 1, true, &v), 0);
	assert_int_equal(v, 0xff);
}

/* ------------------------------------------------------------ dump, hostile guest */

static void test_dump_reports_registers_and_truncates(void **state)
{
	char buf[512], small[16];
	int n;

	(void)state;
	pulse(3);
	outb(S_DATA, 0x81);
	n = vpic_dump(vm, buf, sizeof(buf));
	assert_int_equal(n, (int)strlen(buf));
	assert_non_null(strstr(buf, "pic master: irr=08"));
	assert_non_null(strstr(buf, "imr=81"));
	assert_non_null(strstr(buf, "base=28"));
	assert_non_null(strstr(buf, "intr=1"));
	n = vpic_dump(vm, small, sizeof(small));
	assert_int_equal(n, (int)sizeof(small) - 1);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_int_equal(vpic_dump(vm, small, 0), 0);
}

static u32 rng_state = 12345;

static u32 rnd(void)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return rng_state >> 8;
}

static void test_random_guest_and_lines_never_break_invariants(void **state)
{
	static const u16 ports[] = { M_CMD, M_DATA, S_CMD, S_DATA, M_ELCR, S_ELCR };

	(void)state;
	for (int i = 0; i < 200000; i++) {
		u32 v = rnd() & 0xff, r = rnd();
		int vec;

		switch (r % 4) {
		case 0:
			assert_int_equal(vpic_pio(vm, 0, ports[rnd() % 6], 1, (r >> 4) & 1, &v), 0);
			break;
		case 1:
			assert_true(vpic_set_irq(vm, rnd() % 16, rnd() % 4, rnd() & 1) >= 0);
			break;
		case 2:
			if (vpic_intr_pending(vm)) {
				vec = vpic_intr_ack(vm);
				assert_true(vec >= 0 && vec <= 0xff);
			}
			break;
		default:
			vec = vpic_intr_ack(vm);
			assert_true(vec >= 0 && vec <= 0xff);
			break;
		}
	}
	/* every notification named a real chip and pin */
	for (unsigned i = 0; i < FAKE_LAPIC_LOG && i < fake_lapic.ack_calls; i++) {
		assert_true(fake_acked(i)->irqchip <= TERN_IRQCHIP_PIC_SLAVE);
		assert_true(fake_acked(i)->pin < 16);
		assert_int_equal(fake_acked(i)->pin / 8, fake_acked(i)->irqchip);
	}
}

#define T(fn)  cmocka_unit_test_setup_teardown(fn, setup, teardown)
#define TI(fn) cmocka_unit_test_setup_teardown(fn, setup_init, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_create_twice_fails_and_missing_vpic_is_tolerated),
		T(test_power_on_all_masked_bios_vectors),
		T(test_icw_sequence_sets_vector_bases),
		T(test_icw2_low_bits_ignored),
		T(test_icw1_resets_imr_isr_priority_smm_and_read_select),
		T(test_icw1_edge_sense_reset_needs_new_rising_edge),
		T(test_icw1_keeps_level_requests),
		T(test_single_mode_skips_icw3_and_owns_ir2),
		T(test_icw1_without_icw4_ends_after_icw3_and_warns),
		T(test_icw1_mid_sequence_restarts),
		T(test_no_intr_while_initialising),
		TI(test_imr_masks_and_unmask_kicks_bsp_once),
		TI(test_edge_latches_once_per_rising_edge),
		TI(test_edge_request_survives_line_drop),
		TI(test_edge_coalesces_while_pending),
		TI(test_level_irr_follows_line),
		TI(test_level_line_dropped_before_inta_gives_spurious_irq7),
		TI(test_ack_with_nothing_pending_is_spurious_irq7),
		TI(test_level_rerequests_after_eoi_while_high),
		T(test_ltim_makes_every_pin_level),
		TI(test_elcr_fixed_edge_bits),
		TI(test_elcr_switch_to_level_resyncs_irr),
		TI(test_two_sources_or_on_level_pin),
		TI(test_two_sources_or_on_edge_pin),
		TI(test_set_irq_rejects_bad_pin_and_source),
		TI(test_fully_nested_priority),
		TI(test_nonspecific_eoi_clears_highest_and_notifies),
		TI(test_specific_eoi_clears_named_level_only),
		TI(test_rotate_on_nonspecific_eoi),
		TI(test_set_priority_command),
		TI(test_rotate_on_specific_eoi),
		TI(test_ocw2_nop_changes_nothing),
		T(test_auto_eoi_sets_no_isr_and_notifies_at_inta),
		T(test_rotate_in_auto_eoi_mode),
		TI(test_ocw3_read_register_select_persists),
		TI(test_poll_acknowledges_and_returns_level),
		TI(test_poll_read_on_data_port_and_respects_priority),
		TI(test_special_mask_mode_allows_lower_priority),
		TI(test_special_mask_masked_level_never_requests),
		TI(test_slave_interrupt_through_cascade),
		TI(test_slave_blocked_by_master_imr_bit2),
		TI(test_slave_masked_in_slave_imr),
		TI(test_slave_in_service_blocks_lower_master_irqs),
		TI(test_higher_slave_irq_needs_sfnm_to_nest),
		TI(test_vanished_slave_request_gives_spurious_irq15),
		T(test_slave_auto_eoi_back_to_back_not_lost),
		TI(test_slave_poll),
		TI(test_slave_rotation_and_specific_eoi),
		TI(test_master_pin2_source_without_slave_request),
		TI(test_ack_notify_runs_without_lock_and_may_call_back),
		TI(test_resampled_slave_line_dropped_at_eoi_leaves_no_spurious),
		TI(test_wide_access_is_bytewise),
		TI(test_bad_sizes_rejected_without_side_effects),
		TI(test_dump_reports_registers_and_truncates),
		TI(test_random_guest_and_lines_never_break_invariants),
	};

	alarm(60);   /* a deadlock fails the run instead of hanging it */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
