-- Slows a host for every worker: ARGV: host, gap_ms ('' keeps it: robots.txt Crawl-delay),
-- block_ms (0: none; Retry-After). The gap only grows.
local host, gap, block = ARGV[1], ARGV[2], tonumber(ARGV[3])
if gap ~= '' then
  local old = tonumber(redis.call('HGET', P .. ':gap', host) or '0')
  if tonumber(gap) > old then redis.call('HSET', P .. ':gap', host, gap) end
end
if block > 0 then
  local until_ms = now_ms() + block
  if until_ms > tonumber(redis.call('HGET', P .. ':nxt', host) or '0') then
    redis.call('HSET', P .. ':nxt', host, until_ms)
  end
end
return 1
