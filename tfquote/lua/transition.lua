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
-- The webhook outbox: a terminal state of a job with a webhook_url registers its event as
-- due now, in the same script as the transition, so no worker or gateway death between
-- the two can lose it. Whoever made the transition publishes the delivery at once; the
-- sweeper publishes what is left (tfquote/webhooks.py). An event already delivered for
-- this job (a retried job failing twice) is never due again.
local events = {COMPLETED = 'job.completed', FAILED = 'job.failed', CANCELLED = 'job.cancelled'}
local event = events[to]
if event and current ~= to then
  local url = redis.call('HGET', KEYS[1], 'webhook_url')
  if url and url ~= '' then
    local prefix = ARGV[5]
    local id = redis.call('HGET', KEYS[1], 'job_id')
    local record = prefix .. 'webhook:' .. id .. ':' .. event
    if redis.call('HGET', record, 'state') ~= 'delivered' then
      local t = redis.call('TIME')
      local now_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      redis.call('HSET', record, 'state', 'pending', 'job_id', id, 'event', event)
      redis.call('HSETNX', record, 'first_ms', now_ms)
      redis.call('HSETNX', record, 'attempts', 0)
      redis.call('EXPIRE', record, math.max(ttl, 172800))
      redis.call('ZADD', prefix .. 'webhooks:due', now_ms, id .. '|' .. event)
      redis.call('HSET', KEYS[1], 'webhook_event', event)
    end
  end
end
if ttl > 0 then
  redis.call('EXPIRE', KEYS[1], ttl)
  local idem = redis.call('HGET', KEYS[1], 'idem_key')
  if idem and idem ~= '' then redis.call('EXPIRE', idem, ttl) end
else
  redis.call('PERSIST', KEYS[1])
end
return {'ok', current}
