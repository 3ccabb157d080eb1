/* SPDX-License-Identifier: MIT */
/*
 * 64-bit division for 32-bit code: the helpers GCC calls (there is no
 * 32-bit libgcc here). Shift-and-subtract; a zero divisor gives 0.
 */
#include "kernel/lib/types.h"

u64 __udivmoddi4(u64 n, u64 d, u64 *rem);
u64 __udivdi3(u64 n, u64 d);
u64 __umoddi3(u64 n, u64 d);
s64 __divdi3(s64 n, s64 d);
s64 __moddi3(s64 n, s64 d);

u64 __udivmoddi4(u64 n, u64 d, u64 *rem)
{
	u64 q = 0, r = 0;

	if (d == 0) {
		if (rem)
			*rem = 0;
		return 0;
	}
	for (int bit = 63; bit >= 0; bit--) {
		r = (r << 1) | ((n >> bit) & 1);
		if (r >= d) {
			r -= d;
			q |= 1ull << bit;
		}
	}
	if (rem)
		*rem = r;
	return q;
}

u64 __udivdi3(u64 n, u64 d)
{
	return __udivmoddi4(n, d, NULL);
}

u64 __umoddi3(u64 n, u64 d)
{
	u64 r;

	__udivmoddi4(n, d, &r);
	return r;
}

static u64 magnitude(s64 v)
{
	return v < 0 ? 0 - (u64)v : (u64)v;
}

s64 __divdi3(s64 n, s64 d)
{
	u64 q = __udivmoddi4(magnitude(n), magnitude(d), NULL);

	return (n < 0) != (d < 0) ? (s64)(0 - q) : (s64)q;
}

s64 __moddi3(s64 n, s64 d)
{
	u64 r;

	__udivmoddi4(magnitude(n), magnitude(d), &r);
	return n < 0 ? (s64)(0 - r) : (s64)r;
}
