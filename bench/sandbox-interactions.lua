-- wrk script for the CXone sandbox's own ceiling: POST /api/v2/interactions directly, one new
-- interaction per request, with the body and headers our silo sends (bearer token, Idempotency-Key).
-- Arguments (after "--"): token, tag, queueId.

local threads = {}
local counter = 1

function setup(thread)
   thread:set("tid", #threads + 1)
   table.insert(threads, thread)
end

local token, tag, queue

function init(args)
   token = args[1] or ""
   tag = args[2] or "ceiling"
   queue = args[3] or "q-billing"
end

function request()
   local id = tag .. "-" .. tid .. "-" .. counter
   counter = counter + 1
   local body = '{"type":"chat","initiationDirection":"inbound","routingData":{"queueId":"' .. queue
      .. '","priority":5,"skillRequirements":[]},"participants":[{"role":"customer","externalContactId":"' .. id
      .. '","contactDetails":{"email":"ada@example.com","name":"Ada"}},{"role":"agent"}],'
      .. '"customData":{"cognigySessionId":"' .. id .. '","detectedIntent":"billing_issue","intentContext":"I was charged twice"}}'
   return wrk.format("POST", "/api/v2/interactions", {
      ["Content-Type"] = "application/json",
      ["Authorization"] = "Bearer " .. token,
      ["Idempotency-Key"] = id,
   }, body)
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      "BENCH_RESULT requests=%d duration_us=%d non2xx=%d connect=%d read=%d write=%d timeout=%d "
         .. "p50_us=%d p90_us=%d p99_us=%d max_us=%d mean_us=%d\n",
      summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
