/* SPDX-License-Identifier: MIT */
/*
 * The vLAPIC (irq/vlapic.c) with the real delivery path (lapic_deliver.c,
 * msi.c) across 2-4 vCPUs; vioapic_eoi is the recording fake
 * (tests/unit/fake_ioapic.c). Operations: xAPIC MMIO reads/writes of any
 * size and offset, RDMSR/WRMSR of IA32_APIC_BASE, TSC_DEADLINE and the
 * x2APIC range (mode switches included), lapic_deliver with arbitrary
 * messages, msi_deliver, vlapic_set_intr, a vCPU "entry" (pending vector ->
 * accept), EOIs, CR8, INIT/power-on resets, event consumption, and timer
 * checks with a fake clock that only moves forward.
 *
 * Invariants (SDM vol. 3 ch. 10 / 11 and irq/vlapic.h), from the
 * architectural register page (vlapic_regs_page) after every operation:
 *  - no vector 0-15 is ever set in IRR or ISR (illegal vectors are refused);
 *  - PPR (vlapic_ppr, and the PPR register as an xAPIC MMIO read returns
 *    it) = TPR when TPR[7:4] >= ISRV[7:4], else ISRV[7:4]:0;
 *  - vlapic_pending_vector is the highest IRR vector when its class is
 *    above PPR's, else -1; accepting it moves it IRR -> ISR (also when
 *    vlapic_take_vector takes it in the same call, PPR then as recomputed);
 *  - an EOI retires the highest ISR vector and reaches vioapic_eoi with it
 *    exactly when its TMR bit was set; no vioapic_eoi happens otherwise;
 *    the direct x2APIC EOI (vlapic_x2apic_eoi) #GPs exactly where WRMSR
 *    0x80b would; an EOI after which a vector is deliverable that was not
 *    before kicks the vCPU;
 *  - vlapic_apicv_state reports the highest IRR/ISR vectors, the LVT
 *    timer and the mode, and its tmr_gen moves whenever the TMR did;
 *  - in x2APIC mode or hardware-disabled, MMIO reads give all ones;
 *    MMIO returns 0, MSR accesses 0 or -TERN_EINVAL;
 *  - lapic_deliver accepts on at most nr_vcpus vLAPICs, errors only with
 *    -TERN_EINVAL; msi_deliver likewise;
 *  - after vlapic_timer_check(now) the deadline is 0 or later than now;
 *    a CR8 write reads back (TPR = CR8 << 4).
 */
#include <tern/errno.h>
#include "irq/msi.h"
#include "irq/vlapic.h"
#include "tests/fuzz/fuzz.h"
#include "tests/unit/fake_ioapic.h"
#include "tests/unit/stub_kernel.h"

#define MAX_OPS 300
#define PRIO(v) ((unsigned)(v) >> 4)

static struct vm *vm;
static unsigned nr;
static u32 tmr_seen[4][8];    /* TMR words at the last vlapic_apicv_state of each vCPU */
static u32 tmr_gen_seen[4];

static u32 page_reg(unsigned cpu, unsigned off)
{
	const u8 *page = vlapic_regs_page(vm, cpu);
	u32 v;

	memcpy(&v, page + off, 4);
	return v;
}

static int highest(unsigned cpu, unsigned base)
{
	for (int w = 7; w >= 0; w--) {
		u32 bits = page_reg(cpu, base + (unsigned)w * 16);

		if (bits)
			return w * 32 + 31 - __builtin_clz(bits);
	}
	return -1;
}

static bool vec_bit(unsigned cpu, unsigned base, unsigned vec)
{
	return (page_reg(cpu, base + (vec / 32) * 16) >> (vec % 32)) & 1;
}

static unsigned expect_ppr(unsigned cpu)
{
	unsigned tpr = page_reg(cpu, APIC_REG_TPR) & 0xff;
	int isrv = highest(cpu, APIC_REG_ISR);
	unsigned isr_class = isrv < 0 ? 0 : (unsigned)isrv & 0xf0;

	return PRIO(tpr) >= PRIO(isr_class) ? tpr : isr_class;
}

static void check_cpu(unsigned cpu)
{
	FUZZ_CHECK((page_reg(cpu, APIC_REG_IRR) & 0xffff) == 0, "cpu %u IRR has vector < 16: %08x",
		   cpu, page_reg(cpu, APIC_REG_IRR));
	FUZZ_CHECK((page_reg(cpu, APIC_REG_ISR) & 0xffff) == 0, "cpu %u ISR has vector < 16: %08x",
		   cpu, page_reg(cpu, APIC_REG_ISR));
	FUZZ_CHECK(vlapic_ppr(vm, cpu) == expect_ppr(cpu), "cpu %u PPR %02x, TPR %02x ISRV %d", cpu,
		   vlapic_ppr(vm, cpu), page_reg(cpu, APIC_REG_TPR), highest(cpu, APIC_REG_ISR));
}

static const u16 reg_offsets[] = {
	APIC_REG_ID, APIC_REG_LVR, APIC_REG_TPR, APIC_REG_APR, APIC_REG_PPR, APIC_REG_EOI,
	APIC_REG_RRD, APIC_REG_LDR, APIC_REG_DFR, APIC_REG_SVR, APIC_REG_ISR, APIC_REG_ISR + 0x10,
	APIC_REG_TMR + 0x10, APIC_REG_IRR + 0x10, APIC_REG_ESR, APIC_REG_LVT_CMCI, APIC_REG_ICR_LO,
	APIC_REG_ICR_HI, APIC_REG_LVT_TIMER, APIC_REG_LVT_THERMAL, APIC_REG_LVT_PERF,
	APIC_REG_LVT_LINT0, APIC_REG_LVT_LINT1, APIC_REG_LVT_ERROR, APIC_REG_TMICT, APIC_REG_TMCCT,
	APIC_REG_TDCR, APIC_REG_SELF_IPI, APIC_REG_ICR_LO, APIC_REG_EOI, APIC_REG_SVR, APIC_REG_TPR,
};

/* A register value: mostly vectors 0x20-0x3f with flags, sometimes anything. */
static u32 pick_val(struct fuzz_in *in)
{
	u8 b = fin_u8(in);

	if (b >= 0xf0)
		return fin_u32(in);
	if (b >= 0xe0)
		return b & 0xf;   /* an illegal vector */
	return (0x20u + (b & 0x1f)) | (u32)fin_u8(in) << 8 | (u32)(fin_u8(in) & 0xf) << 16 |
	       (fin_u8(in) & 1 ? (u32)fin_u8(in) % 4 << 24 : 0);
}

static u64 pick_apic_base(struct fuzz_in *in, unsigned cpu)
{
	static const u64 modes[] = { APIC_BASE_EN, APIC_BASE_EN | APIC_BASE_EXTD, 0,
				     APIC_BASE_EXTD, APIC_BASE_EN };
	u8 b = fin_u8(in);

	if (b == 0xff)
		return fin_u64(in);
	return APIC_DEFAULT_BASE | modes[b % 5] | (cpu == 0 ? APIC_BASE_BSP : 0) |
	       ((b & 0x80) ? 0x1000 : 0);
}

static struct lapic_irq pick_msg(struct fuzz_in *in)
{
	static const u32 dests[] = { 0, 1, 2, 3, 0xff, 0xffffffff, 0x1, 0x2, 0x4, 0x8, 0x10001,
				     0xf, 0x10, 0x7 };
	u8 b = fin_u8(in);
	struct lapic_irq m = {
		.vector = (u8)(b >= 0xf0 ? b & 0xf : 0x20 + (b & 0x3f)),
		.delivery_mode = fin_u8(in) & 7,
		.shorthand = 0,
		.dest = dests[fin_u8(in) % 14],
	};
	u8 f = fin_u8(in);

	m.dest_logical = f & 1;
	m.level_trigger = f & 2;
	m.assert = !(f & 4);
	m.shorthand = (f >> 3) & 3;
	if ((f & 0xe0) == 0xe0)
		m.delivery_mode &= 1;   /* mostly fixed / lowest */
	m.src_vcpu = (f & 0x80) ? (int)(fin_u8(in) % (nr + 1)) - 1 : -1;
	return m;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };

	fake_ioapic_reset();
	nr = 2 + fin_u8(&in) % 3;
	vm = stub_vm_new(nr);
	if (!vm)
		abort();
	for (unsigned i = 0; i < nr; i++)
		if (vlapic_create(vm, i))
			abort();
	stub_clock = 1000000;
	memset(tmr_seen, 0, sizeof(tmr_seen));
	memset(tmr_gen_seen, 0, sizeof(tmr_gen_seen));
	for (unsigned i = 0; i < nr; i++) {
		struct vlapic_apicv_state st;

		vlapic_apicv_state(vm, i, &st);
		tmr_gen_seen[i] = st.tmr_gen;
	}
	for (unsigned op = 0; op < MAX_OPS && fin_more(&in); op++) {
		unsigned kind = fin_u8(&in) % 15;
		unsigned cpu = fin_u8(&in) % nr;
		unsigned eois_before = fake_ioapic.eoi_calls;
		unsigned kicks_before = vm->kicks[cpu];
		bool deliverable_before = vlapic_pending_vector(vm, cpu) >= 0;
		int eoi_expect = -2;    /* -2: this op is no EOI; -1: EOI without level vector */
		bool isr_tmr[4][256];

		for (unsigned c = 0; c < nr; c++)
			for (unsigned v = 0; v < 256; v++)
				isr_tmr[c][v] = vec_bit(c, APIC_REG_ISR, v) && vec_bit(c, APIC_REG_TMR, v);

		switch (kind) {
		case 0: case 1: {     /* MMIO write */
			u8 o = fin_u8(&in);
			u64 off = o >= 0xf0 ? fin_u16(&in) & 0x1fff : reg_offsets[o % 32];
			unsigned sz = fin_size(&in, true);
			u64 val = pick_val(&in);
			bool xapic = vlapic_hw_enabled(vm, cpu) && !vlapic_x2apic_mode(vm, cpu);

			if (off == APIC_REG_EOI && sz == 4 && xapic) {
				int top = highest(cpu, APIC_REG_ISR);

				eoi_expect = top >= 0 && vec_bit(cpu, APIC_REG_TMR, (unsigned)top) ? top : -1;
			}
			FUZZ_CHECK(vlapic_mmio(vm, cpu, off, sz, true, &val) == 0, "mmio write");
			break;
		}
		case 2: {             /* MMIO read */
			u8 o = fin_u8(&in);
			u64 off = o >= 0xf0 ? fin_u16(&in) & 0x1fff : reg_offsets[o % 32];
			unsigned sz = fin_size(&in, true);
			u64 val = 0x5a5a5a5a5a5a5a5aull;
			bool dead = !vlapic_hw_enabled(vm, cpu) || vlapic_x2apic_mode(vm, cpu);

			FUZZ_CHECK(vlapic_mmio(vm, cpu, off, sz, false, &val) == 0, "mmio read");
			if (dead)
				FUZZ_CHECK(val == (sz >= 8 ? ~0ull : (1ull << (8 * sz)) - 1),
					   "cpu %u: disabled/x2APIC MMIO read 0x%llx", cpu,
					   (unsigned long long)val);
			else if (off == APIC_REG_PPR && sz == 4)
				FUZZ_CHECK(val == expect_ppr(cpu), "cpu %u: PPR reads %02llx, want %02x",
					   cpu, (unsigned long long)val, expect_ppr(cpu));
			break;
		}
		case 3: {             /* WRMSR */
			u8 m = fin_u8(&in);
			u32 msr;
			u64 val;
			int rc;

			if (m < 0x30) {
				msr = MSR_IA32_APIC_BASE;
				val = pick_apic_base(&in, cpu);
			} else if (m < 0x40) {
				msr = MSR_IA32_TSC_DEADLINE;
				val = stub_clock + fin_u16(&in);
			} else {
				msr = m >= 0xf8 ? MSR_X2APIC_FIRST + fin_u8(&in)
						: APIC_MSR(reg_offsets[m % 32]);
				val = pick_val(&in);
				if (msr == APIC_MSR(APIC_REG_ICR_LO) && (m & 1))
					val |= (u64)(fin_u8(&in) % 5) << 32;
				if (msr == APIC_MSR(APIC_REG_EOI) && (m & 2))
					val = 0;
			}
			if (msr == APIC_MSR(APIC_REG_EOI) && val == 0 && vlapic_x2apic_mode(vm, cpu)) {
				int top = highest(cpu, APIC_REG_ISR);

				eoi_expect = top >= 0 && vec_bit(cpu, APIC_REG_TMR, (unsigned)top) ? top : -1;
			}
			if (msr == APIC_MSR(APIC_REG_EOI) && (m & 4)) {
				bool gp = !vlapic_x2apic_mode(vm, cpu) || val;

				rc = vlapic_x2apic_eoi(vm, cpu, val);
				FUZZ_CHECK(rc == (gp ? -TERN_EINVAL : 0), "direct x2APIC EOI rc %d", rc);
			} else {
				rc = vlapic_wrmsr(vm, cpu, msr, val);
			}
			FUZZ_CHECK(rc == 0 || rc == -TERN_EINVAL, "wrmsr rc %d", rc);
			break;
		}
		case 4: {             /* RDMSR */
			u8 m = fin_u8(&in);
			u32 msr = m < 0x20 ? MSR_IA32_APIC_BASE : m < 0x30 ? MSR_IA32_TSC_DEADLINE :
				  m >= 0xf8 ? MSR_X2APIC_FIRST + fin_u8(&in) : APIC_MSR(reg_offsets[m % 32]);
			u64 val;
			int rc = vlapic_rdmsr(vm, cpu, msr, &val);

			FUZZ_CHECK(rc == 0 || rc == -TERN_EINVAL, "rdmsr rc %d", rc);
			if (!rc && msr == APIC_MSR(APIC_REG_PPR))
				FUZZ_CHECK(val == expect_ppr(cpu), "x2APIC PPR %02llx", (unsigned long long)val);
			break;
		}
		case 5: {             /* lapic_deliver */
			struct lapic_irq m = pick_msg(&in);
			int rc = lapic_deliver(vm, &m);

			FUZZ_CHECK(rc == -TERN_EINVAL || (rc >= 0 && (unsigned)rc <= nr), "deliver %d", rc);
			break;
		}
		case 6: {             /* MSI */
			u32 lo = 0xfee00000u | (u32)(fin_u8(&in) % 6) << 12 | (fin_u8(&in) & 0xc);
			u32 data = pick_val(&in) & 0xffff;
			int rc;

			if (fin_u8(&in) == 0xff)
				lo = fin_u32(&in);
			rc = msi_deliver(vm, lo, 0, data);
			FUZZ_CHECK(rc == -TERN_EINVAL || (rc >= 0 && (unsigned)rc <= nr), "msi %d", rc);
			break;
		}
		case 7: {             /* vCPU entry: inject the pending vector */
			int irrv = highest(cpu, APIC_REG_IRR);
			unsigned ppr;
			int pend = vlapic_pending_vector(vm, cpu);

			ppr = expect_ppr(cpu);
			FUZZ_CHECK(pend == ((irrv >= 0 && PRIO(irrv) > PRIO(ppr)) ? irrv : -1),
				   "cpu %u pending %d, IRRV %d PPR %02x", cpu, pend, irrv, ppr);
			if (pend >= 0) {
				if (fin_u8(&in) & 1) {
					FUZZ_CHECK(vlapic_take_vector(vm, cpu, true) == pend, "take");
					FUZZ_CHECK(page_reg(cpu, APIC_REG_PPR) == expect_ppr(cpu),
						   "cpu %u PPR %02x after take, want %02x", cpu,
						   page_reg(cpu, APIC_REG_PPR), expect_ppr(cpu));
				} else {
					vlapic_accept_vector(vm, cpu, (u8)pend);
				}
				FUZZ_CHECK(!vec_bit(cpu, APIC_REG_IRR, (unsigned)pend) &&
					   vec_bit(cpu, APIC_REG_ISR, (unsigned)pend),
					   "accept %d did not move IRR->ISR", pend);
			}
			break;
		}
		case 8:               /* set_intr */
			vlapic_set_intr(vm, cpu, (u8)pick_val(&in), fin_u8(&in) & 1);
			break;
		case 9: {             /* timer */
			u64 now;

			stub_clock += fin_u8(&in) & 1 ? fin_u16(&in) : (u64)fin_u32(&in) >> 4;
			now = stub_clock;
			vlapic_timer_check(vm, cpu, now);
			{
				u64 d = vlapic_timer_deadline(vm, cpu);

				FUZZ_CHECK(d == 0 || d > now, "cpu %u deadline %llu <= now %llu after check",
					   cpu, (unsigned long long)d, (unsigned long long)now);
			}
			break;
		}
		case 10: {            /* CR8 */
			u8 cr8 = fin_u8(&in) & 0xf;

			vlapic_set_cr8(vm, cpu, cr8);
			FUZZ_CHECK(vlapic_get_cr8(vm, cpu) == cr8, "cr8");
			break;
		}
		case 11: {            /* events the vCPU loop consumes; INIT acts as a reset */
			u8 sipi;
			unsigned ev = vlapic_take_events(vm, cpu, &sipi);

			if (ev & VLAPIC_EV_INIT)
				vlapic_reset(vm, cpu, true);
			break;
		}
		case 12:
			if (fin_u8(&in) % 16 == 0)
				vlapic_reset(vm, cpu, fin_u8(&in) & 1);
			break;
		case 13: {            /* what APICv loads before an entry */
			struct vlapic_apicv_state st;
			bool tmr_moved = false;

			vlapic_apicv_state(vm, cpu, &st);
			FUZZ_CHECK(st.irr == highest(cpu, APIC_REG_IRR) &&
				   st.isr == highest(cpu, APIC_REG_ISR), "cpu %u apicv IRR/ISR %d/%d", cpu,
				   st.irr, st.isr);
			FUZZ_CHECK(st.enabled == vlapic_hw_enabled(vm, cpu) &&
				   st.x2apic == vlapic_x2apic_mode(vm, cpu) &&
				   st.base == vlapic_base(vm, cpu) &&
				   st.lvt_timer == page_reg(cpu, APIC_REG_LVT_TIMER), "cpu %u apicv mode", cpu);
			for (unsigned w = 0; w < 8; w++) {
				u32 t = page_reg(cpu, APIC_REG_TMR + w * 16);

				tmr_moved |= t != tmr_seen[cpu][w];
				tmr_seen[cpu][w] = t;
			}
			FUZZ_CHECK(!tmr_moved || st.tmr_gen != tmr_gen_seen[cpu],
				   "cpu %u TMR changed, tmr_gen did not", cpu);
			tmr_gen_seen[cpu] = st.tmr_gen;
			break;
		}
		default: {            /* EOI the clean way, whatever the mode */
			int top = highest(cpu, APIC_REG_ISR);

			if (!vlapic_hw_enabled(vm, cpu))
				break;
			eoi_expect = top >= 0 && vec_bit(cpu, APIC_REG_TMR, (unsigned)top) ? top : -1;
			if (vlapic_x2apic_mode(vm, cpu)) {
				FUZZ_CHECK((fin_u8(&in) & 1 ? vlapic_x2apic_eoi(vm, cpu, 0) :
					    vlapic_wrmsr(vm, cpu, APIC_MSR(APIC_REG_EOI), 0)) == 0, "x2 EOI");
			} else {
				u64 z = 0;

				FUZZ_CHECK(vlapic_mmio(vm, cpu, APIC_REG_EOI, 4, true, &z) == 0, "EOI");
			}
			if (top >= 0)
				FUZZ_CHECK(!vec_bit(cpu, APIC_REG_ISR, (unsigned)top) ||
					   highest(cpu, APIC_REG_ISR) != top,
					   "EOI left %d in service", top);
			break;
		}
		}
		/* vioapic_eoi only for a level vector that was in service. */
		for (unsigned i = eois_before; i < fake_ioapic.eoi_calls && i < FAKE_IOAPIC_LOG; i++) {
			u8 v = fake_ioapic.eoi_vectors[i];
			bool ok = false;

			for (unsigned c = 0; c < nr; c++)
				ok |= isr_tmr[c][v];
			FUZZ_CHECK(ok, "vioapic_eoi(0x%x) for a vector no vCPU had in service as level", v);
		}
		if (eoi_expect >= 0)
			FUZZ_CHECK(fake_ioapic.eoi_calls == eois_before + 1 &&
				   (eois_before >= FAKE_IOAPIC_LOG ||
				    fake_ioapic.eoi_vectors[eois_before] == eoi_expect),
				   "EOI of level vector 0x%x: %u vioapic_eoi calls", eoi_expect,
				   fake_ioapic.eoi_calls - eois_before);
		else if (eoi_expect == -1)
			FUZZ_CHECK(fake_ioapic.eoi_calls == eois_before, "EOI of an edge vector forwarded");
		if (eoi_expect != -2 && !deliverable_before && vlapic_pending_vector(vm, cpu) >= 0)
			FUZZ_CHECK(vm->kicks[cpu] != kicks_before,
				   "cpu %u: an EOI let a vector through without a kick", cpu);
		if (fake_ioapic.eoi_calls >= FAKE_IOAPIC_LOG)
			fake_ioapic_reset();
		for (unsigned c = 0; c < nr; c++)
			check_cpu(c);
	}
	for (unsigned i = 0; i < nr; i++)
		vlapic_destroy(vm, i);
	stub_vm_free(vm);
	return 0;
}
