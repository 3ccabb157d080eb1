/* SPDX-License-Identifier: MIT */
#include "drivers/clock_scale.h"
#include "drivers/rtc.h"
#include "irq/routing.h"
#include "kernel/clock.h"
#include "kernel/config.h"
#include "kernel/io.h"
#include "kernel/lib/spinlock.h"
#include "kernel/lib/string.h"
#include "kernel/mm.h"
#include "kernel/vm.h"

/* Register indexes. */
#define REG_SEC          0x00
#define REG_SEC_ALARM    0x01
#define REG_MIN          0x02
#define REG_MIN_ALARM    0x03
#define REG_HOUR         0x04
#define REG_HOUR_ALARM   0x05
#define REG_WDAY         0x06
#define REG_MDAY         0x07
#define REG_MONTH        0x08
#define REG_YEAR         0x09
#define REG_A            0x0a
#define REG_B            0x0b
#define REG_C            0x0c
#define REG_D            0x0d
#define REG_FLOPPY       0x10
#define REG_EQUIPMENT    0x14
#define REG_BASE_LO      0x15
#define REG_BASE_HI      0x16
#define REG_EXT_LO       0x17
#define REG_EXT_HI       0x18
#define REG_CSUM_FIRST   0x10
#define REG_CSUM_LAST    0x2d
#define REG_CSUM_HI      0x2e
#define REG_CSUM_LO      0x2f
#define REG_EXT2_LO      0x30
#define REG_EXT2_HI      0x31
#define REG_MEM16_LO     0x34
#define REG_MEM16_HI     0x35
#define REG_HIGHMEM      0x5b   /* three bytes, 64 KiB units above 4 GiB */
#define REG_NR_CPUS      0x5f

#define INDEX_MASK       0x7f
#define INDEX_NMI_MASK   BIT(7)

#define A_UIP            BIT(7)
#define A_DV_SHIFT       4
#define A_DV_MASK        (7u << A_DV_SHIFT)
#define A_DV_NORMAL      (2u << A_DV_SHIFT)   /* 32.768 kHz time base, running */
#define A_RS_MASK        0x0fu
#define A_WRITABLE       0x7fu

#define B_SET            BIT(7)
#define B_PIE            BIT(6)
#define B_AIE            BIT(5)
#define B_UIE            BIT(4)
#define B_SQWE           BIT(3)
#define B_DM_BINARY      BIT(2)
#define B_24H            BIT(1)
#define B_DSE            BIT(0)

#define C_IRQF           BIT(7)
#define C_PF             BIT(6)
#define C_AF             BIT(5)
#define C_UF             BIT(4)

#define D_VRT            BIT(7)

#define HOUR_PM          BIT(7)
#define ALARM_DONT_CARE  0xc0
#define RTC_BASE_HZ      32768u
#define UIP_WINDOW_US    244u
#define US_PER_SEC       1000000u
#define SECS_PER_DAY     86400ull

#define EQUIP_FPU        BIT(1)
#define EQUIP_PS2_MOUSE  BIT(2)
#define BASE_MEM_KIB     640u
#define LOW_MEM_1M       (1 * MiB)
#define LOW_MEM_16M      (16 * MiB)
#define UNIT_64K         (64 * KiB)

struct rtc {
	spinlock_t lock;          /* guards everything below */
	struct vm *vm;
	unsigned source_id;
	u64 tsc_hz;
	u8 index;
	bool nmi_masked;
	u8 ram[RTC_CMOS_SIZE];    /* A, B, alarms and plain CMOS bytes; C in flags */
	u8 flags;                 /* register C */
	bool irq_level;
	bool running;             /* the clock advances */
	u64 base_secs;            /* Unix seconds at base_tsc (the whole time while stopped) */
	u64 base_tsc;
	u64 seen_secs;            /* whole seconds since base_tsc already processed */
	u64 per_start;            /* TSC where the periodic count started */
	u64 per_seen;             /* periods since per_start already processed */
};

static spinlock_t rtcs_lock = SPINLOCK_INIT;
static struct rtc *rtcs[CONFIG_MAX_VMS];

/* ------------------------------------------------------------ calendar */

static u64 days_from_civil(u64 y, unsigned m, unsigned d)
{
	u64 era, yoe, doy, doe;

	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void rtc_time_from_unix(u64 secs, struct rtc_time *tm)
{
	u64 days = secs / SECS_PER_DAY, rem = secs % SECS_PER_DAY;
	u64 z = days + 719468, era = z / 146097, doe = z - era * 146097;
	u64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	u64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	u64 mp = (5 * doy + 2) / 153;

	tm->day = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	tm->month = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	tm->year = (unsigned)(yoe + era * 400 + (tm->month <= 2));
	tm->hour = (unsigned)(rem / 3600);
	tm->min = (unsigned)(rem / 60 % 60);
	tm->sec = (unsigned)(rem % 60);
	tm->wday = (unsigned)((days + 4) % 7);   /* 1970-01-01 was a Thursday */
}

u64 rtc_time_to_unix(const struct rtc_time *tm)
{
	return days_from_civil(tm->year, tm->month, tm->day) * SECS_PER_DAY +
	       tm->hour * 3600ull + tm->min * 60ull + tm->sec;
}

/* ------------------------------------------------------------ encoding */

static bool is_binary(const struct rtc *rtc)
{
	return rtc->ram[REG_B] & B_DM_BINARY;
}

static u8 encode(const struct rtc *rtc, unsigned v)
{
	return is_binary(rtc) ? (u8)v : (u8)((v / 10 % 10) << 4 | v % 10);
}

static unsigned decode(const struct rtc *rtc, u8 v)
{
	return is_binary(rtc) ? v : (v >> 4) * 10 + (v & 0xf);
}

static u8 encode_hour(const struct rtc *rtc, unsigned h)
{
	unsigned h12;

	if (rtc->ram[REG_B] & B_24H)
		return encode(rtc, h);
	h12 = h % 12 ? h % 12 : 12;
	return encode(rtc, h12) | (h >= 12 ? HOUR_PM : 0);
}

static unsigned decode_hour(const struct rtc *rtc, u8 v)
{
	unsigned h;

	if (rtc->ram[REG_B] & B_24H)
		return decode(rtc, v);
	h = decode(rtc, v & ~HOUR_PM) % 12;
	return (v & HOUR_PM) ? h + 12 : h;
}

/* ------------------------------------------------------------ time */

static u64 rtc_secs(const struct rtc *rtc, u64 now)
{
	if (!rtc->running || now < rtc->base_tsc)
		return rtc->base_secs;
	return rtc->base_secs + (now - rtc->base_tsc) / rtc->tsc_hz;
}

static bool should_run(const struct rtc *rtc)
{
	return !(rtc->ram[REG_B] & B_SET) && (rtc->ram[REG_A] & A_DV_MASK) == A_DV_NORMAL;
}

/* Start or stop the clock to match registers A and B. */
static void rtc_update_running(struct rtc *rtc, u64 now)
{
	bool run = should_run(rtc);

	if (run == rtc->running)
		return;
	rtc->base_secs = rtc_secs(rtc, now);
	rtc->base_tsc = now;
	rtc->seen_secs = 0;
	rtc->running = run;
}

static void rtc_set_secs(struct rtc *rtc, u64 secs, u64 now)
{
	rtc->base_secs = secs;
	rtc->base_tsc = now;
	rtc->seen_secs = 0;
}

static unsigned clamp(unsigned v, unsigned lo, unsigned hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static void rtc_write_time(struct rtc *rtc, u8 reg, u8 val, u64 now)
{
	struct rtc_time tm;
	unsigned v = reg == REG_HOUR ? decode_hour(rtc, val) : decode(rtc, val);

	rtc_time_from_unix(rtc_secs(rtc, now), &tm);
	switch (reg) {
	case REG_SEC:     tm.sec = clamp(v, 0, 59); break;
	case REG_MIN:     tm.min = clamp(v, 0, 59); break;
	case REG_HOUR:    tm.hour = clamp(v, 0, 23); break;
	case REG_MDAY:    tm.day = clamp(v, 1, 31); break;
	case REG_MONTH:   tm.month = clamp(v, 1, 12); break;
	case REG_YEAR:    tm.year = tm.year / 100 * 100 + clamp(v, 0, 99); break;
	case RTC_REG_CENTURY: tm.year = clamp(v, 19, 99) * 100 + tm.year % 100; break;
	default:          return;   /* day of week: derived */
	}
	if (tm.year < 1970)
		tm.year = 1970;
	rtc_set_secs(rtc, rtc_time_to_unix(&tm), now);
}

static u8 rtc_read_time(const struct rtc *rtc, u8 reg, u64 now)
{
	struct rtc_time tm;

	rtc_time_from_unix(rtc_secs(rtc, now), &tm);
	switch (reg) {
	case REG_SEC:     return encode(rtc, tm.sec);
	case REG_MIN:     return encode(rtc, tm.min);
	case REG_HOUR:    return encode_hour(rtc, tm.hour);
	case REG_WDAY:    return encode(rtc, tm.wday + 1);
	case REG_MDAY:    return encode(rtc, tm.day);
	case REG_MONTH:   return encode(rtc, tm.month);
	case REG_YEAR:    return encode(rtc, tm.year % 100);
	default:          return encode(rtc, tm.year / 100);
	}
}

static bool uip(const struct rtc *rtc, u64 now)
{
	u64 frac;

	if (!rtc->running || now < rtc->base_tsc)
		return false;
	frac = (now - rtc->base_tsc) % rtc->tsc_hz;
	return frac >= rtc->tsc_hz - clock_scale(UIP_WINDOW_US, rtc->tsc_hz, US_PER_SEC);
}

/* ------------------------------------------------------------ events */

/* Periodic interrupt period in 32.768 kHz cycles; 0 = off. */
static u64 periodic_cycles(const struct rtc *rtc)
{
	unsigned rs = rtc->ram[REG_A] & A_RS_MASK;

	if (!rs || (rtc->ram[REG_A] & A_DV_MASK) != A_DV_NORMAL)
		return 0;
	if (rs <= 2)
		rs += 7;   /* 1 and 2 repeat 8 and 9: 256 Hz and 128 Hz */
	return 1ull << (rs - 1);
}

static bool alarm_field_matches(const struct rtc *rtc, u8 alarm_reg, u8 now_val)
{
	u8 a = rtc->ram[alarm_reg];

	return (a & ALARM_DONT_CARE) == ALARM_DONT_CARE || a == now_val;
}

static bool alarm_matches(const struct rtc *rtc, u64 now)
{
	return alarm_field_matches(rtc, REG_SEC_ALARM, rtc_read_time(rtc, REG_SEC, now)) &&
	       alarm_field_matches(rtc, REG_MIN_ALARM, rtc_read_time(rtc, REG_MIN, now)) &&
	       alarm_field_matches(rtc, REG_HOUR_ALARM, rtc_read_time(rtc, REG_HOUR, now));
}

static void rtc_update_irq(struct rtc *rtc)
{
	u8 b = rtc->ram[REG_B];
	bool irqf = ((rtc->flags & C_PF) && (b & B_PIE)) || ((rtc->flags & C_AF) && (b & B_AIE)) ||
		    ((rtc->flags & C_UF) && (b & B_UIE));

	if (irqf)
		rtc->flags |= C_IRQF;
	if (irqf == rtc->irq_level)
		return;
	rtc->irq_level = irqf;
	set_irq(rtc->vm, rtc->source_id, RTC_GSI, irqf);
}

/* Set the flags of every update and period up to now (missed ones coalesce). */
static void rtc_catch_up(struct rtc *rtc, u64 now)
{
	u64 cycles = periodic_cycles(rtc), secs, periods;

	if (rtc->running && now >= rtc->base_tsc) {
		secs = (now - rtc->base_tsc) / rtc->tsc_hz;
		if (secs > rtc->seen_secs) {
			rtc->seen_secs = secs;
			rtc->flags |= C_UF;
			if (alarm_matches(rtc, now))
				rtc->flags |= C_AF;
		}
	}
	if (cycles && now >= rtc->per_start) {
		periods = clock_scale(now - rtc->per_start, RTC_BASE_HZ, rtc->tsc_hz) / cycles;
		if (periods > rtc->per_seen) {
			rtc->per_seen = periods;
			rtc->flags |= C_PF;
		}
	}
	rtc_update_irq(rtc);
}

static u64 rtc_deadline(const struct rtc *rtc)
{
	u64 cycles = periodic_cycles(rtc), d = 0, p;
	u8 b = rtc->ram[REG_B];

	if (rtc->irq_level)
		return 0;   /* held high until C is read: nothing new to signal */
	if (cycles && (b & B_PIE))
		d = rtc->per_start +
		    clock_scale_up((rtc->per_seen + 1) * cycles, rtc->tsc_hz, RTC_BASE_HZ);
	if (rtc->running && (b & (B_UIE | B_AIE))) {
		p = rtc->base_tsc + (rtc->seen_secs + 1) * rtc->tsc_hz;
		d = d ? MIN(d, p) : p;
	}
	return d;
}

/* ------------------------------------------------------------ registers */

static void rtc_restart_periodic(struct rtc *rtc, u64 now)
{
	rtc->per_start = now;
	rtc->per_seen = 0;
}

static void rtc_write_reg(struct rtc *rtc, u8 reg, u8 val, u64 now)
{
	switch (reg) {
	case REG_A:
		rtc->ram[REG_A] = val & A_WRITABLE;
		rtc_restart_periodic(rtc, now);
		rtc_update_running(rtc, now);
		break;
	case REG_B:
		if (val & B_SET)
			val &= (u8)~B_UIE;
		rtc->ram[REG_B] = val;
		rtc_update_running(rtc, now);
		rtc_update_irq(rtc);
		break;
	case REG_C:
	case REG_D:
		break;   /* read only */
	case REG_SEC: case REG_MIN: case REG_HOUR: case REG_WDAY:
	case REG_MDAY: case REG_MONTH: case REG_YEAR: case RTC_REG_CENTURY:
		rtc_write_time(rtc, reg, val, now);
		break;
	default:
		rtc->ram[reg] = val;
		break;
	}
}

static u8 rtc_read_reg(struct rtc *rtc, u8 reg, u64 now)
{
	u8 v;

	switch (reg) {
	case REG_A:
		return rtc->ram[REG_A] | (uip(rtc, now) ? A_UIP : 0);
	case REG_C:
		v = rtc->flags;
		rtc->flags = 0;
		rtc_update_irq(rtc);
		return v;
	case REG_D:
		return D_VRT;
	case REG_SEC: case REG_MIN: case REG_HOUR: case REG_WDAY:
	case REG_MDAY: case REG_MONTH: case REG_YEAR: case RTC_REG_CENTURY:
		return rtc_read_time(rtc, reg, now);
	default:
		return rtc->ram[reg];
	}
}

static int rtc_pio(void *opaque, unsigned vcpu_id, u16 port, unsigned size, bool in, u32 *val)
{
	struct rtc *rtc = opaque;
	u64 now = clock_now();

	(void)vcpu_id;
	(void)size;
	spin_lock(&rtc->lock);
	if (port == RTC_PORT_INDEX) {
		if (in) {
			*val = 0xff;   /* the index register is write-only */
		} else {
			rtc->index = (u8)*val & INDEX_MASK;
			rtc->nmi_masked = *val & INDEX_NMI_MASK;
		}
	} else {
		rtc_catch_up(rtc, now);
		if (in)
			*val = rtc_read_reg(rtc, rtc->index, now);
		else
			rtc_write_reg(rtc, rtc->index, (u8)*val, now);
	}
	spin_unlock(&rtc->lock);
	return 0;
}

/* ------------------------------------------------------------ CMOS contents */

static void put16(u8 *ram, unsigned lo, u64 v)
{
	ram[lo] = (u8)v;
	ram[lo + 1] = (u8)(v >> 8);
}

static void rtc_init_cmos(struct rtc *rtc, struct vm *vm)
{
	u64 ram = vm_ram_size(vm), low = MIN(ram, VM_LOW_RAM_MAX), high = ram - low;
	u64 ext = low > LOW_MEM_1M ? MIN((low - LOW_MEM_1M) / KiB, 0xffffull) : 0;
	u64 mem16 = low > LOW_MEM_16M ? MIN((low - LOW_MEM_16M) / UNIT_64K, 0xffffull) : 0;
	u64 hi64k = MIN(high / UNIT_64K, 0xffffffull);
	unsigned sum = 0;

	rtc->ram[REG_A] = A_DV_NORMAL | 6;        /* 1024 Hz rate, as firmware leaves it */
	rtc->ram[REG_B] = B_24H;
	rtc->ram[REG_FLOPPY] = 0;
	rtc->ram[REG_EQUIPMENT] = EQUIP_FPU | EQUIP_PS2_MOUSE;
	put16(rtc->ram, REG_BASE_LO, BASE_MEM_KIB);
	put16(rtc->ram, REG_EXT_LO, ext);
	put16(rtc->ram, REG_EXT2_LO, ext);
	put16(rtc->ram, REG_MEM16_LO, mem16);
	rtc->ram[REG_HIGHMEM] = (u8)hi64k;
	rtc->ram[REG_HIGHMEM + 1] = (u8)(hi64k >> 8);
	rtc->ram[REG_HIGHMEM + 2] = (u8)(hi64k >> 16);
	rtc->ram[REG_NR_CPUS] = (u8)(vm_nr_vcpus(vm) - 1);
	for (unsigned i = REG_CSUM_FIRST; i <= REG_CSUM_LAST; i++)
		sum += rtc->ram[i];
	rtc->ram[REG_CSUM_HI] = (u8)(sum >> 8);
	rtc->ram[REG_CSUM_LO] = (u8)sum;
}

/* ------------------------------------------------------------ per-VM lookup */

static struct rtc *rtc_of(struct vm *vm)
{
	unsigned id = vm_id(vm);
	struct rtc *rtc;

	if (id >= CONFIG_MAX_VMS)
		return NULL;
	spin_lock(&rtcs_lock);
	rtc = rtcs[id];
	spin_unlock(&rtcs_lock);
	return rtc;
}

u64 rtc_next_deadline(struct vm *vm)
{
	struct rtc *rtc = rtc_of(vm);
	u64 d;

	if (!rtc)
		return 0;
	spin_lock(&rtc->lock);
	d = rtc_deadline(rtc);
	spin_unlock(&rtc->lock);
	return d;
}

void rtc_check(struct vm *vm, u64 now)
{
	struct rtc *rtc = rtc_of(vm);

	if (!rtc)
		return;
	spin_lock(&rtc->lock);
	rtc_catch_up(rtc, now);
	spin_unlock(&rtc->lock);
}

bool rtc_nmi_masked(struct vm *vm)
{
	struct rtc *rtc = rtc_of(vm);
	bool masked;

	if (!rtc)
		return false;
	spin_lock(&rtc->lock);
	masked = rtc->nmi_masked;
	spin_unlock(&rtc->lock);
	return masked;
}

static int rtc_publish(struct rtc *rtc, unsigned id)
{
	int ret = 0;

	spin_lock(&rtcs_lock);
	if (rtcs[id])
		ret = -TERN_EBUSY;
	else
		rtcs[id] = rtc;
	spin_unlock(&rtcs_lock);
	return ret;
}

int rtc_create(struct vm *vm, struct rtc **out)
{
	unsigned id = vm_id(vm);
	struct rtc *rtc;
	int ret;

	if (id >= CONFIG_MAX_VMS || !clock_tsc_khz() || !vm_nr_vcpus(vm))
		return -TERN_EINVAL;
	rtc = kzalloc(sizeof(*rtc));
	if (!rtc)
		return -TERN_ENOMEM;
	spin_lock_init(&rtc->lock);
	rtc->vm = vm;
	rtc->tsc_hz = clock_tsc_hz(clock_tsc_khz());
	rtc_init_cmos(rtc, vm);
	rtc->running = true;
	rtc_set_secs(rtc, RTC_EPOCH, clock_now());
	rtc_restart_periodic(rtc, clock_now());
	ret = irq_source_alloc(vm);
	if (ret < 0) {
		kfree(rtc);
		return ret;
	}
	rtc->source_id = (unsigned)ret;
	ret = rtc_publish(rtc, id);
	if (ret == 0)
		ret = pio_register(vm, RTC_PORT_INDEX, RTC_NR_PORTS, rtc_pio, rtc);
	if (ret < 0) {
		rtc_destroy(rtc);
		return ret;
	}
	*out = rtc;
	return 0;
}

bool rtc_persist_save(struct vm *vm, struct rtc_persist *out)
{
	struct rtc *rtc = rtc_of(vm);

	if (!rtc)
		return false;
	spin_lock(&rtc->lock);
	memcpy(out->ram, rtc->ram, sizeof(out->ram));
	out->secs = rtc_secs(rtc, clock_now());
	spin_unlock(&rtc->lock);
	return true;
}

void rtc_persist_restore(struct vm *vm, const struct rtc_persist *in)
{
	struct rtc *rtc = rtc_of(vm);

	if (!rtc)
		return;
	spin_lock(&rtc->lock);
	memcpy(rtc->ram + RTC_NVRAM_FIRST, in->ram + RTC_NVRAM_FIRST,
	       RTC_CMOS_SIZE - RTC_NVRAM_FIRST);
	rtc_set_secs(rtc, in->secs, clock_now());
	spin_unlock(&rtc->lock);
}

void rtc_destroy(struct rtc *rtc)
{
	unsigned id;

	if (!rtc)
		return;
	id = vm_id(rtc->vm);
	spin_lock(&rtcs_lock);
	if (id < CONFIG_MAX_VMS && rtcs[id] == rtc)
		rtcs[id] = NULL;
	spin_unlock(&rtcs_lock);
	irq_source_free(rtc->vm, rtc->source_id);
	kfree(rtc);
}
