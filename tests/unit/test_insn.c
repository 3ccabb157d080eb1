/* SPDX-License-Identifier: MIT */
/* Host tests of the MMIO instruction decoder (arch/x86/insn.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "arch/x86/insn.h"

#define DECODE(mode, ...) decode_bytes(mode, (const u8[]){ __VA_ARGS__ }, \
	sizeof((const u8[]){ __VA_ARGS__ }))

static struct insn decoded;

static int decode_bytes(enum insn_mode mode, const u8 *b, unsigned n)
{
	return insn_decode(b, n, mode, &decoded);
}

static void test_store_reg_sizes(void **state)
{
	(void)state;
	/* mov [rax], ecx */
	assert_int_equal(DECODE(INSN_MODE_64, 0x89, 0x08), 0);
	assert_int_equal(decoded.kind, INSN_STORE_REG);
	assert_int_equal(decoded.len, 2);
	assert_int_equal(decoded.mem_size, 4);
	assert_int_equal(decoded.reg, GPR_RCX);
	/* mov [rax], r9 (REX.WR) */
	assert_int_equal(DECODE(INSN_MODE_64, 0x4c, 0x89, 0x08), 0);
	assert_int_equal(decoded.mem_size, 8);
	assert_int_equal(decoded.reg, GPR_R9);
	assert_int_equal(decoded.len, 3);
	/* mov [rax], cx (66) */
	assert_int_equal(DECODE(INSN_MODE_64, 0x66, 0x89, 0x08), 0);
	assert_int_equal(decoded.mem_size, 2);
	/* 16-bit code: 89 is a word store, 66 makes it dword */
	assert_int_equal(DECODE(INSN_MODE_16, 0x89, 0x0f), 0);
	assert_int_equal(decoded.mem_size, 2);
	assert_int_equal(DECODE(INSN_MODE_16, 0x66, 0x89, 0x0f), 0);
	assert_int_equal(decoded.mem_size, 4);
	/* REX.W in 32-bit code is dec eax, not a prefix */
	assert_int_equal(DECODE(INSN_MODE_32, 0x48, 0x89, 0x08), -TERN_EOPNOTSUPP);
}

static void test_byte_registers(void **state)
{
	u64 gpr[GPR_COUNT] = { 0 };

	(void)state;
	gpr[GPR_RCX] = 0xa1b2;
	/* mov [rax], ch: without REX, reg 5 is CH */
	assert_int_equal(DECODE(INSN_MODE_32, 0x88, 0x28), 0);
	assert_true(decoded.high8);
	assert_int_equal(decoded.reg, GPR_RCX);
	assert_int_equal(insn_store_value(gpr, &decoded), 0xa1);
	/* with an empty REX, reg 5 is BPL */
	gpr[GPR_RBP] = 0x77;
	assert_int_equal(DECODE(INSN_MODE_64, 0x40, 0x88, 0x28), 0);
	assert_false(decoded.high8);
	assert_int_equal(decoded.reg, GPR_RBP);
	assert_int_equal(insn_store_value(gpr, &decoded), 0x77);
	/* mov ah, [rbx]: merges bits 15:8 only */
	gpr[GPR_RAX] = 0x1122334455667788ull;
	assert_int_equal(DECODE(INSN_MODE_64, 0x8a, 0x23), 0);
	insn_complete_load(gpr, &decoded, 0xfe);
	assert_int_equal(gpr[GPR_RAX], 0x112233445566fe88ull);
}

static void test_load_merge_rules(void **state)
{
	u64 gpr[GPR_COUNT] = { 0 };

	(void)state;
	gpr[GPR_RDX] = 0xffffffffffffffffull;
	/* mov dx, [rax]: 16-bit merge */
	assert_int_equal(DECODE(INSN_MODE_64, 0x66, 0x8b, 0x10), 0);
	insn_complete_load(gpr, &decoded, 0x1234);
	assert_int_equal(gpr[GPR_RDX], 0xffffffffffff1234ull);
	/* mov edx, [rax]: 32-bit write zero-extends */
	assert_int_equal(DECODE(INSN_MODE_64, 0x8b, 0x10), 0);
	insn_complete_load(gpr, &decoded, 0xdeadbeefcafeull);
	assert_int_equal(gpr[GPR_RDX], 0xbeefcafeull);
	/* mov r15, [rax] */
	assert_int_equal(DECODE(INSN_MODE_64, 0x4c, 0x8b, 0x38), 0);
	assert_int_equal(decoded.reg, GPR_R15);
	insn_complete_load(gpr, &decoded, 0x8000000000000001ull);
	assert_int_equal(gpr[GPR_R15], 0x8000000000000001ull);
}

static void test_movzx_movsx(void **state)
{
	u64 gpr[GPR_COUNT] = { 0 };

	(void)state;
	gpr[GPR_RAX] = ~0ull;
	/* movzx eax, byte [rdi] */
	assert_int_equal(DECODE(INSN_MODE_64, 0x0f, 0xb6, 0x07), 0);
	assert_int_equal(decoded.kind, INSN_LOAD_ZX);
	assert_int_equal(decoded.mem_size, 1);
	assert_int_equal(decoded.len, 3);
	insn_complete_load(gpr, &decoded, 0x80);
	assert_int_equal(gpr[GPR_RAX], 0x80);
	/* movsx eax, word [rdi] */
	assert_int_equal(DECODE(INSN_MODE_64, 0x0f, 0xbf, 0x07), 0);
	insn_complete_load(gpr, &decoded, 0x8000);
	assert_int_equal(gpr[GPR_RAX], 0xffff8000ull);
	/* movsx rax, byte [rdi] (REX.W): full 64-bit sign extension */
	assert_int_equal(DECODE(INSN_MODE_64, 0x48, 0x0f, 0xbe, 0x07), 0);
	insn_complete_load(gpr, &decoded, 0xff);
	assert_int_equal(gpr[GPR_RAX], ~0ull);
	/* movsxd rcx, dword [rdi] */
	assert_int_equal(DECODE(INSN_MODE_64, 0x48, 0x63, 0x0f), 0);
	insn_complete_load(gpr, &decoded, 0x80000000u);
	assert_int_equal(gpr[GPR_RCX], 0xffffffff80000000ull);
	/* movzx ax, byte [di] in 16-bit code merges into AX only */
	gpr[GPR_RAX] = 0xabcd0000ull;
	assert_int_equal(DECODE(INSN_MODE_16, 0x0f, 0xb6, 0x05), 0);
	assert_int_equal(decoded.reg_size, 2);
	insn_complete_load(gpr, &decoded, 0x7f);
	assert_int_equal(gpr[GPR_RAX], 0xabcd007full);
}

static void test_store_immediate(void **state)
{
	u64 gpr[GPR_COUNT] = { 0 };

	(void)state;
	/* mov dword [rax+0x10], 0x12345678 */
	assert_int_equal(DECODE(INSN_MODE_64, 0xc7, 0x40, 0x10, 0x78, 0x56, 0x34, 0x12), 0);
	assert_int_equal(decoded.kind, INSN_STORE_IMM);
	assert_int_equal(decoded.len, 7);
	assert_int_equal(insn_store_value(gpr, &decoded), 0x12345678);
	/* mov qword [rax], -1: imm32 sign-extends to 64 bits */
	assert_int_equal(DECODE(INSN_MODE_64, 0x48, 0xc7, 0x00, 0xff, 0xff, 0xff, 0xff), 0);
	assert_int_equal(decoded.mem_size, 8);
	assert_int_equal(insn_store_value(gpr, &decoded), ~0ull);
	/* mov word [eax], 0xbeef */
	assert_int_equal(DECODE(INSN_MODE_32, 0x66, 0xc7, 0x00, 0xef, 0xbe), 0);
	assert_int_equal(decoded.len, 5);
	assert_int_equal(insn_store_value(gpr, &decoded), 0xbeef);
	/* mov byte [ebx], 0x5a */
	assert_int_equal(DECODE(INSN_MODE_32, 0xc6, 0x03, 0x5a), 0);
	assert_int_equal(decoded.mem_size, 1);
	assert_int_equal(insn_store_value(gpr, &decoded), 0x5a);
	/* C7 /1 is not a MOV */
	assert_int_equal(DECODE(INSN_MODE_32, 0xc7, 0x08, 0, 0, 0, 0), -TERN_EOPNOTSUPP);
}

static void test_addressing_lengths(void **state)
{
	(void)state;
	/* mov [esp+4], eax: SIB + disp8 */
	assert_int_equal(DECODE(INSN_MODE_32, 0x89, 0x44, 0x24, 0x04), 0);
	assert_int_equal(decoded.len, 4);
	/* mov [0xfee000b0], eax: mod 0 rm 5 -> disp32 */
	assert_int_equal(DECODE(INSN_MODE_32, 0x89, 0x05, 0xb0, 0x00, 0xe0, 0xfe), 0);
	assert_int_equal(decoded.len, 6);
	/* mov [rip+disp32], eax in 64-bit mode */
	assert_int_equal(DECODE(INSN_MODE_64, 0x89, 0x05, 1, 2, 3, 4), 0);
	assert_int_equal(decoded.len, 6);
	/* mov [disp32 + ecx*4] via SIB with no base */
	assert_int_equal(DECODE(INSN_MODE_32, 0x89, 0x04, 0x8d, 1, 2, 3, 4), 0);
	assert_int_equal(decoded.len, 7);
	/* mov [ebx+disp32], eax */
	assert_int_equal(DECODE(INSN_MODE_32, 0x89, 0x83, 1, 2, 3, 4), 0);
	assert_int_equal(decoded.len, 6);
	/* 16-bit addressing: mov [0x1234], ax is 89 06 disp16 */
	assert_int_equal(DECODE(INSN_MODE_16, 0x89, 0x06, 0x34, 0x12), 0);
	assert_int_equal(decoded.len, 4);
	/* 67 in 32-bit code switches to 16-bit addressing: [bp+si+disp16] */
	assert_int_equal(DECODE(INSN_MODE_32, 0x67, 0x89, 0x82, 0x34, 0x12), 0);
	assert_int_equal(decoded.len, 5);
	/* segment override and moffs: mov eax, fs:[moffs32] */
	assert_int_equal(DECODE(INSN_MODE_32, 0x64, 0xa1, 0x00, 0x00, 0xc0, 0xfe), 0);
	assert_int_equal(decoded.kind, INSN_LOAD);
	assert_int_equal(decoded.reg, GPR_RAX);
	assert_int_equal(decoded.len, 6);
	/* moffs in 64-bit mode is 8 bytes */
	assert_int_equal(DECODE(INSN_MODE_64, 0xa3, 1, 2, 3, 4, 5, 6, 7, 8), 0);
	assert_int_equal(decoded.kind, INSN_STORE_REG);
	assert_int_equal(decoded.len, 9);
}

static void test_rejects(void **state)
{
	u8 many_prefixes[16];

	(void)state;
	/* register-to-register form has no memory operand */
	assert_int_equal(DECODE(INSN_MODE_64, 0x89, 0xc8), -TERN_EINVAL);
	/* truncated displacement / immediate */
	assert_int_equal(DECODE(INSN_MODE_32, 0x89, 0x05, 0xb0, 0x00), -TERN_EINVAL);
	assert_int_equal(DECODE(INSN_MODE_32, 0xc7, 0x00, 0x01), -TERN_EINVAL);
	assert_int_equal(DECODE(INSN_MODE_32, 0x66), -TERN_EINVAL);
	assert_int_equal(insn_decode(many_prefixes, 0, INSN_MODE_32, &decoded), -TERN_EINVAL);
	/* unsupported opcodes: add, movs, 0f 0b */
	assert_int_equal(DECODE(INSN_MODE_32, 0x01, 0x08), -TERN_EOPNOTSUPP);
	assert_int_equal(DECODE(INSN_MODE_32, 0xa5), -TERN_EOPNOTSUPP);
	assert_int_equal(DECODE(INSN_MODE_32, 0x0f, 0x0b), -TERN_EOPNOTSUPP);
	assert_int_equal(DECODE(INSN_MODE_32, 0x63, 0x08), -TERN_EOPNOTSUPP);
	/* more than 15 bytes of prefixes is never an instruction */
	for (unsigned i = 0; i < sizeof(many_prefixes); i++)
		many_prefixes[i] = 0x66;
	assert_int_equal(insn_decode(many_prefixes, sizeof(many_prefixes), INSN_MODE_32, &decoded),
			 -TERN_EINVAL);
}

/* A cached decode matches exactly the instructions with the same mode and first len bytes. */
static void test_cache_match(void **state)
{
	/* mov dword [rax + 0x11223344], 0x55667788: C7 80 disp32 imm32, 10 bytes, then junk */
	u8 b[INSN_MAX_LEN] = { 0xc7, 0x80, 0x44, 0x33, 0x22, 0x11, 0x88, 0x77, 0x66, 0x55,
			       0xa0, 0xa1, 0xa2, 0xa3, 0xa4 };
	struct insn_cached c, empty;

	(void)state;
	memset(&empty, 0, sizeof(empty));
	assert_false(insn_cache_match(&empty, b, INSN_MODE_16));
	assert_int_equal(insn_decode(b, INSN_MAX_LEN, INSN_MODE_32, &decoded), 0);
	assert_int_equal(decoded.len, 10);
	memset(&c, 0x5a, sizeof(c));
	insn_cache_fill(&c, b, INSN_MODE_32, &decoded);
	assert_true(insn_cache_match(&c, b, INSN_MODE_32));
	assert_false(insn_cache_match(&c, b, INSN_MODE_16));
	assert_false(insn_cache_match(&c, b, INSN_MODE_64));
	assert_int_equal(c.insn.imm, 0x55667788);
	for (unsigned i = 0; i < INSN_MAX_LEN; i++) {
		b[i] ^= 0x01;
		/* a byte inside the instruction must match; the bytes after it do not count */
		assert_int_equal(insn_cache_match(&c, b, INSN_MODE_32), i >= decoded.len);
		b[i] ^= 0x01;
	}

	/* 8 bytes: the second word does not count at all */
	{
		u8 m[INSN_MAX_LEN] = { 0x48, 0x8b, 0x80, 0x10, 0x20, 0x30, 0x40, 0x90, 0xff, 0xff };

		assert_int_equal(insn_decode(m, INSN_MAX_LEN, INSN_MODE_64, &decoded), 0);
		assert_int_equal(decoded.len, 7);
		insn_cache_fill(&c, m, INSN_MODE_64, &decoded);
		for (unsigned i = 0; i < INSN_MAX_LEN; i++) {
			m[i] ^= 0x80;
			assert_int_equal(insn_cache_match(&c, m, INSN_MODE_64), i >= 7);
			m[i] ^= 0x80;
		}
	}
	/* the longest: 15 bytes (prefixes), every byte counts */
	{
		u8 l[INSN_MAX_LEN] = { 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e,
				       0x66, 0x89, 0x05, 0x01, 0x02, 0x03, 0x04 };

		assert_int_equal(insn_decode(l, INSN_MAX_LEN, INSN_MODE_64, &decoded), 0);
		assert_int_equal(decoded.len, INSN_MAX_LEN);
		insn_cache_fill(&c, l, INSN_MODE_64, &decoded);
		assert_true(insn_cache_match(&c, l, INSN_MODE_64));
		for (unsigned i = 0; i < INSN_MAX_LEN; i++) {
			l[i] ^= 0x10;
			assert_false(insn_cache_match(&c, l, INSN_MODE_64));
			l[i] ^= 0x10;
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_store_reg_sizes),
		cmocka_unit_test(test_byte_registers),
		cmocka_unit_test(test_load_merge_rules),
		cmocka_unit_test(test_movzx_movsx),
		cmocka_unit_test(test_store_immediate),
		cmocka_unit_test(test_addressing_lengths),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_cache_match),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
