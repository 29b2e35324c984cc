-- Flow mode: ends leases of `low` entries: ARGV (member, deadline, again) triples. An entry
-- still under that lease is removed, or, with `again` a number of ms, offered again after
-- that long (its outcome is not stored yet, or its worker is stopping); an entry dropped
-- again since (a new score) stays. Returns how many were removed.
local now = nil
local n = 0
for i = 1, #ARGV, 3 do
  local m, deadline, again = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2]
  local score = redis.call('ZSCORE', P .. ':low', m)
  if score and tonumber(score) == deadline then
    if again ~= '' then
      now = now or now_ms()
      redis.call('ZADD', P .. ':low', 'XX', now + tonumber(again), m)
    else
      redis.call('ZREM', P .. ':low', m)
      n = n + 1
    end
  end
end
return n
