/* SPDX-License-Identifier: MIT */
/*
 * smp_boot (2 or more vCPUs): the SMP library's bring-up, as a guest sees
 * it. INIT-SIPI-SIPI broadcast to all but self starts every AP (fw_cfg key
 * 0x05 says how many vCPUs there are: one missing AP fails); each AP
 * reaches C in 32-bit protected mode on its own stack with the BSP's IDT
 * (a software interrupt lands in its own per-CPU count), its LAPIC enabled
 * and IA32_APIC_BASE.BSP clear; APIC IDs are distinct and name the
 * vCPUs. Then all CPUs at once: lock-prefixed counters lose no increment,
 * and a barrier (waiters halt, the last one wakes them) holds every round.
 *
 * ARGS: page=HEX   start page (default 0x8000, SIPI vector 0x08); page=0 is
 *                  SIPI vector 0, where kvm-unit-tests put their trampoline
 */
#include "lib/guest.h"
#include "lib/irqtest.h"
#include "lib/smp.h"

#define VEC_SOFT      0x41       /* each AP raises it with INT: its IDT works */
#define ITERS         5000u      /* atomic increments per CPU */
#define ROUNDS        6u         /* barrier rounds */
#define WAIT_MS       500u
#define CR0_PE        BIT(0)
#define CR0_PG        BIT(31)
#define EFLAGS_IF     BIT(9)
#define APIC_BASE_ADDR_MASK 0xfffff000u
#define APIC_DEFAULT_BASE   0xfee00000u

struct ap_report {
	volatile u32 ran;
	u32 esp, cr0, eflags, svr, idt_base, cpu_id;
	u64 apic_base;
};

struct dt_reg {
	u16 limit;
	u32 base;
} __packed;

static struct ap_report rep[SMP_MAX_CPUS];
static volatile u32 shared_count;
static u32 own_count[SMP_MAX_CPUS];
static struct smp_barrier barrier;
static volatile u32 round_sum;
static volatile u32 barrier_bad, barrier_timeouts;
static unsigned ncpus;
static u64 wait_ticks;

static void ap_start(unsigned cpu)
{
	struct ap_report *r = &rep[cpu];
	struct dt_reg idt;
	u32 esp, cr0, eflags;

	__asm__ __volatile__("movl %%esp, %0" : "=r"(esp));
	__asm__ __volatile__("movl %%cr0, %0" : "=r"(cr0));
	__asm__ __volatile__("pushfl; popl %0" : "=r"(eflags));
	__asm__ __volatile__("sidt %0" : "=m"(idt));
	r->esp = esp;
	r->cr0 = cr0;
	r->eflags = eflags;
	r->idt_base = idt.base;
	r->apic_base = rdmsr(MSR_APIC_BASE);
	r->svr = apic_read(LAPIC_SVR);
	r->cpu_id = smp_cpu_id();
	__asm__ __volatile__("int %0" :: "i"(VEC_SOFT));
	atomic_set(&r->ran, 1);
}

static void count_fn(void *arg)
{
	unsigned me = smp_cpu_id();

	for (unsigned i = 0; i < ITERS; i++) {
		atomic_inc(&shared_count);
		own_count[me]++;
	}
}

static void barrier_fn(void *arg)
{
	for (unsigned r = 0; r < ROUNDS; r++) {
		atomic_inc(&round_sum);
		if (!smp_barrier_wait(&barrier, ncpus, wait_ticks))
			atomic_inc(&barrier_timeouts);
		if (atomic_read(&round_sum) != ncpus * (r + 1))
			atomic_inc(&barrier_bad);
		/* nobody adds for the next round before everyone has looked */
		if (!smp_barrier_wait(&barrier, ncpus, wait_ticks))
			atomic_inc(&barrier_timeouts);
	}
}

static void check_ap(unsigned cpu)
{
	const struct ap_report *r = &rep[cpu];
	const struct smp_cpu *c = &smp_cpus[cpu];
	struct dt_reg bsp_idt;

	__asm__ __volatile__("sidt %0" : "=m"(bsp_idt));
	check(r->ran, "cpu%u ran its start function", cpu);
	check_eq(r->cpu_id, cpu, "cpu%u: smp_cpu_id() there says %u", cpu, cpu);
	check(r->esp >= c->stack_lo && r->esp < c->stack_hi,
	      "cpu%u runs on its own stack (esp 0x%x in 0x%x-0x%x)", cpu, r->esp, c->stack_lo, c->stack_hi);
	check((r->cr0 & (CR0_PE | CR0_PG)) == CR0_PE, "cpu%u: protected mode, paging off (CR0 0x%x)",
	      cpu, r->cr0);
	check(!(r->eflags & EFLAGS_IF), "cpu%u: the start function runs with interrupts off", cpu);
	check_eq(r->idt_base, bsp_idt.base, "cpu%u loaded the BSP's IDT", cpu);
	check_eq(irq_count_cpu[cpu][VEC_SOFT], 1, "cpu%u: INT 0x%x counted on cpu%u only", cpu, VEC_SOFT, cpu);
	check_eq(r->apic_base & (APIC_BASE_ADDR_MASK | APIC_BASE_EN | APIC_BASE_EXTD | APIC_BASE_BSP),
		 APIC_DEFAULT_BASE | APIC_BASE_EN,
		 "cpu%u: IA32_APIC_BASE 0xfee00000, enabled, xAPIC, BSP flag clear", cpu);
	check(r->svr & APIC_SVR_ENABLE, "cpu%u: LAPIC software-enabled (SVR 0x%x)", cpu, r->svr);
}

void guest_main(void)
{
	char arg[16];
	u32 page = SMP_TRAMPOLINE_PAGE;
	unsigned up;
	u32 ids = 0;

	if (mb_cmdline_arg("page", arg, sizeof(arg))) {
		u64 v;

		if (!check(parse_u64(arg, strlen(arg), &v, false) == 0 && v < 0x100000 && !(v & 0xfff),
			   "page=%s is a page below 1 MiB", arg))
			return;
		page = (u32)v;
	}
	ncpus = (unsigned)fw_cfg_read_le(FW_CFG_NB_CPUS, 2);
	wait_ticks = tsc_per_ms() * WAIT_MS;
	note("%u vCPUs, trampoline at 0x%x (SIPI vector 0x%02x)", ncpus, page, page >> 12);
	if (!check(ncpus >= 2 && ncpus <= SMP_MAX_CPUS, "fw_cfg: %u vCPUs (2..%u)", ncpus, SMP_MAX_CPUS))
		return;
	irq_init(false, IRQ_EOI_APIC);
	irq_set_eoi(VEC_SOFT, IRQ_EOI_NONE);   /* a software INT is no APIC interrupt */
	lapic_enable();
	check(rdmsr(MSR_APIC_BASE) & APIC_BASE_BSP, "the BSP has IA32_APIC_BASE.BSP");

	up = smp_start_aps_at(ncpus - 1, ap_start, page, tsc_per_ms() * WAIT_MS);
	check_eq(smp_extra_cpus, 0, "no AP beyond the library's %u CPUs", SMP_MAX_CPUS);
	check_eq(irq_count_cpu[0][VEC_SOFT], 0, "the BSP took none of the APs' INTs");
	for (unsigned cpu = 1; cpu <= MIN(up, SMP_MAX_CPUS - 1); cpu++) {
		/* ran is set after the INT: wait for the last AP's start function to finish */
		if (!smp_wait_eq(&rep[cpu].ran, 1, wait_ticks))
			note("cpu%u did not finish its start function", cpu);
		check_ap(cpu);
	}
	/* the rest needs every vCPU: with one missing it would only add time-outs */
	if (!check_eq(up, ncpus - 1, "INIT-SIPI-SIPI (all excluding self) started all %u APs", ncpus - 1))
		return;
	for (unsigned cpu = 0; cpu < ncpus; cpu++) {
		u32 id = smp_cpus[cpu].apic_id;

		check(id < ncpus && !(ids & BIT(id)), "cpu%u has APIC ID %u: distinct, one of the %u vCPUs",
		      cpu, id, ncpus);
		if (id < 32)
			ids |= BIT(id);
		check_eq(smp_cpu_of_apic(id), cpu, "APIC ID %u maps back to cpu%u", id, cpu);
	}
	check_eq(smp_lapic_id(), smp_cpus[0].apic_id, "the BSP's LAPIC still reports APIC ID %u",
		 smp_cpus[0].apic_id);

	check(smp_call_all(count_fn, NULL, wait_ticks), "all CPUs ran the counting loop");
	check_eq(shared_count, ncpus * ITERS, "lock-prefixed increments from %u CPUs at once: none lost",
		 ncpus);
	for (unsigned cpu = 0; cpu < ncpus; cpu++)
		check_eq(own_count[cpu], ITERS, "cpu%u's own per-CPU counter", cpu);

	check(smp_call_all(barrier_fn, NULL, wait_ticks * ROUNDS), "all CPUs went through %u barriers",
	      2 * ROUNDS);
	check_eq(barrier_timeouts, 0, "no barrier timed out");
	check_eq(barrier_bad, 0, "after each barrier every CPU saw all %u arrivals", ncpus);
	check_eq(round_sum, ncpus * ROUNDS, "sum of all rounds");
}
