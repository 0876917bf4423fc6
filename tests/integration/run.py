#!/usr/bin/env python3
"""Runs the integration suites against the real binary, once on SQLite and once on PostgreSQL
(when SOUNDTIME_TEST_PG_URL is set), and writes "passed failed" to --summary."""
import argparse
import os
import sys
import unittest

here = os.path.dirname(os.path.abspath(__file__))


def only(suite, keep):
    """The tests of a (nested) suite for which keep(test) is true."""
    out = unittest.TestSuite()
    for t in suite:
        if isinstance(t, unittest.TestSuite):
            out.addTests(only(t, keep))
        elif keep(t):
            out.addTest(t)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="build/soundtime")
    ap.add_argument("--summary")
    ap.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    ap.add_argument("-k", dest="pattern", help="only tests whose id contains this")
    args = ap.parse_args()
    os.environ["SOUNDTIME_BINARY"] = os.path.abspath(args.binary)
    engines = ["sqlite", "postgres"] if args.engine == "both" else [args.engine]
    if "postgres" in engines and not os.environ.get("SOUNDTIME_TEST_PG_URL"):
        print("SOUNDTIME_TEST_PG_URL is not set: the PostgreSQL run counts as failed")
    passed = failed = 0
    sys.path.insert(0, here)
    for n, engine in enumerate(engines):
        os.environ["SOUNDTIME_IT_ENGINE"] = engine
        suite = unittest.defaultTestLoader.discover(here, pattern="test_*.py", top_level_dir=here)
        if n > 0:
            # Modules with RUN_ONCE = True (the namespace NAT lab: SQLite inside namespaces, no database
            # engine involved) run on the first engine only.
            suite = only(suite, lambda t: not getattr(sys.modules.get(type(t).__module__), "RUN_ONCE", False))
        if args.pattern:
            suite = only(suite, lambda t: args.pattern in t.id())
        print(f"--- integration on {engine}")
        result = unittest.TextTestRunner(verbosity=1 if os.environ.get("CI") else 2).run(suite)
        bad = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
        bad += len(result.skipped) if engine == "postgres" else 0  # a skipped engine hides a missing feature
        failed += bad
        passed += result.testsRun - bad
    print(f"integration: {passed} passed, {failed} failed")
    if args.summary:
        with open(args.summary, "w") as f:
            f.write(f"{passed} {failed}\n")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
