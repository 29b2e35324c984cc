-- Claims a redirect target for the page that redirected to it (the owner). Idempotent for the
-- same owner, so a re-delivered page follows its own redirect again.
-- ARGV: target fingerprint, owner fingerprint, the owner's depth + 1, the target's queue
-- member, the target's host. Returns 1 if the owner may fetch the target.
-- A target a link of the owner's level queued for the next level is taken back from that
-- queue (that level has not started: it waits for the owner's level to end) and given to the
-- redirect, so it keeps the owner's depth, as in a single process.
local fp, owner, next_d, member, host = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
if redis.call('SADD', P .. ':seen', fp) == 1 then
  redis.call('HSET', P .. ':rclaim', fp, owner)
  return 1
end
if redis.call('HGET', P .. ':rclaim', fp) == owner then return 1 end
if redis.call('LREM', P .. ':q:' .. next_d .. ':' .. host, 1, member) == 1 then
  redis.call('DECR', P .. ':rem:' .. next_d)
  redis.call('HSET', P .. ':rclaim', fp, owner)
  return 1
end
return 0
