/* SPDX-License-Identifier: MIT */
/*
 * reset: a warm reset reboots the VM, as a PC's reset does. The first boot
 * changes what a reset must undo (a RAM pattern, the vLAPIC's TPR, an
 * IOAPIC entry, an MSI route with a doorbell, a started AP with 2+ vCPUs)
 * and what it must keep (the RTC's time of day and the CMOS RAM, where it
 * leaves its mark), then resets through ARGS via=cf9 (default), p92 or kbc.
 * The second boot, seeing the mark, checks that the guest was loaded
 * afresh onto zeroed RAM with every controller and the routing at their
 * reset state, the AP back in wait-for-SIPI (it starts again), and the
 * clock and CMOS kept.
 */
#include "lib/cmos.h"
#include "lib/guest.h"
#include "lib/irqtest.h"
#include "lib/irqtest_route.h"
#include "lib/smp.h"

#define MARK          0x5a          /* CMOS_TEST_MARK: the first boot reset the VM */
#define CMOS_DB_LO    0x72          /* the first boot's doorbell id */
#define CMOS_DB_HI    0x73
#define PATTERN_ADDR  0x00800000u   /* 8 MiB: above the loaded image, below the heap of nothing */
#define PATTERN_WORDS 1024u
#define PATTERN       0xdeadbeefu
#define TEST_TPR      0x20
#define TEST_PIN      5u
#define TEST_VECTOR   0x55u
#define TEST_GSI      28u
#define IOAPIC_MASKED (1u << 16)
#define RTC_SECONDS   0x00
#define RTC_MINUTES   0x02
#define RTC_HOURS     0x04
#define RTC_STATUS_B  0x0b
#define RTC_B_SET     0x80
#define RTC_B_24H     0x02
#define SET_HOURS     0x12          /* BCD: the clock set to 12:34:56 */
#define SET_MINUTES   0x34
#define SET_SECONDS   0x56

#define PCI_RESET_PORT  0xcf9
#define PCI_RESET_HARD  0x06
#define SYSCTL_A_PORT   0x92
#define SYSCTL_A_RESET  0x01
#define KBC_CMD_PORT    0x64
#define KBC_CMD_RESET   0xfe
#define ARG_MAX         8

static struct route_req req;

static void set_clock(void)
{
	cmos_write(RTC_STATUS_B, cmos_read(RTC_STATUS_B) | RTC_B_SET | RTC_B_24H);
	cmos_write(RTC_HOURS, SET_HOURS);
	cmos_write(RTC_MINUTES, SET_MINUTES);
	cmos_write(RTC_SECONDS, SET_SECONDS);
	cmos_write(RTC_STATUS_B, cmos_read(RTC_STATUS_B) & ~RTC_B_SET);
}

static void reset_via(const char *via)
{
	printf("reset: first boot done, resetting via %s\n", via);
	if (!strcmp(via, "p92"))
		outb(SYSCTL_A_PORT, inb(SYSCTL_A_PORT) | SYSCTL_A_RESET);
	else if (!strcmp(via, "kbc"))
		outb(KBC_CMD_PORT, KBC_CMD_RESET);
	else
		outb(PCI_RESET_PORT, PCI_RESET_HARD);
	for (unsigned i = 0; i < 100000; i++)
		__asm__ __volatile__("pause");
	check(false, "the reset via %s rebooted the VM", via);
}

static void first_boot(unsigned ncpus)
{
	char via[ARG_MAX] = "cf9";
	s32 bell;

	for (u32 i = 0; i < PATTERN_WORDS; i++)
		((volatile u32 *)PATTERN_ADDR)[i] = PATTERN;
	lapic_write(LAPIC_TPR, TEST_TPR);
	ioapic_write_redir(TEST_PIN, TEST_VECTOR, 0);
	route_clear(&req);
	route_add_msi(&req, TEST_GSI, TEST_VECTOR);
	check_eq(route_set(&req), 0, "first boot: an MSI route on GSI %u", TEST_GSI);
	bell = doorbell_assign(TEST_GSI, 0, 0);
	check(bell > 0, "first boot: a doorbell (%d)", bell);
	if (ncpus > 1)
		check_eq(smp_start_aps(ncpus - 1, NULL), ncpus - 1, "first boot: the APs started");
	set_clock();
	cmos_write(CMOS_DB_LO, (u8)bell);
	cmos_write(CMOS_DB_HI, (u8)(bell >> 8));
	cmos_write(CMOS_TEST_MARK, MARK);
	(void)mb_cmdline_arg("via", via, sizeof(via));
	reset_via(via);
}

static void second_boot(unsigned ncpus)
{
	struct tern_doorbell_info info;
	u32 old_bell = cmos_read(CMOS_DB_LO) | (u32)cmos_read(CMOS_DB_HI) << 8;
	u32 nonzero = 0;

	cmos_write(CMOS_TEST_MARK, 0);
	printf("reset: second boot\n");
	for (u32 i = 0; i < PATTERN_WORDS; i++)
		nonzero += ((volatile u32 *)PATTERN_ADDR)[i] != 0;
	check_eq(nonzero, 0, "RAM was zeroed (the pattern at 0x%x is gone)", PATTERN_ADDR);
	check_eq(lapic_read(LAPIC_TPR), 0, "the vLAPIC is at its reset state (TPR 0)");
	check(ioapic_read_redir_lo(TEST_PIN) & IOAPIC_MASKED, "the IOAPIC pin %u is masked again",
	      TEST_PIN);
	check_eq(doorbell_query(old_bell, &info), -TERN_ENOENT,
		 "the first boot's doorbell %u is gone", old_bell);
	check(cmos_read(RTC_HOURS) == SET_HOURS && cmos_read(RTC_MINUTES) >= SET_MINUTES,
	      "the RTC kept its time (%02x:%02x, set to %02x:%02x)", cmos_read(RTC_HOURS),
	      cmos_read(RTC_MINUTES), SET_HOURS, SET_MINUTES);
	if (ncpus > 1)
		check_eq(smp_start_aps(ncpus - 1, NULL), ncpus - 1,
			 "the APs waited for SIPI again and started");
}

void guest_main(void)
{
	unsigned ncpus = (unsigned)fw_cfg_read_le(FW_CFG_NB_CPUS, 2);

	irq_init(false, IRQ_EOI_XAPIC);
	lapic_enable();
	if (cmos_read(CMOS_TEST_MARK) == MARK)
		second_boot(ncpus);
	else
		first_boot(ncpus);
}
