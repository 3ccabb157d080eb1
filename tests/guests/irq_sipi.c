/* SPDX-License-Identifier: MIT */
/*
 * irq_sipi (2 vCPUs): the BSP starts the AP with INIT-SIPI-SIPI. The AP
 * runs real-mode code at vector << 12 (CS = vector << 8), which stamps a
 * counter, switches its APIC to x2APIC mode, sends a fixed IPI to the BSP
 * (which waits in HLT: the other vCPU's kick wakes it) and halts with
 * IF=0. A SIPI to a running AP is ignored; after a new INIT the next SIPI
 * starts it again. A fixed IPI to the halted AP does not wake it (IF=0).
 */
#include "lib/guest.h"
#include "lib/irqtest.h"

#define TRAMPOLINE     0x8000u
#define SIPI_VECTOR    (TRAMPOLINE >> 12)
#define STAMP_ADDR     0x9000u
#define COUNT_ADDR     0x9002u
#define STAMP          0x1234u
#define ICR_DM_INIT    (5u << 8)
#define ICR_DM_SIPI    (6u << 8)
#define ICR_TRIGGER_LEVEL (1u << 15)
#define AP_ID          1u
#define WAIT_TICKS     2000000u

#define VEC_FROM_AP    0x45

/*
 * 16-bit code: xor ax,ax; mov ds,ax; mov word [0x9000],0x1234;
 * inc word [0x9002]; mov ecx,0x1b; rdmsr; or ax,0x0c00; wrmsr (x2APIC on);
 * mov ecx,0x830; xor edx,edx; mov eax,0x4045; wrmsr (fixed IPI 0x45 to
 * APIC ID 0); cli; hlt; jmp hlt
 */
static const u8 trampoline[] = {
	0x31, 0xc0, 0x8e, 0xd8, 0xc7, 0x06, 0x00, 0x90, 0x34, 0x12,
	0xff, 0x06, 0x02, 0x90,
	0x66, 0xb9, 0x1b, 0x00, 0x00, 0x00, 0x0f, 0x32, 0x0d, 0x00, 0x0c, 0x0f, 0x30,
	0x66, 0xb9, 0x30, 0x08, 0x00, 0x00, 0x66, 0x31, 0xd2,
	0x66, 0xb8, VEC_FROM_AP, 0x40, 0x00, 0x00, 0x0f, 0x30,
	0xfa, 0xf4, 0xeb, 0xfd,
};

static void send_ipi(u32 dest, u32 lo)
{
	lapic_write(LAPIC_ICR_HI, dest << 24);
	lapic_write(LAPIC_ICR_LO, lo);
}

static bool wait_count(u16 n)
{
	u64 start = rdtsc();

	while (*(volatile u16 *)COUNT_ADDR < n && rdtsc() - start < WAIT_TICKS)
		__asm__ __volatile__("pause");
	return *(volatile u16 *)COUNT_ADDR >= n;
}

static void init_sipi(void)
{
	send_ipi(AP_ID, ICR_DM_INIT | ICR_LEVEL_ASSERT | ICR_TRIGGER_LEVEL);
	send_ipi(AP_ID, ICR_DM_INIT | ICR_TRIGGER_LEVEL);   /* de-assert */
	send_ipi(AP_ID, ICR_DM_SIPI | SIPI_VECTOR);
}

void guest_main(void)
{
	check_eq(fw_cfg_read_le(FW_CFG_NB_CPUS, 2), 2, "fw_cfg: 2 vCPUs");
	irq_init(false, IRQ_EOI_XAPIC);
	lapic_enable();
	memcpy((void *)TRAMPOLINE, trampoline, sizeof(trampoline));
	*(volatile u16 *)STAMP_ADDR = 0;
	*(volatile u16 *)COUNT_ADDR = 0;
	init_sipi();
	__asm__ __volatile__("sti; hlt; cli" ::: "memory");
	check_eq(irq_count[VEC_FROM_AP], 1, "the BSP's HLT ends with the AP's IPI 0x%x", VEC_FROM_AP);
	check(wait_count(1), "INIT-SIPI: the AP ran the real-mode code at 0x%x", TRAMPOLINE);
	check_eq(*(volatile u16 *)STAMP_ADDR, STAMP, "the AP wrote its stamp");
	send_ipi(AP_ID, ICR_DM_SIPI | SIPI_VECTOR);
	irq_spin(WAIT_TICKS / 4);
	check_eq(*(volatile u16 *)COUNT_ADDR, 1, "a SIPI to a started AP is ignored");
	send_ipi(AP_ID, ICR_LEVEL_ASSERT | 0x40);
	irq_spin(WAIT_TICKS / 4);
	check_eq(*(volatile u16 *)COUNT_ADDR, 1, "a fixed IPI does not wake the AP halted with IF=0");
	init_sipi();
	check(wait_count(2), "INIT then SIPI starts the AP again");
	check(irq_wait(VEC_FROM_AP, 2, WAIT_TICKS), "and its IPI arrives again (x2APIC mode kept over INIT)");
}
