-- Flow mode: marks the hops a page's redirect chain fetched as done inside the page's outcome
-- (`via`: the hop's fingerprint to the page's member), before that outcome is stored. A hop
-- whose depth is already below the one the chain fetched it at goes to `low` at once; a later
-- drop finds `via` (see `relax`). ARGV: the page's member, the depth it was fetched at, then
-- the hops' members.
local owner, used = ARGV[1], tonumber(ARGV[2])
for i = 3, #ARGV do
  redis.call('HSET', P .. ':via', string.sub(ARGV[i], 1, 16), owner)
  resend_if_shorter(ARGV[i], used)
end
return 1
