/* SPDX-License-Identifier: MIT */
#include "arch/x86/cpuid_xsave.h"
#include "arch/x86/x86.h"

#define XSAVE_LEAF            0xd
#define XSAVE_LEGACY_SIZE     512
#define XSAVE_HEADER_SIZE     64
#define XSAVE_FIRST_EXTENDED  2
#define XSAVE_MAX_COMPONENT   63
#define XSAVE_ECX_ALIGN64     BIT(1)
#define XSAVE_ALIGN           64

u32 cpuid_xsave_compacted_size(u64 xfeatures)
{
	u32 size = XSAVE_LEGACY_SIZE + XSAVE_HEADER_SIZE;

	for (unsigned i = XSAVE_FIRST_EXTENDED; i <= XSAVE_MAX_COMPONENT; i++) {
		struct cpuid_regs r;

		if (!(xfeatures & BIT64(i)))
			continue;
		r = cpuid(XSAVE_LEAF, i);
		if (r.ecx & XSAVE_ECX_ALIGN64)
			size = ALIGN_UP(size, XSAVE_ALIGN);
		size += r.eax;
	}
	return size;
}
