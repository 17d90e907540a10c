#!/bin/sh
# Prints which of the relay's packages imports which (from the compiled classes, with the JDK's jdeps), one line
# "from -> to" per pair, the root package shown as io.sqreenrelay. The one-way rule (README, "Architecture") reads
# off it: no line may point up the map. Run after `mvn -B -q compile` (or any build that fills target/classes).
set -eu
cd "$(dirname "$0")/.."
classes=target/classes
[ -d "$classes/io/sqreenrelay" ] || { echo "no $classes: run mvn -B -q compile first" >&2; exit 1; }
jdeps -verbose:package -filter:none "$classes" \
  | awk '$1 ~ /^io\.sqreenrelay/ && $2 == "->" && $3 ~ /^io\.sqreenrelay/ && $1 != $3 { print $1 " -> " $3 }' \
  | sort -u
