/* SPDX-License-Identifier: MIT */
/*
 * idle: a guest that does nothing for a while, halted between vLAPIC timer
 * ticks (as an idle OS does), then passes. It gives scripted console
 * sessions time to drive tern's monitor (tools/test boot/monitor).
 * Guest command line: secs=N (default 5), tick=MS (default 10).
 */
#include "lib/guest.h"
#include "lib/irqtest.h"

#define VEC_TICK      0x40
#define TDCR_DIV1     0xb
#define DEFAULT_SECS  5
#define DEFAULT_TICK_MS 10
#define ARG_MAX       24
#define MS_PER_SEC    1000

static u64 arg(const char *key, u64 def)
{
	char buf[ARG_MAX];
	u64 v;

	if (!mb_cmdline_arg(key, buf, sizeof(buf)) || parse_u64(buf, strlen(buf), &v, false))
		return def;
	return v;
}

void guest_main(void)
{
	u64 secs = arg("secs", DEFAULT_SECS), tick_ms = arg("tick", DEFAULT_TICK_MS);
	u64 per_ms = tsc_per_ms(), end;
	u32 ticks;

	irq_init(false, IRQ_EOI_XAPIC);
	lapic_enable();
	lapic_write(LAPIC_TDCR, TDCR_DIV1);
	lapic_write(LAPIC_LVT_TIMER, VEC_TICK | LVT_PERIODIC);
	lapic_write(LAPIC_TMICT, (u32)(tick_ms * per_ms));
	note("idle: %llu s, halting between %llu ms ticks", (unsigned long long)secs,
	     (unsigned long long)tick_ms);
	end = rdtsc() + secs * MS_PER_SEC * per_ms;
	while (rdtsc() < end)
		__asm__ __volatile__("sti; hlt; cli" ::: "memory");
	lapic_write(LAPIC_TMICT, 0);
	ticks = irq_count[VEC_TICK];
	check(ticks > 0, "the timer woke the halted vCPU (%u ticks)", ticks);
}
