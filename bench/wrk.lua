-- wrk script for bench/run.py: loads one URL as given on the command line, or, with a
-- plan file argument, sends the rating POSTs it lists (path, cookie, form body per
-- line, tab-separated). Each run of wrk is given its own stretch of the plan (the
-- first line, and the number of threads): thread k sends lines first + k, first + k +
-- threads, … so that no two threads, and no two runs, send the same rating again.
-- At the end it prints one line of JSON that run.py reads.

local plan = {}
local position = 0
local stride = 1
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("thread_number", counter)
end

function init(args)
  if args[1] then
    for line in io.lines(args[1]) do
      local path, cookie, body = line:match("^([^\t]+)\t([^\t]+)\t([^\t]+)$")
      if path then
        plan[#plan + 1] = { path = path, cookie = cookie, body = body }
      end
    end
    stride = tonumber(args[3] or "1")
    position = (tonumber(args[2] or "0") + (thread_number or 1) - 1) % #plan
  end
end

function request()
  if #plan == 0 then
    return wrk.request()
  end
  local step = plan[position + 1]
  position = (position + stride) % #plan
  return wrk.format("POST", step.path, {
    ["Cookie"] = step.cookie,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, step.body)
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, '
      .. '"max_us": %d, "connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, errors.connect, errors.read, errors.write, errors.status, errors.timeout
  ))
end
