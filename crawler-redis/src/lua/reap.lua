-- Returns up to ARGV[1] expired leases to the head of their host's queue (attempts + 1).
-- Returns how many were reaped.
local now = now_ms()
local expired = redis.call('ZRANGEBYSCORE', P .. ':lease', '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
for _, m in ipairs(expired) do
  local o = own_of(m)
  if o then
    drop_lease(m, o)
    redis.call('HINCRBY', P .. ':att', m, 1)
    redis.call('LPUSH', P .. ':q:' .. o.d .. ':' .. o.h, m)
    wake(o.h, o.d, now)
  else
    redis.call('ZREM', P .. ':lease', m)
  end
end
return #expired
