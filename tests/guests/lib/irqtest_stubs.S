/* SPDX-License-Identifier: MIT */
/* Interrupt entry stubs for vectors 0-255 (no error codes): push the vector, call irq_dispatch. */
#include "lib/x86.h"

	.text
	.align 16
	.globl irqtest_stubs
irqtest_stubs:
	.set n, 0
	.rept 256
	.align 16
	pushl $n
	jmp irqtest_common
	.set n, n + 1
	.endr

irqtest_common:
	pushal
	cld
	pushl 32(%esp)
	call irq_dispatch
	addl $4, %esp
	popal
	addl $4, %esp
	iretl
