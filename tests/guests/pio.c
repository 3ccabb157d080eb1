/* SPDX-License-Identifier: MIT */
/*
 * pio: tern's emulated ports: fw_cfg (signature, RAM size against the
 * multiboot memory map, CPU count), the pc-testdev scratch register at every
 * width and through its byte aliases, an unclaimed port, the UART's scratch
 * register and line status.
 */
#include "lib/guest.h"

#define TESTDEV_SCRATCH   0xe0
#define TESTDEV_BYTES     0xe8
#define UNCLAIMED_PORT    0x1234
#define FOUR_GIB          0x100000000ull
#define EXPECTED_CPUS     1

/* RAM the multiboot information describes: up to the first hole, plus any above 4 GiB. */
static u64 multiboot_ram(void)
{
	u64 ram = ((u64)mb_mem_upper_kib() + 1024) * KiB;
	const struct mb_mmap_entry *e;

	for (unsigned i = 0; (e = mb_mmap_entry(i)) != NULL; i++)
		if (e->type == MB_MMAP_AVAILABLE && e->base >= FOUR_GIB)
			ram += e->length;
	return ram;
}

static void check_fw_cfg(void)
{
	char sig[5] = { 0 };
	u64 ram;

	fw_cfg_read(FW_CFG_SIGNATURE, sig, 4);
	if (!check(strcmp(sig, "QEMU") == 0, "fw_cfg signature \"QEMU\""))
		return;
	check_eq(fw_cfg_read_le(FW_CFG_ID, 4) & ~1ull, 0, "fw_cfg ID: no DMA interface");
	ram = fw_cfg_read_le(FW_CFG_RAM_SIZE, 8);
	note("fw_cfg RAM %llu KiB, multiboot mem_upper %u KiB", (unsigned long long)(ram / KiB),
	     mb_mem_upper_kib());
	check_eq(ram, multiboot_ram(), "fw_cfg RAM size matches the multiboot memory information");
	check_eq(fw_cfg_read_le(FW_CFG_NB_CPUS, 2), EXPECTED_CPUS, "fw_cfg CPU count is %d",
		 EXPECTED_CPUS);
	/* reading past the end of an item gives zeros */
	fw_cfg_read_le(FW_CFG_SIGNATURE, 4);
	check_eq(inb(FW_CFG_PORT_DATA), 0, "fw_cfg reads past an item's end return 0");
	check_eq(fw_cfg_read_le(0x7ff, 8), 0, "an unknown fw_cfg key reads as zeros");
}

static void check_scratch(void)
{
	outl(TESTDEV_SCRATCH, 0x12345678);
	check_eq(inl(TESTDEV_SCRATCH), 0x12345678, "testdev scratch: 32-bit round trip");
	outw(TESTDEV_SCRATCH + 2, 0xabcd);
	check_eq(inl(TESTDEV_SCRATCH), 0xabcd5678, "testdev scratch: 16-bit write at 0xe2");
	outb(TESTDEV_SCRATCH + 1, 0x99);
	check_eq(inl(TESTDEV_SCRATCH), 0xabcd9978, "testdev scratch: 8-bit write at 0xe1");
	check_eq(inb(TESTDEV_SCRATCH + 3), 0xab, "testdev scratch: 8-bit read at 0xe3");
	check_eq(inw(TESTDEV_SCRATCH + 2), 0xabcd, "testdev scratch: 16-bit read at 0xe2");
	check_eq(inw(TESTDEV_SCRATCH), 0x9978, "testdev scratch: 16-bit read at 0xe0");
	for (unsigned i = 0; i < 4; i++)
		check_eq(inb(TESTDEV_BYTES + i), (0xabcd9978u >> (8 * i)) & 0xff,
			 "testdev byte alias 0x%x reads byte %u", TESTDEV_BYTES + i, i);
	outb(TESTDEV_BYTES + 2, 0xee);
	check_eq(inl(TESTDEV_SCRATCH), 0xabee9978, "testdev byte alias 0xea writes byte 2");
	outl(TESTDEV_BYTES, 0xcafef00d);
	check_eq(inl(TESTDEV_BYTES), 0xcafef00d, "testdev byte aliases: 32-bit round trip");
}

static void check_unclaimed(void)
{
	check_eq(inb(UNCLAIMED_PORT), 0xff, "unclaimed port 0x%x reads 0xff", UNCLAIMED_PORT);
	check_eq(inw(UNCLAIMED_PORT), 0xffff, "unclaimed port 0x%x reads 0xffff", UNCLAIMED_PORT);
	check_eq(inl(UNCLAIMED_PORT), 0xffffffff, "unclaimed port 0x%x reads 0xffffffff",
		 UNCLAIMED_PORT);
	outl(UNCLAIMED_PORT, 0);   /* ignored, must not stop the VM */
	check_eq(inl(UNCLAIMED_PORT), 0xffffffff, "writes to an unclaimed port are ignored");
}

static void check_uart(void)
{
	outb(COM1_BASE + UART_SCR, 0x5a);
	check_eq(inb(COM1_BASE + UART_SCR), 0x5a, "UART scratch register keeps 0x5a");
	outb(COM1_BASE + UART_SCR, 0xa5);
	check_eq(inb(COM1_BASE + UART_SCR), 0xa5, "UART scratch register keeps 0xa5");
	check_eq(inb(COM1_BASE + UART_LSR) & (UART_LSR_THRE | UART_LSR_TEMT),
		 UART_LSR_THRE | UART_LSR_TEMT, "UART LSR shows THRE and TEMT");
}

void guest_main(void)
{
	check_fw_cfg();
	check_scratch();
	check_unclaimed();
	check_uart();
}
