-- KEYS: job
-- ARGV: stale_ms, now (iso), prefix, error code, error message
-- RUNNING -> PENDING for a job whose lease holder stopped heartbeating. The staleness
-- check and the requeue are one step: a worker that took the job over in between has
-- a fresh heartbeat, and its attempt is left alone.
local current = redis.call('HGET', KEYS[1], 'status')
if not current then return {'missing'} end
if current ~= 'RUNNING' then return {'conflict', current} end
local t = redis.call('TIME')
local now_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local beat = tonumber(redis.call('HGET', KEYS[1], 'heartbeat_ms') or '0') or 0
if now_ms - beat <= tonumber(ARGV[1]) then return {'fresh'} end
redis.call('HSET', KEYS[1], 'status', 'PENDING', 'updated_at', ARGV[2], 'owner', '',
           'enqueued_at', ARGV[2], 'error_code', ARGV[4], 'error_message', ARGV[5])
local prefix = ARGV[3]
local id = redis.call('HGET', KEYS[1], 'job_id')
local tenant = redis.call('HGET', KEYS[1], 'tseg')
local seq = redis.call('HGET', KEYS[1], 'seq')
redis.call('ZREM', prefix .. 'jobs:RUNNING', id)
redis.call('ZREM', prefix .. 't:' .. tenant .. ':jobs:RUNNING', id)
redis.call('ZADD', prefix .. 'jobs:PENDING', seq, id)
redis.call('ZADD', prefix .. 't:' .. tenant .. ':jobs:PENDING', seq, id)
return {'ok'}
