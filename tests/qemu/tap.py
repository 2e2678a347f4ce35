#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Read TAP 13 / KTAP 1 results out of a lane's results stream.

The guest frames every document it emits:

    PVTAP: BEGIN <section>
    PVTAP: <one TAP or KTAP line>
    PVTAP: END <section> rc=<exit status>

Each section is parsed as its own document. Only leaf results count (a suite
line that closes subtests is an aggregate); a plan that promises more results
than arrived, a missing END, or a non-zero exit with no failing result are
failures too, so a test run that dies half way never reads as a pass.

Usage: tap.py [--expect MANIFEST [--only MODULE]] LANE RESULTS_FILE  ->  prints "RESULT<TAB>status<TAB>name<TAB>reason"
lines (status: pass, fail, skip) for the lane runner, and exits 0.
"""
import re
import sys

PREFIX = "PVTAP: "
RESULT = re.compile(r"^(not ok|ok)\b\s*(\d+)?\s*(?:-\s*)?([^#]*?)\s*(?:#\s*(.*))?$")
PLAN = re.compile(r"^1\.\.(\d+)\s*(?:#\s*(.*))?$")
BAIL = re.compile(r"^Bail out!\s*(.*)$")
# A failed check as the kselftest harness and KUnit print it:
# "# file.c:123:test:Expected ..." or "# test: EXPECTATION FAILED at file.c:123"
ASSERT = re.compile(r"^#\s*(\S+\.c:\d+:.*|.*EXPECTATION FAILED at .*|.*ASSERTION FAILED at .*)$")
# kselftest exit code for "every test skipped"
KSFT_SKIP = 4


class Level:
    def __init__(self):
        self.plan = None
        self.seen = 0
        self.pending = []       # leaf results of nested levels not yet closed


def parse_section(name, lines, rc):
    """Return a list of (status, name, reason) for one framed document."""
    out = []
    stack = {}                  # indent -> Level
    prefix_names = {}           # indent -> name of the subtest that opened

    def level(indent):
        if indent not in stack:
            stack[indent] = Level()
        return stack[indent]

    def close_deeper(indent):
        """Results deeper than indent were subtests of the result at indent."""
        closed = []
        for ind in sorted([i for i in stack if i > indent], reverse=True):
            lv = stack.pop(ind)
            if lv.plan is not None and lv.seen < lv.plan:
                closed.append(("fail", f"{prefix_names.get(ind, name)}",
                               f"{lv.plan - lv.seen} of {lv.plan} planned results missing"))
            closed.extend(lv.pending)
            prefix_names.pop(ind, None)
        return closed

    bailed = False
    why = {}                    # indent -> first failed check since the last result
    for raw in lines:
        line = raw.rstrip("\n").replace("\t", "        ")
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        if not stripped:
            continue
        if stripped.startswith(("KTAP version", "TAP version")):
            # A new document at this indent: anything deeper belongs to it,
            # and a document already open at this indent ended without the
            # result line that should have closed it (a subtest that died).
            out.extend(close_deeper(indent))
            if indent in stack and (stack[indent].plan is not None or stack[indent].seen):
                lv = stack.pop(indent)
                doc = prefix_names.pop(indent, name)
                if lv.plan is not None and lv.seen < lv.plan:
                    out.append(("fail", doc, f"{lv.plan - lv.seen} of {lv.plan} planned results missing"))
                if indent > 0:
                    out.append(("fail", doc, "subtest ended without its result line"))
                out.extend(lv.pending)
            level(indent)
            continue
        m = BAIL.match(stripped)
        if m:
            out.extend(close_deeper(-1))
            stack.clear()
            out.append(("fail", name, "Bail out! " + (m.group(1).strip() or "(no reason)")))
            bailed = True
            break
        m = ASSERT.match(stripped)
        if m:
            why.setdefault(indent, m.group(1).strip()[:200])
            continue
        m = re.match(r"^# Subtest: (.*)$", stripped)
        if m:
            prefix_names[indent] = m.group(1).strip()
            level(indent)
            continue
        m = PLAN.match(stripped)
        if m:
            level(indent).plan = int(m.group(1))
            directive = (m.group(2) or "").strip()
            if int(m.group(1)) == 0 and re.match(r"(?i)^skip\b", directive):
                # "1..0 # SKIP reason": the whole document was skipped.
                level(indent).pending.append(
                    ("skip", prefix_names.get(indent, name), directive[4:].strip() or "skipped"))
            continue
        m = RESULT.match(stripped)
        if not m:
            continue
        okness, _num, tname, directive = m.groups()
        tname = tname.strip() or "unnamed"
        lv = level(indent)
        lv.seen += 1
        children = close_deeper(indent)
        directive = (directive or "").strip()
        reason = why.pop(indent, "")
        if children:
            # An aggregate: its leaves speak for it, unless it failed with all
            # of them passing (a suite-level failure, e.g. init failed).
            if okness == "not ok" and not any(c[0] == "fail" for c in children):
                children.append(("fail", tname, "suite failed"))
            qual = [(s, f"{tname}.{n}" if not n.startswith(tname) else n, r)
                    for s, n, r in children]
            lv.pending.extend(qual)
            continue
        if re.match(r"(?i)^skip\b", directive):
            res = ("skip", tname, directive[4:].strip() or "skipped")
        elif re.match(r"(?i)^todo\b", directive):
            res = ("skip", tname, "TODO " + directive[4:].strip())
        elif okness == "ok":
            res = ("pass", tname, "")
        else:
            res = ("fail", tname, directive or reason or "(no reason printed)")
        lv.pending.append(res)

    for ind in sorted(stack, reverse=True):
        lv = stack[ind]
        if lv.plan is not None and lv.seen < lv.plan:
            out.append(("fail", prefix_names.get(ind, name),
                        f"{lv.plan - lv.seen} of {lv.plan} planned results missing"))
        out.extend(lv.pending)
    if rc is None and not bailed:
        out.append(("fail", name, "output ends before the section closed (guest died or hung)"))
    elif rc not in (0, KSFT_SKIP) and not any(s == "fail" for s, _, _ in out):
        out.append(("fail", name, f"exited with status {rc}"))
    if not out:
        out.append(("fail", name, "no results"))
    return [(s, f"{name}: {n}", r) for s, n, r in out]


def parse_stream(text):
    sections = []
    cur = None
    for raw in text.splitlines():
        pos = raw.find(PREFIX)
        if pos < 0:
            continue
        body = raw[pos + len(PREFIX):]
        m = re.match(r"^BEGIN (\S+)\s*$", body)
        if m:
            if cur:
                sections.append((cur[0], cur[1], None))
            cur = (m.group(1), [])
            continue
        m = re.match(r"^END (\S+) rc=(-?\d+)\s*$", body)
        if m and cur and m.group(1) == cur[0]:
            sections.append((cur[0], cur[1], int(m.group(2))))
            cur = None
            continue
        if cur:
            cur[1].append(body)
    if cur:
        sections.append((cur[0], cur[1], None))
    results = []
    for name, lines, rc in sections:
        results.extend(parse_section(name, lines, rc))
    return results


def read_expect(path, lane, only=None):
    """The sections LANE must report, from the manifest at PATH.

    Each line: a section name (kunit/<suite>, selftests/<module>/<binary>)
    and the lanes it must appear in. With ONLY (PV_ONLY), selftests of
    other modules are not expected.
    """
    want = []
    with open(path) as f:
        for raw in f:
            words = raw.split("#", 1)[0].split()
            if len(words) < 2:
                continue
            section, lanes = words[0], words[1:]
            if lane not in lanes:
                continue
            parts = section.split("/")
            if only and parts[0] == "selftests" and parts[1] != only:
                continue
            want.append(section)
    return want


def check_expect(results, want, every):
    """Fail each expected section with no result, and each section that
    reported results but is in no lane's list (the manifest is stale)."""
    seen = {n.split(": ", 1)[0] for _, n, _ in results}
    out = []
    for section in want:
        if section not in seen:
            out.append(("fail", section, "expected in this lane (tests/qemu/expect) but absent"))
    for section in sorted(seen - set(every) - {"guest"}):
        out.append(("fail", section, "not listed in tests/qemu/expect"))
    return out


def main():
    args = sys.argv[1:]
    expect = only = None
    while len(args) > 2 and args[0].startswith("--"):
        opt, val = args[0], args[1]
        if opt == "--expect":
            expect = val
        elif opt == "--only":
            only = val or None
        else:
            sys.exit(__doc__)
        args = args[2:]
    if len(args) != 2:
        sys.exit(__doc__)
    lane, path = args
    try:
        with open(path, errors="replace") as f:
            text = f.read()
    except OSError as e:
        print(f"RESULT\tfail\t{lane}: results\tcannot read {path}: {e.strerror}")
        return
    results = parse_stream(text)
    if expect:
        every = set()
        with open(expect) as f:
            for raw in f:
                words = raw.split("#", 1)[0].split()
                if words:
                    every.add(words[0])
        results += check_expect(results, read_expect(expect, lane, only), every)
    for status, name, reason in results:
        reason = reason.replace("\t", " ")
        print(f"RESULT\t{status}\t{lane}/{name}\t{reason}")


if __name__ == "__main__":
    main()
