/* SPDX-License-Identifier: MIT */
/*
 * The MMIO instruction decoder: tells what a guest instruction that faulted
 * on an MMIO address wanted to do (load, store, store immediate; size; which
 * register) and how long it is. Pure functions on bytes: the caller fetches
 * the bytes and performs the access. Host-tested (tests/unit/test_insn.c).
 */
#ifndef TERN_ARCH_X86_INSN_H
#define TERN_ARCH_X86_INSN_H

#include "kernel/lib/types.h"

#define INSN_MAX_LEN 15   /* architectural limit of an x86 instruction */

/* Default operand/address size of the code segment the instruction runs in. */
enum insn_mode {
	INSN_MODE_16,
	INSN_MODE_32,
	INSN_MODE_64,
};

enum insn_kind {
	INSN_STORE_REG,   /* mov r/m, reg   (88, 89, A2, A3) */
	INSN_STORE_IMM,   /* mov r/m, imm   (C6 /0, C7 /0) */
	INSN_LOAD,        /* mov reg, r/m   (8A, 8B, A0, A1) */
	INSN_LOAD_ZX,     /* movzx          (0F B6, 0F B7) */
	INSN_LOAD_SX,     /* movsx, movsxd  (0F BE, 0F BF, REX.W 63) */
};

/* x86 general-purpose register numbers (ModRM/REX encoding order). */
enum gpr_index {
	GPR_RAX, GPR_RCX, GPR_RDX, GPR_RBX, GPR_RSP, GPR_RBP, GPR_RSI, GPR_RDI,
	GPR_R8, GPR_R9, GPR_R10, GPR_R11, GPR_R12, GPR_R13, GPR_R14, GPR_R15,
	GPR_COUNT,
};

struct insn {
	enum insn_kind kind;
	unsigned len;        /* instruction length in bytes */
	unsigned mem_size;   /* bytes accessed in memory: 1, 2, 4 or 8 */
	unsigned reg_size;   /* register operand size (the destination of loads) */
	unsigned reg;        /* enum gpr_index of the register operand */
	bool high8;          /* the register is AH, CH, DH or BH */
	u64 imm;             /* STORE_IMM: the value, already sized to mem_size */
	/*
	 * What completing it takes, worked out by insn_decode() from the fields
	 * above so that insn_store_value() and insn_complete_load() are a few
	 * shifts and masks: the memory operand's bits, the register bits a
	 * load writes and those it keeps (a 32-bit destination keeps none: its
	 * upper half becomes zero), the sign-extension shift (0 unless
	 * movsx/movsxd) and 8 for AH..BH.
	 */
	u64 mem_mask;
	u64 write_mask;
	u64 keep_mask;
	u8 sx_shift;
	u8 high_shift;
};

/*
 * A decoded instruction kept with the bytes it came from (struct vcpu keeps
 * a few for its MMIO exits). Decoding is a function of the mode and of the
 * instruction's own len bytes alone, so an instruction whose first len bytes
 * and mode are the same decodes the same: insn_cache_match() compares just
 * those, as two 8-byte words (bytes 0..7 and 7..14) under masks. A zeroed
 * entry matches nothing (key 0).
 */
#define INSN_CACHED_SIZE 128   /* a power of two: an array of them is indexed with a shift */

struct insn_cached {
	u64 w0, w1;          /* bytes 0..7 and 7..14, little-endian */
	u64 m0, m1;          /* the bits of w0 and w1 inside the instruction */
	u64 key;             /* mode + 1; 0: empty */
	struct insn insn;
	u8 pad[INSN_CACHED_SIZE - 5 * sizeof(u64) - sizeof(struct insn)];
};

STATIC_ASSERT(sizeof(struct insn_cached) == INSN_CACHED_SIZE);

/* Does the instruction at bytes[0, INSN_MAX_LEN) in mode decode as c->insn? */
static inline bool insn_cache_match(const struct insn_cached *c, const u8 *bytes,
				    enum insn_mode mode)
{
	u64 w0, w1;

	__builtin_memcpy(&w0, bytes, sizeof(w0));
	__builtin_memcpy(&w1, bytes + INSN_MAX_LEN - sizeof(w1), sizeof(w1));
	return c->key == (u64)mode + 1 && !((w0 ^ c->w0) & c->m0) && !((w1 ^ c->w1) & c->m1);
}

/* Keep in (decoded from bytes[0, INSN_MAX_LEN) in mode) in c. */
void insn_cache_fill(struct insn_cached *c, const u8 *bytes, enum insn_mode mode,
		     const struct insn *in);

/*
 * Decode the instruction at bytes[0, avail) executed in mode. Returns 0 and
 * fills *out; -TERN_EINVAL when the bytes are truncated or the instruction
 * has no memory operand; -TERN_EOPNOTSUPP for an instruction outside the
 * supported set (MOV/MOVZX/MOVSX forms listed in enum insn_kind).
 */
int insn_decode(const u8 *bytes, unsigned avail, enum insn_mode mode, struct insn *out);

/* The value a store writes to memory (register or immediate), sized to mem_size. */
static inline u64 insn_store_value(const u64 gpr[GPR_COUNT], const struct insn *in)
{
	if (in->kind == INSN_STORE_IMM)
		return in->imm & in->mem_mask;
	return (gpr[in->reg] >> in->high_shift) & in->mem_mask;   /* reg < GPR_COUNT */
}

/*
 * Complete a load: write mem_val (mem_size bytes) into the destination
 * register with x86 semantics (8/16-bit writes merge, 32-bit writes zero the
 * upper half, movzx/movsx extend).
 */
static inline void insn_complete_load(u64 gpr[GPR_COUNT], const struct insn *in, u64 mem_val)
{
	u64 *r = &gpr[in->reg];   /* insn_decode() gives reg < GPR_COUNT */
	u64 v = (u64)((s64)((mem_val & in->mem_mask) << in->sx_shift) >> in->sx_shift);

	*r = (*r & in->keep_mask) | ((v << in->high_shift) & in->write_mask);
}

#endif
