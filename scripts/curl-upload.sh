#!/usr/bin/env bash
# Uploads a file through a running lfusys (`make dev`) with nothing but curl, jq and openssl:
# sign in, open an upload, send each chunk with its SHA-256, wait for assembly, download, compare.
#   scripts/curl-upload.sh <file> [email] [password]
# Env: API (default http://localhost:8080/api/v1).
set -euo pipefail
file=${1:?usage: curl-upload.sh <file> [email] [password]}
email=${2:-curl-$(date +%s)@example.com}
password=${3:-curl upload password 1}
api=${API:-http://localhost:8080/api/v1}
jar=$(mktemp); chunk=$(mktemp); out=$(mktemp)
trap 'rm -f "$jar" "$chunk" "$out"' EXIT
req() { curl -sS --fail-with-body -b "$jar" -c "$jar" "$@"; }

# 1. A CSRF token (cookie + header on every unsafe request), then register (ignore "taken") and log in.
csrf=$(req "$api/auth/csrf" | jq -r .csrfToken)
json=(-H "x-csrf-token: $csrf" -H 'content-type: application/json')
req "${json[@]}" -d "{\"name\":\"curl\",\"email\":\"$email\",\"password\":\"$password\"}" "$api/auth/register" >/dev/null 2>&1 || true
req "${json[@]}" -d "{\"email\":\"$email\",\"password\":\"$password\"}" "$api/auth/login" >/dev/null

# 2. Open the upload: the server picks the chunk size and hands out a token for the uploads workers.
size=$(stat -c %s "$file")
name=$(basename "$file")
opened=$(req "${json[@]}" -d "$(jq -n --arg n "$name" --argjson s "$size" '{fileName: $n, size: $s}')" "$api/uploads")
id=$(jq -r .uploadId <<<"$opened"); url=$(jq -r .uploadUrl <<<"$opened"); token=$(jq -r .uploadToken <<<"$opened")
chunk_size=$(jq -r .chunkSize <<<"$opened"); total=$(jq -r .totalChunks <<<"$opened")
echo "upload $id: $total chunk(s) of $chunk_size bytes"

# 3. Each chunk: its bytes, their base64 SHA-256, one PUT (any order, any worker, retries are safe).
for ((i = 0; i < total; i++)); do
  dd if="$file" of="$chunk" bs="$chunk_size" skip="$i" count=1 status=none
  sha=$(openssl dgst -sha256 -binary "$chunk" | base64)
  curl -sS --fail-with-body -X PUT -H "authorization: Bearer $token" -H 'content-type: application/octet-stream' \
    -H "x-chunk-sha256: $sha" --data-binary @"$chunk" "$url/chunks/$i" | jq -c .
done

# 4. Wait for assembly, then download through the presigned URL and compare.
for _ in $(seq 1 300); do
  status=$(req "$api/uploads/$id" | jq -r .upload.status)
  [[ $status == completed || $status == failed ]] && break
  sleep 1
done
echo "status: $status"
[[ $status == completed ]] || exit 1
file_id=$(req "$api/uploads/$id" | jq -r .upload.fileId)
req "$api/files" | jq -c '.files[] | {id, name, size}'
curl -sS --fail -o "$out" "$(req "$api/files/$file_id/download" | jq -r .url)"
if cmp -s "$file" "$out"; then echo "downloaded copy is identical"; else echo "downloaded copy differs" >&2; exit 1; fi
