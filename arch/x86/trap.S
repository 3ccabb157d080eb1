/* SPDX-License-Identifier: MIT */
/*
 * One stub per vector: make every frame look alike (a zero error code where
 * the CPU pushes none, then the vector), save the GPRs, call trap_dispatch.
 */
#include "arch/x86/trap.h"

/* Vectors for which the CPU pushes an error code (SDM Vol. 3 6.13). */
#define HAS_ERROR_CODE(v) ((v) == EXC_DF || (v) == EXC_TS || (v) == EXC_NP || \
	(v) == EXC_SS || (v) == EXC_GP || (v) == EXC_PF || (v) == EXC_AC ||   \
	(v) == EXC_CP || (v) == EXC_VC || (v) == EXC_SX)

	.section .rodata
	.balign 8
	.globl trap_stub_table
trap_stub_table:

	.text
.macro TRAP_STUB vec
	.balign 16
1:
	.if HAS_ERROR_CODE(\vec)
	.else
	pushq $0
	.endif
	pushq $\vec
	jmp trap_common
	.pushsection .rodata
	.quad 1b
	.popsection
.endm

	.altmacro
	.globl trap_stubs
trap_stubs:
	.set vec, 0
	.rept TRAP_VECTORS
	TRAP_STUB %vec
	.set vec, vec + 1
	.endr
	.noaltmacro

trap_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	/* The CPU aligned RSP to 16 and 22 qwords follow: RSP is aligned for the call. */
	movq %rsp, %rdi
	cld
	call trap_dispatch
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp      /* vector and error code */
	iretq
