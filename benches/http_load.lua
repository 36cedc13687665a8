-- wrk script of benches/http_load.sh:
--   wrk ... -s benches/http_load.lua URL -- get
--   wrk ... -s benches/http_load.lua URL -- post BODY_FILE   (POSTs the file, as JSON)
--   wrk ... -s benches/http_load.lua URL -- form BODY_FILE   (POSTs the file, as a form)
-- Other headers (Authorization) come from wrk's -H. At the end, prints one machine-readable
-- line, `HTTP_LOAD key=value ...`, with latencies in microseconds (http_errors: responses with a
-- status of 400 or more).

function init(args)
   if args[1] == "post" then
      local file = assert(io.open(args[2], "rb"))
      wrk.method = "POST"
      wrk.body = file:read("*a")
      file:close()
      wrk.headers["Content-Type"] = "application/json"
   elseif args[1] == "form" then
      local file = assert(io.open(args[2], "rb"))
      wrk.method = "POST"
      wrk.body = file:read("*a")
      file:close()
      wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
   elseif args[1] ~= "get" then
      error("http_load.lua: the first argument is get, post or form, not " .. tostring(args[1]))
   end
end

function done(summary, latency, requests)
   local errors = summary.errors
   io.write(string.format(
      "HTTP_LOAD requests=%d duration_us=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d p999_us=%d"
         .. " max_us=%d connect_errors=%d read_errors=%d write_errors=%d http_errors=%d"
         .. " timeouts=%d\n",
      summary.requests, summary.duration, summary.requests / summary.duration * 1e6,
      latency:percentile(50), latency:percentile(90), latency:percentile(99),
      latency:percentile(99.9), latency.max,
      errors.connect, errors.read, errors.write, errors.status, errors.timeout))
end
