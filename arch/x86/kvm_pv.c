/* SPDX-License-Identifier: MIT */
/* KVM's paravirtual CPUID leaves and kvmclock MSRs for Linux guests (arch/x86/kvm_pv.h). */
#include "arch/x86/kvm_pv.h"
#include "arch/x86/vmcs_fields.h"
#include "arch/x86/vmx_insn.h"
#include "arch/x86/x86.h"
#include "drivers/clock_scale.h"
#include "drivers/rtc.h"
#include "kernel/clock.h"
#include "kernel/config.h"
#include "kernel/log.h"
#include "kernel/vm_impl.h"

#define KVM_PV_FEATURES  (BIT(KVM_FEATURE_NOP_IO_DELAY) | BIT(KVM_FEATURE_CLOCKSOURCE2) | \
			  BIT(KVM_FEATURE_PV_SEND_IPI) | BIT(KVM_FEATURE_CLOCKSOURCE_STABLE_BIT))
#define KVM_PV_HINTS     0u

struct kvm_pv_vcpu {
	u64 system_time_msr;   /* as the guest wrote it */
	u32 version;           /* of its time record */
};

struct kvm_pv_vm {
	u64 epoch;             /* host TSC at VM creation: system_time 0 */
	u64 wall_clock_msr;
	u32 wall_version;
	struct pvclock_scale scale;
	struct kvm_pv_vcpu vcpus[TERN_MAX_VCPUS];
};

/* Per VM id, like the RTC's instances (VM ids are below CONFIG_MAX_VMS). */
static struct kvm_pv_vm pv_vms[CONFIG_MAX_VMS];

static struct kvm_pv_vm *pv_of(struct vm *vm)
{
	return vm->id < CONFIG_MAX_VMS ? &pv_vms[vm->id] : NULL;
}

void kvm_pv_vm_init(struct vm *vm)
{
	struct kvm_pv_vm *pv = pv_of(vm);

	if (!pv)
		return;
	*pv = (struct kvm_pv_vm){ .epoch = clock_now(),
				  .scale = pvclock_scale_for(clock_tsc_hz(clock_tsc_khz())) };
}

bool kvm_pv_cpuid(u32 leaf, struct cpuid_regs *r)
{
	if (leaf < KVM_CPUID_SIGNATURE || leaf > KVM_CPUID_LAST)
		return false;
	*r = (struct cpuid_regs){ 0 };
	if (leaf == KVM_CPUID_SIGNATURE)
		*r = (struct cpuid_regs){ KVM_CPUID_FEATURES, KVM_SIGNATURE_EBX, KVM_SIGNATURE_ECX,
					  KVM_SIGNATURE_EDX };
	else if (leaf == KVM_CPUID_FEATURES)
		*r = (struct cpuid_regs){ KVM_PV_FEATURES, 0, 0, KVM_PV_HINTS };
	return true;
}

/* Fill v's time record from the host TSC now; nothing when disabled or not RAM. */
static void publish_time(struct vcpu *v, struct kvm_pv_vm *pv)
{
	struct kvm_pv_vcpu *pc = &pv->vcpus[v->id];
	u64 gpa = pc->system_time_msr & ~KVM_SYSTEM_TIME_ENABLE;
	struct pvclock_vcpu_time_info *ti;
	u64 now, offset;

	if (!(pc->system_time_msr & KVM_SYSTEM_TIME_ENABLE))
		return;
	ti = vm_gpa_to_hva(v->vm, gpa, sizeof(*ti));
	if (!ti) {
		pr_debug("vm%u: vCPU %u: kvmclock at gpa 0x%llx is not RAM", v->vm->id, v->id,
			 (unsigned long long)gpa);
		return;
	}
	offset = vmcs_read(VMCS_TSC_OFFSET);
	now = clock_now();
	/* one TSC for every vCPU (no offset) is what makes the record stable */
	pvclock_publish(ti, &pc->version, now + offset, pvclock_scale_ticks(now - pv->epoch, pv->scale),
			pv->scale, offset ? 0 : PVCLOCK_TSC_STABLE_BIT);
}

/* The wall-clock time at system_time 0: the RTC's epoch (the RTC starts with the VM). */
static void publish_wall_clock(struct vm *vm, struct kvm_pv_vm *pv, u64 gpa)
{
	struct pvclock_wall_clock *wc = vm_gpa_to_hva(vm, gpa, sizeof(*wc));
	volatile struct pvclock_wall_clock *w = wc;

	if (!wc)
		return;
	pv->wall_version |= 1;
	w->version = pv->wall_version;
	__asm__ __volatile__("" ::: "memory");
	w->sec = (u32)RTC_EPOCH;
	w->nsec = 0;
	__asm__ __volatile__("" ::: "memory");
	w->version = ++pv->wall_version;
}

int kvm_pv_rdmsr(struct vcpu *v, u32 msr, u64 *val)
{
	struct kvm_pv_vm *pv = pv_of(v->vm);

	if (msr != MSR_KVM_WALL_CLOCK_NEW && msr != MSR_KVM_SYSTEM_TIME_NEW)
		return -TERN_ENOENT;
	if (!pv || v->id >= TERN_MAX_VCPUS)
		return -TERN_EINVAL;
	*val = msr == MSR_KVM_WALL_CLOCK_NEW ? pv->wall_clock_msr :
	       pv->vcpus[v->id].system_time_msr;
	return 0;
}

int kvm_pv_wrmsr(struct vcpu *v, u32 msr, u64 val)
{
	struct kvm_pv_vm *pv = pv_of(v->vm);

	if (msr != MSR_KVM_WALL_CLOCK_NEW && msr != MSR_KVM_SYSTEM_TIME_NEW)
		return -TERN_ENOENT;
	if (!pv || v->id >= TERN_MAX_VCPUS)
		return -TERN_EINVAL;
	if (msr == MSR_KVM_WALL_CLOCK_NEW) {
		pv->wall_clock_msr = val;
		publish_wall_clock(v->vm, pv, val);
		return 0;
	}
	pv->vcpus[v->id].system_time_msr = val;
	publish_time(v, pv);
	return 0;
}

void kvm_pv_tsc_changed(struct vcpu *v)
{
	struct kvm_pv_vm *pv = pv_of(v->vm);

	if (pv && v->id < TERN_MAX_VCPUS)
		publish_time(v, pv);
}
