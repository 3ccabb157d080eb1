/* SPDX-License-Identifier: MIT */
/*
 * From GRUB to C. GRUB (BIOS or EFI) enters here in 32-bit protected mode,
 * paging off, flat segments, EAX = multiboot2 magic, EBX = info address,
 * no usable stack. We check the magic and long-mode support, zero .bss,
 * identity-map [0, 4 GiB) with 2 MiB pages (the page under the boot stack
 * left out as a guard), enter long mode and call kernel_main(magic, info).
 */
#include "arch/x86/x86.h"
#include "arch/x86/gdt.h"
#include "boot/boot.h"

#define PAGE_SIZE        4096
#define PAGE_SHIFT       12
#define PT_ENTRIES       512
#define LARGE_PAGE_SHIFT 21          /* 2 MiB */
#define TABLE_FLAGS      (PTE_P | PTE_RW)
#define COM1_DATA        0x3f8
#define COM1_LSR         0x3fd
#define LSR_THRE         0x20

	.section .text.boot, "ax"
	.code32
	.globl mb2_entry
mb2_entry:
	cli
	cld
	movl $boot_stack_top, %esp
	cmpl $MULTIBOOT2_BOOTLOADER_MAGIC, %eax
	jne bad_magic
	movl %eax, %ebp              /* magic and info survive until kernel_main */
	movl %ebx, %esi

	movl $__bss_start, %edi
	movl $__bss_end, %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb

	movl $CPUID_LEAF_EXT_MAX, %eax
	cpuid
	cmpl $CPUID_LEAF_EXT_FEATURES, %eax
	jb no_long_mode
	movl $CPUID_LEAF_EXT_FEATURES, %eax
	cpuid
	testl $CPUID_EXT_EDX_LM, %edx
	jz no_long_mode

	call build_early_tables

	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $early_pml4, %eax
	movl %eax, %cr3
	movl $MSR_IA32_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	orl $(CR0_PG | CR0_PE | CR0_WP), %eax
	movl %eax, %cr0
	lgdt early_gdtr
	ljmp $GDT_SEL_KERN_CS, $long_mode_entry

/* PML4[0] -> PDPT[0..3] -> 4 PDs of 2 MiB pages; one 2 MiB page split for the guard. */
build_early_tables:
	movl $early_pdpt + TABLE_FLAGS, early_pml4

	movl $early_pd + TABLE_FLAGS, %eax
	xorl %ecx, %ecx
1:	movl %eax, early_pdpt(, %ecx, 8)
	addl $PAGE_SIZE, %eax
	incl %ecx
	cmpl $EARLY_MAP_GIB, %ecx
	jb 1b

	movl $(PTE_P | PTE_RW | PTE_PS), %eax
	xorl %ecx, %ecx
2:	movl %eax, early_pd(, %ecx, 8)
	addl $(1 << LARGE_PAGE_SHIFT), %eax
	incl %ecx
	cmpl $(EARLY_MAP_GIB * PT_ENTRIES), %ecx
	jb 2b

	movl $boot_stack_guard, %ebx
	movl %ebx, %edx
	andl $~((1 << LARGE_PAGE_SHIFT) - 1), %edx
	orl $(PTE_P | PTE_RW), %edx
	xorl %ecx, %ecx
3:	movl %edx, early_pt(, %ecx, 8)
	addl $PAGE_SIZE, %edx
	incl %ecx
	cmpl $PT_ENTRIES, %ecx
	jb 3b
	movl %ebx, %ecx
	shrl $PAGE_SHIFT, %ecx
	andl $(PT_ENTRIES - 1), %ecx
	movl $0, early_pt(, %ecx, 8)
	shrl $LARGE_PAGE_SHIFT, %ebx
	movl $early_pt + TABLE_FLAGS, early_pd(, %ebx, 8)
	ret

bad_magic:
	movl $msg_bad_magic, %esi
	jmp early_fail
no_long_mode:
	movl $msg_no_long_mode, %esi
/* Print the string at ESI on COM1 (GRUB left it programmed) and stop. */
early_fail:
	lodsb
	testb %al, %al
	jz 2f
	movb %al, %bl
	movw $COM1_LSR, %dx
1:	inb %dx, %al
	testb $LSR_THRE, %al
	jz 1b
	movb %bl, %al
	movw $COM1_DATA, %dx
	outb %al, %dx
	jmp early_fail
2:	cli
	hlt
	jmp 2b

	.code64
long_mode_entry:
	movw $GDT_SEL_KERN_DS, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorl %eax, %eax
	movw %ax, %fs
	movw %ax, %gs
	/* this_cpu() must work from the first line of C. */
	movl $MSR_IA32_GS_BASE, %ecx
	movl $pcpus, %eax
	xorl %edx, %edx
	wrmsr
	movq $boot_stack_top, %rsp
	movl %ebp, %edi              /* magic */
	movl %esi, %esi              /* info, zero-extended */
	xorl %ebp, %ebp              /* ends frame-pointer walks */
	call kernel_main
1:	cli
	hlt
	jmp 1b

	.section .rodata
	.balign 16
early_gdt:
	.quad 0
	.quad GDT_DESC_KERN_CODE
	.quad GDT_DESC_KERN_DATA
early_gdt_end:
early_gdtr:
	.short early_gdt_end - early_gdt - 1
	.quad early_gdt
msg_bad_magic:
	.asciz "tern: not booted by a multiboot2 loader (bad magic)\r\n"
msg_no_long_mode:
	.asciz "tern: this CPU has no long mode (x86-64)\r\n"

	.section .bss.boot, "aw", @nobits
	.balign PAGE_SIZE
early_pml4:
	.skip PAGE_SIZE
early_pdpt:
	.skip PAGE_SIZE
early_pd:
	.skip PAGE_SIZE * EARLY_MAP_GIB
early_pt:
	.skip PAGE_SIZE
	.globl boot_stack_guard, boot_stack_top
boot_stack_guard:
	.skip BOOT_GUARD_SIZE
	.skip BOOT_STACK_SIZE
boot_stack_top:
