/* SPDX-License-Identifier: MIT */
/*
 * EPT violations and misconfigurations: everything outside guest RAM is
 * unmapped, so these are MMIO. Fetch the faulting instruction through the
 * guest's page tables, decode it (arch/x86/insn.c), perform the access
 * with mmio_dispatch, complete the instruction.
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
 * The bytes at CS:RIP: a pointer straight into guest RAM when the
 * instruction's page is RAM (the common case: no copy), else a copy in buf
 * that may be short when the second page is absent. *n = bytes available.
 */
static const u8 *fetch_insn(struct vcpu *v, enum insn_mode mode, u8 *buf, unsigned *n)
{
	u64 gva = vmcs_read(VMCS_GUEST_RIP), gpa, in_page;
	const u8 *p;

	*n = 0;
	if (mode != INSN_MODE_64)
		gva = (u32)(vmcs_read(VMCS_GUEST_CS_BASE) + gva);
	in_page = PAGE_SIZE - (gva & (PAGE_SIZE - 1));
	/* without paging linear is physical, so a page boundary does not matter */
	if ((in_page >= INSN_MAX_LEN || !(vmcs_read(VMCS_GUEST_CR0) & CR0_PG)) &&
	    !gva_to_gpa(v, gva, &gpa)) {
		p = vm_gpa_to_hva(v->vm, gpa, INSN_MAX_LEN);
		if (p) {
			*n = INSN_MAX_LEN;
			return p;
		}
	}
	if (guest_read_linear(v, gva, buf, MIN(in_page, (u64)INSN_MAX_LEN)))
		return buf;
	*n = (unsigned)MIN(in_page, (u64)INSN_MAX_LEN);
	if (*n < INSN_MAX_LEN && !guest_read_linear(v, gva + *n, buf + *n, INSN_MAX_LEN - *n))
		*n = INSN_MAX_LEN;
	return buf;
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

static EXIT_HOT int emulate_mmio(struct vcpu *v, u64 gpa)
{
	u32 idt = (u32)vmcs_read(VMCS_IDT_VECTORING_INFO);
	enum insn_mode mode = guest_insn_mode();
	u8 buf[INSN_MAX_LEN];
	unsigned n;
	const u8 *bytes = fetch_insn(v, mode, buf, &n);
	struct insn in;
	bool write;
	u64 val = 0;
	int rc;

	if (unlikely(idt & INTR_INFO_VALID))
		return stop_in_delivery(v, gpa, idt);
	if (!n || insn_decode(bytes, n, mode, &in))
		return stop_undecodable(v, gpa, bytes, n);
	write = in.kind == INSN_STORE_REG || in.kind == INSN_STORE_IMM;
	if (unlikely(in.reg == GPR_RSP))
		v->gpr[GPR_RSP] = vmcs_read(VMCS_GUEST_RSP);
	if (write)
		val = insn_store_value(v->gpr, &in);
	rc = mmio_dispatch(v->vm, v->id, gpa, in.mem_size, write, &val);
	if (rc == -TERN_ENODEV)
		return stop_no_device(v, gpa, write, in.mem_size);
	if (rc) {
		vm_stop_error(v->vm, "vCPU %u: MMIO %s at gpa 0x%llx failed (error %d)", v->id,
			      write ? "write" : "read", (unsigned long long)gpa, rc);
		return VMX_RUN_YIELD;
	}
	if (!write) {
		insn_complete_load(v->gpr, &in, val);
		if (unlikely(in.reg == GPR_RSP && !in.high8))
			vmcs_write(VMCS_GUEST_RSP, v->gpr[GPR_RSP]);
	}
	exit_skip_len(v, in.len);
	return 0;
}

int exit_mmio_emulate(struct vcpu *v, u64 gpa)
{
	return emulate_mmio(v, gpa);
}

EXIT_HOT int exit_ept_violation(struct vcpu *v)
{
	u64 q = vmcs_read(VMCS_EXIT_QUALIFICATION);
	u64 gpa = vmcs_read(VMCS_GUEST_PHYSICAL_ADDR);

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
	if (vm_range_has_ram(v->vm, gpa, 1)) {
		vm_stop_error(v->vm, "vCPU %u: EPT violation on RAM at gpa 0x%llx (qualification "
			      "0x%llx)", v->id, (unsigned long long)gpa, (unsigned long long)q);
		return VMX_RUN_YIELD;
	}
	return emulate_mmio(v, gpa);
}

int exit_ept_misconfig(struct vcpu *v)
{
	return emulate_mmio(v, vmcs_read(VMCS_GUEST_PHYSICAL_ADDR));
}
