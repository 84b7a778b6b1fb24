-- GET BENCH_PATH with a bearer token from BENCH_TOKENS, round robin.
local tokens = {}
for line in io.lines(os.getenv("BENCH_TOKENS")) do if #line > 0 then tokens[#tokens + 1] = line end end
local path = os.getenv("BENCH_PATH")
local i = 0
function request()
  i = i + 1
  return wrk.format("GET", path, {["Authorization"] = "Bearer " .. tokens[(i % #tokens) + 1]})
end
