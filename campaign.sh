#!/usr/bin/env bash
# The fault campaign (issue: stay correct while CXone is slow, throttling, failing or down): every scenario runs a
# bounded batch of Cognigy-style escalations against an in-process cluster + CXone sandbox and asserts no duplicate
# and no lost escalation. Prints one table. At the default CAMPAIGN_SCALE=1 the outages are the issue's (token endpoint
# down 10 s, CXone down 30 s), as in the test suite; CAMPAIGN_SCALE=3 makes them three times longer.
set -uo pipefail
cd "$(dirname "$0")"
export CAMPAIGN_SCALE="${CAMPAIGN_SCALE:-1}"
mkdir -p .run
rm -f .run/fault-campaign.md
[[ -x node_modules/.bin/azurite ]] || npm ci --no-audit --no-fund --loglevel=error >/dev/null
dotnet build tests/OrleansRouting.Tests -nologo -v quiet -clp:NoSummary >.run/build.log 2>&1 || { cat .run/build.log; exit 1; }
dotnet test tests/OrleansRouting.Tests --no-build --nologo --filter "Category=FaultCampaign" 2>&1 | tail -n 3
status=${PIPESTATUS[0]}
echo
echo "Fault campaign (CAMPAIGN_SCALE=$CAMPAIGN_SCALE):"
cat .run/fault-campaign.md
exit "$status"
