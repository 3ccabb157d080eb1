/* SPDX-License-Identifier: MIT */
#include "lib/guest.h"

__noreturn void guest_start(u32 magic, u32 info)
{
	serial_init();
	trap_init();
	mb_init(magic, info);
	if (magic != MB_BOOT_MAGIC)
		note("entered with magic 0x%08x, not 0x%08x", magic, MB_BOOT_MAGIC);
	guest_main();
	test_exit();
}
