/* SPDX-License-Identifier: MIT */
/*
 * smp_bench (2 vCPUs, best on 2 physical CPUs): cross-vCPU interrupt
 * latencies in TSC ticks per operation, for tools/bench:
 *   xcpu_ipi_rtt        fixed IPI to the other vCPU, which sends one back
 *                       (both spinning with interrupts on): round trip
 *   xcpu_ipi_wake       fixed IPI to the other vCPU halted in HLT: send ->
 *                       its handler entry (one way)
 *   xcpu_doorbell       DOORBELL_RING hypercall of a doorbell whose MSI
 *                       route targets the other vCPU, spinning: ring -> its
 *                       handler entry (one way)
 *   xcpu_doorbell_wake  the same with the other vCPU halted in HLT
 * One-way figures compare this vCPU's TSC before the send with the TSC
 * the target's handler recorded (irq_tsc): one clock under Bochs. Each
 * runs BATCHES x BATCH_OPS times; the cheapest batch counts.
 */
#include "lib/guest.h"
#include "lib/irqtest.h"
#include "lib/irqtest_route.h"
#include "lib/smp.h"

#define BATCHES      4
#define BATCH_OPS    100
#define VEC_PING     0x50     /* to the AP */
#define VEC_PONG     0x51     /* back to the BSP */
#define VEC_BELL     0x52     /* the doorbell's vector on the AP */
#define GSI_BELL     30
#define MSI_DEST_SHIFT 12     /* MSI address bits 19:12: destination APIC ID */
#define WAIT_MS      200      /* a lost interrupt fails the check instead of hanging */

enum ap_mode { AP_SPIN, AP_PONG, AP_HALT, AP_STOP };

static volatile u32 ap_mode = AP_SPIN;
static volatile u32 ap_in_mode;       /* the mode the AP's loop is in */
static u32 ap_apic;
static s32 bell;
static struct route_req req;
static u64 wait_ticks;
static bool lost;

/* The AP: spin or halt with interrupts on; in AP_PONG answer every PING with a PONG. */
static void ap_loop(unsigned cpu)
{
	u32 seen = 0;

	(void)cpu;
	irq_enable();
	for (;;) {
		u32 mode = atomic_read(&ap_mode);

		atomic_set(&ap_in_mode, mode);
		if (mode == AP_STOP)
			break;
		if (mode == AP_HALT) {
			__asm__ __volatile__("sti; hlt" ::: "memory");
			continue;
		}
		if (mode == AP_PONG && irq_count_cpu[1][VEC_PING] != seen) {
			seen = irq_count_cpu[1][VEC_PING];
			apic_send_ipi(smp_cpus[0].apic_id, ICR_DM_FIXED | ICR_LEVEL_ASSERT | VEC_PONG);
		}
		cpu_relax();
	}
	irq_disable();
}

static void set_ap_mode(u32 mode)
{
	atomic_set(&ap_mode, mode);
	apic_send_ipi(ap_apic, ICR_DM_FIXED | ICR_LEVEL_ASSERT | SMP_WAKE_VECTOR);   /* out of HLT */
	if (!smp_wait_eq(&ap_in_mode, mode, wait_ticks))
		lost = true;
	irq_enable();
}

/* Spin (interrupts on) until *count reaches target; false after wait_ticks. */
static bool spin_until(const volatile u32 *count, u32 target)
{
	u64 t0 = rdtsc();

	while (*count < target)
		if (rdtsc() - t0 > wait_ticks)
			return false;
	return true;
}

static void ping(void)
{
	apic_send_ipi(ap_apic, ICR_DM_FIXED | ICR_LEVEL_ASSERT | VEC_PING);
}

static void ring(void)
{
	doorbell_ring((u32)bell);
}

/* Round trips: send, wait for the answer on this CPU. */
static u64 round_trip(void)
{
	u64 best = ~0ull;

	for (unsigned b = 0; b < BATCHES && !lost; b++) {
		u64 t0 = rdtsc();

		for (unsigned i = 0; i < BATCH_OPS && !lost; i++) {
			u32 target = irq_count_cpu[0][VEC_PONG] + 1;

			ping();
			lost = !spin_until(&irq_count_cpu[0][VEC_PONG], target);
		}
		best = MIN(best, rdtsc() - t0);
	}
	return best / BATCH_OPS;
}

/* One way: send, then the target handler's TSC for that vector minus ours before the send. */
static u64 one_way(void (*send)(void), unsigned vector)
{
	u64 best = ~0ull;

	for (unsigned b = 0; b < BATCHES && !lost; b++) {
		u64 sum = 0;

		for (unsigned i = 0; i < BATCH_OPS && !lost; i++) {
			u32 target = irq_count_cpu[1][vector] + 1;
			u64 t0 = rdtsc();

			send();
			lost = !spin_until(&irq_count_cpu[1][vector], target);
			sum += irq_tsc[vector] - t0;
		}
		best = MIN(best, sum);
	}
	return best / BATCH_OPS;
}

static void report(const char *name, u64 ticks)
{
	if (lost) {
		check(false, "%s: an interrupt did not arrive within %u ms", name, WAIT_MS);
		return;
	}
	printf("bench: %s %llu\n", name, (unsigned long long)ticks);
	check(ticks > 0, "%s measured", name);
}

static void bench_ipis(void)
{
	set_ap_mode(AP_PONG);
	report("xcpu_ipi_rtt", round_trip());
	set_ap_mode(AP_HALT);
	report("xcpu_ipi_wake", one_way(ping, VEC_PING));
}

static void bench_doorbells(void)
{
	struct tern_irq_routing_entry *e;

	route_clear(&req);
	e = route_add_msi(&req, GSI_BELL, VEC_BELL);
	e->u.msi.address_lo |= ap_apic << MSI_DEST_SHIFT;
	check_eq(route_set(&req), 0, "MSI route of GSI %u to APIC ID %u", GSI_BELL, ap_apic);
	bell = doorbell_assign(GSI_BELL, 0, 0);
	check(bell > 0, "doorbell assigned (%d)", bell);
	set_ap_mode(AP_SPIN);
	report("xcpu_doorbell", one_way(ring, VEC_BELL));
	set_ap_mode(AP_HALT);
	report("xcpu_doorbell_wake", one_way(ring, VEC_BELL));
}

void guest_main(void)
{
	wait_ticks = tsc_per_ms() * WAIT_MS;
	irq_init(false, IRQ_EOI_APIC);
	apic_sw_enable();
	if (smp_start_aps(1, ap_loop) < 1) {
		check(false, "the second vCPU came up (VCPUS=2)");
		return;
	}
	ap_apic = smp_cpus[1].apic_id;
	bench_ipis();
	if (!lost)
		bench_doorbells();
	atomic_set(&ap_mode, AP_STOP);
	apic_send_ipi(ap_apic, ICR_DM_FIXED | ICR_LEVEL_ASSERT | SMP_WAKE_VECTOR);
	irq_disable();
}
