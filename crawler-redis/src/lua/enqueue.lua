-- Claims URLs for level d: each URL not seen before is queued on its host (atomic with the
-- claim, so a URL is never seen without being queued). ARGV: d, then member, host pairs.
-- Returns how many were new.
local d = ARGV[1]
local now = now_ms()
local added = 0
for i = 2, #ARGV, 2 do
  local m, host = ARGV[i], ARGV[i + 1]
  if redis.call('SADD', P .. ':seen', string.sub(m, 1, 16)) == 1 then
    redis.call('RPUSH', P .. ':q:' .. d .. ':' .. host, m)
    local nxt = tonumber(redis.call('HGET', P .. ':nxt', host) or '0')
    redis.call('ZADD', P .. ':ready:' .. d, 'NX', math.max(now, nxt), host)
    added = added + 1
  end
end
if added > 0 then redis.call('INCRBY', P .. ':rem:' .. d, added) end
return added
