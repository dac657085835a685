-- KEYS: job, idem ('' when none), seq, upload ('' when none)
-- ARGV: job_id, fingerprint, idem_ttl, prefix, tenant, upload_tenant, upload_ttl,
--       field/value pairs...
-- The upload lease comes first: the upload must be the tenant's (another tenant's
-- guess must not keep it alive), then it outlives the job. Nothing is written otherwise.
if KEYS[4] ~= '' then
  if redis.call('HGET', KEYS[4], 'tenant') ~= ARGV[6] then return {'no_upload'} end
  redis.call('EXPIRE', KEYS[4], tonumber(ARGV[7]))
end
if KEYS[2] ~= '' then
  local existing = redis.call('GET', KEYS[2])
  if existing then
    local sep = string.find(existing, '\n', 1, true)
    local existing_id = string.sub(existing, 1, sep - 1)
    local existing_fp = string.sub(existing, sep + 1)
    if redis.call('EXISTS', ARGV[4] .. 'job:' .. existing_id) == 1 then
      return {'exists', existing_id, existing_fp,
              redis.call('HGETALL', ARGV[4] .. 'job:' .. existing_id)}
    end
  end
end
local seq = redis.call('INCR', KEYS[3])
local fields = {}
for i = 8, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], 'seq', seq, unpack(fields))
local prefix, tenant = ARGV[4], ARGV[5]  -- tenant: the key segment
redis.call('ZADD', prefix .. 'jobs', seq, ARGV[1])
redis.call('ZADD', prefix .. 'jobs:PENDING', seq, ARGV[1])
redis.call('ZADD', prefix .. 't:' .. tenant .. ':jobs', seq, ARGV[1])
redis.call('ZADD', prefix .. 't:' .. tenant .. ':jobs:PENDING', seq, ARGV[1])
if KEYS[2] ~= '' then
  redis.call('SET', KEYS[2], ARGV[1] .. '\n' .. ARGV[2], 'EX', tonumber(ARGV[3]))
end
-- The record comes back with the answer: no second round trip to read it.
return {'created', ARGV[1], ARGV[2], redis.call('HGETALL', KEYS[1])}
