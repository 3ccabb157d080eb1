/* SPDX-License-Identifier: MIT */
/*
 * Exceptions in test guests: an IDT with a handler for each of the 32
 * exception vectors. An exception raised inside fault_catch() abandons the
 * function and returns its vector there (the recovery point); any other
 * exception is reported as a failed check and ends the test.
 */
#ifndef GUEST_TRAP_H
#define GUEST_TRAP_H

#include "kernel/lib/types.h"
#include "lib/x86.h"

/* What the handler stub saved (pusha order, then vector, error code, CPU frame). */
struct trap_frame {
	u32 edi, esi, ebp, esp, ebx, edx, ecx, eax;
	u32 vector, error;
	u32 eip, cs, eflags;
};

/* The last exception fault_catch() caught. */
struct fault_info {
	int vector;
	u32 error;
	u32 eip;
	unsigned count;      /* exceptions caught so far */
};

extern struct fault_info last_fault;

typedef void (*fault_fn_t)(void *arg);

/* Load the IDT: interrupt gates for vectors 0-31. */
void trap_init(void);

/*
 * Run fn(arg). Returns -1 when it returned normally, or the vector of the
 * first exception it raised: execution continues after fault_catch() with
 * the registers it saved (fn's frame is dropped). Calls may nest.
 */
int fault_catch(fault_fn_t fn, void *arg);

/*
 * One check: fn(arg) must raise exception vector (e.g. VEC_GP). Prints
 * "ok N - what" or "not ok N - what" with what happened instead.
 */
bool expect_fault(int vector, fault_fn_t fn, void *arg, const char *what);

/* One check: fn(arg) must complete without an exception. */
bool expect_no_fault(fault_fn_t fn, void *arg, const char *what);

/* Called by the assembly stubs: 1 = resume at the catch point, 0 = iret. */
int trap_dispatch(struct trap_frame *f);

#endif
