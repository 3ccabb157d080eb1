/* SPDX-License-Identifier: MIT */
/* Range checks and zeroing shared by the guest loaders. */
#include "kernel/lib/format.h"
#include "kernel/loader.h"
#include "kernel/vm.h"

#define ZERO_CHUNK 512

int loader_check_range(struct vm *vm, u64 gpa, u64 len, const char *what, char *err,
		       size_t errlen)
{
	u64 end = gpa + len;

	if (end < gpa) {
		fmt_snprintf(err, errlen, "%s at 0x%llx+0x%llx wraps around", what,
			     (unsigned long long)gpa, (unsigned long long)len);
		return -TERN_ENOSPC;
	}
	if (len == 0)
		return 0;
	if (gpa < MB1_INFO_BASE + MB1_INFO_SIZE && MB1_INFO_BASE < end) {
		fmt_snprintf(err, errlen, "%s [0x%llx, 0x%llx) overlaps the boot information area "
			     "[0x%llx, 0x%llx)", what, (unsigned long long)gpa,
			     (unsigned long long)end, MB1_INFO_BASE, MB1_INFO_BASE + MB1_INFO_SIZE);
		return -TERN_ENOSPC;
	}
	/* RAM is contiguous below VM_LOW_RAM_MAX, so two ends in RAM mean all of it is */
	if (end > VM_LOW_RAM_MAX || end > vm_ram_size(vm)) {
		fmt_snprintf(err, errlen, "%s [0x%llx, 0x%llx) lies outside the VM's %llu MiB of RAM",
			     what, (unsigned long long)gpa, (unsigned long long)end,
			     (unsigned long long)(vm_ram_size(vm) / MiB));
		return -TERN_ENOSPC;
	}
	return 0;
}

int loader_zero(struct vm *vm, u64 gpa, u64 len)
{
	static const u8 zeros[ZERO_CHUNK];

	while (len) {
		u64 n = len < ZERO_CHUNK ? len : ZERO_CHUNK;
		int rc = vm_copy_to_guest(vm, gpa, zeros, n);

		if (rc)
			return rc;
		gpa += n;
		len -= n;
	}
	return 0;
}
