#!/usr/bin/env bash
# Sends a signed webhook to a running relay, as Sqreen's "send a test notification" button would: the body is
# signed with HMAC-SHA256 under SIGNATURE_KEY (X-Sqreen-Integrity) and POSTed as JSON.
#
#   SIGNATURE_KEY=... scripts/send-test-notification.sh                 # a built-in Sqreen test event
#   SIGNATURE_KEY=... scripts/send-test-notification.sh events.json     # any JSON file, sent byte for byte
#   RELAY_URL=https://relay.example.com/v1/webhook SIGNATURE_KEY=... scripts/send-test-notification.sh
#
# RELAY_URL defaults to http://localhost:${HTTP_PORT:-8080}/v1/webhook. With several keys (rotation), the first
# one signs. Exits 0 when the relay answers 200, 1 otherwise. Needs bash, openssl and curl.
set -euo pipefail

key="${SIGNATURE_KEY:?set SIGNATURE_KEY to the webhook secret of the relay}"
key="${key%%,*}"
url="${RELAY_URL:-http://localhost:${HTTP_PORT:-8080}/v1/webhook}"

if [ $# -gt 0 ]; then
  body="$1"
  [ -r "$body" ] || { echo "cannot read $body" >&2; exit 2; }
else
  body="$(mktemp)"
  id="$(cat /proc/sys/kernel/random/uuid 2>/dev/null || date +%s%N)"
  now="$(date -u +%Y-%m-%dT%H:%M:%S+00:00)"
  printf '[{"message_id": null, "api_version": "2", "date_created": "%s", "message_type": "test", "retry_count": 0, "message": {"id": "%s", "application_name": "sqreen-relay", "environment": "production", "humanized_description": "Test notification sent by scripts/send-test-notification.sh", "url": "https://my.sqreen.com/", "ips": [{"address": "42.42.42.42"}]}}]' \
    "$now" "${id//-/}" > "$body"
fi

# note: openssl takes the key as an argument, so it shows in the process list while openssl runs
signature="$(openssl dgst -sha256 -hmac "$key" -r < "$body" | cut -d' ' -f1)"
answer="$(mktemp)"
if [ $# -gt 0 ]; then trap 'rm -f "$answer"' EXIT; else trap 'rm -f "$answer" "$body"' EXIT; fi
status="$(curl -sS -o "$answer" -w '%{http_code}' -X POST "$url" \
  -H 'Content-Type: application/json' -H "X-Sqreen-Integrity: $signature" --data-binary "@$body")" \
  || { echo "POST $url -> no answer (is the relay running?)" >&2; exit 1; }
echo "POST $url -> $status $(cat "$answer")"
[ "$status" = "200" ]
