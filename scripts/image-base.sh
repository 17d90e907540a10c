#!/usr/bin/env bash
# The container image's base, built by `mvn package` (pom.xml, maven-antrun-plugin, execution image-base) into OUT,
# which Jib adds to the image as an extra directory (jib-maven-plugin, FROM scratch):
#   OUT/opt/java                 a Java runtime made by jlink with only MODULES, from JAVA_HOME's jmods
#   OUT/lib*/...                 the shared libraries that runtime loads (glibc, libz, libstdc++ ...), found by ldd
#   OUT/tmp, OUT/var/lib/sqreen-relay   empty folders, writable in the image (Jib sets their mode)
# The users, groups and name lookup files are static: src/main/jib/etc.
# Usage: image-base.sh OUT MODULES JAVA_HOME
# Without the JDK's modules (Debian: openjdk-17-jmods; on Debian 12 they are part of openjdk-17-jdk-headless) it
# prints one line and builds nothing: the jar is built as usual, jib:buildTar then fails on the missing OUT.
# Skipped when OUT was built from the same modules, JDK, C library and script.
set -euo pipefail
out=$1 modules=$2 java_home=$3

if [[ ! -f "$java_home/jmods/java.base.jmod" ]]; then
  echo "sqreen-relay image: no JDK modules in $java_home/jmods, the container image cannot be built: install them (apt-get install openjdk-17-jmods, or openjdk-17-jdk-headless on Debian 12)" >&2
  exit 0
fi
stamp="$modules $(grep -h JAVA_RUNTIME_VERSION "$java_home/release") $(ldd --version | head -1) $(sha256sum < "$0")"
if [[ -f "$out.stamp" && "$(cat "$out.stamp")" == "$stamp" && -x "$out/opt/java/bin/java" ]]; then
  exit 0
fi
rm -rf "$out" "$out.stamp"
runtime="$out/opt/java"
mkdir -p "$(dirname "$runtime")" "$out/tmp" "$out/var/lib/sqreen-relay"

# java.desktop is there for java.beans (Spring, Jackson, Angus Mail): its AWT, font and sound libraries are left out
"$java_home/bin/jlink" --add-modules "$modules" --output "$runtime" \
  --strip-debug --no-header-files --no-man-pages --compress=2 \
  --exclude-files='glob:/java.desktop/lib/**'

# every shared library the runtime's programs and libraries need, at the path the dynamic loader finds it
libraries() {
  find "$runtime" -type f \( -name '*.so' -o -perm -u+x \) -print0 | sort -z \
    | LD_LIBRARY_PATH="$runtime/lib:$runtime/lib/server" xargs -0 ldd 2>/dev/null \
    | awk '/not found/ { print "missing " $1; next }
           $2 == "=>" && $3 ~ /^\// { print $3 }
           $1 ~ /^\// { print $1 }' \
    | sort -u
}
for lib in $(libraries); do
  [[ "$lib" == missing ]] && { echo "sqreen-relay image: a library of the Java runtime is missing: $(libraries | grep missing)" >&2; exit 1; }
  [[ "$lib" == "$runtime"/* ]] && continue
  mkdir -p "$out$(dirname "$lib")"
  cp -L "$lib" "$out$lib"
done
echo "$stamp" > "$out.stamp"
echo "sqreen-relay image base: $(du -sh "$out" | cut -f1) in $out ($(find "$out" -path "$runtime" -prune -o -type f -print | wc -l) libraries)"
