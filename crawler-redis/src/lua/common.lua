-- Shared by every partition script (prepended when the script is loaded).
-- KEYS[1] is the partition prefix `cg:{crawl:p}`: every key a script touches starts with it, so
-- each call stays in one hash slot (atomic on one node, routable on a Cluster).
-- A queue member is a 16-byte URL fingerprint followed by the URL.
local P = KEYS[1]

-- Milliseconds of the server clock: worker clocks never matter.
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- Puts `host` back in level d's ready set if URLs wait, no earlier than its next allowed claim.
local function wake(host, d, now)
  if redis.call('LLEN', P .. ':q:' .. d .. ':' .. host) > 0 then
    local nxt = tonumber(redis.call('HGET', P .. ':nxt', host) or '0')
    redis.call('ZADD', P .. ':ready:' .. d, 'NX', math.max(now, nxt), host)
  end
end

-- The lease record of `member`: {t = token, d = level, h = host}, or nil.
local function own_of(member)
  local o = redis.call('HGET', P .. ':own', member)
  if not o then return nil end
  local t, d, h = string.match(o, '^([^\t]*)\t([^\t]*)\t(.*)$')
  return {t = t, d = d, h = h}
end

-- Ends the lease of `member` and frees its host's in-flight slot.
local function drop_lease(member, o)
  redis.call('ZREM', P .. ':lease', member)
  redis.call('HDEL', P .. ':own', member)
  if redis.call('HINCRBY', P .. ':inflight', o.h, -1) <= 0 then
    redis.call('HDEL', P .. ':inflight', o.h)
  end
end

-- Without levels (flow mode) each URL met has a tentative depth and a followed bit, kept in
-- `dep` as depth * 2 + followed. Returns the depth and the bit, or nil and 0 for a URL not met.
local function dep_of(fp)
  local v = redis.call('HGET', P .. ':dep', fp)
  if not v then return nil, 0 end
  v = tonumber(v)
  return math.floor(v / 2), v % 2
end

-- Flow mode: the URL `member`, whose links were sent from depth `used`, goes to `low` if its
-- depth is below that now (a shorter path turned up while it was fetched).
local function resend_if_shorter(member, used)
  local d = dep_of(string.sub(member, 1, 16))
  if d and d < used then redis.call('ZADD', P .. ':low', 0, member) end
end

-- Flow mode: a path of length d reaches the URL `member` (f = 1 if by a followed link).
-- Keeps the shorter depth and ors the bit. When a URL whose links were already sent gets
-- shorter (its outcome is stored, or a redirect chain fetched it: `via`), it goes to `low`,
-- where a worker sends its links again from the new depth. Returns the depth and the bit.
local function relax(member, d, f)
  local fp = string.sub(member, 1, 16)
  local od, of = dep_of(fp)
  if od and od <= d and of >= f then return od, of end
  local nd, nf = d, f
  if od then
    nd = math.min(od, d)
    nf = math.max(of, f)
  end
  redis.call('HSET', P .. ':dep', fp, nd * 2 + nf)
  if od and nd < od and (redis.call('HEXISTS', P .. ':out', fp) == 1
      or redis.call('HEXISTS', P .. ':via', fp) == 1) then
    redis.call('ZADD', P .. ':low', 0, member)
  end
  return nd, nf
end
