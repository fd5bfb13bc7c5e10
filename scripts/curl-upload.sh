#!/usr/bin/env bash
# Uploads a file through a running lfusys (`make dev`) with nothing but curl, jq and openssl:
# sign in, open an upload, declare the file's SHA-256, send each part (relay: to the uploads
# workers; direct: straight to storage on presigned URLs), wait for assembly, download, compare.
#   scripts/curl-upload.sh <file> [email] [password]
# Env: API (default http://localhost:8080/api/v1); TRANSFER=relay|direct (default: the server's
# choice, read from the `transfer` field of the open's answer).
set -euo pipefail
file=${1:?usage: curl-upload.sh <file> [email] [password]}
email=${2:-curl-$(date +%s)-$$@example.com}
password=${3:-curl upload password 1}
api=${API:-http://localhost:8080/api/v1}
jar=$(mktemp); chunk=$(mktemp); out=$(mktemp)
trap 'rm -f "$jar" "$chunk" "$out"' EXIT
# An API call with the session cookies: its body on stdout, or on stderr when the answer is an error.
req() {
  local body
  if body=$(curl -sS --fail-with-body -b "$jar" -c "$jar" "$@"); then printf '%s\n' "$body"; else
    printf '%s\n' "$body" >&2
    return 1
  fi
}
# A part PUT is idempotent, so curl may send it again on a 503/timeout (honouring Retry-After).
put() { curl -sS --fail-with-body --retry 2 -H 'expect:' -X PUT -T "$chunk" "$@"; }

# 1. A CSRF token (cookie + header on every unsafe request), then register (ignore "taken") and log in.
csrf=$(req "$api/auth/csrf" | jq -r .csrfToken)
json=(-H "x-csrf-token: $csrf" -H 'content-type: application/json')
account=$(jq -n --arg e "$email" --arg p "$password" '{email: $e, password: $p}')
req "${json[@]}" -d "$(jq '. + {name: "curl"}' <<<"$account")" "$api/auth/register" >/dev/null 2>&1 || true
req "${json[@]}" -d "$account" "$api/auth/login" >/dev/null

# 2. Open the upload (the server picks the chunk size, and the transfer unless TRANSFER names one),
#    then declare the whole file's hex SHA-256, as the web app does: sessions checks the assembled
#    object against it before `completed` (DESIGN §9.2).
size=$(stat -c %s "$file")
sha_hex=$(openssl dgst -sha256 -r "$file"); sha_hex=${sha_hex%% *}
opened=$(req "${json[@]}" -d "$(jq -n --arg n "$(basename "$file")" --argjson s "$size" --arg t "${TRANSFER:-}" \
  '{fileName: $n, size: $s} + (if $t == "" then {} else {transfer: $t} end)')" "$api/uploads")
id=$(jq -r .uploadId <<<"$opened"); transfer=$(jq -r .transfer <<<"$opened")
chunk_size=$(jq -r .chunkSize <<<"$opened"); total=$(jq -r .totalChunks <<<"$opened")
echo "upload $id ($transfer): $total chunk(s) of $chunk_size bytes"
req "${json[@]}" -X PATCH -d "{\"sha256\":\"$sha_hex\"}" "$api/uploads/$id" >/dev/null

# Chunk i is bytes [i*chunkSize, (i+1)*chunkSize) of the file; its SHA-256 travels in base64.
cut_chunk() { dd if="$file" of="$chunk" bs="$chunk_size" skip="$1" count=1 status=none; }
chunk_sha() { openssl dgst -sha256 -binary "$chunk" | base64; }

# 3a. Relay: each chunk to the uploads workers with the upload token (any order, any worker).
relay() {
  local url token
  url=$(jq -r .uploadUrl <<<"$opened"); token=$(jq -r .uploadToken <<<"$opened")
  for ((i = 0; i < total; i++)); do
    cut_chunk "$i"
    put -H "authorization: Bearer $token" -H 'content-type: application/octet-stream' \
      -H "x-chunk-sha256: $(chunk_sha)" "$url/chunks/$i" | jq -c .
  done
}

# 3b. Direct, up to 100 parts a round (the API's limit): declare each part's SHA-256 and length for
#     presigned UploadPart URLs (the SHA-256 is signed in: storage refuses other bytes), PUT each
#     part with exactly the headers the answer lists, then confirm: sessions checks the parts in
#     storage and records them; the confirmation that completes the set queues the assembly.
direct() {
  local first last i parts signed part headers
  for ((first = 0; first < total; first += 100)); do
    last=$((first + 100 < total ? first + 100 : total))
    parts=$(for ((i = first; i < last; i++)); do
      cut_chunk "$i"
      jq -n --argjson i "$i" --arg h "$(chunk_sha)" --argjson l "$(stat -c %s "$chunk")" '{index: $i, sha256: $h, length: $l}'
    done | jq -s '{parts: .}')
    signed=$(req "${json[@]}" -d "$parts" "$api/uploads/$id/parts")
    while read -r part; do
      cut_chunk "$(jq -r .index <<<"$part")"
      mapfile -t headers < <(jq -r '.headers | to_entries[] | "-H", "\(.key): \(.value)"' <<<"$part")
      put "${headers[@]}" "$(jq -r .url <<<"$part")" >&2 # storage answers 200 with no body, or an XML error
    done < <(jq -c '.parts[]' <<<"$signed")
    req "${json[@]}" -d "$(jq -c '{indexes: [.parts[].index]}' <<<"$parts")" "$api/uploads/$id/parts/confirm" | jq -c .
  done
}

case $transfer in
  relay) relay ;;
  direct) direct ;;
  *) echo "the server answered an unknown transfer: $transfer" >&2; exit 1 ;;
esac

# 4. Wait for assembly (and the SHA-256 check): each GET is held by the server until the status
#    moves (or 20 s), then asked again. Then download through the presigned URL and compare.
for _ in $(seq 1 30); do
  upload=$(req "$api/uploads/$id?wait=20" | jq -c .upload)
  status=$(jq -r .status <<<"$upload")
  [[ $status == uploading || $status == assembling ]] || break
done
echo "status: $status"
[[ $status == completed ]] || { jq -c '{failureCode, failureReason}' <<<"$upload" >&2; exit 1; }
file_id=$(jq -r .fileId <<<"$upload")
stored=$(req "$api/files/$file_id" | jq -c '.file | {id, name, size, sha256}')
echo "file: $stored"
[[ $(jq -r .sha256 <<<"$stored") == "$sha_hex" ]] || { echo "the file's verified SHA-256 is not $sha_hex" >&2; exit 1; }
curl -sS --fail -o "$out" "$(req "$api/files/$file_id/download" | jq -r .url)"
if cmp -s "$file" "$out"; then echo "downloaded copy is identical"; else echo "downloaded copy differs" >&2; exit 1; fi
