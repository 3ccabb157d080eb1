/* SPDX-License-Identifier: MIT */
/* VMCALL: the hypercall convention of include/tern/hypercall.h. */
#include "arch/x86/exit.h"
#include "kernel/hypercall.h"
#include "kernel/vcpu.h"

int exit_vmcall(struct vcpu *v)
{
	const u64 args[HYPERCALL_NR_ARGS] = {
		v->gpr[GPR_RBX], v->gpr[GPR_RCX], v->gpr[GPR_RDX], v->gpr[GPR_RSI],
	};
	u64 nr = v->gpr[GPR_RAX];
	s64 ret;

	if (guest_insn_mode() != INSN_MODE_64)
		nr = (u32)nr;
	ret = guest_cpl() ? -TERN_EPERM : hypercall_dispatch(v, nr, args);
	v->gpr[GPR_RAX] = (u64)ret;
	exit_skip_insn(v);
	return 0;
}
