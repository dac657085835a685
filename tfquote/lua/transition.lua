-- KEYS: job
-- ARGV: to, allowed_from (comma separated), now, ttl (0 = none), prefix,
--       owner ('' = any), field/value pairs...
local current = redis.call('HGET', KEYS[1], 'status')
if not current then return {'missing'} end
if ARGV[6] ~= '' and redis.call('HGET', KEYS[1], 'owner') ~= ARGV[6] then
  return {'conflict', current .. ' (lease lost)'}
end
local allowed = false
for state in string.gmatch(ARGV[2], '[^,]+') do
  if state == current then allowed = true end
end
if not allowed then return {'conflict', current} end
local to = ARGV[1]
local fields = {}
for i = 7, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], 'status', to, 'updated_at', ARGV[3], unpack(fields))
if current ~= to then
  local prefix = ARGV[5]
  local id = redis.call('HGET', KEYS[1], 'job_id')
  local tenant = redis.call('HGET', KEYS[1], 'tseg')
  local seq = redis.call('HGET', KEYS[1], 'seq')
  redis.call('ZREM', prefix .. 'jobs:' .. current, id)
  redis.call('ZREM', prefix .. 't:' .. tenant .. ':jobs:' .. current, id)
  redis.call('ZADD', prefix .. 'jobs:' .. to, seq, id)
  redis.call('ZADD', prefix .. 't:' .. tenant .. ':jobs:' .. to, seq, id)
end
local ttl = tonumber(ARGV[4])
if ttl > 0 then
  redis.call('EXPIRE', KEYS[1], ttl)
  local idem = redis.call('HGET', KEYS[1], 'idem_key')
  if idem and idem ~= '' then redis.call('EXPIRE', idem, ttl) end
else
  redis.call('PERSIST', KEYS[1])
end
return {'ok', current}
