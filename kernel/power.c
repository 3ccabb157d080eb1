/* SPDX-License-Identifier: MIT */
/*
 * Ending the machine. Each platform listens at a different place and the
 * others ignore the write, so try them in turn.
 */
#include "kernel/config.h"
#include "arch/x86/x86.h"
#include "kernel/console.h"

#define QEMU_DEBUG_EXIT_PORT   0xf4     /* isa-debug-exit: QEMU exits with (v << 1) | 1 */
#define BOCHS_DEBUG_PORT       0x8900   /* 'D' breaks into the debugger; the rc file quits */
#define BOCHS_DEBUG_BREAK      'D'
#define BOCHS_SHUTDOWN_STR     "Shutdown"
#define QEMU_PIIX_PM1A_CNT     0x604    /* i440fx/q35 ACPI PM1a control */
#define QEMU_OLD_PM1A_CNT      0xb004   /* older QEMU and Bochs */
#define PM1_CNT_SLP_EN         0x2000   /* SLP_TYP 0 is S5 in their tables */

__noreturn void machine_poweroff(void)
{
	cli();
	console_flush();   /* the final status line must reach the log */
	outl(QEMU_DEBUG_EXIT_PORT, 0);
	outb(BOCHS_DEBUG_PORT, BOCHS_DEBUG_BREAK);
	for (const char *s = BOCHS_SHUTDOWN_STR; *s; s++)
		outb(BOCHS_DEBUG_PORT, (u8)*s);
	outw(QEMU_PIIX_PM1A_CNT, PM1_CNT_SLP_EN);
	outw(QEMU_OLD_PM1A_CNT, PM1_CNT_SLP_EN);
	cpu_halt_forever();
}
