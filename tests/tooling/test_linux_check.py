#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Self-tests of tools/linux-check against a recorded boot (tests/tooling/linux-cpus2.log:
tests/linux/boot-test --cpus 2, Debian's kernel with 2 vCPUs on 2 CPUs under tern),
and against copies of it with one thing broken each."""

import importlib.machinery
import importlib.util
import os
import re
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def load_tool(name):
    path = os.path.join(ROOT, "tools", name)
    loader = importlib.machinery.SourceFileLoader("tool_" + name.replace("-", "_"), path)
    spec = importlib.util.spec_from_loader(loader.name, loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


linux_check = load_tool("linux-check")

with open(os.path.join(HERE, "linux-cpus2.log"), encoding="utf-8", errors="replace") as f:
    GOOD = f.read()


def failed(results):
    return [what for ok, what in results if not ok]


def second_sample_row(text, name, new_row):
    """text with the `name:` row of the second /proc/interrupts sample replaced."""
    head, tail = text.split("TERN-INTERRUPTS-2", 1)
    tail = re.sub(r"(?m)^\s*%s:.*$" % name, new_row, tail, count=1)
    return head + "TERN-INTERRUPTS-2" + tail


class LinuxCheck(unittest.TestCase):
    def test_recorded_smp_boot_passes(self):
        self.assertEqual(failed(linux_check.check(GOOD)), [])
        self.assertEqual(failed(linux_check.check(GOOD, cpus=2)), [])

    def test_wrong_processor_count_fails(self):
        bad = failed(linux_check.check(GOOD, cpus=4))
        self.assertTrue(any("lists 4 processors (2)" in w for w in bad), bad)

    def test_a_cpu_without_ipis_fails(self):
        text = second_sample_row(GOOD, "RES", "RES:         38          0   Rescheduling interrupts")
        bad = failed(linux_check.check(text, cpus=2))
        self.assertEqual(len(bad), 1, bad)
        self.assertIn("RES IPIs on each of the 2 CPUs (38 0)", bad[0])

    def test_missing_call_row_fails(self):
        text = second_sample_row(GOOD, "CAL", "")
        bad = failed(linux_check.check(text, cpus=2))
        self.assertTrue(any("no CAL row" in w for w in bad), bad)

    def test_forbidden_dmesg_line_fails(self):
        text = GOOD.replace("TERN-DMESG-END", "[    9.9] MP-BIOS bug: 8254 timer not connected\nTERN-DMESG-END", 1)
        bad = failed(linux_check.check(text))
        self.assertTrue(any("MP-BIOS bug" in w for w in bad), bad)

    def test_ipi_columns(self):
        sample = ["           CPU0       CPU1", "RES:         39         36   Rescheduling interrupts",
                  "CAL:        343        451   Function call interrupts"]
        self.assertEqual(linux_check.ipi_columns(sample, "RES"), [39, 36])
        self.assertEqual(linux_check.ipi_columns(sample, "CAL"), [343, 451])
        self.assertEqual(linux_check.ipi_columns(sample, "TLB"), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
