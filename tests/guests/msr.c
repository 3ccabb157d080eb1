/* SPDX-License-Identifier: MIT */
/*
 * msr: unknown MSRs raise #GP (caught here), known ones read without a
 * fault, writable ones keep what is written, IA32_FEATURE_CONTROL says
 * "locked, VMX off".
 */
#include "lib/guest.h"

#define MSR_UNKNOWN_HIGH  0xdeadbeefu
#define MSR_UNKNOWN_HOLE  0x1234u
#define PAT_TEST_VALUE    0x0007010600070406ull   /* PA1 = WC instead of WT */
#define SYSENTER_CS_TEST  0x0008u
#define SYSENTER_ESP_TEST 0x00123450u

static void check_unknown(u32 msr)
{
	u64 v = 0;
	int vec;

	vec = rdmsr_safe(msr, &v);
	check_eq(vec, VEC_GP, "rdmsr 0x%x raises #GP", msr);
	vec = wrmsr_safe(msr, 0);
	check_eq(vec, VEC_GP, "wrmsr 0x%x raises #GP", msr);
	check_eq(last_fault.error, 0, "the #GP error code is 0");
}

static void check_readable(u32 msr, const char *name)
{
	u64 v = 0;
	int vec = rdmsr_safe(msr, &v);

	check(vec < 0, "rdmsr %s (0x%x) does not fault", name, msr);
	if (vec < 0)
		note("%s = 0x%llx", name, (unsigned long long)v);
}

static void check_write_read(u32 msr, const char *name, u64 value)
{
	u64 old = 0, now = 0;

	if (rdmsr_safe(msr, &old) >= 0) {
		check(false, "rdmsr %s", name);
		return;
	}
	check_eq(wrmsr_safe(msr, value), -1, "wrmsr %s = 0x%llx does not fault", name,
		 (unsigned long long)value);
	rdmsr_safe(msr, &now);
	check_eq(now, value, "%s reads back what was written", name);
	check_eq(wrmsr_safe(msr, old), -1, "%s restored", name);
	rdmsr_safe(msr, &now);
	check_eq(now, old, "%s reads back the old value", name);
}

static void check_feature_control(void)
{
	u64 v = 0;

	if (rdmsr_safe(MSR_IA32_FEATURE_CONTROL, &v) >= 0) {
		check(false, "rdmsr IA32_FEATURE_CONTROL does not fault");
		return;
	}
	check(v & FEATURE_CONTROL_LOCKED, "IA32_FEATURE_CONTROL is locked (0x%llx)",
	      (unsigned long long)v);
	check(!(v & (FEATURE_CONTROL_VMX_IN_SMX | FEATURE_CONTROL_VMX_OUTSIDE)),
	      "IA32_FEATURE_CONTROL has VMX disabled");
	check_eq(wrmsr_safe(MSR_IA32_FEATURE_CONTROL, v | FEATURE_CONTROL_VMX_OUTSIDE), VEC_GP,
		 "writing a locked IA32_FEATURE_CONTROL raises #GP");
}

static void check_tsc(void)
{
	u64 a = 0, b = 0;

	rdmsr_safe(MSR_IA32_TSC, &a);
	rdmsr_safe(MSR_IA32_TSC, &b);
	check(b > a, "IA32_TSC advances (0x%llx -> 0x%llx)", (unsigned long long)a,
	      (unsigned long long)b);
}

void guest_main(void)
{
	check_unknown(MSR_UNKNOWN_HIGH);
	check_unknown(MSR_UNKNOWN_HOLE);
	check_readable(MSR_EFER, "EFER");
	check_readable(MSR_IA32_PAT, "PAT");
	check_readable(MSR_IA32_SYSENTER_CS, "SYSENTER_CS");
	check_readable(MSR_IA32_MISC_ENABLE, "MISC_ENABLE");
	check_readable(MSR_IA32_TSC, "TSC");
	check_tsc();
	check_write_read(MSR_IA32_PAT, "PAT", PAT_TEST_VALUE);
	check_write_read(MSR_IA32_SYSENTER_CS, "SYSENTER_CS", SYSENTER_CS_TEST);
	check_write_read(MSR_IA32_SYSENTER_ESP, "SYSENTER_ESP", SYSENTER_ESP_TEST);
	u64 efer = 0;

	rdmsr_safe(MSR_EFER, &efer);
	check_write_read(MSR_EFER, "EFER", efer);   /* the same value: always allowed */
	check_feature_control();
}
