/* SPDX-License-Identifier: MIT */
/*
 * AP start-up (SDM Vol. 3 9.4 and 9.9). The SIPI starts the AP in real
 * mode at TRAMPOLINE_PHYS (CS = TRAMPOLINE_PHYS >> 4, IP = 0). The blob
 * [ap_tramp_start, ap_tramp_end) is copied there; it only loads a GDT,
 * enters 32-bit protected mode (paging off, caches on) and jumps to
 * ap_entry32 in tern's .text. That code enables long mode directly on
 * tern's page tables, where low memory is not executable but .text is,
 * sets the GS base and the stack from the parameter block and calls
 * ap_main(cpu).
 */
#include "arch/x86/x86.h"
#include "arch/x86/gdt.h"
#include "arch/x86/trampoline.h"

/* Where a blob label lands once copied. */
#define TRAMP_ADDR(label)  (TRAMPOLINE_PHYS + ((label) - ap_tramp_start))
#define PARAM(off)         (TRAMP_ADDR(ap_tramp_params) + (off))
#define GDT_DESC_CODE32    (DESC_FLAT | DESC_TYPE_CODE_XR | DESC_DB_32BIT)

	.section .rodata
	.balign 16
	.code16
	.globl ap_tramp_start, ap_tramp_params, ap_tramp_end
ap_tramp_start:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	lgdtl tramp_gdtr - ap_tramp_start
	/* PE only: also clears CD and NW, which INIT leaves set */
	movl $CR0_PE, %eax
	movl %eax, %cr0
	ljmpl $TRAMP_SEL_CODE32, $ap_entry32

	.balign 16
tramp_gdt:
	.quad 0
	.quad GDT_DESC_KERN_CODE
	.quad GDT_DESC_KERN_DATA
	.quad GDT_DESC_CODE32
tramp_gdt_end:
tramp_gdtr:
	.short tramp_gdt_end - tramp_gdt - 1
	.long TRAMP_ADDR(tramp_gdt)

	.balign 16
ap_tramp_params:
	.skip TRAMP_P_SIZE
ap_tramp_end:

	.text
	.code32
ap_entry32:
	movw $TRAMP_SEL_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl PARAM(TRAMP_P_CR4), %eax
	movl %eax, %cr4
	movl PARAM(TRAMP_P_CR3), %eax
	movl %eax, %cr3
	movl $MSR_IA32_EFER, %ecx
	rdmsr
	orl PARAM(TRAMP_P_EFER), %eax
	wrmsr
	movl PARAM(TRAMP_P_CR0), %eax
	movl %eax, %cr0
	ljmp $TRAMP_SEL_CODE64, $ap_entry64

	.code64
ap_entry64:
	movw $TRAMP_SEL_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorl %eax, %eax
	movw %ax, %fs
	movw %ax, %gs
	/* this_cpu() must work from the first line of C */
	movl $MSR_IA32_GS_BASE, %ecx
	movl PARAM(TRAMP_P_PCPU), %eax
	movl PARAM(TRAMP_P_PCPU) + 4, %edx
	wrmsr
	movq PARAM(TRAMP_P_STACK), %rsp
	movl PARAM(TRAMP_P_CPU), %edi
	xorl %ebp, %ebp              /* ends frame-pointer walks */
	call ap_main
1:	cli
	hlt
	jmp 1b
