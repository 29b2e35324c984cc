-- Flow mode: records the paths a fetched page's links (and redirects) give their targets, and
-- queues each target once it is within the depth limit and a followed link reaches it (the
-- rule the single-process crawl keeps: see `relax` in common.lua for a depth that drops).
-- ARGV: max depth, then (member, host, depth, followed 0/1) quads. Returns how many were
-- queued.
local max = tonumber(ARGV[1])
local now = nil
local added = 0
for i = 2, #ARGV, 4 do
  local m, host = ARGV[i], ARGV[i + 1]
  local d, f = relax(m, tonumber(ARGV[i + 2]), tonumber(ARGV[i + 3]))
  if d <= max and f == 1 and redis.call('SADD', P .. ':seen', string.sub(m, 1, 16)) == 1 then
    redis.call('RPUSH', P .. ':q:f:' .. host, m)
    now = now or now_ms()
    local nxt = tonumber(redis.call('HGET', P .. ':nxt', host) or '0')
    redis.call('ZADD', P .. ':ready:f', 'NX', math.max(now, nxt), host)
    added = added + 1
  end
end
if added > 0 then redis.call('INCRBY', P .. ':rem:f', added) end
return added
