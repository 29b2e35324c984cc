-- Claims URLs for level d: each URL not seen before is queued on its host (atomic with the
-- claim, so a URL is never seen without being queued). ARGV: d, mode, then member, host pairs.
-- Mode `all` claims every URL; mode `parked` only URLs parked before (recorded by a link that
-- is not followed, at a depth within the crawl's): the single-process crawl fetches such a
-- target once a followed link reaches it, even from a page at the last depth.
-- Returns how many were new.
local d, parked_only = ARGV[1], ARGV[2] == 'parked'
local now = now_ms()
local added = 0
for i = 3, #ARGV, 2 do
  local m, host = ARGV[i], ARGV[i + 1]
  local fp = string.sub(m, 1, 16)
  if (not parked_only or redis.call('SISMEMBER', P .. ':nf', fp) == 1)
      and redis.call('SADD', P .. ':seen', fp) == 1 then
    redis.call('RPUSH', P .. ':q:' .. d .. ':' .. host, m)
    local nxt = tonumber(redis.call('HGET', P .. ':nxt', host) or '0')
    redis.call('ZADD', P .. ':ready:' .. d, 'NX', math.max(now, nxt), host)
    added = added + 1
  end
end
if added > 0 then redis.call('INCRBY', P .. ':rem:' .. d, added) end
return added
