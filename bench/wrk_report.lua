-- wrk script for bench/latency.py: sends the login (session cookie or API token header) given
-- in the environment and prints the latency distribution as one JSON line at the end.
local cookie = os.getenv("BENCH_COOKIE")
local authorization = os.getenv("BENCH_AUTHORIZATION")
-- gunicorn listens on plain HTTP; the app trusts this header (SECURE_PROXY_SSL_HEADER) as a proxy's.
wrk.headers["X-Forwarded-Proto"] = "https"
if cookie and cookie ~= "" then
  wrk.headers["Cookie"] = cookie
end
if authorization and authorization ~= "" then
  wrk.headers["Authorization"] = authorization
end

function done(summary, latency, requests)
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, '
      .. '"max_us": %d, "non_2xx": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
