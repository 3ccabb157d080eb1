#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Self-tests of tools/lib/ternlib.py (run by `tools/test unit` as unit/tools)."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ternlib  # noqa: E402


def split(chunks):
    guest, tern = [], []
    s = ternlib.ConsoleSplitter(guest.append, tern.append)
    for c in chunks:
        s.feed(c)
    s.finish()
    return b"".join(guest), tern, s


class Splitter(unittest.TestCase):
    DATA = (b"\x1b[H  Booting `tern'\n\r\n\rtern: booting\r\nhello\r\npart"
            b"\r\ntern: exit: vm0=1\r\n")

    def test_whole_and_bytewise(self):
        for chunks in ([self.DATA], [self.DATA[i:i + 1] for i in range(len(self.DATA))]):
            guest, tern, s = split(chunks)
            self.assertEqual(tern, [b"tern: booting\n", b"tern: exit: vm0=1\n"])
            self.assertEqual(guest, b"hello\r\npart\r\n")
            self.assertIn(b"Booting", bytes(s.preboot))

    def test_guest_line_like_prefix(self):
        guest, tern, _ = split([b"tern: x\n", b"ter", b"minal: tern: no\n", b"te"])
        self.assertEqual(tern, [b"tern: x\n"])
        self.assertEqual(guest, b"terminal: tern: no\nte")

    def test_flush_pending_keeps_lone_cr(self):
        guest, tern = [], []
        s = ternlib.ConsoleSplitter(guest.append, tern.append)
        s.feed(b"tern: a\n\r")
        s.flush_pending()
        s.feed(b"tern: b\n> te")
        s.flush_pending()
        s.feed(b"xt\n")
        self.assertEqual(tern, [b"tern: a\n", b"tern: b\n"])
        self.assertEqual(b"".join(guest), b"> text\n")


class Parsing(unittest.TestCase):
    def test_exit_line(self):
        self.assertEqual(ternlib.parse_exit_line("tern: exit: vm0=0 vm1=7\r\n"), [0, 7])
        self.assertEqual(ternlib.parse_exit_line("tern: exit:"), [])
        self.assertIsNone(ternlib.parse_exit_line("tern: exiting"))
        self.assertEqual(ternlib.exit_status([0, 7, 3]), 7)
        self.assertEqual(ternlib.exit_status([]), 0)

    def test_tokens_round_trip(self):
        for tok in ["vm=a.elf,args=x y", "it's", 'a"b', "back\\slash", "plain=1,2", "$HOME"]:
            self.assertEqual(ternlib.tern_tokenize(ternlib.tern_quote(tok)), [tok])
        self.assertEqual(ternlib.tern_tokenize('a "b c"d e\\ f'), ["a", "b cd", "e f"])
        self.assertRaises(ValueError, ternlib.tern_tokenize, 'a "b')

    def test_sizes(self):
        self.assertEqual(ternlib.parse_size("64M"), 64 << 20)
        self.assertEqual(ternlib.parse_size("1G"), 1 << 30)
        self.assertEqual(ternlib.parse_size("4096"), 4096)
        self.assertRaises(ValueError, ternlib.parse_size, "lots")

    def test_assignments(self):
        o, e = ternlib.read_assignments(["MEM=32M", "ARGS=a=b c"], ("MEM", "ARGS", "CPU"),
                                        env={"CPU": "x", "ARGS": "no", "MEM": "1M"},
                                        cli_only=("ARGS",))
        self.assertEqual(o, {"CPU": "x", "MEM": "32M", "ARGS": "a=b c"})
        self.assertEqual(e, [])
        _, e = ternlib.read_assignments(["FOO=1", "bare"], ("MEM",), env={})
        self.assertEqual(len(e), 2)


if __name__ == "__main__":
    unittest.main()
