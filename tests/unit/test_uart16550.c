/* SPDX-License-Identifier: MIT */
/* Host tests of the emulated 16550A UART (drivers/uart16550.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>

#include "drivers/platform.h"
#include "drivers/uart16550.h"
#include "irq/irq_source.h"
#include "kernel/lib/string.h"
#include "tests/unit/fake_vm_services.h"
#include "tests/unit/stub_kernel.h"

#define BASE 0x3f8
#define RBR  (BASE + 0)
#define THR  (BASE + 0)
#define DLL  (BASE + 0)
#define IER  (BASE + 1)
#define DLM  (BASE + 1)
#define IIR  (BASE + 2)
#define FCR  (BASE + 2)
#define LCR  (BASE + 3)
#define MCR  (BASE + 4)
#define LSR  (BASE + 5)
#define MSR  (BASE + 6)
#define SCR  (BASE + 7)
#define GSI  4

struct ctx {
	struct vm *vm;
	struct uart16550 *uart;
};

static struct uart16550 *current_uart;

/* The platform lookup uart16550_receive() uses, answered by this test. */
struct uart16550 *pc_platform_com1(struct vm *vm)
{
	(void)vm;
	return current_uart;
}

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	fake_vm_reset();
	c->vm = stub_vm_new(1);
	assert_int_equal(uart16550_create(c->vm, BASE, GSI, &c->uart), 0);
	current_uart = c->uart;
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	uart16550_destroy(c->uart);
	current_uart = NULL;
	stub_vm_free(c->vm);
	free(c);
	return 0;
}

static u8 inb(struct ctx *c, u16 port)
{
	return (u8)fake_in(c->vm, port, 1);
}

static void outb(struct ctx *c, u16 port, u8 v)
{
	fake_out(c->vm, port, 1, v);
}

static void test_create_registers_ports_and_source(void **state)
{
	struct ctx *c = *state;

	assert_int_equal(fake.nr_pio, 1);
	assert_int_equal(fake.pio[0].base, BASE);
	assert_int_equal(fake.pio[0].count, 8);
	/* a second UART on the same ports is refused, and frees itself */
	struct uart16550 *u2 = NULL;

	assert_int_equal(uart16550_create(c->vm, BASE + 4, GSI, &u2), -TERN_EEXIST);
	assert_null(u2);
}

static void test_create_errors(void **state)
{
	struct vm *vm = stub_vm_new(1);
	struct uart16550 *u = NULL;

	(void)state;
	fake_vm_reset();
	fake.source_alloc_ret = -TERN_ENOSPC;
	assert_int_equal(uart16550_create(vm, BASE, GSI, &u), -TERN_ENOSPC);
	assert_int_equal(fake.nr_pio, 0);
	fake_vm_reset();
	fake.pio_fail_at = 1;
	assert_int_equal(uart16550_create(vm, BASE, GSI, &u), -TERN_ENOMEM);
	assert_null(u);
	assert_int_equal(fake.source_frees, 1);      /* the source id went back */
	assert_int_equal(fake.last_source_freed, IRQ_SOURCE_FIRST_FREE);
	stub_vm_free(vm);
}

static void test_destroy_frees_source(void **state)
{
	struct vm *vm = stub_vm_new(1);
	struct uart16550 *u = NULL;

	(void)state;
	fake_vm_reset();
	fake.source_alloc_ret = 9;
	assert_int_equal(uart16550_create(vm, BASE, GSI, &u), 0);
	assert_int_equal(fake.source_frees, 0);
	uart16550_destroy(u);
	assert_int_equal(fake.source_frees, 1);
	assert_int_equal(fake.last_source_freed, 9);
	uart16550_destroy(NULL);
	assert_int_equal(fake.source_frees, 1);
	stub_vm_free(vm);
}

static void test_unrouted_gsi_is_not_an_error(void **state)
{
	struct ctx *c = *state;
	u32 v = 0x03;

	fake.set_irq_ret = -TERN_ENOENT;
	assert_int_equal(fake_pio(c->vm, IER, 1, false, &v), 0);
	assert_int_equal(uart16550_rx(c->uart, 'a'), 0);
	assert_int_equal(inb(c, IIR), 0x04);
	/* the line state was kept: releasing it is a change the routing sees */
	fake.set_irq_ret = 0;
	outb(c, IER, 0);
	assert_int_equal(fake_irq_level(GSI), 0);
}

static void test_reset_state(void **state)
{
	struct ctx *c = *state;

	assert_int_equal(inb(c, IER), 0);
	assert_int_equal(inb(c, IIR), 0x01);        /* no interrupt, FIFOs off */
	assert_int_equal(inb(c, LCR), 0);
	assert_int_equal(inb(c, MCR), 0);
	assert_int_equal(inb(c, LSR), 0x60);        /* THRE | TEMT, no data */
	assert_int_equal(inb(c, MSR), 0xb0);        /* DCD | DSR | CTS */
	assert_int_equal(inb(c, SCR), 0);
	assert_int_equal(inb(c, RBR), 0);
	assert_int_equal(fake.nr_irq_calls, 0);
}

static void test_polled_transmit(void **state)
{
	struct ctx *c = *state;
	const char *msg = "hello, tern\n";

	for (const char *p = msg; *p; p++) {
		assert_true(inb(c, LSR) & 0x20);
		outb(c, THR, (u8)*p);
	}
	assert_string_equal(fake.console, msg);
	assert_int_equal(inb(c, LSR), 0x60);
	assert_int_equal(fake.nr_irq_calls, 0);     /* IER = 0: the line never moves */
}

static void test_scratch_and_lcr(void **state)
{
	struct ctx *c = *state;

	outb(c, SCR, 0x5a);
	assert_int_equal(inb(c, SCR), 0x5a);
	outb(c, SCR, 0xa5);
	assert_int_equal(inb(c, SCR), 0xa5);
	outb(c, LCR, 0x1b);                         /* 8 data bits, even parity... */
	assert_int_equal(inb(c, LCR), 0x1b);
	outb(c, LSR, 0x00);                         /* read-only: ignored */
	outb(c, MSR, 0x00);
	assert_int_equal(inb(c, LSR), 0x60);
	assert_int_equal(inb(c, MSR), 0xb0);
}

static void test_dlab_switches_registers(void **state)
{
	struct ctx *c = *state;

	outb(c, IER, 0x05);
	outb(c, LCR, 0x83);                         /* DLAB on */
	outb(c, DLL, 0x0c);
	outb(c, DLM, 0x01);
	assert_int_equal(inb(c, DLL), 0x0c);
	assert_int_equal(inb(c, DLM), 0x01);
	assert_int_equal(fake.console_len, 0);      /* DLL write is not a THR write */
	outb(c, LCR, 0x03);                         /* DLAB off */
	assert_int_equal(inb(c, IER), 0x05);        /* IER untouched by DLM writes */
	outb(c, THR, 'x');
	assert_string_equal(fake.console, "x");
	outb(c, LCR, 0x83);
	assert_int_equal(inb(c, DLL), 0x0c);        /* divisor kept */
	assert_int_equal(inb(c, DLM), 0x01);
}

static void test_ier_masks_reserved_bits(void **state)
{
	struct ctx *c = *state;

	outb(c, IER, 0xff);
	assert_int_equal(inb(c, IER), 0x0f);
}

static void test_receive_polled_fifo_mode(void **state)
{
	struct ctx *c = *state;

	outb(c, FCR, 0x07);                         /* FIFO on, both cleared */
	assert_int_equal(inb(c, IIR) & 0xc0, 0xc0);
	for (int i = 0; i < 16; i++)
		assert_int_equal(uart16550_receive(c->vm, (u8)('a' + i)), 0);
	assert_int_equal(inb(c, LSR), 0x61);        /* DR */
	for (int i = 0; i < 16; i++)
		assert_int_equal(inb(c, RBR), 'a' + i);
	assert_int_equal(inb(c, LSR), 0x60);
	assert_int_equal(inb(c, RBR), 'a' + 15);     /* empty: the last byte again */
}

static void test_fifo_overflow_sets_overrun(void **state)
{
	struct ctx *c = *state;

	outb(c, FCR, 0x01);
	for (int i = 0; i < 16; i++)
		assert_int_equal(uart16550_rx(c->uart, (u8)i), 0);
	assert_int_equal(uart16550_rx(c->uart, 0x99), -TERN_ENOSPC);
	assert_int_equal(inb(c, LSR), 0x63);        /* DR | OE */
	assert_int_equal(inb(c, LSR), 0x61);        /* OE cleared by the read */
	for (int i = 0; i < 16; i++)
		assert_int_equal(inb(c, RBR), i);       /* FIFO content kept, 0x99 lost */
	assert_false(inb(c, LSR) & 0x01);
}

static void test_non_fifo_mode_holds_one_byte(void **state)
{
	struct ctx *c = *state;

	assert_int_equal(uart16550_rx(c->uart, 'a'), 0);
	assert_int_equal(uart16550_rx(c->uart, 'b'), -TERN_ENOSPC);
	assert_int_equal(inb(c, LSR), 0x63);
	assert_int_equal(inb(c, RBR), 'b');         /* 16450: the new byte replaced RBR */
	assert_int_equal(inb(c, LSR), 0x60);
}

static void test_fcr_clears_rx(void **state)
{
	struct ctx *c = *state;

	outb(c, FCR, 0x01);
	uart16550_rx(c->uart, 'a');
	uart16550_rx(c->uart, 'b');
	outb(c, FCR, 0x03);                         /* RX reset */
	assert_int_equal(inb(c, LSR), 0x60);
	uart16550_rx(c->uart, 'c');
	outb(c, FCR, 0x00);                         /* FIFO mode change resets too */
	assert_int_equal(inb(c, LSR), 0x60);
	assert_int_equal(inb(c, IIR), 0x01);        /* FIFO bits gone */
	/* FCR is write-only: the read at offset 2 is IIR */
	outb(c, FCR, 0xc1);
	assert_int_equal(inb(c, IIR), 0xc1);
}

static void test_thre_interrupt(void **state)
{
	struct ctx *c = *state;

	outb(c, IER, 0x02);                         /* enabling ETBEI with THR empty */
	assert_int_equal(fake_irq_level(GSI), 1);
	assert_int_equal(fake_last_irq(GSI)->source_id, IRQ_SOURCE_FIRST_FREE);
	assert_ptr_equal(fake_last_irq(GSI)->vm, c->vm);
	assert_int_equal(inb(c, IIR), 0x02);        /* THRE; reading IIR clears it */
	assert_int_equal(fake_irq_level(GSI), 0);
	assert_int_equal(inb(c, IIR), 0x01);
	unsigned before = fake.nr_irq_calls;

	outb(c, THR, 'z');                          /* sent at once: THRE again, with an edge */
	assert_int_equal(fake.nr_irq_calls, before + 1);
	assert_int_equal(fake_irq_level(GSI), 1);
	before = fake.nr_irq_calls;
	outb(c, THR, 'y');                          /* pending: line drops, then rises */
	assert_int_equal(fake.nr_irq_calls, before + 2);
	assert_int_equal(fake.irq_calls[before].level, 0);
	assert_int_equal(fake.irq_calls[before + 1].level, 1);
	outb(c, IER, 0x00);
	assert_int_equal(fake_irq_level(GSI), 0);
	assert_string_equal(fake.console, "zy");
}

static void test_rda_interrupt_and_priority(void **state)
{
	struct ctx *c = *state;

	outb(c, IER, 0x01);
	assert_int_equal(fake.nr_irq_calls, 0);
	assert_int_equal(uart16550_receive(c->vm, 'q'), 0);
	assert_int_equal(fake_irq_level(GSI), 1);
	assert_int_equal(inb(c, IIR), 0x04);        /* RDA (16450 mode) */
	assert_int_equal(inb(c, IIR), 0x04);        /* IIR read does not clear RDA */
	outb(c, IER, 0x03);                         /* THRE too: RDA still wins */
	assert_int_equal(inb(c, IIR), 0x04);
	assert_int_equal(inb(c, RBR), 'q');
	assert_int_equal(inb(c, IIR), 0x02);        /* now THRE */
	assert_int_equal(fake_irq_level(GSI), 0);   /* cleared by that read */
}

static void test_fifo_trigger_and_timeout(void **state)
{
	struct ctx *c = *state;

	outb(c, FCR, 0x81);                         /* FIFO, trigger level 8 */
	outb(c, IER, 0x01);
	for (int i = 0; i < 7; i++)
		uart16550_rx(c->uart, (u8)i);
	assert_int_equal(inb(c, IIR), 0xcc);        /* below trigger: timeout */
	uart16550_rx(c->uart, 7);
	assert_int_equal(inb(c, IIR), 0xc4);        /* at trigger: RDA */
	for (int i = 0; i < 8; i++)
		inb(c, RBR);
	assert_int_equal(inb(c, IIR), 0xc1);
	assert_int_equal(fake_irq_level(GSI), 0);
}

static void test_rls_interrupt_has_top_priority(void **state)
{
	struct ctx *c = *state;

	outb(c, IER, 0x07);
	uart16550_rx(c->uart, 1);
	uart16550_rx(c->uart, 2);                   /* overrun in 16450 mode */
	assert_int_equal(inb(c, IIR), 0x06);        /* RLS over RDA and THRE */
	assert_int_equal(inb(c, LSR) & 0x02, 0x02);
	assert_int_equal(inb(c, IIR), 0x04);        /* then RDA */
	inb(c, RBR);
	assert_int_equal(inb(c, IIR), 0x02);        /* then THRE */
	assert_int_equal(inb(c, IIR), 0x01);
}

static void test_loopback(void **state)
{
	struct ctx *c = *state;

	outb(c, MCR, 0x10);                         /* loopback, all outputs off */
	assert_int_equal(inb(c, MSR), 0x0b);        /* CTS/DSR/DCD fell: deltas */
	assert_int_equal(inb(c, MSR), 0x00);        /* deltas cleared by the read */
	outb(c, MCR, 0x1f);                         /* DTR RTS OUT1 OUT2 */
	assert_int_equal(inb(c, MSR), 0xfb);        /* all inputs, DCTS DDSR DDCD */
	outb(c, MCR, 0x1b);                         /* OUT1 off: RI trailing edge */
	assert_int_equal(inb(c, MSR) & 0x0f, 0x04);
	outb(c, MCR, 0x1a);                         /* Linux's probe: LOOP|OUT2|RTS */
	assert_int_equal(inb(c, MSR) & 0xf0, 0x90);
	outb(c, THR, 'L');
	assert_int_equal(fake.console_len, 0);      /* not on the console */
	assert_int_equal(inb(c, LSR), 0x61);
	assert_int_equal(inb(c, RBR), 'L');
	assert_int_equal(inb(c, MCR), 0x1a);
	outb(c, MCR, 0xff);
	assert_int_equal(inb(c, MCR), 0x1f);        /* reserved bits read 0 */
	outb(c, MCR, 0x03);                         /* back to normal */
	outb(c, THR, 'N');
	assert_string_equal(fake.console, "N");
}

static void test_msr_interrupt(void **state)
{
	struct ctx *c = *state;

	outb(c, IER, 0x08);
	assert_int_equal(fake_irq_level(GSI), 0);
	outb(c, MCR, 0x10);
	assert_int_equal(fake_irq_level(GSI), 1);
	assert_int_equal(inb(c, IIR), 0x00);        /* modem status */
	inb(c, MSR);
	assert_int_equal(inb(c, IIR), 0x01);
	assert_int_equal(fake_irq_level(GSI), 0);
}

static void test_wide_accesses_split_into_bytes(void **state)
{
	struct ctx *c = *state;

	outb(c, LCR, 0x03);
	/* a 16-bit write at 0x3fe writes MSR (ignored) and SCR */
	fake_out(c->vm, MSR, 2, 0x7700);
	assert_int_equal(inb(c, SCR), 0x77);
	/* a 32-bit read at 0x3fc: MCR, LSR, MSR, SCR */
	assert_int_equal(fake_in(c->vm, MCR, 4), 0x77b06000);
	/* a 32-bit read at 0x3ff: SCR, then three floating bytes */
	assert_int_equal(fake_in(c->vm, SCR, 4), 0xffffff77);
	/* a 16-bit THR write sends one byte and writes IER with the other */
	fake_out(c->vm, THR, 2, 0x0041);
	assert_string_equal(fake.console, "A");
}

static void test_set_irq_error_stops_access(void **state)
{
	struct ctx *c = *state;
	u32 v = 0x02;

	fake.set_irq_ret = -TERN_EINVAL;
	assert_int_equal(fake_pio(c->vm, IER, 1, false, &v), -TERN_EINVAL);
	assert_int_equal(uart16550_rx(c->uart, 1), -TERN_EINVAL);
	fake.set_irq_ret = 0;
	/* the cached level was not updated: the next change retries */
	assert_int_equal(fake_pio(c->vm, IER, 1, false, &v), 0);
	assert_int_equal(fake_irq_level(GSI), 1);
}

static void test_receive_without_platform(void **state)
{
	(void)state;
	current_uart = NULL;
	assert_int_equal(uart16550_receive(NULL, 'x'), -TERN_ENODEV);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_registers_ports_and_source, setup, teardown),
		cmocka_unit_test(test_create_errors),
		cmocka_unit_test(test_destroy_frees_source),
		cmocka_unit_test_setup_teardown(test_unrouted_gsi_is_not_an_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_polled_transmit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scratch_and_lcr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dlab_switches_registers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ier_masks_reserved_bits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_receive_polled_fifo_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fifo_overflow_sets_overrun, setup, teardown),
		cmocka_unit_test_setup_teardown(test_non_fifo_mode_holds_one_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fcr_clears_rx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_thre_interrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rda_interrupt_and_priority, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fifo_trigger_and_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rls_interrupt_has_top_priority, setup, teardown),
		cmocka_unit_test_setup_teardown(test_loopback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_msr_interrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wide_accesses_split_into_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_irq_error_stops_access, setup, teardown),
		cmocka_unit_test_setup_teardown(test_receive_without_platform, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
