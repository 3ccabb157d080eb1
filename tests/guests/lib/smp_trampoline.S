/* SPDX-License-Identifier: MIT */
/*
 * The AP start-up path (lib/smp.h). smp_trampoline..smp_trampoline_end is
 * copied to a page below 1 MiB; a SIPI with vector V starts the AP there in
 * real mode with CS = V << 8, IP = 0 (SDM 8.4.4.1). It refers to its own
 * bytes only CS-relative, so any page works, page 0 included. It loads the
 * library's GDT (whose address, like smp_ap_entry32's, is absolute and
 * below 16 MiB), sets CR0.PE and jumps to 32-bit code in the guest image.
 */
#include "lib/smp_defs.h"
#include "lib/x86.h"

#define CR0_PE          0x1          /* CR0 = PE only: CD and NW (set at reset) cleared too */
#define EFLAGS_RESET    0x2          /* bit 1 always set; IF, DF clear */
#define GDT_LIMIT       (SMP_GDT_ENTRIES * 8 - 1)

	.text
	.code16
	.globl smp_trampoline, smp_trampoline_end
smp_trampoline:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	/* 32-bit operand size: all 32 bits of the GDT base */
	lgdtl tramp_gdtr - smp_trampoline
	movl $CR0_PE, %eax
	movl %eax, %cr0
	ljmpl $GUEST_CODE_SEL, $smp_ap_entry32

	.balign 4
tramp_gdtr:
	.word GDT_LIMIT
	.long smp_gdt
smp_trampoline_end:

	.code32
smp_ap_entry32:
	movw $GUEST_DATA_SEL, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw %ax, %gs
	/* this CPU's number: arrival order, the BSP is 0 */
	movl $1, %eax
	lock xaddl %eax, smp_next_index
	cmpl $SMP_MAX_CPUS, %eax
	jae too_many
	leal (SMP_GDT_CPU0 * 8)(,%eax,8), %edx
	movw %dx, %fs
	movl %eax, %ecx
	imull $SMP_STACK_SIZE, %ecx
	leal smp_stacks + SMP_STACK_SIZE(%ecx), %esp
	pushl $EFLAGS_RESET
	popfl
	pushl %eax
	call smp_ap_main                /* never returns */
too_many:
	lock incl smp_extra_cpus
1:	cli
	hlt
	jmp 1b
