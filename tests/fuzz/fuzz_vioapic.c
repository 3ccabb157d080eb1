/* SPDX-License-Identifier: MIT */
/*
 * The virtual I/O APIC (irq/vioapic.c) against the recording fake vLAPIC
 * (tests/unit/fake_lapic.c). Operations: MMIO reads/writes of every size
 * at IOREGSEL, IOWIN, EOI and elsewhere (with redirection entries built
 * from a few vectors so EOIs meet them), vioapic_set_irq by any source,
 * vioapic_eoi, and changing what lapic_deliver answers (accepted by 1 or 2,
 * by nobody, error). An irq_ack_notify hook may release the resampler
 * source (as a resample doorbell does). State is read from vioapic_dump().
 *
 * Invariants (82093AA datasheet, irq/vioapic.h, docs/irq-pic-ioapic.md):
 *  - Remote IRR is only ever set on a level-triggered fixed/lowest-priority
 *    entry (a write making the entry edge clears it), and only gained by a
 *    level delivery of that entry's vector that a vLAPIC accepted;
 *  - only writable RTE bits (and Remote IRR) are ever set;
 *  - each pin's line is the OR of its sources (shadowed here);
 *  - every message is: no shorthand, src_vcpu -1, assert, never a reserved
 *    delivery mode (3, 6), level only for fixed/lowest, and it matches an
 *    unmasked pin's entry (vector, destination, mode); vioapic_set_irq on an
 *    edge pin delivers only on an asserting edge, on a level pin only when
 *    asserted without Remote IRR; its return is 1 exactly when a delivery
 *    in that call was accepted;
 *  - vioapic_eoi(v) notifies exactly the pins whose entry has vector v and
 *    is level or had Remote IRR, and leaves Remote IRR set on such a pin
 *    only when it re-delivered it;
 *  - IOWIN reads give ID/VER(0x170020)/ARB/RTE halves as the dump says,
 *    0 elsewhere; bad sizes are -TERN_EINVAL, odd accesses read 0.
 */
#include <stdio.h>

#include <tern/errno.h>
#include <tern/hypercall.h>
#include "irq/irq_source.h"
#include "irq/vioapic.h"
#include "tests/fuzz/fuzz.h"
#include "tests/unit/fake_lapic.h"
#include "tests/unit/stub_kernel.h"

#define MAX_OPS 300
#define NPINS   VIOAPIC_NR_PINS

#define RTE_VEC(r)    ((unsigned)((r) & 0xff))
#define RTE_DM(r)     ((unsigned)(((r) >> 8) & 7))
#define RTE_LOGICAL   (1ull << 11)
#define RTE_DS        (1ull << 12)
#define RTE_LOW       (1ull << 13)
#define RTE_RIRR      (1ull << 14)
#define RTE_LEVEL     (1ull << 15)
#define RTE_MASK      (1ull << 16)
#define RTE_WRITABLE  (0xffull | (7ull << 8) | RTE_LOGICAL | RTE_LOW | RTE_LEVEL | RTE_MASK | \
		       (0xffull << 56))

struct io_state {
	unsigned id, ioregsel;
	u64 rte[NPINS];
	u64 line[NPINS];
};

static struct vm *vm;
static irq_line_state_t shadow[NPINS];
static bool resample_hook;

static bool is_level(u64 rte)
{
	return (rte & RTE_LEVEL) && (RTE_DM(rte) == 0 || RTE_DM(rte) == 1);
}

static bool asserted(u64 line, u64 rte)
{
	return (line != 0) != !!(rte & RTE_LOW);
}

static void read_state(struct io_state *s)
{
	static char buf[8192];
	const char *p;

	for (unsigned i = 0; i < NPINS; i++) {
		s->rte[i] = RTE_MASK;
		s->line[i] = 0;
	}
	vioapic_dump(vm, buf, sizeof(buf));
	FUZZ_CHECK(sscanf(buf, "ioapic: id=%u ioregsel=%x", &s->id, &s->ioregsel) == 2,
		   "dump header: %s", buf);
	for (p = strstr(buf, "ioapic pin"); p; p = strstr(p + 1, "ioapic pin")) {
		unsigned pin;
		unsigned long long rte, line;
		const char *l = strstr(p, "line=");

		FUZZ_CHECK(sscanf(p, "ioapic pin %u: rte=%llx", &pin, &rte) == 2 && pin < NPINS &&
			   l && sscanf(l, "line=%llx", &line) == 1, "dump pin line: %.80s", p);
		s->rte[pin] = rte;
		s->line[pin] = line;
	}
}

static void ack_hook(struct vm *v, unsigned irqchip, unsigned pin)
{
	FUZZ_CHECK(irqchip == TERN_IRQCHIP_IOAPIC && pin < NPINS, "ack %u/%u", irqchip, pin);
	if (!resample_hook)
		return;
	irq_line_update(&shadow[pin], IRQ_SOURCE_RESAMPLER, 0);
	FUZZ_CHECK(vioapic_set_irq(v, pin, IRQ_SOURCE_RESAMPLER, 0) >= 0, "resampler release");
}

static bool msg_matches(const struct lapic_irq *m, u64 rte)
{
	return m->vector == RTE_VEC(rte) && m->delivery_mode == RTE_DM(rte) &&
	       m->dest == (u32)(rte >> 56) && m->dest_logical == !!(rte & RTE_LOGICAL) &&
	       m->level_trigger == is_level(rte);
}

static u32 rte_half_value(struct fuzz_in *in)
{
	u8 b = fin_u8(in);
	static const unsigned dms[] = { 0, 1, 0, 1, 2, 4, 5, 7, 3, 6, 0, 0, 1, 4, 7, 0 };

	if (b == 0xff)
		return fin_u32(in);
	return (0x20u + (b & 7)) | dms[fin_u8(in) % 16] << 8 | (u32)(fin_u8(in) & 0x1b) << 11;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const u64 offsets[] = { 0x00, 0x10, 0x10, 0x40, 0x00, 0x10, 0x01, 0x02, 0x03, 0x11,
				       0x12, 0x13, 0x20, 0x30, 0x08, 0x14, 0x3c, 0x44, 0xffc, 0xff8,
				       0xfff, 0x1000, 0x40, 0x41 };
	struct fuzz_in in = { data, size };
	struct io_state before, after;
	int deliver_ret = 1;

	fake_lapic_reset();
	vm = stub_vm_new(2);
	if (!vm || vioapic_create(vm))
		abort();
	memset(shadow, 0, sizeof(shadow));
	resample_hook = fin_u8(&in) & 1;
	for (unsigned op = 0; op < MAX_OPS && fin_more(&in); op++) {
		unsigned kind = fin_u8(&in) % 8;
		int setirq_pin = -1, eoi_vec = -1, ret = 0;
		bool was_asserted = false;

		read_state(&before);
		fake_lapic_reset();
		fake_lapic.deliver_ret = deliver_ret;
		fake_lapic.ack_hook = ack_hook;
		if (kind <= 3) {                  /* MMIO */
			u8 o = fin_u8(&in);
			u64 off = o == 0xff ? fin_u64(&in) : o == 0xfe ? fin_u16(&in) & 0xfff
								   : offsets[o % 24];
			unsigned sz = fin_size(&in, true);
			bool write = kind != 3;
			u64 val;
			int rc;

			if (off == 0 && write)
				val = fin_u8(&in) & 1 ? fin_u8(&in) : fin_u8(&in) % 0x40;
			else if (off == 0x40)
				val = 0x20 + (fin_u8(&in) % 10);
			else
				val = rte_half_value(&in) | (u64)rte_half_value(&in) << 32;
			if (write && off == 0x40 && sz != 3 && sz != 0)
				eoi_vec = (int)(val & 0xff);   /* a write at the EOI register's byte 0 */
			rc = vioapic_mmio(vm, 0, off, sz, write, &val);
			FUZZ_CHECK(rc == ((sz == 1 || sz == 2 || sz == 4 || sz == 8) ? 0 : -TERN_EINVAL),
				   "mmio size %u rc %d", sz, rc);
			if (!rc && !write && sz == 4 && off == 0x10) {
				unsigned r = before.ioregsel;
				u64 want = 0;

				if (r == 0 || r == 2)
					want = (u64)before.id << 24;
				else if (r == 1)
					want = 0x00170020;
				else if (r >= 0x10 && r < 0x10 + 2 * NPINS)
					want = (u32)(before.rte[(r - 0x10) / 2] >> (32 * ((r - 0x10) & 1)));
				FUZZ_CHECK(val == want, "IOWIN[%02x] read 0x%llx, want 0x%llx", r,
					   (unsigned long long)val, (unsigned long long)want);
			}
			if (!rc && !write && (off >= 0x1000 || (off >= 0x20 && off < 0x1000 && sz <= 4 &&
			    (off & ~3ull) != 0x00 && (off & ~3ull) != 0x10)))
				FUZZ_CHECK(val == 0, "read 0x%llx at 0x%llx", (unsigned long long)val,
					   (unsigned long long)off);
		} else if (kind <= 5) {           /* set_irq */
			u8 b = fin_u8(&in);
			unsigned pin = b & 0x80 ? fin_u8(&in) : b % NPINS;
			unsigned src = fin_u8(&in);
			int level = fin_u8(&in) & 1;

			src = (src & 0x80) ? src : src % 4;
			if (resample_hook && src == 3)
				src = IRQ_SOURCE_RESAMPLER;
			if (pin < NPINS)
				was_asserted = asserted(shadow[pin], before.rte[pin]);
			ret = vioapic_set_irq(vm, pin, src, level);
			if (pin >= NPINS || src >= IRQ_SOURCE_ID_MAX) {
				FUZZ_CHECK(ret == -TERN_EINVAL, "set_irq(%u, %u) = %d", pin, src, ret);
			} else {
				irq_line_update(&shadow[pin], src, level);
				FUZZ_CHECK(ret == 0 || ret == 1, "set_irq = %d", ret);
				setirq_pin = (int)pin;
			}
		} else if (kind == 6) {           /* broadcast EOI */
			eoi_vec = 0x20 + (fin_u8(&in) % 10);
			vioapic_eoi(vm, (u8)eoi_vec);
		} else {
			static const int rets[] = { 1, 1, 0, 2, -TERN_EINVAL, 1 };

			deliver_ret = rets[fin_u8(&in) % 6];
		}

		read_state(&after);
		for (unsigned pin = 0; pin < NPINS; pin++) {
			u64 r = after.rte[pin];

			FUZZ_CHECK((r & ~(RTE_WRITABLE | RTE_RIRR)) == 0, "pin %u rte %016llx", pin,
				   (unsigned long long)r);
			FUZZ_CHECK(!(r & RTE_RIRR) || is_level(r),
				   "pin %u: Remote IRR on an edge entry %016llx", pin, (unsigned long long)r);
			FUZZ_CHECK(after.line[pin] == shadow[pin], "pin %u line %llx, sources %llx", pin,
				   (unsigned long long)after.line[pin], (unsigned long long)shadow[pin]);
			if ((r & RTE_RIRR) && !(before.rte[pin] & RTE_RIRR)) {
				bool found = false;

				for (unsigned i = 0; i < fake_lapic.deliver_calls && i < FAKE_LAPIC_LOG; i++)
					found |= fake_lapic.delivered[i].level_trigger &&
						 fake_lapic.delivered[i].vector == RTE_VEC(r);
				FUZZ_CHECK(found && deliver_ret > 0, "pin %u gained Remote IRR without an "
					   "accepted level delivery", pin);
			}
		}
		for (unsigned i = 0; i < fake_lapic.deliver_calls && i < FAKE_LAPIC_LOG; i++) {
			const struct lapic_irq *m = &fake_lapic.delivered[i];
			bool match = false;

			FUZZ_CHECK(m->shorthand == 0 && m->src_vcpu == -1 && m->assert &&
				   m->delivery_mode != 3 && m->delivery_mode != 6 &&
				   (!m->level_trigger || m->delivery_mode <= 1), "bad message dm %u",
				   m->delivery_mode);
			for (unsigned pin = 0; pin < NPINS; pin++)
				match |= !(after.rte[pin] & RTE_MASK) && msg_matches(m, after.rte[pin]);
			FUZZ_CHECK(match, "message vector 0x%x matches no unmasked pin", m->vector);
		}
		if (setirq_pin >= 0) {
			u64 r = before.rte[setirq_pin];
			bool now = asserted(shadow[setirq_pin], r);
			bool delivered = fake_lapic.deliver_calls > 0;

			/* (the resampler hook never runs from set_irq: no EOI there) */
			if (delivered) {
				FUZZ_CHECK(!(r & RTE_MASK), "masked pin %d delivered", setirq_pin);
				if (is_level(r))
					FUZZ_CHECK(now && !(r & RTE_RIRR), "level pin %d delivered "
						   "(asserted %d, rte %016llx)", setirq_pin, now,
						   (unsigned long long)r);
				else
					FUZZ_CHECK(now && !was_asserted, "edge pin %d delivered without "
						   "an asserting edge", setirq_pin);
			}
			FUZZ_CHECK(ret == (delivered && deliver_ret > 0 &&
				   RTE_DM(r) != 3 && RTE_DM(r) != 6),
				   "set_irq(%d) returned %d (delivered %d, lapic says %d)", setirq_pin,
				   ret, delivered, deliver_ret);
		}
		if (eoi_vec >= 0) {
			unsigned want = 0, got = 0;

			for (unsigned pin = 0; pin < NPINS; pin++) {
				u64 r = before.rte[pin];

				if (RTE_VEC(r) == (unsigned)eoi_vec && (is_level(r) || (r & RTE_RIRR)))
					want |= 1u << pin;
			}
			for (unsigned i = 0; i < fake_lapic.ack_calls && i < FAKE_LAPIC_LOG; i++)
				got |= 1u << fake_lapic.acks[i].pin;
			FUZZ_CHECK(got == want, "EOI 0x%x notified %06x, want %06x", eoi_vec, got, want);
			for (unsigned pin = 0; pin < NPINS; pin++)
				if ((want & (1u << pin)) && (after.rte[pin] & RTE_RIRR))
					FUZZ_CHECK(fake_lapic.deliver_calls > 0 &&
						   asserted(shadow[pin], after.rte[pin]),
						   "pin %u kept Remote IRR after EOI", pin);
		}
	}
	vioapic_destroy(vm);
	stub_vm_free(vm);
	return 0;
}
