/* SPDX-License-Identifier: MIT */
/*
 * Read the VMX capability MSRs and settle every VMCS control word as
 * (wanted | allowed-0) & allowed-1, using the TRUE_* MSRs when
 * IA32_VMX_BASIC bit 55 says they exist (they let tern clear default-1
 * controls such as CR3-load exiting).
 */
#include "arch/x86/vmcs_fields.h"
#include "arch/x86/vmx_caps.h"
#include "arch/x86/x86.h"
#include "kernel/log.h"

struct vmx_caps vmx_caps;

/* Controls tern cannot work without. */
#define PIN_REQUIRED   (PIN_EXTINT_EXITING | PIN_NMI_EXITING)
#define PIN_OPTIONAL   (PIN_VIRTUAL_NMIS)
#define PROC_REQUIRED  (PROC_HLT_EXITING | PROC_UNCOND_IO_EXITING | PROC_MSR_BITMAPS | \
			PROC_SECONDARY_CONTROLS | PROC_TSC_OFFSETTING | PROC_CR8_LOAD_EXITING | \
			PROC_CR8_STORE_EXITING)
/* MONITOR/MWAIT/RDPMC are hidden from guests, so they must not reach the CPU. */
#define PROC_OPTIONAL  (PROC_MWAIT_EXITING | PROC_MONITOR_EXITING | PROC_RDPMC_EXITING)
#define PROC2_REQUIRED (PROC2_EPT | PROC2_UNRESTRICTED_GUEST)
#define PROC2_OPTIONAL (PROC2_VPID | PROC2_RDTSCP | PROC2_INVPCID | PROC2_WBINVD_EXITING)
#define EXIT_REQUIRED  (EXIT_HOST_ADDR_64 | EXIT_SAVE_EFER | EXIT_LOAD_EFER)
#define EXIT_OPTIONAL  (EXIT_SAVE_PAT | EXIT_LOAD_PAT | EXIT_SAVE_DEBUG_CTLS)
#define ENTRY_REQUIRED (ENTRY_LOAD_EFER)
#define ENTRY_OPTIONAL (ENTRY_LOAD_PAT | ENTRY_LOAD_DEBUG_CTLS)

static int settle(const char *what, u64 msr, u32 required, u32 optional, u32 *out)
{
	u32 allowed0 = (u32)msr, allowed1 = (u32)(msr >> 32);
	u32 v = (required | optional | allowed0) & allowed1;

	if ((v & required) != required) {
		pr_err("VMX lacks required %s controls 0x%x", what, required & ~v);
		return -TERN_EOPNOTSUPP;
	}
	*out = v;
	return 0;
}

static int settle_controls(struct vmx_caps *c, bool true_ctls)
{
	u64 pin = rdmsr(true_ctls ? MSR_VMX_TRUE_PINBASED : MSR_VMX_PINBASED_CTLS);
	u64 proc = rdmsr(true_ctls ? MSR_VMX_TRUE_PROCBASED : MSR_VMX_PROCBASED_CTLS);
	u64 exit = rdmsr(true_ctls ? MSR_VMX_TRUE_EXIT : MSR_VMX_EXIT_CTLS);
	u64 entry = rdmsr(true_ctls ? MSR_VMX_TRUE_ENTRY : MSR_VMX_ENTRY_CTLS);
	u64 proc2 = 0;
	int rc;

	if ((proc >> 32) & PROC_SECONDARY_CONTROLS)
		proc2 = rdmsr(MSR_VMX_PROCBASED_CTLS2);
	if (!((proc2 >> 32) & PROC2_UNRESTRICTED_GUEST)) {
		pr_err("VMX lacks unrestricted guest, which tern needs to start guests in real or "
		       "protected mode without paging (Bochs: use corei7_sandy_bridge_2600k or newer)");
		return -TERN_EOPNOTSUPP;
	}
	rc = settle("pin-based", pin, PIN_REQUIRED, PIN_OPTIONAL, &c->pin);
	if (!rc)
		rc = settle("processor-based", proc, PROC_REQUIRED, PROC_OPTIONAL, &c->proc);
	if (!rc)
		rc = settle("secondary processor-based", proc2, PROC2_REQUIRED, PROC2_OPTIONAL, &c->proc2);
	if (!rc)
		rc = settle("VM-exit", exit, EXIT_REQUIRED, EXIT_OPTIONAL, &c->exit);
	if (!rc)
		rc = settle("VM-entry", entry, ENTRY_REQUIRED, ENTRY_OPTIONAL, &c->entry);
	c->pin_allowed1 = (u32)(pin >> 32);
	c->proc2_allowed1 = (u32)(proc2 >> 32);
	c->exit_allowed1 = (u32)(exit >> 32);
	return rc;
}

static int check_ept(struct vmx_caps *c)
{
	u64 cap = c->ept_vpid;

	if (!(cap & EPT_CAP_WALK_4) || !(cap & EPT_CAP_WB)) {
		pr_err("VMX EPT lacks 4-level tables or write-back memory (cap 0x%llx)",
		       (unsigned long long)cap);
		return -TERN_EOPNOTSUPP;
	}
	if (!(cap & EPT_CAP_INVEPT) || !(cap & (EPT_CAP_INVEPT_SINGLE | EPT_CAP_INVEPT_ALL))) {
		pr_err("VMX lacks INVEPT (cap 0x%llx)", (unsigned long long)cap);
		return -TERN_EOPNOTSUPP;
	}
	c->invept_single = cap & EPT_CAP_INVEPT_SINGLE;
	c->ept_2m = cap & EPT_CAP_2M;
	c->ept_1g = cap & EPT_CAP_1G;
	c->vpid = (c->proc2 & PROC2_VPID) && (cap & VPID_CAP_INVVPID) &&
		  (cap & (VPID_CAP_INVVPID_SINGLE | VPID_CAP_INVVPID_ALL));
	if (!c->vpid)
		c->proc2 &= ~PROC2_VPID;
	return 0;
}

static void record_optional(struct vmx_caps *c, u64 misc)
{
	c->apic_reg_virt = c->proc2_allowed1 & PROC2_APIC_REG_VIRT;
	c->virt_intr_delivery = c->proc2_allowed1 & PROC2_VIRT_INTR_DELIVERY;
	c->virt_x2apic = c->proc2_allowed1 & PROC2_VIRT_X2APIC;
	c->tpr_shadow = (rdmsr(MSR_VMX_PROCBASED_CTLS) >> 32) & PROC_TPR_SHADOW;
	c->preemption_timer = c->pin_allowed1 & PIN_PREEMPTION_TIMER;
	c->save_preemption_timer = c->exit_allowed1 & EXIT_SAVE_PREEMPT_TIMER;
	c->preempt_rate = (unsigned)(misc & VMX_MISC_PREEMPT_RATE_MASK);
}

static const char *yn(bool b)
{
	return b ? "yes" : "no";
}

int vmx_caps_init(void)
{
	struct vmx_caps *c = &vmx_caps;
	u64 basic = rdmsr(MSR_VMX_BASIC);
	int rc;

	if (((basic >> VMX_BASIC_MEMTYPE_SHIFT) & VMX_BASIC_MEMTYPE_MASK) != VMX_MEMTYPE_WB) {
		pr_err("VMX wants a VMCS memory type other than write-back");
		return -TERN_EOPNOTSUPP;
	}
	c->revision = (u32)(basic & VMX_BASIC_REVISION_MASK);
	c->ins_outs_info = basic & VMX_BASIC_INS_OUTS_INFO;
	rc = settle_controls(c, basic & VMX_BASIC_TRUE_CTLS);
	if (rc)
		return rc;
	c->ept_vpid = rdmsr(MSR_VMX_EPT_VPID_CAP);
	rc = check_ept(c);
	if (rc)
		return rc;
	c->cr0_fixed0 = rdmsr(MSR_VMX_CR0_FIXED0);
	c->cr0_fixed1 = rdmsr(MSR_VMX_CR0_FIXED1);
	c->cr4_fixed0 = rdmsr(MSR_VMX_CR4_FIXED0);
	c->cr4_fixed1 = rdmsr(MSR_VMX_CR4_FIXED1);
	record_optional(c, rdmsr(MSR_VMX_MISC));
	pr_info("vmx: EPT 2M %s 1G %s, VPID %s, unrestricted guest yes, APIC-register virt %s, "
		"virtual-interrupt delivery %s, x2APIC virt %s, preemption timer %s",
		yn(c->ept_2m), yn(c->ept_1g), yn(c->vpid), yn(c->apic_reg_virt),
		yn(c->virt_intr_delivery), yn(c->virt_x2apic), yn(c->preemption_timer));
	return 0;
}
