/* SPDX-License-Identifier: MIT */
/*
 * mmio: the pc-testdev memory at 0xff000000 (64 KiB) read back through
 * the instruction forms a decoder must handle: MOV reg->mem, MOV imm->mem,
 * MOV mem->reg, MOVZX, MOVSX, at 8, 16 and 32 bits, aligned and not; and
 * code rewritten in place at one address (tern keeps decoded MMIO
 * instructions by address and must notice).
 */
#include "lib/guest.h"

#define IOMEM_BASE 0xff000000u
#define IOMEM_SIZE 0x10000u

static volatile u8 *const iomem = (volatile u8 *)IOMEM_BASE;

static void mov_reg_to_mem(void)
{
	u32 v32 = 0x89abcdef;
	u16 v16 = 0x4321;
	u8 v8 = 0x5a;

	__asm__ __volatile__("movl %1, %0" : "=m"(*(volatile u32 *)(iomem + 0x100)) : "r"(v32));
	__asm__ __volatile__("movw %1, %0" : "=m"(*(volatile u16 *)(iomem + 0x104)) : "r"(v16));
	__asm__ __volatile__("movb %1, %0" : "=m"(*(volatile u8 *)(iomem + 0x106)) : "q"(v8));
	check_eq(mmio_read32(IOMEM_BASE + 0x100), 0x89abcdef, "mov r32 -> mem, read back");
	check_eq(mmio_read16(IOMEM_BASE + 0x104), 0x4321, "mov r16 -> mem, read back");
	check_eq(mmio_read8(IOMEM_BASE + 0x106), 0x5a, "mov r8 -> mem, read back");
	check_eq(mmio_read32(IOMEM_BASE + 0x104), 0x005a4321, "the three writes did not overlap");
}

static void mov_imm_to_mem(void)
{
	__asm__ __volatile__("movl $0x11223344, %0" : "=m"(*(volatile u32 *)(iomem + 0x200)));
	__asm__ __volatile__("movw $0x5566, %0" : "=m"(*(volatile u16 *)(iomem + 0x204)));
	__asm__ __volatile__("movb $0x77, %0" : "=m"(*(volatile u8 *)(iomem + 0x206)));
	check_eq(mmio_read32(IOMEM_BASE + 0x200), 0x11223344, "mov imm32 -> mem");
	check_eq(mmio_read16(IOMEM_BASE + 0x204), 0x5566, "mov imm16 -> mem");
	check_eq(mmio_read8(IOMEM_BASE + 0x206), 0x77, "mov imm8 -> mem");
}

static void loads(void)
{
	u32 r;

	mmio_write32(IOMEM_BASE + 0x300, 0x8081f2f3);
	__asm__ __volatile__("movzbl %1, %0" : "=r"(r) : "m"(*(volatile u8 *)(iomem + 0x300)));
	check_eq(r, 0xf3, "movzx r32, m8");
	__asm__ __volatile__("movzwl %1, %0" : "=r"(r) : "m"(*(volatile u16 *)(iomem + 0x302)));
	check_eq(r, 0x8081, "movzx r32, m16");
	__asm__ __volatile__("movsbl %1, %0" : "=r"(r) : "m"(*(volatile u8 *)(iomem + 0x301)));
	check_eq(r, 0xfffffff2, "movsx r32, m8");
	__asm__ __volatile__("movswl %1, %0" : "=r"(r) : "m"(*(volatile u16 *)(iomem + 0x302)));
	check_eq(r, 0xffff8081, "movsx r32, m16");
	r = 0xdeadbeef;
	__asm__ __volatile__("movw %1, %w0" : "+r"(r) : "m"(*(volatile u16 *)(iomem + 0x300)));
	check_eq(r, 0xdeadf2f3, "mov r16, m16 keeps the upper half of the register");
	r = 0xdeadbeef;
	__asm__ __volatile__("movb %1, %b0" : "+q"(r) : "m"(*(volatile u8 *)(iomem + 0x303)));
	check_eq(r, 0xdeadbe80, "mov r8, m8 keeps the rest of the register");
	__asm__ __volatile__("movl %1, %%eax; movl %%eax, %0" : "=r"(r)
			     : "m"(*(volatile u32 *)(iomem + 0x300)) : "eax");
	check_eq(r, 0x8081f2f3, "mov eax, m32 (the accumulator form)");
}

static void unaligned_and_edges(void)
{
	mmio_write32(IOMEM_BASE + 0x401, 0xa1b2c3d4);
	check_eq(mmio_read32(IOMEM_BASE + 0x400), 0xb2c3d400, "unaligned 32-bit write at +0x401");
	check_eq(mmio_read16(IOMEM_BASE + 0x403), 0xa1b2, "unaligned 16-bit read at +0x403");
	mmio_write32(IOMEM_BASE + IOMEM_SIZE - 4, 0x0badf00d);
	check_eq(mmio_read32(IOMEM_BASE + IOMEM_SIZE - 4), 0x0badf00d, "last dword of the region");
	check_eq(mmio_read8(IOMEM_BASE + IOMEM_SIZE - 1), 0x0b, "last byte of the region");
	check_eq(mmio_read32(IOMEM_BASE + 0x8000), 0, "untouched memory reads 0");
}

static void pattern(void)
{
	bool ok = true;

	for (u32 off = 0x1000; off < 0x1100; off += 4)
		mmio_write32(IOMEM_BASE + off, off * 0x01010101u);
	for (u32 off = 0x1000; off < 0x1100; off += 4)
		ok &= mmio_read32(IOMEM_BASE + off) == off * 0x01010101u;
	check(ok, "64 dwords written and read back in order");
}

/* Code written at run time: one MMIO instruction, then RET. */
static u8 code[32] __attribute__((aligned(16)));

static void put32(u8 *p, u32 v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (u8)(v >> (8 * i));
}

/* Call code with EAX = eax; returns EAX after it. */
static u32 run_code(u32 eax)
{
	__asm__ __volatile__("call *%1" : "+a"(eax) : "r"(code) : "ecx", "edx", "memory");
	return eax;
}

static void rewritten_code(void)
{
	/* mov [IOMEM_BASE + 0x500], eax; ret */
	code[0] = 0xa3;
	put32(&code[1], IOMEM_BASE + 0x500);
	code[5] = 0xc3;
	run_code(0x11111111);
	check_eq(mmio_read32(IOMEM_BASE + 0x500), 0x11111111, "store from written code");
	/* the same instruction at the same address, another operand address */
	put32(&code[1], IOMEM_BASE + 0x504);
	run_code(0x22222222);
	check_eq(mmio_read32(IOMEM_BASE + 0x504), 0x22222222, "rewritten address: new target");
	check_eq(mmio_read32(IOMEM_BASE + 0x500), 0x11111111, "rewritten address: old target kept");
	/* another instruction at the same address: mov byte [IOMEM_BASE + 0x508], 0x5c; ret */
	code[0] = 0xc6;
	code[1] = 0x05;
	put32(&code[2], IOMEM_BASE + 0x508);
	code[6] = 0x5c;
	code[7] = 0xc3;
	run_code(0x33333333);
	check_eq(mmio_read32(IOMEM_BASE + 0x508), 0x5c, "rewritten opcode: a byte store of an immediate");
	/* only the immediate changes (a byte deep inside the instruction) */
	code[6] = 0xc5;
	run_code(0);
	check_eq(mmio_read32(IOMEM_BASE + 0x508), 0xc5, "rewritten immediate");
	/* a load now: mov eax, [IOMEM_BASE + 0x504]; ret */
	code[0] = 0xa1;
	put32(&code[1], IOMEM_BASE + 0x504);
	code[5] = 0xc3;
	check_eq(run_code(0), 0x22222222, "rewritten to a load");
}

void guest_main(void)
{
	mov_reg_to_mem();
	mov_imm_to_mem();
	loads();
	unaligned_and_edges();
	pattern();
	rewritten_code();
}
