/* SPDX-License-Identifier: MIT */
/*
 * What boot/ and the linker script (arch/x86/tern.ld) leave for C: the
 * image's section boundaries and the boot stack. All addresses are
 * physical (tern runs identity-mapped).
 */
#ifndef TERN_BOOT_H
#define TERN_BOOT_H

#define BOOT_STACK_SIZE   (32 * 1024)
#define BOOT_GUARD_SIZE   4096
#define EARLY_MAP_GIB     4      /* boot/ identity-maps [0, 4 GiB) with 2 MiB pages */

#ifndef __ASSEMBLY__

#include "kernel/lib/types.h"

/* Linker-script symbols: use their addresses only. */
extern char __image_start[], __text_end[], __rodata_end[], __image_end[];
extern char __bss_start[], __bss_end[];

/* The BSP's stack [boot_stack_guard + BOOT_GUARD_SIZE, boot_stack_top); the guard page is unmapped. */
extern char boot_stack_guard[], boot_stack_top[];

/* The C entry from boot/entry.S: 64-bit mode, early page tables, boot stack. */
__noreturn void kernel_main(u32 magic, u64 info_phys);

#endif
#endif
