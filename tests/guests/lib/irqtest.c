/* SPDX-License-Identifier: MIT */
/* Interrupt helpers for test guests (lib/irqtest.h). */
#include "kernel/lib/string.h"
#include "lib/cpu.h"
#include "lib/io.h"
#include "lib/irqtest.h"
#include "lib/smp.h"
#include "lib/x86.h"

#define GATE_INTERRUPT_32  0x8e
#define IRQ_STUB_STRIDE    16
#define IOAPIC_REGSEL      0x00
#define IOAPIC_WIN         0x10
#define IOAPIC_REDIR(pin)  (0x10 + 2 * (pin))
#define PIC_EOI            0x20
#define DEFAULT_TSC_PER_MS 1000000ull

struct idt_gate {
	u16 offset_lo;
	u16 selector;
	u8 zero;
	u8 type;
	u16 offset_hi;
} __packed;

struct idt_desc {
	u16 limit;
	u32 base;
} __packed;

extern const char irqtest_stubs[];

static struct idt_gate idt[256] __aligned(8);
static u8 eoi_mode[256];
volatile u32 irq_count[256];
volatile u64 irq_tsc[256];
volatile int irq_last = -1;
volatile u32 irq_total;
volatile u32 irq_count_cpu[SMP_MAX_CPUS][256];
static bool initialized;

static void set_gate(unsigned v)
{
	u32 addr = (u32)(uintptr_t)irqtest_stubs + v * IRQ_STUB_STRIDE;

	idt[v] = (struct idt_gate){ (u16)addr, GUEST_CODE_SEL, 0, GATE_INTERRUPT_32,
				    (u16)(addr >> 16) };
}

void irq_init(bool nmi, enum irq_eoi_mode eoi)
{
	struct idt_desc old, desc = { sizeof(idt) - 1, (u32)(uintptr_t)idt };

	__asm__ __volatile__("sidt %0" : "=m"(old));
	memcpy(idt, (const void *)(uintptr_t)old.base, NR_EXCEPTIONS * sizeof(idt[0]));
	for (unsigned v = NR_EXCEPTIONS; v < 256; v++)
		set_gate(v);
	if (nmi)
		set_gate(VEC_NMI);
	for (unsigned v = 0; v < 256; v++)
		eoi_mode[v] = (u8)eoi;
	irq_reset_counts();
	__asm__ __volatile__("lidt %0" :: "m"(desc));
	initialized = true;
}

bool irq_initialized(void)
{
	return initialized;
}

void irq_set_eoi(unsigned vector, enum irq_eoi_mode eoi)
{
	eoi_mode[vector & 0xff] = (u8)eoi;
}

void irq_reset_counts(void)
{
	for (unsigned v = 0; v < 256; v++) {
		irq_count[v] = 0;
		irq_tsc[v] = 0;
		for (unsigned c = 0; c < SMP_MAX_CPUS; c++)
			irq_count_cpu[c][v] = 0;
	}
	irq_last = -1;
	irq_total = 0;
}

void irq_dispatch(u32 vector);

void irq_dispatch(u32 vector)
{
	vector &= 0xff;
	irq_tsc[vector] = rdtsc();
	irq_count_cpu[smp_cpu_id()][vector]++;
	__atomic_add_fetch(&irq_count[vector], 1, __ATOMIC_SEQ_CST);
	irq_last = (int)vector;
	__atomic_add_fetch(&irq_total, 1, __ATOMIC_SEQ_CST);
	switch (eoi_mode[vector]) {
	case IRQ_EOI_XAPIC:
		lapic_write(LAPIC_EOI, 0);
		break;
	case IRQ_EOI_X2APIC:
		wrmsr(MSR_X2APIC(LAPIC_EOI), 0);
		break;
	case IRQ_EOI_APIC:
		apic_eoi();
		break;
	case IRQ_EOI_PIC:
		outb(0xa0, PIC_EOI);
		outb(0x20, PIC_EOI);
		break;
	default:
		break;
	}
}

u64 tsc_per_ms(void)
{
	u32 khz = 0;

	if (cpuid(CPUID_HV_BASE).eax >= CPUID_HV_TSC_FREQ)
		khz = cpuid(CPUID_HV_TSC_FREQ).eax;
	return khz ? khz : DEFAULT_TSC_PER_MS;
}

bool irq_wait(unsigned vector, u32 n, u64 ticks)
{
	u64 start = rdtsc();
	bool ok;

	irq_enable();
	while (irq_count[vector] < n && rdtsc() - start < ticks)
		__asm__ __volatile__("pause");
	irq_disable();
	ok = irq_count[vector] >= n;
	return ok;
}

void irq_spin(u64 ticks)
{
	u64 start = rdtsc();

	irq_enable();
	while (rdtsc() - start < ticks)
		__asm__ __volatile__("pause");
	irq_disable();
}

bool irq_halt_until(bool (*done)(void), u64 ticks)
{
	u64 end = rdtsc() + ticks;
	bool ok;

	irq_disable();
	lapic_write(LAPIC_LVT_TIMER, IRQ_WATCHDOG_VECTOR | LVT_TSC_DEADLINE);
	wrmsr(MSR_TSC_DEADLINE, end);
	while (!done() && rdtsc() < end)
		__asm__ __volatile__("sti; hlt; cli" ::: "memory");   /* STI's shadow covers HLT */
	ok = done();
	wrmsr(MSR_TSC_DEADLINE, 0);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED);
	return ok;
}

u32 lapic_read(unsigned off)
{
	return mmio_read32(LAPIC_BASE + off);
}

void lapic_write(unsigned off, u32 val)
{
	mmio_write32(LAPIC_BASE + off, val);
}

void lapic_enable(void)
{
	lapic_write(LAPIC_SVR, APIC_SVR_ENABLE | 0xff);
	lapic_write(LAPIC_TPR, 0);
}

void ioapic_write_redir(unsigned pin, u32 lo, u32 hi)
{
	mmio_write32(IOAPIC_BASE + IOAPIC_REGSEL, IOAPIC_REDIR(pin) + 1);
	mmio_write32(IOAPIC_BASE + IOAPIC_WIN, hi);
	mmio_write32(IOAPIC_BASE + IOAPIC_REGSEL, IOAPIC_REDIR(pin));
	mmio_write32(IOAPIC_BASE + IOAPIC_WIN, lo);
}

u32 ioapic_read_redir_lo(unsigned pin)
{
	mmio_write32(IOAPIC_BASE + IOAPIC_REGSEL, IOAPIC_REDIR(pin));
	return mmio_read32(IOAPIC_BASE + IOAPIC_WIN);
}

void testdev_irq(unsigned n, int level)
{
	outb((u16)(TESTDEV_IRQ_PORT + n), (u8)(level != 0));
}

void pic_init(u8 master_base, u8 slave_base, u16 unmask)
{
	outb(0x20, 0x11);            /* ICW1: edge, cascade, ICW4 */
	outb(0x21, master_base);     /* ICW2 */
	outb(0x21, 0x04);            /* ICW3: slave on IR2 */
	outb(0x21, 0x01);            /* ICW4: 8086 */
	outb(0xa0, 0x11);
	outb(0xa1, slave_base);
	outb(0xa1, 0x02);
	outb(0xa1, 0x01);
	outb(0x21, (u8)~unmask);
	outb(0xa1, (u8)~(unmask >> 8));
}
