#!/usr/bin/env bash
# Benchmark: starts the stack locally (CXone sandbox, silo(s), WebFront, Release build, 127.0.0.1 only), drives it
# with wrk and prints throughput, latency, CXone calls per session, peak RSS and CPU per 1,000 webhooks.
# See BENCHMARKS.md for what each figure means and the latest results.
#
#   ./bench.sh                  all scenarios (~8 min): sandbox ceiling, new, repeat, mix, CXone +20 ms at 256
#                               connections, a fresh silo filled to 200,000 sessions (RSS), 2 silos, Azure on Azurite
#   ./bench.sh --quick          the same, shorter (~3 min): 3 s warm-up, 6 s runs, no fill to 200,000
#   ./bench.sh --storage azure  scenarios 1-5 on Azure Table storage (Azurite) instead of memory
#   ./bench.sh --only new,repeat        a subset: ceiling,new,repeat,mix,latency,fill,silos2,azure
#   ./bench.sh --commit HEAD    benchmark a commit (clean export via git archive) instead of the working tree
#   ./bench.sh --duration 20 --warmup 5 --sessions 200000 --pool 10000 --idle 10 --no-build
#                               (--idle: seconds to wait after the 200,000-session fill before RSS is read again)
#   ./bench.sh --silo-env DOTNET_gcServer=0     extra environment for the silos (experiments; repeatable);
#                                               --webfront-env likewise
#   ./bench.sh --profile new    instead of the benchmark: perf + dotnet-counters on silo and WebFront under one
#                               scenario's load (new, repeat, mix, latency); summary in .run/bench/profile-*/
#   ./bench.sh --profile memory what one silo holds after --sessions sessions (RSS, GC counters, heap by type)
# Results are printed as Markdown and saved to .run/bench/results-<time>.md; logs in .run/bench/logs/.
# Needs the .NET SDK and wrk (installed with apt-get when missing and running as root); Node.js for Azurite.
set -uo pipefail
cd "$(dirname "$0")"

WARMUP=5
DURATION=15
STACK_WARMUP=20
FILL_TARGET=200000
POOL_SIZE=10000
IDLE_AFTER_FILL=10
STORAGE=memory
BUILD=true
SCENARIOS="ceiling,new,repeat,mix,latency,fill,silos2,azure"
COMMAND="./bench.sh $*"
EXTRA_SILO_ENV=()
EXTRA_WEBFRONT_ENV=()
PROFILE=""
COMMIT=""

while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) WARMUP=3; DURATION=6; STACK_WARMUP=10; FILL_TARGET=0; POOL_SIZE=2000; IDLE_AFTER_FILL=3; shift ;;
    --duration) DURATION="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --sessions) FILL_TARGET="$2"; shift 2 ;;
    --pool) POOL_SIZE="$2"; shift 2 ;;
    --idle) IDLE_AFTER_FILL="$2"; shift 2 ;;
    --storage) STORAGE="$2"; shift 2 ;;
    --only) SCENARIOS="$2"; shift 2 ;;
    --no-build) BUILD=false; shift ;;
    --commit) COMMIT="$2"; shift 2 ;;
    --silo-env) EXTRA_SILO_ENV+=("$2"); shift 2 ;;
    --webfront-env) EXTRA_WEBFRONT_ENV+=("$2"); shift 2 ;;
    --profile) PROFILE="$2"; shift 2 ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$STORAGE" == memory || "$STORAGE" == azure ]] || { echo "--storage must be memory or azure" >&2; exit 2; }
for n in "$DURATION" "$WARMUP" "$FILL_TARGET" "$POOL_SIZE" "$IDLE_AFTER_FILL"; do
  [[ "$n" =~ ^[0-9]+$ ]] || { echo "numeric options take whole numbers" >&2; exit 2; }
done
((DURATION > 0 && WARMUP > 0 && POOL_SIZE > 0)) || { echo "--duration, --warmup and --pool must be positive" >&2; exit 2; }

source bench/stack.sh
source bench/measure.sh
source bench/report.sh
source bench/profile.sh
SILO_EXTRA_ENV=("${EXTRA_SILO_ENV[@]}")
WEBFRONT_EXTRA_ENV=("${EXTRA_WEBFRONT_ENV[@]}")

want() { [[ ",$SCENARIOS," == *",$1,"* ]]; }

command -v dotnet >/dev/null || { echo "The .NET SDK is required: https://dot.net" >&2; exit 1; }
mkdir -p "$BENCH_ROOT" "$LOGS"
ensure_wrk || exit 1
use_source "$COMMIT" || exit 1
if $BUILD; then build_release || exit 1; fi

cleanup() {
  trap - EXIT INT TERM
  stop_sampler
  stop_all
}
trap cleanup EXIT
trap 'exit 130' INT TERM

RUN_ID="$(date +%m%d%H%M%S)"
STARTED=$(date +%s)
RESULTS="$BENCH_ROOT/results-$RUN_ID.md"
SILO_LIFETIME_PEAK=""
echo "Benchmark run $RUN_ID: warm-up ${WARMUP}s, measured ${DURATION}s per scenario, $STORAGE storage."

fail() { echo "Benchmark aborted: $1 (logs in $LOGS/)" >&2; exit 1; }

if [[ -n "$PROFILE" ]]; then
  profile_scenario "$PROFILE"
  exit $?
fi

# Stack 0: the sandbox alone, for its own ceiling (a fresh process, so its heap does not weigh on the scenarios).
if want ceiling; then
  STACK_NO=0
  echo "Stack 0: the CXone sandbox alone"
  start_stack 0 "$STORAGE" || fail "stack 0 did not start"
  ceiling_scenario 32 || fail "ceiling"
  stop_stack
fi

# Stack 1: one silo. Scenarios 1-4 run on it in turn, as a long-running silo would see them.
if want new || want repeat || want mix || want latency; then
  STACK_NO=1
  echo "Stack 1: sandbox + 1 silo ($STORAGE storage) + WebFront"
  start_stack 1 "$STORAGE" || fail "stack 1 did not start"
  warm_stack || fail "warm-up"
  if want new; then webhook_scenario new "1. new session per webhook" 32 new || fail "new"; fi
  if want repeat || want mix; then seed_pool || fail "pool"; fi
  if want repeat; then webhook_scenario repeat "2. repeats of existing sessions" 32 repeat || fail "repeat"; fi
  if want mix; then webhook_scenario mix "3. mix: 70 % new, 30 % repeats" 32 mix || fail "mix"; fi
  if want latency; then webhook_scenario latency "4. new sessions, CXone +20 ms" 256 new 20 || fail "latency"; fi
  # Without the fill below (--quick, --sessions 0), report the silo's memory at whatever count stack 1 reached.
  if ! want fill || ((FILL_TARGET == 0)); then fill_scenario 0 || fail "checkpoint"; fi
  stop_stack
fi

# Stack 4: the memory checkpoint. A fresh silo fed exactly FILL_TARGET sessions (warm-up included), then its RSS.
if want fill && ((FILL_TARGET > 0)); then
  STACK_NO=4
  echo "Stack 4: sandbox + 1 silo ($STORAGE storage) + WebFront, for the RSS checkpoint at $FILL_TARGET sessions"
  start_stack 1 "$STORAGE" || fail "stack 4 did not start"
  warm_stack || fail "warm-up"
  fill_scenario "$FILL_TARGET" || fail "fill"
  stop_stack
fi

if want silos2; then
  STACK_NO=2
  echo "Stack 2: sandbox + 2 silos ($STORAGE storage) + WebFront"
  start_stack 2 "$STORAGE" || fail "stack 2 did not start"
  warm_stack || fail "warm-up"
  webhook_scenario silos2 "5. new sessions, 2 silos" 32 new || fail "silos2"
  stop_stack
fi

if want azure && [[ "$STORAGE" == memory ]]; then
  STACK_NO=3
  echo "Stack 3: sandbox + Azurite + 1 silo (Azure Table storage and membership) + WebFront"
  start_stack 1 azure || fail "stack 3 did not start"
  warm_stack || fail "warm-up"
  webhook_scenario azure "6. new sessions, Azure Table on Azurite" 32 new || fail "azure"
  stop_stack
fi

print_report | tee "$RESULTS"
echo
echo "Saved to $RESULTS ($(($(date +%s) - STARTED)) s)."
