#!/usr/bin/env bash
# Runs every test. Installs what the tests need (Azurite via npm ci, NuGet packages), builds the whole
# solution (the Silo too), runs the xunit suites and ends with one line: "N passed, N failed".
# The Azure-storage tests start their own Azurite on free loopback ports; nothing else needs to be running.
set -uo pipefail
cd "$(dirname "$0")"
mkdir -p .run
log=.run/test.log

fail() { echo "$1" >&2; echo "0 passed, 1 failed"; exit 1; }

if [[ ! -x node_modules/.bin/azurite || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "Installing Azurite (npm ci)..."
  npm ci --no-audit --no-fund --loglevel=error >.run/npm.log 2>&1 || { cat .run/npm.log; fail "npm ci failed"; }
fi

echo "Building..."
dotnet build OrleansRouting.sln -nologo -v quiet -clp:NoSummary >.run/build.log 2>&1 || { cat .run/build.log; fail "build failed"; }

echo "Testing..."
dotnet test OrleansRouting.sln --no-build --nologo "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# VSTest prints one summary per test assembly: "Passed!  - Failed:     0, Passed:   116, Skipped: ..."
read -r passed failed < <(sed -n 's/.*Failed: *\([0-9]*\), Passed: *\([0-9]*\),.*/\2 \1/p' "$log" \
  | awk '{p+=$1; f+=$2} END {print p+0, f+0}')
if [[ $status -ne 0 && $failed -eq 0 ]]; then failed=1; fi
echo "$passed passed, $failed failed"
[[ $status -eq 0 && $failed -eq 0 && $passed -gt 0 ]]
