/* SPDX-License-Identifier: MIT */
/*
 * cpuid: what tern tells a guest about the CPU: the hypervisor bit without
 * VMX, tern's signature and leaves at 0x40000000, the TSC rate, a sane
 * vendor.
 */
#include "lib/guest.h"

#define TERN_MIN_HV_LEAF  0x40000010u

static bool printable(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
	return true;
}

static void check_vendor(void)
{
	struct cpuid_regs a = cpuid(0), b = cpuid(0);
	char vendor[13] = { 0 };

	memcpy(vendor, &a.ebx, 4);
	memcpy(vendor + 4, &a.edx, 4);
	memcpy(vendor + 8, &a.ecx, 4);
	note("leaf 0: max leaf 0x%x, vendor \"%s\"", a.eax, vendor);
	check(a.eax >= 1 && a.eax < CPUID_HV_BASE, "leaf 0 max basic leaf is sane (0x%x)", a.eax);
	check(printable(vendor, 12), "leaf 0 vendor is 12 printable characters");
	check(strcmp(vendor, "GenuineIntel") == 0 || strcmp(vendor, "AuthenticAMD") == 0,
	      "leaf 0 vendor is GenuineIntel or AuthenticAMD");
	check(a.eax == b.eax && a.ebx == b.ebx && a.ecx == b.ecx && a.edx == b.edx,
	      "leaf 0 answers the same twice");
}

void guest_main(void)
{
	struct cpuid_regs r = cpuid(1);
	char sig[13];

	check(r.ecx & CPUID_1_ECX_HYPERVISOR, "leaf 1 ECX: hypervisor bit set");
	check(!(r.ecx & CPUID_1_ECX_VMX), "leaf 1 ECX: VMX bit clear");
	check_vendor();

	r = cpuid(CPUID_HV_BASE);
	memcpy(sig, &r.ebx, 4);
	memcpy(sig + 4, &r.ecx, 4);
	memcpy(sig + 8, &r.edx, 4);
	sig[12] = '\0';
	check(strcmp(sig, "ternTERNtern") == 0, "leaf 0x40000000 signature \"ternTERNtern\" (got \"%s\")",
	      printable(sig, 12) ? sig : "?");
	check(r.eax >= TERN_MIN_HV_LEAF, "leaf 0x40000000 max leaf >= 0x40000010 (0x%x)", r.eax);
	check(tern_detect(sig), "tern_detect() agrees");

	r = cpuid(CPUID_HV_TSC_FREQ);
	note("TSC: %u kHz", r.eax);
	check(r.eax != 0, "leaf 0x40000010 EAX (TSC kHz) is non-zero");
}
