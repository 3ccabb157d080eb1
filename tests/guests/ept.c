/* SPDX-License-Identifier: MIT */
/*
 * ept: isolation. The guest reads a guest-physical address outside its RAM
 * and outside every device; tern must not hand it anything (in particular
 * not its own memory) but stop the VM with a "tern: vm0: ..." line, so
 * this test passes when the VM ends with status 255 after the marker.
 *   addr=end    the first byte past the end of RAM (default)
 *   addr=HEX    any address, e.g. 0xc0000000 or 0xf9990000 (3.9 GiB)
 *   stack=1     instead, point ESP at a device page (the IOAPIC's) and
 *               execute INT 0x30: the event's delivery, not an instruction,
 *               touches the device; tern must say so and stop the VM rather
 *               than emulate the instruction at RIP as an MMIO access.
 */
#include "lib/guest.h"
#include "lib/irqtest.h"

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

#define DEVICE_STACK 0xfec00100u   /* inside the IOAPIC's page */
#define SW_VECTOR    0x30

static void int_on_device_stack(void)
{
	irq_init(false, IRQ_EOI_NONE);   /* a gate for the vector: its delivery pushes */
	printf("ept: INT 0x%x with ESP at 0x%08x\n", SW_VECTOR, DEVICE_STACK);
	__asm__ __volatile__("movl %%esp, %%ebx; movl %0, %%esp; int %1; movl %%ebx, %%esp"
			     : : "i"(DEVICE_STACK), "i"(SW_VECTOR) : "ebx", "memory");
	check(false, "a delivery that pushes onto a device page stopped the VM");
}

void guest_main(void)
{
	char arg[ARG_MAX];
	u32 addr;
	u32 v;

	if (mb_cmdline_arg("stack", arg, sizeof(arg))) {
		int_on_device_stack();
		return;
	}
	addr = target_address();
	note("RAM ends at 0x%08x", (mb_mem_upper_kib() + 1024) * (u32)KiB);
	/* the marker the test looks for: the guest got this far */
	printf("ept: reading 0x%08x\n", addr);
	v = mmio_read32(addr);
	/* still running: tern gave the guest something for a non-existent address */
	printf("ept: read 0x%08x from 0x%08x\n", v, addr);
	check(false, "reading 0x%08x (outside RAM and devices) stopped the VM", addr);
}
