/* SPDX-License-Identifier: MIT */
/*
 * The MMIO instruction decoder (arch/x86/insn.c) on arbitrary bytes.
 * Input: byte 0 picks the mode (16/32/64-bit), byte 1 the value a load
 * returns, the rest are the instruction bytes, handed over in an exactly
 * sized buffer (ASan catches a read beyond avail).
 * Invariants of a successful decode:
 *  - 1 <= len <= min(avail, 15); sizes are 1, 2, 4 or 8; reg < 16;
 *  - outside 64-bit mode no REX exists: reg < 8 and no 8-byte access;
 *  - high8 only for a byte register AH..BH (reg 0..3);
 *  - the decode depends only on bytes[0, len): the same bytes with
 *    avail = len decode identically, and with avail = len - 1 they fail;
 *  - a store value / immediate fits mem_size; completing a load changes
 *    only the destination register, zero-extends 32-bit writes and
 *    extends movzx/movsx as the SDM says;
 *  - kept in a struct insn_cached (the MMIO exit's cache), it matches the
 *    same 15 bytes in the same mode, still matches when any byte after len
 *    changes, and never when a byte inside len does or the mode differs.
 */
#include "arch/x86/insn.h"
#include <tern/errno.h>
#include "tests/fuzz/fuzz.h"

static u64 mask(unsigned size)
{
	return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

static bool valid_size(unsigned s)
{
	return s == 1 || s == 2 || s == 4 || s == 8;
}

static void check_load(const struct insn *in, u64 memval)
{
	u64 gpr[GPR_COUNT], before[GPR_COUNT];
	u64 v = memval & mask(in->mem_size);
	unsigned r = in->reg;

	for (unsigned i = 0; i < GPR_COUNT; i++)
		gpr[i] = before[i] = 0xfedcba9876543210ull ^ (0x1111111111111111ull * i);
	insn_complete_load(gpr, in, memval);
	for (unsigned i = 0; i < GPR_COUNT; i++)
		if (i != r)
			FUZZ_CHECK(gpr[i] == before[i], "load into reg %u changed reg %u", r, i);
	if (in->high8) {
		FUZZ_CHECK(gpr[r] == ((before[r] & ~0xff00ull) | (v << 8)), "high8 load");
		return;
	}
	if (in->kind == INSN_LOAD_SX && in->mem_size < 8) {
		u64 sign = 1ull << (8 * in->mem_size - 1);

		if (v & sign)
			v |= ~mask(in->mem_size);
	}
	{
		unsigned dsize = in->kind == INSN_LOAD ? in->mem_size : in->reg_size;
		u64 expect = dsize >= 4 ? v & mask(dsize)
					: (before[r] & ~mask(dsize)) | (v & mask(dsize));

		FUZZ_CHECK(gpr[r] == expect, "load kind %d mem %u reg %u: got 0x%llx want 0x%llx",
			   in->kind, in->mem_size, in->reg_size, (unsigned long long)gpr[r],
			   (unsigned long long)expect);
	}
}

static void check_cache(const u8 *bytes, unsigned avail, enum insn_mode mode,
			const struct insn *in, u8 flip)
{
	u8 b[INSN_MAX_LEN];
	struct insn_cached c;

	for (unsigned i = 0; i < INSN_MAX_LEN; i++)   /* what follows the instruction: anything */
		b[i] = i < avail ? bytes[i] : (u8)(0x37 * i);
	memset(&c, 0xa5, sizeof(c));
	insn_cache_fill(&c, b, mode, in);
	FUZZ_CHECK(insn_cache_match(&c, b, mode), "a kept decode does not match its own bytes");
	FUZZ_CHECK(!insn_cache_match(&c, b, (enum insn_mode)((mode + 1) % 3)), "matches another mode");
	FUZZ_CHECK(c.insn.len == in->len && c.insn.kind == in->kind, "kept decode differs");
	flip |= 1;
	for (unsigned i = 0; i < INSN_MAX_LEN; i++) {
		b[i] ^= flip;
		FUZZ_CHECK(insn_cache_match(&c, b, mode) == (i >= in->len),
			   "byte %u of a %u-byte instruction changed: match %d", i, in->len,
			   insn_cache_match(&c, b, mode));
		b[i] ^= flip;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum insn_mode mode;
	struct insn in, again;
	unsigned avail;
	u64 memval, gpr[GPR_COUNT];
	u8 *bytes;
	int ret;

	if (size < 2)
		return 0;
	mode = (enum insn_mode)(data[0] % 3);
	memval = 0x8000000080008080ull | ((u64)data[1] * 0x0101010101010101ull);
	avail = (unsigned)(size - 2 > 32 ? 32 : size - 2);
	bytes = malloc(avail ? avail : 1);
	if (!bytes)
		abort();
	memcpy(bytes, data + 2, avail);
	memset(&in, 0xa5, sizeof(in));
	ret = insn_decode(bytes, avail, mode, &in);
	FUZZ_CHECK(ret == 0 || ret == -TERN_EINVAL || ret == -TERN_EOPNOTSUPP, "ret %d", ret);
	if (ret == 0) {
		FUZZ_CHECK(in.len >= 1 && in.len <= avail && in.len <= INSN_MAX_LEN, "len %u avail %u",
			   in.len, avail);
		FUZZ_CHECK(in.kind >= INSN_STORE_REG && in.kind <= INSN_LOAD_SX, "kind %d", in.kind);
		FUZZ_CHECK(valid_size(in.mem_size), "mem_size %u", in.mem_size);
		FUZZ_CHECK(in.reg < GPR_COUNT, "reg %u", in.reg);
		if (in.kind != INSN_STORE_IMM)
			FUZZ_CHECK(valid_size(in.reg_size), "reg_size %u", in.reg_size);
		if (mode != INSN_MODE_64) {
			FUZZ_CHECK(in.reg < 8, "reg %u outside 64-bit mode", in.reg);
			FUZZ_CHECK(in.mem_size < 8 && (in.kind == INSN_STORE_IMM || in.reg_size < 8),
				   "8-byte access outside 64-bit mode");
		}
		if (in.high8)
			FUZZ_CHECK(in.reg < 4 && in.reg_size == 1, "high8 reg %u size %u", in.reg,
				   in.reg_size);
		if (in.kind == INSN_LOAD_ZX || in.kind == INSN_LOAD_SX)
			FUZZ_CHECK(in.mem_size <= in.reg_size && !in.high8, "extend %u -> %u",
				   in.mem_size, in.reg_size);
		if (in.kind == INSN_STORE_IMM)
			FUZZ_CHECK((in.imm & ~mask(in.mem_size)) == 0, "imm 0x%llx size %u",
				   (unsigned long long)in.imm, in.mem_size);
		for (unsigned i = 0; i < GPR_COUNT; i++)
			gpr[i] = ~0ull - i;
		if (in.kind == INSN_STORE_REG || in.kind == INSN_STORE_IMM)
			FUZZ_CHECK((insn_store_value(gpr, &in) & ~mask(in.mem_size)) == 0,
				   "store value wider than %u", in.mem_size);
		else
			check_load(&in, memval);

		check_cache(bytes, avail, mode, &in, data[1]);

		/* Only bytes[0, len) matter. */
		memset(&again, 0x5a, sizeof(again));
		FUZZ_CHECK(insn_decode(bytes, in.len, mode, &again) == 0, "exact length fails");
		FUZZ_CHECK(again.kind == in.kind && again.len == in.len &&
			   again.mem_size == in.mem_size && again.reg == in.reg &&
			   again.high8 == in.high8 && (in.kind == INSN_STORE_IMM ?
			   again.imm == in.imm : again.reg_size == in.reg_size),
			   "decode differs with avail = len");
		FUZZ_CHECK(insn_decode(bytes, in.len - 1, mode, &again) != 0,
			   "decodes with one byte fewer than its length %u", in.len);
	}
	free(bytes);
	return 0;
}
