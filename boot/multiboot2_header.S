/* SPDX-License-Identifier: MIT */
/*
 * The multiboot2 header (multiboot2 spec 3.1): within the first 32 KiB of
 * the image, 8-byte aligned. Entry is the ELF entry point, in 32-bit mode.
 */
#define MB2_HEADER_MAGIC     0xe85250d6
#define MB2_ARCH_I386        0           /* 32-bit protected-mode entry */
#define MB2_TAG_END          0
#define MB2_TAG_MODULE_ALIGN 6           /* page-align modules: guests load from them */
#define MB2_TAG_REQUIRED     0
#define MB2_TAG_SIZE         8
#define MB2_U32_WRAP         0x100000000 /* the checksum is a 32-bit two's complement */

	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long MB2_HEADER_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long MB2_U32_WRAP - (MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))

	.balign 8
	.short MB2_TAG_MODULE_ALIGN
	.short MB2_TAG_REQUIRED
	.long MB2_TAG_SIZE

	.balign 8
	.short MB2_TAG_END
	.short MB2_TAG_REQUIRED
	.long MB2_TAG_SIZE
mb2_header_end:
