/* SPDX-License-Identifier: MIT */
/* Names for VMX numbers that end up in messages. */
#ifndef TERN_ARCH_X86_VMX_ERRORS_H
#define TERN_ARCH_X86_VMX_ERRORS_H

#include "kernel/lib/types.h"

/* The VM-instruction error number's meaning (SDM 31.4); "unknown" if not listed. */
const char *vmx_insn_error_name(u32 err);

/* The basic exit reason's name; "unknown" if not listed. */
const char *vmx_exit_reason_name(u32 basic_reason);

#endif
