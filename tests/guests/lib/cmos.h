/* SPDX-License-Identifier: MIT */
/*
 * The CMOS RAM behind the RTC (index port 0x70, data 0x71). Its bytes
 * survive a warm reset, as on a PC, so a test guest can tell which boot it
 * is in: CMOS_TEST_MARK is a byte no firmware or tern uses.
 */
#ifndef GUEST_CMOS_H
#define GUEST_CMOS_H

#include "lib/io.h"

#define CMOS_INDEX        0x70
#define CMOS_DATA         0x71
#define CMOS_NMI_DISABLE  0x80      /* index bit 7; tests leave NMIs enabled */
#define CMOS_TEST_MARK    0x70      /* two bytes free for tests: 0x70, 0x71 */

static inline u8 cmos_read(u8 index)
{
	outb(CMOS_INDEX, index & (u8)~CMOS_NMI_DISABLE);
	return inb(CMOS_DATA);
}

static inline void cmos_write(u8 index, u8 val)
{
	outb(CMOS_INDEX, index & (u8)~CMOS_NMI_DISABLE);
	outb(CMOS_DATA, val);
}

#endif
