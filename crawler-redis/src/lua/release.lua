-- Gives leases back at once (a worker stopping): each URL returns to the head of its host's
-- queue without counting an attempt. ARGV: member, token pairs. Returns how many.
local now = now_ms()
local n = 0
for i = 1, #ARGV, 2 do
  local m = ARGV[i]
  local o = own_of(m)
  if o and o.t == ARGV[i + 1] then
    drop_lease(m, o)
    redis.call('LPUSH', P .. ':q:' .. o.d .. ':' .. o.h, m)
    wake(o.h, o.d, now)
    n = n + 1
  end
end
return n
