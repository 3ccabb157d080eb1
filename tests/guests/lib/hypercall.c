/* SPDX-License-Identifier: MIT */
#include "lib/hypercall.h"
#include "lib/trap.h"

struct hc_op {
	u32 nr, a[4];
	s32 ret;
};

static void do_hypercall(void *arg)
{
	struct hc_op *op = arg;

	op->ret = hypercall4(op->nr, op->a[0], op->a[1], op->a[2], op->a[3]);
}

int hypercall_safe(u32 nr, u32 a0, u32 a1, u32 a2, u32 a3, s32 *ret)
{
	struct hc_op op = { nr, { a0, a1, a2, a3 }, 0 };
	int vec = fault_catch(do_hypercall, &op);

	if (vec < 0)
		*ret = op.ret;
	return vec;
}
