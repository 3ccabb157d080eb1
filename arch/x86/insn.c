/* SPDX-License-Identifier: MIT */
/*
 * MMIO instruction decoder. Only what MMIO drivers emit is supported; the
 * effective address is never computed (the exit gives the guest-physical
 * address), so ModRM/SIB/displacement bytes only count towards the length.
 */
#include "arch/x86/insn.h"

/* Decoding sits on the MMIO exit path: one flat function, no frame pointer. */
#define INLINE inline __attribute__((always_inline))
#define HOT    __attribute__((optimize("omit-frame-pointer")))

enum insn_prefix {
	PFX_OPSIZE   = 0x66,
	PFX_ADDRSIZE = 0x67,
	PFX_ES       = 0x26,
	PFX_CS       = 0x2e,
	PFX_SS       = 0x36,
	PFX_DS       = 0x3e,
	PFX_FS       = 0x64,
	PFX_GS       = 0x65,
	PFX_LOCK     = 0xf0,
	PFX_REPNE    = 0xf2,
	PFX_REP      = 0xf3,
	PFX_REX_LO   = 0x40,
	PFX_REX_HI   = 0x4f,
	OP_ESCAPE    = 0x0f,
};

enum insn_opcode {
	OP_MOVSXD       = 0x63,
	OP_MOV_RM8_R8   = 0x88,
	OP_MOV_RM_R     = 0x89,
	OP_MOV_R8_RM8   = 0x8a,
	OP_MOV_R_RM     = 0x8b,
	OP_MOV_AL_MOFFS = 0xa0,
	OP_MOV_AX_MOFFS = 0xa1,
	OP_MOV_MOFFS_AL = 0xa2,
	OP_MOV_MOFFS_AX = 0xa3,
	OP_MOV_RM8_IMM8 = 0xc6,
	OP_MOV_RM_IMM   = 0xc7,
	OP2_MOVZX_8     = 0xb6,
	OP2_MOVZX_16    = 0xb7,
	OP2_MOVSX_8     = 0xbe,
	OP2_MOVSX_16    = 0xbf,
};

enum rex_bit {
	REX_B = 1 << 0,
	REX_X = 1 << 1,
	REX_R = 1 << 2,
	REX_W = 1 << 3,
};

enum modrm_field {
	MODRM_MOD_SHIFT = 6,
	MODRM_REG_SHIFT = 3,
	MODRM_FIELD_MASK = 7,
	MODRM_MOD_REG = 3,     /* register operand, no memory */
	MODRM_MOD_DISP8 = 1,
	MODRM_MOD_DISP_FULL = 2,
	MODRM_RM_SIB = 4,      /* 32/64-bit addressing: a SIB byte follows */
	MODRM_RM_DISP32 = 5,   /* mod 0: disp32 (RIP-relative in 64-bit mode) */
	MODRM_RM16_DISP16 = 6, /* 16-bit addressing, mod 0: disp16 only */
	SIB_BASE_NONE = 5,     /* mod 0: no base, disp32 */
	GPR_HIGH8_FIRST = 4,   /* without REX, byte registers 4..7 are AH..BH */
};

struct decoder {
	const u8 *bytes;
	unsigned avail;
	unsigned pos;
	enum insn_mode mode;
	bool opsize;
	bool addrsize;
	u8 rex;
};

static INLINE int take(struct decoder *d, u8 *b)
{
	if (d->pos >= d->avail || d->pos >= INSN_MAX_LEN)
		return -TERN_EINVAL;
	*b = d->bytes[d->pos++];
	return 0;
}

static INLINE int skip(struct decoder *d, unsigned n)
{
	if (d->pos + n > d->avail || d->pos + n > INSN_MAX_LEN)
		return -TERN_EINVAL;
	d->pos += n;
	return 0;
}

static INLINE int take_imm(struct decoder *d, unsigned size, u64 *val)
{
	u64 v = 0;

	if (d->pos + size > d->avail || d->pos + size > INSN_MAX_LEN)
		return -TERN_EINVAL;
	for (unsigned i = 0; i < size; i++)
		v |= (u64)d->bytes[d->pos + i] << (8 * i);
	d->pos += size;
	*val = v;
	return 0;
}

static INLINE bool is_legacy_prefix(u8 b)
{
	switch (b) {
	case PFX_OPSIZE: case PFX_ADDRSIZE: case PFX_ES: case PFX_CS: case PFX_SS:
	case PFX_DS: case PFX_FS: case PFX_GS: case PFX_LOCK: case PFX_REPNE: case PFX_REP:
		return true;
	default:
		return false;
	}
}

/* Consume prefixes; returns the opcode byte. A REX counts only right before it. */
static INLINE int read_prefixes(struct decoder *d, u8 *opcode)
{
	for (;;) {
		u8 b;
		int rc = take(d, &b);

		if (rc)
			return rc;
		if (is_legacy_prefix(b)) {
			d->opsize |= b == PFX_OPSIZE;
			d->addrsize |= b == PFX_ADDRSIZE;
			d->rex = 0;
			continue;
		}
		if (d->mode == INSN_MODE_64 && b >= PFX_REX_LO && b <= PFX_REX_HI) {
			d->rex = b;
			continue;
		}
		*opcode = b;
		return 0;
	}
}

static INLINE unsigned operand_size(const struct decoder *d)
{
	if (d->mode == INSN_MODE_64 && (d->rex & REX_W))
		return 8;
	if (d->mode == INSN_MODE_16)
		return d->opsize ? 4 : 2;
	return d->opsize ? 2 : 4;
}

static INLINE unsigned address_size(const struct decoder *d)
{
	switch (d->mode) {
	case INSN_MODE_16:
		return d->addrsize ? 4 : 2;
	case INSN_MODE_32:
		return d->addrsize ? 2 : 4;
	default:
		return d->addrsize ? 4 : 8;
	}
}

/* Skip the memory operand of a ModRM byte; the register field goes to *reg. */
static INLINE int read_modrm(struct decoder *d, unsigned *reg)
{
	u8 modrm, sib;
	unsigned mod, rm;
	int rc = take(d, &modrm);

	if (rc)
		return rc;
	mod = modrm >> MODRM_MOD_SHIFT;
	rm = modrm & MODRM_FIELD_MASK;
	*reg = ((modrm >> MODRM_REG_SHIFT) & MODRM_FIELD_MASK) | ((d->rex & REX_R) ? 8 : 0);
	if (mod == MODRM_MOD_REG)
		return -TERN_EINVAL;
	if (address_size(d) == 2) {
		if (mod == MODRM_MOD_DISP8)
			return skip(d, 1);
		if (mod == MODRM_MOD_DISP_FULL || rm == MODRM_RM16_DISP16)
			return skip(d, 2);
		return 0;
	}
	if (rm == MODRM_RM_SIB) {
		rc = take(d, &sib);
		if (rc)
			return rc;
		if (mod == 0 && (sib & MODRM_FIELD_MASK) == SIB_BASE_NONE)
			return skip(d, 4);
	}
	if (mod == MODRM_MOD_DISP8)
		return skip(d, 1);
	if (mod == MODRM_MOD_DISP_FULL || (mod == 0 && rm == MODRM_RM_DISP32))
		return skip(d, 4);
	return 0;
}

/* Byte registers 4..7 mean AH..BH unless any REX prefix is present. */
static INLINE void set_reg(struct decoder *d, struct insn *out, unsigned reg, unsigned size)
{
	out->reg = reg;
	out->reg_size = size;
	out->high8 = size == 1 && !d->rex && reg >= GPR_HIGH8_FIRST && reg < GPR_R8;
	if (out->high8)
		out->reg -= GPR_HIGH8_FIRST;
}

static INLINE int decode_modrm_mov(struct decoder *d, struct insn *out, enum insn_kind kind,
			    unsigned size)
{
	unsigned reg;
	int rc = read_modrm(d, &reg);

	if (rc)
		return rc;
	out->kind = kind;
	out->mem_size = size;
	set_reg(d, out, reg, size);
	return 0;
}

static INLINE int decode_moffs(struct decoder *d, struct insn *out, enum insn_kind kind,
			unsigned size)
{
	int rc = skip(d, address_size(d));

	if (rc)
		return rc;
	out->kind = kind;
	out->mem_size = size;
	set_reg(d, out, GPR_RAX, size);
	return 0;
}

static INLINE u64 size_mask(unsigned size)
{
	return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

static INLINE u64 sign_extend(u64 v, unsigned from_size)
{
	unsigned shift = 64 - 8 * from_size;

	return (u64)((s64)(v << shift) >> shift);
}

static INLINE int decode_mov_imm(struct decoder *d, struct insn *out, unsigned size)
{
	unsigned reg, imm_size = size > 4 ? 4 : size;
	u64 imm;
	int rc = read_modrm(d, &reg);

	if (rc)
		return rc;
	if ((reg & MODRM_FIELD_MASK) != 0)   /* C6/C7 with /1../7 are not MOV */
		return -TERN_EOPNOTSUPP;
	rc = take_imm(d, imm_size, &imm);
	if (rc)
		return rc;
	out->kind = INSN_STORE_IMM;
	out->mem_size = size;
	out->reg_size = size;
	out->imm = sign_extend(imm, imm_size) & size_mask(size);
	return 0;
}

static INLINE int decode_escape(struct decoder *d, struct insn *out)
{
	u8 op;
	unsigned size = operand_size(d);
	int rc = take(d, &op);

	if (rc)
		return rc;
	switch (op) {
	case OP2_MOVZX_8:
	case OP2_MOVZX_16:
	case OP2_MOVSX_8:
	case OP2_MOVSX_16: {
		bool sx = op == OP2_MOVSX_8 || op == OP2_MOVSX_16;
		unsigned from = (op == OP2_MOVZX_8 || op == OP2_MOVSX_8) ? 1 : 2;

		rc = decode_modrm_mov(d, out, sx ? INSN_LOAD_SX : INSN_LOAD_ZX, size);
		out->mem_size = from;
		out->high8 = false;   /* the register is the wide destination */
		out->reg_size = size;
		return rc;
	}
	default:
		return -TERN_EOPNOTSUPP;
	}
}

static INLINE int decode_opcode(struct decoder *d, u8 op, struct insn *out)
{
	unsigned size = operand_size(d);

	switch (op) {
	case OP_MOV_RM8_R8:   return decode_modrm_mov(d, out, INSN_STORE_REG, 1);
	case OP_MOV_RM_R:     return decode_modrm_mov(d, out, INSN_STORE_REG, size);
	case OP_MOV_R8_RM8:   return decode_modrm_mov(d, out, INSN_LOAD, 1);
	case OP_MOV_R_RM:     return decode_modrm_mov(d, out, INSN_LOAD, size);
	case OP_MOV_AL_MOFFS: return decode_moffs(d, out, INSN_LOAD, 1);
	case OP_MOV_AX_MOFFS: return decode_moffs(d, out, INSN_LOAD, size);
	case OP_MOV_MOFFS_AL: return decode_moffs(d, out, INSN_STORE_REG, 1);
	case OP_MOV_MOFFS_AX: return decode_moffs(d, out, INSN_STORE_REG, size);
	case OP_MOV_RM8_IMM8: return decode_mov_imm(d, out, 1);
	case OP_MOV_RM_IMM:   return decode_mov_imm(d, out, size);
	case OP_ESCAPE:       return decode_escape(d, out);
	case OP_MOVSXD:
		if (d->mode != INSN_MODE_64 || !(d->rex & REX_W))
			return -TERN_EOPNOTSUPP;
		{
			int rc = decode_modrm_mov(d, out, INSN_LOAD_SX, 8);

			out->mem_size = 4;
			return rc;
		}
	default:
		return -TERN_EOPNOTSUPP;
	}
}

/* The masks and shifts of struct insn's completion fields, from the decoded ones. */
static INLINE void finish(struct insn *out)
{
	unsigned dsize = out->kind == INSN_LOAD ? out->mem_size : out->reg_size;

	out->mem_mask = size_mask(out->mem_size);
	out->sx_shift = (u8)(out->kind == INSN_LOAD_SX ? 64 - 8 * out->mem_size : 0);
	out->high_shift = out->high8 ? 8 : 0;
	if (out->kind == INSN_STORE_REG || out->kind == INSN_STORE_IMM) {
		out->write_mask = 0;                     /* a store writes no register */
		out->keep_mask = ~0ull;
	} else if (out->high8) {
		out->write_mask = 0xff00;
		out->keep_mask = ~0xff00ull;
	} else {
		out->write_mask = size_mask(dsize);
		/* 8/16-bit writes merge; 32-bit writes zero the upper half; 64-bit replace */
		out->keep_mask = dsize >= 4 ? 0 : ~size_mask(dsize);
	}
}

HOT int insn_decode(const u8 *bytes, unsigned avail, enum insn_mode mode, struct insn *out)
{
	struct decoder d = { .bytes = bytes, .avail = avail, .mode = mode };
	u8 op;
	int rc;

	out->reg = 0;
	out->high8 = false;
	out->imm = 0;
	rc = read_prefixes(&d, &op);
	if (rc)
		return rc;
	rc = decode_opcode(&d, op, out);
	if (rc)
		return rc;
	out->len = d.pos;
	finish(out);
	return 0;
}

void insn_cache_fill(struct insn_cached *c, const u8 *bytes, enum insn_mode mode,
		     const struct insn *in)
{
	unsigned len = in->len;

	__builtin_memcpy(&c->w0, bytes, sizeof(c->w0));
	__builtin_memcpy(&c->w1, bytes + INSN_MAX_LEN - sizeof(c->w1), sizeof(c->w1));
	/* w0 holds bytes 0..7; w1 bytes 7..14, so its byte i is instruction byte 7 + i */
	c->m0 = size_mask(len < 8 ? len : 8);
	c->m1 = len > 8 ? ~size_mask(1) & size_mask(len - 7) : 0;
	c->key = (u64)mode + 1;
	c->insn = *in;
}
