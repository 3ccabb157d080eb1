/* SPDX-License-Identifier: MIT */
/*
 * AP start-up (SDM Vol. 3 9.4 "Multiple-Processor (MP) Initialization"):
 * the BSP reads the MADT, prepares every AP's stacks and tables, then
 * starts the APs one at a time with INIT, SIPI, SIPI through the
 * trampoline at TRAMPOLINE_PHYS and waits for each to come online.
 * One AP at a time: the trampoline's parameter block is shared, and an
 * AP that misses its deadline is put back to wait-for-SIPI with an INIT
 * before the next one starts.
 */
#include "arch/x86/smp.h"
#include "arch/x86/cpu.h"
#include "arch/x86/gdt.h"
#include "arch/x86/idt.h"
#include "arch/x86/ipi.h"
#include "arch/x86/paging.h"
#include "arch/x86/trampoline.h"
#include "arch/x86/x86.h"
#include "drivers/acpi_host.h"
#include "drivers/lapic_host.h"
#include "kernel/clock.h"
#include "kernel/config.h"
#include "kernel/lib/atomic.h"
#include "kernel/lib/string.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/percpu.h"
#include "kernel/rcu.h"
#include "kernel/smp_idle.h"

#define NO_APIC_ID   0xffffffffu
#define US_PER_MS    1000
#define CR3_MAX_32   (4 * GiB)   /* the trampoline loads CR3 from 32-bit code */

STATIC_ASSERT(offsetof(struct ap_boot_params, cr3) == TRAMP_P_CR3);
STATIC_ASSERT(offsetof(struct ap_boot_params, cr4) == TRAMP_P_CR4);
STATIC_ASSERT(offsetof(struct ap_boot_params, efer) == TRAMP_P_EFER);
STATIC_ASSERT(offsetof(struct ap_boot_params, cr0) == TRAMP_P_CR0);
STATIC_ASSERT(offsetof(struct ap_boot_params, stack_top) == TRAMP_P_STACK);
STATIC_ASSERT(offsetof(struct ap_boot_params, pcpu) == TRAMP_P_PCPU);
STATIC_ASSERT(offsetof(struct ap_boot_params, cpu) == TRAMP_P_CPU);
STATIC_ASSERT(sizeof(struct ap_boot_params) == TRAMP_P_SIZE);
STATIC_ASSERT(ACPI_HOST_MAX_CPUS == PCPU_MAX);

/* What an AP needs besides its stack: its GDT/TSS and IST stacks. */
struct ap_tables {
	struct gdt_cpu gdt;
	u8 ist[IST_COUNT][IST_STACK_SIZE] __aligned(16);
};

/* The handshake with the AP being started. */
enum ap_state { AP_STARTING, AP_ALIVE, AP_ONLINE, AP_FAILED, AP_ABANDONED };

static unsigned nr_cpus = 1;
static u32 ap_state;
static struct ap_tables *tables[PCPU_MAX];
static u64 stack_tops[PCPU_MAX];
static struct acpi_host_info acpi;
static u64 bsp_pat;   /* APs take the BSP's memory types, whatever firmware set */

unsigned smp_nr_cpus(void)
{
	return load_acquire(&nr_cpus);
}

unsigned smp_cpu_apic_id(unsigned cpu)
{
	if (cpu >= PCPU_MAX || !load_acquire(&pcpus[cpu].online))
		return NO_APIC_ID;
	return pcpus[cpu].apic_id;
}

static u64 us_to_ticks(u64 us)
{
	return clock_tsc_khz() * us / US_PER_MS;
}

static void delay_us(u64 us)
{
	u64 end = rdtsc() + us_to_ticks(us);

	while (rdtsc() < end)
		cpu_relax();
}

static struct ap_boot_params *boot_params(void)
{
	return phys_to_virt(TRAMPOLINE_PHYS + (u64)(ap_tramp_params - ap_tramp_start));
}

/* ---- on the AP ---- */

static int ap_setup(unsigned cpu)
{
	u64 ist_tops[IST_COUNT];
	int ret;

	for (unsigned i = 0; i < IST_COUNT; i++)
		ist_tops[i] = (u64)(uintptr_t)&tables[cpu]->ist[i][IST_STACK_SIZE];
	gdt_init_cpu(&tables[cpu]->gdt, ist_tops);
	idt_load();
	cpu_harden_this_cpu();   /* SMEP/SMAP: the trampoline set only CR4.PAE */
	wrmsr(MSR_IA32_PAT, bsp_pat);
	ret = lapic_init();
	if (ret)
		return ret;
	return percpu_init_cpu(cpu, lapic_id(), stack_tops[cpu]);
}

__noreturn void ap_main(unsigned cpu)
{
	u32 expected = AP_STARTING;

	/* Too late (the BSP gave up on us): stop without touching anything shared. */
	if (!atomic_cmpxchg(&ap_state, &expected, AP_ALIVE))
		cpu_halt_forever();
	if (ap_setup(cpu)) {
		store_release(&ap_state, AP_FAILED);
		cpu_halt_forever();
	}
	rcu_cpu_online(cpu);
	store_release(&ap_state, AP_ONLINE);
	smp_idle();
}

/* ---- on the BSP ---- */

/* Stacks (guard page unmapped) and tables for cpu, before any AP runs. */
static int prepare_cpu(unsigned cpu)
{
	u8 *stack = page_alloc(AP_STACK_ORDER);
	int ret;

	tables[cpu] = kzalloc(sizeof(struct ap_tables));
	if (!stack || !tables[cpu]) {
		if (stack)
			page_free(stack, AP_STACK_ORDER);
		kfree(tables[cpu]);
		tables[cpu] = NULL;
		return -TERN_ENOMEM;
	}
	/* an unmapped page is never freed: it would come back unmapped */
	ret = paging_unmap_page(virt_to_phys(stack));
	if (ret)
		return ret;
	stack_tops[cpu] = virt_to_phys(stack) + (PAGE_SIZE << AP_STACK_ORDER);
	return 0;
}

/* Copy the trampoline below 1 MiB and fill what is the same for every AP. */
static int install_trampoline(void)
{
	size_t size = (size_t)(ap_tramp_end - ap_tramp_start);
	struct ap_boot_params *p = boot_params();

	if (size > TRAMPOLINE_MAX || paging_root() >= CR3_MAX_32)
		return -TERN_ERANGE;
	memcpy(phys_to_virt(TRAMPOLINE_PHYS), ap_tramp_start, size);
	p->cr3 = (u32)paging_root();
	p->cr4 = (u32)CR4_PAE;
	p->efer = (u32)(rdmsr(MSR_IA32_EFER) & (EFER_LME | EFER_NXE));
	p->cr0 = (u32)read_cr0();
	bsp_pat = rdmsr(MSR_IA32_PAT);
	return 0;
}

/* Wait until the AP leaves state from, or the deadline passes. */
static u32 wait_state_change(u32 from, u64 timeout_us)
{
	u64 end = rdtsc() + us_to_ticks(timeout_us);
	u32 s;

	while ((s = load_acquire(&ap_state)) == from && rdtsc() < end)
		cpu_relax();
	return s;
}

/* INIT, then the SDM's two SIPIs with their delays. */
static int send_startup(u32 apic_id)
{
	int ret = lapic_send_init(apic_id);

	if (ret)
		return ret;
	delay_us(AP_INIT_DELAY_US);
	for (unsigned i = 0; i < 2; i++) {
		ret = lapic_send_sipi(apic_id, TRAMPOLINE_SIPI_PAGE);
		if (ret)
			return ret;
		delay_us(AP_SIPI_DELAY_US);
	}
	return 0;
}

/* An AP that did not make it: take the slot back and park it in wait-for-SIPI. */
static int abandon(unsigned cpu, u32 apic_id, const char *why)
{
	pr_warn("cpu%u (apic %u) %s: skipped", cpu, apic_id, why);
	if (lapic_send_init(apic_id))
		pr_warn("cpu%u (apic %u): cannot send INIT to stop it", cpu, apic_id);
	return -TERN_ETIMEDOUT;
}

/*
 * Start the AP with apic_id as cpu. Returns 0 once online; -TERN_ETIMEDOUT
 * when it never answered (cpu may be reused); -TERN_EIO when it answered
 * but failed or hung during set-up (cpu must not be reused).
 */
static int start_ap(unsigned cpu, u32 apic_id)
{
	struct ap_boot_params *p = boot_params();
	u32 expected = AP_STARTING, s;
	u64 t0;
	int ret;

	/*
	 * this_cpu() reads the self pointer through GS: valid before the AP's
	 * percpu_init_cpu(), so its first C lines (and an exception report) work.
	 */
	pcpus[cpu].self = &pcpus[cpu];
	pcpus[cpu].id = cpu;
	p->stack_top = stack_tops[cpu];
	p->pcpu = (u64)(uintptr_t)&pcpus[cpu];
	p->cpu = cpu;
	store_release(&ap_state, AP_STARTING);
	t0 = rdtsc();
	ret = send_startup(apic_id);
	if (ret) {
		pr_warn("cpu%u (apic %u): start-up IPI failed (error %d): skipped", cpu, apic_id, ret);
		return ret;
	}
	s = wait_state_change(AP_STARTING, AP_START_TIMEOUT_US);
	if (s == AP_STARTING && atomic_cmpxchg(&ap_state, &expected, AP_ABANDONED))
		return abandon(cpu, apic_id, "did not answer INIT-SIPI-SIPI");
	s = wait_state_change(AP_ALIVE, AP_START_TIMEOUT_US);
	if (s == AP_ONLINE) {
		pr_debug("cpu%u: online %llu us after its INIT", cpu,
			 (unsigned long long)((rdtsc() - t0) * US_PER_MS / clock_tsc_khz()));
		return 0;
	}
	abandon(cpu, apic_id, s == AP_FAILED ? "failed its set-up" : "hung in its set-up");
	return -TERN_EIO;
}

static void report_madt(void)
{
	pr_info("ACPI MADT: %u CPUs enabled, %u disabled, %u beyond tern's %u; LAPIC at 0x%llx, %u I/O APIC(s)",
		acpi.nr_cpus, acpi.nr_disabled, acpi.nr_dropped, (unsigned)PCPU_MAX,
		(unsigned long long)acpi.lapic_phys, acpi.nr_ioapics);
	for (unsigned i = 0; i < acpi.nr_ioapics; i++)
		pr_debug("I/O APIC %u at 0x%x, GSI base %u", acpi.ioapics[i].id,
			 acpi.ioapics[i].addr, acpi.ioapics[i].gsi_base);
}

/* Stacks and tables for as many APs as there are slots; returns how many. */
static unsigned prepare_all(unsigned want)
{
	unsigned n = 0;
	int ret;

	while (n < want && n + 1 < PCPU_MAX) {
		ret = prepare_cpu(n + 1);
		if (ret) {
			pr_warn("cannot allocate the stacks of cpu%u (error %d)", n + 1, ret);
			break;
		}
		n++;
	}
	return n;
}

static bool can_address(u32 apic_id)
{
	return lapic_x2apic() || apic_id <= LAPIC_XAPIC_MAX_ID;
}

/* Start every enabled AP of the MADT into the prepared slots 1..slots. */
static void start_all(unsigned slots)
{
	u32 bsp = this_cpu()->apic_id;
	unsigned cpu = 1;

	for (unsigned i = 0; i < acpi.nr_cpus && cpu <= slots; i++) {
		u32 id = acpi.cpus[i].apic_id;
		int ret;

		if (id == bsp)
			continue;
		if (!can_address(id)) {
			pr_warn("apic %u cannot be reached in xAPIC mode: skipped", id);
			continue;
		}
		ret = start_ap(cpu, id);
		if (ret == -TERN_EIO)
			break;   /* a half-started CPU holds the slot: start no more */
		if (ret)
			continue;
		pr_info("cpu%u online (apic %u)", cpu, id);
		store_release(&nr_cpus, ++cpu);
	}
}

static int smp_setup_bsp(void)
{
	int ret = lapic_init();

	if (ret) {
		pr_warn("no usable local APIC (error %d)", ret);
		return ret;
	}
	this_cpu()->apic_id = lapic_id();
	ret = ipi_init();
	if (ret)
		pr_warn("cannot register the IPI vectors (error %d)", ret);
	return ret;
}

void smp_boot_aps(const struct boot_info *bi)
{
	u64 t0 = rdtsc();
	unsigned slots;
	int ret;

	if (smp_setup_bsp())
		goto alone;
	ret = acpi_host_read(bi->rsdp_phys, &acpi);
	if (ret) {
		pr_warn("no usable ACPI MADT (error %d)", ret);
		goto alone;
	}
	report_madt();
	if (acpi.nr_cpus <= 1)
		goto done;
	ret = install_trampoline();
	if (ret) {
		pr_warn("cannot install the AP trampoline (error %d)", ret);
		goto alone;
	}
	slots = prepare_all(acpi.nr_cpus - 1);
	start_all(slots);
done:
	pr_info("%u CPU(s) online, %llu us (%s)", smp_nr_cpus(),
		(unsigned long long)((rdtsc() - t0) * US_PER_MS / clock_tsc_khz()),
		lapic_x2apic() ? "x2APIC" : "xAPIC");
	if (smp_nr_cpus() > 1 && smp_selftest())
		pr_err("SMP self-test failed");
	return;
alone:
	pr_warn("running on the boot CPU alone");
}
