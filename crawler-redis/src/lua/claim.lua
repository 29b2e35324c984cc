-- Leases up to n URLs of level d. Politeness for all workers together: at most `cap` leases per
-- host, and at least the host's gap between two claims of it.
-- ARGV: d (`f` for the one queue of a crawl without levels), n, lease_ms, cap, default gap_ms,
-- token. Returns {member, attempts, link classes, dep, ...}: the classes (see enqueue) of the
-- links of earlier levels to the URL, 0 if none; `dep` the URL's tentative depth and followed
-- bit in flow mode (see `dep_of`), '' otherwise.
local d, n, lease_ms = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local cap, gap_default, token = tonumber(ARGV[4]), ARGV[5], ARGV[6]
local now = now_ms()
-- The deepest level this partition handed out (redirect.lua takes nothing back from it).
if d ~= 'f' and tonumber(d) > tonumber(redis.call('GET', P .. ':lvl') or '-1') then
  redis.call('SET', P .. ':lvl', d)
end
local ready = P .. ':ready:' .. d
local out = {}
for _, host in ipairs(redis.call('ZRANGEBYSCORE', ready, '-inf', now, 'LIMIT', 0, n)) do
  if #out >= 4 * n then break end
  local nxt = tonumber(redis.call('HGET', P .. ':nxt', host) or '0')
  if nxt > now then
    redis.call('ZADD', ready, nxt, host)
  else
    local gap = tonumber(redis.call('HGET', P .. ':gap', host) or gap_default)
    local inflight = tonumber(redis.call('HGET', P .. ':inflight', host) or '0')
    local take = cap - inflight
    if gap > 0 and take > 1 then take = 1 end
    local q = P .. ':q:' .. d .. ':' .. host
    local taken = 0
    while taken < take and #out < 4 * n do
      local m = redis.call('LPOP', q)
      if not m then break end
      -- A late ack may already have stored this URL's outcome: then it is done.
      if redis.call('HEXISTS', P .. ':out', string.sub(m, 1, 16)) == 0 then
        redis.call('ZADD', P .. ':lease', now + lease_ms, m)
        redis.call('HSET', P .. ':own', m, token .. '\t' .. d .. '\t' .. host)
        out[#out + 1] = m
        out[#out + 1] = redis.call('HGET', P .. ':att', m) or '0'
        out[#out + 1] = redis.call('HGET', P .. ':tk:' .. d, string.sub(m, 1, 16)) or '0'
        out[#out + 1] = redis.call('HGET', P .. ':dep', string.sub(m, 1, 16)) or ''
        taken = taken + 1
      end
    end
    if taken > 0 then
      redis.call('HINCRBY', P .. ':inflight', host, taken)
      if gap > 0 then redis.call('HSET', P .. ':nxt', host, now + gap) end
    end
    if redis.call('LLEN', q) == 0 or inflight + taken >= cap then
      redis.call('ZREM', ready, host) -- a complete, release or reap wakes it
    else
      redis.call('ZADD', ready, now + gap, host)
    end
  end
end
return out
