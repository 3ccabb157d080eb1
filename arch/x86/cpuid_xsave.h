/* SPDX-License-Identifier: MIT */
/* The XSAVE area sizes CPUID leaf 0xd reports, computed from the component table. */
#ifndef TERN_ARCH_X86_CPUID_XSAVE_H
#define TERN_ARCH_X86_CPUID_XSAVE_H

#include "kernel/lib/types.h"

/*
 * Size in bytes of an XSAVEC (compacted) area holding the components in
 * xfeatures (SDM vol. 1, 13.4.3): the 512-byte legacy region and the
 * 64-byte header, then each extended component i set in xfeatures in
 * order, at the next 64-byte boundary when CPUID.(0xd,i):ECX[1] asks for
 * it. This is what CPUID.(0xd,1):EBX must say for XCR0 | IA32_XSS (Bochs
 * 2.7 reports the standard-format size there, and Linux, which uses the
 * compacted format whenever XSAVEC exists, then disables XSAVE with a
 * "XSAVE consistency problem" warning).
 */
u32 cpuid_xsave_compacted_size(u64 xfeatures);

#endif
