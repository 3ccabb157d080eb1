/* SPDX-License-Identifier: MIT */
/*
 * tern guest ABI: hypercalls.
 *
 * Calling convention (the same as KVM's, so KVM paravirtual guests work):
 *   VMCALL with RAX = hypercall number, arguments in RBX, RCX, RDX, RSI.
 *   The result comes back in RAX: >= 0 on success, -TERN_Exxx on error
 *   (see <tern/errno.h>). Other registers are preserved.
 *   An unknown number returns -TERN_KVM_ENOSYS (-1000), as KVM does.
 *   A VMCALL from CPL > 0 returns -TERN_EPERM.
 * Guest pointers are guest-physical addresses; every pointer and length is
 * checked against the VM's RAM before tern touches it.
 * This header is plain C with fixed-size types and is usable by guests.
 */
#ifndef TERN_HYPERCALL_H
#define TERN_HYPERCALL_H

#include <stdint.h>

#define TERN_HC_ABI_VERSION 1

/* KVM paravirtual hypercalls tern implements (numbers from KVM's ABI). */
/*
 * KVM_HC_SEND_IPI, as Linux's kvm_send_ipi_mask and KVM's kvm_pv_send_ipi use
 * it: RBX bitmap low, RCX bitmap high (APIC IDs min..min+127), RDX min APIC ID,
 * RSI ICR low (vector, delivery mode). Returns the number of vCPUs reached.
 */
#define KVM_HC_SEND_IPI                10

/* tern's own hypercalls live above KVM's small numbers. */
#define TERN_HC_BASE                   0x1000
#define TERN_HC_NULL                   (TERN_HC_BASE + 0x00) /* -> 0; the cheapest round trip */
#define TERN_HC_VERSION                (TERN_HC_BASE + 0x01) /* -> TERN_HC_ABI_VERSION */
#define TERN_HC_CONSOLE_WRITE          (TERN_HC_BASE + 0x02) /* RBX gpa, RCX len (<= 4096) -> bytes written */
#define TERN_HC_SET_GSI_ROUTING        (TERN_HC_BASE + 0x10) /* RBX gpa of struct tern_irq_routing -> 0 */
#define TERN_HC_IRQ_LINE               (TERN_HC_BASE + 0x11) /* RBX gsi, RCX level (0/1) -> 0 */
#define TERN_HC_DOORBELL_ASSIGN        (TERN_HC_BASE + 0x12) /* RBX gsi, RCX flags, RDX resample doorbell id -> new doorbell id */
#define TERN_HC_DOORBELL_DEASSIGN      (TERN_HC_BASE + 0x13) /* RBX doorbell id -> 0 */
#define TERN_HC_DOORBELL_RING          (TERN_HC_BASE + 0x14) /* RBX doorbell id -> 0 */
#define TERN_HC_DOORBELL_QUERY         (TERN_HC_BASE + 0x15) /* RBX doorbell id, RCX gpa of struct tern_doorbell_info -> 0 */
#define TERN_HC_IRQ_DUMP               (TERN_HC_BASE + 0x16) /* RBX gpa, RCX len -> bytes of text written */

/* Between VMs (docs/intervm.md). VMs are numbered by their vm= token, from 0. */
#define TERN_HC_VM_SELF                (TERN_HC_BASE + 0x20) /* -> this VM's id */
#define TERN_HC_DOORBELL_RING_VM       (TERN_HC_BASE + 0x21) /* RBX vm id, RCX doorbell id -> 0 */
#define TERN_HC_DOORBELL_FIND          (TERN_HC_BASE + 0x22) /* RBX vm id, RCX gsi -> doorbell id */
#define TERN_HC_DOORBELL_GRANT         (TERN_HC_BASE + 0x23) /* RBX owner vm id, RCX doorbell id, RDX ringer vm id -> 0; control VM only */
#define TERN_HC_DOORBELL_REVOKE        (TERN_HC_BASE + 0x24) /* as GRANT -> 0; control VM only */
#define TERN_HC_SHM_QUERY              (TERN_HC_BASE + 0x25) /* RBX index, RCX gpa of struct tern_shm_info -> 0 */

/* Routing entry types and chips: the numbers KVM uses. */
#define TERN_IRQ_ROUTING_IRQCHIP       1
#define TERN_IRQ_ROUTING_MSI           2
#define TERN_IRQ_ROUTING_S390_ADAPTER  3  /* recognised, rejected */
#define TERN_IRQ_ROUTING_HV_SINT       4  /* recognised, rejected */

#define TERN_IRQCHIP_PIC_MASTER        0
#define TERN_IRQCHIP_PIC_SLAVE         1
#define TERN_IRQCHIP_IOAPIC            2
#define TERN_NR_IRQCHIPS               3

#define TERN_MSI_VALID_DEVID           (1u << 0)

struct tern_irq_routing_irqchip {
	uint32_t irqchip;
	uint32_t pin;
};

struct tern_irq_routing_msi {
	uint32_t address_lo;
	uint32_t address_hi;
	uint32_t data;
	uint32_t devid;
};

/* Same layout as struct kvm_irq_routing_entry (48 bytes). */
struct tern_irq_routing_entry {
	uint32_t gsi;
	uint32_t type;
	uint32_t flags;
	uint32_t pad;
	union {
		struct tern_irq_routing_irqchip irqchip;
		struct tern_irq_routing_msi msi;
		uint32_t pad[8];
	} u;
};

/* A routing request: nr entries follow the header. */
struct tern_irq_routing {
	uint32_t nr;
	uint32_t flags;   /* must be 0 */
	struct tern_irq_routing_entry entries[];
};

/* Doorbell binding flags: the meaning of KVM_IRQFD_FLAG_*. */
#define TERN_DOORBELL_FLAG_DEASSIGN    (1u << 0)
#define TERN_DOORBELL_FLAG_RESAMPLE    (1u << 1)

/*
 * The doorbell page: every VM has this 4 KiB MMIO page (like ivshmem's
 * doorbell register), so a guest can ring without a hypercall, from any CPL.
 *   RING   (write, 32-bit): ring the doorbell with that id
 *   STATUS (read, 32-bit):  the result of this vCPU's last RING write
 *                           (0, or -TERN_Exxx as a two's-complement u32)
 * Other offsets read 0 and ignore writes.
 */
#define TERN_DOORBELL_PAGE_GPA         0xfeb00000ull
#define TERN_DOORBELL_PAGE_SIZE        0x1000u
#define TERN_DOORBELL_REG_RING         0x00
#define TERN_DOORBELL_REG_STATUS       0x04

/*
 * Shared-memory regions (shm= on tern's command line) sit in this window,
 * 2 MiB aligned, at the same gpa in every VM that maps them; a VM's
 * memory map (multiboot mmap, e820) marks each of its regions reserved.
 */
#define TERN_SHM_WINDOW_GPA            0xe0000000ull
#define TERN_SHM_WINDOW_SIZE           0x10000000ull
#define TERN_SHM_NAME_MAX              16

/* TERN_HC_SHM_QUERY: the index-th region this VM maps (0, 1, ... in gpa order). */
struct tern_shm_info {
	uint64_t gpa;
	uint64_t size;                    /* bytes, a multiple of 4 KiB */
	uint32_t region;                  /* its number among all regions (shm= token order) */
	uint32_t vms;                     /* bit i: VM i maps it too (this VM included) */
	char name[TERN_SHM_NAME_MAX];     /* NUL-terminated */
};

struct tern_doorbell_info {
	uint32_t id;
	uint32_t gsi;
	uint32_t flags;
	uint32_t resample_id;     /* 0 when none */
	uint64_t rings;
	uint64_t deliveries;
	uint64_t route_seq;       /* sequence count of the cached routing entry */
	uint64_t resamples;       /* EOIs signalled to resample_id (RESAMPLE doorbells) */
};

#endif
