/* SPDX-License-Identifier: MIT */
/*
 * A Multiboot v1 kernel written for QEMU, not for tern: it knows only the
 * devices QEMU's test kernels use (COM1, fw_cfg, isa-debug-exit at 0xf4),
 * carries its own header with the a.out kludge (so a loader must honour the
 * header's addresses, not ELF program headers), loads at 2 MiB, and shares
 * no code with tern's guest library. The boot tests run it on bare QEMU and
 * under tern and expect the same output and status from both.
 */
#include <stdint.h>

#define MB_MAGIC          0x1BADB002u
#define MB_BOOT_MAGIC     0x2BADB002u
#define MB_FLAG_MEMINFO   (1u << 1)
#define MB_FLAG_AOUT      (1u << 16)
#define MB_HEADER_FLAGS   (MB_FLAG_MEMINFO | MB_FLAG_AOUT)
#define MB_INFO_MEM       (1u << 0)

#define COM1              0x3f8
#define COM1_LSR          (COM1 + 5)
#define LSR_THRE          0x20
#define FW_CFG_SEL        0x510
#define FW_CFG_DATA       0x511
#define FW_CFG_SIGNATURE  0x00
#define FW_CFG_RAM_SIZE   0x03
#define DEBUG_EXIT_PORT   0xf4
#define STACK_SIZE        8192

extern char __load_start[], __load_end[], __bss_end[];
void kernel_entry(void);

struct mb_header {
	uint32_t magic, flags, checksum;
	uint32_t header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr;
};

__attribute__((section(".mbheader"), used, aligned(4)))
static const struct mb_header mb_header = {
	.magic = MB_MAGIC,
	.flags = MB_HEADER_FLAGS,
	.checksum = -(MB_MAGIC + MB_HEADER_FLAGS),
	.header_addr = (uint32_t)&mb_header,
	.load_addr = (uint32_t)__load_start,
	.load_end_addr = (uint32_t)__load_end,
	.bss_end_addr = (uint32_t)__bss_end,
	.entry_addr = (uint32_t)kernel_entry,
};

__attribute__((used)) static uint8_t stack[STACK_SIZE] __attribute__((aligned(16)));

struct mb_info {
	uint32_t flags, mem_lower, mem_upper;
};

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }

static void putc_serial(char c)
{
	while (!(inb(COM1_LSR) & LSR_THRE))
		;
	outb(COM1, (uint8_t)c);
}

static void puts_serial(const char *s)
{
	while (*s)
		putc_serial(*s++);
}

static void put_dec(uint32_t v)
{
	char buf[12];
	int n = 0;

	do {
		buf[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		putc_serial(buf[--n]);
}

static void fw_cfg_read(uint16_t key, void *dst, unsigned len)
{
	uint8_t *p = dst;

	outw(FW_CFG_SEL, key);
	while (len--)
		*p++ = inb(FW_CFG_DATA);
}

static __attribute__((noreturn)) void finish(int failures)
{
	puts_serial(failures ? "foreign kernel: FAILED\n" : "foreign kernel: all good\n");
	outl(DEBUG_EXIT_PORT, failures ? 1 : 0);
	for (;;)
		__asm__ volatile("cli; hlt");
}

__attribute__((used, noreturn)) static void kernel_main(uint32_t magic, const struct mb_info *mbi)
{
	char sig[5] = { 0 };
	uint64_t ram = 0;
	int failures = 0;

	puts_serial("foreign kernel: hello from a kernel written for QEMU\n");
	if (magic != MB_BOOT_MAGIC) {
		puts_serial("foreign kernel: bad boot magic\n");
		failures++;
	}
	fw_cfg_read(FW_CFG_SIGNATURE, sig, 4);
	puts_serial("foreign kernel: fw_cfg signature ");
	puts_serial(sig);
	putc_serial('\n');
	if (sig[0] != 'Q' || sig[1] != 'E' || sig[2] != 'M' || sig[3] != 'U')
		failures++;
	fw_cfg_read(FW_CFG_RAM_SIZE, &ram, sizeof(ram));
	puts_serial("foreign kernel: fw_cfg says ");
	put_dec((uint32_t)(ram >> 20));
	puts_serial(" MiB\n");
	if ((mbi->flags & MB_INFO_MEM) && mbi->mem_upper + 1024 > (uint32_t)(ram >> 10)) {
		puts_serial("foreign kernel: multiboot mem_upper exceeds fw_cfg RAM\n");
		failures++;
	}
	finish(failures);
}

__asm__(".text\n"
	".globl kernel_entry\n"
	"kernel_entry:\n"
	"  movl $stack + 8192, %esp\n"  /* STACK_SIZE */
	"  pushl %ebx\n"
	"  pushl %eax\n"
	"  call kernel_main\n");
