-- wrk script for POST /webhook/cognigy. Arguments (after "--"):
--   mode     new | repeat | mix | seed
--   tag      unique per run phase; new session ids are "<tag>-<thread>-<n>"
--   apikey   X-Api-Key value
--   pool     pool prefix; pool session ids are "<pool>-<i>", i = 1..poolsize (repeat, mix, seed)
--   poolsize size of the pre-created pool
--   newpct   mix: percentage of requests that open a new session (default 70)
--   limit    new: each thread stops after this many requests (0 = run for -d)
--   threads  wrk's -t (seed mode spreads the pool over the threads)
--   donedir  new with a limit, and seed: an empty directory; each thread marks its end there and the last one
--            ends wrk early (wrk itself always runs for the full -d)
--
-- response() sorts the answers: 200 with "duplicate":false (a session routed now), 200 with "duplicate":true
-- (a repeat), 202 (pending: not routed within the answer budget) and anything else. wrk itself counts
-- statuses > 399 in errors.status, which done() prints as non2xx.

local threads = {}
local counter = 1

function setup(thread)
   thread:set("tid", #threads + 1)
   table.insert(threads, thread)
end

local mode, tag, pool, poolsize, newpct, limit, nthreads, donedir
local headers

function init(args)
   mode = args[1] or "new"
   tag = args[2] or "bench"
   headers = { ["Content-Type"] = "application/json", ["X-Api-Key"] = args[3] or "" }
   pool = args[4] or (tag .. "-pool")
   poolsize = tonumber(args[5] or "0")
   newpct = tonumber(args[6] or "70")
   limit = tonumber(args[7] or "0")
   nthreads = tonumber(args[8] or "1")
   donedir = args[9]
   math.randomseed(os.time() * 1000 + tid)
   if mode == "seed" then
      -- thread tid sends pool ids tid, tid + nthreads, ...
      counter = tid
   end
end

local prefix = '{"sessionId":"'
local suffix = '","user":{"name":"Ada","email":"ada@example.com"},"input":"I was charged twice",'
   .. '"intents":[{"intent":"billing_issue","confidence":0.92},{"intent":"sales_inquiry","confidence":0.31}]}'

local function body(id)
   return prefix .. id .. suffix
end

local sent = 0
local finished = false
newsent = 0
routed = 0
duplicates = 0
pending = 0
other = 0

-- This thread's share is sent: stop it, and when every thread is done, interrupt wrk (SIGINT ends its
-- sleep for -d; it then joins the threads and reports as usual). os.execute's shell is wrk's child; the
-- kill runs in the background because system() ignores SIGINT in wrk until that shell has exited.
local function finish()
   if finished then
      return
   end
   finished = true
   wrk.thread:stop()
   if not donedir then
      return
   end
   local mark = io.open(donedir .. "/" .. tid, "w")
   if mark then
      mark:close()
   end
   for i = 1, nthreads do
      local other = io.open(donedir .. "/" .. i, "r")
      if not other then
         return
      end
      other:close()
   end
   os.execute("(sleep 0.05; kill -INT $PPID) >/dev/null 2>&1 &")
end

function request()
   sent = sent + 1
   local id
   if mode == "seed" then
      if counter > poolsize then
         finish()
         -- wrk still sends this request; a repeat of pool id 1 is harmless (deduplicated).
         id = pool .. "-1"
      else
         id = pool .. "-" .. counter
         counter = counter + nthreads
      end
   elseif mode == "repeat" or (mode == "mix" and math.random(100) > newpct) then
      id = pool .. "-" .. math.random(poolsize)
   else
      if limit > 0 and sent > limit then
         finish()
      end
      id = tag .. "-" .. tid .. "-" .. counter
      counter = counter + 1
      newsent = newsent + 1
   end
   return wrk.format("POST", "/webhook/cognigy", headers, body(id))
end

function response(status, headers, body)
   if status == 200 then
      if string.find(body, '"duplicate":true', 1, true) then
         duplicates = duplicates + 1
      else
         routed = routed + 1
      end
   elseif status == 202 then
      pending = pending + 1
   else
      other = other + 1
   end
end

function done(summary, latency, requests)
   -- New sessions actually sent, including requests still in flight when wrk stopped (the server may
   -- still have routed them); the denominator for "CXone calls per new session".
   local sessions, ok_new, ok_dup, accepted, others = 0, 0, 0, 0, 0
   for _, thread in ipairs(threads) do
      sessions = sessions + (thread:get("newsent") or 0)
      ok_new = ok_new + (thread:get("routed") or 0)
      ok_dup = ok_dup + (thread:get("duplicates") or 0)
      accepted = accepted + (thread:get("pending") or 0)
      others = others + (thread:get("other") or 0)
   end
   local e = summary.errors
   io.write(string.format(
      "BENCH_RESULT new_sessions=%d routed=%d duplicates=%d pending=%d other_status=%d requests=%d duration_us=%d non2xx=%d connect=%d read=%d write=%d timeout=%d "
         .. "p50_us=%d p90_us=%d p99_us=%d max_us=%d mean_us=%d\n",
      sessions, ok_new, ok_dup, accepted, others, summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
