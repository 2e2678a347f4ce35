#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Unit tests of tap.py: what each kind of document must count as.

Run: python3 tests/qemu/test_tap.py  (TAP on stdout, exit status 1 on a failure).
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tap  # noqa: E402


def frame(name, body, rc=0):
    lines = [f"PVTAP: BEGIN {name}"]
    lines += [f"PVTAP: {line}" for line in body.strip("\n").split("\n")]
    if rc is not None:
        lines.append(f"PVTAP: END {name} rc={rc}")
    return "\n".join(lines) + "\n"


def parse(name, body, rc=0):
    return tap.parse_stream(frame(name, body, rc))


def statuses(results):
    return [(s, n) for s, n, _ in results]


class Tap(unittest.TestCase):
    def test_plain_pass_and_fail(self):
        r = parse("t", "TAP version 13\n1..2\nok 1 - a\nnot ok 2 - b # boom\n", 1)
        self.assertEqual(statuses(r), [("pass", "t: a"), ("fail", "t: b")])

    def test_failure_without_directive_takes_its_check(self):
        r = parse("t", "TAP version 13\n1..2\n#  RUN a.b ...\n"
                  "# t.c:369:b:Expected llabs(drift) (9) <= bound (3)\n# b: Test failed\n"
                  "not ok 1 a.b\nnot ok 2 a.c\n", 1)
        self.assertEqual(r[0], ("fail", "t: a.b", "t.c:369:b:Expected llabs(drift) (9) <= bound (3)"))
        self.assertEqual(r[1], ("fail", "t: a.c", "(no reason printed)"))

    def test_kunit_expectation_is_the_reason(self):
        r = parse("k", "KTAP version 1\n1..1\n    KTAP version 1\n    # Subtest: s\n    1..1\n"
                  "    # c: EXPECTATION FAILED at x.c:12\n    not ok 1 c\nnot ok 1 s\n", 1)
        self.assertEqual(r, [("fail", "k: s.c", "c: EXPECTATION FAILED at x.c:12")])

    def test_missing_results_fail(self):
        r = parse("t", "TAP version 13\n1..3\nok 1 - a\n")
        self.assertIn(("fail", "t: t"), statuses(r))
        self.assertTrue(any("2 of 3" in why for _, _, why in r))

    def test_unclosed_section_fails(self):
        r = parse("t", "TAP version 13\n1..1\nok 1 - a\n", rc=None)
        self.assertTrue(any(s == "fail" and "section closed" in why for s, _, why in r))

    def test_nonzero_exit_without_failure_fails(self):
        r = parse("t", "TAP version 13\n1..1\nok 1 - a\n", rc=2)
        self.assertTrue(any(s == "fail" and "status 2" in why for s, _, why in r))

    def test_empty_document_fails(self):
        r = parse("t", "TAP version 13\n")
        self.assertEqual(statuses(r), [("fail", "t: t")])

    def test_skip_all_plan_is_a_skip_with_its_reason(self):
        r = parse("t", "TAP version 13\n1..0 # SKIP no pvhostd in this lane\n", rc=4)
        self.assertEqual(r, [("skip", "t: t", "no pvhostd in this lane")])

    def test_zero_plan_without_skip_is_no_result(self):
        r = parse("t", "TAP version 13\n1..0\n")
        self.assertEqual(statuses(r), [("fail", "t: t")])

    def test_bail_out_fails_and_stops(self):
        r = parse("t", "TAP version 13\n1..3\nok 1 - a\nBail out! no device\nok 2 - b\n", rc=None)
        st = statuses(r)
        self.assertIn(("pass", "t: a"), st)
        self.assertNotIn(("pass", "t: b"), st)
        self.assertTrue(any(s == "fail" and "Bail out! no device" in why for s, _, why in r))
        self.assertFalse(any("section closed" in why for _, _, why in r))

    def test_ktap_suite_leaves_count(self):
        body = """KTAP version 1
1..1
    KTAP version 1
    # Subtest: suite
    1..2
    ok 1 case_a
    ok 2 case_b # SKIP not here
ok 1 suite
"""
        r = parse("kunit/suite", body)
        self.assertEqual(statuses(r), [("pass", "kunit/suite: suite.case_a"),
                                       ("skip", "kunit/suite: suite.case_b")])

    def test_suite_failure_with_passing_cases(self):
        body = """KTAP version 1
1..1
    KTAP version 1
    # Subtest: suite
    1..1
    ok 1 case_a
not ok 1 suite
"""
        r = parse("kunit/suite", body)
        self.assertIn(("fail", "kunit/suite: suite"), statuses(r))

    def test_second_nested_ktap_version_closes_a_dead_subtest(self):
        # A parameterised case whose first document died without its
        # result line, then a second document at the same depth.
        body = """KTAP version 1
1..1
    KTAP version 1
    # Subtest: suite
    1..2
        KTAP version 1
        # Subtest: param_case
        1..3
        ok 1 p0
        KTAP version 1
        # Subtest: other_case
        1..1
        ok 1 q0
    ok 1 other_case
    ok 2 last
ok 1 suite
"""
        r = parse("kunit/suite", body)
        st = statuses(r)
        self.assertIn(("pass", "kunit/suite: suite.other_case.q0"), st)
        self.assertIn(("pass", "kunit/suite: suite.last"), st)
        fails = [why for s, _, why in r if s == "fail"]
        self.assertTrue(any("2 of 3" in why for why in fails), r)
        self.assertTrue(any("without its result line" in why for why in fails), r)

    def test_second_top_level_document(self):
        body = "TAP version 13\n1..2\nok 1 - a\nTAP version 13\n1..1\nok 1 - b\n"
        r = parse("t", body)
        st = statuses(r)
        self.assertIn(("pass", "t: a"), st)
        self.assertIn(("pass", "t: b"), st)
        self.assertTrue(any("1 of 2" in why for _, _, why in r))


class Expect(unittest.TestCase):
    MANIFEST = """# comment
kunit/pvclock_math          kunit
selftests/pvclock/pvclock_clock   kunit stock-6.12
selftests/pvrng/pvrng       stock-6.12
"""

    def setUp(self):
        import tempfile
        fd, self.path = tempfile.mkstemp()
        with os.fdopen(fd, "w") as f:
            f.write(self.MANIFEST)
        self.every = {"kunit/pvclock_math", "selftests/pvclock/pvclock_clock",
                      "selftests/pvrng/pvrng"}

    def tearDown(self):
        os.unlink(self.path)

    def check(self, results, lane, only=None):
        return tap.check_expect(results, tap.read_expect(self.path, lane, only), self.every)

    def test_all_present(self):
        res = [("pass", "selftests/pvclock/pvclock_clock: a", ""),
               ("skip", "selftests/pvrng/pvrng: b", "why")]
        self.assertEqual(self.check(res, "stock-6.12"), [])

    def test_missing_section_fails(self):
        res = [("pass", "selftests/pvclock/pvclock_clock: a", "")]
        out = self.check(res, "stock-6.12")
        self.assertEqual(statuses(out), [("fail", "selftests/pvrng/pvrng")])

    def test_only_limits_selftests_not_kunit(self):
        res = [("pass", "selftests/pvclock/pvclock_clock: a", "")]
        out = self.check(res, "kunit", only="pvclock")
        self.assertEqual(statuses(out), [("fail", "kunit/pvclock_math")])
        self.assertEqual(self.check(res, "stock-6.12", only="pvclock"), [])

    def test_unlisted_section_fails(self):
        res = [("pass", "selftests/pvclock/pvclock_clock: a", ""),
               ("pass", "selftests/pvrng/pvrng: b", ""),
               ("pass", "selftests/new/thing: c", ""),
               ("pass", "guest: load pvrng", "")]
        out = self.check(res, "stock-6.12")
        self.assertEqual(statuses(out), [("fail", "selftests/new/thing")])


if __name__ == "__main__":
    suite = unittest.TestSuite()
    for case in (Tap, Expect):
        suite.addTests(unittest.defaultTestLoader.loadTestsFromTestCase(case))
    res = unittest.TextTestRunner(stream=sys.stderr, verbosity=1).run(suite)
    sys.exit(0 if res.wasSuccessful() else 1)
