# SPDX-License-Identifier: MIT
"""Shared helpers for tools/run, tools/test and tools/bench (stdlib only)."""

import os
import re

TOOLS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(TOOLS)

TERN_PREFIX = b"tern: "
EXIT_RE = re.compile(r"^tern: exit:((?:\s+vm\d+=\d+)*)\s*$")

# Runner exit codes of its own (tern's statuses are 0, 255 or odd numbers).
RC_USAGE = 2          # bad option, missing file, emulator or ISO tool failed to start
RC_EXPECT_LINE = 122  # EXPECT_LINE given and no console line matched
RC_TIMEOUT = 124      # TIMEOUT expired
RC_NO_EXIT = 125      # the emulator ended without a "tern: exit:" line


def build_dir():
    """The build output directory: $O (as in the Makefile) or build/."""
    o = os.environ.get("O", "build")
    return o if os.path.isabs(o) else os.path.join(ROOT, o)


def rel(path):
    """A path relative to the current directory when that is shorter."""
    r = os.path.relpath(path)
    return r if len(r) < len(path) else path


def parse_size(text):
    """'64M', '1G', '512K', '1048576' -> bytes. Raises ValueError."""
    m = re.fullmatch(r"\s*(\d+)\s*([KMGkmg]?)i?[Bb]?\s*", text)
    if not m:
        raise ValueError("bad size %r (use e.g. 64M, 1G)" % text)
    mult = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[m.group(2).lower()]
    return int(m.group(1)) * mult


def tern_tokenize(text):
    """Split a command line the way tern does (kernel/cmdline.c): spaces
    split, double quotes group, backslash escapes the next character."""
    tokens, cur, have, quoted, i = [], [], False, False, 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            if i + 1 >= len(text):
                raise ValueError("a backslash ends %r" % text)
            i += 1
            cur.append(text[i])
            have = True
        elif ch == '"':
            quoted = not quoted
            have = True
        elif ch in " \t\n" and not quoted:
            if have:
                tokens.append("".join(cur))
            cur, have = [], False
        else:
            cur.append(ch)
            have = True
        i += 1
    if quoted:
        raise ValueError("unterminated double quote in %r" % text)
    if have:
        tokens.append("".join(cur))
    return tokens


def tern_quote(token):
    """Quote one token so tern_tokenize() gives it back unchanged. Anything
    beyond plain characters is quoted, so that shell-like splitters (tools/mkiso
    uses shlex) read the same token too."""
    if re.fullmatch(r"[A-Za-z0-9_,.=/:+@%^-]+", token):
        return token
    return '"' + token.replace("\\", "\\\\").replace('"', '\\"') + '"'


def parse_exit_line(line):
    """'tern: exit: vm0=1 vm1=0' -> [1, 0]; None when not an exit line."""
    m = EXIT_RE.match(line.rstrip("\r\n"))
    if not m:
        return None
    return [int(v) for v in re.findall(r"vm\d+=(\d+)", m.group(1))]


def exit_status(statuses):
    """The runner's status for an exit line: the first non-zero VM status."""
    for s in statuses:
        if s:
            return s
    return 0


def cpu_vendor():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("vendor_id"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


def kvm_nested_vmx():
    """True when QEMU can run tern with real VMX: an Intel CPU, a usable
    /dev/kvm and kvm_intel loaded with nested=Y."""
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return False
    if cpu_vendor() != "GenuineIntel":
        return False
    try:
        with open("/sys/module/kvm_intel/parameters/nested") as f:
            return f.read().strip() in ("Y", "y", "1")
    except OSError:
        return False


ANSI_RE = re.compile(rb"\x1b(\[[0-9;=?]*[A-Za-z]|[()][0-9A-Za-z]|[=>c])")


def strip_ansi(data):
    return ANSI_RE.sub(b"", data)


class ConsoleSplitter:
    """Splits tern's serial console into tern's own lines and guest output.

    Lines starting with "tern: " are tern's and always whole (see
    docs/internals.md, "Console protocol"); they go to tern_out(line) with
    CR removed. Every other byte is guest output and goes to guest_out(bytes)
    unchanged and as soon as it is known not to start a tern line. Output
    before tern's first line (firmware, GRUB) is held back in `preboot`:
    the runner shows it only when tern never spoke.
    """

    def __init__(self, guest_out, tern_out):
        self.guest_out = guest_out
        self.tern_out = tern_out
        self.mode = None          # None: at a line start; "guest"; "tern"
        self.buf = b""            # undecided line start, or a tern line so far
        self.tern_seen = False
        self.preboot = bytearray()

    def _guest(self, data):
        if not data:
            return
        if self.tern_seen:
            self.guest_out(data)
        else:
            self.preboot += data

    def feed(self, data):
        while data:
            if self.mode == "guest":
                i = data.find(b"\n")
                if i < 0:
                    self._guest(data)
                    return
                self._guest(data[:i + 1])
                data = data[i + 1:]
                self.mode = None
            elif self.mode == "tern":
                i = data.find(b"\n")
                if i < 0:
                    self.buf += data
                    return
                line, self.buf = self.buf + data[:i + 1], b""
                data = data[i + 1:]
                self.mode = None
                self.tern_seen = True
                self.tern_out(line.replace(b"\r", b""))
            else:
                self.buf += data[:1]
                data = data[1:]
                start = self.buf.lstrip(b"\r")     # GRUB ends lines "\n\r"
                if start == TERN_PREFIX:
                    self.mode = "tern"
                    self.buf = start
                elif not TERN_PREFIX.startswith(start):
                    line_end = self.buf.endswith(b"\n")
                    self._guest(self.buf)
                    self.buf = b""
                    self.mode = None if line_end else "guest"

    def flush_pending(self):
        """A guest left a short line start open (a prompt that looks like
        the beginning of "tern: "): show it now."""
        if self.mode is None and self.buf.lstrip(b"\r"):     # a lone CR shows nothing
            self._guest(self.buf)
            self.buf = b""
            self.mode = "guest"

    def finish(self):
        if self.mode == "tern" and self.buf:
            self.tern_seen = True
            self.tern_out(self.buf.replace(b"\r", b"") + b"\n")
            self.buf = b""
        else:
            self.flush_pending()


def read_assignments(argv, known, env=os.environ, cli_only=()):
    """VAR=VALUE arguments over environment variables.

    Returns (options, errors). Only names in `known` are taken from the
    environment, except those in cli_only, which come only from argv.
    """
    opts, errors = {}, []
    for name in known:
        if name not in cli_only and name in env:
            opts[name] = env[name]
    for arg in argv:
        m = re.fullmatch(r"([A-Z_][A-Z0-9_]*)=(.*)", arg, re.S)
        if not m:
            errors.append("unexpected argument %r (options are VAR=VALUE)" % arg)
        elif m.group(1) not in known:
            errors.append("unknown option %s (see --help)" % m.group(1))
        else:
            opts[m.group(1)] = m.group(2)
    return opts, errors
