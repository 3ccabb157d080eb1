/* SPDX-License-Identifier: MIT */
/*
 * Guest entry and the VM-exit stub.
 *
 * int vmx_run(struct vcpu *v, bool launched)
 *   Saves tern's callee-saved registers, points HOST_RSP at this frame (so
 *   every exit lands here with the vCPU pointer at 0(%rsp)), loads the
 *   guest GPRs from v->gpr[] and does VMLAUNCH or VMRESUME.
 *
 * vmx_exit_stub (HOST_RIP)
 *   Saves the guest GPRs into v->gpr[], calls vmx_exit_handler(v). When it
 *   returned 0, neither of the vCPU's exit flags (kicked, preempt_armed) is
 *   set and no RCU writer waits, reloads them and VMRESUMEs; otherwise
 *   vmx_exit_complete(v, rc) decides: 0 resumes the same way, anything else
 *   is returned from vmx_run.
 *
 * A failed VMLAUNCH/VMRESUME returns VMX_RUN_FAIL_INVALID (CF=1) or
 * VMX_RUN_FAIL_VALID (ZF=1) from vmx_run.
 */
#include "arch/x86/vmcs_fields.h"
#include "arch/x86/vmx.h"

#define GPR(n) (8 * (n))
#define RAX 0
#define RCX 1
#define RDX 2
#define RBX 3
#define RBP 5
#define RSI 6
#define RDI 7

/* Load the guest GPRs from the vCPU at %rdi; %rdi last. Flags are preserved. */
.macro LOAD_GUEST_GPRS
	movq GPR(RAX)(%rdi), %rax
	movq GPR(RCX)(%rdi), %rcx
	movq GPR(RDX)(%rdi), %rdx
	movq GPR(RBX)(%rdi), %rbx
	movq GPR(RBP)(%rdi), %rbp
	movq GPR(RSI)(%rdi), %rsi
	movq GPR(8)(%rdi), %r8
	movq GPR(9)(%rdi), %r9
	movq GPR(10)(%rdi), %r10
	movq GPR(11)(%rdi), %r11
	movq GPR(12)(%rdi), %r12
	movq GPR(13)(%rdi), %r13
	movq GPR(14)(%rdi), %r14
	movq GPR(15)(%rdi), %r15
	movq GPR(RDI)(%rdi), %rdi
.endm

	.text
	.globl vmx_run
	.type vmx_run, @function
vmx_run:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushq %rdi                      /* the vCPU, found by the exit stub at 0(%rsp) */
	movq $VMCS_HOST_RSP_ENCODING, %rax
	vmwrite %rsp, %rax
	jbe .Lfail
	testb %sil, %sil
	LOAD_GUEST_GPRS
	jnz .Lresume
	vmlaunch
	jmp .Lfail
.Lresume:
	vmresume
.Lfail:
	movl $VMX_RUN_FAIL_VALID, %eax
	movl $VMX_RUN_FAIL_INVALID, %edx
	cmovc %edx, %eax
.Lleave:
	popq %rdi
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
	.size vmx_run, . - vmx_run

	.globl vmx_exit_stub
	.type vmx_exit_stub, @function
vmx_exit_stub:
	pushq %rdi
	movq 8(%rsp), %rdi
	movq %rax, GPR(RAX)(%rdi)
	movq %rcx, GPR(RCX)(%rdi)
	movq %rdx, GPR(RDX)(%rdi)
	movq %rbx, GPR(RBX)(%rdi)
	movq %rbp, GPR(RBP)(%rdi)
	movq %rsi, GPR(RSI)(%rdi)
	movq %r8, GPR(8)(%rdi)
	movq %r9, GPR(9)(%rdi)
	movq %r10, GPR(10)(%rdi)
	movq %r11, GPR(11)(%rdi)
	movq %r12, GPR(12)(%rdi)
	movq %r13, GPR(13)(%rdi)
	movq %r14, GPR(14)(%rdi)
	movq %r15, GPR(15)(%rdi)
	popq GPR(RDI)(%rdi)
	call vmx_exit_handler           /* %rsp is 16-byte aligned here */
	movq (%rsp), %rdi
	testl %eax, %eax
	jnz .Lexit_complete
	cmpw $0, VCPU_EXIT_FLAGS(%rdi)  /* kicked, preempt_armed */
	jne .Lexit_complete
	cmpl $0, rcu_gp_waiters(%rip)
	jne .Lexit_complete
.Lexit_resume:
	LOAD_GUEST_GPRS
	vmresume
	jmp .Lfail
.Lexit_complete:
	movl %eax, %esi
	call vmx_exit_complete          /* (v, rc): 0 resumes */
	testl %eax, %eax
	jnz .Lleave
	movq (%rsp), %rdi
	jmp .Lexit_resume
	.size vmx_exit_stub, . - vmx_exit_stub
