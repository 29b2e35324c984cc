-- Stores pages' outcomes; for each, the first completion wins. A late ack (lease reaped or
-- re-leased: token mismatch) leaves the lease alone; it still stores the outcome if none is
-- there yet. ARGV: (member, token, d, blob, used) per page, d the page's queue level (`f`
-- without levels) and `used` the depth its links were sent from ('' with levels). Without
-- levels, a page stored whose depth dropped below `used` meanwhile goes to `low`, to send its
-- links again. Returns per page {1 if stored, URLs of level d left in this partition}, flattened.
local out = {}
local now = nil
for i = 1, #ARGV, 5 do
  local m, token, d, blob, used = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  local o = own_of(m)
  if o and o.t == token then
    drop_lease(m, o)
    now = now or now_ms()
    wake(o.h, o.d, now)
  end
  local rem_key = P .. ':rem:' .. d
  if redis.call('HSETNX', P .. ':out', string.sub(m, 1, 16), blob) == 1 then
    -- Only the stored outcome's links count: a late duplicate's were sent in vain.
    if used ~= '' then resend_if_shorter(m, tonumber(used)) end
    redis.call('HDEL', P .. ':att', m)
    out[#out + 1] = 1
    out[#out + 1] = redis.call('DECR', rem_key)
  else
    out[#out + 1] = 0
    out[#out + 1] = tonumber(redis.call('GET', rem_key) or '0')
  end
end
return out
