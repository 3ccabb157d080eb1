/* SPDX-License-Identifier: MIT */
#include "arch/x86/vmcs_fields.h"
#include "arch/x86/vmx_errors.h"

static const char *const insn_errors[] = {
	[1] = "VMCALL executed in VMX root operation",
	[2] = "VMCLEAR with invalid physical address",
	[3] = "VMCLEAR with VMXON pointer",
	[4] = "VMLAUNCH with non-clear VMCS",
	[5] = "VMRESUME with non-launched VMCS",
	[6] = "VMRESUME after VMXOFF",
	[7] = "VM entry with invalid control field(s)",
	[8] = "VM entry with invalid host-state field(s)",
	[9] = "VMPTRLD with invalid physical address",
	[10] = "VMPTRLD with VMXON pointer",
	[11] = "VMPTRLD with incorrect VMCS revision identifier",
	[12] = "VMREAD/VMWRITE from/to unsupported VMCS component",
	[13] = "VMWRITE to read-only VMCS component",
	[15] = "VMXON executed in VMX root operation",
	[16] = "VM entry with invalid executive-VMCS pointer",
	[17] = "VM entry with non-launched executive VMCS",
	[18] = "VM entry with executive-VMCS pointer not VMXON pointer",
	[19] = "VMCALL with non-clear VMCS",
	[20] = "VMCALL with invalid VM-exit control fields",
	[22] = "VMCALL with incorrect MSEG revision identifier",
	[23] = "VMXOFF under dual-monitor treatment of SMIs and SMM",
	[24] = "VMCALL with invalid SMM-monitor features",
	[25] = "VM entry with invalid VM-execution control fields in executive VMCS",
	[26] = "VM entry with events blocked by MOV SS",
	[28] = "invalid operand to INVEPT/INVVPID",
};

static const char *const exit_reasons[EXIT_REASON_MAX] = {
	[EXIT_EXCEPTION_NMI] = "exception or NMI",
	[EXIT_EXTERNAL_INTERRUPT] = "external interrupt",
	[EXIT_TRIPLE_FAULT] = "triple fault",
	[EXIT_INIT] = "INIT signal",
	[EXIT_SIPI] = "start-up IPI",
	[EXIT_IO_SMI] = "I/O SMI",
	[EXIT_OTHER_SMI] = "other SMI",
	[EXIT_INTERRUPT_WINDOW] = "interrupt window",
	[EXIT_NMI_WINDOW] = "NMI window",
	[EXIT_TASK_SWITCH] = "task switch",
	[EXIT_CPUID] = "CPUID",
	[EXIT_GETSEC] = "GETSEC",
	[EXIT_HLT] = "HLT",
	[EXIT_INVD] = "INVD",
	[EXIT_INVLPG] = "INVLPG",
	[EXIT_RDPMC] = "RDPMC",
	[EXIT_RDTSC] = "RDTSC",
	[EXIT_RSM] = "RSM",
	[EXIT_VMCALL] = "VMCALL",
	[EXIT_VMCLEAR] = "VMCLEAR",
	[EXIT_VMLAUNCH] = "VMLAUNCH",
	[EXIT_VMPTRLD] = "VMPTRLD",
	[EXIT_VMPTRST] = "VMPTRST",
	[EXIT_VMREAD] = "VMREAD",
	[EXIT_VMRESUME] = "VMRESUME",
	[EXIT_VMWRITE] = "VMWRITE",
	[EXIT_VMXOFF] = "VMXOFF",
	[EXIT_VMXON] = "VMXON",
	[EXIT_CR_ACCESS] = "control-register access",
	[EXIT_MOV_DR] = "MOV DR",
	[EXIT_IO_INSTRUCTION] = "I/O instruction",
	[EXIT_RDMSR] = "RDMSR",
	[EXIT_WRMSR] = "WRMSR",
	[EXIT_INVALID_GUEST_STATE] = "VM-entry failure: invalid guest state",
	[EXIT_MSR_LOADING] = "VM-entry failure: MSR loading",
	[EXIT_MWAIT] = "MWAIT",
	[EXIT_MONITOR_TRAP_FLAG] = "monitor trap flag",
	[EXIT_MONITOR] = "MONITOR",
	[EXIT_PAUSE] = "PAUSE",
	[EXIT_MACHINE_CHECK] = "VM-entry failure: machine check",
	[EXIT_TPR_BELOW_THRESHOLD] = "TPR below threshold",
	[EXIT_APIC_ACCESS] = "APIC access",
	[EXIT_VIRTUALIZED_EOI] = "virtualized EOI",
	[EXIT_GDTR_IDTR] = "GDTR/IDTR access",
	[EXIT_LDTR_TR] = "LDTR/TR access",
	[EXIT_EPT_VIOLATION] = "EPT violation",
	[EXIT_EPT_MISCONFIG] = "EPT misconfiguration",
	[EXIT_INVEPT] = "INVEPT",
	[EXIT_RDTSCP] = "RDTSCP",
	[EXIT_PREEMPTION_TIMER] = "preemption timer",
	[EXIT_INVVPID] = "INVVPID",
	[EXIT_WBINVD] = "WBINVD",
	[EXIT_XSETBV] = "XSETBV",
	[EXIT_APIC_WRITE] = "APIC write",
	[EXIT_RDRAND] = "RDRAND",
	[EXIT_INVPCID] = "INVPCID",
	[EXIT_VMFUNC] = "VMFUNC",
	[EXIT_ENCLS] = "ENCLS",
	[EXIT_RDSEED] = "RDSEED",
	[EXIT_PML_FULL] = "page-modification log full",
	[EXIT_XSAVES] = "XSAVES",
	[EXIT_XRSTORS] = "XRSTORS",
};

const char *vmx_insn_error_name(u32 err)
{
	if (err < sizeof(insn_errors) / sizeof(insn_errors[0]) && insn_errors[err])
		return insn_errors[err];
	return "unknown";
}

const char *vmx_exit_reason_name(u32 basic_reason)
{
	if (basic_reason < EXIT_REASON_MAX && exit_reasons[basic_reason])
		return exit_reasons[basic_reason];
	return "unknown";
}
