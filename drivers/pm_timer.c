/* SPDX-License-Identifier: MIT */
#include "drivers/clock_scale.h"
#include "drivers/pm_timer.h"
#include "kernel/clock.h"
#include "kernel/io.h"
#include "kernel/lib/spinlock.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/vm.h"

/* Byte offsets in the 12-port block. */
#define OFF_STS        0
#define OFF_EN         2
#define OFF_CNT        4
#define OFF_TMR        8
#define REG_BYTES      2

#define CNT_SCI_EN     BIT(0)
#define CNT_SLP_TYP_SHIFT 10
#define CNT_SLP_TYP_MASK  (7u << CNT_SLP_TYP_SHIFT)
#define CNT_SLP_EN     BIT(13)
#define CNT_KEPT       CNT_SLP_TYP_MASK

struct acpi_pm {
	spinlock_t lock;       /* guards the registers */
	struct vm *vm;
	u64 tsc_hz;
	u64 created;
	u16 sts, en, cnt;
};

static u32 pm_timer_value(const struct acpi_pm *pm, u64 now)
{
	return (u32)clock_scale(now - pm->created, ACPI_PM_TIMER_HZ, pm->tsc_hz) &
	       ACPI_PM_TIMER_MASK;
}

/* The 12 register bytes as the guest sees them now. */
static void pm_snapshot(const struct acpi_pm *pm, u64 now, u8 *b)
{
	u16 cnt = pm->cnt | CNT_SCI_EN;
	u32 tmr = pm_timer_value(pm, now);

	b[OFF_STS] = (u8)pm->sts;
	b[OFF_STS + 1] = (u8)(pm->sts >> 8);
	b[OFF_EN] = (u8)pm->en;
	b[OFF_EN + 1] = (u8)(pm->en >> 8);
	b[OFF_CNT] = (u8)cnt;
	b[OFF_CNT + 1] = (u8)(cnt >> 8);
	b[OFF_CNT + 2] = b[OFF_CNT + 3] = 0;
	for (unsigned i = 0; i < ACPI_PM_TMR_LEN; i++)
		b[OFF_TMR + i] = (u8)(tmr >> (8 * i));
}

static u16 merge16(u16 old, unsigned byte, u8 v)
{
	return byte ? (u16)((old & 0x00ff) | v << 8) : (u16)((old & 0xff00) | v);
}

/* Apply one written byte; returns true when it completed an S5 request. */
static bool pm_write_byte(struct acpi_pm *pm, unsigned off, u8 v)
{
	u16 cnt;

	if (off < OFF_EN) {
		pm->sts &= (u16)~(v << (8 * (off - OFF_STS)));   /* write 1 to clear */
	} else if (off < OFF_CNT) {
		pm->en = merge16(pm->en, off - OFF_EN, v);
	} else if (off < OFF_CNT + REG_BYTES) {
		cnt = merge16(pm->cnt, off - OFF_CNT, v);
		pm->cnt = cnt & CNT_KEPT;
		return (cnt & CNT_SLP_EN) &&
		       ((cnt & CNT_SLP_TYP_MASK) >> CNT_SLP_TYP_SHIFT) == ACPI_SLP_TYP_S5;
	}
	return false;   /* padding and the timer: read only */
}

static int pm_pio(void *opaque, unsigned vcpu_id, u16 port, unsigned size, bool in, u32 *val)
{
	struct acpi_pm *pm = opaque;
	unsigned off = port - ACPI_PM_BASE;
	u8 bytes[ACPI_PM_NR_PORTS];
	bool poweroff = false;

	(void)vcpu_id;
	spin_lock(&pm->lock);
	if (in) {
		pm_snapshot(pm, clock_now(), bytes);
		*val = 0;
		for (unsigned i = 0; i < size && off + i < ACPI_PM_NR_PORTS; i++)
			*val |= (u32)bytes[off + i] << (8 * i);
	} else {
		for (unsigned i = 0; i < size && off + i < ACPI_PM_NR_PORTS; i++)
			poweroff |= pm_write_byte(pm, off + i, (u8)(*val >> (8 * i)));
	}
	spin_unlock(&pm->lock);
	if (poweroff) {
		pr_info("vm%u: ACPI S5 power-off", vm_id(pm->vm));
		vm_request_exit(pm->vm, 0);
	}
	return 0;
}

int acpi_pm_create(struct vm *vm, struct acpi_pm **out)
{
	struct acpi_pm *pm;
	int ret;

	if (!clock_tsc_khz())
		return -TERN_EINVAL;
	pm = kzalloc(sizeof(*pm));
	if (!pm)
		return -TERN_ENOMEM;
	spin_lock_init(&pm->lock);
	pm->vm = vm;
	pm->tsc_hz = clock_tsc_hz(clock_tsc_khz());
	pm->created = clock_now();
	ret = pio_register(vm, ACPI_PM_BASE, ACPI_PM_NR_PORTS, pm_pio, pm);
	if (ret < 0) {
		kfree(pm);
		return ret;
	}
	*out = pm;
	return 0;
}

void acpi_pm_destroy(struct acpi_pm *pm)
{
	kfree(pm);
}
