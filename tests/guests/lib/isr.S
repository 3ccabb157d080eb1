/* SPDX-License-Identifier: MIT */
/* Exception entry stubs and the fault_catch() recovery point. */
#include "lib/x86.h"

#define FRAME_VECTOR  32        /* after pusha: 8 registers */
#define POP_VEC_ERR   8

.macro ISR_NOERR n
isr\n:
	pushl $0
	pushl $\n
	jmp isr_common
.endm

.macro ISR_ERR n
isr\n:
	pushl $\n
	jmp isr_common
.endm

	.text
ISR_NOERR 0
ISR_NOERR 1
ISR_NOERR 2
ISR_NOERR 3
ISR_NOERR 4
ISR_NOERR 5
ISR_NOERR 6
ISR_NOERR 7
ISR_ERR   8
ISR_NOERR 9
ISR_ERR   10
ISR_ERR   11
ISR_ERR   12
ISR_ERR   13
ISR_ERR   14
ISR_NOERR 15
ISR_NOERR 16
ISR_ERR   17
ISR_NOERR 18
ISR_NOERR 19
ISR_NOERR 20
ISR_ERR   21
ISR_NOERR 22
ISR_NOERR 23
ISR_NOERR 24
ISR_NOERR 25
ISR_NOERR 26
ISR_NOERR 27
ISR_NOERR 28
ISR_ERR   29
ISR_ERR   30
ISR_NOERR 31

isr_common:
	pushal
	cld
	movl %esp, %eax
	pushl %eax
	call trap_dispatch
	addl $4, %esp
	testl %eax, %eax
	jnz 1f
	popal
	addl $POP_VEC_ERR, %esp
	iretl
1:	movl FRAME_VECTOR(%esp), %eax
	jmp fault_recover

	.section .rodata
	.globl isr_table
	.align 4
isr_table:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.long isr\n
	.endr

	.data
	.globl catch_esp
	.align 4
catch_esp:
	.long 0                     /* stack pointer of the innermost fault_catch(), 0 = none */

/* int fault_catch(fault_fn_t fn, void *arg) */
	.text
	.globl fault_catch
fault_catch:
	pushl %ebp
	movl %esp, %ebp
	pushl %ebx
	pushl %esi
	pushl %edi
	pushfl
	pushl catch_esp             /* the enclosing catch point, restored on the way out */
	movl %esp, catch_esp
	pushl 12(%ebp)
	call *8(%ebp)
	addl $4, %esp
	movl $-1, %eax
catch_out:
	popl catch_esp
	popfl
	popl %edi
	popl %esi
	popl %ebx
	popl %ebp
	ret

/* From the exception stub, EAX = vector: drop everything above the catch point. */
fault_recover:
	movl catch_esp, %esp
	jmp catch_out
