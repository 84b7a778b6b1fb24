-- POST /api/v1/checkins: every request a different (member, date), so each one is a real
-- check-in (seat counted under the space lock, seat paid in SC, timeline entry), not a 409.
-- Files from the environment: BENCH_TOKENS (one bearer token a line), BENCH_SPACES (space
-- ids), BENCH_DATES (ISO dates); BENCH_THREADS = wrk's -t.
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
function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
end
local counter = 0
function request()
  local n = counter * nthreads + (tid or 0)
  counter = counter + 1
  local m = n % #tokens
  local d = math.floor(n / #tokens) % #dates
  local body = string.format('{"space_id": %s, "date": "%s", "focus": "benchmark"}',
    spaces[(n % #spaces) + 1], dates[d + 1])
  return wrk.format("POST", "/api/v1/checkins",
    {["Authorization"] = "Bearer " .. tokens[m + 1], ["Content-Type"] = "application/json"}, body)
end
