/* SPDX-License-Identifier: MIT */
/* MSI address/data decode and delivery into vLAPICs. */
#include "irq/msi.h"
#include "tests/unit/test_vlapic.h"

static struct lapic_irq decode_ok(u32 lo, u32 hi, u32 data)
{
	struct lapic_irq irq;

	memset(&irq, 0xa5, sizeof(irq));
	assert_int_equal(msi_decode(lo, hi, data, &irq), 0);
	return irq;
}

static void test_decode_physical_fixed_edge(void **state)
{
	struct lapic_irq irq = decode_ok(0xfee02000, 0, 0x0041);

	(void)state;
	assert_int_equal(irq.dest, 2);
	assert_int_equal(irq.vector, 0x41);
	assert_int_equal(irq.delivery_mode, LAPIC_DM_FIXED);
	assert_int_equal(irq.shorthand, LAPIC_SH_NONE);
	assert_false(irq.dest_logical);
	assert_false(irq.level_trigger);
	assert_false(irq.assert);
	assert_int_equal(irq.src_vcpu, -1);
}

static void test_decode_destination_id_fields(void **state)
{
	(void)state;
	assert_int_equal(decode_ok(0xfeeff000, 0, 0x30).dest, 0xff);
	assert_int_equal(decode_ok(0xfee00000, 0, 0x30).dest, 0);
	/* extended destination ID: address bits 11:5 are destination bits 14:8 */
	assert_int_equal(decode_ok(0xfee01000 | (0x7f << 5), 0, 0x30).dest, 0x7f01);
	assert_int_equal(decode_ok(0xfee34000 | (0x01 << 5), 0, 0x30).dest, 0x134);
	/* address_hi bits 31:8: x2APIC destination bits 31:8; bits 7:0 ignored */
	assert_int_equal(decode_ok(0xfee05000, 0x12345600, 0x30).dest, 0x12345605);
	assert_int_equal(decode_ok(0xfee05000, 0x000000ff, 0x30).dest, 0x05);
}

static void test_decode_every_delivery_mode_and_trigger(void **state)
{
	const u8 modes[] = { LAPIC_DM_FIXED, LAPIC_DM_LOWEST, LAPIC_DM_SMI, LAPIC_DM_NMI,
			     LAPIC_DM_INIT, LAPIC_DM_SIPI, LAPIC_DM_EXTINT };
	struct lapic_irq irq;

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(modes); i++) {
		irq = decode_ok(0xfee00000, 0, ((u32)modes[i] << 8) | 0x77);
		assert_int_equal(irq.delivery_mode, modes[i]);
		assert_int_equal(irq.vector, 0x77);
	}
	irq = decode_ok(0xfee00000, 0, 0xc000 | 0x22);
	assert_true(irq.level_trigger);
	assert_true(irq.assert);
	irq = decode_ok(0xfee00000, 0, 0x8000 | 0x22);
	assert_true(irq.level_trigger);
	assert_false(irq.assert);
	irq = decode_ok(0xfee00000, 0, 0x4000 | 0x22);
	assert_false(irq.level_trigger);
	assert_true(irq.assert);
	irq = decode_ok(0xfee00000, 0, 0xffff0000 | 0x22);          /* upper data bits ignored */
	assert_int_equal(irq.vector, 0x22);
	assert_int_equal(irq.delivery_mode, LAPIC_DM_FIXED);
	assert_false(irq.level_trigger);
}

static void test_decode_redirection_hint_and_destination_mode(void **state)
{
	struct lapic_irq irq;

	(void)state;
	irq = decode_ok(0xfee01004, 0, 0x40);                        /* DM=1, RH=0: physical */
	assert_false(irq.dest_logical);
	assert_int_equal(irq.delivery_mode, LAPIC_DM_FIXED);
	irq = decode_ok(0xfee01008, 0, 0x40);                        /* RH=1, DM=0: physical */
	assert_false(irq.dest_logical);
	assert_int_equal(irq.delivery_mode, LAPIC_DM_FIXED);
	irq = decode_ok(0xfee0100c, 0, 0x40);                        /* RH=1, DM=1: logical, LP */
	assert_true(irq.dest_logical);
	assert_int_equal(irq.delivery_mode, LAPIC_DM_LOWEST);
	irq = decode_ok(0xfee0100c, 0, 0x440);                       /* NMI stays NMI */
	assert_true(irq.dest_logical);
	assert_int_equal(irq.delivery_mode, LAPIC_DM_NMI);
	irq = decode_ok(0xfee01003, 0, 0x40);                        /* bits 1:0 ignored */
	assert_false(irq.dest_logical);
}

static void test_decode_rejects_bad_address_mode_and_format(void **state)
{
	struct lapic_irq irq;

	(void)state;
	assert_int_equal(msi_decode(0xfed00000, 0, 0x40, &irq), -TERN_EINVAL);
	assert_int_equal(msi_decode(0xfef00000, 0, 0x40, &irq), -TERN_EINVAL);
	assert_int_equal(msi_decode(0x0ee00000, 0, 0x40, &irq), -TERN_EINVAL);
	assert_int_equal(msi_decode(0, 0, 0x40, &irq), -TERN_EINVAL);
	assert_int_equal(msi_decode(0xfee00010, 0, 0x40, &irq), -TERN_EINVAL);   /* remappable */
	assert_int_equal(msi_decode(0xfee00000, 0, 0x340, &irq), -TERN_EINVAL);  /* DM 0b011 */
	assert_int_equal(msi_decode(0xfee00000, 0, 0x40, NULL), -TERN_EINVAL);
	assert_int_equal(decode_ok(0xfeefffe0, 0, 0x40).dest, 0x7fff);          /* top of range */
}

static void test_deliver_sets_irr_on_the_addressed_vcpus(void **state)
{
	struct vm *vm = tv_vm(4);

	(void)state;
	for (unsigned i = 0; i < 4; i++) {
		sw_enable(vm, i);
		mmio_wr(vm, i, APIC_REG_LDR, BIT(i) << 24);
	}
	assert_int_equal(msi_deliver(vm, 0xfee03000, 0, 0x51), 1);
	assert_true(irr_bit(vm, 3, 0x51));
	assert_false(irr_bit(vm, 0, 0x51));
	assert_int_equal(vm->kicks[3], 1);
	assert_int_equal(msi_deliver(vm, 0xfeeff000, 0, 0x52), 4);   /* physical broadcast */
	/* logical + RH: lowest priority among vCPUs 1 and 2 (vCPU 1 busier) */
	mmio_wr(vm, 1, APIC_REG_TPR, 0x80);
	assert_int_equal(msi_deliver(vm, 0xfee0600c, 0, 0x53), 1);
	assert_true(irr_bit(vm, 2, 0x53));
	assert_false(irr_bit(vm, 1, 0x53));
	/* level MSI sets TMR so the EOI reaches the vIOAPIC hook */
	assert_int_equal(msi_deliver(vm, 0xfee00000, 0, 0xc054), 1);
	assert_true(tmr_bit(vm, 0, 0x54));
	assert_int_equal(msi_deliver(vm, 0xfed00000, 0, 0x55), -TERN_EINVAL);
	assert_int_equal(msi_deliver(vm, 0xfee00000, 0, 0x355), -TERN_EINVAL);
	for (unsigned i = 0; i < 4; i++)
		assert_false(irr_bit(vm, i, 0x55));
	/* NMI by MSI */
	assert_int_equal(msi_deliver(vm, 0xfee02000, 0, 0x400), 1);
	assert_int_equal(vlapic_take_events(vm, 2, NULL), VLAPIC_EV_NMI);
	tv_free(vm);
}

static void test_deliver_to_x2apic_uses_extended_destination(void **state)
{
	struct vm *vm = tv_vm(2);

	(void)state;
	to_x2apic(vm, 0);
	to_x2apic(vm, 1);
	/* ID 0x101 is nobody: its low byte must not reach vCPU 1 */
	assert_int_equal(msi_deliver(vm, 0xfee01000 | (1 << 5), 0, 0x60), 0);
	assert_int_equal(msi_deliver(vm, 0xfee01000, 0x100, 0x60), 0);
	assert_false(irr_bit(vm, 1, 0x60));
	assert_int_equal(msi_deliver(vm, 0xfee01000, 0, 0x60), 1);
	assert_true(irr_bit(vm, 1, 0x60));
	assert_int_equal(msi_deliver(vm, 0xfeeff000, 0, 0x61), 2);   /* 0xff: broadcast from MSI */
	tv_free(vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_physical_fixed_edge),
		cmocka_unit_test(test_decode_destination_id_fields),
		cmocka_unit_test(test_decode_every_delivery_mode_and_trigger),
		cmocka_unit_test(test_decode_redirection_hint_and_destination_mode),
		cmocka_unit_test(test_decode_rejects_bad_address_mode_and_format),
		cmocka_unit_test(test_deliver_sets_irr_on_the_addressed_vcpus),
		cmocka_unit_test(test_deliver_to_x2apic_uses_extended_destination),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
