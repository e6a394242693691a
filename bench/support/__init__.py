"""What the benchmarks share: the server under test (:mod:`~bench.support.server`, also used by
the e2e suite), the protocol-level client (:mod:`~bench.support.client`), the browser probes
(:mod:`~bench.support.browser_probe`) and the server launchers that time or profile a run
(:mod:`~bench.support.timer`, :mod:`~bench.support.profiler`)."""
