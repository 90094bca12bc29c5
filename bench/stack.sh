# Sourced by bench.sh: builds the product in Release and starts/stops the benchmark stack
# (CXone sandbox, optional Azurite, N silos, WebFront) on 127.0.0.1, on ports that do not collide with run.sh.
# Every process started here is recorded in BENCH_PIDS and stopped by stop_stack / the EXIT trap, by pid.

BENCH_ROOT=${BENCH_ROOT:-.run/bench}
ARTIFACTS="$BENCH_ROOT/artifacts"
LOGS="$BENCH_ROOT/logs"
SOURCE_DIR=.
SOURCE_DESC=""

SANDBOX_PORT=15080
WEBFRONT_PORT=18080
SILO_PORT_BASE=21111
GATEWAY_PORT_BASE=40000
SILO_HEALTH_BASE=18081

CLIENT_ID=bench-client
CLIENT_SECRET="bench-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
API_KEY="bench-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
AZURITE_KEY="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="

SANDBOX_URL="http://127.0.0.1:$SANDBOX_PORT"
WEBFRONT_URL="http://127.0.0.1:$WEBFRONT_PORT"

BENCH_PIDS=()
SANDBOX_PID=""
WEBFRONT_PID=""
AZURITE_PID=""
SILO_PIDS=()
STACK_SESSIONS=0   # sessions routed on the current stack (all phases), for the RSS checkpoint
SILO_EXTRA_ENV=()
WEBFRONT_EXTRA_ENV=()

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
  local p="$1"
  while port_in_use "$p"; do p=$((p + 1)); done
  echo "$p"
}

ensure_wrk() {
  command -v wrk >/dev/null && return 0
  if [[ $(id -u) -ne 0 ]]; then
    echo "wrk is not installed; run as root (apt-get install -y wrk) or install it yourself." >&2
    return 1
  fi
  echo "Installing wrk (apt-get)..."
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; } >"$LOGS/apt.log" 2>&1 \
    || { cat "$LOGS/apt.log" >&2; return 1; }
}

ensure_azurite() {
  command -v node >/dev/null || { echo "Scenario azure needs Node.js (for Azurite)." >&2; return 1; }
  [[ -x node_modules/.bin/azurite ]] && return 0
  echo "Installing Azurite (npm ci)..."
  npm ci --no-audit --no-fund --loglevel=error >"$LOGS/npm.log" 2>&1 || { cat "$LOGS/npm.log" >&2; return 1; }
}

# use_source [REF]: what to build. Without REF the working tree as it is; with REF (e.g. HEAD) a clean export of
# that commit (git archive, read-only for the repository), so a result can be tied to a commit.
use_source() {
  local head dirty
  head=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
  if [[ -z "${1:-}" ]]; then
    SOURCE_DIR=.
    dirty=$(git status --porcelain 2>/dev/null | grep -vc '^?? \(bench/\|bench.sh\|BENCHMARKS.md\)' || true)
    SOURCE_DESC="working tree at $head$( ((dirty > 0)) && echo " with $dirty uncommitted changes")"
    return 0
  fi
  local commit
  commit=$(git rev-parse --short "$1^{commit}") || { echo "Unknown commit: $1" >&2; return 1; }
  SOURCE_DIR="$BENCH_ROOT/src"
  ARTIFACTS="$BENCH_ROOT/artifacts-commit"
  rm -rf "$SOURCE_DIR" && mkdir -p "$SOURCE_DIR"
  # -m: fresh timestamps, so the incremental build never mistakes this export for what it built before.
  git archive "$commit" | tar -x -m -C "$SOURCE_DIR" || return 1
  SOURCE_DESC="commit $commit ($(git log -1 --format=%s "$commit" | cut -c1-80))"
}

# Release build into a private artifacts folder: bin/obj of the working tree (and other people's builds) stay untouched.
build_release() {
  echo "Building Release of the $SOURCE_DESC (artifacts in $ARTIFACTS)..."
  local project
  for project in tests/CxoneSandbox/CxoneSandbox.csproj Silo/Silo.csproj WebFront/WebFront.csproj; do
    dotnet build "$SOURCE_DIR/$project" -c Release --artifacts-path "$ARTIFACTS" -nologo -v quiet -clp:NoSummary >"$LOGS/build.log" 2>&1 \
      || { cat "$LOGS/build.log" >&2; echo "Build of $project failed." >&2; return 1; }
  done
}

dll() { echo "$ARTIFACTS/bin/$1/release/$2"; }

STACK_NO=1
log_of() { echo "$LOGS/stack$STACK_NO-$1.log"; }

start_process() {  # NAME LOG CMD... ; sets LAST_PID
  local name="$1" log="$2"; shift 2
  "$@" >"$log" 2>&1 &
  LAST_PID=$!
  BENCH_PIDS+=("$LAST_PID")
}

wait_http() {  # URL NAME PID
  local url="$1" name="$2" pid="$3" i
  for ((i = 0; i < 240; i++)); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || { echo "$name exited during start-up; log:" >&2; tail -30 "$(log_of "$name")" >&2; return 1; }
    sleep 0.25
  done
  echo "$name did not become ready at $url; log:" >&2
  tail -30 "$(log_of "$name")" >&2
  return 1
}

check_ports() {  # SILOS
  local n p needed=("$SANDBOX_PORT" "$WEBFRONT_PORT")
  for ((n = 0; n < $1; n++)); do
    needed+=($((SILO_PORT_BASE + n)) $((GATEWAY_PORT_BASE + n)) $((SILO_HEALTH_BASE + n)))
  done
  for p in "${needed[@]}"; do
    if port_in_use "$p"; then
      echo "Port $p on 127.0.0.1 is in use (another bench.sh?); stop that first." >&2
      return 1
    fi
  done
}

# start_stack SILOS STORAGE(memory|azure); SILOS 0 starts the sandbox alone
start_stack() {
  local silos="$1" storage="$2" n
  check_ports "$silos" || return 1
  STACK_SESSIONS=0
  SILO_PIDS=()

  start_process sandbox "$(log_of sandbox)" env Logging__LogLevel__Default=Warning \
    dotnet "$(dll CxoneSandbox CxoneSandbox.dll)" --urls "$SANDBOX_URL" \
    --Sandbox:ClientId="$CLIENT_ID" --Sandbox:ClientSecret="$CLIENT_SECRET"
  SANDBOX_PID=$LAST_PID
  wait_http "$SANDBOX_URL/" sandbox "$SANDBOX_PID" || return 1
  ((silos > 0)) || return 0   # the sandbox alone, for its own ceiling

  local common=(Logging__LogLevel__Default=Warning Cluster__ClusterId=bench Cluster__ServiceId=bench)
  local storage_env
  if [[ "$storage" == azure ]]; then
    ensure_azurite || return 1
    local blob queue table
    blob=$(free_port 20010); queue=$(free_port $((blob + 1))); table=$(free_port $((queue + 1)))
    start_process azurite "$(log_of azurite)" node_modules/.bin/azurite --inMemoryPersistence --silent \
      --skipApiVersionCheck --loose --disableTelemetry \
      --blobHost 127.0.0.1 --blobPort "$blob" --queueHost 127.0.0.1 --queuePort "$queue" --tableHost 127.0.0.1 --tablePort "$table"
    AZURITE_PID=$LAST_PID
    for ((n = 0; n < 120; n++)); do port_in_use "$table" && port_in_use "$blob" && break; sleep 0.25; done
    local connection="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$AZURITE_KEY;BlobEndpoint=http://127.0.0.1:$blob/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$queue/devstoreaccount1;TableEndpoint=http://127.0.0.1:$table/devstoreaccount1;"
    # As ./run.sh --storage azure: Azure Table session state and Azure Table membership.
    storage_env=(Storage__Provider=AzureTable Cluster__Membership=AzureStorage AzureStorage__ConnectionString="$connection")
  else
    AZURITE_PID=""
    storage_env=(Storage__Provider=Memory Cluster__Membership=Localhost Cluster__PrimarySiloPort=$SILO_PORT_BASE)
  fi

  local gateways=()
  for ((n = 0; n < silos; n++)); do
    start_process "silo$n" "$(log_of "silo$n")" env "${common[@]}" "${storage_env[@]}" \
      Cxone__BaseUrl="$SANDBOX_URL" Cxone__ClientId="$CLIENT_ID" Cxone__ClientSecret="$CLIENT_SECRET" \
      Cluster__SiloPort=$((SILO_PORT_BASE + n)) Cluster__GatewayPort=$((GATEWAY_PORT_BASE + n)) \
      ASPNETCORE_URLS="http://127.0.0.1:$((SILO_HEALTH_BASE + n))" "${SILO_EXTRA_ENV[@]}" \
      dotnet "$(dll Silo OrleansRouting.Silo.dll)"
    SILO_PIDS+=("$LAST_PID")
    gateways+=("Cluster__GatewayPorts__$n=$((GATEWAY_PORT_BASE + n))")
    wait_http "http://127.0.0.1:$((SILO_HEALTH_BASE + n))/health/live" "silo$n" "$LAST_PID" || return 1
  done

  # The per-API-key rate limit (Webhook:RateLimit, 200/s by default) is policy, not capacity: the benchmark sends
  # everything with one key, so it lifts the limit to measure what the stack can do.
  start_process webfront "$(log_of webfront)" env "${common[@]}" "${storage_env[@]}" "${gateways[@]}" \
    ASPNETCORE_URLS="$WEBFRONT_URL" Webhook__ApiKeys__0="$API_KEY" \
    Webhook__RateLimit__PermitsPerSecond=1000000 Webhook__RateLimit__Burst=1000000 Webhook__RateLimit__QueueLimit=0 \
    "${WEBFRONT_EXTRA_ENV[@]}" \
    dotnet "$(dll WebFront OrleansRouting.WebFront.dll)"
  WEBFRONT_PID=$LAST_PID
  wait_http "$WEBFRONT_URL/health/ready" webfront "$WEBFRONT_PID" || return 1

  # With several silos, wait until the WebFront sees all of them (membership converges in a few seconds).
  for ((n = 0; n < 120; n++)); do
    curl -fsS "$WEBFRONT_URL/health/ready" 2>/dev/null | grep -q "\"$silos active silo" && break
    sleep 0.25
  done
  smoke_test
}

webhook() {  # SESSION_ID
  curl -sS -X POST "$WEBFRONT_URL/webhook/cognigy" -H 'Content-Type: application/json' -H "X-Api-Key: $API_KEY" \
    -d "{\"sessionId\":\"$1\",\"user\":{\"name\":\"Ada\",\"email\":\"ada@example.com\"},\"input\":\"I was charged twice\",\"intents\":[{\"intent\":\"billing_issue\",\"confidence\":0.92}]}"
}

# One webhook twice: proves the stack routes and deduplicates before any load is measured.
smoke_test() {
  local session="smoke-$RANDOM$RANDOM" first second id
  first=$(webhook "$session")
  second=$(webhook "$session")
  id=$(sed -n 's/.*"cxoneInteractionId":"\([^"]*\)".*/\1/p' <<<"$first")
  if [[ -z "$id" || "$second" != *"\"cxoneInteractionId\":\"$id\""* || "$second" != *'"duplicate":true'* ]]; then
    echo "Smoke test failed: first=$first second=$second" >&2
    return 1
  fi
}

stop_pid() {
  local pid="$1" i
  [[ -n "$pid" ]] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 40; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

stop_stack() {
  local pid
  # WebFront first, then silos, then their dependencies (as run.sh does).
  stop_pid "$WEBFRONT_PID"
  for pid in "${SILO_PIDS[@]}"; do stop_pid "$pid"; done
  stop_pid "$AZURITE_PID"
  stop_pid "$SANDBOX_PID"
  WEBFRONT_PID="" AZURITE_PID="" SANDBOX_PID=""
  SILO_PIDS=()
  BENCH_PIDS=()
}

stop_all() {
  local pid
  for pid in "${BENCH_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${BENCH_PIDS[@]}"; do stop_pid "$pid"; done
}

# --- sandbox control -------------------------------------------------------------------------------------------

sandbox_stats() { curl -fsS "$SANDBOX_URL/_sandbox/stats?interactions=false"; }

# Counts the interactions of the phase that just ended into STACK_SESSIONS, then clears the sandbox's counters.
sandbox_reset() {
  local created
  created=$(sandbox_stats | grep -o '"interactionsCreated":[0-9]*' | head -1 | cut -d: -f2)
  STACK_SESSIONS=$((STACK_SESSIONS + ${created:-0}))
  curl -fsS -o /dev/null -X POST "$SANDBOX_URL/_sandbox/reset"
}

sandbox_latency() {  # MS (0 clears)
  curl -fsS -o /dev/null -X POST "$SANDBOX_URL/_sandbox/faults" -H 'Content-Type: application/json' \
    -d "{\"endpoint\":\"interactions\",\"action\":\"latency\",\"latencyMs\":$1}"
}

sandbox_token() {
  curl -fsS -X POST "$SANDBOX_URL/oauth/token" -H 'Content-Type: application/x-www-form-urlencoded' \
    --data-urlencode grant_type=client_credentials --data-urlencode client_id="$CLIENT_ID" \
    --data-urlencode client_secret="$CLIENT_SECRET" --data-urlencode audience="$SANDBOX_URL/" \
    | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p'
}
