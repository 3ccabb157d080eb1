/* SPDX-License-Identifier: MIT */
/*
 * ept: isolation. The guest reads a guest-physical address outside its RAM
 * and outside every device; tern must not hand it anything (in particular
 * not its own memory) but stop the VM with a "tern: vm0: ..." line, so
 * this test passes when the VM ends with status 255 after the marker.
 *   addr=end    the first byte past the end of RAM (default)
 *   addr=HEX    any address, e.g. 0xc0000000 or 0xf9990000 (3.9 GiB)
 */
#include "lib/guest.h"

#define ARG_MAX 24

static u32 target_address(void)
{
	char arg[ARG_MAX];
	u64 addr;

	if (!mb_cmdline_arg("addr", arg, sizeof(arg)) || strcmp(arg, "end") == 0)
		return (mb_mem_upper_kib() + 1024) * (u32)KiB;
	if (parse_u64(arg, strlen(arg), &addr, false) < 0 || addr > 0xffffffffull) {
		test_abort("bad addr= argument");
	}
	return (u32)addr;
}

void guest_main(void)
{
	u32 addr = target_address();
	u32 v;

	note("RAM ends at 0x%08x", (mb_mem_upper_kib() + 1024) * (u32)KiB);
	/* the marker the test looks for: the guest got this far */
	printf("ept: reading 0x%08x\n", addr);
	v = mmio_read32(addr);
	/* still running: tern gave the guest something for a non-existent address */
	printf("ept: read 0x%08x from 0x%08x\n", v, addr);
	check(false, "reading 0x%08x (outside RAM and devices) stopped the VM", addr);
}
