#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Self-tests of tools/timeline against recorded traces (tests/tooling/*.log),
and of what the tooling issue added to tools/run (progress line, INPUT=) and
tools/bench (the gnuplot chart).

The logs are tern's lines (tools/run TERN_LOG=) of real runs; see README.md
here for how each was recorded. Each *.txt is the reviewed output of one
command; a change in the chain builder or the format shows up as a diff.
"""

import importlib.machinery
import importlib.util
import io
import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def load_tool(name):
    path = os.path.join(ROOT, "tools", name)
    loader = importlib.machinery.SourceFileLoader("tool_" + name, path)
    spec = importlib.util.spec_from_loader("tool_" + name, loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


timeline = load_tool("timeline")

# (arguments, expected output file)
GOLDEN = [
    (["--follow", "gsi=12", "resample.log"], "resample.follow-gsi12.txt"),
    (["resample.log"], "resample.summary.txt"),
    (["--follow", "vector=0x70", "msi_noapicv.log"], "msi_noapicv.follow-vector0x70.txt"),
    (["--follow", "gsi=28", "msi_apicv.log"], "msi_apicv.follow-gsi28.txt"),
    (["--follow", "gsi=3", "pic.log"], "pic.follow-gsi3.txt"),
]


def run(args):
    out = io.StringIO()
    args = [os.path.join(HERE, a) if a.endswith(".log") else a for a in args]
    rc = timeline.main(args, out)
    return rc, out.getvalue()


class Golden(unittest.TestCase):
    def test_outputs_match_the_reviewed_ones(self):
        for args, expected in GOLDEN:
            with self.subTest(args=args):
                rc, got = run(args)
                self.assertEqual(rc, 0)
                with open(os.path.join(HERE, expected)) as f:
                    self.assertEqual(got, f.read())


class Chains(unittest.TestCase):
    def chains(self, name):
        with open(os.path.join(HERE, name)) as f:
            return timeline.build_chains(timeline.parse_log(f))

    def test_resampled_level_interrupt_runs_source_to_resampler(self):
        irqs = [i for i in self.chains("resample.log") if i.gsi == 12]
        self.assertEqual(len(irqs), 3)
        kinds = [s.type for s in irqs[0].steps]
        # source, routing, vIOAPIC, vLAPIC, injection (window, then entry), EOI, Remote IRR,
        # the EOI hook and the resampler releasing the line, in that order
        order = ["db_ring", "set_irq", "route", "ioapic", "accept", "inject", "eoi",
                 "remote_irr", "ack", "resample"]
        positions = [kinds.index(k) for k in order]
        self.assertEqual(positions, sorted(positions))
        self.assertEqual(irqs[0].vector, 0x62)
        self.assertEqual(irqs[0].vcpu, 0)
        self.assertIsNotNone(irqs[0].eoi)

    def test_msi_doorbell_with_apicv_ends_at_rvi(self):
        irqs = [i for i in self.chains("msi_apicv.log") if i.gsi == 28]
        self.assertEqual([i.vector for i in irqs], [0x70, 0x71])
        for irq in irqs:
            self.assertEqual(irq.injected.a[1], timeline.INJECT_VID)
            self.assertIsNone(irq.eoi)

    def test_pic_interrupt_ends_at_the_vpic_eoi(self):
        irqs = [i for i in self.chains("pic.log") if i.gsi == 3]
        self.assertEqual(len(irqs), 4)
        for irq in irqs:
            self.assertEqual(irq.injected.a[1], timeline.INJECT_EXTINT)
            self.assertEqual(irq.eoi.type, "ack")
            self.assertEqual(irq.eoi.a[0], 0)          # the master PIC
        self.assertEqual(irqs[0].vector, 0x23)

    def test_window_exit_joins_the_waiting_interrupt(self):
        irq = [i for i in self.chains("msi_noapicv.log") if i.vector == 0x70][0]
        exits = [s for s in irq.steps if s.type == "exit"]
        self.assertEqual(exits[0].a[0], timeline.EXIT_INTERRUPT_WINDOW)
        self.assertEqual(irq.exits_between, 0)


class Parsing(unittest.TestCase):
    def test_serial_log_lines_with_cr_and_prefix(self):
        lines = ["noise\r\n", "tern: trace-begin 2\r\n",
                 "tern: T 200 1 0 - set_irq 0x3 0x4 0x1 0x0\r\n",
                 "tern: T 100 0 - 2 eoi 0x40\n", "tern: trace-end\n", "[vm0] tern: T x\n"]
        recs = timeline.parse_log(lines)
        self.assertEqual([r.tsc for r in recs], [100, 200])   # sorted by TSC
        self.assertIsNone(recs[0].vm)
        self.assertEqual(recs[0].vcpu, 2)
        self.assertEqual(recs[0].a, [0x40, 0, 0, 0])
        self.assertEqual(recs[1].a[:3], [3, 4, 1])

    def test_usage_errors(self):
        self.assertEqual(timeline.main(["--follow", "irq=3", "x.log"], io.StringIO()), 2)
        self.assertEqual(timeline.main(["--follow"], io.StringIO()), 2)

    def test_log_without_records(self):
        path = os.path.join(HERE, "README.md")
        self.assertEqual(timeline.main([path], io.StringIO()), 1)


class Chrome(unittest.TestCase):
    def test_trace_event_json(self):
        with open(os.path.join(HERE, "msi_noapicv.log")) as f:
            recs = timeline.parse_log(f)
        doc = json.loads(json.dumps(timeline.chrome_trace(recs, 1000.0)))
        ev = doc["traceEvents"]
        exits = sum(r.type == "exit" for r in recs)
        slices = [e for e in ev if e["ph"] == "X"]
        self.assertEqual(len(slices), exits)            # every exit paired with its entry
        self.assertTrue(all(e["dur"] >= 0 for e in slices))
        self.assertTrue(all(e["tid"] == 0 for e in slices))   # one vCPU: one track
        begins = [e for e in ev if e["ph"] == "b"]
        ends = [e for e in ev if e["ph"] == "e"]
        self.assertEqual(len(begins), 2)
        self.assertEqual(sorted(e["id"] for e in begins), sorted(e["id"] for e in ends))
        names = {(e["tid"], e["args"]["name"]) for e in ev if e["name"] == "thread_name"}
        self.assertIn((0, "vCPU 0"), names)
        # time axis: --tsc-mhz 1000 puts one tick at 1 ns
        first = min(r.tsc for r in recs)
        self.assertAlmostEqual(min(e["ts"] for e in ev if "ts" in e), first / 1000.0)


class RunTools(unittest.TestCase):
    def setUp(self):
        self.run = load_tool("run")

    def test_input_escapes(self):
        self.assertEqual(self.run.decode_input(r"\x01c help\rquit\r"), b"\x01c help\rquit\r")
        self.assertEqual(self.run.decode_input("plain"), b"plain")
        with self.assertRaises(self.run.RunError):
            self.run.decode_input("\\x0")

    def test_status_line_silent_without_a_terminal(self):
        st = self.run.Status()
        err = io.StringIO()
        saved, sys.stderr = (sys.stdout, sys.stderr), err
        sys.stdout = io.StringIO()        # not a terminal
        try:
            st.enable()
            st.start -= 100               # long past STATUS_DELAY
            st.milestone("tern up")
            st.draw(force=True)
            st.clear()
        finally:
            sys.stdout, sys.stderr = saved
        self.assertFalse(st.enabled)
        self.assertEqual(err.getvalue(), "")

    def test_status_line_on_a_terminal(self):
        st = self.run.Status()
        st.enabled, st.start = True, st.start - 100
        err = io.StringIO()
        saved, sys.stderr = sys.stderr, err
        try:
            st.milestone("tern up")
            st.milestone("VM started")
            st.milestone("tern up")       # a milestone is shown once
            st.draw(force=True)
            shown = err.getvalue()
            st.at_line_start = False      # a guest left a line open: never drawn over it
            st.clear()
            st.draw(force=True)
        finally:
            sys.stderr = saved
        self.assertIn("tern up > VM started", shown)
        self.assertEqual(shown.count("tern up"), 1)
        self.assertTrue(err.getvalue().endswith("\r\x1b[K"))   # erased, not redrawn


class BenchChart(unittest.TestCase):
    def test_gnuplot_script_plots_ticks_floor_and_target(self):
        bench = load_tool("bench")
        script = bench.gnuplot_script("/tmp/x.dat", "/tmp/x.svg")
        self.assertIn('set output "/tmp/x.svg"', script)
        self.assertIn("using 2:xtic(1)", script)
        self.assertIn("using 3", script)
        self.assertIn("using 4", script)
        self.assertIn("set terminal svg", script)

    def test_write_svg_produces_the_chart(self):
        import shutil
        import tempfile
        if not shutil.which("gnuplot"):
            self.skipTest("no gnuplot (make deps installs gnuplot-nox)")
        bench = load_tool("bench")
        with tempfile.TemporaryDirectory() as d:
            svg = os.path.join(d, "bench.svg")
            rows = [("hc_null", 110.0, 79, 110.0 / 79), ("irq_eoi", 14.0, None, None)]
            self.assertTrue(bench.write_svg(rows, svg))
            with open(svg) as f:
                text = f.read()
            self.assertIn("<svg", text)
            self.assertIn("hc_null", text)


if __name__ == "__main__":
    unittest.main(verbosity=2)
