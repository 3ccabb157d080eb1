/* SPDX-License-Identifier: MIT */
#include "arch/x86/kvm_pv.h"
#include "arch/x86/vcpu_entry_linux.h"
#include "arch/x86/vmx.h"
#include "kernel/lib/endian.h"
#include "kernel/loader.h"
#include "kernel/loader_linux.h"
#include "kernel/loader_select.h"
#include "kernel/log.h"
#include "kernel/vm_impl.h"

#define LOADER_ERR_MAX   160

/* The boot protocol's identification (Documentation/arch/x86/boot.rst). */
#define BZ_BOOT_FLAG_OFF 0x1fe
#define BZ_BOOT_FLAG     0xaa55u
#define BZ_MAGIC_OFF     0x202
#define BZ_MAGIC         0x53726448u   /* "HdrS" */
#define BZ_MIN_SIZE      (BZ_MAGIC_OFF + 4)
#define BZ_PREF_ADDR_OFF 0x258         /* protocol 2.10+ */
#define BZ_INIT_SIZE_OFF 0x260
#define BZ_HDR_END       (BZ_INIT_SIZE_OFF + 4)


enum loader_kind loader_select_kind(const void *data, u64 size)
{
	const u8 *p = data;

	if (!p || size < BZ_MIN_SIZE)
		return LOADER_KIND_MB1;
	if (get_le(p + BZ_BOOT_FLAG_OFF, 2) == BZ_BOOT_FLAG && get_le(p + BZ_MAGIC_OFF, 4) == BZ_MAGIC)
		return LOADER_KIND_LINUX;
	return LOADER_KIND_MB1;
}

/*
 * A relocatable kernel still decompresses at or above its preferred
 * address (LOAD_PHYSICAL_ADDR), whatever address it was loaded at, so it
 * needs RAM up to pref_address + init_size: refuse a VM smaller than that
 * with the size to ask for, instead of a fault deep in the decompressor.
 */
static int check_linux_ram(struct vm *vm, const u8 *p, u64 size)
{
	u64 need, have = MIN(vm_ram_size(vm), VM_LOW_RAM_MAX);

	if (size < BZ_HDR_END)
		return 0;   /* linux_load() refuses it with its own reason */
	need = get_le(p + BZ_PREF_ADDR_OFF, 4) | (u64)get_le(p + BZ_PREF_ADDR_OFF + 4, 4) << 32;
	need += get_le(p + BZ_INIT_SIZE_OFF, 4);
	if (need <= have)
		return 0;
	pr_err("vm%u: linux: the kernel decompresses at its preferred address and needs %llu MiB "
	       "of RAM below 3 GiB; the VM has %llu MiB (mem=)", vm->id,
	       (unsigned long long)ALIGN_UP(need, MiB) / MiB, (unsigned long long)(have / MiB));
	return -TERN_ENOSPC;
}

static void aps_wait_for_sipi(struct vm *vm)
{
	for (unsigned i = 1; i < vm->nr_vcpus; i++)
		vm->vcpus[i]->state = VCPU_WAIT_SIPI;
}

static int load_linux(struct vm *vm, const struct loader_image *img)
{
	const struct loader_module *initrd = img->nr_modules ? &img->modules[0] : NULL;
	struct linux_entry entry;
	int rc = check_linux_ram(vm, img->data, img->size);

	if (rc)
		return rc;
	if (img->nr_modules > 1)
		pr_warn("vm%u: linux: only the first module (%s) is used, as the initrd", vm->id,
			img->modules[0].name);
	rc = linux_load(vm, img->data, img->size, initrd ? initrd->data : NULL,
			initrd ? initrd->size : 0, img->cmdline, &entry);
	if (rc)
		return rc;   /* linux_load logged the reason */
	pr_info("vm%u: linux: kernel at 0x%llx (%llu KiB), initrd at 0x%llx (%llu KiB)", vm->id,
		(unsigned long long)entry.kernel_gpa, (unsigned long long)(entry.kernel_size >> 10),
		(unsigned long long)entry.initrd_gpa, (unsigned long long)(entry.initrd_size >> 10));
	return vmx_vcpu_set_linux_entry(vm->vcpus[0], &entry);
}

static int load_mb1(struct vm *vm, const struct loader_image *img, const char *what)
{
	struct loader_entry entry;
	char err[LOADER_ERR_MAX];
	int rc = loader_mb1_load(vm, img, &entry, err, sizeof(err));

	if (rc) {
		pr_err("vm%u: %s: %s", vm->id, what, err);
		return rc;
	}
	return vmx_vcpu_set_pm32_entry(vm->vcpus[0], entry.eip, entry.eax, entry.ebx);
}

int loader_select_load(struct vm *vm, const struct loader_image *img, const char *what)
{
	int rc;

	if (loader_select_kind(img->data, img->size) == LOADER_KIND_LINUX)
		rc = load_linux(vm, img);
	else
		rc = load_mb1(vm, img, what);
	if (!rc) {
		aps_wait_for_sipi(vm);
		kvm_pv_vm_init(vm);   /* kvmclock's system_time 0 */
	}
	return rc;
}
