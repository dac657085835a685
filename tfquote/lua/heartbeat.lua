-- KEYS: job ; ARGV: owner, now (iso). Returns the status, or 'lost' if not our lease.
local current = redis.call('HGET', KEYS[1], 'status')
if not current then return 'missing' end
if current ~= 'RUNNING' then return current end
if redis.call('HGET', KEYS[1], 'owner') ~= ARGV[1] then return 'lost' end
local t = redis.call('TIME')
local now_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', KEYS[1], 'heartbeat_ms', now_ms, 'heartbeat_at', ARGV[2])
return 'RUNNING'
