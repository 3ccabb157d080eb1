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
};

/*
 * Decode the instruction at bytes[0, avail) executed in mode. Returns 0 and
 * fills *out; -TERN_EINVAL when the bytes are truncated or the instruction
 * has no memory operand; -TERN_EOPNOTSUPP for an instruction outside the
 * supported set (MOV/MOVZX/MOVSX forms listed in enum insn_kind).
 */
int insn_decode(const u8 *bytes, unsigned avail, enum insn_mode mode, struct insn *out);

/* The value a store writes to memory (register or immediate), sized to mem_size. */
u64 insn_store_value(const u64 gpr[GPR_COUNT], const struct insn *in);

/*
 * Complete a load: write mem_val (mem_size bytes) into the destination
 * register with x86 semantics (8/16-bit writes merge, 32-bit writes zero the
 * upper half, movzx/movsx extend).
 */
void insn_complete_load(u64 gpr[GPR_COUNT], const struct insn *in, u64 mem_val);

#endif
