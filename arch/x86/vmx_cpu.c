/* SPDX-License-Identifier: MIT */
/*
 * Enter VMX root operation on the calling CPU: check CPUID and
 * IA32_FEATURE_CONTROL, apply the CR0/CR4 fixed bits, VMXON. The per-CPU
 * state hangs off this_cpu()->vmx so every CPU does the same on its own.
 */
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_caps.h"
#include "arch/x86/vmx_insn.h"
#include "arch/x86/x86.h"
#include "kernel/lib/atomic.h"
#include "kernel/log.h"
#include "kernel/mm.h"
#include "kernel/percpu.h"

/* VMX is usable when the firmware enabled it, or left the MSR unlocked for us. */
static bool feature_control_allows_vmx(void)
{
	u64 fc = rdmsr(MSR_IA32_FEATURE_CONTROL);

	if (fc & FEATURE_CONTROL_LOCKED)
		return fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX;
	/* OVMF (and Bochs with it) leaves it unlocked and disabled */
	wrmsr(MSR_IA32_FEATURE_CONTROL,
	      fc | FEATURE_CONTROL_VMX_OUTSIDE_SMX | FEATURE_CONTROL_LOCKED);
	return true;
}

/* XSETBV emulation and the guests' extended state need CR4.OSXSAVE in root mode. */
static void enable_xsave(void)
{
	struct cpuid_regs r;

	if (!(cpuid(CPUID_LEAF_FEATURES, 0).ecx & CPUID_1_ECX_XSAVE))
		return;
	write_cr4(read_cr4() | CR4_OSXSAVE);
	r = cpuid(CPUID_LEAF_XSAVE, 0);
	vmx_caps.xsave = true;
	vmx_caps.xsave_size = r.ecx;
	vmx_caps.xcr0_supported = ((u64)r.edx << 32) | r.eax;
}

static void apply_fixed_bits(void)
{
	write_cr0((read_cr0() | vmx_caps.cr0_fixed0) & vmx_caps.cr0_fixed1);
	write_cr4((read_cr4() | vmx_caps.cr4_fixed0 | CR4_VMXE) & vmx_caps.cr4_fixed1);
}

static int vmxon_this_cpu(struct vmx_pcpu *pc)
{
	pc->vmxon_region = page_alloc(0);
	if (!pc->vmxon_region) {
		pr_err("out of memory for the VMXON region");
		return -TERN_ENOMEM;
	}
	*(u32 *)pc->vmxon_region = vmx_caps.revision;
	if (!vmxon(virt_to_phys(pc->vmxon_region))) {
		pr_err("VMXON failed on CPU %u", this_cpu()->id);
		page_free(pc->vmxon_region, 0);
		return -TERN_EIO;
	}
	/* nothing cached from before tern may survive */
	invept(INVEPT_ALL_CONTEXTS, 0);
	return 0;
}

int vmx_cpu_init(void)
{
	static bool caps_done;
	struct vmx_pcpu *pc;
	int rc;

	if (!(cpuid(CPUID_LEAF_FEATURES, 0).ecx & CPUID_1_ECX_VMX) || !feature_control_allows_vmx())
		return -TERN_ENODEV;
	if (!load_acquire(&caps_done)) {
		rc = vmx_caps_init();
		if (rc)
			return rc;
		enable_xsave();
		store_release(&caps_done, true);
	} else if (vmx_caps.xsave) {
		write_cr4(read_cr4() | CR4_OSXSAVE);
	}
	apply_fixed_bits();
	pc = kzalloc(sizeof(*pc));
	if (!pc)
		return -TERN_ENOMEM;
	rc = vmxon_this_cpu(pc);
	if (rc) {
		kfree(pc);
		return rc;
	}
	this_cpu()->vmx = pc;
	return 0;
}
