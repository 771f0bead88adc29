"""Translation on Ray actors: one actor with one thread against two actors with one thread each.

The model is translate_bench.py's synthetic transformer-base package (the size of the real
ar-en one, int8, random weights, end-of-sentence disabled), so every sentence decodes to
exactly ``--length`` tokens (``max_decoding_length``) whatever the weights say. The
segments are digest's own, from translate_bench.py's articles. The output guards are off in
the workers (``worker_process_setup_hook``), as in translate_bench.py: gibberish would be
retried. A real Ray instance is started here (``ray.init(num_cpus=2)``), and for each pool
the same segments go through :class:`digest.translate.cluster.ClusterDecoder`, after one
untimed warm-up batch. Reported: sentences per second, the scaling efficiency
(two actors' throughput over one's, target 1.8x on 2 cores), Ray's overhead per batch (a
lone batch's round trip less the actor's own decoding time, and the actors' idle time per
batch), a local one-thread run on the same segments, the actors' CPU time (sentences per
CPU-second: what a loaded machine does not distort), and the time to start the actors with
the package read from a shared path or sent through the object store. The load average is
printed before and after: the machine is shared.

    python bench/cluster_bench.py                 # 6 articles, 50 tokens (~4 minutes on 2 idle cores)
    python bench/cluster_bench.py --articles 2 --length 20
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "bench"), str(REPO / "tests")]


def guards_off() -> None:
    """In each Ray worker: no output guard (random-weight output would be retried)."""
    import digest.translate.decode

    digest.translate.decode.problem = lambda *a, **k: None


def segments_of(package: Path, docs) -> list[str]:
    from digest.config import load_config
    from digest.translate.engine import ArgosTranslator

    with tempfile.TemporaryDirectory() as project:
        translator = ArgosTranslator(package, load_config(project))
        _, sentences = translator._sentences([p for doc in docs for p in doc])
    return list(dict.fromkeys(s.segment for s in sentences if s.segment))


def run_pool(package: Path, options, actors: int, segments: list[str], cluster: str = "local") -> dict:
    import ray

    from digest.translate.cluster import ClusterDecoder
    from digest.translate.fingerprint import package_fingerprint

    opts = dataclasses.replace(options, cluster=cluster, cluster_actors=actors)
    decoder = ClusterDecoder(package, opts, package_fingerprint(package))
    started = time.perf_counter()
    decoder.start()
    startup = time.perf_counter() - started
    lone = []
    for _ in range(5):  # one short batch at a time: the round trip less the decoding is Ray's
        for _ in decoder.translate(segments[:1]):
            pass
        trip, busy = decoder.timings[-1]
        lone.append(trip - busy)
    decoder.timings.clear()
    pids = ray.get([a.pid.remote() for a in decoder.actors])
    cpu = sum(cpu_seconds(pid) for pid in pids)
    started = time.perf_counter()
    for _ in decoder.translate(segments):
        pass
    seconds = time.perf_counter() - started
    cpu = sum(cpu_seconds(pid) for pid in pids) - cpu
    for actor in decoder.actors:
        ray.kill(actor)
    busy = sum(b for _, b in decoder.timings)
    batches = len(decoder.timings)
    return {"actors": actors, "seconds": seconds, "rate": len(segments) / seconds, "startup": startup,
            "cpu": cpu, "per_cpu": len(segments) / cpu,
            "batches": batches, "lone_ms": 1000 * statistics.median(lone),
            # Actor time not spent decoding, per batch: Ray's overhead plus the wait for the last batch.
            "idle_ms": 1000 * (seconds * actors - busy) / batches}


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system, every thread) process ``pid`` has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_local(package: Path, options, segments: list[str]) -> float:
    from argostranslate.package import Package

    import digest.translate.decode

    guards_off()
    decoder = digest.translate.decode.Decoder(Package(package), options)
    for _ in decoder.translate(segments[:2]):
        pass
    started = time.perf_counter()
    for _ in decoder.translate(segments):
        pass
    return len(segments) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=6)
    parser.add_argument("--length", type=int, default=50, help="tokens decoded per sentence")
    args = parser.parse_args()
    import ray
    from translate_bench import articles, build_model

    from digest.config import TranslationConfig

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    work = Path(tempfile.mkdtemp(prefix="cluster-bench-"))
    package = build_model(work)
    size = sum(p.stat().st_size for p in package.rglob("*") if p.is_file())
    segments = segments_of(package, articles(args.articles))
    options = TranslationConfig(inter_threads=1, intra_threads=1, max_decoding_length=args.length)
    print(f"{len(segments)} segments, {args.length} tokens each, beam {options.beam_size}; "
          f"package {size / 1e6:.0f} MB")
    local = run_local(package, options, segments)
    print(f"local Decoder, 1 thread: {local:.2f} sentences/s")
    started = time.perf_counter()
    context = ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
                       runtime_env={"worker_process_setup_hook": guards_off})
    print(f"ray.init: {time.perf_counter() - started:.1f} s")
    results = [run_pool(package, options, n, segments) for n in (1, 2)]
    for r in results:
        print(f"{r['actors']} actor(s) x 1 thread: {r['rate']:.2f} sentences/s ({r['seconds']:.1f} s), "
              f"start {r['startup']:.1f} s, {r['batches']} batches; Ray's overhead per batch: "
              f"{r['lone_ms']:.1f} ms round trip of a lone batch (median of 5), "
              f"{r['idle_ms']:.1f} ms actor time not decoding per batch in the run; actors' CPU "
              f"{r['cpu']:.1f} s = {r['per_cpu']:.2f} sentences per CPU-second")
    one, two = results
    print(f"scaling: 2 actors / 1 actor = {two['rate'] / one['rate']:.2f}x (efficiency "
          f"{two['rate'] / one['rate'] / 2:.0%}); 1 actor / local 1 thread = {one['rate'] / local:.2f}")
    # On a loaded machine the wall-clock ratio says more about the neighbours than about Ray:
    # per CPU-second, two actors doing the same work as one is what 2 idle cores would turn into 2x.
    print(f"CPU-bound scaling (2 x the per-CPU-second ratio): {2 * two['per_cpu'] / one['per_cpu']:.2f}x")
    # The package by path (one machine) against the object store (an address: as for other machines).
    store = run_pool(package, options, 2, segments[:8], cluster=context.address_info["gcs_address"])
    path = run_pool(package, options, 2, segments[:8])
    print(f"2 actors started with the package from a shared path: {path['startup']:.1f} s; "
          f"through the object store: {store['startup']:.1f} s ({size / 1e6:.0f} MB)")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    ray.shutdown()


if __name__ == "__main__":
    main()
