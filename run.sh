#!/usr/bin/env bash
# Runs OrleansRouting locally: the CXone sandbox, N silos and the WebFront, on 127.0.0.1 only.
# Needs only the .NET SDK (and Node.js for --storage azure). Ctrl-C stops everything.
#
#   ./run.sh                          1 silo, memory storage, localhost clustering
#   ./run.sh --silos 3                3 silos (localhost clustering, primary on 11111)
#   ./run.sh --storage azure          Azurite: Azure Table membership + Azure Table session state
#   ./run.sh --storage azure --data .run/azurite   keep Azurite's data across restarts
#   ./run.sh --port 8080              WebFront port (default 8080); --sandbox-port 5080 likewise
#   ./run.sh --smoke                  start, send one webhook twice, check dedup, stop (exit code = result)
set -euo pipefail
cd "$(dirname "$0")"

silos=1
storage=memory
data=""
port=8080
sandbox_port=5080
smoke=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    --silos) silos="$2"; shift 2 ;;
    --storage) storage="$2"; shift 2 ;;
    --data) data="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --sandbox-port) sandbox_port="$2"; shift 2 ;;
    --smoke) smoke=true; shift ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$silos" =~ ^[1-9]$ ]] || { echo "--silos must be 1-9" >&2; exit 2; }
[[ "$storage" == memory || "$storage" == azure ]] || { echo "--storage must be memory or azure" >&2; exit 2; }

command -v dotnet >/dev/null || { echo "The .NET SDK is required: https://dot.net" >&2; exit 1; }
root=$(pwd)
logs="$root/.run/logs"
mkdir -p "$logs"

echo "Building..."
dotnet build OrleansRouting.sln -c Debug -nologo -v quiet -clp:NoSummary >"$logs/build.log" 2>&1 \
  || { cat "$logs/build.log"; echo "Build failed." >&2; exit 1; }

pids=()
stop_all() {
  trap - INT TERM EXIT
  if [[ ${#pids[@]} -gt 0 ]]; then
    echo; echo "Stopping..."
    # WebFront first, then silos (graceful: they hand off their grains), then the dependencies.
    for ((i=${#pids[@]}-1; i>=0; i--)); do kill -TERM "${pids[i]}" 2>/dev/null || true; wait "${pids[i]}" 2>/dev/null || true; done
  fi
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# start NAME LOGFILE DIR CMD... : runs CMD in DIR (a host finds its appsettings.json in its working directory)
# in the background, output to its log file.
start() {
  local name="$1" log="$2" dir="$3"; shift 3
  (cd "$dir" && exec "$@") >"$log" 2>&1 &
  pids+=("$!")
  echo "  started $name (pid $!, log $log)"
}

wait_http() {
  local url="$1" name="$2" pid="$3"
  for _ in $(seq 1 120); do
    if curl -fsS -o /dev/null "$url" 2>/dev/null; then return 0; fi
    kill -0 "$pid" 2>/dev/null || { echo "$name exited; see its log:" >&2; return 1; }
    sleep 0.5
  done
  echo "$name did not become ready at $url" >&2; return 1
}

random_hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }
api_key="local-$(random_hex 16)"
client_secret="sandbox-$(random_hex 16)"
operator_password="$(random_hex 12)"

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
needed=("$port" "$sandbox_port")
for ((n=0; n<silos; n++)); do needed+=($((11111+n)) $((30000+n)) $((8081+n))); done
for p in "${needed[@]}"; do
  if port_in_use "$p"; then echo "Port $p on 127.0.0.1 is already in use (another ./run.sh?); stop that first." >&2; exit 1; fi
done

export ASPNETCORE_ENVIRONMENT=Development DOTNET_ENVIRONMENT=Development
export Cxone__BaseUrl="http://127.0.0.1:$sandbox_port" Cxone__ClientId=local-client Cxone__ClientSecret="$client_secret"

if [[ "$storage" == azure ]]; then
  command -v node >/dev/null || { echo "--storage azure needs Node.js (for Azurite)" >&2; exit 1; }
  [[ -x node_modules/.bin/azurite ]] || npm ci --no-audit --no-fund >"$logs/npm.log" 2>&1 || { cat "$logs/npm.log"; exit 1; }
  azurite_args=(--silent --skipApiVersionCheck --loose --disableTelemetry --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1)
  if [[ -n "$data" ]]; then mkdir -p "$data"; azurite_args+=(--location "$(cd "$data" && pwd)"); else azurite_args+=(--inMemoryPersistence); fi
  port_in_use 10002 && { echo "Port 10002 is in use: is another Azurite running?" >&2; exit 1; }
  start azurite "$logs/azurite.log" "$root" node_modules/.bin/azurite "${azurite_args[@]}"
  for _ in $(seq 1 60); do (exec 3<>/dev/tcp/127.0.0.1/10002) 2>/dev/null && break; sleep 0.5; done
  export AzureStorage__ConnectionString="UseDevelopmentStorage=true" Storage__Provider=AzureTable Cluster__Membership=AzureStorage
else
  export Storage__Provider=Memory Cluster__Membership=Localhost
fi

echo "Starting on 127.0.0.1..."
start "CXone sandbox" "$logs/sandbox.log" tests/CxoneSandbox/bin/Debug/net10.0 dotnet CxoneSandbox.dll \
  --urls "http://127.0.0.1:$sandbox_port" --Sandbox:ClientId=local-client --Sandbox:ClientSecret="$client_secret"
wait_http "http://127.0.0.1:$sandbox_port/" "CXone sandbox" "${pids[-1]}"

gateway_ports=()
for ((n=0; n<silos; n++)); do
  start "silo $n" "$logs/silo$n.log" Silo/bin/Debug/net10.0 env Cluster__SiloPort=$((11111+n)) Cluster__GatewayPort=$((30000+n)) \
    ASPNETCORE_URLS="http://127.0.0.1:$((8081+n))" dotnet OrleansRouting.Silo.dll
  gateway_ports+=($((30000+n)))
  wait_http "http://127.0.0.1:$((8081+n))/health/live" "silo $n" "${pids[-1]}"
done

webfront_env=(ASPNETCORE_URLS="http://127.0.0.1:$port" Webhook__ApiKeys__0="$api_key" Operators__Password="$operator_password")
for i in "${!gateway_ports[@]}"; do webfront_env+=("Cluster__GatewayPorts__$i=${gateway_ports[i]}"); done
start WebFront "$logs/webfront.log" WebFront/bin/Debug/net10.0 env "${webfront_env[@]}" dotnet OrleansRouting.WebFront.dll
wait_http "http://127.0.0.1:$port/health/ready" WebFront "${pids[-1]}"

url="http://127.0.0.1:$port"
curl_cmd="curl -sS -X POST $url/webhook/cognigy -H 'Content-Type: application/json' -H 'X-Api-Key: $api_key' \\
  -d '{\"sessionId\":\"demo-1\",\"user\":{\"name\":\"Ada\",\"email\":\"ada@example.com\"},\"input\":\"I was charged twice\",\"intents\":[{\"intent\":\"billing_issue\",\"confidence\":0.92}]}'"

if $smoke; then
  body='{"sessionId":"smoke-1","user":{"name":"Ada","email":"ada@example.com"},"input":"I was charged twice","intents":[{"intent":"billing_issue","confidence":0.92}]}'
  first=$(curl -sS -X POST "$url/webhook/cognigy" -H 'Content-Type: application/json' -H "X-Api-Key: $api_key" -d "$body")
  second=$(curl -sS -X POST "$url/webhook/cognigy" -H 'Content-Type: application/json' -H "X-Api-Key: $api_key" -d "$body")
  stats=$(curl -sS "http://127.0.0.1:$sandbox_port/_sandbox/stats")
  echo "first:  $first"; echo "second: $second"; echo "sandbox: $stats" | cut -c1-300
  id=$(sed -n 's/.*"cxoneInteractionId":"\([^"]*\)".*/\1/p' <<<"$first")
  if [[ -n "$id" && "$second" == *"\"cxoneInteractionId\":\"$id\""* && "$second" == *'"duplicate":true'* \
        && "$stats" == *'"interactionsCreated":1'* ]]; then
    echo "smoke: passed"; exit 0
  fi
  echo "smoke: FAILED" >&2; exit 1
fi

cat <<EOF2

OrleansRouting is running ($silos silo(s), $storage storage).
  Webhook:  $url/webhook/cognigy
  API key:  $api_key   (header X-Api-Key)
  Health:   $url/health/ready
  Sessions: $url/sessions (recent) and $url/sessions/{sessionId}   (header X-Api-Key)
  Dashboard: $url/dashboard/   (user operator, password $operator_password)
  CXone sandbox stats: http://127.0.0.1:$sandbox_port/_sandbox/stats
  Logs:     .run/logs/

Try it (run it twice: the second answer says "duplicate": true and CXone sees no second interaction):

$curl_cmd

Press Ctrl-C to stop.
EOF2
wait -n "${pids[@]}" || true
echo "A process exited; see $logs/." >&2
