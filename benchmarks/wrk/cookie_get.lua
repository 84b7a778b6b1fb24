-- GET BENCH_PATH as a signed-in member: session cookies from BENCH_COOKIES, round robin.
local cookies = {}
for line in io.lines(os.getenv("BENCH_COOKIES")) do if #line > 0 then cookies[#cookies + 1] = line end end
local path = os.getenv("BENCH_PATH")
local i = 0
function request()
  i = i + 1
  return wrk.format("GET", path, {["Cookie"] = "sessionid=" .. cookies[(i % #cookies) + 1]})
end
