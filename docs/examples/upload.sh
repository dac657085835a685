#!/usr/bin/env bash
# Upload Terraform to a tfquote gateway, create an estimation job, wait for it, print it.
#
#   docs/examples/upload.sh FILE...          e.g. docs/examples/upload.sh docs/examples/main.tf
#
# FILE: .zip, .tar.gz/.tgz, .tf, .tf.json, .tfvars, or a `terraform show -json` plan .json.
# Environment:
#   TFQUOTE_URL      the gateway (default http://127.0.0.1:8000)
#   TFQUOTE_TOKEN    a bearer token, when the gateway runs with AUTH_ENABLED=true
#                    (`python -m gateway token --sub alice` mints one for local use)
#   REGION           AWS region code (default us-east-1)
#   PROJECT_NAME     optional label for the upload
#   POLL_SECONDS     between status reads (default 2)
#   TIMEOUT_SECONDS  give up waiting after this long (default 600; 0 = do not wait)
#
# Prints the final job JSON on stdout (progress goes to stderr). Exit status: 0 when the job
# COMPLETED (or was created, with TIMEOUT_SECONDS=0), 1 when it FAILED or was CANCELLED,
# 2 on a usage or HTTP error, 3 on timeout. Needs bash and curl (>= 7.76) only.
set -euo pipefail

url="${TFQUOTE_URL:-http://127.0.0.1:8000}"
url="${url%/}"
region="${REGION:-us-east-1}"
poll="${POLL_SECONDS:-2}"
timeout="${TIMEOUT_SECONDS:-600}"

if [ "$#" -eq 0 ]; then
  sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi

curl_opts=(--silent --show-error --fail-with-body)
if [ -n "${TFQUOTE_TOKEN:-}" ]; then
  curl_opts+=(--header "Authorization: Bearer ${TFQUOTE_TOKEN}")
fi

# The first string value of a field in a JSON document: the top-level one, since the
# gateway writes the job's own fields before its result (no jq needed).
json_field() {
  grep -o "\"$1\"[[:space:]]*:[[:space:]]*\"[^\"]*\"" <<<"$2" | head -n 1 | sed 's/.*:[[:space:]]*"\(.*\)"/\1/'
}

call() {
  local out
  if ! out="$(curl "${curl_opts[@]}" "$@")"; then
    printf '%s\n' "$out" >&2
    exit 2
  fi
  printf '%s' "$out"
}

# 1. Upload: one `file` part per file (the `;filename=` keeps the name, not the path).
form=()
for path in "$@"; do
  [ -f "$path" ] || { echo "no such file: $path" >&2; exit 2; }
  form+=(--form "file=@${path};filename=$(basename "$path")")
done
if [ -n "${PROJECT_NAME:-}" ]; then
  form+=(--form-string "project_name=${PROJECT_NAME}")
fi
upload="$(call --request POST "${form[@]}" "${url}/api/v1/uploads")"
upload_id="$(json_field upload_id "$upload")"
echo "uploaded: ${upload_id}" >&2

# 2. Create the job. The Idempotency-Key makes re-running this step safe: the same key and
#    body answer 200 with the job already made, never a second job.
key="upload-sh-${upload_id}-${region}"
job="$(call --request POST \
  --header 'Content-Type: application/json' \
  --header "Idempotency-Key: ${key}" \
  --data "{\"upload_id\": \"${upload_id}\", \"region\": \"${region}\"}" \
  "${url}/api/v1/jobs")"
job_id="$(json_field job_id "$job")"
echo "job: ${job_id}" >&2

# 3. Poll until the job is COMPLETED, FAILED or CANCELLED.
deadline=$(( SECONDS + ${timeout%.*} ))
while :; do
  status="$(json_field status "$job")"
  case "$status" in
    COMPLETED) printf '%s\n' "$job"; exit 0 ;;
    FAILED | CANCELLED) printf '%s\n' "$job"; exit 1 ;;
  esac
  if [ "${timeout%.*}" -eq 0 ]; then
    printf '%s\n' "$job"
    exit 0
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "timed out; job ${job_id} is still ${status}" >&2
    printf '%s\n' "$job"
    exit 3
  fi
  echo "status: ${status}" >&2
  sleep "$poll"
  job="$(call "${url}/api/v1/jobs/${job_id}")"
done
