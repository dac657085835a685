-- KEYS: running index ; ARGV: stale_ms, job key prefix, limit
-- The RUNNING jobs whose lease holder stopped beating.
local t = redis.call('TIME')
local now_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local found = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local beat = tonumber(redis.call('HGET', ARGV[2] .. id, 'heartbeat_ms') or '0') or 0
  if now_ms - beat > tonumber(ARGV[1]) then
    found[#found + 1] = id
    if #found >= tonumber(ARGV[3]) then break end
  end
end
return found
