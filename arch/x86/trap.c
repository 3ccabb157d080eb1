/* SPDX-License-Identifier: MIT */
#include "arch/x86/trap.h"
#include "arch/x86/cpu.h"
#include "arch/x86/idt.h"
#include "arch/x86/x86.h"
#include "kernel/console.h"
#include "kernel/log.h"
#include "kernel/percpu.h"

static const char *const exception_names[TRAP_EXCEPTIONS] = {
	[EXC_DE] = "#DE divide error",
	[EXC_DB] = "#DB debug",
	[EXC_NMI] = "NMI",
	[EXC_BP] = "#BP breakpoint",
	[EXC_OF] = "#OF overflow",
	[EXC_BR] = "#BR bound range",
	[EXC_UD] = "#UD invalid opcode",
	[EXC_NM] = "#NM device not available",
	[EXC_DF] = "#DF double fault",
	[EXC_TS] = "#TS invalid TSS",
	[EXC_NP] = "#NP segment not present",
	[EXC_SS] = "#SS stack fault",
	[EXC_GP] = "#GP general protection",
	[EXC_PF] = "#PF page fault",
	[EXC_MF] = "#MF x87 error",
	[EXC_AC] = "#AC alignment check",
	[EXC_MC] = "#MC machine check",
	[EXC_XM] = "#XM SIMD exception",
	[EXC_VE] = "#VE virtualization exception",
	[EXC_CP] = "#CP control protection",
	[EXC_HV] = "#HV hypervisor injection",
	[EXC_VC] = "#VC VMM communication",
	[EXC_SX] = "#SX security exception",
};

static const char *vector_name(u64 vector)
{
	if (vector < TRAP_EXCEPTIONS && exception_names[vector])
		return exception_names[vector];
	return vector < TRAP_EXCEPTIONS ? "reserved exception" : "interrupt";
}

static int current_cpu_id(void)
{
	return (int)this_cpu()->id;
}

void trap_dump(const struct trap_frame *f)
{
	pr_err("EXCEPTION %s (vector %llu) error 0x%llx on cpu %d",
	       vector_name(f->vector), (unsigned long long)f->vector,
	       (unsigned long long)f->error_code, current_cpu_id());
	pr_err("  rip %016llx cs %04llx rflags %016llx rsp %016llx ss %04llx",
	       (unsigned long long)f->rip, (unsigned long long)f->cs,
	       (unsigned long long)f->rflags, (unsigned long long)f->rsp,
	       (unsigned long long)f->ss);
	pr_err("  cr0 %016llx cr2 %016llx cr3 %016llx cr4 %016llx",
	       (unsigned long long)read_cr0(), (unsigned long long)read_cr2(),
	       (unsigned long long)read_cr3(), (unsigned long long)read_cr4());
	if (f->vector == EXC_PF && cpu_guard_owner(read_cr2()) >= 0)
		pr_err("  cr2 is in the stack guard page of cpu%d (stack overflow)",
		       cpu_guard_owner(read_cr2()));
	pr_err("  rax %016llx rbx %016llx rcx %016llx rdx %016llx",
	       (unsigned long long)f->rax, (unsigned long long)f->rbx,
	       (unsigned long long)f->rcx, (unsigned long long)f->rdx);
	pr_err("  rsi %016llx rdi %016llx rbp %016llx r8  %016llx",
	       (unsigned long long)f->rsi, (unsigned long long)f->rdi,
	       (unsigned long long)f->rbp, (unsigned long long)f->r8);
	pr_err("  r9  %016llx r10 %016llx r11 %016llx r12 %016llx",
	       (unsigned long long)f->r9, (unsigned long long)f->r10,
	       (unsigned long long)f->r11, (unsigned long long)f->r12);
	pr_err("  r13 %016llx r14 %016llx r15 %016llx",
	       (unsigned long long)f->r13, (unsigned long long)f->r14,
	       (unsigned long long)f->r15);
}

void trap_fatal(const struct trap_frame *f)
{
	trap_dump(f);
	pr_err("cpu %d halted after an exception in tern", current_cpu_id());
	console_flush();   /* the report must leave the buffer before the CPU stops */
	cpu_halt_forever();
}

void trap_dispatch(struct trap_frame *f)
{
	trap_handler_t fn = idt_handler((unsigned)f->vector);

	if (fn) {
		fn(f);
		return;
	}
	if (f->vector < TRAP_EXCEPTIONS)
		trap_fatal(f);
	pr_warn("unexpected interrupt vector %llu on cpu %d, ignored",
		(unsigned long long)f->vector, current_cpu_id());
}
