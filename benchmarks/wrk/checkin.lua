-- POST /api/v1/checkins: every request a different (member, date), so each one is a real
-- check-in (seat counted under the space lock, seat paid in SC, timeline entry), not a 409.
-- Files from the environment: BENCH_TOKENS (one bearer token a line), BENCH_SPACES (space
-- ids), BENCH_DATES (ISO dates, chosen by http_load.py where those spaces have room);
-- BENCH_THREADS = wrk's -t.
--
-- Request n (unique across threads) goes to date n % D, space n % S and member
-- (n // D + 997 d) % T: for one date the members are all different for the first T * D
-- requests, consecutive requests use different members, dates and spaces, so no (member, date)
-- repeats and no space fills up on one date. Response statuses are counted and printed.
local function lines(path)
  local t = {}
  for line in io.lines(path) do if #line > 0 then t[#t + 1] = line end end
  return t
end
local tokens = lines(os.getenv("BENCH_TOKENS"))
local spaces = lines(os.getenv("BENCH_SPACES"))
local dates = lines(os.getenv("BENCH_DATES"))
local nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")
local next_id = 0
local threads = {}
function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  threads[#threads + 1] = thread
end
local counter = 0
function request()
  local n = counter * nthreads + (tid or 0)
  counter = counter + 1
  local d = n % #dates
  local m = (math.floor(n / #dates) + 997 * d) % #tokens
  local body = string.format('{"space_id": %s, "date": "%s", "focus": "benchmark"}',
    spaces[(n % #spaces) + 1], dates[d + 1])
  return wrk.format("POST", "/api/v1/checkins",
    {["Authorization"] = "Bearer " .. tokens[m + 1], ["Content-Type"] = "application/json"}, body)
end
statuses = {}
sample = ""
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status >= 300 and sample == "" then sample = string.sub(body or "", 1, 200) end
end
function done(summary, latency, requests)
  local total, first = {}, ""
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("statuses")) do total[k] = (total[k] or 0) + v end
    local s = t:get("sample")
    if first == "" and s then first = s end
  end
  local parts = {}
  for k, v in pairs(total) do parts[#parts + 1] = string.format('"%d": %d', k, v) end
  io.write("statuses: {" .. table.concat(parts, ", ") .. "}\n")
  if first ~= "" then io.write("first non-2xx body: " .. first:gsub("\n", " ") .. "\n") end
end
