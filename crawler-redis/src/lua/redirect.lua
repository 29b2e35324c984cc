-- Claims a redirect target for the page that redirected to it (the owner). Idempotent for the
-- same owner, so a re-delivered page follows its own redirect again.
-- ARGV: target fingerprint, owner fingerprint, the owner's depth + 1, the target's queue
-- member, the target's host. Returns 1 if the owner may fetch the target.
-- A target a link of the owner's level queued for the next level is taken back from that
-- queue and given to the redirect, so it keeps the owner's depth, as in a single process;
-- only while this partition has handed out nothing of that level (`lvl`, kept by claim.lua):
-- a late owner (its lease reaped, its page done by another worker) must not take a target
-- from a level that started. A take-back that finds nothing is remembered for the level, so
-- many redirects to one target scan its host's queue once.
-- Without levels (ARGV[6] = `f`, ARGV[3] the owner's depth itself) nothing is taken back: a
-- target claimed before only gets the owner's depth if that is shorter (see `relax`).
local fp, owner, next_d, member, host = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local flow = ARGV[6] == 'f'
if redis.call('SADD', P .. ':seen', fp) == 1 then
  redis.call('HSET', P .. ':rclaim', fp, owner)
  if flow then relax(member, tonumber(next_d), 0) end
  return 1
end
local held = redis.call('HGET', P .. ':rclaim', fp)
if held == owner then return 1 end
if flow then
  relax(member, tonumber(next_d), 0)
  return 0
end
local missed = '~' .. next_d
if held then return 0 end
if redis.call('HGET', P .. ':rmiss', fp) == missed then return 0 end
if tonumber(redis.call('GET', P .. ':lvl') or '-1') >= tonumber(next_d) then return 0 end
if redis.call('LREM', P .. ':q:' .. next_d .. ':' .. host, 1, member) == 1 then
  redis.call('DECR', P .. ':rem:' .. next_d)
  redis.call('HSET', P .. ':rclaim', fp, owner)
  return 1
end
redis.call('HSET', P .. ':rmiss', fp, missed)
return 0
