-- Moves the crawl from level d to d+1 (compare-and-set, so racing workers agree), or marks it
-- complete when level d+1 is empty. The caller has seen every partition's rem:d at 0.
-- KEYS[1]: the meta prefix `cg:{crawl}`. ARGV: d, URLs queued at level d+1 over all partitions.
-- Returns {level, state}.
local M = KEYS[1]
local d = tonumber(ARGV[1])
local level = tonumber(redis.call('GET', M .. ':level') or '0')
local state = redis.call('HGET', M .. ':meta', 'state')
if level ~= d or state ~= 'running' then return {level, state} end
if tonumber(ARGV[2]) == 0 then
  redis.call('HSET', M .. ':meta', 'state', 'complete')
  return {level, 'complete'}
end
redis.call('SET', M .. ':level', d + 1)
return {d + 1, state}
