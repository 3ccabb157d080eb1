/* SPDX-License-Identifier: MIT */
/*
 * Multiboot v1 entry of a test guest. The loader enters in 32-bit protected
 * mode with paging off, EAX = 0x2BADB002 and EBX = the boot information;
 * the GDT it used may be gone, so load our own flat one first, then call
 * guest_start(magic, info) on our own stack.
 */
#include "lib/x86.h"

#define MB_MAGIC      0x1badb002
#define MB_PAGE_ALIGN (1 << 0)
#define MB_MEMINFO    (1 << 1)
/* An ELF image: no address fields (bit 16 clear), the loader reads the program headers. */
#define MB_FLAGS      (MB_PAGE_ALIGN | MB_MEMINFO)
#define STACK_SIZE    16384
#define EFLAGS_RESET  0x2       /* bit 1 is always set; IF, DF clear */

	.section .multiboot, "a"
	.align 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

	.text
	.globl _start
_start:
	cli
	movl $stack_top, %esp
	pushl $EFLAGS_RESET
	popfl
	movl %eax, %esi             /* multiboot magic */
	movl %ebx, %edi             /* multiboot info */
	/* zero .bss (the stack lives outside it), in case a loader did not */
	cld
	movl %edi, %edx
	movl $__bss_start, %edi
	movl $__bss_end, %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb
	movl %edx, %edi
	lgdt gdt_desc
	ljmp $GUEST_CODE_SEL, $1f
1:	movw $GUEST_DATA_SEL, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	movw %ax, %ss
	pushl %edi
	pushl %esi
	call guest_start
2:	cli
	hlt
	jmp 2b

	.section .rodata
	.align 8
gdt:
	.quad 0                     /* null */
	.quad 0x00cf9a000000ffff    /* 0x08: code, base 0, 4 GiB, 32-bit, ring 0 */
	.quad 0x00cf92000000ffff    /* 0x10: data, base 0, 4 GiB, ring 0 */
gdt_end:
gdt_desc:
	.word gdt_end - gdt - 1
	.long gdt

	.section .stack, "aw", @nobits
	.align 16
stack:
	.skip STACK_SIZE
stack_top:
