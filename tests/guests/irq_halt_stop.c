/* SPDX-License-Identifier: MIT */
/*
 * irq_halt_stop: a lone vCPU halting with nothing that could ever wake it
 * makes tern stop the VM (status 255) with a clear line instead of hanging:
 * "cli; hlt" (default) or, with the argument "sti", "sti; hlt" with no
 * interrupt source armed.
 */
#include "lib/guest.h"

void guest_main(void)
{
	char arg[8];
	bool sti = mb_cmdline_arg("mode", arg, sizeof(arg)) && !strcmp(arg, "sti");

	check(true, "halting now (%s): tern must stop the VM", sti ? "sti" : "cli");
	if (sti)
		__asm__ __volatile__("sti; hlt");
	else
		__asm__ __volatile__("cli; hlt");
	check(false, "HLT returned");
}
