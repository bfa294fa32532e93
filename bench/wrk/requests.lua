-- wrk script for bench/api_load.py (see bench/README.md).
--
-- BENCH_LINES   file with one request per line: a JSON body (POST) or a path (GET);
--               thread t of n takes lines t, t+n, t+2n, ... and cycles through them
-- BENCH_METHOD  POST (default) or GET
-- BENCH_EXPECT  a response is "ok" when it is HTTP 200 and its body contains this text
-- BENCH_THREADS the -t given to wrk
--
-- done() prints one line "BENCH_JSON {...}" with requests/s, latency percentiles (us),
-- socket errors and the ok/bad counts of the checked responses.

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  local n = tonumber(os.getenv("BENCH_THREADS") or "1")
  method = os.getenv("BENCH_METHOD") or "POST"
  expect = os.getenv("BENCH_EXPECT") or '"data"'
  lines = {}
  local i = 0
  for line in io.lines(os.getenv("BENCH_LINES")) do
    if line ~= "" then
      if i % n == tid then lines[#lines + 1] = line end
      i = i + 1
    end
  end
  if #lines == 0 then error("no request lines for thread " .. tid) end
  idx = 0
  ok = 0
  bad = 0
  sample = ""
  headers = {}
  for k, v in pairs(wrk.headers) do headers[k] = v end
  if method == "POST" then headers["Content-Type"] = "application/json" end
  headers["Accept"] = "application/json"
end

function request()
  idx = idx % #lines + 1
  if method == "GET" then
    return wrk.format("GET", lines[idx], headers, nil)
  end
  return wrk.format("POST", nil, headers, lines[idx])
end

function response(status, hdrs, body)
  if status == 200 and body ~= nil and string.find(body, expect, 1, true) then
    ok = ok + 1
  else
    bad = bad + 1
    if sample == "" then
      sample = tostring(status) .. " " .. string.sub(body or "", 1, 300)
    end
  end
end

local function clean(s)
  return (string.gsub(s or "", '[%c"\\]', " "))
end

function done(summary, latency, requests)
  local good, wrong, first = 0, 0, ""
  for _, t in ipairs(threads) do
    good = good + (t:get("ok") or 0)
    wrong = wrong + (t:get("bad") or 0)
    local s = t:get("sample") or ""
    if first == "" and s ~= "" then first = s end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"rps":%.3f,"p50_us":%d,"p90_us":%d,' ..
    '"p99_us":%d,"max_us":%d,"mean_us":%.1f,"errors":%d,"status_errors":%d,' ..
    '"ok":%d,"bad":%d,"sample":"%s"}\n',
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean, e.connect + e.read + e.write + e.timeout, e.status, good, wrong,
    clean(first)))
end
