UNIT_TESTS += kvm_pv
test_kvm_pv_SRCS := tests/unit/test_kvm_pv.c
# the code under test is the header's inline pvclock math
$(O)/unit/test_kvm_pv: arch/x86/kvm_pv.h
