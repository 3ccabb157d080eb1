/* SPDX-License-Identifier: MIT */
/* APIC virtualization setup and the per-entry RVI/SVI/EOI-exit-bitmap update. */
#include "arch/x86/x86.h"
#include "arch/x86/apicv.h"
#include "arch/x86/vmx_caps.h"
#include "kernel/vm_impl.h"

static bool allowed = true;

void apicv_set_allowed(bool on)
{
	allowed = on;
}

bool apicv_enabled(void)
{
	return false;
}

int apicv_vcpu_init(struct vcpu *v)
{
	(void)v;
	return -TERN_EOPNOTSUPP;
}

void apicv_sync(struct vcpu *v, bool busy)
{
	(void)v;
	(void)busy;
}
