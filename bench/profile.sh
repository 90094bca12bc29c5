# Sourced by bench.sh for `./bench.sh --profile SCENARIO`: one stack, the scenario's load, and while it runs
#  - perf (CPU samples with .NET JIT symbols via DOTNET_PerfMapEnabled) for the silo and the WebFront,
#  - dotnet-counters (System.Runtime: CPU, GC, allocation, thread pool) for both,
# summarised into $BENCH_ROOT/profile-<scenario>-<run>/summary.txt. Tools are installed when missing:
# linux-perf with apt-get (root), dotnet-counters as a .NET tool from NuGet into $BENCH_ROOT/tools.

TOOLS="$BENCH_ROOT/tools"
PROFILE_SECONDS=${PROFILE_SECONDS:-10}

ensure_profilers() {
  if ! command -v perf >/dev/null; then
    [[ $(id -u) -eq 0 ]] || { echo "perf is missing: apt-get install linux-perf (as root)" >&2; return 1; }
    echo "Installing perf (apt-get install linux-perf)..."
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq linux-perf; } >"$LOGS/apt-perf.log" 2>&1 \
      || { cat "$LOGS/apt-perf.log" >&2; return 1; }
  fi
  local tool
  for tool in dotnet-counters dotnet-gcdump; do
    if [[ ! -x "$TOOLS/$tool" ]]; then
      echo "Installing $tool (dotnet tool, into $TOOLS)..."
      dotnet tool install --tool-path "$TOOLS" "$tool" >"$LOGS/tools.log" 2>&1 || { cat "$LOGS/tools.log" >&2; return 1; }
    fi
  done
}

# `--profile memory`: what the silo holds after FILL_TARGET sessions. RSS, the GC's own view (dotnet-counters), and
# the live heap by type (dotnet-gcdump, which forces a full collection first; RSS is read again after it).
memory_profile() {
  ensure_profilers || return 1
  local dir="$BENCH_ROOT/profile-memory-$RUN_ID"
  mkdir -p "$dir"
  STACK_NO=1
  echo "Memory profile: one silo ($STORAGE storage), $FILL_TARGET sessions; output in $dir"
  start_stack 1 "$STORAGE" || return 1
  warm_stack || return 1
  fill_scenario "$FILL_TARGET" || return 1
  local silo=${SILO_PIDS[0]} out="$dir/summary.txt"
  {
    echo "sessions routed on this silo: $STACK_SESSIONS"
    echo "silo RSS after the load: ${RES[fill:rss_now]} MB; after ${IDLE_AFTER_FILL} s idle: ${RES[fill:rss_idle]} MB"
  } >"$out"
  "$TOOLS/dotnet-counters" collect -p "$silo" --counters System.Runtime --refresh-interval 1 --format csv \
    -o "$dir/silo-counters.csv" --duration 00:00:00:03 >"$dir/counters.log" 2>&1
  [[ -s "$dir/silo-counters.csv" ]] && counters_summary "$dir/silo-counters.csv" "$out" "silo (idle, after the load)"
  "$TOOLS/dotnet-gcdump" collect -p "$silo" -o "$dir/silo.gcdump" >"$dir/gcdump.log" 2>&1
  {
    echo "silo RSS after dotnet-gcdump's full collection: $(( $(status_kb "$silo" VmRSS) / 1024 )) MB"
    echo
    echo "== live heap by type (dotnet-gcdump report) =="
    "$TOOLS/dotnet-gcdump" report "$dir/silo.gcdump" 2>&1 | head -45
  } >>"$out"
  stop_stack
  cat "$out"
}

# perf_summary DATA OUT TITLE: flat profile by shared object, then the hottest symbols.
perf_summary() {
  local data="$1" out="$2" title="$3"
  {
    echo "== $title: CPU samples by module (perf, self time) =="
    perf report -i "$data" --no-children --sort dso --stdio 2>/dev/null | grep -E '^ +[0-9.]+%' | head -12
    echo
    echo "== $title: hottest functions (self time; JIT code named via perf map, runtime/GC in libcoreclr.so) =="
    perf report -i "$data" --no-children --sort dso,symbol --stdio -g none 2>/dev/null | grep -E '^ +[0-9.]+%' | head -45 | cut -c1-200
    echo
  } >>"$out"
}

# counters_summary CSV OUT TITLE: mean of each System.Runtime counter over the window.
counters_summary() {
  local csv="$1" out="$2" title="$3"
  {
    echo "== $title: dotnet-counters, mean over the window =="
    awk -F, 'NR > 1 && NF >= 5 { key = $3 " [" $4 "]"; sum[key] += $5; n[key]++ }
      END { for (k in sum) printf "  %-90s %14.2f\n", k, sum[k] / n[k] }' "$csv" | sort
    echo
  } >>"$out"
}

# profile_scenario MODE CONNS [LATENCY_MS]
profile_scenario() {
  local scenario="$1" mode conns latency=0
  case "$scenario" in
    new) mode=new; conns=32 ;;
    repeat) mode=repeat; conns=32 ;;
    mix) mode=mix; conns=32 ;;
    latency) mode=new; conns=256; latency=20 ;;
    memory) memory_profile; return ;;
    *) echo "--profile takes new, repeat, mix, latency or memory" >&2; return 2 ;;
  esac
  ensure_profilers || return 1
  local dir="$BENCH_ROOT/profile-$scenario-$RUN_ID"
  mkdir -p "$dir"
  # Perf maps name JIT-compiled methods; W^X off keeps JIT code in anonymous memory where perf can attribute it.
  SILO_EXTRA_ENV+=(DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0)
  WEBFRONT_EXTRA_ENV+=(DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0)
  STACK_NO=1
  echo "Profiling scenario '$scenario' ($mode, $conns connections${latency:+, CXone +${latency} ms}); output in $dir"
  start_stack 1 "$STORAGE" || return 1
  warm_stack || return 1
  if [[ "$mode" != new ]]; then seed_pool || return 1; fi
  ((latency > 0)) && sandbox_latency "$latency"
  wait_quiet
  local total=$((PROFILE_SECONDS + 4)) silo=${SILO_PIDS[0]} webfront=$WEBFRONT_PID
  run_wrk "$dir/wrk.txt" "$WEBFRONT_URL" "$conns" "$total" "$SCRIPT_WEBHOOK" \
    "$mode" "prof-$RUN_ID" "$API_KEY" "$POOL_PREFIX" "$POOL_SIZE" 70 0 "$WRK_THREADS" &
  local load=$!
  sleep 2
  local duration
  duration=$(printf '00:00:00:%02d' "$PROFILE_SECONDS")
  "$TOOLS/dotnet-counters" collect -p "$silo" --counters System.Runtime --refresh-interval 1 --format csv \
    -o "$dir/silo-counters.csv" --duration "$duration" >"$dir/counters-silo.log" 2>&1 &
  local c1=$!
  "$TOOLS/dotnet-counters" collect -p "$WEBFRONT_PID" --counters System.Runtime --refresh-interval 1 --format csv \
    -o "$dir/webfront-counters.csv" --duration "$duration" >"$dir/counters-webfront.log" 2>&1 &
  local c2=$!
  perf record -F 499 -g -o "$dir/silo.perf" -p "$silo" -- sleep "$PROFILE_SECONDS" >"$dir/perf-silo.log" 2>&1 &
  local p1=$!
  perf record -F 499 -g -o "$dir/webfront.perf" -p "$WEBFRONT_PID" -- sleep "$PROFILE_SECONDS" >"$dir/perf-webfront.log" 2>&1 &
  local p2=$!
  wait "$p1" "$p2" "$c1" "$c2" "$load"
  ((latency > 0)) && sandbox_latency 0
  grep -m1 '^BENCH_RESULT' "$dir/wrk.txt" >"$dir/summary.txt"
  perf_summary "$dir/silo.perf" "$dir/summary.txt" silo
  perf_summary "$dir/webfront.perf" "$dir/summary.txt" WebFront
  [[ -s "$dir/silo-counters.csv" ]] && counters_summary "$dir/silo-counters.csv" "$dir/summary.txt" silo
  [[ -s "$dir/webfront-counters.csv" ]] && counters_summary "$dir/webfront-counters.csv" "$dir/summary.txt" WebFront
  stop_stack
  # Keep the perf maps with the data (perf report looks for /tmp/perf-<pid>.map; copy them back to re-read).
  mv -f "/tmp/perf-$silo.map" "/tmp/perf-$webfront.map" "$dir/" 2>/dev/null
  rm -f "/tmp/perfinfo-$silo.map" "/tmp/perfinfo-$webfront.map"
  cat "$dir/summary.txt"
  echo
  echo "Profile written to $dir (perf data: perf report -i $dir/silo.perf)."
}
