/* SPDX-License-Identifier: MIT */
/*
 * Host interrupts and exceptions: the register frame every vector's stub
 * builds (arch/x86/trap.S) and the fatal-exception report.
 */
#ifndef TERN_ARCH_TRAP_H
#define TERN_ARCH_TRAP_H

#define TRAP_VECTORS     256
#define TRAP_EXCEPTIONS  32   /* vectors 0..31 are architectural exceptions */

/* Exception vectors (SDM Vol. 3 6.3.1). */
#define EXC_DE 0
#define EXC_DB 1
#define EXC_NMI 2
#define EXC_BP 3
#define EXC_OF 4
#define EXC_BR 5
#define EXC_UD 6
#define EXC_NM 7
#define EXC_DF 8
#define EXC_TS 10
#define EXC_NP 11
#define EXC_SS 12
#define EXC_GP 13
#define EXC_PF 14
#define EXC_MF 16
#define EXC_AC 17
#define EXC_MC 18
#define EXC_XM 19
#define EXC_VE 20
#define EXC_CP 21
#define EXC_HV 28
#define EXC_VC 29
#define EXC_SX 30

#ifndef __ASSEMBLY__

#include "kernel/lib/types.h"

/* Saved state, lowest address first: what trap.S pushes, then the CPU's frame. */
struct trap_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector;
	u64 error_code;   /* 0 for vectors without one */
	u64 rip, cs, rflags, rsp, ss;
};

typedef void (*trap_handler_t)(struct trap_frame *frame);

/* Called by trap.S for every vector: runs the registered handler or reports. */
void trap_dispatch(struct trap_frame *frame);

/*
 * Print the exception (name, error code, control and general registers)
 * and halt this CPU: an exception in tern is a tern bug. Never returns.
 */
__noreturn void trap_fatal(const struct trap_frame *frame);

/* trap_fatal()'s dump without the halt (self-tests that catch a fault on purpose). */
void trap_dump(const struct trap_frame *frame);

/* Entry addresses of the 256 stubs in trap.S, indexed by vector. */
extern const u64 trap_stub_table[TRAP_VECTORS];

#endif /* !__ASSEMBLY__ */
#endif
