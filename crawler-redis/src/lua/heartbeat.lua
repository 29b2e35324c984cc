-- Extends the leases still held: ARGV: lease_ms, then member, token pairs. Returns how many.
local deadline = now_ms() + tonumber(ARGV[1])
local n = 0
for i = 2, #ARGV, 2 do
  local o = own_of(ARGV[i])
  if o and o.t == ARGV[i + 1] then
    redis.call('ZADD', P .. ':lease', 'XX', deadline, ARGV[i])
    n = n + 1
  end
end
return n
