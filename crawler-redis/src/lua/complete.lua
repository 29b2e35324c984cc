-- Stores a page's outcome; the first completion wins. A late ack (lease reaped or re-leased:
-- token mismatch) leaves the lease alone; it still stores the outcome if none is there yet.
-- ARGV: member, token, d, blob. Returns {1 if stored, URLs of level d left in this partition}.
local m, token, d, blob = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local o = own_of(m)
if o and o.t == token then
  drop_lease(m, o)
  wake(o.h, o.d, now_ms())
end
local rem_key = P .. ':rem:' .. d
if redis.call('HSETNX', P .. ':out', string.sub(m, 1, 16), blob) == 1 then
  redis.call('HDEL', P .. ':att', m)
  return {1, redis.call('DECR', rem_key)}
end
return {0, tonumber(redis.call('GET', rem_key) or '0')}
