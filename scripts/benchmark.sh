#!/usr/bin/env bash
# The relay's benchmark: ingress, a Spring AMQP baseline and adnanh/webhook measured in the same run, end to end,
# memory and start time, on RabbitMQ and the embedded broker. See docs/benchmarks.md.
#   scripts/benchmark.sh              10 s per cell, about 12 minutes on 2 cores
#   scripts/benchmark.sh --quick      3 s per cell
#   scripts/benchmark.sh --profile    also records the 10-event/32-client cell with JFR and says where the CPU went
#   scripts/benchmark.sh --only targets --sets 2   the log + HTTP target set alone (1, 2, 5: the sets by size)
#   scripts/benchmark.sh --only redis the REDIS_URI row alone: ingress with the shared de-duplication in Redis against
#                                     the journals, three alternating runs each (Redis on 127.0.0.1:6379)
# Needs what the tests need: RabbitMQ on 127.0.0.1:5672 (guest/guest) and rabbitmqctl. adnanh/webhook is measured
# when installed (apt-get install webhook). The report is printed and written to target/benchmark/results.md.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q package -DskipTests
mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
exec java -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" io.sqreenrelay.bench.Benchmark "$@"
