-- Claims a redirect target for the page that redirected to it (the owner). Idempotent for the
-- same owner, so a re-delivered page follows its own redirect again.
-- ARGV: target fingerprint, owner fingerprint. Returns 1 if the owner may fetch the target.
local fp, owner = ARGV[1], ARGV[2]
if redis.call('SADD', P .. ':seen', fp) == 1 then
  redis.call('HSET', P .. ':rclaim', fp, owner)
  return 1
end
if redis.call('HGET', P .. ':rclaim', fp) == owner then return 1 end
return 0
