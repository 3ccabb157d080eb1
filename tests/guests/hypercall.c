/* SPDX-License-Identifier: MIT */
/*
 * hypercall: tern's hypercall ABI from a 32-bit guest (include/tern/hypercall.h):
 * NULL and VERSION, CONSOLE_WRITE with good and hostile arguments, an
 * unknown number. Nothing here may crash the VM.
 */
#include "lib/guest.h"

#define CONSOLE_WRITE_MAX   4096
#define GPA_OUTSIDE_RAM     0xf0000000u      /* in the hole below 4 GiB, no device */
#define UNKNOWN_HYPERCALL   0x0fff

static char big[CONSOLE_WRITE_MAX + 1];

static u32 ram_end(void)
{
	return (mb_mem_upper_kib() + 1024) * (u32)KiB;
}

static void console_write_good(void)
{
	static const char msg[] = "hypercall: hello through CONSOLE_WRITE\n";

	check_eq(hypercall2(TERN_HC_CONSOLE_WRITE, (u32)(uintptr_t)msg, sizeof(msg) - 1),
		 sizeof(msg) - 1, "CONSOLE_WRITE returns the length it wrote");
	check_eq(hypercall2(TERN_HC_CONSOLE_WRITE, (u32)(uintptr_t)msg, 0), 0,
		 "CONSOLE_WRITE of 0 bytes returns 0");
}

static void console_write_hostile(void)
{
	s32 r;

	check_eq(hypercall2(TERN_HC_CONSOLE_WRITE, GPA_OUTSIDE_RAM, 16), -TERN_EFAULT,
		 "CONSOLE_WRITE from outside RAM: -EFAULT");
	check_eq(hypercall2(TERN_HC_CONSOLE_WRITE, ram_end() - 8, 16), -TERN_EFAULT,
		 "CONSOLE_WRITE straddling the end of RAM: -EFAULT");
	r = hypercall2(TERN_HC_CONSOLE_WRITE, 0xfffffff0u, 0x20);
	check(r == -TERN_EFAULT || r == -TERN_E2BIG,
	      "CONSOLE_WRITE wrapping past 4 GiB: -EFAULT or -E2BIG (got %d)", (int)r);
	memset(big, '.', sizeof(big));
	check_eq(hypercall2(TERN_HC_CONSOLE_WRITE, (u32)(uintptr_t)big, CONSOLE_WRITE_MAX + 1),
		 -TERN_E2BIG, "CONSOLE_WRITE of %u bytes: -E2BIG", CONSOLE_WRITE_MAX + 1);
	r = hypercall2(TERN_HC_CONSOLE_WRITE, (u32)(uintptr_t)big, 0xffffffffu);
	check(r == -TERN_E2BIG || r == -TERN_EFAULT,
	      "CONSOLE_WRITE of 0xffffffff bytes: -E2BIG or -EFAULT (got %d)", (int)r);
}

void guest_main(void)
{
	s32 r;
	int vec = hypercall_safe(TERN_HC_NULL, 0, 0, 0, 0, &r);

	if (!check(vec < 0, "VMCALL does not fault (no tern underneath?)"))
		return;
	check_eq(r, 0, "NULL returns 0");
	check_eq(hypercall0(TERN_HC_VERSION), TERN_HC_ABI_VERSION, "VERSION returns %d",
		 TERN_HC_ABI_VERSION);
	console_write_good();
	console_write_hostile();
	check_eq(hypercall0(UNKNOWN_HYPERCALL), -TERN_KVM_ENOSYS, "unknown hypercall 0x%x: -1000",
		 UNKNOWN_HYPERCALL);
	check_eq(hypercall0(0xffffffffu), -TERN_KVM_ENOSYS, "hypercall 0xffffffff: -1000");
	/* registers other than EAX are preserved */
	u32 b = 0x11111111, c = 0x22222222, d = 0x33333333, s = 0x44444444;

	__asm__ __volatile__("vmcall" : "+b"(b), "+c"(c), "+d"(d), "+S"(s), "=a"(r)
				      : "a"(TERN_HC_NULL) : "memory");
	check(b == 0x11111111 && c == 0x22222222 && d == 0x33333333 && s == 0x44444444,
	      "VMCALL preserves EBX, ECX, EDX, ESI");
}
