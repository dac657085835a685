-- KEYS: upload ; ARGV: tenant, ttl
-- Extends the upload's lifetime for its owner only: another tenant's guess of an
-- upload id must not keep that upload alive. Returns 1 when the upload is the tenant's.
if redis.call('HGET', KEYS[1], 'tenant') ~= ARGV[1] then return 0 end
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
return 1
