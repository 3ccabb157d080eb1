/* SPDX-License-Identifier: MIT */
/*
 * MC146818-style CMOS real-time clock at ports 0x70 (index; bit 7 masks
 * NMI) and 0x71 (data), 128 bytes.
 *
 * Time: starts at RTC_EPOCH (Unix seconds, UTC) when the device is created
 * and advances with clock_now(); a guest write to a time register sets the
 * clock from then on. Registers 0-9 and the century byte 0x32 read in BCD or
 * binary (register B DM) and 12/24-hour (register B 24/12) form; while
 * register B SET is 1, or register A's divider is not the normal 32.768 kHz
 * setting (010), the clock is frozen. The day of week is derived from the
 * date (1 = Sunday); writes to it are ignored.
 * Register A: UIP (bit 7, read only) is 1 for the 244 us before each update,
 * bits 6-0 (divider, rate select) are read/write. Register B: all bits
 * read/write; setting SET clears UIE. Register C (read only): IRQF, PF, AF,
 * UF; reading it returns and clears them and releases IRQ 8. Register D:
 * VRT (0x80), read only.
 * Interrupts (GSI 8 through set_irq with the RTC's own source): periodic
 * (rate select, 2 Hz..8192 Hz), alarm (registers 1, 3, 5; 0xc0-0xff is
 * "don't care") and update-ended, each when enabled in B. The line is held
 * high from the first enabled flag until register C is read. Missed
 * periods and updates coalesce into the flags (an alarm is checked against
 * the latest update only).
 * CMOS RAM 0x0e-0x7f: read/write bytes, initially 0 except the standard
 * values: 0x10 no floppy, 0x14 equipment (FPU, PS/2 mouse), 0x15-0x16 base
 * memory 640 KiB, 0x17-0x18 and 0x30-0x31 KiB above 1 MiB (max 0xffff),
 * 0x34-0x35 64 KiB units above 16 MiB below 4 GiB, 0x5b-0x5d 64 KiB units
 * above 4 GiB, 0x5f vCPUs - 1, 0x2e-0x2f checksum of 0x10-0x2d.
 */
#ifndef TERN_DRIVERS_RTC_H
#define TERN_DRIVERS_RTC_H

#include "kernel/lib/types.h"

#define RTC_PORT_INDEX     0x70
#define RTC_PORT_DATA      0x71
#define RTC_NR_PORTS       2
#define RTC_GSI            8
#define RTC_CMOS_SIZE      128
#define RTC_REG_CENTURY    0x32
#define RTC_EPOCH          1767225600ull   /* 2026-01-01 00:00:00 UTC */
#define RTC_NVRAM_FIRST    0x0e            /* CMOS RAM after the clock and A-D */

struct vm;
struct rtc;

/* What a warm reset keeps of the RTC: the CMOS RAM and the time of day. */
struct rtc_persist {
	u8 ram[RTC_CMOS_SIZE];
	u64 secs;                  /* Unix seconds */
};

/*
 * Create the RTC/CMOS of vm: allocates its irq source, registers ports
 * 0x70-0x71 and makes it the instance rtc_next_deadline(), rtc_check() and
 * rtc_nmi_masked() find for vm. Returns 0 and the instance in *out, or
 * -TERN_EINVAL (vm_id beyond CONFIG_MAX_VMS), -TERN_EBUSY (vm has one),
 * -TERN_ENOMEM, or what irq_source_alloc()/pio_register() returned.
 */
int rtc_create(struct vm *vm, struct rtc **out);

/* Unpublish and free (NULL ignored); only once the VM no longer runs, before irq_routing_destroy(). */
void rtc_destroy(struct rtc *rtc);

/*
 * A VM reset keeps the battery-backed part, as a PC's does: save it from
 * vm's RTC (false when there is none), and put it into the new RTC after
 * the reset (CMOS RAM 0x0e-0x7f as the guest left it, the clock going on
 * from the saved time). Firmware and guests tell a warm boot by it.
 */
bool rtc_persist_save(struct vm *vm, struct rtc_persist *out);
void rtc_persist_restore(struct vm *vm, const struct rtc_persist *in);

/*
 * Absolute TSC of vm's next RTC interrupt (periodic or update/alarm, when
 * enabled and IRQ 8 is not already held high); 0 when none or no RTC.
 */
u64 rtc_next_deadline(struct vm *vm);

/* Raise the flags (and IRQ 8) of every event due at or before now. */
void rtc_check(struct vm *vm, u64 now);

/* True when the guest's last index write had bit 7 (NMI disable) set. */
bool rtc_nmi_masked(struct vm *vm);

/* Calendar helpers (UTC, proleptic Gregorian), exposed for tests. */
struct rtc_time {
	unsigned year, month, day, hour, min, sec, wday;   /* month 1-12, wday 0 = Sunday */
};
/* Broken-down time of Unix seconds secs. */
void rtc_time_from_unix(u64 secs, struct rtc_time *tm);
/* Unix seconds of tm (year >= 1970; other fields taken as they are, normalised by arithmetic). */
u64 rtc_time_to_unix(const struct rtc_time *tm);

#endif
