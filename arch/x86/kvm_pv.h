/* SPDX-License-Identifier: MIT */
/*
 * KVM's paravirtual interface for Linux guests (the documented ABI:
 * Documentation/virt/kvm/x86/cpuid.rst and msr.rst):
 *   CPUID 0x40000100  EAX = 0x40000101 (max leaf), EBX/ECX/EDX = "KVMKVMKVM\0\0\0"
 *   CPUID 0x40000101  EAX = features: CLOCKSOURCE2, NOP_IO_DELAY, PV_SEND_IPI,
 *                     CLOCKSOURCE_STABLE_BIT; EDX = hints (none)
 *   MSR 0x4b564d00    wall clock: the guest writes the gpa of a struct
 *                     pvclock_wall_clock, tern fills it once (boot time of the
 *                     VM's clock: the RTC's epoch)
 *   MSR 0x4b564d01    system time: bit 0 enable, the rest the gpa of the vCPU's
 *                     struct pvclock_vcpu_time_info, filled at enable and when
 *                     the vCPU's TSC offset changes (the TSC rate never does)
 * tern's own leaves stay at 0x40000000 (signature "ternTERNtern", max
 * 0x40000010) and 0x40000010 (TSC kHz); Linux finds KVM's by scanning
 * 0x40000000-0x4000ff00 in steps of 0x100.
 *
 * The clock: system_time counts nanoseconds since the VM was created,
 * converted from the host TSC with the same mul/shift the guest uses, so
 * successive updates agree to the nanosecond.
 */
#ifndef TERN_ARCH_X86_KVM_PV_H
#define TERN_ARCH_X86_KVM_PV_H

#include "kernel/lib/types.h"

#define KVM_CPUID_SIGNATURE        0x40000100u
#define KVM_CPUID_FEATURES         0x40000101u
#define KVM_CPUID_LAST             0x400001ffu
#define KVM_SIGNATURE_EBX          0x4b4d564bu   /* "KVMK" */
#define KVM_SIGNATURE_ECX          0x564b4d56u   /* "VMKV" */
#define KVM_SIGNATURE_EDX          0x0000004du   /* "M\0\0\0" */

/* CPUID 0x40000101 EAX bits. */
#define KVM_FEATURE_NOP_IO_DELAY   1
#define KVM_FEATURE_CLOCKSOURCE2   3
#define KVM_FEATURE_PV_SEND_IPI    11
#define KVM_FEATURE_CLOCKSOURCE_STABLE_BIT 24

#define MSR_KVM_WALL_CLOCK_NEW     0x4b564d00u
#define MSR_KVM_SYSTEM_TIME_NEW    0x4b564d01u
#define KVM_SYSTEM_TIME_ENABLE     BIT64(0)

#define PVCLOCK_TSC_STABLE_BIT     BIT(0)
#define PVCLOCK_NS_PER_SEC         1000000000ull
#define PVCLOCK_FRAC_BITS          32
#define PVCLOCK_MAX_SHIFT          31
#define PVCLOCK_MAX_TSC_HZ         (1ull << 40)   /* ~1.1 THz: keeps the math in 64 bits */

struct pvclock_vcpu_time_info {
	u32 version;          /* odd while tern updates the rest */
	u32 pad0;
	u64 tsc_timestamp;    /* guest TSC at system_time */
	u64 system_time;      /* ns */
	u32 tsc_to_system_mul;
	s8 tsc_shift;
	u8 flags;
	u8 pad[2];
} __packed;

struct pvclock_wall_clock {
	u32 version;
	u32 sec;
	u32 nsec;
} __packed;

STATIC_ASSERT(sizeof(struct pvclock_vcpu_time_info) == 32);
STATIC_ASSERT(sizeof(struct pvclock_wall_clock) == 12);

/* ns = ((ticks << shift) or (ticks >> -shift)) * mul / 2^32, as the guest computes it. */
struct pvclock_scale {
	u32 mul;
	s8 shift;
};

/*
 * The scale for a TSC of tsc_hz ticks per second (> 0): shift makes
 * NS_PER_SEC < tsc_hz * 2^shift <= 2 * NS_PER_SEC, so mul (the remaining
 * factor, in [0.5, 1) as a 32-bit fraction) keeps 31 significant bits.
 * mul = floor(NS_PER_SEC * 2^32 / (tsc_hz * 2^shift)), computed exactly
 * with 64-bit division. A rate of 0 or above PVCLOCK_MAX_TSC_HZ gives mul 0.
 */
static inline struct pvclock_scale pvclock_scale_for(u64 tsc_hz)
{
	const u64 num = PVCLOCK_NS_PER_SEC << PVCLOCK_FRAC_BITS;
	struct pvclock_scale s = { 0, 0 };
	int k = 0;
	u64 q, r;

	if (!tsc_hz || tsc_hz > PVCLOCK_MAX_TSC_HZ)
		return s;
	while ((tsc_hz << k) <= PVCLOCK_NS_PER_SEC)              /* slow TSC: shift left */
		k++;
	while (k <= 0 && k > -PVCLOCK_MAX_SHIFT && tsc_hz > (2 * PVCLOCK_NS_PER_SEC << -k))
		k--;                                             /* fast TSC: shift right */
	s.shift = (s8)k;
	if (k >= 0) {
		s.mul = (u32)(num / (tsc_hz << k));
		return s;
	}
	/* num * 2^-k / tsc_hz without overflow: q * 2^-k + r * 2^-k / tsc_hz */
	q = num / tsc_hz;
	r = num % tsc_hz;
	s.mul = (u32)((q << -k) + (r << -k) / tsc_hz);
	return s;
}

/* floor(ticks scaled by s), as the guest's pvclock read does (128-bit product, exact). */
static inline u64 pvclock_scale_ticks(u64 ticks, struct pvclock_scale s)
{
	u64 d = s.shift >= 0 ? ticks << s.shift : ticks >> -s.shift;

	return (d >> 32) * s.mul + (((d & 0xffffffffull) * s.mul) >> 32);
}

/*
 * Publish a new time record: version odd, the fields, version even (the
 * guest retries a read that saw an odd or changed version). *version is
 * tern's counter for this record; ti may be guest memory.
 */
static inline void pvclock_publish(volatile struct pvclock_vcpu_time_info *ti, u32 *version,
				   u64 tsc, u64 system_ns, struct pvclock_scale s, u8 flags)
{
	*version |= 1;
	ti->version = *version;
	__asm__ __volatile__("" ::: "memory");
	ti->tsc_timestamp = tsc;
	ti->system_time = system_ns;
	ti->tsc_to_system_mul = s.mul;
	ti->tsc_shift = s.shift;
	ti->flags = flags;
	__asm__ __volatile__("" ::: "memory");
	*version += 1;
	ti->version = *version;
}

#ifndef TERN_HOST
struct vcpu;
struct vm;
struct cpuid_regs;

/* Start vm's paravirtual clock at "now" (VM creation). */
void kvm_pv_vm_init(struct vm *vm);

/* CPUID leaves 0x40000100-0x400001ff: true when leaf is one of them (*r filled). */
bool kvm_pv_cpuid(u32 leaf, struct cpuid_regs *r);

/*
 * RDMSR/WRMSR of the kvmclock MSRs: 0 done, -TERN_ENOENT not a KVM MSR
 * (the caller goes on), -TERN_EINVAL #GP. A guest address that is not RAM
 * leaves the clock unpublished (as KVM, no fault).
 */
int kvm_pv_rdmsr(struct vcpu *v, u32 msr, u64 *val);
int kvm_pv_wrmsr(struct vcpu *v, u32 msr, u64 val);

/* The vCPU's TSC offset changed (guest TSC write): republish its clock record. */
void kvm_pv_tsc_changed(struct vcpu *v);
#endif

#endif
