-- Claims URLs for level d: each URL not seen before is queued on its host (atomic with the
-- claim, so a URL is never seen without being queued). ARGV: d, mode, then (member, host,
-- class) triples. Mode `all` claims every URL; mode `parked` only URLs parked before; mode
-- `park` claims none and parks them (targets of links that are not followed, at a depth
-- within the crawl's): the single-process crawl fetches such a target once a followed link
-- reaches it, even from a page at the last depth.
-- A class other than 0 is or-ed into the URL's link classes for level d (`tk:d`): 1 a page
-- link, 2 a resource, 4 a stylesheet; what the URL is fetched as when resources are checked.
-- Returns how many were new.
local d, mode = ARGV[1], ARGV[2]
local now = now_ms()
local added = 0
for i = 3, #ARGV, 3 do
  local m, host, class = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2])
  local fp = string.sub(m, 1, 16)
  if class ~= 0 then
    local tk = P .. ':tk:' .. d
    local old = tonumber(redis.call('HGET', tk, fp) or '0')
    if bit.bor(old, class) ~= old then redis.call('HSET', tk, fp, bit.bor(old, class)) end
  end
  if mode == 'park' then
    redis.call('SADD', P .. ':nf', fp)
  elseif (mode == 'all' or redis.call('SISMEMBER', P .. ':nf', fp) == 1)
      and redis.call('SADD', P .. ':seen', fp) == 1 then
    redis.call('RPUSH', P .. ':q:' .. d .. ':' .. host, m)
    local nxt = tonumber(redis.call('HGET', P .. ':nxt', host) or '0')
    redis.call('ZADD', P .. ':ready:' .. d, 'NX', math.max(now, nxt), host)
    added = added + 1
  end
end
if added > 0 then redis.call('INCRBY', P .. ':rem:' .. d, added) end
return added
