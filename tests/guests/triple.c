/* SPDX-License-Identifier: MIT */
/*
 * triple: a deliberate triple fault. With an empty IDT, an exception
 * cannot be delivered (#GP), nor can that (#DF): the CPU shuts down, and
 * tern must stop the VM with status 255 and say "triple fault".
 */
#include "lib/guest.h"

struct idt_desc {
	u16 limit;
	u32 base;
} __packed;

void guest_main(void)
{
	static const struct idt_desc empty = { 0, 0 };

	printf("triple: loading an empty IDT and raising #UD\n");
	__asm__ __volatile__("lidt %0\n\tud2" :: "m"(empty));
	check(false, "the triple fault stopped the VM");
}
