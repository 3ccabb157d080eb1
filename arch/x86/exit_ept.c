/* SPDX-License-Identifier: MIT */
/*
 * EPT violations and misconfigurations: everything outside guest RAM is
 * unmapped, so these are MMIO. Fetch the faulting instruction through the
 * guest's page tables, decode it (arch/x86/insn.c), perform the access
 * with the device's handler, complete the instruction.
 *
 * The hot path: the device is the one this vCPU hit last (struct vcpu's
 * io_mmio), the instruction's bytes are read in place in guest RAM (no
 * page walk without paging), and the decoded instruction is found in the
 * vCPU's small cache, whose entries are checked against the bytes at RIP
 * on every use (guest code can change): a cache hit costs two 8-byte
 * compares instead of a decode.
 */
#include "arch/x86/exit.h"
#include "arch/x86/insn.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_gwalk.h"
#include "arch/x86/vmx_insn.h"
#include "arch/x86/x86.h"
#include "kernel/io.h"
#include "kernel/mm.h"
#include "kernel/vm_impl.h"

#define INSN_HEX_MAX (INSN_MAX_LEN * 3 + 1)

static u64 guest_rip(void)
{
	return vmcs_read(VMCS_GUEST_RIP);
}

/*
 * The bytes at CS:RIP (linear address gva) copied into buf, as many as are
 * readable: the slow path, for an instruction that is not in RAM in one
 * piece or whose page tables are not. *n = bytes available.
 */
static const u8 *fetch_insn_copy(struct vcpu *v, u64 gva, u8 *buf, unsigned *n)
{
	u64 in_page = PAGE_SIZE - (gva & (PAGE_SIZE - 1));

	*n = 0;
	if (guest_read_linear(v, gva, buf, MIN(in_page, (u64)INSN_MAX_LEN)))
		return buf;
	*n = (unsigned)MIN(in_page, (u64)INSN_MAX_LEN);
	if (*n < INSN_MAX_LEN && !guest_read_linear(v, gva + *n, buf + *n, INSN_MAX_LEN - *n))
		*n = INSN_MAX_LEN;
	return buf;
}

/* gva: the linear address of CS:RIP. */
static inline u64 insn_linear(enum insn_mode mode)
{
	u64 rip = vmcs_read(VMCS_GUEST_RIP);

	return mode == INSN_MODE_64 ? rip : (u32)(vmcs_read(VMCS_GUEST_CS_BASE) + rip);
}

/*
 * The INSN_MAX_LEN bytes at linear gva read in place in guest RAM, or NULL
 * (fetch_insn_copy then). Without paging linear is physical, so a page
 * boundary does not matter; with paging the instruction must not cross one.
 */
static inline const u8 *insn_in_ram(struct vcpu *v, u64 gva)
{
	u64 gpa = gva;

	if (vmcs_read(VMCS_GUEST_CR0) & CR0_PG) {
		if (PAGE_SIZE - (gva & (PAGE_SIZE - 1)) < INSN_MAX_LEN || gva_to_gpa(v, gva, &gpa))
			return NULL;
	}
	return vm_ram_ptr(v->vm, gpa, INSN_MAX_LEN);
}

static void hex_bytes(const u8 *bytes, unsigned n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (unsigned i = 0; i < n; i++) {
		out[3 * i] = digits[bytes[i] >> 4];
		out[3 * i + 1] = digits[bytes[i] & 0xf];
		out[3 * i + 2] = i + 1 < n ? ' ' : 0;
	}
	if (!n)
		out[0] = 0;
}

static int stop_undecodable(struct vcpu *v, u64 gpa, const u8 *bytes, unsigned n)
{
	char hex[INSN_HEX_MAX];

	hex_bytes(bytes, n, hex);
	vm_stop_error(v->vm, "vCPU %u: cannot emulate the MMIO instruction at rip 0x%llx "
		      "(gpa 0x%llx): bytes %s", v->id, (unsigned long long)guest_rip(),
		      (unsigned long long)gpa, n ? hex : "(unreadable)");
	return VMX_RUN_YIELD;
}

static int stop_no_device(struct vcpu *v, u64 gpa, bool write, unsigned size)
{
	vm_stop_error(v->vm, "vCPU %u: %s of %u bytes at gpa 0x%llx (rip 0x%llx) hits neither "
		      "RAM nor a device", v->id, write ? "write" : "read", size,
		      (unsigned long long)gpa, (unsigned long long)guest_rip());
	return VMX_RUN_YIELD;
}

static const char *const event_type_names[] = {
	[INTR_TYPE_EXTERNAL] = "an external interrupt", [INTR_TYPE_NMI] = "an NMI",
	[INTR_TYPE_HW_EXCEPTION] = "an exception", [INTR_TYPE_SW_INTERRUPT] = "a software interrupt",
	[INTR_TYPE_PRIV_SW_EXC] = "a privileged software exception",
	[INTR_TYPE_SW_EXCEPTION] = "a software exception",
};

/*
 * The access came from delivering an event (the IDT, a stack push or a
 * TSS outside RAM), not from the instruction at RIP: there is nothing to
 * emulate. KVM stops such a guest too; re-injecting would only fault again.
 */
static __attribute__((noinline, cold)) int stop_in_delivery(struct vcpu *v, u64 gpa, u32 idt)
{
	unsigned type = (idt & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT;
	const char *what = type < ARRAY_SIZE(event_type_names) && event_type_names[type] ?
			   event_type_names[type] : "an event";

	vm_stop_error(v->vm, "vCPU %u: delivering %s (vector 0x%x) touched gpa 0x%llx, which is "
		      "not RAM (rip 0x%llx)", v->id, what, idt & INTR_INFO_VECTOR_MASK,
		      (unsigned long long)gpa, (unsigned long long)guest_rip());
	return VMX_RUN_YIELD;
}

static __attribute__((noinline, cold)) int mmio_failed(struct vcpu *v, u64 gpa, bool write,
							  unsigned size, int rc)
{
	if (rc == -TERN_ENODEV)
		return stop_no_device(v, gpa, write, size);
	vm_stop_error(v->vm, "vCPU %u: MMIO %s at gpa 0x%llx failed (error %d)", v->id,
		      write ? "write" : "read", (unsigned long long)gpa, rc);
	return VMX_RUN_YIELD;
}

/*
 * The register operand is RSP (or SPL/SP/ESP): its value lives in the VMCS,
 * not in v->gpr[]. Out of line; otherwise as emulate_mmio().
 */
static __attribute__((noinline)) int mmio_rsp(struct vcpu *v, u64 gpa, const struct io_range *r,
					      const struct insn *in, bool write)
{
	u64 val;
	int rc;

	v->gpr[GPR_RSP] = vmcs_read(VMCS_GUEST_RSP);
	val = write ? insn_store_value(v->gpr, in) : 0;
	rc = r->fn.mmio(r->opaque, v->id, gpa - r->base, in->mem_size, write, &val);
	if (rc)
		return mmio_failed(v, gpa, write, in->mem_size, rc);
	if (!write) {
		insn_complete_load(v->gpr, in, val);
		if (!in->high8)
			vmcs_write(VMCS_GUEST_RSP, v->gpr[GPR_RSP]);
	}
	exit_skip_len(v, in->len);
	return 0;
}

/*
 * The instruction at gva was not in the cache: fetch it (in place when it
 * can, else a copy), decode it into c->insn, and keep it there when its
 * bytes could be read in place (the cache compares 15 bytes). NULL, with
 * the VM stopped, when it cannot be read or decoded.
 */
static __attribute__((noinline)) const struct insn *decode_slow(struct vcpu *v, u64 gpa, u64 gva,
							      enum insn_mode mode, const u8 *bytes,
							      struct insn_cached *c)
{
	u8 buf[INSN_MAX_LEN];
	unsigned n = INSN_MAX_LEN;

	if (!bytes)
		bytes = fetch_insn_copy(v, gva, buf, &n);
	c->key = 0;   /* c->insn is rewritten: the entry matches nothing until filled */
	if (!n || insn_decode(bytes, n, mode, &c->insn)) {
		stop_undecodable(v, gpa, bytes, n);
		return NULL;
	}
	if (bytes != buf)
		insn_cache_fill(c, bytes, mode, &c->insn);
	return &c->insn;
}

/*
 * Emulate the instruction at CS:RIP as an access to gpa, on device r (NULL:
 * no device claims gpa; the VM stops once the access is decoded).
 */
static inline __attribute__((always_inline)) int emulate_mmio(struct vcpu *v, u64 gpa,
							       const struct io_range *r)
{
	u32 idt = (u32)vmcs_read(VMCS_IDT_VECTORING_INFO);
	enum insn_mode mode;
	const struct insn *in;
	struct insn_cached *c;
	const u8 *bytes;
	u64 gva, val;
	bool write;
	int rc;

	if (unlikely(idt & INTR_INFO_VALID))
		return stop_in_delivery(v, gpa, idt);
	mode = guest_insn_mode();
	gva = insn_linear(mode);
	bytes = insn_in_ram(v, gva);
	c = &v->mmio_insn[gva % VCPU_MMIO_INSNS];
	if (likely(bytes && insn_cache_match(c, bytes, mode))) {
		in = &c->insn;
	} else {
		in = decode_slow(v, gpa, gva, mode, bytes, c);
		if (!in)
			return VMX_RUN_YIELD;
	}
	write = in->kind == INSN_STORE_REG || in->kind == INSN_STORE_IMM;
	if (unlikely(!r))
		return stop_no_device(v, gpa, write, in->mem_size);
	if (unlikely(in->reg == GPR_RSP))
		return mmio_rsp(v, gpa, r, in, write);
	val = write ? insn_store_value(v->gpr, in) : 0;
	rc = r->fn.mmio(r->opaque, v->id, gpa - r->base, in->mem_size, write, &val);
	if (unlikely(rc))
		return mmio_failed(v, gpa, write, in->mem_size, rc);
	if (!write)
		insn_complete_load(v->gpr, in, val);
	exit_skip_len(v, in->len);
	return 0;
}

/* The same, out of line: for everything but exit_ept_violation's hot path. */
static __attribute__((noinline)) EXIT_HOT int emulate_mmio_call(struct vcpu *v, u64 gpa,
								const struct io_range *r)
{
	return emulate_mmio(v, gpa, r);
}

/* gpa is outside the range this vCPU hit last: look it up and keep it (NULL: no device). */
static __attribute__((noinline)) const struct io_range *mmio_range_miss(struct vcpu *v, u64 gpa)
{
	const struct io_range *r = mmio_lookup(v->vm, gpa);

	if (r)
		v->io_mmio = r;
	return r;
}

static inline const struct io_range *mmio_range(struct vcpu *v, u64 gpa)
{
	const struct io_range *r = v->io_mmio;

	return likely(io_range_has(r, gpa)) ? r : mmio_range_miss(v, gpa);
}

int exit_mmio_emulate(struct vcpu *v, u64 gpa)
{
	return emulate_mmio_call(v, gpa, mmio_range(v, gpa));
}

/*
 * An EPT violation that is not a data access to the device this vCPU hit
 * last: another device, an instruction fetch outside RAM, page tables
 * outside RAM, an access to RAM (cannot happen with tern's EPT), or to
 * nothing.
 */
static __attribute__((noinline)) int ept_violation_other(struct vcpu *v, u64 q, u64 gpa)
{
	const struct io_range *r = mmio_range(v, gpa);

	if (q & EPTQ_FETCH) {
		vm_stop_error(v->vm, "vCPU %u: instruction fetch from gpa 0x%llx (rip 0x%llx), "
			      "which is not RAM", v->id, (unsigned long long)gpa,
			      (unsigned long long)guest_rip());
		return VMX_RUN_YIELD;
	}
	if ((q & EPTQ_LINEAR_VALID) && !(q & EPTQ_LINEAR_TRANSLATED)) {
		vm_stop_error(v->vm, "vCPU %u: guest page tables at gpa 0x%llx are not in RAM "
			      "(rip 0x%llx)", v->id, (unsigned long long)gpa,
			      (unsigned long long)guest_rip());
		return VMX_RUN_YIELD;
	}
	if (!r && vm_range_has_ram(v->vm, gpa, 1)) {
		vm_stop_error(v->vm, "vCPU %u: EPT violation on RAM at gpa 0x%llx (qualification "
			      "0x%llx)", v->id, (unsigned long long)gpa, (unsigned long long)q);
		return VMX_RUN_YIELD;
	}
	return emulate_mmio_call(v, gpa, r);
}

/*
 * A device range never overlaps RAM (mmio_register refuses it), so an
 * access a device claims needs no RAM check.
 */
EXIT_HOT int exit_ept_violation(struct vcpu *v)
{
	u64 q = vmcs_read(VMCS_EXIT_QUALIFICATION);
	u64 gpa = vmcs_read(VMCS_GUEST_PHYSICAL_ADDR);
	const struct io_range *r = v->io_mmio;
	u64 kind = q & (EPTQ_FETCH | EPTQ_LINEAR_VALID | EPTQ_LINEAR_TRANSLATED);

	if (unlikely(kind != (EPTQ_LINEAR_VALID | EPTQ_LINEAR_TRANSLATED) || !io_range_has(r, gpa)))
		return ept_violation_other(v, q, gpa);
	return emulate_mmio(v, gpa, r);
}

int exit_ept_misconfig(struct vcpu *v)
{
	return exit_mmio_emulate(v, vmcs_read(VMCS_GUEST_PHYSICAL_ADDR));
}
