/* SPDX-License-Identifier: MIT */
#include "lib/printf.h"
#include "lib/test.h"
#include "lib/trap.h"

#define GATE_INTERRUPT_32  0x8e      /* present, DPL 0, 32-bit interrupt gate */

struct idt_gate {
	u16 offset_lo;
	u16 selector;
	u8 zero;
	u8 type;
	u16 offset_hi;
} __packed;

struct idt_desc {
	u16 limit;
	u32 base;
} __packed;

extern const u32 isr_table[NR_EXCEPTIONS];
extern u32 catch_esp;

static struct idt_gate idt[NR_EXCEPTIONS] __aligned(8);
struct fault_info last_fault = { .vector = -1 };

void trap_init(void)
{
	struct idt_desc desc = { sizeof(idt) - 1, (u32)(uintptr_t)idt };

	for (unsigned v = 0; v < NR_EXCEPTIONS; v++) {
		idt[v].offset_lo = (u16)isr_table[v];
		idt[v].selector = GUEST_CODE_SEL;
		idt[v].zero = 0;
		idt[v].type = GATE_INTERRUPT_32;
		idt[v].offset_hi = (u16)(isr_table[v] >> 16);
	}
	__asm__ __volatile__("lidt %0" :: "m"(desc));
}

int trap_dispatch(struct trap_frame *f)
{
	if (catch_esp) {
		last_fault.vector = (int)f->vector;
		last_fault.error = f->error;
		last_fault.eip = f->eip;
		last_fault.count++;
		return 1;
	}
	printf("# unexpected exception %u (error 0x%x) at eip 0x%08x\n",
	       f->vector, f->error, f->eip);
	printf("# eax=%08x ebx=%08x ecx=%08x edx=%08x esi=%08x edi=%08x ebp=%08x\n",
	       f->eax, f->ebx, f->ecx, f->edx, f->esi, f->edi, f->ebp);
	test_abort("unexpected exception");
}

bool expect_fault(int vector, fault_fn_t fn, void *arg, const char *what)
{
	int got = fault_catch(fn, arg);

	if (got != vector) {
		if (got < 0)
			printf("# expected exception %d, none raised\n", vector);
		else
			printf("# expected exception %d, got %d (error 0x%x) at 0x%08x\n",
			       vector, got, last_fault.error, last_fault.eip);
	}
	return check(got == vector, "%s", what);
}

bool expect_no_fault(fault_fn_t fn, void *arg, const char *what)
{
	int got = fault_catch(fn, arg);

	if (got >= 0)
		printf("# exception %d (error 0x%x) at 0x%08x\n", got, last_fault.error, last_fault.eip);
	return check(got < 0, "%s", what);
}
