# A kernel written for QEMU (not for tern): see tests/foreign/qemu_kernel.c.
FOREIGN_KERNEL := $(O)/foreign/qemu_kernel.elf

$(FOREIGN_KERNEL): tests/foreign/qemu_kernel.c tests/foreign/qemu_kernel.ld
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC32    $@")
	$(Q)$(CC) -m32 -std=gnu11 -O2 -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
		-mgeneral-regs-only -fno-asynchronous-unwind-tables -Wall -Wextra -Werror \
		-nostdlib -static -Wl,-m,elf_i386 -Wl,-T,tests/foreign/qemu_kernel.ld \
		-Wl,-z,noexecstack -Wl,--no-warn-rwx-segments -Wl,--build-id=none -o $@ tests/foreign/qemu_kernel.c

guests: $(FOREIGN_KERNEL)
