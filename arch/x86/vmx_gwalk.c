/* SPDX-License-Identifier: MIT */
#include "arch/x86/vmx_gwalk.h"
#include "arch/x86/vmx_insn.h"
#include "arch/x86/x86.h"
#include "kernel/mm.h"
#include "kernel/vm_impl.h"

#define PTE64_ADDR_MASK   0x000ffffffffff000ull
#define PTE32_ADDR_MASK   0xfffff000ull
#define PDE32_4M_MASK     0xffc00000ull
#define PDE32_PSE36_SHIFT 13          /* 4 MiB PDE bits 20:13 = address bits 39:32 */
#define PDE32_PSE36_MASK  0xffull
#define PAE_PDPTE_SHIFT   30
#define LEVEL_BITS        9
#define LEVEL32_BITS      10

static int read_pte(struct vcpu *v, u64 gpa, u64 *pte, unsigned size)
{
	*pte = 0;
	return vm_copy_from_guest(v->vm, pte, gpa, size);
}

/* Walk 8-byte-entry tables from table at level top (3 = PML4, 1 = PD) down. */
static int walk64(struct vcpu *v, u64 table, int top, u64 gva, u64 *gpa)
{
	for (int level = top; level >= 0; level--) {
		unsigned shift = PAGE_SHIFT + LEVEL_BITS * (unsigned)level;
		u64 pte;

		if (read_pte(v, table + ((gva >> shift) & 0x1ff) * 8, &pte, 8) || !(pte & PTE_P))
			return -TERN_EFAULT;
		if (level == 0 || ((pte & PTE_PS) && level <= 2)) {
			u64 page_mask = (1ull << shift) - 1;

			*gpa = ((pte & PTE64_ADDR_MASK) & ~page_mask) | (gva & page_mask);
			return 0;
		}
		table = pte & PTE64_ADDR_MASK;
	}
	return -TERN_EFAULT;
}

static int walk32(struct vcpu *v, u64 cr3, u64 gva, u64 *gpa)
{
	u64 pde, pte;

	if (read_pte(v, (cr3 & PTE32_ADDR_MASK) + ((gva >> 22) & 0x3ff) * 4, &pde, 4) ||
	    !(pde & PTE_P))
		return -TERN_EFAULT;
	if ((pde & PTE_PS) && (vmcs_read(VMCS_GUEST_CR4) & CR4_PSE)) {
		*gpa = (pde & PDE32_4M_MASK) |
		       (((pde >> PDE32_PSE36_SHIFT) & PDE32_PSE36_MASK) << 32) | (gva & 0x3fffff);
		return 0;
	}
	if (read_pte(v, (pde & PTE32_ADDR_MASK) + ((gva >> PAGE_SHIFT) & 0x3ff) * 4, &pte, 4) ||
	    !(pte & PTE_P))
		return -TERN_EFAULT;
	*gpa = (pte & PTE32_ADDR_MASK) | (gva & (PAGE_SIZE - 1));
	return 0;
}

int gva_to_gpa(struct vcpu *v, u64 gva, u64 *gpa)
{
	u64 cr0 = vmcs_read(VMCS_GUEST_CR0), cr4, cr3, pdpte;

	if (!(cr0 & CR0_PG)) {
		*gpa = gva & 0xffffffffull;
		return 0;
	}
	cr3 = vmcs_read(VMCS_GUEST_CR3);
	cr4 = vmcs_read(VMCS_GUEST_CR4);
	if (vmcs_read(VMCS_GUEST_EFER) & EFER_LMA)
		return walk64(v, cr3 & PTE64_ADDR_MASK, 3, gva, gpa);
	if (!(cr4 & CR4_PAE))
		return walk32(v, cr3, (u32)gva, gpa);
	pdpte = vmcs_read(VMCS_GUEST_PDPTE0 + 2 * (((u32)gva >> PAE_PDPTE_SHIFT) & 3));
	if (!(pdpte & PTE_P))
		return -TERN_EFAULT;
	return walk64(v, pdpte & PTE64_ADDR_MASK, 1, (u32)gva, gpa);
}

static int copy_linear(struct vcpu *v, u64 gva, void *buf, u64 len, bool write)
{
	while (len) {
		u64 n = MIN(len, PAGE_SIZE - (gva & (PAGE_SIZE - 1))), gpa;
		int rc = gva_to_gpa(v, gva, &gpa);

		if (!rc)
			rc = write ? vm_copy_to_guest(v->vm, gpa, buf, n) :
				     vm_copy_from_guest(v->vm, buf, gpa, n);
		if (rc)
			return -TERN_EFAULT;
		gva += n;
		buf = (u8 *)buf + n;
		len -= n;
	}
	return 0;
}

int guest_read_linear(struct vcpu *v, u64 gva, void *dst, u64 len)
{
	return copy_linear(v, gva, dst, len, false);
}

int guest_write_linear(struct vcpu *v, u64 gva, const void *src, u64 len)
{
	return copy_linear(v, gva, (void *)src, len, true);
}
