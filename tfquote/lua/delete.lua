-- KEYS: job ; ARGV: prefix, allowed_from (comma separated)
local current = redis.call('HGET', KEYS[1], 'status')
if not current then return {'missing'} end
local allowed = false
for state in string.gmatch(ARGV[2], '[^,]+') do
  if state == current then allowed = true end
end
if not allowed then return {'conflict', current} end
local prefix = ARGV[1]
local id = redis.call('HGET', KEYS[1], 'job_id')
local tenant = redis.call('HGET', KEYS[1], 'tseg')
local idem = redis.call('HGET', KEYS[1], 'idem_key')
redis.call('ZREM', prefix .. 'jobs', id)
redis.call('ZREM', prefix .. 'jobs:' .. current, id)
redis.call('ZREM', prefix .. 't:' .. tenant .. ':jobs', id)
redis.call('ZREM', prefix .. 't:' .. tenant .. ':jobs:' .. current, id)
if idem and idem ~= '' then
  local value = redis.call('GET', idem)
  if value and string.sub(value, 1, #id + 1) == id .. '\n' then redis.call('DEL', idem) end
end
redis.call('DEL', KEYS[1])
return {'ok', current}
