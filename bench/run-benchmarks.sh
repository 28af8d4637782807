#!/usr/bin/env bash
# Runs the figures of BENCHMARKS.md, logging the machine's load around each step (the CPUs are shared:
# a run with load from elsewhere shows in PeakFlops of the same run). Usage: bench/run-benchmarks.sh [outdir]
set -uo pipefail
cd "$(dirname "$0")/.."
out=${1:-bench-results}
mkdir -p "$out"
JAR=bench/target/benchmarks.jar
JAVA="java --add-modules jdk.incubator.vector"
load() { echo "# $(date -u +%H:%M:%S) loadavg $(cut -d' ' -f1-3 /proc/loadavg)"; }
{
  load
  # kernels: GEMM (simd, scalar, EJML) and the Koch convolutions, with PeakFlops in the same run
  $JAVA -cp $JAR org.siamese4j.bench.Report 'Gemm|Conv' -f 1 -wi 3 -i 5 -prof gc
  load
} 2>&1 | tee "$out/kernels.txt"
{
  load
  $JAVA -cp $JAR org.siamese4j.bench.Report 'TrainStep' -f 1 -prof gc
  load
} 2>&1 | tee "$out/trainstep.txt"
{
  for p in koch small28 compact; do
    for t in 1 2; do
      load
      $JAVA -Xmx2g -cp $JAR org.siamese4j.bench.StepProfile $p $t
    done
  done
  load
} 2>&1 | tee "$out/profile.txt"
{
  load
  NT=2 /work/shared/peer/run.sh mm koch small28
  load
} 2>&1 | tee "$out/peer.txt"
