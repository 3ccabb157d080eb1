/* SPDX-License-Identifier: MIT */
/*
 * The whole interrupt stack with no fakes: vPIC + vIOAPIC + 2 vLAPICs +
 * MSI + GSI routing + doorbells (as tests/unit/test_irq_chips.c wires them).
 * Operations: device-side set_irq on the PC GSIs by several sources, doorbell
 * assign (plain and RESAMPLE) / ring / deassign, guest-side programming of
 * the vPIC (ports), vIOAPIC (MMIO, redirection entries built from a few
 * vectors) and vLAPICs (MMIO: TPR, SVR, LINT0, EOI, ICR), routing updates
 * (the default table, MSI routes), and vCPU entries that inject like
 * arch/x86 does: the vLAPIC's pending vector, else an ExtINT through
 * vpic_intr_ack when LINT0 takes it; then the guest EOIs (vLAPIC, and for
 * vPIC vectors a non-specific EOI to the chip(s)).
 *
 * What it looks for: memory errors and UB across the models' calls into
 * each other (EOI -> vioapic_eoi -> irq_ack_notify -> resampler -> set_irq
 * -> re-delivery), self-deadlock on a lock taken against the lock order
 * (a hang is a libFuzzer timeout), and these invariants:
 *  - no vector 0-15 in any vLAPIC's IRR or ISR; PPR follows the SDM formula;
 *  - vIOAPIC Remote IRR only on level fixed/lowest entries;
 *  - every call returns what its header allows.
 */
#include <tern/errno.h>
#include <tern/hypercall.h>
#include "irq/doorbell.h"
#include "irq/irq_source.h"
#include "irq/routing.h"
#include "irq/vioapic.h"
#include "irq/vlapic.h"
#include "irq/vpic.h"
#include "tests/fuzz/fuzz.h"
#include "tests/unit/stub_kernel.h"

#define NR_VCPUS 2
#define MAX_OPS  200
#define MAX_DB   16

static struct vm *vm;

static u32 page_reg(unsigned cpu, unsigned off)
{
	u32 v;

	memcpy(&v, (const u8 *)vlapic_regs_page(vm, cpu) + off, 4);
	return v;
}

static int highest_isr(unsigned cpu)
{
	for (int w = 7; w >= 0; w--) {
		u32 bits = page_reg(cpu, APIC_REG_ISR + (unsigned)w * 16);

		if (bits)
			return w * 32 + 31 - __builtin_clz(bits);
	}
	return -1;
}

static void check_state(void)
{
	static char buf[8192];
	const char *p;

	for (unsigned c = 0; c < NR_VCPUS; c++) {
		unsigned tpr = page_reg(c, APIC_REG_TPR) & 0xff;
		int isrv = highest_isr(c);
		unsigned cls = isrv < 0 ? 0 : (unsigned)isrv & 0xf0;

		FUZZ_CHECK((page_reg(c, APIC_REG_IRR) & 0xffff) == 0 &&
			   (page_reg(c, APIC_REG_ISR) & 0xffff) == 0, "cpu %u: vector < 16 pending", c);
		FUZZ_CHECK(vlapic_ppr(vm, c) == ((tpr >> 4) >= (cls >> 4) ? tpr : cls), "cpu %u PPR", c);
	}
	vioapic_dump(vm, buf, sizeof(buf));
	for (p = strstr(buf, "ioapic pin"); p; p = strstr(p + 1, "ioapic pin")) {
		unsigned pin;
		unsigned long long rte;

		FUZZ_CHECK(sscanf(p, "ioapic pin %u: rte=%llx", &pin, &rte) == 2, "dump");
		if (rte & (1ull << 14))
			FUZZ_CHECK((rte & (1ull << 15)) && ((rte >> 8) & 7) <= 1,
				   "pin %u: Remote IRR on a non-level entry %016llx", pin, rte);
	}
}

/* A vCPU entry and the guest's handler: inject, then EOI. */
static void run_vcpu(unsigned cpu, bool eoi)
{
	int vec = vlapic_pending_vector(vm, cpu);
	u64 zero = 0;

	if (vec >= 0) {
		FUZZ_CHECK(vec >= 16 && vec <= 255, "pending %d", vec);
		vlapic_accept_vector(vm, cpu, (u8)vec);
		if (eoi)
			FUZZ_CHECK(vlapic_mmio(vm, cpu, APIC_REG_EOI, 4, true, &zero) == 0, "eoi");
		return;
	}
	if (cpu == 0 && vpic_intr_pending(vm) && vlapic_accepts_extint(vm, 0)) {
		vec = vpic_intr_ack(vm);
		FUZZ_CHECK(vec >= 0 && vec <= 255, "INTA %d", vec);
		if (eoi) {
			u32 ocw2 = 0x20;

			if (vec >= 0x70 && vec < 0x78)
				FUZZ_CHECK(vpic_pio(vm, 0, 0xa0, 1, false, &ocw2) == 0, "slave eoi");
			ocw2 = 0x20;
			FUZZ_CHECK(vpic_pio(vm, 0, 0x20, 1, false, &ocw2) == 0, "master eoi");
		}
	}
}

static void set_default_like_routing(struct fuzz_in *in)
{
	struct tern_irq_routing_entry e[40];
	u32 n = 0;

	memset(e, 0, sizeof(e));
	for (u32 gsi = 0; gsi < 24 && n < 38; gsi++) {
		if (gsi == 2)
			continue;
		if (gsi < 16) {
			e[n].gsi = gsi;
			e[n].type = TERN_IRQ_ROUTING_IRQCHIP;
			e[n].u.irqchip.irqchip = gsi < 8 ? TERN_IRQCHIP_PIC_MASTER : TERN_IRQCHIP_PIC_SLAVE;
			e[n].u.irqchip.pin = gsi % 8;
			n++;
		}
		e[n].gsi = gsi;
		e[n].type = TERN_IRQ_ROUTING_IRQCHIP;
		e[n].u.irqchip.irqchip = TERN_IRQCHIP_IOAPIC;
		e[n].u.irqchip.pin = gsi ? gsi : 2;
		n++;
	}
	/* a few MSI GSIs */
	for (unsigned i = 0; i < 2 && n < 40; i++, n++) {
		e[n].gsi = 30 + i;
		e[n].type = TERN_IRQ_ROUTING_MSI;
		e[n].u.msi.address_lo = 0xfee00000u | (u32)(fin_u8(in) % 3) << 12;
		e[n].u.msi.data = 0x40u + fin_u8(in) % 8 + ((fin_u8(in) & 1) ? 0x8000 : 0);
	}
	FUZZ_CHECK(irq_set_routing(vm, e, n, 0) == 0, "routing update refused");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const u8 gsis[] = { 0, 1, 3, 4, 5, 8, 9, 10, 11, 12, 14, 15, 16, 19, 23, 30, 31 };
	struct fuzz_in in = { data, size };
	u32 dbs[MAX_DB];
	unsigned nr_dbs = 0;

	vm = stub_vm_new(NR_VCPUS);
	if (!vm)
		abort();
	for (unsigned i = 0; i < NR_VCPUS; i++) {
		u64 svr = APIC_SVR_ENABLE | 0xff;

		if (vlapic_create(vm, i) || vlapic_mmio(vm, i, APIC_REG_SVR, 4, true, &svr))
			abort();
	}
	if (vpic_create(vm) || vioapic_create(vm) || irq_routing_init_default(vm))
		abort();
	for (unsigned op = 0; op < MAX_OPS && fin_more(&in); op++) {
		switch (fin_u8(&in) % 12) {
		case 0: case 1: {     /* a device drives a line */
			u32 gsi = gsis[fin_u8(&in) % sizeof(gsis)];
			unsigned src = fin_u8(&in) % 4;
			int rc = set_irq(vm, src, gsi, fin_u8(&in) & 1);

			FUZZ_CHECK(rc >= 0 || rc == -TERN_ENOENT || rc == -TERN_EINVAL, "set_irq %d", rc);
			break;
		}
		case 2: {             /* vPIC programming */
			static const u16 ports[] = { 0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1 };
			static const u8 vals[] = { 0x11, 0x08, 0x70, 0x04, 0x02, 0x01, 0x00, 0xfb, 0xff,
						   0x20, 0x60, 0x0b, 0x0c, 0x0a, 0x20, 0x00 };
			u32 v = fin_u8(&in);
			u16 port = ports[fin_u8(&in) % 6];

			if (v < 0xc0)
				v = vals[v % 16];
			FUZZ_CHECK(vpic_pio(vm, 0, port, 1, fin_u8(&in) % 4 == 0, &v) == 0, "vpic_pio");
			break;
		}
		case 3: {             /* vIOAPIC redirection entry */
			u8 b = fin_u8(&in);
			unsigned pin = b % 24;
			u64 sel = 0x10 + 2 * pin, lo;

			lo = (0x30u + (fin_u8(&in) % 8)) | (u64)(fin_u8(&in) & 1) << 8 |
			     (u64)(fin_u8(&in) & 0x1b) << 11;   /* logical, low, level, masked */
			FUZZ_CHECK(vioapic_mmio(vm, 0, 0, 4, true, &sel) == 0, "ioregsel");
			FUZZ_CHECK(vioapic_mmio(vm, 0, 0x10, 4, true, &lo) == 0, "iowin");
			if (b & 0x80) {
				u64 hi = (u64)(fin_u8(&in) % 4) << 24;

				sel++;
				FUZZ_CHECK(vioapic_mmio(vm, 0, 0, 4, true, &sel) == 0, "ioregsel");
				FUZZ_CHECK(vioapic_mmio(vm, 0, 0x10, 4, true, &hi) == 0, "iowin hi");
			}
			break;
		}
		case 4: {             /* vLAPIC programming */
			static const u16 regs[] = { APIC_REG_TPR, APIC_REG_SVR, APIC_REG_LVT_LINT0,
						    APIC_REG_EOI, APIC_REG_ICR_LO, APIC_REG_LDR,
						    APIC_REG_DFR, APIC_REG_ICR_HI };
			unsigned cpu = fin_u8(&in) % NR_VCPUS;
			u16 reg = regs[fin_u8(&in) % 8];
			u64 v = fin_u8(&in);

			if (reg == APIC_REG_SVR)
				v = 0xffu | (v & 1 ? APIC_SVR_ENABLE : 0);
			else if (reg == APIC_REG_LVT_LINT0)
				v = (v & 1) ? 0x700u : (v & 2) ? 0x10700u : 0x10000u;
			else if (reg == APIC_REG_ICR_LO)
				v = (0x30u + (v & 0xf)) | (u32)(fin_u8(&in) & 0xcf) << 8 |
				    (u32)(fin_u8(&in) & 3) << 18;
			else if (reg == APIC_REG_LDR || reg == APIC_REG_ICR_HI)
				v <<= 24;
			else if (reg == APIC_REG_DFR)
				v = (v & 1) ? 0xffffffffu : 0x0fffffffu;
			FUZZ_CHECK(vlapic_mmio(vm, cpu, reg, 4, true, &v) == 0, "vlapic_mmio");
			break;
		}
		case 5: case 6:       /* vCPU entries */
			run_vcpu(fin_u8(&in) % NR_VCPUS, fin_u8(&in) % 4 != 0);
			break;
		case 7: {             /* doorbell assign */
			u32 gsi = gsis[fin_u8(&in) % sizeof(gsis)];
			u8 f = fin_u8(&in);
			int id = doorbell_assign(vm, gsi, (f & 1) ? TERN_DOORBELL_FLAG_RESAMPLE : 0,
						 (f & 1) ? 1 + (f >> 4) % 3 : 0);

			FUZZ_CHECK(id > 0 || id == -TERN_ENOSPC, "assign %d", id);
			if (id > 0 && nr_dbs < MAX_DB)
				dbs[nr_dbs++] = (u32)id;
			break;
		}
		case 8: case 9:       /* doorbell ring */
			if (nr_dbs) {
				int rc = doorbell_ring(vm, dbs[fin_u8(&in) % nr_dbs]);

				FUZZ_CHECK(rc == 0 || rc == 1 || rc == -TERN_ENOENT, "ring %d", rc);
			}
			break;
		case 10:              /* doorbell deassign */
			if (nr_dbs) {
				unsigned k = fin_u8(&in) % nr_dbs;
				int rc = doorbell_deassign(vm, dbs[k]);

				FUZZ_CHECK(rc == 0 || rc == -TERN_ENOENT, "deassign %d", rc);
			}
			break;
		default:              /* a routing update: PC wiring plus two MSI GSIs */
			if (fin_u8(&in) % 4 == 0)
				set_default_like_routing(&in);
			else
				vioapic_eoi(vm, (u8)(0x30 + fin_u8(&in) % 8));
			break;
		}
		check_state();
	}
	irq_routing_destroy(vm);
	vioapic_destroy(vm);
	vpic_destroy(vm);
	for (unsigned i = 0; i < NR_VCPUS; i++)
		vlapic_destroy(vm, i);
	stub_vm_free(vm);
	return 0;
}
