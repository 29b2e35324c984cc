-- Flow mode: marks the hops a page's redirect chain fetched as done inside the page's outcome
-- (`via`: the hop's fingerprint to the page's member), before that outcome is stored. A hop
-- whose depth is already below the one the chain fetched it at goes to `low` at once; a later
-- drop finds `via` (see `relax`). ARGV: the page's member, the depth it was fetched at, then
-- the hops' members.
local owner, used = ARGV[1], tonumber(ARGV[2])
for i = 3, #ARGV do
  local m = ARGV[i]
  local fp = string.sub(m, 1, 16)
  redis.call('HSET', P .. ':via', fp, owner)
  local d = dep_of(fp)
  if d and d < used then redis.call('ZADD', P .. ':low', 0, m) end
end
return 1
