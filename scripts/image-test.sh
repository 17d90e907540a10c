#!/usr/bin/env bash
# Tests the container image the way a container runtime runs it, without one (no Docker daemon here):
#   1. builds target/jib-image.tar twice from the same sources, the second time from nothing (image base and
#      Jib's output removed), and requires the same image digest;
#   2. unpacks the image (OCI layout: index, manifest, layers in order) into a folder;
#   3. runs the image's entrypoint there under chroot, as the image's numeric user, in its working directory, with
#      the image's environment plus test settings only (ports, signature key, SMTP), /proc, /dev and the cgroup
#      file system mounted, in a memory cgroup limited to 512 MiB (the JVM sizes its heap from that limit);
#   4. shows: ready on the management port; a signed request answered 200; an internal alert mailed to the admins
#      (an SMTP sink here: mail goes through Angus Mail and java.desktop's classes); a burst from several clients all
#      answered 200 and delivered to the log target, with the resident memory (peak) within 512 MiB; after a
#      SIGTERM, nothing written outside /var/lib/sqreen-relay (where DATA_DIR and LOG_DIR are).
# Prints the image size, the start time to ready, the peak RSS, the digests. Exits non-zero on any failure.
# Needs root (chroot, mount, cgroups), python3, curl, openssl.
# Usage: scripts/image-test.sh [--no-build] [NAME=value ...]   (more settings for the relay, e.g. RABBITMQ_URI=...)
set -euo pipefail
cd "$(dirname "$0")/.."
budget_mib=512
fail() { echo "image-test: FAILED: $*" >&2; exit 1; }
say() { echo "image-test: $*"; }
[[ $(id -u) == 0 ]] || fail "needs root (chroot, mount, cgroups)"

build() { mvn -B -q -DskipTests package jib:buildTar; }
rebuild=yes
[[ ${1:-} == --no-build ]] && { rebuild=; shift; }
if [[ -n $rebuild ]]; then
  build
  first=$(cat target/jib-image.digest)
  rm -rf target/image-base target/image-base.stamp target/jib-image.*
  build
  second=$(cat target/jib-image.digest)
  say "image digest, build 1: $first"
  say "image digest, build 2: $second"
  [[ $first == "$second" ]] || fail "two builds of the same sources gave different images"
fi
[[ -f target/jib-image.tar ]] || fail "no target/jib-image.tar (mvn -B -DskipTests package jib:buildTar)"

work=$(mktemp -d /tmp/sqreen-relay-image-test.XXXXXX)
root=$work/root
cgroup=
relay=
sink=
cleanup() {
  set +e
  [[ -n $sink ]] && kill "$sink" 2>/dev/null
  [[ -n $relay ]] && kill -9 "$relay" 2>/dev/null && wait "$relay" 2>/dev/null
  for m in sys/fs/cgroup dev proc; do mountpoint -q "$root/$m" && umount -l "$root/$m"; done
  [[ -n $cgroup && -d $cgroup ]] && rmdir "$cgroup"
  rm -rf --one-file-system "$work"   # never into a mount still there
}
trap cleanup EXIT

# --- unpack the image: layers in the manifest's order; the config says how to run it --------------------------
python3 - target/jib-image.tar "$root" "$work/config.json" <<'PY'
import json, sys, tarfile
image, root, config_out = sys.argv[1:]
with tarfile.open(image) as oci:
    blob = lambda digest: oci.extractfile("blobs/" + digest.replace(":", "/"))
    index = json.load(oci.extractfile("index.json"))
    manifest = json.load(blob(index["manifests"][0]["digest"]))
    config = json.load(blob(manifest["config"]["digest"]))
    for layer in manifest["layers"]:
        with tarfile.open(fileobj=blob(layer["digest"]), mode="r:gz") as files:
            files.extractall(root, numeric_owner=True)
json.dump(config["config"], open(config_out, "w"))
PY
size_mib=$(( $(du -sb "$root" | cut -f1) / 1048576 ))
tar_mib=$(( $(stat -c %s target/jib-image.tar) / 1048576 ))
say "image size: ${size_mib} MiB unpacked, ${tar_mib} MiB as target/jib-image.tar (compressed layers)"

# what a container runtime adds: /proc, /dev, the cgroup file system, /etc/hosts
mkdir -p "$root/proc" "$root/dev" "$root/sys/fs/cgroup"
echo "127.0.0.1 localhost" > "$root/etc/hosts"
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
mount --rbind /sys/fs/cgroup "$root/sys/fs/cgroup"
memory_root=/sys/fs/cgroup/memory$(awk -F: '$2 == "memory" { print $3 }' /proc/self/cgroup)
if [[ -d $memory_root ]]; then
  cgroup=$memory_root/sqreen-relay-image-test-$$
  mkdir "$cgroup"
  echo $((budget_mib * 1048576)) > "$cgroup/memory.limit_in_bytes"
else
  say "no cgroup v1 memory controller: the relay runs without a memory limit (its heap is then a share of the RAM)"
fi
modules=$(chroot "$root" /opt/java/bin/java -XX:-UsePerfData --list-modules | sed 's/@.*//' | tr '\n' ' ')
[[ " $modules" == *" jdk.crypto.ec "* ]] || fail "the image's Java runtime has no jdk.crypto.ec (TLS with EC keys)"
say "Java runtime modules: $modules"
touch "$work/before"
sleep 1

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
http_port=$(free_port)
management_port=$(free_port)
key=$(openssl rand -hex 24)
smtp_port=$(free_port)

# an SMTP server that accepts every mail and appends it to mail.txt
python3 - "$smtp_port" "$work/mail.txt" <<'PY' &
import socketserver, sys
port, mailbox = int(sys.argv[1]), sys.argv[2]
class Session(socketserver.StreamRequestHandler):
    def handle(self):
        self.wfile.write(b"220 sink\r\n")
        for line in self.rfile:
            command = line[:4].upper()
            if command == b"DATA":
                self.wfile.write(b"354 go on\r\n")
                message = b""
                for data in self.rfile:
                    if data == b".\r\n":
                        break
                    message += data
                with open(mailbox, "ab") as box:
                    box.write(message + b"\n")
                self.wfile.write(b"250 stored\r\n")
            elif command == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")
socketserver.ThreadingTCPServer.allow_reuse_address = True
socketserver.ThreadingTCPServer(("127.0.0.1", port), Session).serve_forever()
PY
sink=$!

# --- run the entrypoint as the image says: chroot, working directory, user, environment ------------------------
start=$(date +%s.%N)
python3 - "$root" "$work/config.json" "${cgroup:-}" \
    "HTTP_PORT=$http_port" "MANAGEMENT_PORT=$management_port" "SIGNATURE_KEY=$key" \
    "SQREEN_APPLICATION_ID=image-test-app" "SMTP_HOST=127.0.0.1" "SMTP_PORT=$smtp_port" "ADMIN_EMAILS=security@example.com" "$@" \
    > "$work/console.log" 2>&1 <<'PY' &
import json, os, sys
root, config_file, cgroup, *settings = sys.argv[1:]
config = json.load(open(config_file))
env = dict(e.split("=", 1) for e in config.get("Env", []) + settings)
argv = config["Entrypoint"] + (config.get("Cmd") or [])
user, _, group = config["User"].partition(":")
if cgroup:
    open(os.path.join(cgroup, "cgroup.procs"), "w").write(str(os.getpid()))
os.chroot(root)
os.chdir(config.get("WorkingDir", "/"))
os.setgroups([])
os.setgid(int(group or user))
os.setuid(int(user))
os.execve(argv[0], argv, env)
PY
relay=$!

ready=
for _ in $(seq 1 600); do
  kill -0 "$relay" 2>/dev/null || { cat "$work/console.log"; fail "the relay exited before it was ready"; }
  if [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$management_port/observe/health/ready") == 200 ]]; then
    ready=$(date +%s.%N); break
  fi
  sleep 0.2
done
[[ -n $ready ]] || { tail -50 "$work/console.log"; fail "not ready on the management port within 120 s"; }
say "ready on the management port $management_port after $(awk "BEGIN { printf \"%.1f\", $ready - $start }") s (chroot; $(grep -o 'broker: [^|]*[^| ]' "$work/console.log" | head -1))"
grep -q 'sqreen-relay ready: ' "$work/console.log" || fail "no ready line on the console"
uid=$(awk '/^Uid:/ { print $2 }' "/proc/$relay/status")
[[ $uid == "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["User"].split(":")[0])' "$work/config.json")" ]] \
  || fail "the relay runs as uid $uid, not the image's user"
say "running as uid $uid; JVM: $(grep -o 'Picked up JAVA_TOOL_OPTIONS: .*' "$work/console.log")"

[[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$http_port/observe/health/ready") == 404 ]] \
  || fail "health answers on the webhook port"
heap_mib=$(curl -s "http://127.0.0.1:$management_port/observe/metrics" \
  | awk '/^jvm_memory_max_bytes\{.*area="heap"/ { sum += $NF } END { printf "%d", sum / 1048576 }')
say "largest heap the JVM will use: ${heap_mib} MiB (from the ${budget_mib} MiB memory limit)"

SIGNATURE_KEY=$key RELAY_URL=http://127.0.0.1:$http_port/v1/webhook scripts/send-test-notification.sh \
  || fail "the signed test notification was not answered 200"
printf '[{"sqreen_payload_type": "security_event", "id": "%s", "application_id": "image-test-app", "humanized_title": "image test internal alert"}]' \
  "$(openssl rand -hex 12)" > "$work/alert.json"
SIGNATURE_KEY=$key RELAY_URL=http://127.0.0.1:$http_port/v1/webhook scripts/send-test-notification.sh "$work/alert.json" \
  || fail "the signed internal alert was not answered 200"
for _ in $(seq 1 60); do grep -q 'image test internal alert' "$work/mail.txt" 2>/dev/null && break; sleep 0.5; done
grep -q 'INTERNAL SECURITY ALERT' "$work/mail.txt" 2>/dev/null || fail "the internal alert was not mailed to the admins"
say "internal alert mailed: $(grep -m1 -i '^Subject:' "$work/mail.txt" | tr -d '\r')"

# --- a short burst: signed requests of distinct events from several clients, RSS sampled meanwhile -------------
python3 - "$http_port" "$key" "$relay" > "$work/burst.txt" <<'PY'
import hashlib, hmac, http.client, json, sys, threading, time, uuid
port, key, pid = int(sys.argv[1]), sys.argv[2].encode(), sys.argv[3]
clients, requests, events = 16, 40, 25
statuses, peak, done = {}, [0], threading.Event()
def rss_kib():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0
def sample():
    while not done.is_set():
        peak[0] = max(peak[0], rss_kib())
        time.sleep(0.1)
def client():
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for _ in range(requests):
        body = json.dumps([{"message_id": None, "api_version": "2", "date_created": "2026-11-30T00:00:00+00:00",
                            "message_type": "security_event", "retry_count": 0,
                            "message": {"id": uuid.uuid4().hex, "application_id": "burst",
                                        "humanized_description": "image test burst", "environment": "test"}}
                           for _ in range(events)]).encode()
        signature = hmac.new(key, body, hashlib.sha256).hexdigest()
        conn.request("POST", "/v1/webhook", body, {"Content-Type": "application/json", "X-Sqreen-Integrity": signature})
        response = conn.getresponse()
        response.read()
        statuses[response.status] = statuses.get(response.status, 0) + 1
sampler = threading.Thread(target=sample); sampler.start()
began = time.time()
threads = [threading.Thread(target=client) for _ in range(clients)]
for t in threads: t.start()
for t in threads: t.join()
took = time.time() - began
time.sleep(2)
done.set(); sampler.join()
print(f"requests={clients * requests} events={clients * requests * events} clients={clients} seconds={took:.1f} "
      f"statuses={json.dumps(statuses)} all_200={statuses.get(200, 0) == clients * requests} peak_rss_mib={peak[0] // 1024}")
PY
sed 's/^/image-test: burst: /' "$work/burst.txt"
grep -q 'all_200=True' "$work/burst.txt" || fail "not every request of the burst was answered 200"
kill -0 "$relay" 2>/dev/null || fail "the relay died during the burst"
peak_mib=$(sed 's/.*peak_rss_mib=//' "$work/burst.txt")
burst_events=$(sed 's/.* events=\([0-9]*\) .*/\1/' "$work/burst.txt")
hwm_mib=$(( $(awk '/^VmHWM:/ { print $2 }' "/proc/$relay/status") / 1024 ))
say "resident memory: peak ${peak_mib} MiB sampled during the burst, high-water mark ${hwm_mib} MiB (budget ${budget_mib} MiB)"
(( hwm_mib < budget_mib && peak_mib < budget_mib )) || fail "resident memory over the ${budget_mib} MiB budget"

# every event of the burst and the test notification reaches the log target
notifications=$root/var/lib/sqreen-relay/logs/notifications.log
for _ in $(seq 1 120); do
  (( $(grep -c 'image test burst' "$notifications" 2>/dev/null || true) >= burst_events )) && break
  sleep 1
done
delivered=$(grep -c 'image test burst' "$notifications" || true)
say "log target: $delivered of $burst_events burst events in LOG_DIR/notifications.log"
(( delivered >= burst_events )) || fail "not every event of the burst was delivered to the log target"

# --- stop, then look for anything written outside the data and log folders ------------------------------------
kill -TERM "$relay"
code=0; wait "$relay" || code=$?
relay=
say "exit status after SIGTERM: $code"
[[ $code == 0 || $code == 143 ]] || fail "the relay did not stop cleanly"
written=$(cd "$root" && find . -xdev \( -newer "$work/before" -o -cnewer "$work/before" \) \
  ! -path ./var/lib/sqreen-relay ! -path './var/lib/sqreen-relay/*' -print)
[[ -z $written ]] || fail "written outside /var/lib/sqreen-relay: $(cd "$root" && find $written -maxdepth 2 | tr '\n' ' ')"
say "written only under /var/lib/sqreen-relay: $(cd "$root/var/lib/sqreen-relay" && find . -mindepth 1 -maxdepth 2 | sort | tr '\n' ' ')"
say "PASSED"
