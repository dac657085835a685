-- KEYS: job
-- ARGV: now (iso), stale_ms, owner, max_attempts, prefix, dead_owner ('' = none),
--       worker-lost error code, worker-lost message, upload key prefix ('' = none)
-- Redis's own clock (TIME) times heartbeats, so workers on hosts with skewed clocks
-- still agree on when a lease is stale.
local current = redis.call('HGET', KEYS[1], 'status')
if not current then return {'missing'} end
local t = redis.call('TIME')
local now_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if current == 'RUNNING' then
  local beat = tonumber(redis.call('HGET', KEYS[1], 'heartbeat_ms') or '0') or 0
  local holder = redis.call('HGET', KEYS[1], 'owner') or ''
  local dead = ARGV[6] ~= '' and holder == ARGV[6]
  if now_ms - beat <= tonumber(ARGV[2]) and not dead then
    return {'busy', tostring(tonumber(ARGV[2]) - (now_ms - beat)), holder}
  end
elseif current ~= 'PENDING' then
  return {'conflict', current}
end
-- A takeover: the attempt it ends died with its worker. Say so, as the reconciler's
-- requeue does, so an exhausted job tells what used its attempts up.
local lost = current == 'RUNNING'
local attempts = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
if attempts > tonumber(ARGV[4]) then
  if lost then return {'exhausted', current, tostring(attempts), ARGV[7], ARGV[8]} end
  return {'exhausted', current, tostring(attempts),
          redis.call('HGET', KEYS[1], 'error_code') or '',
          redis.call('HGET', KEYS[1], 'error_message') or ''}
end
redis.call('HSET', KEYS[1], 'status', 'RUNNING', 'updated_at', ARGV[1], 'started_at', ARGV[1],
           'heartbeat_at', ARGV[1], 'heartbeat_ms', now_ms, 'owner', ARGV[3])
if lost then
  redis.call('HSET', KEYS[1], 'error_code', ARGV[7], 'error_message', ARGV[8])
else
  local prefix = ARGV[5]
  local id = redis.call('HGET', KEYS[1], 'job_id')
  local tenant = redis.call('HGET', KEYS[1], 'tseg')
  local seq = redis.call('HGET', KEYS[1], 'seq')
  redis.call('ZREM', prefix .. 'jobs:' .. current, id)
  redis.call('ZREM', prefix .. 't:' .. tenant .. ':jobs:' .. current, id)
  redis.call('ZADD', prefix .. 'jobs:RUNNING', seq, id)
  redis.call('ZADD', prefix .. 't:' .. tenant .. ':jobs:RUNNING', seq, id)
end
redis.call('PERSIST', KEYS[1])
-- The job's upload record comes back too when asked for: the worker reads it next.
local upload = {}
if ARGV[9] ~= '' then
  upload = redis.call('HGETALL', ARGV[9] .. redis.call('HGET', KEYS[1], 'upload_id'))
end
return {'ok', current, tostring(attempts), redis.call('HGETALL', KEYS[1]), upload}
