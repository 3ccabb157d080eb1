/* SPDX-License-Identifier: MIT */
/*
 * The host TSC as tern's clock, calibrated once against PIT channel 2:
 * gate it off, load a one-shot (mode 0) count of about 10 ms, open the gate
 * and count TSC ticks until OUT2 rises (read back through port 0x61).
 * Under Bochs both sides follow the emulated instruction count, so the
 * result is the same on every run.
 */
#include "kernel/clock.h"
#include "arch/x86/x86.h"
#include "kernel/lib/atomic.h"
#include "kernel/log.h"

#define PIT_HZ               1193182ull
#define PIT_CH2_DATA         0x42
#define PIT_CMD              0x43
#define PIT_CMD_CH2          (2 << 6)
#define PIT_CMD_LOHI         (3 << 4)
#define PIT_CMD_MODE0        (0 << 1)   /* interrupt on terminal count: OUT2 rises at 0 */
#define PIT_CMD_BINARY       0
#define PORT_SYS_CTRL_B      0x61
#define SYS_CTRL_B_GATE2     0x01
#define SYS_CTRL_B_SPEAKER   0x02
#define SYS_CTRL_B_OUT2      0x20
#define CALIBRATE_MS         10
#define MS_PER_S             1000
#define PIT_COUNT            (PIT_HZ * CALIBRATE_MS / MS_PER_S)
#define CALIBRATE_SPIN_MAX   100000000u /* no PIT answering: give up */
#define TSC_KHZ_FALLBACK     1000000ull /* 1 GHz when nothing better is known */
#define KHZ_PER_MHZ          1000

static u64 tsc_khz;

u64 clock_now(void)
{
	return rdtsc();
}

/* TSC ticks during PIT_COUNT PIT ticks; 0 when OUT2 never rises. */
static u64 measure_pit_window(void)
{
	u8 ctrl = inb(PORT_SYS_CTRL_B) & ~(SYS_CTRL_B_GATE2 | SYS_CTRL_B_SPEAKER);
	u64 start;

	outb(PORT_SYS_CTRL_B, ctrl);
	outb(PIT_CMD, PIT_CMD_CH2 | PIT_CMD_LOHI | PIT_CMD_MODE0 | PIT_CMD_BINARY);
	outb(PIT_CH2_DATA, (u8)PIT_COUNT);
	outb(PIT_CH2_DATA, (u8)(PIT_COUNT >> 8));
	start = rdtsc();
	outb(PORT_SYS_CTRL_B, ctrl | SYS_CTRL_B_GATE2);
	for (u32 i = 0; i < CALIBRATE_SPIN_MAX; i++) {
		if (inb(PORT_SYS_CTRL_B) & SYS_CTRL_B_OUT2) {
			u64 ticks = rdtsc() - start;

			outb(PORT_SYS_CTRL_B, ctrl);
			return ticks;
		}
	}
	outb(PORT_SYS_CTRL_B, ctrl);
	return 0;
}

static u64 fallback_khz(void)
{
	if (cpuid(0, 0).eax >= CPUID_LEAF_TSC_FREQ) {
		u32 mhz = cpuid(CPUID_LEAF_TSC_FREQ, 0).eax;

		if (mhz)
			return (u64)mhz * KHZ_PER_MHZ;
	}
	return TSC_KHZ_FALLBACK;
}

static u64 calibrate(void)
{
	u64 ticks = measure_pit_window();

	if (!ticks) {
		u64 khz = fallback_khz();

		pr_warn("TSC calibration: PIT channel 2 did not answer; assuming %llu kHz",
			(unsigned long long)khz);
		return khz;
	}
	return ticks * PIT_HZ / (PIT_COUNT * MS_PER_S);
}

u64 clock_tsc_khz(void)
{
	u64 khz = load_acquire(&tsc_khz);

	if (!khz) {
		khz = calibrate();
		store_release(&tsc_khz, khz);
		pr_info("TSC: %llu kHz (calibrated against the PIT over %d ms)",
			(unsigned long long)khz, CALIBRATE_MS);
	}
	return khz;
}
