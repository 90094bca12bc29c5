# Sourced by bench.sh: drives load with wrk and measures what the issue asks for, per phase:
# throughput and latency (wrk), CXone calls (sandbox /_sandbox/stats), CPU seconds and peak RSS per process
# (/proc/<pid>/stat utime+stime, /proc/<pid>/status VmHWM after resetting it via clear_refs), the load
# generator's own CPU (bash `times` around wrk) and the CPU used by processes outside the benchmark.

CLK_TCK=$(getconf CLK_TCK)
WRK_THREADS=${WRK_THREADS:-2}
WRK_TIMEOUT=10s
HWM_RESETTABLE=1
SAMPLER_PID=""
declare -A RES=()
ORDER=()

# --- /proc readings (bash builtins only: no forks while the load runs) ---------------------------------------

cpu_ticks() {  # PID -> utime+stime in clock ticks (0 if gone)
  local stat fields
  stat=$(<"/proc/$1/stat") 2>/dev/null || { echo 0; return; }
  stat=${stat##*) }
  read -r -a fields <<<"$stat"
  echo $((fields[11] + fields[12]))
}

busy_ticks() {  # whole machine, all CPUs
  local label user nice system idle iowait irq softirq steal rest
  read -r label user nice system idle iowait irq softirq steal rest </proc/stat
  echo $((user + nice + system + irq + softirq + steal))
}

status_kb() {  # PID FIELD -> value in kB (0 if gone)
  local key value unit
  while read -r key value unit; do
    if [[ "$key" == "$2:" ]]; then echo "$value"; return; fi
  done <"/proc/$1/status" 2>/dev/null
  echo 0
}

reset_hwm() {  # resets VmHWM to the current RSS, so VmHWM afterwards is this phase's peak
  echo 5 >"/proc/$1/clear_refs" 2>/dev/null || HWM_RESETTABLE=0
}

# CHILD_CPU = user+sys seconds of the waited-for children of this shell (wrk, curl). Not usable as $(...): a
# command substitution is a new process whose children's times start at zero.
CHILD_CPU=0
children_cpu() {
  local file="$BENCH_ROOT/times.txt"
  times >"$file"
  CHILD_CPU=$(awk 'NR == 2 { t = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] } printf "%.3f", t }' "$file")
}

# Background sampler: peak thread count per process (thread-pool growth is the sign of starvation).
start_sampler() {  # PIDS...
  local out="$BENCH_ROOT/sampler.txt"
  : >"$out"
  (
    declare -A peak=()
    while :; do
      line=""
      for pid in "$@"; do
        t=0
        while read -r key value _; do [[ "$key" == Threads: ]] && { t=$value; break; }; done <"/proc/$pid/status" 2>/dev/null
        ((t > ${peak[$pid]:-0})) && peak[$pid]=$t
        line+="$pid ${peak[$pid]:-0}"$'\n'
      done
      printf '%s' "$line" >"$out.tmp" && mv -f "$out.tmp" "$out"
      sleep 0.5
    done
  ) &
  SAMPLER_PID=$!
}

stop_sampler() {
  [[ -n "$SAMPLER_PID" ]] || return 0
  kill "$SAMPLER_PID" 2>/dev/null
  wait "$SAMPLER_PID" 2>/dev/null
  SAMPLER_PID=""
}

sampled_threads() {  # PID
  awk -v p="$1" '$1 == p { print $2 }' "$BENCH_ROOT/sampler.txt" | head -1
}

# --- processes of the current stack, by role ----------------------------------------------------------------

roles() { echo silo webfront sandbox${AZURITE_PID:+ azurite}; }

role_pids() {
  case "$1" in
    silo) echo "${SILO_PIDS[*]}" ;;
    webfront) echo "$WEBFRONT_PID" ;;
    sandbox) echo "$SANDBOX_PID" ;;
    azurite) echo "$AZURITE_PID" ;;
  esac
}

all_pids() { local r; for r in $(roles); do role_pids "$r"; done | tr '\n' ' '; }

# Other work on the machine (builds, test runs) distorts every figure. Before a measured window, wait up to
# QUIET_WAIT seconds until processes outside the benchmark use less than QUIET_MAX % of the machine.
QUIET_MAX=${QUIET_MAX:-10}
QUIET_WAIT=${QUIET_WAIT:-60}
foreign_now() {  # % of the machine used by other processes over one second
  local pid b0 b1 o0=0 o1=0
  b0=$(busy_ticks); for pid in $(all_pids); do o0=$((o0 + $(cpu_ticks "$pid"))); done
  sleep 1
  b1=$(busy_ticks); for pid in $(all_pids); do o1=$((o1 + $(cpu_ticks "$pid"))); done
  awk -v b="$((b1 - b0))" -v o="$((o1 - o0))" -v hz="$CLK_TCK" -v c="$(nproc)" 'BEGIN { f = (b - o) / hz / c * 100; printf "%.0f", (f < 0 ? 0 : f) }'
}

wait_quiet() {
  local waited=0 f
  f=$(foreign_now)
  while ((f > QUIET_MAX && waited < QUIET_WAIT)); do
    ((waited == 0)) && printf '      other processes use %s %% of the machine; waiting up to %s s for quiet' "$f" "$QUIET_WAIT"
    printf '.'
    sleep 2
    waited=$((waited + 3))
    f=$(foreign_now)
  done
  ((waited > 0)) && printf ' %s %%\n' "$f"
  return 0
}

# --- one measured wrk run -------------------------------------------------------------------------------------

# run_wrk OUT URL CONNS SECONDS SCRIPT ARGS... ; fills W[...] from the script's BENCH_RESULT line
declare -A W=()
run_wrk() {
  local out="$1" url="$2" conns="$3" seconds="$4" script="$5"; shift 5
  local threads=$WRK_THREADS
  ((conns < threads)) && threads=$conns
  wrk -t"$threads" -c"$conns" -d"${seconds}s" --timeout "$WRK_TIMEOUT" -s "$script" "$url" -- "$@" >"$out" 2>&1
  W=()
  local line kv
  line=$(grep -m1 '^BENCH_RESULT' "$out") || { echo "wrk produced no result; output:" >&2; cat "$out" >&2; return 1; }
  for kv in ${line#BENCH_RESULT }; do W[${kv%%=*}]=${kv#*=}; done
}

# measure KEY URL CONNS SECONDS SCRIPT ARGS... : a wrk run with per-process CPU, peak RSS and threads around it.
measure() {
  local key="$1" url="$2" conns="$3" seconds="$4" script="$5"; shift 5
  local role pid
  declare -A before=()
  for role in $(roles); do
    before[$role]=0
    for pid in $(role_pids "$role"); do
      reset_hwm "$pid"
      before[$role]=$((before[$role] + $(cpu_ticks "$pid")))
    done
  done
  local busy0 wrk0 busy1 wrk1
  wait_quiet
  # shellcheck disable=SC2046
  start_sampler $(all_pids)
  busy0=$(busy_ticks)
  children_cpu; wrk0=$CHILD_CPU
  run_wrk "$BENCH_ROOT/wrk-$key.txt" "$url" "$conns" "$seconds" "$script" "$@" || { stop_sampler; return 1; }
  children_cpu; wrk1=$CHILD_CPU
  busy1=$(busy_ticks)
  stop_sampler

  local k
  for k in "${!W[@]}"; do RES[$key:$k]=${W[$k]}; done
  RES[$key:conns]=$conns
  local secs ours=0
  secs=$(awk -v d="${W[duration_us]}" 'BEGIN { printf "%.3f", d / 1e6 }')
  RES[$key:rps]=$(awk -v n="${W[requests]}" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')
  for role in $(roles); do
    local ticks=0 hwm=0 threads=0 h t
    for pid in $(role_pids "$role"); do
      ticks=$((ticks + $(cpu_ticks "$pid")))
      h=$(status_kb "$pid" VmHWM); ((h > hwm)) && hwm=$h
      t=$(sampled_threads "$pid"); ((${t:-0} > threads)) && threads=$t
    done
    ticks=$((ticks - before[$role]))
    ours=$((ours + ticks))
    RES[$key:cpu_$role]=$(awk -v t="$ticks" -v hz="$CLK_TCK" -v n="${W[requests]}" 'BEGIN { printf "%.3f", (n > 0 ? t / hz / n * 1000 : 0) }')
    RES[$key:hwm_$role]=$((hwm / 1024))
    RES[$key:threads_$role]=$threads
  done
  RES[$key:cpu_wrk]=$(awk -v a="$wrk0" -v b="$wrk1" -v n="${W[requests]}" 'BEGIN { printf "%.3f", (n > 0 ? (b - a) / n * 1000 : 0) }')
  # Share of the machine (2 cores = 200 %) busy during the run, and the part of it that was not ours.
  RES[$key:busy]=$(awk -v b="$((busy1 - busy0))" -v hz="$CLK_TCK" -v s="$secs" -v c="$(nproc)" 'BEGIN { printf "%.0f", b / hz / s / c * 100 }')
  RES[$key:foreign]=$(awk -v b="$((busy1 - busy0))" -v o="$ours" -v w="$(awk -v a="$wrk0" -v b="$wrk1" 'BEGIN { print b - a }')" \
    -v hz="$CLK_TCK" -v s="$secs" -v c="$(nproc)" 'BEGIN { f = (b / hz - o / hz - w) / s / c * 100; printf "%.0f", (f < 0 ? 0 : f) }')
}

json_number() {  # JSON FIELD -> the first "FIELD":<number> in JSON (0 when absent)
  local value
  value=$(grep -o "\"$2\":[0-9]*" <<<"$1" | head -1 | cut -d: -f2)
  echo "${value:-0}"
}

# Reads the sandbox counters of the phase just measured into RES[KEY:...].
record_cxone_calls() {  # KEY
  local key="$1" stats counts
  sleep 1   # requests still in flight when wrk stopped finish first
  stats=$(sandbox_stats) || return 1
  # Counters by name, wherever the sandbox puts them: requests.{token,queues,interactions}, interactionsCreated.
  counts=$(grep -o '"requests":{[^}]*}' <<<"$stats" | head -1)
  RES[$key:token]=$(json_number "$counts" token)
  RES[$key:queues]=$(json_number "$counts" queues)
  RES[$key:posts]=$(json_number "$counts" interactions)
  RES[$key:created]=$(json_number "$stats" interactionsCreated)
  # interactionsPerSession: the unique sessions CXone saw, and how many of them got more than one interaction.
  read -r "RES[$key:unique]" "RES[$key:multi]" < <(sed 's/.*"interactionsPerSession":{//' <<<"$stats" \
    | grep -oE '"[^"]+":[0-9]+' | awk -F: '{ n++ } $NF > 1 { m++ } END { print n + 0, m + 0 }')
}

# --- scenarios ----------------------------------------------------------------------------------------------

SCRIPT_WEBHOOK=bench/webhook.lua
SCRIPT_CEILING=bench/sandbox-interactions.lua
POOL_PREFIX=""

# webhook_scenario KEY LABEL CONNS MODE [LATENCY_MS]
webhook_scenario() {
  local key="$1" label="$2" conns="$3" mode="$4" latency="${5:-0}"
  echo "  [$key] $label: warm-up ${WARMUP}s, measure ${DURATION}s at $conns connections..."
  ORDER+=("$key")
  RES[$key:label]=$label
  sandbox_reset
  ((latency > 0)) && sandbox_latency "$latency"
  run_wrk "$BENCH_ROOT/wrk-$key-warmup.txt" "$WEBFRONT_URL" "$conns" "$WARMUP" "$SCRIPT_WEBHOOK" \
    "$mode" "$key-warm-$RUN_ID" "$API_KEY" "$POOL_PREFIX" "$POOL_SIZE" 70 0 "$WRK_THREADS" || return 1
  sleep 1
  sandbox_reset
  ((latency > 0)) && sandbox_latency "$latency"
  measure "$key" "$WEBFRONT_URL" "$conns" "$DURATION" "$SCRIPT_WEBHOOK" \
    "$mode" "$key-$RUN_ID" "$API_KEY" "$POOL_PREFIX" "$POOL_SIZE" 70 0 "$WRK_THREADS" || return 1
  record_cxone_calls "$key"
  ((latency > 0)) && sandbox_latency 0
  RES[$key:silo_rss_now]=$(( $(status_kb "${SILO_PIDS[0]}" VmRSS) / 1024 ))
  print_row_brief "$key"
}

# An empty directory in which the wrk threads of a bounded run mark their end (see webhook.lua).
done_dir() {
  local dir="$BENCH_ROOT/done-$1-$RANDOM$RANDOM"
  rm -rf "$dir" && mkdir -p "$dir" && echo "$dir"
}

# Tiered JIT: a fresh stack needs ~10 s of load (more on a busy machine) before its code is optimised; the
# per-scenario warm-up alone would measure partly unoptimised code. Warms every process on the webhook path.
warm_stack() {
  echo "  warming the stack up: ${STACK_WARMUP}s of new-session webhooks..."
  run_wrk "$BENCH_ROOT/wrk-stack$STACK_NO-warmup.txt" "$WEBFRONT_URL" 32 "$STACK_WARMUP" "$SCRIPT_WEBHOOK" \
    new "warm$STACK_NO-$RUN_ID" "$API_KEY" "" 0 70 0 "$WRK_THREADS" || return 1
  printf '      %s webhooks/s over the warm-up\n' "$(awk -v n="${W[requests]}" -v d="${W[duration_us]}" 'BEGIN { printf "%.0f", n / d * 1e6 }')"
  sleep 1
  sandbox_reset
}

# Creates the pool that the repeat and mix scenarios pick from: every pool session routed once.
seed_pool() {
  POOL_PREFIX="pool-$RUN_ID-$STACK_NO"
  echo "  creating a pool of $POOL_SIZE sessions for the repeat scenarios..."
  run_wrk "$BENCH_ROOT/wrk-seed.txt" "$WEBFRONT_URL" 32 300 "$SCRIPT_WEBHOOK" \
    seed "seed-$RUN_ID" "$API_KEY" "$POOL_PREFIX" "$POOL_SIZE" 70 0 "$WRK_THREADS" "$(done_dir seed)" || return 1
  sleep 1
  local created
  created=$(sandbox_stats | grep -o '"interactionsCreated":[0-9]*' | head -1 | cut -d: -f2)
  if ((created < POOL_SIZE)); then
    echo "Pool seeding routed only $created of $POOL_SIZE sessions." >&2
    return 1
  fi
}

# The sandbox's own ceiling for interaction creation: same wrk, same connections, straight at CXone's API.
ceiling_scenario() {
  local key=ceiling conns="$1" token
  echo "  [$key] sandbox direct POST /api/v2/interactions: warm-up $((STACK_WARMUP + WARMUP))s, measure ${DURATION}s at $conns connections..."
  ORDER+=("$key")
  RES[$key:label]="CXone sandbox alone (direct POST /api/v2/interactions)"
  token=$(sandbox_token)
  [[ -n "$token" ]] || { echo "Could not get a sandbox token." >&2; return 1; }
  # A fresh sandbox: the stack warm-up's length of load first, so its code is as optimised as in the scenarios.
  run_wrk "$BENCH_ROOT/wrk-$key-warmup.txt" "$SANDBOX_URL" "$conns" "$((STACK_WARMUP + WARMUP))" "$SCRIPT_CEILING" "$token" "ceil-warm-$RUN_ID" || return 1
  sleep 1
  # Not sessions of ours: clear them without counting them into the stack's sessions.
  curl -fsS -o /dev/null -X POST "$SANDBOX_URL/_sandbox/reset"
  measure "$key" "$SANDBOX_URL" "$conns" "$DURATION" "$SCRIPT_CEILING" "$token" "ceil-$RUN_ID" || return 1
  record_cxone_calls "$key"
  curl -fsS -o /dev/null -X POST "$SANDBOX_URL/_sandbox/reset"
  print_row_brief "$key"
}

# New sessions until the stack has routed TARGET sessions in total; then the silo's RSS.
fill_scenario() {
  local target="$1" key=fill remaining per_thread
  sandbox_reset
  remaining=$((target - STACK_SESSIONS))
  ORDER+=("$key")
  RES[$key:label]="fresh silo: new sessions until $target exist (RSS checkpoint)"
  if ((remaining > 0)); then
    per_thread=$(((remaining + WRK_THREADS - 1) / WRK_THREADS))
    echo "  [$key] $remaining more new sessions (to $target in total) at 32 connections..."
    measure "$key" "$WEBFRONT_URL" 32 600 "$SCRIPT_WEBHOOK" \
      new "$key-$RUN_ID" "$API_KEY" "$POOL_PREFIX" "$POOL_SIZE" 70 "$per_thread" "$WRK_THREADS" "$(done_dir fill)" || return 1
    record_cxone_calls "$key"
    print_row_brief "$key"
  fi
  sandbox_reset
  RES[$key:sessions_total]=$STACK_SESSIONS
  RES[$key:rss_now]=$(( $(status_kb "${SILO_PIDS[0]}" VmRSS) / 1024 ))
  RES[$key:rss_peak]=$(( $(status_kb "${SILO_PIDS[0]}" VmHWM) / 1024 ))
  echo "  silo after $STACK_SESSIONS sessions: RSS ${RES[$key:rss_now]} MB; waiting ${IDLE_AFTER_FILL}s idle..."
  sleep "$IDLE_AFTER_FILL"
  RES[$key:rss_idle]=$(( $(status_kb "${SILO_PIDS[0]}" VmRSS) / 1024 ))
  RES[$key:webfront_rss_idle]=$(( $(status_kb "$WEBFRONT_PID" VmRSS) / 1024 ))
  SILO_LIFETIME_PEAK=$(( $(status_kb "${SILO_PIDS[0]}" VmHWM) / 1024 ))
}

print_row_brief() {
  local k="$1"
  printf '      %s webhooks/s, p50 %s ms, p99 %s ms, max %s ms, non-2xx %s, socket errors %s\n' \
    "${RES[$k:rps]}" "$(ms "${RES[$k:p50_us]}")" "$(ms "${RES[$k:p99_us]}")" "$(ms "${RES[$k:max_us]}")" \
    "${RES[$k:non2xx]}" "$(socket_errors "$k")"
}

ms() { awk -v u="${1:-0}" 'BEGIN { printf(u < 10000 ? "%.2f" : "%.1f", u / 1000) }'; }
socket_errors() { echo $(( ${RES[$1:connect]:-0} + ${RES[$1:read]:-0} + ${RES[$1:write]:-0} + ${RES[$1:timeout]:-0} )); }
per_session() { awk -v n="${1:-0}" -v d="${2:-0}" 'BEGIN { if (d > 0) printf "%.4f", n / d; else printf "-" }'; }
