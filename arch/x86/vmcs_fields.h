/* SPDX-License-Identifier: MIT */
/*
 * VMCS field encodings, VM-execution/exit/entry control bits, exit reasons
 * and the bit layouts of exit qualifications (Intel SDM Vol. 3C, appendix B
 * and chapters 25-28).
 */
#ifndef TERN_ARCH_VMCS_FIELDS_H
#define TERN_ARCH_VMCS_FIELDS_H

/* Needed by the exit stub (vmx_entry.S), which writes HOST_RSP itself. */
#define VMCS_HOST_RSP_ENCODING 0x6c14

#ifndef __ASSEMBLY__

enum vmcs_field {
	/* 16-bit control */
	VMCS_VPID                       = 0x0000,
	/* 16-bit guest state */
	VMCS_GUEST_ES_SEL               = 0x0800,
	VMCS_GUEST_CS_SEL               = 0x0802,
	VMCS_GUEST_SS_SEL               = 0x0804,
	VMCS_GUEST_DS_SEL               = 0x0806,
	VMCS_GUEST_FS_SEL               = 0x0808,
	VMCS_GUEST_GS_SEL               = 0x080a,
	VMCS_GUEST_LDTR_SEL             = 0x080c,
	VMCS_GUEST_TR_SEL               = 0x080e,
	VMCS_GUEST_INTR_STATUS          = 0x0810,
	/* 16-bit host state */
	VMCS_HOST_ES_SEL                = 0x0c00,
	VMCS_HOST_CS_SEL                = 0x0c02,
	VMCS_HOST_SS_SEL                = 0x0c04,
	VMCS_HOST_DS_SEL                = 0x0c06,
	VMCS_HOST_FS_SEL                = 0x0c08,
	VMCS_HOST_GS_SEL                = 0x0c0a,
	VMCS_HOST_TR_SEL                = 0x0c0c,
	/* 64-bit control */
	VMCS_IO_BITMAP_A                = 0x2000,
	VMCS_IO_BITMAP_B                = 0x2002,
	VMCS_MSR_BITMAP                 = 0x2004,
	VMCS_EXIT_MSR_STORE_ADDR        = 0x2006,
	VMCS_EXIT_MSR_LOAD_ADDR         = 0x2008,
	VMCS_ENTRY_MSR_LOAD_ADDR        = 0x200a,
	VMCS_TSC_OFFSET                 = 0x2010,
	VMCS_VIRTUAL_APIC_ADDR          = 0x2012,
	VMCS_APIC_ACCESS_ADDR           = 0x2014,
	VMCS_EPT_POINTER                = 0x201a,
	VMCS_EOI_EXIT_BITMAP0           = 0x201c,
	/* 64-bit read-only data */
	VMCS_GUEST_PHYSICAL_ADDR        = 0x2400,
	/* 64-bit guest state */
	VMCS_LINK_POINTER               = 0x2800,
	VMCS_GUEST_DEBUGCTL             = 0x2802,
	VMCS_GUEST_PAT                  = 0x2804,
	VMCS_GUEST_EFER                 = 0x2806,
	VMCS_GUEST_PDPTE0               = 0x280a,
	VMCS_GUEST_PDPTE1               = 0x280c,
	VMCS_GUEST_PDPTE2               = 0x280e,
	VMCS_GUEST_PDPTE3               = 0x2810,
	/* 64-bit host state */
	VMCS_HOST_PAT                   = 0x2c00,
	VMCS_HOST_EFER                  = 0x2c02,
	/* 32-bit control */
	VMCS_PIN_CONTROLS               = 0x4000,
	VMCS_PROC_CONTROLS              = 0x4002,
	VMCS_EXCEPTION_BITMAP           = 0x4004,
	VMCS_PF_ERROR_MASK              = 0x4006,
	VMCS_PF_ERROR_MATCH             = 0x4008,
	VMCS_CR3_TARGET_COUNT           = 0x400a,
	VMCS_EXIT_CONTROLS              = 0x400c,
	VMCS_EXIT_MSR_STORE_COUNT       = 0x400e,
	VMCS_EXIT_MSR_LOAD_COUNT        = 0x4010,
	VMCS_ENTRY_CONTROLS             = 0x4012,
	VMCS_ENTRY_MSR_LOAD_COUNT       = 0x4014,
	VMCS_ENTRY_INTR_INFO            = 0x4016,
	VMCS_ENTRY_EXCEPTION_ERROR      = 0x4018,
	VMCS_ENTRY_INSN_LEN             = 0x401a,
	VMCS_TPR_THRESHOLD              = 0x401c,
	VMCS_PROC_CONTROLS2             = 0x401e,
	/* 32-bit read-only data */
	VMCS_INSN_ERROR                 = 0x4400,
	VMCS_EXIT_REASON                = 0x4402,
	VMCS_EXIT_INTR_INFO             = 0x4404,
	VMCS_EXIT_INTR_ERROR            = 0x4406,
	VMCS_IDT_VECTORING_INFO         = 0x4408,
	VMCS_IDT_VECTORING_ERROR        = 0x440a,
	VMCS_EXIT_INSN_LEN              = 0x440c,
	VMCS_EXIT_INSN_INFO             = 0x440e,
	/* 32-bit guest state */
	VMCS_GUEST_ES_LIMIT             = 0x4800,
	VMCS_GUEST_CS_LIMIT             = 0x4802,
	VMCS_GUEST_SS_LIMIT             = 0x4804,
	VMCS_GUEST_DS_LIMIT             = 0x4806,
	VMCS_GUEST_FS_LIMIT             = 0x4808,
	VMCS_GUEST_GS_LIMIT             = 0x480a,
	VMCS_GUEST_LDTR_LIMIT           = 0x480c,
	VMCS_GUEST_TR_LIMIT             = 0x480e,
	VMCS_GUEST_GDTR_LIMIT           = 0x4810,
	VMCS_GUEST_IDTR_LIMIT           = 0x4812,
	VMCS_GUEST_ES_AR                = 0x4814,
	VMCS_GUEST_CS_AR                = 0x4816,
	VMCS_GUEST_SS_AR                = 0x4818,
	VMCS_GUEST_DS_AR                = 0x481a,
	VMCS_GUEST_FS_AR                = 0x481c,
	VMCS_GUEST_GS_AR                = 0x481e,
	VMCS_GUEST_LDTR_AR              = 0x4820,
	VMCS_GUEST_TR_AR                = 0x4822,
	VMCS_GUEST_INTERRUPTIBILITY     = 0x4824,
	VMCS_GUEST_ACTIVITY_STATE       = 0x4826,
	VMCS_GUEST_SYSENTER_CS          = 0x482a,
	VMCS_PREEMPTION_TIMER           = 0x482e,
	/* 32-bit host state */
	VMCS_HOST_SYSENTER_CS           = 0x4c00,
	/* natural-width control */
	VMCS_CR0_GUEST_HOST_MASK        = 0x6000,
	VMCS_CR4_GUEST_HOST_MASK        = 0x6002,
	VMCS_CR0_READ_SHADOW            = 0x6004,
	VMCS_CR4_READ_SHADOW            = 0x6006,
	/* natural-width read-only data */
	VMCS_EXIT_QUALIFICATION         = 0x6400,
	VMCS_GUEST_LINEAR_ADDR          = 0x640a,
	/* natural-width guest state */
	VMCS_GUEST_CR0                  = 0x6800,
	VMCS_GUEST_CR3                  = 0x6802,
	VMCS_GUEST_CR4                  = 0x6804,
	VMCS_GUEST_ES_BASE              = 0x6806,
	VMCS_GUEST_CS_BASE              = 0x6808,
	VMCS_GUEST_SS_BASE              = 0x680a,
	VMCS_GUEST_DS_BASE              = 0x680c,
	VMCS_GUEST_FS_BASE              = 0x680e,
	VMCS_GUEST_GS_BASE              = 0x6810,
	VMCS_GUEST_LDTR_BASE            = 0x6812,
	VMCS_GUEST_TR_BASE              = 0x6814,
	VMCS_GUEST_GDTR_BASE            = 0x6816,
	VMCS_GUEST_IDTR_BASE            = 0x6818,
	VMCS_GUEST_DR7                  = 0x681a,
	VMCS_GUEST_RSP                  = 0x681c,
	VMCS_GUEST_RIP                  = 0x681e,
	VMCS_GUEST_RFLAGS               = 0x6820,
	VMCS_GUEST_PENDING_DBG          = 0x6822,
	VMCS_GUEST_SYSENTER_ESP         = 0x6824,
	VMCS_GUEST_SYSENTER_EIP         = 0x6826,
	/* natural-width host state */
	VMCS_HOST_CR0                   = 0x6c00,
	VMCS_HOST_CR3                   = 0x6c02,
	VMCS_HOST_CR4                   = 0x6c04,
	VMCS_HOST_FS_BASE               = 0x6c06,
	VMCS_HOST_GS_BASE               = 0x6c08,
	VMCS_HOST_TR_BASE               = 0x6c0a,
	VMCS_HOST_GDTR_BASE             = 0x6c0c,
	VMCS_HOST_IDTR_BASE             = 0x6c0e,
	VMCS_HOST_SYSENTER_ESP          = 0x6c10,
	VMCS_HOST_SYSENTER_EIP          = 0x6c12,
	VMCS_HOST_RSP                   = VMCS_HOST_RSP_ENCODING,
	VMCS_HOST_RIP                   = 0x6c16,
};

/* Pin-based VM-execution controls. */
enum vmx_pin_ctl {
	PIN_EXTINT_EXITING       = 1u << 0,
	PIN_NMI_EXITING          = 1u << 3,
	PIN_VIRTUAL_NMIS         = 1u << 5,
	PIN_PREEMPTION_TIMER     = 1u << 6,
	PIN_POSTED_INTERRUPTS    = 1u << 7,
};

/* Primary processor-based VM-execution controls. */
enum vmx_proc_ctl {
	PROC_INTR_WINDOW_EXITING = 1u << 2,
	PROC_TSC_OFFSETTING      = 1u << 3,
	PROC_HLT_EXITING         = 1u << 7,
	PROC_INVLPG_EXITING      = 1u << 9,
	PROC_MWAIT_EXITING       = 1u << 10,
	PROC_RDPMC_EXITING       = 1u << 11,
	PROC_RDTSC_EXITING       = 1u << 12,
	PROC_CR3_LOAD_EXITING    = 1u << 15,
	PROC_CR3_STORE_EXITING   = 1u << 16,
	PROC_CR8_LOAD_EXITING    = 1u << 19,
	PROC_CR8_STORE_EXITING   = 1u << 20,
	PROC_TPR_SHADOW          = 1u << 21,
	PROC_NMI_WINDOW_EXITING  = 1u << 22,
	PROC_MOV_DR_EXITING      = 1u << 23,
	PROC_UNCOND_IO_EXITING   = 1u << 24,
	PROC_IO_BITMAPS          = 1u << 25,
	PROC_MONITOR_TRAP_FLAG   = 1u << 27,
	PROC_MSR_BITMAPS         = 1u << 28,
	PROC_MONITOR_EXITING     = 1u << 29,
	PROC_PAUSE_EXITING       = 1u << 30,
	PROC_SECONDARY_CONTROLS  = 1u << 31,
};

/* Secondary processor-based VM-execution controls. */
enum vmx_proc2_ctl {
	PROC2_VIRT_APIC_ACCESS   = 1u << 0,
	PROC2_EPT                = 1u << 1,
	PROC2_DESC_TABLE_EXITING = 1u << 2,
	PROC2_RDTSCP             = 1u << 3,
	PROC2_VIRT_X2APIC        = 1u << 4,
	PROC2_VPID               = 1u << 5,
	PROC2_WBINVD_EXITING     = 1u << 6,
	PROC2_UNRESTRICTED_GUEST = 1u << 7,
	PROC2_APIC_REG_VIRT      = 1u << 8,
	PROC2_VIRT_INTR_DELIVERY = 1u << 9,
	PROC2_PAUSE_LOOP_EXITING = 1u << 10,
	PROC2_RDRAND_EXITING     = 1u << 11,
	PROC2_INVPCID            = 1u << 12,
	PROC2_VMFUNC             = 1u << 13,
	PROC2_RDSEED_EXITING     = 1u << 16,
	PROC2_XSAVES             = 1u << 20,
};

/* VM-exit controls. */
enum vmx_exit_ctl {
	EXIT_SAVE_DEBUG_CTLS     = 1u << 2,
	EXIT_HOST_ADDR_64        = 1u << 9,
	EXIT_ACK_INTR_ON_EXIT    = 1u << 15,
	EXIT_SAVE_PAT            = 1u << 18,
	EXIT_LOAD_PAT            = 1u << 19,
	EXIT_SAVE_EFER           = 1u << 20,
	EXIT_LOAD_EFER           = 1u << 21,
	EXIT_SAVE_PREEMPT_TIMER  = 1u << 22,
};

/* VM-entry controls. */
enum vmx_entry_ctl {
	ENTRY_LOAD_DEBUG_CTLS    = 1u << 2,
	ENTRY_IA32E_MODE         = 1u << 9,
	ENTRY_LOAD_PAT           = 1u << 14,
	ENTRY_LOAD_EFER          = 1u << 15,
};

/* Basic exit reasons (SDM Vol. 3D appendix C). */
enum vmx_exit_reason {
	EXIT_EXCEPTION_NMI       = 0,
	EXIT_EXTERNAL_INTERRUPT  = 1,
	EXIT_TRIPLE_FAULT        = 2,
	EXIT_INIT                = 3,
	EXIT_SIPI                = 4,
	EXIT_IO_SMI              = 5,
	EXIT_OTHER_SMI           = 6,
	EXIT_INTERRUPT_WINDOW    = 7,
	EXIT_NMI_WINDOW          = 8,
	EXIT_TASK_SWITCH         = 9,
	EXIT_CPUID               = 10,
	EXIT_GETSEC              = 11,
	EXIT_HLT                 = 12,
	EXIT_INVD                = 13,
	EXIT_INVLPG              = 14,
	EXIT_RDPMC               = 15,
	EXIT_RDTSC               = 16,
	EXIT_RSM                 = 17,
	EXIT_VMCALL              = 18,
	EXIT_VMCLEAR             = 19,
	EXIT_VMLAUNCH            = 20,
	EXIT_VMPTRLD             = 21,
	EXIT_VMPTRST             = 22,
	EXIT_VMREAD              = 23,
	EXIT_VMRESUME            = 24,
	EXIT_VMWRITE             = 25,
	EXIT_VMXOFF              = 26,
	EXIT_VMXON               = 27,
	EXIT_CR_ACCESS           = 28,
	EXIT_MOV_DR              = 29,
	EXIT_IO_INSTRUCTION      = 30,
	EXIT_RDMSR               = 31,
	EXIT_WRMSR               = 32,
	EXIT_INVALID_GUEST_STATE = 33,
	EXIT_MSR_LOADING         = 34,
	EXIT_MWAIT               = 36,
	EXIT_MONITOR_TRAP_FLAG   = 37,
	EXIT_MONITOR             = 39,
	EXIT_PAUSE               = 40,
	EXIT_MACHINE_CHECK       = 41,
	EXIT_TPR_BELOW_THRESHOLD = 43,
	EXIT_APIC_ACCESS         = 44,
	EXIT_VIRTUALIZED_EOI     = 45,
	EXIT_GDTR_IDTR           = 46,
	EXIT_LDTR_TR             = 47,
	EXIT_EPT_VIOLATION       = 48,
	EXIT_EPT_MISCONFIG       = 49,
	EXIT_INVEPT              = 50,
	EXIT_RDTSCP              = 51,
	EXIT_PREEMPTION_TIMER    = 52,
	EXIT_INVVPID             = 53,
	EXIT_WBINVD              = 54,
	EXIT_XSETBV              = 55,
	EXIT_APIC_WRITE          = 56,
	EXIT_RDRAND              = 57,
	EXIT_INVPCID             = 58,
	EXIT_VMFUNC              = 59,
	EXIT_ENCLS               = 60,
	EXIT_RDSEED              = 61,
	EXIT_PML_FULL            = 62,
	EXIT_XSAVES              = 63,
	EXIT_XRSTORS             = 64,
	EXIT_REASON_MAX          = 65,   /* table size */
};

#define EXIT_REASON_BASIC_MASK   0xffffu
#define EXIT_REASON_ENTRY_FAIL   (1u << 31)

/* VM-entry/exit interruption information. */
enum vmx_intr_info {
	INTR_INFO_VECTOR_MASK    = 0xff,
	INTR_INFO_TYPE_SHIFT     = 8,
	INTR_INFO_TYPE_MASK      = 7u << 8,
	INTR_INFO_ERROR_CODE     = 1u << 11,
	INTR_INFO_VALID          = 1u << 31,
};

enum vmx_intr_type {
	INTR_TYPE_EXTERNAL       = 0,
	INTR_TYPE_NMI            = 2,
	INTR_TYPE_HW_EXCEPTION   = 3,
	INTR_TYPE_SW_INTERRUPT   = 4,
	INTR_TYPE_PRIV_SW_EXC    = 5,
	INTR_TYPE_SW_EXCEPTION   = 6,
};

/* Guest interruptibility state. */
enum vmx_interruptibility {
	INTERRUPTIBILITY_STI     = 1u << 0,
	INTERRUPTIBILITY_MOV_SS  = 1u << 1,
	INTERRUPTIBILITY_SMI     = 1u << 2,
	INTERRUPTIBILITY_NMI     = 1u << 3,
};

enum vmx_activity_state {
	ACTIVITY_ACTIVE          = 0,
	ACTIVITY_HLT             = 1,
	ACTIVITY_SHUTDOWN        = 2,
	ACTIVITY_WAIT_SIPI       = 3,
};

/* Segment access rights in the VMCS format. */
enum vmx_seg_ar {
	AR_TYPE_MASK             = 0xf,
	AR_TYPE_ACCESSED         = 1u << 0,
	AR_TYPE_CODE_XR          = 0xa,   /* execute/read (bit 0 = accessed) */
	AR_TYPE_DATA_RW          = 0x2,
	AR_TYPE_TSS_BUSY         = 0xb,
	AR_TYPE_LDT              = 0x2,
	AR_S                     = 1u << 4,
	AR_DPL_SHIFT             = 5,
	AR_DPL_MASK              = 3u << 5,
	AR_P                     = 1u << 7,
	AR_L                     = 1u << 13,
	AR_DB                    = 1u << 14,
	AR_G                     = 1u << 15,
	AR_UNUSABLE              = 1u << 16,
};

/* Exit qualification of control-register accesses. */
enum vmx_cr_qual {
	CRQ_CR_MASK              = 0xf,
	CRQ_TYPE_SHIFT           = 4,
	CRQ_TYPE_MASK            = 3,
	CRQ_TYPE_MOV_TO          = 0,
	CRQ_TYPE_MOV_FROM        = 1,
	CRQ_TYPE_CLTS            = 2,
	CRQ_TYPE_LMSW            = 3,
	CRQ_LMSW_MEMORY          = 1u << 6,
	CRQ_GPR_SHIFT            = 8,
	CRQ_GPR_MASK             = 0xf,
	CRQ_LMSW_DATA_SHIFT      = 16,
};

/* Exit qualification of I/O instructions. */
enum vmx_io_qual {
	IOQ_SIZE_MASK            = 7,     /* size - 1 */
	IOQ_IN                   = 1u << 3,
	IOQ_STRING               = 1u << 4,
	IOQ_REP                  = 1u << 5,
	IOQ_PORT_SHIFT           = 16,
};

/* VM-exit instruction information of INS/OUTS. */
enum vmx_io_insn_info {
	IOINFO_ADDR_SIZE_SHIFT   = 7,
	IOINFO_ADDR_SIZE_MASK    = 7,     /* 0: 16-bit, 1: 32-bit, 2: 64-bit */
	IOINFO_SEG_SHIFT         = 15,
	IOINFO_SEG_MASK          = 7,     /* ES, CS, SS, DS, FS, GS */
};

/* Exit qualification of EPT violations. */
enum vmx_ept_qual {
	EPTQ_READ                = 1u << 0,
	EPTQ_WRITE               = 1u << 1,
	EPTQ_FETCH               = 1u << 2,
	EPTQ_LINEAR_VALID        = 1u << 7,
	EPTQ_LINEAR_TRANSLATED   = 1u << 8,   /* else: a paging-structure access */
	EPTQ_NMI_UNBLOCKING      = 1u << 12,
};

#endif /* !__ASSEMBLY__ */
#endif
