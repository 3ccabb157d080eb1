/* SPDX-License-Identifier: MIT */
/*
 * Everything a test guest uses. A guest defines guest_main(); the library
 * has already set up COM1, the IDT and the multiboot information, and
 * calls test_exit() when guest_main() returns.
 */
#ifndef GUEST_GUEST_H
#define GUEST_GUEST_H

#include "kernel/lib/string.h"
#include "kernel/lib/types.h"
#include "lib/cpu.h"
#include "lib/fw_cfg.h"
#include "lib/hypercall.h"
#include "lib/io.h"
#include "lib/multiboot.h"
#include "lib/printf.h"
#include "lib/serial.h"
#include "lib/test.h"
#include "lib/trap.h"
#include "lib/x86.h"

/* The test itself, one per guest. */
void guest_main(void);

/* Entry from boot.S. */
__noreturn void guest_start(u32 magic, u32 info);

#endif
