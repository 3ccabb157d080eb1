/* SPDX-License-Identifier: MIT */
/*
 * The virtual 8259A pair (irq/vpic.c) driven by a byte stream read as a
 * sequence of operations: port reads/writes of every size on the six vPIC
 * ports and their neighbours, vpic_set_irq on any pin by any source id,
 * INTA cycles, with an irq_ack_notify hook that (when the input says so)
 * releases the resampler source as a resample doorbell does.
 * The state is read back after each operation from vpic_dump().
 *
 * Invariants (8259A datasheet + irq/vpic.h contract):
 *  - ISR gains bits only by an acknowledge: INTA, or a read of a chip's
 *    port after a poll command (the next RD pulse acknowledges); an INTA
 *    sets at most one ISR bit per chip and the vector it returns is that chip's ICW2 base + the IR set (master IR for
 *    a non-cascade IR);
 *  - every ISR bit that ends is reported to irq_ack_notify (PIC_MASTER
 *    with pins 0-7, PIC_SLAVE with pins 8-15), and a reported pin was in
 *    service before the operation, or its chip is in auto-EOI mode and the
 *    operation acknowledged;
 *  - with INTR low (vpic_intr_pending false) INTA returns the master's
 *    spurious vector (base + 7) and changes no ISR bit;
 *  - the dump's INTR flag equals vpic_intr_pending(); a rising INTR kicks
 *    vCPU 0;
 *  - each IR's input is the OR of its sources (shadowed here), master IR2
 *    aside (the cascade); ELCR bits outside the PIIX-writable set stay 0;
 *  - vpic_set_irq: -TERN_EINVAL for pin > 15 or source >= 64, else 0/1,
 *    and 1 only when the pin's IRR bit is set and its IMR bit clear;
 *  - vpic_pio: -TERN_EINVAL exactly for sizes other than 1, 2, 4; a read
 *    returns only size bytes.
 */
#include <stdio.h>

#include <tern/errno.h>
#include <tern/hypercall.h>
#include "irq/irq_source.h"
#include "irq/vpic.h"
#include "tests/fuzz/fuzz.h"
#include "tests/unit/fake_lapic.h"
#include "tests/unit/stub_kernel.h"

#define MAX_OPS 400

struct chip_state {
	unsigned irr, isr, imr, elcr, input, base, icw1, icw3, icw4, top, init;
};

struct pic_state {
	struct chip_state c[2];
	unsigned intr;
};

static struct vm *vm;
static irq_line_state_t shadow_line[VPIC_NR_PINS];
static bool resample_hook;

static void parse_chip(const char *buf, const char *name, struct chip_state *c)
{
	const char *p = strstr(buf, name);
	int n;

	FUZZ_CHECK(p != NULL, "no '%s' in dump: %s", name, buf);
	n = sscanf(p + strlen(name),
		   ": irr=%x isr=%x imr=%x elcr=%x input=%x base=%x icw1=%x icw3=%x icw4=%x top=%u "
		   "init=%u", &c->irr, &c->isr, &c->imr, &c->elcr, &c->input, &c->base, &c->icw1,
		   &c->icw3, &c->icw4, &c->top, &c->init);
	FUZZ_CHECK(n == 11, "dump not parsed (%d fields): %s", n, buf);
}

static void read_state(struct pic_state *s)
{
	char buf[512];
	const char *p;

	vpic_dump(vm, buf, sizeof(buf));
	parse_chip(buf, "pic master", &s->c[0]);
	parse_chip(buf, "pic slave", &s->c[1]);
	p = strstr(buf, "pic intr=");
	FUZZ_CHECK(p && sscanf(p, "pic intr=%u", &s->intr) == 1, "no intr in dump");
}

static unsigned isr16(const struct pic_state *s)
{
	return s->c[0].isr | s->c[1].isr << 8;
}

/* A resample doorbell's resampler: on EOI it releases its source once. */
static void ack_hook(struct vm *v, unsigned irqchip, unsigned pin)
{
	if (!resample_hook || pin >= VPIC_NR_PINS)
		return;
	irq_line_update(&shadow_line[pin], IRQ_SOURCE_RESAMPLER, 0);
	FUZZ_CHECK(vpic_set_irq(v, pin, IRQ_SOURCE_RESAMPLER, 0) >= 0, "resampler release");
}

static u8 pick_byte(struct fuzz_in *in)
{
	/* Commands a guest writes, or any byte. */
	static const u8 cmds[] = { 0x11, 0x13, 0x19, 0x1b, 0x10, 0x20, 0x60, 0x62, 0x67, 0xa0,
				   0xe0, 0xc7, 0x80, 0x00, 0x0a, 0x0b, 0x0c, 0x68, 0x48, 0x08,
				   0x70, 0x04, 0x02, 0x01, 0x03, 0x05, 0xff, 0xfb, 0x00, 0x0e };
	u8 sel = fin_u8(in);

	return (sel & 0x80) ? fin_u8(in) : cmds[sel % sizeof(cmds)];
}

static u16 pick_port(struct fuzz_in *in)
{
	static const u16 ports[] = { 0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1, 0x20, 0x21, 0xa0, 0xa1,
				     0x1f, 0x22, 0x9f, 0xa2, 0x4cf, 0x4d2 };

	return ports[fin_u8(in) % 16];
}

static bool covers(u16 port, unsigned size, u16 p)
{
	return p >= port && p < port + size;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct pic_state before, after;

	fake_lapic_reset();
	vm = stub_vm_new(1);
	if (!vm || vpic_create(vm))
		abort();
	memset(shadow_line, 0, sizeof(shadow_line));
	resample_hook = fin_u8(&in) & 1;
	for (unsigned op = 0; op < MAX_OPS && fin_more(&in); op++) {
		u8 kind = fin_u8(&in) % 8;
		bool acking = false;
		unsigned kicks0 = vm->kicks[0];
		int vector = -1;

		read_state(&before);
		FUZZ_CHECK(before.intr == (unsigned)vpic_intr_pending(vm), "dump intr %u vs pending",
			   before.intr);
		fake_lapic_reset();
		fake_lapic.ack_hook = ack_hook;
		if (kind <= 2) {            /* port write */
			u16 port = pick_port(&in);
			unsigned sz = fin_size(&in, true);
			u32 val = pick_byte(&in) | (u32)pick_byte(&in) << 8 | (u32)fin_u16(&in) << 16;
			int rc = vpic_pio(vm, 0, port, sz, false, &val);

			FUZZ_CHECK(rc == ((sz == 1 || sz == 2 || sz == 4) ? 0 : -TERN_EINVAL),
				   "out size %u rc %d", sz, rc);
		} else if (kind == 3) {     /* port read */
			u16 port = pick_port(&in);
			unsigned sz = fin_size(&in, true);
			u32 val = 0xa5a5a5a5;
			int rc = vpic_pio(vm, 0, port, sz, true, &val);

			FUZZ_CHECK(rc == ((sz == 1 || sz == 2 || sz == 4) ? 0 : -TERN_EINVAL),
				   "in size %u rc %d", sz, rc);
			if (!rc && sz < 4)
				FUZZ_CHECK(val >> (8 * sz) == 0, "in size %u gave 0x%x", sz, val);
			/*
			 * After a poll command the next read of either port of that
			 * chip is the acknowledge (8259A datasheet, "Poll command":
			 * the next RD pulse), so any read of 0x20/0x21/0xa0/0xa1.
			 */
			acking = !rc && (covers(port, sz, 0x20) || covers(port, sz, 0x21) ||
					 covers(port, sz, 0xa0) || covers(port, sz, 0xa1));
		} else if (kind <= 5) {     /* set_irq */
			u8 b = fin_u8(&in);
			unsigned pin = b & 0x80 ? fin_u8(&in) : b % 16;
			unsigned src = fin_u8(&in);
			int level = fin_u8(&in) & 1;
			int rc;

			src = (src & 0x80) ? src : src % 4;
			if (resample_hook && (src & 3) == 3)
				src = IRQ_SOURCE_RESAMPLER;
			rc = vpic_set_irq(vm, pin, src, level);
			if (pin >= VPIC_NR_PINS || src >= IRQ_SOURCE_ID_MAX) {
				FUZZ_CHECK(rc == -TERN_EINVAL, "set_irq(%u, %u) rc %d", pin, src, rc);
			} else {
				irq_line_update(&shadow_line[pin], src, level);
				FUZZ_CHECK(rc == 0 || rc == 1, "set_irq rc %d", rc);
				if (rc == 1) {
					read_state(&after);
					FUZZ_CHECK(level && (after.c[pin / 8].irr & BIT(pin % 8)) &&
						   !(after.c[pin / 8].imr & BIT(pin % 8)),
						   "set_irq(%u) said latched: irr %02x imr %02x", pin,
						   after.c[pin / 8].irr, after.c[pin / 8].imr);
				}
			}
		} else {                    /* INTA */
			bool pending = vpic_intr_pending(vm);

			vector = vpic_intr_ack(vm);
			acking = true;
			FUZZ_CHECK(vector >= 0 && vector <= 0xff, "vector %d", vector);
			if (!pending)
				FUZZ_CHECK(vector == (int)before.c[0].base + 7,
					   "INTA with INTR low gave %d (base 0x%x)", vector,
					   before.c[0].base);
		}

		read_state(&after);
		{
			unsigned gained = isr16(&after) & ~isr16(&before);
			unsigned ended = isr16(&before) & ~isr16(&after);
			unsigned acked = 0;

			for (unsigned i = 0; i < fake_lapic.ack_calls && i < FAKE_LAPIC_LOG; i++) {
				const struct fake_ack *a = &fake_lapic.acks[i];
				unsigned chip = a->pin / 8;

				FUZZ_CHECK(a->pin < 16 && a->irqchip == (chip ? TERN_IRQCHIP_PIC_SLAVE :
					   TERN_IRQCHIP_PIC_MASTER), "ack chip %u pin %u", a->irqchip, a->pin);
				FUZZ_CHECK((isr16(&before) & BIT(a->pin)) ||
					   (acking && (before.c[chip].icw4 & 2)),
					   "pin %u acked but not in service (isr %04x, op %u)", a->pin,
					   isr16(&before), kind);
				acked |= BIT(a->pin);
			}
			FUZZ_CHECK(fake_lapic.ack_calls <= FAKE_LAPIC_LOG, "ack storm");
			FUZZ_CHECK((ended & ~acked) == 0, "ISR ended %04x without notify (acked %04x)",
				   ended, acked);
			if (!acking)
				FUZZ_CHECK(gained == 0, "ISR gained %04x without an acknowledge (op %u)",
					   gained, kind);
			if (vector >= 0) {
				unsigned gm = gained & 0xff, gs = gained >> 8;

				FUZZ_CHECK(!(gm & (gm - 1)) && !(gs & (gs - 1)), "INTA set several ISR bits");
				if (gs)
					FUZZ_CHECK(vector == (int)(before.c[1].base + __builtin_ctz(gs)),
						   "slave IR %d in service, vector %d", __builtin_ctz(gs),
						   vector);
				else if (gm && __builtin_ctz(gm) != 2)
					FUZZ_CHECK(vector == (int)(before.c[0].base + __builtin_ctz(gm)),
						   "master IR %d in service, vector %d", __builtin_ctz(gm),
						   vector);
				if (!vpic_intr_pending(vm) && !before.intr)
					FUZZ_CHECK(gained == 0, "spurious INTA set ISR");
			}
		}
		FUZZ_CHECK(after.intr == (unsigned)vpic_intr_pending(vm), "dump intr vs pending");
		if (after.intr && !before.intr)
			FUZZ_CHECK(vm->kicks[0] > kicks0, "INTR rose without a kick");
		FUZZ_CHECK((after.c[0].elcr & ~0xf8u) == 0 && (after.c[1].elcr & ~0xdeu) == 0,
			   "ELCR %02x %02x", after.c[0].elcr, after.c[1].elcr);
		for (unsigned pin = 0; pin < VPIC_NR_PINS; pin++) {
			if (pin == 2)
				continue;
			FUZZ_CHECK(!!(after.c[pin / 8].input & BIT(pin % 8)) == (shadow_line[pin] != 0),
				   "pin %u input %u, sources %llx", pin,
				   !!(after.c[pin / 8].input & BIT(pin % 8)),
				   (unsigned long long)shadow_line[pin]);
		}
	}
	vpic_destroy(vm);
	stub_vm_free(vm);
	return 0;
}
