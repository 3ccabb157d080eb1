# Test guests: every tests/guests/NAME.c becomes $(O)/guests/NAME.elf, a
# 32-bit Multiboot v1 ELF linked at 1 MiB with the guest library
# (tests/guests/lib/ plus kernel/lib/format.c and string.c built -m32).
# See tests/guests/README.md.

GUEST_CFLAGS := -m32 -std=gnu11 -O2 -g -ffreestanding -fno-pic -fno-pie \
	-fno-stack-protector -mno-sse -mgeneral-regs-only -fno-omit-frame-pointer \
	-fno-strict-aliasing -fno-asynchronous-unwind-tables \
	-I. -Iinclude -Itests/guests -Wall -Wextra -Werror -Wno-unused-parameter -MMD -MP
GUEST_ASFLAGS := -m32 -D__ASSEMBLY__ -I. -Iinclude -Itests/guests -MMD -MP
GUEST_LDS := tests/guests/lib/guest.ld

GUEST_LIB_SRCS := $(sort $(wildcard tests/guests/lib/*.c tests/guests/lib/*.S)) \
	kernel/lib/format.c kernel/lib/string.c
GUEST_LIB_OBJS := $(patsubst %,$(O)/guests/obj/%.o,$(GUEST_LIB_SRCS))
GUEST_NAMES := $(basename $(notdir $(sort $(wildcard tests/guests/*.c))))
GUESTS += $(patsubst %,$(O)/guests/%.elf,$(GUEST_NAMES))

.PHONY: guests
guests: $(GUESTS)

GUEST_MAIN_OBJS := $(patsubst %,$(O)/guests/obj/tests/guests/%.c.o,$(GUEST_NAMES))
.SECONDARY: $(GUEST_LIB_OBJS) $(GUEST_MAIN_OBJS)

$(O)/guests/obj/%.c.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC32    $<")
	$(Q)$(CC) $(GUEST_CFLAGS) -c $< -o $@

$(O)/guests/obj/%.S.o: %.S
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AS32    $<")
	$(Q)$(CC) $(GUEST_ASFLAGS) -c $< -o $@

$(O)/guests/%.elf: $(O)/guests/obj/tests/guests/%.c.o $(GUEST_LIB_OBJS) $(GUEST_LDS)
	@$(if $(Q),echo "  LD32    $@")
	$(Q)$(LD) -m elf_i386 -nostdlib -z noexecstack -T $(GUEST_LDS) -o $@ $< $(GUEST_LIB_OBJS)

-include $(patsubst %.o,%.d,$(GUEST_LIB_OBJS) $(GUEST_MAIN_OBJS))
