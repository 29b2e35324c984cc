-- Flow mode: leases up to ARGV[1] URLs of `low` (pages whose depth dropped after their links
-- were sent) for ARGV[2] ms: the score becomes the lease's deadline, so an entry a dead
-- worker held comes back, and a new drop (score 0) outlives a lease taken before it.
-- Returns {member, deadline, dep, outcome or '', via or ''} per URL, flattened.
local n, lease_ms = tonumber(ARGV[1]), tonumber(ARGV[2])
local now = now_ms()
local out = {}
for _, m in ipairs(redis.call('ZRANGEBYSCORE', P .. ':low', '-inf', now, 'LIMIT', 0, n)) do
  local deadline = now + lease_ms
  local fp = string.sub(m, 1, 16)
  redis.call('ZADD', P .. ':low', 'XX', deadline, m)
  out[#out + 1] = m
  out[#out + 1] = tostring(deadline)
  out[#out + 1] = redis.call('HGET', P .. ':dep', fp) or ''
  out[#out + 1] = redis.call('HGET', P .. ':out', fp) or ''
  out[#out + 1] = redis.call('HGET', P .. ':via', fp) or ''
end
return out
