# tools/tern.gdb: attach gdb to tern under QEMU started by `tools/debug EMU=qemu`
# (or `make debug EMU=qemu`), which waits on localhost:1234 (-s -S).
#   gdb -x tools/tern.gdb
# tern runs identity-mapped at 2 MiB, so its symbols need no offset. GRUB
# enters tern in 32-bit mode; hardware breakpoints (hbreak) work across the
# mode switch where software ones may not.
set confirm off
set pagination off
file build/tern.elf
set architecture i386:x86-64
target remote localhost:1234
hbreak kernel_main
echo tern.gdb: connected; `c` runs to kernel_main (hbreak FUNCTION for more, `info registers`)\n
