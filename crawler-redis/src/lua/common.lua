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
